"""Share links: the open configurations, the selection and the view options as URL query params.

The page URL always carries the whole state, so reload, bookmark and sharing restore everything.
`encode_state` builds the query params, `build_link` the full URL, and `decode_state` reads them
back without ever raising: whatever it cannot read becomes a `Notice`.

Link format, version 1
----------------------
    BASE?v=1&c=PAYLOAD&s=INDEX&KEY=VALUE&KEY=VALUE...

The params are written in this order with `urllib.parse.urlencode`:

`v`
    Format version, always `1`.
`c`
    The configurations, omitted when none is open. PAYLOAD is base64url without `=` padding
    (RFC 4648 section 5) of a zlib stream (RFC 1950: deflate with an Adler-32 checksum, so a
    damaged link is detected rather than misread) of UTF-8 minified JSON (no whitespace).
    The JSON is an array with one object per configuration, in order:

    - `k`: the class: `C` CosineDecay, `R` CosineDecayRestarts, `E` ExponentialDecay,
      `P` PiecewiseConstantDecay, `Y` PolynomialDecay, `I` InverseTimeDecay;
    - `p`: the Keras `config` object (the constructor arguments) with short argument names:
      `lr` initial_learning_rate, `ds` decay_steps, `a` alpha, `n` name, `wt` warmup_target,
      `ws` warmup_steps, `fs` first_decay_steps, `tm` t_mul, `mm` m_mul, `dr` decay_rate,
      `st` staircase, `b` boundaries, `v` values, `el` end_learning_rate, `pw` power, `cy` cycle;
    - `h`: `true` when the configuration is hidden; omitted when it is shown;
    - `m`: `module`, only when it is not `"keras.optimizers.schedules"`;
    - `r`: `registered_name`, only when it is not `null`.

    A class or argument name missing from these tables is written with a leading `_`
    (`"_foo"` is `foo`); a reader also accepts full names (`"k":"CosineDecay"`,
    `"initial_learning_rate"`). Values are written as Python's `json` writes them: a float always
    has a `.` or an exponent (`0.0`, `1e-05`), an integer never does, so the difference between
    `0.0` and `0` (which Keras computes in integers) survives. Floats round-trip exactly.
    At most `MAX_CONFIGS` (32) configurations and `MAX_TEXT_BYTES` (1 MiB) of JSON.
`s`
    The 0-based index of the selected configuration, in decimal; omitted when it is 0.
`KEY=VALUE`
    One param per view option. KEY matches `[A-Za-z][A-Za-z0-9_]{0,31}` and is none of `v`, `c`,
    `s`, `embed`, `embed_options` in any letter case. VALUE is at most `MAX_VIEW_CHARS` (200)
    characters and says its own type:

    - bool: `true` or `false`;
    - int: decimal, `-?[0-9]+`;
    - float: Python's `repr`, which always has a `.` or an exponent:
      `-?[0-9]+([.][0-9]+([eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)` (finite only);
    - str: the text itself, with one `'` in front when it starts with `'` or would otherwise read
      as one of the above (`x=epochs`, `x='500`, `x='true`).

Reading a link never fails: each param counts with its last value; whitespace and `=` padding
inside `c` are ignored; a missing `v` reads as 1; `module` and `registered_name` come back with
their defaults when absent; whatever is dropped or replaced gets a `Notice`. When the app passes
its view option types, only those keys are read, a typed str needs no `'`, an int is accepted as
a float, and `1`/`0` as a bool.

A link is at most `MAX_LINK_CHARS` (100,000) characters, well below the ~127,900-character request
line the Streamlit server accepts. Example: the starter CosineDecay, shown and selected, with two
view options; its payload is the JSON
`[{"k":"C","p":{"lr":0.0,"ds":9000,"a":0.1,"n":"warmup_cosine","wt":0.001,"ws":1000}}]`:

    http://localhost:8501/?v=1&c=eNqLrlbKVrJSclbSUSpQsqpWyilSsjLQM9BRSilWsrI0MACyEkEihjpKeUB15YlFuaUF8cn5xZl5qUA95SVg5QZA6XKgBkOghtraWACuNhay&logy=true&x=epochs
"""

