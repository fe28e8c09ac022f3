"""A translation's cost is bounded by what is drawn, not by the horizon (issue #18): a link of
116 characters (CosineDecayRestarts with first_decay_steps=1, translations on, a long horizon)
made the server allocate a gigabyte."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from lrviz.keras_json import from_keras
from lrviz.limits import MAX_STEPS
from lrviz.translate import translations

# Far above what the checks need (about 1 MiB), far below what they allocated per restart.
MEMORY_BOUND = 16 << 20
PIXELS = 4000


@pytest.mark.parametrize(
    "config",
    [
        {"initial_learning_rate": 0.1, "first_decay_steps": 1, "name": "fs1"},
        {"initial_learning_rate": 0.1, "first_decay_steps": 1, "t_mul": 1.0, "m_mul": 1.0},
    ],
    ids=["the link's config", "equal cycles"],
)
def test_restart_translations_at_the_step_limit_stay_within_a_few_mib(config):
    drawn = np.linspace(0, MAX_STEPS, PIXELS).astype(np.int64)
    schedule = from_keras({"class_name": "CosineDecayRestarts", "config": config})
    tracemalloc.start()
    try:
        found = translations(schedule, total_steps=MAX_STEPS)
        for item in found:
            item.values(drawn)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND
    assert {item.framework for item in found} >= {"Hugging Face transformers"}


def test_restarts_past_the_checked_ones_are_said_to_be_unverified():
    """2^39 equal cycles: no restart the check reaches is off, and the rest are not claimed."""
    config = {
        "initial_learning_rate": 0.1,
        "first_decay_steps": 1,
        "t_mul": 1.0,
        "m_mul": 1.0,
        "alpha": 0.0,
    }
    schedule = from_keras({"class_name": "CosineDecayRestarts", "config": config})
    (hf,) = [
        item
        for item in translations(schedule, total_steps=2**39)
        if item.framework == "Hugging Face transformers"
    ]
    notes = dict(hf.note_ids)
    assert "translate.restart_mismatch_hf" not in notes
    assert notes["translate.restarts_not_verified"] == {"limit": 2**39}
