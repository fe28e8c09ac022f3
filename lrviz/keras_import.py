"""The one import path: every form a Keras user holds a learning-rate schedule in.

Paste, upload, the CLI and the Python API (`lrviz.from_keras`, `lrviz.figure`, `lrviz.link`) all
read through `read_keras`, which takes

- a schedule: `keras.optimizers.schedules.serialize(s)` or the legacy `{"class_name", "config"}`;
- an optimizer: `keras.optimizers.serialize(opt)` or `opt.get_config()`;
- a compile config (`model.get_compile_config()`) or a whole model's `config.json`;
- a `.keras` file (a zip: only `config.json` is read, within bounds checked before reading;
  weights are never read, nothing is unpickled and Keras is never imported);
- JSON text or the Python-literal text `print(config)` shows (`ast.literal_eval`, never `eval`);
- a live Keras schedule, optimizer or model, duck-typed through `get_config()` /
  `get_compile_config()` and its class name;
- a list of any of these.

A schedule dug out of a container says where it came from; an optimizer with a constant learning
rate says so (there is nothing to draw). tf_keras's `"name": null` opens with the class's default
name and a note; `__tensor__` / `__numpy__` wrapped arguments (numpy-typed values) are unwrapped.
"""

from __future__ import annotations

import ast
import io
import os
import stat
import struct
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from lrviz.engine import SCHEDULES, Schedule
from lrviz.engine.validate import short_value
from lrviz.errors import ConfigError, Phrase
from lrviz.keras_json import from_keras as schedule_from_config
from lrviz.keras_json import json_depth, parse_json_text
from lrviz.limits import (
    KERAS_MODULE,
    MAX_ARCHIVE_BYTES,
    MAX_ARCHIVE_MEMBERS,
    MAX_CONFIGS,
    MAX_DOCUMENT_DEPTH,
    MAX_MODEL_CONFIG_BYTES,
    MAX_SCHEDULE_DEPTH,
    MAX_TEXT_BYTES,
)

MODEL_CONFIG_MEMBER = "config.json"
UPLOAD_TYPES = ("json", "keras", "txt")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_EOCD = struct.Struct("<4s4H2LH")  # the zip's end-of-central-directory record
_EOCD_SEARCH = 65_536 + _EOCD.size  # the record sits within the last 64 KiB + its size
_WRAPPED_VALUES = ("__tensor__", "__numpy__")  # how Keras serializes numpy-typed arguments
_LIST_ARGUMENTS = ("boundaries", "values")
_NUMPY_SCALARS = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8")
_NUMPY_SCALARS += ("uint16", "uint32", "uint64", "bool_")
_MODEL_CLASSES = ("Sequential", "Functional", "Model")


@dataclass(frozen=True)
class Found:
    """One schedule and where it was found (None when the input was the schedule itself)."""

    schedule: Schedule
    origin: Phrase | None = None


@dataclass(frozen=True)
class Imported:
    """What an input holds: its schedules in order, and notes on what was read around them."""

    found: tuple[Found, ...]
    notes: tuple[Phrase, ...] = ()

    @property
    def schedules(self) -> list[Schedule]:
        return [f.schedule for f in self.found]

    def messages(self, lang: str = "en", escape: Callable[[str], str] | None = None) -> list[str]:
        """Where each schedule came from and every note, worded in `lang`.

        `escape` (e.g. for Markdown) is applied to the text that came from the input (names,
        file names, values), not to lrviz's own words.
        """
        phrases = [
            Phrase("import.found", {"name": f.schedule.name, "origin": f.origin})
            for f in self.found
            if f.origin is not None
        ]
        phrases += self.notes
        if escape is not None:
            phrases = [_escaped(phrase, escape) for phrase in phrases]
        return [_capitalised(phrase.text(lang)) for phrase in phrases]


def _escaped(value: Any, escape: Callable[[str], str]) -> Any:
    if isinstance(value, Phrase):
        return Phrase(value.key, {k: _escaped(v, escape) for k, v in value.params.items()})
    return escape(value) if isinstance(value, str) else value


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# Bytes, text, files and archives to a document (plain JSON-like values)
# ---------------------------------------------------------------------------------------------


