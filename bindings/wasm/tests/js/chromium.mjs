// Headless Debian Chromium through playwright-core (no browser download), serving the repo
// from memory at http://localhost:8765/ (intercepted: no server listens): /pkg/… is bindings/wasm/pkg-web,
// anything else is a repo file. COOP/COEP headers make the page cross-origin isolated, only
// so that performance.now() has 5 µs resolution instead of 100 µs (the package itself needs
// no special headers).
import { createRequire } from "node:module";
import { readFileSync, existsSync } from "node:fs";
import { join, extname } from "node:path";
import { pkgDir, root } from "./helpers.mjs";

const { chromium } = createRequire(join(root, "package.json"))("playwright-core");

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".html": "text/html", ".toml": "text/plain" };
// localhost is a secure context, which cross-origin isolation needs.
// JIXIAO_PKG_WEB: another build of the web package to serve as /pkg/ (for comparing builds).
const pkgWeb = process.env.JIXIAO_PKG_WEB ?? join(pkgDir, "pkg-web");
export const ORIGIN = "http://localhost:8765";

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext();
  await context.route(`${ORIGIN}/**`, (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname);
    const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cache-Control": "no-store" };
    if (path === "/" || path === "/index.html") {
      return route.fulfill({ status: 200, headers, contentType: "text/html", body: "<!doctype html><meta charset=utf-8><title>jixiao-wasm</title>" });
    }
    const file = path.startsWith("/pkg/") ? join(pkgWeb, path.slice(5)) : join(root, path);
    if (!(file.startsWith(root) || file.startsWith(pkgWeb)) || !existsSync(file)) return route.fulfill({ status: 404, headers, body: "not found" });
    return route.fulfill({ status: 200, headers, contentType: TYPES[extname(file)] ?? "application/octet-stream", body: readFileSync(file) });
  });
  return { browser, context };
}
