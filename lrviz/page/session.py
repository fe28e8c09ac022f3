"""The page's session state: the one owner of the session keys, the widget-key scheme and the
callbacks.

One-way data flow: the URL (on the first run) and the widgets' callbacks change the `Studio` in
`st.session_state` (the single source of truth); every run derives schedules, sampled curves,
figures and payloads from it, and writes it back into the URL. A configuration's widgets have
the keys `widget_key(id, parameter, role)` (`cfg.<configuration id>.<parameter>.<role>`), the
lazy panels `panel_key(name)`; a widget key that a callback here reads is a constant here, and
the panels give it to their widget. Tests take their keys from here too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lrviz import ConfigError, ParamSpec
from lrviz import figures as fg
from lrviz import state as ss
from lrviz import sweep as sw
from lrviz.errors import Phrase
from lrviz.i18n import pick_language, t
from lrviz.keras_import import Imported, read_keras
from lrviz.limits import MAX_CONFIGS, MAX_STEPS
from lrviz.page import derived, first_chart, frame_route, live_drag, resync
from lrviz.share import LinkTooLong, decode_state, encode_state

# Session keys that are no widget's.
STUDIO = "studio"
MESSAGES = "link_messages"
ERRORS = "errors"
TABLE_REV = "table_revisions"
REMEMBERED = "remembered"
IMPORT_RESULT = "import_result"
OPENED_BARE = "opened_bare"  # the session's first run had no query (or Streamlit dropped it)
SHOWN_HORIZON = "shown_horizon"
PAGE_HORIZON = "page_horizon"
FULL_RUN = "full_run"
RESTORING = "restoring"
RESYNC = "resync"  # the session's first full run is not over yet (see `lrviz.page.resync`)
LIVE_FRAME = "live_frame"  # the frame that reran the follower, until that run takes it
LIVE_ACK = "live_ack"  # the number of the last frame taken
LIVE_SLIDERS = "live_sliders"  # slider element class -> (configuration id, parameter, options)
LIVE_TOKEN = "live_token"  # the session's token for frames over HTTP (`frame_route`)
FIRST_CHART = "first_chart"  # this first run waits for the browser's first chart (`first_chart`)
DRAWN_ENTRIES = "drawn_entries"  # the configurations as the page's last whole run drew them
CHART_SELECTED = "chart_selected"  # a drag on the chart changed the range shown

# Widget keys the callbacks read.
CONFIG_PREFIX = "cfg."  # every configuration's widget key starts so (`widget_key`)
SLIDER = "slider"  # the role of a parameter's slider; the live drag follows these
SLIDER_KEYS = (CONFIG_PREFIX, f".{SLIDER}")  # every parameter slider's key starts and ends so
LIVE_KEY = "chart.live"  # the component that sends a dragged slider's frames (live_drag)
SHOW_ALL_KEY = "chart.show_all"  # the component that hears a double-click on the chart
RESYNC_KEY = "page.resync"  # the component that resends a reconnected page's widgets
CHART = "chart"
MODE = "view.mode"
X_UNIT = "view.x"
RUN = "view.run"
ZOOM = "view.zoom"
ZOOM_FROM = "view.from"
ZOOM_TO = "view.to"
ZOOM_FROM_EPOCH = "view.from_epoch"
ZOOM_TO_EPOCH = "view.to_epoch"
AT_EPOCH = "view.at_epoch"
ADD_CLASS = "list.add_class"
IMPORT_TEXT = "import.text"
IMPORT_FILE = "import.file"
SWEEP_PARAM = "sweep.param"
SWEEP_VALUES = "sweep.values"
OVERLAY = "xlate.overlay"
# Inline errors not of one configuration's widget (`widget_key(id, parameter, "error")`).
LIST_ERROR = "list"
IMPORT_ERROR = "import"
ZOOM_ERROR = "zoom"
SWEEP_ERROR = "sweep"
# Choice widgets whose option labels are translated. Streamlit identifies their value by its
# label, so after a language switch the browser would send back the old language's label (not
# an option any more, and taken as the value itself): they are made afresh in the new language.
TRANSLATED_CHOICES = (MODE, X_UNIT, RUN)


def widget_key(entry_id: int, name: str, role: str) -> str:
    """The key of a configuration's widget: `name` is a parameter (or `list`, `table`, ...)."""
    return f"{CONFIG_PREFIX}{entry_id}.{name}.{role}"


