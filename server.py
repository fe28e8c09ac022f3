"""lrviz's server: Streamlit's `st.App` for the page (`app.py`) with the studio's own routes.

    streamlit run server.py        (what ./scripts/run-app.sh and ./scripts/serve.sh run)
    uvicorn server:app             (any ASGI server)

Its routes draw live-drag frames over HTTP without a Streamlit run (`lrviz.page.frame_route`)
and let a new page's first run show the chart before the rest of the page
(`lrviz.page.first_chart`).
`streamlit run app.py` still serves the whole studio; its live drag sends frames through the
websocket instead (a fragment's run each: 9 redraws a second against 14 in bench_browser here),
and its chart comes with the rest of a new page.
"""

from __future__ import annotations

import streamlit as st

from lrviz import state as ss
from lrviz.page import first_chart, frame_route


def draw_frame(studio: ss.Studio) -> str | None:
    """A live-drag frame's chart (`chart.frame_json`). The chart module is imported on the first
    frame, by when the page has imported it: its caches need Streamlit's runtime, which starts
    after this module is read."""
    from lrviz.page import chart

    return chart.frame_json(studio)


app = st.App("app.py", routes=[frame_route.route(draw_frame), first_chart.route()])
