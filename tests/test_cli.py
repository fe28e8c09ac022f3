"""The `lrviz` command: CSV values equal the engine's, links open the configs, errors exit 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest

import lrviz
from lrviz.cli import run
from lrviz.share import decode_state


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
    assert list(table.columns) == ["step", "Warmup + cosine", "Exponential", "Step decay"]
    np.testing.assert_array_equal(table["step"], steps)
    for column, class_name in zip(
        table.columns[1:], ["CosineDecay", "ExponentialDecay", "PiecewiseConstantDecay"]
    ):
        expected = lrviz.from_keras(lrviz.default_config(class_name))(steps)
        np.testing.assert_array_equal(table[column].to_numpy(np.float32), expected)


def test_duplicate_names_get_distinct_columns(config_files, capsys):
    run(["eval", str(config_files[0]), str(config_files[0]), "--steps", "0:2"])
    header = capsys.readouterr().out.splitlines()[0]
    assert header == "step,Warmup + cosine,Warmup + cosine (2)"


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
