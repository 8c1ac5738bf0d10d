// The package as Node users get it: `npm pack`ed and `npm install`ed from the tarball into an
// empty app, then loaded by name through package.json's conditional exports. In Node's ES
// modules `await init()` needs no argument (it reads the .wasm file; Node's fetch cannot); in
// CommonJS the same name is ready on require and `init()` resolves at once. Both score a shared
// vector byte for byte, and what the engine throws is `instanceof JixiaoError`.
import test, { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync, statSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { pkgDir, root, vectors } from "./helpers.mjs";

const [vector] = vectors();
let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "jixiao-app-"));
  const npm = (...args) => execFileSync("npm", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [{ filename }] = JSON.parse(npm("pack", join(pkgDir, "pkg"), "--pack-destination", dir, "--json", "--silent"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true }));
  npm("install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", `./${filename}`);
  writeFileSync(join(dir, "vector.json"), JSON.stringify(vector));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const CHECKS = `
const v = JSON.parse(readFileSync(new URL("./vector.json", import.meta.url), "utf8"));
const engine = new Engine(v.rulebookText);
const same = engine.evaluateJson(v.submissionText) === v.expectedText.trim();
let thrown;
try { new Engine("id = 1"); } catch (e) { thrown = e; }
const plain = new Error("x");
plain.name = "JixiaoError";
console.log(JSON.stringify({
  same,
  instance: thrown instanceof JixiaoError, guard: isJixiaoError(thrown), kind: thrown.kind,
  plainIsNot: !(plain instanceof JixiaoError) && !isJixiaoError(plain) && !(new Error("y") instanceof JixiaoError),
  made: new JixiaoError("made", { kind: "argument" }) instanceof JixiaoError,
  shipped: new Engine(govItPost).id,
}));
`;

/** Writes `files` into the app and runs each: what each printed, as JSON. */
function runApp(files) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return Object.keys(files).map((f) => JSON.parse(execFileSync(process.execPath, [join(dir, f)], { encoding: "utf8", cwd: dir })));
}

function expectAll(out) {
  assert.deepEqual(out, { same: true, instance: true, guard: true, kind: "rulebook", plainIsNot: true, made: true, shipped: "gov-it-post" });
}

test("Node ES modules: import by name, await init() with no argument", () => {
  const [out] = runApp({
    "main.mjs": `import init, { Engine, JixiaoError, isJixiaoError, govItPost } from "jixiao-wasm";
import { readFileSync } from "node:fs";
await init();
${CHECKS}`,
  });
  expectAll(out);
});

test("Node CommonJS: require the same name, init() resolves at once", () => {
  const [out] = runApp({
    "main.cjs": `const { default: init, Engine, JixiaoError, isJixiaoError, govItPost } = require("jixiao-wasm");
const { readFileSync } = require("node:fs");
init().then(() => {
${CHECKS.replace("new URL(\"./vector.json\", import.meta.url)", "__dirname + \"/vector.json\"")}
});`,
  });
  expectAll(out);
});

test("each shipped rulebook is a module of its own", () => {
  const outs = runApp({
    "one.mjs": `import govItPost from "jixiao-wasm/rulebooks/gov-it-post";
import { rulebooks } from "jixiao-wasm/rulebooks";
import init, { Engine } from "jixiao-wasm";
await init();
console.log(JSON.stringify({ same: govItPost === rulebooks["gov-it-post"], id: new Engine(govItPost).id }));`,
    "one.cjs": `const govItPost = require("jixiao-wasm/rulebooks/gov-it-post");
const { rulebooks, Engine } = require("jixiao-wasm");
console.log(JSON.stringify({ same: govItPost === rulebooks["gov-it-post"], id: new Engine(govItPost).id }));`,
  });
  assert.deepEqual(outs, [{ same: true, id: "gov-it-post" }, { same: true, id: "gov-it-post" }]);
  // One module carries one rulebook's text only.
  const size = (f) => statSync(join(dir, "node_modules/jixiao-wasm/rulebooks", f)).size;
  const all = readdirSync(join(dir, "node_modules/jixiao-wasm/rulebooks")).filter((f) => f.endsWith(".js"));
  assert.equal(all.length, 6);
  const total = all.reduce((n, f) => n + size(f), 0);
  assert.ok(size("gov-it-post.js") < total / 3, `${size("gov-it-post.js")} of ${total}`);
});

