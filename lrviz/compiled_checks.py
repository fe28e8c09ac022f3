"""Findings about the compiled paths (JAX `fit`, TensorFlow with and without XLA), shown whichever
path the chart follows: where each path turns NaN, which stairs and restarts it moves, where it
settles at another value than eager Keras, and the
TensorFlow failures of integer learning rates (measured with tensorflow-cpu 2.21, issue #15).
Paths that do the same thing share one finding, which names them all."""

from __future__ import annotations

import functools
from collections.abc import Hashable

import numpy as np

from lrviz.engine import F32, PATHS, Schedule
from lrviz.engine.compiled import path_arithmetic
from lrviz.engine.finding import Finding
from lrviz.errors import Phrase
from lrviz.limits import SETTLED_GAP

# Moved stairs / restarts listed in a finding (and the most compared: longer lists are skipped).
SHOWN_SHIFTS = 5
MAX_COMPARED_BREAKPOINTS = 20_000
# The paths the findings are about, in the order they are named.
COMPILED_PATHS = tuple(p for p in PATHS if p != "eager")


def first_compiled_nan(schedule: Schedule, limit: int, path: str = "compiled") -> int | None:
    """First step <= `limit` at which `path` (the compiled path by default) gives NaN (float
    rates), or None.

    Only the class's own mechanisms turn the compiled arithmetic NaN where the eager one is not
    (PolynomialDecay's 1 - p below 0 with a non-integer power, SGDR with t_mul < 1 past the sum
    of its periods): each class module finds its first NaN without sampling the curve.
    """
    search = path_arithmetic(schedule.eager().spec, path).nan_from
    return None if search is None else search(schedule.config, limit)


def _first_eager_nan(schedule: Schedule, limit: int) -> int | None:
    """Where eager Keras turns NaN by the same mechanisms (the eager findings' own searches)."""
    search = schedule.spec.nan_from
    return None if search is None else search(schedule.config, limit)


def path_phrase(paths: tuple[str, ...]) -> Phrase:
    """The paths' names, as one phrase ("JAX `fit` and TensorFlow with XLA")."""
    names = [Phrase(f"finding.path.{p}") for p in paths]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return Phrase("finding.path.two", {"first": names[0], "second": names[1]})
    return Phrase("finding.path.three", dict(zip(("first", "second", "third"), names)))


def _nan(schedule: Schedule, reach: int, path: str) -> tuple[int, tuple] | None:
    """(first NaN step, fix items) on `path` where eager Keras is not NaN there, or None."""
    # Past where the eager curve settles (or turns NaN) too: the compiled NaN may come later.
    reach = max(reach, 2 * schedule.settles_at())
    step = first_compiled_nan(schedule, reach, path)
    if step is None or step == _first_eager_nan(schedule, reach):
        return None
    nan_fix = path_arithmetic(schedule.spec, path).nan_fix
    fix = None if nan_fix is None else nan_fix(schedule.config)
    return step, tuple(sorted(fix.items())) if fix is not None else ()


def _nan_finding(schedule: Schedule, paths: tuple[str, ...], found: tuple[int, tuple]) -> Finding:
    spec = schedule.spec
    step, fix = found
    code = "compiled_nan" if "compiled" in paths else "tf_nan"
    params: dict = {"step": step, "path": path_phrase(paths)}
    if fix:
        code = f"{code}.{spec.class_name}"
        params.update(fix)
    return Finding(code, "warning", spec.nan_param, params)


def _shifted(
    schedule: Schedule, reach: int, path: str, eager: np.ndarray | None, moved: np.ndarray | None
) -> tuple[int, ...] | None:
    """Stairs, restarts or cycles that change at another step on `path` (whose breakpoints are
    `moved`) than eager (`eager`), or None."""
    if eager is None or moved is None or eager.size > MAX_COMPARED_BREAKPOINTS:
        return None
    dense = schedule.spec.dense_edges_from
    tail_from = None if dense is None else dense(schedule.config)
    if tail_from is not None:
        # Not the last periods, shorter than two steps, where every step is an edge.
        eager, moved = eager[eager < tail_from], moved[moved < tail_from]
    nan_from = first_compiled_nan(schedule, reach, path)
    if nan_from is not None:
        moved = moved[moved < nan_from]
    late = np.setdiff1d(moved, eager)
    return tuple(int(s) for s in late) if late.size else None


def _path_breakpoints(schedule: Schedule, reach: int) -> dict[str, np.ndarray | None]:
    """Each compiled path's breakpoints up to `reach`, computed once per period index (the
    compiled path and TensorFlow's share theirs for most classes)."""
    by_index: dict[object, np.ndarray | None] = {}
    found = {}
    for path in COMPILED_PATHS:
        index = path_arithmetic(schedule.spec, path).index
        if index not in by_index:
            by_index[index] = schedule.on_path(path).breakpoints(
                reach, MAX_COMPARED_BREAKPOINTS, MAX_COMPARED_BREAKPOINTS
            )
        found[path] = by_index[index]
    return found


