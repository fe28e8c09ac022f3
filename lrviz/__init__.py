"""lrviz: see, tune, compare and share exact Keras learning-rate schedules.

The public API used by the app, the CLI and the tests:

- `from_keras(config)` -> `Schedule` from a `keras.optimizers.schedules.serialize` dict or JSON text;
- `Schedule(steps)` (vectorised, float32, bit-exact with Keras) and `Schedule.to_keras()`;
- `SCHEDULES`: the six classes' parameter specs; `findings(...)`: what Keras will really do;
- `ConfigError` for every bad config.
"""

from __future__ import annotations

from lrviz.errors import ConfigError
from lrviz.findings import Finding, findings
from lrviz.keras_json import default_config, from_keras, parse_json_text, schedules_from_json
from lrviz.params import ParamSpec
from lrviz.schedules import SCHEDULES, Schedule, ScheduleSpec

__all__ = [
    "SCHEDULES",
    "ConfigError",
    "Finding",
    "ParamSpec",
    "Schedule",
    "ScheduleSpec",
    "default_config",
    "findings",
    "from_keras",
    "parse_json_text",
    "schedules_from_json",
]
