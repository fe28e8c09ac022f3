"""`keras.optimizers.schedules.CosineDecayRestarts`: SGDR, cosine decay with warm restarts.

Follows `keras/src/optimizers/schedules/learning_rate_schedule.py`, class `CosineDecayRestarts`
(Keras >= 3.12), operation by operation in float32 (Loshchilov & Hutter, "SGDR: Stochastic
Gradient Descent with Warm Restarts", ICLR 2017). With c = step / first_decay_steps:

    t_mul == 1:  i = floor(c),  f = c - i
    otherwise:   i = floor(log(1 - c (1 - t_mul)) / log(t_mul)),
                 f = (c - (1 - t_mul^i) / (1 - t_mul)) / t_mul^i
    lr = initial_learning_rate * ((1 - alpha) * 0.5 * m_mul^i * (1 + cos(pi f)) + alpha)

Period i lasts first_decay_steps * t_mul^i steps and restarts at m_mul^i of the peak. With
t_mul < 1 the periods sum to first_decay_steps / (1 - t_mul); past that the log's argument is
negative and Keras returns NaN, which lrviz shows (`restarts_nan_from`).

Args: initial_learning_rate, first_decay_steps, t_mul, m_mul, alpha, name.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from lrviz.engine.edges import QUOTIENT_SPREAD, exact_edges
from lrviz.engine.finding import Finding, alpha_finding
from lrviz.engine.float32 import (
    F32,
    PI32,
    Config,
    cast_int32,
    computes_in_int,
    keras_power,
    sorted_unique,
    steps_float32,
)
from lrviz.engine.grappler import cos as graph_cos
from lrviz.engine.grappler import log as graph_log
from lrviz.engine.params import ParamSpec
from lrviz.engine.phases import Periods, Teaching
from lrviz.engine.spec import (
    Evaluate,
    PathArithmetic,
    ScheduleSpec,
    alpha_param,
    learning_rate_param,
    name_param,
    param_help,
    spec_summary,
    steps_param,
)
from lrviz.engine.xla import fma, folded_log, log, power, reciprocal
from lrviz.limits import MAX_STEPS

CLASS = "CosineDecayRestarts"


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


def restart_index(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """Keras's period index i at each step (NaN past a t_mul < 1 horizon), in its dtype."""
    if not computes_in_int(cfg):
        return restart_position(cfg, steps)[0]
    completed = steps.astype(np.int64) / np.float64(cfg["first_decay_steps"])
    t_mul = cast_int32(cfg["t_mul"])
    if t_mul == 1:
        return np.floor(completed.astype(F32))  # ops.floor computes in float32
    inner = (1.0 - completed * (1.0 - t_mul)).astype(np.int32)
    return np.floor(np.log(inner.astype(F32)) / np.log(F32(t_mul)))


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
    low = max(0, int(limit) - 4096)
    high = min(MAX_STEPS, int(limit) + 4096)
    window = np.arange(low, high + 1, dtype=np.int64)
    bad = np.flatnonzero(np.isnan(_eval_restarts(cfg, window)))
    if bad.size:
        return int(window[bad[0]])
    return None


