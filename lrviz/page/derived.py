"""What the page derives from the studio on each run: schedules, the horizon, translations.

Functions of the studio (or of a Keras config as JSON text, where cached); no session state.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import streamlit as st

from lrviz import Schedule, crosscheck
from lrviz import figures as fg
from lrviz import state as ss
from lrviz.keras_json import schedules_from_json


def schedules_of(entries: Iterable[ss.OpenConfig], run: str) -> list[Schedule]:
    """The entries' schedules on the path the chart follows (`run`: eager or compiled)."""
    return [e.schedule().on_path(run) for e in entries]


def horizon(current: ss.Studio) -> int:
    """The chart's default last step: of the configurations shown, of all when none is."""
    return fg.horizon(
        current.view, schedules_of(current.visible() or current.entries, current.view.run)
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def checked_translations(
    config_json: str, first: int, last: int, horizon: int
) -> list[crosscheck.Checked]:
    """Translations of one configuration compared with Keras over the range (cached)."""
    schedule = schedules_from_json(config_json)[0]
    plotted = fg.make_curve("", schedule, 0, last, fg.DEFAULT_COLUMNS, start=first).steps
    return crosscheck.check_translations(schedule, first, last, plotted, horizon + 1)


def translations_of(
    entry: ss.OpenConfig, first: int, last: int, horizon: int
) -> list[crosscheck.Checked]:
    return checked_translations(json.dumps(entry.config, sort_keys=True), first, last, horizon)


def chosen_companions(view: ss.View) -> list[int]:
    """The translations chosen to be drawn on the chart (their positions)."""
    text = view.companions
    return [int(p) for p in text.split(",")] if text else []
