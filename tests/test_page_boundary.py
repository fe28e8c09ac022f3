"""Only the page imports Streamlit: `app.py` and `lrviz/page/`. The rest of lrviz (engine,
sampling, figures, state, share links, payloads, CLI) never imports it nor the page, so arrows
point from the page into the core only (issue #13)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "lrviz" / "page"
PAGE_ONLY = ("streamlit", "lrviz.page")


def imports(path: Path) -> set[str]:
    """Every module `path` imports, function-level imports and `from x import y` as `x.y` included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def page_only(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in PAGE_ONLY))


def test_the_page_imports_streamlit_and_its_panels():
    assert page_only(imports(ROOT / "app.py"))
    assert "streamlit" in imports(PAGE / "session.py")


def test_nothing_outside_the_page_imports_streamlit_or_the_page():
    core = [p for p in sorted((ROOT / "lrviz").rglob("*.py")) if PAGE not in p.parents]
    assert len(core) > 20
    offenders = {
        p.relative_to(ROOT).as_posix(): page_only(imports(p)) for p in core if page_only(imports(p))
    }
    assert offenders == {}
