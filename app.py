"""lrviz studio: the Streamlit page. Layout only; the logic lives in `lrviz`.

One-way data flow: the URL (on the first run) and the widgets' callbacks change the `Studio` in
`st.session_state` (the single source of truth); every run derives schedules, sampled curves,
figures and payloads from it, and writes it back into the URL. Widget keys are
`cfg.<configuration id>.<parameter>.<role>`; the parameter widgets are built from the specs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lrviz import (
    SCHEDULES,
    ConfigError,
    ParamSpec,
    Schedule,
    crosscheck,
    findings,
    formulas,
    live_drag,
    payloads,
)
from lrviz import figures as fg
from lrviz import state as ss
from lrviz import sweep as sw
from lrviz.compiled_formulas import compiled_worked
from lrviz.dropped_link import dropped_link_html
from lrviz.engine import EXAMPLE_CLASS, FIRST_CLASS, PATHS, param_help, spec_summary
from lrviz.errors import Phrase
from lrviz.i18n import LANGUAGES, pick_language, t
from lrviz.keras_import import UPLOAD_TYPES, read_keras
from lrviz.keras_json import schedules_from_json
from lrviz.limits import MAX_CONFIGS, MAX_NAME_CHARS, MAX_STEPS, PAGE_IMAGE_FORMATS
from lrviz.share import LinkTooLong, decode_state, encode_state

STUDIO = "studio"
MESSAGES = "link_messages"
ERRORS = "errors"
TABLE_REV = "table_revisions"
REMEMBERED = "remembered"
IMPORT_RESULT = "import_result"
IMPORT_TEXT = "import.text"
OPENED_BARE = "opened_bare"  # the session's first run had no query (or Streamlit dropped it)
SHOWN_HORIZON = "shown_horizon"
PAGE_HORIZON = "page_horizon"
FULL_RUN = "full_run"
RESTORING = "restoring"
LIVE_KEY = "chart.live"  # the component that sends a dragged slider's frames (lrviz.live_drag)
LIVE_FRAME = "live_frame"  # the frame that reran the chart, until that run takes it
LIVE_ACK = "live_ack"  # the number of the last frame taken
LIVE_SLIDERS = "live_sliders"  # slider element class -> (configuration id, parameter, options)
CHART_SELECTED = "chart_selected"  # a drag on the chart changed the range shown
# Choice widgets whose option labels are translated. Streamlit identifies their value by its
# label, so after a language switch the browser would send back the old language's label (not
# an option any more, and taken as the value itself): they are made afresh in the new language.
TRANSLATED_CHOICES = ("view.mode", "view.x", "view.run")
EXACT_WIDTH = 170  # px: an exact entry beside its slider holds 1e-06 and 1,000,000,000,000
STEP_ENTRY_WIDTH = 150  # px: a step count up to 10^12 with its +/- buttons

st.set_page_config(page_title="lrviz", page_icon="📉", layout="wide")


# ---------------------------------------------------------------------------------------------
# State plumbing
# ---------------------------------------------------------------------------------------------


def studio() -> ss.Studio:
    return st.session_state[STUDIO]


def lang() -> str:
    return studio().view.lang


def tr(key: str, **params: Any) -> str:
    return t(key, lang(), **params)


def start_session() -> None:
    """Open what the URL carries (once per session), else the starter."""
    if STUDIO in st.session_state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    browser = pick_language(None, st.context.headers.get("Accept-Language"))
    if params:
        opened, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
        if "lang" not in params:
            opened = ss.set_view(opened, lang=browser)
    else:
        opened, messages = ss.starter_studio(ss.View(lang=browser)), []
    st.session_state[STUDIO] = opened
    st.session_state[OPENED_BARE] = not params
    st.session_state[MESSAGES] = messages
    st.session_state[ERRORS] = {}
    st.session_state[TABLE_REV] = {}
    st.session_state[REMEMBERED] = {}
    st.session_state[RESTORING] = {}


def apply(
    operation: Callable[..., ss.Studio], *args: Any, error_key: str = "", **kwargs: Any
) -> bool:
    """Run a state operation; a `ConfigError` becomes an inline message and changes nothing."""
    errors = st.session_state[ERRORS]
    try:
        st.session_state[STUDIO] = operation(studio(), *args, **kwargs)
    except ss.TooManyConfigs as err:
        errors[error_key] = Phrase("studio.too_many", {"limit": MAX_CONFIGS, "adding": err.adding})
        return False
    except ConfigError as err:
        errors[error_key] = err
        return False
    errors.pop(error_key, None)
    return True


def show_error(error_key: str) -> None:
    """An inline error, worded in the current language (errors are kept as keys, not text), shown
    as literal text: it may quote what the user pasted."""
    problem = st.session_state[ERRORS].get(error_key)
    if problem is not None:
        text = problem.message(lang()) if isinstance(problem, ConfigError) else problem.text(lang())
        st.error(ss.plain_markdown(text), icon=":material/warning:")


def bind(key: str, value: Any) -> Any:
    """Make a widget show the studio's value before it is drawn (the studio is the truth).

    Returns `value`, which the caller also gives the widget as its default. Under load the
    browser can drop a widget's state and fall back to the default it was last sent (seen in
    `benchmarks/bench_load.py`: a text input came back '' and number inputs 0.0, and their
    callbacks stored that). With the studio's value as the default, such a fallback sends the
    value the studio already holds, so no callback fires and nothing is lost.

    On a session's first run the widget keeps what the page sends (see `replay_page_edits`).
    """
    restoring = st.session_state.get(RESTORING)
    if restoring is not None:
        restoring[key] = value
        return value
    if key not in st.session_state or st.session_state[key] != value:
        st.session_state[key] = value
    return value


def replay_page_edits() -> None:
    """Apply the edit a page sends to a new session, as its widget's callback would have.

    A page that outlives its server (a restart, a failover to another replica) stays drawn and
    sends its next press to a new session, whose first run builds the studio from the URL.
    Streamlit runs no callback in a session's first run (it knows no widget yet), so the press
    would be dropped, and `bind` would put the URL's values back over it. So that first run
    leaves every widget the value the page sent (`bind` only records the studio's value in
    `RESTORING`); here each widget whose value differs from the studio's, and a pressed button,
    gets its callback, then the page runs again from the edited studio. A fresh page sends no
    values: its widgets hold the studio's, and nothing happens.
    """
    expected = st.session_state.pop(RESTORING, None)
    if not expected:
        return
    # Streamlit has no public way to reach a widget's callback: its registration metadata.
    session = get_script_run_ctx().session_state._state
    keys = session._key_id_mapper.id_key_mapping
    edited = False
    for widget_id, meta in list(session._new_widget_state.widget_metadata.items()):
        key = keys.get(widget_id)
        if key is None or meta.callback is None or meta.disabled:
            continue
        value = st.session_state[key]
        pressed = meta.value_type == "trigger_value" and value is True
        if pressed or (key in expected and value != expected[key]):
            meta.callback(*(meta.callback_args or ()), **(meta.callback_kwargs or {}))
            edited = True
    if edited:
        st.rerun()


def widget_key(entry_id: int, name: str, role: str) -> str:
    return f"cfg.{entry_id}.{name}.{role}"


# ---------------------------------------------------------------------------------------------
# Callbacks: widget value -> studio
# ---------------------------------------------------------------------------------------------


def on_param(entry_id: int, spec: ParamSpec, role: str) -> None:
    value = st.session_state[widget_key(entry_id, spec.name, role)]
    if spec.kind == "steps":
        value = int(value)
    elif spec.kind == "float":
        value = float(value)
    apply(
        ss.set_params,
        entry_id,
        error_key=widget_key(entry_id, spec.name, "error"),
        **{spec.name: value},
    )


def on_none(entry_id: int, spec: ParamSpec, class_name: str) -> None:
    is_none = st.session_state[widget_key(entry_id, spec.name, "none")]
    remembered = st.session_state[REMEMBERED]
    memory = (entry_id, spec.name)
    current = studio().find(entry_id).config["config"][spec.name]
    if is_none:
        remembered[memory] = current
        value = None
    else:
        value = ss.revive_value(spec, class_name, remembered.get(memory))
    apply(
        ss.set_params,
        entry_id,
        error_key=widget_key(entry_id, spec.name, "error"),
        **{spec.name: value},
    )


def on_visible(entry_id: int) -> None:
    apply(ss.set_visible, entry_id, st.session_state[widget_key(entry_id, "list", "visible")])


def on_add() -> None:
    apply(ss.add, st.session_state["list.add_class"], error_key="list")


def import_source(data: str | bytes, source_name: str | None = None) -> None:
    """Open what `data` holds (any form `read_keras` reads); keep its notes for the page."""
    try:
        imported = read_keras(data, source_name)
    except ConfigError as err:
        st.session_state[ERRORS]["import"] = err
        return
    if apply(ss.import_found, imported, error_key="import"):
        st.session_state[IMPORT_RESULT] = imported


def on_import_text() -> None:
    import_source(st.session_state.get(IMPORT_TEXT, ""))


def on_import_file() -> None:
    upload = st.session_state.get("import.file")
    if upload is not None:
        import_source(upload.getvalue(), upload.name)


def on_view(field: str, key: str) -> None:
    value = st.session_state[key]
    if field == "lang":
        for choice in TRANSLATED_CHOICES:
            st.session_state.pop(choice, None)
    if field == "horizon_auto":
        # Switching to a hand-set horizon starts from the range on screen.
        apply(ss.set_view, horizon=0 if value else st.session_state[SHOWN_HORIZON])
        return
    apply(ss.set_view, **{field: value})


# ---------------------------------------------------------------------------------------------
# Derived data
# ---------------------------------------------------------------------------------------------


def schedules_of(entries: tuple[ss.OpenConfig, ...]) -> list[Schedule]:
    """The entries' schedules on the path the chart follows (eager or compiled)."""
    return [e.schedule().on_path(studio().view.run) for e in entries]


