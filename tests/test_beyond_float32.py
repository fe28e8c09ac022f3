"""Arguments beyond float32's largest value (issue #18): curves equal real Keras's inf and NaN,
a finding says so, and no other finding is fooled by the non-finite values."""

from __future__ import annotations

import numpy as np
import pytest
from keras_oracle import keras_values

import lrviz
from lrviz.checks import findings
from lrviz.figures import auto_horizon

STEPS = np.array([0, 5, 10, 11, 15, 20, 21, 25, 30, 31, 50, 2000, 10**6])
BEYOND = {
    "piecewise middle": (
        {"boundaries": [10, 20], "values": [0.1, 1e39, 0.01]},
        "PiecewiseConstantDecay",
        "values[1]",
    ),
    "piecewise first": (
        {"boundaries": [10], "values": [1e39, 0.5]},
        "PiecewiseConstantDecay",
        "values[0]",
    ),
    "piecewise third of four": (
        {"boundaries": [10, 20, 30], "values": [0.0, 1.0, 1e39, 0.5]},
        "PiecewiseConstantDecay",
        "values[2]",
    ),
    "cosine initial": (
        {"initial_learning_rate": 1e308, "decay_steps": 1000},
        "CosineDecay",
        "initial_learning_rate",
    ),
    "cosine warmup target": (
        {
            "initial_learning_rate": 0.0,
            "decay_steps": 1000,
            "warmup_steps": 100,
            "warmup_target": 1e308,
        },
        "CosineDecay",
        "warmup_target",
    ),
    "exponential initial": (
        {"initial_learning_rate": 1e300, "decay_steps": 10, "decay_rate": 0.5},
        "ExponentialDecay",
        "initial_learning_rate",
    ),
    "polynomial initial": (
        {"initial_learning_rate": 1e300, "decay_steps": 10, "end_learning_rate": 1e-40},
        "PolynomialDecay",
        "initial_learning_rate",
    ),
    "restarts initial": (
        {"initial_learning_rate": 1e300, "first_decay_steps": 10},
        "CosineDecayRestarts",
        "initial_learning_rate",
    ),
}


@pytest.mark.oracle
@pytest.mark.parametrize(("config", "class_name", "param"), BEYOND.values(), ids=BEYOND.keys())
def test_a_value_beyond_float32_gives_keras_inf_and_nan_and_one_finding(config, class_name, param):
    keras_config = {"class_name": class_name, "config": config}
    schedule = lrviz.from_keras(keras_config)
    expected = keras_values(keras_config, STEPS).astype(np.float32)
    assert not np.isfinite(expected).all()
    np.testing.assert_array_equal(schedule(STEPS), expected)
    found = findings(schedule, auto_horizon([schedule]))
    assert [(f.code, f.params["param"]) for f in found] == [("beyond_float32", param)]


def test_a_value_that_rounds_to_float32_max_is_no_finding():
    largest = float(np.finfo(np.float32).max) * (1 + 2**-30)  # rounds down to float32's max
    schedule = lrviz.from_keras(
        {
            "class_name": "PiecewiseConstantDecay",
            "config": {"boundaries": [5], "values": [largest, 0.1]},
        }
    )
    assert schedule(np.array([0]))[0] == np.finfo(np.float32).max
    assert findings(schedule) == []
