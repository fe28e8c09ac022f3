"""Regressions from the red-team pass (issue #18) on the `lrviz` command, run as a subprocess:
memory under a cap, one-line errors, nothing on the terminal but text, CSV cells that stay text."""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
import warnings

import numpy as np
import pytest

import lrviz
from lrviz.cli import run
from lrviz.payloads import plotted_csv

# Enough address space for Python, numpy, pandas and plotly to load and a run to stream its CSV;
# not enough for a whole 2,000,000-row table and its CSV text at once (what `eval` built before).
MEMORY_CAP = 350 << 20
ESC = "\x1b"
RLO = "\u202e"


def capped_cli(*args: str, memory: int) -> subprocess.CompletedProcess:
    """`python -m lrviz ARGS` in a subprocess whose address space is capped at `memory` bytes."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    threads = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    return subprocess.run(
        [sys.executable, "-m", "lrviz", *args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
        env={**os.environ, **threads},
    )


@pytest.fixture
def lrviz_cli(capsys):
    """`lrviz ARGS` run in this process: (exit status, stdout, stderr), argparse's exits too."""

    def call(*args: str) -> subprocess.CompletedProcess:
        try:
            status = run(list(args))
        except SystemExit as exit_:
            status = exit_.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out, err)

    return call


def config_file(tmp_path, config: object, name: str = "config.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return str(path)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The error of a refused run: status 2, nothing on stdout, one line on stderr."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("lrviz: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    return result.stderr


COSINE = {"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 10}}


def test_eval_streams_two_million_rows_under_a_memory_cap(tmp_path):
    path = config_file(tmp_path, COSINE)
    result = capped_cli("eval", path, "--steps", "0:2000000", memory=MEMORY_CAP)
    assert result.returncode == 0, result.stderr[-300:]
    lines = result.stdout.splitlines()
    assert len(lines) == 2_000_001 and lines[0] == "step,CosineDecay"
    schedule = lrviz.from_keras(COSINE)
    for line in (lines[1], lines[65_536], lines[65_537], lines[-1]):
        step, value = line.split(",")
        assert np.float32(value) == schedule(int(step))
    assert [int(line.partition(",")[0]) for line in lines[65_530:65_540]] == list(
        range(65_529, 65_539)
    )


def test_eval_takes_at_most_32_configs_across_files(tmp_path, lrviz_cli):
    full = config_file(tmp_path, [COSINE] * 32, "full.json")
    one = config_file(tmp_path, COSINE, "one.json")
    error = one_line_error(lrviz_cli("eval", full, one, "--steps", "0:10"))
    assert "33 configs in all; lrviz takes at most 32" in error


@pytest.mark.parametrize(
    ("steps", "words"),
    [
        ("²:10", "--steps must be START:STOP"),
        ("0:١٠", "--steps must be START:STOP"),
        ("0:1" + "0" * 5000, "--steps needs 0 <= START, STOP <= 10^12 + 1"),
        ("1" + "0" * 5000 + ":5", "selects no step"),
    ],
    ids=["superscript", "arabic-indic", "5000-digit stop", "5000-digit start"],
)
def test_eval_steps_in_anything_but_ascii_digits_or_beyond_the_limit_is_one_clear_line(
    tmp_path, lrviz_cli, steps, words
):
    error = one_line_error(lrviz_cli("eval", config_file(tmp_path, COSINE), "--steps", steps))
    assert words in error and len(error) < 200
    assert "int()" not in error and "Exceeds the limit" not in error


def test_eval_leading_zeros_still_read_as_the_number(tmp_path, lrviz_cli):
    result = lrviz_cli("eval", config_file(tmp_path, COSINE), "--steps", "0" * 5000 + "1:0003")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        f"{s},{lrviz.from_keras(COSINE)(s)!s}" for s in (1, 2)
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["eval"],
        ["bogus"],
        ["plot", "x.json"],
        ["plot", "x.json", "-o", "c.html", "--steps", "²"],
        ["plot", "x.json", "-o", "c.html", "--epochs", "١٠"],
    ],
    ids=["no config", "unknown command", "no output", "superscript steps", "arabic epochs"],
)
def test_argparse_errors_are_one_line(lrviz_cli, args):
    error = one_line_error(lrviz_cli(*args))
    assert "usage:" not in error and "--help" in error


@pytest.mark.parametrize("command", ["eval", "plot", "link"])
def test_a_lone_surrogate_in_a_name_is_refused_naming_the_field(tmp_path, lrviz_cli, command):
    path = tmp_path / "surrogate.json"
    named = {**COSINE, "config": {**COSINE["config"], "name": "a\ud800b"}}
    path.write_text(json.dumps(named))  # ASCII JSON: the surrogate travels as \ud800
    extra = {"eval": ["--steps", "0:3"], "plot": ["-o", str(tmp_path / "c.html")], "link": []}
    error = one_line_error(lrviz_cli(command, str(path), *extra[command]))
    assert "Argument `name` holds a lone surrogate (\\ud800) at character 2" in error
    assert not (tmp_path / "c.html").exists()


@pytest.mark.parametrize(
    "hostile",
    [f"{ESC}[2J{ESC}]0;pwned\a", f"x{RLO}gpj.exe", "a\rb\x00c\x9b31m"],
    ids=["escape sequences", "right-to-left override", "carriage return, NUL, CSI"],
)
def test_messages_quoting_a_file_show_control_characters_as_escapes(tmp_path, lrviz_cli, hostile):
    config = {**COSINE, "config": {**COSINE["config"], hostile: 1}}
    path = config_file(tmp_path, config, f"bad{RLO}.json")
    error = one_line_error(lrviz_cli("eval", path, "--steps", "0:3"))
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in error[:-1]), repr(error)
    assert RLO not in error and "\\u202e" in error
    assert "has no argument" in error


