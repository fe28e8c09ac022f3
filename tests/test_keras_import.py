"""Every form a Keras user holds a schedule in opens through the one import path (paste, upload,
the CLI, `lrviz.from_keras`), with values bit-equal to real Keras; the bounds hold."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest

import lrviz
import lrviz.state as ss
from lrviz import keras_import
from lrviz.checks import findings, tf_scope_name
from lrviz.cli import run
from lrviz.errors import ConfigError
from lrviz.keras_import import read_file, read_keras
from lrviz.keras_json import default_config
from lrviz.limits import MAX_ARCHIVE_BYTES, MAX_ARCHIVE_MEMBERS, MAX_MODEL_CONFIG_BYTES
from lrviz.share import decode_state

ROOT = Path(__file__).resolve().parents[1]
STEPS = np.unique(np.r_[0:1500:5, 99:102, 199:202, 999:1002, 1099:1102]).astype(np.int64)

# ---------------------------------------------------------------------------------------------
# Forms made by real Keras 3.15.1 (numpy backend)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_forms(tmp_path_factory) -> dict[str, dict[str, Any]]:
    """Each form: `live` (what a notebook holds), `text` (what a file or paste holds, None for a
    live object only), `keras` (the Keras schedule object that is the oracle)."""
    from keras_oracle import keras  # the numpy backend, asserted there

    schedules = keras.optimizers.schedules
    folder = tmp_path_factory.mktemp("keras_forms")
    forms: dict[str, dict[str, Any]] = {}

    def add(name: str, live: Any, keras_schedule: Any, text: str | bytes | None = None) -> None:
        if text is None and isinstance(live, (dict, list)):
            text = json.dumps(live)
        forms[name] = {"live": live, "text": text, "keras": keras_schedule}

    cosine = schedules.CosineDecay(0.0, 1000, alpha=0.1, warmup_target=1e-3, warmup_steps=100)
    add("serialize", schedules.serialize(cosine), cosine)

    exponential = schedules.ExponentialDecay(1e-3, 100, 0.9, staircase=True)
    adam = keras.optimizers.Adam(learning_rate=exponential)
    add("optimizer_serialize", keras.optimizers.serialize(adam), exponential)

    polynomial = schedules.PolynomialDecay(0.1, 500, 1e-4, power=0.5)
    sgd = keras.optimizers.SGD(learning_rate=polynomial)
    add("optimizer_get_config", sgd.get_config(), polynomial)

    inverse = schedules.InverseTimeDecay(1e-2, 50, 0.5)
    compiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    compiled.compile(optimizer=keras.optimizers.AdamW(learning_rate=inverse), loss="mse")
    add("compile_config", compiled.get_compile_config(), inverse)

    restarts = schedules.CosineDecayRestarts(1e-3, 200, t_mul=2.0, m_mul=0.9, alpha=0.05)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=restarts), loss="mse")
    saved = folder / "model.keras"
    model.save(saved)
    with zipfile.ZipFile(saved) as archive:
        config_json = archive.read("config.json")
    add("model_config_json", json.loads(config_json), restarts, config_json.decode())
    add("keras_file", saved, restarts, saved.read_bytes())

    numpy_cosine = schedules.CosineDecay(
        np.float32(1e-3), np.int64(1000), warmup_target=np.float32(1e-2), warmup_steps=100
    )
    add("numpy_scalars", schedules.serialize(numpy_cosine), numpy_cosine)
    numpy_steps = schedules.PiecewiseConstantDecay(
        np.array([100, 1000]), np.array([1e-3, 5e-4, 1e-4], dtype=np.float32)
    )
    add("numpy_arrays", schedules.serialize(numpy_steps), numpy_steps)

    printed = schedules.ExponentialDecay(1e-3, 300, 0.5, staircase=False)
    add("python_literal", schedules.serialize(printed), printed, str(schedules.serialize(printed)))

    add("live_schedule", numpy_cosine, numpy_cosine)
    add("live_optimizer", adam, exponential)
    add("live_model", model, restarts)
    return forms


def keras_at(schedule: Any, steps: np.ndarray) -> np.ndarray:
    """Keras's own values, one step at a time, as float32."""
    return np.array([np.asarray(schedule(int(step))) for step in steps], dtype=np.float32)


