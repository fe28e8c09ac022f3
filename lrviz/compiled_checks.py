"""Findings about the compiled path (JAX `fit`, TensorFlow XLA / graph mode), shown whichever
path the chart follows: where compiled training turns NaN, which stairs and restarts move, and
the TensorFlow failures of integer learning rates (measured with tensorflow-cpu 2.21, issue #15)."""

from __future__ import annotations

import functools

import numpy as np

from lrviz.engine import F32, Schedule
from lrviz.engine.finding import Finding

# Moved stairs / restarts listed in a finding (and the most compared: longer lists are skipped).
SHOWN_SHIFTS = 5
MAX_COMPARED_BREAKPOINTS = 20_000


def first_compiled_nan(schedule: Schedule, limit: int) -> int | None:
    """First step <= `limit` at which the compiled path gives NaN (float rates), or None.

    Only the class's own mechanisms turn the compiled arithmetic NaN where the eager one is not
    (PolynomialDecay's 1 - p below 0 with a non-integer power, SGDR with t_mul < 1 past the sum
    of its periods): each class module finds its first NaN without sampling the curve.
    """
    search = schedule.spec.compiled_nan_from
    return None if search is None else search(schedule.config, limit)


def _first_eager_nan(schedule: Schedule, limit: int) -> int | None:
    """Where eager Keras turns NaN by the same mechanisms (the eager findings' own searches)."""
    search = schedule.spec.nan_from
    return None if search is None else search(schedule.config, limit)


def _nan_finding(schedule: Schedule, reach: int) -> Finding | None:
    # Past where the eager curve settles (or turns NaN) too: the compiled NaN may come later.
    reach = max(reach, 2 * schedule.settles_at())
    step = first_compiled_nan(schedule, reach)
    if step is None or step == _first_eager_nan(schedule, reach):
        return None
    spec = schedule.spec
    params: dict = {"step": step}
    code = "compiled_nan"
    fix = None if spec.compiled_nan_fix is None else spec.compiled_nan_fix(schedule.config)
    if fix is not None:
        code = f"compiled_nan.{spec.class_name}"
        params.update(fix)
    return Finding(code, "warning", spec.nan_param, params)


def _shift_finding(schedule: Schedule, compiled: Schedule, reach: int) -> Finding | None:
    """Stairs, restarts or cycles that change at another step under compiled `fit`."""
    index_param = schedule.spec.period_param
    eager = schedule.breakpoints(reach, MAX_COMPARED_BREAKPOINTS, MAX_COMPARED_BREAKPOINTS)
    moved = compiled.breakpoints(reach, MAX_COMPARED_BREAKPOINTS, MAX_COMPARED_BREAKPOINTS)
    if eager is None or moved is None or eager.size > MAX_COMPARED_BREAKPOINTS:
        return None
    dense = schedule.spec.dense_edges_from
    tail_from = None if dense is None else dense(schedule.config)
    if tail_from is not None:
        # Not the last periods, shorter than two steps, where every step is an edge.
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
    if not schedule.uses_integer_dtype or not schedule.spec.tf_graph_rejects_int:
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
    if not eager.uses_integer_dtype and eager.spec.compiled_evaluate is not None:
        compiled = eager.compiled()
        found += [_nan_finding(eager, reach), _shift_finding(eager, compiled, reach)]
    return tuple(f for f in found if f is not None)
