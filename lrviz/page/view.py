"""The view options (mode, y scale, x unit, where it runs, steps per epoch, horizon, reference)
and the page's language."""

from __future__ import annotations

import streamlit as st

from lrviz import state as ss
from lrviz.engine import PATHS
from lrviz.i18n import LANGUAGES
from lrviz.limits import MAX_STEPS
from lrviz.page import session
from lrviz.page.session import bind, tr
from lrviz.page.widgets import STEP_ENTRY_WIDTH, choice, control


def view_controls(entries: tuple[ss.OpenConfig, ...]) -> None:
    """The view options, written into the caller's (horizontal) container."""
    view = session.studio().view
    choice("mode", session.MODE, tr("view.mode"), {m: tr(f"view.mode.{m}") for m in ss.MODES})
    control(st.toggle, "log_y", "view.logy", tr("view.logy"), disabled=view.mode == "diff")
    choice("x_unit", session.X_UNIT, tr("view.x"), {u: tr(f"view.x.{u}") for u in ss.X_UNITS})
    choice(
        "run",
        session.RUN,
        tr("view.run"),
        {p: tr(f"view.run.{p}") for p in PATHS},
        help=tr("view.run_help"),
    )
    control(
        st.number_input,
        "steps_per_epoch",
        "view.spe",
        tr("view.spe"),
        min_value=1,
        max_value=MAX_STEPS,
        step=1,
        help=tr("view.spe_help"),
        width=STEP_ENTRY_WIDTH,
    )
    st.toggle(
        tr("view.auto"),
        value=bind("view.auto", view.horizon == 0),
        key="view.auto",
        on_change=session.on_view,
        args=("horizon_auto", "view.auto"),
        help=tr("view.auto_help"),
    )
    if view.horizon:
        control(
            st.number_input,
            "horizon",
            "view.horizon",
            tr("view.horizon"),
            min_value=1,
            max_value=MAX_STEPS,
            step=1000,
            width=STEP_ENTRY_WIDTH,
        )
    if view.mode == "diff" and entries:
        names = {i: e.name for i, e in enumerate(entries)}
        reference = view.reference if view.reference < len(entries) else 0
        st.selectbox(
            tr("view.ref"),
            list(names),
            index=list(names).index(bind("view.ref", reference)),
            format_func=names.__getitem__,
            key="view.ref",
            on_change=session.on_view,
            args=("reference", "view.ref"),
            width=STEP_ENTRY_WIDTH + 60,
        )


def language_choice() -> None:
    st.selectbox(
        tr("view.lang"),
        list(LANGUAGES),
        index=list(LANGUAGES).index(bind("view.lang", session.lang())),
        format_func=LANGUAGES.__getitem__,
        key="view.lang",
        on_change=session.on_view,
        args=("lang", "view.lang"),
    )
