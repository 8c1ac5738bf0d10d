#!/usr/bin/env bash
# Builds the npm package of the WebAssembly engine, optimized and size-checked:
#   bindings/wasm/pkg/   jixiao-wasm, one package for browsers, bundlers and Node (ES modules and
#                        CommonJS) through conditional exports, with the compact module
#                        (engine_compact_bg.wasm) beside the full one, the report and batch
#                        modules, and each shipped rulebook as a module of its own.
# `npm pack bindings/wasm/pkg` makes the tarball (tests/js/vite-app.test.mjs installs it).
# Needs: the wasm32-unknown-unknown target, wasm-bindgen-cli matching Cargo.lock's
# wasm-bindgen, and the root npm devDependencies (binaryen's wasm-opt); scripts/setup
# installs all three. Nothing is downloaded here.
#
# Env: JIXIAO_WASM_FEATURES (default "trim": extra Rhai trims, see Cargo.toml),
#      JIXIAO_WASM_OPT_LEVEL (cargo opt-level, default "z"), JIXIAO_WASM_OPT (wasm-opt level,
#      default "-Oz"), JIXIAO_WASM_BUDGET (the full module's gzip ceiling in bytes, default
#      550000: a regression guard above today's 534.5 KB), JIXIAO_WASM_TARGET (the compact
#      module's gzip budget, default 350000 = the issue's 350 KB). Either one exceeded fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

features="${JIXIAO_WASM_FEATURES-trim}"
opt_level="${JIXIAO_WASM_OPT_LEVEL:-z}"
wasm_opt_level="${JIXIAO_WASM_OPT:--Oz}"
profile=wasm-release
case "$opt_level" in [0-3]) opt_toml="$opt_level" ;; *) opt_toml="\"$opt_level\"" ;; esac
wasm_opt="$root/node_modules/.bin/wasm-opt"

for tool in wasm-bindgen "$wasm_opt" node; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found; run scripts/setup" >&2; exit 1; }
done
want="$(sed -n '/^name = "wasm-bindgen"$/{n;s/version = "\(.*\)"/\1/p;}' Cargo.lock)"
have="$(wasm-bindgen --version | awk '{print $2}')"
if [ "$want" != "$have" ]; then
  echo "build.sh: wasm-bindgen CLI $have does not match the crate $want in Cargo.lock; run scripts/setup" >&2
  exit 1
fi

# cargo_wasm PROFILE FEATURES [PACKAGE]: a binding (default jixiao-wasm) for wasm32 in a
# profile of our own, declared here, so the workspace's release profile stays untouched.
cargo_wasm() {
  cargo build -p "${3:-jixiao-wasm}" --lib --target wasm32-unknown-unknown --locked \
    --profile "$1" --features "$2" \
    --config "profile.$1.inherits=\"release\"" \
    --config "profile.$1.opt-level=$opt_toml" \
    --config "profile.$1.lto=true" \
    --config "profile.$1.codegen-units=1" \
    --config "profile.$1.panic=\"abort\"" \
    --config "profile.$1.debug=false"
}

# optimize IN OUT: wasm-opt with the features rustc enables by default for
# wasm32-unknown-unknown. `--merge-similar-functions` first folds functions that differ only
# in constants (the helpers' zh/en texts make many), then `--converge` repeats the passes until
# the module stops shrinking (about 25 s more per module). Together 1.8 + 1.0 KB less gzip for
# the compact module.
optimize() {
  "$wasm_opt" --merge-similar-functions "$wasm_opt_level" --converge --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$1" -o "$2"
}

# optimize_plain IN OUT: -Oz alone, for the batch module: its size has no budget, and the
# converging passes above took 83 s against 33 s per build for 0.3 % of its size.
optimize_plain() {
  "$wasm_opt" "$wasm_opt_level" --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$1" -o "$2"
}

echo "==> cargo build (wasm32, profile $profile: opt-level=$opt_level, fat LTO; features: ${features:-none})"
cargo_wasm "$profile" "$features"
raw="target/wasm32-unknown-unknown/$profile/jixiao_wasm.wasm"

