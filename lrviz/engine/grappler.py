"""TensorFlow graph mode's float32 arithmetic, as numpy: what `tf.function` without XLA computes
(the tf-graph path: TensorFlow `fit` on a machine without a GPU, whose `jit_compile="auto"` turns
XLA off there).

Grappler's constant folding (`ConstantFolding::ReduceDivToReciprocalMul`) rewrites a division by
a constant into a multiplication by its float32 reciprocal, as XLA does (`x / d` ->
`x * fl(1 / d)`), and folds a constant times a product with a constant into one constant
(`c1 * (x * c2)` -> `x * fl(c1 c2)`). Unlike XLA it fuses nothing: every operation rounds on its
own, so `1 - s * fl(1 / D)` is not the fused value the compiled path has. A division inside a
`cond` branch on a step-dependent predicate (CosineDecay's warmup) stays a division. Each kernel
runs on one element (the step is a scalar) and calls the C library's float function (glibc's
`expf`, `logf`, `powf`, `cosf`), modelled as the float64 function rounded once; glibc rounds
correctly but for rare arguments, so values agree to an ulp where one of these decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrviz.engine.float32 import F32

F64 = np.float64


def rounded_once(function: Callable[..., np.ndarray], *args: np.ndarray | float) -> np.ndarray:
    """`function` (a numpy float64 ufunc) of float32 arguments, rounded once to float32."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return np.asarray(function(*(np.asarray(a, F64) for a in args))).astype(F32)


def cos(value: np.ndarray) -> np.ndarray:
    """float32 `cos` as TensorFlow's CPU kernel computes one element (glibc `cosf`)."""
    return rounded_once(np.cos, value)


def log(value: np.ndarray) -> np.ndarray:
    """float32 `log` as TensorFlow's CPU kernel computes one element (glibc `logf`)."""
    return rounded_once(np.log, value)
