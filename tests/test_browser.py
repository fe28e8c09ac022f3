"""The studio in a real browser: Streamlit server + Debian's chromium driven by Playwright."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from browser_support import (
    CHART_LINE,
    chart_paths,
    wait_for_chart,
    wait_until_settled,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

import lrviz
from lrviz.page import frame_route
from lrviz.page.live_drag import css_class
from lrviz.page.session import widget_key

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    opened = context.new_page()
    opened.goto(app_url)
    wait_for_chart(opened)
    wait_until_settled(opened)
    yield opened
    context.close()


LEGEND_JS = (
    "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .legend .legendtext')]"
    ".map(n => n.textContent)"
)


def legend_names(page) -> list[str]:
    return page.evaluate(LEGEND_JS)


def wait_for_legend(page, names: list[str]) -> None:
    """Wait until the chart's legend lists exactly `names` (Plotly redraws asynchronously)."""
    page.wait_for_function(
        f"names => JSON.stringify(({LEGEND_JS})()) === JSON.stringify(names)", arg=names
    )


def test_moving_a_slider_redraws_the_chart(page):
    before = chart_paths(page)
    slider = page.get_by_role("slider", name="warmup_steps slider")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "before => JSON.stringify([...document.querySelectorAll("
        "'.scatterlayer .trace path.js-line')].map(p => p.getAttribute('d'))) !== before",
        arg=json.dumps(before),
    )
    assert chart_paths(page) != before
    # The chart is written first; the exact entry beside the slider follows within the run.
    exact = page.get_by_role("spinbutton", name="warmup_steps exact value")
    expect(exact).to_have_value("1200")


def test_downloaded_keras_json_loads_in_keras_and_gives_the_plotted_curve(page, tmp_path: Path):
    from keras_oracle import keras_schedule, keras_serialize, keras_values

    open_download_menu(page, "Download JSON")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Keras JSON").click()
    download = info.value
    assert download.suggested_filename == "warmup_cosine.json"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    config = json.loads(target.read_text())
    assert keras_serialize(keras_schedule(config)) == config
    steps = np.array([0, 500, 1000, 5000, 10_000, 10_500])
    engine = lrviz.from_keras(config)
    np.testing.assert_array_equal(keras_values(config, steps).astype(np.float32), engine(steps))


def open_download_menu(page, menu: str) -> None:
    """Open a "Download" popover (its buttons are built only while it is open)."""
    page.get_by_role("button", name=menu).click()
    wait_until_settled(page)


def _downloaded(page, button: str, tmp_path: Path, menu: str = "Download JSON") -> str:
    if not page.get_by_role("button", name=button).is_visible():
        open_download_menu(page, menu)
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_text("utf-8")


def test_downloads_after_edits_and_chart_reruns_hold_what_is_shown_and_log_no_errors(
    page, tmp_path: Path
):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    slider = page.get_by_role("slider", name="warmup_steps slider")
    exact = page.get_by_role("spinbutton", name="warmup_steps exact value")
    open_download_menu(page, "Download JSON")
    for _ in range(3):  # full reruns while the menu is open, each replacing its files
        shown = exact.input_value()
        slider.focus()
        page.keyboard.press("ArrowRight")
        expect(exact).not_to_have_value(shown)  # the rerun has written the new value
        wait_until_settled(page)
    warmup = int(exact.input_value())
    assert warmup > 1000
    config = json.loads(_downloaded(page, "Download Keras JSON", tmp_path))
    assert config["config"]["warmup_steps"] == warmup
    # A chart-only rerun (the cursor lives in the chart's fragment) keeps every download valid.
    cursor = page.get_by_role("slider", name="Move the cursor")
    cursor.focus()
    page.keyboard.press("ArrowRight")
    wait_until_settled(page)
    listed = json.loads(_downloaded(page, "Download all (1) as a JSON list", tmp_path))
    assert listed == [config]
    csv = _downloaded(page, "Download plotted values (CSV)", tmp_path, "Download CSV")
    csv = csv.splitlines()
    header, rows = csv[0].split(","), [line.split(",") for line in csv[1:]]
    assert header == ["step", config["config"]["name"]]
    steps = np.array([int(row[0]) for row in rows])
    assert steps[0] == 0 and warmup in steps
    values = np.array([np.float32(row[1]) for row in rows], dtype=np.float32)
    np.testing.assert_array_equal(values, lrviz.from_keras(config)(steps))
    assert errors == []


def test_a_share_link_opens_the_same_configurations_in_a_fresh_page(page, browser):
    names = ["warmup_cosine", "step_decay"]
    page.get_by_role("button", name="Compare with an example").click()
    wait_for_legend(page, names)
    wait_until_settled(page)
    page.wait_for_function("() => location.search.includes('c=')")
    link = page.url
    paths = chart_paths(page)

    fresh_context = browser.new_context(viewport=VIEWPORT)
    try:
        fresh = fresh_context.new_page()
        fresh.goto(link)
        wait_for_chart(fresh)
        wait_for_legend(fresh, names)
        wait_until_settled(fresh)
        assert legend_names(fresh) == names
        assert chart_paths(fresh) == paths
    finally:
        fresh_context.close()


