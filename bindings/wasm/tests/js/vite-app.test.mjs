// The package as a web developer meets it: `npm pack`ed, `npm install`ed from the tarball into a
// fresh Vite + TypeScript app (the layout of Vite's own template), type-checked by tsc --strict,
// built by `vite build` and loaded in headless Chromium. The page scores a shared vector with
// the full module and with the compact one, byte for byte, and tells the engine's errors apart;
// the bundle must carry the one rulebook the app imports and no other, and only the .wasm it
// loads.
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join, extname } from "node:path";
import { execFileSync } from "node:child_process";
import { pkgDir, root, vectors } from "./helpers.mjs";
import { startBrowser } from "./chromium.mjs";

const vector = vectors().find((v) => v.name === "gov-it-post-strong");
const shippedIds = readdirSync(join(pkgDir, "pkg/rulebooks"))
  .filter((f) => f.endsWith(".js"))
  .map((f) => f.slice(0, -3));

const APP = {
  "package.json": JSON.stringify({ name: "fresh-app", private: true, type: "module" }),
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "bundler",
      lib: ["ES2022", "DOM", "esnext.disposable"],
      strict: true,
      noEmit: true,
      resolveJsonModule: true,
      skipLibCheck: false,
    },
    include: ["src"],
  }),
  "index.html": '<!doctype html>\n<meta charset="utf-8">\n<title>app</title>\n<script type="module" src="/src/main.ts"></script>\n',
  "src/vite-env.d.ts": '/// <reference types="vite/client" />\n',
  "src/main.ts": `import init, { Engine, JixiaoError, isJixiaoError, type Scorecard } from "jixiao-wasm";
import govItPost from "jixiao-wasm/rulebooks/gov-it-post";
import compactUrl from "jixiao-wasm/engine_compact_bg.wasm?url";
import vector from "./vector.json";

const compact = new URLSearchParams(location.search).has("compact");
await init(compact ? { module_or_path: compactUrl } : undefined);
const engine = new Engine(govItPost);
const card: Scorecard = engine.evaluate(vector.submission);
let kind: string | null = null;
let guard = false;
try {
  new Engine("id = 1");
} catch (e: unknown) {
  if (e instanceof JixiaoError) kind = e.kind;
  guard = isJixiaoError(e);
}
document.body.dataset.result = JSON.stringify({
  same: engine.evaluateJson(vector.submission) === vector.expected,
  total: card.total,
  kind,
  guard,
});
`,
};

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

test("a fresh Vite + TypeScript app: npm install, tsc --strict, vite build, Chromium", { timeout: 300_000 }, async () => {
  // Inside the repository, so that tsc finds vite/client in the root node_modules as it would
  // in the app's own; the package itself comes only from the tarball.
  mkdirSync(join(root, "target"), { recursive: true });
  const dir = mkdtempSync(join(root, "target", "vite-app-"));
  let browser;
  try {
    const [{ filename }] = JSON.parse(run("npm", ["pack", join(pkgDir, "pkg"), "--pack-destination", dir, "--json", "--silent"], dir));
    for (const [name, text] of Object.entries(APP)) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    writeFileSync(join(dir, "src/vector.json"), JSON.stringify({ submission: vector.submissionText, expected: vector.expectedText }));
    run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", `./${filename}`], dir);
    run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], dir);
    run(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "error"], dir);

    // What the bundle carries: the one rulebook imported, and only the modules it loads.
    const assets = readdirSync(join(dir, "dist/assets"));
    const js = assets.filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(dir, "dist/assets", f), "utf8")).join("\n");
    // The minifier may requote a rulebook's text, so its quotes may or may not be escaped.
    const carried = shippedIds.filter((id) => new RegExp(`\\\\?"id\\\\?":\\\\?"${id}\\\\?"`).test(js));
    assert.deepEqual(carried, ["gov-it-post"], "the bundle carries exactly the imported rulebook");
    const wasm = assets.filter((f) => f.endsWith(".wasm")).map((f) => f.replace(/-[\w-]{8}\.wasm$/, ".wasm")).sort();
    assert.deepEqual(wasm, ["engine_bg.wasm", "engine_compact_bg.wasm"]);

    const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
    browser = await startBrowser();
    const context = await browser.newContext();
    await context.route("http://localhost:8766/**", (route) => {
      const path = new URL(route.request().url()).pathname;
      const file = join(dir, "dist", path === "/" ? "index.html" : path);
      try {
        return route.fulfill({ status: 200, headers: { "Content-Type": types[extname(file)] ?? "application/octet-stream" }, body: readFileSync(file) });
      } catch {
        return route.fulfill({ status: 404, body: "not found" });
      }
    });
    for (const query of ["", "?compact"]) {
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`http://localhost:8766/${query}`);
      await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 60_000 }).catch(() => {});
      const result = await page.evaluate(() => document.body?.dataset.result ?? null);
      assert.deepEqual(errors, [], `page errors (${query || "full"})`);
      assert.ok(result, `the page set no result (${query || "full"})`);
      const out = JSON.parse(result);
      assert.deepEqual(out, { same: true, total: JSON.parse(vector.expectedText).total, kind: "rulebook", guard: true }, query || "full");
      await page.close();
    }
  } finally {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
