"""Regressions from the red-team pass (issue #18), driven through AppTest: configs inside the
README's limits never show Streamlit's error box, and user text stays literal in Markdown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.runtime.state.query_params import (
    CLIENT_STATE_QUERY_STRING_MAX_FIELDS,
    CLIENT_STATE_QUERY_STRING_MAX_LENGTH,
)
from test_app import import_text, key, run, studio

from lrviz import state as ss
from lrviz.dropped_link import MAX_QUERY_CHARS, MAX_QUERY_FIELDS
from lrviz.errors import ConfigError
from lrviz.keras_json import schedules_from_json
from lrviz.limits import MAX_STEPS
from lrviz.literal import WORD_JOINER
from lrviz.share import Entry, SharedState, encode_state


def link(*configs: dict) -> dict[str, str]:
    """The query of a share link that opens `configs`."""
    return encode_state(SharedState(tuple(Entry(c) for c in configs), 0, {}))


AT_THE_LIMIT = {
    "cosine to 10^12": {
        "class_name": "CosineDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": MAX_STEPS},
    },
    "cycling polynomial at 10^12": {
        "class_name": "PolynomialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": MAX_STEPS, "cycle": True},
    },
    "warmup + decay past 10^12": {
        "class_name": "CosineDecay",
        "config": {
            "initial_learning_rate": 0.0,
            "decay_steps": 6 * 10**11,
            "warmup_steps": 6 * 10**11,
            "warmup_target": 0.1,
        },
    },
}


@pytest.mark.app
@pytest.mark.parametrize("config", AT_THE_LIMIT.values(), ids=AT_THE_LIMIT.keys())
def test_a_schedule_ending_at_the_step_limit_opens_with_the_range_at_the_limit(config):
    at = run(link(config))
    assert at.number_input(key="view.to").value == MAX_STEPS


@pytest.mark.app
def test_typing_the_largest_decay_steps_keeps_the_page_working():
    at = run()
    at.number_input(key=key(at, "decay_steps", "exact")).set_value(MAX_STEPS - 1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert studio(at).current.config["config"]["decay_steps"] == MAX_STEPS - 1
    assert at.number_input(key="view.to").value == MAX_STEPS


# A backtick in an unknown key, `class_name` or `module` used to close the message's code span.
HOSTILE_IMPORTS = {
    "image in a value": {
        "class_name": "CosineDecay",
        "config": {"initial_learning_rate": "![PWN](http://127.0.0.1:9/x)", "decay_steps": 10},
    },
    "emphasis, colour, LaTeX": {
        "class_name": "CosineDecay",
        "config": {"initial_learning_rate": "**x** :red[x] $$x$$", "decay_steps": 10},
    },
    "backtick in an unknown key": {
        "class_name": "CosineDecay",
        "config": {"decay_steps": 10, "a` ![i](http://127.0.0.1:9/k) `b": 1},
    },
    "backtick in class_name": {"class_name": "x` **bold** `y", "config": {}},
    "backtick in module": {"module": "m` <b>b</b> [l](http://e.example) `", "class_name": "C"},
    "autolinks": {
        "class_name": "CosineDecay",
        "config": {"alpha": "http://127.0.0.1:9/auto www.evil.example me@evil.example"},
    },
}


def literal_text(markdown: str) -> str:
    """The text `markdown` shows, read by an independent CommonMark + GFM-tables parser; fails
    unless it is one paragraph of plain text (no link, image, emphasis, code or HTML)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    kinds = {child.type for child in tokens[1].children}
    assert kinds <= {"text"}, kinds
    return "".join(child.content for child in tokens[1].children).replace(WORD_JOINER, "")


def import_error(text: str) -> str:
    """The message lrviz's import gives for `text`, in English."""
    with pytest.raises(ConfigError) as raised:
        schedules_from_json(text)
    return str(raised.value)


@pytest.mark.oracle
@pytest.mark.parametrize("config", HOSTILE_IMPORTS.values(), ids=HOSTILE_IMPORTS.keys())
def test_an_import_error_quoting_markdown_shows_it_as_literal_text(config):
    at = run()
    text = json.dumps(config)
    import_text(at, text)
    (error,) = at.error
    assert literal_text(error.value) == import_error(text)
    for autolink in ("http:", "www.", "@evil"):
        assert autolink not in error.value.replace("\\", "")


LONE_SURROGATE = {
    "class_name": "CosineDecay",
    "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "name": "a\ud800b"},
}


@pytest.mark.oracle
def test_a_link_naming_a_configuration_with_a_lone_surrogate_opens_with_a_notice():
    at = run(link(LONE_SURROGATE, AT_THE_LIMIT["cosine to 10^12"]))
    assert len(studio(at).entries) == 1
    (notice,) = at.warning
    text = literal_text(notice.value.partition("\n\n")[2].removeprefix("- "))
    assert "Configuration 1 in the link (a\\ud800b) was not opened: Argument `name`" in text


@pytest.mark.oracle
def test_pasting_a_name_with_a_lone_surrogate_names_the_field():
    at = run()
    import_text(at, json.dumps(LONE_SURROGATE))
    (error,) = at.error
    assert literal_text(error.value).startswith(
        "Argument `name` holds a lone surrogate (\\ud800) at character 2"
    )
    assert len(studio(at).entries) == len(ss.starter_studio().entries)


@pytest.mark.oracle
def test_a_link_notice_for_a_configuration_without_a_name_does_not_say_none():
    broken = {"class_name": "CosineDecay", "config": {"initial_learning_rate": -1.0}}
    at = run(link(broken, AT_THE_LIMIT["cosine to 10^12"]))
    (notice,) = at.warning
    assert "None" not in notice.value
    assert "Configuration 1 in the link was not opened" in literal_text(
        notice.value.partition("\n\n")[2].removeprefix("- ")
    )


def test_the_app_serves_this_machine_only_unless_told_otherwise():
    """`streamlit run app.py` (and scripts/run-app.sh, which runs it from the project) listens on
    127.0.0.1: the address Streamlit reads from the project's config."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from streamlit import config; print(config.get_option('server.address'))",
        ],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "127.0.0.1", result.stderr


def test_the_dropped_link_limits_are_streamlits():
    assert (MAX_QUERY_FIELDS, MAX_QUERY_CHARS) == (
        CLIENT_STATE_QUERY_STRING_MAX_FIELDS,
        CLIENT_STATE_QUERY_STRING_MAX_LENGTH,
    )
