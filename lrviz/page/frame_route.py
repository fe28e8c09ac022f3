"""Live-drag frames over HTTP: the chart of a dragged slider's value, without a Streamlit run.

A frame sent through the websocket reruns a fragment, and every run, even a fragment's, makes
Streamlit's frontend render the whole page twice (its start and its end): most of what a frame
costs the browser. Served by `server.py` (`st.App`), the page offers this route instead: each
session publishes what a frame needs (its studio and the options of its editor's sliders) under
a random token at the end of every run, and the live-drag follower fetches

    GET _lrviz/frame?t=<token>&k=<slider's element class>&i=<option index>

and draws the Plotly JSON it returns, computed by the same engine code as the page's chart
(`chart.frame_json`). No run, no session state touched: the drag changes nothing on the page
until the slider's release, which runs the whole page as before.

Anything the route cannot answer (no such token: another replica, a restarted server, a session
long gone; a slider or option it does not know) is a 404, and the follower goes back to frames
over the websocket for the rest of the drag. `streamlit run app.py` serves no route and
publishes nothing; the follower then uses the websocket from the start.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lrviz import ConfigError
from lrviz import state as ss

PATH = "/_lrviz/frame"
# Sessions whose snapshot is kept: the oldest published is dropped first. A dropped session's
# frames go through the websocket; each snapshot is a studio (a few KB).
MAX_SESSIONS = 1024
# Longest slider class and option index the route reads (a class is `st-key-` + a widget key).
MAX_KEY_CHARS = 200
MAX_INDEX_DIGITS = 6

Sliders = Mapping[str, tuple[int, str, tuple[int | float, ...]]]


@dataclass(frozen=True)
class Snapshot:
    """What a session's frames are drawn from: its studio and its sliders (element class ->
    (configuration id, parameter, options))."""

    studio: ss.Studio
    sliders: Sliders


# A studio's chart as Plotly JSON, or None with nothing shown (`chart.frame_json`).
Draw = Callable[[ss.Studio], "str | None"]

_draw: Draw | None = None
_snapshots: OrderedDict[str, Snapshot] = OrderedDict()
_lock = threading.Lock()


def route(draw: Draw) -> Route:
    """The route to give `st.App`, drawing frames with `draw`; once it exists, sessions publish
    their snapshots."""
    global _draw
    _draw = draw
    return Route(PATH, frame_endpoint, methods=["GET"])


def served() -> bool:
    """Whether this process serves the route (started from `server.py`)."""
    return _draw is not None


def new_token() -> str:
    """A session's token: unguessable, so a session's frames are its own page's."""
    return secrets.token_urlsafe(16)


def publish(token: str, studio: ss.Studio, sliders: Sliders) -> None:
    """Keep `token`'s snapshot (replacing the one before): the page as this run leaves it."""
    snapshot = Snapshot(studio, dict(sliders))
    with _lock:
        _snapshots[token] = snapshot
        _snapshots.move_to_end(token)
        while len(_snapshots) > MAX_SESSIONS:
            _snapshots.popitem(last=False)


def snapshot_of(token: str) -> Snapshot | None:
    with _lock:
        return _snapshots.get(token)


def dragged_studio(studio: ss.Studio, sliders: Sliders, key: str, index: int) -> ss.Studio | None:
    """`studio` with the slider of element class `key` at option `index` (None: no such slider or
    option, or a value the configuration refuses). Frames over HTTP and over the websocket
    (`session.live_studio`) both take their studio from here."""
    target = sliders.get(key)
    if target is None:
        return None
    entry_id, name, grid = target
    if not 0 <= index < len(grid):
        return None
    try:
        return ss.set_params(studio, entry_id, **{name: grid[index]})
    except (ConfigError, KeyError):
        return None


def frame_json(token: str, key: str, index: int) -> str | None:
    """The chart of one frame as Plotly JSON, or None when the route cannot draw it."""
    snapshot = snapshot_of(token)
    current = (
        None if snapshot is None else dragged_studio(snapshot.studio, snapshot.sliders, key, index)
    )
    return None if current is None or _draw is None else _draw(current)


def frame_endpoint(request: Request) -> Response:
    """GET handler (Starlette runs a plain function in its thread pool, off the event loop)."""
    query = request.query_params
    token, key, index = query.get("t", ""), query.get("k", ""), query.get("i", "")
    valid = (
        0 < len(token) <= 64
        and 0 < len(key) <= MAX_KEY_CHARS
        and index.isascii()
        and index.isdigit()
        and len(index) <= MAX_INDEX_DIGITS
    )
    text = frame_json(token, key, int(index)) if valid else None
    if text is None:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    return Response(text, media_type="application/json", headers={"Cache-Control": "no-store"})
