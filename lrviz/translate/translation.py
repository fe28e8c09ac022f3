"""One translation: the value every writer returns, and the pieces of code and curve they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lrviz import i18n
from lrviz.translate.notes import Note, localised_comments, note, render_note, say


@dataclass(frozen=True)
class Translation:
    """A Keras schedule written for another framework.

    `values(steps)` is the framework's learning rate at each integer optimizer step (float64),
    computed in numpy from that framework's own formula, including its rounding quirks.
    `note_ids` holds `(NOTE_TEMPLATES key, params)` pairs; `notes` is their English text and
    `notes_in(lang)` their text in another language.
    """

    framework: str
    code: str
    exact: bool
    note_ids: tuple[Note, ...]
    _curve: Callable[[np.ndarray], np.ndarray] = field(repr=False, compare=False)

    @property
    def notes(self) -> tuple[str, ...]:
        return self.notes_in(i18n.DEFAULT_LANGUAGE)

    def notes_in(self, lang: str) -> tuple[str, ...]:
        return tuple(render_note(key, params, lang) for key, params in self.note_ids)

    def code_in(self, lang: str) -> str:
        """`code` with its comments in `lang` (the code itself is the same in every language)."""
        return localised_comments(self.code, lang)

    def values(self, steps: np.ndarray) -> np.ndarray:
        """The framework's learning rate at each optimizer step in `steps` (integers >= 0)."""
        return np.asarray(self._curve(_as_steps(steps)), dtype=np.float64)


def finish(
    framework: str,
    code: list[str],
    curve: Callable[[np.ndarray], np.ndarray],
    notes: list[Note],
    can_be_exact: bool,
    first_difference: int | None,
    known: bool = True,
) -> Translation:
    """Assemble a Translation; `first_difference` is the first step where it departs from Keras.

    `known=False` says that step could not be established (exactness is then not claimed).
    """
    exact = can_be_exact and known and first_difference is None
    if exact:
        notes = [*notes, note("translate.exact")]
    elif known and first_difference is not None and first_difference > 0:
        notes = [*notes, note("translate.identical_through", last=first_difference - 1)]
    return Translation(framework, "\n".join(code) + "\n", exact, tuple(notes), curve)


def header(class_name: str, name: object) -> str:
    """The snippet's first line: which Keras schedule it translates."""
    # repr() keeps a hostile name (newlines, quotes) inside the comment.
    return "# " + say("translate.comment.header", class_name=class_name, name=repr(name))


def torch_code(
    class_name: str,
    name: str,
    source: str,
    lr_value: float,
    scheduler: list[str],
    step_comment: str = "translate.comment.torch_step",
) -> list[str]:
    """A snippet for torch: an optimizer at `lr_value`, the `scheduler` lines (from the module
    imported by `source`), and when to step it (`step_comment`, a comment template's key)."""
    return [
        header(class_name, name),
        "import torch",
        source,
        "",
        "# " + say("translate.comment.torch_model"),
        f"optimizer = torch.optim.AdamW(model.parameters(), lr={lr(lr_value)})",
        *scheduler,
        "# " + say(step_comment),
    ]


def lr(value: float | int) -> str:
    """A learning rate as Python source: a float, every digit kept."""
    return repr(float(value))


def min_step(*steps: int | None) -> int | None:
    """The earliest of the steps that are known (None if none is)."""
    known = [s for s in steps if s is not None]
    return min(known) if known else None


def cos_half(fraction: np.ndarray) -> np.ndarray:
    """0.5 (1 + cos(pi fraction)): the cosine every framework decays along, in float64."""
    return 0.5 * (1.0 + np.cos(np.pi * fraction))


def _as_steps(steps: np.ndarray) -> np.ndarray:
    array = np.asarray(steps)
    if array.dtype.kind not in "iuf" or (
        array.size and (np.any(array < 0) or np.any(np.floor(array) != array))
    ):
        raise ValueError(say("translate.error.steps", value=array))
    return array.astype(np.float64)
