"""Read back the pipe tables `lrviz.figures.markdown_table` writes (used by test_app and
test_figures): cells split on unescaped pipes, Markdown escapes undone, the invisible word joiners
that keep autolinks out dropped."""

from __future__ import annotations

import re

from lrviz.literal import WORD_JOINER


def read_markdown_table(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a pipe table, each cell as the text it shows."""
    header, rule, *rows = text.splitlines()
    assert set(rule) <= set("|:- "), rule
    return _cells(header), [_cells(row) for row in rows]


def _cells(line: str) -> list[str]:
    parts = re.split(r"(?<!\\)\|", line.strip()[1:-1])
    return [re.sub(r"\\(.)", r"\1", part).replace(WORD_JOINER, "").strip() for part in parts]
