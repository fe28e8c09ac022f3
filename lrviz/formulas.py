"""The teaching layer: a schedule's phases, each phase's formula, and a value worked through.

- `phases(schedule, stop)` / `phase_at(schedule, step)`: contiguous step ranges with one formula
  each (warmup, decay, floor; restart periods; cycles; intervals; NaN), with edges where Keras's
  float32 arithmetic really puts them, so a phase never disagrees with the curve.
- `formula(schedule, phase, lang)`: that formula as LaTeX, general and with the configuration's
  numbers substituted. Each formula is one small expression tree that both renders the LaTeX and
  evaluates in float64 (`evaluate_formula`), so a test can check the page's formula against the
  engine.
- `worked_value(schedule, step, lang)`: Keras's float32 operations at one step, each with its
  numbers, ending bit for bit at `schedule(step)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from lrviz.engine import (
    F32,
    FLOAT32_EXACT_STEPS,
    PI32,
    Schedule,
    cast_int32,
    computes_in_int,
    keras_power,
    steps_float32,
)
from lrviz.engine.cosine_decay_restarts import restart_position, restarts_nan_from
from lrviz.i18n import DEFAULT_LANGUAGE, t

PHASE_CAP = 50
"""Restart periods and polynomial cycles listed one by one; the rest is one 'later' phase."""

_SEARCH_HIGH = 2**53

# ---------------------------------------------------------------------------------------------
# Phases
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """Steps [start, end) over which one formula gives the learning rate (end None: forever).

    `key` and `params` name the phase (`t(key, lang, **params)`); `formula_key` names its formula
    (an i18n key whose text describes it).
    """

    key: str
    params: Mapping[str, Any] = field(hash=False)
    start: int
    end: int | None
    formula_key: str

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return t(self.key, lang, **self.params)

    def contains(self, step: int) -> bool:
        return self.start <= step and (self.end is None or step < self.end)


Level = Callable[[np.ndarray], np.ndarray]
_Run = tuple[int, str, dict[str, Any], str]  # (start, phase key, params, formula key)


def _first_reaching(level: Level, targets: np.ndarray, high: int) -> np.ndarray:
    """For each target, the first step in [0, high] whose level is >= target (high + 1 if none).

    `level` must be monotone in the step (Keras's float32 period index is: every operation on the
    way rounds monotonically); NaN counts as reached.
    """
    lo = np.full(targets.shape, -1, dtype=np.int64)
    hi = np.full(targets.shape, high + 1, dtype=np.int64)
    while True:
        active = hi - lo > 1
        if not active.any():
            return hi
        mid = np.where(active, (lo + hi) // 2, 0)
        with np.errstate(all="ignore"):
            value = np.asarray(level(mid), dtype=np.float64)
        reached = np.isnan(value) | (value >= targets)
        hi = np.where(active & reached, mid, hi)
        lo = np.where(active & ~reached, mid, lo)


def _level_starts(level: Level, targets: list[float], high: int) -> list[tuple[int, float]]:
    """(first step, level there) of each run of equal level in [0, high]; empty runs vanish."""
    found = _first_reaching(level, np.asarray(targets, dtype=np.float64), high)
    starts = np.unique(np.concatenate([[0], found[found <= high]]))
    with np.errstate(all="ignore"):
        levels = np.asarray(level(starts), dtype=np.float64)
    return [(int(s), float(v)) for s, v in zip(starts, levels)]


def _step_values(cfg: Mapping[str, Any], steps: np.ndarray) -> np.ndarray:
    """The step as Keras's arithmetic sees it: float32 (rounded above 2^24), or int32 exactly."""
    return steps.astype(np.int64) if computes_in_int(cfg) else steps_float32(steps)


def _edge(cfg: Mapping[str, Any], steps: int) -> Any:
    return int(steps) if computes_in_int(cfg) else F32(steps)


def _cosine_edges(cfg: Mapping[str, Any]) -> list[Any]:
    if cfg["warmup_target"] is None:
        return [_edge(cfg, cfg["decay_steps"])]
    warmup = _edge(cfg, cfg["warmup_steps"])
    # Keras adds the two in the schedule's dtype: D + W may round above 2^24.
    return [warmup, _edge(cfg, cfg["decay_steps"]) + warmup]


def _threshold_level(cfg: Mapping[str, Any], edges: list[Any]) -> Level:
    def level(steps: np.ndarray) -> np.ndarray:
        s = _step_values(cfg, steps)
        return sum((s >= edge).astype(np.int64) for edge in edges)

    return level


def _restart_index(cfg: Mapping[str, Any], steps: np.ndarray) -> np.ndarray:
    """Keras's period index i at each step (NaN past a t_mul < 1 horizon)."""
    if not computes_in_int(cfg):
        return restart_position(cfg, steps)[0]
    completed = steps.astype(np.int64) / np.float64(cfg["first_decay_steps"])
    t_mul = cast_int32(cfg["t_mul"])
    if t_mul == 1:
        return np.floor(completed.astype(F32))  # ops.floor computes in float32
    inner = (1.0 - completed * (1.0 - t_mul)).astype(np.int32)
    return np.floor(np.log(inner.astype(F32)) / np.log(F32(t_mul)))


