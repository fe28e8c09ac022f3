"""Take the README screenshot: start the studio, open it in headless chromium, save a PNG.

    .venv/bin/python scripts/screenshot.py [--out docs/screenshot.png] [--url URL] [--full-page]

Without `--url` a server is started on a free port and stopped afterwards. The page shows the
starter (CosineDecay with warmup, selected, with its marks) next to the step-decay example, as
a newcomer sees it after one click.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import chromium, running_app, wait_for_chart, wait_until_settled  # noqa: E402

WIDTH, HEIGHT = 1400, 1000


def take(url: str, out: Path, full_page: bool) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(url)
        wait_for_chart(page)
        page.get_by_role("button", name="Compare with an example").click()
        page.wait_for_function(
            "() => document.querySelectorAll('.scatterlayer .trace path.js-line').length >= 2"
        )
        wait_until_settled(page)
        page.get_by_role("button", name="warmup_cosine").click()
        wait_until_settled(page)
        page.mouse.move(WIDTH - 10, HEIGHT - 10)
        page.wait_for_timeout(500)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=full_page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--url", help="an lrviz server that is already running")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not 1400x1000")
    args = parser.parse_args(argv)
    server = contextlib.nullcontext(args.url) if args.url else running_app()
    with server as url:
        take(url, args.out, args.full_page)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
