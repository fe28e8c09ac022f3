"""The sweep panel: one argument of the selected configuration at several values, the family
drawn on the chart, and any member opened as a configuration of its own."""

from __future__ import annotations

import streamlit as st

from lrviz import ConfigError
from lrviz import state as ss
from lrviz import sweep as sw
from lrviz.page import session
from lrviz.page.session import apply, bind, tr
from lrviz.page.widgets import lazy_expander, show_error


def sweep_panel(entry: ss.OpenConfig) -> None:
    """Sweep one argument of the selected configuration: its family drawn on the chart, and any
    member opened as a configuration of its own."""
    schedule = entry.schedule()
    found = sw.parse(schedule, session.studio().view.sweep)
    box = lazy_expander(tr("sweep.title"), "sweep", expanded=found is not None)
    if not box.open:
        return
    with box:
        names = sw.sweepable(schedule)
        if not names:
            st.info(tr("sweep.none", cls=entry.class_name), icon=":material/info:")
            return
        # What was chosen and typed stays (to try the next sweep); a page opened from a link
        # starts from the link's sweep.
        param = session.widget_value(session.SWEEP_PARAM)
        if param not in names:
            param = found.param if found else names[0]
        drawn = ", ".join(repr(v) for v in found.values) if found else ""
        typed = session.widget_value(session.SWEEP_VALUES, drawn)
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.selectbox(
                tr("sweep.param"),
                names,
                index=names.index(bind(session.SWEEP_PARAM, param)),
                key=session.SWEEP_PARAM,
                width=220,
            )
            st.text_input(
                tr("sweep.values"),
                value=bind(session.SWEEP_VALUES, typed),
                key=session.SWEEP_VALUES,
                placeholder=tr("sweep.placeholder"),
                help=tr("sweep.help", limit=sw.MAX_VALUES),
            )
            st.button(
                tr("sweep.draw"), key="sweep.draw", on_click=session.on_sweep, args=(entry.id,)
            )
            st.button(
                tr("sweep.clear"),
                key="sweep.clear",
                on_click=apply,
                args=(ss.set_view,),
                kwargs={"sweep": ""},
                disabled=found is None,
            )
        show_error(session.SWEEP_ERROR)
        if found is None:
            return
        st.caption(tr("sweep.caption", param=found.param, name=ss.plain_markdown(entry.name)))
        with st.container(horizontal=True):
            for index, (value, member) in enumerate(sw.members(schedule, found)):
                label = found.label(value)
                if isinstance(member, ConfigError):
                    st.caption(f"{ss.plain_markdown(label)}: {member.message(session.lang())}")
                    continue
                config = {**member.to_keras()}
                config["config"] = {
                    **config["config"],
                    "name": found.member_name(entry.name, value),
                }
                st.button(
                    tr("sweep.open", label=ss.plain_markdown(label)),
                    key=f"sweep.open.{index}",
                    icon=":material/add:",
                    on_click=apply,
                    args=(ss.open_config, config),
                    kwargs={"error_key": session.SWEEP_ERROR},
                )
