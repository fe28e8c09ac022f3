"""lrviz: see, tune, compare and share exact Keras learning-rate schedules.

The public surface (everything else is reachable through its submodule, never shadowed):

Schedules (`lrviz.engine`, numpy only)
    `Schedule` (call it on integer steps: float32, bit-exact with Keras; `to_keras()`),
    `ScheduleSpec`, `ParamSpec`, `SCHEDULES` (the six classes' specs), `default_config`.
Keras in (`lrviz.keras_import`, `lrviz.keras_json`)
    `from_keras(source)` -> the `Schedule` in a schedule config, an optimizer, a compile or model
    config, a `.keras` file, JSON or Python-literal text, or a live Keras object;
    `read_keras(source)` -> every schedule in it and where each came from;
    `parse_json_text`, `schedules_from_json`; `ConfigError` for every bad config.
What Keras will really do (`lrviz.checks`)
    `findings(config)` -> a list of `Finding`.
Pictures and links (`lrviz.notebook`; Plotly is imported on first use)
    `figure(*sources)` -> the studio's Plotly chart; `link(*sources)` -> a share link.
"""

from __future__ import annotations

from typing import Any

from lrviz.checks import findings
from lrviz.engine import SCHEDULES, ParamSpec, Schedule, ScheduleSpec
from lrviz.engine.finding import Finding
from lrviz.errors import ConfigError
from lrviz.keras_import import from_keras, read_keras
from lrviz.keras_json import default_config, parse_json_text, schedules_from_json

__all__ = [
    "SCHEDULES",
    "ConfigError",
    "Finding",
    "ParamSpec",
    "Schedule",
    "ScheduleSpec",
    "default_config",
    "figure",
    "findings",
    "from_keras",
    "link",
    "parse_json_text",
    "read_keras",
    "schedules_from_json",
]

_PLOTTING = ("figure", "link")


def __getattr__(name: str) -> Any:
    """`figure` and `link` import Plotly and pandas: only when first asked for, so that
    evaluating a schedule (the engine, the sampler, the checks) loads neither."""
    if name in _PLOTTING:
        from lrviz import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'lrviz' has no attribute {name!r}")
