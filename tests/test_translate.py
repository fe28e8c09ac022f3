"""lrviz.translate against the real libraries: Keras (numpy), optax, torch, transformers, timm.

Every snippet is executed here (never at runtime) and its schedule compared with `values()`;
every `exact` claim is checked against real Keras, and every "not exact" one shown to differ.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import math
import os
import sys
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keras_oracle import keras_values as oracle_values

from lrviz import translate
from lrviz.i18n import t
from lrviz.keras_json import default_config, from_keras
from lrviz.translate import (
    NOTE_TEMPLATES,
    Translation,
    compare,
    render_note,
)

# --- Oracles and runners -------------------------------------------------------------------------


def translations(class_name: str, config: dict, **kwargs) -> list[Translation]:
    """The translations of a Keras config, validated by the engine as the studio does."""
    schedule = from_keras({"class_name": class_name, "config": config})
    return translate.translations(schedule, **kwargs)


def keras_values(class_name: str, config: dict, steps: np.ndarray) -> np.ndarray:
    """Real Keras, one scalar call per step, as a training loop calls it."""
    return oracle_values({"class_name": class_name, "config": config}, steps)


def peak_of(values: np.ndarray) -> float:
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size else 0.0


def float32_close(keras: np.ndarray, other: np.ndarray, cycles: float = 1.0) -> np.ndarray:
    """Per step: equal up to Keras's float32 rounding (NaN equals NaN).

    Keras's float32 position within a cycle (step / first_decay_steps minus the restarts) loses
    about 2**-24 per completed cycle, so the tolerance grows with `cycles`, the largest
    step / first_decay_steps compared.
    """
    tolerance = 1e-6 * (1 + cycles) * max(peak_of(keras), peak_of(other))
    both_nan = np.isnan(keras) & np.isnan(other)
    with np.errstate(invalid="ignore"):
        return both_nan | (np.abs(keras - other) <= tolerance)


def note_params(translation: Translation, note_id: str) -> dict | None:
    return next((params for key, params in translation.note_ids if key == note_id), None)


def by_framework(class_name: str, config: dict, prefix: str, **kwargs) -> Translation:
    found = [
        t for t in translations(class_name, config, **kwargs) if t.framework.startswith(prefix)
    ]
    assert len(found) == 1, [t.framework for t in translations(class_name, config, **kwargs)]
    return found[0]


def run_torch(code: str, n: int) -> np.ndarray:
    """The optimizer's lr at steps 0..n-1 with scheduler.step() after every optimizer.step()."""
    import torch

    namespace: dict = {"model": torch.nn.Linear(1, 1)}
    exec(code, namespace)
    optimizer, scheduler = namespace["optimizer"], namespace["scheduler"]
    lrs = [optimizer.param_groups[0]["lr"]]
    for _ in range(n - 1):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return np.array(lrs, dtype=np.float64)


def run_timm(code: str, n: int) -> np.ndarray:
    """The optimizer's lr at steps 0..n-1 with step_update(num_updates=k) after update k."""
    import torch

    namespace: dict = {"model": torch.nn.Linear(1, 1)}
    exec(code, namespace)
    optimizer, scheduler = namespace["optimizer"], namespace["scheduler"]
    lrs = [optimizer.param_groups[0]["lr"]]
    for k in range(1, n):
        optimizer.step()
        scheduler.step_update(num_updates=k)
        lrs.append(optimizer.param_groups[0]["lr"])
    return np.array(lrs, dtype=np.float64)


def run_optax(code: str, steps: np.ndarray) -> np.ndarray:
    import jax.numpy as jnp

    namespace: dict = {}
    exec(code, namespace)
    return np.asarray(namespace["schedule"](jnp.asarray(steps, dtype=jnp.int32)), dtype=np.float64)


