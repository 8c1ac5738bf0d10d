// The packages as users load them, by name, through package.json's conditional exports: in
// Node's ES modules `await init()` needs no argument (it reads the .wasm file; Node's fetch
// cannot), in CommonJS the engine is ready on require and `init()` resolves at once; both
// score a shared vector byte for byte, and what the engine throws is `instanceof JixiaoError`.
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { pkgDir, vectors } from "./helpers.mjs";

const [vector] = vectors();

function app(files) {
  const dir = mkdtempSync(join(tmpdir(), "jixiao-app-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(pkgDir, "pkg-web"), join(dir, "node_modules/jixiao-wasm"));
  symlinkSync(join(pkgDir, "pkg-node"), join(dir, "node_modules/jixiao-wasm-node"));
  writeFileSync(join(dir, "vector.json"), JSON.stringify(vector));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

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

/** Runs each file of a temporary app made of `files`: what each printed, as JSON. */
function runApp(files) {
  const dir = app(files);
  try {
    return Object.keys(files)
      .filter((f) => /\.[cm]js$/.test(f))
      .map((f) => JSON.parse(execFileSync(process.execPath, [join(dir, f)], { encoding: "utf8", cwd: dir })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

test("Node CommonJS: require by name, init() resolves at once", () => {
  const [out] = runApp({
    "main.cjs": `const { default: init, Engine, JixiaoError, isJixiaoError, govItPost } = require("jixiao-wasm-node");
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
    "one.cjs": `const govItPost = require("jixiao-wasm-node/rulebooks/gov-it-post");
const { rulebooks, Engine } = require("jixiao-wasm-node");
console.log(JSON.stringify({ same: govItPost === rulebooks["gov-it-post"], id: new Engine(govItPost).id }));`,
  });
  assert.deepEqual(outs, [{ same: true, id: "gov-it-post" }, { same: true, id: "gov-it-post" }]);
  // One module carries one rulebook's text only.
  const size = (f) => statSync(join(pkgDir, "pkg-web/rulebooks", f)).size;
  const all = readdirSync(join(pkgDir, "pkg-web/rulebooks")).filter((f) => f.endsWith(".js"));
  assert.equal(all.length, 6);
  const total = all.reduce((n, f) => n + size(f), 0);
  assert.ok(size("gov-it-post.js") < total / 3, `${size("gov-it-post.js")} of ${total}`);
});
