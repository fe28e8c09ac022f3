"""lrviz's curves against real Keras 3 (numpy backend), value for value in float32."""

from __future__ import annotations

import numpy as np
import pytest
from config_factory import CLASSES, random_config, steps_to_check
from keras_oracle import keras_schedule, keras_serialize, keras_values

import lrviz

pytestmark = pytest.mark.oracle

CONFIGS_PER_CLASS = 350


def _bits(values: np.ndarray) -> np.ndarray:
    """float32 bit patterns with every NaN made the same, so NaN == NaN."""
    values = np.asarray(values, dtype=np.float32).copy()
    values[np.isnan(values)] = np.float32("nan")
    return values.view(np.uint32)


def parity(class_name: str, count: int, seed: int) -> tuple[int, int, list[str]]:
    """(configs, values compared, mismatch descriptions) for `count` random configs."""
    rng = np.random.default_rng(seed)
    compared = 0
    mismatches: list[str] = []
    for _ in range(count):
        config = random_config(class_name, rng)
        schedule = lrviz.from_keras(config)
        steps = steps_to_check(schedule, rng)
        ours = schedule(steps)
        theirs = keras_values(config, steps).astype(np.float32)
        compared += steps.size
        for step, a, b in zip(steps, ours, theirs):
            if _bits(a) != _bits(b):
                mismatches.append(f"{config['config']} step={step}: lrviz {a!r} keras {b!r}")
    return count, compared, mismatches


@pytest.mark.parametrize("class_name", CLASSES)
def test_random_configs_match_keras_bit_for_bit(class_name):
    seed = CLASSES.index(class_name) + 1
    _, compared, mismatches = parity(class_name, CONFIGS_PER_CLASS, seed)
    assert compared > CONFIGS_PER_CLASS * 20
    assert not mismatches, f"{len(mismatches)} of {compared} differ, e.g. {mismatches[:3]}"


@pytest.mark.parametrize("class_name", CLASSES)
def test_to_keras_is_what_keras_serialize_returns(class_name):
    rng = np.random.default_rng(100 + CLASSES.index(class_name))
    for _ in range(20):
        schedule = lrviz.from_keras(random_config(class_name, rng))
        exported = schedule.to_keras()
        assert keras_serialize(keras_schedule(exported)) == exported


@pytest.mark.parametrize("class_name", CLASSES)
def test_keras_serialize_output_opens_in_lrviz(class_name):
    config = lrviz.default_config(class_name)
    serialized = keras_serialize(keras_schedule(config))
    assert lrviz.from_keras(serialized).to_keras() == serialized


def test_restarts_with_shrinking_periods_give_nan_where_keras_does():
    config = lrviz.from_keras(
        {
            "class_name": "CosineDecayRestarts",
            "config": {"initial_learning_rate": 0.1, "first_decay_steps": 100, "t_mul": 0.5},
        }
    )
    (finding,) = [f for f in lrviz.findings(config) if f.code == "restarts_nan"]
    nan_from = finding.params["nan_from"]
    steps = np.arange(nan_from - 3, nan_from + 3)
    theirs = keras_values(config.to_keras(), steps)
    assert not np.isnan(theirs[:3]).any() and np.isnan(theirs[3:]).all()
    assert np.array_equal(_bits(config(steps)), _bits(theirs.astype(np.float32)))


def test_steps_beyond_2_pow_24_are_rounded_like_keras():
    schedule = lrviz.from_keras(
        {
            "class_name": "CosineDecay",
            "config": {"initial_learning_rate": 1.0, "decay_steps": 10**8},
        }
    )
    steps = np.arange(2**24, 2**24 + 8)
    ours = schedule(steps)
    assert ours[0] == ours[1] and ours[2] == ours[3]  # odd steps round to even neighbours
    assert np.array_equal(_bits(ours), _bits(keras_values(schedule.to_keras(), steps)))


INTEGER_CONFIGS = [
    ("CosineDecay", {"initial_learning_rate": 1, "decay_steps": 1000}),
    ("CosineDecay", {"initial_learning_rate": 2, "decay_steps": 700, "alpha": 0.3}),
    (
        "CosineDecay",
        {
            "initial_learning_rate": 0,
            "decay_steps": 1000,
            "warmup_target": 0.1,
            "warmup_steps": 100,
        },
    ),
    (
        "CosineDecay",
        {"initial_learning_rate": 0, "decay_steps": 900, "warmup_target": 3.7, "warmup_steps": 100},
    ),
    (
        "CosineDecay",
        {"initial_learning_rate": 5, "decay_steps": 900, "warmup_target": 1, "warmup_steps": 50},
    ),
    ("CosineDecayRestarts", {"initial_learning_rate": 1, "first_decay_steps": 100}),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 3, "first_decay_steps": 70, "t_mul": 1.0, "m_mul": 2.0},
    ),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 1, "first_decay_steps": 50, "t_mul": 3.5, "alpha": 1.5},
    ),
    ("ExponentialDecay", {"initial_learning_rate": 1, "decay_steps": 100, "decay_rate": 0.5}),
    (
        "ExponentialDecay",
        {"initial_learning_rate": 3, "decay_steps": 100, "decay_rate": 2.5, "staircase": True},
    ),
    ("PolynomialDecay", {"initial_learning_rate": 3, "decay_steps": 1000}),
    (
        "PolynomialDecay",
        {
            "initial_learning_rate": 4,
            "decay_steps": 100,
            "end_learning_rate": 1.0,
            "power": 2.0,
            "cycle": True,
        },
    ),
    ("InverseTimeDecay", {"initial_learning_rate": 1, "decay_steps": 100, "decay_rate": 0.5}),
    (
        "InverseTimeDecay",
        {"initial_learning_rate": 7, "decay_steps": 10, "decay_rate": 2.0, "staircase": True},
    ),
    ("PiecewiseConstantDecay", {"boundaries": [100, 500], "values": [3, 2, 1]}),
]


@pytest.mark.parametrize(("class_name", "config"), INTEGER_CONFIGS)
def test_integer_learning_rate_follows_keras_cast(class_name, config):
    schedule = lrviz.from_keras({"class_name": class_name, "config": config})
    assert any(f.code == "integer_learning_rate" for f in lrviz.findings(schedule))
    end = schedule.settles_at()
    steps = np.unique(
        np.concatenate([np.arange(0, 2 * end + 2, max(1, end // 97)), [end - 1, end, end + 1]])
    )
    theirs = keras_values(schedule.to_keras(), steps)
    np.testing.assert_allclose(schedule(steps), theirs, rtol=2e-6, atol=1e-12, equal_nan=True)
