"""Integer learning rates against real Keras (numpy backend), bit for bit, up to 2^31 steps.

Keras then mixes numpy's operators (int32 / int32 is float64) with its own ops, which compute in
float32 whatever they get; past 2^24 the two round differently (issue #15's examples)."""

from __future__ import annotations

import numpy as np
import pytest
from config_factory import random_config, steps_to_check
from keras_oracle import keras_values

import lrviz

pytestmark = pytest.mark.oracle

CLASSES = ("CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
           "PolynomialDecay")  # fmt: skip
CONFIGS_PER_CLASS = 15
INT32_STEPS = 2**31  # Keras casts the step to int32


def _bits(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float32).copy()
    values[np.isnan(values)] = np.float32("nan")
    return values.view(np.uint32)


def integer_config(class_name: str, rng: np.random.Generator) -> dict:
    config = random_config(class_name, rng)
    inner = config["config"]
    inner["initial_learning_rate"] = int(rng.choice([0, 1, 2, 3, 5]))
    if class_name == "CosineDecay" and inner["warmup_target"] is not None:
        inner["warmup_target"] = float(rng.choice([0.5, 1.0, 2.0, 3.7]))
    return config


@pytest.mark.parametrize("class_name", CLASSES)
def test_random_integer_rate_configs_match_keras_bit_for_bit(class_name):
    rng = np.random.default_rng(1500 + CLASSES.index(class_name))
    compared, mismatches = 0, []
    for _ in range(CONFIGS_PER_CLASS):
        config = integer_config(class_name, rng)
        schedule = lrviz.from_keras(config)
        steps = steps_to_check(schedule, rng)
        steps = np.union1d(steps[steps < INT32_STEPS], rng.integers(2**24, INT32_STEPS, 8))
        ours, theirs = schedule(steps), keras_values(config, steps)
        compared += steps.size
        bad = np.flatnonzero(_bits(ours) != _bits(theirs))
        mismatches += [f"{config['config']} step={steps[i]}" for i in bad]
    assert compared > CONFIGS_PER_CLASS * 20
    assert not mismatches, f"{len(mismatches)} of {compared} differ, e.g. {mismatches[:3]}"


@pytest.mark.parametrize(
    ("class_name", "config", "steps"),
    [
        (
            "CosineDecayRestarts",
            {"initial_learning_rate": 1, "first_decay_steps": 238294029, "t_mul": 1.0},
            [238294027, 238294028, 238294029],
        ),
        (
            "PolynomialDecay",
            {"initial_learning_rate": 3, "decay_steps": 564583114, "cycle": True},
            [564583114, 564583115, 564583116],
        ),
    ],
)
def test_the_integer_cases_of_issue_15_past_2_pow_24(class_name, config, steps):
    schedule = lrviz.from_keras({"class_name": class_name, "config": config})
    steps = np.array(steps, dtype=np.int64)
    assert np.array_equal(_bits(schedule(steps)), _bits(keras_values(schedule.to_keras(), steps)))
