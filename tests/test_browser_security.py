"""Hostile configuration names in a real browser: shown as text everywhere, never run as markup.

Configuration names are user text that travels in share links and imported JSON, and the page
shows them in Plotly (legend, hover, subplot titles, axis titles) and in Streamlit Markdown
(list buttons, titles, expanders, captions). Each test opens the studio with hostile names and
checks that no element the names spell exists, no dialog opens, and the literal name is shown.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from browser_support import wait_until_settled
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

import lrviz
from lrviz import payloads
from lrviz import state as ss
from lrviz.dropped_link import NOTICE_ID
from lrviz.i18n import t
from lrviz.literal import WORD_JOINER
from lrviz.page.live_drag import css_class
from lrviz.page.session import widget_key
from lrviz.share import Entry, SharedState, build_link, decode_state

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 1000}
HTML_NAMES = (
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<script>alert(1)</script>",
    "<b>bold</b>",
    "<svg onload=alert(1)>",
)
MARKDOWN_NAMES = ("[click](javascript:alert(1))", ":red[x]", "$$x$$")
COMBINED = "<b>bold</b> [click](javascript:alert(1)) :red[x] $$x$$ <img src=x onerror=alert(1)>"
NAMES = (*HTML_NAMES, *MARKDOWN_NAMES, COMBINED)
HIDDEN = ":gray[x]] <b>bold</b> :red[x]"
BROKEN = "<img src=x onerror=alert(1)> :red[x]"
HOVER_STEP = 5000
# One hover's wait for its label before the mouse moves away and back.
HOVER_TRY = 3_000
# Generous: the first render waits for Plotly's bundle, slow on a busy 2-core machine.
TIMEOUT = 90_000
SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MARKDOWN = '[data-testid="stMarkdownContainer"]'

# Everything the hostile names would create if any of them were read as HTML or Markdown.
INJECTED_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) found.push(`${el.tagName}[${attr.name}]`);
      if (/href$/i.test(attr.name) && /^\\s*javascript:/i.test(attr.value))
        found.push(`${el.tagName}[${attr.name}=${attr.value}]`);
    }
  }
  for (const el of document.querySelectorAll('img[src="x"]')) found.push('img[src=x]');
  for (const el of document.querySelectorAll('script'))
    if (el.textContent.includes('alert')) found.push('script alert');
  for (const el of document.querySelectorAll('b, strong'))
    if (el.textContent.trim() === 'bold') found.push(`${el.tagName} bold`);
  for (const el of document.querySelectorAll('a'))
    if (['x', 'click'].includes(el.textContent.trim())) found.push(`a ${el.textContent}`);
  for (const el of document.querySelectorAll('.stMarkdownColoredText'))
    if (el.textContent.trim() === 'x') found.push(`coloured text ${el.textContent}`);
  for (const el of document.querySelectorAll('.katex annotation'))
    if (el.textContent.trim() === 'x') found.push('LaTeX x');
  return found;
}"""
CHART = ".st-key-chart"
LEGEND_JS = (
    "() => [...document.querySelectorAll('.st-key-chart .legend .legendtext')]"
    ".map(n => n.textContent)"
)


def _config(name: str, peak: float) -> dict:
    """A CosineDecay with warmup to `peak` (distinct peaks keep the curves apart for hovering)."""
    config = lrviz.default_config("CosineDecay")
    config["config"].update(name=name, warmup_target=peak)
    return lrviz.from_keras(config).to_keras()


def _peak(index: int) -> float:
    return 0.001 * (index + 1)


def _link(base: str) -> str:
    """A share link to every hostile name and one hidden, the combined one selected and the
    difference mode's reference, plus a broken configuration whose name the link notice quotes."""
    entries = [Entry(_config(name, _peak(i))) for i, name in enumerate(NAMES)]
    entries.append(Entry(_config(HIDDEN, 0.5), visible=False))
    broken = _config(BROKEN, 0.5)
    broken["config"]["decay_steps"] = -5
    entries.append(Entry(broken))
    selected = NAMES.index(COMBINED)
    return build_link(SharedState(tuple(entries), selected, {"ref": selected}), base)


