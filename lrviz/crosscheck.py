"""Translations of a Keras schedule checked against the Keras curve over the steps on screen.

For the studio's "other frameworks" panel: each translation's largest absolute and relative
difference from Keras and the step where it happens, and its values at the plotted steps for
the chart. Every step of the range is compared when there are at most `EVERY_STEP_LIMIT` of
them; beyond that, the plotted steps (the ones that draw each curve exactly) are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrviz.engine import Schedule
from lrviz.translate import Difference, Translation, compare, translations

EVERY_STEP_LIMIT = 200_000


@dataclass(frozen=True, eq=False)
class Checked:
    """One translation, how far it is from Keras over the range, and its plotted values."""

    translation: Translation
    difference: Difference
    steps_checked: int
    every_step: bool
    plotted_values: np.ndarray


def checked_steps(start: int, stop: int, plotted: np.ndarray) -> tuple[np.ndarray, bool]:
    """Every step of [start, stop] if there are few enough, else the plotted steps."""
    if stop - start + 1 <= EVERY_STEP_LIMIT:
        return np.arange(start, stop + 1, dtype=np.int64), True
    return np.asarray(plotted, dtype=np.int64), False


def check_translations(
    schedule: Schedule, start: int, stop: int, plotted: np.ndarray, total_steps: int
) -> list[Checked]:
    """Every translation of `schedule` ([] when there is none), compared with Keras.

    `plotted` are the steps the chart draws the Keras curve at; `total_steps` sizes translations
    that need a finite number of restart cycles.
    """
    found = translations(schedule, total_steps=total_steps)
    if not found:
        return []
    steps, every = checked_steps(start, stop, plotted)
    keras = schedule(steps)
    plotted = np.asarray(plotted, dtype=np.int64)
    return [
        Checked(
            item,
            compare(steps, keras, item.values(steps)),
            int(steps.size),
            every,
            item.values(plotted),
        )
        for item in found
    ]