def panel_key(name: str) -> str:
    """The key of a lazy panel (an expander whose content is built only while it is open)."""
    return f"panel.{name}"


# ---------------------------------------------------------------------------------------------
# The studio and the session
# ---------------------------------------------------------------------------------------------


def studio() -> ss.Studio:
    """What is open and how it is shown: the single source of truth."""
    return st.session_state[STUDIO]


def lang() -> str:
    """The page's language."""
    return studio().view.lang


def tr(key: str, **params: Any) -> str:
    """The text of locale key `key` in the page's language."""
    return t(key, lang(), **params)


def widget_value(key: str, default: Any = None) -> Any:
    """A widget's value as the session holds it (`default` before the widget exists)."""
    return st.session_state.get(key, default)


# Streamlit's frontend runs the whole page again when it reconnects only if the page has a
# fragment that reruns itself (`run_every`); otherwise it waits for the next press. Longer than
# about 24 days would overflow the browser's timer (and make it fire every millisecond).
RECONNECT_TIMER = timedelta(days=1)


@st.fragment(run_every=RECONNECT_TIMER)
def run_whole_on_reconnect() -> None:
    """Nothing to draw: having this fragment makes a reconnected page run whole at once.

    A page that outlives its server (a restart, another replica) reconnects to a new session,
    which has not registered the main area's fragment yet; a press beside the chart reruns that
    fragment alone, and Streamlit skips a fragment it does not know, so the press would be
    dropped until a press elsewhere ran the whole page. Running the whole page on reconnecting
    registers it (and any edit the page sends is replayed, `replay_page_edits`). Once a day it
    reruns, doing nothing.
    """


def run(page: Callable[[], None]) -> None:
    """Run `page` as a full run of the page (the main area's fragment can run alone too)."""
    st.session_state[FULL_RUN] = True
    try:
        run_whole_on_reconnect()
        page()
        st.session_state[DRAWN_ENTRIES] = studio().entries
        publish_live()
        if st.session_state.pop(RESYNC, False):
            resync.after_first_run(RESYNC_KEY, get_script_run_ctx().session_id)
    finally:
        st.session_state[FULL_RUN] = False
        st.session_state.pop(FIRST_CHART, None)
        st.session_state.pop(RESTORING, None)  # a first run cut short restores nothing later


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
    st.session_state[RESYNC] = True


def page_horizon() -> int:
    """The chart's default last step, as the whole page uses it (the findings do too)."""
    horizon = derived.horizon(studio())
    st.session_state[PAGE_HORIZON] = horizon
    return horizon


def shown_range() -> tuple[int, int, int]:
    """(horizon, first, last): the steps the main area shows. A run of the main area alone that
    changed the horizon runs the whole page instead, whose findings use it."""
    horizon = derived.horizon(studio())
    if horizon != st.session_state.get(PAGE_HORIZON):
        st.rerun(scope="app")
    st.session_state[SHOWN_HORIZON] = horizon
    first, last = fg.shown_range(studio().view, horizon)
    return horizon, first, last


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


def error(error_key: str) -> ConfigError | Phrase | None:
    """The inline error kept under `error_key` (as keys, not text: shown in the current language)."""
    return st.session_state[ERRORS].get(error_key)


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


def write_url(*, partial: bool = False) -> None:
    """Keep the page URL equal to the studio, so reload and bookmarks restore everything.

    `partial`: at the end of the main area, which may run alone; a full run writes the URL once
    the whole page is out (a changed URL means the page is out, widgets included).
    """
    if partial and st.session_state.get(FULL_RUN):
        return
    try:
        params = encode_state(ss.to_shared(studio()))
    except LinkTooLong:
        st.warning(tr("link.too_long"), icon=":material/link_off:")
        return
    current = {key: st.query_params.get(key) for key in st.query_params}
    if current != params:
        st.query_params.from_dict(params)


# ---------------------------------------------------------------------------------------------
# What the panels keep between runs
# ---------------------------------------------------------------------------------------------


def opened_bare() -> bool:
    """Whether the session's first run had no query (perhaps a link Streamlit dropped unread)."""
    return bool(st.session_state.get(OPENED_BARE))


def link_messages() -> list[ss.Message]:
    """What opening the link noticed (until dismissed)."""
    return st.session_state[MESSAGES]