def choose(page, picker: str, option: str) -> None:
    """Pick `option` in the selectbox `picker` (a click on a focused one may leave it closed)."""
    page.get_by_role("combobox", name=picker).click()
    listed = page.get_by_role("option", name=option)
    try:
        listed.wait_for(timeout=2000)
    except PlaywrightTimeout:
        page.keyboard.press("ArrowDown")
    listed.click()


X_TITLE_JS = "() => document.querySelector('[data-testid=\"stPlotlyChart\"] .xtitle').textContent"


def test_after_switching_language_on_the_page_the_chart_options_keep_working(page):
    # Streamlit sends a radio's value back as its label: a label from before the switch must
    # not reach the view ("Steps" is no x unit, and the next run used to crash).
    switches = (("Language", "繁體中文", "第 N 步", "步數"), ("語言", "English", "Step N", "step"))
    for picker, language, step_label, steps in switches:
        choose(page, picker, language)
        wait_until_settled(page)
        entry = page.get_by_role("spinbutton", name=step_label)
        entry.fill("2000" if language == "English" else "3000")
        entry.press("Enter")
        wait_until_settled(page)
        page.wait_for_function(f"steps => ({X_TITLE_JS})() === steps", arg=steps)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate(X_TITLE_JS) == steps


def upload(page, path: Path) -> None:
    """Choose `path` in the Import tab's file uploader."""
    page.get_by_role("tab", name="Import").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))


def test_an_uploaded_keras_model_and_an_exact_mebibyte_of_json_are_drawn(page, tmp_path: Path):
    from keras_oracle import keras

    schedule = keras.optimizers.schedules.CosineDecay(1e-3, 2000, name="run7_cosine")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule), loss="mse")
    model.save(tmp_path / "run7.keras")
    before = chart_paths(page)

    upload(page, tmp_path / "run7.keras")
    wait_for_legend(page, ["warmup_cosine", "run7_cosine"])
    wait_until_settled(page)
    assert len(chart_paths(page)) == len(before) + 1
    note = page.locator('[data-testid="stAlertContentInfo"]', has_text="run7_cosine")
    expect(note).to_contain_text(
        "Opened “run7_cosine” from the learning_rate of Adam in run7.keras."
    )

    # Exactly 1 MiB, what paste and the CLI accept: the uploader used to refuse it.
    text = json.dumps(
        {
            **lrviz.default_config("ExponentialDecay"),
            "config": {**lrviz.default_config("ExponentialDecay")["config"], "name": "exact_mib"},
        }
    )
    (tmp_path / "exact.json").write_text(text + " " * (1024 * 1024 - len(text)))
    upload(page, tmp_path / "exact.json")
    wait_for_legend(page, ["warmup_cosine", "run7_cosine", "exact_mib"])
    assert page.locator('[data-testid="stException"]').count() == 0


PLOT = '[data-testid="stPlotlyChart"] .js-plotly-plot'
# Records every drawn state of the chart (once per animation frame, when a curve's path `d`
# changed): its time and the starter curve's x and y as Plotly holds them.
RECORD_FRAMES_JS = f"""() => {{
  window.__frames = [];
  let last = null;
  const plain = v => (v && ArrayBuffer.isView(v)) ? Array.from(v) : v;
  const tick = () => {{
    const paths = Array.from(document.querySelectorAll('{CHART_LINE}'), p => p.getAttribute('d'));
    const now = paths.join('|');
    const gd = document.querySelector('{PLOT}');
    const curve = gd && gd.data && gd.data.find(t => t.name === 'warmup_cosine' && t.mode === 'lines');
    if (now !== last && curve) {{
      last = now;
      window.__frames.push({{t: performance.now(), x: plain(curve.x), y: plain(curve.y)}});
    }}
    requestAnimationFrame(tick);
  }};
  requestAnimationFrame(tick);
}}"""
WARMUP_SLIDER = "." + css_class(widget_key(0, "warmup_steps", "slider"))
FRAME_ROUTE = frame_route.PATH
THUMB_JS = (
    f"() => {{ const r = document.querySelector('{WARMUP_SLIDER} input[type=range]');"
    " const b = r.parentElement.parentElement.getBoundingClientRect();"
    " return [b.x + b.width / 2, b.y + b.height / 2]; }"
)


