"""lrviz.figures: what the chart draws is the engine's `schedule(step)`, nothing else."""

from __future__ import annotations

import json
import math
import re
import time

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
from config_factory import POLY_NAN
from markdown_support import read_markdown_table
from plotly_support import plotly_array as array

import lrviz
from lrviz import figures as fg
from lrviz.keras_json import default_config
from lrviz.sampling import drawn, sample_steps
from lrviz.state import View


def schedule_of(class_name: str, **changes) -> lrviz.Schedule:
    schedule = lrviz.from_keras(default_config(class_name))
    return schedule.replace(**changes) if changes else schedule


def curve_of(schedule: lrviz.Schedule, stop: int = 20_000, colour: int = 0) -> fg.Curve:
    return fg.make_curve(schedule.name, schedule, colour, stop)


def sent(fig) -> dict:
    """The figure as the browser receives it."""
    return json.loads(pio.to_json(fig))


def curve_traces(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t.get("mode") == "lines"]


# --- what is plotted -------------------------------------------------------------------------


@pytest.mark.parametrize("class_name", list(lrviz.SCHEDULES))
def test_overlay_plots_the_engines_values_at_the_sampled_steps(class_name):
    schedule = schedule_of(class_name)
    stop = 3 * schedule.settles_at()
    spec = sent(fg.overlay_figure([curve_of(schedule, stop)], View(), stop))
    (trace,) = curve_traces(spec)
    x, y = array(trace["x"]), array(trace["y"])
    sampled = sample_steps(schedule, 0, stop)
    np.testing.assert_array_equal(x, drawn(sampled, schedule(sampled))[0])
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, schedule(x.astype(np.int64)))


@pytest.mark.parametrize(("stop", "x_type"), [(200, "u1"), (20_000, "u2"), (10**9, "u4")])
def test_curves_travel_as_float32_values_and_the_narrowest_integer_steps(stop, x_type):
    spec = sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"), stop)], View(), stop))
    (trace,) = curve_traces(spec)
    assert trace["y"]["dtype"] == "f4"
    assert trace["x"]["dtype"] == x_type


def test_steps_past_two_to_the_32nd_travel_as_float64():
    spec = sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"), 10**10)], View(), 10**10))
    assert curve_traces(spec)[0]["x"]["dtype"] == "f8"


def test_steps_beyond_two_to_the_53rd_are_not_needed_but_large_steps_stay_exact():
    schedule = schedule_of("ExponentialDecay", decay_steps=10**10)
    stop = 10**12
    spec = sent(fg.overlay_figure([curve_of(schedule, stop)], View(), stop))
    x = array(curve_traces(spec)[0]["x"])
    assert x[-1] == stop
    sampled = sample_steps(schedule, 0, stop)
    np.testing.assert_array_equal(x.astype(np.int64), drawn(sampled, schedule(sampled))[0])


def test_epochs_view_plots_step_over_steps_per_epoch():
    schedule = schedule_of("CosineDecay")
    view = View(x_unit="epochs", steps_per_epoch=300)
    (trace,) = curve_traces(sent(fg.overlay_figure([curve_of(schedule)], view, 20_000)))
    steps = drawn(*(lambda s: (s, schedule(s)))(sample_steps(schedule, 0, 20_000)))[0]
    np.testing.assert_array_equal(array(trace["x"]), steps / 300)
    np.testing.assert_array_equal(array(trace["y"]), schedule(steps))


def test_a_horizon_of_10_to_the_12_plots_a_few_thousand_points_quickly():
    schedule = schedule_of("CosineDecayRestarts", first_decay_steps=10**6)
    start = time.perf_counter()
    curve = fg.make_curve("r", schedule, 0, 10**12)
    assert time.perf_counter() - start < 5
    assert curve.steps.size <= 4 * fg.DEFAULT_COLUMNS + 2000


