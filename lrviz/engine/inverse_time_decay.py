"""`keras.optimizers.schedules.InverseTimeDecay`: the rate divided by 1 + decay_rate * step / D.

Follows `keras/src/optimizers/schedules/learning_rate_schedule.py`, class `InverseTimeDecay`,
operation by operation in float32 (optax has no direct equivalent; `inject_hyperparams` with a
lambda is the usual translation):

    p = step / decay_steps            (floor(p) when `staircase`)
    lr = initial_learning_rate / (1 + decay_rate * p)

Args: initial_learning_rate, decay_steps, decay_rate, staircase, name.
"""

from __future__ import annotations

import math

import numpy as np

from lrviz.engine.edges import stair_exponent, staircase_breaks
from lrviz.engine.float32 import F32, Config, cast_int32, computes_in_int, steps_float32
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
from lrviz.engine.xla import fma, reciprocal, stair_index, staircase_index
from lrviz.limits import MAX_STEPS

CLASS = "InverseTimeDecay"


def _eval_inverse_time(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """lr = lr0 / (1 + decay_rate * step / decay_steps); the ratio floored when `staircase`."""
    p = stair_exponent(cfg, steps)
    if computes_in_int(cfg):
        # ops.multiply, ops.add and ops.divide compute in float32, the rate truncated to int32.
        denom = F32(1) + F32(cast_int32(cfg["decay_rate"])) * p
        with np.errstate(divide="ignore"):
            return F32(cfg["initial_learning_rate"]) / denom
    denom = F32(1) + F32(cfg["decay_rate"]) * p
    return F32(cfg["initial_learning_rate"]) / denom


def _settles_inverse_time(cfg: Config) -> int:
    rate = float(cfg["decay_rate"])
    steps = int(cfg["decay_steps"])
    if rate > 0.0:
        # Where the rate has fallen to 10% of the start: 1 + rate * t = 10.
        # min() first: a denormal rate (5e-324) makes the quotient infinite.
        return max(steps, math.ceil(min(MAX_STEPS, 9.0 * steps / rate)))
    return min(MAX_STEPS, 10 * steps)


def _compiled(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """InverseTimeDecay: lr0 / fma(rate, step * fl(1/D), 1), the ratio floored when `staircase`."""
    rate = F32(cfg["decay_rate"])
    if cfg["staircase"]:
        denom = fma(stair_index(cfg, steps), rate, F32(1))
    else:  # XLA folds rate * fl(1 / D) into one constant
        denom = fma(steps_float32(steps), rate * reciprocal(cfg["decay_steps"]), F32(1))
    return F32(cfg["initial_learning_rate"]) / denom


def _tf_graph(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """InverseTimeDecay under tf.function: lr0 / (1 + rate * floor(step * fl(1/D))), or without
    `staircase` lr0 / (1 + step * fl(rate * fl(1/D))) (Grappler folds the two constants), each
    operation rounded on its own."""
    rate = F32(cfg["decay_rate"])
    if cfg["staircase"]:
        denom = F32(1) + rate * stair_index(cfg, steps)
    else:
        denom = F32(1) + steps_float32(steps) * (rate * reciprocal(cfg["decay_steps"]))
    return F32(cfg["initial_learning_rate"]) / denom


def _monotone(cfg: Config) -> bool:
    """1 / (1 + rate * p) only falls (rate >= 0) with the step, stairs or not."""
    return float(cfg["decay_rate"]) >= 0


def _phases(cfg: Config) -> Stages:
    """One phase, smooth or in stairs."""
    return one_phase(f"formula.{CLASS}.staircase" if cfg["staircase"] else f"formula.{CLASS}")


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
            maximum=1e6,
            slider_min=0.01,
            slider_max=10.0,
            log=True,
        ),
        flag_param(CLASS, "staircase"),
        name_param(CLASS, CLASS),
    ),
    _eval_inverse_time,
    staircase_breaks,
    _settles_inverse_time,
    starter={
        "initial_learning_rate": 1e-3,
        "decay_steps": 1000,
        "decay_rate": 0.5,
        "staircase": False,
        "name": "inverse_time",
    },
    link_code="I",
    mark_kind="stair",
    monotone=_monotone,
    compiled_evaluate=_compiled,
    compiled_index=staircase_index,
    tf_paths={"tf-graph": PathArithmetic(_tf_graph, staircase_index)},
    teaching=Teaching(_phases, int32_args=("decay_rate",)),
)
