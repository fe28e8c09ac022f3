"""Import: paste or upload whatever holds a schedule; what was opened and what was noticed."""

from __future__ import annotations

import streamlit as st

from lrviz import state as ss
from lrviz.keras_import import UPLOAD_TYPES
from lrviz.page import session
from lrviz.page.session import tr
from lrviz.page.widgets import show_error


def import_tab() -> None:
    st.markdown(tr("import.intro"))
    st.text_area(
        tr("import.paste"),
        # The default a dropped state falls back to.
        value=session.widget_value(session.IMPORT_TEXT, ""),
        key=session.IMPORT_TEXT,
        height=160,
        placeholder=tr("import.placeholder"),
    )
    st.button(
        tr("import.open"),
        key="import.open",
        on_click=session.on_import_text,
        icon=":material/upload:",
    )
    st.file_uploader(
        tr("import.upload"),
        type=list(UPLOAD_TYPES),
        key=session.IMPORT_FILE,
        on_change=session.on_import_file,
        help=tr("import.upload_help"),
    )
    show_error(session.IMPORT_ERROR)
    imported = session.take_import_result()
    if imported is not None:
        st.success(tr("import.done", count=len(imported.found)))
        for message in imported.messages(session.lang(), escape=ss.plain_markdown):
            st.info(message, icon=":material/info:")
