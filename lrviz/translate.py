"""Keras cosine schedules translated into optax, PyTorch, Hugging Face transformers and timm.

`translations(class_name, config)` turns a Keras `CosineDecay` or `CosineDecayRestarts` config (the
`config` part of `keras.optimizers.schedules.serialize`) into one `Translation` per target: a
runnable snippet, whether it is exact, plain-English notes on what differs, and `values(steps)`,
the learning rate that framework will use, computed here in numpy without importing it.

Step convention, everywhere: `values(k)` is the learning rate used by optimizer step `k`, the same
indexing as Keras's `schedule(k)` (k = `optimizer.iterations` before the update):
- optax: `schedule(k)`.
- PyTorch and transformers (which return torch schedulers): the optimizer's lr after `k` calls of
  `scheduler.step()`, with `scheduler.step()` called once after every `optimizer.step()`.
- timm: the optimizer's lr after `scheduler.step_update(num_updates=k)` (`t_in_epochs=False`).

`exact` means the framework computes the same function of the step as Keras: equal at every step
up to float32 rounding (Keras computes in float32, so above 2**24 steps its own rounding of the step
dominates). It is claimed only when that has been established, never hoped for. Every user-facing
sentence comes from `NOTE_TEMPLATES`, so a translation can be re-rendered in another language from
`Translation.note_ids`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrviz import i18n

# Restart cycles that optax and transformers get when total_steps is not given.
DEFAULT_RESTART_CYCLES = 10
MAX_SGDR_CYCLES = 1000
# Keras casts the step to float32, which is exact up to here; exactness is checked up to this step.
KERAS_EXACT_STEPS = 2**24
_MAX_CHECKED_RESTARTS = 2**16
_TORCH_TINY_START_FACTOR = 1e-8
_TIMM_CYCLE_LIMIT = 2**31 - 1

# A note: its NOTE_TEMPLATES key and the parameters to format it with.
Note = tuple[str, dict[str, object]]


# The notes' English templates; every language's live in `lrviz/locales/<lang>.json` (keys `translate.*`).
NOTE_TEMPLATES: dict[str, str] = {
    key: text
    for key, text in i18n.catalog(i18n.DEFAULT_LANGUAGE).items()
    if key.startswith("translate.")
}


def render_note(
    note_id: str,
    params: Mapping[str, object],
    lang: str | Mapping[str, str] = i18n.DEFAULT_LANGUAGE,
) -> str:
    """One note as text in `lang` (a `lrviz.i18n.LANGUAGES` code, or a dict of templates)."""
    if isinstance(lang, str):
        return i18n.t(note_id, lang, **params)
    return lang[note_id].format(**params)


def _comment_pattern(template: str) -> re.Pattern[str]:
    """A regex that reads a comment written from `template` back into its parameters."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    )


_COMMENTS = {
    key: _comment_pattern(text)
    for key, text in NOTE_TEMPLATES.items()
    if key.startswith("translate.comment.")
}


def localised_comments(code: str, lang: str) -> str:
    """Generated code whose comments (written in English by the builders) are put in `lang`."""
    if lang == i18n.DEFAULT_LANGUAGE:
        return code
    lines = []
    for line in code.split("\n"):
        docstring = _DOCSTRING.fullmatch(line)
        if docstring:
            head, text, tail = docstring.groups()
        else:
            head, mark, text = line.partition("# ")
            head, tail = head + mark, ""
        lines.append(head + _localised(text, lang) + tail if head != line else line)
    return "\n".join(lines)


_DOCSTRING = re.compile(r'(\s*""")(.*)(""")')


def _localised(comment: str, lang: str) -> str:
    for key, pattern in _COMMENTS.items():
        found = pattern.fullmatch(comment)
        if found:
            return i18n.t(key, lang, **found.groupdict())
    return comment


def _say(note_id: str, **params: object) -> str:
    return render_note(note_id, params)


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


@dataclass(frozen=True)
class Difference:
    """Largest absolute and relative difference between two curves, and the steps where they are.

    A step where exactly one curve is NaN counts as an infinite difference; steps where both are
    NaN count as equal. `max_rel` is taken only where |reference| >= `rel_floor` × max |reference|
    (so never where it is 0): below that, float32 rounding in Keras itself dominates the ratio and
    the absolute difference tells the story. A step is None when there is no difference at all.
    """

    max_abs: float
    max_abs_step: int | None
    max_rel: float
    max_rel_step: int | None


def compare(
    steps: np.ndarray, reference: np.ndarray, other: np.ndarray, *, rel_floor: float = 1e-3
) -> Difference:
    """Where `other` departs most from `reference` (the Keras curve), absolutely and relatively."""
    steps = np.asarray(steps)
    ref = np.asarray(reference, dtype=np.float64)
    oth = np.asarray(other, dtype=np.float64)
    if not steps.shape == ref.shape == oth.shape:
        raise ValueError(
            f"Shapes differ: steps {steps.shape}, reference {ref.shape}, other {oth.shape}"
        )
    ref_nan, oth_nan = np.isnan(ref), np.isnan(oth)
    with np.errstate(invalid="ignore"):
        abs_diff = np.abs(oth - ref)
    abs_diff[(ref == oth) | (ref_nan & oth_nan)] = 0.0
    abs_diff[ref_nan ^ oth_nan] = np.inf
    abs_diff[np.isnan(abs_diff)] = np.inf  # inf - inf: curves that blow up differently

    max_abs, max_abs_step = _largest(steps, abs_diff)
    finite_ref = np.abs(ref[np.isfinite(ref)])
    scale = float(finite_ref.max()) if finite_ref.size else 0.0
    usable = np.isfinite(ref) & (np.abs(ref) >= rel_floor * scale) & (ref != 0)
    rel_diff = np.zeros_like(abs_diff)
    rel_diff[usable] = abs_diff[usable] / np.abs(ref[usable])
    max_rel, max_rel_step = _largest(steps, rel_diff)
    return Difference(max_abs, max_abs_step, max_rel, max_rel_step)


