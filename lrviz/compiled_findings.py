"""Findings about the compiled path (JAX `fit`, TensorFlow XLA / graph mode), shown whichever
path the chart follows: where compiled training turns NaN, which stairs and restarts move, and
the TensorFlow failures of integer learning rates (measured with tensorflow-cpu 2.21, issue #15)."""

from __future__ import annotations

import numpy as np

from lrviz.compiled import fma
from lrviz.findings import Finding, first_non_finite
from lrviz.schedules import F32, Schedule

# Moved stairs / restarts listed in a finding (and the most compared: longer lists are skipped).
SHOWN_SHIFTS = 5
MAX_COMPARED_BREAKPOINTS = 20_000
# How far from decay_steps to look for one whose reciprocal does not overshoot.
NEAREST_SEARCH = 1000


def _first_nan(schedule: Schedule, limit: int) -> int | None:
    step = first_non_finite(schedule, limit)
    return step if step is not None and np.isnan(schedule(step)) else None


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


def _nan_finding(schedule: Schedule, compiled: Schedule, reach: int) -> Finding | None:
    # Past where the eager curve settles (or turns NaN) too: the compiled NaN may come later.
    reach = max(reach, 2 * schedule.settles_at())
    step = _first_nan(compiled, reach)
    if step is None or step == _first_nan(schedule, reach):
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
    nan_from = _first_nan(compiled, reach)
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


def compiled_findings(schedule: Schedule, reach: int) -> list[Finding]:
    """What the compiled path does differently with this schedule, up to step `reach`."""
    eager = schedule.eager()
    found = [_tensorflow_integer_finding(eager)]
    if not eager.uses_integer_dtype and eager.class_name != "PiecewiseConstantDecay":
        compiled = eager.compiled()
        found += [_nan_finding(eager, compiled, reach), _shift_finding(eager, compiled, reach)]
    return [f for f in found if f is not None]
