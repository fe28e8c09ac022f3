"""The checks behind `lrviz.findings`: what Keras will really do with a config, the surprises
lrviz shows instead of hiding.

Each finding says what Keras computes and how to fix it (`lrviz.engine.finding.Finding`). The
findings of one class come from its engine module (`ScheduleSpec.findings`); this module adds
what holds for every class (integer rates, values beyond float32, overflow, float32 steps,
TensorFlow scope names) and the compiled path's findings (`lrviz.compiled_checks`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrviz.compiled_checks import compiled_findings
from lrviz.engine import F32, FLOAT32_EXACT_STEPS, SCHEDULES, Schedule
from lrviz.engine.finding import Finding
from lrviz.errors import ConfigError, Phrase
from lrviz.keras_json import from_keras
from lrviz.sampling import sample_steps

__all__ = ["Finding", "findings", "first_non_finite", "tf_scope_name"]


def _integer_finding(schedule: Schedule) -> Finding | None:
    if not schedule.uses_integer_dtype:
        return None
    cfg = schedule.config
    param, value = schedule.spec.rate_param, cfg[schedule.spec.rate_param]
    if isinstance(value, list):
        param, value = f"{param}[0]", value[0]
    params: dict[str, Any] = {"param": param, "value": value}
    detail = f"finding.integer_learning_rate.{schedule.class_name}"
    if cfg.get("warmup_target") is not None:
        target = cfg["warmup_target"]
        params.update(target=target, target_int=int(target))
        detail += ".warmup"
    elif "decay_rate" in cfg:
        params.update(rate=cfg["decay_rate"], rate_int=int(cfg["decay_rate"]))
    return Finding("integer_learning_rate", "warning", param, params, detail)


def _schedule_findings(schedule: Schedule, reach: int) -> list[Finding]:
    """The findings of every class (integer rates, float32 limits, names) and the class's own."""
    spec = schedule.spec
    found: list[Finding] = []
    integer = _integer_finding(schedule)
    if integer:
        found.append(integer)
    if spec.findings is not None:
        found.extend(spec.findings(schedule.config, reach))
    found.extend(_beyond_float32_findings(schedule))
    overflow = _overflow_finding(schedule, reach)
    if overflow:
        found.append(overflow)
    float32 = _float32_finding(schedule, reach)
    if float32:
        found.append(float32)
    scope = _scope_name_finding(schedule)
    if scope:
        found.append(scope)
    return found


# What TensorFlow accepts as a scope name (tf.name_scope); Keras 3's TensorFlow backend and
# tf_keras open one named after the schedule's `name` when it is called.
_TF_SCOPE_NAME = re.compile(r"[A-Za-z0-9_.\\/>-]*")
_NOT_IN_TF_SCOPE_NAME = re.compile(r"[^A-Za-z0-9_.\\/>-]")


def tf_scope_name(name: str) -> str:
    """`name` with every character TensorFlow refuses in a scope name replaced by `_`."""
    return _NOT_IN_TF_SCOPE_NAME.sub("_", name)


def _scope_name_finding(schedule: Schedule) -> Finding | None:
    name = schedule.name
    if _TF_SCOPE_NAME.fullmatch(name):
        return None
    return Finding("name_not_tf_scope", "warning", "name", {"fixed": tf_scope_name(name)})


def _reach(schedule: Schedule, horizon: int | None) -> int:
    """The last step a finding looks at: the user's horizon, or where the curve settles."""
    return max(horizon or 0, schedule.settles_at())


def _float32_finding(schedule: Schedule, reach: int) -> Finding | None:
    """Steps past 2^24 are rounded to float32 (not where Keras computes with the integer step)."""
    if not schedule.float32_steps:
        return None
    if reach <= FLOAT32_EXACT_STEPS:
        return None
    jump = int(np.spacing(np.float32(reach)))
    where = Phrase("finding.around_step", {"step": reach})
    return Finding("float32_steps", "info", "steps", {"where": where, "jump": jump})


def _beyond_float32_findings(schedule: Schedule) -> list[Finding]:
    """Arguments beyond float32's largest value: Keras casts them to inf, and the curve is inf
    or NaN (0 * inf) wherever they count."""
    found = []
    for param in schedule.spec.params:
        value = schedule.config[param.name]
        if param.kind == "float_list":
            named = [(f"{param.name}[{i}]", item) for i, item in enumerate(value)]
        elif param.kind == "float" and value is not None:
            named = [(param.name, value)]
        else:
            continue
        for where, item in named:
            with np.errstate(over="ignore"):
                beyond = not np.isfinite(F32(item))
            if beyond:
                found.append(
                    Finding(
                        "beyond_float32", "warning", param.name, {"param": where, "value": item}
                    )
                )
    return found


def _overflow_finding(schedule: Schedule, reach: int) -> Finding | None:
    """A rate that grows without bound overflows float32: inf (or NaN) from some step on."""
    growth = schedule.spec.growth_param
    param = None if growth is None else growth(schedule.config)
    if param is None or schedule.uses_integer_dtype:
        return None
    step = first_non_finite(schedule, reach)
    if step is None:
        return None
    at = schedule(step)
    value = "NaN" if np.isnan(at) else str(at)
    return Finding("overflow", "warning", param, {"step": step, "value": value, "param": param})


@functools.lru_cache(maxsize=256)
def first_non_finite(schedule: Schedule, limit: int) -> int | None:
    """First step <= `limit` at which the schedule is inf or NaN, else None.

    The chart's own sample holds it: the sampler keeps the first non-finite step of every pixel
    column, found exactly (bisection where finiteness changes between candidates). Cached, as
    findings are asked for on every rerun.
    """
    steps = sample_steps(schedule, 0, limit)
    bad = steps[~np.isfinite(schedule(steps))]
    return int(bad[0]) if bad.size else None


def _raw_findings(config: Mapping[str, Any]) -> list[Finding]:
    """Findings visible in a raw config that lrviz refuses to open (Keras would accept it)."""
    spec = SCHEDULES.get(config.get("class_name"))  # type: ignore[arg-type]
    inner = config.get("config")
    if spec is None or spec.raw_findings is None or not isinstance(inner, Mapping):
        return []
    return spec.raw_findings(inner)


def findings(config: Schedule | Mapping[str, Any], horizon: int | None = None) -> list[Finding]:
    """Everything Keras will do with this config that a user may not expect.

    `config` is a `Schedule` or a raw Keras config dict (a dict lrviz refuses to open still gets
    the findings that explain why Keras would misbehave with it); `horizon` is the last step the
    user looks at (for the float32 rounding of large steps).
    """
    if isinstance(config, Schedule):
        return _with_compiled(config.eager(), horizon)
    raw = _raw_findings(config)
    try:
        schedule = from_keras(config)
    except ConfigError:
        return raw
    return raw + _with_compiled(schedule, horizon)


def _with_compiled(schedule: Schedule, horizon: int | None) -> list[Finding]:
    """The eager findings, then what the compiled path (JAX `fit`, XLA) does differently."""
    reach = _reach(schedule, horizon)
    return _schedule_findings(schedule, reach) + list(compiled_findings(schedule, reach))
