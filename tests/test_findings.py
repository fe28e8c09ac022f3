"""Findings: each surprise Keras has in store is named, explained and backed by the real curve."""

from __future__ import annotations

import numpy as np
import pytest
from keras_oracle import keras_values

import lrviz
from lrviz.i18n import LANGUAGES


def _codes(config, horizon=None):
    return {f.code for f in lrviz.findings(config, horizon)}


def _cosine(**config):
    return lrviz.from_keras({"class_name": "CosineDecay", "config": config})


def _cycling(decay_steps, power=0.5, cycle=True):
    return lrviz.from_keras(
        {
            "class_name": "PolynomialDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": decay_steps,
                "power": power,
                "cycle": cycle,
            },
        }
    )


def _only(schedule, code, horizon=None):
    (finding,) = [f for f in lrviz.findings(schedule, horizon) if f.code == code]
    return finding


def _first_nan_by_brute_force(schedule, stop):
    """Every step from 0 to `stop`, on the engine, a block at a time."""
    block = 1 << 22
    for first in range(0, stop + 1, block):
        steps = np.arange(first, min(first + block, stop + 1), dtype=np.int64)
        bad = np.flatnonzero(np.isnan(schedule(steps)))
        if bad.size:
            return int(steps[bad[0]])
    return None


def test_integer_learning_rate_is_flagged_and_really_flattens_the_warmup():
    schedule = _cosine(
        initial_learning_rate=0, decay_steps=1000, warmup_target=0.1, warmup_steps=100
    )
    (finding,) = [f for f in lrviz.findings(schedule) if f.code == "integer_learning_rate"]
    assert "0.1 becomes 0" in finding.message()
    assert "0.0" in finding.fix()
    assert not schedule(np.arange(0, 1200, 7)).any()  # all zero, as Keras computes


def test_float_learning_rate_has_no_integer_finding():
    assert "integer_learning_rate" not in _codes(
        _cosine(initial_learning_rate=0.0, decay_steps=1000, warmup_target=0.1, warmup_steps=100)
    )


def test_warmup_steps_without_target_is_flagged_and_really_ignored():
    schedule = _cosine(initial_learning_rate=0.1, decay_steps=1000, warmup_steps=500)
    assert "warmup_ignored" in _codes(schedule)
    without = _cosine(initial_learning_rate=0.1, decay_steps=1000)
    steps = np.arange(0, 1500, 11)
    np.testing.assert_array_equal(schedule(steps), without(steps))


def test_target_below_initial_rate_warms_down():
    schedule = _cosine(
        initial_learning_rate=0.1, decay_steps=1000, warmup_target=0.01, warmup_steps=100
    )
    assert "warms_down" in _codes(schedule)
    assert schedule(50) < schedule(0)


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_alpha_outside_zero_one_is_flagged(alpha):
    assert "alpha_outside_unit" in _codes(
        _cosine(initial_learning_rate=0.1, decay_steps=10, alpha=alpha)
    )


def test_shrinking_restarts_name_the_first_nan_step():
    schedule = lrviz.from_keras(
        {
            "class_name": "CosineDecayRestarts",
            "config": {"initial_learning_rate": 0.1, "first_decay_steps": 100, "t_mul": 0.5},
        }
    )
    (finding,) = [f for f in lrviz.findings(schedule) if f.code == "restarts_nan"]
    nan_from = finding.params["nan_from"]
    assert np.isnan(schedule(nan_from)) and not np.isnan(schedule(nan_from - 1))
    assert f"{nan_from:,}" in finding.message()


def test_unsorted_boundaries_are_explained_even_though_lrviz_refuses_them():
    raw = {
        "class_name": "PiecewiseConstantDecay",
        "config": {"boundaries": [200, 100], "values": [0.1, 0.01, 0.001]},
    }
    assert _codes(raw) == {"unsorted_boundaries"}
    with pytest.raises(lrviz.ConfigError):
        lrviz.from_keras(raw)


def test_horizon_beyond_2_pow_24_mentions_float32_rounding():
    schedule = _cosine(initial_learning_rate=0.1, decay_steps=1000)
    assert "float32_steps" not in _codes(schedule, horizon=2**24)
    assert "float32_steps" in _codes(schedule, horizon=2**25)


