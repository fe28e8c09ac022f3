"""The `lrviz` command: evaluate Keras schedule configs to CSV, chart them, build share links.

    lrviz eval CONFIG [...] --steps START:STOP[:STEP]   CSV: step, one column per config
    lrviz plot CONFIG [...] -o chart.html|.png|.svg     the app's overlay chart, standalone
    lrviz link CONFIG [...] [--base URL] [--lang L]     a link that opens them in the app

Each takes `--run eager` (the default: Keras on numpy / torch / eager TensorFlow), `--run
compiled` (what JAX `fit` applies, `Schedule.compiled()`), `--run tf-xla` or `--run tf-graph`
(TensorFlow's `tf.function` with or without XLA, `Schedule.on_path`).

A CONFIG file is anything `lrviz.keras_import` reads: a .keras model, or a .json / .txt file with
a schedule config or a list, an optimizer, a compile config or a model's config.json.

Bad input prints one clear line on stderr and exits with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import NoReturn, TextIO

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lrviz import figures
from lrviz.engine import PATHS, Schedule
from lrviz.errors import ConfigError, WordedError
from lrviz.export_image import ImageExportUnavailable, figure_image
from lrviz.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from lrviz.keras_import import find_schedules, read_file
from lrviz.limits import IMAGE_FORMATS, MAX_CONFIGS, MAX_STEPS
from lrviz.literal import csv_cell, visible_text
from lrviz.sampling import DEFAULT_COLUMNS
from lrviz.share import DEFAULT_BASE, Entry, LinkTooLong, SharedState, build_link
from lrviz.state import View

MAX_ROWS = 10_000_000
MAX_QUOTED = 40  # characters of --steps quoted back in a message
MAX_DIGITS = 13  # digits of 10^12: a longer whole number is past every limit
CSV_CHUNK_ROWS = 65_536
_WHOLE = re.compile(r"(-?)([0-9]+)")  # ASCII digits: str.isdigit() also takes ² and ١٠
EXIT_USAGE = 2
OUTPUT_FORMATS = ("html", *IMAGE_FORMATS)
TITLE_MARGIN = 40  # extra top margin (px) for a chart title above the legend
LANG_LINK_KEY = next(f.metadata["key"] for f in fields(View) if f.name == "lang")
RUN_LINK_KEY = next(f.metadata["key"] for f in fields(View) if f.name == "run")


class CliError(WordedError):
    """A problem with the command line or its files: printed as one line, exit status 2.

    Raised as `CliError(key, **params)` with a `cli.*` key of `locales/<lang>.json`, worded in
    the language `--lang` asks for (English by default).
    """


def _whole(text: str) -> int | None:
    """A whole number written in ASCII digits (an optional minus sign, surrounding spaces), as an
    int; None for anything else. Beyond `MAX_DIGITS` digits it is only ever too big, so it reads
    as one more than any limit (Python refuses to convert 4,300+ digits)."""
    match = _WHOLE.fullmatch(text.strip())
    if match is None:
        return None
    sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    value = int(digits) if len(digits) <= MAX_DIGITS else 10**MAX_DIGITS
    return -value if sign else value


def parse_steps(given: str) -> range:
    """`START:STOP[:STEP]` as Python's range (STOP excluded) of integer steps."""
    parts = [_whole(part) for part in given.split(":")]
    text = given if len(given) <= MAX_QUOTED else given[: MAX_QUOTED - 1] + "…"
    if len(parts) not in (2, 3) or None in parts:
        raise CliError("cli.steps_format", text=text)
    start, stop, *rest = parts
    step = rest[0] if rest else 1
    if start < 0 or stop > MAX_STEPS + 1 or step < 1:
        raise CliError("cli.steps_bounds", text=text)
    steps = range(start, stop, step)
    if not steps:
        raise CliError("cli.steps_empty", text=text)
    if len(steps) > MAX_ROWS:
        raise CliError("cli.steps_too_many", text=text, rows=len(steps), limit=MAX_ROWS)
    return steps


