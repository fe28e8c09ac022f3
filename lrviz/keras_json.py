"""Keras schedule configs in: JSON text parsing within limits, and `from_keras` (the validation
itself is `lrviz.engine.validate`, stricter than Keras).

Accepts exactly what `keras.optimizers.schedules.serialize` returns, as a dict or JSON text, and
the legacy tf.keras form `{"class_name", "config"}`. Everything else is a `ConfigError` whose
one-line message names the field, the value received and what would be accepted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from lrviz.engine import SCHEDULES, NonFinite, Schedule, validate_config
from lrviz.engine.validate import short_key, short_value, suggest
from lrviz.errors import ConfigError, Phrase
from lrviz.limits import (
    KERAS_MODULE,
    KERAS_TOP_LEVEL_KEYS,
    MAX_CONFIGS,
    MAX_SCHEDULE_DEPTH,
    MAX_TEXT_BYTES,
)

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
    text: str | bytes, *, max_bytes: int = MAX_TEXT_BYTES, max_depth: int = MAX_SCHEDULE_DEPTH
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


def from_keras(config: Mapping[str, Any] | str | bytes) -> Schedule:
    """A `Schedule` from what `keras.optimizers.schedules.serialize` returns (dict or JSON text).

    The legacy tf.keras form (only `class_name` and `config`) is accepted too.
    """
    if isinstance(config, (str, bytes, bytearray, memoryview)):
        config = parse_json_text(config)
    if not isinstance(config, Mapping):
        raise ConfigError("error.not_an_object", value=short_value(config))
    for key in config:
        if key not in KERAS_TOP_LEVEL_KEYS:
            raise ConfigError(
                "error.unknown_top_level_key",
                field=short_key(key),
                hint=suggest(str(key), KERAS_TOP_LEVEL_KEYS),
                valid=", ".join(KERAS_TOP_LEVEL_KEYS),
            )
    module = config.get("module", KERAS_MODULE)
    if module != KERAS_MODULE:
        raise ConfigError("error.bad_module", expected=KERAS_MODULE, value=short_value(module))
    registered = config.get("registered_name")
    if registered is not None and registered != config.get("class_name"):
        raise ConfigError("error.registered_name", value=short_value(registered))
    if "class_name" not in config:
        raise ConfigError("error.class_name_missing", valid=", ".join(SCHEDULES))
    class_name = config["class_name"]
    if not isinstance(class_name, str) or class_name not in SCHEDULES:
        raise ConfigError(
            "error.class_name_unknown",
            value=short_value(class_name, 40),
            hint=suggest(class_name, tuple(SCHEDULES)) if isinstance(class_name, str) else "",
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
    return from_keras(
        {"class_name": class_name, "config": SCHEDULES[class_name].starter}
    ).to_keras()