def test_values_beyond_float32_give_no_numpy_warnings(tmp_path, lrviz_cli):
    configs = [
        {"class_name": "CosineDecay", "config": {"initial_learning_rate": 1e308, "decay_steps": 9}},
        {
            "class_name": "CosineDecay",
            "config": {
                "initial_learning_rate": 0.0,
                "decay_steps": 10,
                "warmup_steps": 5,
                "warmup_target": 1e308,
            },
        },
        {
            "class_name": "PiecewiseConstantDecay",
            "config": {"boundaries": [10, 20], "values": [0.1, 1e39, 0.01]},
        },
    ]
    path = config_file(tmp_path, configs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = lrviz_cli("eval", path, "--steps", "0:30")
        assert result.returncode == 0 and result.stderr == ""
        result = lrviz_cli("plot", path, "-o", str(tmp_path / "chart.html"))
        assert result.returncode == 0 and result.stderr == ""
    assert [str(w.message) for w in caught] == []


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"]
# What each becomes: a leading ', and a tab or carriage return written as its escape.
GUARDED = ["'" + name.replace("\t", "\\x09").replace("\r", "\\x0d") for name in FORMULAS]


def test_eval_csv_headers_never_start_a_formula(tmp_path, lrviz_cli):
    configs = [{**COSINE, "config": {**COSINE["config"], "name": name}} for name in FORMULAS]
    result = lrviz_cli("eval", config_file(tmp_path, configs), "--steps", "0:2")
    assert result.returncode == 0, result.stderr
    header = next(csv.reader(io.StringIO(result.stdout, newline="")))
    assert header == ["step", *GUARDED]


def test_csv_download_headers_never_start_a_formula():
    curves = [
        (name, lrviz.from_keras(COSINE), np.arange(3)) for name in [*FORMULAS, "plain = name"]
    ]
    header = next(csv.reader(io.StringIO(plotted_csv(curves), newline="")))
    assert header == ["step", *GUARDED, "plain = name"]