# The compact module: the same binding with the core's `compact` feature (no Rhai runner, no
# TOML), in a profile of its own so the two outputs do not overwrite each other. It has the
# same exports and imports, so the web glue loads it too (`init({module_or_path: …})`).
compact_profile="$profile-compact"
echo "==> cargo build (wasm32, compact module: features ${features:+$features,}compact)"
cargo_wasm "$compact_profile" "${features:+$features,}compact"
raw_compact="target/wasm32-unknown-unknown/$compact_profile/jixiao_wasm.wasm"

# The report module (bindings/wasm-report): reports from rulebook and scorecard JSON, a module
# apart so that pages load it only when a report is asked for; the engine's size is untouched.
echo "==> cargo build (wasm32, report module)"
cargo_wasm "$profile" "" jixiao-wasm-report
raw_report="target/wasm32-unknown-unknown/$profile/jixiao_wasm_report.wasm"

# The batch module: the engine plus tables read and scored as `jixiao batch` does and its XLSX
# result (the `batch` feature), for the workspace's import and export; loaded only then.
echo "==> cargo build (wasm32, batch module: features ${features:+$features,}batch)"
cargo_wasm "$profile-batch" "${features:+$features,}batch"
raw_batch="target/wasm32-unknown-unknown/$profile-batch/jixiao_wasm.wasm"

echo "==> shipped rulebooks (canonical JSON from the native exporter)"
books="$(mktemp -d)"
trap 'rm -rf "$books"' EXIT
cargo build -q -p jixiao-cli --locked
for dir in rules/*/; do
  name="$(basename "$dir")"
  for file in "$dir/rulebook.toml" "$dir/rulebook.json"; do
    if [ -f "$file" ]; then
      target/debug/jixiao export "$file" > "$books/$name.json"
      break
    fi
  done
done
ls "$books"

# One package, bindings/wasm/pkg: wasm-bindgen's `web` glue at its root (browsers, bundlers, and
# Node's ES modules through node/), its `nodejs` glue in cjs/glue/ (CommonJS). Both targets make
# the very same .wasm, which is checked here, so it is optimized once and shipped once.
pkg="$here/pkg"
rm -rf "$here/pkg" "$here/pkg-web" "$here/pkg-node" "$here/sizes.json"
# bindgen NAME RAW OPTIMIZE: NAME.js + NAME_bg.wasm at the root, cjs/glue/NAME.js.
bindgen() {
  echo "==> wasm-bindgen (web and nodejs) → ${pkg#"$root/"}/$1_bg.wasm; $3"
  wasm-bindgen --target web --out-dir "$pkg" --out-name "$1" "$2"
  wasm-bindgen --target nodejs --out-dir "$pkg/cjs/glue" --out-name "$1" "$2"
  if ! cmp -s "$pkg/$1_bg.wasm" "$pkg/cjs/glue/$1_bg.wasm"; then
    echo "build.sh: wasm-bindgen made different $1_bg.wasm for web and nodejs; CommonJS cannot share the root's" >&2
    exit 1
  fi
  rm "$pkg/cjs/glue/$1_bg.wasm" "$pkg/cjs/glue/$1_bg.wasm.d.ts"
  "$3" "$pkg/$1_bg.wasm" "$pkg/$1_bg.wasm"
}
bindgen engine "$raw" optimize
bindgen report "$raw_report" optimize
bindgen batch "$raw_batch" optimize_plain

echo "==> compact module → ${pkg#"$root/"}/engine_compact_bg.wasm"
compact_tmp="$(mktemp -d)"
wasm-bindgen --target web --out-dir "$compact_tmp" --out-name engine "$raw_compact"
# One glue for both modules: wasm-bindgen must have made the very same JS for the compact one.
if ! cmp -s "$compact_tmp/engine.js" "$pkg/engine.js"; then
  echo "build.sh: the compact module's JS glue differs from the full module's" >&2
  exit 1
fi
optimize "$compact_tmp/engine_bg.wasm" "$pkg/engine_compact_bg.wasm"
rm -rf "$compact_tmp"

node "$here/tools/package.mjs" --rulebooks "$books" --unoptimized "$raw" \
  --budget "${JIXIAO_WASM_BUDGET:-550000}" --target "${JIXIAO_WASM_TARGET:-350000}"
