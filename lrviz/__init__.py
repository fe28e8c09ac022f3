"""lrviz: see, tune, compare and share exact Keras learning-rate schedules.

The public API used by the app, the CLI and the tests:

- `from_keras(source)` -> the `Schedule` in a schedule config, an optimizer, a compile or model
  config, a `.keras` file, JSON or Python-literal text, or a live Keras object;
  `read_keras(source)` -> every schedule in it and where each came from;
- `figure(*sources)` -> the studio's Plotly chart; `link(*sources)` -> a share link;
- `Schedule(steps)` (vectorised, float32, bit-exact with Keras) and `Schedule.to_keras()`;
- `SCHEDULES`: the six classes' parameter specs; `findings(...)`: what Keras will really do;
- `ConfigError` for every bad config.
"""

from __future__ import annotations

from lrviz.engine import SCHEDULES, ParamSpec, Schedule, ScheduleSpec
from lrviz.errors import ConfigError
from lrviz.findings import Finding, findings
from lrviz.keras_import import from_keras, read_keras
from lrviz.keras_json import default_config, parse_json_text, schedules_from_json
from lrviz.notebook import figure, link

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
