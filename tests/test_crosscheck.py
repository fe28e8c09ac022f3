"""lrviz.crosscheck: each translation's distance from the Keras curve over the steps shown."""

from __future__ import annotations

import numpy as np

import lrviz
from lrviz.crosscheck import EVERY_STEP_LIMIT, check_translations, checked_steps
from lrviz.keras_json import default_config
from lrviz.sampling import sample_steps


def schedule_of(class_name: str, **changes) -> lrviz.Schedule:
    schedule = lrviz.from_keras(default_config(class_name))
    return schedule.replace(**changes) if changes else schedule


def by_framework(schedule, start, stop, total=None):
    plotted = sample_steps(schedule, start, stop)
    found = check_translations(schedule, start, stop, plotted, total or stop + 1)
    return {c.translation.framework: c for c in found}, plotted


def test_differences_are_the_largest_over_every_step_and_where_they_happen():
    schedule = schedule_of("CosineDecay", warmup_target=0.001, warmup_steps=1000, decay_steps=9000)
    found, _ = by_framework(schedule, 0, 20_000)
    steps = np.arange(0, 20_001)
    keras = schedule(steps).astype(np.float64)
    for checked in found.values():
        assert checked.every_step and checked.steps_checked == steps.size
        diff = np.abs(checked.translation.values(steps) - keras)
        assert checked.difference.max_abs == diff.max()
        if diff.max() > 0:
            assert diff[checked.difference.max_abs_step] == diff.max()
        else:
            assert checked.difference.max_abs_step is None
    # LambdaLR runs Keras's own float32 arithmetic: identical. SequentialLR's cosine rises again
    # after the decay ends, so its largest difference is past step 10,000.
    assert found["PyTorch (LambdaLR)"].difference.max_abs == 0
    assert found["PyTorch (SequentialLR)"].difference.max_abs_step > 10_000


def test_long_ranges_are_checked_at_the_plotted_steps_and_plotted_values_match():
    schedule = schedule_of("CosineDecayRestarts")
    start, stop = 0, 10 * EVERY_STEP_LIMIT
    found, plotted = by_framework(schedule, start, stop)
    for checked in found.values():
        assert not checked.every_step and checked.steps_checked == plotted.size
        np.testing.assert_array_equal(checked.plotted_values, checked.translation.values(plotted))


def test_classes_without_translations_give_none():
    schedule = schedule_of("ExponentialDecay")
    assert check_translations(schedule, 0, 100, np.arange(101), 101) == []


def test_checked_steps_switch_at_the_limit():
    steps, every = checked_steps(5, 5 + EVERY_STEP_LIMIT - 1, np.array([5]))
    assert every and steps[0] == 5 and steps.size == EVERY_STEP_LIMIT
    steps, every = checked_steps(5, 5 + EVERY_STEP_LIMIT, np.array([5, 9]))
    assert not every and steps.tolist() == [5, 9]
