"""Real Keras on the TensorFlow backend, run the way TensorFlow's `fit` runs the schedule: the
oracle of the "tf-xla" and "tf-graph" paths.

Keras's TensorFlow trainer calls the schedule inside its `tf.function` train step on the
optimizer's step counter (an int64 variable): with `jit_compile=True` XLA compiles that step
("tf-xla"; `fit`'s default where a GPU is visible), without it Grappler optimizes the graph
("tf-graph"; `fit`'s default on a CPU-only machine, where `jit_compile="auto"` turns XLA off).
Here each schedule is called on one element of an int64 step variable read inside such a
function, so the step is a runtime scalar as in `fit` (a vectorised call or a constant step
would let XLA and Grappler compute something else).

TensorFlow is not in lrviz's test venv (it would move numpy and protobuf under the app): this
runs as a subprocess with the Python of a separate venv, `LRVIZ_TF_PYTHON` or the repository's
`.venv-tf` (scripts/run-tests.sh makes it, unless `LRVIZ_TF=0`). It reads a JSON object {"path": "tf-xla"
or "tf-graph", "items": [{"config": serialize() dict, "steps": [...]}]} on stdin and writes the
learning rates (NaN as null) as a JSON list of lists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

BATCH = 40
REPO = Path(__file__).resolve().parent.parent


def tf_python() -> str | None:
    """The Python of the TensorFlow venv, or None when there is none."""
    chosen = os.environ.get("LRVIZ_TF_PYTHON") or str(REPO / ".venv-tf" / "bin" / "python")
    return chosen if Path(chosen).is_file() else None


def tf_env() -> dict[str, str]:
    """The environment of a TensorFlow subprocess (lrviz's worktree off its path)."""
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("PYTHONPATH", None)
    return env


def tf_values(paths: tuple[str, ...], items: list[dict]) -> dict[str, list[np.ndarray]]:
    """Learning rates of each item's schedule at its steps on each TensorFlow path, one
    subprocess per path, all at once."""
    python = tf_python()
    if python is None:
        raise RuntimeError("no TensorFlow venv: set LRVIZ_TF_PYTHON or make .venv-tf")
    running = {
        path: subprocess.Popen(
            [python, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=tf_env(),
        )
        for path in paths
    }
    for path, process in running.items():
        process.stdin.write(json.dumps({"path": path, "items": items}))
        process.stdin.close()
    values = {}
    for path, process in running.items():
        out, err = process.stdout.read(), process.stderr.read()
        if process.wait():
            raise RuntimeError(f"the TensorFlow oracle failed on {path}: {err[-2000:]}")
        values[path] = [np.array(v, dtype=np.float64).astype(np.float32) for v in json.loads(out)]
    return values


def _main() -> None:
    import keras
    import tensorflow as tf

    assert keras.backend.backend() == "tensorflow"
    request = json.load(sys.stdin)
    jit = {"tf-xla": True, "tf-graph": False}[request["path"]]
    items = request["items"]
    out: list[list[float | None]] = []
    for first in range(0, len(items), BATCH):
        batch = items[first : first + BATCH]
        schedules = []
        for index, item in enumerate(batch):
            # TensorFlow's name scopes refuse spaces and '#': the name changes no value.
            config = {
                **item["config"],
                "config": {**item["config"]["config"], "name": f"lr{index}"},
            }
            schedules.append(keras.optimizers.schedules.deserialize(config))
        width = max(len(item["steps"]) for item in batch)
        table = np.zeros((width, len(batch)), dtype=np.int64)
        for column, item in enumerate(batch):
            table[: len(item["steps"]), column] = item["steps"]
        counter = tf.Variable(np.zeros(len(batch), np.int64))

        def step_function(schedules=schedules, counter=counter):
            steps = counter.read_value()
            return tf.stack([tf.cast(f(steps[i]), tf.float32) for i, f in enumerate(schedules)])

        run = tf.function(step_function, jit_compile=jit)
        rows = []
        for row in table:
            counter.assign(row)
            rows.append(run().numpy())
        values = np.asarray(rows, dtype=np.float64)
        for column, item in enumerate(batch):
            column_values = values[: len(item["steps"]), column]
            out.append([None if np.isnan(v) else float(v) for v in column_values])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    _main()
