"""What a schedule class tells the teaching layer about its phases (`Teaching`).

A phase is a run of steps over which one formula gives the learning rate: a warmup, a decay, a
floor, restart period i, cycle k, interval i. Where one ends is Keras's arithmetic, so the class
module says it, as a level of the step that only grows (the number of edges passed, or the period
index, in Keras's own dtype); `lrviz.teaching` finds the first step of each level and names the
phase with the keys given here. A phase's `formula_key` (an i18n key that describes its formula)
is also what the teaching layer looks its formula and worked value up by.

A class without `Teaching` still draws, samples and exports; the formula panel says it has no
formula for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrviz.engine.float32 import F32, Config, computes_in_int, steps_float32

NO_FORMULA = "formula.none"
"""The formula key of a phase lrviz has no formula for (its text says so)."""

Level = Callable[[np.ndarray], np.ndarray]
"""int64 steps -> a level that never falls as the step grows (NaN where Keras gives NaN)."""


@dataclass(frozen=True)
class Stages:
    """Phases in a fixed order: level n (0, 1, 2, ...) is phase `names[n]` = (phase key, formula
    key), from the first step at that level on. One name: a single phase from step 0."""

    level: Level
    names: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Periods:
    """One phase per value of an integer index (restart period, cycle, interval) counted from
    `first`, keyed `key` with `{index}`.

    Without `later_key`, `count` values in all; with it, unbounded, and the indexes past the
    teaching layer's cap are one phase keyed `later_key` with `{from_index}`. From `nan_from` on
    (or where the index is NaN), Keras gives NaN: one last phase, formula `nan_formula_key`.
    """

    level: Level
    key: str
    formula_key: str
    first: int = 0
    count: int = 1
    later_key: str | None = None
    nan_from: int | None = None
    nan_formula_key: str = NO_FORMULA


PhasePlan = Stages | Periods


@dataclass(frozen=True)
class Teaching:
    """What the formula panel asks a schedule class (`ScheduleSpec.teaching`)."""

    phases: Callable[[Config], PhasePlan]
    """config -> how its phases are found and named."""
    int32_args: tuple[str, ...] = ()
    """The arguments Keras truncates to int32 when the learning rate is an integer."""


def one_phase(formula_key: str) -> Stages:
    """A single phase, "decay", from step 0 on."""
    return Stages(lambda steps: np.zeros(steps.shape, np.int64), (("phase.decay", formula_key),))


def keras_steps(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """The step as Keras's arithmetic sees it: float32 (rounded above 2^24), or int32 exactly."""
    return steps.astype(np.int64) if computes_in_int(cfg) else steps_float32(steps)


def keras_edge(cfg: Config, steps: int) -> Any:
    """A step count as Keras compares it with the step: an int, or a float32."""
    return int(steps) if computes_in_int(cfg) else F32(steps)


def edge_level(cfg: Config, edges: Sequence[Any]) -> Level:
    """The number of `edges` (in Keras's dtype, see `keras_edge`) at or below each step."""

    def level(steps: np.ndarray) -> np.ndarray:
        s = keras_steps(cfg, steps)
        return sum(((s >= edge).astype(np.int64) for edge in edges), np.zeros(s.shape, np.int64))

    return level