@pytest.fixture(scope="module")
def timm_scheduler():
    """timm's real CosineLRScheduler, importable as `from timm.scheduler import ...`.

    `import timm` imports timm's models, which need torchvision (a multi-GB CUDA download here);
    the scheduler modules need only torch. Without torchvision, timm and timm.scheduler are
    registered as bare packages over timm's installed directory so that the real
    timm/scheduler/cosine_lr.py and scheduler.py load unmodified, skipping only the __init__s.
    """
    if importlib.util.find_spec("torchvision") is not None:
        module = importlib.import_module("timm.scheduler")
        yield module.CosineLRScheduler
        return
    spec = importlib.util.find_spec("timm")
    assert spec is not None and spec.submodule_search_locations, "timm is not installed"
    root = next(iter(spec.submodule_search_locations))
    with pytest.MonkeyPatch.context() as patch:
        for name, path in (("timm", root), ("timm.scheduler", os.path.join(root, "scheduler"))):
            package = types.ModuleType(name)
            package.__path__ = [path]
            patch.setitem(sys.modules, name, package)
        cosine_lr = importlib.import_module("timm.scheduler.cosine_lr")
        # The bare package is thrown away afterwards, so a plain attribute is enough.
        sys.modules["timm.scheduler"].CosineLRScheduler = cosine_lr.CosineLRScheduler
        yield cosine_lr.CosineLRScheduler
        for name in ("timm.scheduler.cosine_lr", "timm.scheduler.scheduler"):
            sys.modules.pop(name, None)


# --- Configurations ------------------------------------------------------------------------------

learning_rates = st.floats(1e-6, 1.0).map(lambda x: float(np.float32(x)))
alphas = st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0]) | st.floats(0.0, 1.0)


@st.composite
def cosine_decay_configs(draw) -> dict:
    config = {
        "initial_learning_rate": draw(st.just(0.0) | learning_rates),
        "decay_steps": draw(st.integers(1, 120)),
        "alpha": draw(alphas),
        "name": "CosineDecay",
        "warmup_target": draw(st.none() | learning_rates),
        "warmup_steps": draw(st.integers(0, 40)),
    }
    return config


@st.composite
def restart_configs(draw) -> dict:
    return {
        "initial_learning_rate": draw(learning_rates),
        "first_decay_steps": draw(st.integers(1, 30)),
        "t_mul": draw(st.sampled_from([1.0, 2.0, 3.0, 1.5, 0.5, 0.8, 7.0])),
        "m_mul": draw(st.sampled_from([1.0, 0.5, 0.9, 1.2])),
        "alpha": draw(alphas),
        "name": "SGDRDecay",
    }


HAND_PICKED_DECAY = [
    # The brief's examples and the common shapes.
    {
        "initial_learning_rate": 0.0,
        "decay_steps": 90,
        "alpha": 0.1,
        "warmup_target": 1e-3,
        "warmup_steps": 10,
    },
    {
        "initial_learning_rate": 1e-5,
        "decay_steps": 60,
        "alpha": 0.0,
        "warmup_target": 1e-3,
        "warmup_steps": 15,
    },
    {"initial_learning_rate": 1e-3, "decay_steps": 50},
    {"initial_learning_rate": 1e-3, "decay_steps": 50, "alpha": 0.2},
    {"initial_learning_rate": 2e-3, "decay_steps": 40, "warmup_target": 1e-3, "warmup_steps": 10},
    {"initial_learning_rate": 1e-3, "decay_steps": 40, "warmup_steps": 10},
]
HAND_PICKED_RESTARTS = [
    {
        "initial_learning_rate": 1e-3,
        "first_decay_steps": 10,
        "t_mul": 2.0,
        "m_mul": 1.0,
        "alpha": 0.0,
    },
    {
        "initial_learning_rate": 1e-3,
        "first_decay_steps": 10,
        "t_mul": 1.0,
        "m_mul": 1.0,
        "alpha": 0.0,
    },
    {
        "initial_learning_rate": 1e-3,
        "first_decay_steps": 8,
        "t_mul": 1.0,
        "m_mul": 0.5,
        "alpha": 0.1,
    },
    {
        "initial_learning_rate": 1e-3,
        "first_decay_steps": 10,
        "t_mul": 1.5,
        "m_mul": 0.9,
        "alpha": 0.0,
    },
    {
        "initial_learning_rate": 1e-3,
        "first_decay_steps": 6,
        "t_mul": 3.0,
        "m_mul": 0.5,
        "alpha": 0.2,
    },
    {
        "initial_learning_rate": 1e-3,
        "first_decay_steps": 3,
        "t_mul": 7.0,
        "m_mul": 1.0,
        "alpha": 0.0,
    },
]
EXAMPLES = settings(max_examples=25, deadline=None)


