"""TensorFlow's two paths without TensorFlow: the arithmetic lrviz models for `tf.function` with
XLA ("tf-xla") and without ("tf-graph"), how they reach the findings, the CLI and the link.
tests/test_tf_parity.py checks the same arithmetic against real TensorFlow."""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import json
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
from config_factory import POLY_NAN, keras_config

import lrviz
from lrviz.cli import run as cli
from lrviz.compiled_checks import first_compiled_nan
from lrviz.engine import F32, PATHS
from lrviz.engine.grappler import log as graph_log
from lrviz.engine.xla import fma, power, reciprocal
from lrviz.share import decode_state
from lrviz.state import VIEW_TYPES, from_link

STAIRS = keras_config(
    "InverseTimeDecay", initial_learning_rate=1.0, decay_steps=243, decay_rate=3.6, staircase=True
)
# Graph mode restarts this SGDR at step 21, eager Keras and XLA at 22 (TensorFlow 2.21 agrees).
EARLY_RESTART = keras_config(
    "CosineDecayRestarts", initial_learning_rate=1.0, first_decay_steps=12, t_mul=0.75
)


def _libm_logf():
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    logf = ctypes.CDLL(name).logf
    logf.restype, logf.argtypes = ctypes.c_float, [ctypes.c_float]
    return logf


def test_graph_log_is_glibc_logf_bit_for_bit():
    """TensorFlow's CPU `Log` of one element is the C library's `logf`; lrviz's copy of glibc's
    algorithm gives the same float32 on random bit patterns (and the special values)."""
    logf = _libm_logf()
    if logf is None:
        pytest.skip("no C math library to compare with")
    rng = np.random.default_rng(15)
    x = rng.integers(0, 2**32, 100_000, dtype=np.uint64).astype(np.uint32).view(F32)
    x = np.concatenate([x, F32([0, -0.0, 1, -1, np.inf, -np.inf, np.nan, 1e-45, 3e-39, 0.9])])
    theirs = np.array([logf(float(v)) for v in x], dtype=F32)
    ours = graph_log(x)
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    assert same.all(), x[~same][:5]
    # The value the restart index hangs on: glibc's log(0.9485906) is an ulp off the exact one.
    t_mul = F32(0.9485906106566764)
    assert graph_log(t_mul) != F32(np.log(np.float64(t_mul)))


def test_every_path_evaluates_the_issue_polynomial_as_measured():
    schedule = lrviz.from_keras(POLY_NAN)
    steps = np.array([999, 1000, 1001, 5000])
    values = {path: schedule.on_path(path)(steps) for path in PATHS}
    assert values["eager"][1:].tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(values["compiled"][1:]).all()
    # TensorFlow's XLA: NaN at decay_steps only; graph mode: no NaN, 1 - fl(1000 fl(1/1000)) = 0.
    assert np.isnan(values["tf-xla"][1]) and values["tf-xla"][2:].tolist() == [0.0, 0.0]
    assert values["tf-graph"][1:].tolist() == [0.0, 0.0, 0.0]
    # Before decay_steps: tf-xla fuses as compiled; tf-graph rounds each operation.
    assert values["tf-xla"][0] == values["compiled"][0] != values["tf-graph"][0]


def test_tf_xla_polynomial_is_compiled_up_to_decay_steps_then_the_folded_constant():
    rng = np.random.default_rng(3)
    for _ in range(200):
        decay = int(rng.integers(1, 2**24))
        config = keras_config(
            "PolynomialDecay",
            initial_learning_rate=float(10 ** rng.uniform(-4, 0)),
            decay_steps=decay,
            end_learning_rate=float(rng.choice([0.0, 1e-5])),
            power=float(rng.uniform(0.1, 3)),
        )
        schedule = lrviz.from_keras(config)
        before = np.unique(rng.integers(0, decay + 1, 20))
        np.testing.assert_array_equal(
            schedule.on_path("tf-xla")(before), schedule.compiled()(before)
        )
        d, cfg = F32(decay), schedule.config
        lr0, end = F32(cfg["initial_learning_rate"]), F32(cfg["end_learning_rate"])
        folded = (lr0 - end) * power(F32(1) - d * reciprocal(d), F32(cfg["power"])) + end
        after = schedule.on_path("tf-xla")(np.array([decay + 1, 2 * decay + 7, 10**12]))
        assert (after == folded).all() and np.isfinite(after).all()


