"""The layout rules of docs/architecture.md, checked on the source: one home per concern.

- no import cycle among lrviz modules (imports inside functions count);
- the six Keras class names appear in code only inside `lrviz/engine/` (docstrings aside):
  everything else asks the spec;
- evaluating a schedule loads none of Streamlit, Plotly or pandas;
- Streamlit is imported only by the page (app.py, server.py and its panels).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import lrviz

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lrviz"
CLASS_NAMES = frozenset(lrviz.SCHEDULES)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _lrviz_modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The lrviz modules `path` imports anywhere in its body (top level or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module not in modules:
                continue
            # `from lrviz.engine import float32` imports a submodule; other names come from the
            # package itself.
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return found


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _page_files() -> list[Path]:
    return [ROOT / "app.py", ROOT / "server.py", *sorted((PACKAGE / "page").rglob("*.py"))]


def test_no_import_cycle_among_lrviz_modules() -> None:
    modules = _lrviz_modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> None:
        if name in path:
            cycle = [*path[path.index(name) :], name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        path.append(name)
        for target in sorted(graph[name]):
            visit(target)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert len(done) == len(modules) > 20


def test_class_names_appear_in_code_only_inside_the_engine() -> None:
    engine = PACKAGE / "engine"
    offenders = []
    for path in [*sorted(PACKAGE.rglob("*.py")), ROOT / "app.py", ROOT / "server.py"]:
        if engine in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in CLASS_NAMES
                and id(node) not in docstrings
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert offenders == []


def test_the_check_above_would_see_a_class_name_comparison() -> None:
    tree = ast.parse(
        'def f(s):\n    """CosineDecay."""\n    return s.class_name == "CosineDecay"\n'
    )
    docstrings = _docstring_nodes(tree)
    found = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and node.value in CLASS_NAMES
        and id(node) not in docstrings
    ]
    assert found == ["CosineDecay"]


def test_evaluating_a_schedule_loads_no_streamlit_plotly_or_pandas() -> None:
    script = (
        "import sys, numpy as np\n"
        "from lrviz.engine import SCHEDULES, Schedule, validate_config\n"
        "for name, spec in SCHEDULES.items():\n"
        "    s = Schedule(spec, validate_config(name, dict(spec.starter)))\n"
        "    s(np.arange(1000)); s.compiled()(np.arange(1000)); s.breakpoints(10**6)\n"
        "import lrviz\n"
        "lrviz.from_keras({'class_name': 'CosineDecay', 'config': {'initial_learning_rate': 0.1,"
        " 'decay_steps': 10}})(5)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'streamlit', 'plotly', 'pandas'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_streamlit_is_imported_only_by_the_page() -> None:
    page = set(_page_files())
    importers = []
    for path in [*sorted(PACKAGE.rglob("*.py")), ROOT / "app.py", ROOT / "server.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                importers.append(path)
    assert importers
    assert set(importers) <= page, sorted(str(p.relative_to(ROOT)) for p in set(importers) - page)


def test_the_engine_imports_nothing_above_it() -> None:
    """The engine sees only the float32 layer's neighbours: errors, i18n, literal, limits."""
    allowed = {"lrviz.errors", "lrviz.i18n", "lrviz.literal", "lrviz.limits"}
    modules = _lrviz_modules()
    outside = {
        f"{name} -> {target}"
        for name, path in modules.items()
        if name.startswith("lrviz.engine")
        for target in _imports(path, modules)
        if not target.startswith("lrviz.engine") and target not in allowed
    }
    assert outside == set()


def test_only_the_page_imports_the_page() -> None:
    modules = _lrviz_modules()
    outside = {
        f"{name} -> {target}"
        for name, path in modules.items()
        if not name.startswith("lrviz.page")
        for target in _imports(path, modules)
        if target.startswith("lrviz.page")
    }
    assert outside == set()
