"""User-facing text in every language lrviz speaks: one JSON file of templates per language.

`t(key, lang, **params)` formats the template `key` of `lang` (falling back to English), so the
app, the findings and the CLI share one wording and a test can check that every language has
every key.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES: dict[str, str] = {"en": "English", "zh-TW": "繁體中文"}
DEFAULT_LANGUAGE = "en"


@cache
def catalog(lang: str) -> dict[str, str]:
    """All templates of one language: `locales/<lang>.json` (cached; it ships in the package)."""
    file = resources.files("lrviz").joinpath("locales", f"{lang}.json")
    return json.loads(file.read_text("utf-8"))


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The text for `key` in `lang` (English if that language lacks it), formatted with `params`.

    `key` and `lang` are positional-only, so a template may have `{key}` or `{lang}` params.
    """
    templates = catalog(lang) if lang in LANGUAGES else catalog(DEFAULT_LANGUAGE)
    template = templates.get(key)
    if template is None:
        template = catalog(DEFAULT_LANGUAGE)[key]
    return template.format(**params) if params else template


def pick_language(requested: str | None, accept_language: str | None = None) -> str:
    """A supported language: the requested one, else the browser's preference, else English."""
    if requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh") and tag not in ("zh-cn", "zh-sg", "zh-hans"):
            return "zh-TW"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE
