"""The studio's "where it runs" choice (issue #15), driven through AppTest."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_app import array, chart, curves, link_params, rerun, run, step_table, studio

import lrviz
from lrviz import state as ss
from lrviz.share import encode_state
from lrviz.teaching import compiled_lines
from lrviz.teaching.numbers import computed

pytestmark = pytest.mark.app

# NaN from step 1000 under JAX fit (XLA), 0.0 there in eager Keras.
POLY = {
    "module": "keras.optimizers.schedules",
    "class_name": "PolynomialDecay",
    "config": {
        "initial_learning_rate": 0.01,
        "decay_steps": 1000,
        "end_learning_rate": 0.0,
        "power": 0.9,
        "cycle": False,
        "name": "PolynomialDecay",
    },
    "registered_name": None,
}


def poly_link(**view) -> dict[str, str]:
    studio = ss.import_text(ss.Studio(), json.dumps(POLY))
    return encode_state(ss.to_shared(ss.set_view(studio, **view)))


def plotted(at) -> tuple[np.ndarray, np.ndarray]:
    (trace,) = curves(at)
    return array(trace["x"]).astype(np.int64), array(trace["y"])


def nan_marks(at) -> list[float]:
    marks = [t for t in chart(at)["data"] if t.get("mode", "").startswith("markers")]
    return [
        float(x)
        for t in marks
        for x, text in zip(array(t["x"]), t.get("text", []))
        if "NaN" in text
    ]


def test_compiled_draws_the_nan_gap_from_the_exact_step_and_marks_it():
    at = run(poly_link(at_step=1000))
    steps, values = plotted(at)
    assert values[steps == 1000][0] == 0.0 and not nan_marks(at)
    at.radio(key="view.run").set_value("compiled")
    rerun(at)
    steps, values = plotted(at)
    compiled = lrviz.from_keras(POLY).compiled()
    np.testing.assert_array_equal(values, compiled(steps))
    assert np.isnan(values[steps >= 1000]).all() and np.isfinite(values[steps < 1000]).all()
    assert 999 in steps and 1000 in steps
    assert nan_marks(at) == [1000.0]
    assert step_table(at)["learning rate"] == ["nan"]


def test_the_choice_is_kept_in_the_link_and_the_default_link_is_unchanged():
    at = run(poly_link())
    default = link_params(at)
    assert "run" not in default and studio(at).view.run == "eager"
    at.radio(key="view.run").set_value("compiled")
    rerun(at)
    assert link_params(at)["run"] == "compiled"
    reopened = run(link_params(at))
    assert studio(reopened).view.run == "compiled"
    assert chart(reopened)["data"] == chart(at)["data"]
    at.radio(key="view.run").set_value("eager")
    rerun(at)
    assert link_params(at) == default


def test_a_hand_edited_run_option_opens_eager_with_a_notice():
    at = run({**poly_link(), "run": "tpu"})
    assert studio(at).view.run == "eager"
    assert any("run" in w.value for w in at.warning)


def test_the_formula_panel_works_the_compiled_arithmetic():
    at = run(poly_link(run="compiled", at_step=1000), panels=("formula",))
    (expander,) = [e for e in at.expander if "1,000" in e.label]
    shown = [element.value.strip("$\n") for element in expander.get("latex")]
    schedule = lrviz.from_keras(POLY)
    assert shown[1:] == compiled_lines(schedule, 1000)
    assert "NaN" in shown[-1] and "-4.749745" in shown[-2]


def test_tensorflow_xla_draws_its_one_nan_step_and_the_table_follows():
    """TensorFlow's XLA: NaN at step 1000 only, then the value folded at compile time (0)."""
    at = run(poly_link(at_step=1000))
    at.radio(key="view.run").set_value("tf-xla")
    rerun(at)
    steps, values = plotted(at)
    np.testing.assert_array_equal(values, lrviz.from_keras(POLY).on_path("tf-xla")(steps))
    assert 999 in steps and 1000 in steps and 1001 in steps
    assert np.isnan(values[steps == 1000]).all() and (values[steps > 1000] == 0).all()
    assert nan_marks(at) == [1000.0]
    assert step_table(at)["learning rate"] == ["nan"]
    assert link_params(at)["run"] == "tf-xla"


def test_the_formula_panel_on_tensorflow_graph_mode_ends_at_its_value():
    at = run(poly_link(run="tf-graph", at_step=999), panels=("formula",))
    (expander,) = [e for e in at.expander if "999" in e.label]
    shown = [element.value.strip("$\n") for element in expander.get("latex")]
    schedule = lrviz.from_keras(POLY)
    graph = schedule.on_path("tf-graph")(np.int64(999))
    assert graph != schedule(np.int64(999))  # 1.9951325e-05, eager 1.9952397e-05
    assert shown[-1] == rf"\mathrm{{lr}}_{{\mathrm{{tf.function}}}} = {computed(graph)}"
    assert any("Grappler" in note.value for note in expander.info)
