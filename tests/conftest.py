"""Shared pytest setup: the test groups, the browser fixtures, and Hypothesis's CI profile.

Every test is in one group, by weight (the markers are registered in pyproject.toml):

- `unit`: the default, given here to every test not marked with another group.
- `slow`: exhaustive properties of lrviz alone (every float32 step up to 10^9, or a thousand
  damaged links), each several seconds to a minute.
- `app`: the page run in-process by Streamlit's AppTest.
- `oracle`: checked against an independent library: real Keras (numpy and JAX backends), torch,
  optax, transformers, timm, markdown-it-py. The test imports it where it uses it.
- `browser`: a real Chromium (Playwright driving a Streamlit server, or kaleido's image export).

unit, slow and app need only lrviz's runtime dependencies plus pytest, pytest-xdist and
hypothesis. Two checks keep it so: collecting the suite must import no oracle library, and a test
outside `oracle` and `browser` that imports one fails. Without Playwright installed the browser
modules are not collected (the header says so).

Hypothesis explores new examples locally and replays fixed ones in CI: locally every run draws
fresh examples, so the property tests keep finding new cases; in CI (`CI=true`) the examples are
derandomized, so a submission passes or fails on its own code and not on which examples a run
happened to draw.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator

import pytest
from browser_support import chromium, running_app
from hypothesis import settings

GROUPS = ("browser", "oracle", "app", "slow")
ORACLE_LIBRARIES = frozenset(
    {"keras", "jax", "torch", "optax", "transformers", "timm", "markdown_it"}
)
IMPORTED_WHILE_COLLECTING = pytest.StashKey[list[str]]()
HAS_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None

if not HAS_PLAYWRIGHT:
    collect_ignore_glob = ["test_browser*.py"]

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")


def pytest_report_header() -> str | None:
    if not HAS_PLAYWRIGHT:
        return "playwright is not installed: tests/test_browser*.py are not collected"
    return None


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects, so that `-m unit` sees the mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        groups = [name for name in GROUPS if item.get_closest_marker(name)]
        if len(groups) > 1:
            raise pytest.UsageError(f"{item.nodeid} is marked {groups}: give it one group")
        if not groups:
            item.add_marker(pytest.mark.unit)


def pytest_collection_finish(session: pytest.Session) -> None:
    session.config.stash[IMPORTED_WHILE_COLLECTING] = sorted(ORACLE_LIBRARIES & sys.modules.keys())


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail every test (loudly, also under xdist) if collecting imported an oracle library."""
    if imported := item.config.stash.get(IMPORTED_WHILE_COLLECTING, []):
        pytest.fail(
            f"collecting the tests imported {', '.join(imported)}: import an oracle library "
            "inside the tests that use it (marked `oracle`), not at a module's top",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a test outside `oracle` and `browser` that imports an oracle library."""
    before = ORACLE_LIBRARIES & sys.modules.keys()
    result = yield
    imported = sorted((ORACLE_LIBRARIES & sys.modules.keys()) - before)
    if imported and not (item.get_closest_marker("oracle") or item.get_closest_marker("browser")):
        pytest.fail(f"this test imports {', '.join(imported)}: mark it `oracle`", pytrace=False)
    return result


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """`streamlit run app.py` on a free port, one per browser test module."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless chromium (Playwright), one per browser test module."""
    with chromium() as launched:
        yield launched
