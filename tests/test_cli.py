"""The `lrviz` command: CSV values equal the engine's, charts plot them, links open the configs,
errors exit 2."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly_support import plotly_array as _array

import lrviz
from lrviz import figures
from lrviz.cli import run
from lrviz.export_image import ImageExportUnavailable, figure_image
from lrviz.i18n import t
from lrviz.share import decode_state
from lrviz.state import VIEW_TYPES, View, from_link


@pytest.fixture
def config_files(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps(lrviz.default_config("CosineDecay")))
    many = tmp_path / "many.json"
    many.write_text(
        json.dumps(
            [
                lrviz.default_config("ExponentialDecay"),
                lrviz.default_config("PiecewiseConstantDecay"),
            ]
        )
    )
    return one, many


def test_eval_prints_a_step_column_and_one_exact_column_per_config(config_files, capsys):
    assert run(["eval", str(config_files[0]), str(config_files[1]), "--steps", "0:10001:250"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    steps = np.arange(0, 10001, 250)
    assert list(table.columns) == ["step", "warmup_cosine", "exponential", "step_decay"]
    np.testing.assert_array_equal(table["step"], steps)
    for column, class_name in zip(
        table.columns[1:], ["CosineDecay", "ExponentialDecay", "PiecewiseConstantDecay"]
    ):
        expected = lrviz.from_keras(lrviz.default_config(class_name))(steps)
        np.testing.assert_array_equal(table[column].to_numpy(np.float32), expected)


def test_duplicate_names_get_distinct_columns(config_files, capsys):
    run(["eval", str(config_files[0]), str(config_files[0]), "--steps", "0:2"])
    header = capsys.readouterr().out.splitlines()[0]
    assert header == "step,warmup_cosine,warmup_cosine (2)"


def test_link_opens_the_same_configs(config_files, capsys):
    assert run(["link", str(config_files[1]), "--base", "http://example.test:9000/app"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://example.test:9000/app?")
    decoded = decode_state(parse_qs(urlsplit(url).query))
    assert not decoded.notices
    assert [e.config for e in decoded.state.entries] == [
        lrviz.default_config("ExponentialDecay"),
        lrviz.default_config("PiecewiseConstantDecay"),
    ]


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_link_lang_opens_the_app_in_that_language(config_files, capsys, lang):
    assert run(["link", str(config_files[0]), "--lang", lang]) == 0
    params = parse_qs(urlsplit(capsys.readouterr().out.strip()).query)
    studio, messages = from_link(params, decode_state(params, VIEW_TYPES))
    assert messages == []
    assert studio.view.lang == lang
    assert [e.config for e in studio.entries] == [lrviz.default_config("CosineDecay")]


def test_link_without_lang_leaves_the_language_to_the_reader(config_files, capsys):
    assert run(["link", str(config_files[0])]) == 0
    params = parse_qs(urlsplit(capsys.readouterr().out.strip()).query)
    assert "lang" not in params  # the app then follows the browser's Accept-Language


# PolynomialDecay(0.01, 1000, end_learning_rate=0.0, power=0.9): eager 0.0 from step 1000,
# NaN from step 1000 under JAX `fit` (tests/test_compiled_parity.py checks it with jitted Keras).
POLY_NAN = {
    "class_name": "PolynomialDecay",
    "config": {
        "initial_learning_rate": 0.01,
        "decay_steps": 1000,
        "end_learning_rate": 0.0,
        "power": 0.9,
        "name": "poly",
    },
}


@pytest.fixture
def poly_nan(tmp_path):
    path = tmp_path / "poly.json"
    path.write_text(json.dumps(POLY_NAN))
    return str(path)


def test_eval_run_compiled_prints_the_compiled_values_nan_as_empty(poly_nan, capsys):
    assert run(["eval", poly_nan, "--steps", "990:1010", "--run", "compiled"]) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(out))
    steps = np.arange(990, 1010)
    compiled = lrviz.from_keras(POLY_NAN).compiled()(steps)
    np.testing.assert_array_equal(table["poly"].to_numpy(np.float32), compiled)
    assert np.isnan(compiled[steps >= 1000]).all() and not np.isnan(compiled[steps < 1000]).any()
    assert out.splitlines()[11] == "1000,"


def test_eval_runs_eager_by_default_byte_for_byte(poly_nan, capsys):
    assert run(["eval", poly_nan, "--steps", "0:3000:7"]) == 0
    default = capsys.readouterr().out
    assert run(["eval", poly_nan, "--steps", "0:3000:7", "--run", "eager"]) == 0
    assert capsys.readouterr().out == default
    table = pd.read_csv(io.StringIO(default))
    eager = lrviz.from_keras(POLY_NAN)(np.arange(0, 3000, 7))
    np.testing.assert_array_equal(table["poly"].to_numpy(np.float32), eager)
    assert not np.isnan(eager).any()


def test_link_run_compiled_opens_the_app_on_the_compiled_path(poly_nan, capsys):
    assert run(["link", poly_nan, "--run", "compiled"]) == 0
    params = parse_qs(urlsplit(capsys.readouterr().out.strip()).query)
    studio, messages = from_link(params, decode_state(params, VIEW_TYPES))
    assert messages == []
    assert studio.view.run == "compiled"
    assert [e.config for e in studio.entries] == [lrviz.from_keras(POLY_NAN).to_keras()]
    assert run(["link", poly_nan, "--run", "eager"]) == 0
    assert "run" not in parse_qs(urlsplit(capsys.readouterr().out.strip()).query)


@pytest.mark.parametrize("command", ["eval", "link"])
def test_eval_and_link_errors_follow_lang(tmp_path, capsys, command):
    bad_config = {"class_name": "CosineDecay", "config": {"initial_learning_rate": -1.0}}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_config))
    with pytest.raises(lrviz.ConfigError) as raised:
        lrviz.from_keras(bad_config)
    steps = ["--steps", "0:10"] if command == "eval" else []
    for lang in ("en", "zh-TW"):
        assert run([command, str(bad), *steps, "--lang", lang]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        words = t("cli.file_config", lang, path=str(bad), problem=raised.value.message(lang))
        assert captured.err == f"lrviz: error: {words}\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["eval", "{missing}", "--steps", "0:10"], "cannot read"),
        (["eval", "{bad}", "--steps", "0:10"], "Did you mean `decay_steps`"),
        (["eval", "{notjson}", "--steps", "0:10"], "Not valid JSON"),
        (["eval", "{one}", "--steps", "10"], "START:STOP"),
        (["eval", "{one}", "--steps", "5:5"], "selects no step"),
        (["eval", "{one}", "--steps", "0:100000000"], "at most"),
        (["eval", "{one}", "--steps", "0:10:0"], "STEP >= 1"),
        (["eval", "{one}", "--steps", "0:10", "--run", "jit"], "invalid choice: 'jit'"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_status_2(tmp_path, config_files, args, words):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, "decay_step": 5}}
        )
    )
    notjson = tmp_path / "notjson.json"
    notjson.write_text("{oops")
    names = {
        "missing": str(tmp_path / "nope.json"),
        "bad": str(bad),
        "notjson": str(notjson),
        "one": str(config_files[0]),
    }
    argv = [a.format(**names) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "lrviz", *argv], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


# ---------------------------------------------------------------------------------------------
# lrviz plot
# ---------------------------------------------------------------------------------------------

TRICKY_NAME = "<b>Bold</b> & co"
HAS_BROWSER = bool(
    os.environ.get("BROWSER_PATH")
    or any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))
)
needs_browser = pytest.mark.skipif(
    not HAS_BROWSER, reason="image export needs a Chromium (apt-get install chromium)"
)


def _tricky_config() -> dict:
    config = lrviz.default_config("PolynomialDecay")
    config["config"]["name"] = TRICKY_NAME
    return config


def _plotted(page: str) -> tuple[list[dict], dict, dict]:
    """(data, layout, config) of the `Plotly.newPlot(id, data, layout, config)` call in a page."""
    call = re.search(r'Plotly\.newPlot\(\s*"[^"]+",\s*', page)
    assert call, "no Plotly.newPlot call in the page"
    decoder, rest, parsed = json.JSONDecoder(), page[call.end() :], []
    for _ in range(3):
        value, end = decoder.raw_decode(rest)
        parsed.append(value)
        rest = rest[end:].lstrip().removeprefix(",").lstrip()
    return parsed[0], parsed[1], parsed[2]


def _curves(data: list[dict]) -> list[dict]:
    return [trace for trace in data if trace.get("mode") == "lines"]


def _plot(tmp_path, *args: str) -> tuple[list[dict], dict, dict, str]:
    out = tmp_path / "chart.html"
    assert run(["plot", *args, "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    return (*_plotted(page), page)


def test_plot_html_is_standalone_with_plotlyjs_embedded(tmp_path, config_files):
    _, _, config, page = _plot(tmp_path, str(config_files[0]))
    assert page.startswith("<!DOCTYPE html>")
    assert "plotly.js v" in page and "Plotly.newPlot" in page
    assert not re.search(r"<script[^>]+src=", page), "the page must not load scripts from a URL"
    assert config["displaylogo"] is False
    assert config["toImageButtonOptions"]["filename"] == "chart"


def test_plot_html_y_values_are_the_engines_at_the_plotted_steps(tmp_path, config_files):
    data, layout, _, _ = _plot(tmp_path, str(config_files[0]), str(config_files[1]))
    schedules = [
        lrviz.from_keras(lrviz.default_config(c))
        for c in ("CosineDecay", "ExponentialDecay", "PiecewiseConstantDecay")
    ]
    stop = figures.auto_horizon(schedules)
    assert layout["xaxis"]["range"] == [0, stop]
    app_curves = [figures.make_curve("", s, i, stop) for i, s in enumerate(schedules)]
    app_figure = figures.overlay_figure(app_curves, View(), stop)
    curves = _curves(data)
    assert len(curves) == 3
    for trace, schedule, app_trace in zip(curves, schedules, app_figure.data):
        steps = _array(trace["x"]).astype(np.int64)
        values = _array(trace["y"])
        assert values.dtype == np.float32
        assert steps[0] == 0 and steps[-1] == stop
        np.testing.assert_array_equal(steps, np.asarray(app_trace.x, dtype=np.int64))
        np.testing.assert_array_equal(values, schedule(steps))


def test_plot_run_compiled_draws_the_compiled_curve_with_its_nan_gap(tmp_path, poly_nan):
    data, _, _, _ = _plot(tmp_path, poly_nan, "--run", "compiled", "--steps", "2000")
    (trace,) = _curves(data)
    steps = _array(trace["x"]).astype(np.int64)
    values = np.asarray(_array(trace["y"]), dtype=np.float32)  # NaN is written as null
    compiled = lrviz.from_keras(POLY_NAN).compiled()
    np.testing.assert_array_equal(values, compiled(steps))
    assert 1000 in steps.tolist() and np.isnan(values[steps >= 1000]).all()
    assert not np.isnan(values[steps < 1000]).any()
    eager, _, _, _ = _plot(tmp_path, poly_nan, "--steps", "2000")
    assert not np.isnan(np.asarray(_array(_curves(eager)[0]["y"]), dtype=np.float32)).any()


def test_plot_files_and_lists_are_coloured_in_order_like_the_app(tmp_path, config_files):
    data, _, _, _ = _plot(tmp_path, str(config_files[1]), str(config_files[0]))
    curves = _curves(data)
    assert [c["name"] for c in curves] == ["exponential", "step_decay", "warmup_cosine"]
    assert [c["line"]["color"] for c in curves] == [figures.line_style(i)[0] for i in range(3)]


def test_plot_trace_names_and_title_are_html_escaped(tmp_path):
    config = tmp_path / "tricky.json"
    config.write_text(json.dumps(_tricky_config()))
    data, layout, _, page = _plot(tmp_path, str(config), "--title", "A <i>title</i>")
    assert _curves(data)[0]["name"] == "&lt;b&gt;Bold&lt;/b&gt; &amp; co"
    assert layout["title"]["text"] == "A &lt;i&gt;title&lt;/i&gt;"
    assert "<title>A &lt;i&gt;title&lt;/i&gt;</title>" in page
    assert TRICKY_NAME not in page and "<i>title</i>" not in page


def test_plot_steps_sets_the_horizon(tmp_path, config_files):
    data, layout, _, _ = _plot(tmp_path, str(config_files[0]), "--steps", "2500")
    assert layout["xaxis"]["range"] == [0, 2500]
    steps = _array(_curves(data)[0]["x"]).astype(np.int64)
    assert steps[0] == 0 and steps[-1] == 2500


def test_plot_epochs_puts_epochs_of_that_many_steps_on_x(tmp_path, config_files):
    data, layout, _, _ = _plot(tmp_path, str(config_files[0]), "--epochs", "390")
    schedule = lrviz.from_keras(lrviz.default_config("CosineDecay"))
    trace = _curves(data)[0]
    steps = np.rint(_array(trace["x"]) * 390).astype(np.int64)
    np.testing.assert_array_equal(_array(trace["y"]), schedule(steps))
    assert layout["xaxis"]["title"]["text"] == t("chart.axis_epochs", "en")


def test_plot_log_y_and_language(tmp_path, config_files):
    _, layout, _, page = _plot(tmp_path, str(config_files[0]), "--log-y", "--lang", "zh-TW")
    assert layout["yaxis"]["type"] == "log"
    assert layout["yaxis"]["title"]["text"] == t("chart.lr", "zh-TW")
    assert '<html lang="zh-TW">' in page


def test_plot_marks_the_first_configuration_unless_told_not_to(tmp_path, config_files):
    data, _, _, _ = _plot(tmp_path, str(config_files[0]))
    assert any(trace.get("name") == t("chart.marks", "en") for trace in data)
    data, _, _, _ = _plot(tmp_path, str(config_files[0]), "--no-marks")
    assert not any(trace.get("name") == t("chart.marks", "en") for trace in data)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["{missing}", "-o", "{out}.html"], "cannot read"),
        (["{notjson}", "-o", "{out}.html"], "Not valid JSON"),
        (["{bad}", "-o", "{out}.html"], "Did you mean `decay_steps`"),
        (["{one}", "-o", "{out}.txt"], "unknown format 'txt'"),
        (["{one}", "-o", "{out}"], "unknown format"),
        (["{full}", "{one}", "-o", "{out}.html"], "33 configs in all; lrviz takes at most 32"),
        (["{one}", "--steps", "0", "-o", "{out}.html"], "--steps must be a whole number"),
        (["{one}", "-o", "{nodir}/chart.html"], "cannot write"),
        (["{one}", "--run", "xla", "-o", "{out}.html"], "invalid choice: 'xla'"),
    ],
)
def test_plot_bad_input_is_one_line_on_stderr_status_2_and_no_file(
    tmp_path, config_files, args, words
):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, "decay_step": 5}}
        )
    )
    notjson = tmp_path / "notjson.json"
    notjson.write_text("{oops")
    full = tmp_path / "full.json"
    full.write_text(json.dumps([lrviz.default_config("ExponentialDecay")] * 32))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    names = {
        "missing": str(tmp_path / "nope.json"),
        "bad": str(bad),
        "notjson": str(notjson),
        "full": str(full),
        "one": str(config_files[0]),
        "out": str(out_dir / "chart"),
        "nodir": str(tmp_path / "no" / "such" / "dir"),
    }
    argv = [a.format(**names) for a in args]
    result = subprocess.run(
        [sys.executable, "-m", "lrviz", "plot", *argv], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert list(out_dir.iterdir()) == []


def test_plot_errors_follow_lang(tmp_path, config_files, capsys):
    """`lrviz plot --lang zh-TW` words its errors in Traditional Chinese, the config's own
    problem included, with the same one line and status 2."""
    bad = tmp_path / "bad.json"
    bad_config = {"class_name": "CosineDecay", "config": {"initial_learning_rate": -1.0}}
    bad.write_text(json.dumps(bad_config))
    with pytest.raises(lrviz.ConfigError) as raised:
        lrviz.from_keras(bad_config)
    problem = raised.value
    one = str(config_files[0])
    cases = [
        ([str(bad), "-o", str(tmp_path / "c.html")], f"{bad}：{problem.message('zh-TW')}"),
        (
            [one, "--steps", "0", "-o", str(tmp_path / "c.html")],
            "--steps 必須是 1 到 10^12 之間的整數",
        ),
        ([one, "-o", str(tmp_path / "c.txt")], "不認得的格式 'txt'"),
    ]
    assert problem.message("zh-TW") != problem.message("en")
    for argv, words in cases:
        assert run(["plot", *argv, "--lang", "zh-TW"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("lrviz: error: ") and words in err, err
        assert len(err.strip().splitlines()) == 1
        assert run(["plot", *argv]) == 2  # English without --lang
        assert words not in capsys.readouterr().err
    assert list(tmp_path.glob("c.*")) == []


def test_plot_image_without_kaleido_says_how_to_install_it(
    tmp_path, config_files, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "kaleido", None)
    monkeypatch.setitem(sys.modules, "kaleido.errors", None)
    out = tmp_path / "chart.png"
    assert run(["plot", str(config_files[0]), "-o", str(out)]) == 2
    assert "pip install lrviz[image]" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_plot_image_without_kaleido_words_the_hint_in_its_language(
    tmp_path, config_files, monkeypatch, capsys, lang
):
    """The install hint follows --lang; in English it is the library's own message."""
    monkeypatch.setitem(sys.modules, "kaleido", None)
    monkeypatch.setitem(sys.modules, "kaleido.errors", None)
    with pytest.raises(ImageExportUnavailable) as raised:
        figure_image(go.Figure(), "png", width=10, height=10)
    assert raised.value.detail is None
    out = tmp_path / "chart.png"
    assert run(["plot", str(config_files[0]), "-o", str(out), "--lang", lang]) == 2
    err = capsys.readouterr().err
    words = str(raised.value) if lang == "en" else "PNG/SVG 匯出需要 `pip install lrviz[image]`"
    assert err.startswith("lrviz: error: ") and words in err, err
    assert len(err.strip().splitlines()) == 1


