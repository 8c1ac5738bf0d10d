#!/usr/bin/env bash
# scripts/demo, as a user runs it: on a free port it (re)builds what is stale, serves the
# workspace on 127.0.0.1 and prints the address; the page and the engine's .wasm are served
# from there (the .wasm as application/wasm). Then it is stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."

port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
out="$(mktemp)"
JIXIAO_DEMO_PORT="$port" scripts/demo > "$out" 2>&1 &
demo=$!
cleanup() { kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; rm -f "$out"; }
trap cleanup EXIT

address=""
for _ in $(seq 1 1500); do # up to 5 minutes: the first run may build the WebAssembly package
  address="$(sed -n 's/.*served at: \(http[^ ]*\)$/\1/p' "$out")"
  [ -n "$address" ] && break
  kill -0 "$demo" 2>/dev/null || { cat "$out"; echo "scripts/demo exited early" >&2; exit 1; }
  sleep 0.2
done
[ -n "$address" ] || { cat "$out"; echo "scripts/demo printed no address" >&2; exit 1; }
[ "$address" = "http://127.0.0.1:$port/" ] || { echo "unexpected address $address" >&2; exit 1; }
node --input-type=module - "$address" <<'JS'
const base = process.argv[2];
const page = await fetch(base);
const html = await page.text();
if (!page.ok || !html.includes("<title>")) throw new Error(`the page: ${page.status}`);
const script = html.match(/src="\.\/(assets\/[^"]+\.js)"/)?.[1];
if (!script) throw new Error("no script in the page");
const js = await (await fetch(new URL(script, base))).text();
const wasm = js.match(/(assets\/engine_bg[^"']*\.wasm)/)?.[1] ?? js.match(/engine_bg-[^"']*\.wasm/)?.[0];
if (!wasm) throw new Error("the page's script names no engine .wasm");
const module = await fetch(new URL(wasm.startsWith("assets/") ? wasm : `assets/${wasm}`, base));
if (module.headers.get("content-type") !== "application/wasm") {
  throw new Error(`the .wasm is served as ${module.headers.get("content-type")}`);
}
console.log(`scripts/demo serves ${base}: the page, ${script} and ${wasm}`);
JS
