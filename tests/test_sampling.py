"""The sampler draws exactly what every step would: per-column envelope and every breakpoint."""

from __future__ import annotations

import numpy as np
import pytest
from config_factory import CLASSES, random_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrviz
from lrviz.engine import EXACT_BREAKPOINTS, rank_step, run_start, step_rank
from lrviz.engine.cosine_decay_restarts import restart_position
from lrviz.sampling import (
    EDGE_COST,
    MAX_EXACT_BREAKPOINTS,
    MIN_EXACT_BREAKPOINTS,
    column_edges,
    drawn,
    envelope,
    exact_breakpoint_limit,
    line_envelope,
    sample_steps,
)

COLUMNS = 1000


def _full_and_sampled(schedule, start, stop, columns=COLUMNS):
    full = np.arange(start, stop + 1, dtype=np.int64)
    sampled = sample_steps(schedule, start, stop, columns)
    return full, schedule(full), sampled, schedule(sampled)


@pytest.mark.slow
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


@pytest.mark.slow
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


def _float32_range_envelope(schedule, start, stop, columns=COLUMNS):
    """Per-column (min, max) of every step in [start, stop] for a `float32_steps` schedule: one
    evaluation per distinct float32 step (the value of all its run; a run that starts before
    `start` evaluated at `start`, its float32 the same), columns by float32 range."""
    first, last = step_rank(np.array([start, stop]))
    ranks = np.arange(first, last + 1, dtype=np.int64)
    values = schedule(np.clip(rank_step(ranks), start, stop)).astype(np.float64)
    edges = column_edges(start, stop, columns)
    low, high = step_rank(edges[:-1]) - first, step_rank(edges[1:] - 1) - first
    pairs = np.column_stack([low, high + 1]).ravel()
    padded = np.r_[values, np.nan]
    return np.fmin.reduceat(padded, pairs)[::2], np.fmax.reduceat(padded, pairs)[::2]


def _float32_full_envelope(schedule, stop, columns=COLUMNS):
    """`_float32_range_envelope` over [0, stop]."""
    return _float32_range_envelope(schedule, 0, stop, columns)


def _assert_drawn_line_is_the_full_curve(schedule, stop, want):
    sampled = sample_steps(schedule, 0, stop)
    steps, values = drawn(sampled, schedule(sampled).astype(np.float64))
    got = line_envelope(steps, values, 0, stop, COLUMNS)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.slow
def test_float32_full_envelope_matches_every_step():
    """The check below is itself checked: the same envelope as evaluating all 3e7 steps."""
    schedule = _sgdr(first=1999, lr0=1e-3, alpha=0.1)
    stop = 3 * 10**7
    full = np.arange(stop + 1, dtype=np.int64)
    want = envelope(full, schedule(full).astype(np.float64), 0, stop, COLUMNS)
    got = _float32_full_envelope(schedule, stop)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def _sgdr(first, lr0, alpha):
    return lrviz.from_keras(
        {
            "class_name": "CosineDecayRestarts",
            "config": {
                "initial_learning_rate": lr0,
                "first_decay_steps": first,
                "t_mul": 1.0,
                "m_mul": 1.0,
                "alpha": alpha,
            },
        }
    )


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.integers(1, 5000),
    lr0=st.floats(1e-6, 1.0),
    alpha=st.sampled_from([0.0, 0.1, 0.5]),
    exponent=st.floats(8.0, 9.3),
)
def test_periodic_restarts_are_column_exact_past_float32_exact_steps(first, lr0, alpha, exponent):
    """SGDR t_mul = m_mul = 1 with more restarts than can be listed: folded periods (exact)."""
    schedule = _sgdr(first, lr0, alpha)
    stop = int(10**exponent)
    _assert_drawn_line_is_the_full_curve(schedule, stop, _float32_full_envelope(schedule, stop))


@settings(max_examples=60, deadline=None)
@given(
    first=st.integers(1, 10**6),
    lr0=st.floats(1e-6, 1.0),
    alpha=st.sampled_from([0.0, 0.3]),
    seed=st.integers(0, 2**32 - 1),
)
def test_periodic_spans_repeat_exactly(first, lr0, alpha, seed):
    schedule = _sgdr(first, lr0, alpha)
    rng = np.random.default_rng(seed)
    spans = schedule.periodic_spans(10**12)
    assert spans
    for low, high, period in spans:
        x = rank_step(step_rank(rng.integers(low, high - period + 1, 200)))
        x = x[(x >= low) & (x + period <= high)]
        np.testing.assert_array_equal(schedule(x), schedule(x + period))