def whole_option(text: str) -> int:
    """An argparse `type` for a whole-number option: ASCII digits only (`plot_view` checks the
    range, in the language `--lang` asks for)."""
    value = _whole(text)
    if value is None:
        raise argparse.ArgumentTypeError(t("cli.whole_number_text", DEFAULT_LANGUAGE, text=text))
    return value


def read_schedules(paths: Sequence[str], lang: str = DEFAULT_LANGUAGE) -> list[Schedule]:
    """Every schedule in the files, in order: each file holds any form `read_keras` reads
    (a schedule or a list, an optimizer, a compile or model config, a `.keras` model).

    Files are read bounded (regular files only, size checked on the open handle); where a
    schedule came from and what was noted on the way are printed on stderr.
    """
    schedules: list[Schedule] = []
    for path in paths:
        try:
            imported = find_schedules(read_file(path), Path(path).name)
        except OSError as err:
            raise CliError("cli.file_unreadable", path=path, reason=err.strerror or err) from None
        except ConfigError as err:
            raise CliError("cli.file_config", path=path, problem=err) from None
        for message in imported.messages(lang):
            print(visible_text(f"lrviz: {path}: {message}"), file=sys.stderr)
        schedules.extend(imported.schedules)
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


def check_count(schedules: Sequence[Schedule]) -> None:
    """At most `MAX_CONFIGS` configurations in all the files, as in the app."""
    if len(schedules) > MAX_CONFIGS:
        raise CliError("cli.too_many_configs", count=len(schedules), limit=MAX_CONFIGS)


def write_csv(schedules: Sequence[Schedule], steps: range, out: TextIO) -> None:
    """CSV to `out`: a `step` column and one float32 column per schedule (shortest exact repr).

    Written `CSV_CHUNK_ROWS` rows at a time, so memory stays flat however many steps; headers
    that a spreadsheet would read as a formula get a leading `'` (`literal.csv_cell`).
    """
    header = ["step", *(csv_cell(name) for name in column_names(schedules))]
    for first in range(0, len(steps), CSV_CHUNK_ROWS):
        chunk = np.arange(
            steps[first], steps[min(first + CSV_CHUNK_ROWS, len(steps)) - 1] + 1, steps.step
        )
        columns = [chunk, *(schedule(chunk) for schedule in schedules)]
        table = pd.DataFrame(dict(enumerate(columns)))
        table.columns = header
        out.write(table.to_csv(index=False, header=first == 0, lineterminator="\n"))


def share_link(
    schedules: Sequence[Schedule],
    base: str = DEFAULT_BASE,
    lang: str | None = None,
    run: str = View.run,
) -> str:
    """A link that opens these configurations in the app, the first one selected.

    With `lang` the page opens in that language; without, in the reader's browser language.
    `run` other than eager opens the chart on that path ("where it runs").
    """
    entries = tuple(Entry(schedule.to_keras()) for schedule in schedules)
    view = {LANG_LINK_KEY: lang} if lang else {}
    if run != View.run:
        view[RUN_LINK_KEY] = run
    return build_link(SharedState(entries=entries, view=view), base)


def output_format(path: str) -> str:
    """The format an output file's extension asks for: html, png, svg or pdf."""
    extension = Path(path).suffix.lower().lstrip(".")
    if extension not in OUTPUT_FORMATS:
        accepted = ", ".join(f".{f}" for f in OUTPUT_FORMATS)
        raise CliError(
            "cli.output_format", path=path, extension=repr(extension or "(none)"), accepted=accepted
        )
    return extension


def plot_view(
    steps: int | None, log_y: bool, epochs: int | None, lang: str, run: str = "eager"
) -> View:
    """The app's view options for `lrviz plot`: horizon automatic unless `steps` is given."""
    for option, value in (("--steps", steps), ("--epochs", epochs)):
        if value is not None and not 1 <= value <= MAX_STEPS:
            raise CliError("cli.whole_number", option=option, value=value)
    return View(
        lang=lang,
        log_y=log_y,
        x_unit="epochs" if epochs else "steps",
        steps_per_epoch=epochs or View.steps_per_epoch,
        horizon=steps or 0,
        run=run,
    ).checked()


