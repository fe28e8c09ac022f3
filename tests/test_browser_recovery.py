"""Pages that outlive their server: a restart, and a replica killed behind `scripts/serve.sh`.

A page's URL holds everything open, so a page that reconnects to a new server session (a
restarted server, another replica) must carry on with the same configurations, and its next
press must apply to them. The oracle for the chart is a fresh page opened at the same URL.
"""

from __future__ import annotations

import os
import signal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from browser_support import (
    chart_paths,
    free_port,
    running_app,
    serving,
    wait_for_chart,
    wait_until_settled,
)
from playwright.sync_api import expect

from lrviz import SCHEDULES
from lrviz import state as ss
from lrviz.engine import EXAMPLE_CLASS
from lrviz.share import decode_state, encode_state

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 1000}
PARAM = "decay_steps"
RECONNECT_TIMEOUT = 60_000  # ms: the page's reconnect backs off while nothing answers


@pytest.fixture
def context(browser):
    opened = browser.new_context(viewport=VIEWPORT)
    yield opened
    opened.close()


def two_configurations() -> ss.Studio:
    """The starter CosineDecay (selected) beside a PiecewiseConstantDecay."""
    studio = ss.add(ss.starter_studio(), EXAMPLE_CLASS)
    return ss.select(studio, studio.entries[0].id)


def link(base: str, studio: ss.Studio) -> str:
    return f"{base}?{urlencode(encode_state(ss.to_shared(studio)))}"


def studio_of(url: str) -> ss.Studio:
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    studio, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert messages == []
    return studio


def configs(studio: ss.Studio) -> list[dict]:
    return [dict(e.config) for e in studio.entries]


def next_position(studio: ss.Studio) -> int:
    """Where one ArrowRight moves the selected configuration's slider of `PARAM`."""
    spec = next(p for p in SCHEDULES[studio.current.class_name].params if p.name == PARAM)
    value = studio.current.config["config"][PARAM]
    grid = ss.slider_grid(spec, value)
    return grid[grid.index(value) + 1]


def open_page(context, url: str):
    page = context.new_page()
    page.goto(url)
    wait_for_chart(page)
    wait_until_settled(page)
    return page


def press_and_check(page, expected: ss.Studio) -> None:
    """Press the slider once the page is back: its URL and chart must become `expected` with the
    press applied (the chart as a fresh page at that URL draws it)."""
    slider = page.get_by_role("slider", name=f"{PARAM} slider")
    expect(slider).to_be_enabled(timeout=RECONNECT_TIMEOUT)
    wait_until_settled(page, timeout=RECONNECT_TIMEOUT)
    slider.focus()
    page.keyboard.press("ArrowRight")
    pressed = ss.set_params(expected, expected.selected, **{PARAM: next_position(expected)})
    expect(page).to_have_url(link(page.url.split("?")[0], pressed), timeout=RECONNECT_TIMEOUT)
    wait_until_settled(page, timeout=RECONNECT_TIMEOUT)
    assert configs(studio_of(page.url)) == configs(pressed)
    fresh = open_page(page.context, page.url)
    assert chart_paths(page) == chart_paths(fresh)
    fresh.close()


def test_a_page_open_through_a_server_restart_applies_its_next_press(context):
    port = free_port()
    studio = two_configurations()
    with running_app(port) as url:
        page = open_page(context, link(url, studio))
    with running_app(port):
        press_and_check(page, studio)


def test_a_page_open_through_a_server_restart_applies_a_press_beside_the_chart(context):
    """The controls beside the chart rerun only the main area's fragment, which a new session
    has not registered yet: the page must run whole on reconnecting, or that press is dropped."""
    port = free_port()
    studio = two_configurations()
    with running_app(port) as url:
        page = open_page(context, link(url, studio))
    with running_app(port):
        entry = page.get_by_role("spinbutton", name="From step")
        expect(entry).to_be_enabled(timeout=RECONNECT_TIMEOUT)
        wait_until_settled(page, timeout=RECONNECT_TIMEOUT)
        entry.fill("1234")
        entry.press("Enter")
        zoomed = ss.set_view(studio, zoom_from=1234)
        expect(page).to_have_url(link(url, zoomed), timeout=RECONNECT_TIMEOUT)
        wait_until_settled(page, timeout=RECONNECT_TIMEOUT)
        fresh = open_page(context, page.url)
        assert chart_paths(page) == chart_paths(fresh)
        fresh.close()


def test_a_page_whose_replica_is_killed_carries_on_on_another_with_what_was_typed(context):
    with serving(replicas=2) as served:
        page = open_page(context, link(served.url, two_configurations()))
        name = page.get_by_role("textbox", name="Name")
        name.fill("typed before the kill")
        name.press("Enter")
        expect(page.locator(".legend .legendtext").first).to_have_text("typed before the kill")
        wait_until_settled(page)
        typed = studio_of(page.url)
        assert typed.current.name == "typed before the kill"
        replica = int(page.request.get(served.url).headers["x-lrviz-replica"])
        os.kill(served.replicas[replica], signal.SIGKILL)
        press_and_check(page, typed)
        survivor = int(page.request.get(served.url).headers["x-lrviz-replica"])
        assert survivor in served.replicas
        assert survivor != replica
