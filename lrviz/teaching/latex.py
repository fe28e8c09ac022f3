"""Each formula as one small expression tree: it renders the LaTeX and evaluates in float64.

- `formula(schedule, phase, lang)`: the phase's formula as LaTeX, general and with the
  configuration's numbers substituted;
- `legend(schedule, phase, lang)`: what each of its symbols stands for;
- `evaluate_formula(schedule, phase, step)`: the same tree evaluated, so a test can check the
  page's formula against the engine.

A formula is looked up by the phase's `formula_key` (which the schedule's class gives, see
`lrviz.engine.phases`); a phase whose key has no formula here gets one line saying so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrviz.engine import F32, NO_FORMULA, Schedule, cast_int32
from lrviz.engine.cosine_decay import floor_fraction
from lrviz.i18n import DEFAULT_LANGUAGE, t
from lrviz.teaching.numbers import derived, group, num, paren, words
from lrviz.teaching.phases import Phase

# ---------------------------------------------------------------------------------------------
# Expressions: one tree renders the LaTeX and evaluates the formula
# ---------------------------------------------------------------------------------------------


class _Expr:
    """A formula node. `prec`: 0 sum, 1 product, 2 power, 3 atom."""

    prec = 3

    def tex(self, subst: Mapping[str, str]) -> str:
        raise NotImplementedError

    def value(self, env: Mapping[str, float]) -> float:
        raise NotImplementedError

    def names(self) -> list[str]:
        return []

    def __add__(self, other: Any) -> _Expr:
        return _Op("+", self, _lift(other))

    def __radd__(self, other: Any) -> _Expr:
        return _Op("+", _lift(other), self)

    def __sub__(self, other: Any) -> _Expr:
        return _Op("-", self, _lift(other))

    def __rsub__(self, other: Any) -> _Expr:
        return _Op("-", _lift(other), self)

    def __mul__(self, other: Any) -> _Expr:
        return _Op("*", self, _lift(other))

    def __rmul__(self, other: Any) -> _Expr:
        return _Op("*", _lift(other), self)

    def __truediv__(self, other: Any) -> _Expr:
        return _Op("/", self, _lift(other))

    def __rtruediv__(self, other: Any) -> _Expr:
        return _Op("/", _lift(other), self)

    def __pow__(self, other: Any) -> _Expr:
        return _Op("^", self, _lift(other))

    def __rpow__(self, other: Any) -> _Expr:
        return _Op("^", _lift(other), self)


def _lift(value: Any) -> _Expr:
    return value if isinstance(value, _Expr) else _Num(float(value))


@dataclass(frozen=True, eq=False)
class _Num(_Expr):
    number: float
    latex: str | None = None

    def tex(self, subst: Mapping[str, str]) -> str:
        return self.latex or num(self.number)

    def value(self, env: Mapping[str, float]) -> float:
        return self.number


@dataclass(frozen=True, eq=False)
class _Var(_Expr):
    """A symbol: a Keras argument (named by it), a phase constant or a derived quantity."""

    name: str
    symbol: str

    def tex(self, subst: Mapping[str, str]) -> str:
        text = subst.get(self.name)
        if text is None:
            return self.symbol
        return paren(text) if text.startswith("-") or r"\times" in text else text

    def value(self, env: Mapping[str, float]) -> float:
        return env[self.name]

    def names(self) -> list[str]:
        return [self.name]


@dataclass(frozen=True, eq=False)
class _Op(_Expr):
    op: str
    a: _Expr
    b: _Expr

    @property
    def prec(self) -> int:  # type: ignore[override]
        return {"+": 0, "-": 0, "*": 1, "/": 3, "^": 2}[self.op]

    def tex(self, subst: Mapping[str, str]) -> str:
        a, b = self.a.tex(subst), self.b.tex(subst)
        if self.op == "/":
            return rf"\frac{{{a}}}{{{b}}}"
        if self.op == "^":
            atom = isinstance(self.a, (_Var, _Num))
            return rf"{a if atom else paren(a)}^{{{b}}}"
        if self.op == "+":
            return f"{a} + {b}"
        if self.op == "-":
            return f"{a} - {paren(b) if self.b.prec == 0 else b}"
        a = paren(a) if self.a.prec == 0 else a
        b = paren(b) if self.b.prec == 0 else b
        joint = r" \cdot " if b[:1].isdigit() or b[:1] in "-." else r"\,"
        return a + joint + b

    def value(self, env: Mapping[str, float]) -> float:
        a, b = np.float64(self.a.value(env)), np.float64(self.b.value(env))
        with np.errstate(all="ignore"):
            result = {
                "+": np.add,
                "-": np.subtract,
                "*": np.multiply,
                "/": np.divide,
                "^": np.power,
            }[self.op](a, b)
        return float(result)

    def names(self) -> list[str]:
        return self.a.names() + self.b.names()


_FUNCTIONS: dict[str, tuple[str, str, Callable[[np.float64], Any]]] = {
    "cos": (r"\cos\left(", r"\right)", np.cos),
    "log": (r"\log\left(", r"\right)", np.log),
    "floor": (r"\left\lfloor ", r" \right\rfloor", np.floor),
    "ceil": (r"\left\lceil ", r" \right\rceil", np.ceil),
}


@dataclass(frozen=True, eq=False)
class _Fn(_Expr):
    kind: str
    arg: _Expr

    def tex(self, subst: Mapping[str, str]) -> str:
        left, right, _ = _FUNCTIONS[self.kind]
        return left + self.arg.tex(subst) + right

    def value(self, env: Mapping[str, float]) -> float:
        with np.errstate(all="ignore"):
            return float(_FUNCTIONS[self.kind][2](np.float64(self.arg.value(env))))

    def names(self) -> list[str]:
        return self.arg.names()


def _cos(x: _Expr) -> _Expr:
    return _Fn("cos", x)


def _log(x: _Expr) -> _Expr:
    return _Fn("log", x)


def _floor(x: _Expr) -> _Expr:
    return _Fn("floor", x)


def _ceil(x: _Expr) -> _Expr:
    return _Fn("ceil", x)


S = _Var("s", "s")
LR0 = _Var("initial_learning_rate", r"\eta_0")
TARGET = _Var("warmup_target", r"\eta_T")
WARMUP = _Var("warmup_steps", "W")
DECAY = _Var("decay_steps", "D")
ALPHA = _Var("alpha", r"\alpha")
FIRST = _Var("first_decay_steps", "D_0")
T_MUL = _Var("t_mul", "t")
M_MUL = _Var("m_mul", "m")
RATE = _Var("decay_rate", "r")
END = _Var("end_learning_rate", r"\eta_e")
POWER = _Var("power", "p")
VALUE = _Var("value", "v_i")
INDEX = _Var("i", "i")
START = _Var("S", "S_i")
LENGTH = _Var("L", "L_i")
CYCLE = _Var("k", "k")
F_END = _Var("f_end", r"f_{\mathrm{end}}")
PI = _Var("pi", r"\pi")
HALF = _Num(0.5, r"\tfrac{1}{2}")
NAN = _Num(math.nan, r"\mathrm{NaN}")
_SYMBOLS = {
    v.name: v.symbol
    for v in (
        S,
        LR0,
        TARGET,
        WARMUP,
        DECAY,
        ALPHA,
        FIRST,
        T_MUL,
        M_MUL,
        RATE,
        END,
        POWER,
        VALUE,
        INDEX,
        START,
        LENGTH,
        CYCLE,
        F_END,
        PI,
    )
}


@dataclass(frozen=True)
class _Formula:
    """Definitions computed in order, then the learning rate. `constants` are the phase's own."""

    value: _Expr
    defs: tuple[tuple[_Var, _Expr], ...] = ()
    constants: Mapping[str, Any] = field(default_factory=dict)


