#!/usr/bin/env bash
# WebAssembly package prerequisites. scripts/setup already installs the wasm32 target,
# wasm-bindgen-cli (pinned), Chromium + chromedriver and the npm devDependencies; this checks
# that they fit together and says what is wrong instead of failing later in the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

ok=1
rustup target list --installed | grep -qx wasm32-unknown-unknown || { rustup target add wasm32-unknown-unknown; }

lock="$(sed -n '/^name = "wasm-bindgen"$/{n;s/version = "\(.*\)"/\1/p;}' Cargo.lock)"
cli="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
if [ "$lock" != "$cli" ]; then
  echo "wasm-bindgen CLI ${cli:-missing} ≠ crate $lock in Cargo.lock: installing $lock"
  cargo install --locked --quiet wasm-bindgen-cli --version "$lock" || cargo install --quiet wasm-bindgen-cli --version "$lock"
fi
command -v wasm-bindgen-test-runner >/dev/null || { echo "wasm-bindgen-test-runner missing"; ok=0; }
[ -x node_modules/.bin/wasm-opt ] || { echo "node_modules/.bin/wasm-opt missing (npm ci)"; ok=0; }
node -e 'require.resolve("playwright-core"); require.resolve("typescript")' 2>/dev/null || { echo "playwright-core/typescript missing (npm ci)"; ok=0; }

chrome_major="$(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9]\+' | head -1 || true)"
driver_major="$(/usr/bin/chromedriver --version 2>/dev/null | grep -o '[0-9]\+' | head -1 || true)"
if [ -z "$chrome_major" ] || [ "$chrome_major" != "$driver_major" ]; then
  echo "chromium (${chrome_major:-missing}) and chromedriver (${driver_major:-missing}) majors differ or are missing"
  ok=0
fi
[ "$ok" = 1 ] && echo "wasm prerequisites ok (wasm-bindgen $lock, chromium $chrome_major, wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}'))"
[ "$ok" = 1 ]
