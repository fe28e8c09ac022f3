"""Worked values: Keras's operations at one step, in its dtype and order, each with its numbers.

`worked_value(schedule, step, lang)` ends bit for bit at `schedule(step)`: the same float32 (or
int32) operations, in the same order, as `lrviz.engine`. The recipe is looked up by the phase's
`formula_key` (the class gives it, see `lrviz.engine.phases`); a phase without a recipe here is
shown as the engine's value with a note that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from lrviz.engine.cosine_decay import floor_fraction
from lrviz.engine.polynomial_decay import cycle_multiplier
from lrviz.i18n import DEFAULT_LANGUAGE, t
from lrviz.teaching.numbers import computed, group, num, operand, paren_neg, words
from lrviz.teaching.phases import Phase, phase_at


@dataclass(frozen=True)
class Worked:
    """The value at one step worked through: `lines` (LaTeX, one operation each) end at `value`,
    which is bit for bit `schedule(step)`; `notes` (plain text) say what Keras does unexpectedly.
    """

    phase: Phase
    lines: tuple[str, ...]
    value: np.float32
    notes: tuple[str, ...] = ()


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
        self.schedule = schedule
        self.cfg = schedule.config
        self.step = np.array([step], dtype=np.int64)
        self.lang = lang
        self.phase = phase_at(schedule, step)
        self.lines: list[str] = []
        self.notes: list[str] = []
        self.step_tex = words(t("formula.step", lang))
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
        self.lines.append(rf"{test} \Rightarrow {words(self.phase.label(self.lang))}")

    def clamped(self, limit: Any) -> None:
        if self.phase.key not in ("phase.floor", "phase.end"):
            return
        self.note("formula.note.clamped", limit=_plain(limit), start=self.phase.start)

    def power(self, symbol: str, base: Any, exponent: np.ndarray, result: np.ndarray) -> None:
        self.line(symbol, rf"{computed(base)}^{{{computed(exponent)}}}", computed(result))

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
        self.line(r"\pi f", rf"{num(pi)} \cdot {operand(fraction)}", computed(angle))
        self.line(r"\cos\left(\pi f\right)", computed(cos))
        self.line(
            "c",
            r"\tfrac{1}{2}\left(1 + \cos\left(\pi f\right)\right)",
            rf"0.5 \cdot {operand(one_plus)}",
            computed(cosine),
        )
        self.line(r"1 - \alpha", rf"1 - {paren_neg(num(alpha))}", computed(one_minus))
        self.line(
            "d",
            r"\left(1 - \alpha\right)\,c + \alpha",
            rf"{computed(one_minus)} \cdot {operand(cosine)} + {operand(F32(alpha))}",
            rf"{computed(scaled)} + {operand(F32(alpha))}",
            computed(decayed),
        )
        self.line(
            r"\eta",
            rf"{peak_tex}\,d",
            rf"{computed(peak)} \cdot {operand(decayed)}",
            computed(value),
        )
        return value

    def done(self, value: np.ndarray) -> Worked:
        return Worked(
            self.phase, tuple(self.lines), F32(np.asarray(value).flat[0]), tuple(self.notes)
        )


_Recipe = Callable[[_Work], np.ndarray]
_RECIPES: dict[str, _Recipe] = {}
"""Formula key -> the worked value of the phases with that formula."""


def _recipe_for(*keys: str) -> Callable[[_Recipe], _Recipe]:
    """Register a recipe as the worked value of the phases with these formula keys."""

    def register(recipe: _Recipe) -> _Recipe:
        for key in keys:
            _RECIPES[key] = recipe
        return recipe

    return register


def _plain(value: Any) -> str:
    """A number for a plain-text note: grouped when whole, else its shortest exact form."""
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return str(value)


@_recipe_for("formula.CosineDecay.warmup", "formula.CosineDecay.decay", "formula.CosineDecay.floor")
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
        w.line("s", _min(w.step_tex, "D"), _min(computed(s_in), num(decay)), computed(s))
        w.clamped(decay)
        fraction = s.astype(F32) / F32(decay) if integer else s / decay
        w.line("f", _frac("s", "D"), _frac(computed(s), num(decay)), computed(fraction))
        return w.cosine_tail(fraction, cfg["alpha"], F32(lr0), r"\eta_0", pi)
    if integer:
        target: Any = cast_int32(cfg["warmup_target"])
        w.line(r"\eta_T", rf"\mathrm{{int32}}\left({num(cfg['warmup_target'])}\right)", num(target))
        warmup: Any = int(cfg["warmup_steps"])
    else:
        target = F32(cfg["warmup_target"])
        warmup = F32(cfg["warmup_steps"])
    limit = decay + warmup
    s = np.minimum(s_in, limit)
    w.line("s", _min(w.step_tex, "D + W"), _min(computed(s_in), num(limit)), computed(s))
    w.clamped(limit)
    if w.phase.key == "phase.floor" and floor_fraction(cfg) != 1.0:
        w.note(
            "formula.note.floor_cut_short",
            exact=int(cfg["decay_steps"]) + int(cfg["warmup_steps"]),
            rounded=_plain(limit),
            fraction=_plain(F32(floor_fraction(cfg))),
        )
    if s[0] < warmup:
        if target < lr0:
            w.note("formula.note.warms_down")
        w.branch(rf"{computed(s)} < {num(warmup)}")
        fraction = s / np.float64(warmup) if integer else s / warmup
        delta = target - lr0
        scaled = delta * fraction
        value = scaled + lr0
        w.line("f", _frac("s", "W"), _frac(computed(s), num(warmup)), computed(fraction))
        w.line(
            r"\Delta",
            r"\eta_T - \eta_0",
            rf"{num(target)} - {paren_neg(num(lr0))}",
            computed(delta),
        )
        w.line(
            r"\eta",
            r"\Delta\,f + \eta_0",
            rf"{computed(delta)} \cdot {operand(fraction)} + {paren_neg(num(lr0))}",
            rf"{computed(scaled)} + {paren_neg(num(lr0))}",
            computed(value),
        )
        return value.astype(F32) if integer else value
    w.branch(rf"{computed(s)} \ge {num(warmup)}")
    since = s - warmup
    fraction = since.astype(F32) / F32(decay) if integer else since / decay
    w.line(
        "f",
        _frac("s - W", "D"),
        _frac(rf"{computed(s)} - {num(warmup)}", num(decay)),
        _frac(computed(since), num(decay)),
        computed(fraction),
    )
    return w.cosine_tail(fraction, cfg["alpha"], F32(target), r"\eta_T", pi)


@_recipe_for("formula.CosineDecayRestarts.period", "formula.CosineDecayRestarts.nan")
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
        w.line("q", _frac("s", "D_0"), _frac(computed(s), num(first)), computed(q))
        if t_mul == F32(1.0):
            index = np.floor(q)
            fraction = q - index
            w.line("i", r"\left\lfloor q \right\rfloor", computed(index))
            w.line("f", "q - i", rf"{computed(q)} - {operand(index)}", computed(fraction))
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
                "x",
                r"1 - q\left(1 - t\right)",
                rf"1 - {operand(q)} \cdot {operand(one_minus_t)}",
                computed(x),
            )
            w.line(
                "i",
                r"\left\lfloor \frac{\log x}{\log t} \right\rfloor",
                rf"\left\lfloor {_frac(computed(log_x), computed(log_t))} \right\rfloor",
                rf"\left\lfloor {computed(ratio)} \right\rfloor",
                computed(index),
            )
            w.power("t^{i}", t_mul, index, t_fac)
            w.line(
                r"\sigma",
                _frac("1 - t^{i}", "1 - t"),
                _frac(computed(done), computed(one_minus_t)),
                computed(sum_r),
            )
            w.line(
                "f",
                _frac(r"q - \sigma", "t^{i}"),
                _frac(rf"{computed(q)} - {operand(sum_r)}", computed(t_fac)),
                computed(fraction),
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
    w.line(r"\pi f", rf"{num(PI32)} \cdot {operand(fraction)}", computed(angle))
    w.line(r"\cos\left(\pi f\right)", computed(cos))
    w.line(
        "c",
        r"\tfrac{1}{2}\,m^{i}\left(1 + \cos\left(\pi f\right)\right)",
        rf"{computed(half_m)} \cdot {operand(one_plus)}",
        computed(cosine),
    )
    w.line(
        "d",
        r"\left(1 - \alpha\right)\,c + \alpha",
        rf"{computed(one_minus_a)} \cdot {operand(cosine)} + {operand(alpha)}",
        rf"{computed(scaled)} + {operand(alpha)}",
        computed(decayed),
    )
    w.line(r"\eta", r"\eta_0\,d", rf"{computed(lr0)} \cdot {operand(decayed)}", computed(value))
    return value


def _worked_restarts_int(w: _Work) -> np.ndarray:
    """The engine's int32 path: arguments truncated, numpy's `/` in float64, Keras's ops in
    float32, pi = 3."""
    cfg = w.cfg
    lr0, first = int(cfg["initial_learning_rate"]), int(cfg["first_decay_steps"])
    alpha, t_mul, m_mul = (cast_int32(cfg[k]) for k in ("alpha", "t_mul", "m_mul"))
    w.line(
        r"\left(\alpha, t, m\right)",
        rf"\mathrm{{int32}}\left({num(cfg['alpha'])}, {num(cfg['t_mul'])}, {num(cfg['m_mul'])}\right)",
        rf"\left({alpha}, {t_mul}, {m_mul}\right)",
    )
    with np.errstate(all="ignore"):
        q = w.step.astype(np.int64) / np.float64(first)
        w.line("q", _frac("s", "D_0"), _frac(computed(w.step), num(first)), computed(q))
        if t_mul == 1:
            index = np.floor(q.astype(F32))
            fraction = q - index
            w.line("i", r"\left\lfloor q \right\rfloor", computed(index))
        else:
            inner = (1.0 - q * (1.0 - t_mul)).astype(np.int32)
            index = np.floor(np.log(inner.astype(F32)) / np.log(F32(t_mul)))
            power = keras_power(F32(t_mul), index)
            sum_r = (F32(1.0) - power) / F32(1.0 - t_mul)
            fraction = (q.astype(F32) - sum_r) / power
            w.line("x", r"\mathrm{int32}\left(1 - q\left(1 - t\right)\right)", computed(inner))
            w.line("i", r"\left\lfloor \frac{\log x}{\log t} \right\rfloor", computed(index))
            w.power("t^{i}", F32(t_mul), index, power)
        w.line("f", computed(fraction))
        m_fac = keras_power(F32(m_mul), index)
        cosine = F32(0.5) * m_fac * (F32(1.0) + np.cos(F32(3) * fraction.astype(F32)))
        decayed = F32(1 - alpha) * cosine + F32(alpha)
        value = F32(lr0) * decayed
    w.power("m^{i}", F32(m_mul), index, m_fac)
    w.line("c", r"\tfrac{1}{2}\,m^{i}\left(1 + \cos\left(3 f\right)\right)", computed(cosine))
    w.line("d", r"\left(1 - \alpha\right)\,c + \alpha", computed(decayed))
    w.line(r"\eta", r"\eta_0\,d", rf"{lr0} \cdot {operand(decayed)}", computed(value))
    return value.astype(F32)


def _worked_ratio(w: _Work) -> tuple[np.ndarray, Any]:
    """q = s / D (floored with `staircase`), in Keras's dtype; returns (q, lr0)."""
    cfg = w.cfg
    if computes_in_int(w.cfg):
        # numpy's int32 / int32 is float64; every op that uses it computes in float32.
        q = (w.step.astype(np.int64) / np.float64(cfg["decay_steps"])).astype(F32)
        s_tex, lr0 = computed(w.step), int(cfg["initial_learning_rate"])
    else:
        s = w.steps_f32()
        q = s / F32(cfg["decay_steps"])
        s_tex, lr0 = computed(s), F32(cfg["initial_learning_rate"])
    w.line("q", _frac("s", "D"), _frac(s_tex, num(cfg["decay_steps"])), computed(q))
    if cfg["staircase"]:
        floored = np.floor(q)
        w.line(
            r"\left\lfloor q \right\rfloor",
            rf"\left\lfloor {computed(q)} \right\rfloor",
            computed(floored),
        )
        q = floored
    return q, lr0


