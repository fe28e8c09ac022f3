"""The open configurations and the view options: pure operations, no Streamlit.

A `Studio` is the single source of truth of the app: an ordered tuple of `OpenConfig` (a
validated Keras `serialize()` dict, a stable id, a visible flag and a stable colour index), the
selected id, and the `View` options. Every operation returns a new `Studio` or raises
`ConfigError` and changes nothing, so a bad edit or import can never lose what is open.

`to_shared` / `from_link` translate a studio to and from a share link (`lrviz.share`), with the
view options written only where they differ from the defaults.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

from lrviz.engine import FIRST_CLASS, PATHS, SCHEDULES, ParamSpec, Schedule
from lrviz.errors import ConfigError, localised
from lrviz.i18n import LANGUAGES, t
from lrviz.keras_import import Imported, read_keras
from lrviz.keras_json import default_config, from_keras
from lrviz.limits import MAX_CONFIGS, MAX_NAME_CHARS, MAX_STEPS, PAGE_IMAGE_FORMATS
from lrviz.literal import inline_markdown_text, markdown_text
from lrviz.share import DecodedState, Entry, SharedState
from lrviz.sweep import SWEEP_TEXT

MODES = ("overlay", "side", "diff")
X_UNITS = ("steps", "epochs")

Message = tuple[str, Mapping[str, Any]]
"""A message for the user: a locale key (`lrviz.share` notices' ids are ones too) and its params."""


class TooManyConfigs(ConfigError):
    """Opening more configurations would exceed `MAX_CONFIGS`."""

    def __init__(self, open_count: int, adding: int) -> None:
        super().__init__(
            "error.too_many_open", open_count=open_count, adding=adding, limit=MAX_CONFIGS
        )
        self.open_count = open_count
        self.adding = adding


@dataclass(frozen=True)
class View:
    """How the configurations are shown. Field metadata `key` is the link parameter."""

    lang: str = field(default="en", metadata={"key": "lang"})
    log_y: bool = field(default=False, metadata={"key": "logy"})
    x_unit: str = field(default="steps", metadata={"key": "x"})
    steps_per_epoch: int = field(default=1000, metadata={"key": "spe"})
    horizon: int = field(default=0, metadata={"key": "h"})  # 0: automatic
    zoom_from: int = field(default=0, metadata={"key": "from"})  # first step shown
    zoom_to: int = field(default=0, metadata={"key": "to"})  # last step shown; 0: the horizon
    mode: str = field(default="overlay", metadata={"key": "mode"})
    reference: int = field(default=0, metadata={"key": "ref"})  # index into the open configs
    at_step: int = field(default=1000, metadata={"key": "at"})
    image_format: str = field(default="png", metadata={"key": "img"})
    # Translations of the selected configuration drawn on the chart: positions, comma-separated.
    companions: str = field(default="", metadata={"key": "tr"})
    # Where the curve runs (`lrviz.engine.PATHS`): eager Keras, compiled (JAX fit), tf-xla or
    # tf-graph (TensorFlow's tf.function with or without XLA).
    run: str = field(default="eager", metadata={"key": "run"})
    # A sweep of the selected configuration: `param:v1,v2,...` (see `lrviz.sweep`); "" for none.
    sweep: str = field(default="", metadata={"key": "sw"})

    def checked(self) -> View:
        """This view with every option inside its range (`ValueError` names the first that is not)."""
        checks = {
            "lang": self.lang in LANGUAGES,
            "x_unit": self.x_unit in X_UNITS,
            "mode": self.mode in MODES,
            "image_format": self.image_format in PAGE_IMAGE_FORMATS,
            "steps_per_epoch": 1 <= self.steps_per_epoch <= MAX_STEPS,
            "horizon": 0 <= self.horizon <= MAX_STEPS,
            "zoom_from": 0 <= self.zoom_from <= MAX_STEPS,
            "zoom_to": 0 <= self.zoom_to <= MAX_STEPS,
            "at_step": 0 <= self.at_step <= MAX_STEPS,
            "reference": 0 <= self.reference < MAX_CONFIGS,
            "run": self.run in PATHS,
            "companions": re.fullmatch(r"([0-9]{1,2}(,[0-9]{1,2})*)?", self.companions) is not None,
            "sweep": not self.sweep or SWEEP_TEXT.fullmatch(self.sweep) is not None,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(name)
        return self


COLOURS_KEY = "col"
VIEW_TYPES: dict[str, type] = {
    **{f.metadata["key"]: type(f.default) for f in fields(View)},
    COLOURS_KEY: str,
}
"""The link parameters of the view (for `lrviz.share.decode_state`) and their types."""
_VIEW_FIELDS = {f.metadata["key"]: f.name for f in fields(View)}


@dataclass(frozen=True)
class OpenConfig:
    """One open configuration. `config` is a validated Keras dict: never mutate it."""

    id: int
    config: Mapping[str, Any]
    visible: bool = True
    colour: int = 0

    @property
    def name(self) -> str:
        return str(self.config["config"]["name"])

    @property
    def class_name(self) -> str:
        return str(self.config["class_name"])

    def schedule(self) -> Schedule:
        """The engine's schedule of this configuration (built once: entries never change)."""
        return self._schedule

    @cached_property
    def _schedule(self) -> Schedule:
        return from_keras(self.config)


@dataclass(frozen=True)
class Studio:
    """Everything open: configurations in order, the selected one's id, the view options."""

    entries: tuple[OpenConfig, ...] = ()
    selected: int | None = None
    view: View = View()
    next_id: int = 0

    def find(self, entry_id: int) -> OpenConfig:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)

    def index(self, entry_id: int) -> int:
        return [e.id for e in self.entries].index(entry_id)

    @property
    def current(self) -> OpenConfig | None:
        """The selected configuration (None when nothing is open)."""
        for entry in self.entries:
            if entry.id == self.selected:
                return entry
        return None

    @property
    def reference(self) -> OpenConfig | None:
        """The configuration the difference view compares against (the first if out of range)."""
        if not self.entries:
            return None
        position = self.view.reference
        return self.entries[position if position < len(self.entries) else 0]

    def visible(self) -> tuple[OpenConfig, ...]:
        return tuple(e for e in self.entries if e.visible)


# ---------------------------------------------------------------------------------------------
# Building and editing
# ---------------------------------------------------------------------------------------------


def starter_studio(view: View | None = None) -> Studio:
    """The first look: a CosineDecay with warmup, selected."""
    return add(Studio(view=view or View()), FIRST_CLASS)


def unique_name(name: str, taken: Iterable[str]) -> str:
    """`name`, or `name_2`, `name_3`, ... (cut to Keras-friendly length) when it is taken.

    The suffix keeps a name TensorFlow accepts as a scope name one it accepts.
    """
    used = set(taken)
    if name not in used:
        return name
    number = 2
    while True:
        suffix = f"_{number}"
        candidate = name[: MAX_NAME_CHARS - len(suffix)] + suffix
        if candidate not in used:
            return candidate
        number += 1


def _free_colour(entries: Sequence[OpenConfig]) -> int:
    """The lowest colour index no open configuration uses: colours never move once given."""
    used = {e.colour for e in entries}
    return next(i for i in range(len(entries) + 1) if i not in used)


def _append(studio: Studio, configs: Sequence[Mapping[str, Any]], select: bool) -> Studio:
    if len(studio.entries) + len(configs) > MAX_CONFIGS:
        raise TooManyConfigs(len(studio.entries), len(configs))
    entries = list(studio.entries)
    next_id = studio.next_id
    for config in configs:
        entries.append(OpenConfig(next_id, config, True, _free_colour(entries)))
        next_id += 1
    selected = entries[-1].id if select and configs else studio.selected
    if selected is None and entries:
        selected = entries[0].id
    return replace(studio, entries=tuple(entries), selected=selected, next_id=next_id)


def _renamed(config: Mapping[str, Any], name: str) -> dict[str, Any]:
    return from_keras({**config, "config": {**config["config"], "name": name}}).to_keras()


def add(studio: Studio, class_name: str) -> Studio:
    """A new configuration of `class_name` with sensible starting values, selected."""
    config = default_config(class_name)
    config = _renamed(config, unique_name(config["config"]["name"], _names(studio)))
    return _append(studio, [config], select=True)


def open_config(studio: Studio, config: Mapping[str, Any]) -> Studio:
    """Open a Keras config as a new configuration (named apart from the open ones), selected."""
    config = _renamed(config, unique_name(config["config"]["name"], _names(studio)))
    return _append(studio, [config], select=True)


def duplicate(studio: Studio, entry_id: int) -> Studio:
    """A copy of a configuration (named `... (2)`), inserted after it and selected."""
    source = studio.find(entry_id)
    if len(studio.entries) >= MAX_CONFIGS:
        raise TooManyConfigs(len(studio.entries), 1)
    config = _renamed(source.config, unique_name(source.name, _names(studio)))
    copy = OpenConfig(studio.next_id, config, True, _free_colour(studio.entries))
    position = studio.index(entry_id) + 1
    entries = list(studio.entries)
    entries.insert(position, copy)
    reference = studio.view.reference
    view = replace(studio.view, reference=reference + 1 if position <= reference else reference)
    return replace(
        studio, entries=tuple(entries), selected=copy.id, next_id=studio.next_id + 1, view=view
    )


def delete(studio: Studio, entry_id: int) -> Studio:
    """Close a configuration; the selection moves to its neighbour."""
    position = studio.index(entry_id)
    entries = studio.entries[:position] + studio.entries[position + 1 :]
    selected = studio.selected
    if selected == entry_id:
        selected = entries[min(position, len(entries) - 1)].id if entries else None
    reference = studio.view.reference
    if position < reference or (position == reference and reference >= len(entries)):
        reference = max(0, reference - 1)
    view = replace(studio.view, reference=reference)
    return replace(studio, entries=entries, selected=selected, view=view)


def select(studio: Studio, entry_id: int) -> Studio:
    studio.find(entry_id)
    return replace(studio, selected=entry_id)


def set_visible(studio: Studio, entry_id: int, visible: bool) -> Studio:
    return _replace_entry(studio, replace(studio.find(entry_id), visible=bool(visible)))


def set_params(studio: Studio, entry_id: int, **changes: Any) -> Studio:
    """Change constructor arguments (validated as an import would be; `ConfigError` otherwise)."""
    entry = studio.find(entry_id)
    schedule = entry.schedule().replace(**changes)
    return _replace_entry(studio, replace(entry, config=schedule.to_keras()))


def rename(studio: Studio, entry_id: int, name: str) -> Studio:
    """Rename: the name is Keras's `name` argument and the legend label."""
    return set_params(studio, entry_id, name=name)


def set_view(studio: Studio, **changes: Any) -> Studio:
    return replace(studio, view=replace(studio.view, **changes))


def import_found(studio: Studio, imported: Imported) -> Studio:
    """Open every schedule `keras_import.read_keras` found; the first one is selected.

    Raises `TooManyConfigs` past the limit; the studio is then unchanged.
    """
    configs = [schedule.to_keras() for schedule in imported.schedules]
    opened = _append(studio, configs, select=False)
    return replace(opened, selected=opened.entries[len(studio.entries)].id)


def import_text(studio: Studio, text: str | bytes, source_name: str | None = None) -> Studio:
    """Open every schedule in text or file bytes: any form `keras_import.read_keras` reads
    (a schedule or a list, an optimizer, a compile or model config, a `.keras` file).

    Raises `ConfigError` naming the bad field and item; the studio is then unchanged.
    """
    return import_found(studio, read_keras(text, source_name))


def _replace_entry(studio: Studio, new: OpenConfig) -> Studio:
    entries = tuple(new if e.id == new.id else e for e in studio.entries)
    return replace(studio, entries=entries)


def _names(studio: Studio) -> list[str]:
    return [e.name for e in studio.entries]


def revive_value(spec: ParamSpec, class_name: str, remembered: Any = None) -> Any:
    """The value a nullable argument gets when the user switches it from None back to a number."""
    if remembered is not None:
        return remembered
    starter = SCHEDULES[class_name].starter.get(spec.name) if class_name in SCHEDULES else None
    if starter is not None:
        return starter
    return spec.slider_min if spec.slider_min is not None else spec.minimum or 0.0


# ---------------------------------------------------------------------------------------------
# Tables of list arguments (PiecewiseConstantDecay boundaries and values)
# ---------------------------------------------------------------------------------------------


def list_params(class_name: str) -> tuple[ParamSpec, ...]:
    """The list-valued arguments of a class: they are edited together as one table."""
    return tuple(p for p in SCHEDULES[class_name].params if p.kind in ("float_list", "steps_list"))


def table_rows(config: Mapping[str, Any], specs: Sequence[ParamSpec]) -> list[dict[str, Any]]:
    """One row per index, one column per list argument; shorter lists end in empty cells."""
    lists = [list(config[s.name]) for s in specs]
    length = max((len(v) for v in lists), default=0)
    return [
        {s.name: (v[i] if i < len(v) else None) for s, v in zip(specs, lists)}
        for i in range(length)
    ]


def lists_from_table(
    rows: Sequence[Mapping[str, Any]], specs: Sequence[ParamSpec]
) -> dict[str, list[Any]]:
    """The lists a table's columns hold: filled cells top to bottom, then only empty cells.

    Whole numbers stay `int` for steps; numbers stay as typed for learning rates (a float cell
    that holds a whole number is written as a float). `ConfigError` names a gap or a bad cell.
    """
    result: dict[str, list[Any]] = {}
    for spec in specs:
        cells = [_cell(row.get(spec.name)) for row in rows]
        while cells and cells[-1] is None:
            cells.pop()
        if None in cells:
            row = cells.index(None)
            raise ConfigError("error.table_gap", field=spec.name, row=row + 1)
        result[spec.name] = [_typed(spec, value) for value in cells]
    return result


def _cell(value: Any) -> Any:
    """A table cell, with the empty markers pandas and the editor use turned into None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if hasattr(value, "item"):  # numpy scalars from pandas
        return value.item()
    return value


def _typed(spec: ParamSpec, value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ConfigError("error.table_not_number", field=spec.name, value=value[:40]) from None
    if spec.kind == "steps_list" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---------------------------------------------------------------------------------------------
# Share links
# ---------------------------------------------------------------------------------------------


def to_shared(studio: Studio) -> SharedState:
    """What the page URL carries: the configurations, the selection and non-default view options."""
    entries = tuple(Entry(dict(e.config), e.visible) for e in studio.entries)
    selected = studio.index(studio.selected) if studio.current else 0
    defaults = View()
    view: dict[str, Any] = {
        f.metadata["key"]: getattr(studio.view, f.name)
        for f in fields(View)
        if getattr(studio.view, f.name) != getattr(defaults, f.name)
    }
    colours = [e.colour for e in studio.entries]
    if colours != list(range(len(colours))):
        view[COLOURS_KEY] = ".".join(str(c) for c in colours)
    return SharedState(entries, selected, view)


def from_link(
    params: Mapping[str, str | list[str]], decoded: DecodedState
) -> tuple[Studio, list[Message]]:
    """A studio from a link's decoded state; every config is validated, nothing ever raises.

    Whatever cannot be used becomes a message; a link without configurations gives the starter.
    """
    messages: list[Message] = [(n.id, n.params) for n in decoded.notices]
    view, view_messages = _view_from(decoded.state.view)
    messages += view_messages
    shared = decoded.state
    if "c" not in params:
        return starter_studio(view), messages
    entries: list[OpenConfig] = []
    kept: list[int] = []
    for position, entry in enumerate(shared.entries):
        try:
            config = from_keras(entry.config).to_keras()
        except ConfigError as err:
            name = entry.config.get("config", {}).get("name") if entry.config else None
            if isinstance(name, str):
                messages.append(
                    ("link.bad_config", {"number": position + 1, "name": name, "error": err})
                )
            else:
                messages.append(("link.bad_config_unnamed", {"number": position + 1, "error": err}))
            continue
        entries.append(OpenConfig(len(entries), config, entry.visible, len(entries)))
        kept.append(position)
    entries = _with_colours(entries, shared.view.get(COLOURS_KEY), messages)
    selected = None
    if entries:
        chosen = max((i for i, p in enumerate(kept) if p <= shared.selected), default=0)
        selected = entries[chosen].id
    if view.reference >= max(len(entries), 1):
        view = replace(view, reference=0)
    studio = Studio(tuple(entries), selected, view, len(entries))
    return studio, messages


def _view_from(options: Mapping[str, Any]) -> tuple[View, list[Message]]:
    messages: list[Message] = []
    view = View()
    for key, value in options.items():
        if key not in _VIEW_FIELDS:
            continue
        try:
            view = replace(view, **{_VIEW_FIELDS[key]: value}).checked()
        except ValueError:
            messages.append(("link.bad_view", {"option": key, "value": str(value)[:40]}))
    return view, messages


def _with_colours(
    entries: list[OpenConfig], text: Any, messages: list[Message]
) -> list[OpenConfig]:
    if text is None:
        return entries
    parts = str(text).split(".")
    digits = all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts)
    if not digits or len(parts) != len({int(p) for p in parts}):
        messages.append(("link.bad_view", {"option": COLOURS_KEY, "value": str(text)[:40]}))
        return entries
    if len(parts) != len(entries):  # some configs were dropped: the colours no longer match
        return entries
    return [replace(e, colour=int(c)) for e, c in zip(entries, parts)]


def message_text(message: Message, lang: str) -> str:
    """A message in the user's language (share notices' ids are locale keys too)."""
    key, params = message
    return t(key, lang, **localised(params, lang))


# ---------------------------------------------------------------------------------------------
# Slider grids and text for widgets
# ---------------------------------------------------------------------------------------------

LOG_MANTISSAS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
LINEAR_POINTS = 100


def slider_grid(spec: ParamSpec, value: Any = None) -> tuple[int | float, ...]:
    """The positions of a parameter's slider, from its spec: a 1-1.2-1.5-2-2.5-3-4-5-6-8 log
    grid (with 0 where 0 is allowed) when `spec.log`, else about 100 round linear steps.

    `value` (the exact current value) is always one of the positions, so the slider shows what
    the exact entry holds and never snaps it; a log grid also widens by whole decades to reach it.
    """
    low = spec.slider_min if spec.slider_min is not None else spec.minimum or 0.0
    high = spec.slider_max if spec.slider_max is not None else spec.maximum or 1.0
    steps = spec.kind == "steps"
    if not spec.log:
        return _with_value(_linear_grid(low, high, steps), value, steps)
    positive = low if low > 0 else (1 if steps else high / 1e6)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        positive = min(positive, value)
        high = max(high, value)
    grid: list[int | float] = []
    for exponent in range(math.floor(math.log10(positive)), math.ceil(math.log10(high)) + 1):
        for mantissa in LOG_MANTISSAS:
            number = float(f"{mantissa}e{exponent}")
            if positive <= number <= high or _same(number, positive) or _same(number, high):
                grid.append(round(number) if steps else number)
    if spec.minimum == 0 and not spec.exclusive_minimum:
        grid.insert(0, 0 if steps else 0.0)
    return _with_value(grid, value, steps)


def _with_value(grid: Sequence[int | float], value: Any, steps: bool) -> tuple[int | float, ...]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        grid = [*grid, int(value) if steps else float(value)]
    return tuple(sorted(set(grid)))


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9)


def _linear_grid(low: float, high: float, steps: bool) -> tuple[int | float, ...]:
    raw = (high - low) / LINEAR_POINTS
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    count = round((high - low) / step)
    values = [float(f"{low + i * step:.10g}") for i in range(count + 1)]
    return tuple(int(v) for v in values) if steps else tuple(values)


def plain_markdown(text: str) -> str:
    """User text that Streamlit's Markdown shows as-is (`literal.markdown_text`)."""
    return markdown_text(text)


def inline_markdown(text: str) -> str:
    """User text for the middle of a Markdown line, a widget label (`literal.inline_markdown_text`)."""
    return inline_markdown_text(text)
