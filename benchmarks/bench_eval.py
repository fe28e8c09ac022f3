"""Engine speed: nanoseconds per step over 10^7 steps, beside bare `np.cos` and beside Keras.

Run from the project root:

    .venv/bin/python benchmarks/bench_eval.py [--steps 10000000] [--repeats 9] [--keras-steps 2000]

For each schedule class (its `lrviz.default_config`, CosineDecay with and without warmup) it
prints the best-of-N time per step of `schedule(np.arange(steps))`, the best-of-N time per step of
`np.cos` on a float32 array of the same length (the floor: one transcendental per step), their
ratio, and the time per step of Keras (numpy backend) stepping its own schedule one step at a time
over a few thousand steps spread across the same range. Target: CosineDecay within 1.3x of
`np.cos`. The two numpy timings alternate inside each round, so load from other processes on the
machine hits both alike. Prints markdown; asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from machine import machine_line  # benchmarks/machine.py (the script's own folder)

import lrviz

COSINE_TARGET = 1.3


@dataclass(frozen=True)
class Case:
    label: str
    config: dict[str, Any]


@dataclass(frozen=True)
class Row:
    case: Case
    lrviz_ns: float
    cos_ns: float
    keras_ns: float | None
    keras_equal: bool | None


def _with(class_name: str, **changes: Any) -> dict[str, Any]:
    config = lrviz.default_config(class_name)
    config["config"].update(changes)
    return lrviz.from_keras(config).to_keras()


def cases() -> list[Case]:
    """Every class at its starting config; CosineDecay with and without warmup."""
    found = []
    for class_name in lrviz.SCHEDULES:
        if class_name == "CosineDecay":
            found.append(Case("CosineDecay, warmup", _with(class_name)))
            found.append(Case("CosineDecay, no warmup", _with(class_name, warmup_target=None)))
        else:
            found.append(Case(class_name, _with(class_name)))
    # The default ExponentialDecay underflows past ~4e5 steps, where float32 `np.power` takes a
    # slow path; this row shows the same class where every value is a normal float.
    found.append(
        Case("ExponentialDecay, decay_steps=1e6", _with("ExponentialDecay", decay_steps=10**6))
    )
    return found


def _seconds(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def time_numpy(
    schedule: lrviz.Schedule, steps: np.ndarray, angles: np.ndarray, repeats: int
) -> tuple[float, float]:
    """Best-of-`repeats` seconds of the schedule and of `np.cos`, alternating within each round."""
    best_schedule = best_cos = float("inf")
    with np.errstate(all="ignore"):
        for _ in range(repeats):
            best_cos = min(best_cos, _seconds(lambda: np.cos(angles)))
            best_schedule = min(best_schedule, _seconds(lambda: schedule(steps)))
    return best_schedule, best_cos


def load_keras() -> Any | None:
    """Keras on the numpy backend, or None when it is not installed."""
    os.environ["KERAS_BACKEND"] = "numpy"
    try:
        import keras
    except ImportError:
        return None
    return keras


def time_keras(
    keras: Any, config: dict[str, Any], steps: np.ndarray, expected: np.ndarray
) -> tuple[float, bool]:
    """Seconds per step of Keras calling its schedule step by step, and whether it equals lrviz."""
    schedule = keras.optimizers.schedules.deserialize(copy.deepcopy(config))
    with np.errstate(all="ignore"):
        for step in steps[:20]:
            schedule(int(step))
        values = np.empty(steps.size, dtype=np.float32)
        start = time.perf_counter()
        for i, step in enumerate(steps):
            values[i] = schedule(int(step))
        elapsed = time.perf_counter() - start
    return elapsed / steps.size, bool(np.array_equal(values, expected, equal_nan=True))


def _ns(seconds_per_step: float | None) -> str:
    if seconds_per_step is None:
        return "n/a"
    ns = seconds_per_step * 1e9
    return f"{ns:,.0f}" if ns >= 100 else f"{ns:.2f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| schedule | lrviz ns/step | np.cos ns/step | ratio | Keras ns/step | speed-up vs Keras "
        "| equals Keras |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for row in rows:
        ratio = row.lrviz_ns / row.cos_ns
        speedup = "n/a" if row.keras_ns is None else f"{row.keras_ns / row.lrviz_ns:,.0f}x"
        equal = {None: "n/a", True: "yes", False: "NO"}[row.keras_equal]
        lines.append(
            f"| {row.case.label} | {_ns(row.lrviz_ns)} | {_ns(row.cos_ns)} | {ratio:.2f}x "
            f"| {_ns(row.keras_ns)} | {speedup} | {equal} |"
        )
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> list[str]:
    lines = []
    for row in rows:
        if row.case.config["class_name"] != "CosineDecay":
            continue
        ratio = row.lrviz_ns / row.cos_ns
        met = "MET" if ratio <= COSINE_TARGET else "MISSED"
        lines.append(
            f"- Target {row.case.label} <= {COSINE_TARGET}x np.cos per step: {met} ({ratio:.2f}x)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10**7, help="steps per evaluation")
    parser.add_argument("--repeats", type=int, default=9, help="rounds; the best one counts")
    parser.add_argument("--keras-steps", type=int, default=2000, help="0 skips Keras")
    args = parser.parse_args()

    steps = np.arange(args.steps, dtype=np.int64)
    angles = np.linspace(0.0, np.pi, args.steps, dtype=np.float32)
    keras = load_keras() if args.keras_steps > 0 else None
    keras_steps = np.linspace(0, args.steps - 1, max(args.keras_steps, 1)).astype(np.int64)

    print(f"## Engine: time per step over {args.steps:,} steps\n")
    print(f"{machine_line()}; keras {keras.__version__ if keras else 'not run'}.")
    print(
        f"lrviz and np.cos: best of {args.repeats}, alternating. Keras (numpy backend): "
        f"{keras_steps.size:,} calls `schedule(int(step))` spread over the same range.\n"
    )
    rows = []
    for case in cases():
        schedule = lrviz.from_keras(case.config)
        lrviz_s, cos_s = time_numpy(schedule, steps, angles, args.repeats)
        keras_s = equal = None
        if keras is not None:
            keras_s, equal = time_keras(keras, case.config, keras_steps, schedule(keras_steps))
        rows.append(Row(case, lrviz_s / args.steps, cos_s / args.steps, keras_s, equal))
    print(table(rows))
    print()
    print("\n".join(verdicts(rows)))


if __name__ == "__main__":
    main()
