"""Take the README screenshots: start the studio, open it in headless chromium, save PNGs.

    .venv/bin/python scripts/screenshot.py [--out-dir docs] [--url URL] [--full-page]

Without `--url` a server is started on a free port and stopped afterwards. One screenshot per
language (`docs/screenshot.png` in English, `docs/screenshot-zh-TW.png` ...), 1280 x 800: the
starter (CosineDecay with warmup, selected, with its marks) beside the step-decay example, as a
newcomer sees it after one click, opened from its share link.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from browser_support import chromium, running_app, wait_for_chart, wait_until_settled  # noqa: E402

from lrviz import state as ss  # noqa: E402
from lrviz.engine import EXAMPLE_CLASS  # noqa: E402
from lrviz.i18n import LANGUAGES  # noqa: E402
from lrviz.share import encode_state  # noqa: E402

WIDTH, HEIGHT = 1280, 800


def scene_query(lang: str) -> str:
    """The link of the screenshot's scene: the starter, selected, and the example beside it."""
    studio = ss.add(ss.starter_studio(ss.View(lang=lang)), EXAMPLE_CLASS)
    studio = ss.select(studio, studio.entries[0].id)
    return urlencode(encode_state(ss.to_shared(studio)))


def out_path(out_dir: Path, lang: str) -> Path:
    return out_dir / ("screenshot.png" if lang == "en" else f"screenshot-{lang}.png")


def take(url: str, out: Path, lang: str, full_page: bool) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(f"{url}?{scene_query(lang)}")
        wait_for_chart(page)
        page.wait_for_function(
            "() => document.querySelectorAll('.scatterlayer .trace path.js-line').length >= 2"
        )
        wait_until_settled(page)
        page.mouse.move(WIDTH - 10, HEIGHT - 10)
        page.wait_for_timeout(500)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=full_page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    parser.add_argument("--url", help="an lrviz server that is already running")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not 1280x800")
    args = parser.parse_args(argv)
    server = contextlib.nullcontext(args.url) if args.url else running_app()
    with server as url:
        for lang in LANGUAGES:
            out = out_path(args.out_dir, lang)
            take(url, out, lang, args.full_page)
            print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
