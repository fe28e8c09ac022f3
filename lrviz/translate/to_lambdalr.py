"""Keras cosine schedules written as a PyTorch `LambdaLR` around Keras's own float32 arithmetic.

The snippet's function repeats Keras's operations in numpy float32, so it equals Keras bit for
bit (NaN included); its curve is the engine's, with every learning rate a float as the function
writes it.
"""

from __future__ import annotations

from lrviz.translate.notes import note, say
from lrviz.translate.reference import CosineArgs, RestartArgs, float_rate_curve
from lrviz.translate.translation import Translation, finish, header, lr

FRAMEWORK = "PyTorch (LambdaLR)"


def cosine_decay(c: CosineArgs) -> Translation:
    """LambdaLR over Keras CosineDecay in float32: exact, bit for bit."""
    notes, can_be_exact = c.common_notes()
    notes.append(note("translate.lambda_float32"))
    code = _torch_code(c.keras.class_name, c.name, _cosine_decay_function(c))
    return finish(FRAMEWORK, code, float_rate_curve(c.keras), notes, can_be_exact, None)


def cosine_restarts(r: RestartArgs) -> Translation:
    """LambdaLR over Keras CosineDecayRestarts in float32: exact, bit for bit (NaN included)."""
    notes, can_be_exact = r.common_notes()
    notes.append(note("translate.lambda_float32"))
    code = _torch_code(r.keras.class_name, r.name, _cosine_restarts_function(r))
    return finish(FRAMEWORK, code, float_rate_curve(r.keras), notes, can_be_exact, None)


def _cosine_decay_function(c: CosineArgs) -> list[str]:
    lines = [
        "def keras_learning_rate(step):",
        f'    """{say("translate.comment.lambda_doc", class_name=c.keras.class_name)}"""',
        "    f32 = np.float32",
        f"    initial_learning_rate = f32({lr(c.initial_learning_rate)})",
        f"    decay_steps = f32({c.decay_steps!r})",
        f"    alpha = {c.alpha!r}",
    ]
    if c.warmup_target is None:
        lines += [
            "    fraction = np.minimum(f32(step), decay_steps) / decay_steps",
            "    cosine = f32(0.5) * (f32(1.0) + np.cos(f32(math.pi) * fraction))",
            "    return float(initial_learning_rate * (f32(1 - alpha) * cosine + f32(alpha)))",
        ]
        return lines
    return [
        *lines,
        f"    warmup_target = f32({lr(c.warmup_target)})",
        f"    warmup_steps = f32({c.warmup_steps!r})",
        "    s = np.minimum(f32(step), decay_steps + warmup_steps)",
        "    if s < warmup_steps:",
        "        delta = warmup_target - initial_learning_rate",
        "        return float(delta * (s / warmup_steps) + initial_learning_rate)",
        "    fraction = (s - warmup_steps) / decay_steps",
        "    cosine = f32(0.5) * (f32(1.0) + np.cos(f32(math.pi) * fraction))",
        "    return float(warmup_target * (f32(1 - alpha) * cosine + f32(alpha)))",
    ]


def _cosine_restarts_function(r: RestartArgs) -> list[str]:
    return [
        "def keras_learning_rate(step):",
        f'    """{say("translate.comment.lambda_doc", class_name=r.keras.class_name)}"""',
        "    f32 = np.float32",
        f"    initial_learning_rate = f32({lr(r.initial_learning_rate)})",
        f"    first_decay_steps = f32({r.first_decay_steps!r})",
        f"    t_mul = f32({r.t_mul!r})",
        f"    m_mul = f32({r.m_mul!r})",
        f"    alpha = f32({r.alpha!r})",
        "    fraction = f32(step) / first_decay_steps",
        "    if t_mul == 1.0:",
        "        i_restart = np.floor(fraction)",
        "        fraction = fraction - i_restart",
        "    else:",
        "        with np.errstate(divide='ignore', invalid='ignore', over='ignore'):",
        "            x = f32(1.0) - fraction * (f32(1.0) - t_mul)",
        "            i_restart = np.floor(np.log(x) / np.log(t_mul))",
        "            power = np.power(t_mul, i_restart)",
        "            sum_r = (f32(1.0) - power) / (f32(1.0) - t_mul)",
        "            fraction = (fraction - sum_r) / power",
        "    with np.errstate(invalid='ignore', over='ignore'):",
        "        m_fac = np.power(m_mul, i_restart)",
        "        cosine = f32(0.5) * m_fac * (f32(1.0) + np.cos(f32(math.pi) * fraction))",
        "        return float(initial_learning_rate * ((f32(1.0) - alpha) * cosine + alpha))",
    ]


def _torch_code(class_name: str, name: str, function: list[str]) -> list[str]:
    return [
        header(class_name, name),
        "import math",
        "",
        "import numpy as np",
        "import torch",
        "",
        "",
        *function,
        "",
        "",
        "# " + say("translate.comment.torch_model_lambda"),
        "optimizer = torch.optim.AdamW(model.parameters(), lr=1.0)",
        "scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=keras_learning_rate)",
        "# " + say("translate.comment.torch_step"),
    ]
