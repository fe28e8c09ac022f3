"""Hardening: whatever text, JSON or link comes in, lrviz answers with a `ConfigError` or a notice.

Every parser entry point (`from_keras`, `schedules_from_json`, `parse_json_text`,
`state.import_text`) either succeeds with a schedule that evaluates, or raises `ConfigError`; every
link (random, damaged, hand-edited, over-long, of another version) opens a usable studio with
notices and never raises; and the page itself never shows an exception for a fuzzed URL.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import unicodedata
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from config_factory import CLASSES, random_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from lrviz import (
    SCHEDULES,
    ConfigError,
    Schedule,
    findings,
    from_keras,
    parse_json_text,
    schedules_from_json,
)
from lrviz import state as ss
from lrviz.engine import FIRST_CLASS
from lrviz.i18n import LANGUAGES
from lrviz.limits import MAX_CONFIGS, MAX_LINK_CHARS, MAX_STEPS, PAGE_IMAGE_FORMATS
from lrviz.literal import WORD_JOINER, markdown_text, visible_text
from lrviz.share import (
    MESSAGES,
    DecodedState,
    Entry,
    LinkTooLong,
    SharedState,
    decode_state,
    encode_state,
)

FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
APP = str(Path(__file__).resolve().parents[1] / "app.py")
STEPS = np.array([0, 1, 2, 9, 10, 999, 1000, 1001, 10**6, 2**24 + 1, 10**9, MAX_STEPS])
HORIZON = 10**6

# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------

HUGE_INTS = st.sampled_from([2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, 10**400])
INTS = st.integers() | HUGE_INTS | HUGE_INTS.map(lambda n: -n)
# Beyond float32 (3.4028235e38 is its largest value; 3.4028236e38 rounds to inf) and below its
# smallest subnormal (1.4e-45), as well as float64's own extremes.
EXTREME_FLOATS = st.sampled_from(
    [3.4028235e38, 3.4028236e38, 1e39, 1e300, 1e308, 1.4e-45, 1e-46, 1e-300, 5e-324]
)
FLOATS = (
    st.floats()
    | st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 5e-324, 1.8e308])
    | EXTREME_FLOATS
    | EXTREME_FLOATS.map(lambda x: -x)
)
# Text that means something to Markdown, GitHub's autolinks, a terminal or UTF-8: what a name,
# an unknown key or a quoted value may hold.
HOSTILE_TEXTS = st.sampled_from(
    [
        "![PWN](http://127.0.0.1:9/x)",
        "**x** _y_ ~~z~~",
        ":red[x] :material/home:",
        "$$x$$",
        "`a` ``b``",
        "[l](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "http://127.0.0.1:9/auto www.evil.example me@evil.example",
        "| a | b |\n|---|---|",
        "# h\n- item",
        '=HYPERLINK("http://e.example")',
        "\x1b[2J\x1b]0;t\x07",
        "\u202eabc\u2066",
        "a\ud800b",
        "\udfff",
        "\x00\r\x9b",
    ]
)
HOSTILE_CHARS = st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Po", "Sm"])
TEXTS = st.text(max_size=20) | HOSTILE_TEXTS | st.text(HOSTILE_CHARS, max_size=12)
LEAVES = st.none() | st.booleans() | INTS | FLOATS | TEXTS
JSON_VALUES = st.recursive(
    LEAVES,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(max_size=25) | HOSTILE_TEXTS, children, max_size=5)
    ),
    max_leaves=15,
)
ARG_NAMES = sorted({p.name for spec in SCHEDULES.values() for p in spec.params})
TOP_KEYS = ["module", "class_name", "config", "registered_name"]


def _to_str(value: Any) -> Any:
    return json.dumps(value, allow_nan=True) if not isinstance(value, str) else value


def _to_int(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, list):
        return [_to_int(v) for v in value]
    return value


def _to_float(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**1000:
        return float(value)
    if isinstance(value, list):
        return [_to_float(v) for v in value]
    return value


RETYPES = {
    "text": _to_str,
    "list": lambda v: [v],
    "object": lambda v: {"value": v},
    "int": _to_int,
    "float": _to_float,
    "bool": lambda v: bool(v) if not isinstance(v, (list, dict)) else True,
    "null": lambda v: None,
    "negated": lambda v: -v if isinstance(v, (int, float)) and not isinstance(v, bool) else v,
    "doubled": lambda v: v * 2 if isinstance(v, (int, float, list)) else v,
}
SPECIAL = st.sampled_from(
    [
        math.nan,
        math.inf,
        -math.inf,
        0,
        0.0,
        -0.0,
        -1,
        -1e-300,
        5e-324,
        1.8e308,
        10**400,
        2**31,
        2**63,
        MAX_STEPS,
        MAX_STEPS + 1,
        True,
        "0.1",
        "",
        [],
        {},
        None,
        "x" * 201,
        3.4028236e38,
        1e39,
        1e-46,
    ]
)
SPECIAL = SPECIAL | HOSTILE_TEXTS


@st.composite
def valid_configs(draw: st.DrawFn, class_name: str | None = None) -> dict[str, Any]:
    """A realistic Keras `serialize()` dict of one of the six classes."""
    name = class_name or draw(st.sampled_from(CLASSES))
    seed = draw(st.integers(0, 2**32 - 1))
    return random_config(name, np.random.default_rng(seed))


@st.composite
def near_valid_configs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid config with exactly one field mutated, removed, retyped or added."""
    config = copy.deepcopy(draw(valid_configs()))
    args = config["config"]
    where = draw(st.sampled_from(["top", "arg", "arg", "arg", "item"]))
    if where == "top":
        target, key = config, draw(st.sampled_from(TOP_KEYS))
    elif where == "item" and config["class_name"] == "PiecewiseConstantDecay":
        target = args[draw(st.sampled_from(["boundaries", "values"]))]
        key = draw(st.integers(0, len(target) - 1))
    else:
        target, key = args, draw(st.sampled_from(sorted(args)))
    action = draw(st.sampled_from(["remove", "replace", "special", "retype", "add"]))
    if action == "remove":
        del target[key]
    elif action == "replace":
        target[key] = draw(JSON_VALUES)
    elif action == "special":
        target[key] = draw(SPECIAL)
    elif action == "retype":
        target[key] = RETYPES[draw(st.sampled_from(sorted(RETYPES)))](target[key])
    elif isinstance(target, dict):
        target[draw(st.sampled_from(ARG_NAMES) | st.text(max_size=10) | HOSTILE_TEXTS)] = draw(
            LEAVES
        )
    else:
        target.insert(key, draw(LEAVES))
    return config


