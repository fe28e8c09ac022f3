"""User text shown as the literal text it is: in Streamlit Markdown, on a terminal, in a CSV cell.

Names, unknown keys and values quoted back in messages come from links and files anyone can
write. Each place that shows them reads some characters as instructions (Markdown syntax and
GitHub's autolinks, terminal escape sequences, spreadsheet formulas); these helpers take those
meanings away and keep the text readable.
"""

from __future__ import annotations

import re
import unicodedata

_MARKDOWN_PUNCTUATION = frozenset("\\`*_{}[]()#+-.!|~<>$:=\"'&%^@/;?,")
# GitHub's autolink literals (remark-gfm finds them in the text after escapes are read, so a
# backslash cannot stop them): `www.`, `http://`, `https://`, `mailto:`, `xmpp:` and e-mail
# addresses. An invisible word joiner inside each trigger breaks the pattern, not the reading.
WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGERS = re.compile(
    r"(?i)(?<=www)(?=\.)|(?<=http)(?=s?:)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)|(?<=@)"
)
# Characters that reorder or hide the text around them: bidirectional embeddings, overrides and
# isolates, and the directional marks.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# OWASP's list for CSV injection: a cell starting with one of these is a formula to a spreadsheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_text(text: str) -> str:
    """`text` with every control character, bidi control and lone surrogate written as its
    escape (`\\x1b`, `\\u202e`, `\\ud800`): nothing in it acts on the display or fails to encode."""
    return "".join(
        _escaped(ch) if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in str(text)
    )


def markdown_text(text: str) -> str:
    """User text that Streamlit's Markdown shows as-is, on one line: every Markdown character
    escaped, GitHub autolinks broken, controls and lone surrogates written as escapes."""
    flat = visible_text(" ".join(str(text).split()))
    unlinked = _AUTOLINK_TRIGGERS.sub(WORD_JOINER, flat)
    return "".join("\\" + ch if ch in _MARKDOWN_PUNCTUATION else ch for ch in unlinked)


# Characters that can start Markdown inside a line that does not begin with the text; an
# underscore between two letters or digits cannot (CommonMark: no intraword `_` emphasis), so
# `warmup_cosine` stays as a screen reader should read it.
_INLINE_MARKUP_AT = re.compile(r"[\\`*\[\]<>$:~|&@]|(?<![^\W_])_|_(?![^\W_])")


def inline_markdown_text(text: str) -> str:
    """User text for the middle of a Markdown line (a widget label, whose Markdown source is also
    its accessible name): only the characters that can start markup there are escaped, so a
    screen reader hears "Warmup + cosine" and not "Warmup \\+ cosine"; GitHub autolinks broken,
    controls and lone surrogates written as escapes, as in `markdown_text`."""
    flat = visible_text(" ".join(str(text).split()))
    unlinked = _AUTOLINK_TRIGGERS.sub(WORD_JOINER, flat)
    return _INLINE_MARKUP_AT.sub(r"\\\g<0>", unlinked)


def csv_cell(text: str) -> str:
    """A CSV header or cell that a spreadsheet reads as text, never as a formula (OWASP: a `'`
    before a leading `=`, `+`, `-`, `@`, tab or carriage return), on one row: control characters
    are written as escapes (a lone carriage return is a row break to most readers, and the CSV
    writer does not quote it)."""
    guard = "'" if text.startswith(_FORMULA_STARTS) else ""
    return guard + visible_text(text)
