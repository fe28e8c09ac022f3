"""Live drag: the chart follows an editor slider while it is dragged (page side, uses Streamlit).

Streamlit's slider sends its value only on release. The editor keeps that slider (its keys,
keyboard, help, focus ring, theme and accessibility are Streamlit's), and a small
`st.components.v2` component without any visible part, mounted beside the chart in a fragment of
its own, watches it: while the mouse holds one of the editor's sliders, the component reads the
position the slider shows (the index into its options) and sends it as a *frame*, which reruns
only that fragment. The page computes the frame's chart with the engine, as for any value, and
hands it back to the component as Plotly JSON; the component draws it into the chart that is on
the page (`Plotly.react` on its graph, with the page's theme kept), so the browser does no
schedule arithmetic and the chart element itself is left alone. Streamlit gives a chart with new
data a new element, which the browser builds from scratch (`Plotly.newPlot` and its React
wrappers): drawing a frame into the graph that is there costs the browser about a third less.

Served by `server.py`, the component fetches each frame's chart from `frame_route` over HTTP
instead: no Streamlit run at all, which is most of what a frame cost the browser (a run, even a
fragment's, re-renders the whole page at its start and its end). At most `IN_FLIGHT` fetches are
open; an answer older than the last one drawn is dropped; any failure (404 from a server or
replica without the session) sends the rest of that drag through the websocket, as below.

Over the websocket, frames are paced by the page, which acknowledges each frame's number with
the chart it drew: at most `IN_FLIGHT` frames are unacknowledged, so the server computes the next
frame while the browser draws the previous one (Streamlit queues a fragment's rerun behind the
run in progress instead of interrupting it), and a slow machine draws fewer frames instead of
queueing them up.
On release the component stops drawing, Streamlit's slider sends the final value, and the whole
page runs with it, chart element included. If that chart is the one from before the drag (the
slider came back to where it started), the component puts back what it showed before the drag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from lrviz.page import first_chart, frame_route

# ms without an acknowledgement after which the next frame is sent anyway (a run that failed
# before the follower); long enough that a slow run on a loaded machine is not interrupted.
ACK_TIMEOUT_MS = 2000
# Frames sent and not yet acknowledged: one being drawn, one being computed. One alone leaves the
# server idle while the browser draws and the browser idle while the server computes.
IN_FLIGHT = 2

_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  const live = window.__lrvizLive || (window.__lrvizLive = follow(data.prefix, data.suffix));
  live.send = setStateValue;
  live.chart = data.chart;
  if (data.token !== live.token) {
    live.token = data.token;
    live.noRoute = !data.token;
  }
  if (data.reportDrawn && live.reported !== data.reportDrawn) {
    live.reported = data.reportDrawn;
    live.reportDrawn(data.reportDrawn);
  }
  if (data.figure) live.draw(data.figure);
  else live.settle();
  live.acknowledge(data.ack);
}

function follow(prefix, suffix) {
  const live = {
    seq: 0, acked: 0, pending: null, input: null, start: null, timer: 0, chart: "", saved: null,
    token: null, noRoute: true, fetching: 0, drawn: 0,
  };
  const keyClass = (box) =>
    [...box.classList].find((c) => c.startsWith(prefix) && c.endsWith(suffix));
  const graph = () => document.querySelector("." + live.chart + " .js-plotly-plot");
  // A frame's chart, drawn into the graph on the page while the slider is held; the layout
  // keeps what the page's chart got from Streamlit (theme template, size).
  live.draw = (text) => {
    const gd = graph();
    if (!live.input || !gd || !window.Plotly) return;
    if (!live.saved || live.saved.gd !== gd) live.saved = { gd, data: gd.data, layout: gd.layout };
    const figure = JSON.parse(text);
    const base = live.saved.layout;
    const layout = { ...base, ...figure.layout };
    for (const name of ["template", "width", "height"]) layout[name] = base[name];
    window.Plotly.react(gd, figure.data, layout);
  };
  // A run without a frame (the release's): if the page kept the chart it had before the drag,
  // show that chart again; a new chart replaced the graph the frames were drawn into.
  live.settle = () => {
    const saved = live.saved;
    live.saved = null;
    if (saved && saved.gd.isConnected && window.Plotly) {
      window.Plotly.react(saved.gd, saved.data, saved.layout);
    }
  };
  const stop = () => {
    const unchanged = live.input && live.input.value === live.start;
    live.input = null;
    live.pending = null;
    // Released where it started: the slider sends nothing and no run follows.
    if (unchanged) live.settle();
  };
  live.pump = () => {
    if (!live.pending) return;
    if (!live.noRoute) {
      if (live.fetching < IN_FLIGHT) live.fetch({ ...live.pending, seq: ++live.seq });
      return;
    }
    if (live.seq - live.acked >= IN_FLIGHT || !live.send) return;
    const frame = { ...live.pending, seq: ++live.seq };
    live.pending = null;
    live.send("frame", frame);
    clearTimeout(live.timer);
    live.timer = setTimeout(() => {
      live.acked = live.seq;
      live.pump();
    }, TIMEOUT);
  };
  // A new page's first run waits after the chart until it is on screen (`first_chart`): tell
  // the server once the graph is drawn and the frame with it painted.
  live.reportDrawn = (name) => {
    const report = () => {
      const url = new URL(DRAWN, window.location.href);
      url.search = new URLSearchParams({ t: name }).toString();
      fetch(url, { cache: "no-store" }).catch(() => {});
    };
    const check = () => {
      if (graph() && graph().querySelector(".main-svg")) {
        requestAnimationFrame(() => setTimeout(report, 0));
        return true;
      }
      return false;
    };
    if (check()) return;
    const observer = new MutationObserver(() => {
      if (check()) observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true });
  };
  // A frame over HTTP (`frame_route`): no Streamlit run. Answers may come back out of order;
  // only one newer than the last drawn is drawn. Any failure sends this drag's frames through
  // the websocket from here on.
  live.fetch = (frame) => {
    live.pending = null;
    live.fetching += 1;
    const url = new URL(ROUTE, window.location.href);
    url.search = new URLSearchParams({ t: live.token, k: frame.key, i: frame.index }).toString();
    fetch(url, { cache: "no-store" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((text) => {
        if (frame.seq > live.drawn) {
          live.drawn = frame.seq;
          live.draw(text);
        }
      })
      .catch(() => {
        live.noRoute = true;
        live.acked = live.seq;
        if (!live.pending && live.input) live.pending = { key: frame.key, index: frame.index };
      })
      .finally(() => {
        live.fetching -= 1;
        live.pump();
      });
  };
  live.acknowledge = (ack) => {
    // The page acknowledges the last frame a run took; frames queued behind it were merged.
    if (typeof ack === "number" && ack > live.acked && ack <= live.seq) {
      live.acked = ack;
      if (live.acked === live.seq) clearTimeout(live.timer);
      live.pump();
    }
  };
  document.addEventListener(
    "pointerdown",
    (event) => {
      const box = event.target.closest ? event.target.closest('[class*="st-key-"]') : null;
      const key = box ? keyClass(box) : undefined;
      const input = key ? box.querySelector('input[type="range"]') : null;
      if (!input) return;
      // The slider moves its thumb while dragged but reports nothing until release: read the
      // position it shows once an animation frame.
      let last = input.value;
      live.input = input;
      live.noRoute = !live.token;  // each drag tries the route again (a replica may have it now)
      live.start = last;
      const watch = () => {
        if (live.input !== input) return;
        if (input.value !== last) {
          last = input.value;
          live.pending = { key, index: Number(last) };
          live.pump();
        }
        requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
    },
    true,
  );
  document.addEventListener("pointerup", stop, true);
  document.addEventListener("pointercancel", stop, true);
  window.addEventListener("blur", stop);
  return live;
}
"""