from __future__ import annotations

import base64
import json
import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from lrviz.engine import SCHEDULES
from lrviz.errors import Phrase, localised
from lrviz.i18n import DEFAULT_LANGUAGE, catalog, t
from lrviz.keras_json import json_depth
from lrviz.limits import (
    KERAS_MODULE,
    KERAS_TOP_LEVEL_KEYS,
    MAX_CONFIGS,
    MAX_LINK_CHARS,
    MAX_SCHEDULE_DEPTH,
    MAX_TEXT_BYTES,
    MAX_VIEW_CHARS,
)

ViewValue = str | int | float | bool

VERSION = "1"
VERSION_KEY = "v"
CONFIGS_KEY = "c"
SELECTED_KEY = "s"
DEFAULT_BASE = "http://localhost:8501/"

# Streamlit reserves `embed` and `embed_options` (case-insensitively) for itself.
_STREAMLIT_KEYS = frozenset({"embed", "embed_options"})
_RESERVED_KEYS = frozenset({VERSION_KEY, CONFIGS_KEY, SELECTED_KEY}) | _STREAMLIT_KEYS
_ENTRY_FIELDS = frozenset({"k", "p", "h", "m", "r"})
_UNTABLED = "_"

CLASS_CODES: dict[str, str] = {name: spec.link_code for name, spec in SCHEDULES.items()}
"""Keras class name -> its one-letter code in links (each class module's `link_code`)."""
ARG_CODES: dict[str, str] = {
    "initial_learning_rate": "lr",
    "decay_steps": "ds",
    "alpha": "a",
    "name": "n",
    "warmup_target": "wt",
    "warmup_steps": "ws",
    "first_decay_steps": "fs",
    "t_mul": "tm",
    "m_mul": "mm",
    "decay_rate": "dr",
    "staircase": "st",
    "boundaries": "b",
    "values": "v",
    "end_learning_rate": "el",
    "power": "pw",
    "cycle": "cy",
}
_CLASS_NAMES = {code: name for name, code in CLASS_CODES.items()}
_ARG_NAMES = {code: name for name, code in ARG_CODES.items()}

_VIEW_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_INT_TEXT = re.compile(r"-?[0-9]+")
_FLOAT_TEXT = re.compile(r"-?[0-9]+([.][0-9]+([eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)")
_SELECTED_TEXT = re.compile(r"[0-9]{1,9}")
_NOT_BASE64URL = re.compile(r"[^A-Za-z0-9_-]")
_TYPE_WORDS: dict[type, Phrase] = {
    bool: Phrase("share.type.bool"),
    int: Phrase("share.type.int"),
    float: Phrase("share.type.float"),
    str: Phrase("share.type.str"),
}

# The notices' English templates; every language's live in `lrviz/locales/<lang>.json` (keys `share.*`).
MESSAGES: dict[str, str] = {
    key: text for key, text in catalog(DEFAULT_LANGUAGE).items() if key.startswith("share.")
}


@dataclass(frozen=True)
class Entry:
    """One open configuration: a Keras `serialize()` dict and whether its curve is shown."""

    config: dict[str, Any]
    visible: bool = True


