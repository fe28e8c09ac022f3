"""Findings about the compiled path (JAX `fit`, TensorFlow XLA / graph mode), shown whichever
path the chart follows: where compiled training turns NaN, which stairs and restarts move, and
the TensorFlow failures of integer learning rates (measured with tensorflow-cpu 2.21, issue #15)."""

from __future__ import annotations

import functools

import numpy as np

from lrviz.engine import F32, Schedule, rank_step, run_start, step_rank
from lrviz.engine.cosine_decay_restarts import restarts_nan_from
from lrviz.engine.xla import fma, reciprocal
from lrviz.findings import Finding, polynomial_cycle_nan_from

# Moved stairs / restarts listed in a finding (and the most compared: longer lists are skipped).
SHOWN_SHIFTS = 5
MAX_COMPARED_BREAKPOINTS = 20_000
# How far from decay_steps to look for one whose reciprocal does not overshoot.
NEAREST_SEARCH = 1000


# Steps either side of the real-number limit of SGDR with t_mul < 1 searched for the first NaN.
NAN_WINDOW = 4096


def first_compiled_nan(schedule: Schedule, limit: int) -> int | None:
    """First step <= `limit` at which the compiled path gives NaN (float rates), or None.

    Only two things turn the compiled arithmetic NaN where the eager one is not: PolynomialDecay's
    1 - p below 0 with a non-integer power (without `cycle` from decay_steps on, if fl(1 - D *
    fl(1 / D)) < 0; with `cycle` just after cycle edges past 2^24) and SGDR with t_mul < 1 past
    the sum of its periods (a window around it). Each is found without sampling the curve.
    """
    compiled = schedule.compiled()
    cfg = schedule.config
    if schedule.class_name == "PolynomialDecay":
        if F32(cfg["power"]).is_integer():
            return None
        if cfg["cycle"]:
            return _cycle_nan_from(compiled, limit)
        decay_steps = F32(cfg["decay_steps"])
        below_zero = fma(-decay_steps, reciprocal(decay_steps), F32(1)) < 0
        step = int(cfg["decay_steps"])
        return step if below_zero and step <= limit else None
    if schedule.class_name == "CosineDecayRestarts" and float(cfg["t_mul"]) < 1.0:
        total = float(cfg["first_decay_steps"]) / (1.0 - float(cfg["t_mul"]))
        if total > limit + NAN_WINDOW:
            return None
        low = max(0, int(total) - NAN_WINDOW)
        window = np.arange(low, int(total) + NAN_WINDOW + 1, dtype=np.int64)
        bad = window[np.isnan(compiled(window))]
        return int(bad[0]) if bad.size and bad[0] <= limit else None
    return None


# Cycle edges searched for a compiled NaN at most (~0.1 s); more are not searched.
MAX_CYCLE_EDGES = 1 << 21
# Float32 steps above each cycle edge that can give NaN: fl(step * fl(1 / D)) is below step / D
# by at most about step * 2^-23 (the reciprocal's and the product's rounding), so NaN needs
# step >= 2^22 and lies within two float32 spacings past an edge; one more for margin.
EDGE_VALUES = 3
CYCLE_NAN_FROM = 1 << 22


def _cycle_nan_from(compiled: Schedule, limit: int) -> int | None:
    """First compiled NaN of a cycling PolynomialDecay up to `limit`, or None (also when the
    cycles are too many to search). NaN needs ceil(fl(s * fl(1 / D))) < s / D: just after an
    edge k * D, from about 2^23 on (below, the product's error is under 1 / D).
    """
    decay_steps = int(compiled.config["decay_steps"])
    first_k = CYCLE_NAN_FROM // decay_steps
    last_k = limit // decay_steps
    if limit < CYCLE_NAN_FROM or last_k - first_k > MAX_CYCLE_EDGES:
        return None
    edges = np.arange(first_k, last_k + 1, dtype=np.int64) * decay_steps
    ranks = step_rank(edges)[:, None] + np.arange(1, EDGE_VALUES + 1)[None, :]
    values = np.unique(rank_step(ranks.ravel()))
    bad = values[np.isnan(compiled(values))]
    if bad.size == 0:
        return None
    step = int(run_start(step_rank(bad[:1]))[0])
    return step if step <= limit else None


def _first_eager_nan(schedule: Schedule, limit: int) -> int | None:
    """Where eager Keras turns NaN by the same mechanisms (the eager findings' own searches)."""
    if schedule.class_name == "CosineDecayRestarts":
        return restarts_nan_from(schedule.config)
    if schedule.class_name == "PolynomialDecay":
        return polynomial_cycle_nan_from(schedule, limit)
    return None


