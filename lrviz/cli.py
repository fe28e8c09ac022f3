"""The `lrviz` command: evaluate Keras schedule configs to CSV and build share links.

    lrviz eval CONFIG.json [...] --steps START:STOP[:STEP]   CSV: step, one column per config
    lrviz link CONFIG.json [...] [--base URL]                a link that opens them in the app

Bad input prints one clear line on stderr and exits with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lrviz.errors import ConfigError
from lrviz.keras_json import MAX_TEXT_BYTES, schedules_from_json
from lrviz.params import MAX_STEPS
from lrviz.schedules import Schedule
from lrviz.share import DEFAULT_BASE, Entry, LinkTooLong, SharedState, build_link

MAX_ROWS = 10_000_000
EXIT_USAGE = 2


class CliError(Exception):
    """A problem with the command line or its files: printed as one line, exit status 2."""


def parse_steps(text: str) -> np.ndarray:
    """`START:STOP[:STEP]` as Python's range (STOP excluded) of integer steps."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.strip().lstrip("-").isdigit() for p in parts):
        raise CliError(
            f"--steps must be START:STOP or START:STOP:STEP with whole numbers "
            f"(e.g. 0:10000:10). Received: {text!r}"
        )
    start, stop, *rest = (int(p) for p in parts)
    step = rest[0] if rest else 1
    if start < 0 or stop > MAX_STEPS + 1 or step < 1:
        raise CliError(
            f"--steps needs 0 <= START, STOP <= 10^12 + 1 and STEP >= 1. Received: {text!r}"
        )
    rows = max(0, -(-(stop - start) // step))
    if rows == 0:
        raise CliError(f"--steps {text!r} selects no step (STOP is excluded, as in range()).")
    if rows > MAX_ROWS:
        raise CliError(f"--steps {text!r} selects {rows:,} steps; at most {MAX_ROWS:,} per run.")
    return np.arange(start, stop, step, dtype=np.int64)


def read_schedules(paths: Sequence[str]) -> list[Schedule]:
    """Every config in the files (each holds one config or a JSON list), in order."""
    schedules: list[Schedule] = []
    for path in paths:
        file = Path(path)
        try:
            if file.stat().st_size > MAX_TEXT_BYTES:
                raise CliError(f"{path}: larger than 1 MiB; lrviz reads at most 1 MiB per file.")
            raw = file.read_bytes()
        except OSError as err:
            raise CliError(f"{path}: cannot read ({err.strerror or err}).") from None
        try:
            schedules.extend(schedules_from_json(raw))
        except ConfigError as err:
            raise CliError(f"{path}: {err}") from None
    return schedules


def column_names(schedules: Sequence[Schedule]) -> list[str]:
    """Each config's `name`, made unique with ' (2)', ' (3)' ... so CSV columns stay distinct."""
    seen: dict[str, int] = {}
    names = []
    for schedule in schedules:
        count = seen.get(schedule.name, 0) + 1
        seen[schedule.name] = count
        names.append(schedule.name if count == 1 else f"{schedule.name} ({count})")
    return names


def evaluate_csv(schedules: Sequence[Schedule], steps: np.ndarray) -> str:
    """CSV text: a `step` column and one float32 column per schedule (shortest exact repr)."""
    table = pd.DataFrame({"step": steps})
    for name, schedule in zip(column_names(schedules), schedules):
        table[name] = schedule(steps)
    return table.to_csv(index=False, lineterminator="\n")


def share_link(schedules: Sequence[Schedule], base: str = DEFAULT_BASE) -> str:
    """A link that opens these configurations in the app, the first one selected."""
    entries = tuple(Entry(schedule.to_keras()) for schedule in schedules)
    return build_link(SharedState(entries=entries), base)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lrviz", description="Exact Keras learning-rate schedules: evaluate, share."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate = commands.add_parser("eval", help="print learning rates as CSV")
    evaluate.add_argument("configs", nargs="+", metavar="CONFIG.json")
    evaluate.add_argument(
        "--steps", required=True, metavar="START:STOP[:STEP]", help="steps, STOP excluded"
    )
    link = commands.add_parser("link", help="print a share link that opens the configs in the app")
    link.add_argument("configs", nargs="+", metavar="CONFIG.json")
    link.add_argument("--base", default=DEFAULT_BASE, help=f"app URL (default {DEFAULT_BASE})")
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "eval":
            steps = parse_steps(args.steps)
            sys.stdout.write(evaluate_csv(read_schedules(args.configs), steps))
        else:
            sys.stdout.write(share_link(read_schedules(args.configs), args.base) + "\n")
    except (CliError, LinkTooLong, ValueError) as err:
        print(f"lrviz: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
