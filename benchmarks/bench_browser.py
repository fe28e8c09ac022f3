"""Browser latency: the studio beside a bare slider + chart app, in Debian's chromium (Playwright).

Run from the project root:

    .venv/bin/python benchmarks/bench_browser.py [--values 40] [--repeats 5] [--param warmup_steps]
        [--crowded ROWS]

One run starts two Streamlit servers on free ports, `streamlit run server.py` (the studio) and
`streamlit run benchmarks/baseline_app.py` (one integer slider, one chart of 2 SVG traces x 1,000
points), with the file watcher off, and drives both with one headless chromium, viewport
1400 x 1000, alternating between the two apps visit by visit and press by press so that load from
other processes hits both alike:

- *cold page*: a new browser context (empty cache), `goto`, until the first curve is painted
  (`CHART_LINE` has a size, checked on every animation frame), timed around it. The first visit after a server starts (its first script
  run, imports included) is reported apart; then median and max of `--repeats` visits.
- *slider key -> chart redrawn*: in one session, focus a slider, press ArrowRight, and time inside
  the page from the keydown (a capture listener on `window`) to the first DOM mutation after which the
  chart's line paths (`d` of every `CHART_LINE`) differ from before the key, with `performance.now()`.
  That is when Plotly has written the new curve, before the browser paints it. Between presses the
  script waits until Streamlit has finished the run, so no press interrupts a run. Every press must
  give a slider value never seen before in the session, since Streamlit answers a repeated message with
  a reference instead of the chart: the studio sweeps `--param` (default `warmup_steps`) to the end of
  its slider, steps `decay_steps` once, and sweeps back, so every state is new; the baseline counts
  its slider up from 100.

A third server is the *crowded* baseline: the same slider and chart with `--crowded ROWS` rows of
other elements below them (see baseline_app.py; the default 21 rows send about as many websocket
messages per press as the studio), rerun whole on a press as the studio is: the like-for-like
floor. `--fragment` adds a fourth, the crowded page with its slider and chart in a fragment.

- *drag*: `--drags` mouse drags per app (`mouse.down` on the thumb, a move every ~16 ms for
  `--drag-seconds`, `mouse.up`), alternately right and left. Counted in the page, once per
  animation frame: the distinct chart states drawn between press and release (redraws per
  second), and the time from the release to the last chart change or URL change after it
  (settled). The studio steps `decay_steps` between drags, so every frame is a new state. Its
  server's CPU time (user + system, from /proc) is summed over the drags and divided by the
  frames the page sent (each a rerun of the chart's fragment), and over the presses and divided
  by the presses (each a full run).

Targets: studio p50 <= 1.15x the crowded baseline's p50, studio p95 <= 250 ms, studio cold page
<= 3 s, >= 8 redraws a second while dragging, <= 15 ms of server CPU per drag frame. Prints
markdown; asserts nothing. Needs chromium at `LRVIZ_CHROMIUM` (default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import math
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import streamlit
from machine import machine_line  # benchmarks/machine.py (the script's own folder)
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from lrviz.page.live_drag import css_class
from lrviz.page.session import widget_key

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import (  # noqa: E402  (tests/ is put on the path just above)
    CHART_LINE,
    CHROMIUM,
    START_TIMEOUT,
    chromium,
    free_port,
    running_app,
    wait_for_chart,
    wait_until_settled,
)

BASELINE_APP = ROOT / "benchmarks" / "baseline_app.py"
VIEWPORT = {"width": 1400, "height": 1000}
P50_RATIO_TARGET = 1.15
P95_TARGET_MS = 250.0
COLD_TARGET_S = 3.0
DRAG_REDRAWS_TARGET = 8.0  # per second
FRAME_CPU_TARGET_MS = 15.0
STALE_WAIT_MS = 1000  # after the release's run, how long a late frame would have to show up
REDRAW_TIMEOUT_MS = 15_000
COLD_TIMEOUT_MS = 60_000
STUDIO_PARAMS = ("warmup_steps", "decay_steps")  # CosineDecay's, the starter configuration
BASELINE_SLIDER = ".st-key-period input[type=range]"

# Runs in every session page before Streamlit: stamps each keydown, each websocket message after it
# (and its bytes), and the first DOM mutation after which the chart's curves differ.
PROBE_JS = """
(() => {
  const selector = SELECTOR;
  const paths = () =>
    [...document.querySelectorAll(selector)].map(p => p.getAttribute('d')).join('|');
  const probe = {key: null, drawn: null, before: null, message: null, bytes: 0, messages: 0};
  window.__redrawProbe = probe;
  const waiting = () => probe.key !== null && probe.drawn === null;
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', event => {
        if (probe.key !== null) probe.messages += 1;
        if (!waiting()) return;
        probe.message = performance.now();
        probe.bytes += event.data.byteLength ?? event.data.size ?? event.data.length ?? 0;
      });
    }
  };
  window.addEventListener('keydown', () => {
    Object.assign(probe, {before: paths(), drawn: null, message: null, bytes: 0, messages: 0});
    probe.key = performance.now();
  }, true);
  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver(() => {
      if (!waiting()) return;
      const now = paths();
      if (now !== '' && now !== probe.before) probe.drawn = performance.now();
    }).observe(document.body, {subtree: true, childList: true, attributes: true,
                               attributeFilter: ['d']});
  });
})();
""".replace("SELECTOR", json.dumps(CHART_LINE))
DRAWN_JS = "() => window.__redrawProbe.drawn !== null"
MESSAGES_JS = "() => window.__redrawProbe.messages"
TIMES_JS = """() => {
  const p = window.__redrawProbe;
  return [p.drawn - p.key, (p.message ?? p.key) - p.key, p.drawn - (p.message ?? p.key), p.bytes];
}"""


@dataclass(frozen=True)
class Redraw:
    """One press: ms from keydown to the curves changed, to the last websocket message before
    that, from that message to the curves changed; bytes received in between; websocket
    messages of the whole run (Streamlit sends one per element and one per layout block)."""

    total_ms: float
    to_message_ms: float
    after_message_ms: float
    bytes: int
    messages: int = 0


# Records, once per animation frame, every change of the chart's curves and of the URL, and the
# times of the next pointer press and release (all `performance.now()`).
RECORD_DRAG_JS = """
(selector) => {
  const paths = () =>
    [...document.querySelectorAll(selector)].map(p => p.getAttribute('d')).join('|');
  const record = {down: null, up: null, changes: [], urls: [], sent: window.__lrvizLive?.seq ?? 0};
  window.__dragRecord = record;
  addEventListener('pointerdown', () => { record.down = performance.now(); },
                   {capture: true, once: true});
  addEventListener('pointerup', () => { record.up = performance.now(); },
                   {capture: true, once: true});
  let last = paths();
  let search = location.search;
  const tick = () => {
    const now = paths();
    if (now !== last && now !== '') { last = now; record.changes.push(performance.now()); }
    if (location.search !== search) { search = location.search; record.urls.push(performance.now()); }
    if (!record.stopped) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""
STOP_DRAG_JS = """() => {
  const record = window.__dragRecord;
  record.stopped = true;
  record.sent = (window.__lrvizLive?.seq ?? 0) - record.sent;
  return record;
}"""
# The slider's thumb (centre) and track (left, right) in page coordinates.
THUMB_JS = """(input) => {
  const thumb = input.parentElement.parentElement.getBoundingClientRect();
  const track = input.parentElement.parentElement.parentElement.getBoundingClientRect();
  return [thumb.x + thumb.width / 2, thumb.y + thumb.height / 2, track.left, track.right];
}"""


def studio_slider(param: str) -> str:
    """The studio's slider of `param` on the first configuration."""
    return f".{css_class(widget_key(0, param, 'slider'))} input[type=range]"


@contextlib.contextmanager
def running_baseline(env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run benchmarks/baseline_app.py` as `running_app` runs the studio; always stopped.

    `env` adds environment variables (the crowded variants' `LRVIZ_BASELINE_*`)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(BASELINE_APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if process.poll() is not None:
                raise RuntimeError(f"baseline exited early: {process.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"baseline did not answer on {url} in {START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass(frozen=True)
class Slider:
    """One `<input type=range>` of a page: where its thumb is, and the value it shows."""

    page: Page
    selector: str

    def __post_init__(self) -> None:
        # The chart comes first in a run; on a loaded machine the editor's sliders may follow
        # after the page looked settled.
        try:
            self.page.wait_for_selector(self.selector, timeout=REDRAW_TIMEOUT_MS)
        except PlaywrightTimeout:
            raise RuntimeError(f"no slider matches {self.selector!r} on {self.page.url}") from None

    def state(self) -> tuple[int, int, str]:
        """(position, last position, shown value)."""
        return self.page.eval_on_selector(
            self.selector, "e => [Number(e.value), Number(e.max), e.getAttribute('aria-valuetext')]"
        )

    def press(self, key: str) -> Redraw:
        """Focus, press `key`, wait for the curves to change; the in-page timings."""
        self.page.focus(self.selector)
        self.page.keyboard.press(key)
        self.page.wait_for_function(DRAWN_JS, timeout=REDRAW_TIMEOUT_MS)
        redraw = Redraw(*self.page.evaluate(TIMES_JS))
        wait_until_settled(self.page)
        return replace(redraw, messages=self.page.evaluate(MESSAGES_JS))


class StudioSweep:
    """Sweep `param` to the end of its slider, step `decay_steps` once, sweep back, ...

    (`warmup_steps` is the one stepped when `param` is `decay_steps`.) Every pair of values it
    reaches is new, so every press sends a new chart.
    """

    def __init__(self, page: Page, param: str) -> None:
        self.main = Slider(page, studio_slider(param))
        self.other_name = next(p for p in STUDIO_PARAMS if p != param)
        self.other = Slider(page, studio_slider(self.other_name))
        self.rightwards = True

    def next_press(self) -> tuple[Slider, str]:
        position, last, _ = self.main.state()
        if position != (last if self.rightwards else 0):
            return self.main, "ArrowRight" if self.rightwards else "ArrowLeft"
        other_position, other_last, _ = self.other.state()
        if other_position == other_last:
            raise RuntimeError(f"no new values left on the {self.other_name} slider")
        self.rightwards = not self.rightwards
        return self.other, "ArrowRight"

    def shown(self) -> tuple[str, ...]:
        return self.main.state()[2], self.other.state()[2]


def server_cpu_s(script: Path) -> float:
    """CPU seconds (user + system) used so far by the server this process started for `script`."""
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:  # a process that ended meanwhile
            continue
        if int(fields[1]) == os.getpid() and str(script).encode() in command:
            return (int(fields[11]) + int(fields[12])) / tick
    raise RuntimeError(f"no server of {script} among this process's children")


@dataclass(frozen=True)
class Drag:
    """One mouse drag: chart states drawn while the button was held and the drag's seconds,
    ms from the release to the page settled, frames the page sent, server CPU seconds."""

    redraws: int
    seconds: float
    settle_ms: float
    frames: int
    cpu_s: float

    @property
    def per_second(self) -> float:
        return self.redraws / self.seconds


def drag(page: Page, selector: str, rightwards: bool, seconds: float, script: Path | None) -> Drag:
    """Drag the slider's thumb to one end of its track over `seconds`; what the page drew."""
    page.locator(selector).evaluate(
        "e => e.closest('[class*=st-key-]').scrollIntoView({block: 'center'})"
    )
    x, y, left, right = page.eval_on_selector(selector, THUMB_JS)
    end = right - 1 if rightwards else left + 1
    page.evaluate(RECORD_DRAG_JS, CHART_LINE)
    cpu = server_cpu_s(script) if script else 0.0
    page.mouse.move(x, y)
    page.mouse.down()
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        page.mouse.move(x + (end - x) * elapsed / seconds, y)
        page.wait_for_timeout(16)
    page.mouse.move(end, y)
    cpu = server_cpu_s(script) - cpu if script else 0.0
    page.mouse.up()
    wait_until_settled(page)
    page.wait_for_timeout(STALE_WAIT_MS)
    record = page.evaluate(STOP_DRAG_JS)
    down, up = record["down"], record["up"]
    held = [c for c in record["changes"] if down < c <= up]
    after = [c for c in record["changes"] + record["urls"] if c > up]
    settle = max(after) - up if after else 0.0
    return Drag(len(held), (up - down) / 1000, settle, record["sent"], cpu)


class BaselineSweep:
    """Count the baseline's slider up, one new value a press."""

    def __init__(self, page: Page) -> None:
        self.slider = Slider(page, BASELINE_SLIDER)

    def next_press(self) -> tuple[Slider, str]:
        return self.slider, "ArrowRight"

    def shown(self) -> tuple[str, ...]:
        return (self.slider.state()[2],)


Sweep = StudioSweep | BaselineSweep


@dataclass(frozen=True)
class App:
    name: str
    url: str
    sweep: Callable[[Page], Sweep]
    script: Path | None = None  # the studio's: its server's CPU time is measured


@dataclass
class Session:
    """One page of an app, with the probe installed and the slider values it has shown."""

    sweep: Sweep
    seen: set[tuple[str, ...]] = field(default_factory=set)
    redraws: list[Redraw] = field(default_factory=list)

    def press(self) -> None:
        """One press, to a value not seen before in the session."""
        slider, key = self.sweep.next_press()
        redraw = slider.press(key)
        shown = self.sweep.shown()
        if shown in self.seen:
            raise RuntimeError(f"press {len(self.redraws) + 1} showed {shown} again")
        self.seen.add(shown)
        self.redraws.append(redraw)


@contextlib.contextmanager
def session(browser: Browser, app: App) -> Iterator[Session]:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(PROBE_JS)
        page = context.new_page()
        page.goto(app.url, timeout=COLD_TIMEOUT_MS)
        wait_for_chart(page, timeout=COLD_TIMEOUT_MS)
        wait_until_settled(page)
        sweep = app.sweep(page)
        yield Session(sweep, {sweep.shown()})
    finally:
        context.close()


# True once a curve is on the page with a size: checked by Playwright on every animation frame,
# so it comes true in the frame that paints the curve.
CURVE_SHOWN_JS = (
    "selector => { const path = document.querySelector(selector);"
    " if (!path) return false; const box = path.getBoundingClientRect();"
    " return box.width > 0 || box.height > 0; }"
)


def cold_visit(browser: Browser, url: str) -> float:
    """Seconds from `goto` in a fresh context (empty cache) to the first curve painted.

    Checked in the page on every animation frame (`polling="raf"`): `wait_for_selector` polls
    at 0, 20, 50, 100, 100, then every 500 ms, and each poll waits for the page's main thread,
    which added up to ~1 s to the studio's time (busy rendering the rest of the page just after
    the chart), less to the bare page's."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, timeout=COLD_TIMEOUT_MS)
        page.wait_for_function(
            CURVE_SHOWN_JS, arg=CHART_LINE, polling="raf", timeout=COLD_TIMEOUT_MS
        )
        return time.perf_counter() - start
    finally:
        context.close()


@dataclass(frozen=True)
class Result:
    name: str
    first_visit_s: float
    cold_s: list[float]
    redraws: list[Redraw]
    drags: list[Drag] = field(default_factory=list)
    press_cpu_s: float = 0.0  # the server's, over all the presses

    @property
    def latency_ms(self) -> list[float]:
        return [r.total_ms for r in self.redraws]

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the key -> redrawn latencies (q in (0, 100])."""
        ordered = sorted(self.latency_ms)
        return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def measure(
    browser: Browser, apps: Sequence[App], repeats: int, values: int, drags: int, seconds: float
) -> list[Result]:
    """Cold visits, slider presses, then drags, alternating between the apps so load hits them
    alike."""
    first = [cold_visit(browser, app.url) for app in apps]
    cold: list[list[float]] = [[] for _ in apps]
    for _ in range(repeats):
        for times, app in zip(cold, apps):
            times.append(cold_visit(browser, app.url))
    cpu = {app.script: server_cpu_s(app.script) for app in apps if app.script}
    with contextlib.ExitStack() as stack:
        sessions = [stack.enter_context(session(browser, app)) for app in apps]
        for _ in range(values):
            for open_session in sessions:
                open_session.press()
    cpu = {script: server_cpu_s(script) - before for script, before in cpu.items()}
    dragged: list[list[Drag]] = [[] for _ in apps]
    with contextlib.ExitStack() as stack:
        dragging = [stack.enter_context(session(browser, app)) for app in apps]
        for number in range(drags):
            for done, app, open_session in zip(dragged, apps, dragging):
                sweep = open_session.sweep
                main = sweep.main if isinstance(sweep, StudioSweep) else sweep.slider
                done.append(drag(main.page, main.selector, number % 2 == 0, seconds, app.script))
                if isinstance(sweep, StudioSweep):  # new states for the next drag
                    sweep.other.press("ArrowRight")
    return [
        Result(app.name, f, c, s.redraws, d, cpu.get(app.script, 0.0))
        for app, f, c, s, d in zip(apps, first, cold, sessions, dragged)
    ]


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(results: Sequence[Result]) -> str:
    """Cold page and press latency; ratios to the bare (second) and crowded (third) baselines."""
    lines = [
        "| app | first visit s | cold page s (median / max, runs) | presses "
        "| key -> redrawn ms p50 | p95 | max | p50 / crowded p50 | p50 / bare p50 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    bare, crowded = results[1].percentile(50), results[2].percentile(50)
    for r in results:
        lines.append(
            f"| {r.name} | {r.first_visit_s:.2f} | {statistics.median(r.cold_s):.2f} / "
            f"{max(r.cold_s):.2f}, {len(r.cold_s)} | {len(r.latency_ms)} "
            f"| {r.percentile(50):.0f} | {r.percentile(95):.0f} | {max(r.latency_ms):.0f} "
            f"| {r.percentile(50) / crowded:.2f}x | {r.percentile(50) / bare:.2f}x |"
        )
    return "\n".join(lines)


def drag_table(results: Sequence[Result]) -> str:
    lines = [
        "| app | drags x s | redraws / s while held (median, min) | release -> settled ms "
        "(median / max) | frames sent / s | server CPU ms per drag frame "
        "| server CPU ms per full press |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rates = [d.per_second for d in r.drags]
        settles = [d.settle_ms for d in r.drags]
        frames = sum(d.frames for d in r.drags)
        seconds = sum(d.seconds for d in r.drags)
        studio = any(d.frames for d in r.drags) or r.press_cpu_s
        per_frame = f"{1000 * sum(d.cpu_s for d in r.drags) / frames:.1f}" if frames else "-"
        per_press = f"{1000 * r.press_cpu_s / len(r.redraws):.1f}" if studio else "-"
        lines.append(
            f"| {r.name} | {len(r.drags)} x {seconds / len(r.drags):.1f} "
            f"| {statistics.median(rates):.1f}, {min(rates):.1f} "
            f"| {statistics.median(settles):.0f} / {max(settles):.0f} "
            f"| {frames / seconds:.1f} | {per_frame} | {per_press} |"
        )
    return "\n".join(lines)


def split_table(results: Sequence[Result]) -> str:
    lines = [
        "| app | key -> last message before redraw ms | that message -> curves changed ms "
        "| KB received per press | messages per press |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        to_message = statistics.median(d.to_message_ms for d in r.redraws)
        after = statistics.median(d.after_message_ms for d in r.redraws)
        kb = statistics.median(d.bytes for d in r.redraws) / 1024
        messages = statistics.median(d.messages for d in r.redraws)
        lines.append(f"| {r.name} | {to_message:.0f} | {after:.0f} | {kb:,.1f} | {messages:.0f} |")
    return "\n".join(lines)


def targets(studio: Result, crowded: Result) -> str:
    ratio = studio.percentile(50) / crowded.percentile(50)
    p95 = studio.percentile(95)
    cold = statistics.median(studio.cold_s)
    rate = statistics.median(d.per_second for d in studio.drags)
    frames = sum(d.frames for d in studio.drags)
    per_frame = 1000 * sum(d.cpu_s for d in studio.drags) / max(frames, 1)
    return "\n".join(
        [
            f"- Target studio p50 <= {P50_RATIO_TARGET}x the crowded baseline's p50: "
            f"{_verdict(ratio <= P50_RATIO_TARGET)} ({ratio:.2f}x)",
            f"- Target studio p95 <= {P95_TARGET_MS:.0f} ms: "
            f"{_verdict(p95 <= P95_TARGET_MS)} ({p95:.0f} ms)",
            f"- Target studio cold page (median) <= {COLD_TARGET_S:.0f} s: "
            f"{_verdict(cold <= COLD_TARGET_S)} ({cold:.2f} s; max {max(studio.cold_s):.2f} s)",
            f"- Target studio redraws while dragging (median) >= {DRAG_REDRAWS_TARGET:.0f} / s: "
            f"{_verdict(rate >= DRAG_REDRAWS_TARGET)} ({rate:.1f} / s)",
            f"- Target server CPU per drag frame <= {FRAME_CPU_TARGET_MS:.0f} ms: "
            f"{_verdict(frames > 0 and per_frame <= FRAME_CPU_TARGET_MS)} ({per_frame:.1f} ms)",
        ]
    )


def chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "chromium ?"
    words = out.stdout.split()
    return f"chromium {words[1]}" if len(words) > 1 else "chromium ?"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--values", type=int, default=40, help="slider presses per app (new values)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="cold page visits per app")
    parser.add_argument(
        "--param", default="warmup_steps", help="studio parameter whose slider is swept"
    )
    parser.add_argument(
        "--crowded",
        type=int,
        default=21,
        metavar="ROWS",
        help="rows of other elements below the crowded baseline's chart (~5 messages a row; "
        "21 send about as many messages per press as the studio)",
    )
    parser.add_argument(
        "--fragment",
        action="store_true",
        help="also measure the crowded baseline with its slider and chart in a fragment",
    )
    parser.add_argument(
        "--websocket-frames",
        action="store_true",
        help="also measure the studio served by `streamlit run app.py`, whose live drag sends "
        "its frames through the websocket (a fragment's run each)",
    )
    parser.add_argument("--drags", type=int, default=3, help="mouse drags per app")
    parser.add_argument("--drag-seconds", type=float, default=2.0, help="length of a drag")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(
            f"chromium not found at {CHROMIUM}: apt-get install -y chromium "
            "(or set LRVIZ_CHROMIUM to its path)"
        )
    versions = (
        f"streamlit {streamlit.__version__}",
        chromium_version(),
        f"playwright {importlib.metadata.version('playwright')}",
    )
    print(
        "## Browser: slider key -> chart redrawn and drags, studio beside bare and crowded baselines\n"
    )
    print(machine_line(*versions) + ".")
    # No file watcher: an edit elsewhere in the tree would raise Streamlit's "File change" status
    # widget, which `wait_until_settled` takes for a run in progress (and watching costs CPU).
    os.environ["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
    crowded = {"LRVIZ_BASELINE_ROWS": str(args.crowded)}
    with contextlib.ExitStack() as stack:
        studio_url = stack.enter_context(running_app())
        baseline_url = stack.enter_context(running_baseline())
        apps = [
            App(
                f"studio (`{args.param}` slider)",
                studio_url,
                lambda page: StudioSweep(page, args.param),
                ROOT / "server.py",
            ),
            App("baseline (slider + 2 x 1,000 pts)", baseline_url, BaselineSweep),
            App(
                f"crowded baseline (+ {args.crowded} rows, rerun whole)",
                stack.enter_context(running_baseline(crowded)),
                BaselineSweep,
            ),
        ]
        if args.websocket_frames:
            apps += [
                App(
                    "studio, `streamlit run app.py` (frames over the websocket)",
                    stack.enter_context(running_app(script="app.py")),
                    lambda page: StudioSweep(page, args.param),
                    ROOT / "app.py",
                ),
            ]
        if args.fragment:
            apps += [
                App(
                    f"crowded baseline (+ {args.crowded} rows), slider + chart in a fragment",
                    stack.enter_context(
                        running_baseline({**crowded, "LRVIZ_BASELINE_FRAGMENT": "1"})
                    ),
                    BaselineSweep,
                ),
            ]
        browser = stack.enter_context(chromium())
        results = measure(browser, apps, args.repeats, args.values, args.drags, args.drag_seconds)
    print(
        f"Viewport {VIEWPORT['width']} x {VIEWPORT['height']}; {args.values} presses per app, "
        "each to a value new in the session; latency from keydown to the curves' `d` changing "
        "(in-page `performance.now()`); cold page: fresh context, `goto` -> first curve painted.\n"
    )
    print(table(results))
    print("\n### Where the time goes (medians over the presses)\n")
    print(split_table(results))
    print(
        f"\n### Dragging a slider ({args.drags} drags per app, {args.drag_seconds:.1f} s each; "
        f"the studio's `{args.param}`)\n"
    )
    print(drag_table(results))
    print()
    print(targets(results[0], results[2]))


if __name__ == "__main__":
    main()