def json_text(value: Any, ascii_only: bool = False) -> str:
    """JSON text as a careless writer would produce it (NaN and Infinity included)."""
    return json.dumps(value, allow_nan=True, ensure_ascii=ascii_only)


# ---------------------------------------------------------------------------------------------
# What "it worked" means
# ---------------------------------------------------------------------------------------------


def assert_clear(err: ConfigError) -> None:
    """A message on one line, in every language, that a page and a terminal show as text."""
    for lang in LANGUAGES:
        text = err.message(lang)
        assert text and "\n" not in text
        for shown in (markdown_text(text), visible_text(text)):
            shown.encode("utf-8")
            assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in shown)


def assert_usable(schedule: Schedule) -> None:
    """What the page does with a schedule: evaluate, find breakpoints and findings, export."""
    schedule.name.encode("utf-8")
    values = schedule(STEPS)
    assert values.dtype == np.float32 and values.shape == STEPS.shape
    assert schedule.settles_at() >= 1
    schedule.breakpoints(HORIZON)
    findings(schedule, HORIZON)
    assert from_keras(schedule.to_keras()) == schedule


def opens_or_config_error(value: Any) -> None:
    """Every entry point of the importer: success with usable schedules, or `ConfigError`."""
    try:
        schedule = from_keras(value)
    except ConfigError as err:
        assert_clear(err)
    else:
        assert_usable(schedule)
    try:
        schedules = schedules_from_json(value)
    except ConfigError as err:
        assert_clear(err)
    else:
        assert 1 <= len(schedules) <= MAX_CONFIGS
        for schedule in schedules:
            assert_usable(schedule)


