"""`Schedule.compiled()` against real Keras on JAX, jitted as `model.fit`'s train step runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from config_factory import (
    CLASSES,
    ISSUE_15_CASES,
    POLY,
    POLY_NAN,
    keras_config,
    random_config,
    steps_to_check,
)
from jax_oracle import jitted_values

import lrviz
from lrviz.compiled_checks import first_compiled_nan
from lrviz.engine.cosine_decay_restarts import compiled_restart_position

pytestmark = pytest.mark.oracle

CONFIGS_PER_CLASS = 50
RTOL = 1e-4


NAMED = [
    *ISSUE_15_CASES,
    # A cycle whose compiled NaN comes just after an edge: step 13,107,201 (eager: none).
    keras_config("PolynomialDecay", decay_steps=100, power=0.5, cycle=True, **POLY),
    # The decay_steps the NaN finding proposes instead of 1000.
    keras_config("PolynomialDecay", decay_steps=999, power=0.9, **POLY),
    # With a small power 999 ends far above end_learning_rate instead (a finding says so) ...
    keras_config("PolynomialDecay", decay_steps=999, power=0.1, **POLY),
    # ... so for power 0.1 the NaN finding proposes 1024, whose reciprocal is exact.
    keras_config("PolynomialDecay", decay_steps=1024, power=0.1, **POLY),
]
CYCLE_NAN, PROPOSED, SETTLES_HIGH, PROPOSED_SMALL_POWER = 5, 6, 7, 8
NO_STEPS = np.zeros(0, dtype=np.int64)
EXTRA_STEPS = {
    CYCLE_NAN: np.arange(13_107_195, 13_107_205),
    SETTLES_HIGH: np.array([998, 999, 1000, 1998, 5000]),
    PROPOSED_SMALL_POWER: np.array([1023, 1024, 1025, 2048, 5000]),
}


def _geometric_restarts(schedule: lrviz.Schedule) -> bool:
    """SGDR with t_mul != 1: its restart index goes through XLA's own float32 `log` kernel."""
    return schedule.class_name == "CosineDecayRestarts" and schedule.config["t_mul"] != 1.0


# SGDR with t_mul != 1, restart steps checked one by one: this many configs (half with t_mul
# below 1, half above), around this many of each one's compiled restarts.
GEOMETRIC_CONFIGS = 160
RESTARTS_PER_CONFIG = 10


def _geometric_config(rng: np.random.Generator, below_one: bool) -> dict:
    """SGDR with t_mul != 1, a peak of 1 every period (m_mul 1, alpha 0): a restart is a jump."""
    t_mul = rng.uniform(0.3, 0.995) if below_one else rng.uniform(1.005, 3.0)
    if rng.random() < 0.2:
        t_mul = rng.choice([0.5, 0.9, 0.99]) if below_one else rng.choice([1.01, 1.5, 2.0])
    # t_mul = 2 (1 - t_mul = -1) takes its own XLA form; it shows past 2^24 steps.
    first = 10 ** rng.uniform(7, 9.5) if t_mul == 2.0 else 10 ** rng.uniform(0, 5)
    return keras_config(
        "CosineDecayRestarts",
        initial_learning_rate=1.0,
        first_decay_steps=max(1, round(first)),
        t_mul=float(t_mul),
        m_mul=1.0,
        alpha=0.0,
    )


def _restarts_stop(schedule: lrviz.Schedule) -> int:
    """Past the periods' sum (t_mul < 1), or 200 first periods up to 10^8 (at least 3 restarts:
    t_mul > 1)."""
    first, t_mul = schedule.config["first_decay_steps"], schedule.config["t_mul"]
    return round(first / (1 - t_mul)) + 40 if t_mul < 1 else max(min(first * 200, 10**8), first * 8)