# --- values() equals each real library, and each snippet runs ------------------------------------


@pytest.mark.oracle
@EXAMPLES
@given(cosine_decay_configs())
def test_optax_snippet_for_cosine_decay_computes_values(config):
    translation = by_framework("CosineDecay", config, "optax")
    steps = np.arange(0, 200)  # one length for every example: JAX compiles per shape
    expected = translation.values(steps)
    assert np.allclose(
        run_optax(translation.code, steps), expected, rtol=1e-5, atol=1e-6 * peak_of(expected)
    )


@pytest.mark.oracle
@EXAMPLES
@given(restart_configs())
def test_optax_snippet_for_restarts_computes_values(config):
    translation = by_framework("CosineDecayRestarts", config, "optax", total_steps=150)
    steps = np.arange(0, 200)
    expected = translation.values(steps)
    # optax subtracts each cycle's start from the step in float32: the error is relative to the
    # step and weighs more in short cycles (t_mul < 1).
    cycles = note_params(translation, "translate.optax_sgdr_finite")["cycles"]
    shortest = config["first_decay_steps"] * min(1.0, config["t_mul"]) ** (cycles - 1)
    tolerance = 1e-6 * (1 + steps.max() / shortest) * peak_of(expected)
    assert np.allclose(run_optax(translation.code, steps), expected, rtol=1e-5, atol=tolerance)


@pytest.mark.oracle
@EXAMPLES
@given(cosine_decay_configs())
def test_pytorch_snippet_for_cosine_decay_computes_values(config):
    (translation,) = [
        t
        for t in translations("CosineDecay", config)
        if t.framework.startswith("PyTorch") and t.framework != "PyTorch (LambdaLR)"
    ]
    n = config["decay_steps"] + config["warmup_steps"] + 30
    expected = translation.values(np.arange(n))
    assert np.allclose(
        run_torch(translation.code, n), expected, rtol=1e-9, atol=1e-12 * peak_of(expected)
    )


@pytest.mark.oracle
@EXAMPLES
@given(restart_configs())
def test_pytorch_snippet_for_restarts_computes_values(config):
    translation = by_framework(
        "CosineDecayRestarts", config, "PyTorch (CosineAnnealingWarmRestarts)"
    )
    expected = translation.values(np.arange(200))
    assert np.allclose(
        run_torch(translation.code, 200), expected, rtol=1e-9, atol=1e-12 * peak_of(expected)
    )


@pytest.mark.oracle
@EXAMPLES
@given(st.sampled_from(["CosineDecay", "CosineDecayRestarts"]), st.data())
def test_lambda_lr_snippet_computes_values_bit_for_bit(class_name, data):
    strategy = cosine_decay_configs() if class_name == "CosineDecay" else restart_configs()
    translation = by_framework(class_name, data.draw(strategy), "PyTorch (LambdaLR)")
    lrs = run_torch(translation.code, 150)
    np.testing.assert_array_equal(lrs, translation.values(np.arange(150)))


