"""The formula panel: the selected configuration's formula at the cursor's step, typeset with its
numbers and worked through to the number on the chart."""

from __future__ import annotations

import streamlit as st

from lrviz import state as ss
from lrviz import teaching as formulas
from lrviz.page import session
from lrviz.page.session import tr
from lrviz.page.widgets import lazy_expander
from lrviz.teaching import path_worked


def formula_panel(entry: ss.OpenConfig) -> None:
    """The selected configuration's formula at the lookup step, worked through to the chart's number."""
    schedule = entry.schedule()
    lang = session.lang()
    step = session.studio().view.at_step
    run = session.studio().view.run
    worked = path_worked(schedule, step, lang, run)
    title = tr(
        "formula.panel",
        name=ss.plain_markdown(entry.name),
        step=f"{step:,}",
        phase=worked.phase.label(lang),
    )
    box = lazy_expander(title, "formula")
    if not box.open:
        return
    with box:
        st.latex(formulas.formula(schedule, worked.phase, lang))
        # The symbols in the user's language (the texts are the app's own, not user input).
        symbols = formulas.legend(schedule, worked.phase, lang)
        st.markdown("\n".join(f"- ${symbol}$: {text}" for symbol, text in symbols))
        caption = {"eager": "formula.worked", "compiled": "formula.worked_compiled"}
        st.caption(tr(caption.get(run, "formula.worked_tf")))
        for line in worked.lines:
            st.latex(line)
        for note in worked.notes:
            st.info(ss.plain_markdown(note))
