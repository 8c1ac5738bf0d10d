#!/usr/bin/env bash
# Extras for fuzzing (scripts/fuzz, and its smoke run in scripts/test.d/60-fuzz.sh): the
# nightly toolchain, which cargo-fuzz's sanitizers need, and cargo-fuzz from crates.io.
# Idempotent.
set -euo pipefail
CARGO_FUZZ_VERSION=0.13.2
if rustup toolchain list | grep -q '^nightly'; then
  echo "nightly present"
else
  rustup toolchain install nightly --profile minimal
fi
if command -v cargo-fuzz >/dev/null 2>&1 && cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "cargo-fuzz $CARGO_FUZZ_VERSION present"
else
  cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