def test_curve_hover_shows_step_and_epoch_with_one_float32_per_point():
    view = View(steps_per_epoch=400)
    (trace,) = curve_traces(
        sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], view, 20_000))
    )
    assert "text" not in trace
    assert trace["customdata"]["dtype"] == "f4"
    steps = array(trace["x"]).astype(np.float64)
    np.testing.assert_array_equal(array(trace["customdata"]), (steps / 400).astype(np.float32))
    assert "step %{x:,.0f} · epoch %{customdata:,.6~g}" in trace["hovertemplate"]
    assert "%{y:.8~g}" in trace["hovertemplate"]


def test_epochs_hover_shows_the_epoch_then_the_exact_step():
    view = View(x_unit="epochs", steps_per_epoch=400)
    (trace,) = curve_traces(
        sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], view, 20_000))
    )
    assert "epoch %{x:,.10~g} · step %{customdata:,.0f}" in trace["hovertemplate"]
    np.testing.assert_array_equal(array(trace["customdata"]), np.rint(array(trace["x"]) * 400))


def cursor_trace(spec: dict) -> dict:
    (trace,) = [t for t in spec["data"] if t.get("name") == "cursor"]
    return trace


def test_cursor_puts_one_marker_per_curve_at_the_exact_value_with_its_phase():
    warm = schedule_of("CosineDecay", warmup_target=0.01, warmup_steps=1000)
    stairs = schedule_of("PiecewiseConstantDecay", name="steps <b>")
    curves = [curve_of(warm), curve_of(stairs, colour=1)]
    spec = sent(fg.overlay_figure(curves, View(), 20_000, cursor=500))
    trace = cursor_trace(spec)
    np.testing.assert_array_equal(array(trace["x"]), [500, 500])
    expected = [warm(np.int64(500)), stairs(np.int64(500))]
    np.testing.assert_array_equal(array(trace["y"]), np.array(expected, dtype=np.float32))
    assert trace["text"][0] == f"{fg.format_lr(expected[0])} · warmup"
    assert trace["customdata"][1] == "steps &lt;b&gt;"
    assert any(s.get("x0") == 500 for s in spec["layout"]["shapes"])


def test_cursor_outside_the_range_is_not_drawn():
    spec = sent(
        fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], View(), 20_000, cursor=30_000)
    )
    assert not [t for t in spec["data"] if t.get("name") == "cursor"]


def test_phases_are_shaded_between_their_edges_and_labelled():
    from lrviz import teaching as formulas

    schedule = schedule_of("CosineDecay", warmup_target=0.01, warmup_steps=4000, decay_steps=5000)
    phases = formulas.phases(schedule, 20_001)
    spec = sent(fg.overlay_figure([curve_of(schedule)], View(), 20_000, phases=phases))
    bands = [s for s in spec["layout"]["shapes"] if s["type"] == "rect"]
    assert [(b["x0"], b["x1"]) for b in bands] == [(0, 4000), (4000, 9000), (9000, 20_000)]
    labels = [a["text"] for a in spec["layout"]["annotations"]]
    assert [p.label("en") for p in phases] == [
        lab for lab in labels if lab in {p.label("en") for p in phases}
    ]


def test_zoomed_figure_spans_the_range_and_samples_inside_it():
    schedule = schedule_of("CosineDecayRestarts")
    curve = fg.make_curve("r", schedule, 0, 1_500, start=1_000)
    spec = sent(fg.overlay_figure([curve], View(), 1_500, start=1_000))
    x = array(curve_traces(spec)[0]["x"])
    np.testing.assert_array_equal(x, np.arange(1_000, 1_501))
    assert spec["layout"]["xaxis"]["range"] == [1000, 1500]


@pytest.mark.parametrize(
    ("zoom_from", "zoom_to", "expected"),
    [
        (0, 0, (0, 900)),
        (100, 0, (100, 900)),
        (100, 200, (100, 200)),
        (500, 300, (299, 300)),
        (0, 5000, (0, 5000)),
    ],
)
def test_shown_range(zoom_from, zoom_to, expected):
    assert fg.shown_range(View(zoom_from=zoom_from, zoom_to=zoom_to), 900) == expected


