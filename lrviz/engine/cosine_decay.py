"""`keras.optimizers.schedules.CosineDecay`: cosine decay after an optional linear warmup.

Follows `keras/src/optimizers/schedules/learning_rate_schedule.py`, class `CosineDecay`
(Keras >= 3.12), operation by operation in float32. With s = min(step, W + D):

    s < W (warmup, only when `warmup_target` is set):
        lr = (warmup_target - initial_learning_rate) * s / W + initial_learning_rate
    else, with peak = warmup_target (or initial_learning_rate without warmup), f = (s - W) / D:
        lr = peak * ((1 - alpha) * 0.5 * (1 + cos(pi * f)) + alpha)

so the curve reaches `peak` at step W, decays over D = `decay_steps` steps and stays at
alpha * peak from W + D on (optax's `warmup_cosine_decay_schedule` has the same shape, with
`decay_steps` counting the warmup too). Keras sets W = `warmup_steps` but warms up only when
`warmup_target` is given; an integer `initial_learning_rate` makes it compute in int32 (pi = 3).

Args: initial_learning_rate, decay_steps, alpha (floor, a fraction of the peak), name,
warmup_target (peak after the warmup, or None), warmup_steps.
"""

from __future__ import annotations

import numpy as np

from lrviz.engine.finding import Finding, alpha_finding
from lrviz.engine.float32 import (
    EVAL_BLOCK,
    F32,
    PI32,
    Config,
    cast_int32,
    computes_in_int,
    steps_float32,
)
from lrviz.engine.grappler import cos as graph_cos
from lrviz.engine.phases import Stages, Teaching, edge_level, keras_edge
from lrviz.engine.spec import (
    PathArithmetic,
    ScheduleSpec,
    alpha_param,
    learning_rate_param,
    name_param,
    spec_summary,
    steps_param,
)
from lrviz.engine.xla import fma, reciprocal

CLASS = "CosineDecay"


def _cosine_decay(
    completed: np.ndarray, alpha: float, decay_from: np.float32, pi: np.float32 = PI32
) -> np.ndarray:
    """Keras `CosineDecay._decay_function`: decay_from * ((1-alpha) * 0.5(1+cos(pi*f)) + alpha).

    `alpha` is a Python float there, so `1 - alpha` is computed in float64 and rounded once.
    """
    cosine = F32(0.5) * (F32(1.0) + np.cos(pi * completed))
    decayed = F32(1 - alpha) * cosine + F32(alpha)
    return decay_from * decayed


