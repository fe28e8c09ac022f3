"""lrviz.payloads: every download and copy, checked against real Keras where Keras reads it."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pandas as pd
import pytest
from config_factory import CLASSES, random_config
from keras_oracle import keras_schedule, keras_serialize, keras_values

import lrviz
from lrviz import payloads
from lrviz import state as ss
from lrviz.keras_json import default_config
from lrviz.share import decode_state

STEPS = np.array([0, 1, 999, 1000, 1001, 5000, 10_000, 20_000], dtype=np.int64)


def integer_cosine() -> lrviz.Schedule:
    config = default_config("CosineDecay")
    config["config"]["initial_learning_rate"] = 0
    return lrviz.from_keras(config)


# --- Keras JSON ------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("class_name", CLASSES)
def test_keras_json_deserializes_in_keras_to_the_same_config(class_name):
    schedule = lrviz.from_keras(random_config(class_name, np.random.default_rng(7)))
    text = payloads.keras_json(schedule)
    assert keras_serialize(keras_schedule(json.loads(text))) == json.loads(text)


@pytest.mark.oracle
@pytest.mark.parametrize("class_name", CLASSES)
def test_keras_json_gives_in_keras_the_curve_lrviz_draws(class_name):
    schedule = lrviz.from_keras(default_config(class_name))
    keras_lr = keras_values(json.loads(payloads.keras_json(schedule)), STEPS)
    np.testing.assert_array_equal(keras_lr.astype(np.float32), schedule(STEPS))


def test_keras_json_is_exactly_to_keras_of_the_schedule():
    schedule = lrviz.from_keras(default_config("CosineDecay"))
    assert json.loads(payloads.keras_json(schedule)) == schedule.to_keras()


def test_keras_json_writes_an_integer_learning_rate_as_a_float():
    text = payloads.keras_json(integer_cosine())
    assert '"initial_learning_rate": 0.0,' in text
    assert isinstance(json.loads(text)["config"]["initial_learning_rate"], float)


@pytest.mark.oracle
def test_keras_computes_the_exported_integer_config_in_floats():
    exported = json.loads(payloads.keras_json(integer_cosine()))
    keras_lr = keras_values(exported, STEPS)
    np.testing.assert_array_equal(
        keras_lr.astype(np.float32), integer_cosine().with_float_rates()(STEPS)
    )
    assert keras_lr[3] == pytest.approx(1e-3)


def test_keras_json_writes_piecewise_values_as_floats():
    config = default_config("PiecewiseConstantDecay")
    config["config"]["values"] = [1, 0, 0, 0]
    text = payloads.keras_json(lrviz.from_keras(config))
    assert json.loads(text)["config"]["values"] == [1.0, 0.0, 0.0, 0.0]
    assert "[\n      1.0," in text


@pytest.mark.oracle
def test_keras_json_list_deserializes_item_by_item_in_keras():
    schedules = [lrviz.from_keras(default_config(c)) for c in CLASSES]
    items = json.loads(payloads.keras_json_list(schedules))
    assert [keras_serialize(keras_schedule(item)) for item in items] == [
        s.to_keras() for s in schedules
    ]


def test_keras_json_list_is_read_back_by_lrviz_import():
    schedules = [lrviz.from_keras(default_config(c)) for c in CLASSES]
    assert lrviz.schedules_from_json(payloads.keras_json_list(schedules)) == schedules


# --- Python snippet --------------------------------------------------------------------------


def run_snippet(text: str):
    namespace: dict = {}
    exec(compile(text, "<snippet>", "exec"), namespace)
    return namespace["schedule"]


@pytest.mark.oracle
@pytest.mark.parametrize("class_name", CLASSES)
def test_python_snippet_builds_the_same_schedule_in_keras(class_name):
    schedule = lrviz.from_keras(random_config(class_name, np.random.default_rng(11)))
    built = run_snippet(payloads.python_snippet(schedule))
    assert keras_serialize(built) == payloads.keras_dict(schedule)


def test_python_snippet_calls_the_keras_constructor_with_repr_values():
    snippet = payloads.python_snippet(integer_cosine())
    assert "keras.optimizers.schedules.CosineDecay(\n" in snippet
    assert "    initial_learning_rate=0.0,\n" in snippet
    assert "    name='warmup_cosine',\n" in snippet


@pytest.mark.oracle
def test_python_snippet_survives_quotes_and_newlines_in_the_name():
    schedule = integer_cosine().replace(name='it\'s "odd"\n)')
    built = run_snippet(payloads.python_snippet(schedule))
    assert keras_serialize(built)["config"]["name"] == 'it\'s "odd"\n)'


# --- CSV -------------------------------------------------------------------------------------


def csv_frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_csv_has_a_step_column_and_one_column_per_configuration():
    cosine = lrviz.from_keras(default_config("CosineDecay"))
    steps = np.array([0, 500, 1000], dtype=np.int64)
    frame = csv_frame(payloads.plotted_csv([("Cosine", cosine, steps)]))
    assert list(frame.columns) == ["step", "Cosine"]
    assert frame["step"].tolist() == [0, 500, 1000]


def test_csv_values_are_the_engines_float32_values_exactly():
    schedules = [lrviz.from_keras(default_config(c)) for c in CLASSES]
    steps = np.unique(np.r_[np.arange(0, 30_000, 997), 1000, 3001, 9999, 10_000])
    curves = [(s.name, s, steps) for s in schedules]
    frame = csv_frame(payloads.plotted_csv(curves))
    for schedule in schedules:
        np.testing.assert_array_equal(
            frame[schedule.name].to_numpy().astype(np.float32), schedule(steps)
        )


def test_csv_rows_are_the_union_of_every_curves_plotted_steps():
    a = lrviz.from_keras(default_config("CosineDecay"))
    b = lrviz.from_keras(default_config("ExponentialDecay"))
    text = payloads.plotted_csv([("a", a, np.array([0, 10, 20])), ("b", b, np.array([5, 10, 30]))])
    frame = csv_frame(text)
    assert frame["step"].tolist() == [0, 5, 10, 20, 30]
    np.testing.assert_array_equal(
        frame["b"].to_numpy().astype(np.float32), b(frame["step"].to_numpy())
    )


def test_csv_has_an_epoch_column_when_steps_per_epoch_is_given():
    schedule = lrviz.from_keras(default_config("CosineDecay"))
    frame = csv_frame(payloads.plotted_csv([("c", schedule, np.array([0, 250, 1000]))], 500))
    assert list(frame.columns) == ["step", "epoch", "c"]
    assert frame["epoch"].tolist() == [0.0, 0.5, 2.0]


def test_csv_gives_repeated_names_distinct_columns():
    schedule = lrviz.from_keras(default_config("CosineDecay"))
    steps = np.array([0])
    frame = csv_frame(
        payloads.plotted_csv(
            [("x", schedule, steps), ("x", schedule, steps), ("step", schedule, steps)]
        )
    )
    assert list(frame.columns) == ["step", "x", "x (2)", "step (2)"]


# --- file names and links --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Warmup + cosine", "Warmup-cosine.json"),
        ("../../etc/passwd", "etc-passwd.json"),
        ("<script>alert(1)</script>", "script-alert-1-script.json"),
        ("", "schedule.json"),
        ("日本語", "schedule.json"),
        ("Café déjà vu", "Cafe-deja-vu.json"),
        ("a\x00b\nc", "a-b-c.json"),
        ("...", "schedule.json"),
    ],
)
def test_file_name_keeps_only_safe_characters(name, expected):
    assert payloads.file_name(name, "json") == expected


def test_file_name_is_cut_to_a_sane_length():
    assert len(payloads.file_name("x" * 500, "json")) == payloads.MAX_FILE_STEM + len(".json")


def test_share_link_reopens_the_same_studio():
    studio = ss.add(ss.starter_studio(), "CosineDecayRestarts")
    studio = ss.set_view(studio, log_y=True)
    link = payloads.share_link(studio, "https://lrviz.example/app/")
    assert link.startswith("https://lrviz.example/app/?v=1&c=")
    params = dict(parse_qsl(urlsplit(link).query))
    reopened, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert messages == []
    assert [e.config for e in reopened.entries] == [e.config for e in studio.entries]
    assert reopened.view == studio.view
    assert reopened.index(reopened.selected) == 1


def test_share_link_defaults_to_localhost():
    assert payloads.share_link(ss.starter_studio()).startswith("http://localhost:8501/?v=1&c=")


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("http://127.0.0.1:8599", "http://127.0.0.1:8599/"),
        ("https://host.example/lrviz/?v=1&c=abc#x", "https://host.example/lrviz/"),
        (None, "http://localhost:8501/"),
        ("", "http://localhost:8501/"),
    ],
)
def test_page_base_is_the_page_url_without_its_query(url, base):
    assert payloads.page_base(url) == base
