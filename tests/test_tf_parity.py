"""`Schedule.on_path("tf-xla")` and `on_path("tf-graph")` against real Keras on TensorFlow, run
the way TensorFlow's `fit` runs the schedule (tests/tf_oracle.py), and a real TensorFlow `fit`.

TensorFlow lives in a venv of its own (`LRVIZ_TF_PYTHON` or `.venv-tf`); without one these
tests skip, saying so."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess

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
from tf_oracle import tf_env, tf_python, tf_values

import lrviz

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(
        tf_python() is None,
        reason="no TensorFlow venv: set LRVIZ_TF_PYTHON, or let scripts/run-tests.sh make .venv-tf",
    ),
]

TF_PATHS = ("tf-xla", "tf-graph")
CONFIGS_PER_CLASS = 40
RTOL = 1e-4


# Issue #15's cases, and where TensorFlow's paths part from JAX `fit` and from each other.
NAMED = [
    *ISSUE_15_CASES,
    # Past decay_steps TensorFlow's XLA holds 1 - fl(D fl(1/D)) = 2^-24 to the power 0.5
    # (2.4e-4), JAX `fit` fma(-D, fl(1/D), 1) (1.7e-4), eager 0.
    keras_config("PolynomialDecay", decay_steps=10_000_001, power=0.5, **POLY),
    # D >= 2^24: TensorFlow's XLA keeps the clamp at run time, as JAX `fit` does.
    keras_config("PolynomialDecay", decay_steps=16_777_215, power=0.5, **POLY),
    keras_config("PolynomialDecay", decay_steps=16_777_218, power=0.5, **POLY),
    # A cycle whose compiled NaN comes just after an edge: step 13,107,201 on every path.
    keras_config("PolynomialDecay", decay_steps=100, power=0.5, cycle=True, **POLY),
]
EXTRA_STEPS = {
    5: [10_000_000, 10_000_001, 10_000_002, 2**25],
    6: [16_777_214, 16_777_215, 16_777_216, 2**25],
    7: [16_777_217, 16_777_218, 16_777_219, 2**25],
    8: list(range(13_107_195, 13_107_205)),
}
# SGDR with t_mul != 1 (graph mode's restart index goes through glibc's logf): this many.
GEOMETRIC_CONFIGS = 40


def _geometric_config(rng: np.random.Generator, below_one: bool) -> dict:
    t_mul = rng.uniform(0.3, 0.995) if below_one else rng.uniform(1.005, 3.0)
    return keras_config(
        "CosineDecayRestarts",
        initial_learning_rate=1.0,
        first_decay_steps=max(1, round(10 ** rng.uniform(0, 4))),
        t_mul=float(t_mul),
        m_mul=1.0,
        alpha=0.0,
    )


def _restart_steps(schedule: lrviz.Schedule, rng: np.random.Generator) -> np.ndarray:
    """Every step up to a little past the periods' sum (t_mul < 1) or 4 periods (t_mul > 1), at
    most 400 of them from the start, and steps around 8 of each path's restarts."""
    first, t_mul = schedule.config["first_decay_steps"], schedule.config["t_mul"]
    stop = round(first / (1 - t_mul)) + 20 if t_mul < 1 else round(first * (1 + t_mul) ** 2)
    marks = np.concatenate([schedule.on_path(p).breakpoints(stop) for p in TF_PATHS])
    marks = rng.choice(marks, min(8, marks.size), replace=False)
    near = (marks[:, None] + np.arange(-2, 3)[None, :]).ravel()
    steps = np.concatenate([np.arange(min(stop, 400)), near, np.arange(stop - 30, stop)])
    return np.unique(steps[steps >= 0]).astype(np.int64)


