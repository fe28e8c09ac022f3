"""Share links: the link of everything on the page, and the notices about the link it was
opened with (what it could not open, a link Streamlit dropped unread)."""

from __future__ import annotations

import streamlit as st

from lrviz import payloads
from lrviz import state as ss
from lrviz.dropped_link import dropped_link_html
from lrviz.page import session
from lrviz.page.session import tr
from lrviz.share import LinkTooLong


def share_panel() -> None:
    base = payloads.page_base(st.context.url)
    try:
        link = payloads.share_link(session.studio(), base)
    except LinkTooLong as err:
        st.warning(err.text(session.lang()))
        return
    st.markdown(tr("link.intro"))
    st.code(link, language=None, wrap_lines=True)
    st.caption(tr("link.caption", chars=len(link)))


def link_messages() -> None:
    if session.opened_bare():  # perhaps a link Streamlit dropped unread
        st.html(dropped_link_html(tr("link.dropped")), unsafe_allow_javascript=True)
    messages = session.link_messages()
    if messages:
        lang = session.lang()
        lines = "\n".join(f"- {ss.plain_markdown(ss.message_text(m, lang))}" for m in messages)
        st.warning(f"{tr('link.notice_title')}\n\n{lines}", icon=":material/link:")
        if st.button(tr("link.dismiss"), key="link.dismiss"):
            session.dismiss_link_messages()
            st.rerun()
