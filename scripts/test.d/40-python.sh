#!/usr/bin/env bash
# The Python package (bindings/python): one abi3 wheel (CPython ≥ 3.9) built by maturin,
# installed into a fresh virtual environment as users install it, then pytest over the shared
# vectors and `mypy --strict` on code written against the package's stubs.
# maturin, pytest and mypy come from PyPI into target/python/tools (scripts/setup).
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n--> %s\n' "$*"; }
tools=target/python/tools
[ -x "$tools/bin/maturin" ] || { echo "40-python.sh: $tools/bin/maturin not found; run scripts/setup" >&2; exit 1; }

step "native CLI (the reference score_frame is checked against)"
cargo build -q -p jixiao-cli --locked

step "maturin build --release (bindings/python → one abi3 wheel)"
rm -rf target/python/wheels
"$tools/bin/maturin" build --release --locked -q -m bindings/python/Cargo.toml -o target/python/wheels
wheel="$(ls target/python/wheels/jixiao-*-abi3-*.whl)"
echo "$wheel"

step "a fresh virtual environment, the wheel installed into it"
venv=target/python/venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "$wheel" pytest mypy pandas polars

step "pytest (bindings/python/tests)"
(cd bindings/python && "../../$venv/bin/python" -m pytest -q -p no:cacheprovider tests)

step "mypy --strict against the package's stubs"
"$venv/bin/mypy" --strict --no-incremental bindings/python/tests/typing_check.py
echo "Python suite passed"
