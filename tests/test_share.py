"""Share links: exact round trips, a compact documented format, and a decoder that never raises."""

from __future__ import annotations

import base64
import json
import time
import tracemalloc
import zlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from config_factory import CLASSES, random_config
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lrviz
from lrviz import share
from lrviz.errors import Phrase, localised
from lrviz.limits import MAX_CONFIGS, MAX_LINK_CHARS, MAX_TEXT_BYTES, MAX_VIEW_CHARS
from lrviz.share import (
    ARG_CODES,
    CLASS_CODES,
    MESSAGES,
    DecodedState,
    Entry,
    LinkTooLong,
    Notice,
    SharedState,
    build_link,
    decode_state,
    encode_state,
)

FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUND_TRIPS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
VIEW_TYPES = {"logy": bool, "x": str, "spe": int, "lang": str, "ref": int, "h": int, "zoom": float}
COSINE = lrviz.default_config("CosineDecay")


# ---------------------------------------------------------------------------------------------
# Helpers and strategies
# ---------------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def payload_json(params: dict[str, str]) -> Any:
    """The JSON inside the `c` param, read with the stdlib only (the format as documented)."""
    return json.loads(zlib.decompress(unb64url(params["c"])))


def typed(value: Any) -> Any:
    """`value` with every scalar as (type, repr), so 0 != 0.0, True != 1 and -0.0 != 0.0."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [typed(item) for item in value]
    return (type(value).__name__, repr(value))


def through_url(link: str, view_types: dict[str, type] | None = None) -> DecodedState:
    """Decode a link as the app sees it: query parsed like Streamlit parses it (lists of values)."""
    return decode_state(parse_qs(urlsplit(link).query, keep_blank_values=True), view_types)


def ids(decoded: DecodedState) -> list[str]:
    return [notice.id for notice in decoded.notices]


def assert_well_formed(decoded: DecodedState) -> None:
    """Every notice comes from the table and reads as one line; the state has the promised shape."""
    for notice in decoded.notices:
        assert notice.message == MESSAGES[notice.id].format(**localised(notice.params, "en"))
        assert len(notice.message.splitlines()) == 1
    state = decoded.state
    assert len(state.entries) <= MAX_CONFIGS
    assert 0 <= state.selected < max(len(state.entries), 1)
    for entry in state.entries:
        assert isinstance(entry.config["config"], dict)
        assert isinstance(entry.visible, bool)
    for value in state.view.values():
        assert isinstance(value, (str, int, float, bool))


def realistic_entries(count: int, seed: int = 0) -> tuple[Entry, ...]:
    """Configs as lrviz and Keras write them: full-precision random floats, all six classes."""
    rng = np.random.default_rng(seed)
    return tuple(
        Entry(random_config(CLASSES[i % len(CLASSES)], rng), visible=i % 3 != 2)
        for i in range(count)
    )


def link_size(count: int) -> int:
    view = {"logy": True, "x": "epochs", "spe": 500, "lang": "zh-TW"}
    return len(build_link(SharedState(realistic_entries(count), count - 1, view)))


FLOATS = st.floats(allow_nan=False, allow_infinity=False)
NUMBERS = st.one_of(
    st.sampled_from([0.0, 0, -0.0, 1.0, 1, 1e-3, 3e-4, 5e-324, 1.7976931348623157e308]),
    FLOATS,
    st.integers(-(10**15), 10**15),
)
STEPS = st.integers(0, 10**12)
NAMES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(['<script>alert("x")</script>', "Warmup 🔥 \"q\" 'q' & = ? # %", "餘弦 退火"]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=20))
BY_KIND = {
    "float": NUMBERS,
    "steps": STEPS,
    "bool": st.booleans(),
    "text": NAMES,
    "float_list": st.lists(NUMBERS, max_size=10),
    "steps_list": st.lists(STEPS, max_size=10),
}


@st.composite
def keras_configs(draw: st.DrawFn) -> dict[str, Any]:
    """Keras serialize() dicts: mostly the six classes, sometimes unknown classes and arguments."""
    class_name = draw(st.one_of(st.sampled_from(CLASSES), st.text(max_size=12)))
    args: dict[str, Any] = {}
    if class_name in lrviz.SCHEDULES:
        for param in lrviz.SCHEDULES[class_name].params:
            strategy = BY_KIND[param.kind]
            args[param.name] = draw(st.one_of(st.none(), strategy) if param.nullable else strategy)
    args.update(draw(st.dictionaries(st.text(max_size=10), SCALARS, max_size=2)))
    return {
        "module": draw(st.one_of(st.just("keras.optimizers.schedules"), st.text(max_size=10))),
        "class_name": class_name,
        "config": args,
        "registered_name": draw(st.one_of(st.none(), st.text(max_size=10))),
    }


VIEW_KEYS = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,31}", fullmatch=True).filter(
    lambda key: key.lower() not in ("v", "c", "s", "embed", "embed_options")
)
VIEW_VALUES = st.one_of(
    st.booleans(),
    st.integers(-(10**30), 10**30),
    FLOATS,
    st.text(max_size=50),
    st.sampled_from(["", "'", "true", "500", "1e-05", "-0.0", "'500", "zh-TW", "1e999"]),
)


@st.composite
def states(draw: st.DrawFn, max_entries: int = MAX_CONFIGS) -> SharedState:
    entries = draw(st.lists(st.builds(Entry, keras_configs(), st.booleans()), max_size=max_entries))
    selected = draw(st.integers(0, max(len(entries) - 1, 0)))
    view = draw(st.dictionaries(VIEW_KEYS, VIEW_VALUES, max_size=6))
    return SharedState(tuple(entries), selected, view)


# ---------------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@ROUND_TRIPS
@given(states())
def test_random_states_round_trip_exactly_through_the_url(state: SharedState) -> None:
    decoded = through_url(build_link(state))
    assert decoded.notices == ()
    assert decoded.state == state
    assert typed([e.config for e in decoded.state.entries]) == typed(
        [e.config for e in state.entries]
    )
    assert typed(decoded.state.view) == typed(state.view)


def test_float_zero_stays_float_and_integer_zero_stays_integer() -> None:
    as_float = {**COSINE, "config": {**COSINE["config"], "initial_learning_rate": 0.0}}
    as_int = {**COSINE, "config": {**COSINE["config"], "initial_learning_rate": 0}}
    state = SharedState((Entry(as_float), Entry(as_int)))
    lrs = [
        e.config["config"]["initial_learning_rate"]
        for e in through_url(build_link(state)).state.entries
    ]
    assert [type(lr) for lr in lrs] == [float, int]


def test_view_options_keep_their_types() -> None:
    view = {"logy": True, "ref": 1, "zoom": 1.0, "x": "1", "lang": "zh-TW"}
    decoded = through_url(build_link(SharedState(view=view)))
    assert typed(decoded.state.view) == typed(view)


def test_names_with_markup_quotes_and_emoji_round_trip() -> None:
    name = "<script>alert(\"x\")</script> & = ? # % + 'q' 🔥 餘弦\n\t\u2028"
    config = {**COSINE, "config": {**COSINE["config"], "name": name}}
    decoded = through_url(build_link(SharedState((Entry(config),))))
    assert decoded.state.entries[0].config["config"]["name"] == name


def test_name_with_lone_surrogate_round_trips() -> None:
    config = {**COSINE, "config": {**COSINE["config"], "name": "bad \ud800 half"}}
    decoded = through_url(build_link(SharedState((Entry(config),))))
    assert decoded.state.entries[0].config == config


def test_unusual_module_and_registered_name_round_trip() -> None:
    config = {**COSINE, "module": "my.package", "registered_name": "Custom>Cosine"}
    assert through_url(build_link(SharedState((Entry(config),)))).state.entries[0].config == config


def test_legacy_config_without_module_comes_back_in_serialize_form() -> None:
    legacy = {"class_name": "CosineDecay", "config": COSINE["config"]}
    decoded = through_url(build_link(SharedState((Entry(legacy),))))
    assert decoded.state.entries[0].config == COSINE


def test_decoded_default_configs_open_in_the_engine() -> None:
    entries = tuple(Entry(lrviz.default_config(name)) for name in CLASSES)
    decoded = through_url(build_link(SharedState(entries)))
    assert [lrviz.from_keras(e.config).to_keras() for e in decoded.state.entries] == [
        e.config for e in entries
    ]


def test_hidden_entries_stay_hidden() -> None:
    state = SharedState((Entry(COSINE, visible=False), Entry(COSINE)))
    decoded = through_url(build_link(state))
    assert [e.visible for e in decoded.state.entries] == [False, True]


def test_entries_given_as_a_list_equal_the_decoded_tuple() -> None:
    state = SharedState([Entry(COSINE)])  # type: ignore[arg-type]
    assert through_url(build_link(state)).state == state


# ---------------------------------------------------------------------------------------------
# The format, as documented
# ---------------------------------------------------------------------------------------------


def test_payload_is_minified_json_with_short_names() -> None:
    params = encode_state(SharedState((Entry(COSINE, visible=False),)))
    text = json.dumps(payload_json(params), separators=(",", ":"))
    assert text == (
        '[{"k":"C","p":{"lr":0.0,"ds":9000,"a":0.1,"n":"warmup_cosine","wt":0.001,'
        '"ws":1000},"h":true}]'
    )


def test_payload_is_utf8_not_ascii_escapes() -> None:
    config = {**COSINE, "config": {**COSINE["config"], "name": "餘弦"}}
    raw = zlib.decompress(unb64url(encode_state(SharedState((Entry(config),)))["c"]))
    assert "餘弦".encode() in raw


def test_params_come_in_documented_order_with_readable_view_options() -> None:
    state = SharedState(
        (Entry(COSINE), Entry(COSINE)), 1, {"logy": True, "x": "epochs", "spe": 500}
    )
    params = encode_state(state)
    assert list(params) == ["v", "c", "s", "logy", "x", "spe"]
    assert (params["v"], params["s"], params["logy"], params["x"], params["spe"]) == (
        "1",
        "1",
        "true",
        "epochs",
        "500",
    )


def test_selected_zero_and_no_entries_leave_out_s_and_c() -> None:
    assert encode_state(SharedState(view={"logy": False})) == {"v": "1", "logy": "false"}


def test_view_text_that_reads_as_a_number_or_bool_is_escaped() -> None:
    view = {"a": "500", "b": "true", "c1": "'quoted", "d": "1e-05", "e": "epochs"}
    params = encode_state(SharedState(view=view))
    assert [params[key] for key in view] == ["'500", "'true", "''quoted", "'1e-05", "epochs"]


def test_view_float_is_written_as_its_repr() -> None:
    params = encode_state(SharedState(view={"zoom": 1e-05, "one": 1.0}))
    assert (params["zoom"], params["one"]) == ("1e-05", "1.0")


def test_payload_has_no_padding_and_only_base64url_characters() -> None:
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    payloads = [encode_state(SharedState(realistic_entries(n)))["c"] for n in range(1, 7)]
    assert {len(unb64url(p)) % 3 for p in payloads} == {0, 1, 2}  # every padding case occurs
    assert all(set(payload) <= alphabet for payload in payloads)


def test_build_link_replaces_the_query_of_the_base() -> None:
    link = build_link(SharedState(view={"logy": True}), base="https://lr.example/app?old=1#top")
    assert link == "https://lr.example/app?v=1&logy=true#top"


def test_docstring_example_link_decodes_to_a_starter_cosine() -> None:
    link = next(line.strip() for line in share.__doc__.splitlines() if "http://" in line)
    assert through_url(link).state == SharedState(
        (Entry(COSINE),), 0, {"logy": True, "x": "epochs"}
    )


def test_every_keras_argument_has_a_short_name() -> None:
    names = {param.name for spec in lrviz.SCHEDULES.values() for param in spec.params}
    assert names == set(ARG_CODES)
    assert set(lrviz.SCHEDULES) == set(CLASS_CODES)


def test_short_names_are_unique_and_never_look_untabled() -> None:
    for codes in (ARG_CODES, CLASS_CODES):
        assert len(set(codes.values())) == len(codes)
        assert not any(code.startswith("_") for code in codes.values())


def test_32_realistic_configs_fit_in_a_compact_link() -> None:
    sizes = {count: link_size(count) for count in (1, 8, 32)}
    print(f"share link sizes (characters): {sizes}")
    assert sizes[32] < 4000


# ---------------------------------------------------------------------------------------------
# Encoder limits
# ---------------------------------------------------------------------------------------------


def long_piecewise(count: int) -> tuple[Entry, ...]:
    """PiecewiseConstantDecay configs with 1,000 boundaries and random values, all different."""
    rng = np.random.default_rng(1)
    return tuple(
        Entry(
            {
                "module": "keras.optimizers.schedules",
                "class_name": "PiecewiseConstantDecay",
                "config": {
                    "boundaries": list(range(1, 1001)),
                    "values": rng.random(1001).tolist(),
                    "name": "long",
                },
                "registered_name": None,
            }
        )
        for _ in range(count)
    )


def test_link_too_long_is_raised_past_the_limit() -> None:
    with pytest.raises(LinkTooLong) as caught:
        encode_state(SharedState(long_piecewise(32)))
    assert caught.value.length > MAX_LINK_CHARS == caught.value.limit


def test_link_too_long_message_names_the_length_and_the_limit() -> None:
    with pytest.raises(LinkTooLong, match=r"would be [\d,]+ characters long; .* 100,000"):
        encode_state(SharedState(long_piecewise(32)))


def test_a_link_just_under_the_limit_is_built() -> None:
    params = encode_state(SharedState(long_piecewise(4)))
    assert len(params["c"]) < MAX_LINK_CHARS


def test_build_link_counts_the_base_url() -> None:
    state = SharedState(long_piecewise(4))
    query_length = len(urlsplit(build_link(state, base="http://h/")).query)
    base = "http://h/" + "p" * (MAX_LINK_CHARS - query_length)
    with pytest.raises(LinkTooLong):
        build_link(state, base=base)


def test_encode_refuses_configs_that_unpack_beyond_the_decoder_limit() -> None:
    config = {**COSINE, "config": {**COSINE["config"], "name": "a" * MAX_TEXT_BYTES}}
    with pytest.raises(LinkTooLong, match="1 MiB"):
        encode_state(SharedState((Entry(config),)))


def test_encode_refuses_more_than_max_entries() -> None:
    with pytest.raises(ValueError, match="at most 32"):
        encode_state(SharedState(tuple(Entry(COSINE) for _ in range(MAX_CONFIGS + 1))))


@pytest.mark.parametrize(("count", "selected"), [(2, 2), (2, -1), (0, 1)])
def test_encode_refuses_a_selected_index_out_of_range(count: int, selected: int) -> None:
    with pytest.raises(ValueError, match="selected"):
        encode_state(SharedState(tuple(Entry(COSINE) for _ in range(count)), selected))


@pytest.mark.parametrize("key", ["v", "c", "s", "Embed", "embed_options", "bad key", "9lives", ""])
def test_encode_refuses_reserved_or_malformed_view_keys(key: str) -> None:
    with pytest.raises(ValueError, match="view option key"):
        encode_state(SharedState(view={key: 1}))


def test_encode_refuses_a_non_finite_view_float() -> None:
    with pytest.raises(ValueError, match="finite"):
        encode_state(SharedState(view={"zoom": float("inf")}))


def test_encode_refuses_an_over_long_view_value() -> None:
    with pytest.raises(ValueError, match="at most 200"):
        encode_state(SharedState(view={"x": "a" * (MAX_VIEW_CHARS + 1)}))


def test_encode_refuses_nan_in_a_config() -> None:
    config = {**COSINE, "config": {**COSINE["config"], "alpha": float("nan")}}
    with pytest.raises(ValueError):
        encode_state(SharedState((Entry(config),)))


def test_encode_refuses_an_unknown_top_level_key() -> None:
    with pytest.raises(ValueError, match="Unknown top-level key"):
        encode_state(SharedState((Entry({**COSINE, "extra": 1}),)))


# ---------------------------------------------------------------------------------------------
# Decoding damaged and hand-edited links
# ---------------------------------------------------------------------------------------------


def packed(value: Any) -> str:
    return b64url(zlib.compress(json.dumps(value).encode()))


ONE = {"v": "1", "c": encode_state(SharedState((Entry(COSINE),)))["c"]}


def test_empty_params_decode_to_an_empty_state_without_notices() -> None:
    assert decode_state({}) == DecodedState(SharedState())


def test_missing_version_is_read_as_version_1_with_a_notice() -> None:
    decoded = decode_state({"c": ONE["c"]})
    assert (ids(decoded), len(decoded.state.entries)) == (["share.no_version"], 1)


def test_unknown_version_opens_no_configurations_with_a_notice() -> None:
    decoded = decode_state({**ONE, "v": "2"})
    assert (ids(decoded), decoded.state.entries) == (["share.unknown_version"], ())


def test_unknown_version_still_reads_the_view_options() -> None:
    decoded = decode_state({**ONE, "v": "2", "logy": "true"})
    assert decoded.state.view == {"logy": True}


def test_corrupt_base64_is_reported_with_its_position() -> None:
    decoded = decode_state({"v": "1", "c": ONE["c"][:5] + "!" + ONE["c"][6:]})
    assert decoded.notices == (Notice("share.bad_base64", {"position": 6, "char": '"!"'}),)


def test_impossible_base64_length_is_reported() -> None:
    decoded = decode_state({"v": "1", "c": "AAAAA"})
    assert ids(decoded) == ["share.bad_base64_length"]


def test_data_that_is_not_zlib_is_reported() -> None:
    decoded = decode_state({"v": "1", "c": b64url(b"not zlib at all")})
    assert decoded.notices == (Notice("share.bad_zlib", {"detail": "incorrect header check"}),)


def test_a_wrong_checksum_is_reported() -> None:
    data = unb64url(ONE["c"])
    damaged = data[:-1] + bytes([data[-1] ^ 1])
    decoded = decode_state({"v": "1", "c": b64url(damaged)})
    assert decoded.notices == (Notice("share.bad_zlib", {"detail": "incorrect data check"}),)


def test_truncated_payload_is_reported_as_cut_off() -> None:
    decoded = decode_state({"v": "1", "c": ONE["c"][:-8]})
    assert ids(decoded) == ["share.cut_off"]


def test_stray_bytes_after_the_stream_are_ignored_with_a_notice() -> None:
    data = unb64url(ONE["c"]) + b"junk"
    decoded = decode_state({"v": "1", "c": b64url(data)})
    assert (ids(decoded), len(decoded.state.entries)) == (["share.extra_bytes"], 1)


def test_invalid_utf8_is_reported() -> None:
    decoded = decode_state({"v": "1", "c": b64url(zlib.compress(b'["\xff"]'))})
    assert decoded.notices == (Notice("share.bad_utf8", {"position": 3}),)


def test_invalid_json_is_reported() -> None:
    decoded = decode_state({"v": "1", "c": b64url(zlib.compress(b'[{"k":}]'))})
    assert ids(decoded) == ["share.bad_json"]
    assert "at character 7" in decoded.messages[0]


def test_deeply_nested_json_is_refused() -> None:
    for depth in (9, 100_000):
        decoded = decode_state({"v": "1", "c": b64url(zlib.compress(b"[" * depth + b"]" * depth))})
        assert ids(decoded) == ["share.too_deep"]


def test_payload_that_is_not_a_list_is_reported() -> None:
    decoded = decode_state({"v": "1", "c": packed({"k": "C", "p": {}})})
    assert decoded.notices == (Notice("share.not_a_list", {"found": "object"}),)


def test_entry_that_is_not_an_object_is_skipped_and_the_others_kept() -> None:
    decoded = decode_state({"v": "1", "c": packed([3, {"k": "C", "p": {"lr": 0.5}}])})
    assert decoded.notices == (Notice("share.entry_not_object", {"number": 1, "found": "number"}),)
    assert decoded.state.entries[0].config["config"] == {"initial_learning_rate": 0.5}


def test_entry_without_a_class_is_skipped() -> None:
    decoded = decode_state({"v": "1", "c": packed([{"k": 7, "p": {}}])})
    assert (ids(decoded), decoded.state.entries) == (["share.entry_no_class"], ())


def test_entry_without_arguments_is_skipped() -> None:
    decoded = decode_state({"v": "1", "c": packed([{"k": "C", "p": [1]}])})
    assert (ids(decoded), decoded.state.entries) == (["share.entry_no_args"], ())


def test_bad_hidden_flag_shows_the_entry_with_a_notice() -> None:
    decoded = decode_state({"v": "1", "c": packed([{"k": "C", "p": {}, "h": 1}])})
    assert ids(decoded) == ["share.entry_bad_hidden"]
    assert decoded.state.entries[0].visible is True


def test_unknown_entry_fields_are_ignored_with_a_notice() -> None:
    decoded = decode_state({"v": "1", "c": packed([{"k": "C", "p": {}, "zz": 1}])})
    assert decoded.notices == (
        Notice("share.entry_unknown_fields", {"number": 1, "fields": '"zz"'}),
    )
    assert len(decoded.state.entries) == 1


def test_entries_beyond_max_are_dropped_with_a_notice() -> None:
    items = [{"k": "C", "p": {"n": str(i)}} for i in range(MAX_CONFIGS + 3)]
    decoded = decode_state({"v": "1", "c": packed(items)})
    assert decoded.notices == (Notice("share.too_many", {"count": 35, "limit": 32, "dropped": 3}),)
    assert decoded.state.entries[-1].config["config"]["name"] == "31"


def test_hand_written_full_names_are_accepted() -> None:
    item = {"k": "CosineDecay", "p": {"initial_learning_rate": 0.1, "ds": 10, "_x": 1}}
    decoded = decode_state({"v": "1", "c": packed([item])})
    config = decoded.state.entries[0].config
    assert (config["class_name"], config["config"]) == (
        "CosineDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "x": 1},
    )


def test_numbers_are_passed_through_for_the_caller_to_validate() -> None:
    raw = b'[{"k":"C","p":{"lr":NaN,"ds":1e999}}]'
    decoded = decode_state({"v": "1", "c": b64url(zlib.compress(raw))})
    args = decoded.state.entries[0].config["config"]
    assert (np.isnan(args["initial_learning_rate"]), args["decay_steps"]) == (True, float("inf"))


def test_selected_index_follows_its_entry_when_an_earlier_entry_is_skipped() -> None:
    items = ["junk", {"k": "C", "p": {"n": "b"}}, {"k": "C", "p": {"n": "c"}}]
    decoded = decode_state({"v": "1", "c": packed(items), "s": "1"})
    assert decoded.state.selected == 0
    assert decoded.state.entries[0].config["config"]["name"] == "b"


def test_selected_entry_that_was_skipped_selects_the_one_before_with_a_notice() -> None:
    items = [{"k": "C", "p": {}}, {"k": "C", "p": {}}, "junk"]
    decoded = decode_state({"v": "1", "c": packed(items), "s": "2"})
    assert decoded.state.selected == 1
    assert decoded.notices[-1] == Notice("share.selected_unavailable", {"number": 3, "chosen": 2})


def test_selected_past_the_end_selects_the_last_with_a_notice() -> None:
    decoded = decode_state({"v": "1", "c": packed([{"k": "C", "p": {}}] * 3), "s": "9"})
    assert decoded.state.selected == 2
    assert ids(decoded) == ["share.selected_unavailable"]


@pytest.mark.parametrize("value", ["-1", "x", "", "1.5", "1" * 10])
def test_selected_that_is_not_a_small_whole_number_selects_the_first(value: str) -> None:
    decoded = decode_state({**ONE, "s": value})
    assert (decoded.state.selected, ids(decoded)) == (0, ["share.selected_invalid"])


def test_unknown_view_keys_are_reported_in_one_notice() -> None:
    decoded = decode_state({"logy": "true", "a": "1", "b": "2"}, VIEW_TYPES)
    assert decoded.notices == (Notice("share.view_unknown", {"count": 2, "keys": '"a", "b"'}),)
    assert decoded.state.view == {"logy": True}


def test_malformed_view_keys_are_unknown_without_view_types() -> None:
    decoded = decode_state({"bad key": "1", "ok": "2"})
    assert (ids(decoded), decoded.state.view) == (["share.view_unknown"], {"ok": 2})


def test_view_value_of_the_wrong_type_is_dropped_with_a_notice() -> None:
    decoded = decode_state({"spe": "many"}, VIEW_TYPES)
    assert decoded.notices == (
        Notice(
            "share.view_bad_value",
            {"key": '"spe"', "expected": Phrase("share.type.int"), "value": '"many"'},
        ),
    )


def test_view_int_is_accepted_where_a_float_is_expected() -> None:
    assert typed(decode_state({"zoom": "2"}, VIEW_TYPES).state.view) == typed({"zoom": 2.0})


def test_view_bool_accepts_1_and_0_when_typed() -> None:
    assert decode_state({"logy": "1", "h": "0"}, {"logy": bool, "h": bool}).state.view == {
        "logy": True,
        "h": False,
    }


def test_typed_view_text_drops_the_escape_and_keeps_digits_as_text() -> None:
    view = decode_state({"x": "'500", "lang": "500"}, VIEW_TYPES).state.view
    assert view == {"x": "500", "lang": "500"}


def test_over_long_view_value_is_dropped_with_a_notice() -> None:
    decoded = decode_state({"x": "a" * (MAX_VIEW_CHARS + 1)}, VIEW_TYPES)
    assert (ids(decoded), decoded.state.view) == (["share.view_too_long"], {})


def test_over_long_payload_is_refused_before_decoding() -> None:
    decoded = decode_state({"v": "1", "c": "A" * (MAX_LINK_CHARS + 1)})
    assert ids(decoded) == ["share.configs_too_long"]


def test_repeated_params_count_with_their_last_value_and_are_reported() -> None:
    decoded = decode_state({"v": ["2", "1"], "c": ["junk", ONE["c"]], "x": ["a", "b"]})
    assert (len(decoded.state.entries), decoded.state.view) == (1, {"x": "b"})
    assert ids(decoded) == ["share.param_repeated"] * 3


def test_param_without_a_text_value_is_ignored_with_a_notice() -> None:
    decoded = decode_state({"x": [], "y": 5})  # type: ignore[dict-item]
    assert ids(decoded) == ["share.param_unreadable", "share.param_unreadable"]


def test_streamlit_embed_params_are_ignored_silently() -> None:
    assert decode_state({"embed": "true", "Embed_Options": "x"}, VIEW_TYPES) == DecodedState(
        SharedState()
    )


def test_line_breaks_and_padding_inside_the_payload_are_ignored() -> None:
    wrapped = "\n".join(ONE["c"][i : i + 20] for i in range(0, len(ONE["c"]), 20)) + "=="
    decoded = decode_state({"v": "1", "c": wrapped})
    assert (decoded.notices, len(decoded.state.entries)) == ((), 1)


def test_json_of_exactly_the_limit_is_read() -> None:
    text = b"[" + b" " * (MAX_TEXT_BYTES - 2) + b"]"
    assert decode_state({"v": "1", "c": b64url(zlib.compress(text))}).notices == ()


def test_json_one_byte_over_the_limit_is_refused() -> None:
    text = b"[" + b" " * (MAX_TEXT_BYTES - 1) + b"]"
    assert ids(decode_state({"v": "1", "c": b64url(zlib.compress(text))})) == ["share.too_big"]


def test_zip_bomb_is_refused_quickly_and_within_memory() -> None:
    bomb = b64url(zlib.compress(b"[" + b"0," * 25_000_000 + b"0]", 9))  # 50 MB of JSON
    assert len(bomb) < MAX_LINK_CHARS
    tracemalloc.start()
    started = time.perf_counter()
    decoded = decode_state({"v": "1", "c": bomb})
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert ids(decoded) == ["share.too_big"]
    assert elapsed < 0.5
    assert peak < 4 * MAX_TEXT_BYTES


def test_notice_str_is_its_message() -> None:
    notice = Notice("share.too_many", {"count": 40, "limit": 32, "dropped": 8})
    assert (
        str(notice)
        == "The link holds 40 configurations; lrviz opens at most 32, so the last 8 were dropped."
    )


def test_notices_quote_link_text_on_one_line() -> None:
    decoded = decode_state({"v": "1\n2\u2028<b>", "x\ny": "1"})
    assert [len(message.splitlines()) for message in decoded.messages] == [1, 1]
    assert '"1\\n2\\u2028<b>"' in decoded.messages[0]


# ---------------------------------------------------------------------------------------------
# Fuzzing the decoder: it never raises and says when it dropped something
# ---------------------------------------------------------------------------------------------

PARAM_KEYS = st.one_of(st.sampled_from(["v", "c", "s", "logy", "x", "embed"]), st.text(max_size=20))
PARAM_VALUES = st.one_of(
    st.text(max_size=300),
    st.lists(st.text(max_size=50), max_size=3),
    st.from_regex(r"[A-Za-z0-9_-]{0,200}", fullmatch=True),
)


def last(value: str | list[str]) -> str | None:
    if isinstance(value, str):
        return value
    return value[-1] if value else None


@pytest.mark.slow
@FUZZ
@given(st.dictionaries(PARAM_KEYS, PARAM_VALUES, max_size=8), st.sampled_from([None, VIEW_TYPES]))
def test_arbitrary_text_params_never_raise_and_report_what_they_drop(
    params: dict[str, str | list[str]], view_types: dict[str, type] | None
) -> None:
    decoded = decode_state(params, view_types)
    assert_well_formed(decoded)
    streamlit_keys = {key for key in params if key.lower() in ("embed", "embed_options")}
    dropped = set(params) - {"v", "c", "s"} - streamlit_keys - set(decoded.state.view)
    if dropped or ("c" in params and not decoded.state.entries):
        assert decoded.notices


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_as_payload_never_raise_and_are_reported(data: bytes) -> None:
    decoded = decode_state({"v": "1", "c": b64url(data)})
    assert_well_formed(decoded)
    assert decoded.state.entries == () and decoded.notices


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_compressed_as_payload_never_raise_and_are_reported(data: bytes) -> None:
    decoded = decode_state({"v": "1", "c": b64url(zlib.compress(data))})
    assert_well_formed(decoded)
    try:
        readable = isinstance(json.loads(data), list)
    except (ValueError, RecursionError):
        readable = False
    assert readable or decoded.notices


@pytest.mark.slow
@FUZZ
@given(states(max_entries=6), st.data())
def test_truncated_links_never_raise_and_report_lost_configurations(
    state: SharedState, data: st.DataObject
) -> None:
    link = build_link(state)
    cut = link[: data.draw(st.integers(0, len(link)))]
    decoded = through_url(cut)
    assert_well_formed(decoded)
    if "c" in parse_qs(urlsplit(cut).query) and decoded.state.entries != state.entries:
        assert decoded.notices


@pytest.mark.slow
@FUZZ
@given(states(max_entries=6), st.data())
def test_bit_flipped_links_never_raise_and_report_changed_configurations(
    state: SharedState, data: st.DataObject
) -> None:
    query = urlsplit(build_link(state)).query
    where = data.draw(st.integers(0, len(query) - 1))
    flipped = chr(ord(query[where]) ^ (1 << data.draw(st.integers(0, 7))))
    damaged = query[:where] + flipped + query[where + 1 :]
    # The app knows its view options, so a damaged key is reported instead of read as one.
    decoded = decode_state(parse_qs(damaged, keep_blank_values=True), VIEW_TYPES)
    assert_well_formed(decoded)
    if decoded.state.entries != state.entries:
        assert decoded.notices


@pytest.mark.slow
@FUZZ
@given(states(max_entries=6), st.data())
def test_bit_flipped_payloads_are_read_unchanged_or_reported(
    state: SharedState, data: st.DataObject
) -> None:
    params = encode_state(state)
    payload = params.get("c", "A")
    where = data.draw(st.integers(0, len(payload) - 1))
    flipped = chr(ord(payload[where]) ^ (1 << data.draw(st.integers(0, 7))))
    decoded = decode_state({**params, "c": payload[:where] + flipped + payload[where + 1 :]})
    assert_well_formed(decoded)
    assert decoded.state.entries == state.entries or decoded.notices


@FUZZ
@given(st.one_of(st.text(), st.lists(st.text(), min_size=1, max_size=3)))
def test_wrong_versions_never_raise_and_open_no_configurations(version: str | list[str]) -> None:
    assume(last(version) != "1")
    decoded = decode_state({**ONE, "v": version})
    assert_well_formed(decoded)
    assert decoded.state.entries == () and decoded.notices


@pytest.mark.slow
@FUZZ
@given(
    st.one_of(st.sampled_from(["v", "c", "s", "x", "logy"]), VIEW_KEYS, st.text(max_size=10)),
    st.text(min_size=1, max_size=8),
    st.integers(MAX_LINK_CHARS + 1, 4 * MAX_LINK_CHARS),
    st.sampled_from([None, VIEW_TYPES]),
)
def test_over_long_values_never_raise_and_are_reported(
    key: str, unit: str, length: int, view_types: dict[str, type] | None
) -> None:
    value = (unit * (length // len(unit) + 1))[:length]
    decoded = decode_state({**ONE, key: value}, view_types)
    assert_well_formed(decoded)
    assert decoded.notices or key.lower() in ("embed", "embed_options")


def test_reserved_keys_in_another_letter_case_are_not_view_options() -> None:
    decoded = decode_state({"V": "2", "S": "1"})
    assert (ids(decoded), decoded.state.view) == (["share.view_unknown"], {})


def test_a_damaged_selection_with_no_configurations_is_reported() -> None:
    # A bit flip can turn `c=PAYLOAD` into `s=PAYLOAD`: the configurations vanish, say so.
    decoded = decode_state({"v": "1", "s": "eNqLrlbKVrJSclbSUSpQsqpWyilSsjLQM9BRSilWsrI0MACy"})
    assert decoded.state.entries == ()
    assert [notice.id for notice in decoded.notices] == ["share.selected_invalid"]


def test_a_wrong_view_value_is_explained_wholly_in_the_readers_language():
    (notice,) = decode_state({"v": "1", "spe": "many"}, {"spe": int}).notices
    assert "a whole number" in notice.text("en")
    chinese = notice.text("zh-TW")
    assert "整數" in chinese and "whole number" not in chinese


def test_a_selection_without_configurations_is_reported() -> None:
    # A bit flip can turn `c=` into `s=`: the configurations are gone and the link must say so.
    decoded = decode_state({"v": "1", "s": "1"}, VIEW_TYPES)
    assert decoded.state.entries == ()
    assert [notice.id for notice in decoded.notices] == ["share.selected_no_configs"]
    assert "configuration 2" in decoded.notices[0].message


def test_a_repeated_param_with_different_values_is_reported() -> None:
    link = build_link(
        SharedState((Entry(random_config("CosineDecay", np.random.default_rng(3))),), 0, {})
    )
    params = parse_qs(urlsplit(link).query, keep_blank_values=True)
    params["v"] = ["2", "1"]
    decoded = decode_state(params, VIEW_TYPES)
    assert len(decoded.state.entries) == 1
    assert [notice.id for notice in decoded.notices] == ["share.param_repeated"]
    assert '"v"' in decoded.notices[0].message
    # The same value twice loses nothing, so it is not worth a notice.
    params["v"] = ["1", "1"]
    assert decode_state(params, VIEW_TYPES).notices == ()
