"""Chart cost: sample 8 configurations and build the overlay figure at horizons 10^3 ... 10^12.

Run from the project root:

    .venv/bin/python benchmarks/bench_chart.py [--repeats 5] [--budget 3] [--check-up-to 7]

The figure is built exactly as app.py's overlay chart builds it: `lrviz.figures.make_curve` for
every configuration (1000 pixel columns), `find_marks` on the first, `overlay_figure`. Per horizon
(view [0, horizon]) it prints the time to sample and build (median and max of up to `--repeats`
runs, each from fresh schedules and empty sampler caches; a horizon stops repeating once
`--budget` seconds are spent), the time Streamlit then
spends serialising the figure, the bytes Streamlit sends (`plotly.io.to_json(fig, validate=False)`
after `return_figure_from_figure_or_data`, as `st.plotly_chart` does) and what
`fig.to_json(engine="orjson")` gives, the most points in one curve and, up to
10^`--check-up-to`, the largest per-pixel-column envelope difference between the plotted line
and every step of the curve (0: pixel-exact) and whether the NaN columns agree.
Targets: <= 30 ms to build, <= 200 KB, exact envelope. Two more tables split the bytes by trace
field and the sampling time by configuration. Prints markdown; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly
import plotly.graph_objects as go
import plotly.io
import plotly.tools
from machine import machine_line  # benchmarks/machine.py (the script's own folder)

import lrviz
from lrviz import figures, sampling
from lrviz import teaching as formulas
from lrviz.sampling import DEFAULT_COLUMNS, envelope, line_envelope, sample_steps
from lrviz.state import View

BUILD_TARGET_MS = 30.0
BYTES_TARGET_KB = 200.0
FULL_CHUNK = 2_000_000
TRACE_FIELDS = ("x", "y", "customdata", "text")


def _with(class_name: str, **changes: Any) -> lrviz.Schedule:
    config = lrviz.default_config(class_name)
    config["config"].update(changes)
    return lrviz.from_keras(config)


def configurations() -> list[lrviz.Schedule]:
    """Eight varied configurations covering all six classes."""
    return [
        _with("CosineDecay"),
        _with(
            "CosineDecay",
            warmup_target=None,
            warmup_steps=0,
            alpha=0.0,
            decay_steps=10**6,
            name="Cosine 1e6",
        ),
        _with("CosineDecayRestarts"),
        _with("CosineDecayRestarts", first_decay_steps=2000, t_mul=1.0, m_mul=1.0, name="SGDR t=1"),
        _with("ExponentialDecay", staircase=True, decay_rate=0.96, name="Exponential stairs"),
        _with("PiecewiseConstantDecay"),
        _with("PolynomialDecay", cycle=True, power=0.5, name="Polynomial cycle"),
        _with("InverseTimeDecay"),
    ]


def describe(schedule: lrviz.Schedule) -> str:
    defaults = schedule.spec.defaults()
    args = ", ".join(
        f"{key}={value}"
        for key, value in schedule.config.items()
        if key != "name" and (key not in defaults or value != defaults[key])
    )
    return f"{schedule.name}: {schedule.class_name}({args})"


def build_overlay(schedules: Sequence[lrviz.Schedule], stop: int) -> go.Figure:
    """What app.py's overlay chart does: sample every curve, mark and shade the phases of the
    first, put the cursor mid-way, build the figure."""
    curves = [
        figures.make_curve(s.name, s, colour, stop, DEFAULT_COLUMNS)
        for colour, s in enumerate(schedules)
    ]
    marks = figures.find_marks(curves[0], stop)
    phases = formulas.phases(schedules[0], stop + 1)
    view = View(horizon=stop)
    return figures.overlay_figure(curves, view, stop, marks, 0, cursor=stop // 2, phases=phases)


def streamlit_spec(figure: go.Figure) -> str:
    """What `st.plotly_chart` puts in its message (streamlit/elements/plotly_chart.py)."""
    checked = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return plotly.io.to_json(checked, validate=False)


def curve_points(figure: go.Figure, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(steps, values) of the first `count` traces, the curves, exactly as plotted."""
    points = []
    for trace in figure.data[:count]:
        x = np.asarray(trace.x)
        steps = np.rint(x).astype(np.int64)
        if not np.array_equal(steps, x):
            raise ValueError(f"trace {trace.name!r} has x values that are not whole steps")
        points.append((steps, np.asarray(trace.y, dtype=np.float64)))
    return points


