"""How far a translated curve is from Keras's: the largest differences and the steps they are at."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Difference:
    """Largest absolute and relative difference between two curves, and the steps where they are.

    A step where exactly one curve is NaN counts as an infinite difference; steps where both are
    NaN count as equal. `max_rel` is taken only where |reference| >= `rel_floor` × max |reference|
    (so never where it is 0): below that, float32 rounding in Keras itself dominates the ratio and
    the absolute difference tells the story. A step is None when there is no difference at all.
    """

    max_abs: float
    max_abs_step: int | None
    max_rel: float
    max_rel_step: int | None


def compare(
    steps: np.ndarray, reference: np.ndarray, other: np.ndarray, *, rel_floor: float = 1e-3
) -> Difference:
    """Where `other` departs most from `reference` (the Keras curve), absolutely and relatively."""
    steps = np.asarray(steps)
    ref = np.asarray(reference, dtype=np.float64)
    oth = np.asarray(other, dtype=np.float64)
    if not steps.shape == ref.shape == oth.shape:
        raise ValueError(
            f"Shapes differ: steps {steps.shape}, reference {ref.shape}, other {oth.shape}"
        )
    ref_nan, oth_nan = np.isnan(ref), np.isnan(oth)
    with np.errstate(invalid="ignore"):
        abs_diff = np.abs(oth - ref)
    abs_diff[(ref == oth) | (ref_nan & oth_nan)] = 0.0
    abs_diff[ref_nan ^ oth_nan] = np.inf
    abs_diff[np.isnan(abs_diff)] = np.inf  # inf - inf: curves that blow up differently

    max_abs, max_abs_step = _largest(steps, abs_diff)
    finite_ref = np.abs(ref[np.isfinite(ref)])
    scale = float(finite_ref.max()) if finite_ref.size else 0.0
    usable = np.isfinite(ref) & (np.abs(ref) >= rel_floor * scale) & (ref != 0)
    rel_diff = np.zeros_like(abs_diff)
    rel_diff[usable] = abs_diff[usable] / np.abs(ref[usable])
    max_rel, max_rel_step = _largest(steps, rel_diff)
    return Difference(max_abs, max_abs_step, max_rel, max_rel_step)


def _largest(steps: np.ndarray, diff: np.ndarray) -> tuple[float, int | None]:
    if diff.size == 0 or not diff.max() > 0:
        return 0.0, None
    where = int(np.argmax(diff))
    return float(diff[where]), int(steps[where])
