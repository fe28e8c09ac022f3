"""`Finding`: one thing Keras will do with a config that its user may not expect.

The class modules say what is surprising about their own class (a warmup Keras ignores, restarts
that turn NaN, ...); `lrviz.checks` adds what holds for every class and collects them. The
wording lives in the locale files (`finding.<code>` and `finding.<code>.fix`, formatted with the
finding's `params`), so the page renders the same finding in any language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lrviz.errors import Phrase, localised
from lrviz.i18n import DEFAULT_LANGUAGE, t

Severity = Literal["warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing Keras will do that the user may not expect."""

    code: str
    severity: Severity
    param: str
    params: Mapping[str, Any] = field(default_factory=dict)
    detail: str | None = None

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """What Keras will do, in plain words."""
        params = localised(self.params, lang)
        text = t(f"finding.{self.code}", lang, **params)
        return f"{text} {t(self.detail, lang, **params)}" if self.detail else text

    def fix(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """How to get what was meant."""
        return t(f"finding.{self.code}.fix", lang, **localised(self.params, lang))


def alpha_finding(alpha: float, peak: float) -> Finding | None:
    """A cosine floor `alpha * peak` outside [0, peak]: Keras accepts any alpha."""
    if 0.0 <= alpha <= 1.0:
        return None
    direction = "finding.direction.below_zero" if alpha < 0 else "finding.direction.above_peak"
    return Finding(
        "alpha_outside_unit",
        "warning",
        "alpha",
        {"alpha": alpha, "floor": f"{alpha * peak:.6g}", "direction": Phrase(direction)},
    )
