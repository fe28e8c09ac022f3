"""What a zoom on the chart costs: drag across it (and double-click back), in Debian's chromium.

Run from the project root:

    .venv/bin/python benchmarks/bench_zoom.py [--zooms 12]

Starts `streamlit run server.py` (file watcher off) and drives it with one headless chromium, viewport
1400 x 1000, on the starter page (CosineDecay with warmup, 11,000 steps shown). Each zoom is a
horizontal mouse drag across a tenth of the plot area, at a different place each time (so every
range is new and sampled afresh), followed by a double-click that shows every step again, or, every
other zoom, a click on "Show all" (the same change through a button: one run, where a chart event
first reruns the chart's fragment, which reruns the page). For each gesture, timed inside the page
with `performance.now()` from the (last) `pointerup`:

- *chart*: the last DOM mutation after which the chart's line paths (`d` of every `CHART_LINE`)
  differ, i.e. Plotly has written the resampled curve (no change is left after the page settles);
- *link*: the URL's `from`/`to` changed (the studio's range followed);

and the server's CPU time (user + system, from /proc) from before the mouse press to the page
settled: what the selection event and the runs it starts cost the server. Prints markdown; asserts
nothing. Needs chromium at `LRVIZ_CHROMIUM` (default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit
from bench_browser import VIEWPORT, chromium_version, server_cpu_s
from machine import machine_line  # benchmarks/machine.py (the script's own folder)
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import (  # noqa: E402  (tests/ is put on the path just above)
    CHART_LINE,
    CHROMIUM,
    chromium,
    running_app,
    wait_for_chart,
    wait_until_settled,
)

PLOT_AREA = '[data-testid="stPlotlyChart"] .nsewdrag'
SETTLE_MS = 500  # after the page settles, how long a late redraw would have to show up
# Stamps the last pointerup and every change of the chart's curves and of the URL after it.
RECORD_JS = """
(selector) => {
  const paths = () =>
    [...document.querySelectorAll(selector)].map(p => p.getAttribute('d')).join('|');
  const record = {up: null, changes: [], urls: []};
  let last = paths();
  let search = location.search;
  addEventListener('pointerup', () => { record.up = performance.now(); }, true);
  const observer = new MutationObserver(() => {
    const now = paths();
    if (now !== '' && now !== last) { last = now; record.changes.push(performance.now()); }
    if (location.search !== search) { search = location.search; record.urls.push(performance.now()); }
  });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  window.__zoomRecord = record;
  window.__zoomObserver = observer;
}
"""
STOP_JS = "() => { window.__zoomObserver.disconnect(); return window.__zoomRecord; }"


@dataclass(frozen=True)
class Gesture:
    """One drag or double-click: ms from the release to the last chart change and to the URL
    change; server CPU seconds."""

    chart_ms: float
    link_ms: float
    cpu_s: float


def timed(page: Page, act, zoomed: bool) -> Gesture:
    """Run `act` (a mouse gesture); wait until the link says `zoomed` and the page settled."""
    page.evaluate(RECORD_JS, CHART_LINE)
    cpu = server_cpu_s(ROOT / "server.py")
    act()
    has_from = "new URL(location.href).searchParams.has('from')"
    page.wait_for_function(f"() => {has_from if zoomed else '!' + has_from}")
    wait_until_settled(page)
    page.wait_for_timeout(SETTLE_MS)
    cpu = server_cpu_s(ROOT / "server.py") - cpu
    record = page.evaluate(STOP_JS)
    up = record["up"]
    changes = [c for c in record["changes"] if c > up]
    urls = [u for u in record["urls"] if u > up]
    if not changes or not urls:
        raise RuntimeError(f"the gesture changed nothing: {record}")
    return Gesture(max(changes) - up, max(urls) - up, cpu)


def zoom_and_back(page: Page, start: float, button: bool) -> tuple[Gesture, Gesture]:
    """Drag from `start` to `start` + 0.1 of the plot's width, then double-click back (or click
    "Show all" when `button`)."""
    box = page.locator(PLOT_AREA).first.bounding_box()
    y = box["y"] + box["height"] / 2

    def drag() -> None:
        page.mouse.move(box["x"] + box["width"] * start, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * (start + 0.1), y, steps=10)
        page.mouse.up()

    def double_click() -> None:
        page.mouse.dblclick(box["x"] + box["width"] * 0.5, y)

    def show_all() -> None:
        page.get_by_role("button", name="Show all").click()

    return timed(page, drag, True), timed(page, show_all if button else double_click, False)


def row(name: str, gestures: Sequence[Gesture]) -> str:
    def cells(values: list[float]) -> str:
        return f"{statistics.median(values):,.0f} | {max(values):,.0f}"

    return (
        f"| {name} | {len(gestures)} | {cells([g.chart_ms for g in gestures])} | "
        f"{cells([g.link_ms for g in gestures])} | "
        f"{cells([g.cpu_s * 1000 for g in gestures])} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--zooms", type=int, default=12, help="drags (each followed by a double-click or Show all)"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"chromium not found at {CHROMIUM}: set LRVIZ_CHROMIUM to its path")
    machine = machine_line(
        f"streamlit {streamlit.__version__}",
        chromium_version(),
        f"playwright {importlib.metadata.version('playwright')}",
    )
    # No file watcher: its "File change" status would read as a run in progress (see bench_browser).
    os.environ["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
    drags: list[Gesture] = []
    backs: list[Gesture] = []
    buttons: list[Gesture] = []
    with running_app() as url, chromium() as browser:
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.goto(url)
        wait_for_chart(page)
        wait_until_settled(page)
        for i in range(args.zooms):
            drag, back = zoom_and_back(page, 0.05 + 0.8 * i / max(1, args.zooms - 1), i % 2 == 1)
            drags.append(drag)
            (buttons if i % 2 else backs).append(back)
    print("## Zoom on the chart: drag across it, double-click back\n")
    print(machine + ".")
    print(
        f"Viewport {VIEWPORT['width']} x {VIEWPORT['height']}, starter page; ms from the release "
        "(in-page `performance.now()`); server CPU from the press to the page settled.\n"
    )
    print(
        "| gesture | n | release -> chart redrawn p50 ms | max | release -> link p50 ms | max "
        "| server CPU p50 ms | max |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(row("drag across a tenth (new range, sampled afresh)", drags))
    print(row("double-click (every step again)", backs))
    print(row('"Show all" button (every step again)', buttons))


if __name__ == "__main__":
    main()