_component = st.components.v2.component(
    "lrviz.live_drag",
    js=_JS.replace("TIMEOUT", str(ACK_TIMEOUT_MS))
    .replace("IN_FLIGHT", str(IN_FLIGHT))
    .replace("ROUTE", json.dumps(frame_route.PATH.lstrip("/")))
    .replace("DRAWN", json.dumps(first_chart.PATH.lstrip("/"))),
    isolate_styles=False,
)


def css_class(key: str) -> str:
    """The class Streamlit gives the element with widget key `key` (what the component sends)."""
    return "st-key-" + _class_text(key.strip())


def _class_text(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "-", text)


@dataclass(frozen=True)
class Frame:
    """One position of a dragged slider: its element's class, the option's index, a number."""

    key: str
    index: int
    seq: int


def parse_frame(payload: Any) -> Frame | None:
    """The frame the component sent, or None when `payload` is not one (it comes from a browser)."""
    if not isinstance(payload, Mapping):
        return None
    key, index, seq = payload.get("key"), payload.get("index"), payload.get("seq")
    valid = (
        isinstance(key, str)
        and isinstance(index, int)
        and isinstance(seq, int)
        and not isinstance(index, bool)
        and index >= 0
    )
    return Frame(key, index, seq) if valid else None


def follower(
    key: str,
    acknowledged: int | None,
    on_frame: Callable[[], None],
    followed: tuple[str, str],
    chart_key: str,
    figure: str | None = None,
    token: str | None = None,
    *,
    report_drawn: str | None = None,
) -> None:
    """Mount the component (no visible part): it sends the frames of the editor's sliders and
    draws the chart of each frame.

    `acknowledged` is the number of the last frame the page has taken; `on_frame` runs when a new
    frame arrives (read it with `frame_of(key)`). `followed` is the (prefix, suffix) of the
    widget keys of the sliders to follow: the component looks for the `.st-key-<prefix>...<suffix>`
    boxes (Streamlit gives a keyed element the class `st-key-` + its key with every character
    outside [A-Za-z0-9_-] as `-`). `figure` is the frame's chart as Plotly JSON, drawn into the
    chart with widget key `chart_key`; None on a run that is no frame. `token` is the session's
    for frames over HTTP (`frame_route`), which need no run; None sends them through the
    websocket. `report_drawn`: once the chart is drawn and painted, tell the server so under
    this name (`first_chart`: a new page's first run waits for it); None on other runs.
    """
    prefix, suffix = followed
    _component(
        key=key,
        data={
            "ack": acknowledged,
            "prefix": css_class(prefix),
            "suffix": _class_text(suffix),
            "chart": css_class(chart_key),
            "figure": figure,
            "token": token,
            "reportDrawn": report_drawn,
        },
        on_frame_change=on_frame,
        height=0,
    )


def frame_of(key: str) -> Frame | None:
    """The last frame the component under `key` sent (in its callback: the new one)."""
    state = st.session_state.get(key)
    return parse_frame(state.get("frame") if isinstance(state, Mapping) else None)
