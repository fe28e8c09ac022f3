"""Nothing is ever lost: a failed import, a bad link or a rejected edit leaves what is open as it was.

Checked twice: on the pure `lrviz.state` operations (each raises `ConfigError` and the studio,
its configs and its link are exactly as before), and through the page (AppTest): the error is
shown, and the configurations, the chart and the URL are those of before.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from config_factory import CLASSES, random_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest, element_tree

import lrviz
from lrviz import ConfigError
from lrviz import state as ss
from lrviz.engine import ParamSpec
from lrviz.keras_json import default_config
from lrviz.limits import MAX_CONFIGS, MAX_NAME_CHARS, MAX_STEPS, MAX_TEXT_BYTES
from lrviz.page.session import STUDIO, panel_key, widget_key
from lrviz.share import decode_state, encode_state

APP = str(Path(__file__).resolve().parents[1] / "app.py")
GOOD = default_config("ExponentialDecay")


def rich_studio() -> ss.Studio:
    """One configuration of every class, one hidden, the third selected, a difference view."""
    studio = ss.starter_studio()
    for class_name in CLASSES:
        studio = ss.add(studio, class_name)
    studio = ss.set_visible(studio, studio.entries[1].id, False)
    studio = ss.select(studio, studio.entries[2].id)
    return ss.set_view(studio, mode="diff", reference=3, log_y=True)


def snapshot(studio: ss.Studio) -> tuple[ss.Studio, dict[str, str]]:
    """A deep copy of the studio and its link: what must still be there after a failure."""
    return copy.deepcopy(studio), encode_state(ss.to_shared(studio))


def assert_refused(operation: Callable[..., ss.Studio], studio: ss.Studio, *args: Any, **kw: Any):
    """The operation raises `ConfigError`, and the studio (configs, selection, view) is untouched."""
    before, link = snapshot(studio)
    with pytest.raises(ConfigError) as raised:
        operation(studio, *args, **kw)
    assert studio == before
    assert encode_state(ss.to_shared(studio)) == link
    return raised.value


def padded(value: Any, size: int) -> str:
    """Valid JSON text of `value`, padded with whitespace to `size` bytes."""
    text = json.dumps(value)
    return text + " " * (size - len(text))


# ---------------------------------------------------------------------------------------------
# Pure state: imports
# ---------------------------------------------------------------------------------------------

NAN_CONFIG = (
    '{"class_name": "CosineDecay", "config": {"initial_learning_rate": NaN, "decay_steps": 9}}'
)
BAD_IMPORTS = {
    "invalid JSON": "[1, 2",
    "not JSON at all": "CosineDecay(0.1, 1000)",
    "NaN": NAN_CONFIG,
    "wrong class": '{"class_name": "CosineDecai", "config": {}}',
    "custom class": json.dumps({**GOOD, "registered_name": "Custom>Schedule"}),
    "wrong module": json.dumps({**GOOD, "module": "my.schedules"}),
    "missing argument": '{"class_name": "ExponentialDecay", "config": {"decay_steps": 10}}',
    "too many configs": json.dumps([GOOD] * (MAX_CONFIGS + 1)),
    "a bad item after good ones": json.dumps([GOOD, GOOD, {**GOOD, "class_name": "Nope"}]),
    "empty text": "   ",
    "empty list": "[]",
    "nested too deeply": "[" * 50 + "]" * 50,
    "over 1 MiB": padded([GOOD], MAX_TEXT_BYTES + 1),
    "over 1 MiB of bytes": padded([GOOD], MAX_TEXT_BYTES + 1).encode(),
    "not UTF-8": b'{"class_name": "\xff"}',
    "integer learning rate past int32": json.dumps(
        {**GOOD, "config": {**GOOD["config"], "initial_learning_rate": 10**400}}
    ),
}


@pytest.mark.parametrize("text", BAD_IMPORTS.values(), ids=BAD_IMPORTS.keys())
def test_a_failed_import_keeps_every_open_configuration(text: str | bytes) -> None:
    error = assert_refused(ss.import_text, rich_studio(), text)
    assert str(error) and "\n" not in str(error)


def test_an_import_past_the_limit_of_open_configurations_keeps_them_all() -> None:
    studio = rich_studio()
    room = MAX_CONFIGS - len(studio.entries)
    assert len(ss.import_text(studio, json.dumps([GOOD] * room)).entries) == MAX_CONFIGS
    error = assert_refused(ss.import_text, studio, json.dumps([GOOD] * (room + 1)))
    assert isinstance(error, ss.TooManyConfigs)


def test_a_list_with_one_bad_item_opens_none_of_its_good_items() -> None:
    studio = rich_studio()
    error = assert_refused(ss.import_text, studio, BAD_IMPORTS["a bad item after good ones"])
    assert "3" in str(error)  # names the bad item


@pytest.mark.parametrize("operation", [ss.add, ss.duplicate])
def test_adding_to_a_full_studio_keeps_every_configuration(operation: Callable) -> None:
    studio = ss.import_text(ss.Studio(), json.dumps([GOOD] * MAX_CONFIGS))
    argument = "CosineDecay" if operation is ss.add else studio.entries[0].id
    assert isinstance(assert_refused(operation, studio, argument), ss.TooManyConfigs)


# ---------------------------------------------------------------------------------------------
# Pure state: edits
# ---------------------------------------------------------------------------------------------


def bad_values(spec: ParamSpec) -> list[Any]:
    """Values the spec refuses, of every sort: wrong type, non-finite, out of range."""
    values: list[Any] = ["0.1", [], {}, float("nan"), float("inf")]
    if not spec.nullable:
        values.append(None)
    if spec.kind == "bool":
        return [*values, 1, 0, "true"]
    if spec.kind == "text":
        return [v for v in values if v != "0.1"] + [5, "x" * (MAX_NAME_CHARS + 1)]
    if spec.kind in ("float", "steps"):
        values += [True, [1.0]]
        if spec.minimum is not None:
            values.append(spec.minimum - 1)
        if spec.maximum is not None:
            values.append(spec.maximum * 2 + 1)
    if spec.kind == "steps":
        values += [0.5, MAX_STEPS + 1]
    if spec.learning_rate and spec.kind == "float":
        values.append(2**31)
    if spec.kind == "steps_list":
        values += [[3, 2, 1, 0], [-1, 5, 6], [0.5, 1, 2], [2**31, 2**31 + 1, 2**31 + 2]]
    if spec.kind == "float_list":
        values += [[0.1], [0.1] * 10, [-0.1, 0.1, 0.1, 0.1], [float("nan")] * 4, [1, 0.5, 0.5, 0.5]]
    return values


REJECTED_EDITS = [
    pytest.param(class_name, spec.name, value, id=f"{class_name}.{spec.name}={value!r:.20}")
    for class_name, schedule in lrviz.SCHEDULES.items()
    for spec in schedule.params
    for value in bad_values(spec)
]


@pytest.mark.parametrize(("class_name", "name", "value"), REJECTED_EDITS)
def test_a_rejected_edit_keeps_every_configuration(class_name: str, name: str, value: Any) -> None:
    studio = rich_studio()
    (entry,) = [e for e in studio.entries if e.class_name == class_name][:1]
    assert_refused(ss.set_params, studio, entry.id, **{name: value})


def test_an_unknown_argument_is_refused_and_changes_nothing() -> None:
    studio = rich_studio()
    assert_refused(ss.set_params, studio, studio.selected, decay_step=10)


def test_a_rejected_rename_keeps_the_name() -> None:
    studio = rich_studio()
    assert_refused(ss.rename, studio, studio.selected, "x" * (MAX_NAME_CHARS + 1))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=5),
    max_leaves=10,
)
ARG_NAMES = sorted({p.name for spec in lrviz.SCHEDULES.values() for p in spec.params})


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    position=st.integers(0, len(CLASSES)),
    changes=st.dictionaries(st.sampled_from([*ARG_NAMES, "nme"]), JSON_VALUES, min_size=1),
)
def test_any_edit_changes_exactly_its_configuration_or_nothing(
    position: int, changes: dict[str, Any]
) -> None:
    studio = rich_studio()
    before, link = snapshot(studio)
    entry = studio.entries[position]
    try:
        after = ss.set_params(studio, entry.id, **changes)
    except ConfigError:
        after = studio
    else:
        assert after.find(entry.id).config == {
            **entry.config,
            "config": {**entry.config["config"], **changes},
        }
    assert studio == before
    assert encode_state(ss.to_shared(studio)) == link
    assert [e for e in after.entries if e.id != entry.id] == [
        e for e in before.entries if e.id != entry.id
    ]
    assert (after.selected, after.view) == (before.selected, before.view)


# ---------------------------------------------------------------------------------------------
# Pure state: links
# ---------------------------------------------------------------------------------------------


def test_a_link_with_one_damaged_configuration_opens_every_other_one_exactly() -> None:
    studio = rich_studio()
    params = encode_state(ss.to_shared(studio))
    damaged = dict(params)
    entries = json.loads(_inflate(params["c"]))
    entries[2]["p"]["ds"] = -5
    damaged["c"] = _deflate(json.dumps(entries))
    opened, messages = ss.from_link(damaged, decode_state(damaged, ss.VIEW_TYPES))
    kept = [e for i, e in enumerate(studio.entries) if i != 2]
    assert [(e.config, e.visible) for e in opened.entries] == [(e.config, e.visible) for e in kept]
    assert [key for key, _ in messages] == ["link.bad_config"]


def _inflate(payload: str) -> str:
    return zlib.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).decode()


def _deflate(text: str) -> str:
    return base64.urlsafe_b64encode(zlib.compress(text.encode())).rstrip(b"=").decode()


@pytest.mark.parametrize("seed", range(20))
def test_a_link_keeps_every_configuration_exactly(seed: int) -> None:
    rng = np.random.default_rng(seed)
    configs = [random_config(CLASSES[i % len(CLASSES)], rng) for i in range(seed % 7 + 1)]
    studio = ss.import_text(ss.Studio(), json.dumps(configs))
    params = encode_state(ss.to_shared(studio))
    opened, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert messages == []
    assert [e.config for e in opened.entries] == configs


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def run_page() -> AppTest:
    """The page with two configurations open (the starter and the example)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.button(key="list.example").click()
    return rerun(at)


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_state(at: AppTest) -> tuple[Any, ...]:
    """Everything a failure must leave alone: configs, selection, view, URL, the curves drawn."""
    studio: ss.Studio = at.session_state[STUDIO]
    url = {key: at.query_params[key] for key in at.query_params}
    (chart,) = at.get("plotly_chart")
    curves = [t["name"] for t in json.loads(chart.proto.spec)["data"] if t.get("mode") == "lines"]
    return copy.deepcopy(studio), url, curves


