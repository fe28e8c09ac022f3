"""Controls several panels share: inline errors, lazy panels, view options bound to the studio."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from lrviz import ConfigError
from lrviz import state as ss
from lrviz.page import session

EXACT_WIDTH = 170  # px: an exact entry beside its slider holds 1e-06 and 1,000,000,000,000
STEP_ENTRY_WIDTH = 150  # px: a step count up to 10^12 with its +/- buttons


def show_error(error_key: str) -> None:
    """An inline error, worded in the current language (errors are kept as keys, not text), shown
    as literal text: it may quote what the user pasted."""
    problem = session.error(error_key)
    if problem is not None:
        lang = session.lang()
        text = problem.message(lang) if isinstance(problem, ConfigError) else problem.text(lang)
        st.error(ss.plain_markdown(text), icon=":material/warning:")


def lazy_expander(label: str, name: str, expanded: bool = False) -> Any:
    """An expander whose content is built only while it is open (`.open`): closed panels cost
    neither server time nor browser rendering on every rerun."""
    return st.expander(label, key=session.panel_key(name), expanded=expanded, on_change="rerun")


def control(widget: Callable[..., Any], field: str, key: str, label: str, **kwargs: Any) -> None:
    """A view widget bound to `View.field`; its default is the view's value (see `bind`)."""
    value = session.bind(key, getattr(session.studio().view, field))
    if "options" in kwargs:
        kwargs["index"] = list(kwargs["options"]).index(value)
    else:
        kwargs["value"] = value
    widget(label, key=key, on_change=session.on_view, args=(field, key), **kwargs)


def choice(field: str, key: str, label: str, labels: dict[str, str], **kwargs: Any) -> None:
    """A view option picked with horizontal radio buttons: `labels` maps each value to its text."""
    control(
        st.radio,
        field,
        key,
        label,
        options=list(labels),
        format_func=labels.__getitem__,
        horizontal=True,
        **kwargs,
    )
