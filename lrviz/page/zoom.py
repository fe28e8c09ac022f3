"""The steps shown: a range slider, exact from/to entries (steps or epochs) and a reset."""

from __future__ import annotations

import streamlit as st

from lrviz import state as ss
from lrviz.limits import MAX_STEPS
from lrviz.page import session
from lrviz.page.session import apply, bind, tr
from lrviz.page.widgets import STEP_ENTRY_WIDTH, show_error


def zoom_controls(horizon: int, first: int, last: int) -> None:
    """The steps shown, [first, last]: a range slider over [0, horizon] and exact from/to entries."""
    top = max(horizon, last)
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.slider(
        tr("zoom.range"),
        min_value=0,
        max_value=top,
        value=bind(session.ZOOM, (first, last)),
        step=max(1, top // 1000),
        key=session.ZOOM,
        on_change=session.on_zoom,
        help=tr("zoom.range_help"),
        width="stretch",
    )
    view = session.studio().view
    spe = view.steps_per_epoch
    if view.x_unit == "epochs":
        # Fractional epochs, rounded to the nearest step (separate keys: a widget keeps its type).
        for key, label, value in (
            (session.ZOOM_FROM_EPOCH, tr("zoom.from_epoch"), first / spe),
            (session.ZOOM_TO_EPOCH, tr("zoom.to_epoch"), last / spe),
        ):
            row.number_input(
                label,
                value=bind(key, value),
                key=key,
                min_value=0.0,
                max_value=MAX_STEPS / spe,
                step=1.0,
                format="%g",
                on_change=session.on_zoom_epochs,
                args=(horizon,),
                width=STEP_ENTRY_WIDTH,
            )
    else:
        for key, label, value in (
            (session.ZOOM_FROM, tr("zoom.from"), first),
            (session.ZOOM_TO, tr("zoom.to"), last),
        ):
            row.number_input(
                label,
                value=bind(key, value),
                key=key,
                min_value=0,
                max_value=MAX_STEPS,
                step=1,
                on_change=session.on_zoom_entry,
                args=(horizon,),
                width=STEP_ENTRY_WIDTH,
            )
    row.button(
        tr("zoom.reset"),
        key="view.zoom_reset",
        on_click=apply,
        args=(ss.set_view,),
        kwargs={"zoom_from": 0, "zoom_to": 0},
        disabled=(first, last) == (0, horizon),
    )
    show_error(session.ZOOM_ERROR)