def _eval_cosine(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """Cosine decay from `initial_learning_rate` (or `warmup_target` after a linear warmup).

    No warmup: s = min(step, D); lr = lr0 * ((1-a) * 0.5 * (1 + cos(pi s / D)) + a).
    Warmup (`warmup_target` set): s = min(step, D + W); s < W: lr = (T - lr0) * s / W + lr0;
    else the decay above with s - W and T in place of lr0.
    Evaluated block by block in place: one pass per operation over a cached block instead of one
    fresh 4-byte-per-step array per operation.
    """
    if computes_in_int(cfg):
        return _eval_cosine_int(cfg, steps)
    lr0 = F32(cfg["initial_learning_rate"])
    decay_steps = F32(cfg["decay_steps"])
    alpha = cfg["alpha"]
    warmup = cfg["warmup_target"] is not None
    if warmup:
        target = F32(cfg["warmup_target"])
        warmup_steps = F32(cfg["warmup_steps"])
        cap, peak = decay_steps + warmup_steps, target
    else:
        cap, peak = decay_steps, lr0
    flat = steps.reshape(-1)
    out = np.empty(flat.shape, F32)
    size = min(EVAL_BLOCK, flat.size)
    # `caps` is an array because numpy's float32 minimum with a scalar operand is 4x slower.
    x_block, caps, rising_block = np.empty(size, F32), np.full(size, cap), np.empty(size, bool)
    for first in range(0, flat.size, EVAL_BLOCK):
        block_steps = flat[first : first + EVAL_BLOCK]
        o = out[first : first + EVAL_BLOCK]
        x, rising = x_block[: o.size], rising_block[: o.size]
        np.copyto(x, block_steps, casting="unsafe")  # ops.cast(step, "float32")
        np.minimum(x, caps[: o.size], out=x)
        if warmup:
            any_rising = np.less(x, warmup_steps, out=rising).any()
            np.subtract(x, warmup_steps, out=x)
        np.divide(x, decay_steps, out=x)
        # _cosine_decay: peak * ((1 - alpha) * (0.5 * (1 + cos(pi * completed))) + alpha)
        np.multiply(PI32, x, out=x)
        np.cos(x, out=x)
        np.add(F32(1.0), x, out=x)
        np.multiply(F32(0.5), x, out=x)
        np.multiply(F32(1 - alpha), x, out=x)
        np.add(x, F32(alpha), out=x)
        np.multiply(peak, x, out=o)
        if warmup and any_rising:
            s = block_steps[rising].astype(F32)  # below W < D + W: never clamped
            with np.errstate(divide="ignore", invalid="ignore"):
                o[rising] = (target - lr0) * (s / warmup_steps) + lr0
    return out.reshape(steps.shape)


def _eval_cosine_int(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """Integer `initial_learning_rate`: int32 arithmetic, pi = 3, warmup in float64 (numpy's `/`)."""
    lr0 = int(cfg["initial_learning_rate"])
    decay_steps = int(cfg["decay_steps"])
    alpha = cfg["alpha"]
    s = steps.astype(np.int64)
    three = F32(3)
    if cfg["warmup_target"] is None:
        s = np.minimum(s, decay_steps)
        completed = s.astype(F32) / F32(decay_steps)
        return _cosine_decay(completed, alpha, F32(lr0), three)
    target = cast_int32(cfg["warmup_target"])
    warmup_steps = int(cfg["warmup_steps"])
    s = np.minimum(s, decay_steps + warmup_steps)
    with np.errstate(divide="ignore", invalid="ignore"):
        warm = (target - lr0) * (s / np.float64(warmup_steps)) + lr0
    completed = (s - warmup_steps).astype(F32) / F32(decay_steps)
    decay = _cosine_decay(completed, alpha, F32(target), three)
    return np.where(s < warmup_steps, warm.astype(F32), decay)


def _breaks_cosine(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray:
    if cfg["warmup_target"] is None:
        return np.array([cfg["decay_steps"]], dtype=np.int64)
    warmup = int(cfg["warmup_steps"])
    return np.array([warmup, warmup + cfg["decay_steps"]], dtype=np.int64)


def _settles_cosine(cfg: Config) -> int:
    if cfg["warmup_target"] is None:
        return int(cfg["decay_steps"])
    return int(cfg["warmup_steps"]) + int(cfg["decay_steps"])


def _compiled(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """CosineDecay: s * fl(1/D) for s / D, the warmup's fraction likewise, fused `a * b + c`."""
    lr0 = F32(cfg["initial_learning_rate"])
    decay_steps = F32(cfg["decay_steps"])
    alpha = cfg["alpha"]
    x = steps_float32(steps)

    def decay(s: np.ndarray, peak: np.float32) -> np.ndarray:
        cosine = F32(0.5) * (F32(1.0) + np.cos(PI32 * (s * reciprocal(decay_steps))))
        return peak * fma(F32(1 - alpha), cosine, F32(alpha))

    if cfg["warmup_target"] is None:
        return decay(np.minimum(x, decay_steps), lr0)
    target = F32(cfg["warmup_target"])
    warmup_steps = F32(cfg["warmup_steps"])
    s = np.minimum(x, decay_steps + warmup_steps)
    warm = fma(target - lr0, s * reciprocal(warmup_steps), lr0)
    return np.where(s < warmup_steps, warm, decay(s - warmup_steps, target))


def _tf_graph(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """CosineDecay under tf.function: s * fl(1/D) without a warmup; with one, Keras's `cond`
    keeps both divisions (by W and by D) as divisions. Nothing is fused; cos is glibc's."""
    lr0 = F32(cfg["initial_learning_rate"])
    decay_steps = F32(cfg["decay_steps"])
    alpha = cfg["alpha"]
    x = steps_float32(steps)

    def decay(fraction: np.ndarray, peak: np.float32) -> np.ndarray:
        cosine = F32(0.5) * (F32(1.0) + graph_cos(PI32 * fraction))
        return peak * (F32(1 - alpha) * cosine + F32(alpha))

    if cfg["warmup_target"] is None:
        return decay(np.minimum(x, decay_steps) * reciprocal(decay_steps), lr0)
    target = F32(cfg["warmup_target"])
    warmup_steps = F32(cfg["warmup_steps"])
    s = np.minimum(x, decay_steps + warmup_steps)
    warm = (target - lr0) * (s / warmup_steps) + lr0
    return np.where(s < warmup_steps, warm, decay((s - warmup_steps) / decay_steps, target))


def floor_fraction(cfg: Config) -> float:
    """Where Keras's clamp stops the cosine: 1, unless D + W rounds in float32.

    Keras clamps the step at `decay_steps + warmup_steps` added in float32; above 2^24 the sum
    can round down, so the decay stops short of its end (f < 1) and the floor is not
    alpha * peak.
    """
    if cfg["warmup_target"] is None or computes_in_int(cfg):
        return 1.0
    warmup, decay = F32(cfg["warmup_steps"]), F32(cfg["decay_steps"])
    return float((decay + warmup - warmup) / decay)


def _phases(cfg: Config) -> Stages:
    """(Warmup,) decay, floor: the edges are W and D + W added in Keras's dtype (D + W may round
    above 2^24), or D without warmup."""
    names = [(f"phase.{n}", f"formula.{CLASS}.{n}") for n in ("warmup", "decay", "floor")]
    if cfg["warmup_target"] is None:
        return Stages(edge_level(cfg, [keras_edge(cfg, cfg["decay_steps"])]), tuple(names[1:]))
    warmup = keras_edge(cfg, cfg["warmup_steps"])
    edges = [warmup, keras_edge(cfg, cfg["decay_steps"]) + warmup]
    return Stages(edge_level(cfg, edges), tuple(names))


def _findings(cfg: Config, reach: int) -> list[Finding]:
    """A warmup Keras ignores or that warms down, a floor outside [0, peak], a shifted floor."""
    found: list[Finding] = []
    target, warmup_steps = cfg["warmup_target"], cfg["warmup_steps"]
    if target is None and warmup_steps > 0:
        found.append(
            Finding("warmup_ignored", "warning", "warmup_target", {"warmup_steps": warmup_steps})
        )
    if target is not None and warmup_steps > 0 and target < cfg["initial_learning_rate"]:
        params = {
            "target": target,
            "initial": cfg["initial_learning_rate"],
            "warmup_steps": warmup_steps,
        }
        found.append(Finding("warms_down", "warning", "warmup_target", params))
    alpha = alpha_finding(cfg["alpha"], cfg["initial_learning_rate"] if target is None else target)
    if alpha:
        found.append(alpha)
    shifted = _floor_finding(cfg)
    if shifted:
        found.append(shifted)
    return found


def _floor_finding(cfg: Config) -> Finding | None:
    """The floor after a warmup is not alpha * warmup_target when W + D rounds in float32.

    Keras clamps the step to `fl(D + W)` and decays over `fl(D + W) - W`: once D + W is past 2^24
    that differs from D, so the last cosine is not cos(pi) and the floor is off alpha * peak.
    Without a warmup the clamp is D itself and D / D is exactly 1: no shift.
    """
    if cfg["warmup_target"] is None or computes_in_int(cfg):
        return None
    cap = F32(cfg["decay_steps"]) + F32(cfg["warmup_steps"])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        settled = _eval_cosine(cfg, np.array([int(cap)], dtype=np.int64))[0]
        # What Keras computes at cos(pi) = -1: peak * ((1 - alpha) * 0 + alpha), in float32.
        expected = F32(cfg["warmup_target"]) * F32(cfg["alpha"])
    if settled == expected or not np.isfinite(expected):
        return None  # a non-finite peak is `beyond_float32`, not a shifted floor
    return Finding(
        "cosine_floor_shifted",
        "warning",
        "warmup_steps",
        {"settled": float(settled), "expected": float(expected)},
    )


SPEC = ScheduleSpec(
    CLASS,
    spec_summary(CLASS),
    (
        learning_rate_param(CLASS, "initial_learning_rate"),
        steps_param(CLASS, "decay_steps"),
        alpha_param(CLASS),
        name_param(CLASS, CLASS),
        learning_rate_param(CLASS, "warmup_target", default=None, nullable=True),
        steps_param(CLASS, "warmup_steps", default=0, low=0),
    ),
    _eval_cosine,
    _breaks_cosine,
    _settles_cosine,
    starter={
        "initial_learning_rate": 0.0,
        "decay_steps": 9000,
        "alpha": 0.1,
        "name": "warmup_cosine",
        "warmup_target": 1e-3,
        "warmup_steps": 1000,
    },
    link_code="C",
    compiled_evaluate=_compiled,
    tf_paths={"tf-graph": PathArithmetic(_tf_graph)},
    teaching=Teaching(_phases, int32_args=("warmup_target",)),
    findings=_findings,
    translated_as="cosine",
)
