"""The value at one step as the compiled path (JAX `fit`, XLA) computes it, worked through.

XLA's rewrites that move the curve: a division by a constant D becomes a multiplication by
fl(1 / D), and `1 - x * y` is one fused operation. The lines show those quantities and the
value `Schedule.compiled()` gives; the rest of the arithmetic is XLA's own (its cos, log and
pow), so the lines stop at what decides the stair, restart, cycle or NaN. Like the eager
worked value, the lines are looked up by the phase's `formula_key`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from lrviz.engine import Config, Schedule, steps_float32
from lrviz.engine.cosine_decay_restarts import compiled_restart_position
from lrviz.engine.polynomial_decay import cycle_index
from lrviz.engine.xla import fma, reciprocal, stair_index
from lrviz.i18n import t
from lrviz.teaching.numbers import computed, num
from lrviz.teaching.phases import phase_at
from lrviz.teaching.worked import Worked, worked_value

_Lines = Callable[[Config, np.ndarray], list[str]]
"""(config, [step]) -> fl(1 / D) and what XLA computes from it, as LaTeX lines."""
_LINES: dict[str, _Lines] = {}
"""Formula key -> the compiled lines of the phases with that formula."""


def _lines_for(*keys: str) -> Callable[[_Lines], _Lines]:
    """Register the compiled lines of the phases with these formula keys."""

    def register(lines: _Lines) -> _Lines:
        for key in keys:
            _LINES[key] = lines
        return lines

    return register


def _inverse(cfg: Config, divisor: str = "decay_steps") -> tuple[np.float32, str]:
    """fl(1 / D) of argument `divisor`, and its line."""
    inverse = reciprocal(cfg[divisor])
    line = rf"D^{{-1}} = \mathrm{{fl}}\left(\frac{{1}}{{{num(int(cfg[divisor]))}}}\right) = "
    return inverse, line + computed(inverse)


@_lines_for("formula.CosineDecay.warmup", "formula.CosineDecay.decay", "formula.CosineDecay.floor")
def _cosine(cfg: Config, steps: np.ndarray) -> list[str]:
    inverse, line = _inverse(cfg)
    return [line, rf"s \cdot D^{{-1}} = {computed(steps_float32(steps) * inverse)}"]


@_lines_for("formula.CosineDecayRestarts.period", "formula.CosineDecayRestarts.nan")
def _restarts(cfg: Config, steps: np.ndarray) -> list[str]:
    _, line = _inverse(cfg, "first_decay_steps")
    return [line, rf"i = {computed(compiled_restart_position(cfg, steps)[0])}"]


@_lines_for("formula.PolynomialDecay.decay", "formula.PolynomialDecay.end")
def _polynomial(cfg: Config, steps: np.ndarray) -> list[str]:
    inverse, line = _inverse(cfg)
    capped = np.minimum(steps_float32(steps), np.float32(cfg["decay_steps"]))
    one_minus = fma(-capped, inverse, np.float32(1))
    return [line, rf"1 - p = \mathrm{{fma}}\left(-{computed(capped)},\ D^{{-1}},\ 1\right) = "
                  + computed(one_minus)]  # fmt: skip


@_lines_for("formula.PolynomialDecay.cycle")
def _polynomial_cycle(cfg: Config, steps: np.ndarray) -> list[str]:
    _, line = _inverse(cfg)
    return [line, rf"k = \lceil s \cdot D^{{-1}} \rceil = {computed(cycle_index(cfg, steps))}"]


@_lines_for(
    "formula.ExponentialDecay",
    "formula.ExponentialDecay.staircase",
    "formula.InverseTimeDecay",
    "formula.InverseTimeDecay.staircase",
)
def _stairs(cfg: Config, steps: np.ndarray) -> list[str]:
    _, line = _inverse(cfg)
    floor = r"\lfloor s \cdot D^{-1} \rfloor" if cfg["staircase"] else r"s \cdot D^{-1}"
    return [line, rf"p = {floor} = {computed(stair_index(cfg, steps))}"]


def compiled_lines(schedule: Schedule, step: int) -> list[str]:
    """LaTeX lines: fl(1 / D), the index or fraction XLA computes from it, and the value."""
    steps = np.array([step], dtype=np.int64)
    lines = _LINES.get(phase_at(schedule.eager(), step).formula_key)
    head = [] if lines is None else lines(schedule.config, steps)
    return [*head, rf"\mathrm{{lr}}_{{\mathrm{{XLA}}}} = {computed(schedule.compiled()(steps))}"]


def compiled_worked(schedule: Schedule, step: int, lang: str) -> Worked:
    """`worked_value` on the compiled path: the eager phase and notes, XLA's lines and value,
    and a note on what the compiled arithmetic changes (a class whose compiled arithmetic is
    the eager one, and integer rates: the eager lines, which the compiled path computes too)."""
    eager = worked_value(schedule.eager(), step, lang)
    if schedule.spec.compiled_evaluate is None or schedule.uses_integer_dtype:
        return eager
    lines = tuple(compiled_lines(schedule, step))
    value = schedule.compiled()(np.int64(step))
    notes = (*eager.notes, t("formula.note.compiled", lang))
    return dataclasses.replace(eager, lines=lines, value=value, notes=notes)


# The name of each TensorFlow path's rate in its last worked line.
_TF_RATE = {
    "tf-xla": r"\mathrm{lr}_{\mathrm{TF\ XLA}}",
    "tf-graph": r"\mathrm{lr}_{\mathrm{tf.function}}",
}


def path_worked(schedule: Schedule, step: int, lang: str, path: str) -> Worked:
    """`worked_value` on `path`: eager's, the compiled path's (`compiled_worked`), or on a
    TensorFlow path the eager lines and one more with the value that path gives, and a note
    on that path's rewrites."""
    if path == "eager":
        return worked_value(schedule.eager(), step, lang)
    if path == "compiled":
        return compiled_worked(schedule, step, lang)
    eager = worked_value(schedule.eager(), step, lang)
    on_path = schedule.on_path(path)
    if on_path.spec.evaluate is schedule.eager().spec.evaluate or schedule.uses_integer_dtype:
        return eager
    value = on_path(np.int64(step))
    lines = (*eager.lines, rf"{_TF_RATE[path]} = {computed(value)}")
    notes = (*eager.notes, t(f"formula.note.{path}", lang))
    return dataclasses.replace(eager, lines=lines, value=value, notes=notes)
