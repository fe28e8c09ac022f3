"""What a schedule class is to lrviz: `ScheduleSpec`, and the parameter builders its module uses.

A spec holds everything the rest of lrviz asks about one Keras class, as data or callables:
its arguments (`ParamSpec`: widgets, validation, help, export), its evaluation in Keras's
operation order, where its formula changes (breakpoints, periodic and drifting spans for the
sampler), its starter values, its share-link code, its chart marks, and the variants of its
arithmetic on the compiled paths (XLA under JAX `fit`, TensorFlow with and without XLA). Callers ask the spec; no module outside `lrviz.engine` compares class
names.

The summaries and help texts live in `lrviz/locales/<lang>.json` (keys `spec.*`, `param.*`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from lrviz.engine.finding import Finding
from lrviz.engine.float32 import Config
from lrviz.engine.params import REQUIRED, ParamSpec
from lrviz.engine.phases import Teaching
from lrviz.i18n import DEFAULT_LANGUAGE, catalog, t
from lrviz.limits import MAX_STEPS

Evaluate = Callable[[Config, np.ndarray], np.ndarray]
"""(config, integer or float32 steps) -> float32 learning rates, Keras's arithmetic."""
Breaks = Callable[[Config, int, int, int], "np.ndarray | None"]
"""(config, stop, limit, exact) -> steps where the formula changes, or None past `limit`."""
Spans = Callable[[Config, int], "list[tuple[int, int, int]]"]
Index = Callable[[Config], "Callable[[np.ndarray], np.ndarray] | None"]
"""config -> its period index (stair, restart, cycle) as a function of the steps, or None when
no index makes its breakpoints."""


class DriftingSpan(NamedTuple):
    """Float32 steps [first, last] over which chains x, x + period, x + 2 period, ... only fall
    or only rise; for every x but the `irregular` ones, chains of step `base` (a divisor of
    period) do too. `irregular` lists those x as rank offsets from `first` modulo base."""

    first: int
    last: int
    period: int
    base: int
    irregular: tuple[int, ...] = ()


DriftingSpans = Callable[[Config, int], "list[DriftingSpan]"]
NanFrom = Callable[[Config, int], "int | None"]
"""(config, limit) -> the first step <= limit at which the arithmetic gives NaN, or None."""
NanFix = Callable[[Config], "dict[str, Any] | None"]
"""config -> parameters of a class-specific fix for that NaN, or None."""


@dataclass(frozen=True)
class PathArithmetic:
    """A class's arithmetic on one TensorFlow path (`lrviz.engine.compiled.PATHS`), where it
    differs from the path it is based on (TensorFlow with XLA: the compiled path; tf.function
    without XLA: eager). A field left None is the base path's."""

    evaluate: Evaluate | None = None
    index: Index | None = None
    """The path's period index, if its breakpoints move."""
    nan_from: NanFrom | None = None
    nan_fix: NanFix | None = None