@pytest.mark.parametrize("value", [0.1, 1e-7, 3.3e-4, 0.0, 123.456, np.float32(0.001)])
def test_format_lr_reads_back_to_the_same_float32(value):
    assert np.float32(fg.format_lr(value)) == np.float32(value)


# --- names are text --------------------------------------------------------------------------


def test_names_are_html_escaped_in_traces_and_subplot_titles():
    schedule = schedule_of("CosineDecay", name="<b>bold</b> & <i>co</i>")
    curve = curve_of(schedule)
    overlay = sent(fg.overlay_figure([curve], View(), 20_000))
    assert curve_traces(overlay)[0]["name"] == "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;"
    side = sent(fg.side_by_side_figure([curve], View(), 20_000))
    titles = [a["text"] for a in side["layout"]["annotations"]]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;" in titles


def test_a_name_with_plotly_template_syntax_stays_out_of_the_hover_template():
    schedule = schedule_of("CosineDecay", name="%{y} %{x}")
    (trace,) = curve_traces(sent(fg.overlay_figure([curve_of(schedule)], View(), 20_000)))
    assert "%{y} %{x}" not in trace["hovertemplate"]


# --- axes ------------------------------------------------------------------------------------


def test_the_template_sent_is_plotly_whites_for_scatter_traces_on_x_and_y_axes():
    """The overlay and difference charts are scatter traces on x/y axes: those parts of
    "plotly_white" are sent as Plotly has them, and nothing else (no other trace types, polar, 3D
    or map subplots, colour scales). (The side-by-side chart's template is merged into Plotly's
    default one, which Streamlit replaces with its own.)"""
    white = json.loads(json.dumps(pio.templates["plotly_white"].to_plotly_json()))
    curves = [curve_of(schedule_of("CosineDecay"))]
    for fig in (
        fg.overlay_figure(curves, View(), 20_000),
        fg.difference_figure(curves, curves[0], View(), 20_000),
    ):
        template = sent(fig)["layout"]["template"]
        assert template["data"] == {"scatter": white["data"]["scatter"]}
        unused = {"polar", "ternary", "scene", "geo", "coloraxis", "colorscale"}
        assert template["layout"] == {k: v for k, v in white["layout"].items() if k not in unused}
        assert {"xaxis", "yaxis", "colorway", "font", "plot_bgcolor"} <= template["layout"].keys()
        assert all(t["type"] == "scatter" for t in sent(fig)["data"])


def test_log_y_makes_the_y_axis_logarithmic():
    fig = sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], View(log_y=True), 20_000))
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_x_range_is_zero_to_the_horizon():
    fig = sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], View(), 12_345))
    assert fig["layout"]["xaxis"]["range"] == [0, 12_345]


def test_epoch_axis_on_top_is_linked_and_ticks_at_whole_epochs():
    fig = sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], View(), 11_000))
    top = fig["layout"]["xaxis2"]
    assert top["matches"] == "x" and top["overlaying"] == "x"
    assert top["tickvals"] == [e * 1000 for e in range(0, 12, 2)]
    assert top["ticktext"] == [str(e) for e in range(0, 12, 2)]


def test_step_axis_on_top_when_x_is_in_epochs():
    view = View(x_unit="epochs", steps_per_epoch=500)
    fig = sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], view, 10_000))
    top = fig["layout"]["xaxis2"]
    assert top["ticktext"][:3] == ["0", "2,000", "4,000"]
    assert top["tickvals"][:3] == [0.0, 4.0, 8.0]