def _breaks_restarts(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray | None:
    indexed = _indexed_restart_starts(cfg, stop, limit)
    if indexed is None:
        return None
    starts, periods = indexed
    if starts.size <= exact and not computes_in_int(cfg):
        starts = exact_edges(lambda steps: restart_position(cfg, steps)[0], starts, periods)
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
    start = exact_edges(
        lambda steps: restart_position(cfg, steps)[0],
        np.array([high * first], dtype=np.int64),
        np.array([high], dtype=np.int64),
        QUOTIENT_SPREAD,
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


Position = tuple[np.ndarray, np.ndarray]


def _reciprocal_position(
    cfg: Config, steps: np.ndarray, geometric: Callable[..., Position]
) -> Position:
    """(period index, fraction of it done) where step / F runs as step * fl(1 / F), as both
    compiled paths have it: with t_mul = 1 the floor of that, else `geometric(t_mul, x, inverse,
    completed)` (each path's own arithmetic for growing or shrinking periods)."""
    t_mul = F32(cfg["t_mul"])
    x = steps_float32(steps)
    inverse = reciprocal(cfg["first_decay_steps"])
    completed = x * inverse
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if t_mul == F32(1.0):
            i_restart = np.floor(completed)
            return i_restart, completed - i_restart
        return geometric(t_mul, x, inverse, completed)


def compiled_restart_position(cfg: Config, steps: np.ndarray) -> Position:
    """(period index, fraction of it done) as XLA computes them: reciprocals, fused multiply-adds,
    XLA's own float32 `log` kernel and `powf`. The index is bit for bit that of jitted Keras
    (tests/test_compiled_parity.py), so every restart and the first NaN fall on its steps."""
    return _reciprocal_position(cfg, steps, _xla_geometric)


def _xla_geometric(t_mul: F32, x: np.ndarray, inverse: F32, completed: np.ndarray) -> Position:
    """XLA's period index and fraction for t_mul != 1."""
    # XLA folds the constants: 1 - step * fl(fl(1 / F) * (1 - t_mul)), one fused rounding;
    # but 1 - t_mul = -1 (t_mul = 2) becomes a negation of c = step * fl(1 / F), which then
    # has two uses and is rounded on its own: 1 + c. log(inner) is XLA's kernel, the
    # constant log(t_mul) is folded (correctly rounded).
    negated = t_mul == F32(2.0)
    folded = fma(-x, inverse * (F32(1.0) - t_mul), F32(1.0))
    inner = F32(1.0) + completed if negated else folded
    i_restart = np.floor(log(inner) * reciprocal(folded_log(t_mul)))
    # (completed - sum_r) / t_mul^i as XLA has it: step * fl(1 / F) fused with the
    # subtraction of fl((1 - t_mul^i) * fl(1 / (1 - t_mul))), then times t_mul^-i. Where c
    # is rounded on its own (F = 1: XLA drops the multiplication by 1; t_mul = 2) the other
    # multiplication is fused: c - (1 - t_mul^i) * r.
    one_minus = F32(1.0) - power(t_mul, i_restart)
    if inverse == F32(1.0) or negated:
        done = fma(-one_minus, reciprocal(F32(1.0) - t_mul), completed)
    else:
        done = fma(x, inverse, -(one_minus * reciprocal(F32(1.0) - t_mul)))
    return i_restart, done * power(t_mul, -i_restart)


def _compiled(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """CosineDecayRestarts with the compiled restart index."""
    lr0 = F32(cfg["initial_learning_rate"])
    alpha = F32(cfg["alpha"])
    i_restart, completed = compiled_restart_position(cfg, steps)
    m_fac = power(F32(cfg["m_mul"]), i_restart)
    cosine = F32(0.5) * m_fac * (F32(1.0) + np.cos(PI32 * completed))
    return lr0 * fma(F32(1) - alpha, cosine, alpha)


def _compiled_index(cfg: Config) -> Callable[[np.ndarray], np.ndarray] | None:
    """The compiled restart index of this config."""
    return lambda steps: compiled_restart_position(cfg, steps)[0]


def graph_restart_position(cfg: Config, steps: np.ndarray) -> Position:
    """(period index, fraction of it done) as `tf.function` computes them (read off Grappler's
    optimized graph): c = step * fl(1 / F), 1 - fl(1 - t_mul) c, log(t_mul) folded by glibc's
    `logf` and divided by as fl(1 / log(t_mul)), sum_r = (1 - t_mul^i) fl(1 / (1 - t_mul)), each
    operation rounded on its own, glibc's `logf` and `powf` (`lrviz.engine.grappler`)."""
    return _reciprocal_position(cfg, steps, _graph_geometric)


def _graph_geometric(t_mul: F32, x: np.ndarray, inverse: F32, completed: np.ndarray) -> Position:
    """Graph mode's period index and fraction for t_mul != 1."""
    # step * fl(1 / F) has two uses, so Grappler does not fold 1 - t_mul into its constant.
    inner = F32(1.0) - (F32(1.0) - t_mul) * completed
    i_restart = np.floor(graph_log(inner) * reciprocal(graph_log(t_mul)))
    t_fac = power(t_mul, i_restart)
    sum_r = (F32(1.0) - t_fac) * reciprocal(F32(1.0) - t_mul)
    return i_restart, (completed - sum_r) / t_fac


def _tf_graph(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """CosineDecayRestarts under tf.function, with its restart index."""
    lr0 = F32(cfg["initial_learning_rate"])
    alpha = F32(cfg["alpha"])
    i_restart, completed = graph_restart_position(cfg, steps)
    m_fac = power(F32(cfg["m_mul"]), i_restart)
    cosine = F32(0.5) * m_fac * (F32(1.0) + graph_cos(PI32 * completed))
    return lr0 * ((F32(1) - alpha) * cosine + alpha)


def _graph_index(cfg: Config) -> Callable[[np.ndarray], np.ndarray] | None:
    """The restart index under tf.function."""
    return lambda steps: graph_restart_position(cfg, steps)[0]


def _phases(cfg: Config) -> Periods:
    """Period i = 0, 1, 2, ... by Keras's own index; NaN from `restarts_nan_from` on."""
    return Periods(
        lambda steps: restart_index(cfg, steps),
        "phase.period",
        f"formula.{CLASS}.period",
        later_key="phase.later_periods",
        nan_from=restarts_nan_from(cfg),
        nan_formula_key=f"formula.{CLASS}.nan",
    )


def _findings(cfg: Config, reach: int) -> list[Finding]:
    """A floor outside [0, peak], NaN past the periods' sum (t_mul < 1), growing peaks."""
    found: list[Finding] = []
    alpha = alpha_finding(cfg["alpha"], cfg["initial_learning_rate"])
    if alpha:
        found.append(alpha)
    nan_from = restarts_nan_from(cfg)
    if nan_from is not None:
        t_mul = cfg["t_mul"]
        params = {
            "t_mul": t_mul,
            "limit": cfg["first_decay_steps"] / (1.0 - t_mul),
            "nan_from": nan_from,
        }
        found.append(Finding("restarts_nan", "warning", "t_mul", params))
    if cfg["m_mul"] > 1.0:
        found.append(Finding("restarts_growing_peaks", "info", "m_mul", {"m_mul": cfg["m_mul"]}))
    return found


def _growth_param(cfg: Config) -> str | None:
    return "m_mul" if cfg["m_mul"] > 1.0 else None


# Steps either side of the real-number limit of SGDR with t_mul < 1 searched for the first NaN.
NAN_WINDOW = 4096


def _compiled_nan_from(cfg: Config, limit: int, evaluate: Evaluate = _compiled) -> int | None:
    """First compiled NaN (t_mul < 1: past the sum of the periods, in a window around it); on
    another path with its `evaluate`."""
    if float(cfg["t_mul"]) >= 1.0:
        return None
    total = float(cfg["first_decay_steps"]) / (1.0 - float(cfg["t_mul"]))
    if total > limit + NAN_WINDOW:
        return None
    low = max(0, int(total) - NAN_WINDOW)
    window = np.arange(low, int(total) + NAN_WINDOW + 1, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        bad = window[np.isnan(evaluate(cfg, window).astype(F32))]
    return int(bad[0]) if bad.size and bad[0] <= limit else None


def dense_edges_from(cfg: Config) -> float | None:
    """t_mul < 1: where the periods get shorter than two steps (every step a restart), with a
    margin; None otherwise."""
    t_mul = float(cfg["t_mul"])
    if t_mul >= 1.0:
        return None
    total = float(cfg["first_decay_steps"]) / (1.0 - t_mul)
    return total - 2.0 / (1.0 - t_mul) - 8 - (int(total) >> 20)


SPEC = ScheduleSpec(
    CLASS,
    spec_summary(CLASS),
    (
        learning_rate_param(CLASS, "initial_learning_rate"),
        steps_param(CLASS, "first_decay_steps"),
        ParamSpec(
            "t_mul",
            "float",
            param_help(CLASS, "t_mul"),
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
            param_help(CLASS, "m_mul"),
            default=1.0,
            minimum=0.0,
            maximum=1e3,
            slider_min=0.0,
            slider_max=2.0,
        ),
        alpha_param(CLASS),
        name_param(CLASS, "SGDRDecay"),
    ),
    _eval_restarts,
    _breaks_restarts,
    _settles_restarts,
    starter={
        "initial_learning_rate": 1e-3,
        "first_decay_steps": 1000,
        "t_mul": 2.0,
        "m_mul": 0.8,
        "alpha": 0.0,
        "name": "sgdr_restarts",
    },
    link_code="R",
    mark_kind="restart",
    periodic=_periodic_restarts,
    constant=_constant_restarts,
    compiled_evaluate=_compiled,
    compiled_index=_compiled_index,
    tf_paths={
        "tf-graph": PathArithmetic(
            _tf_graph, _graph_index, functools.partial(_compiled_nan_from, evaluate=_tf_graph)
        )
    },
    teaching=Teaching(_phases, int32_args=("t_mul", "m_mul", "alpha")),
    findings=_findings,
    growth_param=_growth_param,
    nan_from=lambda cfg, limit: restarts_nan_from(cfg),
    compiled_nan_from=_compiled_nan_from,
    nan_param="t_mul",
    period_param="first_decay_steps",
    dense_edges_from=dense_edges_from,
    translated_as="sgdr",
)