def dismiss_link_messages() -> None:
    """Forget the notices about the opened link."""
    st.session_state[MESSAGES] = []


def take_import_result() -> Imported | None:
    """What the last import opened, once (its notes are shown after it)."""
    return st.session_state.pop(IMPORT_RESULT, None)


def table_revision(entry_id: int) -> int:
    """The list table's revision: a new one is a fresh editor (new key) showing the new lists."""
    return st.session_state[TABLE_REV].get(entry_id, 0)


def edit_lists(entry: ss.OpenConfig, records: list[dict[str, Any]], revision: int) -> None:
    """Apply the list table's rows (the editor's records) to the configuration, if they changed."""
    specs = ss.list_params(entry.class_name)
    error_key = widget_key(entry.id, "table", "error")
    try:
        lists = ss.lists_from_table(records, specs)
    except ConfigError as err:
        st.session_state[ERRORS][error_key] = err
        return
    if any(lists[s.name] != list(entry.config["config"][s.name]) for s in specs):
        if apply(ss.set_params, entry.id, error_key=error_key, **lists):
            # A fresh editor (new key) shows the new lists; the old one's edits are spent.
            st.session_state[TABLE_REV][entry.id] = revision + 1
            st.rerun()
    else:
        st.session_state[ERRORS].pop(error_key, None)


def follow_slider(key: str, entry_id: int, name: str, grid: tuple[int | float, ...]) -> None:
    """Let the live drag follow the slider `key` of parameter `name` over its options `grid`."""
    live_sliders = st.session_state.setdefault(LIVE_SLIDERS, {})
    live_sliders[live_drag.css_class(key)] = (entry_id, name, grid)


def live_token() -> str | None:
    """The session's token for live-drag frames over HTTP; None when the server has no such
    route (`streamlit run app.py`): the frames then go through the websocket."""
    if not frame_route.served():
        return None
    return st.session_state.setdefault(LIVE_TOKEN, frame_route.new_token())


def publish_live() -> None:
    """Let the frames route draw this session's frames from the studio as this run leaves it."""
    token = live_token()
    if token is not None:
        frame_route.publish(token, studio(), st.session_state.get(LIVE_SLIDERS, {}))


def chart_first() -> str | None:
    """The name under which the browser reports the chart drawn, when this run pauses after the
    chart until then (`first_chart`): a session's first whole run (or a later one, if the first
    was cut short), in a browser, served by `server.py`. Else None."""
    if not (st.session_state.get(FULL_RUN) and st.session_state.get(RESYNC)):
        return None
    if live_token() is None or not in_browser():
        return None
    # A name of this run's own: the page reports once for each run that waits.
    waiting = frame_route.new_token()
    if not first_chart.expect(waiting):
        return None
    st.session_state[FIRST_CHART] = waiting
    return waiting


def in_browser() -> bool:
    """Whether this session's page is a browser's (every browser's User-Agent says Mozilla/),
    not a websocket client's such as the load generator's, which would never report a chart."""
    return "Mozilla/" in (st.context.headers.get("User-Agent") or "")


def first_chart_report() -> str | None:
    """The name under which the follower mounted in this run reports the chart drawn, if any."""
    return st.session_state.get(FIRST_CHART)


def live_ack() -> int | None:
    """The number of the last live-drag frame the follower took."""
    return st.session_state.get(LIVE_ACK)


def live_studio() -> ss.Studio:
    """The studio with a dragged slider's value, on a run that a frame started; else the studio.

    Only the frame's own run of the follower (`chart.frames`) uses it: a full run (the
    release's) and every other run take the studio, so no frame can outlive the drag.
    """
    frame = st.session_state.pop(LIVE_FRAME, None)
    if frame is None:
        return studio()
    st.session_state[LIVE_ACK] = frame.seq
    if st.session_state.get(FULL_RUN):
        return studio()
    sliders = st.session_state.get(LIVE_SLIDERS, {})
    dragged = frame_route.dragged_studio(studio(), sliders, frame.key, frame.index)
    return studio() if dragged is None else dragged


