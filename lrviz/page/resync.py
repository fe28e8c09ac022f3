"""After a reconnect to a new server session: send the page's widgets once more (page side).

A page that outlives its server (a restart, a failover to another replica) reconnects to a new
session, and Streamlit's frontend then runs the whole page (`session.run_whole_on_reconnect`).
Until that first run has reached the main area's fragment, the new session does not know the
fragment, and Streamlit drops a press beside the chart (a fragment rerun) without a word: the
page would show the pressed value over a chart that never heard of it. This component, mounted
at the end of a session's first run, sees that the page was already served by another session
and sends a trigger, whose rerun carries every widget's value as the page holds it; a press
dropped in between reaches its callback then, as any change does.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function (component) {
  const { data, setTriggerValue } = component;
  const served = window.__lrvizSession;
  window.__lrvizSession = data.session;
  if (served && served !== data.session) setTriggerValue("resync", true);
}
"""

_component = st.components.v2.component("lrviz.resync", js=_JS, isolate_styles=False)


def after_first_run(key: str, session_id: str) -> None:
    """Mount the component (no visible part) for the session `session_id`: a page that an
    earlier session served sends its widgets' values once more."""
    _component(key=key, data={"session": session_id}, height=0)