def label_markdown(entry: ss.OpenConfig, warnings: int) -> str:
    swatch = f":{fg.colour_name(entry.colour)}[⬤]"
    name = ss.plain_markdown(entry.name) or tr("list.unnamed")
    text = f"{swatch} {name}" if entry.visible else f"{swatch} :gray[{name}]"
    return f"{text} :orange[⚠]" if warnings else text


# ---------------------------------------------------------------------------------------------
# Page sections
# ---------------------------------------------------------------------------------------------


def header() -> None:
    st.subheader(tr("app.title"))


def language_choice() -> None:
    st.selectbox(
        tr("view.lang"),
        list(LANGUAGES),
        index=list(LANGUAGES).index(bind("view.lang", lang())),
        format_func=LANGUAGES.__getitem__,
        key="view.lang",
        on_change=on_view,
        args=("lang", "view.lang"),
    )


def link_messages() -> None:
    if st.session_state.get(OPENED_BARE):  # perhaps a link Streamlit dropped unread
        st.html(dropped_link_html(tr("link.dropped")), unsafe_allow_javascript=True)
    messages = st.session_state[MESSAGES]
    if messages:
        lines = "\n".join(f"- {ss.plain_markdown(ss.message_text(m, lang()))}" for m in messages)
        st.warning(f"{tr('link.notice_title')}\n\n{lines}", icon=":material/link:")
        if st.button(tr("link.dismiss"), key="link.dismiss"):
            st.session_state[MESSAGES] = []
            st.rerun()


