"""`keras.optimizers.schedules.PolynomialDecay`: a polynomial from the rate down to an end rate.

Follows `keras/src/optimizers/schedules/learning_rate_schedule.py`, class `PolynomialDecay`,
operation by operation in float32 (optax's `polynomial_schedule` is the non-cycling curve):

    s = min(step, D), D = decay_steps        (with `cycle`: s = step, D = D * ceil(step / D),
                                              1 at step 0, so the curve restarts every D steps)
    lr = (initial_learning_rate - end_learning_rate) * (1 - s / D) ^ power + end_learning_rate

Under XLA, 1 - s / D goes slightly negative at s = D for about half of all D, so a non-integer
`power` gives NaN there (`lrviz.engine.compiled`, the compiled findings).

Args: initial_learning_rate, decay_steps, end_learning_rate, power, cycle, name.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from lrviz.engine.edges import QUOTIENT_SPREAD, exact_edges
from lrviz.engine.finding import Finding
from lrviz.engine.float32 import (
    EVAL_BLOCK,
    F32,
    FLOAT32_EXACT_STEPS,
    Config,
    cast_int32,
    computes_in_int,
    keras_power,
    rank_step,
    run_start,
    step_rank,
    steps_float32,
)
from lrviz.engine.params import ParamSpec
from lrviz.engine.phases import Periods, Stages, Teaching, edge_level, keras_edge, keras_steps
from lrviz.engine.spec import (
    DriftingSpan,
    Evaluate,
    PathArithmetic,
    ScheduleSpec,
    flag_param,
    learning_rate_param,
    name_param,
    param_help,
    spec_summary,
    steps_param,
)
from lrviz.engine.xla import fma, power, reciprocal
from lrviz.limits import MAX_STEPS, SETTLED_GAP

CLASS = "PolynomialDecay"


def _eval_polynomial(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """lr = (lr0 - end) * (1 - s / D)^power + end, s = min(step, D); with `cycle`,
    D grows to D * ceil(step / D) instead of clamping, so the curve restarts every D steps."""
    if computes_in_int(cfg):
        return _eval_polynomial_int(cfg, steps)
    lr0 = F32(cfg["initial_learning_rate"])
    end = F32(cfg["end_learning_rate"])
    power = F32(cfg["power"])
    decay_steps = F32(cfg["decay_steps"])
    if cfg["cycle"]:
        return _eval_polynomial_cycle(steps, lr0, end, power, decay_steps)
    s = np.minimum(steps_float32(steps), decay_steps)
    p = s / decay_steps
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return (lr0 - end) * np.power(F32(1) - p, power) + end


def _eval_polynomial_cycle(
    steps: np.ndarray, lr0: np.float32, end: np.float32, power: np.float32, decay_steps: np.float32
) -> np.ndarray:
    """The cycling curve, block by block in place (as `_eval_cosine`): Keras's float32
    operations in its order, D * ceil(s / D) (1 at step 0), then (lr0 - end) * (1 - s / that)^power
    + end. The dense sampler evaluates 10^8 steps this way past 10^11."""
    flat = steps.ravel()
    out = np.empty(flat.size, F32)
    size = min(EVAL_BLOCK, flat.size)
    s_block, zero_block = np.empty(size, F32), np.empty(size, bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for first in range(0, flat.size, EVAL_BLOCK):
            o = out[first : first + EVAL_BLOCK]
            s, zero = s_block[: o.size], zero_block[: o.size]
            np.copyto(s, flat[first : first + EVAL_BLOCK], casting="unsafe")
            np.divide(s, decay_steps, out=o)
            np.ceil(o, out=o)
            np.equal(s, F32(0), out=zero)
            o[zero] = F32(1)
            np.multiply(o, decay_steps, out=o)  # decay_steps * multiplier
            np.divide(s, o, out=o)  # p
            np.subtract(F32(1), o, out=o)
            np.power(o, power, out=o)
            np.multiply(o, lr0 - end, out=o)
            np.add(o, end, out=o)
    return out.reshape(steps.shape)


def _eval_polynomial_int(cfg: Config, steps: np.ndarray) -> np.ndarray:
    lr0 = int(cfg["initial_learning_rate"])
    end = cast_int32(cfg["end_learning_rate"])
    power = F32(cast_int32(cfg["power"]))
    decay_steps = int(cfg["decay_steps"])
    s = steps.astype(np.int64)
    if cfg["cycle"]:
        # numpy's int32 / int is float64; ops.ceil, ops.multiply and ops.divide use float32.
        ceil = np.ceil((s / np.float64(decay_steps)).astype(F32))
        multiplier = np.where(s == 0, F32(1), ceil)
        p = s.astype(F32) / (F32(decay_steps) * multiplier)
    else:
        p = np.minimum(s, decay_steps).astype(F32) / F32(decay_steps)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return ((lr0 - end) * np.power(1 - p, power) + end).astype(F32)


def _breaks_polynomial(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray | None:
    decay_steps = int(cfg["decay_steps"])
    if not cfg["cycle"]:
        return np.array([decay_steps], dtype=np.int64)
    count = stop // decay_steps
    if count > limit:
        return None
    edges = np.arange(1, count + 1, dtype=np.int64) * decay_steps + 1
    if computes_in_int(cfg) or count > exact:
        return edges
    # Cycle k + 1 begins at k * D + 1: ceil(step / D) reaches k + 1 there.
    return exact_edges(
        lambda steps: np.ceil(steps_float32(steps) / F32(decay_steps)),
        edges,
        np.arange(2, count + 2, dtype=np.int64),
        QUOTIENT_SPREAD,
    )


def _times_power_of_two(value: int, exponent: int, up: bool = False) -> int:
    """floor (or with `up`, ceil) of value * 2^exponent, exactly."""
    if exponent >= 0:
        return value << exponent
    return -(-value >> -exponent) if up else value >> -exponent


def _log2_floor(numerator: int, denominator: int = 1) -> int:
    """floor(log2(numerator / denominator)) for positive integers, exactly."""
    exponent = numerator.bit_length() - denominator.bit_length()
    if _times_power_of_two(denominator, exponent) > numerator:
        exponent -= 1
    return exponent


def _drifting_polynomial(cfg: Config, stop: int) -> list[DriftingSpan]:
    """Spans (first, last, P) of float32 steps over which a cycling PolynomialDecay repeats up
    to a monotone drift: along x, x + P, x + 2P, ... inside a span the value only falls or only
    rises (which one depends on x).

    Keras computes x = float32(s) / D, k = ceil(x), m = float32(D * k), p = s / m,
    lr = (lr0 - end) * (1 - p)^power + end (s = float32(step), all float32). Inside one binade of
    s (spacing w), one binade of s / D (spacing g) that x cannot round out of, and one binade of
    m (spacing h), take P a multiple of w and of D with P / D a multiple of 2g and P a multiple
    of 2h (even multiples, so rounding ties go the same way): then s + P is a float32 step,
    x grows by the integer P / D, k likewise and m by exactly P, so d = m - s stays the same
    while m grows. p = 1 - d / m moves one way (towards 1), rounding keeps that order, and the
    rest is monotone in p. So a column's extremes lie in its first or last P steps of a span.

    With B = lcm(w, D, h) (and 2g) an odd multiple of h, m = float32(D * k) + B still moves by
    exactly B wherever D * k is not halfway between two float32: chains of step B are monotone
    but for the `irregular` x where it is (ties to even then alternate), which need 2B.
    """
    if not cfg["cycle"] or computes_in_int(cfg):
        return []
    return list(_drifting_cycle_spans(int(F32(cfg["decay_steps"])), int(stop)))


def _drifting_cycle_spans(decay: int, stop: int) -> tuple[DriftingSpan, ...]:
    """`_drifting_polynomial` for one float32 decay_steps (exact integer arithmetic)."""
    spans: list[DriftingSpan] = []
    low = 1
    while low <= stop:
        if low < FLOAT32_EXACT_STEPS:
            spacing, s_end = 1, FLOAT32_EXACT_STEPS - 1
        else:
            spacing = 1 << (low.bit_length() - 24)
            s_end = (1 << low.bit_length()) - spacing
        # x = s / D stays in [2^f, 2^(f+1) - 2^(f-23)]; rounding keeps float32(x) in that binade.
        x_exp = _log2_floor(low, decay)
        x_end = _times_power_of_two(decay * ((1 << 24) - 1), x_exp - 23)
        if x_end < low:
            # x may round up into the next binade: go on where s / D is in it.
            low = _times_power_of_two(decay, x_exp + 1, up=True)
            continue
        # D * k lies within [s - r, s + D + r], r = D 2^(f-23); float32 keeps m in its binade
        # [2^h, 2^(h+1) - 2^(h-23)].
        reach = _times_power_of_two(decay, x_exp - 23, up=True)
        m_exp = max(0, _log2_floor(max(1, low - reach)))
        if m_exp < 24:
            # Every D * k below 2^24 is a float32 as it is: no rounding to keep in step.
            m_end = FLOAT32_EXACT_STEPS - decay - reach
        else:
            m_end = (2 << m_exp) - (1 << (m_exp - 23)) - decay - reach
        if m_end < low:
            # m may have reached the next binade before s: go on where all of it has.
            low = (2 << m_exp) + reach
            continue
        high = min(s_end, x_end, m_end, stop + spacing)
        base = math.lcm(spacing, decay)
        if x_exp > 22:
            base = math.lcm(base, decay << (x_exp - 22))
        first = -(-low // spacing) * spacing
        last = high // spacing * spacing
        period, irregular = base, ()
        if m_exp >= 24:
            m_spacing = 1 << (m_exp - 23)
            base = math.lcm(base, m_spacing)
            period = base if base // m_spacing % 2 == 0 else 2 * base
            if period != base:
                irregular = _tie_offsets(first, base, spacing, decay, m_spacing)
        if last - first >= 2 * period:
            spans.append(DriftingSpan(first, last, period, base, irregular))
        low = high + 1
    return tuple(spans)


def _tie_offsets(
    first: int, base: int, spacing: int, decay: int, m_spacing: int
) -> tuple[int, ...]:
    """Rank offsets r in [0, base / spacing) from `first` where D * k, k = ceil(float32(s) / D)
    at s = first + r * spacing, lies halfway between two float32 values `m_spacing` apart (as it
    does all along that chain: base is a multiple of m_spacing)."""
    s = first + np.arange(base // spacing, dtype=np.int64) * spacing
    k = np.ceil(steps_float32(s) / F32(decay)).astype(np.int64)
    return tuple(np.flatnonzero(k * decay % m_spacing == m_spacing // 2).tolist())


def _settles_polynomial(cfg: Config) -> int:
    return int(cfg["decay_steps"]) * (3 if cfg["cycle"] else 1)


def cycle_index(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """ceil(step * fl(1 / decay_steps)) (1 at step 0): the cycle a cycling PolynomialDecay is in."""
    x = steps_float32(steps)
    return np.where(x == 0, F32(1), np.ceil(x * reciprocal(cfg["decay_steps"])))


def cycle_multiplier(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """k = ceil(s / D) (1 at step 0), the cycle a cycling PolynomialDecay is in, in Keras's dtype."""
    s = keras_steps(cfg, steps)
    if computes_in_int(cfg):
        # numpy's int32 / int is float64; ops.ceil computes it in float32.
        return np.where(s == 0, F32(1), np.ceil((s / np.float64(cfg["decay_steps"])).astype(F32)))
    return np.where(s == 0, F32(1.0), np.ceil(s / F32(cfg["decay_steps"])))