def _restart_steps_to_check(schedule: lrviz.Schedule, rng: np.random.Generator) -> np.ndarray:
    """Two steps either side of some compiled restarts, the 60 steps up to past the periods' sum
    (t_mul < 1: dense restarts, then NaN), and random steps."""
    stop = _restarts_stop(schedule)
    marks = schedule.compiled().breakpoints(stop)
    if marks.size > RESTARTS_PER_CONFIG:
        marks = rng.choice(marks, RESTARTS_PER_CONFIG, replace=False)
    near = (marks[:, None] + np.arange(-2, 3)[None, :]).ravel()
    tail = np.arange(stop - 60, stop) if schedule.config["t_mul"] < 1 else NO_STEPS
    steps = np.concatenate([near, tail, rng.integers(0, stop, 8)])
    return np.unique(steps[steps >= 0]).astype(np.int64)


@pytest.fixture(scope="module")
def everything() -> list[tuple[lrviz.Schedule, np.ndarray, np.ndarray]]:
    """(schedule, steps, jitted Keras values) for the named cases, random configs of every
    class and the SGDR configs with t_mul != 1, all evaluated in one JAX subprocess."""
    rng = np.random.default_rng(15)
    configs = list(NAMED)
    configs += [random_config(name, rng) for name in CLASSES for _ in range(CONFIGS_PER_CLASS)]
    items, schedules = [], []
    for index, config in enumerate(configs):
        schedule = lrviz.from_keras(config)
        steps = np.union1d(steps_to_check(schedule, rng), EXTRA_STEPS.get(index, NO_STEPS))
        if schedule.class_name == "PiecewiseConstantDecay":
            steps = steps[steps < 2**31]  # `fit`'s step counter is int32 on JAX
        schedules.append(schedule)
        items.append({"config": schedule.to_keras(), "steps": steps.tolist()})
    for index in range(GEOMETRIC_CONFIGS):
        schedule = lrviz.from_keras(_geometric_config(rng, below_one=index % 2 == 0))
        steps = _restart_steps_to_check(schedule, rng)
        schedules.append(schedule)
        items.append({"config": schedule.to_keras(), "steps": steps.tolist()})
    values = jitted_values(items)
    return [(s, np.array(i["steps"]), v) for s, i, v in zip(schedules, items, values)]


@pytest.fixture(scope="module")
def compared(everything) -> list[tuple[lrviz.Schedule, np.ndarray, np.ndarray]]:
    """The named cases and the random configs of every class."""
    return everything[: len(everything) - GEOMETRIC_CONFIGS]


@pytest.fixture(scope="module")
def geometric(everything) -> list[tuple[lrviz.Schedule, np.ndarray, np.ndarray]]:
    """The SGDR configs with t_mul != 1 and steps around their restarts."""
    return everything[len(everything) - GEOMETRIC_CONFIGS :]


def _mismatches(schedule: lrviz.Schedule, steps: np.ndarray, keras: np.ndarray) -> list[str]:
    ours = schedule.compiled()(steps)
    peak = np.nanmax(np.abs(keras), initial=0.0)
    with np.errstate(invalid="ignore"):
        close = np.isclose(ours, keras, rtol=RTOL, atol=RTOL * peak, equal_nan=True)
    bad = np.flatnonzero(~close)
    return [f"{schedule!r} step={steps[i]}: ours {ours[i]!r} jit {keras[i]!r}" for i in bad]


def test_named_cases_match_jitted_keras(compared):
    for schedule, steps, keras in compared[: len(NAMED)]:
        assert not _mismatches(schedule, steps, keras)


def test_random_configs_match_jitted_keras(compared):
    checked, mismatches = 0, []
    for schedule, steps, keras in compared[len(NAMED) :]:
        if _geometric_restarts(schedule):
            continue
        checked += steps.size
        mismatches += _mismatches(schedule, steps, keras)
    assert checked > 5000
    assert not mismatches, f"{len(mismatches)} of {checked} differ, e.g. {mismatches[:3]}"


def test_nan_steps_are_those_of_jitted_keras(compared):
    for schedule, steps, keras in compared:
        ours = np.isnan(schedule.compiled()(steps))
        assert np.array_equal(ours, np.isnan(keras)), schedule


