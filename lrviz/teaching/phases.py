"""A schedule's phases: contiguous step ranges with one formula each.

The schedule's class says where they are (`ScheduleSpec.teaching`, see `lrviz.engine.phases`):
a level of the step in Keras's own arithmetic. Here each level's first step is found by
bisection, so a phase edge is where Keras's float32 really puts it and a phase never disagrees
with the curve. A class without teaching data has one phase, "all steps", whose formula is
`NO_FORMULA`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from lrviz.engine import NO_FORMULA, Periods, PhasePlan, Schedule, Stages
from lrviz.i18n import DEFAULT_LANGUAGE, t

PHASE_CAP = 50
"""Restart periods and polynomial cycles listed one by one; the rest is one 'later' phase."""

_SEARCH_HIGH = 2**53


@dataclass(frozen=True)
class Phase:
    """Steps [start, end) over which one formula gives the learning rate (end None: forever).

    `key` and `params` name the phase (`t(key, lang, **params)`); `formula_key` names its formula
    (an i18n key whose text describes it).
    """

    key: str
    params: Mapping[str, Any] = field(hash=False)
    start: int
    end: int | None
    formula_key: str

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return t(self.key, lang, **self.params)

    def contains(self, step: int) -> bool:
        return self.start <= step and (self.end is None or step < self.end)


Level = Callable[[np.ndarray], np.ndarray]
_Run = tuple[int, str, dict[str, Any], str]  # (start, phase key, params, formula key)


def _first_reaching(level: Level, targets: np.ndarray, high: int) -> np.ndarray:
    """For each target, the first step in [0, high] whose level is >= target (high + 1 if none).

    `level` must be monotone in the step (Keras's float32 period index is: every operation on the
    way rounds monotonically); NaN counts as reached.
    """
    lo = np.full(targets.shape, -1, dtype=np.int64)
    hi = np.full(targets.shape, high + 1, dtype=np.int64)
    while True:
        active = hi - lo > 1
        if not active.any():
            return hi
        mid = np.where(active, (lo + hi) // 2, 0)
        with np.errstate(all="ignore"):
            value = np.asarray(level(mid), dtype=np.float64)
        reached = np.isnan(value) | (value >= targets)
        hi = np.where(active & reached, mid, hi)
        lo = np.where(active & ~reached, mid, lo)


def _level_starts(level: Level, targets: list[float], high: int) -> list[tuple[int, float]]:
    """(first step, level there) of each run of equal level in [0, high]; empty runs vanish."""
    found = _first_reaching(level, np.asarray(targets, dtype=np.float64), high)
    starts = np.unique(np.concatenate([[0], found[found <= high]]))
    with np.errstate(all="ignore"):
        levels = np.asarray(level(starts), dtype=np.float64)
    return [(int(s), float(v)) for s, v in zip(starts, levels)]


def _chain(runs: list[_Run], end: int | None) -> list[Phase]:
    """Phases from (start, key, params, formula_key) runs, each ending where the next starts."""
    ends = [run[0] for run in runs[1:]] + [end]
    return [
        Phase(key, params, start, stop, fkey)
        for (start, key, params, fkey), stop in zip(runs, ends)
    ]


def _stages(plan: Stages) -> list[Phase]:
    """Runs of a 0, 1, 2... level, the n-th named by names[n] = (phase key, formula key)."""
    runs = _level_starts(plan.level, list(range(1, len(plan.names))), _SEARCH_HIGH)
    names = plan.names
    return _chain([(s, names[int(v)][0], {}, names[int(v)][1]) for s, v in runs], None)


def _periods(plan: Periods) -> list[Phase]:
    """One phase per index from `plan.first`: every one of `plan.count`, or up to PHASE_CAP and
    then one 'later' phase; a NaN phase last when Keras's arithmetic gives NaN."""
    high = _SEARCH_HIGH if plan.nan_from is None else plan.nan_from - 1
    first, cap = plan.first, plan.first + PHASE_CAP
    last = first + plan.count - 1 if plan.later_key is None else cap
    runs: list[_Run] = []
    for start, value in _level_starts(plan.level, list(range(first + 1, last + 1)), high):
        if math.isnan(value):
            # Integer SGDR with t_mul < 1 truncates t_mul to 0: log(0) from step 1 on.
            runs.append((start, "phase.nan", {}, plan.nan_formula_key))
            break
        if plan.later_key is not None and value >= cap:
            runs.append((start, plan.later_key, {"from_index": cap}, plan.formula_key))
            break
        runs.append((start, plan.key, {"index": int(value)}, plan.formula_key))
    if plan.nan_from is None:
        return _chain(runs, None)
    nan = Phase("phase.nan", {}, plan.nan_from, None, plan.nan_formula_key)
    return [*_chain(runs, plan.nan_from), nan]


def _planned(plan: PhasePlan) -> list[Phase]:
    return _stages(plan) if isinstance(plan, Stages) else _periods(plan)


@lru_cache(maxsize=256)
def _all_phases(schedule: Schedule) -> tuple[Phase, ...]:
    teaching = schedule.spec.teaching
    if teaching is None:
        return (Phase("phase.all", {}, 0, None, NO_FORMULA),)
    return tuple(_planned(teaching.phases(schedule.config)))


def phases(schedule: Schedule, stop: int) -> list[Phase]:
    """The phases that start in [0, stop), in order; together they tile [0, stop) and beyond.

    Each phase keeps its real end (None when it never ends), so a phase is the same object at
    every zoom and `phase_at` returns exactly one of these. Edges are where Keras's arithmetic puts
    them: `warmup_steps` itself up to 2^24, the first step whose float32 reaches it above that.
    """
    every = _all_phases(schedule)
    return [p for p in every if p.start < stop] or [every[0]]


def phase_at(schedule: Schedule, step: int) -> Phase:
    """The phase that contains `step` (a step >= 0)."""
    every = _all_phases(schedule)
    starts = [p.start for p in every]
    return every[int(np.searchsorted(starts, step, side="right")) - 1]
