"""The bare floor for bench_browser.py: one integer slider and one Plotly chart it drives.

2 SVG `go.Scatter` traces x 1,000 points, recomputed from the slider on every run, nothing else on
the page. Whatever the studio spends beyond this app's slider-to-redraw latency is its own.

For `bench_browser.py --crowded`, two environment variables add what a real page carries:
`LRVIZ_BASELINE_ROWS=N` puts N rows (two columns: a markdown label with a help tooltip, a number
input) below the chart, about 4 elements a row, and `LRVIZ_BASELINE_FRAGMENT=1` puts the slider
and the chart in an `st.fragment`, so a press reruns only them. They measure what the number of
elements on a page costs every press, whatever those elements are.
"""

from __future__ import annotations

import os

import numpy as np
import plotly.graph_objects as go
import streamlit as st

POINTS = 1_000
ROWS = int(os.environ.get("LRVIZ_BASELINE_ROWS", "0"))
FRAGMENT = os.environ.get("LRVIZ_BASELINE_FRAGMENT") == "1"


def slider_and_chart() -> None:
    period = st.slider("period", min_value=1, max_value=10_000, value=100, key="period")
    x = np.arange(POINTS, dtype=np.float64)
    figure = go.Figure(
        [
            go.Scatter(x=x, y=np.cos(2 * np.pi * x / period), mode="lines", name="cos"),
            go.Scatter(x=x, y=np.exp(-x / period), mode="lines", name="exp"),
        ]
    )
    st.plotly_chart(figure, key="chart", width="stretch")


st.set_page_config(page_title="lrviz baseline", layout="wide")
(st.fragment(slider_and_chart) if FRAGMENT else slider_and_chart)()
for row in range(ROWS):
    label, entry = st.columns(2)
    label.markdown(f"**row {row}**", help="a tooltip, as every studio parameter has")
    entry.number_input(f"row {row}", value=row, key=f"row{row}", label_visibility="collapsed")