@pytest.mark.parametrize("decay_steps", [16_777_218, 741_624_448])
def test_tf_xla_polynomial_keeps_the_clamp_at_run_time_from_2_to_the_24(decay_steps):
    config = {**POLY_NAN, "config": {**POLY_NAN["config"], "decay_steps": decay_steps}}
    schedule = lrviz.from_keras(config)
    steps = np.array([decay_steps - 40, decay_steps, decay_steps + 40, 10**10])
    np.testing.assert_array_equal(schedule.on_path("tf-xla")(steps), schedule.compiled()(steps))


def test_graph_mode_never_turns_a_polynomial_nan_at_decay_steps():
    """fl(D fl(1/D)) is 1 or 1 - 2^-24 for every D below 2^24, never above 1: 1 - p is not
    negative, so no power makes it NaN (XLA's fused 1 - D fl(1/D) is negative for half of all D)."""
    d = np.arange(1, 2**24, dtype=F32)
    inverse = F32(1) / d
    assert set(np.unique(F32(1) - d * inverse).tolist()) == {0.0, 2.0**-24}
    assert (fma(-d, inverse, F32(1)) < 0).mean() > 0.45
    schedule = lrviz.from_keras(POLY_NAN)
    assert first_compiled_nan(schedule, 10**6, "tf-graph") is None
    assert first_compiled_nan(schedule, 10**6, "tf-xla") == 1000


def test_the_stairs_move_on_every_compiled_path_and_graph_mode_restarts_on_its_own():
    stairs = lrviz.from_keras(STAIRS)
    for path in ("compiled", "tf-xla", "tf-graph"):
        assert stairs.on_path(path)(np.array([243, 244])).tolist() == [1.0, pytest.approx(1 / 4.6)]
        assert 244 in stairs.on_path(path).breakpoints(1000).tolist()
    restarts = lrviz.from_keras(EARLY_RESTART)
    steps = np.array([21, 22])
    assert restarts.on_path("tf-graph")(steps)[0] == 1.0  # period 2 starts at step 21
    for path in ("eager", "compiled", "tf-xla"):
        end, start = restarts.on_path(path)(steps)
        assert end == 0.0 and start > 0.9  # period 1 ends at 21, period 2 starts at 22
    assert restarts.on_path("tf-graph").breakpoints(30).tolist()[:2] == [12, 21]


def test_paths_switch_and_compare():
    schedule = lrviz.from_keras(POLY_NAN)
    on_paths = [schedule.on_path(p) for p in PATHS]
    assert [s.path for s in on_paths] == list(PATHS)
    assert len(set(on_paths)) == len(PATHS)
    assert all(s.on_path("eager") == schedule for s in on_paths)
    assert schedule.on_path("tf-graph").on_path("tf-xla") == schedule.on_path("tf-xla")
    assert schedule.compiled() == schedule.on_path("compiled")
    with pytest.raises(ValueError, match="path must be one of"):
        schedule.on_path("tpu")
    # A class whose arithmetic no path rewrites evaluates eagerly everywhere.
    piecewise = lrviz.from_keras(
        keras_config("PiecewiseConstantDecay", boundaries=[5], values=[1.0, 0.5])
    )
    steps = np.arange(10)
    for path in PATHS:
        np.testing.assert_array_equal(piecewise.on_path(path)(steps), piecewise(steps))