def is_archive(data: bytes) -> bool:
    """Whether `data` begins like a zip file (a `.keras` model)."""
    return data[:4] in _ZIP_MAGIC


def _check_central_directory(file: IO[bytes]) -> None:
    """Refuse an archive with too many members before `zipfile` parses its directory."""
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(max(0, size - _EOCD_SEARCH))
    tail = file.read(_EOCD_SEARCH)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        raise ConfigError("error.archive_unreadable", detail="no zip directory")
    *_, entries, directory_size, _offset, _comment = _EOCD.unpack_from(tail, at)
    if entries > MAX_ARCHIVE_MEMBERS or directory_size > MAX_ARCHIVE_MEMBERS * 1024:
        # A count of 0xFFFF means zip64; no .keras within the size limit needs it.
        raise ConfigError("error.archive_members", count=entries, limit=MAX_ARCHIVE_MEMBERS)
    file.seek(0)


def read_archive(file: IO[bytes]) -> bytes:
    """The bytes of `config.json` in a `.keras` zip; member count and size bounded first.

    The declared uncompressed size is checked before reading, and the read itself stops one byte
    past the limit, so a zip bomb (or a header that lies) costs at most the limit.
    """
    _check_central_directory(file)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise ConfigError(
                    "error.archive_members", count=len(members), limit=MAX_ARCHIVE_MEMBERS
                )
            member = next((m for m in members if m.filename == MODEL_CONFIG_MEMBER), None)
            if member is None:
                raise ConfigError("error.archive_no_config", member=MODEL_CONFIG_MEMBER)
            if member.file_size > MAX_MODEL_CONFIG_BYTES:
                raise ConfigError(
                    "error.archive_config_too_large",
                    member=MODEL_CONFIG_MEMBER,
                    size=member.file_size,
                    limit=MAX_MODEL_CONFIG_BYTES,
                )
            with archive.open(member) as stream:
                data = stream.read(MAX_MODEL_CONFIG_BYTES + 1)
    except ConfigError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as err:
        raise ConfigError("error.archive_unreadable", detail=short_value(str(err), 80)) from None
    except (EOFError, OSError, ValueError) as err:
        raise ConfigError("error.archive_unreadable", detail=short_value(str(err), 80)) from None
    if len(data) > MAX_MODEL_CONFIG_BYTES:
        raise ConfigError(
            "error.archive_config_too_large",
            member=MODEL_CONFIG_MEMBER,
            size=len(data),
            limit=MAX_MODEL_CONFIG_BYTES,
        )
    return data


def _python_value(node: Any) -> Any:
    """A literal's value as JSON would hold it: tuples as lists; sets, bytes, complex refused."""
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                raise ConfigError("error.literal_unusable", value=short_value(item))
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif item is not None and not isinstance(item, (bool, int, float, str)):
            raise ConfigError("error.literal_unusable", value=short_value(repr(item)))
    return _lists(node)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(item) for item in value]
    return value


class _NumpyScalars(ast.NodeTransformer):
    """`np.float32(0.001)` (how NumPy 2 prints a numpy scalar inside a dict) as its number.

    Only a call of a numpy scalar type on one number literal is rewritten; `literal_eval`
    still refuses every other call, name or operation.
    """

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("np", "numpy")
            and func.attr in _NUMPY_SCALARS
            and len(node.args) == 1
            and not node.keywords
        ):
            argument = node.args[0]
            if isinstance(argument, ast.UnaryOp) and isinstance(argument.op, ast.USub):
                argument = argument.operand
            if isinstance(argument, ast.Constant) and type(argument.value) in (int, float):
                return node.args[0]
        return self.generic_visit(node)


