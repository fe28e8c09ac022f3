"""The live-drag follower's Python side: what it accepts from the browser (lrviz.page.live_drag).

The drag itself is tested in a real browser (tests/test_browser.py)."""

from __future__ import annotations

import pytest

from lrviz.page.live_drag import Frame, css_class, parse_frame
from lrviz.page.session import widget_key


def test_a_frame_from_the_follower_is_read():
    payload = {"key": "st-key-cfg-0-warmup_steps-slider", "index": 12, "seq": 3}
    assert parse_frame(payload) == Frame("st-key-cfg-0-warmup_steps-slider", 12, 3)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "frame",
        [],
        {},
        {"key": "st-key-a", "index": -1, "seq": 1},
        {"key": "st-key-a", "index": 1.5, "seq": 1},
        {"key": "st-key-a", "index": True, "seq": 1},
        {"key": "st-key-a", "index": "2", "seq": 1},
        {"key": 7, "index": 2, "seq": 1},
        {"key": "st-key-a", "index": 2},
    ],
)
def test_anything_else_the_browser_sends_is_no_frame(payload):
    assert parse_frame(payload) is None


def test_a_sliders_class_is_the_one_streamlit_gives_its_element():
    # Streamlit's frontend: "st-key-" + key.trim() with every [^a-zA-Z0-9_-] as "-".
    assert (
        css_class(widget_key(12, "warmup_steps", "slider")) == "st-key-cfg-12-warmup_steps-slider"
    )
    assert css_class(widget_key(0, "m_mul", "slider")) == "st-key-cfg-0-m_mul-slider"