def test_only_sgdr_with_unit_multipliers_has_periodic_spans():
    assert _sgdr(2000, 1e-3, 0.0).periodic_spans(10**12)
    assert not _sgdr(2000, 1e-3, 0.0).replace(m_mul=0.9).periodic_spans(10**12)
    assert not lrviz.from_keras(lrviz.default_config("PolynomialDecay")).periodic_spans(10**12)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    decay_steps=st.integers(2, 40),
    power=st.sampled_from([0.5, 1.0, 2.0]),
    cycle=st.booleans(),
    exponent=st.floats(6.7, 7.0),
)
def test_breakpoints_too_many_to_list_are_evaluated_at_every_step(
    decay_steps, power, cycle, exponent
):
    """More than EXACT_BREAKPOINTS cycles: the dense pass, compared with every step."""
    config = lrviz.default_config("PolynomialDecay")
    config["config"].update(decay_steps=decay_steps, power=power, cycle=cycle)
    schedule = lrviz.from_keras(config)
    stop = int(10**exponent)
    full = np.arange(stop + 1, dtype=np.int64)
    want = envelope(full, schedule(full).astype(np.float64), 0, stop, COLUMNS)
    _assert_drawn_line_is_the_full_curve(schedule, stop, want)


@pytest.mark.slow
def test_cycling_polynomial_is_column_exact_where_float32_rounds_steps():
    """10^5 exact cycle edges at 10^9 (steps rounded to 64): the candidates, checked per column."""
    config = lrviz.default_config("PolynomialDecay")
    config["config"].update(decay_steps=10_000, power=0.5, cycle=True)
    schedule = lrviz.from_keras(config)
    stop = 10**9
    _assert_drawn_line_is_the_full_curve(schedule, stop, _float32_full_envelope(schedule, stop))