def safe_decay_steps(decay_steps: int) -> int | None:
    """The decay_steps nearest `decay_steps` for which XLA's fused 1 - D * fl(1 / D) is not
    negative (so a PolynomialDecay ends at end_learning_rate, not NaN), or None."""
    near = decay_steps + np.arange(-NEAREST_SEARCH, NEAREST_SEARCH + 1)
    near = near[near > 0]
    d = near.astype(F32)
    ok = fma(-d, F32(1) / d, F32(1)) >= 0
    if not ok.any():
        return None
    found = near[ok]
    return int(found[np.argmin(np.abs(found - decay_steps))])


def _nan_finding(schedule: Schedule, reach: int) -> Finding | None:
    # Past where the eager curve settles (or turns NaN) too: the compiled NaN may come later.
    reach = max(reach, 2 * schedule.settles_at())
    step = first_compiled_nan(schedule, reach)
    if step is None or step == _first_eager_nan(schedule, reach):
        return None
    cfg = schedule.config
    params: dict = {"step": step}
    code = "compiled_nan"
    safe = safe_decay_steps(int(cfg["decay_steps"])) if "power" in cfg else None
    if schedule.class_name == "PolynomialDecay" and not cfg["cycle"] and safe is not None:
        code = "compiled_nan.PolynomialDecay"
        params.update(power=cfg["power"], safe=safe)
    return Finding(code, "warning", _nan_param(schedule), params)


def _nan_param(schedule: Schedule) -> str:
    return {"PolynomialDecay": "power", "CosineDecayRestarts": "t_mul"}.get(
        schedule.class_name, "steps"
    )


def _shift_finding(schedule: Schedule, compiled: Schedule, reach: int) -> Finding | None:
    """Stairs, restarts or cycles that change at another step under compiled `fit`."""
    index_param = {"CosineDecayRestarts": "first_decay_steps"}.get(
        schedule.class_name, "decay_steps"
    )
    eager = schedule.breakpoints(reach, MAX_COMPARED_BREAKPOINTS, MAX_COMPARED_BREAKPOINTS)
    moved = compiled.breakpoints(reach, MAX_COMPARED_BREAKPOINTS, MAX_COMPARED_BREAKPOINTS)
    if eager is None or moved is None or eager.size > MAX_COMPARED_BREAKPOINTS:
        return None
    cfg = schedule.config
    if schedule.class_name == "CosineDecayRestarts" and float(cfg["t_mul"]) < 1.0:
        # Not the last periods, shorter than two steps, where every step is an edge.
        total = float(cfg["first_decay_steps"]) / (1.0 - float(cfg["t_mul"]))
        tail_from = total - 2.0 / (1.0 - float(cfg["t_mul"])) - 8 - (int(total) >> 20)
        eager, moved = eager[eager < tail_from], moved[moved < tail_from]
    nan_from = first_compiled_nan(schedule, reach)
    if nan_from is not None:
        moved = moved[moved < nan_from]
    late = np.setdiff1d(moved, eager)
    if late.size == 0:
        return None
    shown = ", ".join(f"{int(s):,}" for s in late[:SHOWN_SHIFTS])
    if late.size > SHOWN_SHIFTS:
        shown += ", …"
    steps = int(F32(schedule.config[index_param]))
    exact = 1 << max(0, steps.bit_length() - 1)
    params = {"steps": shown, "count": int(late.size), "param": index_param, "pow2": exact}
    return Finding("compiled_shift", "info", index_param, params)


def _tensorflow_integer_finding(schedule: Schedule) -> Finding | None:
    if not schedule.uses_integer_dtype or schedule.class_name == "PiecewiseConstantDecay":
        return None
    value = schedule.config["initial_learning_rate"]
    params = {"value": value}
    return Finding("tensorflow_integer_rate", "warning", "initial_learning_rate", params)


@functools.lru_cache(maxsize=256)
def compiled_findings(schedule: Schedule, reach: int) -> tuple[Finding, ...]:
    """What the compiled path does differently with this schedule, up to step `reach` (cached:
    findings are asked for on every rerun)."""
    eager = schedule.eager()
    found = [_tensorflow_integer_finding(eager)]
    if not eager.uses_integer_dtype and eager.class_name != "PiecewiseConstantDecay":
        compiled = eager.compiled()
        found += [_nan_finding(eager, reach), _shift_finding(eager, compiled, reach)]
    return tuple(f for f in found if f is not None)
