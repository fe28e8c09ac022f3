"""A sweep: one argument of a configuration at a few values, a family of curves drawn together.

A teaching view of what one argument does (alpha at 0, 0.05, 0.1, 0.2 ...). The sweep is view
state: a short text `alpha:0,0.05,0.1,0.2` kept in the link, applied to the selected
configuration. Every member is that configuration with the one argument changed, validated as
an import would be, so it is sampled and drawn exactly like any open configuration.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from lrviz.engine import Schedule
from lrviz.errors import ConfigError
from lrviz.limits import MAX_NAME_CHARS

MAX_VALUES = 8
SWEEP_TEXT = re.compile(
    rf"([a-z_][a-z0-9_]{{0,39}}):([^,:]{{1,24}}(,[^,:]{{1,24}}){{0,{MAX_VALUES - 1}}})"
)
"""What a sweep's link text may look like (its values are checked when it is applied)."""


@dataclass(frozen=True)
class Sweep:
    """An argument name and the values it takes, in order."""

    param: str
    values: tuple[float | int, ...]

    def text(self) -> str:
        """The sweep as its link text, `param:v1,v2,...` (shortest exact form of each value)."""
        return f"{self.param}:{','.join(repr(v) for v in self.values)}"

    def label(self, value: float | int) -> str:
        """A member's legend label: `alpha = 0.05`."""
        return f"{self.param} = {value!r}"

    def member_name(self, name: str, value: float | int) -> str:
        """The name a member gets when opened as a configuration: `name_alpha_0.05`, a valid
        TensorFlow scope name when `name` is one (like the starters' and copies' names), the
        name shortened to fit Keras-friendly length."""
        suffix = f"_{self.param}_{value!r}"
        return name[: max(0, MAX_NAME_CHARS - len(suffix))] + suffix


def sweepable(schedule: Schedule) -> list[str]:
    """The arguments of a schedule a sweep can vary: its numbers (floats and step counts)."""
    return [p.name for p in schedule.spec.params if p.kind in ("float", "steps")]


def parse_values(schedule: Schedule, param: str, text: str) -> Sweep:
    """A sweep from typed values ("0, 0.05, 0.1" or "0 0.05 0.1"); `ConfigError` names the first
    value that is not a finite number, or a count outside 1..`MAX_VALUES`."""
    if param not in sweepable(schedule):
        raise ConfigError("sweep.bad_param", param=param, cls=schedule.class_name)
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if not 1 <= len(parts) <= MAX_VALUES:
        raise ConfigError("sweep.count", count=len(parts), limit=MAX_VALUES)
    kind = schedule.spec.param(param).kind
    values: list[float | int] = []
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            raise ConfigError("sweep.bad_value", value=part[:24]) from None
        if not math.isfinite(number) or (kind == "steps" and number != int(number)):
            raise ConfigError("sweep.bad_value", value=part[:24])
        value = int(number) if kind == "steps" else number
        if value not in values:
            values.append(value)
    return Sweep(param, tuple(values))


def parse(schedule: Schedule, text: str) -> Sweep | None:
    """The sweep a link text describes for this schedule, or None when it does not apply to it
    (another class's argument, or values no longer readable)."""
    found = SWEEP_TEXT.fullmatch(text)
    if found is None:
        return None
    try:
        return parse_values(schedule, found[1], found[2])
    except ConfigError:
        return None


def members(schedule: Schedule, sweep: Sweep) -> list[tuple[float | int, Schedule | ConfigError]]:
    """Each value with the schedule it gives, or the `ConfigError` that value raises."""
    family: list[tuple[float | int, Schedule | ConfigError]] = []
    for value in sweep.values:
        try:
            family.append((value, schedule.replace(**{sweep.param: value})))
        except ConfigError as err:
            family.append((value, err))
    return family