@pytest.mark.oracle
@EXAMPLES
@given(cosine_decay_configs())
def test_transformers_snippet_for_cosine_decay_computes_values(config):
    translation = by_framework("CosineDecay", config, "Hugging Face")
    n = config["decay_steps"] + config["warmup_steps"] + 30
    expected = translation.values(np.arange(n))
    assert np.allclose(run_torch(translation.code, n), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.oracle
@EXAMPLES
@given(restart_configs(), st.integers(1, 200))
def test_transformers_snippet_for_restarts_computes_values(config, total_steps):
    translation = by_framework(
        "CosineDecayRestarts", config, "Hugging Face", total_steps=total_steps
    )
    expected = translation.values(np.arange(250))
    assert np.allclose(run_torch(translation.code, 250), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.oracle
@EXAMPLES
@given(cosine_decay_configs())
def test_timm_snippet_for_cosine_decay_computes_values(timm_scheduler, config):
    translation = by_framework("CosineDecay", config, "timm")
    n = config["decay_steps"] + config["warmup_steps"] + 30
    expected = translation.values(np.arange(n))
    assert np.allclose(run_timm(translation.code, n), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.oracle
@EXAMPLES
@given(restart_configs().filter(lambda c: c["t_mul"] >= 1))
def test_timm_snippet_for_restarts_computes_values(timm_scheduler, config):
    translation = by_framework("CosineDecayRestarts", config, "timm")
    expected = translation.values(np.arange(200))
    assert np.allclose(run_timm(translation.code, 200), expected, rtol=1e-12, atol=1e-15)


# --- exact claims hold against real Keras; inexact ones really differ ----------------------------


def _steps_for(class_name: str, config: dict) -> np.ndarray:
    if class_name == "CosineDecay":
        return np.arange(0, config["decay_steps"] + config.get("warmup_steps", 0) + 25)
    return np.arange(0, 160)


def _cycles(class_name: str, config: dict, steps: np.ndarray) -> float:
    return 1.0 if class_name == "CosineDecay" else float(steps.max()) / config["first_decay_steps"]


def _steps_up_to(class_name: str, config: dict, last: int) -> np.ndarray:
    """Steps 0..last+1 if few, else a sample that keeps every step near a Keras restart."""
    if last < 400:
        return np.arange(0, last + 2)
    first, t_mul = config["first_decay_steps"], config.get("t_mul", 2.0)
    starts = (
        [first * j for j in range(1, 400)]
        if t_mul == 1
        else [first * (t_mul**j - 1) / (t_mul - 1) for j in range(1, 60)]
    )
    near = [np.arange(math.floor(b) - 2, math.floor(b) + 3) for b in starts if b < last]
    sample = np.concatenate([np.arange(200), np.linspace(0, last, 300).astype(int), *near])
    return np.unique(
        np.concatenate([sample[(sample >= 0) & (sample < last)], [last - 1, last, last + 1]])
    )


@pytest.mark.oracle
@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["CosineDecay", "CosineDecayRestarts"]), st.data())
def test_exact_translations_match_keras_to_float32_precision(class_name, data):
    config = data.draw(cosine_decay_configs() if class_name == "CosineDecay" else restart_configs())
    steps = _steps_for(class_name, config)
    reference = keras_values(class_name, config, steps)
    cycles = _cycles(class_name, config, steps)
    for translation in translations(class_name, config):
        if translation.exact:
            close = float32_close(reference, translation.values(steps), cycles)
            assert close.all(), translation.framework


@pytest.mark.oracle
@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["CosineDecay", "CosineDecayRestarts"]), st.data())
def test_lambda_lr_equals_keras_bit_for_bit(class_name, data):
    config = data.draw(cosine_decay_configs() if class_name == "CosineDecay" else restart_configs())
    steps = _steps_for(class_name, config)
    translation = by_framework(class_name, config, "PyTorch (LambdaLR)")
    np.testing.assert_array_equal(
        translation.values(steps), keras_values(class_name, config, steps)
    )


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("class_name", "config"),
    [("CosineDecay", c) for c in HAND_PICKED_DECAY]
    + [("CosineDecayRestarts", c) for c in HAND_PICKED_RESTARTS],
)
def test_inexact_translations_differ_where_compare_says(class_name, config):
    inexact = [t for t in translations(class_name, config, total_steps=60) if not t.exact]
    assert inexact
    for translation in inexact:
        steps = _steps_for(class_name, config)
        through = note_params(translation, "translate.identical_through")
        if through is not None:  # the curves part there, perhaps far out
            steps = np.union1d(steps, np.arange(max(0, through["last"] - 3), through["last"] + 4))
        reference = keras_values(class_name, config, steps)
        other = translation.values(steps)
        difference = compare(steps, reference, other)
        gaps = np.abs(reference - other)
        cycles = _cycles(class_name, config, steps)
        assert not float32_close(reference, other, cycles).all(), translation.framework
        assert difference.max_abs == pytest.approx(gaps.max())
        assert difference.max_abs_step == steps[int(np.argmax(gaps))]


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("class_name", "config"),
    [("CosineDecay", c) for c in HAND_PICKED_DECAY]
    + [("CosineDecayRestarts", c) for c in HAND_PICKED_RESTARTS],
)
def test_identical_through_note_is_where_the_curves_part(class_name, config):
    for translation in translations(class_name, config, total_steps=60):
        params = note_params(translation, "translate.identical_through")
        if params is None:
            continue
        last = params["last"]
        steps = _steps_up_to(class_name, config, last)
        reference = keras_values(class_name, config, steps)
        close = float32_close(
            reference, translation.values(steps), _cycles(class_name, config, steps)
        )
        assert close[:-1].all() and not close[-1], translation.framework


