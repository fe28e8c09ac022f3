"""The chart-first page in a real browser: where the chart sits, widths, labels, drag to zoom, sweep."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
import pytest
from browser_support import CHART_LINE, wait_for_chart, wait_until_settled
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import lrviz
from lrviz import state as ss
from lrviz.share import encode_state

pytestmark = pytest.mark.browser

PLOT_AREA = '[data-testid="stPlotlyChart"] .nsewdrag'
# Every element that sticks out past the window's right edge, and every text cut with an ellipsis.
PAST_EDGE_JS = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => { const box = el.getBoundingClientRect();
                    return box.width > 0 && box.right > width + 0.5; })
    .map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
}"""
CUT_JS = """() => [...document.querySelectorAll('body *')]
  .filter(el => getComputedStyle(el).textOverflow === 'ellipsis'
                && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim())
  .map(el => el.textContent.slice(0, 60))"""
# The boxes of every label Plotly wrote on the plot: mark texts and phase annotations.
LABEL_BOXES_JS = """() => [...document.querySelectorAll(
    '[data-testid="stPlotlyChart"] .textpoint text, [data-testid="stPlotlyChart"] .annotation-text')]
  .filter(el => el.textContent.trim())
  .map(el => { const b = el.getBoundingClientRect();
               return {text: el.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; })"""


def open_page(browser, url: str, width: int, height: int, query: str = ""):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{url}?{query}" if query else url)
    wait_for_chart(page)
    wait_until_settled(page)
    return page


def link(studio: ss.Studio) -> str:
    return urlencode(encode_state(ss.to_shared(studio)))


def test_at_1280x800_the_plot_is_large_and_wholly_on_the_first_screen(browser, app_url):
    page = open_page(browser, app_url, 1280, 800)
    box = page.locator(PLOT_AREA).first.bounding_box()
    assert box["width"] >= 700 and box["height"] >= 420, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800, box
    # The argument editor is beside it, on the same screen.
    slider = page.get_by_role("slider", name="initial_learning_rate")
    assert slider.bounding_box()["y"] < 800
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_at_800_px_nothing_runs_past_the_edge_and_no_label_is_cut(browser, app_url, lang):
    studio = ss.add(ss.starter_studio(ss.View(lang=lang)), "PiecewiseConstantDecay")
    page = open_page(browser, app_url, 800, 900, link(studio))
    assert page.evaluate(PAST_EDGE_JS) == []
    assert page.evaluate(CUT_JS) == []
    page.context.close()


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            if not apart:
                pairs.append((a["text"], b["text"]))
    return pairs


def test_no_two_chart_labels_overlap_with_restarts_cosine_and_stairs(browser, app_url):
    studio = ss.add(ss.starter_studio(), "ExponentialDecay")
    studio = ss.set_params(studio, studio.selected, staircase=True)
    studio = ss.add(studio, "CosineDecayRestarts")
    # At 800 px the phase bands are narrowest: the labels are closest together.
    page = open_page(browser, app_url, 800, 800, link(studio))
    boxes = page.evaluate(LABEL_BOXES_JS)
    assert len(boxes) >= 3, boxes  # the peak and some periods are labelled
    assert overlapping(boxes) == []
    page.context.close()


def link_range(page) -> tuple[int, int]:
    query = parse_qs(urlsplit(page.url).query)
    return int(query["from"][0]), int(query["to"][0])


def test_dragging_across_the_chart_zooms_the_link_and_resamples_the_curve(browser, app_url):
    page = open_page(browser, app_url, 1280, 800)
    box = page.locator(PLOT_AREA).first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.4, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=5)
    page.mouse.up()
    page.wait_for_function("() => new URL(location.href).searchParams.has('from')")
    wait_until_settled(page)
    first, last = link_range(page)
    # 40% to 50% of the 11,000 steps shown, give or take a pixel's worth.
    assert abs(first - 4400) <= 30 and abs(last - 5500) <= 30, (first, last)
    assert page.get_by_role("spinbutton", name="From step").input_value() == str(first)
    # The curve is sampled again inside the range: every step of it is drawn (1,100 < columns).
    xs = page.evaluate(
        """() => { const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
                   return Array.from(gd._fullData[0].x); }"""
    )
    assert xs[0] == first and xs[-1] == last
    assert np.array_equal(np.diff(xs), np.ones(len(xs) - 1))
    page.get_by_role("button", name="Show all").click()
    page.wait_for_function("() => !new URL(location.href).searchParams.has('from')")
    page.context.close()


def drawn_steps(page) -> list[float]:
    return page.evaluate(
        """() => { const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
                   return Array.from(gd._fullData[0].x); }"""
    )


AXIS_RANGES_JS = """() => {
  const layout = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot')._fullLayout;
  return [layout.xaxis.range, layout.yaxis.range];
}"""