def full_envelope(schedule: lrviz.Schedule, stop: int, columns: int) -> tuple[np.ndarray, ...]:
    """Per-column (min, max) of every step in [0, stop], evaluated in bounded chunks."""
    low = high = None
    for first in range(0, stop + 1, FULL_CHUNK):
        steps = np.arange(first, min(first + FULL_CHUNK, stop + 1), dtype=np.int64)
        chunk_low, chunk_high = envelope(
            steps, schedule(steps).astype(np.float64), 0, stop, columns
        )
        low = chunk_low if low is None else np.fmin(low, chunk_low)
        high = chunk_high if high is None else np.fmax(high, chunk_high)
    return low, high


def envelope_check(
    schedules: Sequence[lrviz.Schedule], figure: go.Figure, stop: int, columns: int
) -> tuple[float, bool]:
    """Largest |plotted - full| column extreme over all curves, and whether NaN columns agree."""
    worst, nan_match = 0.0, True
    for schedule, (steps, values) in zip(schedules, curve_points(figure, len(schedules))):
        got = line_envelope(steps, values, 0, stop, columns)
        want = full_envelope(schedule, stop, columns)
        for g, w in zip(got, want):
            nan_match &= bool(np.array_equal(np.isnan(g), np.isnan(w)))
            both = ~np.isnan(g) & ~np.isnan(w)
            if both.any():
                worst = max(worst, float(np.max(np.abs(g[both] - w[both]))))
    return worst, nan_match


def field_bytes(spec: str) -> dict[str, int]:
    """Bytes of the Streamlit spec taken by each per-point trace field, and by the rest."""
    parsed = json.loads(spec)
    sizes = dict.fromkeys(TRACE_FIELDS, 0)
    for trace in parsed["data"]:
        for name in TRACE_FIELDS:
            if name in trace:
                sizes[name] += len(json.dumps(trace[name], separators=(",", ":")))
    sizes["rest"] = len(spec.encode()) - sum(sizes.values())
    return sizes


@dataclass(frozen=True)
class Result:
    horizon: int
    build_ms: list[float]
    json_ms: float
    spec_kb: float
    orjson_kb: float
    points: int
    fields: dict[str, int]
    diff: float | None
    nan_match: bool | None


def measure(
    schedules: Sequence[lrviz.Schedule], horizon: int, repeats: int, budget: float, check: bool
) -> Result:
    build_ms: list[float] = []
    spent = 0.0
    figure = go.Figure()
    while len(build_ms) < repeats and (not build_ms or spent < budget):
        # Every build starts cold: fresh schedules (no span lists cached on them) and no cached
        # column ranks, as after a change to every configuration.
        fresh = [lrviz.from_keras(s.to_keras()) for s in schedules]
        sampling.clear_caches()
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            figure = build_overlay(fresh, horizon)
        elapsed = time.perf_counter() - start
        spent += elapsed
        build_ms.append(elapsed * 1e3)
    start = time.perf_counter()
    spec = streamlit_spec(figure)
    json_ms = (time.perf_counter() - start) * 1e3
    orjson_bytes = len(figure.to_json(engine="orjson").encode())
    points = max(len(trace.x) for trace in figure.data[: len(schedules)])
    diff = nan_match = None
    if check:
        with np.errstate(all="ignore"):
            diff, nan_match = envelope_check(schedules, figure, horizon, DEFAULT_COLUMNS)
    return Result(
        horizon,
        build_ms,
        json_ms,
        len(spec.encode()) / 1024,
        orjson_bytes / 1024,
        points,
        field_bytes(spec),
        diff,
        nan_match,
    )