@dataclass(frozen=True)
class SharedState:
    """What a link carries: the configurations in order, the selected index and the view options."""

    entries: tuple[Entry, ...] = ()
    selected: int = 0
    view: dict[str, ViewValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A list passed by the caller would never compare equal to the decoded tuple.
        object.__setattr__(self, "entries", tuple(self.entries))


@dataclass(frozen=True)
class Notice:
    """Something in a link that could not be read: an id of `MESSAGES` and its template's params.

    The params quote text from the link (escaped to one line): escape it before rendering the
    message as Markdown.
    """

    id: str
    params: dict[str, str | int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The one-line English message."""
        return self.text(DEFAULT_LANGUAGE)

    def text(self, lang: str) -> str:
        """The one-line message in `lang` (a `lrviz.i18n.LANGUAGES` code)."""
        return t(self.id, lang, **localised(self.params, lang))

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class DecodedState:
    """What `decode_state` could read from a link, and a notice for everything it could not."""

    state: SharedState
    notices: tuple[Notice, ...] = ()

    @property
    def messages(self) -> tuple[str, ...]:
        """The notices as one-line English messages."""
        return tuple(notice.message for notice in self.notices)


class LinkTooLong(ValueError):
    """The link would be longer than `MAX_LINK_CHARS` (or unpack to more than `MAX_TEXT_BYTES`).

    `str(err)` is the English message; `err.text(lang)` gives it in another language.
    """

    def __init__(self, key: str, length: int, limit: int) -> None:
        self.key = key
        self.length = length
        self.limit = limit
        super().__init__(self.text(DEFAULT_LANGUAGE))

    def text(self, lang: str) -> str:
        """The message in `lang` (a `lrviz.i18n.LANGUAGES` code)."""
        return t(self.key, lang, length=self.length, limit=self.limit)


class _Unreadable(Exception):
    """The payload cannot be read at all; carries the notice that says why."""

    def __init__(self, notice_id: str, **params: str | int) -> None:
        super().__init__(notice_id)
        self.notice = Notice(notice_id, params)


# ---------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------


def encode_state(state: SharedState) -> dict[str, str]:
    """The query params of a link to `state`, in link order (see the module docstring).

    Raises `LinkTooLong` when the query would exceed `MAX_LINK_CHARS`, and `ValueError` or
    `TypeError` for a state no link can carry (more than `MAX_CONFIGS` configurations, a selected
    index out of range, a malformed config, NaN, a bad view key or value).
    """
    count = len(state.entries)
    if count > MAX_CONFIGS:
        raise ValueError(
            f"A link holds at most {MAX_CONFIGS} configurations. Received: {count} configurations"
        )
    if not 0 <= state.selected < max(count, 1):
        raise ValueError(
            f"Argument `selected` must be an index in [0, {max(count - 1, 0)}]. "
            f"Received: selected={state.selected!r}"
        )
    params = {VERSION_KEY: VERSION}
    if state.entries:
        params[CONFIGS_KEY] = _pack([_entry_json(entry) for entry in state.entries])
    if state.selected:
        params[SELECTED_KEY] = str(state.selected)
    for key, value in state.view.items():
        params[key] = _view_text(key, value)
    length = len(urlencode(params))
    if length > MAX_LINK_CHARS:
        raise LinkTooLong("share.link_too_long", length, MAX_LINK_CHARS)
    return params


def build_link(state: SharedState, base: str = DEFAULT_BASE) -> str:
    """The full share URL: `base` with its query replaced by `encode_state(state)`.

    Raises `LinkTooLong` when the URL would exceed `MAX_LINK_CHARS`.
    """
    query = urlencode(encode_state(state))
    url = urlunsplit(urlsplit(base)._replace(query=query))
    if len(url) > MAX_LINK_CHARS:
        raise LinkTooLong("share.link_too_long", len(url), MAX_LINK_CHARS)
    return url


def _code(codes: Mapping[str, str], name: Any, what: str) -> str:
    if not isinstance(name, str):
        raise ValueError(f"A {what} must be text. Received: {name!r}")
    return codes.get(name, _UNTABLED + name)


def _entry_json(entry: Entry) -> dict[str, Any]:
    config = entry.config
    if not isinstance(config, Mapping) or not isinstance(config.get("config"), Mapping):
        raise ValueError(
            "Each entry's config must be a Keras serialize() dict with a `config` object. "
            f"Received: {config!r:.80}"
        )
    extra = sorted(str(key) for key in config if key not in KERAS_TOP_LEVEL_KEYS)
    if extra:
        raise ValueError(
            f"Unknown top-level key(s) {', '.join(extra)} in a Keras config. "
            f"Valid: {', '.join(sorted(KERAS_TOP_LEVEL_KEYS))}"
        )
    item: dict[str, Any] = {
        "k": _code(CLASS_CODES, config.get("class_name"), "class_name"),
        "p": {_code(ARG_CODES, k, "argument name"): v for k, v in config["config"].items()},
    }
    if not entry.visible:
        item["h"] = True
    module = config.get("module", KERAS_MODULE)
    if module != KERAS_MODULE:
        item["m"] = module
    if config.get("registered_name") is not None:
        item["r"] = config["registered_name"]
    return item


def _pack(value: Any) -> str:
    """Minified JSON -> zlib -> base64url without padding; `LinkTooLong` past `MAX_TEXT_BYTES`."""
    options: dict[str, Any] = {"separators": (",", ":"), "allow_nan": False}
    try:
        data = json.dumps(value, ensure_ascii=False, **options).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: \u escapes carry it exactly
        data = json.dumps(value, ensure_ascii=True, **options).encode("ascii")
    if len(data) > MAX_TEXT_BYTES:
        raise LinkTooLong("share.json_too_big", len(data), MAX_TEXT_BYTES)
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).rstrip(b"=").decode("ascii")


def _view_text(key: Any, value: Any) -> str:
    """One view option as its readable param value (the inverse of `_parse_view`)."""
    if not isinstance(key, str) or not _VIEW_KEY.fullmatch(key) or key.lower() in _RESERVED_KEYS:
        raise ValueError(
            "A view option key must match [A-Za-z][A-Za-z0-9_]{0,31} and not be one of "
            f"{', '.join(sorted(_RESERVED_KEYS))}. Received: {key!r}"
        )
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = int.__repr__(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"View option `{key}` must be a finite number. Received: {value!r}")
        text = float.__repr__(value)
    elif isinstance(value, str):
        parsed = _parse_view(value)
        text = value if isinstance(parsed, str) and parsed == value else "'" + value
    else:
        raise TypeError(
            f"View option `{key}` must be str, int, float or bool. Received: {type(value).__name__}"
        )
    if len(text) > MAX_VIEW_CHARS:
        raise ValueError(
            f"View option `{key}` must be at most {MAX_VIEW_CHARS} characters in a link. "
            f"Received: {len(text):,} characters"
        )
    return text


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


def decode_state(
    params: Mapping[str, str | list[str]],
    view_types: Mapping[str, type] | None = None,
) -> DecodedState:
    """The state a link's query params carry, read as far as possible; never raises.

    A param given several times (a list) counts with its last value. Entries come back as raw
    Keras config dicts (validating them is the caller's job). `view_types` (key -> bool, int,
    float or str) names the view options the app knows and converts their values; without it,
    every well-formed key is a view option typed by its text. Everything dropped or changed is
    reported in `notices`.
    """
    notices: list[Notice] = []
    values: dict[str, str] = {}
    for key, raw in params.items():
        value = _last_text(raw)
        if not isinstance(key, str) or value is None:
            notices.append(Notice("share.param_unreadable", {"key": _show(key)}))
        else:
            values[key] = value
            if isinstance(raw, (list, tuple)) and len(set(map(str, raw))) > 1:
                notices.append(
                    Notice(
                        "share.param_repeated",
                        {"key": _show(key), "count": len(raw), "value": _show(value)},
                    )
                )
    version, payload = values.get(VERSION_KEY), values.get(CONFIGS_KEY)
    if version is None and payload is not None:
        notices.append(Notice("share.no_version"))
        version = VERSION
    entries: list[Entry] = []
    positions: list[int] = []
    if version is not None and version != VERSION:
        notices.append(Notice("share.unknown_version", {"version": _show(version)}))
    elif payload is not None:
        entries, positions = _read_entries(payload, notices)
    elif _SELECTED_TEXT.fullmatch(values.get(SELECTED_KEY, "")):
        # Links from lrviz name a selection only beside configurations: `c` was lost or renamed.
        number = int(values[SELECTED_KEY]) + 1
        notices.append(Notice("share.selected_no_configs", {"number": number}))
    selected = _read_selected(values.get(SELECTED_KEY), positions, notices)
    view = _read_view(values, view_types, notices)
    return DecodedState(SharedState(tuple(entries), selected, view), tuple(notices))


def _last_text(raw: Any) -> str | None:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (list, tuple)) and raw and isinstance(raw[-1], str):
        return raw[-1]
    return None


def _show(value: Any, limit: int = 40) -> str:
    """Text from the link for a notice: quoted, on one line, cut to `limit` characters."""
    text = value if isinstance(value, str) else repr(value)
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text[:limit])
    return f'"{shown}…"' if len(text) > limit else f'"{shown}"'


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _read_entries(payload: str, notices: list[Notice]) -> tuple[list[Entry], list[int]]:
    """The entries in `payload` and their positions in the link's list."""
    try:
        items = _unpack(payload, notices)
    except _Unreadable as err:
        notices.append(err.notice)
        return [], []
    if len(items) > MAX_CONFIGS:
        notices.append(
            Notice(
                "share.too_many",
                {"count": len(items), "limit": MAX_CONFIGS, "dropped": len(items) - MAX_CONFIGS},
            )
        )
        items = items[:MAX_CONFIGS]
    entries, positions = [], []
    for position, item in enumerate(items):
        entry = _read_entry(position + 1, item, notices)
        if entry is not None:
            entries.append(entry)
            positions.append(position)
    return entries, positions


def _unpack(payload: str, notices: list[Notice]) -> list[Any]:
    """base64url -> zlib (bounded) -> UTF-8 -> JSON list; `_Unreadable` at the first failure."""
    if len(payload) > MAX_LINK_CHARS:
        raise _Unreadable("share.configs_too_long", length=len(payload), limit=MAX_LINK_CHARS)
    text = "".join(payload.split()).rstrip("=")  # mail clients wrap long links; padding is harmless
    bad = _NOT_BASE64URL.search(text)
    if bad:
        raise _Unreadable("share.bad_base64", position=bad.start() + 1, char=_show(bad.group()))
    if len(text) % 4 == 1:
        raise _Unreadable("share.bad_base64_length", length=len(text))
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, MAX_TEXT_BYTES + 1)
    except zlib.error as err:
        raise _Unreadable("share.bad_zlib", detail=str(err).rpartition(": ")[2]) from None
    if len(raw) > MAX_TEXT_BYTES:
        raise _Unreadable("share.too_big", limit=MAX_TEXT_BYTES)
    if not inflater.eof:
        raise _Unreadable("share.cut_off")
    if inflater.unused_data:
        notices.append(Notice("share.extra_bytes", {"count": len(inflater.unused_data)}))
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise _Unreadable("share.bad_utf8", position=err.start + 1) from None
    except json.JSONDecodeError as err:
        raise _Unreadable(
            "share.bad_json", detail=f"{err.msg} at character {err.pos + 1:,}"
        ) from None
    except RecursionError:
        raise _Unreadable("share.too_deep", limit=MAX_SCHEDULE_DEPTH) from None
    except ValueError:  # an integer with more digits than Python converts
        raise _Unreadable("share.bad_json", detail="a number is too long") from None
    if not isinstance(value, list):
        raise _Unreadable("share.not_a_list", found=_json_type(value))
    if json_depth(value) > MAX_SCHEDULE_DEPTH:
        raise _Unreadable("share.too_deep", limit=MAX_SCHEDULE_DEPTH)
    return value


def _long_name(names: Mapping[str, str], code: str) -> str:
    if code.startswith(_UNTABLED):
        return code[len(_UNTABLED) :]
    return names.get(code, code)


def _read_entry(number: int, item: Any, notices: list[Notice]) -> Entry | None:
    """One configuration of the payload, or None (with a notice) when it cannot be used."""
    if not isinstance(item, dict):
        notices.append(
            Notice("share.entry_not_object", {"number": number, "found": _json_type(item)})
        )
        return None
    if not isinstance(item.get("k"), str):
        notices.append(Notice("share.entry_no_class", {"number": number}))
        return None
    if not isinstance(item.get("p"), dict):
        notices.append(Notice("share.entry_no_args", {"number": number}))
        return None
    unknown = [key for key in item if key not in _ENTRY_FIELDS]
    if unknown:
        fields = ", ".join(_show(key) for key in unknown[:5])
        notices.append(Notice("share.entry_unknown_fields", {"number": number, "fields": fields}))
    hidden = item.get("h", False)
    if not isinstance(hidden, bool):
        notices.append(
            Notice("share.entry_bad_hidden", {"number": number, "found": _json_type(hidden)})
        )
        hidden = False
    config = {
        "module": item.get("m", KERAS_MODULE),
        "class_name": _long_name(_CLASS_NAMES, item["k"]),
        "config": {_long_name(_ARG_NAMES, key): value for key, value in item["p"].items()},
        "registered_name": item.get("r"),
    }
    return Entry(config, visible=not hidden)


def _read_selected(text: str | None, positions: list[int], notices: list[Notice]) -> int:
    """The index of the selected entry among those read; the entry `s` named if it was read."""
    if text is None:
        return 0
    if not _SELECTED_TEXT.fullmatch(text):
        notices.append(Notice("share.selected_invalid", {"value": _show(text)}))
        return 0
    if not positions:
        return 0
    wanted = int(text)
    if wanted in positions:
        return positions.index(wanted)
    # The nearest entry read before it: the last one when `s` is past the end.
    chosen = max((i for i, position in enumerate(positions) if position < wanted), default=0)
    notices.append(
        Notice(
            "share.selected_unavailable", {"number": wanted + 1, "chosen": positions[chosen] + 1}
        )
    )
    return chosen


def _read_view(
    values: Mapping[str, str], view_types: Mapping[str, type] | None, notices: list[Notice]
) -> dict[str, ViewValue]:
    view: dict[str, ViewValue] = {}
    unknown: list[str] = []
    for key, text in values.items():
        if key in (VERSION_KEY, CONFIGS_KEY, SELECTED_KEY) or key.lower() in _STREAMLIT_KEYS:
            continue
        if view_types is None:
            known = bool(_VIEW_KEY.fullmatch(key)) and key.lower() not in _RESERVED_KEYS
        else:
            known = key in view_types and view_types[key] in _TYPE_WORDS
        if not known:
            unknown.append(key)
            continue
        if len(text) > MAX_VIEW_CHARS:
            notices.append(
                Notice(
                    "share.view_too_long",
                    {"key": _show(key), "length": len(text), "limit": MAX_VIEW_CHARS},
                )
            )
            continue
        if view_types is None:
            view[key] = _parse_view(text)
            continue
        value = _typed_view(text, view_types[key])
        if value is None:
            expected = _TYPE_WORDS[view_types[key]]
            notices.append(
                Notice(
                    "share.view_bad_value",
                    {"key": _show(key), "expected": expected, "value": _show(text)},
                )
            )
            continue
        view[key] = value
    if unknown:
        keys = ", ".join(_show(key) for key in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        notices.append(Notice("share.view_unknown", {"count": len(unknown), "keys": keys}))
    return view


def _parse_view(text: str) -> ViewValue:
    """A view option's value from its readable text, typed by its form (see the docstring)."""
    if text.startswith("'"):
        return text[1:]
    if text in ("true", "false"):
        return text == "true"
    if _INT_TEXT.fullmatch(text):
        return int(text)
    if _FLOAT_TEXT.fullmatch(text):
        number = float(text)
        if math.isfinite(number):
            return number
    return text


def _typed_view(text: str, kind: type) -> ViewValue | None:
    """A view option's value as `kind`, or None when the text is not one."""
    if kind is str:
        return text[1:] if text.startswith("'") else text
    value = _parse_view(text)
    if kind is bool:
        if text in ("1", "0"):  # the usual hand-written form of a flag
            return text == "1"
        return value if isinstance(value, bool) else None
    if kind is int:
        return value if type(value) is int else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None
