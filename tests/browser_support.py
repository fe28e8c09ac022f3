"""Run the studio in a real Streamlit server and drive it with Debian's chromium (Playwright).

Used by tests/test_browser.py (through a fixture) and scripts/screenshot.py. Playwright cannot
download its own browser here, so chromium is launched from `LRVIZ_CHROMIUM`
(default /usr/bin/chromium).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LRVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
CHART_LINE = '[data-testid="stPlotlyChart"] .scatterlayer .trace path.js-line'
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_app(port: int | None = None, script: str = "server.py") -> Iterator[str]:
    """Start `streamlit run server.py` (or `script`) on a free port; yield its URL (ending in
    `/`); stop it."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / script),
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
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited early: {process.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} in {START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Served:
    """`scripts/serve.sh` running: nginx's URL (ending in `/`) and each replica's port -> PID."""

    url: str
    replicas: dict[int, int]


@contextlib.contextmanager
def serving(replicas: int = 2, port: int | None = None) -> Iterator[Served]:
    """Run `scripts/serve.sh --replicas N --port P` with this Python; stop it (and so all of it)."""
    port = port or free_port()
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "serve.sh"), "--replicas", str(replicas), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "LRVIZ_PYTHON": sys.executable},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started: dict[int, int] = {}
        for line in process.stdout:  # "replica PORT pid PID" lines, then "lrviz: URL ..."
            if found := re.fullmatch(r"replica (\d+) pid (\d+)\n", line):
                started[int(found[1])] = int(found[2])
            if line.startswith("lrviz: "):
                break
        else:
            raise RuntimeError(f"serve.sh exited early: {process.stderr.read()[-2000:]}")
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if time.monotonic() > deadline:
                raise TimeoutError(f"nginx did not answer on {url} in {START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        yield Served(url, started)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless chromium `Browser` (Playwright sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def wait_for_chart(page, timeout: float = 30_000) -> None:
    """Wait until Plotly has drawn at least one curve (the chart arrives after page load)."""
    page.wait_for_selector(CHART_LINE, timeout=timeout)


def chart_paths(page) -> list[str]:
    """The `d` attribute of every drawn curve: changes whenever a curve changes."""
    return page.eval_on_selector_all(CHART_LINE, "paths => paths.map(p => p.getAttribute('d'))")


SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null && app.dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def wait_until_settled(page, timeout: float = 15_000) -> None:
    """Wait until Streamlit has finished the current run and drawn all of it: the run is over,
    its status widget gone, and no element still waits for its code (Streamlit shows a skeleton
    until a widget's lazy-loaded chunk has run; on a loaded machine, after the run's end)."""
    page.wait_for_timeout(150)
    page.wait_for_function(SETTLED_JS, timeout=timeout)
