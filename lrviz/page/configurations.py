"""The configurations panel: the open configurations (shown or hidden, select one) and the actions
on them (add, duplicate, delete, open an example)."""

from __future__ import annotations

import streamlit as st

from lrviz import SCHEDULES
from lrviz import figures as fg
from lrviz import state as ss
from lrviz.checks import findings
from lrviz.engine import EXAMPLE_CLASS, FIRST_CLASS
from lrviz.page import session
from lrviz.page.session import apply, bind, tr, widget_key
from lrviz.page.widgets import show_error


def configuration_list(horizon: int) -> None:
    current = session.studio()
    st.subheader(tr("list.title"))
    if not current.entries:
        st.info(tr("list.empty"))
    for entry in current.entries:
        warnings = sum(f.severity == "warning" for f in findings(entry.schedule(), horizon))
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        with row:
            key = widget_key(entry.id, "list", "visible")
            st.checkbox(
                tr("list.show", name=ss.inline_markdown(entry.name)),
                value=bind(key, entry.visible),
                key=key,
                label_visibility="collapsed",
                on_change=session.on_visible,
                args=(entry.id,),
                help=tr("list.show_help"),
            )
            selected = entry.id == current.selected
            st.button(
                label_markdown(entry, warnings),
                key=widget_key(entry.id, "list", "select"),
                type="secondary" if selected else "tertiary",
                on_click=apply,
                args=(ss.select, entry.id),
                help=tr("list.select_help", cls=entry.class_name),
            )


def label_markdown(entry: ss.OpenConfig, warnings: int) -> str:
    swatch = f":{fg.colour_name(entry.colour)}[⬤]"
    name = ss.plain_markdown(entry.name) or tr("list.unnamed")
    text = f"{swatch} {name}" if entry.visible else f"{swatch} :gray[{name}]"
    return f"{text} :orange[⚠]" if warnings else text


def list_actions() -> None:
    """Add a schedule, duplicate or delete the selected one, open an example."""
    current = session.studio()
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.selectbox(
            tr("list.add_class"),
            list(SCHEDULES),
            index=list(SCHEDULES).index(session.widget_value(session.ADD_CLASS, FIRST_CLASS)),
            key=session.ADD_CLASS,
            help=tr("list.add_help"),
        )
        st.button(tr("list.add"), key="list.add", icon=":material/add:", on_click=session.on_add)
    if current.current is not None:
        actions = st.container(horizontal=True)
        actions.button(
            tr("list.duplicate"),
            key="list.duplicate",
            icon=":material/content_copy:",
            on_click=apply,
            args=(ss.duplicate, current.selected),
            kwargs={"error_key": session.LIST_ERROR},
            width="stretch",
        )
        actions.button(
            tr("list.delete"),
            key="list.delete",
            icon=":material/delete:",
            on_click=apply,
            args=(ss.delete, current.selected),
            width="stretch",
        )
    if len(current.entries) < 2:
        st.button(
            tr("list.example" if current.entries else "list.open_example"),
            key="list.example",
            icon=":material/compare_arrows:",
            on_click=apply,
            args=(ss.add, EXAMPLE_CLASS if current.entries else FIRST_CLASS),
            kwargs={"error_key": session.LIST_ERROR},
            width="stretch",
        )
    show_error(session.LIST_ERROR)