def parse_text(text: str | bytes, *, max_bytes: int = MAX_TEXT_BYTES) -> Any:
    """JSON text, or the Python-literal text `print(config)` shows, within the limits."""
    try:
        return parse_json_text(text, max_bytes=max_bytes, max_depth=MAX_DOCUMENT_DEPTH)
    except ConfigError as err:
        if err.key != "error.json_invalid":
            raise
        json_error = err
    source = text.decode("utf-8-sig") if isinstance(text, (bytes, bytearray)) else str(text)
    try:
        # After parse_json_text's size check; ast's parser refuses nesting past ~200 itself.
        tree = _NumpyScalars().visit(ast.parse(source.strip(), mode="eval"))
        value = ast.literal_eval(tree)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise json_error from None
    if not isinstance(value, (dict, list, tuple)):
        raise json_error
    if json_depth(value) > MAX_DOCUMENT_DEPTH:
        raise ConfigError("error.json_too_deep", limit=MAX_DOCUMENT_DEPTH)
    return _python_value(value)


def parse_bytes(data: bytes) -> Any:
    """A document from bytes: a `.keras` zip's `config.json`, else JSON or Python-literal text."""
    if is_archive(data):
        if len(data) > MAX_ARCHIVE_BYTES:
            raise ConfigError("error.archive_too_large", size=len(data), limit=MAX_ARCHIVE_BYTES)
        config = read_archive(io.BytesIO(data))
        return parse_json_text(
            config, max_bytes=MAX_MODEL_CONFIG_BYTES, max_depth=MAX_DOCUMENT_DEPTH
        )
    return parse_text(data)


def read_file(path: str | os.PathLike[str]) -> Any:
    """A document from a file, read bounded: a regular file only, its size checked on the open
    handle before reading, and the read itself stopped past the limit.

    A FIFO, a device (/dev/zero) or a directory is refused without reading (opening does not
    block: O_NONBLOCK). Raises `ConfigError` for what is in the file, `OSError` when it cannot be
    opened.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError("error.not_regular_file")
        head = file.read(4)
        if is_archive(head):
            if info.st_size > MAX_ARCHIVE_BYTES:
                raise ConfigError(
                    "error.archive_too_large", size=info.st_size, limit=MAX_ARCHIVE_BYTES
                )
            config = read_archive(file)
            return parse_json_text(
                config, max_bytes=MAX_MODEL_CONFIG_BYTES, max_depth=MAX_DOCUMENT_DEPTH
            )
        if info.st_size > MAX_TEXT_BYTES:
            raise ConfigError("error.text_too_large", size=info.st_size, limit=MAX_TEXT_BYTES)
        # The file may grow between fstat and read: read at most one byte past the limit.
        return parse_text(head + file.read(MAX_TEXT_BYTES + 1 - len(head)))


# ---------------------------------------------------------------------------------------------
# Live objects and numpy values to plain values
# ---------------------------------------------------------------------------------------------


def _plain(value: Any, depth: int = 0) -> Any:
    """Numpy (or backend tensor) scalars and arrays as Python numbers and lists, dicts as dicts."""
    if depth > MAX_DOCUMENT_DEPTH:
        raise ConfigError("error.json_too_deep", limit=MAX_DOCUMENT_DEPTH)
    if isinstance(value, Mapping):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if hasattr(value, "dtype") and callable(getattr(value, "tolist", None)):
        plain = value.tolist()
        return _float32_text(plain) if str(value.dtype) == "float32" else plain
    return value


def _live(obj: Any) -> Any:
    """The config dict of a live Keras schedule, optimizer or model (Keras is never imported)."""
    kind = type(obj).__name__
    get_compile_config = getattr(obj, "get_compile_config", None)
    if callable(get_compile_config):
        compiled = get_compile_config()
        if compiled is None:
            raise ConfigError("error.model_not_compiled", kind=kind)
        return {"compile_config": _plain(compiled)}
    get_config = getattr(obj, "get_config", None)
    if not callable(get_config):
        raise ConfigError("error.live_unknown", kind=kind)
    config = _plain(get_config())
    if kind in SCHEDULES or (isinstance(config, Mapping) and "learning_rate" in config):
        return {"class_name": kind, "config": config}
    raise ConfigError("error.live_unknown", kind=kind)


def document(source: Any) -> Any:
    """Any accepted input as a plain document: text, bytes, a path, a dict or list, a live object."""
    if isinstance(source, os.PathLike):
        return read_file(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return parse_bytes(bytes(source))
    if isinstance(source, str):
        return parse_text(source)
    if isinstance(source, (Mapping, list, tuple)):
        value = _plain(source)
        if json_depth(value) > MAX_DOCUMENT_DEPTH:
            raise ConfigError("error.json_too_deep", limit=MAX_DOCUMENT_DEPTH)
        return value
    return _live(source)


# ---------------------------------------------------------------------------------------------
# Finding the schedules in a document
# ---------------------------------------------------------------------------------------------


def _unwrap(field: str, value: Any) -> Any:
    """A `__tensor__` / `__numpy__` argument's value; float32 values at their shortest text."""
    if not (isinstance(value, Mapping) and value.get("class_name") in _WRAPPED_VALUES):
        if isinstance(value, list) and field in _LIST_ARGUMENTS:
            return [_unwrap(f"{field}[{i}]", item) for i, item in enumerate(value)]
        return value
    inner = value.get("config")
    if not isinstance(inner, Mapping) or "value" not in inner:
        raise ConfigError("error.wrapped_value", field=field)
    unwrapped = inner["value"]
    if isinstance(unwrapped, list) and field not in _LIST_ARGUMENTS:
        raise ConfigError("error.array_for_scalar", field=field, value=short_value(unwrapped))
    if inner.get("dtype") == "float32":
        unwrapped = _float32_text(unwrapped)
    return _unwrap(field, unwrapped) if isinstance(unwrapped, list) else unwrapped


