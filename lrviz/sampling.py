"""Which steps to plot: a few thousand points that draw exactly what the full curve would.

The M4 idea (Jugel et al., VLDB 2014): for each pixel column keep the first, last, minimum and
maximum point, and a line through them covers the same pixels as a line through every step. The
full curve can have 10^12 steps, so it is never evaluated step by step; instead the schedules are
piecewise monotone between their breakpoints, and a column's extremes lie at its edges or next to
a breakpoint. float32 rounding can wiggle a nearly flat curve by an ulp inside a column, so every
column is also evaluated densely where that is cheap (see `DENSE_STEPS`), which keeps the envelope
exact, not just within a pixel, for every horizon a full evaluation could check.
"""

from __future__ import annotations

import functools

import numpy as np

from lrviz.engine import (
    EXACT_BREAKPOINTS,
    DriftingSpan,
    Schedule,
    rank_step,
    sorted_unique,
    step_rank,
)

DEFAULT_COLUMNS = 1000
# Below this many steps in the range, evaluate every step (exact by construction): about a
# millisecond per 100k steps, so a few ms per configuration.
DENSE_STEPS = 16_000
# Steps evaluated at each side of a breakpoint and at each column edge on sparse ranges.
EDGE_WINDOW = 2
# Steps evaluated around each breakpoint: the last step of the piece that ends there and the
# first of the next (the breakpoints are the engine's own, exact on the integer grid).
MARK_WINDOW = np.array([-1, 0], dtype=np.int64)
# Longest exact breakpoint list the sampler asks for (memory: a few arrays of up to 4x this many
# steps, ~0.1 GB at most).
MAX_EXACT_BREAKPOINTS = 1_000_000
# Finding one exact edge by bisection, and evaluating the steps around it, costs about as much as
# evaluating this many float32 steps in the dense pass (benchmarks/bench_chart.py, PolynomialDecay
# cycles: ~0.2-0.4 us an edge, ~30 ns a step); an exact list is used while it is cheaper.
EDGE_COST = 16
# Shortest exact list the sampler asks for: with up to 4 marks a column drawn (1,000 columns),
# a cheaper dense pass must not cut the breakpoints that are drawn.
MIN_EXACT_BREAKPOINTS = 10_000
# Most candidate steps around breakpoints before a range counts as dense. An exact list holds the
# real-number positions too (up to 2 marks a period), each with its `MARK_WINDOW`.
MAX_CANDIDATES = 2 * MARK_WINDOW.size * MAX_EXACT_BREAKPOINTS + 200_000
# Ranges with denser breakpoints are evaluated at every distinct step value, this many at a time.
DENSE_CHUNK = 1 << 21
# Steps per block when folding drifting spans.
FOLD_BLOCK = 1 << 16
# A folded window's step costs about this fraction of a dense-pass step (no M4 over it, float32
# built in place: ~10 against ~19 ns a step, benchmarks/bench_chart.py's Polynomial cycle).
FOLD_STEP_SHARE = 2


def column_edges(start: int, stop: int, columns: int) -> np.ndarray:
    """Integer edges of `columns` equal-width pixel columns covering [start, stop]."""
    edges = np.linspace(start, stop + 1, columns + 1)
    return sorted_unique(np.floor(edges).astype(np.int64))


