"""The schedule engine's contract: specs mirror Keras's constructors, evaluation is vectorised."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from config_factory import CLASSES, random_config
from hypothesis import given, settings
from hypothesis import strategies as st

import lrviz
from lrviz.engine import REQUIRED


@pytest.mark.oracle
@pytest.mark.parametrize("class_name", CLASSES)
def test_spec_lists_keras_constructor_arguments_in_order_with_its_defaults(class_name):
    from keras_oracle import keras

    keras_class = getattr(keras.optimizers.schedules, class_name)
    signature = inspect.signature(keras_class.__init__).parameters
    keras_params = [p for p in signature.values() if p.name != "self"]
    spec = lrviz.SCHEDULES[class_name]
    assert spec.param_names == tuple(p.name for p in keras_params)
    for param, keras_param in zip(spec.params, keras_params):
        if keras_param.default is inspect.Parameter.empty:
            assert param.default is REQUIRED
        else:
            assert param.default == keras_param.default
            assert type(param.default) is type(keras_param.default)


@pytest.mark.parametrize("class_name", CLASSES)
def test_every_parameter_has_help_and_a_slider_range_where_numeric(class_name):
    for param in lrviz.SCHEDULES[class_name].params:
        assert param.help.strip()
        if param.kind in ("float", "steps"):
            assert param.slider_min is not None and param.slider_max > param.slider_min


@settings(max_examples=200, deadline=None)
@given(class_index=st.integers(0, len(CLASSES) - 1), seed=st.integers(0, 2**32 - 1))
def test_vectorised_call_equals_one_step_at_a_time(class_index, seed):
    rng = np.random.default_rng(seed)
    schedule = lrviz.from_keras(random_config(CLASSES[class_index], rng))
    steps = rng.integers(0, 3 * schedule.settles_at() + 2, 25)
    together = schedule(steps)
    one_by_one = np.array([schedule(int(s)) for s in steps], dtype=np.float32)
    np.testing.assert_array_equal(together, one_by_one)


def test_scalar_step_gives_a_float32_scalar():
    value = lrviz.from_keras(lrviz.default_config("CosineDecay"))(1000)
    assert isinstance(value, np.float32) and value == np.float32(1e-3)


def test_non_integer_steps_are_refused():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    with pytest.raises(TypeError, match="integers"):
        schedule(np.array([0.5]))


def test_warmup_peak_is_reached_exactly_at_warmup_steps():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    assert schedule(999) < schedule(1000) == np.float32(1e-3) > schedule(1100)


def test_floor_is_alpha_times_peak_from_the_end_of_decay_on():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    floor = schedule(np.array([10_000, 10_001, 10**9]))
    assert (floor == floor[0]).all()
    assert floor[0] == pytest.approx(0.1 * 1e-3, rel=1e-6)


def test_breakpoints_of_cosine_with_warmup_are_peak_and_floor():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    np.testing.assert_array_equal(schedule.breakpoints(20_000), [1000, 10_000])


def test_restart_breakpoints_are_where_the_rate_jumps_up():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecayRestarts"))
    marks = schedule.breakpoints(100_000)
    assert marks.size >= 5
    assert (schedule(marks) > schedule(marks - 1)).all()


def test_replace_validates_changes():
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    assert schedule.replace(alpha=0.5).config["alpha"] == 0.5
    with pytest.raises(lrviz.ConfigError, match="decay_steps"):
        schedule.replace(decay_steps=0)


def test_parameter_reference_is_generated_from_the_specs():
    from pathlib import Path

    from lrviz.docs import parameters_markdown

    reference = Path(__file__).parent.parent / "docs" / "parameters.md"
    assert reference.read_text("utf-8") == parameters_markdown(), (
        "run `python -m lrviz.docs > docs/parameters.md`"
    )


# The fast paths of `keras_power` (base 1, runs of equal exponents, the underflow/overflow tail of an
# ascending exponent) must give what float32 `np.power` gives element by element.
F32_BASES = np.array(
    [0.0, 1e-30, 0.5, 0.8, 0.96, 0.99999994, 1.0, 1.0000001, 1.5, 2.0, 1e10, -0.8, -2.0],
    dtype=np.float32,
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(list(F32_BASES)) | st.floats(0, 4, width=32),
    st.lists(
        st.integers(0, 3000).map(float)
        | st.floats(-50, 5000, width=32)
        | st.sampled_from([0.5, 1.0, 2.0, -1.0, float("nan"), float("inf")]),
        min_size=65,
        max_size=400,
    ),
    st.sampled_from(["sorted", "runs", "as drawn"]),
)
def test_power_fast_paths_equal_elementwise_float32_power(
    base: float, exponents: list[float], order: str
) -> None:
    from lrviz.engine import keras_power

    exponent = np.asarray(exponents, dtype=np.float32)
    if order == "sorted":
        exponent = np.sort(exponent)
    elif order == "runs":
        exponent = np.repeat(np.sort(exponent), 7)
    base32 = np.float32(base)
    with np.errstate(all="ignore"):
        expected = np.power(base32, exponent)
        for shortcut in (0.5, 1.0, 2.0, -1.0):  # Keras's scalar calls take these shortcuts
            mask = exponent == np.float32(shortcut)
            expected[mask] = np.power(base32, np.float32(shortcut))
        got = keras_power(base32, exponent)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("base", [0.8, 0.5, 0.999, 1e-3, 1.001, 1.5, 7.0])
def test_power_tail_rule_holds_for_integer_exponents(base: float) -> None:
    # Once float32 power has underflowed to 0 (or overflowed to inf) at an exponent, it stays
    # there for every larger exponent: what `keras_power` relies on to skip the tail.
    exponent = np.arange(0, 200_000, dtype=np.float32)
    with np.errstate(all="ignore"):
        powers = np.power(np.float32(base), exponent)
    tail = 0 if base < 1 else np.inf
    first = int(np.argmax(powers == tail))
    assert powers[first] == tail and np.all(powers[first:] == tail)


@pytest.mark.parametrize(
    ("class_name", "changes", "index"),
    [
        ("PolynomialDecay", {"decay_steps": 1000, "cycle": True}, np.ceil),
        ("PolynomialDecay", {"decay_steps": 4999, "cycle": True}, np.ceil),
        ("ExponentialDecay", {"decay_steps": 1000, "staircase": True}, np.floor),
    ],
    ids=["cycles of 1000", "cycles of 4999", "stairs of 1000"],
)
def test_long_exact_edge_lists_hold_every_float32_edge_and_nothing_else(class_name, changes, index):
    """10^6 edges up to 10^9 steps, where float32 moves them by up to ~120 steps: each listed
    step is where Keras's period index steps up, and every such step in 300 random windows of
    1.5 periods is listed."""
    config = lrviz.default_config(class_name)
    config["config"].update(changes)
    schedule = lrviz.from_keras(config)
    period = changes["decay_steps"]
    stop = 10**9
    count = stop // period

    def period_index(steps):
        return index(steps.astype(np.float32) / np.float32(period))

    marks = schedule.breakpoints(stop, count, count)
    assert marks.size >= count - 1
    np.testing.assert_array_less(period_index(marks - 1), period_index(marks))
    rng = np.random.default_rng(7)
    for k in rng.integers(count // 2, count, 300):
        window = np.arange(k * period - 3 * period // 4, k * period + 3 * period // 4 + 1)
        values = period_index(window)
        edges = window[1:][values[1:] > values[:-1]]
        assert edges.size == 1
        assert edges[0] in marks[np.searchsorted(marks, edges[0]) :][:1]