def _exp(horizon: int) -> str:
    return f"1e{len(str(horizon)) - 1}"


def _verdict(ok: bool | None) -> str:
    return {None: "-", True: "ok", False: "MISS"}[ok]


def table(results: Sequence[Result]) -> str:
    lines = [
        "| horizon | build ms (median / max, runs) | Streamlit to_json ms | figure KB (Streamlit) "
        "| figure KB (orjson) | max points/trace | envelope diff | NaN cols match "
        "| <= 30 ms | <= 200 KB | exact |",
        "|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|:---:|:---:|",
    ]
    for r in results:
        median = statistics.median(r.build_ms)
        exact = None if r.diff is None else (r.diff == 0.0 and bool(r.nan_match))
        diff = "-" if r.diff is None else f"{r.diff:g}"
        nan_match = "-" if r.nan_match is None else ("yes" if r.nan_match else "NO")
        lines.append(
            f"| {_exp(r.horizon)} | {median:,.1f} / {max(r.build_ms):,.1f}, {len(r.build_ms)} "
            f"| {r.json_ms:,.1f} | {r.spec_kb:,.1f} | {r.orjson_kb:,.1f} | {r.points:,} | {diff} "
            f"| {nan_match} | {_verdict(median <= BUILD_TARGET_MS)} "
            f"| {_verdict(r.spec_kb <= BYTES_TARGET_KB)} | {_verdict(exact)} |"
        )
    return "\n".join(lines)


def bytes_table(results: Sequence[Result]) -> str:
    names = [*TRACE_FIELDS, "rest"]
    lines = [
        "| horizon | " + " | ".join(f"{n} KB" for n in names) + " |",
        "|---:|" + "---:|" * len(names),
    ]
    for r in results:
        cells = " | ".join(f"{r.fields[n] / 1024:,.1f}" for n in names)
        lines.append(f"| {_exp(r.horizon)} | {cells} |")
    return "\n".join(lines)


def breakdown(schedules: Sequence[lrviz.Schedule], horizons: Sequence[int]) -> str:
    """Sampling ms (one run) and points, per configuration and horizon."""
    lines = [
        "| horizon | " + " | ".join(s.name for s in schedules) + " |",
        "|---:|" + "---:|" * len(schedules),
    ]
    for horizon in horizons:
        cells = []
        for schedule in schedules:
            start = time.perf_counter()
            with np.errstate(all="ignore"):
                steps = sample_steps(schedule, 0, horizon, DEFAULT_COLUMNS)
            cells.append(f"{(time.perf_counter() - start) * 1e3:,.1f} / {steps.size:,}")
        lines.append(f"| {_exp(horizon)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="most builds per horizon")
    parser.add_argument("--budget", type=float, default=3.0, help="seconds of builds per horizon")
    parser.add_argument(
        "--check-up-to", type=int, default=7, help="envelope check up to 10^this horizon"
    )
    parser.add_argument("--no-breakdown", action="store_true", help="skip the per-config table")
    args = parser.parse_args()

    schedules = configurations()
    horizons = [10**e for e in range(3, 13)]
    print("## Chart: sample 8 configurations and build the overlay figure\n")
    print(machine_line("plotly " + plotly.__version__) + ".")
    print(
        "Figure: lrviz.figures (make_curve x 8, find_marks on the first, overlay_figure), "
        f"{DEFAULT_COLUMNS} pixel columns, view [0, horizon]. Configurations:\n"
    )
    print("\n".join(f"- {describe(s)}" for s in schedules) + "\n")
    streamlit_spec(build_overlay(schedules, horizons[0]))  # warm up imports and caches
    results = [
        measure(schedules, h, args.repeats, args.budget, h <= 10**args.check_up_to)
        for h in horizons
    ]
    print(table(results))
    print("\n### Where the bytes go (Streamlit spec, all traces)\n")
    print(bytes_table(results))
    if not args.no_breakdown:
        print("\n### Sampling per configuration (one run: ms / points)\n")
        print(breakdown(schedules, horizons))


if __name__ == "__main__":
    main()
