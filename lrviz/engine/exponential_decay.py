"""`keras.optimizers.schedules.ExponentialDecay`: the rate times `decay_rate` every `decay_steps`.

Follows `keras/src/optimizers/schedules/learning_rate_schedule.py`, class `ExponentialDecay`,
operation by operation in float32 (optax's `exponential_decay` with `transition_steps` =
decay_steps is the same curve):

    p = step / decay_steps            (floor(p) when `staircase`)
    lr = initial_learning_rate * decay_rate ^ p

Args: initial_learning_rate, decay_steps, decay_rate, staircase, name.
"""

from __future__ import annotations

import math

import numpy as np

from lrviz.engine.edges import stair_exponent, staircase_breaks
from lrviz.engine.finding import Finding
from lrviz.engine.float32 import (
    F32,
    Config,
    cast_int32,
    computes_in_int,
    keras_power,
)
from lrviz.engine.params import ParamSpec
from lrviz.engine.phases import Stages, Teaching, one_phase
from lrviz.engine.spec import (
    PathArithmetic,
    ScheduleSpec,
    flag_param,
    learning_rate_param,
    name_param,
    param_help,
    spec_summary,
    steps_param,
)
from lrviz.engine.xla import power, stair_index, staircase_index
from lrviz.limits import MAX_STEPS

CLASS = "ExponentialDecay"


def _eval_exponential(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """lr = lr0 * decay_rate ^ (step / decay_steps); the exponent floored when `staircase`."""
    p = stair_exponent(cfg, steps)
    if computes_in_int(cfg):
        # ops.power computes in float32 with the rate truncated to int32.
        rate = F32(cast_int32(cfg["decay_rate"]))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return F32(cfg["initial_learning_rate"]) * keras_power(rate, p)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return F32(cfg["initial_learning_rate"]) * keras_power(F32(cfg["decay_rate"]), p)


def _settles_exponential(cfg: Config) -> int:
    rate = float(cfg["decay_rate"])
    steps = int(cfg["decay_steps"])
    if 0.0 < rate < 1.0:
        # Where the rate has fallen to 1% of the start.
        return min(MAX_STEPS, max(steps, math.ceil(steps * math.log(0.01) / math.log(rate))))
    return min(MAX_STEPS, 10 * steps)


def _compiled(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """ExponentialDecay: lr0 * rate ^ (step * fl(1/D)), the exponent floored when `staircase`."""
    power = keras_power(F32(cfg["decay_rate"]), stair_index(cfg, steps))
    return F32(cfg["initial_learning_rate"]) * power


def _tf_graph(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """ExponentialDecay under tf.function: lr0 * powf(rate, step * fl(1/D)), the exponent floored
    when `staircase`, nothing fused (the stairs are the compiled path's)."""
    return F32(cfg["initial_learning_rate"]) * power(
        F32(cfg["decay_rate"]), stair_index(cfg, steps)
    )


def _monotone(cfg: Config) -> bool:
    """rate^p only falls (rate <= 1) or only rises (rate >= 1) with the step, stairs or not."""
    return float(cfg["decay_rate"]) >= 0


def _phases(cfg: Config) -> Stages:
    """One phase, smooth or in stairs."""
    return one_phase(f"formula.{CLASS}.staircase" if cfg["staircase"] else f"formula.{CLASS}")


def _findings(cfg: Config, reach: int) -> list[Finding]:
    """A decay_rate above 1: the rate grows."""
    if cfg["decay_rate"] > 1.0:
        return [Finding("rate_grows", "info", "decay_rate", {"decay_rate": cfg["decay_rate"]})]
    return []


def _growth_param(cfg: Config) -> str | None:
    return "decay_rate" if cfg["decay_rate"] > 1.0 else None


SPEC = ScheduleSpec(
    CLASS,
    spec_summary(CLASS),
    (
        learning_rate_param(CLASS, "initial_learning_rate"),
        steps_param(CLASS, "decay_steps"),
        ParamSpec(
            "decay_rate",
            "float",
            param_help(CLASS, "decay_rate"),
            minimum=0.0,
            maximum=1e3,
            exclusive_minimum=True,
            slider_min=0.01,
            slider_max=1.0,
        ),
        flag_param(CLASS, "staircase"),
        name_param(CLASS, CLASS),
    ),
    _eval_exponential,
    staircase_breaks,
    _settles_exponential,
    starter={
        "initial_learning_rate": 1e-3,
        "decay_steps": 1000,
        "decay_rate": 0.8,
        "staircase": False,
        "name": "exponential",
    },
    link_code="E",
    mark_kind="stair",
    monotone=_monotone,
    compiled_evaluate=_compiled,
    compiled_index=staircase_index,
    tf_paths={"tf-graph": PathArithmetic(_tf_graph, staircase_index)},
    teaching=Teaching(_phases, int32_args=("decay_rate",)),
    findings=_findings,
    growth_param=_growth_param,
)