def plot_figure(
    schedules: Sequence[Schedule], view: View, *, marks: bool = True, title: str | None = None
) -> go.Figure:
    """The app's overlay chart: colours in order, sampled like the app, the first one's marks."""
    check_count(schedules)
    stop = figures.horizon(view, schedules)
    curves = [
        figures.make_curve(label, schedule, colour, stop)
        for colour, (label, schedule) in enumerate(zip(column_names(schedules), schedules))
    ]
    shown = figures.find_marks(curves[0], stop) if marks else ()
    fig = figures.overlay_figure(curves, view, stop, shown, curves[0].colour)
    if title:
        top = fig.layout.margin.t + TITLE_MARGIN
        fig.update_layout(
            title={"text": figures.plotly_text(title), "x": 0.01, "y": 0.98, "yref": "container"},
            margin={"t": top},
        )
    return fig


def chart_html(fig: go.Figure, config: dict, title: str, lang: str) -> str:
    """A standalone page: plotly.js embedded, so the chart works offline."""
    body = fig.to_html(
        full_html=False, include_plotlyjs=True, config=config, default_height=fig.layout.height
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def render(fig: go.Figure, output: str, title: str, lang: str) -> bytes:
    """The bytes of `output` (its extension says the format)."""
    kind = output_format(output)
    if kind == "html":
        config = figures.chart_config(Path(output).stem, "png")
        return chart_html(fig, config, title, lang).encode("utf-8")
    try:
        return figure_image(fig, kind, width=DEFAULT_COLUMNS, height=figures.CHART_HEIGHT)
    except ImageExportUnavailable as err:
        if err.detail is None:
            raise CliError("cli.image_export_missing") from None
        raise CliError("cli.image_export_browser", detail=err.detail) from None


def write_whole(path: str, data: bytes) -> None:
    """Write `data` to `path` through a temporary file beside it: never a partial file."""
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as err:
        raise CliError("cli.cannot_write", path=path, reason=err.strerror or err) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise CliError("cli.cannot_write", path=path, reason=err.strerror or err) from None


def plot(args: argparse.Namespace) -> None:
    """`lrviz plot`: every check before any work, and the file written only once complete."""
    output_format(args.output)
    view = plot_view(args.steps, args.log_y, args.epochs, args.lang, args.run)
    schedules = [s.on_path(args.run) for s in read_schedules(args.configs, args.lang)]
    fig = plot_figure(schedules, view, marks=not args.no_marks, title=args.title)
    title = args.title or "lrviz: " + ", ".join(column_names(schedules))
    write_whole(args.output, render(fig, args.output, title, args.lang))


RUN_HELP = (
    "where the schedule runs: eager (default; Keras on numpy, torch or eager TensorFlow, bit for "
    "bit), compiled (what JAX `fit` applies: NaN, stairs and restarts at the steps of jitted "
    "Keras), tf-xla (TensorFlow `fit` with jit_compile=True, the default with a GPU) or tf-graph "
    "(TensorFlow's tf.function without XLA, `fit`'s default on a CPU)"
)

CONFIG_HELP = (
    "a .keras model, or a .json/.txt file with a schedule config or a list of them, an "
    "optimizer (serialize or get_config), a compile config or a model's config.json"
)

PLOT_EXAMPLES = """\
The chart is the app's overlay: the same sampling (every step drawn exactly), colours in order
across the files, and the marks (start, peak, floor, restarts ...) of the first configuration.
The format follows the extension of -o:
  .html  interactive, standalone: plotly.js is embedded, so it opens offline
  .png, .svg, .pdf  static images; need `pip install lrviz[image]` (kaleido) and chromium

examples:
  lrviz plot cosine.json -o chart.html
  lrviz plot a.json b.json --log-y --steps 50000 -o chart.png
  lrviz plot runs.json --epochs 390 --lang zh-TW --title "ResNet-50" -o chart.svg
"""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lrviz", description="Exact Keras learning-rate schedules: evaluate, chart, share."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate = commands.add_parser("eval", help="print learning rates as CSV")
    evaluate.add_argument("configs", nargs="+", metavar="CONFIG", help=CONFIG_HELP)
    evaluate.add_argument(
        "--steps", required=True, metavar="START:STOP[:STEP]", help="steps, STOP excluded"
    )
    evaluate.add_argument(
        "--lang", choices=list(LANGUAGES), help="language of the error messages (default en)"
    )
    evaluate.add_argument("--run", choices=PATHS, default=View.run, help=RUN_HELP)
    chart = commands.add_parser(
        "plot",
        help="write the app's chart of the configs to .html, .png or .svg",
        description="Write a standalone chart of Keras schedule configs, as the app draws it.",
        epilog=PLOT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chart.add_argument("configs", nargs="+", metavar="CONFIG", help=CONFIG_HELP)
    chart.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the file to write: .html, .png, .svg or .pdf",
    )
    chart.add_argument(
        "--steps",
        type=whole_option,
        metavar="N",
        help="last step shown (default: the end of the longest schedule plus 10%%)",
    )
    chart.add_argument("--log-y", action="store_true", help="logarithmic learning-rate axis")
    chart.add_argument(
        "--epochs",
        type=whole_option,
        metavar="SPE",
        help="x axis in epochs of SPE steps each (default: steps, epochs of 1000 steps on top)",
    )
    chart.add_argument(
        "--lang", choices=list(LANGUAGES), default="en", help="language of the labels (default en)"
    )
    chart.add_argument("--title", help="a title above the chart (and the page's title)")
    chart.add_argument(
        "--no-marks", action="store_true", help="leave out the marks of the first configuration"
    )
    chart.add_argument("--run", choices=PATHS, default=View.run, help=RUN_HELP)
    link = commands.add_parser("link", help="print a share link that opens the configs in the app")
    link.add_argument("configs", nargs="+", metavar="CONFIG", help=CONFIG_HELP)
    link.add_argument("--base", default=DEFAULT_BASE, help=f"app URL (default {DEFAULT_BASE})")
    link.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        help="open the app in this language and word errors in it "
        "(default: the reader's browser language; errors in en)",
    )
    link.add_argument("--run", choices=PATHS, default=View.run, help=RUN_HELP)
    return parser