@_recipe_for("formula.ExponentialDecay", "formula.ExponentialDecay.staircase")
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
    w.line(r"\eta", r"\eta_0\,r^{q}", rf"{num(lr0)} \cdot {operand(factor)}", computed(value))
    return value


@_recipe_for("formula.InverseTimeDecay", "formula.InverseTimeDecay.staircase")
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
    w.line("r q", rf"{computed(rate)} \cdot {operand(q)}", computed(scaled))
    w.line(
        r"\eta",
        _frac(r"\eta_0", "1 + r q"),
        _frac(num(lr0), rf"1 + {operand(scaled)}"),
        computed(value),
    )
    return value


@_recipe_for(
    "formula.PolynomialDecay.decay", "formula.PolynomialDecay.end", "formula.PolynomialDecay.cycle"
)
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
        k = cycle_multiplier(cfg, w.step)
        stretched = decay * k
        w.line("k", r"\left\lceil \frac{s}{D} \right\rceil", computed(k))
        w.line("D k", rf"{num(decay)} \cdot {operand(k)}", computed(stretched))
        fraction = (s.astype(F32) if integer else s) / stretched
        w.line("f", _frac("s", "D k"), _frac(computed(s), computed(stretched)), computed(fraction))
    else:
        clamped = np.minimum(s, decay)
        w.line("s", _min(w.step_tex, "D"), _min(computed(s), num(decay)), computed(clamped))
        w.clamped(decay)
        fraction = clamped.astype(F32) / F32(decay) if integer else clamped / decay
        w.line("f", _frac("s", "D"), _frac(computed(clamped), num(decay)), computed(fraction))
    with np.errstate(all="ignore"):
        rest = (1 - fraction) if integer else F32(1) - fraction
        lifted = np.power(rest, power)
        span = lr0 - end
        scaled = span * lifted
        value = scaled + end
    w.line("1 - f", computed(rest))
    w.power(r"\left(1 - f\right)^{p}", rest, np.asarray(power), lifted)
    w.line(r"\eta_0 - \eta_e", rf"{num(lr0)} - {paren_neg(num(end))}", computed(span))
    w.line(
        r"\eta",
        r"\left(\eta_0 - \eta_e\right)\left(1 - f\right)^{p} + \eta_e",
        rf"{computed(span)} \cdot {operand(lifted)} + {paren_neg(num(end))}",
        rf"{computed(scaled)} + {paren_neg(num(end))}",
        computed(value),
    )
    return value.astype(F32) if integer else value


