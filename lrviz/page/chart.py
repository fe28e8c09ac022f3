"""The chart: the shown configurations' curves (overlaid, side by side or as differences), the
selected one's marks, phases, sweep family and translations; it follows a dragged editor slider
live, and a drag across it zooms."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from _plotly_utils.utils import convert_to_base64

from lrviz import ConfigError
from lrviz import figures as fg
from lrviz import state as ss
from lrviz import sweep as sw
from lrviz import teaching as formulas
from lrviz.i18n import t
from lrviz.keras_json import schedules_from_json
from lrviz.page import derived, double_click, first_chart, live_drag, session
from lrviz.page.session import tr
from lrviz.page.widgets import lazy_expander

# Seconds the run pauses after the chart.
# Streamlit's frontend renders when the run's messages stop arriving: without a pause the chart
# waits for the last of the page's ~100 elements and is drawn with all of them; with one, the
# chart leaves at once (the pause frees the GIL for the server's event loop) and the browser
# draws it while the rest of the run is computed.
CHART_LEAD_S = 0.01


class SentFigure(go.Figure):
    """A chart's plain data (`fg.overlay_spec`) for `st.plotly_chart`, sent without a Figure.

    Streamlit copies a Figure with `to_dict()` and validates a dict by building a Figure of it;
    building and copying the Figure took ~20% of a chart run's server time (measured on drag
    frames when they still went through `st.plotly_chart`). A Figure is all `st.plotly_chart`
    asks for and `to_dict()` all it calls on one (streamlit/elements/plotly_chart.py), so this
    one holds the data and gives it back with its numpy arrays base64-encoded in place, as
    `Figure.to_dict` does: the data is the chart's own, built for this one send. A test checks
    that the chart sent equals the Figure's.
    """

    def __init__(self, spec: dict[str, Any]) -> None:  # builds no Figure, on purpose
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        convert_to_base64(self._spec)
        return self._spec


@st.fragment
def live_chart(horizon: int, first: int, last: int) -> list[fg.Curve]:
    """The chart. A drag across the chart (a zoom) or a double-click on it (show all) reruns the
    whole page: the range entries and the link follow it. While an editor slider is dragged, only
    `frames` reruns, for each frame, and draws into this chart."""
    if session.take_chart_selected():
        st.rerun(scope="app")
    session.redraw_if_released()
    if not st.session_state.get(session.FULL_RUN):
        session.publish_live()  # this fragment's run (zoom, view options) changed what frames show
    curves = chart(session.studio(), horizon, first, last)
    waiting = session.chart_first() if curves else None
    with st.container(gap=None):  # the chart's two invisible listeners take one gap, not two
        double_click.listener(session.SHOW_ALL_KEY, session.CHART, session.on_chart_show_all)
        frames()
    if waiting is not None:  # a new page: the rest waits until the chart is drawn
        first_chart.wait(waiting)
    else:
        time.sleep(CHART_LEAD_S)
    return curves


@st.fragment
def frames() -> None:
    """The live drag's follower (`live_drag`). A frame reruns this fragment alone: the chart of the
    value under the mouse goes to the follower, which draws it into the chart on the page."""
    session.redraw_if_released()
    current = session.live_studio()
    figure = None
    if current is not session.studio():
        figure = frame_json(current)
    live_drag.follower(
        session.LIVE_KEY,
        session.live_ack(),
        session.on_live_frame,
        session.SLIDER_KEYS,
        session.CHART,
        figure,
        session.live_token(),
        report_drawn=session.first_chart_report(),
    )


def frame_json(current: ss.Studio) -> str | None:
    """A live-drag frame: `current`'s chart over the range it shows, as Plotly JSON (None when
    nothing is shown). Reads no session state: `frame_route` calls it outside any run."""
    horizon = derived.horizon(current)
    first, last = fg.shown_range(current.view, horizon)
    drawn = chart_figure(current, horizon, first, last)
    return None if drawn is None else pio.to_json(drawn.figure, validate=False)


@dataclass(frozen=True)
class Drawn:
    """A chart to send: the figure, its curves, the selected configuration's marks (empty unless
    the chart overlays the curves) and the caption above a difference chart."""

    figure: go.Figure
    curves: list[fg.Curve]
    marks: list[fg.Mark]
    caption: str | None = None


def chart(current: ss.Studio, horizon: int, first: int, last: int) -> list[fg.Curve]:
    """Draw the chart of `current` (or say there is nothing to draw); return its curves."""
    # The spinner shows only when sampling takes over half a second (an uncached range where
    # every float32 step must be evaluated, e.g. short PolynomialDecay cycles over 10^10+ steps).
    with st.spinner(tr("chart.sampling")):
        drawn = chart_figure(current, horizon, first, last)
    if drawn is None:
        st.info(tr("chart.nothing"))
        return []
    if drawn.caption:
        st.caption(drawn.caption)
    selected = current.current
    st.plotly_chart(
        drawn.figure,
        key=session.CHART,
        config=fg.chart_config(selected.name if selected else "lrviz", current.view.image_format),
        width="stretch",
        on_select=session.on_chart_select,
        selection_mode="box",
    )
    if (first, last) != (0, horizon):
        st.caption(tr("zoom.caption", first=f"{first:,}", last=f"{last:,}", stop=f"{horizon:,}"))
    if drawn.marks:
        box = lazy_expander(tr("marks.title", name=ss.plain_markdown(selected.name)), "marks")
        if box.open:
            with box:
                st.dataframe(
                    fg.mark_rows(drawn.marks, current.view), hide_index=True, width="stretch"
                )
                st.caption(tr("marks.float32"))
    return drawn.curves


def chart_figure(current: ss.Studio, horizon: int, first: int, last: int) -> Drawn | None:
    """The chart of `current` over [first, last] (None when no configuration is shown); no
    Streamlit element is written and no session state read (`frame_route` calls it outside any
    run), so its text is in `current`'s language."""
    view = current.view
    shown = current.visible()
    if not shown:
        return None
    side = view.mode == "side"
    columns = 400 if side and len(shown) > 1 else fg.DEFAULT_COLUMNS
    curves = [curve_of(e, view.run, first, last, columns) for e in shown]
    selected = current.current
    if view.mode == "diff":
        ref_entry = current.reference
        reference = curve_of(ref_entry, view.run, first, last, columns)
        spec = fg.difference_spec(curves, reference, view, last, start=first)
        caption = t("chart.diff_caption", view.lang, name=ss.plain_markdown(ref_entry.name))
        return Drawn(SentFigure(spec), curves, [], caption)
    if side:
        return Drawn(fg.side_by_side_figure(curves, view, last, start=first), curves, [])
    marked = [c for c, e in zip(curves, shown) if selected and e.id == selected.id]
    marks: list[fg.Mark] = []
    phases: list[formulas.Phase] = []
    companions: list[fg.Companion] = []
    family: list[fg.Curve] = []
    if marked:
        marks = fg.find_marks(marked[0], last)
        phases = formulas.phases(marked[0].schedule, last + 1)
        companions = companion_curves(view, selected, marked[0], first, last, horizon)
        family = family_curves(view, selected, first, last, columns)
    spec = fg.overlay_spec(
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
    return Drawn(SentFigure(spec), curves, marks)


@st.cache_data(max_entries=512, show_spinner=False)
def sampled(
    config_json: str, start: int, stop: int, columns: int, path: str = "eager"
) -> tuple[Any, Any]:
    """Plotted steps and values of one configuration (cached: unchanged curves cost nothing)."""
    schedule = schedules_from_json(config_json)[0].on_path(path)
    curve = fg.make_curve("", schedule, 0, stop, columns, start=start)
    return curve.steps, curve.values


def curve_of(entry: ss.OpenConfig, path: str, start: int, stop: int, columns: int) -> fg.Curve:
    config_json = json.dumps(entry.config, sort_keys=True)
    steps, values = sampled(config_json, start, stop, columns, path)
    return fg.Curve(entry.name, entry.schedule().on_path(path), entry.colour, steps, values)


def curve_of_config(
    label: str, config: dict[str, Any], colour: int, path: str, start: int, stop: int, columns: int
) -> fg.Curve:
    """A curve of a Keras config that is not open (a sweep's member), sampled like one."""
    config_json = json.dumps(config, sort_keys=True)
    steps, values = sampled(config_json, start, stop, columns, path)
    schedule = schedules_from_json(config_json)[0].on_path(path)
    return fg.Curve(label, schedule, colour, steps, values)


def family_curves(
    view: ss.View, entry: ss.OpenConfig, first: int, last: int, columns: int
) -> list[fg.Curve]:
    """The sweep's members that are valid configurations, sampled like any open one."""
    found = sw.parse(entry.schedule(), view.sweep)
    if found is None:
        return []
    return [
        curve_of_config(
            found.label(value), member.to_keras(), entry.colour, view.run, first, last, columns
        )
        for value, member in sw.members(entry.schedule(), found)
        if not isinstance(member, ConfigError)
    ]


def companion_curves(
    view: ss.View, entry: ss.OpenConfig, curve: fg.Curve, first: int, last: int, horizon: int
) -> list[fg.Companion]:
    """The translations chosen for the chart, at the Keras curve's plotted steps."""
    chosen = derived.chosen_companions(view)
    if not chosen:
        return []
    found = derived.translations_of(entry, first, last, horizon)
    return [
        fg.Companion(
            t("xlate.label", view.lang, framework=found[i].translation.framework, name=entry.name),
            entry.colour,
            curve.steps,
            found[i].plotted_values,
        )
        for i in chosen
        if i < len(found)
    ]
