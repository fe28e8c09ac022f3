"""Where a curve's formula changes, found exactly on Keras's float32 step grid.

Keras computes a period index (stair, restart, cycle) from float32(step), so past 2^24 an edge
moves away from its real-number position. `exact_edges` finds each edge by bisection over
float32 steps; the schedule modules use it for their breakpoints, and so does the compiled path.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrviz.engine.float32 import (
    F32,
    Config,
    computes_in_int,
    rank_step,
    run_start,
    sorted_unique,
    step_rank,
    steps_float32,
)

# Most breakpoints `Schedule.breakpoints` lists by default.
MAX_BREAKPOINTS = 1_000_000

# Breakpoint lists up to this long are exact on the integer grid (found by bisection) unless a
# caller asks for another length (`Schedule.breakpoints(exact=...)`); longer ones are the
# theoretical positions, which float32 rounding can move past 2^24.
EXACT_BREAKPOINTS = 100_000


def exact_edges(
    index: Callable[[np.ndarray], np.ndarray],
    approx: np.ndarray,
    expected: np.ndarray,
    spread: int = 12,
) -> np.ndarray:
    """The steps where a monotone float32 period index really reaches each `expected` value,
    near its theoretical edge `approx`.

    Keras computes the period (restart, stair, cycle) in float32, so at large steps an edge moves
    away from its real-number position. A vectorised bisection finds the first step whose index
    is >= the expected value, within +-(4 + edge / 2^spread) steps; a window may hold other
    edges too (short periods), but only one step reaches that value first. `index` sees steps
    only through float32(step), so the bisection runs over float32 values (`step_rank`), and the
    edge is where that value's run of steps begins. A window that does not hold its edge is
    widened (up to 2^8 times); an edge still not found keeps its theoretical position. An index
    that turns NaN (restarts with t_mul < 1, past every finite period) counts as reached there,
    so a window that runs into the NaN still finds the edges before it.
    """
    if approx.size == 0:
        return approx

    def index_at(ranks: np.ndarray) -> np.ndarray:
        values = index(rank_step(ranks))
        return np.where(np.isnan(values), np.inf, values)

    target = expected.astype(np.float64)
    half = 4 + (approx >> spread)
    edges = approx.copy()
    todo = np.arange(approx.size)
    with np.errstate(invalid="ignore"):
        for _ in range(9):
            near, want = approx[todo], target[todo]
            low = step_rank(np.maximum(near - half[todo], 0))
            high = step_rank(near + half[todo])
            ok = (index_at(low) < want) & (index_at(high) >= want)
            low, high, want = low[ok], high[ok], want[ok]
            while np.any(high - low > 1):
                mid = (low + high) // 2
                reached = index_at(mid) >= want
                high = np.where(reached, mid, high)
                low = np.where(reached, low, mid)
            edges[todo[ok]] = run_start(high)
            todo = todo[~ok]
            if todo.size == 0:
                break
            half[todo] *= 2
    return sorted_unique(edges)


# An index floor/ceil(float32(step) / float32(D)) rounds twice, each time by at most half an ulp
# (2^-24 relative), so its edges move by at most step / 2^23 + 1: a window of step / 2^22 has 2x
# margin (and `exact_edges` widens any window that misses its edge).
QUOTIENT_SPREAD = 22


def staircase_breaks(cfg: Config, stop: int, limit: int, exact: int) -> np.ndarray | None:
    """Stair edges k * decay_steps of a `staircase` ExponentialDecay / InverseTimeDecay (none
    without stairs), exact on the float32 grid for up to `exact` of them."""
    if not cfg["staircase"]:
        return np.zeros(0, dtype=np.int64)
    count = stop // int(cfg["decay_steps"])
    if count > limit:
        return None
    edges = np.arange(1, count + 1, dtype=np.int64) * int(cfg["decay_steps"])
    if computes_in_int(cfg) or count > exact:
        return edges
    # Stair k begins at k * D: floor(step / D) reaches k there.
    return exact_edges(
        lambda steps: np.floor(steps_float32(steps) / F32(cfg["decay_steps"])),
        edges,
        np.arange(1, count + 1, dtype=np.int64),
        QUOTIENT_SPREAD,
    )


def stair_exponent(cfg: Config, steps: np.ndarray) -> np.ndarray:
    """p = step / decay_steps as Keras's ExponentialDecay and InverseTimeDecay compute it,
    floored when `staircase`: float32 for a float rate; for an integer rate numpy's int32 / int32
    gives float64, which `ops.floor` (and the ops after it) compute in float32."""
    if computes_in_int(cfg):
        p = (steps.astype(np.int64) / np.float64(cfg["decay_steps"])).astype(F32)
    else:
        p = steps_float32(steps) / F32(cfg["decay_steps"])
    return np.floor(p) if cfg["staircase"] else p