def import_or_config_error(text: str | bytes) -> None:
    """`parse_json_text` and `state.import_text` on text: success or `ConfigError`, nothing lost."""
    try:
        parse_json_text(text)
    except ConfigError as err:
        assert_clear(err)
    before = ss.starter_studio()
    try:
        after = ss.import_text(before, text)
    except ConfigError:
        return
    assert after.entries[: len(before.entries)] == before.entries
    for entry in after.entries[len(before.entries) :]:
        assert_usable(entry.schedule())


# ---------------------------------------------------------------------------------------------
# Importer: text, bytes, JSON values, near-valid configs
# ---------------------------------------------------------------------------------------------


@pytest.mark.oracle
@FUZZ
@given(TEXTS | st.text(HOSTILE_CHARS | st.sampled_from("\\`*_[]()<>!:$|~#@./= "), max_size=40))
def test_user_text_in_markdown_reads_back_as_the_same_plain_text(text: str) -> None:
    """An independent CommonMark reader finds one paragraph of plain text (no link, image,
    emphasis, code or HTML) saying exactly the text, controls written as escapes."""
    from markdown_it import MarkdownIt

    flat = visible_text(" ".join(text.split()))
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(markdown_text(text))
    if not flat:
        assert tokens == []
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert {child.type for child in tokens[1].children} == {"text"}
    shown = "".join(child.content for child in tokens[1].children)
    assert shown.replace(WORD_JOINER, "") == flat.replace(WORD_JOINER, "")


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_opens_or_raises_config_error_everywhere(text: str) -> None:
    opens_or_config_error(text)
    import_or_config_error(text)


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda s: s.encode("utf-8")))
def test_arbitrary_bytes_open_or_raise_config_error_everywhere(data: bytes) -> None:
    opens_or_config_error(data)
    import_or_config_error(data)


@pytest.mark.slow
@FUZZ
@given(JSON_VALUES)
def test_json_shaped_values_open_or_raise_config_error(value: Any) -> None:
    opens_or_config_error(value)


