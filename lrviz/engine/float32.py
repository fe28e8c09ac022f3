"""The float32 layer: Keras's numeric conventions, shared by every schedule and by their readers.

Keras casts the step to float32, mixes Python floats into float32 tensors as NumPy 2's weak
scalars, and computes in int32 when the learning rate is a Python int. These helpers reproduce
that once, so each schedule module (and the sampler, findings and teaching) uses the same
arithmetic: step ranks over the float32 grid, Keras's scalar `power` for exponent arrays,
truncation to int32.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "EVAL_BLOCK",
    "F32",
    "FLOAT32_EXACT_STEPS",
    "PI32",
    "Config",
    "cast_int32",
    "computes_in_int",
    "keras_power",
    "rank_step",
    "run_start",
    "sorted_unique",
    "step_rank",
    "steps_float32",
]

F32 = np.float32
PI32 = F32(math.pi)
FLOAT32_EXACT_STEPS = 2**24
"""Every step below it is its own float32; above, runs of steps share one."""
_BITS_EXACT = int(np.array(FLOAT32_EXACT_STEPS, dtype=F32).view(np.uint32))

# Steps per block of an in-place evaluation (CosineDecay, a cycling PolynomialDecay). A block's
# float32 buffer stays in cache and is allocated once per call; fresh temporaries per block would
# be mmap'ed and page-faulted by glibc (above 128 KiB), which is slower than not blocking at all.
EVAL_BLOCK = 1 << 17

Config = Mapping[str, Any]
"""A schedule's constructor arguments, validated (every argument present, Keras's types)."""


def computes_in_int(cfg: Config, key: str = "initial_learning_rate") -> bool:
    """Keras computes in the dtype of this value: int32 when it is a Python int."""
    return isinstance(cfg[key], int)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique` for integer steps by sort and compare: NumPy 2.4's hash-based `np.unique` is
    ~100x slower on millions of distinct int64 values."""
    values = np.sort(values, kind="stable")
    if values.size == 0:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def cast_int32(value: float) -> int:
    """`ops.cast(value, "int32")`: truncation toward zero."""
    return int(np.asarray(value).astype(np.int32))


def steps_float32(steps: np.ndarray) -> np.ndarray:
    """`ops.cast(step, float32)`: steps above 2^24 round to the nearest float32, as in Keras."""
    return steps.astype(F32)


def step_rank(steps: np.ndarray) -> np.ndarray:
    """Index of float32(step) among the distinct float32 images of 0, 1, 2, ... (ascending).

    Below 2^24 a step is its own rank; above, consecutive float32 values have consecutive bit
    patterns, so ranks count float32 values. Runs of steps with equal float32 share a rank.
    """
    x = np.asarray(steps).astype(F32)
    above = x.view(np.uint32).astype(np.int64) + (FLOAT32_EXACT_STEPS - _BITS_EXACT)
    return np.where(x >= FLOAT32_EXACT_STEPS, above, x.astype(np.int64))


def rank_step(ranks: np.ndarray) -> np.ndarray:
    """The float32 value of each rank as an integer step (a step that is its own float32)."""
    ranks = np.asarray(ranks, dtype=np.int64)
    if ranks.size and ranks.min() >= FLOAT32_EXACT_STEPS:
        # All past 2^24 (the dense sampler's chunks): the bit pattern is the rank plus a constant.
        bits = (ranks + (_BITS_EXACT - FLOAT32_EXACT_STEPS)).astype(np.uint32)
        return bits.view(F32).astype(np.int64)
    bits = (np.maximum(ranks, FLOAT32_EXACT_STEPS) + (_BITS_EXACT - FLOAT32_EXACT_STEPS)).astype(
        np.uint32
    )
    return np.where(ranks >= FLOAT32_EXACT_STEPS, bits.view(F32).astype(np.int64), ranks)


def run_start(ranks: np.ndarray) -> np.ndarray:
    """First integer step whose float32 is `rank_step(rank)` (where that run of equal float32
    steps begins: halfway from the previous float32, the tie going to the even one)."""
    x = rank_step(ranks)
    below = (x + rank_step(np.asarray(ranks) - 1)) // 2
    return np.where(below.astype(F32) == x.astype(F32), below, below + 1)


# NumPy's float32 power takes shortcuts (square, sqrt, reciprocal, identity) for these exponents
# when the exponent is a scalar, as in Keras's step-by-step calls, but not for an exponent array.
_POWER_SHORTCUTS = tuple(F32(e) for e in (0.5, 1.0, 2.0, -1.0))


def keras_power(base: np.float32 | np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """`np.power` with an exponent array, giving what Keras's scalar calls give at every element.

    float32 `power` costs 30-200 ns an element, so a scalar base of 1 (m_mul's default) is not
    computed at all (IEEE `pow(1, y)` is 1 for every y, NaN too), and an exponent that repeats in
    runs (a restart's index, a stair's, at sorted steps) is computed once per run.
    """
    if np.ndim(base) == 0:
        if base == 1:
            return np.ones(np.shape(exponent), dtype=np.result_type(base, exponent))
        if exponent.ndim == 1 and exponent.size > 64:
            return _power_sorted_runs(base, exponent)
    return _power_elementwise(base, exponent)


def _power_sorted_runs(base: np.float32, exponent: np.ndarray) -> np.ndarray:
    """`_power_elementwise` for a scalar base, computed once per run of equal exponents, and not at
    all in the tail of an ascending exponent where the power has already underflowed to 0 (base
    < 1) or overflowed to inf (base > 1): there it stays (float32 `power` is monotone in the
    exponent; tests/test_schedules.py checks this tail rule against `np.power`)."""
    tail_from = exponent.size
    if 0 < base < 1 or 1 < base < np.inf:
        tail = 0 if base < 1 else np.inf
        with np.errstate(invalid="ignore"):
            ascending = bool(np.all(exponent[1:] >= exponent[:-1]))
        if ascending and _power_elementwise(base, exponent[-1:])[0] == tail:
            low, high = -1, exponent.size - 1  # power(exponent[high]) == tail
            while high - low > 1:
                mid = (low + high) // 2
                if _power_elementwise(base, exponent[mid : mid + 1])[0] == tail:
                    high = mid
                else:
                    low = mid
            tail_from = high
    head = exponent[:tail_from]
    starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]]) if head.size else head
    if starts.size * 4 < head.size:
        head_power = np.repeat(
            _power_elementwise(base, head[starts]), np.diff(np.r_[starts, head.size])
        )
    else:
        head_power = _power_elementwise(base, head)
    out = np.empty(exponent.shape, dtype=np.result_type(base, exponent))
    out[:tail_from] = head_power
    if tail_from < exponent.size:
        out[tail_from:] = 0 if base < 1 else np.inf
    return out


def _power_elementwise(base: np.float32 | np.ndarray, exponent: np.ndarray) -> np.ndarray:
    out = np.power(base, exponent)
    for shortcut in _POWER_SHORTCUTS:
        mask = exponent == shortcut
        if mask.any():
            out[mask] = np.power(base[mask] if np.ndim(base) else base, shortcut)
    return out