def _float32_text(value: Any) -> Any:
    """A float32 value as the float its shortest text reads back as (0.0010000000474974513 ->
    0.001): Keras rounds both to the same float32, and the export stays readable."""
    if isinstance(value, list):
        return [_float32_text(item) for item in value]
    if isinstance(value, float) and np.isfinite(value):
        return float(str(np.float32(value)))
    return value


def _schedule(config: Any, origin: Phrase | None, notes: list[Phrase]) -> Found:
    """A schedule config (numpy values unwrapped, a null name defaulted) to a `Found`."""
    if not isinstance(config, Mapping):
        raise ConfigError("error.not_an_object", value=short_value(config))
    if (
        json_depth(config) > MAX_SCHEDULE_DEPTH
    ):  # a schedule, __tensor__ wrappers included, nests ~6
        raise ConfigError("error.json_too_deep", limit=MAX_SCHEDULE_DEPTH)
    if isinstance(config.get("config"), Mapping):
        class_name = config.get("class_name")
        inner = {key: _unwrap(str(key), value) for key, value in config["config"].items()}
        if isinstance(class_name, str) and class_name in SCHEDULES and inner.get("name", 0) is None:
            default = SCHEDULES[class_name].param("name").default
            inner["name"] = default
            notes.append(Phrase("import.name_null", {"class_name": class_name, "name": default}))
        config = {**config, "config": inner}
    return Found(schedule_from_config(config), origin)


def _optimizer_name(config: Mapping[str, Any], class_name: Any) -> str:
    if isinstance(class_name, str):
        return class_name
    name = config.get("name")
    return name if isinstance(name, str) else "optimizer"


def _in(origin: Phrase, source: str | None) -> Phrase:
    return Phrase("import.in_source", {"what": origin, "source": source}) if source else origin


def _optimizer(
    config: Mapping[str, Any], class_name: Any, source: str | None, notes: list[Phrase]
) -> list[Found]:
    """The schedule of an optimizer's config (`get_config()` or serialize's inner `config`)."""
    name = _optimizer_name(config, class_name)
    inner = config.get("inner_optimizer")  # LossScaleOptimizer wraps the real one
    if isinstance(inner, Mapping) and isinstance(inner.get("config"), Mapping):
        return _optimizer(inner["config"], inner.get("class_name"), source, notes)
    where = _in(Phrase("import.learning_rate_of", {"optimizer": name}), source)
    rate = _unwrap("learning_rate", config.get("learning_rate"))
    if isinstance(rate, Mapping):
        try:
            return [_schedule(rate, where, notes)]
        except ConfigError as err:
            raise ConfigError("error.in_origin", origin=where, error=err) from None
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        rate = _float32_text(rate)  # Keras keeps it in a float32 variable
        notes.append(Phrase("import.constant_rate", {"what": where, "rate": short_value(rate)}))
        return []
    raise ConfigError("error.in_origin", origin=where, error=_bad_rate(rate))