# --- claims the notes make about the real libraries ----------------------------------------------


@pytest.mark.oracle
def test_keras_t_mul_7_restarts_one_step_late_where_pytorch_restarts_on_time():
    config = {"initial_learning_rate": 1.0, "first_decay_steps": 1, "t_mul": 7.0}
    translation = by_framework(
        "CosineDecayRestarts", config, "PyTorch (CosineAnnealingWarmRestarts)"
    )
    params = note_params(translation, "translate.restart_mismatch_keras")
    assert params is not None and params["step"] == 8 and not translation.exact
    step = params["step"]
    assert keras_values("CosineDecayRestarts", config, np.array([step]))[0] == 0.0
    assert run_torch(translation.code, step + 1)[step] == 1.0


@pytest.mark.oracle
def test_transformers_hard_restarts_miss_a_restart_through_float_rounding():
    config = {"initial_learning_rate": 1.0, "first_decay_steps": 10, "t_mul": 1.0}
    translation = by_framework("CosineDecayRestarts", config, "Hugging Face", total_steps=220)
    params = note_params(translation, "translate.restart_mismatch_hf")
    assert params is not None and params["step"] == 150
    lrs = run_torch(translation.code, 151)
    assert keras_values("CosineDecayRestarts", config, np.array([150]))[0] == 1.0
    assert lrs[150] < 1e-12


@pytest.mark.oracle
def test_timm_misses_a_restart_that_keras_makes(timm_scheduler):
    import torch

    config = {"initial_learning_rate": 1.0, "first_decay_steps": 10, "t_mul": 3.0}
    translation = by_framework("CosineDecayRestarts", config, "timm")
    params = note_params(translation, "translate.restart_mismatch_timm")
    assert params is not None and params["step"] == 1210
    scheduler = timm_scheduler(
        torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0),
        t_initial=10,
        cycle_mul=3.0,
        cycle_limit=2**31 - 1,
        t_in_epochs=False,
    )
    assert scheduler._get_lr(1210)[0] == 0.0
    assert keras_values("CosineDecayRestarts", config, np.array([1210]))[0] == 1.0


@pytest.mark.oracle
def test_timm_raises_where_keras_returns_nan_for_t_mul_below_one(timm_scheduler):
    config = {"initial_learning_rate": 1e-3, "first_decay_steps": 10, "t_mul": 0.5}
    translation = by_framework("CosineDecayRestarts", config, "timm")
    step = note_params(translation, "translate.timm_raises")["step"]
    assert note_params(translation, "translate.keras_nan_after")["step"] == step == 20
    assert np.isnan(keras_values("CosineDecayRestarts", config, np.array([step]))[0])
    with pytest.raises(ValueError, match="math domain error"):
        run_timm(translation.code, step + 1)


@pytest.mark.oracle
def test_linear_lr_refuses_the_start_factor_of_a_warmup_from_zero():
    import torch

    optimizer = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1e-3)
    with pytest.raises(ValueError, match="greater than 0"):
        torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.0, total_iters=10)


