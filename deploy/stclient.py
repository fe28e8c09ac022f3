"""A browser-free Streamlit client: one session over `/_stcore/stream`, driven as the page is.

It speaks the frontend's protocol (`streamlit.proto`): every user action is a `BackMsg` whose
`rerun_script` is a `ClientState` (the page's query string, the changed widgets' states, and a
fragment id when only a fragment reruns); the server answers with `ForwardMsg`s (deltas, the
page's new query string, `script_finished`). The client remembers the widgets the server drew,
by key, so it can press one the way the page would.

Used by scripts/serve.sh to warm each replica up (one run imports and caches what the page
needs, so a page failing over to it does not wait for that) and by benchmarks/bench_ws.py.

    python deploy/stclient.py http://127.0.0.1:8501/   # one page load; exits 1 if it fails
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
_WIDGET_ID = re.compile(r"^\$\$ID-[0-9a-f]+-(?P<key>.+)$")


@dataclass(frozen=True)
class Widget:
    """A keyed widget as the server last drew it: its element proto and its fragment, if any."""

    id: str
    kind: str
    proto: Any
    fragment_id: str = ""


@dataclass
class Run:
    """What one run sent back: how long it took, its messages and bytes, the page's URL query."""

    seconds: float
    messages: int
    size: int
    query: str | None = None
    exceptions: list[str] = field(default_factory=list)


class Session:
    """One browser tab's session on a Streamlit server (or on nginx in front of replicas)."""

    def __init__(self, url: str, query: str = "", cookie: str | None = None) -> None:
        parts = urlsplit(url)
        self.stream = f"ws://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.query = query
        self.cookie = cookie
        self.widgets: dict[str, Widget] = {}
        self._socket: Any = None

    async def __aenter__(self) -> Session:
        headers = {"Cookie": self.cookie} if self.cookie else None
        self._socket = await websockets.connect(
            self.stream,
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            compression=None,
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._socket.close()

    async def run(self, states: list[WidgetState] = (), fragment_id: str = "") -> Run:
        """Ask for a rerun with these widget states (the page's first run sends none) and wait
        until the run is over; a run cut short by `st.rerun` is followed to its end."""
        message = BackMsg()
        message.rerun_script.query_string = self.query
        message.rerun_script.widget_states.widgets.extend(states)
        if fragment_id:
            message.rerun_script.fragment_id = fragment_id
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        result = Run(0.0, 0, 0)
        while True:
            data = await self._socket.recv()
            result.messages += 1
            result.size += len(data)
            reply = ForwardMsg()
            reply.ParseFromString(data)
            kind = reply.WhichOneof("type")
            if kind == "delta":
                self._remember(reply.delta)
            elif kind == "page_info_changed":
                result.query = self.query = reply.page_info_changed.query_string
            elif kind == "script_finished" and reply.script_finished in FINISHED:
                result.seconds = time.perf_counter() - started
                return result

    def _remember(self, delta: Any) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            return
        proto = getattr(element, kind)
        widget_id = getattr(proto, "id", "") if hasattr(proto, "id") else ""
        found = _WIDGET_ID.match(widget_id) if isinstance(widget_id, str) else None
        if found:
            self.widgets[found["key"]] = Widget(widget_id, kind, proto, delta.fragment_id)

    def select_slider_state(self, key: str, moves: int) -> WidgetState:
        """The state a `st.select_slider` sends when moved `moves` positions (clamped): its
        option's label, as the page sends it."""
        widget = self.widgets[key]
        slider = widget.proto
        current = int((slider.value if slider.set_value and slider.value else slider.default)[0])
        position = min(max(current + moves, 0), len(slider.options) - 1)
        state = WidgetState(id=widget.id)
        state.string_array_value.data.append(slider.options[position])
        return state


async def _open_once(url: str) -> Run:
    async with Session(url) as session:
        return await session.run()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python deploy/stclient.py URL", file=sys.stderr)
        return 2
    try:
        asyncio.run(asyncio.wait_for(_open_once(argv[0]), timeout=120))
    except (OSError, TimeoutError, websockets.WebSocketException) as err:
        print(f"could not open {argv[0]}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
