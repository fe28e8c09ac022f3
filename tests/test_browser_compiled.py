"""Issue #15 in a real browser: switching to the compiled path shows where JAX `fit` turns NaN."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from browser_support import chart_paths, wait_for_chart, wait_until_settled
from test_compiled_app import poly_link

pytestmark = pytest.mark.browser

MARK_TEXT_JS = (
    "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .textpoint')]"
    ".map(n => n.textContent)"
)


def right_end(path: str) -> float:
    """The largest x of an SVG line path (M/L commands)."""
    return max(float(x) for x in re.findall(r"[ML]([-\d.e]+),", path))


def test_switching_to_compiled_shows_the_nan_gap_of_polynomial_decay(browser, app_url):
    query = urllib.parse.urlencode(poly_link())
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}?{query}")
    wait_for_chart(page)
    wait_until_settled(page)
    (eager,) = chart_paths(page)
    assert not any("NaN" in text for text in page.evaluate(MARK_TEXT_JS))
    page.get_by_text("Compiled (JAX fit, XLA)").click()
    page.wait_for_function(f"() => ({MARK_TEXT_JS})().some(text => text.includes('NaN from here'))")
    wait_until_settled(page)
    (compiled,) = chart_paths(page)
    # Eager runs to the end of the range (1,100 steps); compiled stops at step 999.
    width = right_end(eager)
    assert right_end(compiled) < width * 1000 / 1100
    assert right_end(compiled) > width * 990 / 1100
    page.wait_for_function("() => location.search.includes('run=compiled')")
    assert page.locator('[data-testid="stException"]').count() == 0