def errors(at: AppTest) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


PAGE_IMPORTS = {
    name: BAD_IMPORTS[name]
    for name in (
        "invalid JSON",
        "NaN",
        "wrong class",
        "too many configs",
        "a bad item after good ones",
        "over 1 MiB",
        "integer learning rate past int32",
    )
}


@pytest.mark.app
@pytest.mark.parametrize("text", PAGE_IMPORTS.values(), ids=PAGE_IMPORTS.keys())
def test_a_failed_import_on_the_page_shows_the_error_and_loses_nothing(text: str) -> None:
    at = run_page()
    before = page_state(at)
    with pytest.raises(ConfigError) as expected:
        ss.import_text(before[0], text)
    at.text_area(key="import.text").set_value(text)
    at.button(key="import.open").click()
    rerun(at)
    assert page_state(at) == before
    assert errors(at) == [str(expected.value)]


@pytest.mark.app
def test_an_import_past_the_limit_on_the_page_shows_the_limit_and_loses_nothing() -> None:
    at = run_page()
    before = page_state(at)
    at.text_area(key="import.text").set_value(json.dumps([GOOD] * (MAX_CONFIGS - 1)))
    at.button(key="import.open").click()
    rerun(at)
    assert page_state(at) == before
    (error,) = errors(at)
    assert str(MAX_CONFIGS) in error


