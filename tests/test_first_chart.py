"""A new page's first run waits for the browser's first chart (lrviz.page.first_chart).

The route is called as Starlette calls it; the whole page in a browser is in tests/test_browser.py.
"""

from __future__ import annotations

import threading
import time

import pytest
from starlette.requests import Request

from lrviz.page import first_chart


@pytest.fixture(autouse=True)
def nobody_waiting(monkeypatch):
    monkeypatch.setattr(first_chart, "_waiting", {})


def report(token: str) -> int:
    scope = {
        "type": "http",
        "method": "GET",
        "path": first_chart.PATH,
        "query_string": f"t={token}".encode(),
        "headers": [],
    }
    return first_chart.drawn_endpoint(Request(scope)).status_code


def test_the_first_run_goes_on_as_soon_as_the_browser_reports():
    assert first_chart.expect("page-a")
    timer = threading.Timer(0.05, report, args=("page-a",))
    started = time.monotonic()
    timer.start()
    assert first_chart.wait("page-a", seconds=5)
    assert time.monotonic() - started < 2
    assert report("page-a") == 404  # waited once: nothing waits any more


def test_a_report_before_the_wait_is_kept():
    first_chart.expect("page-b")
    assert report("page-b") == 204
    started = time.monotonic()
    assert first_chart.wait("page-b", seconds=5)
    assert time.monotonic() - started < 1


def test_without_a_report_the_run_goes_on_after_the_longest_wait():
    first_chart.expect("page-c")
    started = time.monotonic()
    assert not first_chart.wait("page-c", seconds=0.2)
    assert 0.15 < time.monotonic() - started < 2
    assert first_chart._waiting == {}


def test_reports_nobody_waits_for_change_nothing():
    assert report("nobody") == 404
    assert report("") == 404
    assert not first_chart.wait("nobody", seconds=0.01)
    assert first_chart._waiting == {}


def test_past_the_limit_a_first_run_does_not_wait(monkeypatch):
    monkeypatch.setattr(first_chart, "MAX_WAITING", 2)
    assert first_chart.expect("one") and first_chart.expect("two")
    assert not first_chart.expect("three")
    assert not first_chart.wait("three", seconds=0.01)