def test_plot_image_without_a_browser_fails_cleanly(tmp_path, config_files):
    out = tmp_path / "chart.png"
    result = subprocess.run(
        [sys.executable, "-m", "lrviz", "plot", str(config_files[0]), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "BROWSER_PATH": str(tmp_path / "no-chromium")},
    )
    assert result.returncode == 2
    assert "needs `pip install lrviz[image]` and chromium" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and list(tmp_path.glob(".chart*")) == []


@pytest.mark.browser
@needs_browser
def test_plot_png_is_a_png_of_the_charts_size(tmp_path, config_files):
    out = tmp_path / "chart.png"
    assert run(["plot", str(config_files[0]), str(config_files[1]), "-o", str(out)]) == 0
    image = out.read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and image[12:16] == b"IHDR"
    width, height = struct.unpack(">II", image[16:24])
    assert (width, height) == (2 * figures.DEFAULT_COLUMNS, 2 * figures.CHART_HEIGHT)
    assert len(image) > 20_000  # four curves and their labels, not a blank canvas


@pytest.mark.browser
@needs_browser
def test_plot_svg_is_xml_naming_every_curve(tmp_path, config_files):
    config = tmp_path / "tricky.json"
    config.write_text(json.dumps(_tricky_config()))
    out = tmp_path / "chart.svg"
    assert run(["plot", str(config), str(config_files[1]), "--log-y", "-o", str(out)]) == 0
    root = ET.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {e.text for e in root.iter() if e.tag.endswith("text") and e.text}
    assert {TRICKY_NAME, "exponential", "step_decay"} <= texts
    lines = [e for e in root.iter() if "js-line" in (e.get("class") or "")]
    assert len(lines) >= 3


