"""lrviz studio: the Streamlit page's outline (`streamlit run app.py`). Which panels, where, in
which order; the panels, the session state and the callbacks live in `lrviz.page`, the logic in
`lrviz`.
"""

from __future__ import annotations

import streamlit as st

from lrviz.page import (
    chart,
    configurations,
    editor,
    export,
    formula,
    importing,
    session,
    share,
    steps,
    sweep,
    translations,
    view,
    zoom,
)
from lrviz.page.session import studio, tr

st.set_page_config(page_title="lrviz", page_icon="📉", layout="wide")


@st.fragment
def studio_view() -> None:
    """The main area: the chart first, then zoom, view options, share link and CSV, cursor,
    sweep, formula and translations.

    A fragment: moving the cursor, zooming or changing a view option reruns only this part, not
    the configuration list, the editor or the tabs. A change that reaches those (the horizon,
    which their findings use) reruns the whole page.
    """
    session.redraw_if_released()
    horizon, first, last = session.shown_range()
    # The chart is written first, at the top, above its controls: the browser can redraw it
    # while the rest of the run is still on its way.
    st.caption(tr("app.intro"))
    curves = chart.live_chart(horizon, first, last)
    zoom.zoom_controls(horizon, first, last)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
        view.view_controls(studio().entries)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        with st.popover(tr("share.open"), icon=":material/link:"):
            share.share_panel()
        if curves:
            export.csv_download(curves)
    if studio().entries:
        steps.step_lookup(studio().entries, first, last)
    if studio().current is not None:
        sweep.sweep_panel(studio().current)
        formula.formula_panel(studio().current)
        translations.translations_panel(studio().current, first, last, horizon)
    session.write_url(partial=True)


def page() -> None:
    """The whole page. The chart side is written first (see `studio_view`), then what surrounds
    it, and the URL last: a changed URL means the page is out, widgets included."""
    session.start_session()
    horizon = session.page_horizon()
    studio_view()
    with st.sidebar:
        st.subheader(tr("app.title"))
        share.link_messages()
        configurations.configuration_list(horizon)
        if studio().current is not None:
            editor.editor(studio().current, horizon)
        st.divider()
        configurations.list_actions()
        view.language_choice()
    export_tab, import_tab = st.tabs([tr("tab.export"), tr("tab.import")])
    with export_tab:
        export.export_tab()
    with import_tab:
        importing.import_tab()
    session.replay_page_edits()
    session.write_url()


session.run(page)
