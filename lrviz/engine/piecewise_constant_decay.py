"""`keras.optimizers.schedules.PiecewiseConstantDecay`: constant values between step boundaries.

Follows `keras/src/optimizers/schedules/learning_rate_schedule.py`, class
`PiecewiseConstantDecay` (optax's `piecewise_constant_schedule` takes scales instead of values):

    lr = values[0]    while step <= boundaries[0]
         values[i]    while boundaries[i-1] < step <= boundaries[i]
         values[-1]   after boundaries[-1]

Keras compares the integer step with the boundaries (no float32 cast of the step) and, when a
value is beyond float32, sums mask * value over the pieces, so one infinite value makes every
other piece NaN. An integer values[0] makes every value int32.

Args: boundaries (ascending steps), values (one more than boundaries), name.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrviz.engine.finding import Finding
from lrviz.engine.float32 import F32, Config
from lrviz.engine.params import ParamSpec
from lrviz.engine.phases import Periods, Teaching
from lrviz.engine.spec import ScheduleSpec, name_param, param_help, spec_summary
from lrviz.errors import ConfigError
from lrviz.limits import INT32_MAX

CLASS = "PiecewiseConstantDecay"


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


def _check_piecewise(config: dict[str, Any]) -> None:
    """One value more than boundaries, boundaries strictly ascending, one number type."""
    boundaries, values = config["boundaries"], config["values"]
    if len(values) != len(boundaries) + 1:
        raise ConfigError("error.values_count", boundaries=len(boundaries), values=len(values))
    for i in range(1, len(boundaries)):
        if boundaries[i] <= boundaries[i - 1]:
            raise ConfigError(
                "error.boundaries_unsorted",
                index=i,
                previous_index=i - 1,
                value=boundaries[i],
                previous=boundaries[i - 1],
            )
    if isinstance(values[0], int) and any(isinstance(v, float) for v in values[1:]):
        raise ConfigError(
            "error.integer_first_value", value=values[0], fixed=repr(float(values[0]))
        )


def _phases(cfg: Config) -> Periods:
    """Interval i from boundaries[i-1] + 1 (the integer step compared, no float32)."""
    boundaries = np.asarray(cfg["boundaries"], dtype=np.int64)

    def level(steps: np.ndarray) -> np.ndarray:
        return np.searchsorted(boundaries, steps.astype(np.int64), side="left")

    return Periods(level, "phase.interval", f"formula.{CLASS}.interval", count=len(cfg["values"]))


def _raw_findings(config: Mapping[str, Any]) -> list[Finding]:
    """Boundaries out of order: lrviz refuses them, Keras takes them and misbehaves."""
    boundaries = config.get("boundaries")
    if not isinstance(boundaries, list):
        return []
    try:
        unsorted = any(b <= a for a, b in itertools.pairwise(boundaries))
    except TypeError:
        return []
    if not unsorted:
        return []
    return [Finding("unsorted_boundaries", "warning", "boundaries", {"boundaries": boundaries})]


SPEC = ScheduleSpec(
    CLASS,
    spec_summary(CLASS),
    (
        ParamSpec(
            "boundaries",
            "steps_list",
            param_help(CLASS, "boundaries"),
            minimum=0,
            # Keras converts boundaries to int32 tensors and fails on larger ones.
            maximum=INT32_MAX,
        ),
        ParamSpec(
            "values",
            "float_list",
            param_help(CLASS, "values"),
            minimum=0.0,
            learning_rate=True,
        ),
        name_param(CLASS, "PiecewiseConstant"),
    ),
    _eval_piecewise,
    _breaks_piecewise,
    _settles_piecewise,
    starter={
        "boundaries": [3000, 6000, 8000],
        "values": [1e-3, 5e-4, 1e-4, 1e-5],
        "name": "step_decay",
    },
    link_code="P",
    mark_kind="boundary",
    check=_check_piecewise,
    rate_param="values",
    float32_step=False,
    teaching=Teaching(_phases),
    raw_findings=_raw_findings,
    tf_graph_rejects_int=False,
)