def test_plot_help_explains_the_formats_and_options():
    result = subprocess.run(
        [sys.executable, "-m", "lrviz", "plot", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for words in (".html", ".png", ".svg", "--steps", "--log-y", "--epochs", "examples:"):
        assert words in result.stdout


def test_an_image_export_that_fails_once_is_tried_again(monkeypatch):
    """kaleido now and then evaluates in its page before the page's script is there; the
    second try is the image. Two failures in a row give the clean error, with its detail."""
    pytest.importorskip("kaleido")
    import plotly.io

    calls = []

    def flaky(fig, **kwargs):
        calls.append(kwargs["format"])
        if len(calls) == 1:
            raise RuntimeError("ReferenceError: kaleido_scopes is not defined\nmore lines")
        return b"image"

    monkeypatch.setattr(plotly.io, "to_image", flaky)
    assert figure_image(go.Figure(), "svg", width=10, height=10) == b"image"
    assert calls == ["svg", "svg"]

    def broken(fig, **kwargs):
        raise RuntimeError("ReferenceError: kaleido_scopes is not defined\nmore lines")

    monkeypatch.setattr(plotly.io, "to_image", broken)
    with pytest.raises(ImageExportUnavailable) as raised:
        figure_image(go.Figure(), "svg", width=10, height=10)
    assert raised.value.detail == "RuntimeError: ReferenceError: kaleido_scopes is not defined"