@pytest.mark.app
def test_a_bad_upload_on_the_page_shows_the_error_and_loses_nothing() -> None:
    at = run_page()
    before = page_state(at)
    at.file_uploader(key="import.file").upload("big.json", b"[" * 100, "application/json")
    rerun(at)
    assert page_state(at) == before
    assert len(errors(at)) == 1


PAGE_EDITS = [
    ("decay_steps", 0),
    ("decay_steps", MAX_STEPS + 1),
    ("warmup_steps", -5),
    ("initial_learning_rate", -0.5),
    ("alpha", 2e6),
]


@pytest.mark.app
@pytest.mark.parametrize(("name", "value"), PAGE_EDITS)
def test_a_rejected_number_entry_shows_the_error_and_loses_nothing(name: str, value: Any) -> None:
    at = run_page()
    at.button(key=widget_key(at.session_state[STUDIO].entries[0].id, "list", "select")).click()
    rerun(at)
    before = page_state(at)
    entry = before[0].current
    with pytest.raises(ConfigError) as expected:
        ss.set_params(before[0], entry.id, **{name: value})
    at.number_input(key=widget_key(entry.id, name, "exact")).set_value(value)
    rerun(at)
    assert page_state(at) == before
    assert errors(at) == [str(expected.value)]
    assert (
        at.number_input(key=widget_key(entry.id, name, "exact")).value
        == entry.config["config"][name]
    )


