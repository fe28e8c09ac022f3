"""Plotly figures of schedules: overlay, side by side, difference, and the marks of one schedule.

Every plotted value is `schedule(step)` at an integer step chosen by `lrviz.sampling` (a few
thousand points that draw exactly what every step would); nothing is interpolated or re-derived
here. Learning rates travel as float32 arrays, steps as float64 (exact up to 2^53). Labels from
users are HTML-escaped because Plotly renders some HTML in names, titles and hover text.
"""

from __future__ import annotations

import html
import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, ParamSpec

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from lrviz.engine import Schedule
from lrviz.i18n import t
from lrviz.limits import MAX_STEPS
from lrviz.payloads import file_name
from lrviz.sampling import DEFAULT_COLUMNS, drawn, sample_steps
from lrviz.state import View, plain_markdown
from lrviz.teaching import Phase, phase_at

P = ParamSpec("P")

# The seven named colours of Streamlit's palette, set to these values in .streamlit/config.toml,
# so a `:blue[●]` next to a configuration's name is the colour of its curve.
PALETTE: dict[str, str] = {
    "blue": "#1f6fc5",
    "orange": "#e8710a",
    "green": "#1e9e4a",
    "red": "#d62f2f",
    "violet": "#8b4fd6",
    "gray": "#6b6b6b",
    "yellow": "#b58900",
}
COLOUR_NAMES = tuple(PALETTE)
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
MIN_AUTO_HORIZON = 10
AUTO_MARGIN = 0.1
MAX_MARK_LINES = 40
MAX_MARKS = 200
SIDE_COLUMNS = 3
CHART_HEIGHT = 580
SIDE_ROW_HEIGHT = 240
MAX_PHASE_BANDS = 60
MAX_LABELLED_PHASES = 6
PHASE_FILLS = ("rgba(31, 111, 197, 0.07)", "rgba(107, 107, 107, 0.05)")
CURSOR_COLOUR = "#1d2430"
# Fixed margins (px) that hold the axes' tick labels and titles, the legend and the top axis.
# Plotly's `automargin` would find them itself, but it redraws the chart to do so: that doubles
# what every redraw costs in the browser (~30 -> ~14 ms here), on each slider move. Nor does
# Plotly check each redraw whether a tick label passes the chart's edge (`ticklabeloverflow:
# "allow"`; its check measures every label in the page, ~5-10 ms a redraw): the right margin
# holds half of the longest label Plotly writes on a linear axis ("1.2345M", 7 characters at
# `TICK_CHAR_PX` at most), and the top axis leaves out a label of its own that would not fit.
TICK_CHAR_PX = 7
MARGIN = {"l": 78, "r": 24, "t": 100, "b": 48}
PLOT_HEIGHT = CHART_HEIGHT - MARGIN["t"] - MARGIN["b"]
# Labels on the chart never collide: the phase labels sit in a strip at the top of the plot that
# no curve, mark line or cursor enters (`LABEL_STRIP` px), a peak's label in the room below it
# (`TOP_ROOM` px in all, kept free by the y range); a phase label is shown only when its
# estimated width fits its band on the narrowest plot the page draws (`NARROWEST_PLOT` px, the
# chart at an 800 px window). Repeated marks (restarts, boundaries, stairs) are labelled in their
# hover and the marks table, not on the chart.
LABEL_STRIP = 18
TOP_ROOM = 46
NARROWEST_PLOT = 370
CHART_LABELS = ("start", "peak", "floor", "nan", "nan_step")
LABEL_DIGITS = 4
COMPANION_DASHES = ("dot", "dashdot", "longdashdot", "dash", "longdash")


def plotly_text(text: str) -> str:
    """User text for Plotly's text renderer, which reads some HTML: `<`, `>` and `&` escaped.

    Quotes are left alone: Plotly decodes `&lt;`, `&gt;` and `&amp;` but not `&quot;`, and a
    quote cannot start a tag.
    """
    return html.escape(text, quote=False)


def colour_name(index: int) -> str:
    """The Streamlit colour name of a configuration's colour index."""
    return COLOUR_NAMES[index % len(COLOUR_NAMES)]