def _shared_values(tmp_path_factory, items: list[dict]) -> dict[str, list[np.ndarray]]:
    """`tf_values` of the items, computed once per test session: under pytest-xdist every worker
    that runs a test of this module needs them, and the first one computes them for all (a file
    locked in the session's temporary folder, which the workers share)."""
    base = tmp_path_factory.getbasetemp()
    folder = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with open(folder / "tf_oracle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cache = folder / "tf_oracle.json"
        if not cache.exists():
            values = tf_values(TF_PATHS, items)
            cache.write_text(json.dumps({p: [v.tolist() for v in vs] for p, vs in values.items()}))
        stored = json.loads(cache.read_text())
    return {
        path: [np.array(v, dtype=np.float64).astype(np.float32) for v in rows]
        for path, rows in stored.items()
    }


@pytest.fixture(scope="module")
def everything(tmp_path_factory) -> dict[str, list[tuple[lrviz.Schedule, np.ndarray, np.ndarray]]]:
    """Per TensorFlow path: (schedule, steps, TensorFlow's values) for the named cases, random
    configs of every class and SGDR configs with t_mul != 1."""
    rng = np.random.default_rng(21)
    configs = list(NAMED)
    configs += [random_config(name, rng) for name in CLASSES for _ in range(CONFIGS_PER_CLASS)]
    schedules, items = [], []
    for index, config in enumerate(configs):
        schedule = lrviz.from_keras(config)
        steps = np.union1d(steps_to_check(schedule, rng), EXTRA_STEPS.get(index, []))
        schedules.append(schedule)
        items.append({"config": schedule.to_keras(), "steps": steps.astype(np.int64).tolist()})
    for index in range(GEOMETRIC_CONFIGS):
        schedule = lrviz.from_keras(_geometric_config(rng, below_one=index % 2 == 0))
        schedules.append(schedule)
        items.append(
            {"config": schedule.to_keras(), "steps": _restart_steps(schedule, rng).tolist()}
        )
    return {
        path: [(s, np.array(i["steps"]), v) for s, i, v in zip(schedules, items, values)]
        for path, values in _shared_values(tmp_path_factory, items).items()
    }


def _mismatches(path: str, schedule, steps: np.ndarray, keras: np.ndarray) -> list[str]:
    ours = schedule.on_path(path)(steps)
    peak = np.nanmax(np.abs(keras), initial=0.0)
    with np.errstate(invalid="ignore"):
        close = np.isclose(ours, keras, rtol=RTOL, atol=RTOL * peak, equal_nan=True)
    bad = np.flatnonzero(~close)
    return [f"{path} {schedule!r} step={steps[i]}: ours {ours[i]!r} tf {keras[i]!r}" for i in bad]


@pytest.mark.parametrize("path", TF_PATHS)
def test_every_config_matches_tensorflow(everything, path):
    checked, mismatches = 0, []
    for schedule, steps, keras in everything[path]:
        checked += steps.size
        mismatches += _mismatches(path, schedule, steps, keras)
    assert checked > 15_000
    assert not mismatches, f"{len(mismatches)} of {checked} differ, e.g. {mismatches[:3]}"


@pytest.mark.parametrize("path", TF_PATHS)
def test_nan_steps_are_those_of_tensorflow(everything, path):
    nan_configs = 0
    for schedule, steps, keras in everything[path]:
        ours = np.isnan(schedule.on_path(path)(steps))
        assert np.array_equal(ours, np.isnan(keras)), (path, schedule)
        nan_configs += bool(ours.any())
    assert nan_configs >= 20


@pytest.mark.parametrize("path", TF_PATHS)
def test_stairs_and_restarts_change_at_the_steps_of_tensorflow(everything, path):
    """Where TensorFlow's rate jumps between two consecutive steps (a stair of a staircase, a
    restart of SGDR with m_mul 1: the rate jumps back up to the peak), the path's period index
    changes, and that step is one of its breakpoints; nowhere else."""
    checked = 0
    for schedule, steps, keras in everything[path]:
        cfg = schedule.config
        restarts = schedule.class_name == "CosineDecayRestarts" and cfg["m_mul"] == 1.0
        if not (restarts or (cfg.get("staircase") and cfg["initial_learning_rate"] > 0)):
            continue
        jump = 0.5 * cfg["initial_learning_rate"] if restarts else None
        after = np.flatnonzero(np.diff(steps) == 1) + 1
        on_path = schedule.on_path(path)
        ours_values = on_path(steps)
        with np.errstate(invalid="ignore"):
            theirs = steps[after][_jumps(keras, jump)[after - 1] & ~np.isnan(keras[after])]
            ours = steps[after][
                _jumps(ours_values, jump)[after - 1] & ~np.isnan(ours_values[after])
            ]
        if schedule.class_name == "CosineDecayRestarts":
            first, t_mul = cfg["first_decay_steps"], cfg["t_mul"]
            # Periods shorter than 4 steps (every step a restart, the jump test cannot tell).
            tail = first / (1 - t_mul) - 4 / (1 - t_mul) if t_mul < 1 else np.inf
            theirs, ours = theirs[theirs < tail], ours[ours < tail]
        assert ours.tolist() == theirs.tolist(), (path, schedule)
        marks = on_path.breakpoints(2 * int(theirs.max(initial=0)))
        assert np.isin(theirs, marks).all(), (path, schedule)
        checked += theirs.size
    assert checked > 300


def _jumps(values: np.ndarray, jump: float | None) -> np.ndarray:
    """Where the rate rises by more than `jump` (a restart) or, without one, changes (a stair)
    from one value to the next."""
    return values[1:] > values[:-1] + jump if jump is not None else values[1:] != values[:-1]


def test_the_issue_cases_on_tensorflow(everything):
    """PolynomialDecay(0.01, 1000, 0, 0.9): NaN at step 1000 only under XLA (JAX `fit`: from
    1000 on), none in graph mode; the stairs of the issue one step late on both paths."""
    (xla_poly, steps, xla), (_, _, graph) = everything["tf-xla"][0], everything["tf-graph"][0]
    assert steps[np.isnan(xla)].tolist() == [1000]
    assert not np.isnan(graph).any()
    assert np.isnan(xla_poly.compiled()(steps[steps >= 1000])).all()
    for path in TF_PATHS:
        inverse, steps, values = everything[path][2]
        assert values[steps == 243] == 1.0 and values[steps == 244] < 0.3
        assert 244 in inverse.on_path(path).breakpoints(1000).tolist()
        _, steps, values = everything[path][3]
        assert values[steps == 6919] == 1.0 and values[steps == 6920] == 0.5


def test_past_decay_steps_tensorflow_xla_is_neither_eager_nor_jax(everything):
    schedule, steps, values = everything["tf-xla"][5]
    past = steps > 10_000_001
    tf_xla = schedule.on_path("tf-xla")(steps[past])
    np.testing.assert_array_equal(tf_xla, values[past])
    assert (tf_xla > 2e-6).all() and (schedule(steps[past]) == 0).all()
    assert not np.isclose(schedule.compiled()(steps[past]), tf_xla, rtol=0.1).any()


def test_findings_name_the_first_nan_step_of_each_path(everything):
    """Every config that TensorFlow turns NaN where eager Keras is not: a finding naming that
    path says the first NaN step (the checked steps are a sample: at or before the first seen;
    a cycle whose first sampled NaN is past 2^25 is checked up to 2^25)."""
    named = 0
    for path in TF_PATHS:
        for schedule, steps, keras in everything[path]:
            nan_steps = steps[np.isnan(keras)]
            eager_nan = steps[np.isnan(schedule(steps))]
            if not nan_steps.size or (eager_nan.size and eager_nan[0] == nan_steps[0]):
                continue
            # A cycle's NaN search looks at up to 2^21 cycle edges: far out, it gives up.
            reach = min(int(nan_steps[0]), 2**25)
            found = [
                f
                for f in lrviz.findings(schedule, reach)
                if f.code.split(".")[0] in ("compiled_nan", "tf_nan")
                and f"finding.path.{path}" in json.dumps(_phrase_keys(f.params["path"]))
            ]
            if not found and reach < nan_steps[0]:
                continue
            assert found, (path, schedule)
            first = found[0].params["step"]
            assert first <= nan_steps[0] and np.isnan(schedule.on_path(path)(first))
            named += first == nan_steps[0]
    assert named >= 10


def _phrase_keys(phrase) -> list[str]:
    """Every locale key in a (nested) phrase."""
    keys = [phrase.key]
    for value in phrase.params.values():
        keys += _phrase_keys(value)
    return keys


FIT_SCRIPT = """
import json, sys, numpy as np, keras
schedule = keras.optimizers.schedules.deserialize(json.loads(sys.argv[1]))
model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
jit = {"auto": "auto", "true": True}[sys.argv[3]]
model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse", jit_compile=jit)
nan_after = []
class Watch(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        nan_after.append(bool(np.isnan(self.model.layers[0].kernel.numpy()).any()))
x = np.ones((int(sys.argv[2]), 1), "float32")
model.fit(x, x, batch_size=1, epochs=1, verbose=0, shuffle=False, callbacks=[Watch()])
print(json.dumps({"jit_compile": model.jit_compile, "nan_after": nan_after}))
"""


def _tf_fits(config: dict, batches: int, jit_choices: tuple[str, ...]) -> list[dict]:
    """`model.fit` on TensorFlow with each `jit_compile` choice, the fits run at once."""
    running = [
        subprocess.Popen(
            [tf_python(), "-c", FIT_SCRIPT, json.dumps(config), str(batches), jit],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=tf_env(),
        )
        for jit in jit_choices
    ]
    outputs = [process.communicate() for process in running]
    for process, (_, err) in zip(running, outputs):
        assert process.returncode == 0, err[-2000:]
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]


def test_a_real_tensorflow_fit_follows_the_paths_lrviz_names():
    """`model.fit` on TensorFlow with PolynomialDecay(0.01, 1000, end 0, power 0.9): on this
    CPU-only machine `jit_compile="auto"` is graph mode, whose rate is never NaN, so the weights
    stay finite (lrviz: no tf-graph NaN); with `jit_compile=True` the one NaN rate of step 1000
    makes them NaN from the 1001st batch on, the step lrviz's finding names."""
    schedule = lrviz.from_keras(POLY_NAN)
    finding = next(f for f in lrviz.findings(schedule) if f.code.startswith("compiled_nan"))
    assert "finding.path.tf-xla" in _phrase_keys(finding.params["path"])
    assert "finding.path.tf-graph" not in _phrase_keys(finding.params["path"])
    default, xla = _tf_fits(POLY_NAN, 1002, ("auto", "true"))
    assert default["jit_compile"] is False and not any(default["nan_after"])
    assert xla["jit_compile"] is True
    assert xla["nan_after"].index(True) == finding.params["step"] == 1000