test("the report and batch modules load by name in both module systems", () => {
  const outs = runApp({
    "modules.mjs": `import initReport, { report } from "jixiao-wasm/report";
import initBatch, { Engine } from "jixiao-wasm/batch";
import { govItPost } from "jixiao-wasm";
await initReport();
await initBatch();
const card = new Engine(govItPost).evaluateJson("{}");
const html = new TextDecoder().decode(report(govItPost, card, "html", "zh"));
console.log(JSON.stringify({ html: /^<!doctype html>/i.test(html), table: typeof Engine.prototype.scoreTable }));`,
    "modules.cjs": `const { report, init } = require("jixiao-wasm/report");
const { Engine } = require("jixiao-wasm/batch");
const { govItPost } = require("jixiao-wasm");
init().then(() => {
  const card = new Engine(govItPost).evaluateJson("{}");
  const html = new TextDecoder().decode(report(govItPost, card, "html", "zh"));
  console.log(JSON.stringify({ html: /^<!doctype html>/i.test(html), table: typeof Engine.prototype.scoreTable }));
});`,
  });
  assert.deepEqual(outs, [
    { html: true, table: "function" },
    { html: true, table: "function" },
  ]);
});

test("the tarball holds what the exports name, and nothing test-only", () => {
  const installed = join(dir, "node_modules/jixiao-wasm");
  const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  assert.equal(pkg.name, "jixiao-wasm");
  const targets = (value) => (typeof value === "string" ? [value] : Object.values(value).flatMap(targets));
  for (const [subpath, value] of Object.entries(pkg.exports)) {
    for (const target of targets(value)) {
      const file = target.replace("*", "gov-it-post");
      assert.ok(statSync(join(installed, file), { throwIfNoEntry: false }), `${subpath} → ${file} is not in the tarball`);
    }
  }
  const readme = readFileSync(join(installed, "README.md"), "utf8");
  assert.match(readme, /npm install jixiao-wasm/);
  assert.doesNotMatch(readme, /build\.sh/, "the package README speaks to npm users, not to this repository's builders");
  const [out] = runApp({
    "hooks.cjs": `console.log(JSON.stringify(Object.keys(require("jixiao-wasm")).filter((k) => k.startsWith("__"))));`,
  });
  assert.deepEqual(out, []);
});

test("the README's quick starts run as written", () => {
  const readme = readFileSync(join(dir, "node_modules/jixiao-wasm/README.md"), "utf8");
  const section = (from, to) => readme.slice(readme.indexOf(from), to ? readme.indexOf(to) : undefined);
  const blocks = [...(section("## 快速上手", "## 入口") + section("## In English", "### API")).matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 4);
  const files = Object.fromEntries(blocks.map((code, i) => [`readme${i}.${/^import\b/m.test(code) ? "mjs" : "cjs"}`, code]));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  for (const name of Object.keys(files)) {
    const printed = execFileSync(process.execPath, [join(dir, name)], { encoding: "utf8", cwd: dir });
    assert.match(printed, /\S/, `${name} printed nothing`);
  }
});

test("TypeScript resolves the types of each condition (module nodenext: .mts and .cts)", () => {
  const files = {
    // A Node project's own: its lib has no DOM; @types/node (the repository's) declares fetch's
    // and WebAssembly's types.
    "tsconfig.json": JSON.stringify({
      compilerOptions: { module: "nodenext", strict: true, noEmit: true, lib: ["ES2022", "esnext.disposable"], types: ["node"], typeRoots: [join(root, "node_modules/@types")] },
      files: ["esm.mts", "cjs.cts"],
    }),
    "esm.mts": `import init, { Engine, JixiaoError, isJixiaoError, type Scorecard } from "jixiao-wasm";
import govItPost from "jixiao-wasm/rulebooks/gov-it-post";
import initReport, { report } from "jixiao-wasm/report";
import { shippedRulebook, type ShippedRulebookId } from "jixiao-wasm/rulebooks";
await init();
await initReport();
const card: Scorecard = new Engine(govItPost).evaluate({});
const bytes: Uint8Array = report(govItPost, JSON.stringify(card), "html", "zh");
const id: ShippedRulebookId = "demo";
try { shippedRulebook(id); } catch (e: unknown) { if (e instanceof JixiaoError) { const k: string = e.kind; void k; } void isJixiaoError(e); }
void bytes;
`,
    "cjs.cts": `import jixiao = require("jixiao-wasm");
import govItPost = require("jixiao-wasm/rulebooks/gov-it-post");
import batch = require("jixiao-wasm/batch");
const card: jixiao.Scorecard = new jixiao.Engine(govItPost).evaluate({});
const ready: Promise<void> = jixiao.init();
const table: typeof batch.Engine.prototype.scoreTable = new batch.Engine(govItPost).scoreTable;
void card; void ready; void table;
`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8", cwd: dir, stdio: "pipe" });
  } catch (e) {
    assert.fail(`tsc: ${e.stdout}${e.stderr}`);
  }
});
