"""The notebook surface: the studio's chart and share link for whatever a Keras user has at hand.

    import lrviz
    lrviz.figure(model.optimizer)                  # the studio's Plotly chart, shown by Jupyter
    lrviz.figure(schedule_a, "run2.keras", log_y=True)
    lrviz.link(model.optimizer)                    # a link that opens it in the studio

Each argument is anything `lrviz.read_keras` reads: a live Keras schedule, optimizer or compiled
model, a config dict (schedule, optimizer, compile or model config) or a list of them, JSON or
Python-literal text, `.keras` bytes, or a `pathlib.Path` to a `.keras` / `.json` / `.txt` file.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from lrviz.cli import plot_figure, plot_view, share_link
from lrviz.i18n import DEFAULT_LANGUAGE
from lrviz.keras_import import read_all
from lrviz.share import DEFAULT_BASE


def figure(
    *sources: Any,
    steps: int | None = None,
    log_y: bool = False,
    epochs: int | None = None,
    lang: str = DEFAULT_LANGUAGE,
    marks: bool = True,
    title: str | None = None,
) -> go.Figure:
    """The studio's overlay chart of every schedule in `sources` (as `lrviz plot` draws it).

    `steps` is the last step shown (default: the end of the longest schedule plus 10%); `epochs`
    puts epochs of that many steps on x; `marks` shows the first schedule's marks.
    """
    view = plot_view(steps, log_y, epochs, lang)
    return plot_figure(read_all(sources), view, marks=marks, title=title)


def link(*sources: Any, base: str = DEFAULT_BASE, lang: str | None = None) -> str:
    """A share link that opens every schedule in `sources` in the studio (`lrviz link`)."""
    return share_link(read_all(sources), base, lang)