def _largest(steps: np.ndarray, diff: np.ndarray) -> tuple[float, int | None]:
    if diff.size == 0 or not diff.max() > 0:
        return 0.0, None
    where = int(np.argmax(diff))
    return float(diff[where]), int(steps[where])


def translations(
    class_name: str, config: Mapping[str, object], *, total_steps: int | None = None
) -> list[Translation]:
    """Every translation of a Keras schedule config; [] for classes with no cosine shape.

    `total_steps` (the number of optimizer steps you will train for) sizes the translations that
    need a finite number of restart cycles (optax's sgdr_schedule, transformers' hard restarts);
    without it they cover the first `DEFAULT_RESTART_CYCLES` cycles.
    """
    if class_name == "CosineDecay":
        decay = _CosineDecay.from_config(config)
        return [
            _optax_decay(decay),
            _torch_decay(decay),
            _lambda_decay(decay),
            _hf_decay(decay),
            _timm_decay(decay),
        ]
    if class_name == "CosineDecayRestarts":
        restarts = _Restarts.from_config(config)
        return [
            _optax_restarts(restarts, total_steps),
            _torch_restarts(restarts),
            _lambda_restarts(restarts),
            _hf_restarts(restarts, total_steps),
            _timm_restarts(restarts),
        ]
    return []


def _note(note_id: str, **params: object) -> Note:
    return (note_id, params)


# --- Keras configs -------------------------------------------------------------------------------


_REQUIRED = object()


def _get_number(config: Mapping[str, object], key: str, default: object = _REQUIRED) -> Any:
    """config[key] as a finite int or float (None allowed only when it is the default)."""
    if key not in config:
        if default is _REQUIRED:
            raise ValueError(_say("translate.error.missing", argument=key, config=dict(config)))
        return default
    value = config[key]
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(_say("translate.error.not_number", argument=key, value=repr(value)))
    return value


def _positive(config: Mapping[str, object], key: str) -> Any:
    value = _get_number(config, key)
    if value <= 0:
        raise ValueError(_say("translate.error.not_positive", argument=key, value=value))
    return value


def _whole(value: float | int) -> float | int:
    """Integral floats as ints, so that snippets say `1000`, not `1000.0`."""
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True)
class _CosineDecay:
    initial: float | int
    decay_steps: float | int
    alpha: float | int
    warmup_target: float | int | None
    warmup_steps: float | int
    name: object

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> _CosineDecay:
        return cls(
            initial=_get_number(config, "initial_learning_rate"),
            decay_steps=_whole(_positive(config, "decay_steps")),
            alpha=_get_number(config, "alpha", 0.0),
            warmup_target=_get_number(config, "warmup_target", None),
            warmup_steps=_whole(_get_number(config, "warmup_steps", 0) or 0),
            name=config.get("name", "CosineDecay"),
        )

    @property
    def peak(self) -> float:
        return float(self.initial if self.warmup_target is None else self.warmup_target)

    @property
    def warmup(self) -> float | int:
        """Warmup steps Keras really applies: none without a warmup_target."""
        return 0 if self.warmup_target is None else self.warmup_steps


@dataclass(frozen=True)
class _Restarts:
    initial: float | int
    first: float | int
    t_mul: float
    m_mul: float
    alpha: float
    name: object

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> _Restarts:
        return cls(
            initial=_get_number(config, "initial_learning_rate"),
            first=_whole(_positive(config, "first_decay_steps")),
            t_mul=float(_get_number(config, "t_mul", 2.0)),
            m_mul=float(_get_number(config, "m_mul", 1.0)),
            alpha=float(_get_number(config, "alpha", 0.0)),
            name=config.get("name", "SGDRDecay"),
        )

    @property
    def nan_step(self) -> int | None:
        """First step where Keras returns NaN (t_mul < 1: the cycles add up to a finite span)."""
        return _keras_first_nan_step(self) if self.t_mul < 1 else None

    def peak(self, cycle: int) -> float:
        return float(self.initial) * ((1 - self.alpha) * self.m_mul**cycle + self.alpha)

    @property
    def floor(self) -> float:
        return self.alpha * float(self.initial)


def _common_notes(c: _CosineDecay | _Restarts) -> tuple[list[Note], bool]:
    """Notes every translation of `c` carries, and whether exactness can be claimed at all."""
    notes: list[Note] = []
    can_be_exact = True
    if isinstance(c.initial, int):
        notes.append(_note("translate.keras_integer_lr", value=c.initial))
        can_be_exact = False
    if isinstance(c, _CosineDecay):
        in_range = c.initial >= 0 and c.peak >= 0 and 0 <= c.alpha <= 1
        if c.warmup_target is None and c.warmup_steps:
            notes.append(_note("translate.warmup_ignored", warmup_steps=c.warmup_steps))
    else:
        in_range = c.initial >= 0 and 0 <= c.alpha <= 1 and c.t_mul > 0 and c.m_mul >= 0
        if c.t_mul < 1:
            notes.append(
                _note("translate.keras_nan_after", t_mul=c.t_mul, step=_keras_first_nan_step(c))
            )
    if not in_range:
        notes.append(_note("translate.outside_checked_range"))
        can_be_exact = False
    return notes, can_be_exact


