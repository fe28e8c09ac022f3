"""The studio page driven through Streamlit's AppTest: every path a user can take."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from markdown_support import read_markdown_table
from plotly_support import plotly_array as array
from streamlit.testing.v1 import AppTest

import lrviz
from lrviz import payloads
from lrviz import state as ss
from lrviz.keras_json import default_config
from lrviz.page.session import STUDIO, panel_key, widget_key
from lrviz.share import Entry, SharedState, encode_state

pytestmark = pytest.mark.app

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 30


def run(query: dict[str, str] | None = None, panels: tuple[str, ...] = ()) -> AppTest:
    """The page after its first run; `panels` are lazy expanders to open (`panel.<name>`)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for name in panels:
        at.session_state[panel_key(name)] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def studio(at: AppTest) -> ss.Studio:
    return at.session_state[STUDIO]


def key(at: AppTest, name: str, role: str, entry: ss.OpenConfig | None = None) -> str:
    entry = entry or studio(at).current
    return widget_key(entry.id, name, role)


def step_table(at: AppTest) -> dict[str, list[str]]:
    """The step table's columns, read back from its Markdown (a pipe table, every cell escaped)."""
    (text,) = [m.value for m in at.markdown if m.value.startswith("| name")]
    header, rows = read_markdown_table(text)
    return {name: [row[i] for row in rows] for i, name in enumerate(header)}


def chart(at: AppTest) -> dict:
    (element,) = at.get("plotly_chart")
    return json.loads(element.proto.spec)


def curves(at: AppTest) -> list[dict]:
    return [t for t in chart(at)["data"] if t.get("mode") == "lines"]


def curve_names(at: AppTest) -> list[str]:
    return [t["name"] for t in curves(at)]


