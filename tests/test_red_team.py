"""Regressions from the red-team pass (issue #18), driven through AppTest: configs inside the
README's limits never show Streamlit's error box, and user text stays literal in Markdown."""

from __future__ import annotations

import pytest
from test_app import key, run, studio

from lrviz.params import MAX_STEPS
from lrviz.share import Entry, SharedState, encode_state


def link(*configs: dict) -> dict[str, str]:
    """The query of a share link that opens `configs`."""
    return encode_state(SharedState(tuple(Entry(c) for c in configs), 0, {}))


AT_THE_LIMIT = {
    "cosine to 10^12": {
        "class_name": "CosineDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": MAX_STEPS},
    },
    "cycling polynomial at 10^12": {
        "class_name": "PolynomialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": MAX_STEPS, "cycle": True},
    },
    "warmup + decay past 10^12": {
        "class_name": "CosineDecay",
        "config": {
            "initial_learning_rate": 0.0,
            "decay_steps": 6 * 10**11,
            "warmup_steps": 6 * 10**11,
            "warmup_target": 0.1,
        },
    },
}


@pytest.mark.parametrize("config", AT_THE_LIMIT.values(), ids=AT_THE_LIMIT.keys())
def test_a_schedule_ending_at_the_step_limit_opens_with_the_range_at_the_limit(config):
    at = run(link(config))
    assert at.number_input(key="view.to").value == MAX_STEPS


def test_typing_the_largest_decay_steps_keeps_the_page_working():
    at = run()
    at.number_input(key=key(at, "decay_steps", "exact")).set_value(MAX_STEPS - 1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert studio(at).current.config["config"]["decay_steps"] == MAX_STEPS - 1
    assert at.number_input(key="view.to").value == MAX_STEPS
