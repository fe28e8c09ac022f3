"""What Keras will really do with a config: the surprises lrviz shows instead of hiding.

Each finding says what Keras computes and how to fix it. The wording lives in the locale files
(`finding.<code>` and `finding.<code>.fix`, formatted with the finding's `params`), so the UI can
render the same finding in any language.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from lrviz.errors import ConfigError, Phrase, localised
from lrviz.i18n import DEFAULT_LANGUAGE, t
from lrviz.schedules import FLOAT32_EXACT_STEPS, Schedule, restarts_nan_from

Severity = Literal["warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing Keras will do that the user may not expect."""

    code: str
    severity: Severity
    param: str
    params: Mapping[str, Any] = field(default_factory=dict)
    detail: str | None = None

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """What Keras will do, in plain words."""
        params = localised(self.params, lang)
        text = t(f"finding.{self.code}", lang, **params)
        return f"{text} {t(self.detail, lang, **params)}" if self.detail else text

    def fix(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """How to get what was meant."""
        return t(f"finding.{self.code}.fix", lang, **localised(self.params, lang))


def _integer_finding(schedule: Schedule) -> Finding | None:
    if not schedule.uses_integer_dtype:
        return None
    cfg = schedule.config
    if schedule.class_name == "PiecewiseConstantDecay":
        param, value = "values[0]", cfg["values"][0]
    else:
        param, value = "initial_learning_rate", cfg["initial_learning_rate"]
    params: dict[str, Any] = {"param": param, "value": value}
    detail = f"finding.integer_learning_rate.{schedule.class_name}"
    if schedule.class_name == "CosineDecay" and cfg["warmup_target"] is not None:
        target = cfg["warmup_target"]
        params.update(target=target, target_int=int(target))
        detail += ".warmup"
    elif "decay_rate" in cfg:
        params.update(rate=cfg["decay_rate"], rate_int=int(cfg["decay_rate"]))
    return Finding("integer_learning_rate", "warning", param, params, detail)


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
                    "direction": Phrase(
                        "finding.direction.below_zero"
                        if alpha < 0
                        else "finding.direction.above_peak"
                    ),
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
    where = Phrase("finding.around_step", {"step": reach})
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