def _cycle_multiplier(cfg: Mapping[str, Any], steps: np.ndarray) -> np.ndarray:
    """PolynomialDecay's k = ceil(s / D) (1 at step 0), in Keras's dtype."""
    s = _step_values(cfg, steps)
    if computes_in_int(cfg):
        # numpy's int32 / int is float64; ops.ceil computes it in float32.
        return np.where(s == 0, F32(1), np.ceil((s / np.float64(cfg["decay_steps"])).astype(F32)))
    return np.where(s == 0, F32(1.0), np.ceil(s / F32(cfg["decay_steps"])))


def _chain(runs: list[_Run], end: int | None) -> list[Phase]:
    """Phases from (start, key, params, formula_key) runs, each ending where the next starts."""
    ends = [run[0] for run in runs[1:]] + [end]
    return [
        Phase(key, params, start, stop, fkey)
        for (start, key, params, fkey), stop in zip(runs, ends)
    ]


def _named_levels(
    level: Level, names: list[tuple[str, str]], high: int = _SEARCH_HIGH
) -> list[_Run]:
    """Runs of a 0, 1, 2... level, the n-th named by names[n] = (phase key, formula key)."""
    runs = _level_starts(level, list(range(1, len(names))), high)
    return [(start, names[int(v)][0], {}, names[int(v)][1]) for start, v in runs]


def _indexed_runs(
    level: Level,
    first: int,
    high: int,
    key: str,
    later_key: str,
    formula_key: str,
) -> list[_Run]:
    """Runs of an integer index counted from `first`, one per index up to PHASE_CAP, then one."""
    cap = first + PHASE_CAP
    runs = []
    for start, value in _level_starts(level, list(range(first + 1, cap + 1)), high):
        if math.isnan(value):
            # Integer SGDR with t_mul < 1 truncates t_mul to 0: log(0) from step 1 on.
            runs.append((start, "phase.nan", {}, "formula.CosineDecayRestarts.nan"))
            break
        if value >= cap:
            runs.append((start, later_key, {"from_index": cap}, formula_key))
            break
        runs.append((start, key, {"index": int(value)}, formula_key))
    return runs


def _cosine_phases(cfg: Mapping[str, Any]) -> list[Phase]:
    names = [
        ("phase.decay", "formula.CosineDecay.decay"),
        ("phase.floor", "formula.CosineDecay.floor"),
    ]
    if cfg["warmup_target"] is not None:
        names.insert(0, ("phase.warmup", "formula.CosineDecay.warmup"))
    level = _threshold_level(cfg, _cosine_edges(cfg))
    return _chain(_named_levels(level, names), None)


def _restart_phases(cfg: Mapping[str, Any]) -> list[Phase]:
    nan_from = restarts_nan_from(cfg)
    high = _SEARCH_HIGH if nan_from is None else nan_from - 1
    runs = _indexed_runs(
        lambda steps: _restart_index(cfg, steps),
        0,
        high,
        "phase.period",
        "phase.later_periods",
        "formula.CosineDecayRestarts.period",
    )
    if nan_from is None:
        return _chain(runs, None)
    nan = Phase("phase.nan", {}, nan_from, None, "formula.CosineDecayRestarts.nan")
    return [*_chain(runs, nan_from), nan]


def _polynomial_phases(cfg: Mapping[str, Any]) -> list[Phase]:
    if not cfg["cycle"]:
        names = [
            ("phase.decay", "formula.PolynomialDecay.decay"),
            ("phase.end", "formula.PolynomialDecay.end"),
        ]
        level = _threshold_level(cfg, [_edge(cfg, cfg["decay_steps"])])
        return _chain(_named_levels(level, names), None)
    runs = _indexed_runs(
        lambda steps: _cycle_multiplier(cfg, steps),
        1,
        _SEARCH_HIGH,
        "phase.cycle",
        "phase.later_cycles",
        "formula.PolynomialDecay.cycle",
    )
    return _chain(runs, None)


def _piecewise_phases(cfg: Mapping[str, Any]) -> list[Phase]:
    boundaries = np.asarray(cfg["boundaries"], dtype=np.int64)

    def level(steps: np.ndarray) -> np.ndarray:
        return np.searchsorted(boundaries, steps.astype(np.int64), side="left")

    runs = [
        (start, "phase.interval", {"index": int(value)}, "formula.PiecewiseConstantDecay.interval")
        for start, value in _level_starts(level, list(range(1, len(cfg["values"]))), _SEARCH_HIGH)
    ]
    return _chain(runs, None)


def _single_phase(class_name: str, cfg: Mapping[str, Any]) -> list[Phase]:
    suffix = ".staircase" if cfg["staircase"] else ""
    return [Phase("phase.decay", {}, 0, None, f"formula.{class_name}{suffix}")]


@lru_cache(maxsize=256)
def _all_phases(schedule: Schedule) -> tuple[Phase, ...]:
    cfg = schedule.config
    name = schedule.class_name
    if name == "CosineDecay":
        return tuple(_cosine_phases(cfg))
    if name == "CosineDecayRestarts":
        return tuple(_restart_phases(cfg))
    if name == "PolynomialDecay":
        return tuple(_polynomial_phases(cfg))
    if name == "PiecewiseConstantDecay":
        return tuple(_piecewise_phases(cfg))
    return tuple(_single_phase(name, cfg))


