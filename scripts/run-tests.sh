#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run all of it: ruff, and
# every test group (unit, slow, app, oracle, browser: see tests/conftest.py and the README).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# nginx: tests/test_browser_recovery.py runs scripts/serve.sh (replicas behind nginx).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/nginx ]; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        chromium chromium-driver fonts-dejavu-core fonts-noto-cjk nginx
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# timm's metadata pins torchvision (a multi-GB CUDA torch); its schedulers need only torch.
.venv/bin/python -m pip install -q --no-deps 'timm==1.0.31'

# TensorFlow for tests/test_tf_parity.py (the tf-xla and tf-graph paths), in a venv of its own so
# it cannot move numpy or protobuf under the app (~1.6 GB, ~2 min on a cold pip cache). Off with
# LRVIZ_TF=0; if it cannot be installed those tests skip, saying so.
if [ "${LRVIZ_TF:-1}" != 0 ] && [ ! -x .venv-tf/bin/python ]; then
    if ! { python3 -m venv .venv-tf &&
        .venv-tf/bin/python -m pip install -q 'tensorflow-cpu==2.21.0' 'keras==3.15.1'; }; then
        echo "run-tests.sh: could not install TensorFlow into .venv-tf; its tests will skip" >&2
        rm -rf .venv-tf
    fi
fi

export KERAS_BACKEND=numpy
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest -n 2 "$@"
