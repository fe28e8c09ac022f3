"""The editor of the selected configuration: its findings, then one control per parameter, built
from the parameter specs (name, toggles, slider + exact entry, None, the list table)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lrviz import SCHEDULES, ParamSpec, Schedule
from lrviz import state as ss
from lrviz.checks import findings
from lrviz.engine import param_help, spec_summary
from lrviz.limits import MAX_NAME_CHARS
from lrviz.page import session
from lrviz.page.session import apply, bind, tr, widget_key
from lrviz.page.widgets import EXACT_WIDTH, show_error


def editor(entry: ss.OpenConfig, horizon: int) -> None:
    spec = SCHEDULES[entry.class_name]
    st.subheader(tr("editor.title", name=ss.plain_markdown(entry.name)))
    st.caption(f"`{entry.class_name}` · {spec_summary(entry.class_name, session.lang())}")
    found_box = st.container()
    text_first = sorted(spec.params, key=lambda p: p.kind != "text")
    for param in text_first:
        if param.kind == "text":
            name_input(entry, param)
        elif param.kind == "bool":
            toggle_input(entry, param)
        elif param.kind in ("float", "steps"):
            number_param(entry, param)
    if ss.list_params(entry.class_name):
        list_table(entry)
    schedule = session.studio().find(entry.id).schedule()
    with found_box:
        show_findings(schedule, horizon)


def show_findings(schedule: Schedule, horizon: int) -> None:
    lang = session.lang()
    for item in findings(schedule, horizon):
        text = f"{item.message(lang)}\n\n{tr('finding.fix_label')} {item.fix(lang)}"
        if item.severity == "warning":
            st.warning(text, icon=":material/warning:")
        else:
            st.info(text, icon=":material/info:")
    if schedule.uses_integer_dtype:
        entry_id = session.studio().selected
        changes = {
            p.name: schedule.with_float_rates().config[p.name]
            for p in schedule.spec.params
            if p.learning_rate
        }
        st.button(
            tr("finding.use_floats"),
            key=widget_key(entry_id, "findings", "floats"),
            on_click=apply,
            args=(ss.set_params, entry_id),
            kwargs=changes,
        )


def name_input(entry: ss.OpenConfig, param: ParamSpec) -> None:
    key = widget_key(entry.id, param.name, "text")
    st.text_input(
        tr("editor.name"),
        value=bind(key, entry.name),
        key=key,
        max_chars=MAX_NAME_CHARS,
        help=tr("editor.name_help"),
        on_change=session.on_param,
        args=(entry.id, param, "text"),
    )
    show_error(widget_key(entry.id, param.name, "error"))


def toggle_input(entry: ss.OpenConfig, param: ParamSpec) -> None:
    key = widget_key(entry.id, param.name, "toggle")
    st.toggle(
        param.name,
        value=bind(key, bool(entry.config["config"][param.name])),
        key=key,
        help=param_help(entry.class_name, param.name, session.lang()),
        on_change=session.on_param,
        args=(entry.id, param, "toggle"),
    )
    show_error(widget_key(entry.id, param.name, "error"))


def number_param(entry: ss.OpenConfig, param: ParamSpec) -> None:
    """A slider (log grid where the spec says so) and an exact entry; None as a toggle."""
    value = entry.config["config"][param.name]
    # Rows are flex containers, not columns: one block each instead of three, since Streamlit
    # sends and the browser redraws every block of the page on every run.
    title = f"**`{param.name}`**"
    explained = param_help(entry.class_name, param.name, session.lang())
    if param.nullable:
        label_row = st.container(
            horizontal=True, vertical_alignment="bottom", horizontal_alignment="distribute"
        )
        label_row.markdown(title, help=explained, width="content")
        key = widget_key(entry.id, param.name, "none")
        label_row.toggle(
            tr("editor.none", name=param.name),
            value=bind(key, value is None),
            key=key,
            on_change=session.on_none,
            args=(entry.id, param, entry.class_name),
        )
    else:
        st.markdown(title, help=explained)
    if value is None:
        st.caption(tr("editor.is_none", name=param.name))
        show_error(widget_key(entry.id, param.name, "error"))
        return
    row = st.container(horizontal=True, vertical_alignment="center")
    grid = ss.slider_grid(param, value)
    slider_key = widget_key(entry.id, param.name, session.SLIDER)
    session.follow_slider(slider_key, entry.id, param.name, grid)
    row.select_slider(
        tr("editor.slider", name=param.name),
        options=grid,
        value=bind(slider_key, int(value) if param.kind == "steps" else float(value)),
        key=slider_key,
        format_func=slider_text,
        on_change=session.on_param,
        args=(entry.id, param, session.SLIDER),
        label_visibility="collapsed",
        width="stretch",
    )
    exact_key = widget_key(entry.id, param.name, "exact")
    if param.kind == "steps":
        row.number_input(
            tr("editor.exact", name=param.name),
            value=bind(exact_key, int(value)),
            key=exact_key,
            step=1,
            format="%d",
            on_change=session.on_param,
            args=(entry.id, param, "exact"),
            label_visibility="collapsed",
            width=EXACT_WIDTH,
        )
    else:
        row.number_input(
            tr("editor.exact", name=param.name),
            value=bind(exact_key, float(value)),
            key=exact_key,
            step=number_step(param),
            format="%g",
            on_change=session.on_param,
            args=(entry.id, param, "exact"),
            label_visibility="collapsed",
            width=EXACT_WIDTH,
        )
    show_error(widget_key(entry.id, param.name, "error"))


def slider_text(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def number_step(param: ParamSpec) -> float:
    grid = ss.slider_grid(param)
    positive = [g for g in grid if g > 0]
    return float(positive[0]) if param.log else float(grid[1] - grid[0])


def list_table(entry: ss.OpenConfig) -> None:
    """The list arguments (PiecewiseConstantDecay boundaries and values) as one editable table."""
    specs = ss.list_params(entry.class_name)
    revision = session.table_revision(entry.id)
    rows = ss.table_rows(entry.config["config"], specs)
    frame = pd.DataFrame(
        {
            s.name: pd.array(
                [r[s.name] for r in rows], dtype="Int64" if s.kind == "steps_list" else "Float64"
            )
            for s in specs
        }
    )
    names = " · ".join(f"`{s.name}`" for s in specs)
    helps = {s.name: param_help(entry.class_name, s.name, session.lang()) for s in specs}
    st.markdown(f"**{names}**", help=" ".join(helps.values()))
    edited = st.data_editor(
        frame,
        key=widget_key(entry.id, "table", str(revision)),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            s.name: st.column_config.NumberColumn(
                s.name,
                help=helps[s.name],
                step=1 if s.kind == "steps_list" else None,
                format="%d" if s.kind == "steps_list" else "%g",
            )
            for s in specs
        },
    )
    session.edit_lists(entry, edited.to_dict("records"), revision)
    show_error(widget_key(entry.id, "table", "error"))