def bits(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float32).view(np.uint32)


FORMS = [
    "serialize",
    "optimizer_serialize",
    "optimizer_get_config",
    "compile_config",
    "model_config_json",
    "keras_file",
    "numpy_scalars",
    "numpy_arrays",
    "python_literal",
    "live_schedule",
    "live_optimizer",
    "live_model",
]
TEXT_FORMS = FORMS[:9]


@pytest.mark.oracle
@pytest.mark.parametrize("form", FORMS)
def test_from_keras_opens_every_form_bit_equal_to_keras(keras_forms, form):
    made = keras_forms[form]
    schedule = lrviz.from_keras(made["live"])
    np.testing.assert_array_equal(bits(schedule(STEPS)), bits(keras_at(made["keras"], STEPS)))


@pytest.mark.oracle
@pytest.mark.parametrize("form", TEXT_FORMS)
def test_paste_and_upload_open_every_form_bit_equal_to_keras(keras_forms, form):
    made = keras_forms[form]
    name = "model.keras" if form == "keras_file" else None
    studio = ss.import_text(ss.starter_studio(), made["text"], name)
    assert len(studio.entries) == 2
    opened = studio.current.schedule()
    np.testing.assert_array_equal(bits(opened(STEPS)), bits(keras_at(made["keras"], STEPS)))