@_recipe_for("formula.PiecewiseConstantDecay.interval")
def _worked_piecewise(w: _Work) -> np.ndarray:
    """i = the interval with b_{i-1} < step <= b_i; values[i] in the dtype of values[0]."""
    cfg = w.cfg
    boundaries = np.asarray(cfg["boundaries"], dtype=np.int64)
    values = cfg["values"]
    dtype = np.int32 if isinstance(values[0], int) else F32
    table = np.asarray(values).astype(dtype)
    index = np.searchsorted(boundaries, w.step, side="left")
    i = int(index[0])
    step = group(int(w.step[0]))
    if i == 0:
        w.line(rf"{step} \le b_0 = {group(int(boundaries[0]))} \Rightarrow i = 0")
    elif i == len(boundaries):
        w.line(rf"{step} > b_{{{i - 1}}} = {group(int(boundaries[-1]))} \Rightarrow i = {i}")
    else:
        low, high = group(int(boundaries[i - 1])), group(int(boundaries[i]))
        w.line(rf"b_{{{i - 1}}} = {low} < {step} \le b_{{{i}}} = {high} \Rightarrow i = {i}")
    value = table[index].astype(F32)
    cast = "int32" if dtype is np.int32 else "float32"
    w.line(
        r"\eta",
        f"v_{{{i}}}",
        rf"\mathrm{{{cast}}}\left({num(values[i])}\right)",
        computed(table[index]),
    )
    return value


def _unexplained(w: _Work) -> np.ndarray:
    """The engine's value in one line (the formula panel says it has no formula for this)."""
    value = np.asarray(w.schedule(w.step), dtype=F32)
    w.line(r"\eta", computed(value))
    return value


def worked_value(schedule: Schedule, step: int, lang: str = DEFAULT_LANGUAGE) -> Worked:
    """The learning rate at `step` computed one Keras operation per line, ending at the chart's
    number: the same float32 (or int32) operations, in the same order, as `lrviz.engine`.
    """
    work = _Work(schedule, int(step), lang)
    return work.done(_RECIPES.get(work.phase.formula_key, _unexplained)(work))
