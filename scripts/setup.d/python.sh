#!/usr/bin/env bash
# Extras for the Python suite (scripts/test.d/40-python.sh): maturin, which builds the abi3
# wheel, and pytest and mypy, from PyPI into a virtual environment of their own
# (target/python/tools), so the machine's Python stays untouched. Idempotent: present tools of
# the pinned versions are kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
MATURIN_VERSION=1.16.0
tools=target/python/tools
if [ -x "$tools/bin/maturin" ] && "$tools/bin/maturin" --version | grep -q "$MATURIN_VERSION" \
  && [ -x "$tools/bin/pytest" ] && [ -x "$tools/bin/mypy" ]; then
  echo "maturin $MATURIN_VERSION, pytest and mypy present"
else
  python3 -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check "maturin==$MATURIN_VERSION" pytest mypy
fi