def plotly_array(value) -> np.ndarray:
    """A Plotly array as numpy: `{dtype, bdata}` (plotly.py's binary form) or a list."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.array(value, dtype=np.float64)


def frames_over(page, path: str) -> list[int]:
    """Send the page's live-drag frames over `path`: "http" (the frame route `server.py` serves)
    or "websocket" (the route answers 404, as a server without it or another replica would, so
    the follower falls back to fragment runs). Returns the route's answers' statuses, as they
    come."""
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if FRAME_ROUTE in r.url else None)
    if path == "websocket":
        page.route(f"**{FRAME_ROUTE}*", lambda route: route.fulfill(status=404))
    return statuses


@pytest.mark.parametrize("path", ["http", "websocket"])
def test_quick_drags_settle_the_whole_page_on_the_value_released(page, path):
    # A release can reach Streamlit in the same batch of widget changes as the live drag's last
    # frame; Streamlit then reruns only the frame's fragment. The editor's exact entry (outside
    # every fragment) and the link must still follow each released value.
    frames_over(page, path)
    page.locator(WARMUP_SLIDER).scroll_into_view_if_needed()
    exact = page.get_by_role("spinbutton", name="warmup_steps exact value")
    slider = page.locator(f"{WARMUP_SLIDER} input[type=range]")
    for move in (70, -35, 50, -60, 25):
        x, y = page.evaluate(THUMB_JS)
        link = page.url
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + move, y, steps=4)
        page.mouse.up()
        wait_until_settled(page)
        released = slider.get_attribute("aria-valuetext").replace(",", "")
        expect(exact).to_have_value(released)
        page.wait_for_function("(before) => location.href !== before", arg=link)


@pytest.mark.parametrize("path", ["http", "websocket"])
def test_dragging_a_slider_redraws_the_chart_live_and_release_settles_on_the_link(
    page, browser, path
):
    from lrviz import state as ss

    statuses = frames_over(page, path)
    page.locator(WARMUP_SLIDER).scroll_into_view_if_needed()
    exact = page.get_by_role("spinbutton", name="warmup_steps exact value")
    expect(exact).to_have_value("1000")
    page.evaluate(RECORD_FRAMES_JS)
    x, y = page.evaluate(THUMB_JS)
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(x + 8 * step, y)
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    during = page.evaluate("window.__frames.length")
    # Only the chart reran: the rest of the page (the exact entry) still shows the old value.
    expect(exact).to_have_value("1000")
    page.mouse.up()
    expect(exact).not_to_have_value("1000")
    wait_until_settled(page)
    page.wait_for_function("() => location.search.includes('c=')")
    page.wait_for_timeout(1000)  # no stale frame may land after the release's run
    frames = page.evaluate("window.__frames")
    assert during >= 4, f"the chart changed {during - 1} times during the drag"
    if path == "http":  # every frame came over the route, none needed a run
        assert len(statuses) >= during - 1 and set(statuses) == {200}
    else:  # the route failed once, and the drag went on through the websocket
        assert statuses == [404]

    # Every live frame is the engine's exact curve for one of the slider's values.
    starter = ss.starter_studio().entries[0]
    spec = lrviz.SCHEDULES["CosineDecay"].param("warmup_steps")
    candidates = {w: starter.schedule().replace(warmup_steps=w) for w in ss.slider_grid(spec, 1000)}
    seen = set()
    for frame in frames[:during]:
        steps = plotly_array(frame["x"]).astype(np.int64)
        values = plotly_array(frame["y"]).astype(np.float32)
        exact_for = [w for w, s in candidates.items() if np.array_equal(s(steps), values)]
        assert exact_for, "a frame drawn during the drag is no slider value's exact curve"
        seen.add(exact_for[0])
    assert len(seen) >= 4

    # The settled page equals a fresh load of its own link, and nothing drew after it.
    settled = chart_paths(page)
    link = page.url
    fresh_context = browser.new_context(viewport=VIEWPORT)
    try:
        fresh = fresh_context.new_page()
        fresh.goto(link)
        wait_for_chart(fresh)
        wait_until_settled(fresh)
        assert chart_paths(fresh) == settled
        expect(fresh.get_by_role("spinbutton", name="warmup_steps exact value")).to_have_value(
            exact.input_value()
        )
    finally:
        fresh_context.close()
    last = frames[-1]
    shown = int(exact.input_value())
    steps = plotly_array(last["x"]).astype(np.int64)
    np.testing.assert_array_equal(
        plotly_array(last["y"]).astype(np.float32), candidates[shown](steps)
    )
    assert chart_paths(page) == settled


def test_a_new_page_shows_its_chart_before_the_rest_of_the_page(browser, app_url):
    # server.py's first run waits after the chart until the browser has drawn it
    # (lrviz.page.first_chart): the chart is not held back behind the ~100 elements below and
    # beside it. Each is stamped in the page when it first appears.
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(
        "(() => { const seen = (window.__seen = {});"
        f" const watch = {{chart: '{CHART_LINE}', editor: '{WARMUP_SLIDER} input[type=range]'}};"
        " new MutationObserver(() => { for (const [name, selector] of Object.entries(watch))"
        " if (!(name in seen) && document.querySelector(selector)) seen[name] = performance.now();"
        " }).observe(document, {childList: true, subtree: true, attributes: true}); })()"
    )
    try:
        fresh = context.new_page()
        fresh.goto(app_url)
        wait_for_chart(fresh)
        fresh.wait_for_function("() => 'editor' in window.__seen")
        seen = fresh.evaluate("window.__seen")
    finally:
        context.close()
    assert seen["chart"] < seen["editor"], seen