def test_top_axis_leaves_out_a_label_that_would_pass_the_charts_right_edge():
    # Plotly does not hide overflowing tick labels (ticklabeloverflow "allow"): the top axis's
    # last label, "10,000,000" centred on the plot's right end, would stick out of the chart.
    view = View(x_unit="epochs", steps_per_epoch=1_000)
    fig = sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], view, 10_000_000))
    top = fig["layout"]["xaxis2"]
    assert top["ticktext"][-1] == "8,000,000" and top["tickvals"][-1] == 8_000.0
    low, high = fig["layout"]["xaxis"]["range"]
    for position, text in zip(top["tickvals"], top["ticktext"]):
        room = fg.MARGIN["r"] + (high - position) / (high - low) * fg.NARROWEST_PLOT
        assert low <= position <= high and len(text) * fg.TICK_CHAR_PX / 2 <= room
    # A short label at the right end fits in the margin and stays.
    fig = sent(fg.overlay_figure([curve_of(schedule_of("CosineDecay"))], View(), 10_000))
    assert fig["layout"]["xaxis2"]["ticktext"][-1] == "10"
    for axis in ("xaxis", "yaxis", "xaxis2"):
        assert fig["layout"][axis]["ticklabeloverflow"] == "allow"


def test_auto_horizon_is_the_longest_schedule_plus_ten_percent():
    schedules = [schedule_of("CosineDecay"), schedule_of("PiecewiseConstantDecay")]
    assert fg.auto_horizon(schedules) == math.ceil(10_000 * 1.1)
    assert fg.horizon(View(), schedules) == 11_000
    assert fg.horizon(View(horizon=500), schedules) == 500


# --- marks -----------------------------------------------------------------------------------


def marks_by_kind(schedule: lrviz.Schedule, stop: int) -> dict[str, list[fg.Mark]]:
    found: dict[str, list[fg.Mark]] = {}
    for mark in fg.find_marks(curve_of(schedule, stop), stop):
        found.setdefault(mark.kind, []).append(mark)
    return found


def test_warmup_cosine_marks_start_peak_at_warmup_end_and_floor_at_decay_end():
    schedule = schedule_of("CosineDecay")
    marks = marks_by_kind(schedule, 11_000)
    assert [(m.step, m.value) for m in marks["start"]] == [(0, 0.0)]
    assert [(m.step, m.value) for m in marks["peak"]] == [(1000, float(schedule(np.int64(1000))))]
    assert [(m.step, m.value) for m in marks["floor"]] == [
        (10_000, float(schedule(np.int64(10_000))))
    ]
    assert marks["floor"][0].value == pytest.approx(1e-4)


def test_restarts_are_marked_at_each_restart():
    schedule = schedule_of("CosineDecayRestarts")
    steps = [m.step for m in marks_by_kind(schedule, 8000)["restart"]]
    assert steps == [int(s) for s in schedule.breakpoints(8000)]


def test_piecewise_boundaries_are_marked_where_the_new_value_starts():
    schedule = schedule_of("PiecewiseConstantDecay")
    marks = fg.find_marks(curve_of(schedule, 9000), 9000)
    assert [(m.kind, m.step) for m in marks] == [
        ("peak", 0),
        ("boundary", 3001),
        ("boundary", 6001),
        ("floor", 8001),
    ]


def test_the_nan_tail_of_shrinking_restarts_is_marked():
    schedule = schedule_of("CosineDecayRestarts", t_mul=0.5)
    marks = marks_by_kind(schedule, 3000)
    (nan,) = marks["nan"]
    assert np.isnan(schedule(np.int64(nan.step)))
    assert not np.isnan(schedule(np.int64(nan.step - 1)))


def test_a_nan_at_one_step_alone_is_marked_as_that_step_not_from_there_on():
    """TensorFlow's XLA makes the issue's PolynomialDecay NaN at decay_steps only."""
    schedule = lrviz.from_keras(POLY_NAN)
    on_tf_xla = schedule.on_path("tf-xla")
    assert np.isnan(on_tf_xla(np.int64(1000))) and not np.isnan(on_tf_xla(np.int64(1001)))
    (one,) = [m for m in fg.find_marks(curve_of(on_tf_xla, 3000), 3000) if "nan" in m.kind]
    assert (one.kind, one.step) == ("nan_step", 1000)
    (tail,) = [
        m for m in fg.find_marks(curve_of(schedule.compiled(), 3000), 3000) if "nan" in m.kind
    ]
    assert (tail.kind, tail.step) == ("nan", 1000)


