"""Keras cosine schedules translated into optax, PyTorch, Hugging Face transformers and timm.

`translations(schedule)` turns a validated `CosineDecay` or `CosineDecayRestarts` `Schedule` into
one `Translation` per target: a runnable snippet, whether it is exact, plain-English notes on what
differs, and `values(steps)`, the learning rate that framework will use, computed here in numpy
without importing it. Keras's side of every comparison is the engine's (`reference`); each
target has its own writer module (`to_optax`, `to_pytorch`, `to_lambdalr`, `to_transformers`,
`to_timm`), the notes' words live in `notes`, and `compare` measures two curves' distance.

Step convention, everywhere: `values(k)` is the learning rate used by optimizer step `k`, the same
indexing as Keras's `schedule(k)` (k = `optimizer.iterations` before the update):
- optax: `schedule(k)`.
- PyTorch and transformers (which return torch schedulers): the optimizer's lr after `k` calls of
  `scheduler.step()`, with `scheduler.step()` called once after every `optimizer.step()`.
- timm: the optimizer's lr after `scheduler.step_update(num_updates=k)` (`t_in_epochs=False`).

`exact` means the framework computes the same function of the step as Keras: equal at every step
up to float32 rounding (Keras computes in float32, so above 2**24 steps its own rounding of the step
dominates). It is claimed only when that has been established, never hoped for.
"""

from __future__ import annotations

from collections.abc import Callable

from lrviz.engine import Schedule
from lrviz.translate import to_lambdalr, to_optax, to_pytorch, to_timm, to_transformers
from lrviz.translate.compare import Difference, compare
from lrviz.translate.notes import NOTE_TEMPLATES, localised_comments, render_note
from lrviz.translate.reference import CosineArgs, RestartArgs
from lrviz.translate.translation import Translation

__all__ = [
    "NOTE_TEMPLATES",
    "Difference",
    "Translation",
    "compare",
    "localised_comments",
    "render_note",
    "translations",
]


def _cosine(schedule: Schedule, total_steps: int | None) -> list[Translation]:
    c = CosineArgs.of(schedule)
    return [
        to_optax.cosine_decay(c),
        to_pytorch.cosine_decay(c),
        to_lambdalr.cosine_decay(c),
        to_transformers.cosine_decay(c),
        to_timm.cosine_decay(c),
    ]


def _sgdr(schedule: Schedule, total_steps: int | None) -> list[Translation]:
    r = RestartArgs.of(schedule)
    return [
        to_optax.cosine_restarts(r, total_steps),
        to_pytorch.cosine_restarts(r),
        to_lambdalr.cosine_restarts(r),
        to_transformers.cosine_restarts(r, total_steps),
        to_timm.cosine_restarts(r),
    ]


# The writers of each shape a spec can declare (`ScheduleSpec.translated_as`).
_WRITERS: dict[str, Callable[[Schedule, int | None], list[Translation]]] = {
    "cosine": _cosine,
    "sgdr": _sgdr,
}


def translations(schedule: Schedule, *, total_steps: int | None = None) -> list[Translation]:
    """Every translation of a Keras schedule; [] for a class no other framework has.

    `total_steps` (the number of optimizer steps you will train for) sizes the translations that
    need a finite number of restart cycles (optax's sgdr_schedule, transformers' hard restarts);
    without it they cover the first `lrviz.limits.DEFAULT_RESTART_CYCLES` cycles.
    """
    shape = schedule.spec.translated_as
    return [] if shape is None else _WRITERS[shape](schedule, total_steps)