def say_error(message: str) -> None:
    """`lrviz: error: message` on one line of stderr, with every control character, bidi control
    and lone surrogate written as its escape (messages quote file names and file contents)."""
    sys.stderr.write(f"lrviz: error: {visible_text(message)}\n")


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (usage is one `--help` away), exit status 2."""

    def error(self, message: str) -> NoReturn:
        say_error(f"{message} (see: {self.prog} --help)")
        sys.exit(EXIT_USAGE)


def error_text(err: Exception, lang: str) -> str:
    """The one-line message of `err` in `lang` (the command's `--lang`, English by default)."""
    if isinstance(err, WordedError):
        return err.message(lang)
    if isinstance(err, LinkTooLong):
        return err.text(lang)
    return str(err)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "eval":
            steps = parse_steps(args.steps)
            schedules = read_schedules(args.configs, args.lang or DEFAULT_LANGUAGE)
            check_count(schedules)
            write_csv([s.on_path(args.run) for s in schedules], steps, sys.stdout)
        elif args.command == "plot":
            plot(args)
        else:
            schedules = read_schedules(args.configs, args.lang or DEFAULT_LANGUAGE)
            link = share_link(schedules, args.base, args.lang, args.run)
            sys.stdout.write(link + "\n")
    except (CliError, LinkTooLong, ValueError) as err:
        say_error(error_text(err, args.lang or DEFAULT_LANGUAGE))
        return EXIT_USAGE
    return 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
