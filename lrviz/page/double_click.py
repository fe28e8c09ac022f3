"""Double-click on the chart: the studio shows every step again (page side, uses Streamlit).

The chart's drag selects steps (Plotly's `select` drag mode) and the studio zooms to them, so a
zoom gives a new figure and with it a new Streamlit widget whose selection is empty. Plotly answers
a double-click in that mode by clearing the selection (`plotly_deselect`), which Streamlit drops
because its selection was empty already: the studio would never hear of it. A small
`st.components.v2` component without any visible part listens for `plotly_deselect` on the chart's
graph itself and sends a trigger that runs the same "show all" as the button.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lrviz.page.live_drag import css_class

_JS = """
export default function (component) {
  const { data, setTriggerValue } = component;
  const watch = window.__lrvizShowAll || (window.__lrvizShowAll = watchCharts());
  watch.chart = data.chart;
  watch.send = setTriggerValue;
}

function watchCharts() {
  const watch = { chart: "", send: null, graphs: new WeakSet() };
  // Plotly events are not DOM events: attach to a graph when the pointer first presses on it,
  // which comes before Plotly counts the clicks (Streamlit may replace the graph between runs).
  document.addEventListener(
    "pointerdown",
    (event) => {
      const box = event.target.closest ? event.target.closest("." + watch.chart) : null;
      const graph = box ? box.querySelector(".js-plotly-plot") : null;
      if (!graph || !graph.on || watch.graphs.has(graph)) return;
      watch.graphs.add(graph);
      graph.on("plotly_deselect", () => watch.send && watch.send("show_all", true));
    },
    true,
  );
  return watch;
}
"""

_component = st.components.v2.component("lrviz.double_click", js=_JS, isolate_styles=False)


def listener(key: str, chart_key: str, on_show_all: Callable[[], None]) -> None:
    """Mount the component (no visible part): a double-click on the chart with widget key
    `chart_key` runs `on_show_all`."""
    _component(
        key=key,
        data={"chart": css_class(chart_key)},
        on_show_all_change=on_show_all,
        height=0,
    )
