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
    """All templates of one language (cached; the files ship inside the package).

    A language is `locales/<lang>.json` plus any `locales/<lang>.<part>.json` (one per area, such
    as formulas), merged; a key defined twice is an error.
    """
    folder = resources.files("lrviz").joinpath("locales")
    merged: dict[str, str] = {}
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if file.name == f"{lang}.json" or (
            file.name.startswith(f"{lang}.") and file.name.endswith(".json")
        ):
            part = json.loads(file.read_text("utf-8"))
            clash = merged.keys() & part.keys()
            if clash:
                raise ValueError(f"{file.name} redefines {sorted(clash)[:3]}")
            merged.update(part)
    return merged


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