@pytest.mark.oracle
@pytest.mark.parametrize("t_mult", [2.0, 1.5, 0])
def test_cosine_annealing_warm_restarts_refuses_a_non_integer_t_mult(t_mult):
    import torch

    optimizer = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1e-3)
    with pytest.raises(ValueError, match="T_mult"):
        torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=t_mult)


@pytest.mark.oracle
def test_cosine_annealing_warm_restarts_snippet_passes_t_mul_as_an_int():
    config = {"initial_learning_rate": 1e-3, "first_decay_steps": 10, "t_mul": 2.0}
    translation = by_framework(
        "CosineDecayRestarts", config, "PyTorch (CosineAnnealingWarmRestarts)"
    )
    assert "T_mult=2," in translation.code
    assert run_torch(translation.code, 40)[30] == pytest.approx(1e-3)


@pytest.mark.oracle
def test_transformers_lr_rate_schedule_peaks_one_step_before_num_warmup_steps():
    import torch
    from transformers import get_cosine_with_min_lr_schedule_with_warmup_lr_rate

    optimizer = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0)
    scheduler = get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
        optimizer, num_warmup_steps=10, num_training_steps=100, min_lr_rate=0.0, warmup_lr_rate=0.1
    )
    factor = scheduler.lr_lambdas[0]
    assert max(range(30), key=factor) == 9


@pytest.mark.oracle
def test_timm_without_warmup_prefix_does_not_follow_keras(timm_scheduler):
    config = {
        "initial_learning_rate": 0.0,
        "decay_steps": 50,
        "warmup_target": 1e-3,
        "warmup_steps": 10,
    }
    translation = by_framework("CosineDecay", config, "timm")
    assert "warmup_prefix=True" in translation.code and translation.exact
    unprefixed = translation.code.replace("warmup_prefix=True", "warmup_prefix=False")
    steps = np.arange(61)
    reference = keras_values("CosineDecay", config, steps)
    assert float32_close(reference, run_timm(translation.code, 61)).all()
    assert not float32_close(reference, run_timm(unprefixed, 61)).all()


@pytest.mark.oracle
def test_optax_with_keras_decay_steps_would_end_the_decay_early():
    config = {
        "initial_learning_rate": 0.0,
        "decay_steps": 90,
        "warmup_target": 1e-3,
        "warmup_steps": 10,
    }
    translation = by_framework("CosineDecay", config, "optax")
    assert note_params(translation, "translate.optax_decay_includes_warmup") == {
        "total": 100,
        "warmup": 10,
        "decay": 90,
    }
    naive = translation.code.replace("decay_steps=100", "decay_steps=90")
    steps = np.arange(101)
    reference = keras_values("CosineDecay", config, steps)
    assert float32_close(reference, run_optax(translation.code, steps)).all()
    assert not float32_close(reference, run_optax(naive, steps)).all()


@pytest.mark.oracle
def test_integer_initial_learning_rate_makes_keras_compute_zeros_and_nothing_exact():
    config = {
        "initial_learning_rate": 0,
        "decay_steps": 20,
        "warmup_target": 0.1,
        "warmup_steps": 5,
    }
    steps = np.arange(30)
    assert not keras_values("CosineDecay", config, steps).any()
    for translation in translations("CosineDecay", config):
        assert not translation.exact and note_params(translation, "translate.keras_integer_lr") == {
            "value": 0
        }
        assert translation.values(steps).any()


@pytest.mark.oracle
def test_warmup_steps_without_warmup_target_are_ignored_like_keras():
    config = {"initial_learning_rate": 1e-3, "decay_steps": 30, "warmup_steps": 10}
    steps = np.arange(40)
    reference = keras_values("CosineDecay", config, steps)
    for translation in translations("CosineDecay", config):
        assert note_params(translation, "translate.warmup_ignored") == {"warmup_steps": 10}
        assert float32_close(reference[:31], translation.values(steps)[:31]).all()


# --- finite cycles are sized by total_steps ------------------------------------------------------


