"""Random but realistic Keras schedule configs (all six classes) and the steps worth checking."""

from __future__ import annotations

import numpy as np

import lrviz

CLASSES = tuple(lrviz.SCHEDULES)


def keras_config(class_name: str, **config) -> dict:
    """A Keras schedule dict as `serialize` writes it (arguments left out take their defaults)."""
    return {"module": "keras.optimizers.schedules", "class_name": class_name, "config": config}


# The cases of issue #15: NaN from decay_steps under JAX `fit`, stairs and restarts one step late.
POLY = {"initial_learning_rate": 0.01, "end_learning_rate": 0.0}
STAIRS = {"initial_learning_rate": 1.0, "staircase": True}
POLY_NAN = keras_config("PolynomialDecay", decay_steps=1000, power=0.9, **POLY)
ISSUE_15_CASES = [
    POLY_NAN,
    keras_config("PolynomialDecay", decay_steps=12345, power=0.5, **POLY),
    keras_config("InverseTimeDecay", decay_steps=243, decay_rate=3.6, **STAIRS),
    keras_config("ExponentialDecay", decay_steps=6919, decay_rate=0.5, **STAIRS),
    keras_config("CosineDecayRestarts", initial_learning_rate=1.0, first_decay_steps=1, t_mul=0.9),
]


def _lr(rng: np.random.Generator) -> float:
    pick = rng.random()
    if pick < 0.1:
        return 0.0
    if pick < 0.2:
        return float(rng.choice([1e-3, 1.0, 0.1, 3e-4]))
    return float(10 ** rng.uniform(-6, 0))


def _steps(rng: np.random.Generator, low: int = 1) -> int:
    pick = rng.random()
    if pick < 0.1:
        return int(rng.integers(max(low, 1), 11))
    if pick < 0.15:
        return int(rng.integers(10**7, 10**9))
    return int(max(low, round(10 ** rng.uniform(0, 6))))


def random_config(class_name: str, rng: np.random.Generator) -> dict:
    """A Keras serialize()-style dict with float learning rates (the bit-exact case)."""
    if class_name == "CosineDecay":
        warm = rng.random()
        cfg = {
            "initial_learning_rate": _lr(rng),
            "decay_steps": _steps(rng),
            "alpha": float(rng.choice([0.0, 1.0, rng.uniform(0, 1), rng.uniform(-0.5, 1.5)])),
            "warmup_target": None if warm < 0.3 else _lr(rng),
            "warmup_steps": 0 if warm > 0.9 else _steps(rng),
        }
    elif class_name == "CosineDecayRestarts":
        cfg = {
            "initial_learning_rate": _lr(rng),
            "first_decay_steps": _steps(rng),
            "t_mul": float(rng.choice([1.0, 2.0, 0.5, 0.9, 1.5, rng.uniform(0.3, 3.0)])),
            "m_mul": float(rng.choice([1.0, 0.5, rng.uniform(0.0, 2.0)])),
            "alpha": float(rng.choice([0.0, rng.uniform(0, 1)])),
        }
    elif class_name in ("ExponentialDecay", "InverseTimeDecay"):
        high = 1.5 if class_name == "ExponentialDecay" else 5.0
        cfg = {
            "initial_learning_rate": _lr(rng),
            "decay_steps": _steps(rng),
            "decay_rate": float(rng.choice([0.5, 0.96, rng.uniform(0.01, high)])),
            "staircase": bool(rng.random() < 0.5),
        }
    elif class_name == "PolynomialDecay":
        cfg = {
            "initial_learning_rate": _lr(rng),
            "decay_steps": _steps(rng),
            "end_learning_rate": float(rng.choice([0.0, 1e-4, 10 ** rng.uniform(-7, -2)])),
            "power": float(rng.choice([1.0, 2.0, 0.5, rng.uniform(0.1, 5.0)])),
            "cycle": bool(rng.random() < 0.5),
        }
    else:
        count = int(rng.integers(1, 7))
        gaps = [_steps(rng) for _ in range(count)]
        boundaries = np.cumsum(np.minimum(gaps, 10**8)).tolist()
        cfg = {
            "boundaries": [int(b) for b in boundaries],
            "values": [_lr(rng) for _ in range(count + 1)],
        }
    cfg["name"] = f"{class_name} #{int(rng.integers(1000))}"
    return {
        "module": "keras.optimizers.schedules",
        "class_name": class_name,
        "config": cfg,
        "registered_name": None,
    }


def steps_to_check(
    schedule: lrviz.Schedule, rng: np.random.Generator, extra: int = 12
) -> np.ndarray:
    """Steps at and around every breakpoint, random steps, and steps around 2^24."""
    end = schedule.settles_at()
    stop = min(3 * end, 10**12)
    marks = schedule.breakpoints(stop)
    if marks is None or marks.size > 40:
        marks = rng.choice(marks, 40) if marks is not None else np.zeros(0, dtype=np.int64)
    near = (marks[:, None] + np.arange(-2, 3)[None, :]).ravel()
    random = rng.integers(0, stop + 1, extra)
    fixed = np.array([0, 1, 2, end - 1, end, end + 1, 2**24 - 1, 2**24 + 1, 2**24 + 3, 10**9 + 7])
    steps = np.concatenate([near, random, fixed])
    return np.unique(steps[(steps >= 0) & (steps <= 10**12)]).astype(np.int64)
