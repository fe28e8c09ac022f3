"""Chart first on a new page: the first run waits until the browser has drawn the chart.

On a new page the browser has two big jobs: run Plotly's 4.7 MB chunk, which Streamlit loads
only when a chart element arrives, and render the ~100 other elements of the page. In a whole
run they arrive together, the browser renders them all first, and the chart shows when the whole
page does. Served by `server.py`, a session's first run in a browser instead pauses after the
chart (`wait`), until the live-drag follower, mounted just below it, reports that the chart is
drawn and painted (GET `_lrviz/drawn?t=<name>`, a random name of that run's own) or `WAIT_S`
pass; then the run goes on with the rest of the page. The chart comes first and the page is
complete about as soon as before. A first run cut short (a press while it ran) leaves the next
whole run to be the first; it waits under a name of its own, which the page reports in turn.

Nothing waits elsewhere: not in later runs, not without a browser (AppTest, a websocket client
such as the load generator), not under `streamlit run app.py` (no such route).
"""

from __future__ import annotations

import threading

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PATH = "/_lrviz/drawn"
# The longest the first run waits for the browser: a cold page on a slow machine draws its chart
# within ~3 s of asking; a report that never comes (a page closed at once) costs no more.
WAIT_S = 3.0
MAX_WAITING = 1024  # first runs waiting at once; beyond that a first run does not wait

_waiting: dict[str, threading.Event] = {}
_lock = threading.Lock()


def route() -> Route:
    """The route to give `st.App`: where the browser reports its first chart drawn."""
    return Route(PATH, drawn_endpoint, methods=["GET"])


def expect(token: str) -> bool:
    """Get ready for `token`'s report (before the page that sends it goes out); False when too
    many first runs are waiting already."""
    with _lock:
        if len(_waiting) >= MAX_WAITING:
            return False
        _waiting.setdefault(token, threading.Event())
        return True


def wait(token: str, seconds: float = WAIT_S) -> bool:
    """Wait for `token`'s report, at most `seconds`; whether it came. The run's thread waits;
    the server's event loop goes on sending what the run wrote before."""
    with _lock:
        event = _waiting.get(token)
    if event is None:
        return False
    try:
        return event.wait(seconds)
    finally:
        with _lock:
            _waiting.pop(token, None)


def drawn_endpoint(request: Request) -> Response:
    """GET handler: the page of `t` has drawn its first chart (204), or nothing waits (404)."""
    token = request.query_params.get("t", "")
    with _lock:
        event = _waiting.get(token)
    if event is None:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    event.set()
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
