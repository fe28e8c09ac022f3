"""The compiled paths: a spec turned into what XLA applies under JAX `fit` (always jitted), or
TensorFlow's `tf.function` with or without XLA.

Keras's JAX trainer evaluates the schedule inside the jitted train step, and XLA rewrites its
arithmetic: a division by a constant becomes a multiplication by the float32 reciprocal
(`x / d` -> `x * fl(1 / d)`), and a multiply feeding an add is fused into one `fma` (one
rounding). Both move discrete events: `1 - p` of a `PolynomialDecay` goes slightly negative at
`decay_steps` for about half of all `decay_steps` (so a non-integer `power` gives NaN from there
on), and a stair, restart or cycle can change one step late (or early). Everything here
reproduces those rewrites in numpy, and XLA's CPU float32 `log`, its folded constants and `powf`
where they decide a restart (`lrviz.engine.xla`); XLA's own `cos` and `exp` differ from numpy's
by a few ulp, so values elsewhere agree to a few ulp (tested to 1e-4 relative), not bit for bit
(tests/test_compiled_parity.py checks this against real jitted Keras 3.15.1).

TensorFlow has two paths of its own, each `compiled_spec(spec, path)` (measured against
tensorflow-cpu 2.21, tests/test_tf_parity.py): "tf-xla" (`jit_compile=True`, `fit`'s default
with a GPU) is this arithmetic but where a class says otherwise in its `tf_paths` (PolynomialDecay
past decay_steps: TensorFlow's XLA folds the clamped branch into a constant, see its `_tf_xla`);
"tf-graph" (`tf.function` without XLA, `fit`'s default on a CPU) is Grappler's graph: the
reciprocals but nothing fused, and glibc's float functions (`lrviz.engine.grappler`), each class's
`_tf_graph`. `path_arithmetic` fills what a class leaves out from the path TensorFlow's is based
on (tf-xla: compiled; tf-graph: eager).

Integer learning rates are not modelled separately: `Schedule.compiled()` of an
integer-rate schedule evaluates the eager integer arithmetic, which jitted Keras follows but at
an occasional stair or cycle edge (2 of 40 random integer configs differed at one or a few steps);
the findings tell users to write float rates anyway.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from lrviz.engine.float32 import (
    Config,
    computes_in_int,
    rank_step,
    run_start,
    sorted_unique,
    step_rank,
)
from lrviz.engine.spec import Evaluate, PathArithmetic, ScheduleSpec

PATHS = ("eager", "compiled", "tf-xla", "tf-graph")
"""Where a schedule runs: eager (numpy / torch / eager TF, Keras's reference arithmetic),
compiled (JAX `fit`, always jitted by XLA), tf-xla (TensorFlow's `tf.function` with
`jit_compile=True`: `fit` on a GPU by default) and tf-graph (`tf.function` without XLA,
Grappler's graph: TensorFlow `fit` on a CPU by default)."""

# The path each TensorFlow path differs from, where its class says nothing else.
_BASE = {"tf-xla": "compiled", "tf-graph": "eager"}


def path_arithmetic(spec: ScheduleSpec, path: str) -> PathArithmetic:
    """`spec`'s evaluation, period index and NaN search on a non-eager `path`, each field
    filled from the base path where the class gives none (None: the eager arithmetic)."""
    compiled = PathArithmetic(
        spec.compiled_evaluate, spec.compiled_index, spec.compiled_nan_from, spec.compiled_nan_fix
    )
    if path == "compiled":
        return compiled
    own = spec.tf_paths.get(path, PathArithmetic())
    base = compiled if _BASE[path] == "compiled" else PathArithmetic()
    return PathArithmetic(
        *(mine if mine is not None else theirs for mine, theirs in zip(_fields(own), _fields(base)))
    )


def _fields(arithmetic: PathArithmetic) -> tuple:
    return tuple(getattr(arithmetic, f.name) for f in dataclasses.fields(arithmetic))


def _with_int_fallback(compiled: Evaluate, eager: Evaluate) -> Evaluate:
    def evaluate(cfg: Config, steps: np.ndarray) -> np.ndarray:
        if computes_in_int(cfg):
            return eager(cfg, steps)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            return compiled(cfg, steps)

    evaluate.__doc__ = compiled.__doc__
    return evaluate


# Float32 values either side of an eager edge where the compiled edge is looked for: the
# reciprocal's error moves an index by well under one float32 step of the quotient.
EDGE_REACH = 3


def moved_edges(index: Callable[[np.ndarray], np.ndarray], edges: np.ndarray) -> np.ndarray:
    """The steps near each of `edges` (eager stair / restart / cycle starts) where the compiled
    `index` changes: the first step of each run of equal float32 whose index differs from the
    previous float32's."""
    if edges.size == 0:
        return edges
    ranks = step_rank(edges)[:, None] + np.arange(-EDGE_REACH, EDGE_REACH + 1)[None, :]
    ranks = np.maximum(ranks, 1).ravel()
    with np.errstate(invalid="ignore"):
        before, after = index(rank_step(ranks - 1)), index(rank_step(ranks))
    changed = (before != after) & ~(np.isnan(before) & np.isnan(after))
    return sorted_unique(run_start(ranks[changed]))


def compiled_spec(spec: ScheduleSpec, path: str = "compiled") -> ScheduleSpec:
    """`spec` (an eager spec) evaluated as `path` computes it (XLA under JAX `fit` by default);
    its stair / restart / cycle breakpoints moved to where that path's index changes. Folding
    spans (exact periodicity of the eager float32 arithmetic) do not hold for the rewritten
    arithmetic and are dropped."""
    arithmetic = path_arithmetic(spec, path)
    if arithmetic.evaluate is None:
        return dataclasses.replace(spec, path=path)
    eager_breaks, compiled_index = spec.breaks, arithmetic.index

    def breaks(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray | None:
        raw = eager_breaks(cfg, stop, limit, exact)
        if raw is None or compiled_index is None or computes_in_int(cfg) or raw.size > exact:
            return raw
        index = compiled_index(cfg)
        return raw if index is None else moved_edges(index, raw)

    return dataclasses.replace(
        spec,
        evaluate=_with_int_fallback(arithmetic.evaluate, spec.evaluate),
        breaks=breaks,
        periodic=None,
        drifting=None,
        constant=None,
        path=path,
    )
