"""Keras schedule configs in and out: parsing, validation (stricter than Keras) and `from_keras`.

Accepts exactly what `keras.optimizers.schedules.serialize` returns, as a dict or JSON text, and
the legacy tf.keras form `{"class_name", "config"}`. Everything else is a `ConfigError` whose
one-line message names the field, the value received and what would be accepted.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from typing import Any

from lrviz.errors import ConfigError, Phrase
from lrviz.literal import visible_text
from lrviz.params import MAX_LIST_ITEMS, MAX_NAME_CHARS, MAX_STEPS, ParamSpec
from lrviz.schedules import SCHEDULES, Schedule

KERAS_MODULE = "keras.optimizers.schedules"
MAX_TEXT_BYTES = 1024 * 1024
MAX_DEPTH = 8
MAX_CONFIGS = 32
_INT32_MAX = 2**31 - 1  # Keras computes with an integer learning rate in int32
_TOP_LEVEL_KEYS = ("module", "class_name", "config", "registered_name")


class NonFinite(float):
    """`NaN`, `Infinity` or an overflowing number as the JSON text wrote it: the field check that
    meets it names the field and quotes the text."""

    token: str

    def __new__(cls, token: str) -> NonFinite:
        value = super().__new__(cls, token)
        value.token = token
        return value


def _short(value: Any, limit: int = 60) -> str:
    """A value as it would appear in JSON, cut to one short line."""
    if isinstance(value, NonFinite):
        value = value.token
        return value if len(value) <= limit else value[: limit - 1] + "…"
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    text = visible_text(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key(key: Any) -> str:
    """A JSON object key for a message: its text, cut to one short line."""
    text = visible_text(" ".join(str(key).split()))
    return text if len(text) <= 40 else text[:39] + "…"


def _suggest(name: str, options: tuple[str, ...] | list[str]) -> Phrase | str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return Phrase("error.did_you_mean", {"suggestion": close[0]}) if close else ""


# Python's own words for a JSON syntax error (`JSONDecodeError.msg`), by how they begin, and the
# same problem in the reader's language; words not listed here are shown as Python wrote them.
_JSON_PROBLEMS = (
    ("Expecting value", Phrase("json_problem.expecting_value")),
    ("Expecting ',' delimiter", Phrase("json_problem.expecting_comma")),
    ("Expecting ':' delimiter", Phrase("json_problem.expecting_colon")),
    ("Expecting property name", Phrase("json_problem.expecting_name")),
    ("Unterminated string", Phrase("json_problem.unterminated_string")),
    ("Invalid control character", Phrase("json_problem.control_character")),
    ("Invalid \\", Phrase("json_problem.invalid_escape")),
    ("Extra data", Phrase("json_problem.extra_data")),
)


def _json_problem(msg: str) -> Phrase | str:
    return next((phrase for start, phrase in _JSON_PROBLEMS if msg.startswith(start)), msg)


def _parse_float(token: str) -> float:
    value = float(token)
    return value if math.isfinite(value) else NonFinite(token)


def json_depth(value: Any) -> int:
    """Nesting depth of a JSON value, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def parse_json_text(
    text: str | bytes, *, max_bytes: int = MAX_TEXT_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """JSON text (or UTF-8 bytes) to Python values, within lrviz's limits, else `ConfigError`.

    `NaN`, `Infinity` and numbers that overflow become `NonFinite` values, refused (with the
    field's name) by the check of the field they sit in.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        raw = bytes(text)
        if len(raw) > max_bytes:
            raise ConfigError("error.text_too_large", size=len(raw), limit=max_bytes)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ConfigError("error.not_utf8", position=err.start) from None
    if not isinstance(text, str):
        raise ConfigError("error.not_text", type=type(text).__name__)
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise ConfigError("error.text_too_large", size=size, limit=max_bytes)
    if not text.strip():
        raise ConfigError("error.text_empty")
    try:
        value = json.loads(text, parse_constant=NonFinite, parse_float=_parse_float)
    except RecursionError:
        raise ConfigError("error.json_too_deep", limit=max_depth) from None
    except json.JSONDecodeError as err:
        raise ConfigError(
            "error.json_invalid", detail=_json_problem(err.msg), line=err.lineno, column=err.colno
        ) from None
    except ValueError as err:  # e.g. an integer literal with thousands of digits
        raise ConfigError("error.json_unusable", detail=str(err)) from None
    if json_depth(value) > max_depth:
        raise ConfigError("error.json_too_deep", limit=max_depth)
    return value


def _check_number(spec: ParamSpec, value: Any, where: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(
            "error.out_of_bounds", field=where, bounds=spec.bounds(), value=_short(value)
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError("error.not_finite", field=where, value=_short(value))
    return value


def _check_float(spec: ParamSpec, value: Any, where: str) -> int | float:
    number = _check_number(spec, value, where)
    low, high = spec.minimum, spec.maximum
    too_low = low is not None and (number <= low if spec.exclusive_minimum else number < low)
    too_high = high is not None and number > high
    if too_low or too_high:
        raise ConfigError(
            "error.out_of_bounds", field=where, bounds=spec.bounds(), value=_short(value)
        )
    if spec.learning_rate and isinstance(number, int) and number > _INT32_MAX:
        # Keras fails on it, and the engine cannot compute with it (10**400 is no float).
        raise ConfigError(
            "error.integer_too_big", field=where, limit=_INT32_MAX, value=_short(value)
        )
    return number


def _check_steps(spec: ParamSpec, value: Any, where: str) -> int:
    number = _check_number(spec, value, where)
    low = int(spec.minimum or 0)
    high = int(spec.maximum or MAX_STEPS)
    if number != math.floor(number) or not low <= number <= high:
        raise ConfigError(
            "error.out_of_bounds", field=where, bounds=spec.bounds(), value=_short(value)
        )
    return int(number)


def _check_list(spec: ParamSpec, value: Any) -> list[Any]:
    if not isinstance(value, list) or (not value and spec.kind == "float_list"):
        key = "error.not_a_number_list" if spec.kind == "float_list" else "error.not_a_steps_list"
        raise ConfigError(key, field=spec.name, value=_short(value))
    if len(value) > MAX_LIST_ITEMS:
        raise ConfigError(
            "error.list_too_long", field=spec.name, limit=MAX_LIST_ITEMS, count=len(value)
        )
    if spec.kind == "steps_list":
        return [_check_steps(spec, item, f"{spec.name}[{i}]") for i, item in enumerate(value)]
    return [_check_float(spec, item, f"{spec.name}[{i}]") for i, item in enumerate(value)]


def _check_encodable(text: str, where: str) -> None:
    """Text that UTF-8 can encode: JSON's `\\ud800` escapes allow a lone surrogate, which no page,
    chart or file can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ConfigError(
            "error.lone_surrogate",
            field=where,
            char=visible_text(text[err.start]),
            position=err.start + 1,
            value=_short(text),
        ) from None


def _check_value(spec: ParamSpec, value: Any) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise ConfigError("error.null", field=spec.name, bounds=spec.bounds())
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError("error.not_bool", field=spec.name, value=_short(value))
        return value
    if spec.kind == "text":
        if not isinstance(value, str) or len(value) > MAX_NAME_CHARS:
            raise ConfigError(
                "error.out_of_bounds", field=spec.name, bounds=spec.bounds(), value=_short(value)
            )
        _check_encodable(value, spec.name)
        return value
    if spec.kind == "steps":
        return _check_steps(spec, value, spec.name)
    if spec.kind in ("steps_list", "float_list"):
        return _check_list(spec, value)
    return _check_float(spec, value, spec.name)


def _check_piecewise(config: dict[str, Any]) -> None:
    boundaries, values = config["boundaries"], config["values"]
    if len(values) != len(boundaries) + 1:
        raise ConfigError("error.values_count", boundaries=len(boundaries), values=len(values))
    for i in range(1, len(boundaries)):
        if boundaries[i] <= boundaries[i - 1]:
            raise ConfigError(
                "error.boundaries_unsorted",
                index=i,
                previous_index=i - 1,
                value=boundaries[i],
                previous=boundaries[i - 1],
            )
    if isinstance(values[0], int) and any(isinstance(v, float) for v in values[1:]):
        raise ConfigError(
            "error.integer_first_value", value=values[0], fixed=repr(float(values[0]))
        )


def validate_config(class_name: str, config: Any) -> dict[str, Any]:
    """Constructor arguments of `class_name`, checked and completed with Keras's defaults."""
    spec = SCHEDULES[class_name]
    if not isinstance(config, Mapping):
        raise ConfigError("error.config_not_object", value=_short(config))
    for key in config:
        if key not in spec.param_names:
            raise ConfigError(
                "error.unknown_argument",
                class_name=class_name,
                field=_key(key),
                hint=_suggest(str(key), spec.param_names),
                valid=", ".join(spec.param_names),
            )
    checked: dict[str, Any] = {}
    for param in spec.params:
        if param.name not in config:
            if param.required:
                raise ConfigError(
                    "error.missing_argument",
                    class_name=class_name,
                    field=param.name,
                    bounds=param.bounds(),
                )
            checked[param.name] = param.default
            continue
        checked[param.name] = _check_value(param, config[param.name])
    if class_name == "PiecewiseConstantDecay":
        _check_piecewise(checked)
    return checked


def from_keras(config: Mapping[str, Any] | str | bytes) -> Schedule:
    """A `Schedule` from what `keras.optimizers.schedules.serialize` returns (dict or JSON text).

    The legacy tf.keras form (only `class_name` and `config`) is accepted too.
    """
    if isinstance(config, (str, bytes, bytearray, memoryview)):
        config = parse_json_text(config)
    if not isinstance(config, Mapping):
        raise ConfigError("error.not_an_object", value=_short(config))
    for key in config:
        if key not in _TOP_LEVEL_KEYS:
            raise ConfigError(
                "error.unknown_top_level_key",
                field=_key(key),
                hint=_suggest(str(key), _TOP_LEVEL_KEYS),
                valid=", ".join(_TOP_LEVEL_KEYS),
            )
    module = config.get("module", KERAS_MODULE)
    if module != KERAS_MODULE:
        raise ConfigError("error.bad_module", expected=KERAS_MODULE, value=_short(module))
    registered = config.get("registered_name")
    if registered is not None and registered != config.get("class_name"):
        raise ConfigError("error.registered_name", value=_short(registered))
    if "class_name" not in config:
        raise ConfigError("error.class_name_missing", valid=", ".join(SCHEDULES))
    class_name = config["class_name"]
    if not isinstance(class_name, str) or class_name not in SCHEDULES:
        raise ConfigError(
            "error.class_name_unknown",
            value=_short(class_name, 40),
            hint=_suggest(class_name, tuple(SCHEDULES)) if isinstance(class_name, str) else "",
            valid=", ".join(SCHEDULES),
        )
    if "config" not in config:
        raise ConfigError("error.config_missing", class_name=class_name)
    return Schedule(SCHEDULES[class_name], validate_config(class_name, config["config"]))


def schedules_from_json(value: Any) -> list[Schedule]:
    """One config or a JSON list of them (text or parsed) to schedules; `ConfigError` names the item."""
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        value = parse_json_text(value)
    if not isinstance(value, list):
        return [from_keras(value)]
    if not value:
        raise ConfigError("error.list_empty")
    if len(value) > MAX_CONFIGS:
        raise ConfigError("error.list_too_many", count=len(value), limit=MAX_CONFIGS)
    schedules = []
    for index, item in enumerate(value):
        try:
            schedules.append(from_keras(item))
        except ConfigError as err:
            raise ConfigError(
                "error.in_item", number=index + 1, count=len(value), error=err
            ) from None
    return schedules


def default_config(class_name: str) -> dict[str, Any]:
    """A Keras config dict with sensible starting values for a new configuration of this class."""
    return from_keras({"class_name": class_name, "config": STARTERS[class_name]}).to_keras()


# Starter names are valid TensorFlow scope names (`^[A-Za-z0-9_.\\/>-]*$`): an exported config
# then trains on the TensorFlow backend and tf_keras too.
STARTERS: dict[str, dict[str, Any]] = {
    "CosineDecay": {
        "initial_learning_rate": 0.0,
        "decay_steps": 9000,
        "alpha": 0.1,
        "name": "warmup_cosine",
        "warmup_target": 1e-3,
        "warmup_steps": 1000,
    },
    "CosineDecayRestarts": {
        "initial_learning_rate": 1e-3,
        "first_decay_steps": 1000,
        "t_mul": 2.0,
        "m_mul": 0.8,
        "alpha": 0.0,
        "name": "sgdr_restarts",
    },
    "ExponentialDecay": {
        "initial_learning_rate": 1e-3,
        "decay_steps": 1000,
        "decay_rate": 0.8,
        "staircase": False,
        "name": "exponential",
    },
    "PiecewiseConstantDecay": {
        "boundaries": [3000, 6000, 8000],
        "values": [1e-3, 5e-4, 1e-4, 1e-5],
        "name": "step_decay",
    },
    "PolynomialDecay": {
        "initial_learning_rate": 1e-3,
        "decay_steps": 10000,
        "end_learning_rate": 1e-5,
        "power": 2.0,
        "cycle": False,
        "name": "polynomial",
    },
    "InverseTimeDecay": {
        "initial_learning_rate": 1e-3,
        "decay_steps": 1000,
        "decay_rate": 0.5,
        "staircase": False,
        "name": "inverse_time",
    },
}
