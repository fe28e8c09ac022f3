"""What the compiled path applies: Keras schedules as XLA runs them (JAX `fit`, TF `jit_compile`).

Keras's JAX trainer evaluates the schedule inside the jitted train step, and XLA rewrites its
arithmetic: a division by a constant becomes a multiplication by the float32 reciprocal
(`x / d` -> `x * fl(1 / d)`), and a multiply feeding an add is fused into one `fma` (one
rounding). Both move discrete events: `1 - p` of a `PolynomialDecay` goes slightly negative at
`decay_steps` for about half of all `decay_steps` (so a non-integer `power` gives NaN from there
on), and a stair, restart or cycle can change one step late (or early). Everything here
reproduces those two rewrites in numpy; XLA's own float32 `cos`, `log`, `exp` and `pow` differ
from numpy's by a few ulp, so values elsewhere agree to a few ulp (tested to 1e-4 relative),
not bit for bit (tests/test_compiled_parity.py checks this against real jitted Keras 3.15.1).

Integer learning rates are not modelled separately: `Schedule.compiled()` of an
integer-rate schedule evaluates the eager integer arithmetic, which jitted Keras follows but at
an occasional stair or cycle edge (2 of 40 random integer configs differed at one or a few steps);
the findings tell users to write float rates anyway.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from lrviz.schedules import (
    F32,
    PI32,
    Config,
    ScheduleSpec,
    computes_in_int,
    keras_power,
    rank_step,
    run_start,
    sorted_unique,
    step_rank,
    steps_float32,
)

F64 = np.float64
PATHS = ("eager", "compiled")
"""Where a schedule runs: eager (numpy / torch / eager TF, Keras's reference arithmetic) or
compiled (JAX `fit`, TensorFlow with XLA)."""


def reciprocal(value: float) -> np.float32:
    """XLA's constant-folded float32 reciprocal of a divisor."""
    return F32(1) / F32(value)


def fma(a: np.ndarray | np.float32, b: np.ndarray | np.float32, c: np.ndarray | np.float32):
    """float32 a * b + c rounded once (a product of two float32 is exact in float64)."""
    return (np.asarray(a, F64) * np.asarray(b, F64) + np.asarray(c, F64)).astype(F32)


def _with_int_fallback(
    compiled: Callable[[Config, np.ndarray], np.ndarray], eager: Callable
) -> Callable[[Config, np.ndarray], np.ndarray]:
    def evaluate(cfg: Config, steps: np.ndarray) -> np.ndarray:
        if computes_in_int(cfg):
            return eager(cfg, steps)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            return compiled(cfg, steps)

    evaluate.__doc__ = compiled.__doc__
    return evaluate


def _cosine(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """CosineDecay: s * fl(1/D) for s / D, the warmup's fraction likewise, fused `a * b + c`."""
    lr0 = F32(cfg["initial_learning_rate"])
    decay_steps = F32(cfg["decay_steps"])
    alpha = cfg["alpha"]
    x = steps_float32(steps)

    def decay(s: np.ndarray, peak: np.float32) -> np.ndarray:
        cosine = F32(0.5) * (F32(1.0) + np.cos(PI32 * (s * reciprocal(decay_steps))))
        return peak * fma(F32(1 - alpha), cosine, F32(alpha))

    if cfg["warmup_target"] is None:
        return decay(np.minimum(x, decay_steps), lr0)
    target = F32(cfg["warmup_target"])
    warmup_steps = F32(cfg["warmup_steps"])
    s = np.minimum(x, decay_steps + warmup_steps)
    warm = fma(target - lr0, s * reciprocal(warmup_steps), lr0)
    return np.where(s < warmup_steps, warm, decay(s - warmup_steps, target))


def restart_position(cfg: Config, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(period index, fraction of it done) as XLA computes them (reciprocals, fused 1 - c(1-t))."""
    t_mul = F32(cfg["t_mul"])
    x = steps_float32(steps)
    inverse = reciprocal(cfg["first_decay_steps"])
    completed = x * inverse
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if t_mul == F32(1.0):
            i_restart = np.floor(completed)
            return i_restart, completed - i_restart
        # XLA folds the constants: 1 - step * fl(fl(1 / F) * (1 - t_mul)), one fused rounding.
        inner = fma(-x, inverse * (F32(1.0) - t_mul), F32(1.0))
        i_restart = np.floor(np.log(inner) * reciprocal(np.log(t_mul)))
        # (completed - sum_r) / t_mul^i as XLA has it: completed - (1 - t_mul^i) * fl(1 / (1 -
        # t_mul)) fused, then times t_mul^-i.
        sum_r = F32(1.0) - keras_power(t_mul, i_restart)
        done = fma(-sum_r, reciprocal(F32(1.0) - t_mul), completed)
        return i_restart, done * keras_power(t_mul, -i_restart)


def _restarts(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """CosineDecayRestarts with the compiled restart index."""
    lr0 = F32(cfg["initial_learning_rate"])
    alpha = F32(cfg["alpha"])
    i_restart, completed = restart_position(cfg, steps)
    m_fac = keras_power(F32(cfg["m_mul"]), i_restart)
    cosine = F32(0.5) * m_fac * (F32(1.0) + np.cos(PI32 * completed))
    return lr0 * fma(F32(1) - alpha, cosine, alpha)


def stair_index(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """step * fl(1 / decay_steps), floored when `staircase` (Exponential / InverseTime)."""
    p = steps_float32(steps) * reciprocal(cfg["decay_steps"])
    return np.floor(p) if cfg["staircase"] else p


def _exponential(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """ExponentialDecay: lr0 * rate ^ (step * fl(1/D)), the exponent floored when `staircase`."""
    power = keras_power(F32(cfg["decay_rate"]), stair_index(cfg, steps))
    return F32(cfg["initial_learning_rate"]) * power


def _inverse_time(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """InverseTimeDecay: lr0 / fma(rate, step * fl(1/D), 1), the ratio floored when `staircase`."""
    rate = F32(cfg["decay_rate"])
    if cfg["staircase"]:
        denom = fma(stair_index(cfg, steps), rate, F32(1))
    else:  # XLA folds rate * fl(1 / D) into one constant
        denom = fma(steps_float32(steps), rate * reciprocal(cfg["decay_steps"]), F32(1))
    return F32(cfg["initial_learning_rate"]) / denom


def cycle_index(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """ceil(step * fl(1 / decay_steps)) (1 at step 0): the cycle a cycling PolynomialDecay is in."""
    x = steps_float32(steps)
    return np.where(x == 0, F32(1), np.ceil(x * reciprocal(cfg["decay_steps"])))


def _polynomial(cfg: Config, steps: np.ndarray) -> np.ndarray:
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


def _index_function(cfg: Config, class_name: str) -> Callable[[np.ndarray], np.ndarray] | None:
    """The compiled period index whose changes are the curve's stairs, restarts or cycles."""
    if computes_in_int(cfg):
        return None
    if class_name == "CosineDecayRestarts":
        return lambda steps: restart_position(cfg, steps)[0]
    if class_name in ("ExponentialDecay", "InverseTimeDecay") and cfg["staircase"]:
        return lambda steps: stair_index(cfg, steps)
    if class_name == "PolynomialDecay" and cfg["cycle"]:
        return lambda steps: cycle_index(cfg, steps)
    return None


# Float32 values either side of an eager edge where the compiled edge is looked for: the
# reciprocal's error moves an index by well under one float32 step of the quotient.
EDGE_REACH = 3


def moved_edges(index: Callable[[np.ndarray], np.ndarray], edges: np.ndarray) -> np.ndarray:
    """The steps near each of `edges` (eager stair / restart / cycle starts) where the compiled
    `index` changes: the first step of each run of equal float32 whose index differs from the
    previous float32's."""
    if edges.size == 0:
        return edges
    ranks = step_rank(edges)[:, None] + np.arange(-EDGE_REACH, EDGE_REACH + 1)[None, :]
    ranks = np.maximum(ranks, 1).ravel()
    with np.errstate(invalid="ignore"):
        before, after = index(rank_step(ranks - 1)), index(rank_step(ranks))
    changed = (before != after) & ~(np.isnan(before) & np.isnan(after))
    return sorted_unique(run_start(ranks[changed]))


def compiled_spec(spec: ScheduleSpec) -> ScheduleSpec:
    """`spec` evaluated as XLA computes it; its stair / restart / cycle breakpoints moved to
    where the compiled index changes. Folding spans (exact periodicity of the eager float32
    arithmetic) do not hold for the compiled arithmetic and are dropped."""
    compiled = _COMPILED.get(spec.class_name)
    if compiled is None:
        return dataclasses.replace(spec, path="compiled")
    eager_breaks = spec.breaks

    def breaks(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray | None:
        raw = eager_breaks(cfg, stop, limit, exact)
        index = _index_function(cfg, spec.class_name)
        if raw is None or index is None or raw.size > exact:
            return raw
        return moved_edges(index, raw)

    return dataclasses.replace(
        spec,
        evaluate=_with_int_fallback(compiled, spec.evaluate),
        breaks=breaks,
        periodic=None,
        drifting=None,
        constant=None,
        path="compiled",
    )


_COMPILED: dict[str, Callable[[Config, np.ndarray], np.ndarray]] = {
    "CosineDecay": _cosine,
    "CosineDecayRestarts": _restarts,
    "ExponentialDecay": _exponential,
    "InverseTimeDecay": _inverse_time,
    "PolynomialDecay": _polynomial,
}
