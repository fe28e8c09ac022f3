"""What Keras will really do with a config: the surprises lrviz shows instead of hiding.

Each finding says what Keras computes and how to fix it. The wording lives in the locale files
(`finding.<code>` and `finding.<code>.fix`, formatted with the finding's `params`), so the UI can
render the same finding in any language.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from lrviz.engine import F32, FLOAT32_EXACT_STEPS, Schedule
from lrviz.engine.cosine_decay_restarts import restarts_nan_from
from lrviz.errors import ConfigError, Phrase, localised
from lrviz.i18n import DEFAULT_LANGUAGE, t
from lrviz.sampling import sample_steps

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
    found.extend(_beyond_float32_findings(schedule))
    overflow = _overflow_finding(schedule, horizon)
    if overflow:
        found.append(overflow)
    if name == "CosineDecay":
        shifted = _cosine_floor_finding(schedule)
        if shifted:
            found.append(shifted)
    if name == "PolynomialDecay":
        nan_from = polynomial_cycle_nan_from(schedule, _reach(schedule, horizon))
        if nan_from is not None:
            found.append(
                Finding(
                    "polynomial_cycle_nan",
                    "warning",
                    "cycle",
                    {"nan_from": nan_from, "power": cfg["power"]},
                )
            )
    float32 = _float32_finding(schedule, horizon)
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


def _float32_finding(schedule: Schedule, horizon: int | None) -> Finding | None:
    """Steps past 2^24 are rounded to float32 (not where Keras computes with the integer step)."""
    if not schedule.float32_steps:
        return None
    reach = _reach(schedule, horizon)
    if reach <= FLOAT32_EXACT_STEPS:
        return None
    jump = int(np.spacing(np.float32(reach)))
    where = Phrase("finding.around_step", {"step": reach})
    return Finding("float32_steps", "info", "steps", {"where": where, "jump": jump})


def _growth_param(schedule: Schedule) -> str | None:
    """The parameter that makes the rate grow without bound, if it does."""
    cfg = schedule.config
    if schedule.class_name == "CosineDecayRestarts" and cfg["m_mul"] > 1.0:
        return "m_mul"
    if schedule.class_name == "ExponentialDecay" and cfg["decay_rate"] > 1.0:
        return "decay_rate"
    return None


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


def _overflow_finding(schedule: Schedule, horizon: int | None) -> Finding | None:
    """A rate that grows without bound overflows float32: inf (or NaN) from some step on."""
    param = _growth_param(schedule)
    if param is None or schedule.uses_integer_dtype:
        return None
    step = first_non_finite(schedule, _reach(schedule, horizon))
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


def _cosine_floor_finding(schedule: Schedule) -> Finding | None:
    """The floor after a warmup is not alpha * warmup_target when W + D rounds in float32.

    Keras clamps the step to `fl(D + W)` and decays over `fl(D + W) - W`: once D + W is past 2^24
    that differs from D, so the last cosine is not cos(pi) and the floor is off alpha * peak.
    Without a warmup the clamp is D itself and D / D is exactly 1: no shift.
    """
    cfg = schedule.config
    if cfg["warmup_target"] is None or schedule.uses_integer_dtype:
        return None
    cap = F32(cfg["decay_steps"]) + F32(cfg["warmup_steps"])
    settled = schedule(int(cap))
    # What Keras computes at cos(pi) = -1: peak * ((1 - alpha) * 0 + alpha), in float32.
    with np.errstate(over="ignore", invalid="ignore"):
        expected = F32(cfg["warmup_target"]) * F32(cfg["alpha"])
    if settled == expected or not np.isfinite(expected):
        return None  # a non-finite peak is `beyond_float32`, not a shifted floor
    return Finding(
        "cosine_floor_shifted",
        "warning",
        "warmup_steps",
        {"settled": float(settled), "expected": float(expected)},
    )


# Steps per engine call while looking for the first NaN of a cycling PolynomialDecay.
_NAN_SCAN_CHUNK = 1 << 18


@functools.lru_cache(maxsize=256)
def polynomial_cycle_nan_from(schedule: Schedule, limit: int) -> int | None:
    """First step <= `limit` at which a cycling PolynomialDecay returns NaN in Keras, else None.

    With `cycle=True` Keras divides by D * ceil(fl(step) / D). Past 2^24 the float32 quotient can
    round down onto the cycle index k just after an edge k * D, so p = step / (k * D) > 1 and
    (1 - p) ** power is NaN for a non-integer power (an integer power gives a finite value below
    `end_learning_rate`). Below 2^24 the quotient never rounds that far. The search runs on the
    engine, over float32 step values: p depends on the step only through fl(step), and scaling
    D by 2^j scales every NaN step by 2^j, so only D's odd part d is searched (d = 1: never).
    The search can take 0.1-0.3 s and findings are asked for on every rerun, so it is cached.
    """
    cfg = schedule.config
    if not cfg["cycle"] or schedule.uses_integer_dtype or F32(cfg["power"]).is_integer():
        return None
    decay_steps = int(F32(cfg["decay_steps"]))
    shift = (decay_steps & -decay_steps).bit_length() - 1
    odd = decay_steps >> shift
    if odd == 1 or limit < FLOAT32_EXACT_STEPS:
        return None
    reduced = {**cfg, "decay_steps": odd}
    top = int(F32(limit)) >> shift
    for values in _cycle_nan_candidates(odd, top):
        bad = np.flatnonzero(np.isnan(schedule.spec.evaluate(reduced, values)))
        if bad.size:
            value = int(values[bad[0]]) << shift
            break
    else:
        return None
    # The first integer step that rounds to `value` lies within one float32 spacing below it.
    window = np.arange(value - int(np.spacing(F32(value))), value + 1, dtype=np.int64)
    step = int(window[np.flatnonzero(np.isnan(schedule(window)))[0]])
    return step if step <= limit else None


def _cycle_nan_candidates(odd: int, top: int) -> Iterator[np.ndarray]:
    """Ascending float32 step values in [2^24, top] that may give NaN for decay_steps = odd.

    Binade [2^e, 2^(e+1)) has spacing g = 2^(e-23). When it holds few cycles (k < 2^22, so the
    float32 quotient is k or k + 1 and only k can give NaN, within (k*d, k*d + d*ulp(k)/2),
    less than g), only the first value above each edge k*d can be NaN; otherwise every value is
    a candidate.
    """
    exponent = FLOAT32_EXACT_STEPS.bit_length() - 1
    while 1 << exponent <= top:
        low, high = 1 << exponent, min(1 << (exponent + 1), top + 1)
        spacing = 1 << (exponent - 23)
        if (1 << (exponent + 1)) // odd < 1 << 22:
            k = np.arange(low // odd, high // odd + 1, dtype=np.int64)
            values = (k * odd // spacing + 1) * spacing
            values = values[(values >= low) & (values < high)]
            for first in range(0, values.size, _NAN_SCAN_CHUNK):
                yield values[first : first + _NAN_SCAN_CHUNK]
        else:
            chunk = _NAN_SCAN_CHUNK * spacing
            for first in range(low, high, chunk):
                yield np.arange(first, min(first + chunk, high), spacing, dtype=np.int64)
        exponent += 1


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
        return _with_compiled(config.eager(), horizon)
    from lrviz.keras_json import from_keras

    raw = _raw_findings(config)
    try:
        schedule = from_keras(config)
    except ConfigError:
        return raw
    return raw + _with_compiled(schedule, horizon)


def _with_compiled(schedule: Schedule, horizon: int | None) -> list[Finding]:
    """The eager findings, then what the compiled path (JAX `fit`, XLA) does differently."""
    from lrviz.compiled_findings import compiled_findings

    compiled = compiled_findings(schedule, _reach(schedule, horizon))
    return _schedule_findings(schedule, horizon) + list(compiled)