def phases(schedule: Schedule, stop: int) -> list[Phase]:
    """The phases that start in [0, stop), in order; together they tile [0, stop) and beyond.

    Each phase keeps its real end (None when it never ends), so a phase is the same object at
    every zoom and `phase_at` returns exactly one of these. Edges are where Keras's arithmetic puts
    them: `warmup_steps` itself up to 2^24, the first step whose float32 reaches it above that.
    """
    every = _all_phases(schedule)
    return [p for p in every if p.start < stop] or [every[0]]


def phase_at(schedule: Schedule, step: int) -> Phase:
    """The phase that contains `step` (a step >= 0)."""
    every = _all_phases(schedule)
    starts = [p.start for p in every]
    return every[int(np.searchsorted(starts, step, side="right")) - 1]


# ---------------------------------------------------------------------------------------------
# Numbers in LaTeX
# ---------------------------------------------------------------------------------------------


def _group(n: int) -> str:
    """Thousands separators that LaTeX does not space out: 10{,}000."""
    return f"{n:,}".replace(",", "{,}")


def _sci(text: str) -> str:
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _num(value: Any) -> str:
    """A number exactly as typed or computed: ints grouped, floats in the fewest digits that
    read back to the same value in their own dtype (a float32 intermediate shows as 0.5868241,
    not 0.58682408928871155; a Python float as its repr), positional unless tiny or huge.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return _group(int(value))
    number = float(value)
    if math.isnan(number):
        return r"\mathrm{NaN}"
    if math.isinf(number):
        return r"\infty" if number > 0 else r"-\infty"
    if number.is_integer() and abs(number) < 1e15:
        return _group(int(number))
    exact = value if isinstance(value, np.floating) else np.float64(number)
    if abs(number) < 1e-5 or abs(number) >= 1e15:
        return _sci(np.format_float_scientific(exact, unique=True, trim="-"))
    return np.format_float_positional(exact, unique=True, trim="-")


def _derived(value: float) -> str:
    """A float64 quantity derived by a formula, without float64 noise in the last digits."""
    return _num(float(f"{value:.12g}"))


def _text(words: str) -> str:
    """Words for \\text{...}: LaTeX's special characters escaped."""
    for char in "\\{}":
        words = words.replace(char, " ")
    for char in "_%#&$":
        words = words.replace(char, "\\" + char)
    return rf"\text{{{words}}}"


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


def _paren(text: str) -> str:
    return rf"\left({text}\right)"


@dataclass(frozen=True, eq=False)
class _Num(_Expr):
    number: float
    latex: str | None = None

    def tex(self, subst: Mapping[str, str]) -> str:
        return self.latex or _num(self.number)

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
        return _paren(text) if text.startswith("-") or r"\times" in text else text

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
            return rf"{a if atom else _paren(a)}^{{{b}}}"
        if self.op == "+":
            return f"{a} + {b}"
        if self.op == "-":
            return f"{a} - {_paren(b) if self.b.prec == 0 else b}"
        a = _paren(a) if self.a.prec == 0 else a
        b = _paren(b) if self.b.prec == 0 else b
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
    truncated = {
        "CosineDecay": ("warmup_target",),
        "CosineDecayRestarts": ("t_mul", "m_mul", "alpha"),
        "ExponentialDecay": ("decay_rate",),
        "InverseTimeDecay": ("decay_rate",),
        "PolynomialDecay": ("end_learning_rate", "power"),
    }.get(schedule.class_name, ())
    for name in truncated:
        if cfg.get(name) is not None:
            numbers[name] = cast_int32(cfg[name])
    return numbers


def _cosine_formula(cfg: Mapping[str, Any], phase: Phase) -> _Formula:
    warm = cfg["warmup_target"] is not None
    peak = TARGET if warm else LR0
    if phase.key == "phase.warmup":
        return _Formula(LR0 + (TARGET - LR0) * (S / WARMUP))
    if phase.key != "phase.floor":
        fraction = (S - WARMUP) / DECAY if warm else S / DECAY
        return _Formula(peak * ((1 - ALPHA) * HALF * (1 + _cos(PI * fraction)) + ALPHA))
    end = floor_fraction(cfg)
    if end == 1.0:
        return _Formula(ALPHA * peak)
    cut_short = peak * ((1 - ALPHA) * HALF * (1 + _cos(PI * F_END)) + ALPHA)
    # A float32 number: shown as Keras has it (0.8, not 0.800000011920929).
    return _Formula(cut_short, (), {"f_end": F32(end)})


def floor_fraction(cfg: Mapping[str, Any]) -> float:
    """Where Keras's clamp stops CosineDecay's cosine: 1, unless D + W rounds in float32.

    Keras clamps the step at `decay_steps + warmup_steps` added in float32; above 2^24 the sum
    can round down, so the decay stops short of its end (f < 1) and the floor is not
    alpha * peak.
    """
    if cfg["warmup_target"] is None or computes_in_int(cfg):
        return 1.0
    warmup, decay = F32(cfg["warmup_steps"]), F32(cfg["decay_steps"])
    return float((decay + warmup - warmup) / decay)


def _restart_formula(
    cfg: Mapping[str, Any], phase: Phase, numbers: Mapping[str, float]
) -> _Formula:
    if phase.key == "phase.nan":
        return _Formula(NAN)
    defs: tuple[tuple[_Var, _Expr], ...]
    if numbers["t_mul"] != 1:
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