def _paths_named(finding) -> set[str]:
    def keys(phrase) -> list[str]:
        return [phrase.key, *(k for v in phrase.params.values() for k in keys(v))]

    return {k.removeprefix("finding.path.") for k in keys(finding.params["path"])} & set(PATHS)


def test_findings_name_the_paths_they_are_about():
    found = lrviz.findings(lrviz.from_keras(POLY_NAN))
    (nan,) = [f for f in found if "nan" in f.code]
    assert nan.code == "compiled_nan.PolynomialDecay" and nan.params["step"] == 1000
    assert _paths_named(nan) == {"compiled", "tf-xla"}
    assert "TensorFlow with XLA" in nan.message() and "JAX" in nan.message()
    assert "TensorFlow 搭配 XLA" in nan.message("zh-TW")
    (shift,) = [f for f in lrviz.findings(lrviz.from_keras(STAIRS)) if "shift" in f.code]
    assert shift.code == "compiled_shift" and _paths_named(shift) == set(PATHS) - {"eager"}
    assert shift.params["steps"].startswith("244, 487")
    (early,) = [f for f in lrviz.findings(lrviz.from_keras(EARLY_RESTART)) if "shift" in f.code]
    assert early.code == "tf_shift" and _paths_named(early) == {"tf-graph"}
    assert early.params["steps"] == "21" and "tf.function" in early.message()


POLY_FILE = {"class_name": "PolynomialDecay", "config": {**POLY_NAN["config"], "name": "poly"}}


def test_cli_eval_and_link_take_the_tensorflow_paths(tmp_path, capsys):
    path = tmp_path / "poly.json"
    path.write_text(json.dumps(POLY_FILE))
    assert cli(["eval", str(path), "--steps", "998:1002", "--run", "tf-xla"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert table["poly"].isna().tolist() == [False, False, True, False]
    assert cli(["link", str(path), "--run", "tf-graph"]) == 0
    params = parse_qs(urlsplit(capsys.readouterr().out.strip()).query)
    assert params["run"] == ["tf-graph"]
    studio, messages = from_link(params, decode_state(params, VIEW_TYPES))
    assert messages == [] and studio.view.run == "tf-graph"


def _small_power(decay_steps: int) -> lrviz.Schedule:
    return lrviz.from_keras(
        keras_config(
            "PolynomialDecay",
            initial_learning_rate=1.0,
            decay_steps=decay_steps,
            end_learning_rate=0.0,
            power=0.25,
        )
    )


def test_paths_that_settle_above_end_learning_rate_say_where_and_share_a_finding():
    schedule = _small_power(6919)
    found = {f.code: f for f in lrviz.findings(schedule, 20_000) if "settles" in f.code}
    assert set(found) == {"compiled_settles", "tf_settles"}
    tail = np.arange(6900, 20_000, dtype=np.int64)
    assert np.all(schedule(tail[tail >= 6919]) == 0.0)  # eager ends at end_learning_rate
    for finding, paths in (
        (found["compiled_settles"], ["compiled"]),
        (found["tf_settles"], ["tf-xla", "tf-graph"]),
    ):
        step, value = finding.params["step"], float(finding.params["value"])
        for path in paths:
            on_path = schedule.on_path(path)(tail)
            assert np.all(on_path[tail >= step] == on_path[-1]), path
            np.testing.assert_allclose(on_path[-1], value, rtol=1e-5)
            assert value > 0.01  # above 1% of the initial rate: worth telling
    assert found["tf_settles"].params["path"].params["first"].key == "finding.path.tf-xla"
    assert found["compiled_settles"].params["pow2"] == 8192


def test_a_power_of_two_decay_steps_settles_at_end_learning_rate_on_every_path():
    schedule = _small_power(8192)
    assert not [f for f in lrviz.findings(schedule, 40_000) if "settles" in f.code]
    for path in PATHS:
        assert schedule.on_path(path)(np.int64(8192)) == 0.0