def texts(at: AppTest, kind: str) -> list[str]:
    """The text of every element of a kind, Markdown escapes removed."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in getattr(at, kind)]


def link_params(at: AppTest) -> dict[str, str]:
    return {k: at.query_params[k] for k in at.query_params}


def assert_chart_is_the_engine(at: AppTest) -> None:
    """Every curve on the chart is `schedule(step)` of its configuration, at integer steps."""
    by_name = {e.name: e.schedule() for e in studio(at).visible()}
    traces = curves(at)
    assert len(traces) == len(by_name)
    for trace in traces:
        steps = array(trace["x"])
        assert np.array_equal(steps, np.round(steps))
        schedule = by_name[trace["name"]]
        np.testing.assert_array_equal(array(trace["y"]), schedule(steps.astype(np.int64)))


# --- first look ------------------------------------------------------------------------------


def test_first_look_draws_the_warmup_cosine_starter():
    at = run()
    (entry,) = studio(at).entries
    assert entry.config == default_config("CosineDecay")
    assert curve_names(at) == ["warmup_cosine"]
    assert_chart_is_the_engine(at)


def test_first_look_explains_what_to_do_and_offers_a_second_example():
    at = run()
    assert any("sliders" in m for m in texts(at, "caption"))
    at.button(key="list.example").click()
    rerun(at)
    assert [e.class_name for e in studio(at).entries] == ["CosineDecay", "PiecewiseConstantDecay"]
    assert_chart_is_the_engine(at)


def test_first_look_writes_the_configuration_into_the_url():
    at = run()
    params = link_params(at)
    assert params["v"] == "1" and params["c"]


# --- the list --------------------------------------------------------------------------------


def test_add_opens_the_chosen_class_selected_and_drawn():
    at = run()
    at.selectbox(key="list.add_class").set_value("CosineDecayRestarts")
    at.button(key="list.add").click()
    rerun(at)
    assert studio(at).current.class_name == "CosineDecayRestarts"
    assert curve_names(at) == ["warmup_cosine", "sgdr_restarts"]
    assert_chart_is_the_engine(at)


@pytest.mark.parametrize("class_name", list(lrviz.SCHEDULES))
def test_every_parameter_of_every_class_gets_its_widgets(class_name):
    at = run()
    at.selectbox(key="list.add_class").set_value(class_name)
    at.button(key="list.add").click()
    rerun(at)
    for spec in lrviz.SCHEDULES[class_name].params:
        if spec.kind in ("float", "steps"):
            at.select_slider(key=key(at, spec.name, "slider"))
            at.number_input(key=key(at, spec.name, "exact"))
        elif spec.kind == "bool":
            at.toggle(key=key(at, spec.name, "toggle"))
        elif spec.kind == "text":
            at.text_input(key=key(at, spec.name, "text"))
    if ss.list_params(class_name):
        assert len(at.data_editor) == 1


def test_duplicate_copies_the_selected_configuration():
    at = run()
    at.button(key="list.duplicate").click()
    rerun(at)
    first, copy = studio(at).entries
    assert copy.name == "warmup_cosine_2"
    assert {**copy.config["config"], "name": 0} == {**first.config["config"], "name": 0}
    assert studio(at).selected == copy.id
    assert_chart_is_the_engine(at)


def test_rename_changes_the_keras_name_and_the_legend_label():
    at = run()
    at.text_input(key=key(at, "name", "text")).set_value("Baseline")
    rerun(at)
    assert studio(at).current.config["config"]["name"] == "Baseline"
    assert curve_names(at) == ["Baseline"]


def test_a_name_is_shown_as_text_never_as_html_or_markdown():
    at = run()
    at.text_input(key=key(at, "name", "text")).set_value("<b>x</b> **y** :red[z]")
    rerun(at)
    assert curve_names(at) == ["&lt;b&gt;x&lt;/b&gt; **y** :red[z]"]
    assert r"Edit: \<b\>x\<\/b\> \*\*y\*\* \:red\[z\]" in [h.value for h in at.subheader]


def test_hide_removes_the_curve_and_show_brings_it_back():
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    first = studio(at).entries[0]
    at.checkbox(key=key(at, "list", "visible", first)).uncheck()
    rerun(at)
    assert curve_names(at) == ["step_decay"]
    assert not studio(at).entries[0].visible
    at.checkbox(key=key(at, "list", "visible", first)).check()
    rerun(at)
    assert curve_names(at) == ["warmup_cosine", "step_decay"]


def test_hiding_everything_shows_a_message_instead_of_a_chart():
    at = run()
    at.checkbox(key=key(at, "list", "visible")).uncheck()
    rerun(at)
    assert not at.get("plotly_chart")
    assert any("No curve" in m for m in texts(at, "info"))


def test_delete_closes_the_selected_configuration():
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    at.button(key="list.delete").click()
    rerun(at)
    assert [e.class_name for e in studio(at).entries] == ["CosineDecay"]
    assert curve_names(at) == ["warmup_cosine"]


def test_deleting_everything_leaves_an_empty_studio_that_can_start_again():
    at = run()
    at.button(key="list.delete").click()
    rerun(at)
    assert studio(at).entries == ()
    assert any("Nothing is open" in m for m in texts(at, "info"))
    at.button(key="list.example").click()
    rerun(at)
    assert [e.class_name for e in studio(at).entries] == ["CosineDecay"]


def test_selecting_a_configuration_opens_its_editor():
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    first = studio(at).entries[0]
    at.button(key=key(at, "list", "select", first)).click()
    rerun(at)
    assert studio(at).selected == first.id
    at.select_slider(key=key(at, "warmup_steps", "slider"))


def test_colours_stay_with_their_configuration():
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    colour_of_second = curves(at)[1]["line"]
    at.button(key=key(at, "list", "select", studio(at).entries[0])).click()
    rerun(at)
    at.button(key="list.delete").click()
    rerun(at)
    assert curves(at)[0]["line"] == colour_of_second


# --- sliders and number entries --------------------------------------------------------------


def test_slider_sets_the_value_and_the_exact_entry_follows():
    at = run()
    before = curves(at)[0]["y"]
    at.select_slider(key=key(at, "warmup_steps", "slider")).set_value(2000)
    rerun(at)
    assert studio(at).current.config["config"]["warmup_steps"] == 2000
    assert at.number_input(key=key(at, "warmup_steps", "exact")).value == 2000
    assert curves(at)[0]["y"] != before
    assert_chart_is_the_engine(at)


def test_exact_entry_sets_the_value_and_the_slider_shows_it_without_snapping():
    at = run()
    at.number_input(key=key(at, "warmup_target", "exact")).set_value(0.00123)
    rerun(at)
    assert studio(at).current.config["config"]["warmup_target"] == 0.00123
    assert at.select_slider(key=key(at, "warmup_target", "slider")).value == 0.00123
    rerun(at)
    assert studio(at).current.config["config"]["warmup_target"] == 0.00123
    assert_chart_is_the_engine(at)


def test_log_parameters_slide_over_a_log_grid():
    at = run()
    options = at.select_slider(key=key(at, "warmup_target", "slider")).options
    assert {"0", "1e-06", "0.0001", "0.001", "0.003", "1"} <= set(options)


def test_a_value_the_engine_rejects_shows_the_message_and_keeps_the_configuration():
    at = run()
    before = studio(at).current.config
    at.number_input(key=key(at, "decay_steps", "exact")).set_value(0)
    rerun(at)
    assert studio(at).current.config == before
    (error,) = texts(at, "error")
    assert "decay_steps" in error and "Received: decay_steps=0" in error
    assert at.number_input(key=key(at, "decay_steps", "exact")).value == 9000


def test_warmup_target_can_be_switched_to_none_and_back():
    at = run()
    at.toggle(key=key(at, "warmup_target", "none")).set_value(True)
    rerun(at)
    assert studio(at).current.config["config"]["warmup_target"] is None
    assert_chart_is_the_engine(at)
    at.toggle(key=key(at, "warmup_target", "none")).set_value(False)
    rerun(at)
    assert studio(at).current.config["config"]["warmup_target"] == 1e-3


def test_boolean_parameters_are_toggles():
    at = run()
    at.selectbox(key="list.add_class").set_value("ExponentialDecay")
    at.button(key="list.add").click()
    rerun(at)
    at.toggle(key=key(at, "staircase", "toggle")).set_value(True)
    rerun(at)
    assert studio(at).current.config["config"]["staircase"] is True
    assert_chart_is_the_engine(at)


# --- table edits -----------------------------------------------------------------------------


def open_piecewise() -> AppTest:
    at = run()
    at.button(key="list.example").click()
    return rerun(at)


def edit_table(at: AppTest, edits: dict) -> AppTest:
    (editor,) = at.data_editor
    at.session_state[editor.key] = {
        "edited_rows": {},
        "added_rows": [],
        "deleted_rows": [],
        **edits,
    }
    return rerun(at)


def test_table_edit_changes_boundaries_and_values():
    at = open_piecewise()
    edit_table(at, {"edited_rows": {"0": {"boundaries": 2000, "values": 0.002}}})
    config = studio(at).current.config["config"]
    assert config["boundaries"] == [2000, 6000, 8000]
    assert config["values"] == [0.002, 5e-4, 1e-4, 1e-5]
    assert_chart_is_the_engine(at)


def test_table_rows_can_be_added_and_deleted():
    at = open_piecewise()
    edit_table(at, {"deleted_rows": [1]})
    assert studio(at).current.config["config"]["boundaries"] == [3000, 8000]
    assert studio(at).current.config["config"]["values"] == [1e-3, 1e-4, 1e-5]
    edit_table(at, {"added_rows": [{"values": 1e-6}], "edited_rows": {"2": {"boundaries": 9000}}})
    assert studio(at).current.config["config"]["boundaries"] == [3000, 8000, 9000]
    assert studio(at).current.config["config"]["values"] == [1e-3, 1e-4, 1e-5, 1e-6]


def test_a_bad_table_edit_shows_the_message_and_keeps_the_configuration():
    at = open_piecewise()
    before = studio(at).current.config
    edit_table(at, {"edited_rows": {"1": {"boundaries": 100}}})
    assert studio(at).current.config == before
    assert any("strictly increasing" in e for e in texts(at, "error"))


# --- findings --------------------------------------------------------------------------------


def test_findings_show_next_to_the_configuration_with_the_fix():
    at = run()
    at.toggle(key=key(at, "warmup_target", "none")).set_value(True)
    rerun(at)
    (warning,) = texts(at, "warning")
    assert "warmup_steps" in warning and "ignores the warmup" in warning
    assert "Fix:" in warning


def test_an_integer_learning_rate_is_explained_and_fixed_in_one_click():
    at = run()
    config = default_config("CosineDecay")
    config["config"].update(initial_learning_rate=0, name="integer")
    at.text_area(key="import.text").set_value(json.dumps(config))
    at.button(key="import.open").click()
    rerun(at)
    assert studio(at).current.schedule().uses_integer_dtype
    assert any("integer" in w for w in texts(at, "warning"))
    assert any("writes every learning rate as a float" in i for i in texts(at, "info"))
    at.button(key=key(at, "findings", "floats")).click()
    rerun(at)
    assert not studio(at).current.schedule().uses_integer_dtype
    assert_chart_is_the_engine(at)


# --- import ----------------------------------------------------------------------------------


def import_text(at: AppTest, text: str) -> AppTest:
    at.text_area(key="import.text").set_value(text)
    at.button(key="import.open").click()
    return rerun(at)


def test_import_of_a_list_adds_every_configuration():
    at = run()
    configs = [default_config("PolynomialDecay"), default_config("InverseTimeDecay")]
    import_text(at, json.dumps(configs))
    assert [e.class_name for e in studio(at).entries] == [
        "CosineDecay",
        "PolynomialDecay",
        "InverseTimeDecay",
    ]
    assert any("Opened 2" in s for s in texts(at, "success"))
    assert_chart_is_the_engine(at)


def test_import_of_the_legacy_form_works():
    at = run()
    legacy = {
        "class_name": "ExponentialDecay",
        "config": default_config("ExponentialDecay")["config"],
    }
    import_text(at, json.dumps(legacy))
    assert studio(at).current.config == default_config("ExponentialDecay")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('{"class_name": "CosineDecay", "config": {"decay_steps": 10}}', "initial_learning_rate"),
        (
            '{"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": -1}}',
            "decay_steps",
        ),
        ('{"class_name": "CosineDecai", "config": {}}', "CosineDecay"),
        ("[1, 2", "line 1"),
        ("", "empty"),
    ],
)
def test_a_bad_import_names_the_problem_and_loses_nothing(text, named):
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    before = studio(at)
    import_text(at, text)
    assert studio(at).entries == before.entries
    (error,) = texts(at, "error")
    assert named in error
    assert_chart_is_the_engine(at)


def test_upload_of_a_keras_json_file_adds_its_configurations():
    at = run()
    configs = [default_config("CosineDecayRestarts"), default_config("PolynomialDecay")]
    at.file_uploader(key="import.file").upload(
        "schedules.json", json.dumps(configs).encode(), "application/json"
    )
    rerun(at)
    assert [e.class_name for e in studio(at).entries][1:] == [
        "CosineDecayRestarts",
        "PolynomialDecay",
    ]
    assert_chart_is_the_engine(at)


def test_a_bad_upload_names_the_problem_and_loses_nothing():
    at = run()
    before = studio(at).entries
    at.file_uploader(key="import.file").upload("bad.json", b"\xff\xfe{", "application/json")
    rerun(at)
    assert studio(at).entries == before
    (error,) = texts(at, "error")
    assert "UTF-8" in error


# --- share links -----------------------------------------------------------------------------


def test_share_link_round_trip_restores_the_same_chart():
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    at.selectbox(key="list.add_class").set_value("CosineDecayRestarts")
    at.button(key="list.add").click()
    rerun(at)
    at.toggle(key="view.logy").set_value(True)
    at.checkbox(key=key(at, "list", "visible", studio(at).entries[1])).uncheck()
    rerun(at)
    reopened = run(link_params(at))
    assert [e.config for e in studio(reopened).entries] == [e.config for e in studio(at).entries]
    assert [e.visible for e in studio(reopened).entries] == [e.visible for e in studio(at).entries]
    assert studio(reopened).view == studio(at).view
    assert chart(reopened)["data"] == chart(at)["data"]
    assert chart(reopened)["layout"]["yaxis"]["type"] == "log"


def test_share_popover_shows_the_link_of_what_is_open():
    at = run()
    (code,) = [c.value for c in at.code if c.value.startswith("http")]
    assert code.startswith("http://localhost:8501/?v=1&c=")


def test_a_damaged_link_opens_with_a_notice_and_never_crashes():
    at = run({"v": "1", "c": "eNqrVkrOzyvPz0lJBQ@@@"})
    assert studio(at).entries == ()
    assert any("damaged" in w for w in texts(at, "warning"))
    at.button(key="link.dismiss").click()
    rerun(at)
    assert not any("damaged" in w for w in texts(at, "warning"))


def test_a_link_with_one_bad_configuration_opens_the_rest():
    good = default_config("CosineDecay")
    bad = default_config("ExponentialDecay")
    bad["config"]["decay_steps"] = 0
    at = run(encode_state(SharedState((Entry(bad), Entry(good)), 0, {})))
    assert [e.config for e in studio(at).entries] == [good]
    assert any("Configuration 1" in w and "decay_steps" in w for w in texts(at, "warning"))


def test_a_hand_edited_view_option_opens_with_the_default_and_a_notice():
    params = encode_state(ss.to_shared(ss.starter_studio()))
    at = run({**params, "mode": "3d", "logy": "maybe"})
    assert studio(at).view.mode == "overlay" and not studio(at).view.log_y
    warnings = " ".join(texts(at, "warning"))
    assert "mode" in warnings and "logy" in warnings


# --- chart options ---------------------------------------------------------------------------


def test_log_y_toggle():
    at = run()
    at.toggle(key="view.logy").set_value(True)
    rerun(at)
    assert chart(at)["layout"]["yaxis"]["type"] == "log"


def test_epochs_on_x_use_steps_per_epoch():
    at = run()
    at.radio(key="view.x").set_value("epochs")
    at.number_input(key="view.spe").set_value(250)
    rerun(at)
    (trace,) = curves(at)
    steps = np.rint(array(trace["x"]) * 250).astype(np.int64)
    np.testing.assert_array_equal(array(trace["x"]), steps / 250)
    np.testing.assert_array_equal(array(trace["y"]), studio(at).current.schedule()(steps))
    assert chart(at)["layout"]["xaxis"]["title"]["text"] == "epoch"


def test_horizon_is_automatic_until_set_by_hand():
    at = run()
    assert chart(at)["layout"]["xaxis"]["range"] == [0, 11_000]
    at.toggle(key="view.auto").set_value(False)
    rerun(at)
    assert at.number_input(key="view.horizon").value == 11_000
    at.number_input(key="view.horizon").set_value(50_000)
    rerun(at)
    assert chart(at)["layout"]["xaxis"]["range"] == [0, 50_000]
    assert array(curves(at)[0]["x"])[-1] == 50_000
    at.toggle(key="view.auto").set_value(True)
    rerun(at)
    assert chart(at)["layout"]["xaxis"]["range"] == [0, 11_000]


def test_marks_of_the_selected_configuration_are_drawn():
    at = run()
    marks = [t for t in chart(at)["data"] if t.get("name") == "marks"]
    (trace,) = marks
    assert "peak 0.001" in trace["text"]


def test_side_by_side_view_draws_one_subplot_per_configuration():
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    at.radio(key="view.mode").set_value("side")
    rerun(at)
    assert {t["yaxis"] for t in curves(at)} == {"y", "y2"}
    assert_chart_is_the_engine(at)


def test_difference_view_subtracts_the_chosen_reference():
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    at.radio(key="view.mode").set_value("diff")
    rerun(at)
    at.selectbox(key="view.ref").set_value(1)
    rerun(at)
    cosine, piecewise = (e.schedule() for e in studio(at).entries)
    first = curves(at)[0]
    steps = array(first["x"]).astype(np.int64)
    expected = cosine(steps).astype(np.float64) - piecewise(steps).astype(np.float64)
    np.testing.assert_array_equal(array(first["y"]), expected)
    assert not array(curves(at)[1]["y"]).any()


def test_learning_rate_at_step_n_lists_every_configuration():
    at = run()
    at.button(key="list.example").click()
    rerun(at)
    at.number_input(key="view.at").set_value(3001)
    rerun(at)
    table = step_table(at)
    assert table["name"] == ["warmup_cosine", "step_decay"]
    expected = [lrviz.Schedule.__call__(e.schedule(), np.int64(3001)) for e in studio(at).entries]
    assert [np.float32(v) for v in table["learning rate"]] == expected


def test_the_page_can_switch_language():
    at = run()
    at.selectbox(key="view.lang").set_value("zh-TW")
    rerun(at)
    assert studio(at).view.lang == "zh-TW"
    assert link_params(at)["lang"] == "zh-TW"


def test_configurations_too_big_for_a_link_keep_working_with_a_notice():
    at = run()
    rng = np.random.default_rng(0)
    configs = []
    for i in range(12):
        config = default_config("PiecewiseConstantDecay")
        config["config"].update(
            boundaries=np.cumsum(rng.integers(1, 10**6, 999)).tolist(),
            values=rng.random(1000).tolist(),
            name=f"big {i}",
        )
        configs.append(config)
    url_before = link_params(at)
    import_text(at, json.dumps(configs))
    assert len(studio(at).entries) == 13
    assert any("no longer fit in a link" in w for w in texts(at, "warning"))
    assert link_params(at) == url_before
    assert_chart_is_the_engine(at)


def test_formula_panel_works_the_lookup_step_through_to_the_engine_value():
    import lrviz
    from lrviz import teaching as formulas

    at = run(panels=("formula",))
    at.number_input(key="view.at").set_value(5000).run()
    assert not at.exception
    (expander,) = [e for e in at.expander if "5,000" in e.label]
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    worked = formulas.worked_value(schedule, 5000, "en")
    shown = [element.value.strip("$\n") for element in expander.get("latex")]
    assert shown[1:] == list(worked.lines)
    assert worked.value == schedule(5000)


def test_the_show_checkbox_label_reads_the_name_without_markdown_escapes():
    at = run()
    # A screen reader names the checkbox from this label's source text.
    assert at.checkbox(key=key(at, "list", "visible")).label == "Show warmup_cosine on the chart"
    at.text_input(key=key(at, "name", "text")).set_value("Warmup + cosine (v2)").run()
    label = at.checkbox(key=key(at, "list", "visible")).label
    assert label == "Show Warmup + cosine (v2) on the chart"


def test_formula_panel_says_what_each_symbol_stands_for_in_the_users_language():
    at = run({"lang": "zh-TW"}, panels=("formula",))
    (expander,) = [e for e in at.expander if "公式" in e.label]
    legend = "\n".join(m.value for m in expander.get("markdown"))
    # The decay phase of the starter: eta_T (warmup_target), W, D, alpha and s, each defined.
    for symbol in (r"$\eta_T$", "$W$", "$D$", r"$\alpha$", "$s$"):
        assert f"- {symbol}: " in legend
    assert "`warmup_steps` = 1000" in legend
    assert "- $s$: Keras 實際使用的步數" in legend


# --- zoom and cursor ------------------------------------------------------------------------


def test_zoom_entries_resample_inside_the_range_down_to_single_steps():
    at = run()
    at.number_input(key="view.from").set_value(990)
    rerun(at)
    at.number_input(key="view.to").set_value(1010)
    rerun(at)
    view = studio(at).view
    assert (view.zoom_from, view.zoom_to) == (990, 1010)
    (trace,) = curves(at)
    np.testing.assert_array_equal(array(trace["x"]), np.arange(990, 1011))
    assert chart(at)["layout"]["xaxis"]["range"] == [990, 1010]
    assert_chart_is_the_engine(at)
    assert link_params(at)["from"] == "990" and link_params(at)["to"] == "1010"
    at.button(key="view.zoom_reset").click()
    rerun(at)
    assert chart(at)["layout"]["xaxis"]["range"] == [0, 11_000]


def test_in_epochs_the_range_and_cursor_entries_take_fractional_epochs():
    at = run({"x": "epochs", "spe": "400"})
    assert at.number_input(key="view.to_epoch").value == 11_000 / 400
    at.number_input(key="view.from_epoch").set_value(2.5)
    rerun(at)
    at.number_input(key="view.to_epoch").set_value(7.25)
    rerun(at)
    view = studio(at).view
    assert (view.zoom_from, view.zoom_to) == (1000, 2900)
    assert link_params(at)["from"] == "1000" and link_params(at)["to"] == "2900"
    at.number_input(key="view.at_epoch").set_value(3.125)
    rerun(at)
    assert studio(at).view.at_step == 1250
    assert chart(at)["layout"]["xaxis"]["range"] == [2.5, 7.25]


def test_an_empty_zoom_is_refused_with_a_message_and_changes_nothing():
    at = run()
    at.number_input(key="view.from").set_value(5000)
    rerun(at)
    at.number_input(key="view.to").set_value(4000)
    rerun(at)
    assert studio(at).view.zoom_from == 5000 and studio(at).view.zoom_to == 0
    assert any("5,000" in e for e in texts(at, "error"))


def test_zoom_slider_sets_the_range():
    at = run()
    at.slider(key="view.zoom").set_value((2000, 4000))
    rerun(at)
    assert chart(at)["layout"]["xaxis"]["range"] == [2000, 4000]
    assert_chart_is_the_engine(at)


def test_the_cursor_slider_moves_the_marker_and_the_table_gives_values_and_phases():
    at = run()
    at.slider(key="view.cursor").set_value(500)
    rerun(at)
    assert studio(at).view.at_step == 500
    (cursor,) = [t for t in chart(at)["data"] if t.get("name") == "cursor"]
    schedule = studio(at).current.schedule()
    assert array(cursor["x"]).tolist() == [500]
    assert array(cursor["y"])[0] == schedule(np.int64(500))
    table = step_table(at)
    assert table["phase"] == ["warmup"]
    assert table["learning rate"] == [str(schedule(np.int64(500)))]


def test_closed_panels_are_not_built():
    at = run()
    assert not at.get("latex") and not at.multiselect
    opened = run(panels=("formula", "xlate"))
    assert opened.get("latex") and opened.multiselect


def test_translations_overlay_dotted_curves_with_their_differences():
    at = run(panels=("xlate",))
    panel_text = " ".join(texts(at, "caption"))
    assert "Largest difference from Keras" in panel_text or "Equal to the Keras curve" in panel_text
    at.multiselect(key="xlate.overlay").set_value([2])
    rerun(at)
    assert studio(at).view.companions == "2"
    names = curve_names(at)
    assert names[1].startswith("PyTorch (LambdaLR): ")
    keras, lambda_lr = curves(at)[:2]
    # LambdaLR computes Keras's own float32 arithmetic: the dotted curve lies on the Keras one.
    np.testing.assert_array_equal(array(lambda_lr["x"]), array(keras["x"]))
    np.testing.assert_array_equal(array(lambda_lr["y"]), array(keras["y"]).astype(np.float64))
    assert studio(run(link_params(at))).view.companions == "2"


def test_a_class_without_translations_says_so():
    at = run(panels=("xlate",))
    at.selectbox(key="list.add_class").set_value("ExponentialDecay")
    at.button(key="list.add").click()
    rerun(at)
    assert any("ExponentialDecay" in t for t in texts(at, "info"))


def test_an_error_on_screen_follows_a_language_switch():
    at = run()
    at.text_area(key="import.text").set_value('{"class_name": "CosineDecay", "config": {}}')
    at.button(key="import.open").click()
    rerun(at)
    (english,) = texts(at, "error")
    at.selectbox(key="view.lang").set_value("zh-TW")
    rerun(at)
    (chinese,) = texts(at, "error")
    assert chinese != english and "initial_learning_rate" in chinese
    assert not re.search(
        r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", chinese.replace("initial_learning_rate", "")
    )


def test_the_export_panels_show_the_keras_json_and_the_python_snippet_when_opened():
    at = run(panels=("export_json", "export_python"))
    schedule = studio(at).current.schedule()
    codes = [c.value.strip() for c in at.code]
    assert payloads.keras_json(schedule).strip() in codes
    assert payloads.python_snippet(schedule).strip() in codes


def test_the_export_code_is_not_built_while_its_panels_are_closed():
    at = run()
    schedule = studio(at).current.schedule()
    codes = [c.value.strip() for c in at.code]
    assert payloads.keras_json(schedule).strip() not in codes
    assert payloads.python_snippet(schedule).strip() not in codes


# --- sweep -----------------------------------------------------------------------------------


def test_a_sweep_of_alpha_draws_its_family_exactly_and_keeps_it_in_the_link():
    at = run(panels=("sweep",))
    at.selectbox(key="sweep.param").set_value("alpha")
    at.text_input(key="sweep.values").set_value("0, 0.05 0.1,0.2")
    at.button(key="sweep.draw").click()
    rerun(at)
    assert link_params(at)["sw"] == "alpha:0.0,0.05,0.1,0.2"
    family = {t["name"]: t for t in chart(at)["data"] if t.get("meta") == "sweep"}
    assert list(family) == ["alpha = 0.0", "alpha = 0.05", "alpha = 0.1", "alpha = 0.2"]
    base = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    for alpha, trace in zip((0.0, 0.05, 0.1, 0.2), family.values()):
        steps = array(trace["x"]).astype(np.int64)
        expected = np.asarray(base.replace(alpha=alpha)(steps), dtype=np.float32)
        np.testing.assert_array_equal(array(trace["y"]), expected)
    # A fresh page from the link draws the same family.
    again = run({k: v for k, v in link_params(at).items()})
    assert [t["name"] for t in chart(again)["data"] if t.get("meta") == "sweep"] == list(family)


def test_a_sweep_member_opens_as_a_configuration_of_its_own():
    at = run({"sw": "alpha:0.0,0.2"}, panels=("sweep",))
    at.button(key="sweep.open.1").click()
    rerun(at)
    opened = studio(at).current
    assert opened.config["config"]["alpha"] == 0.2
    assert opened.name == "warmup_cosine_alpha_0.2"
    assert len(studio(at).entries) == 2


def test_a_bad_sweep_value_is_refused_with_one_line_and_draws_nothing():
    at = run(panels=("sweep",))
    at.selectbox(key="sweep.param").set_value("decay_steps")
    at.text_input(key="sweep.values").set_value("100, 1.5")
    at.button(key="sweep.draw").click()
    rerun(at)
    assert studio(at).view.sweep == ""
    assert any('"1.5"' in e for e in texts(at, "error"))


def test_the_chart_sent_from_plain_data_equals_the_chart_of_its_figure():
    def page() -> None:
        import json

        import streamlit as st

        from lrviz import figures as fg
        from lrviz.keras_json import default_config, schedules_from_json
        from lrviz.page.chart import SentFigure
        from lrviz.state import View

        schedule = schedules_from_json(json.dumps(default_config("CosineDecay")))[0]
        curve = fg.make_curve("a", schedule, 0, 11_000)
        marks = fg.find_marks(curve, 11_000)
        other = fg.make_curve("b", schedule.replace(alpha=0.5), 1, 11_000)
        for spec in (
            fg.overlay_spec([curve, other], View(), 11_000, marks, cursor=1000),
            fg.difference_spec([other], curve, View(), 11_000),
        ):
            st.plotly_chart(SentFigure(spec))
            st.plotly_chart(fg.figure_of(spec))

    at = AppTest.from_function(page, default_timeout=TIMEOUT).run()
    sent = [json.loads(element.proto.spec) for element in at.get("plotly_chart")]
    assert len(sent) == 4 and sent[0] == sent[1] and sent[2] == sent[3]
    assert [t["name"] for t in sent[0]["data"] if t.get("mode") == "lines"] == ["a", "b"]


def test_each_run_leaves_the_frame_route_the_studio_and_sliders_it_drew(monkeypatch):
    from lrviz.page import chart, frame_route
    from lrviz.page.live_drag import css_class
    from lrviz.page.session import LIVE_TOKEN

    monkeypatch.setattr(frame_route, "_snapshots", type(frame_route._snapshots)())
    monkeypatch.setattr(frame_route, "_draw", chart.frame_json)
    at = run()
    token = at.session_state[LIVE_TOKEN]
    snapshot = frame_route.snapshot_of(token)
    assert snapshot.studio == studio(at)
    entry = studio(at).current
    warmup = css_class(key(at, "warmup_steps", "slider"))
    entry_id, name, grid = snapshot.sliders[warmup]
    assert (entry_id, name) == (entry.id, "warmup_steps")
    assert entry.config["config"]["warmup_steps"] in grid

    at.number_input(key=key(at, "decay_steps", "exact")).set_value(4321)
    rerun(at)
    assert at.session_state[LIVE_TOKEN] == token  # one token a session
    snapshot = frame_route.snapshot_of(token)
    assert snapshot.studio == studio(at)
    assert snapshot.studio.current.config["config"]["decay_steps"] == 4321
    # A frame is drawn from the page as it is now: the new decay_steps, the dragged warmup.
    index = len(grid) // 2
    dragged = ss.set_params(studio(at), entry.id, warmup_steps=grid[index])
    assert frame_route.frame_json(token, warmup, index) == chart.frame_json(dragged)


def test_without_the_frame_route_a_session_publishes_nothing(monkeypatch):
    from lrviz.page import frame_route
    from lrviz.page.session import LIVE_TOKEN

    monkeypatch.setattr(frame_route, "_draw", None)
    at = run()
    assert LIVE_TOKEN not in at.session_state


def test_a_first_run_in_a_browser_waits_for_its_chart_under_a_name_of_its_own(monkeypatch):
    from lrviz.page import chart, first_chart, frame_route, session

    waits: list[str] = []
    monkeypatch.setattr(frame_route, "_snapshots", type(frame_route._snapshots)())
    monkeypatch.setattr(frame_route, "_draw", chart.frame_json)
    monkeypatch.setattr(first_chart, "_waiting", {})
    monkeypatch.setattr(first_chart, "wait", lambda name, seconds=0: waits.append(name) or True)
    monkeypatch.setattr(session, "in_browser", lambda: True)
    at = run()
    assert len(waits) == 1 and waits[0] in first_chart._waiting
    assert session.FIRST_CHART not in at.session_state  # the run's report is over with it
    rerun(at)
    assert len(waits) == 1  # later runs do not wait
    at.session_state[session.RESYNC] = True  # as after a first run that a press cut short
    rerun(at)
    assert len(waits) == 2 and waits[1] != waits[0]


def test_a_first_run_without_a_browser_does_not_wait(monkeypatch):
    from lrviz.page import chart, first_chart, frame_route

    waits: list[str] = []
    monkeypatch.setattr(frame_route, "_draw", chart.frame_json)
    monkeypatch.setattr(first_chart, "wait", lambda name, seconds=0: waits.append(name) or True)
    run()
    assert waits == []
