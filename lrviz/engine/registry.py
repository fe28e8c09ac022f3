"""The schedule classes lrviz knows, by Keras class name: one line per class module.

To add a schedule, write its module (see `cosine_decay.py`) and list its `SPEC` here.
"""

from __future__ import annotations

from lrviz.engine import (
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    piecewise_constant_decay,
    polynomial_decay,
)
from lrviz.engine.spec import ScheduleSpec

SCHEDULES: dict[str, ScheduleSpec] = {
    module.SPEC.class_name: module.SPEC
    for module in (
        cosine_decay,
        cosine_decay_restarts,
        exponential_decay,
        piecewise_constant_decay,
        polynomial_decay,
        inverse_time_decay,
    )
}
"""Keras class name -> spec, in the order the page lists them."""

FIRST_CLASS = cosine_decay.CLASS
"""The class a new studio opens with: the product's centre."""
EXAMPLE_CLASS = piecewise_constant_decay.CLASS
"""The class "add" picks once the studio holds a configuration (a contrast to the first)."""
