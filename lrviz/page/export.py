"""Export: the selected configuration (or all) as Keras JSON, its Python snippet, the chart's
image format; and the plotted points as CSV, beside the chart."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lrviz import figures as fg
from lrviz import payloads
from lrviz import state as ss
from lrviz.limits import PAGE_IMAGE_FORMATS
from lrviz.page import derived, session
from lrviz.page.session import tr
from lrviz.page.widgets import choice, lazy_expander


def download_menu(name: str) -> Any | None:
    """A "Download" popover whose buttons exist only while it is open, else None.

    A download button stores its data as a media file on every rerun, and the browser fetches
    each new file's URL to check it; when reruns come fast (many users, a dragged slider) the
    file is replaced before that check arrives and the page logs a 404. Built only while open,
    the files cost nothing on other reruns, and the data a user downloads is always current.
    """
    menu = st.popover(
        tr(f"download.{name}"),
        icon=":material/download:",
        key=f"download.{name}",
        on_change="rerun",
    )
    return menu if menu.open else None


def csv_download(curves: list[fg.Curve]) -> None:
    """The plotted points as CSV, beside the chart so it always matches what is shown."""
    menu = download_menu("chart")
    if menu is None:
        return
    view = session.studio().view
    csv = payloads.plotted_csv(
        [(c.label, c.schedule, c.steps) for c in curves],
        view.steps_per_epoch if view.x_unit == "epochs" else None,
    )
    with menu:
        st.download_button(
            tr("export.csv"),
            csv,
            file_name="lrviz-plotted.csv",
            mime="text/csv",
            key="export.csv",
            icon=":material/download:",
            on_click="ignore",
        )


def export_tab() -> None:
    current = session.studio()
    entry = current.current
    if entry is None:
        st.info(tr("list.empty"))
        return
    schedule = entry.schedule()
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('export.selected', name=ss.plain_markdown(entry.name))}**")
        if schedule.uses_integer_dtype:
            st.info(tr("export.floats_note"), icon=":material/info:")
        menu = download_menu("export")
        if menu is not None:
            with menu:
                st.download_button(
                    tr("export.json"),
                    payloads.keras_json(schedule),
                    file_name=payloads.file_name(entry.name, "json"),
                    mime="application/json",
                    key="export.json",
                    icon=":material/download:",
                    on_click="ignore",
                )
                st.download_button(
                    tr("export.all", count=len(current.entries)),
                    payloads.keras_json_list(
                        derived.schedules_of(current.entries, current.view.run)
                    ),
                    file_name="lrviz-schedules.json",
                    mime="application/json",
                    key="export.all",
                    icon=":material/download:",
                    on_click="ignore",
                )
        # The code is built only while its panel is open: highlighting it cost ~0.4 s of every
        # first page load, and again on every edit (the text changes with each parameter).
        json_box = lazy_expander(tr("export.json_code"), "export_json")
        if json_box.open:
            with json_box:
                st.code(payloads.keras_json(schedule), language="json")
    with right:
        snippet_box = lazy_expander(tr("export.snippet"), "export_python")
        if snippet_box.open:
            with snippet_box:
                st.code(payloads.python_snippet(schedule), language="python")
        choice(
            "image_format",
            "view.img",
            tr("export.image"),
            {f: f.upper() for f in PAGE_IMAGE_FORMATS},
            help=tr("export.image_help"),
        )
        st.caption(tr("export.image_caption"))