@pytest.mark.parametrize("total_steps", [1, 95, 5000])
def test_optax_sgdr_covers_total_steps(total_steps):
    config = {"initial_learning_rate": 1e-3, "first_decay_steps": 10, "t_mul": 2.0}
    translation = by_framework("CosineDecayRestarts", config, "optax", total_steps=total_steps)
    assert note_params(translation, "translate.optax_sgdr_finite")["last"] >= total_steps - 1


def test_optax_sgdr_covers_ten_cycles_by_default():
    config = {"initial_learning_rate": 1e-3, "first_decay_steps": 10, "t_mul": 1.0}
    translation = by_framework("CosineDecayRestarts", config, "optax")
    assert note_params(translation, "translate.optax_sgdr_finite") == {
        "cycles": 10,
        "last": 99,
        "floor": 0.0,
    }


@pytest.mark.oracle
def test_optax_sgdr_stops_before_the_cycle_whose_m_mul_power_overflows_a_python_float():
    """The snippet computes m_mul**j in Python floats, which raise OverflowError past 1.8e308."""
    config = {"initial_learning_rate": 1e-3, "first_decay_steps": 1, "t_mul": 1.0, "m_mul": 3.0}
    translation = by_framework("CosineDecayRestarts", config, "optax", total_steps=2000)
    cycles = note_params(translation, "translate.optax_sgdr_finite")["cycles"]
    assert 3.0 ** (cycles - 1) < math.inf
    with pytest.raises(OverflowError):
        3.0**cycles
    steps = np.arange(60)  # peaks within float32, which JAX computes in
    assert np.allclose(run_optax(translation.code, steps), translation.values(steps), rtol=1e-5)


def test_transformers_hard_restarts_cover_total_steps():
    config = {"initial_learning_rate": 1e-3, "first_decay_steps": 10, "t_mul": 1.0}
    translation = by_framework("CosineDecayRestarts", config, "Hugging Face", total_steps=95)
    assert "num_training_steps=100, num_cycles=10" in translation.code
    assert note_params(translation, "translate.identical_through") == {"last": 99}


# --- the API itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "class_name",
    ["ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay", "InverseTimeDecay"],
)
def test_other_keras_classes_have_no_translation(class_name):
    assert translations(class_name, default_config(class_name)["config"]) == []


def test_each_class_gets_one_translation_per_target():
    decay = translations("CosineDecay", HAND_PICKED_DECAY[0])
    restarts = translations("CosineDecayRestarts", HAND_PICKED_RESTARTS[0])
    assert [t.framework for t in decay] == [
        "optax",
        "PyTorch (SequentialLR)",
        "PyTorch (LambdaLR)",
        "Hugging Face transformers",
        "timm",
    ]
    assert [t.framework for t in restarts] == [
        "optax",
        "PyTorch (CosineAnnealingWarmRestarts)",
        "PyTorch (LambdaLR)",
        "Hugging Face transformers",
        "timm",
    ]


def test_notes_are_rendered_from_the_templates():
    configs = [("CosineDecay", c) for c in HAND_PICKED_DECAY] + [
        ("CosineDecayRestarts", c) for c in HAND_PICKED_RESTARTS
    ]
    for class_name, config in configs:
        for translation in translations(class_name, config):
            assert translation.notes == tuple(
                NOTE_TEMPLATES[key].format(**params) for key, params in translation.note_ids
            )


def test_notes_can_be_rendered_in_another_language():
    translation = by_framework("CosineDecay", HAND_PICKED_DECAY[0], "optax")
    key, params = translation.note_ids[0]
    other_language = {key: "[fr] " + NOTE_TEMPLATES[key]}
    assert render_note(key, params, other_language) == "[fr] " + translation.notes[0]


def test_a_hostile_name_stays_inside_a_comment():
    name = "x'\nraise SystemExit('escaped')\n# \"\"\""
    config = {**HAND_PICKED_DECAY[0], "name": name}
    for translation in translations("CosineDecay", config):
        tree = ast.parse(translation.code)
        assert not [node for node in ast.walk(tree) if isinstance(node, ast.Raise)]
        assert repr(name) in translation.code.splitlines()[0]


