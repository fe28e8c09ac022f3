"""Browser latency: the studio beside a bare slider + chart app, in Debian's chromium (Playwright).

Run from the project root:

    .venv/bin/python benchmarks/bench_browser.py [--values 40] [--repeats 5] [--param warmup_steps]
        [--crowded ROWS]

One run starts two Streamlit servers on free ports, `streamlit run app.py` (the studio) and
`streamlit run benchmarks/baseline_app.py` (one integer slider, one chart of 2 SVG traces x 1,000
points), with the file watcher off, and drives both with one headless chromium, viewport
1400 x 1000, alternating between the two apps visit by visit and press by press so that load from
other processes hits both alike:

- *cold page*: a new browser context (empty cache), `goto`, until the first curve is drawn
  (`CHART_LINE` visible), timed around it. The first visit after a server starts (its first script
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

`--crowded ROWS` adds two more baseline servers with ROWS rows of other elements below the chart
(see baseline_app.py), one rerunning everything on a press and one with the slider and chart in a
fragment: what the number of elements on a page costs each press, apart from what they are.

Targets: studio p50 <= 1.15x baseline p50, studio p95 <= 300 ms, studio cold page <= 3 s. Prints
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
P95_TARGET_MS = 300.0
COLD_TARGET_S = 3.0
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


def studio_slider(param: str) -> str:
    """The studio's slider of `param` on the first configuration (widget key `cfg.0.<param>.slider`)."""
    return f".st-key-cfg-0-{param}-slider input[type=range]"


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
        if self.page.query_selector(self.selector) is None:
            raise RuntimeError(f"no slider matches {self.selector!r} on {self.page.url}")

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


def cold_visit(browser: Browser, url: str) -> float:
    """Seconds from `goto` in a fresh context (empty cache) to the first curve drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, timeout=COLD_TIMEOUT_MS)
        wait_for_chart(page, timeout=COLD_TIMEOUT_MS)
        return time.perf_counter() - start
    finally:
        context.close()


@dataclass(frozen=True)
class Result:
    name: str
    first_visit_s: float
    cold_s: list[float]
    redraws: list[Redraw]

    @property
    def latency_ms(self) -> list[float]:
        return [r.total_ms for r in self.redraws]

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the key -> redrawn latencies (q in (0, 100])."""
        ordered = sorted(self.latency_ms)
        return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def measure(browser: Browser, apps: Sequence[App], repeats: int, values: int) -> list[Result]:
    """Cold visits, then slider presses, alternating between the apps so load hits them alike."""
    first = [cold_visit(browser, app.url) for app in apps]
    cold: list[list[float]] = [[] for _ in apps]
    for _ in range(repeats):
        for times, app in zip(cold, apps):
            times.append(cold_visit(browser, app.url))
    with contextlib.ExitStack() as stack:
        sessions = [stack.enter_context(session(browser, app)) for app in apps]
        for _ in range(values):
            for open_session in sessions:
                open_session.press()
    return [Result(app.name, f, c, s.redraws) for app, f, c, s in zip(apps, first, cold, sessions)]


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(studio: Result, baseline: Result, others: Sequence[Result] = ()) -> str:
    lines = [
        "| app | first visit s | cold page s (median / max, runs) | presses "
        "| key -> redrawn ms p50 | p95 | max | p50 / baseline p50 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = baseline.percentile(50)
    for r in (studio, baseline, *others):
        lines.append(
            f"| {r.name} | {r.first_visit_s:.2f} | {statistics.median(r.cold_s):.2f} / "
            f"{max(r.cold_s):.2f}, {len(r.cold_s)} | {len(r.latency_ms)} "
            f"| {r.percentile(50):.0f} | {r.percentile(95):.0f} | {max(r.latency_ms):.0f} "
            f"| {r.percentile(50) / base:.2f}x |"
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


def targets(studio: Result, baseline: Result) -> str:
    ratio = studio.percentile(50) / baseline.percentile(50)
    p95 = studio.percentile(95)
    cold = statistics.median(studio.cold_s)
    return "\n".join(
        [
            f"- Target studio p50 <= {P50_RATIO_TARGET}x baseline p50: "
            f"{_verdict(ratio <= P50_RATIO_TARGET)} ({ratio:.2f}x)",
            f"- Target studio p95 <= {P95_TARGET_MS:.0f} ms: "
            f"{_verdict(p95 <= P95_TARGET_MS)} ({p95:.0f} ms)",
            f"- Target studio cold page (median) <= {COLD_TARGET_S:.0f} s: "
            f"{_verdict(cold <= COLD_TARGET_S)} ({cold:.2f} s; max {max(studio.cold_s):.2f} s)",
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
        default=0,
        metavar="ROWS",
        help="also measure the baseline with ROWS rows of other elements below the chart, "
        "rerun on every press and with the slider and chart in a fragment (what a page's "
        "element count costs; the studio has ~145 elements)",
    )
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
    print("## Browser: slider key -> chart redrawn, studio beside a bare slider + chart\n")
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
            ),
            App("baseline (slider + 2 x 1,000 pts)", baseline_url, BaselineSweep),
        ]
        if args.crowded:
            rows = f"{args.crowded} rows (~{4 * args.crowded} elements)"
            apps += [
                App(
                    f"baseline + {rows}",
                    stack.enter_context(running_baseline(crowded)),
                    BaselineSweep,
                ),
                App(
                    f"baseline + {rows}, slider + chart in a fragment",
                    stack.enter_context(
                        running_baseline({**crowded, "LRVIZ_BASELINE_FRAGMENT": "1"})
                    ),
                    BaselineSweep,
                ),
            ]
        browser = stack.enter_context(chromium())
        studio, baseline, *others = measure(browser, apps, args.repeats, args.values)
    print(
        f"Viewport {VIEWPORT['width']} x {VIEWPORT['height']}; {args.values} presses per app, "
        "each to a value new in the session; latency from keydown to the curves' `d` changing "
        "(in-page `performance.now()`); cold page: fresh context, `goto` -> first curve.\n"
    )
    print(table(studio, baseline, others))
    print("\n### Where the time goes (medians over the presses)\n")
    print(split_table([studio, baseline, *others]))
    print()
    print(targets(studio, baseline))


if __name__ == "__main__":
    main()