@pytest.mark.oracle
@pytest.mark.parametrize("decay_steps", [5, 12345])
def test_cycling_polynomial_names_the_first_nan_step_keras_returns(decay_steps):
    schedule = _cycling(decay_steps)
    nan_from = _only(schedule, "polynomial_cycle_nan", horizon=10**9).params["nan_from"]
    assert _first_nan_by_brute_force(schedule, nan_from) == nan_from
    before, at = keras_values(schedule.to_keras(), [nan_from - 1, nan_from])
    assert np.isfinite(before) and np.isnan(at)


@pytest.mark.oracle
def test_cycling_polynomial_nan_step_far_out_matches_keras():
    schedule = _cycling(1000, power=1.5)
    finding = _only(schedule, "polynomial_cycle_nan", horizon=10**12)
    nan_from = finding.params["nan_from"]
    assert np.isfinite(schedule(nan_from - 1)) and np.isnan(schedule(nan_from))
    before, at = keras_values(schedule.to_keras(), [nan_from - 1, nan_from])
    assert np.isfinite(before) and np.isnan(at)
    assert f"{nan_from:,}" in finding.message() and f"{nan_from:,}" in finding.fix()


def test_cycling_polynomial_nan_is_reported_only_within_the_horizon():
    schedule = _cycling(12345)
    nan_from = _only(schedule, "polynomial_cycle_nan", horizon=10**9).params["nan_from"]
    assert "polynomial_cycle_nan" in _codes(schedule, horizon=nan_from)
    assert "polynomial_cycle_nan" not in _codes(schedule, horizon=nan_from - 1)
    assert "polynomial_cycle_nan" not in _codes(schedule)  # reach 3 * decay_steps


@pytest.mark.oracle
@pytest.mark.parametrize(
    "schedule",
    [
        _cycling(12345, power=1.0),
        _cycling(12345, power=2.0),
        _cycling(12345, cycle=False),
    ],
    ids=["power 1", "power 2", "no cycle"],
)
def test_integer_power_or_no_cycle_gives_no_nan(schedule):
    assert "polynomial_cycle_nan" not in _codes(schedule, horizon=10**12)
    nan_from = _only(_cycling(12345), "polynomial_cycle_nan", horizon=10**9).params["nan_from"]
    assert np.isfinite(keras_values(schedule.to_keras(), [nan_from])).all()


@pytest.mark.oracle
def test_power_of_two_decay_steps_never_give_nan():
    schedule = _cycling(1024)
    assert "polynomial_cycle_nan" not in _codes(schedule, horizon=10**12)
    edges = 1024 * np.arange(2**18, 2**18 + 2**20, 2**14)  # cycle ends around 2^28
    steps = (edges[:, None] + np.arange(1, 65)).ravel()
    assert not np.isnan(keras_values(schedule.to_keras(), steps)).any()


@pytest.mark.oracle
def test_warmup_past_2_pow_24_shifts_the_cosine_floor_as_in_keras():
    config = dict(initial_learning_rate=0.0, warmup_target=0.1, warmup_steps=2**30, alpha=0.1)
    shifted = _cosine(decay_steps=1000, **config)
    finding = _only(shifted, "cosine_floor_shifted")
    settled, expected = finding.params["settled"], finding.params["expected"]
    late = keras_values(shifted.to_keras(), [2**30 + 1000, 2**31])
    np.testing.assert_array_equal(late, [settled, settled])
    # The same warmup and alpha over an exact float32 sum reach Keras's alpha * warmup_target.
    exact = _cosine(decay_steps=1024, **config)
    assert "cosine_floor_shifted" not in _codes(exact)
    (floor,) = keras_values(exact.to_keras(), [2**31])
    assert floor == expected != settled
    assert f"{settled:.8g}" in finding.message() and f"{expected:.8g}" in finding.message()


@pytest.mark.oracle
@pytest.mark.parametrize(
    "config",
    [
        dict(decay_steps=1000, warmup_steps=100, warmup_target=0.1),
        dict(decay_steps=10**9, warmup_steps=0, warmup_target=0.1),
        dict(decay_steps=10**9),
        dict(decay_steps=1000, warmup_steps=2**30),
    ],
    ids=["small", "decay past 2^24 without warmup", "no warmup target", "warmup ignored"],
)
def test_cosine_floor_is_alpha_times_peak_when_nothing_rounds_away(config):
    schedule = _cosine(initial_learning_rate=0.05, alpha=0.1, **config)
    assert "cosine_floor_shifted" not in _codes(schedule)
    peak = config.get("warmup_target", 0.05)
    (floor,) = keras_values(schedule.to_keras(), [2**31])
    assert floor == np.float32(peak) * np.float32(0.1)