@pytest.mark.oracle
def test_snippets_keep_every_digit_of_the_learning_rates():
    config = {"initial_learning_rate": 1.2345678901234567e-4, "decay_steps": 30}
    translation = by_framework("CosineDecay", config, "PyTorch (CosineAnnealingLR)")
    assert run_torch(translation.code, 1)[0] == 1.2345678901234567e-4


def test_values_refuse_negative_or_fractional_steps():
    translation = by_framework("CosineDecay", HAND_PICKED_DECAY[0], "optax")
    for steps in (np.array([-1]), np.array([0.5])):
        with pytest.raises(ValueError, match="integers >= 0"):
            translation.values(steps)


@pytest.mark.parametrize(
    ("class_name", "config", "message"),
    [
        ("CosineDecay", {"initial_learning_rate": 0.1}, "needs `decay_steps`"),
        ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 0}, "decay_steps=0"),
        (
            "CosineDecayRestarts",
            {"initial_learning_rate": 0.1, "first_decay_steps": -5},
            "first_decay_steps=-5",
        ),
        ("CosineDecay", {"initial_learning_rate": "0.1", "decay_steps": 5}, "finite number"),
    ],
)
def test_invalid_configs_are_refused_naming_the_argument(class_name, config, message):
    """The engine refuses them before anything is translated."""
    with pytest.raises(ValueError, match=message):
        translations(class_name, config)


# --- compare -------------------------------------------------------------------------------------


def test_compare_finds_the_largest_absolute_difference_and_its_step():
    difference = compare(
        np.array([10, 20, 30]), np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.5, 3.1])
    )
    assert difference.max_abs == pytest.approx(0.5) and difference.max_abs_step == 20


def test_compare_finds_the_largest_relative_difference_and_its_step():
    difference = compare(
        np.array([10, 20, 30]), np.array([0.1, 2.0, 3.0]), np.array([0.2, 2.5, 3.1])
    )
    assert difference.max_rel == pytest.approx(1.0) and difference.max_rel_step == 10


def test_compare_leaves_zero_reference_out_of_the_relative_difference():
    difference = compare(np.array([0, 1]), np.array([0.0, 1.0]), np.array([0.5, 1.1]))
    assert difference.max_abs_step == 0
    assert difference.max_rel == pytest.approx(0.1) and difference.max_rel_step == 1


def test_compare_counts_a_one_sided_nan_as_infinite_and_two_sided_as_equal():
    difference = compare(
        np.array([0, 1, 2]), np.array([1.0, np.nan, np.nan]), np.array([1.0, 1.0, np.nan])
    )
    assert difference.max_abs == math.inf and difference.max_abs_step == 1


def test_compare_of_identical_curves_names_no_step():
    difference = compare(np.array([0, 1]), np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    assert (difference.max_abs, difference.max_abs_step, difference.max_rel_step) == (
        0.0,
        None,
        None,
    )


@pytest.mark.parametrize("class_name", ["CosineDecay", "CosineDecayRestarts"])
def test_generated_code_comments_are_in_the_users_language_and_the_code_is_unchanged(class_name):
    config = default_config(class_name)["config"]
    comment_keys = [k for k in NOTE_TEMPLATES if k.startswith("translate.comment.")]
    for item in translations(class_name, config):
        chinese = item.code_in("zh-TW")
        assert item.code_in("en") == item.code
        english_lines, chinese_lines = item.code.split("\n"), chinese.split("\n")
        assert len(english_lines) == len(chinese_lines)
        changed = [(e, c) for e, c in zip(english_lines, chinese_lines) if e != c]
        assert changed, item.framework
        for english, translated in changed:
            # Only the comment or docstring differs: the code before it is the same.
            cut = english.index('"""') + 3 if '"""' in english else english.index("# ") + 2
            assert translated[:cut] == english[:cut]
        assert t("translate.comment.header", "zh-TW", class_name=class_name, name="x")[-6:] in (
            chinese
        )
        for key in comment_keys:
            fixed = NOTE_TEMPLATES[key]
            if "{" not in fixed:
                assert fixed not in chinese, (item.framework, fixed)