def test_marks_are_drawn_with_their_exact_values():
    schedule = schedule_of("CosineDecay")
    curve = curve_of(schedule, 11_000)
    marks = fg.find_marks(curve, 11_000)
    fig = sent(fg.overlay_figure([curve], View(), 11_000, marks))
    (trace,) = [t for t in fig["data"] if t.get("name") == "marks"]
    assert array(trace["x"]).tolist() == [0, 1000, 10_000]
    floor = schedule(np.int64(10_000))
    assert trace["hovertext"] == ["start 0.0", "peak 0.001", f"floor {fg.format_lr(floor)}"]
    assert fg.format_lr(floor) == "0.000100000005"  # float32 noise, not for the chart's labels
    assert trace["text"] == ["start 0", "peak 0.001", "floor 0.0001"]


def test_repeated_marks_are_labelled_in_their_hover_not_on_the_chart():
    schedule = schedule_of("CosineDecayRestarts")
    curve = curve_of(schedule, 20_000)
    marks = fg.find_marks(curve, 20_000)
    fig = sent(fg.overlay_figure([curve], View(), 20_000, marks))
    (trace,) = [t for t in fig["data"] if t.get("name") == "marks"]
    restarts = [i for i, m in enumerate(marks) if m.kind == "restart"]
    assert len(restarts) >= 3
    assert all(trace["text"][i] == "" for i in restarts)
    assert all(trace["hovertext"][i].startswith("restart ") for i in restarts)


def test_phase_labels_are_shown_only_where_they_fit_their_band():
    from lrviz import teaching as formulas

    schedule = schedule_of("CosineDecayRestarts", first_decay_steps=1000, t_mul=2.0)
    phases = formulas.phases(schedule, 31_001)
    spec = sent(fg.overlay_figure([curve_of(schedule, 31_000)], View(), 31_000, phases=phases))
    labels = [a["text"] for a in spec["layout"]["annotations"]]
    # Periods of 1,000 and 2,000 steps are too narrow for their label; 8,000 and 16,000 are not.
    assert phases[0].label("en") not in labels and phases[1].label("en") not in labels
    assert phases[3].label("en") in labels and phases[4].label("en") in labels


def test_curves_leave_the_top_of_the_plot_free_for_labels():
    schedule = schedule_of("CosineDecay")
    spec = sent(fg.overlay_figure([curve_of(schedule, 11_000)], View(), 11_000, cursor=1000))
    low, high = spec["layout"]["yaxis"]["range"]
    peak = float(schedule(np.int64(1000)))
    free_px = (high - peak) / (high - low) * fg.PLOT_HEIGHT
    assert free_px >= fg.TOP_ROOM - 1e-6
    cursor_line = next(s for s in spec["layout"]["shapes"] if s.get("x0") == 1000)
    assert cursor_line["y1"] * fg.PLOT_HEIGHT <= fg.PLOT_HEIGHT - fg.LABEL_STRIP + 1e-6


def test_mark_rows_list_kind_step_epoch_and_value():
    marks = [fg.Mark("peak", 1000, 0.001)]
    rows = fg.mark_rows(marks, View(steps_per_epoch=400))
    assert rows.to_dict("records") == [
        {"mark": "peak", "step": 1000, "epoch": 2.5, "learning rate": "0.001"}
    ]


# --- side by side and difference -------------------------------------------------------------


def test_side_by_side_draws_one_subplot_per_curve_on_a_shared_y_range():
    curves = [curve_of(schedule_of(c), 20_000, i) for i, c in enumerate(lrviz.SCHEDULES)]
    fig = sent(fg.side_by_side_figure(curves, View(), 20_000))
    axes = {t["yaxis"] for t in curve_traces(fig)}
    assert len(axes) == len(curves)
    ranges = {tuple(v["range"]) for k, v in fig["layout"].items() if k.startswith("yaxis")}
    ((low, high),) = ranges
    for trace in curve_traces(fig):
        y = array(trace["y"])
        assert low <= y.min() and y.max() <= high


