#!/usr/bin/env bash
# The WebAssembly package (bindings/wasm): build it (optimized, size-checked), then
#   1. wasm-bindgen tests in Node and in headless Chromium (chromedriver),
#   2. the JS suites on the built package: parity with the native vectors, bad input,
#      panics, TypeScript declarations vs real output, shipped rulebooks, the ES modules in
#      headless Chromium through playwright-core, the package packed and installed by npm into
#      Node apps (ES modules, CommonJS) and a fresh Vite + TypeScript app run in Chromium,
#   3. clippy for the wasm32 target.
# Sizes are checked by build.sh: above the ceiling (JIXIAO_WASM_BUDGET, 550 KB gzip, a
# regression guard) every other test still runs and the suite fails at the end with the
# sizes; the 350 KB target is reported (not met yet, see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n--> %s\n' "$*"; }
failed=()

step "build the npm package bindings/wasm/pkg (bindings/wasm/build.sh)"
if ! bash bindings/wasm/build.sh; then
  if [ -f bindings/wasm/sizes.json ] && [ -f bindings/wasm/pkg/package.json ]; then
    failed+=("size budget (see the sizes above)")
  else
    echo "build failed" >&2
    exit 1
  fi
fi

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/bindings/wasm/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=120
test_args=(-p jixiao-wasm --target wasm32-unknown-unknown --features trim --locked --test web)

step "wasm-bindgen tests in Node"
cargo test "${test_args[@]}"

step "wasm-bindgen tests in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 cargo test "${test_args[@]}"

step "the tests' own module with __testPanic (--features test-hooks, never shipped) → target/wasm-test"
bash bindings/wasm/tests/build-test-module.sh

step "JS tests on the built package (node --test)"
node --test bindings/wasm/tests/js/

step "clippy (wasm32, tests included)"
cargo clippy -p jixiao-wasm --target wasm32-unknown-unknown --features trim,batch,test-hooks --all-targets --locked -- -D warnings

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nWASM suite FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "WASM suite passed"
