"""The Keras side of a translation, read from the engine: a schedule's arguments as the writers
use them, the notes every translation carries, and where Keras's float32 restarts fall.

Nothing here computes Keras a second time: the arguments come from the validated `Schedule`'s
config (Keras's defaults filled in, Keras's number types kept), Keras's curve from calling the
schedule, and its restart index from the engine's `restart_position`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TypeVar

import numpy as np

from lrviz.engine import F32, FLOAT32_EXACT_STEPS, Schedule
from lrviz.engine.cosine_decay_restarts import restart_position
from lrviz.limits import MAX_CHECKED_RESTARTS
from lrviz.translate.notes import Note, note


def float_rate_curve(schedule: Schedule) -> Callable[[np.ndarray], np.ndarray]:
    """Keras's eager float32 curve with every learning rate written as a float: what a LambdaLR
    snippet computes (an integer learning rate would make Keras compute in int32)."""
    real = schedule.eager().with_float_rates()
    # The steps are whole floats (see `Translation.values`); Keras casts every step to float32.
    return lambda steps: real.at_float32(steps.astype(F32))


def _common_notes(
    initial: float | int, integer: bool, specific: list[Note], in_range: bool
) -> tuple[list[Note], bool]:
    """The notes every translation carries, and whether exactness can be claimed at all."""
    notes: list[Note] = []
    if integer:
        notes.append(note("translate.keras_integer_lr", value=initial))
    notes += specific
    if not in_range:
        notes.append(note("translate.outside_checked_range"))
    return notes, in_range and not integer


_Args = TypeVar("_Args", bound="KerasArgs")


@dataclass(frozen=True)
class KerasArgs:
    """A schedule's constructor arguments as the writers read them, under Keras's names (the
    subclass's fields): the validated config, defaults filled in and Keras's number types kept."""

    keras: Schedule

    @classmethod
    def of(cls: type[_Args], schedule: Schedule) -> _Args:
        """The arguments of `schedule`, read from its config; `keras` is its eager self."""
        names = [f.name for f in fields(cls) if f.name != "keras"]
        return cls(schedule.eager(), **{name: schedule.config[name] for name in names})


@dataclass(frozen=True)
class CosineArgs(KerasArgs):
    """A cosine decay's arguments (Keras `CosineDecay`)."""

    initial_learning_rate: float | int
    decay_steps: int
    alpha: float | int
    warmup_target: float | int | None
    warmup_steps: int
    name: str

    @property
    def peak(self) -> float:
        target = self.warmup_target
        return float(self.initial_learning_rate if target is None else target)

    @property
    def warmup(self) -> int:
        """Warmup steps Keras really applies: none without a warmup_target."""
        return 0 if self.warmup_target is None else self.warmup_steps

    def common_notes(self) -> tuple[list[Note], bool]:
        """Notes every translation carries, and whether exactness can be claimed at all."""
        specific = []
        if self.warmup_target is None and self.warmup_steps:
            specific.append(note("translate.warmup_ignored", warmup_steps=self.warmup_steps))
        in_range = self.initial_learning_rate >= 0 and self.peak >= 0 and 0 <= self.alpha <= 1
        integer = self.keras.uses_integer_dtype
        return _common_notes(self.initial_learning_rate, integer, specific, in_range)


@dataclass(frozen=True)
class RestartArgs(KerasArgs):
    """A cosine decay with warm restarts' arguments (Keras `CosineDecayRestarts`, SGDR)."""

    initial_learning_rate: float | int
    first_decay_steps: int
    t_mul: float
    m_mul: float
    alpha: float
    name: str

    def __post_init__(self) -> None:
        # Keras keeps them as given; the snippets write them as floats (t_mul=2.0, never 2).
        for name in ("t_mul", "m_mul", "alpha"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def height(self, cycle: int) -> float:
        """m_mul**cycle, restart `cycle`'s height above the floor, in float64 (inf past its range)."""
        with np.errstate(over="ignore"):
            return float(np.float64(self.m_mul) ** cycle)

    def peak(self, cycle: int) -> float:
        return float(self.initial_learning_rate) * (
            (1 - self.alpha) * self.height(cycle) + self.alpha
        )

    @property
    def floor(self) -> float:
        return self.alpha * float(self.initial_learning_rate)

    def restart_index(self, steps: np.ndarray) -> np.ndarray:
        """Keras's float32 restart index at each step (NaN or inf where Keras has none)."""
        return restart_position(self.keras.config, steps)[0]

    @property
    def nan_step(self) -> int | None:
        """First step where Keras returns NaN (t_mul < 1: the cycles add up to a finite span)."""
        if self.t_mul >= 1:
            return None
        limit = self.first_decay_steps / (1 - self.t_mul)
        near = np.arange(max(0, math.floor(limit) - 3), math.ceil(limit) + 4, dtype=np.float64)
        bad = near[~np.isfinite(self.restart_index(near))]
        return int(bad[0]) if bad.size else math.ceil(limit)

    @property
    def index_is_exact(self) -> bool:
        """True when Keras's float32 restart index provably equals floor(step / first_decay_steps).

        With t_mul == 1 and first_decay_steps below 2**24, float32 division of two exact
        integers below 2**24 never rounds across a whole number.
        """
        return self.t_mul == 1.0 and self.first_decay_steps < FLOAT32_EXACT_STEPS

    def common_notes(self) -> tuple[list[Note], bool]:
        """Notes every translation carries, and whether exactness can be claimed at all."""
        specific = []
        if self.t_mul < 1:
            specific.append(note("translate.keras_nan_after", t_mul=self.t_mul, step=self.nan_step))
        in_range = (
            self.initial_learning_rate >= 0
            and 0 <= self.alpha <= 1
            and self.t_mul > 0
            and self.m_mul >= 0
        )
        return _common_notes(
            self.initial_learning_rate, self.keras.uses_integer_dtype, specific, in_range
        )


def _restart_candidates(r: RestartArgs, limit: float) -> np.ndarray | None:
    """Integer steps below `limit` close enough to a restart for float rounding to misplace it.

    None when there are too many restarts to check. Keras's float32 index can be off where the
    step is within a few float32 ulps of a restart, so the window grows with the step. Restarts
    are taken both with t_mul as given (the frameworks) and rounded to float32 (Keras): the two
    drift apart when t_mul has no exact float32 value.
    """
    pieces: list[np.ndarray] = []
    for t_mul in {r.t_mul, float(F32(r.t_mul))}:
        boundary, length, cycle = 0.0, float(r.first_decay_steps), 0
        while True:
            boundary += length
            length *= t_mul
            cycle += 1
            if boundary >= limit + 1:
                break
            if cycle > MAX_CHECKED_RESTARTS:
                return None
            spread = boundary + (r.first_decay_steps / abs(t_mul - 1) if t_mul != 1 else 0.0)
            window = 1 + math.ceil(spread * (4 + cycle * abs(math.log(t_mul))) * 2.0**-23)
            pieces.append(
                np.arange(math.floor(boundary) - window, math.floor(boundary) + window + 2)
            )
    if not pieces:
        return np.zeros(0)
    candidates = np.unique(np.concatenate(pieces))
    return candidates[(candidates >= 0) & (candidates < limit)].astype(np.float64)


def index_mismatch(
    r: RestartArgs,
    index: Callable[[np.ndarray], np.ndarray],
    limit: float,
    framework: str,
    note_id: str,
) -> tuple[int | None, list[Note], bool]:
    """Steps below `limit` where `index` (a framework's cycle number) differs from Keras's.

    Returns (first such step or None, notes, whether every restart could be checked).
    """
    candidates = _restart_candidates(r, limit)
    if candidates is None:
        return None, [note("translate.restarts_not_verified", limit=int(limit))], False
    keras_index = r.restart_index(candidates).astype(np.float64)
    differs = candidates[index(candidates) != keras_index]
    if not differs.size:
        return None, [], True
    found = note(
        note_id,
        step=int(differs[0]),
        count=int(differs.size),
        limit=math.ceil(limit),
        framework=framework,
    )
    return int(differs[0]), [found], True