@dataclass(frozen=True)
class ScheduleSpec:
    """Everything lrviz knows about one Keras schedule class (see the module docstring)."""

    class_name: str
    summary: str
    params: tuple[ParamSpec, ...]
    evaluate: Evaluate = field(repr=False)
    breaks: Breaks = field(repr=False)
    settles_at: Callable[[Config], int] = field(repr=False)
    starter: Mapping[str, Any] = field(repr=False)
    """Arguments of a new configuration of this class (every argument, TF-scope-safe name)."""
    link_code: str = field(repr=False)
    """One letter for the class in share links (`k`); never reused, never changed."""
    mark_kind: str = "breakpoint"
    """What the chart calls its breakpoints: restart, boundary, stair, cycle, breakpoint."""
    periodic: Spans | None = field(default=None, repr=False)
    drifting: DriftingSpans | None = field(default=None, repr=False)
    constant: Callable[[Config], int | None] | None = field(default=None, repr=False)
    monotone: Callable[[Config], bool] | None = field(default=None, repr=False)
    """True when the whole curve only falls or only rises for this config."""
    check: Callable[[dict[str, Any]], None] | None = field(default=None, repr=False)
    """Checks between arguments, after each argument passed its own (raises ConfigError)."""
    findings: Callable[[Config, int], list[Finding]] | None = field(default=None, repr=False)
    """(config, last step looked at) -> what is surprising about this class's config."""
    raw_findings: Callable[[Mapping[str, Any]], list[Finding]] | None = field(
        default=None, repr=False
    )
    """Findings visible in arguments lrviz refuses (Keras would take them and misbehave)."""
    growth_param: Callable[[Config], str | None] | None = field(default=None, repr=False)
    """The argument that makes the rate grow without bound for this config, if one does."""
    nan_from: Callable[[Config, int], int | None] | None = field(default=None, repr=False)
    """(config, limit) -> the first step at which eager Keras gives NaN by this class's own
    mechanism (SGDR past its periods' sum, a cycling polynomial past 2^24), or None."""
    compiled_nan_from: Callable[[Config, int], int | None] | None = field(default=None, repr=False)
    """(config, limit) -> the first step at which the compiled arithmetic gives NaN, or None."""
    compiled_nan_fix: Callable[[Config], dict[str, Any] | None] | None = field(
        default=None, repr=False
    )
    """Parameters of a class-specific fix for a compiled NaN (`compiled_nan.<class>`), if any."""
    nan_param: str = "steps"
    """The argument a NaN finding points at."""
    period_param: str = "decay_steps"
    """The argument whose period the stairs, restarts or cycles repeat with."""
    dense_edges_from: Callable[[Config], float | None] | None = field(default=None, repr=False)
    """Where periods get shorter than two steps (every step an edge), if they do."""
    tf_graph_rejects_int: bool = True
    """TensorFlow graph mode fails on an integer learning rate of this class (not Piecewise)."""
    rate_param: str = "initial_learning_rate"
    """The argument whose Python type (int or float) decides Keras's dtype."""
    # Keras casts the step to float32 first (PiecewiseConstantDecay compares integers instead).
    float32_step: bool = True
    compiled_evaluate: Evaluate | None = field(default=None, repr=False)
    """The arithmetic as XLA rewrites it (lrviz.engine.compiled); None: same as eager."""
    compiled_index: Index | None = field(default=None, repr=False)
    """The compiled period index for this config, if its breakpoints move under XLA."""
    tf_paths: Mapping[str, PathArithmetic] = field(default_factory=dict, repr=False)
    """The class's arithmetic on TensorFlow's paths ("tf-xla", "tf-graph") where it differs."""
    # Where Keras runs it: "eager" (the reference arithmetic), "compiled" (XLA under JAX `fit`),
    # "tf-xla" or "tf-graph" (TensorFlow's `tf.function` with or without XLA).
    path: str = "eager"
    translated_as: str | None = None
    """The shape lrviz.translate writes for other frameworks: "cosine" (a cosine decay after an
    optional linear warmup) or "sgdr" (cosine with warm restarts); None when none has it."""
    teaching: Teaching | None = field(default=None, repr=False)
    """Its phases for the formula panel (lrviz.engine.phases); None: the panel has no formula."""

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def defaults(self) -> dict[str, Any]:
        """Default values of the optional arguments (Keras's constructor defaults)."""
        return {p.name: p.default for p in self.params if not p.required}

    def rate_is_int(self, cfg: Config) -> bool:
        """True when Keras computes this config in int32 (its learning rate is a Python int)."""
        rate = cfg[self.rate_param]
        return isinstance(rate[0] if isinstance(rate, list) else rate, int)


def spec_summary(class_name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line on what the schedule `class_name` does, in `lang`."""
    return t(f"spec.{class_name}.summary", lang)


PARAM_NOTES: dict[tuple[str, str], str] = {
    (key.split(".")[1], key.split(".")[2]): key
    for key in catalog(DEFAULT_LANGUAGE)
    if key.startswith("param.") and key.endswith(".docs_note")
}
"""(class, parameter) -> i18n key of what Keras's docs get wrong or leave out about it."""


def docs_note(class_name: str, param: str, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """Where Keras's documentation misleads about this parameter, or None.

    The notes are the `param.<class>.<param>.docs_note` texts of the locale files.
    """
    key = PARAM_NOTES.get((class_name, param))
    return None if key is None else t(key, lang)


def param_help(class_name: str, param: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The help of argument `param` of `class_name` in `lang`, then where Keras's docs err."""
    text = t(f"param.{class_name}.{param}.help", lang)
    note = docs_note(class_name, param, lang)
    return text if note is None else f"{text}\n\n{t('param.docs_label', lang)} {note}"


def learning_rate_param(
    cls: str, name: str, default: Any = REQUIRED, nullable: bool = False
) -> ParamSpec:
    """A learning-rate argument: a log slider from 1e-6 to 10; its type decides Keras's dtype."""
    return ParamSpec(
        name,
        "float",
        param_help(cls, name),
        default=default,
        nullable=nullable,
        minimum=0.0,
        slider_min=1e-6,
        slider_max=10.0,
        log=True,
        learning_rate=True,
    )


def steps_param(cls: str, name: str, default: Any = REQUIRED, low: int = 1) -> ParamSpec:
    """A step count from `low` to 10^12 (a log slider up to 10^7)."""
    return ParamSpec(
        name,
        "steps",
        param_help(cls, name),
        default=default,
        minimum=low,
        maximum=MAX_STEPS,
        slider_min=low,
        slider_max=10**7,
        log=True,
    )


def name_param(cls: str, default: str) -> ParamSpec:
    """The `name` argument, with Keras's default for the class."""
    return ParamSpec("name", "text", param_help(cls, "name"), default=default)


def flag_param(cls: str, name: str) -> ParamSpec:
    """A boolean argument that defaults to False (`staircase`, `cycle`)."""
    return ParamSpec(name, "bool", param_help(cls, name), default=False)


def alpha_param(cls: str) -> ParamSpec:
    """`alpha`, the floor as a fraction of the peak (Keras accepts any number; lrviz +-1e6)."""
    return ParamSpec(
        "alpha",
        "float",
        param_help(cls, "alpha"),
        default=0.0,
        minimum=-1e6,
        maximum=1e6,
        slider_min=0.0,
        slider_max=1.0,
    )
