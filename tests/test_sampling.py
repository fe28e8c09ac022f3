"""The sampler draws exactly what every step would: per-column envelope and every breakpoint."""

from __future__ import annotations

import numpy as np
import pytest
from config_factory import CLASSES, random_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrviz
from lrviz.sampling import drawn, envelope, line_envelope, sample_steps

COLUMNS = 1000


def _full_and_sampled(schedule, start, stop, columns=COLUMNS):
    full = np.arange(start, stop + 1, dtype=np.int64)
    sampled = sample_steps(schedule, start, stop, columns)
    return full, schedule(full), sampled, schedule(sampled)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    class_index=st.integers(0, len(CLASSES) - 1),
    seed=st.integers(0, 2**32 - 1),
    exponent=st.floats(3.0, 6.7),
)
def test_sampled_envelope_equals_full_curve_per_pixel_column(class_index, seed, exponent):
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], np.random.default_rng(seed)))
    stop = int(10**exponent)
    full, full_values, sampled, sampled_values = _full_and_sampled(schedule, 0, stop)
    want = envelope(full, full_values.astype(np.float64), 0, stop, COLUMNS)
    got = envelope(sampled, sampled_values.astype(np.float64), 0, stop, COLUMNS)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@settings(max_examples=100, deadline=None)
@given(class_index=st.integers(0, len(CLASSES) - 1), seed=st.integers(0, 2**32 - 1))
def test_every_breakpoint_is_a_sampled_step(class_index, seed):
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], np.random.default_rng(seed)))
    stop = min(10**12, 3 * schedule.settles_at())
    marks = schedule.breakpoints(stop)
    sampled = sample_steps(schedule, 0, stop)
    if marks is not None and marks.size <= 4 * COLUMNS:
        assert np.isin(marks, sampled).all()


@settings(max_examples=60, deadline=None)
@given(
    class_index=st.integers(0, len(CLASSES) - 1),
    seed=st.integers(0, 2**32 - 1),
    exponent=st.floats(3.0, 12.0),
)
def test_at_most_four_points_per_column_plus_a_nan_gap_at_any_horizon(class_index, seed, exponent):
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], np.random.default_rng(seed)))
    stop = int(10**exponent)
    sampled = sample_steps(schedule, 0, stop)
    marks = schedule.breakpoints(stop)
    extra = 0 if marks is None or marks.size > 4 * COLUMNS else 2 * marks.size
    assert sampled.size <= 5 * COLUMNS + extra
    assert sampled[0] == 0 and sampled[-1] == stop
    assert np.all(np.diff(sampled) > 0)


def test_short_ranges_return_every_step():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    np.testing.assert_array_equal(sample_steps(schedule, 100, 2100), np.arange(100, 2101))


def test_zoomed_range_resamples_down_to_single_steps():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    sampled = sample_steps(schedule, 999, 1003)
    np.testing.assert_array_equal(sample_steps(schedule, 999, 1003), [999, 1000, 1001, 1002, 1003])
    assert schedule(sampled)[1] == np.float32(1e-3)  # the exact peak at warmup_steps


def test_nan_tail_starts_exactly_where_keras_turns_nan():
    schedule = lrviz.from_keras(
        {
            "class_name": "CosineDecayRestarts",
            "config": {"initial_learning_rate": 1e-3, "first_decay_steps": 1000, "t_mul": 0.5},
        }
    )
    stop = 10**7
    sampled = sample_steps(schedule, 0, stop)
    values = schedule(sampled)
    first_nan = sampled[np.isnan(values)][0]
    assert not np.isnan(schedule(first_nan - 1)) and np.isnan(schedule(first_nan))


def test_reversed_range_is_rejected():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    with pytest.raises(ValueError, match="stop"):
        sample_steps(schedule, 10, 5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    class_index=st.integers(0, len(CLASSES) - 1),
    seed=st.integers(0, 2**32 - 1),
    exponent=st.floats(3.0, 6.7),
)
def test_the_drawn_line_has_the_full_curves_envelope(class_index, seed, exponent):
    """Dropping the inner points of flat runs leaves a line with the same per-column extremes."""
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], np.random.default_rng(seed)))
    stop = int(10**exponent)
    full, full_values, sampled, sampled_values = _full_and_sampled(schedule, 0, stop)
    steps, values = drawn(sampled, sampled_values.astype(np.float64))
    want = envelope(full, full_values.astype(np.float64), 0, stop, COLUMNS)
    got = line_envelope(steps, values, 0, stop, COLUMNS)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    marks = schedule.breakpoints(stop)
    if marks is not None and marks.size <= 4 * COLUMNS:
        # A breakpoint is dropped only when the value does not change there (the line is the same).
        kept = np.isin(marks, steps)
        np.testing.assert_array_equal(schedule(marks[~kept]), schedule(marks[~kept] - 1))


def test_drawn_keeps_run_ends_and_nan_gaps():
    steps = np.arange(9)
    values = np.array([3.0, 2.0, 2.0, 2.0, 2.0, np.nan, np.nan, 1.0, 1.0])
    kept_steps, kept_values = drawn(steps, values)
    np.testing.assert_array_equal(kept_steps, [0, 1, 4, 5, 6, 7, 8])
    np.testing.assert_array_equal(kept_values, [3.0, 2.0, 2.0, np.nan, np.nan, 1.0, 1.0])