def line_style(index: int) -> tuple[str, str]:
    """(colour, dash) of a colour index: colours cycle first, then dash styles."""
    return PALETTE[colour_name(index)], DASHES[(index // len(PALETTE)) % len(DASHES)]


def format_lr(value: float | np.floating) -> str:
    """A learning rate at full precision: the shortest text that reads back to the same float32."""
    return str(np.float32(value))


def auto_horizon(schedules: Sequence[Schedule]) -> int:
    """The end of the longest schedule plus a margin (at least `MIN_AUTO_HORIZON` steps, at most
    `MAX_STEPS`: the step widgets go no further)."""
    end = max((s.settles_at() for s in schedules), default=0)
    return min(MAX_STEPS, max(MIN_AUTO_HORIZON, math.ceil(end * (1 + AUTO_MARGIN))))


def horizon(view: View, schedules: Sequence[Schedule]) -> int:
    """The last step shown: set by hand, or automatic when `view.horizon` is 0."""
    return view.horizon or auto_horizon(schedules)


def shown_range(view: View, stop: int) -> tuple[int, int]:
    """The steps [first, last] on screen: the zoom inside [0, stop] (`stop`: the horizon).

    `view.zoom_to` 0 means the horizon; a zoom that starts at or after its end shows its last step
    and the one before it, so the range is never empty.
    """
    last = view.zoom_to or stop
    first = min(view.zoom_from, last - 1)
    return max(0, first), max(1, last)


def dragged_steps(span: Sequence[float], steps_per_unit: int = 1) -> tuple[int, int]:
    """The whole steps [first, last] a drag across the chart covers (x in plot units: steps, or
    epochs of `steps_per_unit` steps); at least two steps, never below step 0."""
    low, high = sorted(float(x) * steps_per_unit for x in span)
    first = max(0, math.floor(low))
    return first, max(first + 1, math.ceil(high))


@dataclass(frozen=True, eq=False)
class Curve:
    """One configuration's plotted points: `values == schedule(steps)`."""

    label: str
    schedule: Schedule
    colour: int
    steps: np.ndarray
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class Companion:
    """A curve that is not a Keras schedule (another framework's translation): drawn dotted in
    the colour of the configuration it translates."""

    label: str
    colour: int
    steps: np.ndarray
    values: np.ndarray


def make_curve(
    label: str,
    schedule: Schedule,
    colour: int,
    stop: int,
    columns: int = DEFAULT_COLUMNS,
    *,
    start: int = 0,
) -> Curve:
    """Sample `schedule` on [start, stop] for a chart `columns` pixels wide."""
    steps = sample_steps(schedule, start, stop, columns)
    return Curve(label, schedule, colour, steps, schedule(steps))


# ---------------------------------------------------------------------------------------------
# Marks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A point worth naming on the selected curve: `kind` is a locale key suffix (`mark.<kind>`)."""

    kind: str
    step: int
    value: float
    # Where the marker is drawn when `value` cannot be (NaN from here: the value just before).
    drawn_at: float | None = None


def find_marks(curve: Curve, stop: int) -> list[Mark]:
    """The start, peak, floor, restarts, boundaries (...) of a curve, each with its exact value."""
    schedule = curve.schedule
    breaks = schedule.breakpoints(stop)
    breaks = np.zeros(0, dtype=np.int64) if breaks is None else breaks[:MAX_MARKS]
    finite = np.isfinite(curve.values)
    peak_step = None
    if finite.any():
        values = np.where(finite, curve.values, -np.inf)
        peak_step = int(curve.steps[int(np.argmax(values))])
    floor_step = _floor_step(curve, stop)
    steps = np.union1d(np.array([0], dtype=np.int64), breaks)
    if peak_step is not None and peak_step != 0:
        steps = np.union1d(steps, [peak_step])
    # The first NaN / inf plotted (the sampler keeps it exactly), a breakpoint or not.
    steps = np.union1d(steps, curve.steps[~finite][:1])
    values = schedule(steps)
    before = schedule(np.maximum(steps - 1, 0))
    after = schedule(steps + 1)
    marks = []
    for step, value, previous, following in zip(
        steps.tolist(), values.tolist(), before.tolist(), after.tolist()
    ):
        if not math.isfinite(value):
            # NaN from here, or at this step alone (TensorFlow's XLA at a PolynomialDecay's end).
            kind = "nan" if not math.isfinite(following) else "nan_step"
            marks.append(Mark(kind, step, value, previous if math.isfinite(previous) else None))
            continue
        if step == floor_step:
            kind = "floor"
        elif step == peak_step:
            kind = "peak"
        elif step == 0:
            kind = "start"
        else:
            kind = schedule.spec.mark_kind
        marks.append(Mark(kind, step, value))
    return marks


def _floor_step(curve: Curve, stop: int) -> int | None:
    """The step from which the plotted curve stays at one value, if it settles before `stop`."""
    settle = curve.schedule.settles_at()
    if settle >= stop:
        return None
    after = curve.values[curve.steps >= settle]
    floor = curve.schedule(np.int64(settle))
    if after.size and np.all(after == floor):
        return settle
    return None


def short_lr(value: float | np.floating) -> str:
    """A learning rate for a label on the chart: `LABEL_DIGITS` significant digits (the exact
    float32 is in the hover, the tables and the exports)."""
    return f"{float(value):.{LABEL_DIGITS}g}"


def mark_label(mark: Mark, lang: str, exact: bool = True) -> str:
    if not math.isfinite(mark.value):  # "NaN from here" / "NaN at this step" says it all
        return t(f"mark.{mark.kind}", lang)
    value = format_lr(mark.value) if exact else short_lr(mark.value)
    return t("mark.label", lang, kind=t(f"mark.{mark.kind}", lang), value=value)


def label_width(text: str, size: float = 10) -> float:
    """An estimate of a label's width in px (wide for CJK characters), on the safe side."""
    wide = sum(1 for c in text if ord(c) >= 0x2E80)
    return size * (0.62 * (len(text) - wide) + 1.05 * wide) + 6


def mark_rows(marks: Sequence[Mark], view: View) -> pd.DataFrame:
    """The marks as a table: what, step, epoch, exact learning rate."""
    lang = view.lang
    return pd.DataFrame(
        {
            t("table.mark", lang): [t(f"mark.{m.kind}", lang) for m in marks],
            t("table.step", lang): [m.step for m in marks],
            t("table.epoch", lang): [m.step / view.steps_per_epoch for m in marks],
            t("table.lr", lang): [format_lr(m.value) for m in marks],
        }
    )


def step_table(
    labels: Sequence[str], schedules: Sequence[Schedule], step: int, lang: str
) -> pd.DataFrame:
    """Every configuration's learning rate at one step, at full precision, and its phase there."""
    return pd.DataFrame(
        {
            t("table.name", lang): list(labels),
            t("table.class", lang): [s.class_name for s in schedules],
            t("table.lr", lang): [format_lr(s(np.int64(step))) for s in schedules],
            t("cursor.phase", lang): [phase_at(s, step).label(lang) for s in schedules],
        }
    )


def markdown_table(table: pd.DataFrame) -> str:
    """A table as GitHub Markdown with every header and cell escaped to its literal text.

    The studio's step table is drawn this way instead of as a data grid: Streamlit's Markdown is
    already on the page, while the grid costs the first visit ~1.6 MB of extra scripts. Cells
    stay the strings they were: tabulate would re-read a column of plain digits as numbers
    (1000000 as 1e+06, a name 007 as 7).
    """
    escaped = table.map(plain_markdown).rename(columns=plain_markdown)
    return escaped.to_markdown(index=False, disable_numparse=True)


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def _x(steps: np.ndarray, view: View) -> np.ndarray:
    """Plot coordinates of steps: steps, or epochs when the view says so.

    Steps travel as the smallest unsigned integer type Plotly.js reads (uint64 arrays are narrowed
    to uint8/16/32 by plotly.py); past 2^32 as float64, exact up to 2^53.
    """
    steps = np.asarray(steps)
    if view.x_unit == "epochs":
        return steps.astype(np.float64) / view.steps_per_epoch
    if steps.size and (steps.min() < 0 or steps.max() > np.iinfo(np.uint32).max):
        return steps.astype(np.float64)
    return steps.astype(np.uint64)


def _other(steps: np.ndarray, view: View) -> np.ndarray:
    """Each point's position in the unit the x axis does not show, for the hover (`customdata`):
    the epoch as float32 (4 bytes a point; the hover shows 6 digits), or the exact step."""
    steps = np.asarray(steps)
    if view.x_unit == "epochs":
        return _x(steps, replace(view, x_unit="steps"))
    return (steps.astype(np.float64) / view.steps_per_epoch).astype(np.float32)


def _where(view: View) -> str:
    """The hover's position line: step and epoch, the axis's unit first (from `x`, the other
    from `customdata`, see `_other`)."""
    step, epoch = t("chart.step", view.lang), t("chart.epoch", view.lang)
    if view.x_unit == "epochs":
        return f"{epoch} %{{x:,.10~g}} · {step} %{{customdata:,.0f}}"
    return f"{step} %{{x:,.0f}} · {epoch} %{{customdata:,.6~g}}"


def _where_text(step: int, view: View) -> str:
    """The position line of one step, written out (for hovers whose `customdata` is taken)."""
    words = {u: t(f"chart.{u.rstrip('s')}", view.lang) for u in ("steps", "epochs")}
    at = {"steps": f"{step:,}", "epochs": f"{step / view.steps_per_epoch:,.10g}"}
    first, second = ("epochs", "steps") if view.x_unit == "epochs" else ("steps", "epochs")
    return f"{words[first]} {at[first]} · {words[second]} {at[second]}"


def _hover(view: View, lr_words: str) -> str:
    """Hover of a curve: where, and the learning rate to 8 significant digits.

    Per-point exact text would triple the chart's bytes; the exact float32 values are in the
    cursor's hover, the marks, the step table and the CSV export.
    """
    words = f"{lr_words} " if lr_words else ""
    return f"{_where(view)}<br>{words}%{{y:.8~g}}<extra>%{{fullData.name}}</extra>"


def _trace(curve: Curve, view: View, **extra: Any) -> dict[str, Any]:
    colour, dash = line_style(curve.colour)
    steps, values = drawn(curve.steps, np.asarray(curve.values, dtype=np.float32))
    return {
        "type": "scatter",
        "x": _x(steps, view),
        "y": values,
        "customdata": _other(steps, view),
        "name": plotly_text(curve.label),
        "mode": "lines",
        "line": {"color": colour, "dash": dash, "width": 2},
        "hovertemplate": _hover(view, t("chart.lr", view.lang)),
        **extra,
    }


def _companion_trace(companion: Companion, view: View, index: int) -> dict[str, Any]:
    colour, _ = line_style(companion.colour)
    steps, values = drawn(companion.steps, np.asarray(companion.values, dtype=np.float64))
    return {
        "type": "scatter",
        "x": _x(steps, view),
        "y": values,
        "customdata": _other(steps, view),
        "name": plotly_text(companion.label),
        "mode": "lines",
        "line": {
            "color": colour,
            "dash": COMPANION_DASHES[index % len(COMPANION_DASHES)],
            "width": 1.5,
        },
        "opacity": 0.85,
        "hovertemplate": _hover(view, t("chart.lr", view.lang)),
    }


def _family_traces(family: Sequence[Curve], view: View) -> list[dict[str, Any]]:
    """A sweep's members: thinner lines in a dark-to-light ramp, in the order of their values."""
    if not family:
        return []
    ramp = sample_colorscale(
        "Viridis", [0.85 * i / max(1, len(family) - 1) for i in range(len(family))]
    )
    traces = []
    for curve, colour in zip(family, ramp):
        trace = _trace(curve, view, meta="sweep")
        trace["line"] = {"color": colour, "dash": "solid", "width": 1.5}
        traces.append(trace)
    return traces


def _position(step: int, view: View) -> float:
    """The plot coordinate of one step."""
    return step / view.steps_per_epoch if view.x_unit == "epochs" else float(step)


# What "plotly_white" sets for subplots and colour scales these charts never have: 80% of its bytes,
# sent, parsed and merged by Plotly.js with every chart.
_UNUSED_TEMPLATE_LAYOUT = ("polar", "ternary", "scene", "geo", "coloraxis", "colorscale")


@cache
def _template() -> dict[str, Any]:
    """Plotly's "plotly_white" template as plain data (Plotly.js does not know template names),
    the parts a chart of scatter traces on x/y axes uses: the scatter traces' defaults and the
    layout's, without other trace types, polar, ternary, 3D and map subplots or colour scales."""
    full = pio.templates["plotly_white"].to_plotly_json()
    layout = {k: v for k, v in full["layout"].items() if k not in _UNUSED_TEMPLATE_LAYOUT}
    return {"data": {"scatter": full["data"]["scatter"]}, "layout": layout}


def figure_of(spec: dict[str, Any]) -> go.Figure:
    """A Figure of a chart's plain data (`overlay_spec`, `difference_spec`), without plotly.py's
    validation.

    Validating a chart's traces, shapes and template costs ~10x more than building them; the
    builders here write only keys Plotly.js knows (the tests send every figure through
    `plotly.io.to_json` and check what arrives).
    """
    return go.Figure(spec, _validate=False)


def _as_figure(spec: Callable[P, dict[str, Any]]) -> Callable[P, go.Figure]:
    """The builder of `spec`'s chart as a Figure (`figure_of`), with `spec`'s parameters."""

    def figure(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return figure_of(spec(*args, **kwargs))

    figure.__name__ = figure.__qualname__ = spec.__name__.removesuffix("_spec") + "_figure"
    figure.__doc__ = f"`{spec.__name__}` as a Figure: {spec.__doc__}"
    figure.__signature__ = inspect.signature(spec).replace(return_annotation="go.Figure")
    return figure


def _layout(view: View, stop: int, y_title: str, log_y: bool, start: int = 0) -> dict[str, Any]:
    return {
        "template": _template(),
        "height": CHART_HEIGHT,
        "margin": MARGIN,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.16, "x": 0},
        "hovermode": "closest",
        "font": {"family": "sans-serif"},
        # A drag selects a range of steps (the studio zooms to it and samples again); Plotly's
        # own zoom would only stretch the points already drawn, so the axes are fixed.
        "dragmode": "select",
        "selectdirection": "h",
        "xaxis": {
            "range": [_position(start, view), _position(stop, view)],
            "fixedrange": True,
            "showspikes": True,
            "automargin": False,
            "ticklabeloverflow": "allow",
            "title": {"text": t(f"chart.axis_{view.x_unit}", view.lang), "standoff": 8},
        },
        # On a log axis, label the powers of ten only (Plotly's 2..9 minor labels crowd it).
        "yaxis": {
            "type": "log" if log_y else "linear",
            "exponentformat": "e",
            "fixedrange": True,
            "automargin": False,
            "ticklabeloverflow": "allow",
            "title": {"text": y_title, "standoff": 8},
            **({"dtick": 1} if log_y else {}),
        },
        "shapes": [],
        "annotations": [],
    }


def _linked_axis(
    data: list[dict[str, Any]], layout: dict[str, Any], view: View, stop: int, start: int = 0
) -> None:
    """A second x axis on top in the other unit, bound to the main one (`matches`)."""
    if view.x_unit == "steps":
        spe = view.steps_per_epoch
        other, ticks = "epochs", nice_ticks(start / spe, stop / spe)
        positions = ticks * spe
    else:
        other, ticks = "steps", nice_ticks(float(start), float(stop))
        positions = ticks / view.steps_per_epoch
    # Plotly draws an axis only when a trace uses it: an empty marker trace (no line).
    data.append(
        {
            "type": "scatter",
            "x": [_position(start, view)],
            "y": [None],
            "xaxis": "x2",
            "mode": "markers",
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    low, high = _position(start, view), _position(stop, view)
    labels = [
        (position, text)
        for position, text in zip(positions.tolist(), (f"{v:,.10g}" for v in ticks.tolist()))
        if low <= position <= high and _fits_right_edge(text, (high - position) / (high - low))
    ]
    layout["xaxis2"] = {
        "overlaying": "x",
        "matches": "x",
        "side": "top",
        "tickmode": "array",
        "tickvals": [position for position, _ in labels],
        "ticktext": [text for _, text in labels],
        "title": {"text": t(f"chart.axis_{other}", view.lang), "standoff": 6},
        "showgrid": False,
        "automargin": False,
        "ticklabeloverflow": "allow",
    }


def _fits_right_edge(label: str, from_right: float) -> bool:
    """Whether a tick label centred `from_right` of the plot's width left of its right end stays
    inside the chart on the narrowest plot the page draws."""
    return len(label) * TICK_CHAR_PX / 2 <= MARGIN["r"] + from_right * NARROWEST_PLOT


def nice_ticks(low: float, high: float, count: int = 8) -> np.ndarray:
    """About `count` round tick values (1, 2 or 5 times a power of ten apart) in [low, high]."""
    if high <= low:
        return np.array([low])
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return np.arange(first, high + step / 2, step)


def _vline(x: float, line: dict[str, Any]) -> dict[str, Any]:
    """A vertical line up to the label strip at the top of the plot."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1 - LABEL_STRIP / PLOT_HEIGHT,
        "line": line,
    }


def _hline(y: float, line: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "paper",
        "yref": "y",
        "x0": 0,
        "x1": 1,
        "y0": y,
        "y1": y,
        "line": line,
    }


def overlay_spec(
    curves: Sequence[Curve],
    view: View,
    stop: int,
    marks: Sequence[Mark] = (),
    marked: int = 0,
    *,
    start: int = 0,
    cursor: int | None = None,
    phases: Sequence[Phase] = (),
    companions: Sequence[Companion] = (),
    family: Sequence[Curve] = (),
) -> dict[str, Any]:
    """All curves on one chart, with the marks and phases of one of them (colour index `marked`),
    a cursor (one marker per curve at step `cursor`, with its exact value and phase), the
    companions (translations) dotted beside them and a sweep's `family` in a colour ramp; as
    plain data ({"data": traces, "layout": layout}, numpy arrays inside), which the page sends
    without building a Figure (`overlay_figure` builds one)."""
    data = [_trace(c, view) for c in curves]
    data += [_companion_trace(c, view, index) for index, c in enumerate(companions)]
    data += _family_traces(family, view)
    layout = _layout(view, stop, t("chart.lr", view.lang), view.log_y, start)
    shown = [c.values for c in (*curves, *companions, *family)]
    shown.append(np.array([m.value for m in marks if start <= m.step <= stop]))
    y_range = labelled_range(shown, view.log_y)
    if y_range is not None:
        layout["yaxis"]["range"] = y_range
    _linked_axis(data, layout, view, stop, start)
    if phases:
        _add_phases(layout, phases, view, start, stop)
    if marks:
        _add_marks(data, layout, marks, view, start, stop, line_style(marked)[0])
    if cursor is not None and start <= cursor <= stop and curves:
        _add_cursor(data, layout, curves, cursor, view)
    return {"data": data, "layout": layout}


overlay_figure = _as_figure(overlay_spec)


def _add_marks(
    data: list[dict[str, Any]],
    layout: dict[str, Any],
    marks: Sequence[Mark],
    view: View,
    start: int,
    stop: int,
    colour: str,
) -> None:
    """The marks as markers with their exact values in the hover; start, peak, floor and NaN also
    labelled on the chart (rounded), each placed where its own curve is not: above a peak, below
    a floor, beside a start, towards the middle of the chart."""
    lang = view.lang
    marks = [m for m in marks if start <= m.step <= stop]
    if not marks:
        return
    steps = np.array([m.step for m in marks], dtype=np.int64)
    middle = start + 0.5 * (stop - start)
    data.append(
        {
            "type": "scatter",
            "x": _x(steps, view),
            "y": np.array(
                [m.value if m.drawn_at is None else m.drawn_at for m in marks], dtype=np.float32
            ),
            "customdata": _other(steps, view),
            "text": [
                plotly_text(mark_label(m, lang, exact=False)) if m.kind in CHART_LABELS else ""
                for m in marks
            ],
            "hovertext": [plotly_text(mark_label(m, lang)) for m in marks],
            "mode": "markers+text",
            "textposition": [_label_position(m, m.step > middle) for m in marks],
            "textfont": {"size": 11, "color": colour},
            "marker": {"size": 9, "color": colour, "symbol": "diamond", "line": {"width": 1}},
            "name": plotly_text(t("chart.marks", lang)),
            "hovertemplate": f"{_where(view)}<br>%{{hovertext}}<extra>%{{fullData.name}}</extra>",
            "showlegend": False,
        }
    )
    line = {"dash": "dot", "width": 1, "color": colour}
    if len(marks) <= MAX_MARK_LINES:
        layout["shapes"] += [_vline(_position(m.step, view), line) for m in marks if m.step > start]
    layout["shapes"] += [_hline(float(m.value), line) for m in marks if m.kind == "floor"]


def _label_position(mark: Mark, right_half: bool) -> str:
    """Where a mark's label goes: off its own curve (which lies below a peak, above a floor)."""
    side = "left" if right_half else "right"
    return f"{'bottom' if mark.kind == 'floor' else 'top'} {side}"


def labelled_range(
    arrays: Sequence[np.ndarray], log: bool, pad: float = 0.05
) -> list[float] | None:
    """A y range holding every finite value with `TOP_ROOM` px free above them for the labels."""
    span = value_range(arrays, log, pad)
    if span is None:
        return None
    low, high = span
    room = TOP_ROOM / PLOT_HEIGHT
    return [low, high + room / (1 - room) * (high - low)]


def _add_phases(
    layout: dict[str, Any], phases: Sequence[Phase], view: View, start: int, stop: int
) -> None:
    """Shade the phases (warmup, decay, floor, cycles ...) in alternating bands, labelled at the
    top when there are few enough to read."""
    shown = [p for p in phases if p.start <= stop and (p.end is None or p.end > start)]
    labelled = len(shown) <= MAX_LABELLED_PHASES
    scale = NARROWEST_PLOT / (_position(stop, view) - _position(start, view))
    for index, phase in enumerate(shown[:MAX_PHASE_BANDS]):
        low = _position(max(phase.start, start), view)
        high = _position(stop if phase.end is None else min(phase.end, stop), view)
        layout["shapes"].append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": low,
                "x1": high,
                "y0": 0,
                "y1": 1,
                "fillcolor": PHASE_FILLS[index % len(PHASE_FILLS)],
                "line": {"width": 0},
                "layer": "below",
            }
        )
        label = phase.label(view.lang)
        if labelled and label_width(label) <= (high - low) * scale:
            layout["annotations"].append(
                {
                    "text": plotly_text(label),
                    "x": (low + high) / 2,
                    "xref": "x",
                    "xanchor": "center",
                    "y": 1,
                    "yref": "paper",
                    "yanchor": "top",
                    "showarrow": False,
                    "font": {"size": 10, "color": "#6b6b6b"},
                }
            )


def cursor_rows(curves: Sequence[Curve], step: int, lang: str) -> list[tuple[str, float, str]]:
    """(label, exact value, phase) of every curve at one step."""
    rows = []
    for curve in curves:
        value = curve.schedule(np.int64(step))
        phase = phase_at(curve.schedule, step).label(lang)
        rows.append((curve.label, float(value), phase))
    return rows


def _add_cursor(
    data: list[dict[str, Any]],
    layout: dict[str, Any],
    curves: Sequence[Curve],
    step: int,
    view: View,
) -> None:
    """The step cursor: a vertical line and one marker per curve, hover with exact values."""
    lang = view.lang
    position = _position(step, view)
    layout["shapes"].append(_vline(position, {"width": 1.5, "color": CURSOR_COLOUR}))
    rows = cursor_rows(curves, step, lang)
    data.append(
        {
            "type": "scatter",
            "x": [position] * len(rows),
            "y": np.array([value for _, value, _ in rows], dtype=np.float32),
            "text": [
                plotly_text(t("chart.cursor_hover", lang, value=format_lr(v), phase=phase))
                for _, v, phase in rows
            ],
            "customdata": [plotly_text(label) for label, _, _ in rows],
            "mode": "markers",
            "marker": {
                "size": 11,
                "color": [line_style(c.colour)[0] for c in curves],
                "line": {"width": 2, "color": "white"},
            },
            "name": plotly_text(t("chart.cursor", lang)),
            "hovertemplate": (
                f"{plotly_text(_where_text(step, view))}<br>%{{text}}<extra>%{{customdata}}</extra>"
            ),
            "showlegend": False,
        }
    )


def side_by_side_figure(
    curves: Sequence[Curve], view: View, stop: int, *, start: int = 0
) -> go.Figure:
    """One small chart per curve, all on shared axes."""
    count = max(1, len(curves))
    columns = min(SIDE_COLUMNS, count)
    rows = math.ceil(count / columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        shared_xaxes="all",
        shared_yaxes="all",
        subplot_titles=[plotly_text(c.label) for c in curves],
        vertical_spacing=min(0.12, 0.5 / rows),
        horizontal_spacing=0.04,
    )
    for i, curve in enumerate(curves):
        fig.add_trace(
            _trace(curve, view, showlegend=False), row=i // columns + 1, col=i % columns + 1
        )
    layout = _layout(view, stop, t("chart.lr", view.lang), view.log_y, start)
    for name in ("xaxis", "yaxis", "shapes", "annotations"):
        layout.pop(name)
    fig.update_layout(layout)
    # No legend and no top axis here: only the subplot titles sit above the charts.
    fig.update_layout(height=SIDE_ROW_HEIGHT * rows + 80, margin={**MARGIN, "t": 40})
    fig.update_xaxes(
        range=[_position(start, view), _position(stop, view)],
        fixedrange=True,
        showspikes=True,
        automargin=False,
    )
    fig.update_yaxes(
        type="log" if view.log_y else "linear",
        exponentformat="e",
        fixedrange=True,
        automargin=False,
    )
    if view.log_y:
        fig.update_yaxes(dtick=1)
    fig.update_xaxes(title_text=t(f"chart.axis_{view.x_unit}", view.lang), row=rows)
    # Plotly.js cannot autorange y axes joined by `matches`: give them the common range.
    fig.update_yaxes(range=value_range([c.values for c in curves], view.log_y))
    return fig


def value_range(arrays: Sequence[np.ndarray], log: bool, pad: float = 0.05) -> list[float] | None:
    """A y range holding every finite value (in log10 units for a log axis), with some padding."""
    values = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays] or [[]])
    values = values[np.isfinite(values) & ((values > 0) if log else True)]
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    if log:
        low, high = math.log10(low), math.log10(high)
    span = high - low or (abs(high) or 1.0)
    return [low - pad * span, high + pad * span]