def _finish(
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
        notes = [*notes, _note("translate.exact")]
    elif known and first_difference is not None and first_difference > 0:
        notes = [*notes, _note("translate.identical_through", last=first_difference - 1)]
    return Translation(framework, "\n".join(code) + "\n", exact, tuple(notes), curve)


def _header(class_name: str, name: object) -> str:
    # repr() keeps a hostile name (newlines, quotes) inside the comment.
    return "# " + _say("translate.comment.header", class_name=class_name, name=repr(name))


def _min_step(*steps: int | None) -> int | None:
    known = [s for s in steps if s is not None]
    return min(known) if known else None


def _as_steps(steps: np.ndarray) -> np.ndarray:
    array = np.asarray(steps)
    if array.dtype.kind not in "iuf" or (
        array.size and (np.any(array < 0) or np.any(np.floor(array) != array))
    ):
        raise ValueError(_say("translate.error.steps", value=array))
    return array.astype(np.float64)


def _cos_half(fraction: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.cos(np.pi * fraction))


# --- Keras in float32, operation for operation --------------------------------------------------

_F32 = np.float32


def _keras_decay_f32(c: _CosineDecay, steps: np.ndarray) -> np.ndarray:
    """Keras CosineDecay as its numpy backend computes it (float32, same operation order)."""
    initial = _F32(c.initial)
    decay_steps = _F32(c.decay_steps)
    s = steps.astype(_F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        if c.warmup_target is None:
            fraction = np.minimum(s, decay_steps) / decay_steps
            return _keras_decayed_f32(initial, fraction, c.alpha)
        target, warmup = _F32(c.warmup_target), _F32(c.warmup_steps)
        s = np.minimum(s, decay_steps + warmup)
        warming = (target - initial) * (s / warmup) + initial
        decayed = _keras_decayed_f32(target, (s - warmup) / decay_steps, c.alpha)
        return np.where(s < warmup, warming, decayed)


def _keras_decayed_f32(lr: np.float32, fraction: np.ndarray, alpha: float) -> np.ndarray:
    cosine = _F32(0.5) * (_F32(1.0) + np.cos(_F32(math.pi) * fraction))
    # CosineDecay leaves alpha a Python float: 1 - alpha is rounded to float32 after subtracting.
    return lr * (_F32(1 - alpha) * cosine + _F32(alpha))


def _keras_restart_f32(r: _Restarts, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras CosineDecayRestarts' (restart index, fraction of the cycle) in float32."""
    first, t_mul = _F32(r.first), _F32(r.t_mul)
    fraction = steps.astype(_F32) / first
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if t_mul == 1.0:
            index = np.floor(fraction)
            return index, fraction - index
        index = np.floor(np.log(_F32(1.0) - fraction * (_F32(1.0) - t_mul)) / np.log(t_mul))
        power = _power_f32(t_mul, index)
        sum_r = (_F32(1.0) - power) / (_F32(1.0) - t_mul)
        return index, (fraction - sum_r) / power


def _power_f32(base: np.float32, exponents: np.ndarray) -> np.ndarray:
    """np.power(base, exponent) on 0-d float32 arrays, one exponent at a time, as Keras calls it.

    numpy's float32 power can round differently on arrays, 0-d arrays and scalars (`**`): with
    numpy 2.4, 0.8f**2 is 0.64 in an array but 0.64000005 on 0-d arrays, and 0.9f**4 is 0.6561
    on 0-d arrays but 0.6560999 with `**`. Keras calls it once per step on 0-d arrays. The
    exponents are restart counts, so there are few distinct ones.
    """
    distinct, where = np.unique(exponents, return_inverse=True)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        powers = [np.power(np.asarray(base), np.asarray(e, dtype=_F32)) for e in distinct]
    return np.array(powers, dtype=_F32)[where].reshape(exponents.shape)


def _keras_restarts_f32(r: _Restarts, steps: np.ndarray) -> np.ndarray:
    """Keras CosineDecayRestarts as its numpy backend computes it, step by step (float32)."""
    index, fraction = _keras_restart_f32(r, steps)
    m_mul, alpha = _F32(r.m_mul), _F32(r.alpha)
    with np.errstate(invalid="ignore", over="ignore"):
        cosine = (
            _F32(0.5) * _power_f32(m_mul, index) * (_F32(1.0) + np.cos(_F32(math.pi) * fraction))
        )
        return _F32(r.initial) * ((_F32(1.0) - alpha) * cosine + alpha)


def _keras_first_nan_step(r: _Restarts) -> int:
    """First step at which Keras returns NaN when t_mul < 1 (the cycles' lengths sum to a limit)."""
    limit = r.first / (1 - r.t_mul)
    near = np.arange(max(0, math.floor(limit) - 3), math.ceil(limit) + 4, dtype=np.float64)
    bad = near[~np.isfinite(_keras_restart_f32(r, near)[0])]
    return int(bad[0]) if bad.size else math.ceil(limit)


def _restart_candidates(r: _Restarts, limit: float) -> np.ndarray | None:
    """Integer steps below `limit` close enough to a restart for float rounding to misplace it.

    None when there are too many restarts to check. Keras's float32 index can be off where the
    step is within a few float32 ulps of a restart, so the window grows with the step. Restarts
    are taken both with t_mul as given (the frameworks) and rounded to float32 (Keras): the two
    drift apart when t_mul has no exact float32 value.
    """
    pieces: list[np.ndarray] = []
    for t_mul in {r.t_mul, float(_F32(r.t_mul))}:
        boundary, length, cycle = 0.0, float(r.first), 0
        while True:
            boundary += length
            length *= t_mul
            cycle += 1
            if boundary >= limit + 1:
                break
            if cycle > _MAX_CHECKED_RESTARTS:
                return None
            spread = boundary + (r.first / abs(t_mul - 1) if t_mul != 1 else 0.0)
            window = 1 + math.ceil(spread * (4 + cycle * abs(math.log(t_mul))) * 2.0**-23)
            pieces.append(
                np.arange(math.floor(boundary) - window, math.floor(boundary) + window + 2)
            )
    if not pieces:
        return np.zeros(0)
    candidates = np.unique(np.concatenate(pieces))
    return candidates[(candidates >= 0) & (candidates < limit)].astype(np.float64)


def _index_mismatch(
    r: _Restarts,
    index: Callable[[np.ndarray], np.ndarray],
    limit: float,
    framework: str,
    note_id: str,
) -> tuple[int | None, list[Note], bool]:
    """Steps below `limit` where `index` (a framework's cycle number) differs from Keras's.

    Returns (first such step or None, notes, whether every restart could be checked).
    """
    candidates = _restart_candidates(r, limit)
    if candidates is None:
        return None, [_note("translate.restarts_not_verified", limit=int(limit))], False
    keras_index = _keras_restart_f32(r, candidates)[0].astype(np.float64)
    differs = candidates[index(candidates) != keras_index]
    if not differs.size:
        return None, [], True
    note = _note(
        note_id,
        step=int(differs[0]),
        count=int(differs.size),
        limit=math.ceil(limit),
        framework=framework,
    )
    return int(differs[0]), [note], True


def _keras_index_is_exact(r: _Restarts) -> bool:
    """True when Keras's float32 restart index provably equals floor(step / first_decay_steps).

    With t_mul == 1 and a whole first_decay_steps below 2**24, float32 division of two exact
    integers below 2**24 never rounds across a whole number.
    """
    return r.t_mul == 1.0 and isinstance(r.first, int) and r.first < KERAS_EXACT_STEPS


# --- Code helpers ---------------------------------------------------------------------------------


def _lr(value: float | int) -> str:
    return repr(float(value))


def _lambda_decay_code(c: _CosineDecay) -> list[str]:
    lines = [
        "def keras_learning_rate(step):",
        f'    """{_say("translate.comment.lambda_doc", class_name="CosineDecay")}"""',
        "    f32 = np.float32",
        f"    initial_learning_rate = f32({_lr(c.initial)})",
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
        f"    warmup_target = f32({_lr(c.warmup_target)})",
        f"    warmup_steps = f32({c.warmup_steps!r})",
        "    s = np.minimum(f32(step), decay_steps + warmup_steps)",
        "    if s < warmup_steps:",
        "        delta = warmup_target - initial_learning_rate",
        "        return float(delta * (s / warmup_steps) + initial_learning_rate)",
        "    fraction = (s - warmup_steps) / decay_steps",
        "    cosine = f32(0.5) * (f32(1.0) + np.cos(f32(math.pi) * fraction))",
        "    return float(warmup_target * (f32(1 - alpha) * cosine + f32(alpha)))",
    ]


def _lambda_restarts_code(r: _Restarts) -> list[str]:
    return [
        "def keras_learning_rate(step):",
        f'    """{_say("translate.comment.lambda_doc", class_name="CosineDecayRestarts")}"""',
        "    f32 = np.float32",
        f"    initial_learning_rate = f32({_lr(r.initial)})",
        f"    first_decay_steps = f32({r.first!r})",
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


def _torch_lambda_code(class_name: str, name: object, function: list[str]) -> list[str]:
    return [
        _header(class_name, name),
        "import math",
        "",
        "import numpy as np",
        "import torch",
        "",
        "",
        *function,
        "",
        "",
        "# " + _say("translate.comment.torch_model_lambda"),
        "optimizer = torch.optim.AdamW(model.parameters(), lr=1.0)",
        "scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=keras_learning_rate)",
        "# " + _say("translate.comment.torch_step"),
    ]


# --- CosineDecay ----------------------------------------------------------------------------------


def _optax_decay(c: _CosineDecay) -> Translation:
    """optax: cosine_decay_schedule(peak, D, alpha), or with warmup
    warmup_cosine_decay_schedule(init=initial, peak=target, warmup_steps=W, decay_steps=W + D,
    end_value=alpha * target). Exact: optax's formulas are Keras's (decay_steps counts the warmup).
    """
    notes, can_be_exact = _common_notes(c)
    peak, warmup, decay, alpha = c.peak, c.warmup, c.decay_steps, c.alpha
    code = [_header("CosineDecay", c.name), "import optax", ""]
    if not warmup:
        code += [
            "schedule = optax.cosine_decay_schedule(",
            f"    init_value={_lr(peak)},",
            f"    decay_steps={decay!r},",
            f"    alpha={alpha!r},",
            ")",
        ]

        def curve(k: np.ndarray) -> np.ndarray:
            return peak * ((1 - alpha) * _cos_half(np.minimum(k, decay) / decay) + alpha)

    else:
        initial, total, end_value = float(c.initial), warmup + decay, alpha * peak
        code += [
            "schedule = optax.warmup_cosine_decay_schedule(",
            f"    init_value={_lr(initial)},",
            f"    peak_value={_lr(peak)},",
            f"    warmup_steps={warmup!r},",
            f"    decay_steps={total!r},  # {_say('translate.comment.includes_warmup')}",
            f"    end_value={end_value!r},  # {_say('translate.comment.alpha_times_peak')}",
            ")",
        ]
        notes.append(
            _note("translate.optax_decay_includes_warmup", total=total, warmup=warmup, decay=decay)
        )
        if alpha:
            notes.append(
                _note(
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
            decayed = peak * ((1 - optax_alpha) * _cos_half(fraction) + optax_alpha)
            return np.where(k < warmup, warming, decayed)

    code.append("# " + _say("translate.comment.optax_call"))
    return _finish("optax", code, curve, notes, can_be_exact, None)


def _rounded(value: float | int, argument: str, framework: str, notes: list[Note]) -> int:
    """`value` as a whole number of steps, with a note when that changes it."""
    if float(value).is_integer():
        return int(value)
    rounded = max(1, round(value))
    notes.append(
        _note(
            "translate.rounded_steps",
            framework=framework,
            argument=argument,
            value=value,
            rounded=rounded,
        )
    )
    return rounded


def _torch_decay(c: _CosineDecay) -> Translation:
    """PyTorch: optimizer lr = peak; CosineAnnealingLR(T_max=D, eta_min=alpha * peak), behind
    LinearLR(start_factor=initial / peak, total_iters=W) in a SequentialLR with milestones=[W].
    Not exact: CosineAnnealingLR is not clamped (it rises again after T_max), and LinearLR
    refuses start_factor 0 (warmup from 0) or above 1 (a warmup that goes down).
    """
    notes, can_be_exact = _common_notes(c)
    framework = "PyTorch (SequentialLR)" if c.warmup else "PyTorch (CosineAnnealingLR)"
    count = len(notes)
    warmup = _rounded(c.warmup, "total_iters", framework, notes)
    decay = _rounded(c.decay_steps, "T_max", framework, notes)
    known = len(notes) == count
    peak, initial, eta_min = c.peak, float(c.initial), c.alpha * c.peak
    first_difference: int | None = None
    if peak != eta_min:
        notes.append(
            _note(
                "translate.not_clamped",
                scheduler="CosineAnnealingLR",
                end=warmup + decay,
                floor=eta_min,
            )
        )
        first_difference = warmup + decay + 1
    code = [_header("CosineDecay", c.name), "import torch"]
    cosine = f"CosineAnnealingLR(optimizer, T_max={decay!r}, eta_min={eta_min!r})"
    optimizer = [
        "# " + _say("translate.comment.torch_model"),
        f"optimizer = torch.optim.AdamW(model.parameters(), lr={_lr(peak)})",
    ]
    if not warmup:
        code += ["from torch.optim.lr_scheduler import CosineAnnealingLR", "", *optimizer]
        code.append(f"scheduler = {cosine}")
        start_factor = 1.0
    else:
        if peak > 0 and 0 < initial <= peak:
            start_factor = initial / peak
        elif initial == 0 and peak > 0:
            start_factor = _TORCH_TINY_START_FACTOR
            notes.append(_note("translate.torch_start_factor_zero", start_factor=start_factor))
            first_difference = 0
        else:
            start_factor = 1.0
            if initial != peak:
                notes.append(
                    _note("translate.torch_start_factor_invalid", initial=initial, peak=peak)
                )
                first_difference = 0
        code += [
            "from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR",
            "",
            *optimizer,
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
    code.append("# " + _say("translate.comment.torch_step"))

    def curve(k: np.ndarray) -> np.ndarray:
        decayed = eta_min + (peak - eta_min) * (1 + np.cos(np.pi * (k - warmup) / decay)) / 2
        if not warmup:
            return decayed
        warming = peak * (start_factor + (1.0 - start_factor) * np.minimum(k, warmup) / warmup)
        return np.where(k < warmup, warming, decayed)

    return _finish(framework, code, curve, notes, can_be_exact, first_difference, known)


def _lambda_decay(c: _CosineDecay) -> Translation:
    """PyTorch LambdaLR with Keras's own float32 arithmetic: exact, bit for bit."""
    notes, can_be_exact = _common_notes(c)
    notes.append(_note("translate.lambda_float32"))
    code = _torch_lambda_code("CosineDecay", c.name, _lambda_decay_code(c))
    real = _CosineDecay(
        float(c.initial), c.decay_steps, c.alpha, c.warmup_target, c.warmup_steps, c.name
    )
    return _finish(
        "PyTorch (LambdaLR)", code, lambda k: _keras_decay_f32(real, k), notes, can_be_exact, None
    )


def _hf_decay(c: _CosineDecay) -> Translation:
    """transformers (optimizer lr = peak): get_cosine_schedule_with_warmup(W, W + D), or
    get_cosine_with_min_lr_schedule_with_warmup(..., min_lr_rate=alpha) when alpha > 0; a warmup
    from initial != 0 uses get_cosine_with_min_lr_schedule_with_warmup_lr_rate(W + 1, W + D + 1,
    min_lr_rate=alpha, warmup_lr_rate=initial / peak), whose steps sit one later.
    Not exact: the cosine is not clamped after num_training_steps.
    """
    notes, can_be_exact = _common_notes(c)
    framework = "Hugging Face transformers"
    count = len(notes)
    warmup = _rounded(c.warmup, "num_warmup_steps", framework, notes)
    decay = _rounded(c.decay_steps, "num_training_steps", framework, notes)
    known = len(notes) == count
    peak, initial, alpha, total = c.peak, float(c.initial), c.alpha, warmup + decay
    first_difference: int | None = None
    code = [_header("CosineDecay", c.name), "import torch"]
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
        notes.append(_note("translate.hf_warmup_from_zero", initial=initial))
        notes.append(_note("translate.hf_lr_rate_shift", warmup=warmup + 1, total=total + 1))
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
            notes.append(_note("translate.hf_zero_peak", initial=initial))
            first_difference = 0
    if warmup:
        notes.append(
            _note("translate.hf_total_includes_warmup", total=total, warmup=warmup, decay=decay)
        )
    if alpha:
        notes.append(_note("translate.min_lr_rate_fraction"))
    if peak != alpha * peak:
        floor = alpha * peak
        notes.append(_note("translate.not_clamped", scheduler=function, end=total, floor=floor))
        first_difference = _min_step(first_difference, total + 1)
    code += [
        f"from transformers import {function}",
        "",
        "# " + _say("translate.comment.torch_model"),
        f"optimizer = torch.optim.AdamW(model.parameters(), lr={_lr(peak)})",
        f"scheduler = {function}(",
        "    optimizer,",
        *[f"    {argument}," for argument in arguments],
        ")",
        "# " + _say("translate.comment.torch_step"),
    ]

    def curve(k: np.ndarray) -> np.ndarray:
        if shifted:
            # transformers' _lr_rate lambda, with its one-step shifts.
            warming = rate + (1.0 - rate) * k / max(1, warmup)
            progress = (k - (warmup + 1) + 1.0) / max(1.0, float(total - warmup))
        else:
            warming = k / float(max(1, warmup))
            progress = (k - warmup) / float(max(1, total - warmup))
        factor = _cos_half(progress)
        if shifted or alpha:
            factor = factor * (1 - alpha) + alpha
        warm_until = warmup + 1 if shifted else warmup
        factor = np.where(k < warm_until, warming, np.maximum(0.0, factor))
        return peak * factor

    return _finish(framework, code, curve, notes, can_be_exact, first_difference, known)


def _timm_decay(c: _CosineDecay) -> Translation:
    """timm (optimizer lr = peak): CosineLRScheduler(t_initial=D, lr_min=alpha * peak,
    warmup_t=W, warmup_lr_init=initial, warmup_prefix=True, t_in_epochs=False, cycle_limit=1).
    Exact: same warmup line, same cosine, floor held after W + D.
    """
    notes, can_be_exact = _common_notes(c)
    peak, initial, warmup, decay = c.peak, float(c.initial), c.warmup, c.decay_steps
    lr_min = c.alpha * peak
    arguments = [f"t_initial={decay!r}", f"lr_min={lr_min!r}"]
    if warmup:
        arguments += [
            f"warmup_t={warmup!r}",
            f"warmup_lr_init={_lr(initial)}",
            "warmup_prefix=True",
        ]
        notes.append(_note("translate.timm_warmup_prefix"))
    arguments += ["cycle_limit=1", "t_in_epochs=False"]
    if c.alpha:
        notes.append(
            _note(
                "translate.absolute_floor",
                argument="lr_min",
                alpha=c.alpha,
                peak=peak,
                floor=lr_min,
            )
        )
    code = [
        _header("CosineDecay", c.name),
        "import torch",
        "from timm.scheduler import CosineLRScheduler",
        "",
        "# " + _say("translate.comment.torch_model"),
        f"optimizer = torch.optim.AdamW(model.parameters(), lr={_lr(peak)})",
        "scheduler = CosineLRScheduler(",
        "    optimizer,",
        *[f"    {argument}," for argument in arguments],
        ")",
        "# " + _say("translate.comment.timm_step"),
    ]

    def curve(k: np.ndarray) -> np.ndarray:
        t = k - warmup
        cycle = np.floor_divide(t, decay)
        t_curr = t - decay * cycle
        cosine = lr_min + 0.5 * (peak - lr_min) * (1 + np.cos(np.pi * t_curr / decay))
        decayed = np.where(cycle < 1, cosine, lr_min)
        if not warmup:
            return decayed
        return np.where(k < warmup, initial + k * ((peak - initial) / warmup), decayed)

    return _finish("timm", code, curve, notes, can_be_exact, None)


# --- CosineDecayRestarts --------------------------------------------------------------------------


def _sgdr_cycles(r: _Restarts, total_steps: int | None) -> tuple[list[float], list[float]]:
    """The cycles optax's snippet builds: their lengths and the step where each one ends."""
    lengths: list[float] = []
    ends: list[float] = []
    end = 0
    while len(lengths) < MAX_SGDR_CYCLES:
        length = r.first * r.t_mul ** len(lengths)
        if lengths and length < 1:
            break  # t_mul < 1: cycles shorter than a step
        lengths.append(length)
        end += length
        ends.append(end)
        enough = (
            len(lengths) >= DEFAULT_RESTART_CYCLES if total_steps is None else end >= total_steps
        )
        if enough:
            break
    return lengths, ends


def _optax_restarts(r: _Restarts, total_steps: int | None) -> Translation:
    """optax: sgdr_schedule with one warmup_cosine_decay_schedule per cycle j: peak
    initial * ((1 - alpha) * m_mul**j + alpha), decay_steps first * t_mul**j, end_value
    alpha * initial. Same as Keras over those cycles; after them optax stays at the floor.
    """
    notes, can_be_exact = _common_notes(r)
    lengths, ends = _sgdr_cycles(r, total_steps)
    cycles, covered = len(lengths), ends[-1]
    last = math.ceil(covered) - 1
    notes.append(_note("translate.optax_sgdr_finite", cycles=cycles, last=last, floor=r.floor))
    code = [
        _header("CosineDecayRestarts", r.name),
        "import optax",
        "",
        f"initial_learning_rate = {_lr(r.initial)}",
        f"first_decay_steps = {r.first!r}",
        f"t_mul = {r.t_mul!r}",
        f"m_mul = {r.m_mul!r}",
        f"alpha = {r.alpha!r}",
        f"cycles = {cycles!r}  # {_say('translate.comment.optax_cycles', last=last)}",
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
        "# " + _say("translate.comment.optax_call"),
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
        return peak * ((1 - optax_alpha) * _cos_half(fraction) + optax_alpha)

    first_difference = math.ceil(covered) if r.peak(cycles) != floor else None
    first_difference = _min_step(first_difference, r.nan_step)
    known = r.t_mul >= 1
    if known and not _keras_index_is_exact(r):
        glitch, glitch_notes, known = _index_mismatch(
            r, index, min(covered, KERAS_EXACT_STEPS), "optax", "translate.restart_mismatch_keras"
        )
        notes += glitch_notes
        first_difference = _min_step(first_difference, glitch)
    return _finish("optax", code, curve, notes, can_be_exact, first_difference, known)


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


def _torch_restarts(r: _Restarts) -> Translation:
    """PyTorch (optimizer lr = initial): CosineAnnealingWarmRestarts(T_0=first, T_mult=t_mul,
    eta_min=alpha * initial). Exact when first is whole, t_mul a whole number >= 1 and m_mul = 1.
    """
    notes, can_be_exact = _common_notes(r)
    framework = "PyTorch (CosineAnnealingWarmRestarts)"
    count = len(notes)
    t_0 = _rounded(r.first, "T_0", framework, notes)
    known = len(notes) == count
    initial, eta_min = float(r.initial), r.floor
    amplitude = initial - eta_min
    first_difference: int | None = None
    if r.t_mul >= 1 and r.t_mul.is_integer():
        t_mult = int(r.t_mul)
    else:
        t_mult = max(1, round(r.t_mul))
        notes.append(_note("translate.torch_t_mult_integer", t_mul=r.t_mul, t_mult=t_mult))
        first_difference = t_0 + 1 if amplitude else None
    if r.m_mul != 1 and amplitude:
        notes.append(_note("translate.no_m_mul", framework="PyTorch", m_mul=r.m_mul, peak=initial))
        first_difference = _min_step(first_difference, t_0)
    first_difference = _min_step(first_difference, r.nan_step)
    if known and first_difference is None and amplitude and not _keras_index_is_exact(r):

        def index(k: np.ndarray) -> np.ndarray:
            return _int_cycles(t_0, t_mult, k)[0]

        glitch, glitch_notes, known = _index_mismatch(
            r, index, KERAS_EXACT_STEPS, "PyTorch", "translate.restart_mismatch_keras"
        )
        notes += glitch_notes
        first_difference = glitch
    code = [
        _header("CosineDecayRestarts", r.name),
        "import torch",
        "from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts",
        "",
        "# " + _say("translate.comment.torch_model"),
        f"optimizer = torch.optim.AdamW(model.parameters(), lr={_lr(initial)})",
        "scheduler = CosineAnnealingWarmRestarts(",
        f"    optimizer, T_0={t_0!r}, T_mult={t_mult!r}, eta_min={eta_min!r}",
        ")",
        "# " + _say("translate.comment.torch_step"),
    ]

    def curve(k: np.ndarray) -> np.ndarray:
        _, start, length = _int_cycles(t_0, t_mult, k)
        return eta_min + amplitude * (1 + np.cos(np.pi * (k - start) / length)) / 2

    return _finish(framework, code, curve, notes, can_be_exact, first_difference, known)


def _lambda_restarts(r: _Restarts) -> Translation:
    """PyTorch LambdaLR with Keras's own float32 arithmetic: exact, bit for bit (NaN included)."""
    notes, can_be_exact = _common_notes(r)
    notes.append(_note("translate.lambda_float32"))
    code = _torch_lambda_code("CosineDecayRestarts", r.name, _lambda_restarts_code(r))
    real = _Restarts(float(r.initial), r.first, r.t_mul, r.m_mul, r.alpha, r.name)
    return _finish(
        "PyTorch (LambdaLR)",
        code,
        lambda k: _keras_restarts_f32(real, k),
        notes,
        can_be_exact,
        None,
    )


def _hf_restarts(r: _Restarts, total_steps: int | None) -> Translation:
    """transformers (optimizer lr = initial): get_cosine_with_hard_restarts_schedule_with_warmup(
    num_warmup_steps=0, num_training_steps=cycles * first, num_cycles=cycles). Equal cycles
    decaying to 0 and then 0 for good: it can match only t_mul = 1, m_mul = 1, alpha = 0.
    """
    notes, can_be_exact = _common_notes(r)
    framework = "Hugging Face transformers"
    count = len(notes)
    first = _rounded(r.first, "first_decay_steps", framework, notes)
    known = len(notes) == count
    if total_steps is None:
        cycles = DEFAULT_RESTART_CYCLES
    else:
        cycles = max(1, math.ceil(total_steps / first))
    total = cycles * first
    initial = float(r.initial)
    first_difference: int | None = None
    if initial:
        first_difference = total
        notes.append(_note("translate.hf_ends_at_zero", end=total))
        if r.alpha:
            notes.append(_note("translate.hf_no_alpha", alpha=r.alpha))
            first_difference = 1
        if r.m_mul != 1 and r.alpha != 1:
            notes.append(
                _note("translate.no_m_mul", framework="transformers", m_mul=r.m_mul, peak=initial)
            )
            first_difference = min(first_difference, first)
        if r.t_mul != 1:
            notes.append(_note("translate.hf_no_t_mul", first=first, t_mul=r.t_mul))
            first_difference = min(first_difference, first + 1)

    first_difference = _min_step(first_difference, r.nan_step)

    def index(k: np.ndarray) -> np.ndarray:
        return np.floor(float(cycles) * (k / float(max(1, total))))

    if known and initial and r.alpha != 1:
        # Restart j happens at j * first in Keras (checked) and wherever the float lands in HF;
        # the first _MAX_CHECKED_RESTARTS of them, so the cost is bounded whatever total_steps.
        checked = min(cycles, _MAX_CHECKED_RESTARTS + 1)
        restarts = np.arange(1, checked, dtype=np.float64) * first
        restarts = restarts[restarts < first_difference]
        unchecked = checked < cycles and checked * first < first_difference
        wrong = restarts[index(restarts) != restarts / first]
        if not _keras_index_is_exact(r):
            keras_wrong = restarts[_keras_restart_f32(r, restarts)[0] != restarts / first]
            wrong = np.union1d(wrong, keras_wrong)
        if wrong.size:
            notes.append(
                _note(
                    "translate.restart_mismatch_hf",
                    step=int(wrong[0]),
                    count=int(wrong.size),
                    limit=checked * first if unchecked else total,
                )
            )
            first_difference = int(wrong[0])
        elif unchecked:
            notes.append(_note("translate.restarts_not_verified", limit=total))
            known = False
    code = [
        _header("CosineDecayRestarts", r.name),
        "import torch",
        "from transformers import get_cosine_with_hard_restarts_schedule_with_warmup",
        "",
        "# " + _say("translate.comment.torch_model"),
        f"optimizer = torch.optim.AdamW(model.parameters(), lr={_lr(initial)})",
        "scheduler = get_cosine_with_hard_restarts_schedule_with_warmup(",
        f"    optimizer, num_warmup_steps=0, num_training_steps={total!r}, num_cycles={cycles!r}",
        ")",
        "# " + _say("translate.comment.torch_step"),
    ]

    def curve(k: np.ndarray) -> np.ndarray:
        progress = k / float(max(1, total))
        factor = np.maximum(0.0, _cos_half(np.mod(float(cycles) * progress, 1.0)))
        return initial * np.where(progress >= 1.0, 0.0, factor)

    return _finish(framework, code, curve, notes, can_be_exact, first_difference, known)


def _timm_restarts(r: _Restarts) -> Translation:
    """timm (optimizer lr = initial): CosineLRScheduler(t_initial=first, lr_min=alpha * initial,
    cycle_mul=t_mul, cycle_decay=m_mul, cycle_limit=2**31 - 1, t_in_epochs=False). Same formula
    when m_mul = 1 or alpha = 0, but timm finds the cycle with a float64 math.log.
    """
    notes, can_be_exact = _common_notes(r)
    initial, lr_min, first, t_mul, m_mul = float(r.initial), r.floor, r.first, r.t_mul, r.m_mul
    first_difference: int | None = None
    known = t_mul >= 1
    if m_mul != 1 and r.alpha and initial:
        notes.append(_note("translate.timm_cycle_decay_floor", alpha=r.alpha, m_mul=m_mul))
        first_difference = math.ceil(first)
    if r.alpha:
        notes.append(
            _note(
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
        notes.append(_note("translate.timm_raises", step=raises_at))
    elif first_difference is None and initial != lr_min and not _keras_index_is_exact(r):
        glitch, glitch_notes, known = _index_mismatch(
            r, index, KERAS_EXACT_STEPS, "timm", "translate.restart_mismatch_timm"
        )
        notes += glitch_notes
        first_difference = glitch
    code = [
        _header("CosineDecayRestarts", r.name),
        "import torch",
        "from timm.scheduler import CosineLRScheduler",
        "",
        "# " + _say("translate.comment.torch_model"),
        f"optimizer = torch.optim.AdamW(model.parameters(), lr={_lr(initial)})",
        "scheduler = CosineLRScheduler(",
        "    optimizer,",
        f"    t_initial={first!r},",
        f"    lr_min={lr_min!r},",
        f"    cycle_mul={t_mul!r},",
        f"    cycle_decay={m_mul!r},",
        f"    cycle_limit={_TIMM_CYCLE_LIMIT!r},  # {_say('translate.comment.keep_restarting')}",
        "    t_in_epochs=False,",
        ")",
        "# " + _say("translate.comment.timm_step"),
    ]

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
        lr = lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * t_curr / t_i))
        return np.where(finite, lr, np.nan)

    return _finish("timm", code, curve, notes, can_be_exact, first_difference, known)
