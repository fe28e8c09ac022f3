"""The words of a translation: its notes and its code comments, kept as locale keys.

Every user-facing sentence comes from `NOTE_TEMPLATES` (the `translate.*` keys of the English
locale), so a translation can be re-rendered in another language from `Translation.note_ids`.
The writers put their comments in the code in English; `localised_comments` reads each one back
into its key and parameters and writes it in another language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lrviz import i18n

# A note: its NOTE_TEMPLATES key and the parameters to format it with.
Note = tuple[str, dict[str, object]]

# The notes' English templates; every language's live in `lrviz/locales/<lang>.json` (keys `translate.*`).
NOTE_TEMPLATES: dict[str, str] = {
    key: text
    for key, text in i18n.catalog(i18n.DEFAULT_LANGUAGE).items()
    if key.startswith("translate.")
}


def render_note(
    note_id: str,
    params: Mapping[str, object],
    lang: str | Mapping[str, str] = i18n.DEFAULT_LANGUAGE,
) -> str:
    """One note as text in `lang` (a `lrviz.i18n.LANGUAGES` code, or a dict of templates)."""
    if isinstance(lang, str):
        return i18n.t(note_id, lang, **params)
    return lang[note_id].format(**params)


def note(note_id: str, **params: object) -> Note:
    """A note to render later, in whatever language the reader has."""
    return (note_id, params)


def say(note_id: str, **params: object) -> str:
    """A template in English now: the comments written into generated code."""
    return render_note(note_id, params)


def _comment_pattern(template: str) -> re.Pattern[str]:
    """A regex that reads a comment written from `template` back into its parameters."""
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    )


_COMMENTS = {
    key: _comment_pattern(text)
    for key, text in NOTE_TEMPLATES.items()
    if key.startswith("translate.comment.")
}
_DOCSTRING = re.compile(r'(\s*""")(.*)(""")')


def localised_comments(code: str, lang: str) -> str:
    """Generated code whose comments (written in English by the writers) are put in `lang`."""
    if lang == i18n.DEFAULT_LANGUAGE:
        return code
    lines = []
    for line in code.split("\n"):
        docstring = _DOCSTRING.fullmatch(line)
        if docstring:
            head, text, tail = docstring.groups()
        else:
            head, mark, text = line.partition("# ")
            head, tail = head + mark, ""
        lines.append(head + _localised(text, lang) + tail if head != line else line)
    return "\n".join(lines)


def _localised(comment: str, lang: str) -> str:
    for key, pattern in _COMMENTS.items():
        found = pattern.fullmatch(comment)
        if found:
            return i18n.t(key, lang, **found.groupdict())
    return comment
