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
`expf`, `logf`, `powf`, `cosf`). `logf` decides SGDR's restart index, so it is glibc's algorithm
bit for bit (`log`); the others are the float64 function rounded once, which glibc's are but
for rare arguments (values agree to an ulp there, and decide no step).
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


# glibc's `logf` (sysdeps/ieee754/flt-32/e_logf.c and e_logf_data.c, from Arm's optimized
# routines): 1 / c and log(c) for 16 subintervals of [0x3f330000, 2 * that), ln 2, and the
# polynomial for log1p(r) (its first coefficient is 1).
_LOGF_TABLE = (
    ("0x1.661ec79f8f3bep+0", "-0x1.57bf7808caadep-2"),
    ("0x1.571ed4aaf883dp+0", "-0x1.2bef0a7c06ddbp-2"),
    ("0x1.49539f0f010bp+0", "-0x1.01eae7f513a67p-2"),
    ("0x1.3c995b0b80385p+0", "-0x1.b31d8a68224e9p-3"),
    ("0x1.30d190c8864a5p+0", "-0x1.6574f0ac07758p-3"),
    ("0x1.25e227b0b8eap+0", "-0x1.1aa2bc79c81p-3"),
    ("0x1.1bb4a4a1a343fp+0", "-0x1.a4e76ce8c0e5ep-4"),
    ("0x1.12358f08ae5bap+0", "-0x1.1973c5a611cccp-4"),
    ("0x1.0953f419900a7p+0", "-0x1.252f438e10c1ep-5"),
    ("0x1p+0", "0x0p+0"),
    ("0x1.e608cfd9a47acp-1", "0x1.aa5aa5df25984p-5"),
    ("0x1.ca4b31f026aap-1", "0x1.c5e53aa362eb4p-4"),
    ("0x1.b2036576afce6p-1", "0x1.526e57720db08p-3"),
    ("0x1.9c2d163a1aa2dp-1", "0x1.bc2860d22477p-3"),
    ("0x1.886e6037841edp-1", "0x1.1058bc8a07ee1p-2"),
    ("0x1.767dcf5534862p-1", "0x1.4043057b6ee09p-2"),
)
_INVC = np.array([float.fromhex(a) for a, _ in _LOGF_TABLE])
_LOGC = np.array([float.fromhex(b) for _, b in _LOGF_TABLE])
_LN2 = float.fromhex("0x1.62e42fefa39efp-1")
_A0, _A1, _A2 = (
    float.fromhex(v)
    for v in ("-0x1.00ea348b88334p-2", "0x1.5575b0be00b6ap-2", "-0x1.ffffef20a4123p-2")
)
_OFF = 0x3F330000
_SMALLEST_NORMAL = np.finfo(F32).tiny


def log(value: np.ndarray | np.float32) -> np.ndarray:
    """float32 `log` as TensorFlow's CPU kernel computes one element: glibc's `logf`, bit for bit.

    x = 2^k z with z in [0x3f330000, 2 * that) as float32 bits, the subinterval i from z's top
    mantissa bits; r = z / c_i - 1 and log(x) = log(c_i) + k ln 2 + r + A2 r^2 + A1 r^3 + A0 r^4,
    in float64, rounded once. Subnormals are scaled by 2^23 first; 0 gives -inf, below 0 NaN.
    """
    v = np.asarray(value, F32)
    subnormal = (np.abs(v) < _SMALLEST_NORMAL) & (v != 0)
    with np.errstate(over="ignore", invalid="ignore"):
        x = np.where(subnormal, v * F32(2**23), v).astype(F32)
    bits = x.view(np.uint32).astype(np.int64) - np.where(subnormal, 23 << 23, 0)
    tmp = bits - _OFF
    i = (tmp >> 19) % 16
    k = (tmp.astype(np.int32) >> 23).astype(F64)
    z = (bits - (tmp & 0xFF800000)).astype(np.uint32).view(F32).astype(F64)
    r = z * _INVC[i] - 1.0
    r2 = r * r
    y = (_A0 * r2 + (_A1 * r + _A2)) * r2 + ((_LOGC[i] + k * _LN2) + r)
    with np.errstate(invalid="ignore"):
        y = np.where(v == 0, -np.inf, np.where(v == np.inf, np.inf, y))
        return np.where((v < 0) | np.isnan(v), np.nan, y).astype(F32)