@pytest.mark.app
def test_a_damaged_url_during_a_session_loses_nothing_and_is_restored() -> None:
    at = run_page()
    before = page_state(at)
    at.query_params["c"] = "eNrNzkEKw-damaged"
    at.query_params["v"] = "7"
    rerun(at)
    assert page_state(at) == before


@pytest.mark.app
def test_a_browser_falling_back_to_every_widget_default_loses_nothing(monkeypatch) -> None:
    """Under load the browser can drop its widgets' state and send their defaults instead
    (`benchmarks/bench_load.py` saw a name come back '' and number entries 0.0, which their
    callbacks stored). Every keyed widget is given the studio's value as its default, so such a
    run changes nothing. AppTest sends every widget's default, as it does for a form cleared on
    submit, when its `_use_form_clear_defaults` says so."""
    at = run_page()
    for name in ("xlate", "export_json"):
        at.session_state[panel_key(name)] = True
    at.button(
        key=widget_key(0, "list", "select")
    ).click()  # the starter's editor: sliders, entries, None
    at.radio(key="view.mode").set_value("diff")
    at.toggle(key="view.auto").set_value(False)
    rerun(at)
    at.text_area(key="import.text").set_value("[1, 2")
    rerun(at)
    before = page_state(at)
    # The editor is in the sidebar, the chart's controls in the main area.
    kinds = {w.type for part in (at.main, at.sidebar) for w in part if getattr(w, "key", None)}
    assert {"text_input", "number_input", "select_slider", "toggle", "radio", "selectbox"} <= kinds
    assert {"slider", "checkbox", "multiselect", "text_area"} <= kinds
    monkeypatch.setattr(element_tree, "_use_form_clear_defaults", lambda node, **_: True)
    rerun(at)
    assert page_state(at) == before
    assert errors(at) == []
    assert at.text_area(key="import.text").value == "[1, 2"


@pytest.mark.app
@pytest.mark.parametrize("class_name", CLASSES)
def test_every_editor_survives_a_browser_falling_back_to_widget_defaults(
    class_name: str, monkeypatch
) -> None:
    """The same fallback with each class's editor open at its defaults (toggles, None switches,
    the boundaries/values table)."""
    at = run_page()
    at.selectbox(key="list.add_class").set_value(class_name)
    at.button(key="list.add").click()
    rerun(at)
    assert at.session_state[STUDIO].current.class_name == class_name
    before = page_state(at)
    monkeypatch.setattr(element_tree, "_use_form_clear_defaults", lambda node, **_: True)
    rerun(at)
    assert page_state(at) == before
    assert errors(at) == []