@pytest.mark.oracle
def test_the_cli_opens_every_form_bit_equal_to_keras(keras_forms, tmp_path):
    files = []
    for form in TEXT_FORMS:
        text = keras_forms[form]["text"]
        path = tmp_path / (f"{form}.keras" if isinstance(text, bytes) else f"{form}.txt")
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        files.append(str(path))
    done = subprocess.run(
        [sys.executable, "-m", "lrviz", "eval", *files, "--steps", "0:1500"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(io.StringIO(done.stdout))
    assert len(table.columns) == 1 + len(TEXT_FORMS)
    for column, form in zip(table.columns[1:], TEXT_FORMS):
        expected = keras_at(keras_forms[form]["keras"], STEPS)
        np.testing.assert_array_equal(
            bits(table[column].to_numpy(np.float32)[STEPS]), bits(expected), err_msg=form
        )
    assert "the `learning_rate` of Adam" in done.stderr
    assert "the `learning_rate` of RMSprop in keras_file.keras" in done.stderr


@pytest.mark.oracle
def test_figure_and_link_take_live_objects_and_files(keras_forms):
    made = keras_forms["live_optimizer"]
    figure = lrviz.figure(made["live"], keras_forms["keras_file"]["live"], steps=1500)
    names = [trace.name for trace in figure.data if trace.showlegend is not False]
    assert names[:2] == ["ExponentialDecay", "SGDRDecay"]
    params = parse_qs(urlsplit(lrviz.link(made["live"], lang="en")).query)
    opened, messages = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    assert messages == []
    np.testing.assert_array_equal(
        bits(opened.entries[0].schedule()(STEPS)), bits(keras_at(made["keras"], STEPS))
    )


@pytest.mark.oracle
def test_where_a_schedule_came_from_is_said(keras_forms):
    imported = read_keras(keras_forms["keras_file"]["live"])
    assert imported.messages() == [
        "Opened “SGDRDecay” from the `learning_rate` of RMSprop in model.keras."
    ]
    assert read_keras(keras_forms["serialize"]["live"]).messages() == []


@pytest.mark.oracle
def test_an_optimizer_with_a_float_rate_says_there_is_nothing_to_draw():
    from keras_oracle import keras

    with pytest.raises(
        ConfigError, match=r"^No learning-rate schedule to draw: .*SGD is the constant 0\.01"
    ):
        lrviz.from_keras(keras.optimizers.SGD(learning_rate=0.01))


# ---------------------------------------------------------------------------------------------
# tf_keras's null name, numpy wrappers, Python literals, NaN
# ---------------------------------------------------------------------------------------------

LEGACY = {
    "class_name": "PolynomialDecay",
    "config": {
        "initial_learning_rate": 0.1,
        "decay_steps": 1000,
        "end_learning_rate": 0.0001,
        "power": 1.0,
        "cycle": False,
        "name": None,
    },
}


def test_notes_escape_what_came_from_the_input_and_keep_lrviz_words():
    imported = read_keras(GOOD_MODEL_DICT, "**x**.keras")
    (message,) = imported.messages(escape=ss.plain_markdown)
    assert (
        message == "Opened “exponential” from the `learning_rate` of Adam in \\*\\*x\\*\\*\\.keras."
    )


def test_a_null_name_opens_with_the_keras_default_and_says_how_keras_3_fails():
    imported = read_keras(json.dumps(LEGACY))
    assert imported.schedules[0].name == "PolynomialDecay"
    (note,) = imported.messages()
    assert "Keras 3 loads it but fails when the schedule is called" in note
    assert '"name": "PolynomialDecay"' in note
    assert "PolynomialDecay" in read_keras(json.dumps(LEGACY)).messages("zh-TW")[0]


def test_a_tensor_array_where_a_number_belongs_names_the_field():
    wrapped = {"class_name": "__numpy__", "config": {"value": [1, 2], "dtype": "int64"}}
    config = {
        "class_name": "CosineDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": wrapped},
    }
    with pytest.raises(
        ConfigError, match=r"Argument `decay_steps` must be one number, not an array"
    ):
        read_keras(config)


def test_python_literal_text_is_read_without_eval(tmp_path):
    marker = tmp_path / "ran"
    text = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    with pytest.raises(ConfigError, match="Not valid JSON"):
        read_keras(text)
    assert not marker.exists()
    literal = "{'class_name': 'ExponentialDecay', 'config': {'initial_learning_rate': 0.1, 'decay_steps': 10, 'decay_rate': 0.5, 'staircase': True, 'name': None}}"
    assert read_keras(literal).schedules[0].config["staircase"] is True


@pytest.mark.oracle
def test_printed_numpy_scalars_read_as_their_numbers_and_nothing_else_is_called():
    from keras_oracle import keras

    live = keras.optimizers.schedules.CosineDecay(np.float64(1e-3), 1000)
    printed = str(keras.optimizers.schedules.serialize(live))
    assert "np.float64(0.001)" in printed
    opened = read_keras(printed).schedules[0]
    np.testing.assert_array_equal(bits(opened(STEPS)), bits(keras_at(live, STEPS)))
    for call in ("np.float64(__import__('os'))", "np.save('x', 1)", "float(1)", "np.float64(1, 2)"):
        with pytest.raises(ConfigError, match="Not valid JSON"):
            read_keras(printed.replace("np.float64(0.001)", call))


@pytest.mark.parametrize(
    ("token", "field"),
    [("NaN", "initial_learning_rate"), ("Infinity", "decay_steps"), ("-1e999", "alpha")],
)
def test_nan_and_infinity_errors_name_the_field(token, field):
    config = {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.0}
    text = json.dumps({"class_name": "CosineDecay", "config": {**config, field: "X"}})
    with pytest.raises(ConfigError, match=rf"^Argument `{field}` .*Received: {field}={token}$"):
        read_keras(text.replace('"X"', token))


def test_a_deep_model_config_opens_but_a_deep_schedule_stays_refused():
    layers: Any = {"class_name": "Dense", "config": {}}
    for _ in range(20):
        layers = {"class_name": "Functional", "config": {"layers": [layers]}}
    rate = {
        "class_name": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    }
    model = {
        "class_name": "Functional",
        "config": layers,
        "compile_config": {"optimizer": {"class_name": "Adam", "config": {"learning_rate": rate}}},
    }
    assert read_keras(json.dumps(model)).schedules[0].class_name == "ExponentialDecay"
    rate["config"]["name"] = [[[[[["deep"]]]]]]
    with pytest.raises(ConfigError, match="nested too deeply"):
        read_keras(json.dumps(model))


# ---------------------------------------------------------------------------------------------
# .keras archives: bounded before reading
# ---------------------------------------------------------------------------------------------


def keras_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD_MODEL_DICT = {
    "class_name": "Sequential",
    "config": {},
    "compile_config": {
        "optimizer": {
            "class_name": "Adam",
            "config": {"learning_rate": default_config("ExponentialDecay")},
        }
    },
}
GOOD_MODEL = json.dumps(GOOD_MODEL_DICT).encode()


def test_a_zip_bomb_is_refused_from_its_declared_size_without_inflating_it():
    bomb = keras_zip({"config.json": b" " * (MAX_MODEL_CONFIG_BYTES + 1), "metadata.json": b"{}"})
    assert len(bomb) < MAX_MODEL_CONFIG_BYTES // 100
    with pytest.raises(ConfigError, match=r"config\.json is 16,777,217 bytes uncompressed"):
        read_keras(bomb)


def test_a_header_that_understates_the_size_is_still_read_bounded():
    big = keras_zip({"config.json": b" " * (MAX_MODEL_CONFIG_BYTES + 10)})
    # Rewrite the declared uncompressed size (local header and central directory) to 100 bytes.
    size = (MAX_MODEL_CONFIG_BYTES + 10).to_bytes(4, "little")
    lying = big.replace(size, (100).to_bytes(4, "little"))
    with pytest.raises(ConfigError, match=r"Not a readable \.keras"):
        read_keras(lying)


def test_an_archive_with_too_many_members_is_refused_before_its_directory_is_parsed():
    crowded = keras_zip(
        {f"assets/{i}": b"" for i in range(MAX_ARCHIVE_MEMBERS + 1)} | {"config.json": GOOD_MODEL}
    )
    with pytest.raises(ConfigError, match=f"lists {MAX_ARCHIVE_MEMBERS + 2:,} files"):
        read_keras(crowded)
    assert read_keras(keras_zip({"config.json": GOOD_MODEL})).schedules


def test_an_oversized_keras_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.keras"
    with path.open("wb") as file:
        file.write(b"PK\x03\x04")
        file.truncate(MAX_ARCHIVE_BYTES + 1)
    with pytest.raises(
        ConfigError, match=r"200,000,001 bytes; lrviz opens files of at most 200,000,000"
    ):
        read_file(path)


@pytest.mark.app
def test_bad_keras_uploads_on_the_page_say_so_and_lose_nothing(monkeypatch):
    from streamlit.testing.v1 import AppTest

    # An oversized .keras, without making 200 MB: the limit lowered below a real archive's size.
    oversized = keras_zip({"config.json": GOOD_MODEL, "model.weights.h5": os.urandom(4096)})
    monkeypatch.setattr(keras_import, "MAX_ARCHIVE_BYTES", len(oversized) - 1)
    bad = {
        "oversized.keras": oversized,
        "bomb.keras": keras_zip({"config.json": b" " * (MAX_MODEL_CONFIG_BYTES + 1)}),
        "crowded.keras": keras_zip({f"{i}": b"" for i in range(MAX_ARCHIVE_MEMBERS + 1)}),
        "truncated.keras": b"PK\x03\x04 truncated",
    }
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    before = [e.config for e in at.session_state["studio"].entries]
    for name, data in bad.items():
        at.file_uploader(key="import.file").upload(name, data, "application/zip").run()
        assert not at.exception
        assert [e.config for e in at.session_state["studio"].entries] == before
        (error,) = at.error
        assert "\n" not in error.value
        assert ".keras" in error.value or "config.json" in error.value, error.value


@pytest.mark.app
def test_a_keras_upload_on_the_page_opens_its_schedule_and_says_where_from():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    archive = keras_zip(
        {"metadata.json": b"{}", "config.json": GOOD_MODEL, "model.weights.h5": b"\0" * 64}
    )
    at.file_uploader(key="import.file").upload("run7.keras", archive, "application/zip").run()
    assert not at.exception and not at.error
    names = [e.name for e in at.session_state["studio"].entries]
    assert names == ["warmup_cosine", "exponential"]
    (info,) = at.info
    assert info.value == "Opened “exponential” from the `learning_rate` of Adam in run7\\.keras."


# ---------------------------------------------------------------------------------------------
# The CLI reads bounded (issue #18 item 6)
# ---------------------------------------------------------------------------------------------


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lrviz", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_the_cli_refuses_a_device_without_reading_it(device):
    done = run_cli("eval", device, "--steps", "0:3")
    assert done.returncode == 2
    assert (
        done.stderr
        == f"lrviz: error: {device}: Not a regular file (a pipe, device or directory); lrviz reads only regular files.\n"
    )


def test_the_cli_refuses_a_fifo_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = run_cli("link", str(fifo), timeout=20)
    assert done.returncode == 2 and "Not a regular file" in done.stderr
    assert done.stderr.count("\n") == 1


def test_the_cli_checks_the_size_on_the_open_file_before_reading(tmp_path):
    sparse = tmp_path / "huge.json"
    with sparse.open("wb") as file:
        file.truncate(50 * 1024**3)  # 50 GiB of nothing: a read would not end in time
    done = run_cli("eval", str(sparse), "--steps", "0:3")
    assert done.returncode == 2
    assert "53,687,091,200 bytes; lrviz reads at most 1 MiB" in done.stderr


def test_the_cli_accepts_exactly_one_mebibyte_as_paste_does(tmp_path, capsys):
    text = json.dumps(default_config("CosineDecay"))
    padded = text + " " * (1024 * 1024 - len(text))
    assert len(padded.encode()) == 1024 * 1024
    path = tmp_path / "exact.json"
    path.write_text(padded)
    assert run(["eval", str(path), "--steps", "0:3"]) == 0
    assert ss.import_text(ss.Studio(), padded).entries
    path.write_text(padded + " ")
    assert run(["eval", str(path), "--steps", "0:3"]) == 2
    assert "lrviz reads at most 1 MiB" in capsys.readouterr().err


def test_the_uploader_takes_what_the_limits_promise():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    megabytes = config["server"]["maxUploadSize"]
    # The browser counts MB as 10^6 or 2^20 bytes depending on the platform; the server adds
    # the multipart framing to the file: both must pass a .keras at the limit.
    assert megabytes * 1000**2 >= MAX_ARCHIVE_BYTES
    assert megabytes * 1024**2 >= MAX_ARCHIVE_BYTES + 64 * 1024


# ---------------------------------------------------------------------------------------------
# Names TensorFlow accepts as scope names
# ---------------------------------------------------------------------------------------------

TF_SCOPE = r"^[A-Za-z0-9_.\\/>-]*$"


def test_starter_and_duplicate_names_are_tensorflow_scope_names():
    import re

    studio = ss.starter_studio()
    for class_name in lrviz.SCHEDULES:
        studio = ss.add(studio, class_name)
    studio = ss.duplicate(studio, studio.entries[0].id)
    names = [e.name for e in studio.entries]
    assert {"warmup_cosine", "warmup_cosine_2", "warmup_cosine_3", "step_decay"} <= set(names)
    assert all(re.match(TF_SCOPE, name) for name in names), names
    assert not any(
        f.code == "name_not_tf_scope" for e in studio.entries for f in findings(e.schedule())
    )


def test_a_name_tensorflow_refuses_gets_a_finding_with_the_fixed_name():
    schedule = lrviz.from_keras(default_config("CosineDecay")).replace(name="Warmup + cosine (2)")
    (finding,) = [f for f in findings(schedule) if f.code == "name_not_tf_scope"]
    assert finding.params["fixed"] == tf_scope_name("Warmup + cosine (2)") == "Warmup___cosine__2_"
    assert "`Warmup___cosine__2_`" in finding.fix()
    assert "not a valid scope name" in finding.message()


@pytest.mark.oracle
def test_the_cli_links_and_plots_a_keras_model(keras_forms, tmp_path, capsys):
    model = str(keras_forms["keras_file"]["live"])
    assert run(["link", model, "--base", "http://lrviz.test/"]) == 0
    captured = capsys.readouterr()
    params = parse_qs(urlsplit(captured.out.strip()).query)
    studio, _ = ss.from_link(params, decode_state(params, ss.VIEW_TYPES))
    restarts = keras_forms["keras_file"]["keras"]
    np.testing.assert_array_equal(
        bits(studio.entries[0].schedule()(STEPS)), bits(keras_at(restarts, STEPS))
    )
    assert "RMSprop in model.keras" in captured.err
    assert run(["plot", model, "-o", str(tmp_path / "chart.html")]) == 0
    assert "SGDRDecay" in (tmp_path / "chart.html").read_text()
