"""The step cursor: a slider over the steps shown and an exact entry; every configuration's value
and phase at that step."""

from __future__ import annotations

import streamlit as st

from lrviz import figures as fg
from lrviz import state as ss
from lrviz.limits import MAX_STEPS
from lrviz.page import derived, session
from lrviz.page.session import bind, tr
from lrviz.page.widgets import control


def step_lookup(entries: tuple[ss.OpenConfig, ...], first: int, last: int) -> None:
    """The step cursor: a slider over the steps shown and an exact entry; values and phases."""
    st.subheader(tr("at.title"))
    view = session.studio().view
    cols = st.columns([1, 3])
    with cols[0]:
        epochs = view.at_step / view.steps_per_epoch
        if view.x_unit == "epochs":
            st.number_input(
                tr("at.epoch_entry"),
                value=bind(session.AT_EPOCH, epochs),
                key=session.AT_EPOCH,
                min_value=0.0,
                max_value=MAX_STEPS / view.steps_per_epoch,
                step=1.0,
                format="%g",
                on_change=session.on_cursor_epoch,
                help=tr("at.help"),
            )
            st.caption(tr("at.step_is", step=f"{view.at_step:,}"))
        else:
            control(
                st.number_input,
                "at_step",
                "view.at",
                tr("at.step"),
                min_value=0,
                max_value=MAX_STEPS,
                step=1,
                help=tr("at.help"),
            )
            st.caption(tr("at.epoch", epoch=f"{epochs:,.6g}"))
    with cols[1]:
        st.slider(
            tr("cursor.slider"),
            min_value=first,
            max_value=last,
            value=bind("view.cursor", min(max(view.at_step, first), last)),
            step=max(1, (last - first) // 1000),
            key="view.cursor",
            on_change=session.on_view,
            args=("at_step", "view.cursor"),
            help=tr("cursor.slider_help"),
        )
        if not first <= view.at_step <= last:
            st.caption(tr("chart.cursor_outside", step=f"{view.at_step:,}"))
    # The table has the page's whole width: beside the entry it ran past an 800 px window.
    schedules = derived.schedules_of(entries, view.run)
    table = fg.step_table([e.name for e in entries], schedules, view.at_step, session.lang())
    st.container(key="at.table").markdown(fg.markdown_table(table))
    st.caption(tr("marks.float32"))
