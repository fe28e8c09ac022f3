"""The six Keras built-in learning-rate schedules: parameter specs and vectorised evaluation.

Every evaluation follows `keras/src/optimizers/schedules/learning_rate_schedule.py` (Keras 3)
operation by operation in float32, so `schedule(steps)` equals Keras's numpy backend bit for bit.
Python floats that Keras mixes into float32 tensors are rounded to float32 first (NumPy 2's weak
scalars), which is why some constants below are rounded before an operation and others after.

An integer `initial_learning_rate` makes Keras compute in int32 (`warmup_target`, `alpha`, `t_mul`
... are truncated, pi becomes 3); the `_int` branches reproduce that bit for bit (up to 2^31 steps,
where Keras's int32 step overflows): numpy's operators give float64 (int32 / int32), Keras's own
ops float32 whatever they get. `lrviz.findings` explains it. `Schedule.compiled()` gives the
compiled path (JAX `fit`, XLA): see `lrviz.compiled`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from lrviz.i18n import DEFAULT_LANGUAGE, catalog, t
from lrviz.params import MAX_STEPS, REQUIRED, ParamSpec

F32 = np.float32
PI32 = F32(math.pi)
FLOAT32_EXACT_STEPS = 2**24
_BITS_EXACT = int(np.array(FLOAT32_EXACT_STEPS, dtype=F32).view(np.uint32))

Config = Mapping[str, Any]
Evaluate = Callable[[Config, np.ndarray], np.ndarray]
Breaks = Callable[[Config, int, int, int], "np.ndarray | None"]
Spans = Callable[[Config, int], "list[tuple[int, int, int]]"]


class DriftingSpan(NamedTuple):
    """Float32 steps [first, last] over which chains x, x + period, x + 2 period, ... only fall
    or only rise; for every x but the `irregular` ones, chains of step `base` (a divisor of
    period) do too. `irregular` lists those x as rank offsets from `first` modulo base."""

    first: int
    last: int
    period: int
    base: int
    irregular: tuple[int, ...] = ()


DriftingSpans = Callable[[Config, int], "list[DriftingSpan]"]


@dataclass(frozen=True)
class ScheduleSpec:
    """Everything lrviz knows about one Keras schedule class."""

    class_name: str
    summary: str
    params: tuple[ParamSpec, ...]
    evaluate: Evaluate = field(repr=False)
    breaks: Breaks = field(repr=False)
    settles_at: Callable[[Config], int] = field(repr=False)
    periodic: Spans | None = field(default=None, repr=False)
    drifting: DriftingSpans | None = field(default=None, repr=False)
    constant: Callable[[Config], int | None] | None = field(default=None, repr=False)
    # Keras casts the step to float32 first (PiecewiseConstantDecay compares integers instead).
    float32_step: bool = True
    # Where Keras runs it: "eager" (the reference arithmetic) or "compiled" (XLA; lrviz.compiled).
    path: str = "eager"
    # The shape lrviz.translate writes for other frameworks: "cosine" (a cosine decay after an
    # optional linear warmup) or "sgdr" (cosine with warm restarts); None when none has it.
    translated_as: str | None = None

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def defaults(self) -> dict[str, Any]:
        """Default values of the optional arguments (Keras's constructor defaults)."""
        return {p.name: p.default for p in self.params if not p.required}


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


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------


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


def _cosine_decay(
    completed: np.ndarray, alpha: float, decay_from: np.float32, pi: np.float32 = PI32
) -> np.ndarray:
    """Keras `CosineDecay._decay_function`: decay_from * ((1-alpha) * 0.5(1+cos(pi*f)) + alpha).

    `alpha` is a Python float there, so `1 - alpha` is computed in float64 and rounded once.
    """
    cosine = F32(0.5) * (F32(1.0) + np.cos(pi * completed))
    decayed = F32(1 - alpha) * cosine + F32(alpha)
    return decay_from * decayed


# ---------------------------------------------------------------------------------------------
# CosineDecay
# ---------------------------------------------------------------------------------------------

# Steps per block. A block's float32 buffer stays in cache and is allocated once per call; fresh
# temporaries per block would be mmap'ed and page-faulted by glibc (above 128 KiB), which is
# slower than not blocking at all.
EVAL_BLOCK = 1 << 17


def _eval_cosine(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """Cosine decay from `initial_learning_rate` (or `warmup_target` after a linear warmup).

    No warmup: s = min(step, D); lr = lr0 * ((1-a) * 0.5 * (1 + cos(pi s / D)) + a).
    Warmup (`warmup_target` set): s = min(step, D + W); s < W: lr = (T - lr0) * s / W + lr0;
    else the decay above with s - W and T in place of lr0.
    Evaluated block by block in place: one pass per operation over a cached block instead of one
    fresh 4-byte-per-step array per operation.
    """
    if computes_in_int(cfg):
        return _eval_cosine_int(cfg, steps)
    lr0 = F32(cfg["initial_learning_rate"])
    decay_steps = F32(cfg["decay_steps"])
    alpha = cfg["alpha"]
    warmup = cfg["warmup_target"] is not None
    if warmup:
        target = F32(cfg["warmup_target"])
        warmup_steps = F32(cfg["warmup_steps"])
        cap, peak = decay_steps + warmup_steps, target
    else:
        cap, peak = decay_steps, lr0
    flat = steps.reshape(-1)
    out = np.empty(flat.shape, F32)
    size = min(EVAL_BLOCK, flat.size)
    # `caps` is an array because numpy's float32 minimum with a scalar operand is 4x slower.
    x_block, caps, rising_block = np.empty(size, F32), np.full(size, cap), np.empty(size, bool)
    for first in range(0, flat.size, EVAL_BLOCK):
        block_steps = flat[first : first + EVAL_BLOCK]
        o = out[first : first + EVAL_BLOCK]
        x, rising = x_block[: o.size], rising_block[: o.size]
        np.copyto(x, block_steps, casting="unsafe")  # ops.cast(step, "float32")
        np.minimum(x, caps[: o.size], out=x)
        if warmup:
            any_rising = np.less(x, warmup_steps, out=rising).any()
            np.subtract(x, warmup_steps, out=x)
        np.divide(x, decay_steps, out=x)
        # _cosine_decay: peak * ((1 - alpha) * (0.5 * (1 + cos(pi * completed))) + alpha)
        np.multiply(PI32, x, out=x)
        np.cos(x, out=x)
        np.add(F32(1.0), x, out=x)
        np.multiply(F32(0.5), x, out=x)
        np.multiply(F32(1 - alpha), x, out=x)
        np.add(x, F32(alpha), out=x)
        np.multiply(peak, x, out=o)
        if warmup and any_rising:
            s = block_steps[rising].astype(F32)  # below W < D + W: never clamped
            with np.errstate(divide="ignore", invalid="ignore"):
                o[rising] = (target - lr0) * (s / warmup_steps) + lr0
    return out.reshape(steps.shape)


def _eval_cosine_int(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """Integer `initial_learning_rate`: int32 arithmetic, pi = 3, warmup in float64 (numpy's `/`)."""
    lr0 = int(cfg["initial_learning_rate"])
    decay_steps = int(cfg["decay_steps"])
    alpha = cfg["alpha"]
    s = steps.astype(np.int64)
    three = F32(3)
    if cfg["warmup_target"] is None:
        s = np.minimum(s, decay_steps)
        completed = s.astype(F32) / F32(decay_steps)
        return _cosine_decay(completed, alpha, F32(lr0), three)
    target = cast_int32(cfg["warmup_target"])
    warmup_steps = int(cfg["warmup_steps"])
    s = np.minimum(s, decay_steps + warmup_steps)
    with np.errstate(divide="ignore", invalid="ignore"):
        warm = (target - lr0) * (s / np.float64(warmup_steps)) + lr0
    completed = (s - warmup_steps).astype(F32) / F32(decay_steps)
    decay = _cosine_decay(completed, alpha, F32(target), three)
    return np.where(s < warmup_steps, warm.astype(F32), decay)


def _breaks_cosine(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray:
    if cfg["warmup_target"] is None:
        return np.array([cfg["decay_steps"]], dtype=np.int64)
    warmup = int(cfg["warmup_steps"])
    return np.array([warmup, warmup + cfg["decay_steps"]], dtype=np.int64)


def _settles_cosine(cfg: Config) -> int:
    if cfg["warmup_target"] is None:
        return int(cfg["decay_steps"])
    return int(cfg["warmup_steps"]) + int(cfg["decay_steps"])


# ---------------------------------------------------------------------------------------------
# CosineDecayRestarts (SGDR)
# ---------------------------------------------------------------------------------------------


def _eval_restarts(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """SGDR: periods of first_decay_steps * t_mul^i, the i-th restarting at m_mul^i of the peak.

    f = step / first_decay_steps; t_mul == 1: i = floor(f), f -= i; else
    i = floor(log(1 - f (1 - t_mul)) / log(t_mul)), f = (f - (1 - t_mul^i)/(1 - t_mul)) / t_mul^i.
    lr = lr0 * ((1 - a) * 0.5 * m_mul^i * (1 + cos(pi f)) + a). With t_mul < 1 the periods sum
    to first_decay_steps / (1 - t_mul); past that the log's argument is negative and Keras gives NaN.
    """
    if computes_in_int(cfg):
        return _eval_restarts_int(cfg, steps)
    lr0 = F32(cfg["initial_learning_rate"])
    alpha = F32(cfg["alpha"])
    m_mul = F32(cfg["m_mul"])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        i_restart, completed = restart_position(cfg, steps)
        m_fac = keras_power(m_mul, i_restart)
        cosine = F32(0.5) * m_fac * (F32(1.0) + np.cos(PI32 * completed))
        decayed = (F32(1) - alpha) * cosine + alpha
        return lr0 * decayed


def restart_position(cfg: Config, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(period index, fraction of that period done) at each step, in Keras's float32 arithmetic."""
    first = F32(cfg["first_decay_steps"])
    t_mul = F32(cfg["t_mul"])
    completed = steps_float32(steps) / first
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if t_mul == F32(1.0):
            i_restart = np.floor(completed)
            return i_restart, completed - i_restart
        i_restart = np.floor(np.log(F32(1.0) - completed * (F32(1.0) - t_mul)) / np.log(t_mul))
        t_fac = keras_power(t_mul, i_restart)
        sum_r = (F32(1.0) - t_fac) / (F32(1.0) - t_mul)
        return i_restart, (completed - sum_r) / t_fac


def _eval_restarts_int(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """Integer `initial_learning_rate`: every argument truncated to int32. Keras mixes numpy's
    operators (int32 / int32 is float64) with its own ops, which compute in float32 whatever
    they get (`ops.floor`, `ops.divide`, `ops.cos`... cast a float64 operand to float32 first)."""
    lr0 = int(cfg["initial_learning_rate"])
    first = int(cfg["first_decay_steps"])
    alpha = cast_int32(cfg["alpha"])
    t_mul = cast_int32(cfg["t_mul"])
    m_mul = cast_int32(cfg["m_mul"])
    completed = steps.astype(np.int64) / np.float64(first)  # numpy `/`: float64
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if t_mul == 1:
            i_restart = np.floor(completed.astype(F32))  # ops.floor
            fraction = completed - i_restart  # numpy `-=`: float64
        else:
            inner = (1.0 - completed * (1.0 - t_mul)).astype(np.int32)  # ops.cast(..., int32)
            i_restart = np.floor(np.log(inner.astype(F32)) / np.log(F32(t_mul)))
            power = keras_power(F32(t_mul), i_restart)
            sum_r = (F32(1.0) - power) / F32(1.0 - t_mul)  # ops.divide
            fraction = (completed.astype(F32) - sum_r) / power  # ops.subtract, ops.divide
        m_fac = keras_power(F32(m_mul), i_restart)
        cosine = F32(0.5) * m_fac * (F32(1.0) + np.cos(F32(3) * fraction.astype(F32)))
        decayed = F32(1 - alpha) * cosine + F32(alpha)
        return F32(lr0) * decayed


# Most breakpoints `Schedule.breakpoints` lists by default.
MAX_BREAKPOINTS = 1_000_000


def restart_starts(cfg: Config, stop: int, limit: int = 1_000_000) -> np.ndarray | None:
    """Theoretical steps at which SGDR restarts (period i starts), up to `stop`; None if > limit."""
    found = _indexed_restart_starts(cfg, stop, limit)
    return None if found is None else found[0]


def _indexed_restart_starts(
    cfg: Config, stop: int, limit: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """`restart_starts` with the period index that begins at each (the first, where periods
    shorter than a step round onto one step)."""
    first = float(cfg["first_decay_steps"])
    t_mul = float(cfg["t_mul"])
    if t_mul == 1.0:
        count = int(stop // first)
        if count > limit:
            return None
        index = np.arange(1, count + 1, dtype=np.int64)
        return index * int(first), index
    starts: list[float] = []
    period, start = first, first
    while start <= stop and period >= 0.5 and len(starts) <= limit:
        starts.append(start)
        period *= t_mul
        start += period
    if len(starts) > limit:
        return None
    rounded = np.rint(np.array(starts, dtype=np.float64)).astype(np.int64)
    unique, first_at = np.unique(rounded, return_index=True)
    return unique, first_at.astype(np.int64) + 1


def restarts_nan_from(cfg: Config) -> int | None:
    """First step at which Keras returns NaN (t_mul < 1 only; the periods' sum is finite)."""
    t_mul = float(cfg["t_mul"])
    if t_mul >= 1.0 or computes_in_int(cfg):
        return None
    limit = float(cfg["first_decay_steps"]) / (1.0 - t_mul)
    spec = SCHEDULES["CosineDecayRestarts"]
    low = max(0, int(limit) - 4096)
    high = min(MAX_STEPS, int(limit) + 4096)
    window = np.arange(low, high + 1, dtype=np.int64)
    bad = np.flatnonzero(np.isnan(spec.evaluate(cfg, window)))
    if bad.size:
        return int(window[bad[0]])
    return None


# Breakpoint lists up to this long are exact on the integer grid (found by bisection) unless a
# caller asks for another length (`Schedule.breakpoints(exact=...)`); longer ones are the
# theoretical positions, which float32 rounding can move past 2^24.
EXACT_BREAKPOINTS = 100_000


def _exact_edges(
    index: Callable[[np.ndarray], np.ndarray],
    approx: np.ndarray,
    expected: np.ndarray,
    spread: int = 12,
) -> np.ndarray:
    """The steps where a monotone float32 period index really reaches each `expected` value,
    near its theoretical edge `approx`.

    Keras computes the period (restart, stair, cycle) in float32, so at large steps an edge moves
    away from its real-number position. A vectorised bisection finds the first step whose index
    is >= the expected value, within +-(4 + edge / 2^spread) steps; a window may hold other
    edges too (short periods), but only one step reaches that value first. `index` sees steps
    only through float32(step), so the bisection runs over float32 values (`step_rank`), and the
    edge is where that value's run of steps begins. A window that does not hold its edge is
    widened (up to 2^8 times); an edge still not found keeps its theoretical position. An index
    that turns NaN (restarts with t_mul < 1, past every finite period) counts as reached there,
    so a window that runs into the NaN still finds the edges before it.
    """
    if approx.size == 0:
        return approx

    def index_at(ranks: np.ndarray) -> np.ndarray:
        values = index(rank_step(ranks))
        return np.where(np.isnan(values), np.inf, values)

    target = expected.astype(np.float64)
    half = 4 + (approx >> spread)
    edges = approx.copy()
    todo = np.arange(approx.size)
    with np.errstate(invalid="ignore"):
        for _ in range(9):
            near, want = approx[todo], target[todo]
            low = step_rank(np.maximum(near - half[todo], 0))
            high = step_rank(near + half[todo])
            ok = (index_at(low) < want) & (index_at(high) >= want)
            low, high, want = low[ok], high[ok], want[ok]
            while np.any(high - low > 1):
                mid = (low + high) // 2
                reached = index_at(mid) >= want
                high = np.where(reached, mid, high)
                low = np.where(reached, low, mid)
            edges[todo[ok]] = run_start(high)
            todo = todo[~ok]
            if todo.size == 0:
                break
            half[todo] *= 2
    return sorted_unique(edges)


# An index floor/ceil(float32(step) / float32(D)) rounds twice, each time by at most half an ulp
# (2^-24 relative), so its edges move by at most step / 2^23 + 1: a window of step / 2^22 has 2x
# margin (and `_exact_edges` widens any window that misses its edge).
_QUOTIENT_SPREAD = 22


def _breaks_restarts(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray | None:
    indexed = _indexed_restart_starts(cfg, stop, limit)
    if indexed is None:
        return None
    starts, periods = indexed
    if starts.size <= exact and not computes_in_int(cfg):
        starts = _exact_edges(lambda steps: restart_position(cfg, steps)[0], starts, periods)
    nan_from = restarts_nan_from(cfg)
    if nan_from is not None:
        # t_mul < 1: the periods sum to F / (1 - t_mul). Once they are shorter than two steps
        # (the last 2 / (1 - t_mul) steps before that sum), Keras's float32 index climbs by one
        # or more at nearly every step, past where the theoretical list stops: every step there
        # is a breakpoint, up to the first NaN.
        total = float(cfg["first_decay_steps"]) / (1.0 - float(cfg["t_mul"]))
        tail_from = int(total - 2.0 / (1.0 - float(cfg["t_mul"]))) - 8 - (int(total) >> 20)
        tail_to = min(nan_from - 1, stop)
        if tail_to - tail_from > limit:
            return None
        tail = np.arange(max(tail_from, 0), tail_to + 1, dtype=np.int64)
        starts = sorted_unique(np.concatenate([starts[starts < nan_from], tail, [nan_from]]))
    return starts


def _periodic_restarts(cfg: Config, stop: int) -> list[tuple[int, int, int]]:
    """Spans of float32 steps over which SGDR with t_mul = m_mul = 1 repeats exactly.

    There the value depends only on frac = c - floor(c), c = float32(x) / float32(F) (F =
    first_decay_steps, x = float32(step), an integer). Inside one binade of x (spacing w) and one
    binade [2^k, 2^(k+1)) of c (spacing u = 2^(k-23) <= 1/2), adding P = lcm(w, F) to x adds the
    integer n = P / F to the exact quotient, n / u grid points of c (an even number, so rounding,
    ties to even included, commutes with the shift): c + n, the same frac, the same value. From
    k = 23 on, c is a whole number and frac = 0: the curve is flat (P = w). Returns (first, last,
    P) with first and last float32 steps and `first + j * P` all inside the span.
    """
    if computes_in_int(cfg) or F32(cfg["t_mul"]) != 1 or F32(cfg["m_mul"]) != 1:
        return []
    first = int(F32(cfg["first_decay_steps"]))
    spans = []
    # x binades: [0, 2^24) with w = 1, then [2^(e-1), 2^e) with w = 2^(e-24).
    for e in range(24, 64):
        x_low = 0 if e == 24 else 1 << (e - 1)
        if x_low > stop:
            break
        w = 1 if e == 24 else 1 << (e - 24)
        x_high = (1 << e) - w
        for k in range(24):
            # c stays in [2^k, 2^(k+1) - u] while x / F does: x in [F 2^k, F (2^(k+1) - u)].
            c_high = x_high if k == 23 else (first * ((1 << 24) - 1)) >> (23 - k)
            low, high = max(x_low, first << k), min(x_high, c_high)
            low, high = -(-low // w) * w, high // w * w
            period = w if k == 23 else math.lcm(w, first)
            if high - low >= period:
                spans.append((low, high, period))
    return spans


def _constant_restarts(cfg: Config) -> int | None:
    """First step from which SGDR with t_mul = 1 and m_mul < 1 no longer changes: m_mul^i
    underflows to 0 in float32 at some restart i0, and from there on every step gives
    lr0 * ((1 - alpha) * (0.5 * 0 * (1 + cos(pi f))) + alpha), f in [0, 1): one value.

    i0 is found by bisection over restarts (m_mul^i only falls with i, and once it is 0 it
    stays 0), its first step by the float32 restart index. None where that does not apply.
    """
    m_mul, t_mul = F32(cfg["m_mul"]), F32(cfg["t_mul"])
    if computes_in_int(cfg) or t_mul != F32(1) or not F32(0) <= m_mul < F32(1):
        return None

    def zero_at(restart: int) -> bool:
        return bool(keras_power(m_mul, np.array([restart], dtype=F32))[0] == 0)

    low, high = 0, 1 << 24
    if not zero_at(high):
        return None
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if zero_at(middle) else (middle, high)
    # Belt and braces for the bisection's premise: the next restarts' factors are 0 too.
    if not np.all(keras_power(m_mul, np.arange(high, high + 4096, dtype=F32)) == 0):
        return None
    first = int(F32(cfg["first_decay_steps"]))
    start = _exact_edges(
        lambda steps: restart_position(cfg, steps)[0],
        np.array([high * first], dtype=np.int64),
        np.array([high], dtype=np.int64),
        _QUOTIENT_SPREAD,
    )[0]
    index = restart_position(cfg, np.array([start - 1, start], dtype=np.int64))[0]
    if not (index[0] < high <= index[1]):
        return None
    return int(start)


def _settles_restarts(cfg: Config) -> int:
    nan_from = restarts_nan_from(cfg)
    if nan_from is not None:
        return nan_from
    t_mul = float(cfg["t_mul"])
    first = int(cfg["first_decay_steps"])
    # Three periods show the restart pattern.
    return min(MAX_STEPS, round(first * (1 + t_mul + t_mul * t_mul)))


# ---------------------------------------------------------------------------------------------
# ExponentialDecay and InverseTimeDecay
# ---------------------------------------------------------------------------------------------


def _eval_exponential(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """lr = lr0 * decay_rate ^ (step / decay_steps); the exponent floored when `staircase`."""
    if computes_in_int(cfg):
        # numpy's int32 / int32 is float64; ops.floor and ops.power compute it in float32.
        p = (steps.astype(np.int64) / np.float64(cfg["decay_steps"])).astype(F32)
        if cfg["staircase"]:
            p = np.floor(p)
        rate = F32(cast_int32(cfg["decay_rate"]))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return F32(cfg["initial_learning_rate"]) * keras_power(rate, p)
    p = steps_float32(steps) / F32(cfg["decay_steps"])
    if cfg["staircase"]:
        p = np.floor(p)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return F32(cfg["initial_learning_rate"]) * keras_power(F32(cfg["decay_rate"]), p)


def _eval_inverse_time(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """lr = lr0 / (1 + decay_rate * step / decay_steps); the ratio floored when `staircase`."""
    if computes_in_int(cfg):
        # numpy's int32 / int32 is float64; ops.floor, ops.multiply, ops.add and ops.divide
        # compute in float32.
        p = (steps.astype(np.int64) / np.float64(cfg["decay_steps"])).astype(F32)
        if cfg["staircase"]:
            p = np.floor(p)
        denom = F32(1) + F32(cast_int32(cfg["decay_rate"])) * p
        with np.errstate(divide="ignore"):
            return F32(cfg["initial_learning_rate"]) / denom
    p = steps_float32(steps) / F32(cfg["decay_steps"])
    if cfg["staircase"]:
        p = np.floor(p)
    denom = F32(1) + F32(cfg["decay_rate"]) * p
    return F32(cfg["initial_learning_rate"]) / denom


def _breaks_staircase(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray | None:
    if not cfg["staircase"]:
        return np.zeros(0, dtype=np.int64)
    count = stop // int(cfg["decay_steps"])
    if count > limit:
        return None
    edges = np.arange(1, count + 1, dtype=np.int64) * int(cfg["decay_steps"])
    if computes_in_int(cfg) or count > exact:
        return edges
    # Stair k begins at k * D: floor(step / D) reaches k there.
    return _exact_edges(
        lambda steps: np.floor(steps_float32(steps) / F32(cfg["decay_steps"])),
        edges,
        np.arange(1, count + 1, dtype=np.int64),
        _QUOTIENT_SPREAD,
    )


def _settles_exponential(cfg: Config) -> int:
    rate = float(cfg["decay_rate"])
    steps = int(cfg["decay_steps"])
    if 0.0 < rate < 1.0:
        # Where the rate has fallen to 1% of the start.
        return min(MAX_STEPS, max(steps, math.ceil(steps * math.log(0.01) / math.log(rate))))
    return min(MAX_STEPS, 10 * steps)


def _settles_inverse_time(cfg: Config) -> int:
    rate = float(cfg["decay_rate"])
    steps = int(cfg["decay_steps"])
    if rate > 0.0:
        # Where the rate has fallen to 10% of the start: 1 + rate * t = 10.
        # min() first: a denormal rate (5e-324) makes the quotient infinite.
        return max(steps, math.ceil(min(MAX_STEPS, 9.0 * steps / rate)))
    return min(MAX_STEPS, 10 * steps)


# ---------------------------------------------------------------------------------------------
# PiecewiseConstantDecay
# ---------------------------------------------------------------------------------------------


def _eval_piecewise(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """values[0] while step <= boundaries[0], values[i] while b[i-1] < step <= b[i], then values[-1]."""
    boundaries = np.asarray(cfg["boundaries"], dtype=np.int64)
    values = cfg["values"]
    dtype = np.int32 if isinstance(values[0], int) else F32
    with np.errstate(over="ignore"):
        table = np.asarray(values).astype(dtype)
    index = np.searchsorted(boundaries, steps.astype(np.int64), side="left")
    if np.isfinite(table).all():
        return table[index].astype(F32)
    # Keras sums mask * value over the pieces (first, last, then the middle ones, in float32):
    # a value beyond float32 is inf, and 0 * inf makes every other piece NaN.
    result = np.zeros(index.shape, F32)
    with np.errstate(invalid="ignore"):
        for piece in (0, len(table) - 1, *range(1, len(table) - 1)):
            result += (index == piece).astype(F32) * table[piece]
    return result


def _breaks_piecewise(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray | None:
    if len(cfg["boundaries"]) > limit:
        return None
    return np.asarray(cfg["boundaries"], dtype=np.int64) + 1


def _settles_piecewise(cfg: Config) -> int:
    return int(cfg["boundaries"][-1]) + 1 if cfg["boundaries"] else 1


# ---------------------------------------------------------------------------------------------
# PolynomialDecay
# ---------------------------------------------------------------------------------------------


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
    return _exact_edges(
        lambda steps: np.ceil(steps_float32(steps) / F32(decay_steps)),
        edges,
        np.arange(2, count + 2, dtype=np.int64),
        _QUOTIENT_SPREAD,
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


# ---------------------------------------------------------------------------------------------
# The specs
# ---------------------------------------------------------------------------------------------

# The summaries and help texts live in `lrviz/locales/<lang>.json` (keys `spec.*`, `param.*`); a spec holds the English.


def spec_summary(class_name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line on what the schedule `class_name` does, in `lang`."""
    return t(f"spec.{class_name}.summary", lang)


PARAM_NOTES: dict[tuple[str, str], str] = {
    (key.split(".")[1], key.split(".")[2]): key
    for key in catalog(DEFAULT_LANGUAGE)
    if key.startswith("param.") and key.endswith(".docs_note")
}
"""(class, parameter) -> i18n key of what Keras's docs get wrong or leave out about it."""


def docs_note(class_name: str, param: str, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """Where Keras's documentation misleads about this parameter, or None.

    The notes are the `param.<class>.<param>.docs_note` texts of the locale files.
    """
    key = PARAM_NOTES.get((class_name, param))
    return None if key is None else t(key, lang)


def param_help(class_name: str, param: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The help of argument `param` of `class_name` in `lang`, then where Keras's docs err."""
    text = t(f"param.{class_name}.{param}.help", lang)
    note = docs_note(class_name, param, lang)
    return text if note is None else f"{text}\n\n{t('param.docs_label', lang)} {note}"


def _lr(cls: str, name: str, default: Any = REQUIRED, nullable: bool = False) -> ParamSpec:
    return ParamSpec(
        name,
        "float",
        param_help(cls, name),
        default=default,
        nullable=nullable,
        minimum=0.0,
        slider_min=1e-6,
        slider_max=10.0,
        log=True,
        learning_rate=True,
    )


def _steps(cls: str, name: str, default: Any = REQUIRED, low: int = 1) -> ParamSpec:
    return ParamSpec(
        name,
        "steps",
        param_help(cls, name),
        default=default,
        minimum=low,
        maximum=MAX_STEPS,
        slider_min=low,
        slider_max=10**7,
        log=True,
    )


def _name(cls: str, default: str) -> ParamSpec:
    return ParamSpec("name", "text", param_help(cls, "name"), default=default)


def _flag(cls: str, name: str) -> ParamSpec:
    return ParamSpec(name, "bool", param_help(cls, name), default=False)


def _alpha(cls: str) -> ParamSpec:
    return ParamSpec(
        "alpha",
        "float",
        param_help(cls, "alpha"),
        default=0.0,
        minimum=-1e6,
        maximum=1e6,
        slider_min=0.0,
        slider_max=1.0,
    )


SCHEDULES: dict[str, ScheduleSpec] = {
    spec.class_name: spec
    for spec in (
        ScheduleSpec(
            "CosineDecay",
            spec_summary("CosineDecay"),
            (
                _lr("CosineDecay", "initial_learning_rate"),
                _steps("CosineDecay", "decay_steps"),
                _alpha("CosineDecay"),
                _name("CosineDecay", "CosineDecay"),
                _lr("CosineDecay", "warmup_target", default=None, nullable=True),
                _steps("CosineDecay", "warmup_steps", default=0, low=0),
            ),
            _eval_cosine,
            _breaks_cosine,
            _settles_cosine,
            translated_as="cosine",
        ),
        ScheduleSpec(
            "CosineDecayRestarts",
            spec_summary("CosineDecayRestarts"),
            (
                _lr("CosineDecayRestarts", "initial_learning_rate"),
                _steps("CosineDecayRestarts", "first_decay_steps"),
                ParamSpec(
                    "t_mul",
                    "float",
                    param_help("CosineDecayRestarts", "t_mul"),
                    default=2.0,
                    minimum=0.0,
                    maximum=1e3,
                    exclusive_minimum=True,
                    slider_min=0.5,
                    slider_max=4.0,
                ),
                ParamSpec(
                    "m_mul",
                    "float",
                    param_help("CosineDecayRestarts", "m_mul"),
                    default=1.0,
                    minimum=0.0,
                    maximum=1e3,
                    slider_min=0.0,
                    slider_max=2.0,
                ),
                _alpha("CosineDecayRestarts"),
                _name("CosineDecayRestarts", "SGDRDecay"),
            ),
            _eval_restarts,
            _breaks_restarts,
            _settles_restarts,
            _periodic_restarts,
            constant=_constant_restarts,
            translated_as="sgdr",
        ),
        ScheduleSpec(
            "ExponentialDecay",
            spec_summary("ExponentialDecay"),
            (
                _lr("ExponentialDecay", "initial_learning_rate"),
                _steps("ExponentialDecay", "decay_steps"),
                ParamSpec(
                    "decay_rate",
                    "float",
                    param_help("ExponentialDecay", "decay_rate"),
                    minimum=0.0,
                    maximum=1e3,
                    exclusive_minimum=True,
                    slider_min=0.01,
                    slider_max=1.0,
                ),
                _flag("ExponentialDecay", "staircase"),
                _name("ExponentialDecay", "ExponentialDecay"),
            ),
            _eval_exponential,
            _breaks_staircase,
            _settles_exponential,
        ),
        ScheduleSpec(
            "PiecewiseConstantDecay",
            spec_summary("PiecewiseConstantDecay"),
            (
                ParamSpec(
                    "boundaries",
                    "steps_list",
                    param_help("PiecewiseConstantDecay", "boundaries"),
                    minimum=0,
                    # Keras converts boundaries to int32 tensors and fails on larger ones.
                    maximum=2**31 - 1,
                ),
                ParamSpec(
                    "values",
                    "float_list",
                    param_help("PiecewiseConstantDecay", "values"),
                    minimum=0.0,
                    learning_rate=True,
                ),
                _name("PiecewiseConstantDecay", "PiecewiseConstant"),
            ),
            _eval_piecewise,
            _breaks_piecewise,
            _settles_piecewise,
            float32_step=False,
        ),
        ScheduleSpec(
            "PolynomialDecay",
            spec_summary("PolynomialDecay"),
            (
                _lr("PolynomialDecay", "initial_learning_rate"),
                _steps("PolynomialDecay", "decay_steps"),
                _lr("PolynomialDecay", "end_learning_rate", default=0.0001),
                ParamSpec(
                    "power",
                    "float",
                    param_help("PolynomialDecay", "power"),
                    default=1.0,
                    minimum=0.0,
                    maximum=1e3,
                    slider_min=0.1,
                    slider_max=5.0,
                ),
                _flag("PolynomialDecay", "cycle"),
                _name("PolynomialDecay", "PolynomialDecay"),
            ),
            _eval_polynomial,
            _breaks_polynomial,
            _settles_polynomial,
            drifting=_drifting_polynomial,
        ),
        ScheduleSpec(
            "InverseTimeDecay",
            spec_summary("InverseTimeDecay"),
            (
                _lr("InverseTimeDecay", "initial_learning_rate"),
                _steps("InverseTimeDecay", "decay_steps"),
                ParamSpec(
                    "decay_rate",
                    "float",
                    param_help("InverseTimeDecay", "decay_rate"),
                    minimum=0.0,
                    maximum=1e6,
                    slider_min=0.01,
                    slider_max=10.0,
                    log=True,
                ),
                _flag("InverseTimeDecay", "staircase"),
                _name("InverseTimeDecay", "InverseTimeDecay"),
            ),
            _eval_inverse_time,
            _breaks_staircase,
            _settles_inverse_time,
        ),
    )
}


@dataclass(frozen=True, eq=False)
class Schedule:
    """A validated Keras schedule: call it on steps, export it with `to_keras()`.

    Build one with `lrviz.from_keras`; `config` holds every constructor argument (defaults
    filled) with the number types Keras would see.
    """

    spec: ScheduleSpec
    config: Mapping[str, Any]
    # Spans by (kind, stop): pure functions of the immutable config, asked for several times
    # while one range is sampled.
    _spans: dict[tuple[str, int], list[Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def class_name(self) -> str:
        return self.spec.class_name

    @property
    def name(self) -> str:
        return str(self.config["name"])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Schedule)
            and self.path == other.path
            and self.to_keras() == other.to_keras()
        )

    def __hash__(self) -> int:
        return hash((self.path, repr(self.to_keras())))

    @property
    def path(self) -> str:
        """Where Keras runs this curve: "eager" or "compiled" (see `compiled()`)."""
        return self.spec.path

    def compiled(self) -> Schedule:
        """The schedule as the compiled path applies it (JAX `fit`, TensorFlow with XLA):
        same call signature, vectorised, numpy only; see `lrviz.compiled`."""
        from lrviz.compiled import compiled_spec

        if self.path == "compiled":
            return self
        return Schedule(compiled_spec(self.spec), self.config)

    def on_path(self, path: str) -> Schedule:
        """This schedule on `path` ("eager" or "compiled")."""
        return self.compiled() if path == "compiled" else self.eager()

    def eager(self) -> Schedule:
        """The schedule as eager Keras computes it (the reference arithmetic)."""
        return self if self.path == "eager" else Schedule(SCHEDULES[self.class_name], self.config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"{self.class_name}({args})"

    def __call__(self, steps: int | np.integer | np.ndarray) -> Any:
        """Learning rates (float32) at integer steps, vectorised; a scalar for a scalar step."""
        array = np.asarray(steps)
        if array.dtype.kind not in "iu":
            raise TypeError(f"steps must be integers; received dtype {array.dtype}")
        # Keras's float32 arithmetic turns rates beyond float32 into inf and NaN without a word.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            values = np.asarray(self.spec.evaluate(self.config, np.atleast_1d(array)), dtype=F32)
        if array.ndim == 0:
            return F32(values[0])
        return values.reshape(array.shape)

    def at_float32(self, steps: np.ndarray) -> np.ndarray:
        """Learning rates at steps given as float32 values that are whole steps (a
        `float32_steps` schedule sees nothing else of a step): spares the sampler the int64
        arrays and their cast."""
        if not self.float32_steps or steps.dtype != F32:
            raise TypeError("at_float32 takes float32 steps of a float32_steps schedule")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.asarray(self.spec.evaluate(self.config, steps), dtype=F32)

    def to_keras(self) -> dict[str, Any]:
        """The dict `keras.optimizers.schedules.serialize` returns for this schedule."""
        return {
            "module": "keras.optimizers.schedules",
            "class_name": self.class_name,
            "config": {name: _copy(self.config[name]) for name in self.spec.param_names},
            "registered_name": None,
        }

    @property
    def uses_integer_dtype(self) -> bool:
        """True when Keras would compute this schedule in int32 (an integer learning rate)."""
        key = "values" if self.class_name == "PiecewiseConstantDecay" else "initial_learning_rate"
        first = self.config[key][0] if key == "values" else self.config[key]
        return isinstance(first, int)

    def with_float_rates(self) -> Schedule:
        """The same schedule with every learning-rate argument written as a float (what to export)."""
        config = dict(self.config)
        for param in self.spec.params:
            value = config[param.name]
            if not param.learning_rate or value is None:
                continue
            config[param.name] = (
                [float(v) for v in value] if isinstance(value, list) else float(value)
            )
        return Schedule(self.spec, config)

    def replace(self, **changes: Any) -> Schedule:
        """A copy with some arguments changed (validated like an import)."""
        from lrviz.keras_json import validate_config

        return Schedule(self.spec, validate_config(self.class_name, {**self.config, **changes}))

    def settles_at(self) -> int:
        """The step from which the curve no longer changes (or a span that shows its pattern)."""
        return max(1, self.spec.settles_at(self.config))

    @property
    def monotone(self) -> bool:
        """True when the whole curve only falls or only rises (ExponentialDecay and InverseTimeDecay
        with decay_rate >= 0, stairs or not): then a step range's extremes are at its two ends,
        however many stairs it holds."""
        if self.class_name not in ("ExponentialDecay", "InverseTimeDecay"):
            return False
        return bool(float(self.config["decay_rate"]) >= 0)

    @property
    def float32_steps(self) -> bool:
        """True when the value depends on the step only through float32(step), as Keras's float
        schedules do: then a run of steps with equal float32 has one value."""
        return self.spec.float32_step and not self.uses_integer_dtype

    def periodic_spans(self, stop: int) -> list[tuple[int, int, int]]:
        """Disjoint ascending spans (first, last, P) of float32 steps up to about `stop` over which
        the curve repeats exactly: schedule(x + P) == schedule(x) for every float32 step x with
        x and x + P in [first, last]. Empty for most schedules."""
        return self._cached_spans("periodic", self.spec.periodic, stop)

    def drifting_spans(self, stop: int) -> list[DriftingSpan]:
        """Disjoint ascending spans of float32 steps up to about `stop` over which the curve
        repeats up to a monotone drift: for every float32 step x in [first, last], the values at
        x, x + P, x + 2P, ... inside the span only fall or only rise (P the span's period, or its
        base but at its irregular offsets). Empty for most schedules (PolynomialDecay with cycle
        has them)."""
        return self._cached_spans("drifting", self.spec.drifting, stop)

    def _cached_spans(
        self, kind: str, spans: Callable[[Config, int], list[Any]] | None, stop: int
    ) -> list[Any]:
        """`spans(config, stop)`, computed once per kind and stop (empty without `spans`)."""
        if spans is None:
            return []
        key = (kind, stop)
        if key not in self._spans:
            self._spans[key] = spans(self.config, stop)
        return self._spans[key]

    def constant_from(self) -> int | None:
        """The first step from which every step has the same value (SGDR whose restart factor
        m_mul^i underflows to 0), or None."""
        if self.spec.constant is None:
            return None
        return self.spec.constant(self.config)

    def breakpoints(
        self, stop: int, limit: int = MAX_BREAKPOINTS, exact: int = EXACT_BREAKPOINTS
    ) -> np.ndarray | None:
        """Steps in [0, stop] where the curve changes its formula (warmup end, decay end, restarts,
        boundaries, stair edges); None when there are more than about `limit` to list.

        Lists of up to `exact` periods (restarts, stairs, cycles) are exact on the integer grid,
        each edge found by bisection over float32 steps; longer ones are the real-number positions,
        which float32 rounding can move by a few steps past 2^24.
        """
        raw = self.spec.breaks(self.config, stop, limit, exact)
        if raw is None:
            return None
        raw = raw[(raw >= 0) & (raw <= stop)]
        return sorted_unique(raw)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
