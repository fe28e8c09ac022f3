"""The app runs no code it reads and needs no ML framework: checked in the source and at runtime.

The source check parses `app.py` and `lrviz/` with `ast`, so comments, docstrings and the code
snippets lrviz writes for users (strings in `lrviz/translate/` and `lrviz/payloads.py`) never
trip it; only real calls and imports count.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([ROOT / "app.py", *(ROOT / "lrviz").rglob("*.py")])
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {
    "pickle",
    "cPickle",
    "_pickle",
    "dill",
    "cloudpickle",
    "joblib",
    "marshal",
    "shelve",
    "keras",
    "tensorflow",
    "tf_keras",
    "jax",
    "torch",
}
# Attribute calls that unpickle or run YAML tags: `yaml.load`, `np.load(allow_pickle=True)`, ...
FORBIDDEN_METHODS = {"read_pickle", "unsafe_load", "full_load", "load_all"}
FRAMEWORKS = ("keras", "tensorflow", "jax", "torch")


def violations(source: str, filename: str = "<source>") -> list[str]:
    """Every forbidden call or import in Python source, as `file:line: what`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        elif isinstance(node, ast.Call):
            modules = [_imported_by(node)]
            what = _forbidden_call(node)
            if what:
                found.append(f"{where}: {what}")
        else:
            continue
        for module in modules:
            if module and module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"{where}: import {module}")
    return found


def _imported_by(call: ast.Call) -> str:
    """The module `importlib.import_module("x")` imports, when it is a literal."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if name == "import_module" and call.args and isinstance(call.args[0], ast.Constant):
        return str(call.args[0].value)
    return ""


def _forbidden_call(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
        return f"{func.id}()"
    if not isinstance(func, ast.Attribute):
        return ""
    owner = func.value.id if isinstance(func.value, ast.Name) else ""
    if func.attr in FORBIDDEN_CALLS and owner == "builtins":
        return f"builtins.{func.attr}()"
    if func.attr in FORBIDDEN_METHODS or (owner == "yaml" and func.attr == "load"):
        return f"{owner or '…'}.{func.attr}()"
    pickles = [k for k in call.keywords if k.arg == "allow_pickle"]
    if any(not (isinstance(k.value, ast.Constant) and k.value.value is False) for k in pickles):
        return f"{func.attr}(allow_pickle=...)"
    return ""


# ---------------------------------------------------------------------------------------------
# The checker itself: it catches what it must and nothing else
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "eval('1 + 1')",
        "exec(text)",
        "builtins.eval(text)",
        "__import__('os')",
        "import pickle",
        "import marshal as m",
        "from shelve import open",
        "import keras",
        "from keras.optimizers import schedules",
        "import tensorflow as tf",
        "import jax.numpy as jnp",
        "from torch.optim import lr_scheduler",
        "importlib.import_module('keras')",
        "yaml.load(text)",
        "yaml.unsafe_load(text)",
        "pd.read_pickle(path)",
        "np.load(path, allow_pickle=True)",
        "def f():\n    import keras\n    return keras",
    ],
)
def test_the_checker_catches_each_forbidden_construct(source: str) -> None:
    assert violations(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""Not `eval(`, `import keras` or `pickle.loads` in a docstring."""',
        "# eval(text); import pickle; yaml.load(x)",
        'SNIPPET = "import keras\\nschedule = keras.optimizers.schedules.CosineDecay(0.1, 10)"',
        'CODE = ["import torch", "from transformers import get_scheduler", "exec(x)"]',
        "value = json.loads(text)",
        "schedule.evaluate(steps)",
        "pattern = re.compile(r'[0-9]+')",
        "np.load(path, allow_pickle=False)",
        "import kerastuner_free_name",
    ],
)
def test_the_checker_ignores_comments_docstrings_code_strings_and_safe_calls(source: str) -> None:
    assert violations(source) == []


# ---------------------------------------------------------------------------------------------
# The source
# ---------------------------------------------------------------------------------------------


def test_the_sources_checked_are_the_app_and_the_whole_package() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in SOURCES}
    assert {
        "app.py",
        "lrviz/keras_json.py",
        "lrviz/share.py",
        "lrviz/translate/to_pytorch.py",
    } <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_eval_exec_unpickling_or_ml_framework_in_the_source(path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    assert violations(path.read_text(encoding="utf-8"), relative) == []


# ---------------------------------------------------------------------------------------------
# Runtime: a fresh interpreter (the test session imports Keras for its oracles)
# ---------------------------------------------------------------------------------------------

RUN_THE_APP = f"""
import json, sys
import lrviz, lrviz.cli, lrviz.payloads, lrviz.state, lrviz.translate
from lrviz import state as ss
from lrviz.share import encode_state
from streamlit.testing.v1 import AppTest

at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=60)
studio = ss.import_text(ss.Studio(), json.dumps([lrviz.default_config(c) for c in lrviz.SCHEDULES]))
for key, value in encode_state(ss.to_shared(studio)).items():
    at.query_params[key] = value
at.run()
at.text_area(key="import.text").set_value('{{"class_name": "CosineDecay", "config": {{}}}}')
at.button(key="import.open").click()
at.run()
print(json.dumps({{
    "exceptions": [str(e.value) for e in at.exception],
    "charts": len(at.get("plotly_chart")),
    "errors": len(at.error),
    "lrviz": "lrviz.translate" in sys.modules,
    "frameworks": sorted(
        name for name in sys.modules if name.split(".")[0] in {list(FRAMEWORKS)!r}
    ),
}}))
"""


@pytest.mark.app
def test_running_the_app_imports_no_ml_framework() -> None:
    env = {**os.environ, "KERAS_BACKEND": "numpy"}
    result = subprocess.run(
        [sys.executable, "-c", RUN_THE_APP],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["exceptions"] == []
    assert report["charts"] == 1 and report["errors"] == 1 and report["lrviz"]
    assert report["frameworks"] == []