def test_side_by_side_y_range_is_in_log10_units_on_a_log_axis():
    curve = curve_of(schedule_of("ExponentialDecay"))
    fig = sent(fg.side_by_side_figure([curve], View(log_y=True), 20_000))
    low, high = fig["layout"]["yaxis"]["range"]
    assert low < math.log10(curve.values.min()) and high > math.log10(curve.values.max())


def test_difference_is_each_curve_minus_the_reference_at_the_same_steps():
    a = curve_of(schedule_of("CosineDecay"), 11_000, 0)
    b = curve_of(schedule_of("PiecewiseConstantDecay"), 11_000, 1)
    fig = sent(fg.difference_figure([a, b], a, View(), 11_000))
    zero, diff = curve_traces(fig)
    assert not array(zero["y"]).any()
    steps = array(diff["x"]).astype(np.int64)
    expected = b.schedule(steps).astype(np.float64) - a.schedule(steps).astype(np.float64)
    np.testing.assert_array_equal(array(diff["y"]), expected)
    union = np.union1d(a.steps, b.steps)
    np.testing.assert_array_equal(steps, drawn(union, expected_at(union, a, b))[0])


def expected_at(steps, a, b):
    return b.schedule(steps).astype(np.float64) - a.schedule(steps).astype(np.float64)


def test_difference_axis_is_never_logarithmic():
    a = curve_of(schedule_of("CosineDecay"))
    fig = sent(fg.difference_figure([a], a, View(log_y=True), 20_000))
    assert fig["layout"]["yaxis"]["type"] == "linear"


# --- step table and image export -------------------------------------------------------------


def test_step_table_gives_each_configurations_exact_value_at_the_step():
    schedules = [schedule_of(c) for c in lrviz.SCHEDULES]
    table = fg.step_table([s.name for s in schedules], schedules, 1234, "en")
    assert table["name"].tolist() == [s.name for s in schedules]
    assert [np.float32(v) for v in table["learning rate"]] == [s(np.int64(1234)) for s in schedules]


def test_markdown_table_escapes_every_cell_and_keeps_numbers_as_written():
    hostile = ["a | b", "**bold** <b>x</b>", "`code` [link](http://x) $x$", "line\nbreak", "007"]
    rates = ["0.000100000005", "1e-05", "10", "nan", "inf"]
    # A column of plain digits is what a table library would re-read as numbers (1e+06, 7).
    integers = ["1000000", "007", "10", "nan", "123456789012"]
    table = pd.DataFrame({"na|me": hostile, "learning rate": rates, "step": integers})
    text = fg.markdown_table(table)
    header, rows = read_markdown_table(text)
    assert header == ["na|me", "learning rate", "step"]
    assert rows == [
        [" ".join(name.split()), rate, integer]
        for name, rate, integer in zip(hostile, rates, integers)
    ]
    # Every Markdown character in a cell is escaped, so nothing is read as markup.
    for row in text.splitlines()[2:]:
        assert re.search(r"(?<!\\)[*`\[\]<>$]", row) is None, row


def test_chart_config_names_the_image_after_the_sanitised_label():
    config = fg.chart_config("../My <run>", "svg")
    assert config["toImageButtonOptions"]["filename"] == "My-run"
    assert config["toImageButtonOptions"]["format"] == "svg"


def test_colour_indices_beyond_the_palette_change_the_dash_so_every_curve_differs():
    styles = {fg.line_style(i) for i in range(32)}
    assert len(styles) == 32


def test_every_mark_kind_has_a_label_in_every_language():
    kinds = {"start", "peak", "floor", "nan", "nan_step", "breakpoint"}
    kinds |= {spec.mark_kind for spec in lrviz.SCHEDULES.values()}
    for lang in ("en", "zh-TW"):
        for kind in kinds:
            assert fg.mark_label(fg.Mark(kind, 1, 0.5), lang)
