// Headless Debian Chromium through playwright-core (no browser download), serving the repo:
// /pkg/… is bindings/wasm/pkg, anything else is a repo file. COOP/COEP headers make the
// page cross-origin isolated, only so that performance.now() has 5 µs resolution instead of
// 100 µs (the package itself needs no special headers).
//
// `launch()` (the tests) answers http://localhost:8765/ from memory through Playwright's
// request interception: no server listens. `launchServed()` (the latency benchmark) starts a
// real HTTP server on a free localhost port instead, because interception sends every body
// over the DevTools protocol, which added 35–50 ms to fetching the 1.4 MB module: a cost of
// the harness, not of the package.
import { createServer } from "node:http";
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
// JIXIAO_PKG: another build of the package to serve as /pkg/ (for comparing builds).
const pkgWeb = process.env.JIXIAO_PKG ?? join(pkgDir, "pkg");
export const ORIGIN = "http://localhost:8765";

// What the test origin answers for a path: [status, headers, body].
function respond(path) {
  const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cache-Control": "no-store" };
  if (path === "/" || path === "/index.html") {
    return [200, { ...headers, "Content-Type": "text/html" }, "<!doctype html><meta charset=utf-8><title>jixiao-wasm</title>"];
  }
  const file = path.startsWith("/pkg/") ? join(pkgWeb, path.slice(5)) : join(root, path);
  if (!(file.startsWith(root) || file.startsWith(pkgWeb)) || !existsSync(file)) return [404, headers, "not found"];
  return [200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }, readFileSync(file)];
}

export const startBrowser = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });

export async function launch() {
  const browser = await startBrowser();
  const context = await browser.newContext();
  await context.route(`${ORIGIN}/**`, (route) => {
    const [status, headers, body] = respond(decodeURIComponent(new URL(route.request().url()).pathname));
    return route.fulfill({ status, headers, body });
  });
  return { browser, context };
}

// The same files from a real HTTP server on localhost (a secure context, like 8765 above).
// `close()` stops the browser and the server.
export async function launchServed() {
  const server = createServer((req, res) => {
    const [status, headers, body] = respond(decodeURIComponent(new URL(req.url, "http://localhost").pathname));
    res.writeHead(status, headers);
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, "localhost", resolve));
  const origin = `http://localhost:${server.address().port}`;
  const browser = await startBrowser();
  const context = await browser.newContext();
  const close = async () => {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  };
  return { browser, context, origin, close };
}
