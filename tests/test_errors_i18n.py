"""Every `ConfigError` in every language: same keys and placeholders, English unchanged."""

from __future__ import annotations

import io
import json
import string
import tempfile
import zipfile
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import lrviz.state as ss
from lrviz.engine import SCHEDULES, ParamSpec
from lrviz.errors import ConfigError, Phrase
from lrviz.i18n import LANGUAGES
from lrviz.keras_import import MAX_ARCHIVE_BYTES, read_file, read_keras
from lrviz.keras_import import from_keras as read_from_keras
from lrviz.keras_json import from_keras, parse_json_text
from lrviz.keras_json import schedules_from_json as many
from lrviz.limits import MAX_CONFIGS, MAX_TEXT_BYTES

GOOD = {
    "module": "keras.optimizers.schedules",
    "class_name": "CosineDecay",
    "config": {"initial_learning_rate": 0.0, "decay_steps": 1000, "name": "CosineDecay"},
    "registered_name": None,
}


def _cosine(**changes: Any) -> dict[str, Any]:
    return {**GOOD, "config": {**GOOD["config"], **changes}}


def _exponential(**changes: Any) -> dict[str, Any]:
    config = {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, **changes}
    return {"class_name": "ExponentialDecay", "config": config}


def _piecewise(boundaries: Any, values: Any) -> dict[str, Any]:
    return {
        "class_name": "PiecewiseConstantDecay",
        "config": {"boundaries": boundaries, "values": values},
    }


PIECEWISE = SCHEDULES["PiecewiseConstantDecay"].params[:2]


def _json_cosine(field: str, token: str) -> str:
    """A CosineDecay as JSON text with `token` (NaN, 1e999 ...) written as `field`'s value."""
    return json.dumps(_cosine(**{field: "TOKEN"})).replace('"TOKEN"', token)


