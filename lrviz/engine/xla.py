"""XLA's float32 rewrites, as numpy: what the compiled path (JAX `fit`) computes.

XLA rewrites a division by a constant into a multiplication by the float32 reciprocal
(`x / d` -> `x * fl(1 / d)`) and, on CPUs with FMA (x86-64 since Haswell, ARM64), fuses a
multiply feeding an add into one `fma` (one rounding). Its CPU backend computes float32 `log`
with its own polynomial (`log`, below), not the C library's. The schedule modules build their
`compiled_evaluate` from these; `lrviz.engine.compiled` turns a spec into its compiled twin.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrviz.engine.float32 import F32, Config, steps_float32

F64 = np.float64


def reciprocal(value: float) -> np.float32:
    """XLA's constant-folded float32 reciprocal of a divisor."""
    return F32(1) / F32(value)


def folded_log(value: float) -> np.float32:
    """log of a float32 constant as XLA folds it at compile time: correctly rounded (float64 log,
    rounded once; unlike `log`, the kernel that runs on arrays)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return F32(np.log(F64(F32(value))))


def power(base: np.float32 | np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """float32 `pow` as XLA's CPU backend calls it (the C library's `powf`, correctly rounded
    but for rare cases): the float64 power rounded once. numpy's float32 `power` is an ulp off
    for about one exponent in five."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        return np.power(np.asarray(base, F64), np.asarray(exponent, F64)).astype(F32)


def fma(
    a: np.ndarray | np.float32, b: np.ndarray | np.float32, c: np.ndarray | np.float32
) -> np.ndarray:
    """float32 a * b + c rounded once.

    A product of two float32 is exact in float64, so the float64 sum is the exact sum rounded
    once; rounding that to float32 is right unless it landed exactly on a midpoint between two
    float32 (low 29 bits of the significand 1000...0). Only there the sum's exact error (Knuth's
    two-sum) says which way the exact sum lies, and the sum is moved one float64 that way.
    """
    product = np.asarray(a, F64) * np.asarray(b, F64)
    addend = np.asarray(c, F64)
    total = np.asarray(product + addend)
    midpoint = (total.view(np.int64) & _LOW_29) == _HALF_29
    if midpoint.any():
        product, addend = (
            np.broadcast_to(product, total.shape),
            np.broadcast_to(addend, total.shape),
        )
        total = total.copy()
        p, q, s = product[midpoint], addend[midpoint], total[midpoint]
        virtual = s - p
        error = (p - (s - virtual)) + (q - virtual)
        total[midpoint] = np.where(
            error == 0, s, np.nextafter(s, np.where(error > 0, np.inf, -np.inf))
        )
    return total.astype(F32)


# A float64 whose low 29 significand bits are 1 followed by 28 zeros lies halfway between two
# float32 (normal range).
_LOW_29, _HALF_29 = (1 << 29) - 1, 1 << 28


def _bits(pattern: int) -> np.float32:
    return np.array([pattern], dtype=np.uint32).view(F32)[0]


# XLA CPU's float32 log (Cephes `logf`, as in Eigen's `plog_float`): log(m 2^e) for m in
# [sqrt(1/2), sqrt(2)), a degree-9 polynomial in m - 1, ln 2 split in two.
_LOG_POLY = tuple(
    _bits(p)
    for p in (
        0x3D9021BB,  # 7.0376836292e-2
        0xBDEBD1B8,  # -1.1514610310e-1
        0x3DEF251A,  # 1.1676998740e-1
        0xBDFE5D4F,  # -1.2420140846e-1
        0x3E11E9BF,  # 1.4249322787e-1
        0xBE2AAE50,  # -1.6668057665e-1
        0x3E4CCEAC,  # 2.0000714765e-1
        0xBE7FFFFC,  # -2.4999993993e-1
        0x3EAAAAAA,  # 3.3333331174e-1
    )
)
_LN2_LOW, _LN2_HIGH = _bits(0xB95E8083), _bits(0x3F318000)  # -2.12194440e-4, 0.693359375
_SQRT_HALF = _bits(0x3F3504F3)
_SMALLEST_NORMAL = np.finfo(F32).tiny


def log(value: np.ndarray | np.float32) -> np.ndarray:
    """float32 natural log as XLA's CPU backend computes it, bit for bit.

    The operation order and fused multiply-adds are those of the machine code XLA 0.10 emits
    for `jnp.log` under `jax.jit` (AVX-512 / AVX2 with FMA): x = m 2^e, m in [1/2, 1), taken to
    [sqrt(1/2), sqrt(2)) with e - 1 below sqrt(1/2); with t = m - 1, p(t) by three Horner
    pieces in t joined in t^3, then p t^3 + e ln2_low + (t - t^2 / 2) + e ln2_high. Subnormals
    count as 0 (the CPU's denormals-are-zero mode): log is -inf there, NaN below 0.
    """
    v = np.asarray(value, F32)
    with np.errstate(invalid="ignore"):
        x = np.where(v > _SMALLEST_NORMAL, v, _SMALLEST_NORMAL).astype(F32)
        bits = x.view(np.uint32)
        exponent = F32(1) + ((bits >> 23).astype(np.int32) - 127).astype(F32)
        m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(F32)
        low = m < _SQRT_HALF
        t = (m - F32(1)) + np.where(low, m, F32(0))
        e = exponent - np.where(low, F32(1), F32(0))
        t2 = t * t
        t3 = t2 * t
        c = _LOG_POLY
        head = fma(fma(t, c[0], c[1]), t, c[2])
        middle = fma(fma(t, c[3], c[4]), t, c[5])
        tail = fma(fma(t, c[6], c[7]), t, c[8])
        poly = fma(fma(head, t3, middle), t3, tail)
        y = fma(poly, t3, e * _LN2_LOW) + fma(t2, F32(-0.5), t)
        y = fma(e, _LN2_HIGH, y)
        y = np.where(np.abs(v) < _SMALLEST_NORMAL, F32(-np.inf), y)
        y = np.where(v == np.inf, F32(np.inf), y)
        return np.where((v <= -_SMALLEST_NORMAL) | np.isnan(v), F32(np.nan), y)


def stair_index(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """step * fl(1 / decay_steps), floored when `staircase` (Exponential / InverseTime)."""
    p = steps_float32(steps) * reciprocal(cfg["decay_steps"])
    return np.floor(p) if cfg["staircase"] else p


def staircase_index(cfg: Config) -> Callable[[np.ndarray], np.ndarray] | None:
    """The compiled stair index of a `staircase` config (None without stairs)."""
    return (lambda steps: stair_index(cfg, steps)) if cfg["staircase"] else None