_Tree = Callable[[Schedule, Phase], _Formula]
_TREES: dict[str, _Tree] = {}
"""Formula key -> the phase's formula for a schedule."""


def _formula_for(*keys: str) -> Callable[[_Tree], _Tree]:
    """Register a builder as the formula of the phases with these formula keys."""

    def register(build: _Tree) -> _Tree:
        for key in keys:
            _TREES[key] = build
        return build

    return register


def _effective(schedule: Schedule) -> dict[str, float]:
    """The numbers Keras computes with: as given, or truncated where it casts to int32."""
    cfg = schedule.config
    numbers = {
        k: v for k, v in cfg.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    numbers["pi"] = math.pi
    if not schedule.uses_integer_dtype:
        return numbers
    numbers["pi"] = 3
    teaching = schedule.spec.teaching
    for name in () if teaching is None else teaching.int32_args:
        if cfg.get(name) is not None:
            numbers[name] = cast_int32(cfg[name])
    return numbers


def _cosine_peak(cfg: Mapping[str, Any]) -> _Var:
    return TARGET if cfg["warmup_target"] is not None else LR0


@_formula_for("formula.CosineDecay.warmup")
def _cosine_warmup(schedule: Schedule, phase: Phase) -> _Formula:
    return _Formula(LR0 + (TARGET - LR0) * (S / WARMUP))


@_formula_for("formula.CosineDecay.decay")
def _cosine_decay(schedule: Schedule, phase: Phase) -> _Formula:
    warm = schedule.config["warmup_target"] is not None
    fraction = (S - WARMUP) / DECAY if warm else S / DECAY
    peak = _cosine_peak(schedule.config)
    return _Formula(peak * ((1 - ALPHA) * HALF * (1 + _cos(PI * fraction)) + ALPHA))


@_formula_for("formula.CosineDecay.floor")
def _cosine_floor(schedule: Schedule, phase: Phase) -> _Formula:
    peak = _cosine_peak(schedule.config)
    end = floor_fraction(schedule.config)
    if end == 1.0:
        return _Formula(ALPHA * peak)
    cut_short = peak * ((1 - ALPHA) * HALF * (1 + _cos(PI * F_END)) + ALPHA)
    # A float32 number: shown as Keras has it (0.8, not 0.800000011920929).
    return _Formula(cut_short, (), {"f_end": F32(end)})


@_formula_for("formula.CosineDecayRestarts.period")
def _restart_period(schedule: Schedule, phase: Phase) -> _Formula:
    defs: tuple[tuple[_Var, _Expr], ...]
    if _effective(schedule)["t_mul"] != 1:
        index = _floor(_log(1 - S / FIRST * (1 - T_MUL)) / _log(T_MUL))
        defs = (
            (START, FIRST * ((1 - T_MUL**INDEX) / (1 - T_MUL))),
            (LENGTH, FIRST * T_MUL**INDEX),
        )
        period: _Expr = LENGTH
    else:
        # Every period lasts D_0 steps: no L_i to define.
        index = _floor(S / FIRST)
        defs = ((START, INDEX * FIRST),)
        period = FIRST
    value = LR0 * (
        (1 - ALPHA) * HALF * M_MUL**INDEX * (1 + _cos(PI * ((S - START) / period))) + ALPHA
    )
    if phase.key == "phase.period":
        return _Formula(value, defs, {"i": phase.params["index"]})
    return _Formula(value, ((INDEX, index), *defs))


@_formula_for("formula.CosineDecayRestarts.nan")
def _restart_nan(schedule: Schedule, phase: Phase) -> _Formula:
    return _Formula(NAN)


@_formula_for("formula.PolynomialDecay.decay")
def _polynomial_decay(schedule: Schedule, phase: Phase) -> _Formula:
    return _Formula((LR0 - END) * (1 - S / DECAY) ** POWER + END)


@_formula_for("formula.PolynomialDecay.end")
def _polynomial_end(schedule: Schedule, phase: Phase) -> _Formula:
    return _Formula((LR0 - END) * _Num(0.0) ** POWER + END)


@_formula_for("formula.PolynomialDecay.cycle")
def _polynomial_cycle(schedule: Schedule, phase: Phase) -> _Formula:
    value = (LR0 - END) * (1 - S / (DECAY * CYCLE)) ** POWER + END
    if phase.key == "phase.cycle":
        return _Formula(value, (), {"k": phase.params["index"]})
    return _Formula(value, ((CYCLE, _ceil(S / DECAY)),))


@_formula_for("formula.PiecewiseConstantDecay.interval")
def _interval(schedule: Schedule, phase: Phase) -> _Formula:
    index = phase.params["index"]
    value = schedule.config["values"][index]
    if schedule.uses_integer_dtype:
        value = cast_int32(value)
    return _Formula(VALUE, (), {"i": index, "value": value})


@_formula_for("formula.ExponentialDecay")
def _exponential(schedule: Schedule, phase: Phase) -> _Formula:
    return _Formula(LR0 * RATE ** (S / DECAY))


@_formula_for("formula.ExponentialDecay.staircase")
def _exponential_stairs(schedule: Schedule, phase: Phase) -> _Formula:
    return _Formula(LR0 * RATE ** _floor(S / DECAY))


@_formula_for("formula.InverseTimeDecay")
def _inverse_time(schedule: Schedule, phase: Phase) -> _Formula:
    return _Formula(LR0 / (1 + RATE * (S / DECAY)))


@_formula_for("formula.InverseTimeDecay.staircase")
def _inverse_time_stairs(schedule: Schedule, phase: Phase) -> _Formula:
    return _Formula(LR0 / (1 + RATE * _floor(S / DECAY)))


def _formula_of(schedule: Schedule, phase: Phase) -> _Formula | None:
    build = _TREES.get(phase.formula_key)
    return None if build is None else build(schedule, phase)


def _environment(schedule: Schedule, formula: _Formula) -> dict[str, float]:
    return {**_effective(schedule), **formula.constants}


def evaluate_formula(schedule: Schedule, phase: Phase, step: int) -> float:
    """The phase's formula, as `formula` shows it, evaluated in float64 at `step`.

    It differs from the chart (Keras's float32) only by rounding; a test holds it to that.
    """
    shown = _formula_of(schedule, phase)
    if shown is None:
        return math.nan
    env = _environment(schedule, shown)
    env["s"] = float(step)
    for var, expr in shown.defs:
        env[var.name] = expr.value(env)
    return shown.value.value(env)


def _step_range(phase: Phase, lang: str) -> str:
    step = words(t("formula.step", lang))
    if phase.end is None:
        return rf"{step} \ge {group(phase.start)}"
    return rf"{group(phase.start)} \le {step} < {group(phase.end)}"


def formula(schedule: Schedule, phase: Phase, lang: str = DEFAULT_LANGUAGE) -> str:
    """The phase's formula as LaTeX (an `aligned` block for `st.latex`).

    Rows: the phase's constants (i = 3), each definition (S_i = ... = 7,000), the learning rate in
    general form, then with this configuration's numbers substituted and the steps it applies to.
    Integer-dtype configurations show the truncated numbers Keras really uses. A phase without
    a formula here gets one row that says so.
    """
    shown = _formula_of(schedule, phase)
    if shown is None:
        missing = words(t(NO_FORMULA, lang, class_name=schedule.class_name))
        return f"\\begin{{aligned}}\n& {missing}\n\\end{{aligned}}"
    env = _environment(schedule, shown)
    subst = {name: num(value) for name, value in env.items() if name != "pi"}
    if schedule.uses_integer_dtype:
        subst["pi"] = "3"
    rows = [
        rf"{_SYMBOLS[name]} &= {num(value)}"
        for name, value in shown.constants.items()
        if name != "value"
    ]
    for var, expr in shown.defs:
        general, numbers = expr.tex({}), expr.tex(subst)
        row = rf"{var.symbol} &= {general}"
        if numbers != general:
            row += f" = {numbers}"
        if "s" not in expr.names() and all(n in env for n in expr.names()):
            env[var.name] = expr.value(env)
            subst[var.name] = derived(env[var.name])
            row += f" = {subst[var.name]}"
        rows.append(row)
    general, numbers = shown.value.tex({}), shown.value.tex(subst)
    if isinstance(shown.value, _Var):
        numbers = subst[shown.value.name]
    where = _step_range(phase, lang)
    # The steps it applies to get a row of their own: beside a long formula they would run off
    # the right edge of a narrow column.
    if phase.key == "phase.nan":
        rows += [rf"\eta(s) &= {general}", rf"& {words(t('formula.nan_reason', lang))}"]
    elif numbers == general:
        rows += [rf"\eta(s) &= {general}", rf"& {where}"]
    else:
        rows += [rf"\eta(s) &= {general}", rf"&= {numbers}", rf"& {where}"]
    if schedule.uses_integer_dtype:
        rows.append("&" + words(t("formula.integer_row", lang)))
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def legend(schedule: Schedule, phase: Phase, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """(symbol as LaTeX, what it stands for) for every symbol in the phase's formula."""
    shown = _formula_of(schedule, phase)
    if shown is None:
        return []
    seen: list[str] = []
    names = [n for _, e in shown.defs for n in e.names()] + shown.value.names()
    for name in names + [var.name for var, _ in shown.defs]:
        if name not in seen:
            seen.append(name)
    rows = []
    for name in seen:
        if name == "pi":
            continue
        if name in schedule.config:
            text = t("formula.symbol.param", lang, name=name, value=repr(schedule.config[name]))
        elif name == "value":
            index = phase.params["index"]
            value = repr(schedule.config["values"][index])
            text = t("formula.symbol.param", lang, name=f"values[{index}]", value=value)
        else:
            text = t(f"formula.symbol.{name}", lang)
        rows.append((_SYMBOLS[name], text))
    return rows