def _polynomial_formula(phase: Phase) -> _Formula:
    if phase.key == "phase.end":
        return _Formula((LR0 - END) * _Num(0.0) ** POWER + END)
    if phase.key == "phase.decay":
        return _Formula((LR0 - END) * (1 - S / DECAY) ** POWER + END)
    value = (LR0 - END) * (1 - S / (DECAY * CYCLE)) ** POWER + END
    if phase.key == "phase.cycle":
        return _Formula(value, (), {"k": phase.params["index"]})
    return _Formula(value, ((CYCLE, _ceil(S / DECAY)),))


def _formula_of(schedule: Schedule, phase: Phase) -> _Formula:
    cfg = schedule.config
    name = schedule.class_name
    if name == "CosineDecay":
        return _cosine_formula(cfg, phase)
    if name == "CosineDecayRestarts":
        return _restart_formula(cfg, phase, _effective(schedule))
    if name == "PolynomialDecay":
        return _polynomial_formula(phase)
    if name == "PiecewiseConstantDecay":
        index = phase.params["index"]
        value = cfg["values"][index]
        if schedule.uses_integer_dtype:
            value = cast_int32(value)
        return _Formula(VALUE, (), {"i": index, "value": value})
    ratio = _floor(S / DECAY) if cfg["staircase"] else S / DECAY
    if name == "ExponentialDecay":
        return _Formula(LR0 * RATE**ratio)
    return _Formula(LR0 / (1 + RATE * ratio))


def _environment(schedule: Schedule, formula: _Formula) -> dict[str, float]:
    return {**_effective(schedule), **formula.constants}


def evaluate_formula(schedule: Schedule, phase: Phase, step: int) -> float:
    """The phase's formula, as `formula` shows it, evaluated in float64 at `step`.

    It differs from the chart (Keras's float32) only by rounding; a test holds it to that.
    """
    shown = _formula_of(schedule, phase)
    env = _environment(schedule, shown)
    env["s"] = float(step)
    for var, expr in shown.defs:
        env[var.name] = expr.value(env)
    return shown.value.value(env)


def _step_range(phase: Phase, lang: str) -> str:
    step = _text(t("formula.step", lang))
    if phase.end is None:
        return rf"{step} \ge {_group(phase.start)}"
    return rf"{_group(phase.start)} \le {step} < {_group(phase.end)}"


