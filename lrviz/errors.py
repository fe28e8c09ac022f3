"""The one exception every bad configuration raises, worded in every language lrviz speaks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lrviz.i18n import DEFAULT_LANGUAGE, t


@dataclass(frozen=True)
class Phrase:
    """Words not yet in any language: a locale key and its params, worded when a language is known.

    A message's params may hold phrases (such as the accepted range of an argument), so the whole
    message comes out in one language.
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return t(self.key, lang, **localised(self.params, lang))


class WordedError(Exception):
    """An error raised as `Error(key, **params)` with a key of `locales/<lang>.json`: `str(err)`
    is the English message and `err.message(lang)` any other."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message(DEFAULT_LANGUAGE))

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The message in `lang` (English where that language lacks it)."""
        return t(self.key, lang, **localised(self.params, lang))


class ConfigError(WordedError, ValueError):
    """A schedule configuration lrviz (or Keras) cannot use.

    Raised as `ConfigError(key, **params)` with a key of `locales/<lang>.json` (keys `error.*`, `bounds.*`). The message
    is one line that names the field, what was received and what would be accepted, in the style
    of Keras's own checks.
    """


def localised(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """`params` with every `Phrase` and `ConfigError` among them worded in `lang`."""
    worded: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Phrase):
            value = value.text(lang)
        elif isinstance(value, ConfigError):
            value = value.message(lang)
        worded[name] = value
    return worded