def configuration_list(horizon: int) -> None:
    current = studio()
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
                on_change=on_visible,
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


def list_actions() -> None:
    """Add a schedule, duplicate or delete the selected one, open an example."""
    current = studio()
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.selectbox(
            tr("list.add_class"),
            list(SCHEDULES),
            index=list(SCHEDULES).index(st.session_state.get("list.add_class", FIRST_CLASS)),
            key="list.add_class",
            help=tr("list.add_help"),
        )
        st.button(tr("list.add"), key="list.add", icon=":material/add:", on_click=on_add)
    if current.current is not None:
        actions = st.container(horizontal=True)
        actions.button(
            tr("list.duplicate"),
            key="list.duplicate",
            icon=":material/content_copy:",
            on_click=apply,
            args=(ss.duplicate, current.selected),
            kwargs={"error_key": "list"},
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
            kwargs={"error_key": "list"},
            width="stretch",
        )
    show_error("list")


def editor(entry: ss.OpenConfig, horizon: int) -> None:
    spec = SCHEDULES[entry.class_name]
    st.subheader(tr("editor.title", name=ss.plain_markdown(entry.name)))
    st.caption(f"`{entry.class_name}` · {spec_summary(entry.class_name, lang())}")
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
    schedule = studio().find(entry.id).schedule()
    with found_box:
        show_findings(schedule, horizon)


def show_findings(schedule: Schedule, horizon: int) -> None:
    found = findings(schedule, horizon)
    for item in found:
        text = f"{item.message(lang())}\n\n{tr('finding.fix_label')} {item.fix(lang())}"
        if item.severity == "warning":
            st.warning(text, icon=":material/warning:")
        else:
            st.info(text, icon=":material/info:")
    if schedule.uses_integer_dtype:
        entry_id = studio().selected
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
        on_change=on_param,
        args=(entry.id, param, "text"),
    )
    show_error(widget_key(entry.id, param.name, "error"))


def toggle_input(entry: ss.OpenConfig, param: ParamSpec) -> None:
    key = widget_key(entry.id, param.name, "toggle")
    st.toggle(
        param.name,
        value=bind(key, bool(entry.config["config"][param.name])),
        key=key,
        help=param_help(entry.class_name, param.name, lang()),
        on_change=on_param,
        args=(entry.id, param, "toggle"),
    )
    show_error(widget_key(entry.id, param.name, "error"))