def redraw_if_released() -> None:
    """Run the whole page if this run of a fragment changed a configuration.

    Streamlit's frontend sends the widget changes of one moment in one batch and reruns the
    fragment of the first of them: a slider released in the same moment as the live drag's last
    frame reruns only the follower's fragment, with the slider's new value already applied, and
    the page (editor, findings, link) would keep showing the old one. The page's fragments that
    draw start with this check.
    """
    if not st.session_state.get(FULL_RUN) and studio().entries is not st.session_state.get(
        DRAWN_ENTRIES
    ):
        st.rerun(scope="app")


def take_chart_selected() -> bool:
    """Whether a drag on the chart changed the range shown since the chart last ran."""
    return st.session_state.pop(CHART_SELECTED, False)


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
    apply(ss.add, st.session_state[ADD_CLASS], error_key=LIST_ERROR)


def _import_source(data: str | bytes, source_name: str | None = None) -> None:
    """Open what `data` holds (any form `read_keras` reads); keep its notes for the page."""
    try:
        imported = read_keras(data, source_name)
    except ConfigError as err:
        st.session_state[ERRORS][IMPORT_ERROR] = err
        return
    if apply(ss.import_found, imported, error_key=IMPORT_ERROR):
        st.session_state[IMPORT_RESULT] = imported


def on_import_text() -> None:
    _import_source(st.session_state.get(IMPORT_TEXT, ""))


def on_import_file() -> None:
    upload = st.session_state.get(IMPORT_FILE)
    if upload is not None:
        _import_source(upload.getvalue(), upload.name)


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


def on_zoom() -> None:
    first, last = st.session_state[ZOOM]
    _set_zoom(int(first), int(last), st.session_state[SHOWN_HORIZON])


def on_zoom_entry(horizon: int) -> None:
    _set_zoom(int(st.session_state[ZOOM_FROM]), int(st.session_state[ZOOM_TO]), horizon)


def on_zoom_epochs(horizon: int) -> None:
    spe = studio().view.steps_per_epoch
    first, last = (round(st.session_state[k] * spe) for k in (ZOOM_FROM_EPOCH, ZOOM_TO_EPOCH))
    _set_zoom(first, last, horizon)


def _set_zoom(first: int, last: int, horizon: int) -> None:
    """Show steps [first, last]; the last step of the whole range is stored as 0 (follow it)."""
    if last <= first:
        st.session_state[ERRORS][ZOOM_ERROR] = Phrase(
            "zoom.empty", {"first": f"{first:,}", "last": f"{last:,}"}
        )
        return
    st.session_state[ERRORS].pop(ZOOM_ERROR, None)
    apply(ss.set_view, zoom_from=first, zoom_to=0 if last == horizon else last)


def on_chart_select() -> None:
    """A drag across the chart shows the steps it spans; a double-click (no box) shows all."""
    boxes = st.session_state[CHART]["selection"]["box"]
    if not boxes:
        on_chart_show_all()
        return
    st.session_state[CHART_SELECTED] = True
    view = studio().view
    per_unit = view.steps_per_epoch if view.x_unit == "epochs" else 1
    first, last = fg.dragged_steps(boxes[-1]["x"], per_unit)
    _set_zoom(first, last, st.session_state[SHOWN_HORIZON])


def on_chart_show_all() -> None:
    """A double-click on the chart shows every step, as "Show all" does."""
    st.session_state[CHART_SELECTED] = True
    apply(ss.set_view, zoom_from=0, zoom_to=0)


def on_live_frame() -> None:
    """Keep the frame the live drag sent for the follower's run it starts."""
    st.session_state[LIVE_FRAME] = live_drag.frame_of(LIVE_KEY)


def on_sweep(entry_id: int) -> None:
    schedule = studio().find(entry_id).schedule()
    param, text = st.session_state[SWEEP_PARAM], st.session_state.get(SWEEP_VALUES, "")
    try:
        found = sw.parse_values(schedule, param, text)
    except ConfigError as err:
        st.session_state[ERRORS][SWEEP_ERROR] = err
        return
    apply(ss.set_view, sweep=found.text(), error_key=SWEEP_ERROR)


def on_companions() -> None:
    chosen = st.session_state[OVERLAY]
    apply(ss.set_view, companions=",".join(str(i) for i in sorted(chosen)))


def on_cursor_epoch() -> None:
    step = round(st.session_state[AT_EPOCH] * studio().view.steps_per_epoch)
    apply(ss.set_view, at_step=min(step, MAX_STEPS))
