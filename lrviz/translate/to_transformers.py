"""Keras cosine schedules written with Hugging Face transformers' schedule functions
(`get_cosine_schedule_with_warmup` and relatives, `get_cosine_with_hard_restarts_schedule_with_warmup`).

They return torch schedulers: `values(k)` is the optimizer's lr after k calls of
`scheduler.step()`, one after every `optimizer.step()`.
"""

from __future__ import annotations

import math

import numpy as np

from lrviz.limits import DEFAULT_RESTART_CYCLES, MAX_CHECKED_RESTARTS
from lrviz.translate.notes import note
from lrviz.translate.reference import CosineArgs, RestartArgs
from lrviz.translate.translation import Translation, cos_half, finish, min_step, torch_code

FRAMEWORK = "Hugging Face transformers"


def cosine_decay(c: CosineArgs) -> Translation:
    """Optimizer lr = peak: get_cosine_schedule_with_warmup(W, W + D), or
    get_cosine_with_min_lr_schedule_with_warmup(..., min_lr_rate=alpha) when alpha > 0; a warmup
    from initial != 0 uses get_cosine_with_min_lr_schedule_with_warmup_lr_rate(W + 1, W + D + 1,
    min_lr_rate=alpha, warmup_lr_rate=initial / peak), whose steps sit one later.
    Not exact: the cosine is not clamped after num_training_steps.
    """
    notes, can_be_exact = c.common_notes()
    warmup, decay = c.warmup, c.decay_steps
    peak, initial, alpha, total = c.peak, float(c.initial_learning_rate), c.alpha, warmup + decay
    first_difference: int | None = None
    shifted = bool(warmup) and initial != 0 and peak != 0
    if shifted:
        rate = initial / peak
        function = "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"
        arguments = [
            f"num_warmup_steps={warmup + 1!r}",
            f"num_training_steps={total + 1!r}",
            f"min_lr_rate={alpha!r}",
            f"warmup_lr_rate={rate!r}",
        ]
        notes.append(note("translate.hf_warmup_from_zero", initial=initial))
        notes.append(note("translate.hf_lr_rate_shift", warmup=warmup + 1, total=total + 1))
    else:
        function = (
            "get_cosine_with_min_lr_schedule_with_warmup"
            if alpha
            else "get_cosine_schedule_with_warmup"
        )
        arguments = [f"num_warmup_steps={warmup!r}", f"num_training_steps={total!r}"]
        if alpha:
            arguments.append(f"min_lr_rate={alpha!r}")
        if warmup and initial != 0:
            notes.append(note("translate.hf_zero_peak", initial=initial))
            first_difference = 0
    if warmup:
        notes.append(
            note("translate.hf_total_includes_warmup", total=total, warmup=warmup, decay=decay)
        )
    if alpha:
        notes.append(note("translate.min_lr_rate_fraction"))
    if peak != alpha * peak:
        floor = alpha * peak
        notes.append(note("translate.not_clamped", scheduler=function, end=total, floor=floor))
        first_difference = min_step(first_difference, total + 1)
    scheduler = [f"scheduler = {function}(", "    optimizer,"]
    scheduler += [*[f"    {argument}," for argument in arguments], ")"]
    code = torch_code(
        c.keras.class_name, c.name, f"from transformers import {function}", peak, scheduler
    )

    def curve(k: np.ndarray) -> np.ndarray:
        if shifted:
            # transformers' _lr_rate lambda, with its one-step shifts.
            warming = rate + (1.0 - rate) * k / max(1, warmup)
            progress = (k - (warmup + 1) + 1.0) / max(1.0, float(total - warmup))
        else:
            warming = k / float(max(1, warmup))
            progress = (k - warmup) / float(max(1, total - warmup))
        factor = cos_half(progress)
        if shifted or alpha:
            factor = factor * (1 - alpha) + alpha
        warm_until = warmup + 1 if shifted else warmup
        factor = np.where(k < warm_until, warming, np.maximum(0.0, factor))
        return peak * factor

    return finish(FRAMEWORK, code, curve, notes, can_be_exact, first_difference)


def cosine_restarts(r: RestartArgs, total_steps: int | None) -> Translation:
    """Optimizer lr = initial: get_cosine_with_hard_restarts_schedule_with_warmup(
    num_warmup_steps=0, num_training_steps=cycles * first, num_cycles=cycles). Equal cycles
    decaying to 0 and then 0 for good: it can match only t_mul = 1, m_mul = 1, alpha = 0.
    """
    notes, can_be_exact = r.common_notes()
    first = r.first_decay_steps
    if total_steps is None:
        cycles = DEFAULT_RESTART_CYCLES
    else:
        cycles = max(1, math.ceil(total_steps / first))
    total = cycles * first
    initial = float(r.initial_learning_rate)
    first_difference: int | None = None
    if initial:
        first_difference = total
        notes.append(note("translate.hf_ends_at_zero", end=total))
        if r.alpha:
            notes.append(note("translate.hf_no_alpha", alpha=r.alpha))
            first_difference = 1
        if r.m_mul != 1 and r.alpha != 1:
            notes.append(
                note("translate.no_m_mul", framework="transformers", m_mul=r.m_mul, peak=initial)
            )
            first_difference = min(first_difference, first)
        if r.t_mul != 1:
            notes.append(note("translate.hf_no_t_mul", first=first, t_mul=r.t_mul))
            first_difference = min(first_difference, first + 1)

    first_difference = min_step(first_difference, r.nan_step)

    def index(k: np.ndarray) -> np.ndarray:
        return np.floor(float(cycles) * (k / float(max(1, total))))

    known = True
    if initial and r.alpha != 1:
        # Restart j happens at j * first in Keras (checked) and wherever the float lands in HF;
        # the first MAX_CHECKED_RESTARTS of them, so the cost is bounded whatever total_steps.
        checked = min(cycles, MAX_CHECKED_RESTARTS + 1)
        restarts = np.arange(1, checked, dtype=np.float64) * first
        restarts = restarts[restarts < first_difference]
        unchecked = checked < cycles and checked * first < first_difference
        wrong = restarts[index(restarts) != restarts / first]
        if not r.index_is_exact:
            keras_wrong = restarts[r.restart_index(restarts) != restarts / first]
            wrong = np.union1d(wrong, keras_wrong)
        if wrong.size:
            notes.append(
                note(
                    "translate.restart_mismatch_hf",
                    step=int(wrong[0]),
                    count=int(wrong.size),
                    limit=checked * first if unchecked else total,
                )
            )
            first_difference = int(wrong[0])
        elif unchecked:
            notes.append(note("translate.restarts_not_verified", limit=total))
            known = False
    code = torch_code(
        r.keras.class_name,
        r.name,
        "from transformers import get_cosine_with_hard_restarts_schedule_with_warmup",
        initial,
        [
            "scheduler = get_cosine_with_hard_restarts_schedule_with_warmup(",
            f"    optimizer, num_warmup_steps=0, num_training_steps={total!r}, num_cycles={cycles!r}",
            ")",
        ],
    )

    def curve(k: np.ndarray) -> np.ndarray:
        progress = k / float(max(1, total))
        factor = np.maximum(0.0, cos_half(np.mod(float(cycles) * progress, 1.0)))
        return initial * np.where(progress >= 1.0, 0.0, factor)

    return finish(FRAMEWORK, code, curve, notes, can_be_exact, first_difference, known)
