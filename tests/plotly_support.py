"""Plotly JSON arrays as numpy, for tests that read a chart's data back."""

from __future__ import annotations

import base64

import numpy as np


def plotly_array(value) -> np.ndarray:
    """A data array as plotly.py writes it: a plain list, or `{dtype, bdata}`, the base64 of a
    typed array."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)
