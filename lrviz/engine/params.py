"""Parameter specs: one declaration per schedule argument drives widgets, validation, help and export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from lrviz.errors import Phrase
from lrviz.i18n import DEFAULT_LANGUAGE
from lrviz.limits import MAX_NAME_CHARS, MAX_STEPS

ParamKind = Literal["float", "steps", "bool", "text", "float_list", "steps_list"]


class _Required:
    """Marker for an argument with no default (Keras requires it)."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class ParamSpec:
    """One constructor argument of a Keras schedule.

    `minimum`/`maximum` are what lrviz accepts (stricter than Keras); `slider_min`/`slider_max` and
    `log` are the sensible range and scale of the slider; `learning_rate` marks values that are
    learning rates (they decide Keras's dtype and are exported as floats).
    """

    name: str
    kind: ParamKind
    help: str
    default: Any = REQUIRED
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    slider_min: float | None = None
    slider_max: float | None = None
    log: bool = False
    learning_rate: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def bounds(self) -> Phrase:
        """The accepted range, to be worded in the language of the message it goes into."""
        if self.kind == "steps" or self.kind == "steps_list":
            low = int(self.minimum or 0)
            high = "10^12" if self.maximum == MAX_STEPS else f"{int(self.maximum or 0):,}"
            return Phrase("bounds.whole_number", {"low": low, "high": high})
        if self.kind == "bool":
            return Phrase("bounds.bool")
        if self.kind == "text":
            return Phrase("bounds.text", {"limit": MAX_NAME_CHARS})
        low = self.minimum
        high = self.maximum
        if low is None and high is None:
            return Phrase("bounds.finite")
        if high is None:
            key = "bounds.above" if self.exclusive_minimum else "bounds.at_least"
            return Phrase(key, {"low": low})
        return Phrase("bounds.range", {"low": low, "high": high})

    def bounds_text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The accepted range in words, for error messages and help."""
        return self.bounds().text(lang)
