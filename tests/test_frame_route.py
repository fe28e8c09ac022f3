"""Live-drag frames over HTTP (lrviz.page.frame_route): what the route draws and what it refuses.

The route is called as Starlette calls it, with a request built from its query string; the drag
through it is tested in a real browser (tests/test_browser.py)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import numpy as np
import pytest
from plotly_support import plotly_array
from starlette.requests import Request

import lrviz
from lrviz import state as ss
from lrviz.page import chart, frame_route
from lrviz.page.live_drag import css_class
from lrviz.page.session import widget_key

WARMUP = css_class(widget_key(0, "warmup_steps", "slider"))
DECAY = css_class(widget_key(0, "decay_steps", "slider"))


@pytest.fixture
def served(monkeypatch):
    """The route as `server.py` serves it, with a registry of its own for the test."""
    monkeypatch.setattr(frame_route, "_snapshots", type(frame_route._snapshots)())
    monkeypatch.setattr(frame_route, "_draw", None)
    frame_route.route(chart.frame_json)
    return frame_route


def sliders(studio: ss.Studio) -> dict[str, tuple[int, str, tuple]]:
    entry = studio.entries[0]
    grid = {
        name: ss.slider_grid(
            lrviz.SCHEDULES["CosineDecay"].param(name), entry.config["config"][name]
        )
        for name in ("warmup_steps", "decay_steps")
    }
    return {
        WARMUP: (entry.id, "warmup_steps", grid["warmup_steps"]),
        DECAY: (entry.id, "decay_steps", grid["decay_steps"]),
    }


def get(**query: str | int) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": frame_route.PATH,
        "query_string": urlencode(query).encode(),
        "headers": [],
    }
    response = frame_route.frame_endpoint(Request(scope))
    return response.status_code, response.body


def test_a_frame_is_the_engines_exact_curve_of_the_dragged_value(served):
    studio = ss.starter_studio()
    grid = sliders(studio)
    served.publish("token-a", studio, grid)
    index = 7
    warmup = grid[WARMUP][2][index]
    assert warmup != studio.entries[0].config["config"]["warmup_steps"]

    status, body = get(t="token-a", k=WARMUP, i=index)

    assert status == 200
    figure = json.loads(body)
    curve = next(t for t in figure["data"] if t.get("name") == studio.entries[0].name)
    steps = plotly_array(curve["x"]).astype(np.int64)
    expected = studio.entries[0].schedule().replace(warmup_steps=warmup)(steps)
    np.testing.assert_array_equal(plotly_array(curve["y"]).astype(np.float32), expected)
    # The snapshot itself is untouched: a frame changes nothing until the release.
    assert served.snapshot_of("token-a").studio is studio


@pytest.mark.oracle
def test_a_frame_is_what_real_keras_computes_for_the_dragged_value(served):
    from keras_oracle import keras_values

    studio = ss.starter_studio()
    grid = sliders(studio)
    served.publish("token-k", studio, grid)
    index = 11
    status, body = get(t="token-k", k=DECAY, i=index)

    assert status == 200
    curve = next(t for t in json.loads(body)["data"] if t.get("name") == studio.entries[0].name)
    steps = plotly_array(curve["x"]).astype(np.int64)
    config = json.loads(json.dumps(studio.entries[0].config))
    config["config"]["decay_steps"] = grid[DECAY][2][index]
    assert config != studio.entries[0].config  # the dragged value, not the page's
    expected = keras_values(config, steps).astype(np.float32)
    np.testing.assert_array_equal(plotly_array(curve["y"]).astype(np.float32), expected)


def test_a_frame_is_what_the_page_would_draw_of_that_studio(served):
    studio = ss.starter_studio(ss.View(lang="zh-TW"))
    grid = sliders(studio)
    served.publish("token-b", studio, grid)
    dragged = ss.set_params(studio, studio.entries[0].id, decay_steps=grid[DECAY][2][3])

    status, body = get(t="token-b", k=DECAY, i=3)

    assert status == 200
    assert json.loads(body) == json.loads(chart.frame_json(dragged))


@pytest.mark.parametrize(
    "query",
    [
        {"t": "no-such-token", "k": WARMUP, "i": 1},
        {"t": "token-c", "k": "st-key-cfg-9-warmup_steps-slider", "i": 1},
        {"t": "token-c", "k": WARMUP, "i": 10**5},
        {"t": "token-c", "k": WARMUP, "i": -1},
        {"t": "token-c", "k": WARMUP, "i": "1e3"},
        {"t": "token-c", "k": WARMUP, "i": "١"},  # a digit, but not an ASCII one
        {"t": "token-c", "k": WARMUP, "i": ""},
        {"t": "token-c", "k": WARMUP},
        {"t": "token-c", "k": WARMUP + "x" * 300, "i": 1},
        {"t": "token-c" * 20, "k": WARMUP, "i": 1},
        {},
    ],
)
def test_what_the_route_cannot_draw_is_a_404(served, query):
    studio = ss.starter_studio()
    served.publish("token-c", studio, sliders(studio))
    assert get(**query)[0] == 404


def test_a_value_the_configuration_refuses_is_a_404(served):
    studio = ss.starter_studio()
    entry = studio.entries[0]
    served.publish("token-d", studio, {WARMUP: (entry.id, "warmup_steps", (100, -5))})
    assert get(t="token-d", k=WARMUP, i=0)[0] == 200
    assert get(t="token-d", k=WARMUP, i=1)[0] == 404


def test_the_oldest_sessions_are_dropped_past_the_limit(served, monkeypatch):
    monkeypatch.setattr(frame_route, "MAX_SESSIONS", 3)
    studio = ss.starter_studio()
    for token in ("t1", "t2", "t3"):
        served.publish(token, studio, sliders(studio))
    served.publish("t1", studio, sliders(studio))  # published again: the newest now
    served.publish("t4", studio, sliders(studio))
    assert [t for t in ("t1", "t2", "t3", "t4") if served.snapshot_of(t)] == ["t1", "t3", "t4"]
    assert get(t="t2", k=WARMUP, i=1)[0] == 404


def test_nothing_is_published_or_drawn_without_the_route(monkeypatch):
    monkeypatch.setattr(frame_route, "_draw", None)
    assert not frame_route.served()
    assert frame_route.frame_json("any", WARMUP, 1) is None


def test_tokens_are_unguessable():
    tokens = {frame_route.new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) >= 20 for t in tokens)
