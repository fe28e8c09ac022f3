"""The value at one step as the compiled path (JAX `fit`, XLA) computes it, worked through.

XLA's rewrites that move the curve: a division by a constant D becomes a multiplication by
fl(1 / D), and `1 - x * y` is one fused operation. The lines show those quantities and the
value `Schedule.compiled()` gives; the rest of the arithmetic is XLA's own (its cos, log and
pow), so the lines stop at what decides the stair, restart, cycle or NaN.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lrviz.engine import Schedule, steps_float32, xla
from lrviz.engine.cosine_decay_restarts import compiled_restart_position
from lrviz.engine.polynomial_decay import cycle_index
from lrviz.formulas import Worked, _num, worked_value
from lrviz.i18n import t

_DIVISOR = {"CosineDecayRestarts": "first_decay_steps"}


def _v(value: np.ndarray | np.generic) -> str:
    return _num(np.asarray(value).flat[0])


def compiled_lines(schedule: Schedule, step: int) -> list[str]:
    """LaTeX lines: fl(1 / D), the index or fraction XLA computes from it, and the value."""
    cfg = schedule.config
    steps = np.array([step], dtype=np.int64)
    name = schedule.class_name
    divisor = _DIVISOR.get(name, "decay_steps")
    inverse = xla.reciprocal(cfg[divisor])
    s = steps_float32(steps)
    lines = [rf"D^{{-1}} = \mathrm{{fl}}\left(\frac{{1}}{{{_num(int(cfg[divisor]))}}}\right) = "
             + _v(inverse)]  # fmt: skip
    if name == "PolynomialDecay" and not cfg["cycle"]:
        capped = np.minimum(s, np.float32(cfg["decay_steps"]))
        one_minus = xla.fma(-capped, inverse, np.float32(1))
        lines.append(rf"1 - p = \mathrm{{fma}}\left(-{_v(capped)},\ D^{{-1}},\ 1\right) = "
                     + _v(one_minus))  # fmt: skip
    elif name == "PolynomialDecay":
        lines.append(rf"k = \lceil s \cdot D^{{-1}} \rceil = {_v(cycle_index(cfg, steps))}")
    elif name in ("ExponentialDecay", "InverseTimeDecay"):
        p = xla.stair_index(cfg, steps)
        floor = r"\lfloor s \cdot D^{-1} \rfloor" if cfg["staircase"] else r"s \cdot D^{-1}"
        lines.append(rf"p = {floor} = {_v(p)}")
    elif name == "CosineDecayRestarts":
        lines.append(rf"i = {_v(compiled_restart_position(cfg, steps)[0])}")
    elif name == "CosineDecay":
        lines.append(rf"s \cdot D^{{-1}} = {_v(s * inverse)}")
    lines.append(rf"\mathrm{{lr}}_{{\mathrm{{XLA}}}} = {_v(schedule.compiled()(steps))}")
    return lines


def compiled_worked(schedule: Schedule, step: int, lang: str) -> Worked:
    """`formulas.worked_value` on the compiled path: the eager phase and notes, XLA's lines and
    value, and a note on what the compiled arithmetic changes (PiecewiseConstantDecay and
    integer rates: the eager lines, which the compiled path computes too)."""
    eager = worked_value(schedule.eager(), step, lang)
    if schedule.class_name == "PiecewiseConstantDecay" or schedule.uses_integer_dtype:
        return eager
    lines = tuple(compiled_lines(schedule, step))
    value = schedule.compiled()(np.int64(step))
    notes = (*eager.notes, t("formula.note.compiled", lang))
    return dataclasses.replace(eager, lines=lines, value=value, notes=notes)