def test_geometric_restarts_match_jitted_keras_at_every_step(compared, geometric):
    """t_mul != 1: the restart index goes through XLA's own float32 `log` kernel
    (`lrviz.engine.xla.log`), the fraction through `powf` and fused multiply-adds; up to and
    past the periods' sum of t_mul < 1, where the fraction is ill-conditioned, too."""
    checked, mismatches = 0, []
    for schedule, steps, keras in compared + geometric:
        if _geometric_restarts(schedule):
            checked += steps.size
            mismatches += _mismatches(schedule, steps, keras)
    assert checked > 8000
    assert not mismatches, f"{len(mismatches)} of {checked} differ, e.g. {mismatches[:3]}"


def test_restart_steps_are_those_of_jitted_keras(geometric):
    """Every step where jitted Keras restarts (its rate jumps back up to the peak) is a step where
    the compiled restart index changes, and a compiled breakpoint, and no other. Checked where
    both periods last at least 4 steps (the step before a restart is then under 15% of the peak,
    the restart step above 85%); shorter periods are every step a breakpoint."""
    checked = 0
    for schedule, steps, keras in geometric:
        cfg = schedule.config
        after = np.flatnonzero(np.diff(steps) == 1) + 1
        index = compiled_restart_position(cfg, steps)[0]
        with np.errstate(over="ignore", invalid="ignore"):
            periods = cfg["first_decay_steps"] * cfg["t_mul"] ** index
            keep = np.fmin(periods[after - 1], periods[after]) >= 4
            ours = steps[after][keep & (index[after] != index[after - 1])]
            theirs = steps[after][keep & (keras[after] > keras[after - 1] + 0.5)]
        assert ours.tolist() == theirs.tolist(), schedule
        marks = schedule.compiled().breakpoints(_restarts_stop(schedule))
        assert np.isin(theirs, marks).all(), schedule
        checked += theirs.size
    assert checked > 800


def test_geometric_restarts_turn_nan_at_the_steps_of_jitted_keras(geometric):
    nan_configs = 0
    for schedule, steps, keras in geometric:
        ours = np.isnan(schedule.compiled()(steps))
        assert np.array_equal(ours, np.isnan(keras)), schedule
        nan_configs += bool(ours.any())
    assert nan_configs > 50


def test_polynomial_nan_and_stair_steps_of_the_issue(compared):
    poly, steps, keras = compared[0]
    assert np.isnan(keras[steps >= 1000]).all() and not np.isnan(keras[steps < 1000]).any()
    assert np.isnan(poly.compiled()(np.array([1000, 10**6]))).all()
    assert not np.isnan(poly(np.array([1000]))).any()
    inverse = lrviz.from_keras(NAMED[2]).compiled()
    assert inverse(np.array([243, 244])).tolist() == [1.0, pytest.approx(1 / 4.6)]
    assert 244 in inverse.breakpoints(1000).tolist()


def test_findings_name_the_first_nan_step_of_jitted_keras(compared):
    named = 0
    for schedule, steps, keras in compared:
        if schedule.config.get("cycle"):
            continue  # NaN after cycle edges far out: the test below
        nan_steps = steps[np.isnan(keras)]
        eager_nan = steps[np.isnan(schedule(steps))]
        found = [f for f in lrviz.findings(schedule) if f.code.startswith("compiled_nan")]
        if nan_steps.size and (eager_nan.size == 0 or eager_nan[0] != nan_steps[0]):
            # The checked steps are a sample: the first NaN lies at or before the first one seen.
            assert found, schedule
            first = found[0].params["step"]
            assert first <= nan_steps[0] and np.isnan(schedule.compiled()(first)), schedule
            named += first == nan_steps[0]
        elif not nan_steps.size:
            assert not found, schedule
    assert named >= 2


