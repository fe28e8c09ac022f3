"""`Schedule.compiled()` against real Keras on JAX, jitted as `model.fit`'s train step runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from config_factory import CLASSES, random_config, steps_to_check
from jax_oracle import jitted_values

import lrviz
from lrviz.compiled_checks import first_compiled_nan

pytestmark = pytest.mark.oracle

CONFIGS_PER_CLASS = 50
RTOL = 1e-4


def _keras(class_name: str, **config) -> dict:
    return {"module": "keras.optimizers.schedules", "class_name": class_name, "config": config}


# The cases of issue #15: NaN from decay_steps, stairs and restarts one step late under `fit`.
POLY = {"initial_learning_rate": 0.01, "end_learning_rate": 0.0}
STAIRS = {"initial_learning_rate": 1.0, "staircase": True}
POLY_NAN = _keras("PolynomialDecay", decay_steps=1000, power=0.9, **POLY)
NAMED = [
    POLY_NAN,
    _keras("PolynomialDecay", decay_steps=12345, power=0.5, **POLY),
    _keras("InverseTimeDecay", decay_steps=243, decay_rate=3.6, **STAIRS),
    _keras("ExponentialDecay", decay_steps=6919, decay_rate=0.5, **STAIRS),
    _keras("CosineDecayRestarts", initial_learning_rate=1.0, first_decay_steps=1, t_mul=0.9),
    # A cycle whose compiled NaN comes just after an edge: step 13,107,201 (eager: none).
    _keras("PolynomialDecay", decay_steps=100, power=0.5, cycle=True, **POLY),
    # The decay_steps the NaN finding proposes instead of 1000.
    _keras("PolynomialDecay", decay_steps=999, power=0.9, **POLY),
]
CYCLE_NAN = len(NAMED) - 2
NO_STEPS = np.zeros(0, dtype=np.int64)
EXTRA_STEPS = {CYCLE_NAN: np.arange(13_107_195, 13_107_205)}


def _geometric_restarts(schedule: lrviz.Schedule) -> bool:
    """SGDR with t_mul != 1: its restart index goes through XLA's own float32 `log`."""
    return schedule.class_name == "CosineDecayRestarts" and schedule.config["t_mul"] != 1.0


@pytest.fixture(scope="module")
def compared() -> list[tuple[lrviz.Schedule, np.ndarray, np.ndarray]]:
    """(schedule, steps, jitted Keras values) for the named cases and random configs of every
    class, all evaluated in one JAX subprocess."""
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
    values = jitted_values(items)
    return [(s, np.array(i["steps"]), v) for s, i, v in zip(schedules, items, values)]


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


def test_geometric_restarts_mostly_match(compared):
    """t_mul != 1: XLA's float32 log differs from numpy's by an ulp, which can move a restart by
    one step where log(...) / log(t_mul) lands within an ulp of a whole number, and near the
    t_mul < 1 limit the fraction is ill-conditioned. Most steps still agree."""
    checked, bad = 0, 0
    for schedule, steps, keras in compared:
        if not _geometric_restarts(schedule):
            continue
        t_mul = schedule.config["t_mul"]
        if t_mul < 1:  # leave out where the periods are under 1% of the first one
            limit = schedule.config["first_decay_steps"] / (1 - t_mul)
            keep = steps < limit * (1 - 0.01 * (1 - t_mul))
            steps, keras = steps[keep], keras[keep]
        checked += steps.size
        bad += len(_mismatches(schedule, steps, keras))
    assert checked > 500
    assert bad < 0.03 * checked


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
    _, steps, keras = compared[len(NAMED) - 1]
    assert steps.max() > 999 and not np.isnan(keras).any()


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
    config = _keras("PolynomialDecay", decay_steps=decay_steps, power=0.5, cycle=True, **POLY)
    compiled = lrviz.from_keras(config).compiled()
    steps = np.arange(2**21, 2**24, dtype=np.int64)
    bad = steps[np.isnan(compiled(steps))]
    assert bad.size
    assert first_compiled_nan(compiled.eager(), 2**24) == bad[0]
