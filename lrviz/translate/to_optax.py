"""Keras cosine schedules written for optax: `cosine_decay_schedule` and `sgdr_schedule`.

optax's `schedule(k)` is the learning rate of optimizer step k, as Keras's `schedule(k)`.
"""

from __future__ import annotations

import math

import numpy as np

from lrviz.engine import FLOAT32_EXACT_STEPS
from lrviz.limits import DEFAULT_RESTART_CYCLES, MAX_SGDR_CYCLES
from lrviz.translate.notes import note, say
from lrviz.translate.reference import CosineArgs, RestartArgs, index_mismatch
from lrviz.translate.translation import Translation, cos_half, finish, header, lr, min_step


def cosine_decay(c: CosineArgs) -> Translation:
    """cosine_decay_schedule(peak, D, alpha), or with warmup warmup_cosine_decay_schedule(
    init=initial, peak=target, warmup_steps=W, decay_steps=W + D, end_value=alpha * target).
    Exact: optax's formulas are Keras's (its decay_steps counts the warmup).
    """
    notes, can_be_exact = c.common_notes()
    peak, warmup, decay, alpha = c.peak, c.warmup, c.decay_steps, c.alpha
    code = [header(c.keras.class_name, c.name), "import optax", ""]
    if not warmup:
        code += [
            "schedule = optax.cosine_decay_schedule(",
            f"    init_value={lr(peak)},",
            f"    decay_steps={decay!r},",
            f"    alpha={alpha!r},",
            ")",
        ]

        def curve(k: np.ndarray) -> np.ndarray:
            return peak * ((1 - alpha) * cos_half(np.minimum(k, decay) / decay) + alpha)

    else:
        initial, total, end_value = float(c.initial_learning_rate), warmup + decay, alpha * peak
        code += [
            "schedule = optax.warmup_cosine_decay_schedule(",
            f"    init_value={lr(initial)},",
            f"    peak_value={lr(peak)},",
            f"    warmup_steps={warmup!r},",
            f"    decay_steps={total!r},  # {say('translate.comment.includes_warmup')}",
            f"    end_value={end_value!r},  # {say('translate.comment.alpha_times_peak')}",
            ")",
        ]
        notes.append(
            note("translate.optax_decay_includes_warmup", total=total, warmup=warmup, decay=decay)
        )
        if alpha:
            notes.append(
                note(
                    "translate.absolute_floor",
                    argument="end_value",
                    alpha=alpha,
                    peak=peak,
                    floor=end_value,
                )
            )
        optax_alpha = 0.0 if peak == 0.0 else end_value / peak

        def curve(k: np.ndarray) -> np.ndarray:
            warming = (initial - peak) * (1 - np.minimum(k, warmup) / warmup) + peak
            span = total - warmup
            fraction = np.minimum(np.maximum(k - warmup, 0), span) / span
            decayed = peak * ((1 - optax_alpha) * cos_half(fraction) + optax_alpha)
            return np.where(k < warmup, warming, decayed)

    code.append("# " + say("translate.comment.optax_call"))
    return finish("optax", code, curve, notes, can_be_exact, None)


def _sgdr_cycles(r: RestartArgs, total_steps: int | None) -> tuple[list[float], list[float]]:
    """The cycles the snippet builds: their lengths and the step where each one ends."""
    lengths: list[float] = []
    ends: list[float] = []
    end = 0
    while len(lengths) < MAX_SGDR_CYCLES:
        length = r.first_decay_steps * r.t_mul ** len(lengths)
        if lengths and (length < 1 or math.isinf(r.height(len(lengths)))):
            # t_mul < 1: cycles shorter than a step; or m_mul**j, which the snippet computes in
            # Python floats, would overflow (Python raises OverflowError).
            break
        lengths.append(length)
        end += length
        ends.append(end)
        enough = (
            len(lengths) >= DEFAULT_RESTART_CYCLES if total_steps is None else end >= total_steps
        )
        if enough:
            break
    return lengths, ends


def cosine_restarts(r: RestartArgs, total_steps: int | None) -> Translation:
    """sgdr_schedule with one warmup_cosine_decay_schedule per cycle j: peak
    initial * ((1 - alpha) * m_mul**j + alpha), decay_steps first * t_mul**j, end_value
    alpha * initial. Same as Keras over those cycles; after them optax stays at the floor.
    """
    notes, can_be_exact = r.common_notes()
    lengths, ends = _sgdr_cycles(r, total_steps)
    cycles, covered = len(lengths), ends[-1]
    last = math.ceil(covered) - 1
    notes.append(note("translate.optax_sgdr_finite", cycles=cycles, last=last, floor=r.floor))
    code = [
        header(r.keras.class_name, r.name),
        "import optax",
        "",
        f"initial_learning_rate = {lr(r.initial_learning_rate)}",
        f"first_decay_steps = {r.first_decay_steps!r}",
        f"t_mul = {r.t_mul!r}",
        f"m_mul = {r.m_mul!r}",
        f"alpha = {r.alpha!r}",
        f"cycles = {cycles!r}  # {say('translate.comment.optax_cycles', last=last)}",
        "peaks = [initial_learning_rate * ((1 - alpha) * m_mul**j + alpha) for j in range(cycles)]",
        "schedule = optax.sgdr_schedule(",
        "    [",
        "        dict(",
        "            init_value=peaks[j],",
        "            peak_value=peaks[j],",
        "            warmup_steps=0,",
        "            decay_steps=first_decay_steps * t_mul**j,",
        "            end_value=alpha * initial_learning_rate,",
        "        )",
        "        for j in range(cycles)",
        "    ]",
        ")",
        "# " + say("translate.comment.optax_call"),
    ]
    peaks = np.array([r.peak(j) for j in range(cycles)])
    starts = np.array([0.0, *ends[:-1]])
    floor = r.floor
    # join_schedules compares the int32 step with each boundary in float32.
    boundaries = np.array(ends[:-1], dtype=np.float32)

    def index(k: np.ndarray) -> np.ndarray:
        return np.searchsorted(boundaries, k.astype(np.float32), side="right").astype(np.float64)

    def curve(k: np.ndarray) -> np.ndarray:
        j = index(k).astype(np.intp)
        peak, length = peaks[j], np.asarray(lengths)[j]
        optax_alpha = np.divide(floor, peak, out=np.zeros_like(peak), where=peak != 0)
        fraction = np.minimum(k - starts[j], length) / length
        return peak * ((1 - optax_alpha) * cos_half(fraction) + optax_alpha)

    first_difference = math.ceil(covered) if r.peak(cycles) != floor else None
    first_difference = min_step(first_difference, r.nan_step)
    known = r.t_mul >= 1
    if known and not r.index_is_exact:
        glitch, glitch_notes, known = index_mismatch(
            r, index, min(covered, FLOAT32_EXACT_STEPS), "optax", "translate.restart_mismatch_keras"
        )
        notes += glitch_notes
        first_difference = min_step(first_difference, glitch)
    return finish("optax", code, curve, notes, can_be_exact, first_difference, known)
