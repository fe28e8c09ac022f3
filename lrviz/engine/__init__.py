"""The schedule engine: Keras's six built-in learning-rate schedules, bit for bit, in numpy.

Layers, each importing only the ones above it:

- `float32`: Keras's numeric conventions (float32 steps, step ranks, scalar `power`, int32);
- `phases`: what a class tells the teaching layer about its phases (`Teaching`);
- `params`, `spec`: what an argument and a schedule class are (`ParamSpec`, `ScheduleSpec`);
- `edges`, `xla`, `grappler`: breakpoints on the float32 grid; XLA's rewrites (reciprocal, fma);
  TensorFlow graph mode's float functions (glibc's `logf`);
- one module per Keras class (`cosine_decay`, `cosine_decay_restarts`, ...): everything about
  that class, ending in its `SPEC`;
- `registry` (`SCHEDULES`), `validate` (`validate_config`), `compiled` (`compiled_spec`, `PATHS`);
- `schedule`: `Schedule`, the validated, callable schedule the rest of lrviz uses.

Nothing here imports Streamlit, Plotly or pandas.
"""

from __future__ import annotations

from lrviz.engine.compiled import PATHS, compiled_spec
from lrviz.engine.edges import EXACT_BREAKPOINTS, MAX_BREAKPOINTS
from lrviz.engine.float32 import (
    F32,
    FLOAT32_EXACT_STEPS,
    PI32,
    Config,
    cast_int32,
    computes_in_int,
    keras_power,
    rank_step,
    run_start,
    sorted_unique,
    step_rank,
    steps_float32,
)
from lrviz.engine.params import REQUIRED, ParamSpec
from lrviz.engine.phases import NO_FORMULA, Periods, PhasePlan, Stages, Teaching
from lrviz.engine.registry import EXAMPLE_CLASS, FIRST_CLASS, SCHEDULES
from lrviz.engine.schedule import Schedule
from lrviz.engine.spec import DriftingSpan, ScheduleSpec, docs_note, param_help, spec_summary
from lrviz.engine.validate import NonFinite, validate_config

__all__ = [
    "EXACT_BREAKPOINTS",
    "EXAMPLE_CLASS",
    "F32",
    "FIRST_CLASS",
    "FLOAT32_EXACT_STEPS",
    "MAX_BREAKPOINTS",
    "NO_FORMULA",
    "PATHS",
    "PI32",
    "REQUIRED",
    "SCHEDULES",
    "Config",
    "DriftingSpan",
    "NonFinite",
    "ParamSpec",
    "Periods",
    "PhasePlan",
    "Schedule",
    "ScheduleSpec",
    "Stages",
    "Teaching",
    "cast_int32",
    "compiled_spec",
    "computes_in_int",
    "docs_note",
    "keras_power",
    "param_help",
    "rank_step",
    "run_start",
    "sorted_unique",
    "spec_summary",
    "step_rank",
    "steps_float32",
    "validate_config",
]
