"""Keras JSON in: what opens, and the one-line ConfigError for everything else."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrviz
from lrviz import ConfigError, from_keras, schedules_from_json

GOOD = {
    "module": "keras.optimizers.schedules",
    "class_name": "CosineDecay",
    "config": {
        "initial_learning_rate": 0.0,
        "decay_steps": 1000,
        "alpha": 0.1,
        "name": "CosineDecay",
        "warmup_target": 0.1,
        "warmup_steps": 100,
    },
    "registered_name": None,
}


def _with(**changes):
    config = dict(GOOD["config"])
    for key, value in changes.items():
        if value is _DROP:
            config.pop(key)
        else:
            config[key] = value
    return {**GOOD, "config": config}


_DROP = object()


def test_serialize_output_opens_and_exports_unchanged():
    assert from_keras(GOOD).to_keras() == GOOD


def test_json_text_and_utf8_bytes_open_like_the_dict():
    text = json.dumps(GOOD)
    assert from_keras(text) == from_keras(GOOD)
    assert from_keras(text.encode("utf-8")) == from_keras(GOOD)


def test_legacy_tf_keras_form_opens_with_defaults_filled():
    legacy = {
        "class_name": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    }
    exported = from_keras(legacy).to_keras()
    assert exported["module"] == "keras.optimizers.schedules"
    assert exported["config"]["staircase"] is False
    assert exported["config"]["name"] == "ExponentialDecay"


def test_integer_learning_rate_keeps_its_type_for_the_finding():
    schedule = from_keras(_with(initial_learning_rate=0))
    assert schedule.to_keras()["config"]["initial_learning_rate"] == 0
    assert isinstance(schedule.to_keras()["config"]["initial_learning_rate"], int)
    assert isinstance(
        schedule.with_float_rates().to_keras()["config"]["initial_learning_rate"], float
    )


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("{not json", "Not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("[" * 5000 + "]" * 5000, "nested too deep"),
        ('{"a":' * 20 + "1" + "}" * 20, "nested too deep"),
        ("", "empty"),
        ("42", "JSON object"),
        ('"CosineDecay"', "JSON object"),
        (
            '{"class_name": "CosineDecay", "config": {"initial_learning_rate": NaN, '
            '"decay_steps": 10}}',
            "NaN",
        ),
        (
            '{"class_name": "CosineDecay", "config": {"initial_learning_rate": 1e999, '
            '"decay_steps": 10}}',
            "`initial_learning_rate` must be a finite number.*1e999",
        ),
        (
            '{"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, '
            '"decay_steps": 1' + "0" * 5000 + "}}",
            "Not usable JSON",
        ),
    ],
)
def test_unreadable_text_is_a_config_error(bad, words):
    with pytest.raises(ConfigError, match=words):
        from_keras(bad)


def test_text_over_one_mebibyte_is_refused_quickly():
    text = json.dumps({**GOOD, "pad": "x" * (1024 * 1024)})
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="1 MiB"):
        from_keras(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"config": GOOD["config"]}, "Missing `class_name`"),
        ({**GOOD, "class_name": "CosineDecayy"}, "Did you mean `CosineDecay`"),
        ({**GOOD, "class_name": "LinearCosineDecay"}, "Unknown `class_name`"),
        ({**GOOD, "class_name": 7}, "Unknown `class_name`"),
        ({**GOOD, "module": "my_project.schedules"}, "Argument `module`"),
        ({**GOOD, "registered_name": "my_package>MySchedule"}, "registered"),
        ({**GOOD, "config": [1, 2]}, "`config` must be a JSON object"),
        ({**GOOD, "extra": 1}, "Unknown top-level key `extra`"),
        ({"class_name": "CosineDecay"}, "Missing `config`"),
        (_with(decay_steps=_DROP), "needs `decay_steps`"),
        (_with(decay_step=10), "Did you mean `decay_steps`"),
        (_with(initial_learning_rate="0.1"), "initial_learning_rate"),
        (_with(initial_learning_rate=[0.1]), "initial_learning_rate"),
        (_with(initial_learning_rate=None), "not null"),
        (_with(initial_learning_rate=True), "initial_learning_rate"),
        (_with(initial_learning_rate=-0.1), ">= 0"),
        (_with(decay_steps=0), r"whole number in \[1, 10\^12\]"),
        (_with(decay_steps=-5), "Received: decay_steps=-5"),
        (_with(decay_steps=10.5), "decay_steps=10.5"),
        (_with(decay_steps=10**12 + 1), "decay_steps"),
        (_with(warmup_steps=-1), r"\[0, 10\^12\]"),
        (_with(name=5), "`name`"),
        (_with(name="x" * 201), "`name`"),
    ],
)
def test_bad_config_is_a_one_line_error_naming_the_field(config, words):
    with pytest.raises(ConfigError, match=words) as caught:
        from_keras(config)
    assert "\n" not in str(caught.value)


def test_integral_float_step_counts_are_accepted_as_whole_numbers():
    assert from_keras(_with(decay_steps=1000.0)).config["decay_steps"] == 1000


@pytest.mark.parametrize("flag", ["staircase", "cycle"])
@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_boolean_arguments_must_be_true_or_false(flag, value):
    class_name = "ExponentialDecay" if flag == "staircase" else "PolynomialDecay"
    config = {"initial_learning_rate": 0.1, "decay_steps": 10, flag: value}
    if class_name == "ExponentialDecay":
        config["decay_rate"] = 0.5
    with pytest.raises(ConfigError, match=f"`{flag}` must be true or false"):
        from_keras({"class_name": class_name, "config": config})


@pytest.mark.parametrize(
    ("boundaries", "values", "words"),
    [
        ([10, 20], [0.1, 0.2], "one more item"),
        ([20, 10], [0.1, 0.2, 0.3], "strictly increasing"),
        ([10, 10], [0.1, 0.2, 0.3], "strictly increasing"),
        ([10, 20.5], [0.1, 0.2, 0.3], r"boundaries\[1\]"),
        ([10], [1, 0.5], "casting error"),
        ([10], "0.1,0.2", "list of numbers"),
        ([2**31], [0.1, 0.2], r"boundaries\[0\]"),
    ],
)
def test_piecewise_constant_lists_are_checked(boundaries, values, words):
    with pytest.raises(ConfigError, match=words):
        from_keras(
            {
                "class_name": "PiecewiseConstantDecay",
                "config": {"boundaries": boundaries, "values": values},
            }
        )


def test_a_list_names_the_bad_item():
    with pytest.raises(ConfigError, match="Item 2 of 2"):
        schedules_from_json([GOOD, _with(decay_steps=0)])


def test_more_than_32_configs_are_refused_with_the_limit():
    with pytest.raises(ConfigError, match="at most 32"):
        schedules_from_json([GOOD] * 33)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_only_ever_raises_config_error(text):
    try:
        from_keras(text)
    except ConfigError as err:
        assert str(err) and "\n" not in str(err)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=25), children, max_size=5)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(["class_name", "config", "module", "registered_name"])
ARG_NAMES = st.sampled_from(
    sorted({p.name for spec in lrviz.SCHEDULES.values() for p in spec.params})
)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(
    class_name=st.sampled_from([*lrviz.SCHEDULES, "Nope"]),
    config=st.dictionaries(ARG_NAMES, JSON_VALUES, max_size=7),
    top=st.dictionaries(KEYS, JSON_VALUES, max_size=2),
)
def test_json_shaped_configs_open_or_raise_config_error(class_name, config, top):
    candidate = {"class_name": class_name, "config": config, **top}
    try:
        schedule = from_keras(candidate)
    except ConfigError:
        return
    values = schedule(np.array([0, 1, 10, 1000]))
    assert values.dtype == np.float32
    assert from_keras(schedule.to_keras()) == schedule
