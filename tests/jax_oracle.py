"""Real Keras on the JAX backend, jitted as its trainer runs the schedule: the compiled oracle.

Keras picks its backend at import, so this runs as a subprocess (`KERAS_BACKEND=jax`): it reads
a JSON list of {"config": serialize() dict, "steps": [...]} on stdin and writes the learning
rates (float32, NaN as null) as a JSON list of lists. Many schedules share one jitted function,
each with its config baked in as constants exactly as in `model.fit`'s train step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

BATCH = 40


def jitted_values(items: list[dict]) -> list[np.ndarray]:
    """Learning rates of each item's schedule at its steps, under `jax.jit` (run in a subprocess)."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    done = subprocess.run(
        [sys.executable, __file__],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return [np.array(v, dtype=np.float64).astype(np.float32) for v in json.loads(done.stdout)]


def _main() -> None:
    import jax
    import jax.numpy as jnp
    import keras

    assert keras.backend.backend() == "jax"
    items = json.load(sys.stdin)
    out: list[list[float | None]] = []
    for first in range(0, len(items), BATCH):
        batch = items[first : first + BATCH]
        schedules = [keras.optimizers.schedules.deserialize(item["config"]) for item in batch]
        # Steps as float32: Keras casts the step to float32 first, and int32 could not hold 1e12.
        # The steps of a batch are padded to one length so one jitted call evaluates them all.
        # PiecewiseConstantDecay compares integer steps: those go in as int32 (as `fit`'s counter).
        width = max(len(item["steps"]) for item in batch)
        steps = np.zeros((len(batch), width), dtype=np.float32)
        counts = np.zeros((len(batch), width), dtype=np.int32)
        for row, item in enumerate(batch):
            steps[row, : len(item["steps"])] = np.asarray(item["steps"], dtype=np.float32)
            if item["config"]["class_name"] == "PiecewiseConstantDecay":
                counts[row, : len(item["steps"])] = np.asarray(item["steps"], dtype=np.int32)

        def run(all_steps, all_counts, batch=batch, schedules=schedules):
            return [
                jax.vmap(lambda s, f=f: f(s))(
                    all_counts[i]
                    if item["config"]["class_name"] == "PiecewiseConstantDecay"
                    else all_steps[i]
                )
                for i, (item, f) in enumerate(zip(batch, schedules))
            ]

        values = jax.jit(run)(jnp.asarray(steps), jnp.asarray(counts))
        for item, row in zip(batch, values):
            row = np.asarray(row, dtype=np.float64)[: len(item["steps"])]
            out.append([None if np.isnan(v) else float(v) for v in row])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    _main()
