"""Real Keras (numpy backend) as the test oracle: the reference every curve is checked against.

Keras is imported on the first call, not when this module is imported: unit-test modules import
these helpers beside their pure tests, and only the tests marked `oracle` call them, so the unit
group collects and runs without Keras installed. `from keras_oracle import keras` (inside an
oracle test) gives the Keras module itself.
"""

from __future__ import annotations

import functools
import os
from types import ModuleType

import numpy as np


@functools.cache
def _keras() -> ModuleType:
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import keras

    assert keras.backend.backend() == "numpy", "set KERAS_BACKEND=numpy before importing keras"
    return keras


def __getattr__(name: str) -> ModuleType:
    if name == "keras":
        return _keras()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def keras_schedule(config: dict):
    """Keras's own schedule object for a serialize()-style dict."""
    return _keras().optimizers.schedules.deserialize(config)


def keras_values(config: dict, steps) -> np.ndarray:
    """Keras's learning rates at each step, called one step at a time as Keras is not vectorised."""
    schedule = keras_schedule(config)
    with np.errstate(all="ignore"):
        return np.array([np.asarray(schedule(int(step))) for step in steps], dtype=np.float64)


def keras_serialize(schedule) -> dict:
    return _keras().optimizers.schedules.serialize(schedule)