def _tensor(value: Any) -> dict[str, Any]:
    return {"class_name": "__tensor__", "config": {"value": value, "dtype": "float32"}}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _huge_keras() -> None:
    """A sparse file past the .keras limit: refused on its size, before any read."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "big.keras")
        with path.open("wb") as file:
            file.write(b"PK\x03\x04")
            file.truncate(MAX_ARCHIVE_BYTES + 1)
        read_file(path)


class Sequential:
    """A model that was never compiled, as a notebook holds one."""

    def get_compile_config(self) -> None:
        return None


# (id, what raises, a word every language's message must contain: the field where there is one)
CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("nan", lambda: from_keras(_json_cosine("initial_learning_rate", "NaN")), "NaN"),
    ("infinity", lambda: from_keras(_json_cosine("decay_steps", "-Infinity")), "decay_steps"),
    ("overflow", lambda: from_keras(_json_cosine("alpha", "1e999")), "alpha"),
    ("big_bytes", lambda: parse_json_text(b" " * (MAX_TEXT_BYTES + 1)), "1 MiB"),
    ("big_text", lambda: parse_json_text(" " * (MAX_TEXT_BYTES + 1)), "1 MiB"),
    ("not_utf8", lambda: parse_json_text(b'{"a": "\xff"}'), "UTF-8"),
    ("not_text", lambda: parse_json_text(5), "int"),  # type: ignore[arg-type]
    ("empty", lambda: parse_json_text(" \n "), "JSON"),
    ("deep", lambda: parse_json_text("[" * 9 + "]" * 9), "8"),
    ("very_deep", lambda: parse_json_text("[" * 100_000 + "]" * 100_000), "8"),
    ("invalid", lambda: parse_json_text('{"a": }'), "JSON"),
    ("long_integer", lambda: parse_json_text("1" * 5000), "JSON"),
    ("not_an_object", lambda: from_keras("[1, 2]"), "class_name"),
    ("top_key", lambda: from_keras({**GOOD, "extra": 1}), "extra"),
    ("top_key_hint", lambda: from_keras({**GOOD, "modul": "x"}), "module"),
    ("module", lambda: from_keras({**GOOD, "module": "mine"}), "module"),
    ("registered", lambda: from_keras({**GOOD, "registered_name": "a>B"}), "registered_name"),
    ("no_class", lambda: from_keras({"config": {}}), "class_name"),
    ("class_hint", lambda: from_keras({**GOOD, "class_name": "CosineDecayy"}), "CosineDecay"),
    ("class_unknown", lambda: from_keras({**GOOD, "class_name": 7}), "class_name"),
    ("no_config", lambda: from_keras({"class_name": "CosineDecay"}), "config"),
    ("config_list", lambda: from_keras({**GOOD, "config": [1]}), "config"),
    ("argument", lambda: from_keras(_cosine(zzz=1)), "zzz"),
    ("argument_hint", lambda: from_keras(_cosine(decay_step=1)), "decay_steps"),
    (
        "missing",
        lambda: from_keras({**GOOD, "config": {"decay_steps": 5}}),
        "initial_learning_rate",
    ),
    ("text_lr", lambda: from_keras(_cosine(initial_learning_rate="0.1")), "initial_learning_rate"),
    ("negative_lr", lambda: from_keras(_cosine(initial_learning_rate=-1)), "initial_learning_rate"),
    (
        "nan_lr",
        lambda: from_keras(_cosine(initial_learning_rate=float("nan"))),
        "initial_learning_rate",
    ),
    ("null_lr", lambda: from_keras(_cosine(initial_learning_rate=None)), "initial_learning_rate"),
    ("alpha", lambda: from_keras(_cosine(alpha=1e7)), "alpha"),
    ("steps", lambda: from_keras(_cosine(decay_steps=0)), "decay_steps"),
    ("half_step", lambda: from_keras(_cosine(decay_steps=10.5)), "decay_steps"),
    ("name", lambda: from_keras(_cosine(name=5)), "name"),
    ("null_name", lambda: from_keras(_cosine(name=None)), "name"),
    ("surrogate_name", lambda: from_keras(_cosine(name="a\ud800b")), "name"),
    ("flag", lambda: from_keras(_exponential(staircase=1)), "staircase"),
    ("null_flag", lambda: from_keras(_exponential(staircase=None)), "staircase"),
    (
        "integer_lr",
        lambda: from_keras(_cosine(initial_learning_rate=2**31)),
        "initial_learning_rate",
    ),
    ("rate", lambda: from_keras(_exponential(decay_rate=0)), "decay_rate"),
    ("values_text", lambda: from_keras(_piecewise([10], "0.1,0.2")), "values"),
    ("boundaries_text", lambda: from_keras(_piecewise("10", [0.1, 0.2])), "boundaries"),
    ("long_list", lambda: from_keras(_piecewise(list(range(1001)), [0.1])), "boundaries"),
    ("boundary_item", lambda: from_keras(_piecewise([10, 20.5], [0.1] * 3)), "boundaries[1]"),
    ("value_item", lambda: from_keras(_piecewise([10], [0.1, -1.0])), "values[1]"),
    ("count", lambda: from_keras(_piecewise([10, 20], [0.1, 0.2])), "values"),
    ("unsorted", lambda: from_keras(_piecewise([20, 10], [0.1] * 3)), "boundaries"),
    ("int_first", lambda: from_keras(_piecewise([10], [1, 0.5])), "values[0]"),
    ("empty_list", lambda: many("[]"), "Keras"),
    ("long_import", lambda: many([GOOD] * (MAX_CONFIGS + 1)), str(MAX_CONFIGS)),
    ("item", lambda: many([GOOD, _cosine(decay_steps=-5)]), "decay_steps"),
    ("open", lambda: ss.import_text(ss.starter_studio(), json.dumps([GOOD] * 32)), "32"),
    (
        "gap",
        lambda: ss.lists_from_table([{"values": 0.1}, {"boundaries": 5}], PIECEWISE),
        "boundaries",
    ),
    ("cell", lambda: ss.lists_from_table([{"boundaries": "ten"}], PIECEWISE), "boundaries"),
    ("array", lambda: read_keras(_cosine(alpha=_tensor([0.1, 0.2]))), "alpha"),
    (
        "wrapped",
        lambda: read_keras(_cosine(decay_steps={"class_name": "__tensor__"})),
        "decay_steps",
    ),
    ("literal", lambda: read_keras("{'class_name': b'x'}"), "b'x'"),
    ("live", lambda: read_keras(object()), "object"),
    ("uncompiled", lambda: read_keras(Sequential()), "Sequential"),
    ("constant", lambda: read_keras({"name": "sgd", "learning_rate": 0.01}), "0.01"),
    ("rate_text", lambda: read_keras({"name": "sgd", "learning_rate": "fast"}), "learning_rate"),
    ("several", lambda: read_from_keras([GOOD, GOOD]), "2"),
    ("device", lambda: read_file("/dev/zero"), ""),
    ("no_config", lambda: read_keras(_zip({"metadata.json": b"{}"})), "config.json"),
    ("members", lambda: read_keras(_zip({f"{i}": b"" for i in range(1001)})), "1,001"),
    ("member_size", lambda: read_keras(_zip({"config.json": b" " * (16 * 2**20 + 1)})), "json"),
    ("not_zip", lambda: read_keras(b"PK\x03\x04 not a zip"), ".keras"),
    ("huge_keras", _huge_keras, "200"),
]
"""Bad inputs that, together, reach every error message and every bounds phrase lrviz has."""
CASE = {name: case for name, case, _ in CASES}

# English words that must not leak into a translated message through a nested phrase.
ENGLISH = ("Argument", "Received", "Did you mean", "a finite number", "a whole number", "text of")

# Ranges that no current schedule argument declares but `bounds_text` words all the same.
SPARE_SPECS = [
    ParamSpec("rate", "float", ""),
    ParamSpec("rate", "float", "", minimum=0.0, exclusive_minimum=True),
]


@cache
def error_catalog(lang: str) -> dict[str, str]:
    """The error, bounds and JSON-problem templates of `locales/<lang>.json`."""
    file = resources.files("lrviz").joinpath("locales", f"{lang}.json")
    every = json.loads(file.read_text("utf-8"))
    return {
        key: text
        for key, text in every.items()
        if key.startswith(("error.", "bounds.", "json_problem."))
    }


def _raised(case: Callable[[], Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        case()
    return caught.value


def _keys(value: Any) -> set[str]:
    """The locale keys a message is made of: its own and those of the phrases in its params."""
    if isinstance(value, (ConfigError, Phrase)):
        return {value.key}.union(*(_keys(v) for v in value.params.values()))
    return set()


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_error_key_exists_in_every_language_with_the_same_placeholders(lang):
    english = error_catalog("en")
    translated = error_catalog(lang)
    assert translated.keys() == english.keys()
    for key, template in english.items():
        assert _placeholders(translated[key]) == _placeholders(template), key


@pytest.mark.parametrize(("case", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_english_message_is_the_error_text(case, field):
    err = _raised(case)
    assert str(err) == err.args[0] == err.message("en") == err.message()
    assert field in str(err) and "\n" not in str(err)


@pytest.mark.parametrize(("case", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_traditional_chinese_message_is_translated_and_names_the_field(case, field):
    err = _raised(case)
    chinese = err.message("zh-TW")
    assert chinese != str(err)
    assert field in chinese
    assert "\n" not in chinese
    assert "{" not in chinese and "}" not in chinese
    assert not any(word in chinese for word in ENGLISH)


def test_the_cases_reach_every_error_and_bounds_key():
    reached = set().union(*(_keys(_raised(case)) for _, case, _ in CASES))
    reached |= set().union(*(_keys(spec.bounds()) for spec in SPARE_SPECS))
    reached |= set().union(
        *(_keys(_raised(lambda t=t: parse_json_text(t))) for t in JSON_SYNTAX_ERRORS)
    )
    # Notes (import.*) worded inside an error are checked by test_i18n; here only error keys.
    reached = {key for key in reached if key.startswith(("error.", "bounds.", "json_problem."))}
    assert reached == error_catalog("en").keys()


def test_an_error_inside_a_list_item_is_worded_in_the_same_language():
    err = _raised(CASE["item"])
    inner = err.params["error"]
    assert err.message("zh-TW").endswith(inner.message("zh-TW"))
    assert str(err).endswith(str(inner))


def test_a_suggestion_and_the_bounds_are_worded_in_the_message_language():
    assert _raised(CASE["argument_hint"]).message("zh-TW") == (
        "CosineDecay 沒有 `decay_step` 這個引數。您是指 `decay_steps` 嗎？"
        "有效的引數：initial_learning_rate, decay_steps, alpha, name, warmup_target, warmup_steps"
    )
    assert _raised(CASE["steps"]).message("zh-TW") == (
        "引數 `decay_steps` 必須是範圍 [1, 10^12] 內的整數。收到：decay_steps=0"
    )


def test_bounds_are_worded_in_the_language_asked_for():
    spec = SCHEDULES["CosineDecay"].params[1]
    assert spec.bounds_text() == spec.bounds_text("en") == "a whole number in [1, 10^12]"
    assert spec.bounds_text("zh-TW") != spec.bounds_text()
    assert "10^12" in spec.bounds_text("zh-TW")


def test_an_unknown_language_falls_back_to_english():
    err = _raised(CASE["nan"])
    assert err.message("fr") == str(err)


def test_too_many_configs_keeps_its_counts():
    err = _raised(CASE["open"])
    assert isinstance(err, ss.TooManyConfigs)
    assert (err.open_count, err.adding) == (1, 32)


JSON_SYNTAX_ERRORS = {
    '{"class_name": "CosineDecay" "config": {}}': "json_problem.expecting_comma",
    '{"class_name" "CosineDecay"}': "json_problem.expecting_colon",
    '{"class_name": }': "json_problem.expecting_value",
    "{'class_name': 'CosineDecay'}": "json_problem.expecting_name",
    '{"class_name": "CosineDecay': "json_problem.unterminated_string",
    '{"name": "a\tb"}': "json_problem.control_character",
    '{"name": "a\\qb"}': "json_problem.invalid_escape",
    '{"name": "a\\u12"}': "json_problem.invalid_escape",
    '{"name": "a"} x': "json_problem.extra_data",
}


@pytest.mark.parametrize("text", sorted(JSON_SYNTAX_ERRORS))
def test_a_json_syntax_error_is_worded_wholly_in_the_readers_language(text):
    with pytest.raises(ConfigError) as caught:
        parse_json_text(text)
    problem = caught.value.params["detail"]
    assert problem == Phrase(JSON_SYNTAX_ERRORS[text])
    json_words = {"Expecting", "delimiter", "Unterminated", "Invalid", "Extra", "data"}
    chinese = caught.value.message("zh-TW")
    assert not json_words & set(chinese.replace(":", " ").split()), chinese
    assert problem.text("en") in str(caught.value)
