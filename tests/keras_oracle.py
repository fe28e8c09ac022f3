"""Real Keras (numpy backend) as the test oracle: the reference every curve is checked against."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras
import numpy as np

assert keras.backend.backend() == "numpy", "set KERAS_BACKEND=numpy before importing keras"


def keras_schedule(config: dict):
    """Keras's own schedule object for a serialize()-style dict."""
    return keras.optimizers.schedules.deserialize(config)


def keras_values(config: dict, steps) -> np.ndarray:
    """Keras's learning rates at each step, called one step at a time as Keras is not vectorised."""
    schedule = keras_schedule(config)
    with np.errstate(all="ignore"):
        return np.array([np.asarray(schedule(int(step))) for step in steps], dtype=np.float64)


def keras_serialize(schedule) -> dict:
    return keras.optimizers.schedules.serialize(schedule)
