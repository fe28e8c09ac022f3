"""Findings: each surprise Keras has in store is named, explained and backed by the real curve."""

from __future__ import annotations

import numpy as np
import pytest

import lrviz
from lrviz.i18n import LANGUAGES


def _codes(config, horizon=None):
    return {f.code for f in lrviz.findings(config, horizon)}


def _cosine(**config):
    return lrviz.from_keras({"class_name": "CosineDecay", "config": config})


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
