"""The bare floor for bench_browser.py: one integer slider and one Plotly chart it drives.

2 SVG `go.Scatter` traces x 1,000 points, recomputed from the slider on every run, nothing else on
the page. Whatever the studio spends beyond this app's slider-to-redraw latency is its own.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

POINTS = 1_000

st.set_page_config(page_title="lrviz baseline", layout="wide")
period = st.slider("period", min_value=1, max_value=10_000, value=100, key="period")
x = np.arange(POINTS, dtype=np.float64)
figure = go.Figure(
    [
        go.Scatter(x=x, y=np.cos(2 * np.pi * x / period), mode="lines", name="cos"),
        go.Scatter(x=x, y=np.exp(-x / period), mode="lines", name="exp"),
    ]
)
st.plotly_chart(figure, key="chart", width="stretch")
