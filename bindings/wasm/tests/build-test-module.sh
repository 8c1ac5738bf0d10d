#!/usr/bin/env bash
# Builds the engine with the `test-hooks` feature (`__testPanic`) as a Node module in
# target/wasm-test/engine.js, for tests/js/panic.test.mjs. The packages never carry the hook;
# this build is the tests' own (debug profile: the panic hook under test does not depend on
# optimization, and the wasm-bindgen tests have already compiled the dependencies).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
cargo build -q -p jixiao-wasm --lib --target wasm32-unknown-unknown --features trim,test-hooks --locked
rm -rf target/wasm-test
wasm-bindgen --target nodejs --out-dir target/wasm-test --out-name engine \
  target/wasm32-unknown-unknown/debug/jixiao_wasm.wasm
