"""The translations panel: the selected configuration in optax, PyTorch, transformers and timm
(code, notes, how far each is from the Keras curve), and which to draw on the chart."""

from __future__ import annotations

import streamlit as st

from lrviz import crosscheck
from lrviz import state as ss
from lrviz.page import derived, session
from lrviz.page.session import bind, tr
from lrviz.page.widgets import lazy_expander


def translations_panel(entry: ss.OpenConfig, first: int, last: int, horizon: int) -> None:
    """The selected configuration in optax, PyTorch, transformers and timm: code, notes, and how
    far each is from the Keras curve over the steps shown."""
    chosen = derived.chosen_companions(session.studio().view)
    box = lazy_expander(tr("xlate.title"), "xlate", expanded=bool(chosen))
    if not box.open:
        return
    with box:
        found = derived.translations_of(entry, first, last, horizon)
        if not found:
            st.info(tr("xlate.none", cls=entry.class_name), icon=":material/info:")
            return
        names = {i: c.translation.framework for i, c in enumerate(found)}
        st.multiselect(
            tr("xlate.overlay"),
            list(names),
            default=bind(session.OVERLAY, [i for i in chosen if i in names]),
            format_func=names.__getitem__,
            key=session.OVERLAY,
            placeholder=tr("xlate.overlay_placeholder"),
            on_change=session.on_companions,
            help=tr("xlate.overlay_help"),
        )
        lang = session.lang()
        for checked in found:
            item = checked.translation
            badge = (
                f":green-badge[{tr('xlate.exact')}]"
                if item.exact
                else f":orange-badge[{tr('xlate.not_exact')}]"
            )
            st.markdown(f"**{ss.plain_markdown(item.framework)}** {badge}")
            st.caption(difference_text(checked, first, last))
            for note in item.notes_in(lang):
                st.markdown(f"- {ss.plain_markdown(note)}")
            st.code(item.code_in(lang), language="python")


def difference_text(checked: crosscheck.Checked, first: int, last: int) -> str:
    where = tr(
        "xlate.where_every" if checked.every_step else "xlate.where_plotted",
        first=f"{first:,}",
        last=f"{last:,}",
    )
    diff = checked.difference
    count = f"{checked.steps_checked:,}"
    if diff.max_abs_step is None:
        return tr("xlate.same", count=count, where=where)
    return tr(
        "xlate.diff",
        count=count,
        where=where,
        abs=f"{diff.max_abs:.3g}",
        abs_step=f"{diff.max_abs_step:,}",
        rel=f"{diff.max_rel:.3g}" if diff.max_rel_step is not None else tr("xlate.no_rel"),
        rel_step=f"{diff.max_rel_step:,}" if diff.max_rel_step is not None else "–",
    )
