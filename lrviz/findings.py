"""What Keras will really do with a config: the surprises lrviz shows instead of hiding.

Each finding says what Keras computes and how to fix it. The English wording lives in
`TEMPLATES` (one entry per finding code, formatted with the finding's `params`), so the UI can
render the same finding in another language.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from lrviz.errors import ConfigError
from lrviz.schedules import FLOAT32_EXACT_STEPS, Schedule, restarts_nan_from

Severity = Literal["warning", "info"]

TEMPLATES: dict[str, tuple[str, str]] = {
    "integer_learning_rate": (
        "`{param}` is the integer {value}, so Keras computes this schedule in integers: "
        "{consequence}",
        "Write {value}.0 (a float); lrviz exports floats.",
    ),
    "warmup_ignored": (
        "`warmup_steps` is {warmup_steps} but `warmup_target` is None, so Keras ignores the warmup "
        "and starts decaying from initial_learning_rate at step 0.",
        "Set `warmup_target` to the peak learning rate, or set warmup_steps to 0.",
    ),
    "warms_down": (
        "`warmup_target` ({target}) is below `initial_learning_rate` ({initial}): the 'warmup' "
        "goes DOWN for {warmup_steps} steps (keras-team/keras#18747).",
        "Use initial_learning_rate as the warmup start (often 0.0) and warmup_target as the peak.",
    ),
    "alpha_outside_unit": (
        "`alpha` is {alpha}: it is a fraction of the peak, so the floor is {floor} "
        "(alpha * peak), {direction}.",
        "Use alpha in [0, 1]; for an absolute floor F, alpha = F / peak.",
    ),
    "restarts_nan": (
        "`t_mul` is {t_mul} < 1: the periods shrink and sum to {limit:,.1f} steps; from step "
        "{nan_from:,} on Keras returns NaN.",
        "Use t_mul >= 1, or stop training before step {nan_from:,}.",
    ),
    "restarts_growing_peaks": (
        "`m_mul` is {m_mul} > 1: every restart peaks higher than the one before.",
        "Use m_mul <= 1 for restarts that decay.",
    ),
    "rate_grows": (
        "`decay_rate` is {decay_rate} > 1: the learning rate grows without bound.",
        "Use a decay_rate below 1 to decay.",
    ),
    "unsorted_boundaries": (
        "`boundaries` are not strictly increasing ({boundaries}): Keras accepts them and "
        "silently computes a wrong curve.",
        "Sort the boundaries (and their values) in increasing order.",
    ),
    "float32_steps": (
        "Steps beyond 16,777,216 (2^24) are rounded to float32 before Keras uses them: "
        "{where} the curve moves in jumps of {jump:,} steps.",
        "Nothing to fix in the config; expect a coarser curve at those steps.",
    ),
}

_INT_CONSEQUENCES = {
    "CosineDecay": "warmup_target {target} becomes {target_int}, pi becomes 3, and the curve is "
    "not the cosine you meant.",
    "CosineDecayRestarts": "t_mul, m_mul and alpha are truncated to integers and pi becomes 3.",
    "ExponentialDecay": "decay_rate {rate} becomes {rate_int}.",
    "InverseTimeDecay": "decay_rate {rate} becomes {rate_int}.",
    "PolynomialDecay": "end_learning_rate and power are truncated to integers.",
    "PiecewiseConstantDecay": "every value is an integer.",
}


@dataclass(frozen=True)
class Finding:
    """One thing Keras will do that the user may not expect."""

    code: str
    severity: Severity
    param: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return TEMPLATES[self.code][0].format(**self.params)

    @property
    def fix(self) -> str:
        return TEMPLATES[self.code][1].format(**self.params)


def _integer_finding(schedule: Schedule) -> Finding | None:
    if not schedule.uses_integer_dtype:
        return None
    cfg = schedule.config
    if schedule.class_name == "PiecewiseConstantDecay":
        param, value = "values[0]", cfg["values"][0]
    else:
        param, value = "initial_learning_rate", cfg["initial_learning_rate"]
    details: dict[str, Any] = {}
    if schedule.class_name == "CosineDecay":
        target = cfg["warmup_target"]
        details = {"target": target, "target_int": None if target is None else int(target)}
    elif "decay_rate" in cfg:
        details = {"rate": cfg["decay_rate"], "rate_int": int(cfg["decay_rate"])}
    consequence = _INT_CONSEQUENCES[schedule.class_name].format(**details)
    return Finding(
        "integer_learning_rate",
        "warning",
        param,
        {"param": param, "value": value, "consequence": consequence},
    )


def _schedule_findings(schedule: Schedule, horizon: int | None) -> list[Finding]:
    cfg = schedule.config
    name = schedule.class_name
    found: list[Finding] = []
    integer = _integer_finding(schedule)
    if integer:
        found.append(integer)
    if name == "CosineDecay":
        target = cfg["warmup_target"]
        if target is None and cfg["warmup_steps"] > 0:
            found.append(
                Finding(
                    "warmup_ignored",
                    "warning",
                    "warmup_target",
                    {"warmup_steps": cfg["warmup_steps"]},
                )
            )
        if target is not None and cfg["warmup_steps"] > 0 and target < cfg["initial_learning_rate"]:
            found.append(
                Finding(
                    "warms_down",
                    "warning",
                    "warmup_target",
                    {
                        "target": target,
                        "initial": cfg["initial_learning_rate"],
                        "warmup_steps": cfg["warmup_steps"],
                    },
                )
            )
    if name in ("CosineDecay", "CosineDecayRestarts") and not 0.0 <= cfg["alpha"] <= 1.0:
        peak = cfg["initial_learning_rate"]
        if name == "CosineDecay" and cfg["warmup_target"] is not None:
            peak = cfg["warmup_target"]
        alpha = cfg["alpha"]
        found.append(
            Finding(
                "alpha_outside_unit",
                "warning",
                "alpha",
                {
                    "alpha": alpha,
                    "floor": f"{alpha * peak:.6g}",
                    "direction": "below zero" if alpha < 0 else "above the peak, so it rises",
                },
            )
        )
    if name == "CosineDecayRestarts":
        nan_from = restarts_nan_from(cfg)
        if nan_from is not None:
            t_mul = cfg["t_mul"]
            found.append(
                Finding(
                    "restarts_nan",
                    "warning",
                    "t_mul",
                    {
                        "t_mul": t_mul,
                        "limit": cfg["first_decay_steps"] / (1.0 - t_mul),
                        "nan_from": nan_from,
                    },
                )
            )
        if cfg["m_mul"] > 1.0:
            found.append(
                Finding("restarts_growing_peaks", "info", "m_mul", {"m_mul": cfg["m_mul"]})
            )
    if name == "ExponentialDecay" and cfg["decay_rate"] > 1.0:
        found.append(Finding("rate_grows", "info", "decay_rate", {"decay_rate": cfg["decay_rate"]}))
    float32 = _float32_finding(schedule, horizon)
    if float32:
        found.append(float32)
    return found


def _float32_finding(schedule: Schedule, horizon: int | None) -> Finding | None:
    """Steps past 2^24 are rounded to float32 (PiecewiseConstant compares integers: exempt)."""
    if schedule.class_name == "PiecewiseConstantDecay" or schedule.uses_integer_dtype:
        return None
    reach = max(horizon or 0, schedule.settles_at())
    if reach <= FLOAT32_EXACT_STEPS:
        return None
    jump = int(np.spacing(np.float32(reach)))
    where = f"around step {reach:,}"
    return Finding("float32_steps", "info", "steps", {"where": where, "jump": jump})


def _raw_findings(config: Mapping[str, Any]) -> list[Finding]:
    """Findings visible in a raw config that lrviz refuses to open (Keras would accept it)."""
    inner = config.get("config")
    if config.get("class_name") != "PiecewiseConstantDecay" or not isinstance(inner, Mapping):
        return []
    boundaries = inner.get("boundaries")
    if not isinstance(boundaries, list):
        return []
    try:
        unsorted = any(b <= a for a, b in itertools.pairwise(boundaries))
    except TypeError:
        return []
    if not unsorted:
        return []
    return [Finding("unsorted_boundaries", "warning", "boundaries", {"boundaries": boundaries})]


def findings(config: Schedule | Mapping[str, Any], horizon: int | None = None) -> list[Finding]:
    """Everything Keras will do with this config that a user may not expect.

    `config` is a `Schedule` or a raw Keras config dict (a dict lrviz refuses to open still gets
    the findings that explain why Keras would misbehave with it); `horizon` is the last step the
    user looks at (for the float32 rounding of large steps).
    """
    if isinstance(config, Schedule):
        return _schedule_findings(config, horizon)
    from lrviz.keras_json import from_keras

    raw = _raw_findings(config)
    try:
        schedule = from_keras(config)
    except ConfigError:
        return raw
    return raw + _schedule_findings(schedule, horizon)
