"""Everything a user can download or copy, built by pure functions: JSON, snippets, CSV, links.

Exports write every learning rate as a float (`Schedule.with_float_rates`): an integer
`initial_learning_rate` makes Keras compute the whole schedule in integers, which is never what
the curve on screen was meant to be.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd

from lrviz.engine import Schedule
from lrviz.limits import KERAS_MODULE
from lrviz.literal import csv_cell
from lrviz.share import DEFAULT_BASE, build_link
from lrviz.state import Studio, to_shared

MAX_FILE_STEM = 80


def keras_dict(schedule: Schedule) -> dict:
    """What Keras's `serialize` gives for this schedule, with learning rates as floats."""
    return schedule.with_float_rates().to_keras()


def keras_json(schedule: Schedule) -> str:
    """The Keras JSON of one configuration (`keras.optimizers.schedules.deserialize` reads it)."""
    return json.dumps(keras_dict(schedule), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def keras_json_list(schedules: Sequence[Schedule]) -> str:
    """A JSON list of the Keras configs of every configuration, in order."""
    configs = [keras_dict(s) for s in schedules]
    return json.dumps(configs, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def python_snippet(schedule: Schedule) -> str:
    """Python that builds the same schedule in Keras: `keras.optimizers.schedules.X(arg=...)`."""
    config = keras_dict(schedule)
    args = "".join(f"    {name}={value!r},\n" for name, value in config["config"].items())
    return f"import keras\n\nschedule = {KERAS_MODULE}.{schedule.class_name}(\n{args})\n"


def plotted_csv(
    curves: Sequence[tuple[str, Schedule, np.ndarray]], steps_per_epoch: int | None = None
) -> str:
    """CSV of the plotted values: a `step` column (and `epoch`), one column per configuration.

    `curves` are (label, schedule, plotted steps). The rows are every step any curve plots; each
    column holds the engine's value there (float32, written in its shortest exact form). Labels
    that repeat get ` (2)`, ` (3)`, ... so every column is named; a label a spreadsheet would
    read as a formula gets a leading `'` (`literal.csv_cell`).
    """
    if curves:
        steps = np.unique(np.concatenate([np.asarray(s, dtype=np.int64) for _, _, s in curves]))
    else:
        steps = np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({"step": steps})
    if steps_per_epoch:
        frame["epoch"] = steps / steps_per_epoch
    taken = set(frame.columns)
    for label, schedule, _ in curves:
        column = _unique(csv_cell(label), taken)
        taken.add(column)
        frame[column] = schedule(steps)
    return frame.to_csv(index=False, lineterminator="\n")


def _unique(label: str, taken: set[str]) -> str:
    if label not in taken:
        return label
    number = 2
    while f"{label} ({number})" in taken:
        number += 1
    return f"{label} ({number})"


def file_name(name: str, extension: str) -> str:
    """A safe download file name from user text: ASCII letters, digits, `.`, `-`, `_` only."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-._")[:MAX_FILE_STEM].strip("-._")
    return f"{stem or 'schedule'}.{extension}"


def page_base(url: str | None) -> str:
    """The base of share links from the page's own URL (query dropped), else localhost."""
    if not url:
        return DEFAULT_BASE
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path or "/", query="", fragment=""))


def share_link(studio: Studio, base: str | None = None) -> str:
    """The link that reopens `studio` (`LinkTooLong` when it cannot fit in a URL)."""
    return build_link(to_shared(studio), base or DEFAULT_BASE)
