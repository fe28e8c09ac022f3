"""`lrviz.engine.xla`: XLA's float32 arithmetic in numpy, checked without Keras or JAX against
values recorded from `jax.jit(jnp.log)` (jax 0.10.2, x86-64 with AVX-512 and FMA) and exact
arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from lrviz.engine import xla

F32 = np.float32

# (input, jax.jit(jnp.log)(input)) as float32 bit patterns: inputs where XLA's kernel gives
# neither numpy's float32 log nor the correctly rounded one (4% of uniform inputs do).
RECORDED_LOGS = [
    (0x3E56F323, 0xBFC7D110),  # 0.20991187 -> -1.5610676
    (0x3EC8EE07, 0xBF6F7458),  # 0.392441 -> -0.935369
    (0x3F11FE9D, 0xBF0FC58A),  # 0.57029134 -> -0.56160796
    (0x3F2126CF, 0xBEECF84E),  # 0.6294984 -> -0.4628319
    (0x3F26DA83, 0xBEDB2ACD),  # 0.6517717 -> -0.42806092
    (0x3F56B9F3, 0xBE340850),  # 0.83877486 -> -0.17581296
    (0x46A5CACB, 0x411F677C),  # 21221.396 -> 9.962765
    (0x46A864C9, 0x411FA742),  # 21554.393 -> 9.978334
    (0x486AFD33, 0x41464194),  # 240628.8 -> 12.39101
    (0x48FFB3AC, 0x4152B2B6),  # 523677.38 -> 13.168631
    (0x4912160B, 0x4154D4D6),  # 598368.7 -> 13.301962
    (0x492DADE0, 0x41579980),  # 711390.0 -> 13.474976
]


def _floats(bits: list[int]) -> np.ndarray:
    return np.array(bits, dtype=np.uint32).view(F32)


def test_log_gives_xlas_recorded_values_bit_for_bit():
    inputs = _floats([i for i, _ in RECORDED_LOGS])
    recorded = _floats([o for _, o in RECORDED_LOGS])
    assert xla.log(inputs).view(np.uint32).tolist() == recorded.view(np.uint32).tolist()
    # Neither numpy's log nor the correctly rounded one would pass.
    assert (np.log(inputs) != recorded).all()
    assert (np.log(inputs.astype(np.float64)).astype(F32) != recorded).all()


def test_log_is_within_an_ulp_or_two_of_the_exact_log():
    values = np.random.default_rng(0).uniform(1e-30, 1e30, 100_000).astype(F32)
    exact = np.log(values.astype(np.float64))
    ulps = np.abs(xla.log(values) - exact) / np.spacing(np.abs(exact).astype(F32))
    assert ulps.max() < 3


def test_log_special_values_as_xla_treats_them():
    """Subnormals count as zero (the CPU's denormals-are-zero mode), negatives are NaN."""
    values = np.array([0.0, -0.0, 1e-45, -1e-45, 1e-39, 1.0, np.inf, -1.0, np.nan], dtype=F32)
    out = xla.log(values)
    assert out[:5].tolist() == [-np.inf] * 5
    assert out[5] == 0.0 and out[6] == np.inf
    assert np.isnan(out[7:]).all()
    assert xla.log(np.finfo(F32).tiny) == F32(math.log(float(np.finfo(F32).tiny)))


def test_fma_rounds_once_where_float64_would_round_twice():
    """(1 + 2^-23) (2^-24 (1 - 2^-23)) + (1 + 2^-23) lies just below the midpoint 1 + 3 2^-24 of
    two float32: float64 rounds it onto the midpoint, float32 then to even (1 + 2^-22); one
    rounding gives 1 + 2^-23."""
    a, b, c = F32(1 + 2**-23), F32(2**-24 * (1 - 2**-23)), F32(1 + 2**-23)
    exact = Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
    assert exact < 1 + Fraction(3, 2**25) * 2
    assert (np.float64(a) * np.float64(b) + np.float64(c)).astype(F32) == F32(1 + 2**-22)
    assert xla.fma(a, b, c) == F32(1 + 2**-23)


def test_fma_matches_exact_arithmetic_on_random_float32():
    rng = np.random.default_rng(1)
    a, b, c = (rng.uniform(-4, 4, 2000).astype(F32) for _ in range(3))
    got = xla.fma(a, b, c)
    for x, y, z, g in zip(a, b, c, got):
        exact = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
        nearest = F32(float(exact))  # float(Fraction) rounds once to float64
        below, above = np.nextafter(nearest, F32(-np.inf)), np.nextafter(nearest, F32(np.inf))
        best = min((below, nearest, above), key=lambda v: abs(Fraction(float(v)) - exact))
        assert g == best


def test_folded_log_is_correctly_rounded_unlike_the_kernel():
    """XLA folds log(constant) at compile time, correctly rounded (checked against jitted Keras
    for 4000 t_mul values); the kernel is an ulp off for some of the same inputs."""
    t_mul = F32(2.957630917975571)
    assert xla.folded_log(t_mul) == F32(1.0843886)
    assert xla.log(t_mul) == F32(1.0843885)