def _open(browser, url: str, legend: int = len(NAMES)):
    """A page at `url` once its chart shows `legend` legend entries; its dialogs are recorded."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    _wait_for_legend(page, legend)
    return page


def _wait_for_legend(page, count: int) -> None:
    page.wait_for_function(f"n => ({LEGEND_JS})().length === n", arg=count)
    _settle(page)


def _settle(page) -> None:
    """Wait until the current run is over: no status widget, no element left from the last run."""
    wait_until_settled(page, TIMEOUT)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def assert_shown_as_text(page) -> None:
    assert page.evaluate(INJECTED_JS) == []
    assert page.dialogs == []


def _text(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.textContent)")


def _open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    _settle(page)


def _switch_mode(page, label: str, drawn: str) -> None:
    """Pick a chart mode and wait until the chart has `drawn` (a JS condition)."""
    page.locator(".st-key-view-mode label").filter(has_text=label).click()
    page.wait_for_function(drawn)
    _settle(page)


def _overlay(page) -> None:
    _switch_mode(page, "Overlay", f"() => ({LEGEND_JS})().length === {len(NAMES)}")


def _list_button(index: int) -> str:
    """The list button that selects the configuration with id `index`."""
    return f".{css_class(widget_key(index, 'list', 'select'))} button"


def _select(page, index: int) -> None:
    """Select the configuration at `index` (its list button) and wait for the page to redraw."""
    page.locator(_list_button(index)).first.click()
    page.wait_for_function(
        "name => [...document.querySelectorAll('h3')].some(h => h.textContent === 'Edit: ' + name)",
        arg=NAMES[index],
    )
    _settle(page)


@pytest.fixture(scope="module")
def hostile(browser, app_url):
    """One page opened from a link to the hostile names (overlay mode), shared by the tests."""
    page = _open(browser, _link(app_url))
    yield page
    page.context.close()


# ---------------------------------------------------------------------------------------------
# Plotly
# ---------------------------------------------------------------------------------------------


def test_legend_shows_every_name_as_its_literal_text(hostile):
    assert hostile.evaluate(LEGEND_JS) == list(NAMES)
    assert_shown_as_text(hostile)


def _hover_label(page, step: int, value: float):
    """Hover the chart at (`step`, `value`) until Plotly shows a hover label; return the label.

    The point's pixel position is read afresh on each try: a relayout (the page settling its
    width on a busy machine) moves the axes and clears the hover layer, so a single hover can
    miss where a user would simply move the mouse again.
    """
    plot = page.locator(f"{CHART} .js-plotly-plot")
    label = page.locator(f"{CHART} .hoverlayer .hovertext text.name")
    deadline = time.monotonic() + TIMEOUT / 1000
    while True:
        x, y = plot.evaluate(
            """(plot, [step, value]) => {
              const {xaxis, yaxis} = plot._fullLayout;
              return [xaxis._offset + xaxis.l2p(step), yaxis._offset + yaxis.l2p(value)];
            }""",
            [step, value],
        )
        page.mouse.move(0, 0)
        plot.hover(position={"x": x, "y": y}, force=True)
        try:
            label.wait_for(timeout=HOVER_TRY)
            return label
        except PlaywrightTimeoutError:
            if time.monotonic() > deadline:
                raise


def test_hovering_a_curve_shows_its_name_as_text(hostile):
    for index, name in enumerate(NAMES):
        value = float(lrviz.from_keras(_config(name, _peak(index)))(np.array([HOVER_STEP]))[0])
        label = _hover_label(hostile, HOVER_STEP, value)
        assert label.text_content() == name
        assert_shown_as_text(hostile)
        hostile.mouse.move(0, 0)
        label.wait_for(state="detached")


def test_modebar_image_file_name_is_safe(hostile):
    hostile.locator(CHART).hover()
    with hostile.expect_download() as info:
        hostile.locator(f'{CHART} .modebar-btn[data-title^="Download plot"]').click()
    name = info.value.suggested_filename
    assert SAFE_FILE_NAME.fullmatch(name), name
    assert name == payloads.file_name(COMBINED, "png")


def test_side_by_side_subplot_titles_show_names_as_text(hostile):
    _switch_mode(hostile, "Side by side", f"() => !({LEGEND_JS})().length")
    try:
        titles = _text(hostile, f"{CHART} .annotation-text")
        assert [name for name in NAMES if name not in titles] == []
        assert_shown_as_text(hostile)
    finally:
        _overlay(hostile)


def test_difference_mode_shows_the_reference_name_as_text(hostile):
    drawn = "() => document.querySelector('.st-key-chart .ytitle')?.textContent.includes('minus')"
    _switch_mode(hostile, "Difference", drawn)
    try:
        assert _text(hostile, f"{CHART} .ytitle") == [f"learning rate minus {COMBINED}"]
        caption = hostile.locator('[data-testid="stCaptionContainer"]').filter(
            has_text="Each curve minus the reference"
        )
        assert (
            caption.text_content()
            == f"Each curve minus the reference {COMBINED} at the same steps."
        )
        assert hostile.locator(".st-key-view-ref input").input_value() == COMBINED
        assert_shown_as_text(hostile)
        assert hostile.evaluate(LEGEND_JS) == list(NAMES)
    finally:
        _overlay(hostile)


# ---------------------------------------------------------------------------------------------
# Streamlit Markdown, tables, tabs
# ---------------------------------------------------------------------------------------------


def test_configuration_list_shows_every_name_as_its_literal_text(hostile):
    for index, name in enumerate((*NAMES, HIDDEN)):
        text = hostile.locator(_list_button(index)).first.text_content()
        # " ⚠": such names get the finding that TensorFlow refuses them as scope names.
        assert text.strip().removesuffix(" ⚠") == f"⬤ {name}", text
    assert_shown_as_text(hostile)


def test_link_notice_quotes_the_broken_configuration_name_as_text(hostile):
    notice = hostile.locator('[data-testid="stAlert"]').filter(has_text="was not opened")
    assert f"({BROKEN})" in notice.text_content()
    assert_shown_as_text(hostile)


def test_step_table_shows_every_name_as_its_literal_text(hostile):
    # The learning rate of every configuration at the cursor's step, a Markdown table.
    names = _text(hostile, ".st-key-at-table table tbody td:first-child")
    assert names == [*NAMES, HIDDEN]
    assert_shown_as_text(hostile)


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_selected_name_is_text_in_titles_expanders_and_export_and_safe_in_file_names(
    hostile, index
):
    name = NAMES[index]
    _select(hostile, index)
    expanders = _text(hostile, f'[data-testid="stExpander"] summary {MARKDOWN}')
    assert f"Marked points of {name}" in expanders
    assert any(e.startswith(f"Formula of {name} at step") for e in expanders), expanders
    image = hostile.locator(f"{CHART} .js-plotly-plot").evaluate(
        "plot => plot._context.toImageButtonOptions.filename"
    )
    assert f"{image}.png" == payloads.file_name(name, "png")
    assert SAFE_FILE_NAME.fullmatch(image), image
    _open_tab(hostile, "Export")
    assert name in _text(hostile, f'[data-testid="stTabPanel"] {MARKDOWN} strong')
    # The code is built when its panel opens (a rerun): wait for each block to arrive.
    panels = hostile.locator('[data-testid="stTabPanel"] [data-testid="stExpander"]')
    for panel in ("Keras JSON", "Python"):
        expander = panels.filter(has_text=panel)
        if expander.locator('[data-testid="stCode"]').count() == 0:  # the page is shared: once
            expander.locator("summary").click()
            expander.locator('[data-testid="stCode"]').wait_for()
        _settle(hostile)
    codes = _text(hostile, '[data-testid="stCode"]')
    assert any(f'"name": {json.dumps(name, ensure_ascii=False)},' in c for c in codes), codes
    assert any(f"    name={name!r}," in c for c in codes), codes
    hostile.get_by_role("button", name="Download JSON").click()
    wait_until_settled(hostile)
    with hostile.expect_download() as info:
        hostile.get_by_role("button", name="Download Keras JSON").click()
    download = info.value.suggested_filename
    assert SAFE_FILE_NAME.fullmatch(download), download
    assert download == payloads.file_name(name, "json")
    assert_shown_as_text(hostile)


def test_share_panel_shows_a_link_that_reopens_the_same_names(hostile):
    # The share link sits in a popover ("Share") beside the chart options.
    hostile.get_by_role("button", name="Share", exact=True).click()
    _settle(hostile)
    link = hostile.locator('[data-testid="stCode"]').filter(has_text="?v=1").text_content()
    query = parse_qs(urlsplit(link.strip()).query)
    decoded = decode_state(query, ss.VIEW_TYPES).state
    assert [e.config["config"]["name"] for e in decoded.entries] == [*NAMES, HIDDEN]
    assert_shown_as_text(hostile)
    hostile.keyboard.press("Escape")


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


def test_imported_names_are_shown_as_text(browser, app_url):
    page = _open(browser, app_url, legend=1)
    try:
        text = json.dumps([_config(name, _peak(i)) for i, name in enumerate(NAMES)])
        _open_tab(page, "Import")
        page.locator(".st-key-import-text textarea").fill(text)
        page.locator(".st-key-import-open button").click()
        _wait_for_legend(page, len(NAMES) + 1)
        assert page.evaluate(LEGEND_JS)[1:] == list(NAMES)
        for index, name in enumerate(NAMES, start=1):
            text = page.locator(_list_button(index)).first.text_content()
            assert text.strip().removesuffix(" ⚠") == f"⬤ {name}", text
        assert_shown_as_text(page)
    finally:
        page.context.close()


# ---------------------------------------------------------------------------------------------
# Markdown images and GitHub autolinks (issue #18)
# ---------------------------------------------------------------------------------------------

TRAP = "127.0.0.1:9"  # nothing listens there; a request to it is the injection working
AUTOLINKS = f"http://{TRAP}/auto www.evil.example me@evil.example"
# Links or images the autolinks and the pasted image would create.
TRAP_JS = """trap => [...document.querySelectorAll('a[href], img[src]')]
  .map(n => n.getAttribute('href') || n.getAttribute('src'))
  .filter(u => u.includes(trap) || u.includes('evil.example'))"""


def test_an_import_error_quoting_a_markdown_image_fetches_nothing(browser, app_url):
    page = _open(browser, app_url, legend=1)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        value = f"![PWN](http://{TRAP}/x) {AUTOLINKS}"
        config = {"class_name": "CosineDecay", "config": {"initial_learning_rate": value}}
        _open_tab(page, "Import")
        page.locator(".st-key-import-text textarea").fill(json.dumps(config))
        page.locator(".st-key-import-open button").click()
        alert = page.locator('[data-testid="stAlertContentError"]')
        alert.wait_for()
        _settle(page)
        shown = alert.text_content().replace(WORD_JOINER, "")
        assert f'"![PWN](http://{TRAP}/x) {AUTOLINKS}"'[:40] in shown
        assert page.evaluate(TRAP_JS, TRAP) == []
        assert [url for url in requested if TRAP in url] == []
        assert_shown_as_text(page)
    finally:
        page.context.close()


def test_bare_urls_in_a_name_are_not_links_anywhere(browser, app_url):
    link = build_link(SharedState((Entry(_config(AUTOLINKS, 0.001)),), 0, {}), app_url)
    page = _open(browser, link, legend=1)
    try:
        text = page.locator(_list_button(0)).first.text_content()
        # " ⚠": the name gets the finding that TensorFlow refuses it as a scope name.
        shown = text.strip().replace(WORD_JOINER, "").removesuffix(" ⚠")
        assert shown == f"⬤ {AUTOLINKS}"
        for tab in ("Export", "Import"):
            _open_tab(page, tab)
            assert page.evaluate(TRAP_JS, TRAP) == []
        assert_shown_as_text(page)
    finally:
        page.context.close()


# ---------------------------------------------------------------------------------------------
# Links Streamlit drops unread (issue #18)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "shown"), [(1000, True), (998, False)])
def test_a_link_with_over_1000_parameters_opens_with_a_notice(browser, app_url, extra, shown):
    """The link's own two parameters (v, c) plus `extra`: Streamlit reads at most 1,000."""
    link = build_link(SharedState((Entry(_config("many", 0.001)),), 0, {}), app_url)
    url = link + "".join(f"&x{i}=1" for i in range(extra))
    page = _open(browser, url, legend=1)
    try:
        notice = page.locator(f"#{NOTICE_ID}")
        if shown:
            notice.wait_for(state="visible")
            assert notice.text_content() == t("link.dropped", "en").replace(
                "{count}", f"{extra + 2:,}"
            )
            assert page.evaluate(LEGEND_JS) == [ss.starter_studio().entries[0].name]
        else:
            assert page.locator(f"#{NOTICE_ID}:visible").count() == 0
            assert page.evaluate(LEGEND_JS) == ["many"]
    finally:
        page.context.close()