def difference_spec(
    curves: Sequence[Curve], reference: Curve, view: View, stop: int, *, start: int = 0
) -> dict[str, Any]:
    """Every curve minus the reference, at the union of both curves' plotted steps; as plain
    data (see `overlay_spec`; `difference_figure` builds a Figure)."""
    lang = view.lang
    data = []
    for curve in curves:
        steps = np.union1d(curve.steps, reference.steps)
        mine = curve.schedule(steps)
        theirs = reference.schedule(steps)
        steps, difference = drawn(steps, mine.astype(np.float64) - theirs.astype(np.float64))
        colour, dash = line_style(curve.colour)
        data.append(
            {
                "type": "scatter",
                "x": _x(steps, view),
                "y": difference,
                "customdata": _other(steps, view),
                "name": plotly_text(curve.label),
                "mode": "lines",
                "line": {"color": colour, "dash": dash, "width": 2},
                "hovertemplate": (
                    f"{_where(view)}<br>{t('chart.diff', lang)} %{{y:.8~g}}"
                    "<extra>%{fullData.name}</extra>"
                ),
            }
        )
    title = t("chart.diff_axis", lang, name=plotly_text(reference.label))
    layout = _layout(view, stop, title, log_y=False, start=start)
    _linked_axis(data, layout, view, stop, start)
    return {"data": data, "layout": layout}


difference_figure = _as_figure(difference_spec)


def chart_config(label: str, image_format: str) -> dict:
    """Plotly's modebar: box select and the image download button, which saves `label`
    (sanitised) as PNG or SVG."""
    return {
        "displaylogo": False,
        # Zooming is the studio's (a drag selects steps, a double-click shows all): Plotly's own
        # zoom tools, wheel zoom and double-click reset would leave the range entries, the link
        # and the sampling behind.
        "scrollZoom": False,
        "doubleClick": False,
        "modeBarButtonsToRemove": [
            "zoom2d",
            "pan2d",
            "lasso2d",
            "zoomIn2d",
            "zoomOut2d",
            "autoScale2d",
            "resetScale2d",
        ],
        "toImageButtonOptions": {
            "format": image_format,
            "filename": file_name(label, image_format).rsplit(".", 1)[0],
            "scale": 2,
        },
    }
