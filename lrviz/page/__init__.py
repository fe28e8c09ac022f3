"""The studio's Streamlit page: `session` (the one owner of session keys, widget keys and
callbacks), `derived` (what each run computes from the studio), `widgets` (the controls several
panels share) and one module per panel. `app.py` lays the panels out.

Nothing outside this package and `app.py` imports Streamlit.
"""
