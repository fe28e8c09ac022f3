"""XLA's float32 rewrites, as numpy: what the compiled path (JAX `fit`, TF `jit_compile`) computes.

XLA rewrites a division by a constant into a multiplication by the float32 reciprocal
(`x / d` -> `x * fl(1 / d)`) and fuses a multiply feeding an add into one `fma` (one rounding).
The schedule modules build their `compiled_evaluate` from these; `lrviz.engine.compiled` turns a
spec into its compiled twin.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrviz.engine.float32 import F32, Config, steps_float32

F64 = np.float64


def reciprocal(value: float) -> np.float32:
    """XLA's constant-folded float32 reciprocal of a divisor."""
    return F32(1) / F32(value)


def fma(
    a: np.ndarray | np.float32, b: np.ndarray | np.float32, c: np.ndarray | np.float32
) -> np.ndarray:
    """float32 a * b + c rounded once (a product of two float32 is exact in float64)."""
    return (np.asarray(a, F64) * np.asarray(b, F64) + np.asarray(c, F64)).astype(F32)


def stair_index(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """step * fl(1 / decay_steps), floored when `staircase` (Exponential / InverseTime)."""
    p = steps_float32(steps) * reciprocal(cfg["decay_steps"])
    return np.floor(p) if cfg["staircase"] else p


def staircase_index(cfg: Config) -> Callable[[np.ndarray], np.ndarray] | None:
    """The compiled stair index of a `staircase` config (None without stairs)."""
    return (lambda steps: stair_index(cfg, steps)) if cfg["staircase"] else None