def _shift_finding(schedule: Schedule, paths: tuple[str, ...], late: tuple[int, ...]) -> Finding:
    index_param = schedule.spec.period_param
    shown = ", ".join(f"{s:,}" for s in late[:SHOWN_SHIFTS])
    if len(late) > SHOWN_SHIFTS:
        shown += ", …"
    steps = int(F32(schedule.config[index_param]))
    exact = 1 << max(0, steps.bit_length() - 1)
    params = {
        "steps": shown,
        "count": len(late),
        "param": index_param,
        "pow2": exact,
        "path": path_phrase(paths),
    }
    code = "compiled_shift" if "compiled" in paths else "tf_shift"
    return Finding(code, "info", index_param, params)


def _by_result(results: dict[str, Hashable | None]) -> list[tuple[tuple[str, ...], Hashable]]:
    """The paths with a result, grouped by equal results (in the order of `COMPILED_PATHS`)."""
    groups: dict[Hashable, list[str]] = {}
    for path, result in results.items():
        if result is not None:
            groups.setdefault(result, []).append(path)
    return [(tuple(paths), result) for result, paths in groups.items()]


def _settled_elsewhere(schedule: Schedule, path: str) -> tuple[int, float] | None:
    """(step, value) when `path` settles at another value than eager Keras from `step` on, or
    None: e.g. a PolynomialDecay whose 1 - step / decay_steps stays a hair above 0 under the
    reciprocal, which a small power lifts far above end_learning_rate."""
    settle = schedule.settles_at()
    # Where eager settles, the step after it (a path may take one more step), and two later.
    steps = np.array([0, settle, settle + 1, 2 * settle, 4 * settle], dtype=np.int64)
    eager = schedule(steps).astype(np.float64)
    moved = schedule.on_path(path)(steps).astype(np.float64)
    if not (np.isfinite(eager).all() and np.isfinite(moved).all()):
        return None  # NaN is the NaN finding's
    settled = moved[-1]
    if len(set(eager[1:])) > 1 or moved[-2] != settled:
        return None  # not settled there
    scale = max(abs(eager[0]), abs(eager[1]), abs(settled))
    if abs(settled - eager[-1]) <= SETTLED_GAP * scale:
        return None
    # The first of those steps from which every later one checked holds the settled value.
    off = np.flatnonzero(moved[1:] != settled)
    first = int(steps[1:][off[-1] + 1]) if off.size else settle
    return first, float(F32(settled))


def _settled_finding(
    schedule: Schedule, paths: tuple[str, ...], found: tuple[int, float]
) -> Finding:
    step, value = found
    eager = float(schedule(np.int64(step)))
    period = int(F32(schedule.config[schedule.spec.period_param]))
    below = 1 << max(0, period.bit_length() - 1)  # the power of two at or below `period`
    params = {
        "path": path_phrase(paths),
        "step": step,
        "value": f"{value:.6g}",
        "eager": f"{eager:.6g}",
        "param": schedule.spec.period_param,
        "pow2": below if period - below <= 2 * below - period else 2 * below,
    }
    code = "compiled_settles" if "compiled" in paths else "tf_settles"
    return Finding(code, "warning", schedule.spec.period_param, params)


def _tensorflow_integer_finding(schedule: Schedule) -> Finding | None:
    if not schedule.uses_integer_dtype or not schedule.spec.tf_graph_rejects_int:
        return None
    value = schedule.config["initial_learning_rate"]
    params = {"value": value}
    return Finding("tensorflow_integer_rate", "warning", "initial_learning_rate", params)


@functools.lru_cache(maxsize=256)
def compiled_findings(schedule: Schedule, reach: int) -> tuple[Finding, ...]:
    """What the compiled paths do differently with this schedule, up to step `reach` (cached:
    findings are asked for on every rerun): NaN first, then moved stairs, then another settled
    value, each naming its paths."""
    eager = schedule.eager()
    found = [_tensorflow_integer_finding(eager)]
    if not eager.uses_integer_dtype:
        nans = {p: _nan(eager, reach, p) for p in COMPILED_PATHS}
        found += [_nan_finding(eager, paths, r) for paths, r in _by_result(nans)]
        marks = eager.breakpoints(reach, MAX_COMPARED_BREAKPOINTS, MAX_COMPARED_BREAKPOINTS)
        moved = _path_breakpoints(eager, reach)
        shifts = {p: _shifted(eager, reach, p, marks, moved[p]) for p in COMPILED_PATHS}
        found += [_shift_finding(eager, paths, late) for paths, late in _by_result(shifts)]
        settled = {p: _settled_elsewhere(eager, p) for p in COMPILED_PATHS}
        values = {p: None if r is None else r[1] for p, r in settled.items()}
        for paths, value in _by_result(values):
            # Paths that settle at one value share a finding, from the step all of them are there.
            step = max(settled[p][0] for p in paths)
            found.append(_settled_finding(eager, paths, (step, value)))
    return tuple(f for f in found if f is not None)