def m4(steps: np.ndarray, values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Steps of the first, last, min and max point of every column (M4 reduction).

    `steps` are sorted and inside [edges[0], edges[-1]).
    """
    bounds = np.searchsorted(steps, edges)
    starts = np.unique(bounds[:-1][bounds[1:] > bounds[:-1]])
    ends = np.r_[starts[1:], steps.size]
    keep = np.zeros(steps.size, dtype=bool)
    keep[starts] = True
    keep[ends - 1] = True
    # NaN is its own extreme: keep the first NaN of each column so the line breaks where Keras
    # returns NaN.
    finite = np.isfinite(values)
    keep[_first_extreme(np.where(finite, values, np.inf), starts, np.minimum)] = True
    keep[_first_extreme(np.where(finite, values, -np.inf), starts, np.maximum)] = True
    keep[_first_in_segments(np.flatnonzero(~finite), starts, ends)] = True
    return steps[keep]


def _first_extreme(values: np.ndarray, starts: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """Index of the first extreme of each segment that begins at `starts`."""
    extreme = ufunc.reduceat(values, starts)
    lengths = np.diff(np.r_[starts, values.size])
    hits = np.flatnonzero(values == np.repeat(extreme, lengths))
    return _first_in_segments(hits, starts, starts + lengths)


def _first_in_segments(hits: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The first of the sorted indices `hits` in each segment [starts[i], ends[i]), if any."""
    if hits.size == 0:
        return hits
    first = np.searchsorted(hits, starts)
    found = first < hits.size
    first = first[found]
    return hits[first][hits[first] < ends[found]]


def _candidates(
    marks: np.ndarray | None, start: int, stop: int, edges: np.ndarray
) -> np.ndarray | None:
    """Column edges and breakpoint neighbourhoods: where a piecewise-monotone curve has extremes.

    `marks` are the schedule's breakpoints (None: too many to list; an empty array for a curve
    that is monotone throughout). None when the breakpoints are too dense to list (then only a
    full evaluation is exact).
    """
    window = np.arange(-EDGE_WINDOW, EDGE_WINDOW + 1, dtype=np.int64)
    parts = [(edges[:-1, None] + window).ravel(), (edges[1:, None] - 1 + window).ravel()]
    if marks is None:
        return None
    marks = marks[(marks >= start - EDGE_WINDOW) & (marks <= stop + EDGE_WINDOW)]
    if marks.size * MARK_WINDOW.size > MAX_CANDIDATES:
        return None
    # repeat + tile: a broadcast add with a 2-wide inner axis is several times slower.
    parts.append(np.repeat(marks, MARK_WINDOW.size) + np.tile(MARK_WINDOW, marks.size))
    steps = np.concatenate(parts)
    return sorted_unique(steps[(steps >= start) & (steps <= stop)])


def _finite_edges(schedule: Schedule, steps: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Exact steps where the curve turns NaN/inf (or back) between two candidates (bisection)."""
    finite = np.isfinite(values)
    change = np.flatnonzero(finite[1:] != finite[:-1])
    low, high = steps[change], steps[change + 1]
    low_finite = finite[change]
    while np.any(high - low > 1):
        mid = (low + high) // 2
        mid_finite = np.isfinite(schedule(mid))
        same = mid_finite == low_finite
        low = np.where(same, mid, low)
        high = np.where(same, high, mid)
    return np.concatenate([low, high])


def sample_steps(
    schedule: Schedule, start: int, stop: int, columns: int = DEFAULT_COLUMNS
) -> np.ndarray:
    """Sorted integer steps in [start, stop] that draw the same picture as every step.

    At most about 4 points per column are returned (fewer when the range is short: then every
    step is returned). Every breakpoint of the schedule inside the range is included.
    """
    start, stop = int(start), int(stop)
    if stop < start:
        raise ValueError(f"stop ({stop}) must be >= start ({start})")
    count = stop - start + 1
    if count <= 4 * columns:
        return np.arange(start, stop + 1, dtype=np.int64)
    edges = column_edges(start, stop, columns)
    constant = schedule.constant_from()
    if constant is None or constant > stop:
        return _sample_columns(schedule, start, stop, edges, columns)
    # From `constant` on every step has one value: the columns there need only their two ends
    # (a column it cuts is split there). Marks are drawn as over any range: all, if few enough.
    ends = np.concatenate([edges[:-1], edges[1:] - 1, [constant]])
    chosen = [ends[(ends >= max(start, constant)) & (ends <= stop)]]
    if constant > start:
        head = np.r_[edges[edges < constant], constant]
        chosen.append(_sample_columns(schedule, start, constant - 1, head, head.size - 1))
    chosen.append(_drawn_marks(schedule.breakpoints(stop, 4 * columns), start, stop, columns))
    return sorted_unique(np.concatenate(chosen))


def _drawn_marks(marks: np.ndarray | None, start: int, stop: int, columns: int) -> np.ndarray:
    """The breakpoints inside [start, stop] and the step before each, when they are few enough
    to draw (at most 4 a column); else none."""
    if marks is None or marks.size > 4 * columns:
        return np.zeros(0, dtype=np.int64)
    marks = marks[(marks >= start) & (marks <= stop)]
    return np.concatenate([marks, np.clip(marks - 1, start, stop)])


def _sample_columns(
    schedule: Schedule, start: int, stop: int, edges: np.ndarray, columns: int
) -> np.ndarray:
    """`sample_steps` over the pixel columns `edges` (integer edges from start to stop + 1)."""
    count = stop - start + 1
    if count <= 4 * columns:
        return np.arange(start, stop + 1, dtype=np.int64)
    # A monotone curve's extremes in a column are at the column's ends, stairs or not: its
    # breakpoints are only drawn, and only when there are few enough to matter (listing 10^5
    # exact stair edges would cost more than the whole chart).
    if schedule.monotone:
        marks, inner_marks = schedule.breakpoints(stop, 4 * columns), np.zeros(0, dtype=np.int64)
    else:
        # Only exact breakpoints bound monotone pieces; longer lists are theoretical positions.
        exact = exact_breakpoint_limit(schedule, start, stop, edges)
        marks = inner_marks = schedule.breakpoints(stop, exact, exact)
    steps = None if count <= DENSE_STEPS else _candidates(inner_marks, start, stop, edges)
    if steps is None:
        chosen = _sample_dense(schedule, start, stop, edges)
    else:
        values = schedule(steps)
        extra = _finite_edges(schedule, steps, values)
        if extra.size:
            steps = sorted_unique(np.concatenate([steps, extra]))
            values = schedule(steps)
        chosen = m4(steps, values, edges)
    return sorted_unique(np.concatenate([chosen, _drawn_marks(marks, start, stop, columns)]))


def exact_breakpoint_limit(
    schedule: Schedule, start: int, stop: int, edges: np.ndarray | None = None
) -> int:
    """How many breakpoints are worth making exact: as many as cost less than the dense pass
    would (`dense_cost` over the pixel columns `edges`, by default `DEFAULT_COLUMNS` of them),
    at least `MIN_EXACT_BREAKPOINTS` and at most `MAX_EXACT_BREAKPOINTS`; `EXACT_BREAKPOINTS`
    for schedules whose steps are not float32 (exact on the integer grid anyway)."""
    if not schedule.float32_steps:
        return EXACT_BREAKPOINTS
    if edges is None:
        edges = column_edges(start, stop, DEFAULT_COLUMNS)
    affordable = dense_cost(schedule, start, stop, edges) // EDGE_COST
    return int(min(MAX_EXACT_BREAKPOINTS, max(MIN_EXACT_BREAKPOINTS, affordable)))


def _sample_dense(schedule: Schedule, start: int, stop: int, edges: np.ndarray) -> np.ndarray:
    """Breakpoints too dense to list: M4 over every distinct value of the step (exact).

    For a `float32_steps` schedule that is every float32 step (runs of steps with one float32
    share one value), else every step; either in chunks of `DENSE_CHUNK`. Where the schedule
    repeats with period P (`periodic_spans`), a column holding a whole period takes that
    period's extremes, placed inside the column (x + j P has the value of x), instead.
    """
    if schedule.float32_steps:
        to_rank, to_step = step_rank, rank_step
    else:
        to_rank, to_step = np.asarray, np.asarray
    bounds = np.array([start, stop], dtype=np.int64)
    first, last = (int(r) for r in to_rank(bounds))
    chosen = [edges[:-1], edges[1:] - 1]
    covered_low, covered_high = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    if schedule.float32_steps:
        folds = [(_fold_span, span) for span in schedule.periodic_spans(stop)]
        folds += [(_fold_drifting_span, span) for span in schedule.drifting_spans(stop)]
        for fold, span in folds:
            steps, low, high = fold(schedule, span, edges)
            chosen.append(np.clip(steps, start, stop))
            covered_low.append(low)
            covered_high.append(high)
    low, high = np.concatenate(covered_low), np.concatenate(covered_high)
    order = np.argsort(low, kind="stable")
    low, high = low[order], high[order]
    # Ranks in [first, last] outside every folded piece (pieces are disjoint and ascending).
    gap_low = np.r_[first, high + 1]
    gap_high = np.r_[low - 1, last]
    keep = gap_high >= gap_low
    for ranks in _chunks(gap_low[keep], gap_high[keep], DENSE_CHUNK):
        steps = np.clip(to_step(ranks), start, stop)
        chosen.append(m4(steps, schedule(steps), edges))
    steps = sorted_unique(np.concatenate(chosen))
    return m4(steps, schedule(steps), edges)


def clear_caches() -> None:
    """Forget the column ranks cached across calls (benchmarks measure cold runs with it)."""
    _column_ranks.cache_clear()


@functools.lru_cache(maxsize=64)
def _column_ranks(edges_key: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The float32 ranks of each column's first and last step (edges as int64 bytes; cached:
    every span of a range asks for them)."""
    edges = np.frombuffer(edges_key, dtype=np.int64)
    return step_rank(edges[:-1]), step_rank(edges[1:] - 1)


def _span_columns(
    span: tuple[int, ...], edges: np.ndarray
) -> tuple[int, int, np.ndarray, np.ndarray]:
    """A span's first rank, its period in ranks, and each column's rank range inside it (a span
    starts with first step, last step, period)."""
    first, last, period = span[:3]
    span_low, span_high = (int(r) for r in step_rank(np.array([first, last])))
    # One span lies in one binade of float32 steps, so a period is a fixed number of ranks.
    stride = int(step_rank(np.array([first + period]))[0]) - span_low
    low_ranks, high_ranks = _column_ranks(edges.astype(np.int64).tobytes())
    return span_low, stride, np.maximum(low_ranks, span_low), np.minimum(high_ranks, span_high)


def dense_cost(schedule: Schedule, start: int, stop: int, edges: np.ndarray) -> int:
    """About what the dense pass over [start, stop] costs, in dense-pass steps: every distinct
    step value, less what folding spans spares (a periodic span's whole periods; a drifting
    span's columns but for their first and last period, whose steps cost less)."""
    to_rank = step_rank if schedule.float32_steps else np.asarray
    first, last = (int(r) for r in to_rank(np.array([start, stop], dtype=np.int64)))
    cost = last - first + 1
    if not schedule.float32_steps:
        return cost
    for span in schedule.periodic_spans(stop):
        _, stride, low, high = _span_columns(span, edges)
        whole = high - low + 1 >= stride
        cost -= int((high - low + 1)[whole].sum()) - stride
    for span in schedule.drifting_spans(stop):
        _, period, low, high = _span_columns(span, edges)
        stride = period * span.base // span.period
        fold = high - low + 1 > 2 * period
        window = 2 * stride + 2 * len(span.irregular)
        cost -= int((high - low + 1 - window // FOLD_STEP_SHARE)[fold].sum())
    return max(cost, 0)


def _fold_span(
    schedule: Schedule, span: tuple[int, int, int], edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps carrying the extremes of every column that holds a whole period of `span`, and the
    rank ranges they stand for (so the dense pass skips them)."""
    span_low, stride, column_low, column_high = _span_columns(span, edges)
    whole = column_high - column_low + 1 >= stride
    if not whole.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, np.int64)
    ranks = np.arange(span_low, span_low + stride, dtype=np.int64)
    values = schedule(rank_step(ranks))
    finite = np.isfinite(values)
    offsets = []
    if finite.any():
        offsets += [
            np.argmin(np.where(finite, values, np.inf)),
            np.argmax(np.where(finite, values, -np.inf)),
        ]
    if not finite.all():
        offsets.append(np.argmin(finite))
    low, high = column_low[whole], column_high[whole]
    # The first rank at or after `low` that is `offset` past a period start: inside [low, high].
    picks = [low + (span_low + offset - low) % stride for offset in offsets]
    return rank_step(np.concatenate(picks)), low, high


def _fold_drifting_span(
    schedule: Schedule, span: DriftingSpan, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps carrying the extremes of every column that holds more than two periods of a
    drifting span, and the rank ranges they stand for (so the dense pass skips them).

    Along a chain x, x + B, x + 2B, ... (B the span's base) the value only falls or only rises,
    so each chain takes its extremes (and its first NaN) at its first or last member in the
    column: the column's first and last B hold them all. An irregular x is monotone only along
    x + 2jB: its chains' second and second-last members are taken too. (The column's first and
    last step are column edges, chosen anyway.)
    """
    span_low, _, column_low, column_high = _span_columns(span, edges)
    # One span lies in one binade of float32 steps: a rank further is a step `spacing` further.
    spacing = int(rank_step(np.array([span_low + 1]))[0]) - span.first
    stride = span.base // spacing
    fold = column_high - column_low + 1 > 2 * (span.period // spacing)
    # Rank offsets from the span's first step, one row per folded column.
    low, high = column_low[fold] - span_low, column_high[fold] - span_low
    ahead = np.arange(stride, dtype=np.int64)
    ahead32 = (ahead * spacing).astype(np.float32)
    irregular = np.asarray(span.irregular, dtype=np.int64)
    width = 2 * stride + 2 * irregular.size
    picks = [np.zeros(0, dtype=np.int64)]
    # Blocks of ~64k steps stay in the CPU cache through the build, evaluation and reductions.
    rows = max(1, FOLD_BLOCK // width)
    for block in range(0, low.size, rows):
        lo, hi = low[block : block + rows, None], high[block : block + rows, None]
        # Rank offsets: [lo, lo + B), (hi - B, hi], then the irregular chains' second and
        # second-last members. Every step of the span is a float32, so the windows are built
        # and evaluated as float32.
        extra = np.concatenate(
            [lo + (irregular - lo) % stride + stride, hi - (hi - irregular) % stride - stride],
            axis=1,
        )
        x = np.empty((lo.shape[0], width), dtype=np.float32)
        np.add((span.first + lo * spacing).astype(np.float32), ahead32, out=x[:, :stride])
        np.add(
            (span.first + (hi - stride + 1) * spacing).astype(np.float32),
            ahead32,
            out=x[:, stride : 2 * stride],
        )
        x[:, 2 * stride :] = span.first + extra * spacing
        values = schedule.at_float32(x)
        every = np.arange(lo.shape[0])
        # fmin/fmax skip NaN (a row of NaN alone gives NaN, and its NaN pick below).
        rows_at = [
            (every, (values == reduce.reduce(values, axis=1)[:, None]).argmax(axis=1))
            for reduce in (np.fmin, np.fmax)
        ]
        broken = np.flatnonzero(np.isnan(np.minimum.reduce(values, axis=1)))
        if broken.size:
            rows_at.append((broken, np.isnan(values[broken]).argmax(axis=1)))
        row, at = (np.concatenate(part) for part in zip(*rows_at, strict=True))
        offset = np.where(at < stride, lo[row, 0] + at, hi[row, 0] - 2 * stride + 1 + at)
        past = at >= 2 * stride
        offset[past] = extra[row[past], at[past] - 2 * stride]
        picks.append(span.first + offset * spacing)
    return np.concatenate(picks), low + span_low, high + span_low


def _chunks(low: np.ndarray, high: np.ndarray, size: int):
    """The integers of the ranges [low[i], high[i]] (ascending, disjoint), about `size` at a time.

    Long ranges are cut into aranges; runs of short ones are joined into one batch, so a batch
    costs one `arange` and one `repeat`, never a search per element.
    """
    batch_low: list[int] = []
    batch_high: list[int] = []
    filled = 0
    for first, last in zip(low.tolist(), high.tolist(), strict=True):
        while last - first + 1 > size - filled:
            take = size - filled
            batch_low.append(first)
            batch_high.append(first + take - 1)
            yield _ranges(batch_low, batch_high)
            batch_low, batch_high, filled = [], [], 0
            first += take
        if last >= first:
            batch_low.append(first)
            batch_high.append(last)
            filled += last - first + 1
    if batch_low:
        yield _ranges(batch_low, batch_high)


def _ranges(low: list[int], high: list[int]) -> np.ndarray:
    """The integers of the ascending disjoint ranges [low[i], high[i]], concatenated."""
    if len(low) == 1:
        return np.arange(low[0], high[0] + 1, dtype=np.int64)
    starts = np.asarray(low, dtype=np.int64)
    lengths = np.asarray(high, dtype=np.int64) - starts + 1
    offsets = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - offsets, lengths)


def envelope(
    steps: np.ndarray, values: np.ndarray, start: int, stop: int, columns: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-column (min, max) of points, NaN where a column has no finite point. For checks."""
    edges = column_edges(start, stop, columns)
    column = np.searchsorted(edges, steps, side="right") - 1
    low = np.full(edges.size - 1, np.inf)
    high = np.full(edges.size - 1, -np.inf)
    finite = np.isfinite(values)
    np.minimum.at(low, column[finite], values[finite])
    np.maximum.at(high, column[finite], values[finite])
    low[np.isinf(low)] = np.nan
    high[np.isinf(high)] = np.nan
    return low, high


def drawn(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points a line needs: inner points of runs of equal values are dropped.

    A straight line between the two ends of a run passes through every dropped point, so the
    drawn picture is the same; floors, plateaus and staircases then cost two points a run.
    NaN never equals itself, so gaps in the line are kept as they are.
    """
    if values.size < 3:
        return steps, values
    same = values[1:] == values[:-1]
    keep = np.ones(values.size, dtype=bool)
    keep[1:-1] = ~(same[:-1] & same[1:])
    return steps[keep], values[keep]


def line_envelope(
    steps: np.ndarray, values: np.ndarray, start: int, stop: int, columns: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-column (min, max) of the line through the points (from `drawn`). For checks.

    Where a column begins inside a run whose ends have equal values, the line there has that
    value; everything else is `envelope` of the points themselves.
    """
    edges = column_edges(start, stop, columns)[:-1]
    after = np.searchsorted(steps, edges)
    inside = (after > 0) & (after < steps.size)
    inside[inside] &= steps[after[inside]] != edges[inside]
    left, right = after[inside] - 1, after[inside]
    flat = values[left] == values[right]
    extra_steps = edges[inside][flat]
    extra_values = values[left][flat]
    return envelope(
        np.concatenate([steps, extra_steps]),
        np.concatenate([values, extra_values]),
        start,
        stop,
        columns,
    )