def _bad_rate(rate: Any) -> ConfigError:
    return ConfigError("error.learning_rate_unusable", value=short_value(rate))


def _compile_config(config: Any, source: str | None, notes: list[Phrase]) -> list[Found]:
    """The schedule of a compile config's optimizer."""
    if not isinstance(config, Mapping):
        notes.append(_in(Phrase("import.not_compiled"), source))
        return []
    optimizer = config.get("optimizer")
    if isinstance(optimizer, str):
        notes.append(_in(Phrase("import.optimizer_by_name", {"optimizer": optimizer}), source))
        return []
    if isinstance(optimizer, Mapping) and isinstance(optimizer.get("config"), Mapping):
        return _optimizer(optimizer["config"], optimizer.get("class_name"), source, notes)
    notes.append(_in(Phrase("import.not_compiled"), source))
    return []


def _one(value: Any, source: str | None, notes: list[Phrase]) -> list[Found]:
    """The schedules of one document that is not a list."""
    if not isinstance(value, Mapping):
        return [_schedule(value, None, notes)]  # refused: not an object
    class_name = value.get("class_name")
    inner = value.get("config")
    is_schedule = (isinstance(class_name, str) and class_name in SCHEDULES) or value.get(
        "module"
    ) == KERAS_MODULE
    if not is_schedule:
        if "compile_config" in value or "build_config" in value or class_name in _MODEL_CLASSES:
            return _compile_config(value.get("compile_config"), source, notes)
        if isinstance(inner, Mapping) and ("learning_rate" in inner or "inner_optimizer" in inner):
            return _optimizer(inner, class_name, source, notes)
        if "class_name" not in value and ("learning_rate" in value or "inner_optimizer" in value):
            return _optimizer(value, None, source, notes)
        if "class_name" not in value and "optimizer" in value:
            return _compile_config(value, source, notes)
    return [_schedule(value, None, notes)]


def find_schedules(value: Any, source: str | None = None) -> Imported:
    """Every schedule in a document (one of the accepted forms, or a list of them)."""
    notes: list[Phrase] = []
    if not isinstance(value, list):
        found = _one(value, source, notes)
    elif not value:
        raise ConfigError("error.list_empty")
    elif len(value) > MAX_CONFIGS:
        raise ConfigError("error.list_too_many", count=len(value), limit=MAX_CONFIGS)
    else:
        found = []
        for index, item in enumerate(value):
            try:
                found.extend(_one(item, source, notes))
            except ConfigError as err:
                raise ConfigError(
                    "error.in_item", number=index + 1, count=len(value), error=err
                ) from None
    if not found:
        detail = notes[0] if notes else ""
        raise ConfigError("error.no_schedule", detail=detail)
    if len(found) > MAX_CONFIGS:
        raise ConfigError("error.list_too_many", count=len(found), limit=MAX_CONFIGS)
    return Imported(tuple(found), tuple(notes))


def read_keras(source: Any, source_name: str | None = None) -> Imported:
    """Every schedule in any accepted input (see the module's docstring); `ConfigError` else.

    `source_name` (a file's name) is quoted in where a schedule came from. A `pathlib.Path` is
    read as a file (its name quoted); a `str` is always text.
    """
    if isinstance(source, os.PathLike) and source_name is None:
        source_name = os.path.basename(os.fspath(source))
    return find_schedules(document(source), source_name)


def read_all(sources: Sequence[Any]) -> list[Schedule]:
    """The schedules of several inputs, in order (at most `MAX_CONFIGS` in all)."""
    schedules = [s for source in sources for s in read_keras(source).schedules]
    if len(schedules) > MAX_CONFIGS:
        raise ConfigError("error.list_too_many", count=len(schedules), limit=MAX_CONFIGS)
    return schedules


def from_keras(source: Any) -> Schedule:
    """The one schedule in any accepted input (a schedule, an optimizer, a model, a `.keras` file,
    text, a live Keras object); `ConfigError` when it holds none or several."""
    found = read_keras(source).found
    if len(found) != 1:
        raise ConfigError("error.several_schedules", count=len(found))
    return found[0].schedule