@pytest.mark.slow
@pytest.mark.parametrize(("decay_steps", "listed"), [(4_999, True), (10_000, False)])
def test_cycles_past_float32_exact_steps_are_column_exact(decay_steps, listed):
    """2-4 x 10^5 cycles at 2 x 10^9, past 2^24, checked per column against every float32 step.
    10,000: drifting spans fold most columns (periods of 625-1,250 float32 steps), so the dense
    pass is cheaper than 2 x 10^5 exact edges; 4,999 (odd): periods longer than a column, the
    dense pass would evaluate every float32 step, so the 4 x 10^5 edges are listed exactly."""
    config = lrviz.default_config("PolynomialDecay")
    config["config"].update(decay_steps=decay_steps, power=0.5, cycle=True)
    schedule = lrviz.from_keras(config)
    stop = 2 * 10**9
    assert (stop // decay_steps <= exact_breakpoint_limit(schedule, 0, stop)) == listed
    assert schedule.drifting_spans(stop)
    _assert_drawn_line_is_the_full_curve(schedule, stop, _float32_full_envelope(schedule, stop))


def _cycling(decay_steps: int, power: float, lr0: float, end: float) -> lrviz.Schedule:
    config = lrviz.default_config("PolynomialDecay")
    config["config"].update(
        decay_steps=decay_steps,
        power=power,
        initial_learning_rate=lr0,
        end_learning_rate=end,
        cycle=True,
    )
    return lrviz.from_keras(config)


DECAY_STEPS = st.one_of(
    st.integers(1, 100),
    st.integers(1, 10**7),
    st.integers(0, 23).map(lambda e: 2**e),
    st.sampled_from([1000, 5000, 10_000, 50_000, 100_000, 12_345, 99_991]),
)


@settings(max_examples=40, deadline=None)
@given(
    decay_steps=DECAY_STEPS,
    power=st.sampled_from([0.1, 0.5, 1.0, 2.0, 3.7]),
    lr0=st.floats(1e-6, 1.0),
    end=st.sampled_from([0.0, 1e-4, 0.5, 2.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_drifting_spans_only_fall_or_only_rise_along_a_period(decay_steps, power, lr0, end, seed):
    """The premise of folding: along x, x + B, x + 2B, ... inside a span (B its base; 2B, its
    period, at its irregular x) the value is monotone, and NaN (1 - p < 0 under a fractional
    power: Keras's own) only at one end of the chain."""
    schedule = _cycling(decay_steps, power, lr0, end)
    rng = np.random.default_rng(seed)
    spans = schedule.drifting_spans(10**12)
    # Periods are multiples of D (and of the float32 spacing): long ones fit no span.
    assert spans or decay_steps > 100_000
    for span in spans:
        low, high = span.first, span.last
        assert low < high and span.period % span.base == 0
        x = rank_step(step_rank(rng.integers(low, high - span.period + 1, 20)))
        x = x[(x >= low) & (x + span.period <= high)]
        spacing = int(rank_step(step_rank(np.array([low])) + 1)[0]) - low
        residue = (x - low) // spacing % (span.base // spacing)
        step = np.where(np.isin(residue, span.irregular), span.period, span.base)
        chain = x[:, None] + step[:, None] * np.arange(min(400, (high - low) // span.base + 1))
        inside = chain <= high
        # Every member is a float32 step, so its value is the value of that float32.
        np.testing.assert_array_equal(rank_step(step_rank(chain[inside])), chain[inside])
        values = schedule(np.where(inside, chain, x[:, None])).astype(np.float64)
        for row, keep in zip(values, inside, strict=True):
            row = row[keep]
            nan = np.flatnonzero(np.isnan(row))
            if nan.size:
                assert np.all(np.diff(nan) == 1) and (nan[0] == 0 or nan[-1] == row.size - 1)
            steps = np.diff(row[~np.isnan(row)])
            assert np.all(steps >= 0) or np.all(steps <= 0)


def test_drifting_spans_name_the_chains_that_need_the_longer_period():
    """At 7 x 10^11 steps (float32 spacing 65,536), D = 10,000: B = 625 x 65,536, an odd multiple of
    m's spacing. Where D * k is halfway between two float32 values, ties to even alternate along
    x + jB (its values are not monotone there) and only x + 2jB is; elsewhere x + jB is."""
    schedule = _cycling(10_000, 0.5, 1e-3, 1e-4)
    span = next(s for s in schedule.drifting_spans(10**12) if s.first <= 7 * 10**11 <= s.last)
    assert (span.base, span.period) == (625 * 2**16, 2 * 625 * 2**16) and span.irregular
    members = np.arange(64)
    broken = []
    for residue in range(span.base // 2**16):
        chain = span.first + residue * 2**16 + span.base * members
        values = schedule(chain).astype(np.float64)
        steps = np.diff(values[np.isfinite(values)])
        if not (np.all(steps >= 0) or np.all(steps <= 0)):
            broken.append(residue)
    assert broken and set(broken) <= set(span.irregular)


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    decay_steps=st.one_of(st.integers(1, 300), st.sampled_from([16, 64, 1000, 10_000])),
    power=st.sampled_from([0.5, 1.0, 2.0, 3.7]),
    lr0=st.floats(1e-6, 1.0),
    end=st.sampled_from([0.0, 1e-4, 0.5]),
    exponent=st.floats(7.3, 9.0),
)
def test_folded_cycles_are_column_exact(decay_steps, power, lr0, end, exponent):
    """Cycling PolynomialDecay with more cycles than can be listed, past 2^24 (where Keras's
    float32 turns some steps NaN): the folded dense pass against every float32 step."""
    schedule = _cycling(decay_steps, power, lr0, end)
    stop = int(10**exponent)
    _assert_drawn_line_is_the_full_curve(schedule, stop, _float32_full_envelope(schedule, stop))


@pytest.mark.parametrize(
    ("config", "stop"),
    [
        (
            {
                "initial_learning_rate": 0.31101717545261676,
                "first_decay_steps": 41236,
                "t_mul": 0.9783735724840488,
                "m_mul": 1.2264794577831575,
            },
            4_216_965,
        ),
        (
            {"initial_learning_rate": 0.0003755277126821387, "first_decay_steps": 7, "t_mul": 0.9},
            31_622,
        ),
        (
            {
                "initial_learning_rate": 1.0,
                "first_decay_steps": 83416,
                "t_mul": 0.5,
                "m_mul": 0.5,
            },
            341_754,
        ),
    ],
    ids=["growing peaks", "sub-step periods", "window into the NaN"],
)
def test_shrinking_restarts_are_column_exact_up_to_their_nan(config, stop):
    """t_mul < 1, two cases Hypothesis found. Periods shrink towards the NaN limit until a window
    around one restart holds several: each restart is still found by its period index (the
    restart at 1,906,061, the column's maximum, was missed). In the last steps, where periods
    are shorter than a step, Keras's index climbs at every step past the theoretical list (the
    minimum at step 67, restart 29, was missed): every step there is a breakpoint. Near the NaN,
    an edge's search window runs into it (restart 12 at 166,792, 40 steps before the NaN, was
    left at its theoretical 166,791 and column 488's maximum missed): NaN counts as reached."""
    schedule = lrviz.from_keras({"class_name": "CosineDecayRestarts", "config": config})
    full = np.arange(stop + 1, dtype=np.int64)
    want = envelope(full, schedule(full).astype(np.float64), 0, stop, COLUMNS)
    _assert_drawn_line_is_the_full_curve(schedule, stop, want)


def test_exact_lists_are_as_long_as_they_are_cheaper_than_the_dense_pass():
    # Folded spans make the dense pass cheap: the shortest lists.
    assert exact_breakpoint_limit(_sgdr(2000, 1e-3, 0.0), 0, 10**12) == MIN_EXACT_BREAKPOINTS
    cycling = _cycling(10, 0.5, 1e-3, 1e-4)
    assert exact_breakpoint_limit(cycling, 0, 10**12) == MIN_EXACT_BREAKPOINTS
    # Periods longer than a column fold nothing: every float32 step would be evaluated.
    assert exact_breakpoint_limit(_cycling(99_991, 0.5, 1e-3, 1e-4), 0, 10**12) == (
        MAX_EXACT_BREAKPOINTS
    )
    growing = _sgdr(10, 1e-3, 0.0).replace(m_mul=1.1)
    assert exact_breakpoint_limit(growing, 0, 10**6) == (10**6 + 1) // EDGE_COST
    assert exact_breakpoint_limit(growing, 0, 10**12) == MAX_EXACT_BREAKPOINTS
    # Integer steps (PiecewiseConstantDecay) keep the default.
    piecewise = lrviz.from_keras(lrviz.default_config("PiecewiseConstantDecay"))
    assert exact_breakpoint_limit(piecewise, 0, 10**12) == EXACT_BREAKPOINTS


@settings(max_examples=100, deadline=None)
@given(class_index=st.integers(0, len(CLASSES) - 1), seed=st.integers(0, 2**32 - 1))
def test_float32_schedules_have_one_value_per_float32_step(class_index, seed):
    rng = np.random.default_rng(seed)
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], rng))
    steps = rng.integers(0, 10**12, 500)
    if schedule.float32_steps:
        np.testing.assert_array_equal(schedule(steps), schedule(rank_step(step_rank(steps))))


def test_ranks_count_distinct_float32_steps_and_runs_start_where_rounding_says():
    steps = np.r_[np.arange(100), np.arange(2**24 - 10, 2**24 + 50), 10**9 + np.arange(200)]
    ranks = step_rank(steps)
    np.testing.assert_array_equal(rank_step(ranks), steps.astype(np.float32).astype(np.int64))
    assert np.all(np.diff(ranks) >= 0) and np.all(np.diff(np.unique(ranks)) >= 1)
    starts = run_start(ranks)
    np.testing.assert_array_equal(starts.astype(np.float32), steps.astype(np.float32))
    assert np.all((starts - 1).astype(np.float32) < steps.astype(np.float32))
    # Past 2^24 ties go to the even float32: 2^24 + 3 joins 2^24 + 4, 2^24 + 1 joins 2^24.
    runs = run_start(step_rank(np.array([2**24 + 1, 2**24 + 2, 2**24 + 4])))
    np.testing.assert_array_equal(runs, [2**24, 2**24 + 2, 2**24 + 3])


def _sgdr_fading(first: int, m_mul: float, alpha: float, lr0: float) -> lrviz.Schedule:
    return _sgdr(first, lr0, alpha).replace(m_mul=m_mul)


@settings(max_examples=40, deadline=None)
@given(
    first=st.integers(1, 10**5),
    m_mul=st.one_of(st.just(0.0), st.floats(1e-6, 0.999)),
    alpha=st.sampled_from([0.0, 0.1, 0.5]),
    lr0=st.floats(1e-6, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_fading_restarts_are_constant_from_where_the_factor_underflows(
    first, m_mul, alpha, lr0, seed
):
    """SGDR with t_mul = 1, m_mul < 1: from `constant_from` on, one value at every step (a
    window of steps after it, random steps up to 10^12), and the step before is still in the
    previous restart."""
    schedule = _sgdr_fading(first, m_mul, alpha, lr0)
    constant = schedule.constant_from()
    assert constant is not None
    rng = np.random.default_rng(seed)
    after = np.r_[constant + np.arange(5000), rng.integers(constant, 10**12, 5000)]
    values = schedule(after)
    np.testing.assert_array_equal(values, np.full(values.shape, values[0]))
    index = restart_position(schedule.config, np.array([constant - 1, constant]))[0]
    assert index[0] + 1 == index[1]


def test_only_fading_float_sgdr_with_unit_t_mul_is_constant_from_a_step():
    assert _sgdr_fading(1000, 0.9, 0.0, 1e-3).constant_from() is not None
    assert _sgdr_fading(1000, 1.0, 0.0, 1e-3).constant_from() is None
    assert _sgdr_fading(1000, 1.5, 0.0, 1e-3).constant_from() is None
    assert _sgdr_fading(1000, 0.9, 0.0, 1e-3).replace(t_mul=2.0).constant_from() is None
    # m_mul^i stays above 0 past 2^24 restarts: no constant tail is claimed.
    assert _sgdr_fading(1000, 0.9999999, 0.0, 1e-3).constant_from() is None
    assert lrviz.from_keras(lrviz.default_config("CosineDecay")).constant_from() is None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.integers(1, 3000),
    m_mul=st.floats(0.0, 0.99),
    alpha=st.sampled_from([0.0, 0.1]),
    exponent=st.floats(5.0, 7.0),
    start_share=st.sampled_from([0.0, 0.0, 0.3, 0.9]),
)
def test_fading_restarts_are_column_exact_with_their_constant_tail(
    first, m_mul, alpha, exponent, start_share
):
    """The constant tail (only column ends) and the head before it (a column split at the
    constant step) draw the full curve's envelope, from step 0 or from inside the range."""
    schedule = _sgdr_fading(first, m_mul, alpha, 1e-3)
    stop = int(10**exponent)
    start = int(start_share * stop)
    full = np.arange(start, stop + 1, dtype=np.int64)
    want = envelope(full, schedule(full).astype(np.float64), start, stop, COLUMNS)
    sampled = sample_steps(schedule, start, stop)
    assert sampled[0] >= start and sampled[-1] <= stop
    steps, values = drawn(sampled, schedule(sampled).astype(np.float64))
    got = line_envelope(steps, values, start, stop, COLUMNS)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@settings(max_examples=60, deadline=None)
@given(class_index=st.integers(0, len(CLASSES) - 1), seed=st.integers(0, 2**32 - 1))
def test_float32_steps_give_the_values_of_their_integer_steps(class_index, seed):
    rng = np.random.default_rng(seed)
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], rng))
    steps = rank_step(step_rank(rng.integers(0, 10**12, 300)))
    if not schedule.float32_steps:
        with pytest.raises(TypeError):
            schedule.at_float32(steps.astype(np.float32))
        return
    np.testing.assert_array_equal(schedule.at_float32(steps.astype(np.float32)), schedule(steps))
    with pytest.raises(TypeError):
        schedule.at_float32(steps.astype(np.float64))


def test_a_short_head_before_the_constant_tail_keeps_to_the_point_budget():
    """SGDR restarting every 10 steps, constant from step 3,290 of 10^5 (Hypothesis found the
    head's 3,290 steps all returned: 5,226 points for 1,000 columns)."""
    schedule = _sgdr_fading(10, 0.72902166260815, 0.6412156250705204, 0.07705762905343194)
    assert schedule.constant_from() == 3290
    sampled = sample_steps(schedule, 0, 10**5)
    assert sampled.size <= 5 * COLUMNS
    full = np.arange(10**5 + 1, dtype=np.int64)
    want = envelope(full, schedule(full).astype(np.float64), 0, 10**5, COLUMNS)
    got = envelope(sampled, schedule(sampled).astype(np.float64), 0, 10**5, COLUMNS)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    decay_steps=st.sampled_from([16, 37, 100, 1000, 10_000]),
    power=st.sampled_from([0.5, 1.0, 2.0]),
    exponent=st.floats(7.5, 8.6),
    start_share=st.floats(0.05, 0.9),
)
def test_zoomed_folded_cycles_are_column_exact(decay_steps, power, exponent, start_share):
    """A zoomed range past 2^24 (columns no longer start at 0): the folds line up with its own
    columns, checked against every float32 step of the range."""
    schedule = _cycling(decay_steps, power, 1e-3, 1e-4)
    stop = int(10**exponent)
    start = int(start_share * stop)
    sampled = sample_steps(schedule, start, stop)
    assert sampled[0] == start and sampled[-1] == stop
    steps, values = drawn(sampled, schedule(sampled).astype(np.float64))
    got = line_envelope(steps, values, start, stop, COLUMNS)
    want = _float32_range_envelope(schedule, start, stop)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