def _phases(cfg: Config) -> Stages | Periods:
    """Decay, then the end value from D on; with `cycle`, cycle k = 1, 2, ... instead."""
    if cfg["cycle"]:
        return Periods(
            lambda steps: cycle_multiplier(cfg, steps),
            "phase.cycle",
            f"formula.{CLASS}.cycle",
            first=1,
            later_key="phase.later_cycles",
        )
    names = (("phase.decay", f"formula.{CLASS}.decay"), ("phase.end", f"formula.{CLASS}.end"))
    return Stages(edge_level(cfg, [keras_edge(cfg, cfg["decay_steps"])]), names)


def _compiled(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """PolynomialDecay: 1 - p fused as fl(1 - s * fl(1/D)) (slightly negative at s = D for half
    of all D: NaN for a non-integer power); with `cycle`, p = s / (D * ceil(s * fl(1/D)))."""
    lr0 = F32(cfg["initial_learning_rate"])
    end = F32(cfg["end_learning_rate"])
    power = F32(cfg["power"])
    decay_steps = F32(cfg["decay_steps"])
    x = steps_float32(steps)
    if cfg["cycle"]:
        one_minus_p = F32(1) - x / (decay_steps * cycle_index(cfg, steps))
    else:
        one_minus_p = fma(-np.minimum(x, decay_steps), reciprocal(decay_steps), F32(1))
    return fma(lr0 - end, keras_power(one_minus_p, np.full_like(one_minus_p, power)), end)


def _tf_xla(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """PolynomialDecay under TensorFlow's XLA (`jit_compile=True`): the compiled arithmetic up to
    decay_steps, and past it the value at decay_steps folded at compile time.

    TensorFlow's XLA (2.21) lowers min(float32(step), D) to a select on the integer step when
    D < 2^24 (exact there); LLVM then folds the clamped branch, (lr0 - end) * (1 - D * fl(1/D))^power
    + end, into a constant with each operation rounded on its own (no fma; `pow` in float64).
    So 1 - p goes below 0 only at step D itself (NaN there for a non-integer power, as under JAX
    `fit`), and from D + 1 on the rate is that constant: end_learning_rate where D * fl(1/D)
    rounds to 1, else (lr0 - end) * 2^(-24 power) + end (it never rounds above 1)."""
    compiled = _compiled(cfg, steps)
    decay_steps = F32(cfg["decay_steps"])
    if cfg["cycle"] or decay_steps >= FLOAT32_EXACT_STEPS:
        return compiled
    lr0, end = F32(cfg["initial_learning_rate"]), F32(cfg["end_learning_rate"])
    folded = F32(1) - decay_steps * reciprocal(decay_steps)
    after = (lr0 - end) * power(folded, F32(cfg["power"])) + end
    return np.where(steps_float32(steps) > decay_steps, after, compiled)


def _tf_graph(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """PolynomialDecay under tf.function: p = min(s, D) * fl(1/D), or with `cycle`
    s / (D * ceil(s * fl(1/D))) (a true division: its divisor is not a constant); nothing fused,
    so 1 - p is below 0 from D on only where D * fl(1/D) rounds above 1."""
    lr0, end = F32(cfg["initial_learning_rate"]), F32(cfg["end_learning_rate"])
    decay_steps = F32(cfg["decay_steps"])
    x = steps_float32(steps)
    if cfg["cycle"]:
        p = x / (decay_steps * cycle_index(cfg, steps))
    else:
        p = np.minimum(x, decay_steps) * reciprocal(decay_steps)
    return (lr0 - end) * power(F32(1) - p, F32(cfg["power"])) + end


def _compiled_index(cfg: Config) -> Callable[[np.ndarray], np.ndarray] | None:
    """The compiled cycle index, when the curve cycles."""
    return (lambda steps: cycle_index(cfg, steps)) if cfg["cycle"] else None


# Steps per engine call while looking for the first NaN of a cycling PolynomialDecay.
_NAN_SCAN_CHUNK = 1 << 18


def cycle_nan_from(cfg: Config, limit: int) -> int | None:
    """First step <= `limit` at which a cycling PolynomialDecay returns NaN in Keras, else None.

    With `cycle=True` Keras divides by D * ceil(fl(step) / D). Past 2^24 the float32 quotient can
    round down onto the cycle index k just after an edge k * D, so p = step / (k * D) > 1 and
    (1 - p) ** power is NaN for a non-integer power (an integer power gives a finite value below
    `end_learning_rate`). Below 2^24 the quotient never rounds that far. The search runs on the
    engine, over float32 step values: p depends on the step only through fl(step), and scaling
    D by 2^j scales every NaN step by 2^j, so only D's odd part d is searched (d = 1: never).
    The search can take 0.1-0.3 s and findings are asked for on every rerun, so it is cached.
    """
    if not cfg["cycle"] or computes_in_int(cfg) or F32(cfg["power"]).is_integer():
        return None
    return _cycle_nan_from(tuple(cfg.items()), limit)


@functools.lru_cache(maxsize=256)
def _cycle_nan_from(items: tuple[tuple[str, Any], ...], limit: int) -> int | None:
    """`cycle_nan_from`, cached by the config's items (findings are asked for on every rerun)."""
    cfg = dict(items)
    decay_steps = int(F32(cfg["decay_steps"]))
    shift = (decay_steps & -decay_steps).bit_length() - 1
    odd = decay_steps >> shift
    if odd == 1 or limit < FLOAT32_EXACT_STEPS:
        return None
    reduced = {**cfg, "decay_steps": odd}
    top = int(F32(limit)) >> shift
    for values in _cycle_nan_candidates(odd, top):
        bad = np.flatnonzero(np.isnan(_eval_polynomial(reduced, values)))
        if bad.size:
            value = int(values[bad[0]]) << shift
            break
    else:
        return None
    # The first integer step that rounds to `value` lies within one float32 spacing below it.
    window = np.arange(value - int(np.spacing(F32(value))), value + 1, dtype=np.int64)
    step = int(window[np.flatnonzero(np.isnan(_eval_polynomial(cfg, window)))[0]])
    return step if step <= limit else None


def _cycle_nan_candidates(odd: int, top: int) -> Iterator[np.ndarray]:
    """Ascending float32 step values in [2^24, top] that may give NaN for decay_steps = odd.

    Binade [2^e, 2^(e+1)) has spacing g = 2^(e-23). When it holds few cycles (k < 2^22, so the
    float32 quotient is k or k + 1 and only k can give NaN, within (k*d, k*d + d*ulp(k)/2),
    less than g), only the first value above each edge k*d can be NaN; otherwise every value is
    a candidate.
    """
    exponent = FLOAT32_EXACT_STEPS.bit_length() - 1
    while 1 << exponent <= top:
        low, high = 1 << exponent, min(1 << (exponent + 1), top + 1)
        spacing = 1 << (exponent - 23)
        if (1 << (exponent + 1)) // odd < 1 << 22:
            k = np.arange(low // odd, high // odd + 1, dtype=np.int64)
            values = (k * odd // spacing + 1) * spacing
            values = values[(values >= low) & (values < high)]
            for first in range(0, values.size, _NAN_SCAN_CHUNK):
                yield values[first : first + _NAN_SCAN_CHUNK]
        else:
            chunk = _NAN_SCAN_CHUNK * spacing
            for first in range(low, high, chunk):
                yield np.arange(first, min(first + chunk, high), spacing, dtype=np.int64)
        exponent += 1


# Cycle edges searched for a compiled NaN at most (~0.1 s); more are not searched.
MAX_CYCLE_EDGES = 1 << 21
# Float32 steps above each cycle edge that can give NaN: fl(step * fl(1 / D)) is below step / D
# by at most about step * 2^-23 (the reciprocal's and the product's rounding), so NaN needs
# step >= 2^22 and lies within two float32 spacings past an edge; one more for margin.
EDGE_VALUES = 3
CYCLE_NAN_FROM = 1 << 22


def _compiled_cycle_nan_from(cfg: Config, limit: int, evaluate: Evaluate = _compiled) -> int | None:
    """First compiled NaN of a cycling PolynomialDecay up to `limit`, or None (also when the
    cycles are too many to search); on another path with its `evaluate`. NaN needs
    ceil(fl(s * fl(1 / D))) < s / D: just after an edge k * D, from about 2^23 on (below, the
    product's error is under 1 / D).
    """
    decay_steps = int(cfg["decay_steps"])
    first_k = CYCLE_NAN_FROM // decay_steps
    last_k = limit // decay_steps
    if limit < CYCLE_NAN_FROM or last_k - first_k > MAX_CYCLE_EDGES:
        return None
    edges = np.arange(first_k, last_k + 1, dtype=np.int64) * decay_steps
    ranks = step_rank(edges)[:, None] + np.arange(1, EDGE_VALUES + 1)[None, :]
    values = np.unique(rank_step(ranks.ravel()))
    bad = values[np.isnan(evaluate(cfg, values))]
    if bad.size == 0:
        return None
    step = int(run_start(step_rank(bad[:1]))[0])
    return step if step <= limit else None


# How far from decay_steps to look for one whose reciprocal does not overshoot.
NEAREST_SEARCH = 1000


def safe_decay_steps(decay_steps: int, power: float) -> int | None:
    """The decay_steps nearest `decay_steps` for which XLA's fused 1 - D * fl(1 / D) is not
    negative (so a PolynomialDecay is not NaN at its end) and small enough that `power` keeps it
    under `SETTLED_GAP` of the decay (so it ends at end_learning_rate, not above it), or None. A
    small power lifts any remainder: then only a power of two (exact reciprocal, remainder 0)
    will do, so the nearest two are candidates too."""
    near = decay_steps + np.arange(-NEAREST_SEARCH, NEAREST_SEARCH + 1)
    below = 1 << max(0, decay_steps.bit_length() - 1)
    near = np.concatenate([near[near > 0], [below, 2 * below]])
    d = near.astype(F32)
    remainder = fma(-d, F32(1) / d, F32(1)).astype(np.float64)
    lifted = np.maximum(remainder, 0) ** float(power)
    ok = (remainder >= 0) & (lifted <= SETTLED_GAP)
    found = near[ok & (near <= MAX_STEPS)]
    if found.size == 0:
        return None
    return int(found[np.argmin(np.abs(found - decay_steps))])


def _compiled_nan_from(cfg: Config, limit: int) -> int | None:
    """First compiled NaN: 1 - p below 0 with a non-integer power (without `cycle` from the first
    step whose float32 is decay_steps's on, if fl(1 - D * fl(1 / D)) < 0; with `cycle` just after
    cycle edges past 2^23)."""
    if F32(cfg["power"]).is_integer():
        return None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        if cfg["cycle"]:
            return _compiled_cycle_nan_from(cfg, limit)
        decay_steps = F32(cfg["decay_steps"])
        below_zero = fma(-decay_steps, reciprocal(decay_steps), F32(1)) < 0
    # The first step whose float32 is decay_steps's (past 2^24 a run of steps shares it).
    step = int(run_start(step_rank(np.array([int(cfg["decay_steps"])])))[0])
    return step if below_zero and step <= limit else None


def _compiled_nan_fix(cfg: Config) -> dict[str, Any] | None:
    """Without `cycle`: the nearest decay_steps whose compiled 1 - p stays >= 0."""
    safe = safe_decay_steps(int(cfg["decay_steps"]), cfg["power"])
    if cfg["cycle"] or safe is None:
        return None
    return {"power": cfg["power"], "safe": safe}


def _graph_nan_from(cfg: Config, limit: int) -> int | None:
    """First NaN under tf.function: only with `cycle` (just after cycle edges past 2^23, where
    the cycle index is the compiled one). Without it 1 - fl(D * fl(1 / D)) is never below 0
    (D * fl(1 / D) rounds to 1 or to 1 - 2^-24, never above 1), so the curve ends at
    end_learning_rate or a little above it, never NaN."""
    if not cfg["cycle"] or F32(cfg["power"]).is_integer():
        return None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return _compiled_cycle_nan_from(cfg, limit, _tf_graph)


def _findings(cfg: Config, reach: int) -> list[Finding]:
    """NaN past 2^24 in a cycling curve with a non-integer power."""
    nan_from = cycle_nan_from(cfg, reach)
    if nan_from is None:
        return []
    params = {"nan_from": nan_from, "power": cfg["power"]}
    return [Finding("polynomial_cycle_nan", "warning", "cycle", params)]


SPEC = ScheduleSpec(
    CLASS,
    spec_summary(CLASS),
    (
        learning_rate_param(CLASS, "initial_learning_rate"),
        steps_param(CLASS, "decay_steps"),
        learning_rate_param(CLASS, "end_learning_rate", default=0.0001),
        ParamSpec(
            "power",
            "float",
            param_help(CLASS, "power"),
            default=1.0,
            minimum=0.0,
            maximum=1e3,
            slider_min=0.1,
            slider_max=5.0,
        ),
        flag_param(CLASS, "cycle"),
        name_param(CLASS, CLASS),
    ),
    _eval_polynomial,
    _breaks_polynomial,
    _settles_polynomial,
    starter={
        "initial_learning_rate": 1e-3,
        "decay_steps": 10000,
        "end_learning_rate": 1e-5,
        "power": 2.0,
        "cycle": False,
        "name": "polynomial",
    },
    link_code="Y",
    mark_kind="cycle",
    drifting=_drifting_polynomial,
    compiled_evaluate=_compiled,
    compiled_index=_compiled_index,
    tf_paths={
        "tf-xla": PathArithmetic(_tf_xla),
        "tf-graph": PathArithmetic(_tf_graph, _compiled_index, _graph_nan_from),
    },
    teaching=Teaching(_phases, int32_args=("end_learning_rate", "power")),
    findings=_findings,
    nan_from=cycle_nan_from,
    compiled_nan_from=_compiled_nan_from,
    compiled_nan_fix=_compiled_nan_fix,
    nan_param="power",
)
