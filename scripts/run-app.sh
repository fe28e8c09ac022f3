#!/usr/bin/env bash
# Set up lrviz (runtime dependencies only) and open the studio at http://localhost:8501/
# (this machine only; pass --server.address 0.0.0.0 to serve other machines too).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/streamlit run server.py "$@"