def test_growing_exponential_and_peaks_are_information():
    grows = lrviz.from_keras(
        {
            "class_name": "ExponentialDecay",
            "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 1.5},
        }
    )
    assert "rate_grows" in _codes(grows)


def test_every_finding_renders_in_every_language():
    schedules = [
        _cosine(initial_learning_rate=0, decay_steps=10, warmup_target=0.5, warmup_steps=3),
        _cosine(initial_learning_rate=0.1, decay_steps=10, warmup_steps=3, alpha=2.0),
        _cosine(initial_learning_rate=0.1, decay_steps=10, warmup_target=0.01, warmup_steps=3),
        _cosine(initial_learning_rate=0.0, decay_steps=10, warmup_target=0.1, warmup_steps=2**30),
        _cycling(5),
    ]
    for lang in LANGUAGES:
        for schedule in schedules:
            for finding in lrviz.findings(schedule, horizon=10**8):
                assert finding.message(lang) and finding.fix(lang)


def test_findings_are_worded_wholly_in_the_chosen_language():
    """No English phrase rides inside a Chinese finding (direction, where, ranges)."""
    below = lrviz.from_keras(lrviz.default_config("CosineDecay")).replace(alpha=-0.5)
    big = lrviz.from_keras(lrviz.default_config("CosineDecay")).replace(decay_steps=10**9)
    texts = [f.message("zh-TW") for s in (below, big) for f in lrviz.findings(s, 2 * 10**9)]
    assert any("低於零" in text for text in texts)
    assert any("步附近" in text for text in texts)
    for text in texts:
        assert "below zero" not in text and "around step" not in text


def _growing(class_name, **config):
    return lrviz.from_keras({"class_name": class_name, "config": config})


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("schedule", "param"),
    [
        (
            _growing(
                "CosineDecayRestarts",
                initial_learning_rate=1e-3,
                first_decay_steps=10,
                m_mul=2.0,
                t_mul=1.0,
            ),
            "m_mul",
        ),
        (
            _growing(
                "CosineDecayRestarts",
                initial_learning_rate=0.5,
                first_decay_steps=7,
                m_mul=1.7,
                t_mul=1.05,
                alpha=0.2,
            ),
            "m_mul",
        ),
        (
            _growing(
                "ExponentialDecay", initial_learning_rate=1e-3, decay_steps=10, decay_rate=2.0
            ),
            "decay_rate",
        ),
        (
            _growing(
                "ExponentialDecay",
                initial_learning_rate=3.0,
                decay_steps=100,
                decay_rate=1.5,
                staircase=True,
            ),
            "decay_rate",
        ),
    ],
    ids=["restarts t_mul 1", "restarts t_mul 1.05", "exponential", "exponential stairs"],
)
def test_overflow_names_the_first_step_keras_returns_inf_or_nan(schedule, param):
    finding = _only(schedule, "overflow", horizon=10**7)
    step = finding.params["step"]
    assert finding.param == param and f"`{param}`" in finding.fix()
    before, at = keras_values(schedule.to_keras(), [step - 1, step])
    assert np.isfinite(before) and not np.isfinite(at)
    assert finding.params["value"] == ("NaN" if np.isnan(at) else str(np.float32(at)))
    # Nothing non-finite earlier, on the engine, step by step.
    assert np.isfinite(schedule(np.arange(step))).all()
    for lang in LANGUAGES:
        assert f"{step:,}" in finding.message(lang) and f"{step:,}" in finding.fix(lang)


@pytest.mark.oracle
def test_overflow_is_reported_only_within_the_horizon_and_only_when_it_happens():
    schedule = _growing(
        "CosineDecayRestarts",
        initial_learning_rate=1e-3,
        first_decay_steps=10,
        m_mul=2.0,
        t_mul=1.0,
    )
    step = _only(schedule, "overflow", horizon=100_000).params["step"]
    assert "overflow" in _codes(schedule, horizon=step)
    assert "overflow" not in _codes(schedule, horizon=step - 1)
    slow = schedule.replace(m_mul=1.001)  # peaks grow (x2e4 by 10^5 steps), but stay finite
    assert "restarts_growing_peaks" in _codes(slow, horizon=100_000)
    assert "overflow" not in _codes(slow, horizon=100_000)
    assert np.isfinite(keras_values(slow.to_keras(), [99_999, 100_000])).all()
