"""Load: many concurrent browser sessions on one Streamlit server, then 1,000 reruns for memory.

Run from the project root:

    .venv/bin/python benchmarks/bench_load.py [--sessions 20 --changes 20 --reruns 1000]

Starts one `streamlit run server.py` (the command line of tests/browser_support.py's `running_app`,
without the file watcher; started here because the RSS needs its PID), one headless chromium and
`--sessions` Playwright browser contexts, all driven at once from one asyncio loop. Each session
opens the page, waits for the chart, moves the selected CosineDecay's `decay_steps` slider
`--changes` positions to the right (one key press at a time, to values the session has not seen,
so every chart is sent in full) and imports one Keras JSON config through the Import tab.
Latency of a change: from the `keydown` event in the page to the first DOM mutation that changes
a curve's path `d`, both timed with `performance.now()` in the page (Python's scheduling of 20
sessions does not count).

Errors: every exception or timeout in a session, every Streamlit exception element on a page,
every console error and uncaught page error, and every "stale chart": the run is over and Plotly
holds a new figure, but no curve was redrawn. Tracebacks in the server's log are counted beside
them. A session is correct when its page URL (the app keeps its whole state there) rebuilds,
through `lrviz.share.decode_state` and `lrviz.state.from_link`, the expected studio (the starter
with the slider's `decay_steps`, then the import) and every curve in the Plotly figure on the
page equals `Schedule.__call__` at its x steps, value for value in float32 (NaN equal to NaN).

Memory: server VmRSS at start and after the load; then `--memory-sessions` new sessions make
`--reruns` script reruns in all (the slider alternately one position right and back, each change
awaited until the chart has changed and the run is over): RSS before and after them, and after
`--settle` idle seconds. Prints markdown; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import html
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
from machine import machine_line  # benchmarks/machine.py (the script's own folder)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser_support import CHART_LINE, CHROMIUM, CHROMIUM_ARGS, ROOT, free_port
from playwright.async_api import Browser, Page, async_playwright

import lrviz
from lrviz import state as ss
from lrviz.page.live_drag import css_class
from lrviz.page.session import widget_key
from lrviz.share import decode_state

PARAM = "decay_steps"
SLIDER = f".{css_class(widget_key(0, PARAM, 'slider'))} input[type=range]"
IMPORT_NAME = "imported"
IMPORT_CONFIG = {
    "module": "keras.optimizers.schedules",
    "class_name": "ExponentialDecay",
    "config": {
        "initial_learning_rate": 0.1,
        "decay_steps": 1000,
        "decay_rate": 0.5,
        "staircase": False,
        "name": IMPORT_NAME,
    },
    "registered_name": None,
}
EXCEPTION = '[data-testid="stException"]'
VIEWPORT = {"width": 1400, "height": 1000}
WARMUP_RERUNS = 10
STALE_GRACE = 10.0  # seconds

PLOT = '[data-testid="stPlotlyChart"] .js-plotly-plot'
# A cheap fingerprint of the figure Plotly holds: the y arrays (binary text or lengths).
FIGURE = f"""() => {{
  const gd = document.querySelector('{PLOT}');  // null while Streamlit remounts the chart
  return gd && gd.data
    ? gd.data.map(t => (t.y && t.y.bdata) || String(t.y && t.y.length)).join('|') : '';
}}"""
# Arms a one-shot watch: the time from the next keydown to the first mutation after which both
# a curve's path `d` and the figure differ (a remount redrawing the same figure does not count).
ARM = f"""(sel) => {{
  const read = () => Array.from(document.querySelectorAll(sel), p => p.getAttribute('d')).join('|');
  const figure = {FIGURE};
  const before = read();
  const beforeFigure = figure();
  window.__lrvizSearch = location.search;
  window.__lrvizChange = new Promise((resolve) => {{
    let pressed = null;
    window.addEventListener('keydown', () => {{ pressed = performance.now(); }},
                            {{once: true, capture: true}});
    const observer = new MutationObserver(() => {{
      if (pressed !== null && read() !== before && figure() !== beforeFigure) {{
        observer.disconnect();
        resolve(performance.now() - pressed);
      }}
    }});
    observer.observe(document.body, {{subtree: true, childList: true, attributes: true,
                                      attributeFilter: ['d']}});
  }});
}}"""
CHANGED = "() => window.__lrvizChange"
SETTLED = """() => !document.querySelector('[data-testid="stStatusWidget"]')"""
# The run is over and the state in the URL is not the one before the key press.
NEW_STATE = f"""() => ({SETTLED})() && location.search !== window.__lrvizSearch"""
HAS_TRACE = f"""(name) => {{
  const gd = document.querySelector('{PLOT}');
  return !!gd && !!gd.data && gd.data.some(t => t.name === name && t.mode === 'lines');
}}"""
# The figure's traces as Plotly holds them: arrays stay {dtype, bdata} or become plain lists.
TRACES = f"""() => {{
  const gd = document.querySelector('{PLOT}');
  const plain = v => (v && ArrayBuffer.isView(v)) ? Array.from(v) : v;
  return gd.data.map(t => ({{name: t.name ?? null, mode: t.mode ?? null,
                             x: plain(t.x), y: plain(t.y)}}));
}}"""


@dataclass
class Session:
    """What one browser session saw."""

    index: int
    latencies: list[float] = field(default_factory=list)
    import_ms: float | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    url: str = ""
    traces: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = "not finished"
    reruns: int = 0

    def error(self, kind: str, message: str) -> None:
        self.errors.append((kind, " ".join(str(message).split())[:300]))


# ---------------------------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------------------------


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def streamlit_server(log: Path, timeout: float = 60.0) -> Iterator[tuple[str, int]]:
    """`streamlit run server.py` on a free port, stderr to `log`; yields (URL, PID)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "server.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        # Edits to the sources during a run must not stop the sessions at "Source file changed".
        "--server.fileWatcherType",
        "none",
    ]
    with open(log, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited early: {log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} in {timeout:.0f} s")
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_mb(pid: int) -> float:
    """Resident set size of a process (VmRSS), in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for PID {pid}")


# ---------------------------------------------------------------------------------------------
# One session
# ---------------------------------------------------------------------------------------------


async def open_page(browser: Browser, url: str, record: Session, timeout_ms: float) -> Page:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.on("console", lambda m: record.error("console", m.text) if m.type == "error" else None)
    page.on("pageerror", lambda err: record.error("console", f"page error: {err}"))
    await page.goto(url, timeout=timeout_ms)
    await page.wait_for_selector(CHART_LINE, timeout=timeout_ms)
    await page.wait_for_function(SETTLED, timeout=timeout_ms)
    return page


class StaleChart(Exception):
    """After a run the chart on the page is not the state in the URL, or was not redrawn."""


async def chart_check(page: Page) -> str | None:
    """Why the figure on the page is not the URL's state (None: it is)."""
    return chart_problem(studio_of(page.url), await page.evaluate(TRACES))


async def change(page: Page, key: str, timeout: float) -> float:
    """Press `key` on the slider; ms from keydown to the new chart drawn, then wait for the run.

    `StaleChart` when the run is over and the URL holds a new state, yet no new chart was drawn
    in two `STALE_GRACE` checks in a row, or when the chart after the run is not the URL's
    state; `TimeoutError` when nothing happens within `timeout`.
    """
    await page.locator(SLIDER).focus(timeout=timeout * 1e3)
    await page.evaluate(ARM, CHART_LINE)
    await page.keyboard.press(key)
    redrawn = asyncio.ensure_future(page.evaluate(CHANGED))
    deadline = time.monotonic() + timeout
    stale_checks = 0
    try:
        while not (await asyncio.wait({redrawn}, timeout=STALE_GRACE))[0]:
            stale_checks = stale_checks + 1 if await page.evaluate(NEW_STATE) else 0
            if stale_checks >= 2:
                shown = await chart_check(page)
                raise StaleChart(
                    f"{key}: new state in the URL, no new chart drawn; the chart "
                    + (f"is not the URL's state ({shown})" if shown else "already showed it")
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"{key}: no redraw in {timeout:.0f} s")
    finally:
        redrawn.cancel()
    # The URL is written at the end of the run, after the chart (a fast run shows no status).
    await page.wait_for_function(NEW_STATE, timeout=timeout * 1e3)
    shown = await chart_check(page)
    if shown:
        raise StaleChart(f"{key}: after the run the chart is not the URL's state ({shown})")
    return float(redrawn.result())


async def check_exceptions(page: Page, record: Session) -> None:
    count = await page.locator(EXCEPTION).count()
    if count:
        text = await page.locator(EXCEPTION).first.inner_text()
        record.error("stException", f"{count} on the page: {text}")


async def import_config(page: Page, timeout: float) -> float:
    """Paste the Keras JSON into the Import tab, click Open; ms until its curve is drawn."""
    timeout_ms = timeout * 1e3
    await page.get_by_role("tab", name="Import").click(timeout=timeout_ms)
    area = page.locator(".st-key-import-text textarea")
    await area.fill(json.dumps(IMPORT_CONFIG), timeout=timeout_ms)
    await area.press("Control+Enter", timeout=timeout_ms)  # commit the text (a rerun)
    await page.wait_for_timeout(200)
    await page.wait_for_function(SETTLED, timeout=timeout_ms)
    await page.evaluate("() => { window.__lrvizSearch = location.search; }")
    start = time.perf_counter()
    await page.locator(".st-key-import-open button").click(timeout=timeout_ms)
    await page.wait_for_function(HAS_TRACE, arg=IMPORT_NAME, timeout=timeout_ms)
    elapsed = (time.perf_counter() - start) * 1e3
    # The run is over once the URL holds the import (a fast run shows no status widget, so
    # SETTLED alone can be true before the end of the run).
    await page.wait_for_function(NEW_STATE, timeout=timeout_ms)
    return elapsed


async def load_session(
    browser: Browser, url: str, record: Session, changes: int, timeout: float
) -> None:
    try:
        page = await open_page(browser, url, record, timeout * 1e3)
    except Exception as err:  # every failure is a counted error
        record.error(_kind(err), f"open: {err}")
        return
    try:
        for _ in range(changes):
            try:
                record.latencies.append(await change(page, "ArrowRight", timeout))
            except StaleChart as err:  # the key press was taken: go on
                record.error("stale chart", err)
            await check_exceptions(page, record)
        record.import_ms = await import_config(page, timeout)
        await check_exceptions(page, record)
        record.url = page.url
        record.traces = await page.evaluate(TRACES)
    except Exception as err:
        record.error(_kind(err), err)
    finally:
        await page.context.close()


async def rerun_session(
    browser: Browser, url: str, record: Session, warmup: int, timeout: float
) -> Page | None:
    """Open a page and make `warmup` reruns; the page is then ready for `rerun_more`."""
    try:
        page = await open_page(browser, url, record, timeout * 1e3)
        await rerun_more(page, record, warmup, timeout)
        return page
    except Exception as err:
        record.error(_kind(err), err)
        return None


async def rerun_more(page: Page, record: Session, reruns: int, timeout: float) -> None:
    """`reruns` slider moves, alternately right and back: each one a full script rerun."""
    try:
        for _ in range(reruns):
            try:
                await change(page, "ArrowLeft" if record.reruns % 2 else "ArrowRight", timeout)
            except StaleChart as err:
                record.error("stale chart", err)
            record.reruns += 1
        await check_exceptions(page, record)
    except Exception as err:
        record.error(_kind(err), err)


def _kind(err: BaseException) -> str:
    return "timeout" if "Timeout" in type(err).__name__ else "exception"


# ---------------------------------------------------------------------------------------------
# Correctness
# ---------------------------------------------------------------------------------------------


def as_array(value: Any) -> np.ndarray:
    """A Plotly array as numpy: `{dtype, bdata}` (plotly.py's binary form) or a list."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.array([np.nan if v is None else v for v in value], dtype=np.float64)


def studio_of(url: str) -> ss.Studio:
    """The studio a page URL carries, rebuilt as the page's start_session does."""
    params = parse_qs(urlsplit(url).query, keep_blank_values=True)
    studio, _ = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    return studio


def chart_problem(studio: ss.Studio, traces: list[dict[str, Any]]) -> str | None:
    """Why the curves on the page are not the studio's schedules at their steps (None: they are)."""
    curves = [t for t in traces if t["mode"] == "lines"]
    shown = studio.visible()
    if len(curves) != len(shown):
        return f"{len(curves)} curves on the page, {len(shown)} visible configurations"
    for entry, trace in zip(shown, curves):
        if trace["name"] != html.escape(entry.name):
            return f"curve {trace['name']!r} where {entry.name!r} was expected"
        x, y = as_array(trace["x"]), as_array(trace["y"]).astype(np.float64)
        steps = x.astype(np.int64)
        if x.size != y.size or not np.array_equal(steps, x):
            return f"curve {entry.name!r}: x is not {y.size} whole steps"
        with np.errstate(all="ignore"):
            want = entry.schedule()(steps).astype(np.float64)
        if not np.array_equal(y, want, equal_nan=True):
            bad = int(np.sum(~((y == want) | (np.isnan(y) & np.isnan(want)))))
            return f"curve {entry.name!r}: {bad} of {y.size} values differ from the engine"
    return None


def expected_problem(studio: ss.Studio, changes: int) -> str | None:
    """Why the studio is not the starter moved `changes` slider positions right, plus the import.

    The slider's positions are `slider_grid(spec, value)`, recomputed from each new value.
    """
    starter = ss.starter_studio().entries[0].config
    spec = lrviz.SCHEDULES[starter["class_name"]].param(PARAM)
    want = starter["config"][PARAM]
    for _ in range(changes):
        grid = ss.slider_grid(spec, want)
        want = grid[min(grid.index(want) + 1, len(grid) - 1)]
    names = [(e.class_name, e.name) for e in studio.entries]
    if names != [
        (starter["class_name"], starter["config"]["name"]),
        ("ExponentialDecay", IMPORT_NAME),
    ]:
        return f"open configurations are {names}"
    got = studio.entries[0].config["config"][PARAM]
    if got != want:
        return f"{PARAM} is {got}, expected {want}"
    if studio.entries[1].config != lrviz.from_keras(IMPORT_CONFIG).to_keras():
        return "the imported configuration differs from the pasted one"
    return None


def judge(record: Session, changes: int) -> None:
    if not record.traces:
        record.problem = "no final chart"
        return
    studio = studio_of(record.url)
    record.problem = expected_problem(studio, changes) or chart_problem(studio, record.traces)


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


@dataclass
class Memory:
    start: float = 0.0
    after_load: float = 0.0
    before: float = 0.0
    after: float = 0.0
    settled: float = 0.0
    reruns: int = 0
    rerun_seconds: float = 0.0


async def run(
    args: argparse.Namespace, url: str, pid: int
) -> tuple[list[Session], list[Session], Memory, float]:
    memory = Memory(start=rss_mb(pid))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            sessions = [Session(i) for i in range(args.sessions)]
            started = time.perf_counter()
            await asyncio.gather(
                *(load_session(browser, url, s, args.changes, args.timeout) for s in sessions)
            )
            wall = time.perf_counter() - started
            memory.after_load = rss_mb(pid)

            rerunners = [Session(args.sessions + i) for i in range(args.memory_sessions)]
            pages = await asyncio.gather(
                *(rerun_session(browser, url, r, WARMUP_RERUNS, args.timeout) for r in rerunners)
            )
            memory.before = rss_mb(pid)
            warm = sum(r.reruns for r in rerunners)
            shares = [args.reruns // len(rerunners)] * len(rerunners)
            shares[0] += args.reruns - sum(shares)
            started_reruns = time.perf_counter()
            await asyncio.gather(
                *(
                    rerun_more(page, r, share, args.timeout)
                    for page, r, share in zip(pages, rerunners, shares)
                    if page is not None
                )
            )
            memory.rerun_seconds = time.perf_counter() - started_reruns
            memory.reruns = sum(r.reruns for r in rerunners) - warm
            memory.after = rss_mb(pid)
            await asyncio.sleep(args.settle)
            memory.settled = rss_mb(pid)
        finally:
            await browser.close()
    return sessions, rerunners, memory, wall


def server_tracebacks(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [
        next((ln for ln in lines[i + 1 :] if ln and not ln.startswith(" ")), "Traceback")
        for i, ln in enumerate(lines)
        if ln.startswith("Traceback")
    ]


def spread(values: list[float], *quantiles: float) -> str:
    """Percentiles of `values` and their maximum, "a / b / max" ("-" when there are none)."""
    if not values:
        return "-"
    return " / ".join(f"{v:,.0f}" for v in [*np.percentile(values, quantiles), max(values)])


def table(
    args: argparse.Namespace,
    sessions: list[Session],
    rerunners: list[Session],
    memory: Memory,
    wall: float,
    tracebacks: list[str],
) -> str:
    latencies = [ms for s in sessions for ms in s.latencies]
    imports = [s.import_ms for s in sessions if s.import_ms is not None]
    errors = [e for s in sessions + rerunners for e in s.errors]
    kinds = {
        k: sum(1 for kind, _ in errors if kind == k)
        for k in ("timeout", "exception", "stException", "console", "stale chart")
    }
    correct = sum(s.problem is None for s in sessions)
    rows = [
        ("sessions x changes", f"{args.sessions} x {args.changes} ({PARAM} slider) + 1 import"),
        ("changes measured", f"{len(latencies):,} of {args.sessions * args.changes:,}"),
        ("change latency p50 / p95 / max (ms)", spread(latencies, 50, 95)),
        ("import latency p50 / max (ms)", spread(imports, 50)),
        ("errors", f"{len(errors)} (" + ", ".join(f"{k} {n}" for k, n in kinds.items()) + ")"),
        ("server log tracebacks", str(len(tracebacks))),
        ("sessions with a correct chart", f"{correct} of {args.sessions}"),
        ("wall time, load phase (s)", f"{wall:,.1f}"),
        (
            "server RSS at start / after load (MB)",
            f"{memory.start:,.1f} / {memory.after_load:,.1f}",
        ),
        (
            f"reruns for memory ({args.memory_sessions} sessions)",
            f"{memory.reruns:,} in {memory.rerun_seconds:,.1f} s",
        ),
        ("server RSS before / after reruns (MB)", f"{memory.before:,.1f} / {memory.after:,.1f}"),
        (f"server RSS after {args.settle:g} s idle (MB)", f"{memory.settled:,.1f}"),
        (
            "RSS growth over the reruns, after / idle (MB)",
            f"{memory.after - memory.before:+,.1f} / {memory.settled - memory.before:+,.1f}",
        ),
    ]
    lines = ["| measure | value |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


def notes(sessions: list[Session], rerunners: list[Session], tracebacks: list[str]) -> str:
    """Each distinct error, incorrect session and server traceback, most frequent first."""
    seen = Counter(f"{kind}: {message}" for s in sessions + rerunners for kind, message in s.errors)
    seen.update(f"incorrect: {s.problem}" for s in sessions if s.problem is not None)
    seen.update(f"server: {line}" for line in tracebacks)
    return "\n".join(f"- {n} x {text}" for text, n in seen.most_common())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions")
    parser.add_argument("--changes", type=int, default=20, help="slider changes per session")
    parser.add_argument("--reruns", type=int, default=1000, help="reruns for the memory check")
    parser.add_argument("--memory-sessions", type=int, default=4, help="sessions making them")
    parser.add_argument("--settle", type=float, default=15.0, help="idle seconds after them")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per wait")
    args = parser.parse_args()

    print("## Load: concurrent browser sessions on one server\n")
    print(machine_line(f"playwright {version('playwright')}", f"chromium at {CHROMIUM}") + ".")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "streamlit.log"
        with streamlit_server(log) as (url, pid):
            sessions, rerunners, memory, wall = asyncio.run(run(args, url, pid))
        tracebacks = server_tracebacks(log)
    for s in sessions:
        judge(s, args.changes)
    print(
        f"One `streamlit run server.py`, one headless chromium, {args.sessions} browser contexts at "
        "once. Latency: keydown -> curve path redrawn, in the page.\n"
    )
    print(table(args, sessions, rerunners, memory, wall, tracebacks))
    found = notes(sessions, rerunners, tracebacks)
    if found:
        print("\nErrors and incorrect sessions:\n")
        print(found)


if __name__ == "__main__":
    main()
