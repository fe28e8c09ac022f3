"""Keras cosine schedules written with PyTorch's own schedulers: `CosineAnnealingLR` (behind a
`LinearLR` warmup in a `SequentialLR`) and `CosineAnnealingWarmRestarts`.

`values(k)` is the optimizer's lr after k calls of `scheduler.step()`, one after every
`optimizer.step()`.
"""

from __future__ import annotations

import numpy as np

from lrviz.engine import FLOAT32_EXACT_STEPS
from lrviz.translate.notes import Note, note
from lrviz.translate.reference import CosineArgs, RestartArgs, index_mismatch
from lrviz.translate.translation import Translation, finish, min_step, torch_code

# LinearLR refuses start_factor 0: a warmup from 0 starts at this fraction of the peak instead.
TINY_START_FACTOR = 1e-8


def cosine_decay(c: CosineArgs) -> Translation:
    """Optimizer lr = peak; CosineAnnealingLR(T_max=D, eta_min=alpha * peak), behind
    LinearLR(start_factor=initial / peak, total_iters=W) in a SequentialLR with milestones=[W].
    Not exact: CosineAnnealingLR is not clamped (it rises again after T_max), and LinearLR
    refuses start_factor 0 (warmup from 0) or above 1 (a warmup that goes down).
    """
    notes, can_be_exact = c.common_notes()
    framework = "PyTorch (SequentialLR)" if c.warmup else "PyTorch (CosineAnnealingLR)"
    warmup, decay = c.warmup, c.decay_steps
    peak, initial, eta_min = c.peak, float(c.initial_learning_rate), c.alpha * c.peak
    first_difference: int | None = None
    if peak != eta_min:
        notes.append(
            note(
                "translate.not_clamped",
                scheduler="CosineAnnealingLR",
                end=warmup + decay,
                floor=eta_min,
            )
        )
        first_difference = warmup + decay + 1
    cosine = f"CosineAnnealingLR(optimizer, T_max={decay!r}, eta_min={eta_min!r})"
    if not warmup:
        source = "from torch.optim.lr_scheduler import CosineAnnealingLR"
        scheduler = [f"scheduler = {cosine}"]
        start_factor = 1.0
    else:
        start_factor, warmup_notes = _start_factor(initial, peak)
        if warmup_notes:
            notes += warmup_notes
            first_difference = 0
        source = "from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR"
        scheduler = [
            "scheduler = SequentialLR(",
            "    optimizer,",
            "    schedulers=[",
            f"        LinearLR(optimizer, start_factor={start_factor!r}, end_factor=1.0, "
            f"total_iters={warmup!r}),",
            f"        {cosine},",
            "    ],",
            f"    milestones=[{warmup!r}],",
            ")",
        ]
    code = torch_code(c.keras.class_name, c.name, source, peak, scheduler)

    def curve(k: np.ndarray) -> np.ndarray:
        decayed = eta_min + (peak - eta_min) * (1 + np.cos(np.pi * (k - warmup) / decay)) / 2
        if not warmup:
            return decayed
        warming = peak * (start_factor + (1.0 - start_factor) * np.minimum(k, warmup) / warmup)
        return np.where(k < warmup, warming, decayed)

    return finish(framework, code, curve, notes, can_be_exact, first_difference)


def _start_factor(initial: float, peak: float) -> tuple[float, list[Note]]:
    """LinearLR's start_factor for a warmup from `initial` to `peak`, and a note when LinearLR
    cannot start there (the translation then departs from Keras at step 0)."""
    if peak > 0 and 0 < initial <= peak:
        return initial / peak, []
    if initial == 0 and peak > 0:
        factor = TINY_START_FACTOR
        return factor, [note("translate.torch_start_factor_zero", start_factor=factor)]
    if initial != peak:
        return 1.0, [note("translate.torch_start_factor_invalid", initial=initial, peak=peak)]
    return 1.0, []


def _int_cycles(t_0: int, t_mult: int, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cycle index, cycle start, cycle length) with integer cycle lengths, as PyTorch counts."""
    if t_mult == 1:
        index = np.floor_divide(k, t_0)
        return index, index * t_0, np.full_like(k, float(t_0))
    starts, lengths = [0], [t_0]
    top = float(k.max()) if k.size else 0.0
    while starts[-1] <= top:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * t_mult)
    index = np.searchsorted(np.array(starts, dtype=np.float64), k, side="right") - 1
    return (
        index.astype(np.float64),
        np.array(starts, dtype=np.float64)[index],
        np.array(lengths, dtype=np.float64)[index],
    )


def cosine_restarts(r: RestartArgs) -> Translation:
    """Optimizer lr = initial: CosineAnnealingWarmRestarts(T_0=first, T_mult=t_mul,
    eta_min=alpha * initial). Exact when t_mul is a whole number >= 1 and m_mul = 1.
    """
    notes, can_be_exact = r.common_notes()
    framework = "PyTorch (CosineAnnealingWarmRestarts)"
    t_0 = r.first_decay_steps
    initial, eta_min = float(r.initial_learning_rate), r.floor
    amplitude = initial - eta_min
    first_difference: int | None = None
    if r.t_mul >= 1 and r.t_mul.is_integer():
        t_mult = int(r.t_mul)
    else:
        t_mult = max(1, round(r.t_mul))
        notes.append(note("translate.torch_t_mult_integer", t_mul=r.t_mul, t_mult=t_mult))
        first_difference = t_0 + 1 if amplitude else None
    if r.m_mul != 1 and amplitude:
        notes.append(note("translate.no_m_mul", framework="PyTorch", m_mul=r.m_mul, peak=initial))
        first_difference = min_step(first_difference, t_0)
    first_difference = min_step(first_difference, r.nan_step)
    known = True
    if first_difference is None and amplitude and not r.index_is_exact:

        def index(k: np.ndarray) -> np.ndarray:
            return _int_cycles(t_0, t_mult, k)[0]

        glitch, glitch_notes, known = index_mismatch(
            r, index, FLOAT32_EXACT_STEPS, "PyTorch", "translate.restart_mismatch_keras"
        )
        notes += glitch_notes
        first_difference = glitch
    code = torch_code(
        r.keras.class_name,
        r.name,
        "from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts",
        initial,
        [
            "scheduler = CosineAnnealingWarmRestarts(",
            f"    optimizer, T_0={t_0!r}, T_mult={t_mult!r}, eta_min={eta_min!r}",
            ")",
        ],
    )

    def curve(k: np.ndarray) -> np.ndarray:
        _, start, length = _int_cycles(t_0, t_mult, k)
        return eta_min + amplitude * (1 + np.cos(np.pi * (k - start) / length)) / 2

    return finish(framework, code, curve, notes, can_be_exact, first_difference, known)