def number_param(entry: ss.OpenConfig, param: ParamSpec) -> None:
    """A slider (log grid where the spec says so) and an exact entry; None as a toggle."""
    value = entry.config["config"][param.name]
    # Rows are flex containers, not columns: one block each instead of three, since Streamlit
    # sends and the browser redraws every block of the page on every run.
    title = f"**`{param.name}`**"
    explained = param_help(entry.class_name, param.name, lang())
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
            on_change=on_none,
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
    slider_key = widget_key(entry.id, param.name, "slider")
    live_sliders = st.session_state.setdefault(LIVE_SLIDERS, {})
    live_sliders[live_drag.css_class(slider_key)] = (entry.id, param.name, grid)
    row.select_slider(
        tr("editor.slider", name=param.name),
        options=grid,
        value=bind(slider_key, int(value) if param.kind == "steps" else float(value)),
        key=slider_key,
        format_func=slider_text,
        on_change=on_param,
        args=(entry.id, param, "slider"),
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
            on_change=on_param,
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
            on_change=on_param,
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
    revision = st.session_state[TABLE_REV].get(entry.id, 0)
    key = widget_key(entry.id, "table", str(revision))
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
    helps = {s.name: param_help(entry.class_name, s.name, lang()) for s in specs}
    st.markdown(f"**{names}**", help=" ".join(helps.values()))
    edited = st.data_editor(
        frame,
        key=key,
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
    error_key = widget_key(entry.id, "table", "error")
    try:
        lists = ss.lists_from_table(edited.to_dict("records"), specs)
    except ConfigError as err:
        st.session_state[ERRORS][error_key] = err
    else:
        if any(lists[s.name] != list(entry.config["config"][s.name]) for s in specs):
            if apply(ss.set_params, entry.id, error_key=error_key, **lists):
                # A fresh editor (new key) shows the new lists; the old one's edits are spent.
                st.session_state[TABLE_REV][entry.id] = revision + 1
                st.rerun()
        else:
            st.session_state[ERRORS].pop(error_key, None)
    show_error(error_key)


def view_controls(entries: tuple[ss.OpenConfig, ...]) -> None:
    """The view options, written into the caller's (horizontal) container."""
    view = studio().view
    choice("mode", "view.mode", tr("view.mode"), {m: tr(f"view.mode.{m}") for m in ss.MODES})
    control(st.toggle, "log_y", "view.logy", tr("view.logy"), disabled=view.mode == "diff")
    choice("x_unit", "view.x", tr("view.x"), {u: tr(f"view.x.{u}") for u in ss.X_UNITS})
    choice(
        "run",
        "view.run",
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
        on_change=on_view,
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
            on_change=on_view,
            args=("reference", "view.ref"),
            width=STEP_ENTRY_WIDTH + 60,
        )


def control(widget: Callable[..., Any], field: str, key: str, label: str, **kwargs: Any) -> None:
    """A view widget bound to `View.field`; its default is the view's value (see `bind`)."""
    value = bind(key, getattr(studio().view, field))
    if "options" in kwargs:
        kwargs["index"] = list(kwargs["options"]).index(value)
    else:
        kwargs["value"] = value
    widget(label, key=key, on_change=on_view, args=(field, key), **kwargs)


def choice(field: str, key: str, label: str, labels: dict[str, str], **kwargs: Any) -> None:
    """A view option picked with horizontal radio buttons: `labels` maps each value to its text."""
    control(
        st.radio,
        field,
        key,
        label,
        options=list(labels),
        format_func=labels.__getitem__,
        horizontal=True,
        **kwargs,
    )


@st.cache_data(max_entries=512, show_spinner=False)
def sampled(
    config_json: str, start: int, stop: int, columns: int, path: str = "eager"
) -> tuple[Any, Any]:
    """Plotted steps and values of one configuration (cached: unchanged curves cost nothing)."""
    schedule = schedules_from_json(config_json)[0].on_path(path)
    curve = fg.make_curve("", schedule, 0, stop, columns, start=start)
    return curve.steps, curve.values


def curve_of(entry: ss.OpenConfig, start: int, stop: int, columns: int) -> fg.Curve:
    path = studio().view.run
    config_json = json.dumps(entry.config, sort_keys=True)
    steps, values = sampled(config_json, start, stop, columns, path)
    return fg.Curve(entry.name, entry.schedule().on_path(path), entry.colour, steps, values)


def curve_of_config(
    label: str, config: dict[str, Any], colour: int, start: int, stop: int, columns: int
) -> fg.Curve:
    """A curve of a Keras config that is not open (a sweep's member), sampled like one."""
    path = studio().view.run
    config_json = json.dumps(config, sort_keys=True)
    steps, values = sampled(config_json, start, stop, columns, path)
    schedule = schedules_from_json(config_json)[0].on_path(path)
    return fg.Curve(label, schedule, colour, steps, values)


def zoom_controls(horizon: int, first: int, last: int) -> None:
    """The steps shown, [first, last]: a range slider over [0, horizon] and exact from/to entries."""
    top = max(horizon, last)
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.slider(
        tr("zoom.range"),
        min_value=0,
        max_value=top,
        value=bind("view.zoom", (first, last)),
        step=max(1, top // 1000),
        key="view.zoom",
        on_change=on_zoom,
        help=tr("zoom.range_help"),
        width="stretch",
    )
    spe = studio().view.steps_per_epoch
    if studio().view.x_unit == "epochs":
        # Fractional epochs, rounded to the nearest step (separate keys: a widget keeps its type).
        for key, label, value in (
            ("view.from_epoch", tr("zoom.from_epoch"), first / spe),
            ("view.to_epoch", tr("zoom.to_epoch"), last / spe),
        ):
            row.number_input(
                label,
                value=bind(key, value),
                key=key,
                min_value=0.0,
                max_value=MAX_STEPS / spe,
                step=1.0,
                format="%g",
                on_change=on_zoom_epochs,
                args=(horizon,),
                width=STEP_ENTRY_WIDTH,
            )
    else:
        for key, label, value in (
            ("view.from", tr("zoom.from"), first),
            ("view.to", tr("zoom.to"), last),
        ):
            row.number_input(
                label,
                value=bind(key, value),
                key=key,
                min_value=0,
                max_value=MAX_STEPS,
                step=1,
                on_change=on_zoom_entry,
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
    show_error("zoom")


def on_zoom() -> None:
    first, last = st.session_state["view.zoom"]
    set_zoom(int(first), int(last), st.session_state[SHOWN_HORIZON])


def on_zoom_entry(horizon: int) -> None:
    set_zoom(int(st.session_state["view.from"]), int(st.session_state["view.to"]), horizon)


def on_zoom_epochs(horizon: int) -> None:
    spe = studio().view.steps_per_epoch
    first, last = (round(st.session_state[k] * spe) for k in ("view.from_epoch", "view.to_epoch"))
    set_zoom(first, last, horizon)


def set_zoom(first: int, last: int, horizon: int) -> None:
    """Show steps [first, last]; the last step of the whole range is stored as 0 (follow it)."""
    if last <= first:
        st.session_state[ERRORS]["zoom"] = Phrase(
            "zoom.empty", {"first": f"{first:,}", "last": f"{last:,}"}
        )
        return
    st.session_state[ERRORS].pop("zoom", None)
    apply(ss.set_view, zoom_from=first, zoom_to=0 if last == horizon else last)


def on_chart_select() -> None:
    """A drag across the chart shows the steps it spans; a double-click (no box) shows all."""
    boxes = st.session_state["chart"]["selection"]["box"]
    st.session_state[CHART_SELECTED] = True
    if not boxes:
        apply(ss.set_view, zoom_from=0, zoom_to=0)
        return
    view = studio().view
    per_unit = view.steps_per_epoch if view.x_unit == "epochs" else 1
    first, last = fg.dragged_steps(boxes[-1]["x"], per_unit)
    set_zoom(first, last, st.session_state[SHOWN_HORIZON])


def on_live_frame() -> None:
    st.session_state[LIVE_FRAME] = live_drag.frame_of(LIVE_KEY)


def live_studio() -> ss.Studio:
    """The studio with a dragged slider's value, on a run that a frame started; else the studio.

    Only the frame's own run of the chart uses it: a full run (the release's) and every other
    run take the studio, so no frame can outlive the drag.
    """
    frame = st.session_state.pop(LIVE_FRAME, None)
    if frame is None:
        return studio()
    st.session_state[LIVE_ACK] = frame.seq
    target = st.session_state.get(LIVE_SLIDERS, {}).get(frame.key)
    if st.session_state.get(FULL_RUN) or target is None or frame.index >= len(target[2]):
        return studio()
    entry_id, name, grid = target
    try:
        return ss.set_params(studio(), entry_id, **{name: grid[frame.index]})
    except (ConfigError, KeyError):
        return studio()


@st.fragment
def live_chart(horizon: int, first: int, last: int) -> list[fg.Curve]:
    """The chart. While an editor slider is dragged, this fragment alone reruns for each frame
    (`lrviz.live_drag`) and draws the curves of the value under the mouse. A drag across the
    chart (a zoom) reruns the whole page: the range entries and the link follow it."""
    if st.session_state.pop(CHART_SELECTED, False):
        st.rerun(scope="app")
    current = live_studio()
    if current is not studio():
        horizon = fg.horizon(current.view, schedules_of(current.visible() or current.entries))
        first, last = fg.shown_range(current.view, horizon)
    curves = chart(current, horizon, first, last)
    live_drag.follower(LIVE_KEY, st.session_state.get(LIVE_ACK), on_live_frame)
    return curves


def chart(current: ss.Studio, horizon: int, first: int, last: int) -> list[fg.Curve]:
    view = current.view
    shown = current.visible()
    if not shown:
        st.info(tr("chart.nothing"))
        return []
    side = view.mode == "side"
    columns = 400 if side and len(shown) > 1 else fg.DEFAULT_COLUMNS
    # Shown only when sampling takes over half a second (an uncached range where every float32
    # step must be evaluated, e.g. short PolynomialDecay cycles over 10^10+ steps).
    with st.spinner(tr("chart.sampling")):
        curves = [curve_of(e, first, last, columns) for e in shown]
    selected = current.current
    marks: list[fg.Mark] = []
    if view.mode == "diff":
        ref_entry = current.reference
        reference = curve_of(ref_entry, first, last, columns)
        figure = fg.difference_figure(curves, reference, view, last, start=first)
        st.caption(tr("chart.diff_caption", name=ss.plain_markdown(ref_entry.name)))
    elif side:
        figure = fg.side_by_side_figure(curves, view, last, start=first)
    else:
        marked = [c for c, e in zip(curves, shown) if selected and e.id == selected.id]
        phases: list[formulas.Phase] = []
        companions: list[fg.Companion] = []
        family: list[fg.Curve] = []
        if marked:
            marks = fg.find_marks(marked[0], last)
            phases = formulas.phases(marked[0].schedule, last + 1)
            companions = companion_curves(selected, marked[0], first, last, horizon)
            family = family_curves(selected, first, last, columns)
        figure = fg.overlay_figure(
            curves,
            view,
            last,
            marks,
            selected.colour if selected else 0,
            start=first,
            cursor=view.at_step,
            phases=phases,
            companions=companions,
            family=family,
        )
    st.plotly_chart(
        figure,
        key="chart",
        config=fg.chart_config(selected.name if selected else "lrviz", view.image_format),
        width="stretch",
        on_select=on_chart_select,
        selection_mode="box",
    )
    if (first, last) != (0, horizon):
        st.caption(tr("zoom.caption", first=f"{first:,}", last=f"{last:,}", stop=f"{horizon:,}"))
    if marks:
        box = lazy_expander(tr("marks.title", name=ss.plain_markdown(selected.name)), "marks")
        if box.open:
            with box:
                st.dataframe(fg.mark_rows(marks, view), hide_index=True, width="stretch")
                st.caption(tr("marks.float32"))
    return curves


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


def family_curves(entry: ss.OpenConfig, first: int, last: int, columns: int) -> list[fg.Curve]:
    """The sweep's members that are valid configurations, sampled like any open one."""
    found = sw.parse(entry.schedule(), studio().view.sweep)
    if found is None:
        return []
    return [
        curve_of_config(found.label(value), member.to_keras(), entry.colour, first, last, columns)
        for value, member in sw.members(entry.schedule(), found)
        if not isinstance(member, ConfigError)
    ]


def sweep_panel(entry: ss.OpenConfig) -> None:
    """Sweep one argument of the selected configuration: its family drawn on the chart, and any
    member opened as a configuration of its own."""
    schedule = entry.schedule()
    found = sw.parse(schedule, studio().view.sweep)
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
        param = st.session_state.get("sweep.param")
        if param not in names:
            param = found.param if found else names[0]
        drawn = ", ".join(repr(v) for v in found.values) if found else ""
        typed = st.session_state.get("sweep.values", drawn)
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.selectbox(
                tr("sweep.param"),
                names,
                index=names.index(bind("sweep.param", param)),
                key="sweep.param",
                width=220,
            )
            st.text_input(
                tr("sweep.values"),
                value=bind("sweep.values", typed),
                key="sweep.values",
                placeholder=tr("sweep.placeholder"),
                help=tr("sweep.help", limit=sw.MAX_VALUES),
            )
            st.button(tr("sweep.draw"), key="sweep.draw", on_click=on_sweep, args=(entry.id,))
            st.button(
                tr("sweep.clear"),
                key="sweep.clear",
                on_click=apply,
                args=(ss.set_view,),
                kwargs={"sweep": ""},
                disabled=found is None,
            )
        show_error("sweep")
        if found is None:
            return
        st.caption(tr("sweep.caption", param=found.param, name=ss.plain_markdown(entry.name)))
        with st.container(horizontal=True):
            for index, (value, member) in enumerate(sw.members(schedule, found)):
                label = found.label(value)
                if isinstance(member, ConfigError):
                    st.caption(f"{ss.plain_markdown(label)}: {member.message(lang())}")
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
                    kwargs={"error_key": "sweep"},
                )


def on_sweep(entry_id: int) -> None:
    schedule = studio().find(entry_id).schedule()
    param, text = st.session_state["sweep.param"], st.session_state.get("sweep.values", "")
    try:
        found = sw.parse_values(schedule, param, text)
    except ConfigError as err:
        st.session_state[ERRORS]["sweep"] = err
        return
    apply(ss.set_view, sweep=found.text(), error_key="sweep")


def chosen_companions() -> list[int]:
    text = studio().view.companions
    return [int(p) for p in text.split(",")] if text else []


def companion_curves(
    entry: ss.OpenConfig, curve: fg.Curve, first: int, last: int, horizon: int
) -> list[fg.Companion]:
    """The translations chosen for the chart, at the Keras curve's plotted steps."""
    chosen = chosen_companions()
    if not chosen:
        return []
    found = translations_of(entry, first, last, horizon)
    return [
        fg.Companion(
            tr("xlate.label", framework=found[i].translation.framework, name=entry.name),
            entry.colour,
            curve.steps,
            found[i].plotted_values,
        )
        for i in chosen
        if i < len(found)
    ]


def on_companions() -> None:
    chosen = st.session_state["xlate.overlay"]
    apply(ss.set_view, companions=",".join(str(i) for i in sorted(chosen)))


def translations_panel(entry: ss.OpenConfig, first: int, last: int, horizon: int) -> None:
    """The selected configuration in optax, PyTorch, transformers and timm: code, notes, and how
    far each is from the Keras curve over the steps shown."""
    box = lazy_expander(tr("xlate.title"), "xlate", expanded=bool(chosen_companions()))
    if not box.open:
        return
    with box:
        found = translations_of(entry, first, last, horizon)
        if not found:
            st.info(tr("xlate.none", cls=entry.class_name), icon=":material/info:")
            return
        names = {i: c.translation.framework for i, c in enumerate(found)}
        st.multiselect(
            tr("xlate.overlay"),
            list(names),
            default=bind("xlate.overlay", [i for i in chosen_companions() if i in names]),
            format_func=names.__getitem__,
            key="xlate.overlay",
            placeholder=tr("xlate.overlay_placeholder"),
            on_change=on_companions,
            help=tr("xlate.overlay_help"),
        )
        for checked in found:
            item = checked.translation
            badge = (
                f":green-badge[{tr('xlate.exact')}]"
                if item.exact
                else f":orange-badge[{tr('xlate.not_exact')}]"
            )
            st.markdown(f"**{ss.plain_markdown(item.framework)}** {badge}")
            st.caption(difference_text(checked, first, last))
            for note in item.notes_in(lang()):
                st.markdown(f"- {ss.plain_markdown(note)}")
            st.code(item.code_in(lang()), language="python")


def difference_text(checked: crosscheck.Checked, first: int, last: int) -> str:
    where = tr(
        "xlate.where_every" if checked.every_step else "xlate.where_plotted",
        first=f"{first:,}",
        last=f"{last:,}",
    )
    diff = checked.difference
    count = f"{checked.steps_checked:,}"
    if diff.max_abs_step is None:
        return tr("xlate.same", count=count, where=where)
    return tr(
        "xlate.diff",
        count=count,
        where=where,
        abs=f"{diff.max_abs:.3g}",
        abs_step=f"{diff.max_abs_step:,}",
        rel=f"{diff.max_rel:.3g}" if diff.max_rel_step is not None else tr("xlate.no_rel"),
        rel_step=f"{diff.max_rel_step:,}" if diff.max_rel_step is not None else "–",
    )


def download_menu(name: str) -> Any | None:
    """A "Download" popover whose buttons exist only while it is open, else None.

    A download button stores its data as a media file on every rerun, and the browser fetches
    each new file's URL to check it; when reruns come fast (many users, a dragged slider) the
    file is replaced before that check arrives and the page logs a 404. Built only while open,
    the files cost nothing on other reruns, and the data a user downloads is always current.
    """
    menu = st.popover(
        tr(f"download.{name}"),
        icon=":material/download:",
        key=f"download.{name}",
        on_change="rerun",
    )
    return menu if menu.open else None


def csv_download(curves: list[fg.Curve]) -> None:
    """The plotted points as CSV, beside the chart so it always matches what is shown."""
    menu = download_menu("chart")
    if menu is None:
        return
    view = studio().view
    csv = payloads.plotted_csv(
        [(c.label, c.schedule, c.steps) for c in curves],
        view.steps_per_epoch if view.x_unit == "epochs" else None,
    )
    with menu:
        st.download_button(
            tr("export.csv"),
            csv,
            file_name="lrviz-plotted.csv",
            mime="text/csv",
            key="export.csv",
            icon=":material/download:",
            on_click="ignore",
        )


def step_lookup(entries: tuple[ss.OpenConfig, ...], first: int, last: int) -> None:
    """The step cursor: a slider over the steps shown and an exact entry; values and phases."""
    st.subheader(tr("at.title"))
    view = studio().view
    cols = st.columns([1, 3])
    with cols[0]:
        epochs = view.at_step / view.steps_per_epoch
        if view.x_unit == "epochs":
            st.number_input(
                tr("at.epoch_entry"),
                value=bind("view.at_epoch", epochs),
                key="view.at_epoch",
                min_value=0.0,
                max_value=MAX_STEPS / view.steps_per_epoch,
                step=1.0,
                format="%g",
                on_change=on_cursor_epoch,
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
            on_change=on_view,
            args=("at_step", "view.cursor"),
            help=tr("cursor.slider_help"),
        )
        if not first <= view.at_step <= last:
            st.caption(tr("chart.cursor_outside", step=f"{view.at_step:,}"))
    # The table has the page's whole width: beside the entry it ran past an 800 px window.
    table = fg.step_table([e.name for e in entries], schedules_of(entries), view.at_step, lang())
    st.container(key="at.table").markdown(fg.markdown_table(table))
    st.caption(tr("marks.float32"))


def on_cursor_epoch() -> None:
    step = round(st.session_state["view.at_epoch"] * studio().view.steps_per_epoch)
    apply(ss.set_view, at_step=min(step, MAX_STEPS))


def lazy_expander(label: str, name: str, expanded: bool = False) -> Any:
    """An expander whose content is built only while it is open (`.open`): closed panels cost
    neither server time nor browser rendering on every rerun."""
    return st.expander(label, key=f"panel.{name}", expanded=expanded, on_change="rerun")


def formula_panel(entry: ss.OpenConfig) -> None:
    """The selected configuration's formula at the lookup step, worked through to the chart's number."""
    schedule = entry.schedule()
    step = studio().view.at_step
    compiled = studio().view.run == "compiled"
    if compiled:
        worked = compiled_worked(schedule, step, lang())
    else:
        worked = formulas.worked_value(schedule, step, lang())
    title = tr(
        "formula.panel",
        name=ss.plain_markdown(entry.name),
        step=f"{step:,}",
        phase=worked.phase.label(lang()),
    )
    box = lazy_expander(title, "formula")
    if not box.open:
        return
    with box:
        st.latex(formulas.formula(schedule, worked.phase, lang()))
        # The symbols in the user's language (the texts are the app's own, not user input).
        symbols = formulas.legend(schedule, worked.phase, lang())
        st.markdown("\n".join(f"- ${symbol}$: {text}" for symbol, text in symbols))
        st.caption(tr("formula.worked_compiled" if compiled else "formula.worked"))
        for line in worked.lines:
            st.latex(line)
        for note in worked.notes:
            st.info(ss.plain_markdown(note))


def export_tab() -> None:
    current = studio()
    entry = current.current
    if entry is None:
        st.info(tr("list.empty"))
        return
    schedule = entry.schedule()
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('export.selected', name=ss.plain_markdown(entry.name))}**")
        if schedule.uses_integer_dtype:
            st.info(tr("export.floats_note"), icon=":material/info:")
        menu = download_menu("export")
        if menu is not None:
            with menu:
                st.download_button(
                    tr("export.json"),
                    payloads.keras_json(schedule),
                    file_name=payloads.file_name(entry.name, "json"),
                    mime="application/json",
                    key="export.json",
                    icon=":material/download:",
                    on_click="ignore",
                )
                st.download_button(
                    tr("export.all", count=len(current.entries)),
                    payloads.keras_json_list(schedules_of(current.entries)),
                    file_name="lrviz-schedules.json",
                    mime="application/json",
                    key="export.all",
                    icon=":material/download:",
                    on_click="ignore",
                )
        # The code is built only while its panel is open: highlighting it cost ~0.4 s of every
        # first page load, and again on every edit (the text changes with each parameter).
        json_box = lazy_expander(tr("export.json_code"), "export_json")
        if json_box.open:
            with json_box:
                st.code(payloads.keras_json(schedule), language="json")
    with right:
        snippet_box = lazy_expander(tr("export.snippet"), "export_python")
        if snippet_box.open:
            with snippet_box:
                st.code(payloads.python_snippet(schedule), language="python")
        choice(
            "image_format",
            "view.img",
            tr("export.image"),
            {f: f.upper() for f in PAGE_IMAGE_FORMATS},
            help=tr("export.image_help"),
        )
        st.caption(tr("export.image_caption"))


def import_tab() -> None:
    st.markdown(tr("import.intro"))
    st.text_area(
        tr("import.paste"),
        value=st.session_state.get(IMPORT_TEXT, ""),  # the default a dropped state falls back to
        key=IMPORT_TEXT,
        height=160,
        placeholder=tr("import.placeholder"),
    )
    st.button(
        tr("import.open"), key="import.open", on_click=on_import_text, icon=":material/upload:"
    )
    st.file_uploader(
        tr("import.upload"),
        type=list(UPLOAD_TYPES),
        key="import.file",
        on_change=on_import_file,
        help=tr("import.upload_help"),
    )
    show_error("import")
    imported = st.session_state.pop(IMPORT_RESULT, None)
    if imported is not None:
        st.success(tr("import.done", count=len(imported.found)))
        for message in imported.messages(lang(), escape=ss.plain_markdown):
            st.info(message, icon=":material/info:")


def share_panel() -> None:
    base = payloads.page_base(st.context.url)
    try:
        link = payloads.share_link(studio(), base)
    except LinkTooLong as err:
        st.warning(err.text(lang()))
        return
    st.markdown(tr("link.intro"))
    st.code(link, language=None, wrap_lines=True)
    st.caption(tr("link.caption", chars=len(link)))


def write_url() -> None:
    """Keep the page URL equal to the studio, so reload and bookmarks restore everything."""
    try:
        params = encode_state(ss.to_shared(studio()))
    except LinkTooLong:
        st.warning(tr("link.too_long"), icon=":material/link_off:")
        return
    current = {key: st.query_params.get(key) for key in st.query_params}
    if current != params:
        st.query_params.from_dict(params)


@st.fragment
def studio_view() -> None:
    """The main area: the chart first, then zoom, view options, share link and CSV, cursor,
    sweep, formula and translations.

    A fragment: moving the cursor, zooming or changing a view option reruns only this part, not
    the configuration list, the editor or the tabs. A change that reaches those (the horizon,
    which their findings use) reruns the whole page.
    """
    horizon = fg.horizon(studio().view, schedules_of(studio().visible() or studio().entries))
    if horizon != st.session_state.get(PAGE_HORIZON):
        st.rerun(scope="app")
    st.session_state[SHOWN_HORIZON] = horizon
    # The chart is written first, at the top, above its controls: the browser can redraw it
    # while the rest of the run is still on its way.
    first, last = fg.shown_range(studio().view, horizon)
    st.caption(tr("app.intro"))
    curves = live_chart(horizon, first, last)
    zoom_controls(horizon, first, last)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        view_controls(studio().entries)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        with st.popover(tr("share.open"), icon=":material/link:"):
            share_panel()
        if curves:
            csv_download(curves)
    if studio().entries:
        step_lookup(studio().entries, first, last)
    if studio().current is not None:
        sweep_panel(studio().current)
        formula_panel(studio().current)
        translations_panel(studio().current, first, last, horizon)
    if not st.session_state.get(FULL_RUN):
        # A run of this fragment alone; a full run writes the URL once the whole page is out.
        write_url()


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def page() -> None:
    """The whole page. The chart side is written first (see `studio_view`), then what surrounds
    it, and the URL last: a changed URL means the page is out, widgets included."""
    start_session()
    current = studio()
    horizon = fg.horizon(current.view, schedules_of(current.visible() or current.entries))
    st.session_state[PAGE_HORIZON] = horizon
    studio_view()
    with st.sidebar:
        header()
        link_messages()
        configuration_list(horizon)
        if studio().current is not None:
            editor(studio().current, horizon)
        st.divider()
        list_actions()
        language_choice()
    export, importing = st.tabs([tr("tab.export"), tr("tab.import")])
    with export:
        export_tab()
    with importing:
        import_tab()
    replay_page_edits()
    write_url()


st.session_state[FULL_RUN] = True
try:
    page()
finally:
    st.session_state[FULL_RUN] = False
    st.session_state.pop(RESTORING, None)  # a first run cut short restores nothing later
