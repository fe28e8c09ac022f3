"""Validation of a schedule's constructor arguments against its spec.

Every refusal is a `ConfigError` that names the argument, quotes what was received and says what
would be accepted, in the reader's language.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from typing import Any

from lrviz.engine.params import ParamSpec
from lrviz.engine.registry import SCHEDULES
from lrviz.errors import ConfigError, Phrase
from lrviz.limits import INT32_MAX, MAX_LIST_ITEMS, MAX_NAME_CHARS, MAX_STEPS
from lrviz.literal import visible_text


class NonFinite(float):
    """`NaN`, `Infinity` or an overflowing number as the JSON text wrote it: the field check that
    meets it names the field and quotes the text."""

    token: str

    def __new__(cls, token: str) -> NonFinite:
        value = super().__new__(cls, token)
        value.token = token
        return value


def short_value(value: Any, limit: int = 60) -> str:
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


def short_key(key: Any) -> str:
    """A JSON object key for a message: its text, cut to one short line."""
    text = visible_text(" ".join(str(key).split()))
    return text if len(text) <= 40 else text[:39] + "…"


def suggest(name: str, options: tuple[str, ...] | list[str]) -> Phrase | str:
    """A "did you mean ...?" hint for a close match among `options`, else nothing."""
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return Phrase("error.did_you_mean", {"suggestion": close[0]}) if close else ""


def _check_number(spec: ParamSpec, value: Any, where: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(
            "error.out_of_bounds", field=where, bounds=spec.bounds(), value=short_value(value)
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError("error.not_finite", field=where, value=short_value(value))
    return value


def _check_float(spec: ParamSpec, value: Any, where: str) -> int | float:
    number = _check_number(spec, value, where)
    low, high = spec.minimum, spec.maximum
    too_low = low is not None and (number <= low if spec.exclusive_minimum else number < low)
    too_high = high is not None and number > high
    if too_low or too_high:
        raise ConfigError(
            "error.out_of_bounds", field=where, bounds=spec.bounds(), value=short_value(value)
        )
    if spec.learning_rate and isinstance(number, int) and number > INT32_MAX:
        # Keras fails on it, and the engine cannot compute with it (10**400 is no float).
        raise ConfigError(
            "error.integer_too_big", field=where, limit=INT32_MAX, value=short_value(value)
        )
    return number


def _check_steps(spec: ParamSpec, value: Any, where: str) -> int:
    number = _check_number(spec, value, where)
    low = int(spec.minimum or 0)
    high = int(spec.maximum or MAX_STEPS)
    if number != math.floor(number) or not low <= number <= high:
        raise ConfigError(
            "error.out_of_bounds", field=where, bounds=spec.bounds(), value=short_value(value)
        )
    return int(number)


def _check_list(spec: ParamSpec, value: Any) -> list[Any]:
    if not isinstance(value, list) or (not value and spec.kind == "float_list"):
        key = "error.not_a_number_list" if spec.kind == "float_list" else "error.not_a_steps_list"
        raise ConfigError(key, field=spec.name, value=short_value(value))
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
            value=short_value(text),
        ) from None


def _check_value(spec: ParamSpec, value: Any) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise ConfigError("error.null", field=spec.name, bounds=spec.bounds())
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError("error.not_bool", field=spec.name, value=short_value(value))
        return value
    if spec.kind == "text":
        if not isinstance(value, str) or len(value) > MAX_NAME_CHARS:
            raise ConfigError(
                "error.out_of_bounds",
                field=spec.name,
                bounds=spec.bounds(),
                value=short_value(value),
            )
        _check_encodable(value, spec.name)
        return value
    if spec.kind == "steps":
        return _check_steps(spec, value, spec.name)
    if spec.kind in ("steps_list", "float_list"):
        return _check_list(spec, value)
    return _check_float(spec, value, spec.name)


def validate_config(class_name: str, config: Any) -> dict[str, Any]:
    """Constructor arguments of `class_name`, checked and completed with Keras's defaults."""
    spec = SCHEDULES[class_name]
    if not isinstance(config, Mapping):
        raise ConfigError("error.config_not_object", value=short_value(config))
    for key in config:
        if key not in spec.param_names:
            raise ConfigError(
                "error.unknown_argument",
                class_name=class_name,
                field=short_key(key),
                hint=suggest(str(key), spec.param_names),
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
    if spec.check is not None:
        spec.check(checked)
    return checked