def test_a_double_click_on_the_chart_shows_every_step_again(browser, app_url):
    page = open_page(browser, app_url, 1280, 800)
    full = drawn_steps(page)
    box = page.locator(PLOT_AREA).first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=10)
    page.mouse.up()
    page.wait_for_function("() => new URL(location.href).searchParams.has('from')")
    wait_until_settled(page)
    zoomed = link_range(page)
    assert drawn_steps(page)[0] == zoomed[0]
    ranges = page.evaluate(AXIS_RANGES_JS)
    assert ranges[0] == list(zoomed)
    # Plotly's own zoom gestures change nothing the studio would not follow: the wheel over the
    # plot, drags along either axis.
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.wheel(0, -500)
    for start, end in (
        ((0.3 * box["width"], box["height"] + 15), (0.7 * box["width"], box["height"] + 15)),
        ((-20, 0.3 * box["height"]), (-20, 0.8 * box["height"])),
    ):
        page.mouse.move(box["x"] + start[0], box["y"] + start[1])
        page.mouse.down()
        page.mouse.move(box["x"] + end[0], box["y"] + end[1], steps=10)
        page.mouse.up()
    wait_until_settled(page)
    assert page.evaluate(AXIS_RANGES_JS) == ranges
    assert link_range(page) == zoomed
    # Plotly alone would only clear its (already empty) selection: the studio must follow.
    page.locator(PLOT_AREA).first.dblclick(position={"x": box["width"] * 0.6, "y": 50})
    page.wait_for_function("() => !new URL(location.href).searchParams.has('from')")
    wait_until_settled(page)
    assert page.get_by_role("spinbutton", name="From step").input_value() == "0"
    assert page.get_by_role("spinbutton", name="To step").input_value() == str(int(full[-1]))
    # Sampled again over every step, exactly as on the first screen.
    page.wait_for_function(
        """first => { const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
                      return gd._fullData[0].x[0] === first; }""",
        arg=full[0],
    )
    assert drawn_steps(page) == full
    page.context.close()


def _draw_family(page, expected: list[str]) -> None:
    """Pick alpha, type the values and draw; returns once the legend lists exactly `expected`."""
    picker = page.get_by_role("combobox", name="Argument")
    option = page.get_by_role("option", name="alpha", exact=True)
    for _ in range(5):  # a click that lands while the panel is redrawn leaves the list closed
        picker.click()
        # Streamlit's selectbox filters its options by what is typed; Enter takes the first.
        page.keyboard.type("alpha")
        try:
            option.wait_for(timeout=5000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            wait_until_settled(page)
    else:
        raise AssertionError("the Argument list never offered alpha")
    page.keyboard.press("Enter")
    values = page.get_by_role("textbox", name="Values")
    values.fill("0, 0.05, 0.1, 0.2")
    values.press("Enter")
    wait_until_settled(page)
    page.get_by_role("button", name="Draw the family").click()
    # Plotly redraws asynchronously: wait until the legend lists exactly the family.
    page.wait_for_function(
        "names => JSON.stringify([...document.querySelectorAll("
        "'[data-testid=\"stPlotlyChart\"] .legendtext')].map(n => n.textContent))"
        " === JSON.stringify(names)",
        arg=expected,
        timeout=15_000,
    )


def test_a_sweep_of_alpha_draws_its_family_on_the_chart(browser, app_url):
    page = open_page(browser, app_url, 1280, 800)
    page.get_by_text("Sweep an argument").click()
    wait_until_settled(page)
    expected = ["warmup_cosine", "alpha = 0.0", "alpha = 0.05", "alpha = 0.1", "alpha = 0.2"]
    for attempt in range(3):  # under load a keypress or click can land while the panel redraws
        try:
            _draw_family(page, expected)
            break
        except PlaywrightTimeout:
            legend = page.locator('[data-testid="stPlotlyChart"] .legendtext').all_inner_texts()
            if attempt == 2:
                raise AssertionError(f"legend {legend}, URL {page.url}") from None
            wait_until_settled(page)
    assert page.locator(CHART_LINE).count() == 5
    page.wait_for_function(
        "() => new URL(location.href).searchParams.get('sw') === 'alpha:0.0,0.05,0.1,0.2'"
    )
    base = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    last = page.evaluate(
        """() => { const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
                   const t = gd._fullData.find(d => d.name === 'alpha = 0.2');
                   return [Array.from(t.x), Array.from(t.y)]; }"""
    )
    steps = np.array(last[0], dtype=np.int64)
    exact = np.asarray(base.replace(alpha=0.2)(steps), dtype=np.float32)
    np.testing.assert_array_equal(np.array(last[1], dtype=np.float32), exact)
    page.context.close()