def formula(schedule: Schedule, phase: Phase, lang: str = DEFAULT_LANGUAGE) -> str:
    """The phase's formula as LaTeX (an `aligned` block for `st.latex`).

    Rows: the phase's constants (i = 3), each definition (S_i = ... = 7,000), the learning rate in
    general form, then with this configuration's numbers substituted and the steps it applies to.
    Integer-dtype configurations show the truncated numbers Keras really uses.
    """
    shown = _formula_of(schedule, phase)
    env = _environment(schedule, shown)
    subst = {name: _num(value) for name, value in env.items() if name != "pi"}
    if schedule.uses_integer_dtype:
        subst["pi"] = "3"
    rows = [
        rf"{_SYMBOLS[name]} &= {_num(value)}"
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
            subst[var.name] = _derived(env[var.name])
            row += f" = {subst[var.name]}"
        rows.append(row)
    general, numbers = shown.value.tex({}), shown.value.tex(subst)
    if isinstance(shown.value, _Var):
        numbers = subst[shown.value.name]
    where = _step_range(phase, lang)
    # The steps it applies to get a row of their own: beside a long formula they would run off
    # the right edge of a narrow column.
    if phase.key == "phase.nan":
        rows += [rf"\eta(s) &= {general}", rf"& {_text(t('formula.nan_reason', lang))}"]
    elif numbers == general:
        rows += [rf"\eta(s) &= {general}", rf"& {where}"]
    else:
        rows += [rf"\eta(s) &= {general}", rf"&= {numbers}", rf"& {where}"]
    if schedule.uses_integer_dtype:
        rows.append("&" + _text(t("formula.integer_row", lang)))
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def legend(schedule: Schedule, phase: Phase, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """(symbol as LaTeX, what it stands for) for every symbol in the phase's formula."""
    shown = _formula_of(schedule, phase)
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


# ---------------------------------------------------------------------------------------------
# Worked values: Keras's operations at one step, in its dtype and order
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Worked:
    """The value at one step worked through: `lines` (LaTeX, one operation each) end at `value`,
    which is bit for bit `schedule(step)`; `notes` (plain text) say what Keras does unexpectedly.
    """

    phase: Phase
    lines: tuple[str, ...]
    value: np.float32
    notes: tuple[str, ...] = ()


def _v(x: np.ndarray | np.generic | float) -> str:
    """One computed number in its own dtype's shortest exact form."""
    return _num(np.asarray(x).flat[0])


def _vp(x: np.ndarray | np.generic | float) -> str:
    """`_v` for an operand after an operator: negatives in parentheses."""
    return _paren_neg(_v(x))


WRAP_PARTS = 5
"""Worked lines of this many `=`-joined parts or more are typeset on two rows."""


def _eq(*parts: str) -> str:
    return " = ".join(parts)


def _frac(top: str, bottom: str) -> str:
    return rf"\frac{{{top}}}{{{bottom}}}"


def _min(a: str, b: str) -> str:
    return rf"\min\left({a},\ {b}\right)"


class _Work:
    """Collects the lines and notes of one worked value."""

    def __init__(self, schedule: Schedule, step: int, lang: str) -> None:
        self.cfg = schedule.config
        self.step = np.array([step], dtype=np.int64)
        self.lang = lang
        self.phase = phase_at(schedule, step)
        self.lines: list[str] = []
        self.notes: list[str] = []
        self.step_tex = _text(t("formula.step", lang))
        if schedule.uses_integer_dtype:
            self.note("formula.note.integer")

    def line(self, *parts: str) -> None:
        # A long chain would run past the panel's right edge and hide the result, so from five
        # parts on the numbers go on a second row, under the formula.
        if len(parts) < WRAP_PARTS:
            self.lines.append(_eq(*parts))
            return
        rows = rf"{parts[0]} &= {parts[1]} \\ &= {_eq(*parts[2:])}"
        self.lines.append(rf"\begin{{aligned}} {rows} \end{{aligned}}")

    def note(self, key: str, **params: Any) -> None:
        self.notes.append(t(key, self.lang, **params))

    def steps_f32(self) -> np.ndarray:
        """`ops.cast(step, float32)`, with a note when that rounds."""
        s = steps_float32(self.step)
        if self.step[0] > FLOAT32_EXACT_STEPS:
            self.note("formula.note.beyond_2_24", step=int(self.step[0]), s=int(s[0]))
        return s

    def branch(self, test: str) -> None:
        self.lines.append(rf"{test} \Rightarrow {_text(self.phase.label(self.lang))}")

    def clamped(self, limit: Any) -> None:
        if self.phase.key not in ("phase.floor", "phase.end"):
            return
        self.note("formula.note.clamped", limit=_plain(limit), start=self.phase.start)
        if self.phase.key == "phase.floor" and floor_fraction(self.cfg) != 1.0:
            exact = int(self.cfg["decay_steps"]) + int(self.cfg["warmup_steps"])
            self.note(
                "formula.note.floor_cut_short",
                exact=exact,
                rounded=_plain(limit),
                fraction=_plain(F32(floor_fraction(self.cfg))),
            )

    def power(self, symbol: str, base: Any, exponent: np.ndarray, result: np.ndarray) -> None:
        self.line(symbol, rf"{_v(base)}^{{{_v(exponent)}}}", _v(result))

    def cosine_tail(
        self, fraction: np.ndarray, alpha: float, peak: np.float32, peak_tex: str, pi: np.float32
    ) -> np.ndarray:
        """`CosineDecay._decay_function` from the decay fraction on (what `_cosine_decay` does)."""
        angle = pi * fraction
        cos = np.cos(angle)
        one_plus = F32(1.0) + cos
        cosine = F32(0.5) * one_plus
        one_minus = F32(1 - alpha)
        scaled = one_minus * cosine
        decayed = scaled + F32(alpha)
        value = peak * decayed
        self.line(r"\pi f", rf"{_num(pi)} \cdot {_vp(fraction)}", _v(angle))
        self.line(r"\cos\left(\pi f\right)", _v(cos))
        self.line(
            "c",
            r"\tfrac{1}{2}\left(1 + \cos\left(\pi f\right)\right)",
            rf"0.5 \cdot {_vp(one_plus)}",
            _v(cosine),
        )
        self.line(r"1 - \alpha", rf"1 - {_paren_neg(_num(alpha))}", _v(one_minus))
        self.line(
            "d",
            r"\left(1 - \alpha\right)\,c + \alpha",
            rf"{_v(one_minus)} \cdot {_vp(cosine)} + {_vp(F32(alpha))}",
            rf"{_v(scaled)} + {_vp(F32(alpha))}",
            _v(decayed),
        )
        self.line(r"\eta", rf"{peak_tex}\,d", rf"{_v(peak)} \cdot {_vp(decayed)}", _v(value))
        return value

    def done(self, value: np.ndarray) -> Worked:
        return Worked(
            self.phase, tuple(self.lines), F32(np.asarray(value).flat[0]), tuple(self.notes)
        )


def _paren_neg(text: str) -> str:
    return _paren(text) if text.startswith("-") else text


def _plain(value: Any) -> str:
    """A number for a plain-text note: grouped when whole, else its shortest exact form."""
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return str(value)


def _worked_cosine(w: _Work) -> np.ndarray:
    """s = min(step, D [+ W]); warmup (T - lr0) * (s / W) + lr0, else the cosine tail."""
    cfg = w.cfg
    integer = computes_in_int(cfg)
    lr0 = int(cfg["initial_learning_rate"]) if integer else F32(cfg["initial_learning_rate"])
    decay = int(cfg["decay_steps"]) if integer else F32(cfg["decay_steps"])
    pi = F32(3) if integer else PI32
    s_in = w.step.astype(np.int64) if integer else w.steps_f32()
    if cfg["warmup_target"] is None:
        if cfg["warmup_steps"] > 0:
            w.note("formula.note.warmup_ignored", warmup_steps=int(cfg["warmup_steps"]))
        s = np.minimum(s_in, decay)
        w.line("s", _min(w.step_tex, "D"), _min(_v(s_in), _num(decay)), _v(s))
        w.clamped(decay)
        fraction = s.astype(F32) / F32(decay) if integer else s / decay
        w.line("f", _frac("s", "D"), _frac(_v(s), _num(decay)), _v(fraction))
        return w.cosine_tail(fraction, cfg["alpha"], F32(lr0), r"\eta_0", pi)
    if integer:
        target: Any = cast_int32(cfg["warmup_target"])
        w.line(
            r"\eta_T", rf"\mathrm{{int32}}\left({_num(cfg['warmup_target'])}\right)", _num(target)
        )
        warmup: Any = int(cfg["warmup_steps"])
    else:
        target = F32(cfg["warmup_target"])
        warmup = F32(cfg["warmup_steps"])
    limit = decay + warmup
    s = np.minimum(s_in, limit)
    w.line("s", _min(w.step_tex, "D + W"), _min(_v(s_in), _num(limit)), _v(s))
    w.clamped(limit)
    if s[0] < warmup:
        if target < lr0:
            w.note("formula.note.warms_down")
        w.branch(rf"{_v(s)} < {_num(warmup)}")
        fraction = s / np.float64(warmup) if integer else s / warmup
        delta = target - lr0
        scaled = delta * fraction
        value = scaled + lr0
        w.line("f", _frac("s", "W"), _frac(_v(s), _num(warmup)), _v(fraction))
        w.line(
            r"\Delta", r"\eta_T - \eta_0", rf"{_num(target)} - {_paren_neg(_num(lr0))}", _v(delta)
        )
        w.line(
            r"\eta",
            r"\Delta\,f + \eta_0",
            rf"{_v(delta)} \cdot {_vp(fraction)} + {_paren_neg(_num(lr0))}",
            rf"{_v(scaled)} + {_paren_neg(_num(lr0))}",
            _v(value),
        )
        return value.astype(F32) if integer else value
    w.branch(rf"{_v(s)} \ge {_num(warmup)}")
    since = s - warmup
    fraction = since.astype(F32) / F32(decay) if integer else since / decay
    w.line(
        "f",
        _frac("s - W", "D"),
        _frac(rf"{_v(s)} - {_num(warmup)}", _num(decay)),
        _frac(_v(since), _num(decay)),
        _v(fraction),
    )
    return w.cosine_tail(fraction, cfg["alpha"], F32(target), r"\eta_T", pi)


def _worked_restarts(w: _Work) -> np.ndarray:
    """q = s / D_0; i and f from Keras's closed form; lr0 * ((1-a) * 0.5 m^i (1 + cos(pi f)) + a)."""
    cfg = w.cfg
    if w.phase.key == "phase.nan":
        w.note("formula.note.nan", t_mul=cfg["t_mul"], nan_from=w.phase.start)
    if computes_in_int(cfg):
        return _worked_restarts_int(w)
    lr0, alpha, m_mul = F32(cfg["initial_learning_rate"]), F32(cfg["alpha"]), F32(cfg["m_mul"])
    first, t_mul = F32(cfg["first_decay_steps"]), F32(cfg["t_mul"])
    s = w.steps_f32()
    with np.errstate(all="ignore"):
        q = s / first
        w.line("q", _frac("s", "D_0"), _frac(_v(s), _num(first)), _v(q))
        if t_mul == F32(1.0):
            index = np.floor(q)
            fraction = q - index
            w.line("i", r"\left\lfloor q \right\rfloor", _v(index))
            w.line("f", "q - i", rf"{_v(q)} - {_vp(index)}", _v(fraction))
        else:
            one_minus_t = F32(1.0) - t_mul
            shrink = q * one_minus_t
            x = F32(1.0) - shrink
            log_x, log_t = np.log(x), np.log(t_mul)
            ratio = log_x / log_t
            index = np.floor(ratio)
            t_fac = keras_power(t_mul, index)
            done = F32(1.0) - t_fac
            sum_r = done / one_minus_t
            fraction = (q - sum_r) / t_fac
            w.line(
                "x", r"1 - q\left(1 - t\right)", rf"1 - {_vp(q)} \cdot {_vp(one_minus_t)}", _v(x)
            )
            w.line(
                "i",
                r"\left\lfloor \frac{\log x}{\log t} \right\rfloor",
                rf"\left\lfloor {_frac(_v(log_x), _v(log_t))} \right\rfloor",
                rf"\left\lfloor {_v(ratio)} \right\rfloor",
                _v(index),
            )
            w.power("t^{i}", t_mul, index, t_fac)
            w.line(
                r"\sigma", _frac("1 - t^{i}", "1 - t"), _frac(_v(done), _v(one_minus_t)), _v(sum_r)
            )
            w.line(
                "f",
                _frac(r"q - \sigma", "t^{i}"),
                _frac(rf"{_v(q)} - {_vp(sum_r)}", _v(t_fac)),
                _v(fraction),
            )
        m_fac = keras_power(m_mul, index)
        w.power("m^{i}", m_mul, index, m_fac)
        angle = PI32 * fraction
        cos = np.cos(angle)
        half_m = F32(0.5) * m_fac
        one_plus = F32(1.0) + cos
        cosine = half_m * one_plus
        one_minus_a = F32(1) - alpha
        scaled = one_minus_a * cosine
        decayed = scaled + alpha
        value = lr0 * decayed
    w.line(r"\pi f", rf"{_num(PI32)} \cdot {_vp(fraction)}", _v(angle))
    w.line(r"\cos\left(\pi f\right)", _v(cos))
    w.line(
        "c",
        r"\tfrac{1}{2}\,m^{i}\left(1 + \cos\left(\pi f\right)\right)",
        rf"{_v(half_m)} \cdot {_vp(one_plus)}",
        _v(cosine),
    )
    w.line(
        "d",
        r"\left(1 - \alpha\right)\,c + \alpha",
        rf"{_v(one_minus_a)} \cdot {_vp(cosine)} + {_vp(alpha)}",
        rf"{_v(scaled)} + {_vp(alpha)}",
        _v(decayed),
    )
    w.line(r"\eta", r"\eta_0\,d", rf"{_v(lr0)} \cdot {_vp(decayed)}", _v(value))
    return value


def _worked_restarts_int(w: _Work) -> np.ndarray:
    """The engine's int32 path: arguments truncated, numpy's `/` in float64, Keras's ops in
    float32, pi = 3."""
    cfg = w.cfg
    lr0, first = int(cfg["initial_learning_rate"]), int(cfg["first_decay_steps"])
    alpha, t_mul, m_mul = (cast_int32(cfg[k]) for k in ("alpha", "t_mul", "m_mul"))
    w.line(
        r"\left(\alpha, t, m\right)",
        rf"\mathrm{{int32}}\left({_num(cfg['alpha'])}, {_num(cfg['t_mul'])}, {_num(cfg['m_mul'])}\right)",
        rf"\left({alpha}, {t_mul}, {m_mul}\right)",
    )
    with np.errstate(all="ignore"):
        q = w.step.astype(np.int64) / np.float64(first)
        w.line("q", _frac("s", "D_0"), _frac(_v(w.step), _num(first)), _v(q))
        if t_mul == 1:
            index = np.floor(q.astype(F32))
            fraction = q - index
            w.line("i", r"\left\lfloor q \right\rfloor", _v(index))
        else:
            inner = (1.0 - q * (1.0 - t_mul)).astype(np.int32)
            index = np.floor(np.log(inner.astype(F32)) / np.log(F32(t_mul)))
            power = keras_power(F32(t_mul), index)
            sum_r = (F32(1.0) - power) / F32(1.0 - t_mul)
            fraction = (q.astype(F32) - sum_r) / power
            w.line("x", r"\mathrm{int32}\left(1 - q\left(1 - t\right)\right)", _v(inner))
            w.line("i", r"\left\lfloor \frac{\log x}{\log t} \right\rfloor", _v(index))
            w.power("t^{i}", F32(t_mul), index, power)
        w.line("f", _v(fraction))
        m_fac = keras_power(F32(m_mul), index)
        cosine = F32(0.5) * m_fac * (F32(1.0) + np.cos(F32(3) * fraction.astype(F32)))
        decayed = F32(1 - alpha) * cosine + F32(alpha)
        value = F32(lr0) * decayed
    w.power("m^{i}", F32(m_mul), index, m_fac)
    w.line("c", r"\tfrac{1}{2}\,m^{i}\left(1 + \cos\left(3 f\right)\right)", _v(cosine))
    w.line("d", r"\left(1 - \alpha\right)\,c + \alpha", _v(decayed))
    w.line(r"\eta", r"\eta_0\,d", rf"{lr0} \cdot {_vp(decayed)}", _v(value))
    return value.astype(F32)


def _worked_ratio(w: _Work) -> tuple[np.ndarray, Any]:
    """q = s / D (floored with `staircase`), in Keras's dtype; returns (q, lr0)."""
    cfg = w.cfg
    if computes_in_int(w.cfg):
        # numpy's int32 / int32 is float64; every op that uses it computes in float32.
        q = (w.step.astype(np.int64) / np.float64(cfg["decay_steps"])).astype(F32)
        s_tex, lr0 = _v(w.step), int(cfg["initial_learning_rate"])
    else:
        s = w.steps_f32()
        q = s / F32(cfg["decay_steps"])
        s_tex, lr0 = _v(s), F32(cfg["initial_learning_rate"])
    w.line("q", _frac("s", "D"), _frac(s_tex, _num(cfg["decay_steps"])), _v(q))
    if cfg["staircase"]:
        floored = np.floor(q)
        w.line(r"\left\lfloor q \right\rfloor", rf"\left\lfloor {_v(q)} \right\rfloor", _v(floored))
        q = floored
    return q, lr0


def _worked_exponential(w: _Work) -> np.ndarray:
    """lr0 * r^q."""
    q, lr0 = _worked_ratio(w)
    with np.errstate(all="ignore"):
        if computes_in_int(w.cfg):
            rate: Any = F32(cast_int32(w.cfg["decay_rate"]))
            factor = keras_power(rate, q)
            value = F32(lr0) * factor
        else:
            rate = F32(w.cfg["decay_rate"])
            factor = keras_power(rate, q)
            value = lr0 * factor
    w.power("r^{q}", rate, q, factor)
    w.line(r"\eta", r"\eta_0\,r^{q}", rf"{_num(lr0)} \cdot {_vp(factor)}", _v(value))
    return value


def _worked_inverse_time(w: _Work) -> np.ndarray:
    """lr0 / (1 + r q)."""
    q, lr0 = _worked_ratio(w)
    if computes_in_int(w.cfg):
        rate: Any = F32(cast_int32(w.cfg["decay_rate"]))
        scaled = rate * q
        denom = F32(1) + scaled
        with np.errstate(divide="ignore"):
            value = F32(lr0) / denom
    else:
        rate = F32(w.cfg["decay_rate"])
        scaled = rate * q
        denom = F32(1) + scaled
        value = lr0 / denom
    w.line("r q", rf"{_v(rate)} \cdot {_vp(q)}", _v(scaled))
    w.line(r"\eta", _frac(r"\eta_0", "1 + r q"), _frac(_num(lr0), rf"1 + {_vp(scaled)}"), _v(value))
    return value


def _worked_polynomial(w: _Work) -> np.ndarray:
    """f = s / D (D stretched to D k with `cycle`, else s = min(s, D)); (lr0 - e)(1 - f)^p + e."""
    cfg = w.cfg
    integer = computes_in_int(cfg)
    if integer:
        lr0: Any = int(cfg["initial_learning_rate"])
        end: Any = cast_int32(cfg["end_learning_rate"])
        power = F32(cast_int32(cfg["power"]))
        s = w.step.astype(np.int64)
        decay: Any = int(cfg["decay_steps"])
    else:
        lr0, end, power = (
            F32(cfg[k]) for k in ("initial_learning_rate", "end_learning_rate", "power")
        )
        s = w.steps_f32()
        decay = F32(cfg["decay_steps"])
    if cfg["cycle"]:
        k = _cycle_multiplier(cfg, w.step)
        stretched = decay * k
        w.line("k", r"\left\lceil \frac{s}{D} \right\rceil", _v(k))
        w.line("D k", rf"{_num(decay)} \cdot {_vp(k)}", _v(stretched))
        fraction = (s.astype(F32) if integer else s) / stretched
        w.line("f", _frac("s", "D k"), _frac(_v(s), _v(stretched)), _v(fraction))
    else:
        clamped = np.minimum(s, decay)
        w.line("s", _min(w.step_tex, "D"), _min(_v(s), _num(decay)), _v(clamped))
        w.clamped(decay)
        fraction = clamped.astype(F32) / F32(decay) if integer else clamped / decay
        w.line("f", _frac("s", "D"), _frac(_v(clamped), _num(decay)), _v(fraction))
    with np.errstate(all="ignore"):
        rest = (1 - fraction) if integer else F32(1) - fraction
        lifted = np.power(rest, power)
        span = lr0 - end
        scaled = span * lifted
        value = scaled + end
    w.line("1 - f", _v(rest))
    w.power(r"\left(1 - f\right)^{p}", rest, np.asarray(power), lifted)
    w.line(r"\eta_0 - \eta_e", rf"{_num(lr0)} - {_paren_neg(_num(end))}", _v(span))
    w.line(
        r"\eta",
        r"\left(\eta_0 - \eta_e\right)\left(1 - f\right)^{p} + \eta_e",
        rf"{_v(span)} \cdot {_vp(lifted)} + {_paren_neg(_num(end))}",
        rf"{_v(scaled)} + {_paren_neg(_num(end))}",
        _v(value),
    )
    return value.astype(F32) if integer else value


def _worked_piecewise(w: _Work) -> np.ndarray:
    """i = the interval with b_{i-1} < step <= b_i; values[i] in the dtype of values[0]."""
    cfg = w.cfg
    boundaries = np.asarray(cfg["boundaries"], dtype=np.int64)
    values = cfg["values"]
    dtype = np.int32 if isinstance(values[0], int) else F32
    table = np.asarray(values).astype(dtype)
    index = np.searchsorted(boundaries, w.step, side="left")
    i = int(index[0])
    step = _group(int(w.step[0]))
    if i == 0:
        w.line(rf"{step} \le b_0 = {_group(int(boundaries[0]))} \Rightarrow i = 0")
    elif i == len(boundaries):
        w.line(rf"{step} > b_{{{i - 1}}} = {_group(int(boundaries[-1]))} \Rightarrow i = {i}")
    else:
        low, high = _group(int(boundaries[i - 1])), _group(int(boundaries[i]))
        w.line(rf"b_{{{i - 1}}} = {low} < {step} \le b_{{{i}}} = {high} \Rightarrow i = {i}")
    value = table[index].astype(F32)
    cast = "int32" if dtype is np.int32 else "float32"
    w.line(
        r"\eta",
        f"v_{{{i}}}",
        rf"\mathrm{{{cast}}}\left({_num(values[i])}\right)",
        _v(table[index]),
    )
    return value


_WORKERS: dict[str, Callable[[_Work], np.ndarray]] = {
    "CosineDecay": _worked_cosine,
    "CosineDecayRestarts": _worked_restarts,
    "ExponentialDecay": _worked_exponential,
    "InverseTimeDecay": _worked_inverse_time,
    "PolynomialDecay": _worked_polynomial,
    "PiecewiseConstantDecay": _worked_piecewise,
}


def worked_value(schedule: Schedule, step: int, lang: str = DEFAULT_LANGUAGE) -> Worked:
    """The learning rate at `step` computed one Keras operation per line, ending at the chart's
    number: the same float32 (or int32) operations, in the same order, as `lrviz.engine`.
    """
    work = _Work(schedule, int(step), lang)
    return work.done(_WORKERS[schedule.class_name](work))
