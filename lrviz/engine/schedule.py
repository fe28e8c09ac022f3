"""`Schedule`: a validated Keras schedule you can call on steps and export.

The class is the same for every Keras class: what differs lives in its `ScheduleSpec` (the
class's module in `lrviz.engine`). Evaluation is vectorised numpy in float32, bit for bit what
Keras's numpy backend computes; `compiled()` gives what XLA applies (JAX `fit`), `on_path` what
any path of `PATHS` applies (TensorFlow with or without XLA, too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrviz.engine.compiled import PATHS, compiled_spec
from lrviz.engine.edges import EXACT_BREAKPOINTS, MAX_BREAKPOINTS
from lrviz.engine.float32 import F32, Config, sorted_unique
from lrviz.engine.registry import SCHEDULES
from lrviz.engine.spec import DriftingSpan, ScheduleSpec
from lrviz.engine.validate import validate_config
from lrviz.limits import KERAS_MODULE


@dataclass(frozen=True, eq=False)
class Schedule:
    """A validated Keras schedule: call it on steps, export it with `to_keras()`.

    Build one with `lrviz.from_keras`; `config` holds every constructor argument (defaults
    filled) with the number types Keras would see.
    """

    spec: ScheduleSpec
    config: Mapping[str, Any]
    # Spans by (kind, stop): pure functions of the immutable config, asked for several times
    # while one range is sampled.
    _spans: dict[tuple[str, int], list[Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def class_name(self) -> str:
        return self.spec.class_name

    @property
    def name(self) -> str:
        return str(self.config["name"])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Schedule)
            and self.path == other.path
            and self.to_keras() == other.to_keras()
        )

    def __hash__(self) -> int:
        return hash((self.path, repr(self.to_keras())))

    @property
    def path(self) -> str:
        """Where Keras runs this curve: one of `PATHS` ("eager", "compiled", "tf-xla",
        "tf-graph"; see `on_path`)."""
        return self.spec.path

    def compiled(self) -> Schedule:
        """The schedule as the compiled path applies it (JAX `fit`, always jitted by XLA):
        same call signature, vectorised, numpy only; see `lrviz.engine.compiled`."""
        return self.on_path("compiled")

    def on_path(self, path: str) -> Schedule:
        """This schedule on `path`, one of `PATHS`: "eager", "compiled" (JAX `fit`), "tf-xla"
        (TensorFlow `tf.function(jit_compile=True)`) or "tf-graph" (`tf.function` without XLA)."""
        if path == self.path:
            return self
        if path == "eager":
            return self.eager()
        if path not in PATHS:
            raise ValueError(f"path must be one of {', '.join(PATHS)}; received {path!r}")
        return Schedule(compiled_spec(self.eager().spec, path), self.config)

    def eager(self) -> Schedule:
        """The schedule as eager Keras computes it (the reference arithmetic)."""
        return self if self.path == "eager" else Schedule(SCHEDULES[self.class_name], self.config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"{self.class_name}({args})"

    def __call__(self, steps: int | np.integer | np.ndarray) -> Any:
        """Learning rates (float32) at integer steps, vectorised; a scalar for a scalar step."""
        array = np.asarray(steps)
        if array.dtype.kind not in "iu":
            raise TypeError(f"steps must be integers; received dtype {array.dtype}")
        # Keras's float32 arithmetic turns rates beyond float32 into inf and NaN without a word.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            values = np.asarray(self.spec.evaluate(self.config, np.atleast_1d(array)), dtype=F32)
        if array.ndim == 0:
            return F32(values[0])
        return values.reshape(array.shape)

    def at_float32(self, steps: np.ndarray) -> np.ndarray:
        """Learning rates at steps given as float32 values that are whole steps (a
        `float32_steps` schedule sees nothing else of a step): spares the sampler the int64
        arrays and their cast."""
        if not self.float32_steps or steps.dtype != F32:
            raise TypeError("at_float32 takes float32 steps of a float32_steps schedule")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.asarray(self.spec.evaluate(self.config, steps), dtype=F32)

    def to_keras(self) -> dict[str, Any]:
        """The dict `keras.optimizers.schedules.serialize` returns for this schedule."""
        return {
            "module": KERAS_MODULE,
            "class_name": self.class_name,
            "config": {name: _copy(self.config[name]) for name in self.spec.param_names},
            "registered_name": None,
        }

    @property
    def uses_integer_dtype(self) -> bool:
        """True when Keras would compute this schedule in int32 (an integer learning rate)."""
        return self.spec.rate_is_int(self.config)

    def with_float_rates(self) -> Schedule:
        """The same schedule with every learning-rate argument written as a float (what to export)."""
        config = dict(self.config)
        for param in self.spec.params:
            value = config[param.name]
            if not param.learning_rate or value is None:
                continue
            config[param.name] = (
                [float(v) for v in value] if isinstance(value, list) else float(value)
            )
        return Schedule(self.spec, config)

    def replace(self, **changes: Any) -> Schedule:
        """A copy with some arguments changed (validated like an import)."""
        return Schedule(self.spec, validate_config(self.class_name, {**self.config, **changes}))

    def settles_at(self) -> int:
        """The step from which the curve no longer changes (or a span that shows its pattern)."""
        return max(1, self.spec.settles_at(self.config))

    @property
    def monotone(self) -> bool:
        """True when the whole curve only falls or only rises (ExponentialDecay and InverseTimeDecay
        with decay_rate >= 0, stairs or not): then a step range's extremes are at its two ends,
        however many stairs it holds."""
        return self.spec.monotone is not None and bool(self.spec.monotone(self.config))

    @property
    def float32_steps(self) -> bool:
        """True when the value depends on the step only through float32(step), as Keras's float
        schedules do: then a run of steps with equal float32 has one value."""
        return self.spec.float32_step and not self.uses_integer_dtype

    def periodic_spans(self, stop: int) -> list[tuple[int, int, int]]:
        """Disjoint ascending spans (first, last, P) of float32 steps up to about `stop` over which
        the curve repeats exactly: schedule(x + P) == schedule(x) for every float32 step x with
        x and x + P in [first, last]. Empty for most schedules."""
        return self._cached_spans("periodic", self.spec.periodic, stop)

    def drifting_spans(self, stop: int) -> list[DriftingSpan]:
        """Disjoint ascending spans of float32 steps up to about `stop` over which the curve
        repeats up to a monotone drift: for every float32 step x in [first, last], the values at
        x, x + P, x + 2P, ... inside the span only fall or only rise (P the span's period, or its
        base but at its irregular offsets). Empty for most schedules (PolynomialDecay with cycle
        has them)."""
        return self._cached_spans("drifting", self.spec.drifting, stop)

    def _cached_spans(
        self, kind: str, spans: Callable[[Config, int], list[Any]] | None, stop: int
    ) -> list[Any]:
        """`spans(config, stop)`, computed once per kind and stop (empty without `spans`)."""
        if spans is None:
            return []
        key = (kind, stop)
        if key not in self._spans:
            self._spans[key] = spans(self.config, stop)
        return self._spans[key]

    def constant_from(self) -> int | None:
        """The first step from which every step has the same value (SGDR whose restart factor
        m_mul^i underflows to 0), or None."""
        if self.spec.constant is None:
            return None
        return self.spec.constant(self.config)

    def breakpoints(
        self, stop: int, limit: int = MAX_BREAKPOINTS, exact: int = EXACT_BREAKPOINTS
    ) -> np.ndarray | None:
        """Steps in [0, stop] where the curve changes its formula (warmup end, decay end, restarts,
        boundaries, stair edges); None when there are more than about `limit` to list.

        Lists of up to `exact` periods (restarts, stairs, cycles) are exact on the integer grid,
        each edge found by bisection over float32 steps; longer ones are the real-number positions,
        which float32 rounding can move by a few steps past 2^24.
        """
        raw = self.spec.breaks(self.config, stop, limit, exact)
        if raw is None:
            return None
        raw = raw[(raw >= 0) & (raw <= stop)]
        return sorted_unique(raw)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