def test_a_cycle_turns_nan_just_after_an_edge_where_findings_say(compared):
    schedule, steps, keras = compared[CYCLE_NAN]
    nan_steps = steps[np.isnan(keras)]
    assert nan_steps[0] == 13_107_201 and not np.isnan(schedule(steps)).any()
    found = [f for f in lrviz.findings(schedule, 2**25) if f.code == "compiled_nan"]
    assert found and found[0].params["step"] == 13_107_201


def test_the_proposed_decay_steps_gives_no_nan_under_jit(compared):
    poly, _, _ = compared[0]
    proposal = next(f for f in lrviz.findings(poly) if f.code.startswith("compiled_nan"))
    assert proposal.params["safe"] == 999
    _, steps, keras = compared[PROPOSED]
    assert steps.max() > 999 and not np.isnan(keras).any()


def test_a_small_power_settles_where_findings_say_and_the_proposal_ends_at_zero(compared):
    schedule, steps, keras = compared[SETTLES_HIGH]
    (settles,) = [f for f in lrviz.findings(schedule, 5000) if f.code == "compiled_settles"]
    settled = keras[steps >= settles.params["step"]]
    assert keras[steps == settles.params["step"] - 1][0] != settled[0]
    assert np.all(settled == settled[0]) and settled[0] > 0.1 * POLY["initial_learning_rate"]
    np.testing.assert_allclose(float(settles.params["value"]), settled[0], rtol=1e-5)
    assert schedule(np.int64(5000)) == 0.0  # eager Keras ends at end_learning_rate

    small_power = lrviz.from_keras(
        keras_config("PolynomialDecay", decay_steps=1000, power=0.1, **POLY)
    )
    (nan,) = [f for f in lrviz.findings(small_power) if f.code.startswith("compiled_nan")]
    assert nan.params["safe"] == 1024
    _, steps, keras = compared[PROPOSED_SMALL_POWER]
    assert not np.isnan(keras).any() and np.all(keras[steps >= 1024] == 0.0)


FIT_SCRIPT = """
import json, sys, numpy as np, keras
schedule = keras.optimizers.schedules.deserialize(json.loads(sys.argv[1]))
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse")
nan_after = []
class Watch(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        nan_after.append(bool(np.isnan(self.model.layers[0].kernel.numpy()).any()))
x = np.ones((int(sys.argv[2]), 1), "float32")
model.fit(x, x, batch_size=1, epochs=1, verbose=0, shuffle=False, callbacks=[Watch()])
print(json.dumps(nan_after))
"""


def test_a_real_jax_fit_turns_nan_at_the_first_nan_step_lrviz_names():
    """`model.fit` on JAX with PolynomialDecay(0.01, 1000, end 0, power 0.9): the weights turn
    NaN after the update of step 1000 (the 1001st batch), exactly where `findings` says."""
    first = [
        f for f in lrviz.findings(lrviz.from_keras(POLY_NAN)) if f.code.startswith("compiled_nan")
    ]
    assert first and first[0].params["step"] == 1000
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    done = subprocess.run(
        [sys.executable, "-c", FIT_SCRIPT, json.dumps(POLY_NAN), "1002"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    nan_after = json.loads(done.stdout.strip().splitlines()[-1])
    # Batch b (from 0) applies the rate at step b (the optimizer's counter before its update).
    assert nan_after.index(True) == first[0].params["step"]


@pytest.mark.parametrize("decay_steps", [100, 6919])
def test_the_cycle_nan_search_finds_what_every_step_finds(decay_steps):
    """The search looks only just after cycle edges; every step from 2^21 to 2^24 agrees."""
    config = keras_config("PolynomialDecay", decay_steps=decay_steps, power=0.5, cycle=True, **POLY)
    compiled = lrviz.from_keras(config).compiled()
    steps = np.arange(2**21, 2**24, dtype=np.int64)
    bad = steps[np.isnan(compiled(steps))]
    assert bad.size
    assert first_compiled_nan(compiled.eager(), 2**24) == bad[0]
