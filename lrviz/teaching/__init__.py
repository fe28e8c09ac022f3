"""The teaching layer: a schedule's phases, each phase's formula, and a value worked through.

- `phases(schedule, stop)` / `phase_at(schedule, step)` (`phases`): contiguous step ranges with
  one formula each (warmup, decay, floor; restart periods; cycles; intervals; NaN), with edges
  where Keras's float32 arithmetic really puts them, so a phase never disagrees with the curve;
- `formula(schedule, phase, lang)`, `legend`, `evaluate_formula` (`latex`): that formula as
  LaTeX, general and with the configuration's numbers, from one expression tree that also
  evaluates in float64, so a test can check the page's formula against the engine;
- `worked_value(schedule, step, lang)` (`worked`): Keras's float32 operations at one step, each
  with its numbers, ending bit for bit at `schedule(step)`; `compiled_worked` (`compiled`): the
  same on the compiled (XLA) path; `path_worked`: on any path (TensorFlow's: the eager lines and
  the value that path gives).

Each schedule class says where its phases are and which formula each has
(`ScheduleSpec.teaching`, see `lrviz.engine.phases`); everything here is looked up by that
formula key, never by class name. A class without teaching data gets one phase and a formula
panel that says it has no formula for it.
"""

from __future__ import annotations

from lrviz.teaching.compiled import compiled_lines, compiled_worked, path_worked
from lrviz.teaching.latex import evaluate_formula, formula, legend
from lrviz.teaching.phases import PHASE_CAP, Phase, phase_at, phases
from lrviz.teaching.worked import WRAP_PARTS, Worked, worked_value

__all__ = [
    "PHASE_CAP",
    "WRAP_PARTS",
    "Phase",
    "Worked",
    "compiled_lines",
    "compiled_worked",
    "evaluate_formula",
    "formula",
    "legend",
    "path_worked",
    "phase_at",
    "phases",
    "worked_value",
]
