"""Keras cosine schedules written with timm's `CosineLRScheduler`, stepped per update.

`values(k)` is the optimizer's lr after `scheduler.step_update(num_updates=k)`
(`t_in_epochs=False`).
"""

from __future__ import annotations

import math

import numpy as np

from lrviz.engine import FLOAT32_EXACT_STEPS
from lrviz.translate.notes import note, say
from lrviz.translate.reference import CosineArgs, RestartArgs, index_mismatch
from lrviz.translate.translation import Translation, finish, lr, torch_code

FRAMEWORK = "timm"
SOURCE = "from timm.scheduler import CosineLRScheduler"
STEP_COMMENT = "translate.comment.timm_step"
# Restarts for good, as Keras does (timm's cycle_limit counts cycles).
CYCLE_LIMIT = 2**31 - 1


def cosine_decay(c: CosineArgs) -> Translation:
    """Optimizer lr = peak: CosineLRScheduler(t_initial=D, lr_min=alpha * peak, warmup_t=W,
    warmup_lr_init=initial, warmup_prefix=True, t_in_epochs=False, cycle_limit=1).
    Exact: same warmup line, same cosine, floor held after W + D.
    """
    notes, can_be_exact = c.common_notes()
    peak, initial, warmup, decay = c.peak, float(c.initial_learning_rate), c.warmup, c.decay_steps
    lr_min = c.alpha * peak
    arguments = [f"t_initial={decay!r}", f"lr_min={lr_min!r}"]
    if warmup:
        arguments += [
            f"warmup_t={warmup!r}",
            f"warmup_lr_init={lr(initial)}",
            "warmup_prefix=True",
        ]
        notes.append(note("translate.timm_warmup_prefix"))
    arguments += ["cycle_limit=1", "t_in_epochs=False"]
    if c.alpha:
        notes.append(
            note(
                "translate.absolute_floor",
                argument="lr_min",
                alpha=c.alpha,
                peak=peak,
                floor=lr_min,
            )
        )
    scheduler = ["scheduler = CosineLRScheduler(", "    optimizer,"]
    scheduler += [*[f"    {argument}," for argument in arguments], ")"]
    code = torch_code(c.keras.class_name, c.name, SOURCE, peak, scheduler, STEP_COMMENT)

    def curve(k: np.ndarray) -> np.ndarray:
        t = k - warmup
        cycle = np.floor_divide(t, decay)
        t_curr = t - decay * cycle
        cosine = lr_min + 0.5 * (peak - lr_min) * (1 + np.cos(np.pi * t_curr / decay))
        decayed = np.where(cycle < 1, cosine, lr_min)
        if not warmup:
            return decayed
        return np.where(k < warmup, initial + k * ((peak - initial) / warmup), decayed)

    return finish(FRAMEWORK, code, curve, notes, can_be_exact, None)


def cosine_restarts(r: RestartArgs) -> Translation:
    """Optimizer lr = initial: CosineLRScheduler(t_initial=first, lr_min=alpha * initial,
    cycle_mul=t_mul, cycle_decay=m_mul, cycle_limit=2**31 - 1, t_in_epochs=False). Same formula
    when m_mul = 1 or alpha = 0, but timm finds the cycle with a float64 math.log.
    """
    notes, can_be_exact = r.common_notes()
    initial, lr_min, first, t_mul, m_mul = (
        float(r.initial_learning_rate),
        r.floor,
        r.first_decay_steps,
        r.t_mul,
        r.m_mul,
    )
    first_difference: int | None = None
    known = t_mul >= 1
    if m_mul != 1 and r.alpha and initial:
        notes.append(note("translate.timm_cycle_decay_floor", alpha=r.alpha, m_mul=m_mul))
        first_difference = first
    if r.alpha:
        notes.append(
            note(
                "translate.absolute_floor",
                argument="lr_min",
                alpha=r.alpha,
                peak=initial,
                floor=lr_min,
            )
        )

    def index(k: np.ndarray) -> np.ndarray:
        if t_mul == 1:
            return np.floor_divide(k, first)
        out = np.empty_like(k)
        for n, t in enumerate(k.tolist()):
            try:
                # timm's own expression, so its float64 rounding is reproduced exactly.
                out[n] = math.floor(math.log(1 - t / first * (1 - t_mul), t_mul))
            except ValueError:
                out[n] = np.nan
        return out

    if t_mul < 1:
        limit = first / (1 - t_mul)
        near = range(max(0, math.floor(limit) - 3), math.ceil(limit) + 4)
        # timm's own test for the domain of math.log, in its own float64 arithmetic.
        raises_at = next((s for s in near if 1 - s / first * (1 - t_mul) <= 0), math.ceil(limit))
        notes.append(note("translate.timm_raises", step=raises_at))
    elif first_difference is None and initial != lr_min and not r.index_is_exact:
        glitch, glitch_notes, known = index_mismatch(
            r, index, FLOAT32_EXACT_STEPS, "timm", "translate.restart_mismatch_timm"
        )
        notes += glitch_notes
        first_difference = glitch
    scheduler = [
        "scheduler = CosineLRScheduler(",
        "    optimizer,",
        f"    t_initial={first!r},",
        f"    lr_min={lr_min!r},",
        f"    cycle_mul={t_mul!r},",
        f"    cycle_decay={m_mul!r},",
        f"    cycle_limit={CYCLE_LIMIT!r},  # {say('translate.comment.keep_restarting')}",
        "    t_in_epochs=False,",
        ")",
    ]
    code = torch_code(r.keras.class_name, r.name, SOURCE, initial, scheduler, STEP_COMMENT)

    def curve(k: np.ndarray) -> np.ndarray:
        i = index(k)
        finite = np.isfinite(i)
        i = np.where(finite, i, 0.0)
        if t_mul == 1:
            t_i, t_curr = np.full_like(k, float(first)), k - first * i
        else:
            t_i = t_mul**i * first
            t_curr = k - (1 - t_mul**i) / (1 - t_mul) * first
        lr_max = initial * m_mul**i
        rate = lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * t_curr / t_i))
        return np.where(finite, rate, np.nan)

    return finish(FRAMEWORK, code, curve, notes, can_be_exact, first_difference, known)
