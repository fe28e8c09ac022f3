"""A notice for links Streamlit drops unread: it ignores a query of more than 1,000 parameters
(or 512 Ki characters) and the page would open the starter without a word.

The server never sees such a query, so the check runs in the browser: the page's navigation entry
keeps the address it was opened with, whatever the app writes to the address bar since.
"""

from __future__ import annotations

import json

# Streamlit's `CLIENT_STATE_QUERY_STRING_MAX_FIELDS` and `..._MAX_LENGTH`
# (streamlit/runtime/state/query_params.py); tests/test_red_team.py checks they still agree.
MAX_QUERY_FIELDS = 1000
MAX_QUERY_CHARS = 512 * 1024
NOTICE_ID = "lrviz-dropped-link"

_SCRIPT = """<div id="{id}" role="alert" hidden style="padding:0.75rem 1rem;border-radius:0.5rem;
background:rgba(255,189,69,0.2);color:inherit"></div>
<script>
(() => {{
  const entry = performance.getEntriesByType("navigation")[0];
  const query = new URL(entry ? entry.name : location.href).search.slice(1);
  const fields = query ? query.split("&").length : 0;
  if (fields <= {fields} && query.length <= {chars}) return;
  const box = document.getElementById("{id}");
  box.textContent = {text}.replace("{{count}}", fields.toLocaleString("en"));
  box.hidden = false;
}})();
</script>"""


def dropped_link_html(text: str) -> str:
    """HTML and script that show `text` (with `{count}` for the number of parameters the link
    had) when the page was opened with a query Streamlit drops; nothing otherwise."""
    quoted = json.dumps(text).replace("<", "\\u003c").replace("&", "\\u0026")
    return _SCRIPT.format(id=NOTICE_ID, fields=MAX_QUERY_FIELDS, chars=MAX_QUERY_CHARS, text=quoted)