@pytest.mark.slow
@FUZZ
@given(JSON_VALUES, st.booleans(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_json_shaped_text_and_bytes_open_or_raise_config_error(
    value: Any, ascii_only: bool, encoding: str
) -> None:
    text = json_text(value, ascii_only)
    opens_or_config_error(text)
    import_or_config_error(text)
    import_or_config_error(text.encode(encoding, errors="surrogatepass"))


@pytest.mark.slow
@FUZZ
@given(near_valid_configs())
def test_near_valid_configs_open_or_raise_config_error(config: dict[str, Any]) -> None:
    opens_or_config_error(config)
    opens_or_config_error({"class_name": config.get("class_name"), "config": config.get("config")})


@pytest.mark.slow
@FUZZ
@given(st.lists(valid_configs(), min_size=1, max_size=3), near_valid_configs(), st.data())
def test_near_valid_configs_in_a_list_or_as_text_open_or_raise_config_error(
    good: list[dict[str, Any]], bad: dict[str, Any], data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(good)))
    items = [*good[:position], bad, *good[position:]]
    opens_or_config_error(items)
    import_or_config_error(json_text(items))


@pytest.mark.slow
@FUZZ
@given(valid_configs())
def test_valid_configs_always_open_and_evaluate(config: dict[str, Any]) -> None:
    assert_usable(from_keras(config))
    assert_usable(from_keras(json.dumps(config)))


# ---------------------------------------------------------------------------------------------
# Share links
# ---------------------------------------------------------------------------------------------

VIEW_VALUES = {
    "lang": st.sampled_from(list(LANGUAGES)),
    "log_y": st.booleans(),
    "x_unit": st.sampled_from(ss.X_UNITS),
    "steps_per_epoch": st.integers(1, MAX_STEPS),
    "horizon": st.integers(0, MAX_STEPS),
    "mode": st.sampled_from(ss.MODES),
    "at_step": st.integers(0, MAX_STEPS),
    "image_format": st.sampled_from(PAGE_IMAGE_FORMATS),
}


@st.composite
def studios(draw: st.DrawFn, min_configs: int = 0) -> ss.Studio:
    """A studio a user could reach: imports, deletions, hidden curves, a selection, a view."""
    configs = draw(st.lists(valid_configs(), min_size=min_configs, max_size=6))
    studio = ss.Studio()
    if configs:
        studio = ss.import_text(studio, json.dumps(configs))
    for entry in list(studio.entries):
        if len(studio.entries) > min_configs and draw(st.integers(0, 4)) == 0:
            studio = ss.delete(studio, entry.id)
        elif draw(st.booleans()):
            studio = ss.set_visible(studio, entry.id, False)
    if studio.entries:
        studio = ss.select(studio, draw(st.sampled_from([e.id for e in studio.entries])))
    view = {name: draw(values) for name, values in VIEW_VALUES.items() if draw(st.booleans())}
    view["reference"] = draw(st.integers(0, max(len(studio.entries) - 1, 0)))
    return ss.set_view(studio, **view)


def link_of(studio: ss.Studio) -> dict[str, list[str]]:
    """The query params of the studio's URL, as the app reads them (`get_all`: lists)."""
    return {key: [value] for key, value in encode_state(ss.to_shared(studio)).items()}


def unpacked(payload: str) -> Any:
    return json.loads(
        zlib.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    )


def packed(value: Any) -> str:
    data = json.dumps(value, allow_nan=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(data)).rstrip(b"=").decode()


LINK_CHARS = st.sampled_from(
    [*"AZaz09-_=+/.%&?# \n'\"\\", "\x00", "\ud800", "é", "²", "١", "🙂", "\u202e"]
)
LINK_KEYS = st.sampled_from(
    ["v", "c", "s", *ss.VIEW_TYPES, "embed", "EMBED", "V", "C", "_", "", "zoom"]
) | st.text(max_size=8)
LINK_TEXT = (
    st.text(LINK_CHARS, max_size=30)
    | st.text(max_size=30)
    | st.from_regex(r"-?[0-9]{1,25}(\.[0-9]+)?([eE][-+]?[0-9]{1,4})?", fullmatch=True)
    | st.sampled_from(["true", "false", "1", "0", "'", "'1", "NaN", "inf", "1e999", "²", "0.0.1"])
)
LINK_VALUES = LINK_TEXT | st.lists(LINK_TEXT, max_size=3)
RANDOM_LINKS = st.dictionaries(LINK_KEYS, LINK_VALUES, max_size=8)


@st.composite
def damaged_links(draw: st.DrawFn) -> dict[str, Any]:
    """A valid link of a random studio, then damaged the way links get damaged."""
    params: dict[str, Any] = link_of(draw(studios()))
    damage = draw(
        st.sampled_from(
            [
                *("truncate", "substitute", "insert", "delete", "edit", "overlong"),
                *("colours", "version", "param"),
            ]
        )
    )
    payload = params.get("c", [packed([])])[0]
    if damage == "truncate":
        params["c"] = [payload[: draw(st.integers(0, len(payload)))]]
    elif damage in ("substitute", "insert", "delete"):
        chars = list(payload)
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, max(len(chars) - 1, 0)))
            if damage == "insert":
                chars.insert(at, draw(LINK_CHARS))
            elif chars and damage == "delete":
                del chars[at]
            elif chars:
                chars[at] = draw(LINK_CHARS)
        params["c"] = ["".join(chars)]
    elif damage == "edit":
        params["c"] = [packed(draw(hand_edited(unpacked(payload))))]
    elif damage == "overlong":
        params[draw(st.sampled_from(["c", "lang", "col", "s", "spe"]))] = [
            payload * (MAX_LINK_CHARS // max(len(payload), 1) + 2)
        ]
    elif damage == "colours":
        count = len(unpacked(payload)) if "c" in params else 0
        digits = st.text(st.sampled_from("0123456789²١٣۳"), min_size=1, max_size=3)
        params["col"] = [".".join(draw(st.lists(digits, min_size=count, max_size=count)))]
    elif damage == "version":
        params["v"] = [draw(LINK_TEXT)]
    else:
        params[draw(LINK_KEYS)] = draw(LINK_VALUES)
    return params


@st.composite
def hand_edited(draw: st.DrawFn, entries: list[Any]) -> Any:
    """The decoded payload of a link, edited by hand."""
    edit = draw(st.sampled_from(["entry", "field", "arg", "many", "value"]))
    if edit == "value":
        return draw(JSON_VALUES)
    if edit == "many":
        return entries * draw(st.integers(2, 12)) + [draw(JSON_VALUES)]
    if not entries:
        return [draw(JSON_VALUES)]
    index = draw(st.integers(0, len(entries) - 1))
    entry = entries[index]
    if edit == "entry":
        entries[index] = draw(JSON_VALUES)
    elif edit == "field":
        entry[draw(st.sampled_from(["k", "p", "h", "m", "r", "x"]))] = draw(JSON_VALUES | SPECIAL)
    else:
        args = entry["p"]
        key = draw(st.sampled_from(sorted(args)) | st.sampled_from(ARG_NAMES))
        args[key] = draw(JSON_VALUES | SPECIAL)
    return entries


def assert_link_opens(params: dict[str, Any]) -> tuple[ss.Studio, list[ss.Message]]:
    """Decode and open a link; assert the studio is usable and every message can be shown."""
    decoded = decode_state(params, ss.VIEW_TYPES)
    assert isinstance(decoded, DecodedState)
    for notice in decoded.notices:
        assert notice.id in MESSAGES and "\n" not in notice.message
    studio, messages = ss.from_link(params, decoded)
    assert len(studio.entries) <= MAX_CONFIGS
    assert len({e.id for e in studio.entries}) == len(studio.entries)
    assert len({e.colour for e in studio.entries}) == len(studio.entries)
    if studio.entries:
        assert studio.current is not None and studio.reference is not None
    else:
        assert studio.selected is None
    assert studio.view.checked() == studio.view
    for entry in studio.entries:
        assert from_keras(entry.config).to_keras() == entry.config
    for lang in LANGUAGES:
        for message in messages:
            ss.message_text(message, lang)
    return studio, messages


def shown_view(studio: ss.Studio) -> ss.View:
    """The view as the page shows it: a reference past the end compares against the first."""
    reference = studio.view.reference if studio.view.reference < len(studio.entries) else 0
    return replace(studio.view, reference=reference)


def assert_url_can_be_written(studio: ss.Studio) -> None:
    """`app.write_url` survives only `LinkTooLong`; a link it writes reopens the same studio."""
    try:
        params = link_of(studio)
    except LinkTooLong:
        return
    again, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert messages == []
    if not studio.entries:  # a link without configurations opens the starter
        assert [e.class_name for e in again.entries] == [FIRST_CLASS]
        return
    assert [(e.config, e.visible, e.colour) for e in again.entries] == [
        (e.config, e.visible, e.colour) for e in studio.entries
    ]
    assert shown_view(again) == shown_view(studio)
    assert (again.current and again.current.config) == (studio.current and studio.current.config)


@pytest.mark.slow
@FUZZ
@given(RANDOM_LINKS)
def test_random_query_params_open_a_usable_studio(params: dict[str, Any]) -> None:
    studio, _ = assert_link_opens(params)
    assert_url_can_be_written(studio)


@pytest.mark.slow
@FUZZ
@given(studios(min_configs=1))
def test_an_undamaged_link_reopens_the_same_studio_without_notices(studio: ss.Studio) -> None:
    again, messages = assert_link_opens(link_of(studio))
    assert messages == []
    assert [(e.config, e.visible, e.colour) for e in again.entries] == [
        (e.config, e.visible, e.colour) for e in studio.entries
    ]
    assert again.view == studio.view


@pytest.mark.slow
@FUZZ
@given(damaged_links())
def test_a_damaged_link_opens_a_usable_studio_with_notices(params: dict[str, Any]) -> None:
    studio, _ = assert_link_opens(params)
    assert_url_can_be_written(studio)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

# Each AppTest run costs ~0.3-1 s (the first one more), so this test draws 30 links, not 1,000:
# the decoder and `from_link` get their 1,000 examples above; this checks the page around them.
PAGE_FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def without_surrogates(params: dict[str, Any]) -> dict[str, Any]:
    """What a browser can send: a URL is UTF-8, which has no lone surrogates."""

    def clean(text: str) -> str:
        return text.encode("utf-8", errors="ignore").decode("utf-8")

    return {
        clean(key): [clean(v) for v in value] if isinstance(value, list) else clean(value)
        for key, value in params.items()
    }


@pytest.mark.app
@PAGE_FUZZ
@given((RANDOM_LINKS | damaged_links()).map(without_surrogates))
def test_a_fuzzed_url_shows_a_chart_or_a_clear_message_never_an_exception(
    params: dict[str, Any],
) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    studio: ss.Studio = at.session_state["studio"]
    charts = at.get("plotly_chart")
    if studio.visible():
        assert len(charts) == 1
    else:
        assert not charts
        assert at.info, "no chart and no message"
    if at.session_state["link_messages"]:
        assert at.warning


@pytest.mark.app
@settings(PAGE_FUZZ, max_examples=15)
@given(st.lists(st.tuples(valid_configs(), TEXTS, EXTREME_FLOATS), min_size=1, max_size=3))
def test_hostile_names_and_extreme_rates_in_a_link_never_show_an_exception(
    drawn: list[tuple[dict[str, Any], str, float]],
) -> None:
    """Names with surrogates, Markdown, controls; initial rates beyond float32 or subnormal."""
    entries = []
    for config, name, rate in drawn:
        args = {**config["config"], "name": name}
        if "initial_learning_rate" in args:
            args["initial_learning_rate"] = rate
        entries.append(Entry({**config, "config": args}))
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in encode_state(SharedState(tuple(entries), 0, {})).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart") or at.info


# ---------------------------------------------------------------------------------------------
# What the fuzzing found, as plain examples
# ---------------------------------------------------------------------------------------------


def two_config_link(colours: str) -> dict[str, list[str]]:
    studio = ss.add(ss.starter_studio(), "ExponentialDecay")
    return {**link_of(studio), "col": [colours]}


def test_colours_written_with_other_digits_give_a_notice_not_a_crash() -> None:
    # "²".isdigit() is True but int("²") raises: the page crashed on such a link.
    studio, messages = assert_link_opens(two_config_link("0.²"))
    assert [e.colour for e in studio.entries] == [0, 1]
    assert ("link.bad_view", {"option": "col", "value": "0.²"}) in messages


def test_colours_that_name_one_colour_twice_give_a_notice() -> None:
    # "1" and "01" (or "١", an Arabic-Indic one) are different text but the same colour.
    studio, messages = assert_link_opens(two_config_link("1.01"))
    assert [e.colour for e in studio.entries] == [0, 1]
    assert ("link.bad_view", {"option": "col", "value": "1.01"}) in messages


def test_an_inverse_time_decay_with_a_denormal_rate_opens_and_evaluates() -> None:
    # 9 * decay_steps / 5e-324 is infinite: `settles_at` raised OverflowError.
    config = {
        "class_name": "InverseTimeDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 5e-324},
    }
    assert_usable(from_keras(config))


@pytest.mark.parametrize("value", [2**31, 2**63, 10**400])
def test_an_integer_learning_rate_past_int32_is_a_config_error(value: int) -> None:
    # Accepted before, then `float(10**400)` or the int32/int64 conversion raised OverflowError.
    config = {"class_name": "CosineDecay", "config": {"initial_learning_rate": value}}
    config["config"]["decay_steps"] = 10
    with pytest.raises(ConfigError, match=r"initial_learning_rate.*2,147,483,647"):
        from_keras(config)


def test_an_integer_learning_rate_within_int32_still_opens() -> None:
    assert_usable(
        from_keras(
            {
                "class_name": "PiecewiseConstantDecay",
                "config": {"boundaries": [10], "values": [2**31 - 1, 0]},
            }
        )
    )
