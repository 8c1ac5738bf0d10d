// A panic (a bug) becomes a JixiaoError of kind "panic" with its message and location, not
// an anonymous `RuntimeError: unreachable`; the instance is poisoned afterwards. Its own file,
// so node --test runs it in its own process with its own instance. The hook that panics is in
// the tests' own build only (tests/build-test-module.sh → target/wasm-test); the package has none.
import test from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { jixiao as shipped, root, vectors, throwsJixiao } from "./helpers.mjs";

const testModule = join(root, "target/wasm-test/engine.js");
if (!existsSync(testModule)) {
  throw new Error(`${testModule} is missing: run bash bindings/wasm/tests/build-test-module.sh`);
}
const jixiao = createRequire(import.meta.url)(testModule);

test("the package has no test hook", () => {
  assert.equal(shipped.__testPanic, undefined);
  assert.equal(typeof jixiao.__testPanic, "function");
});

test("a panic is a clear error, and poisons the instance", () => {
  const [v] = vectors();
  const engine = new jixiao.Engine(v.rulebookText);
  assert.equal(engine.evaluateJson(v.submissionText), v.expectedText);
  const e = throwsJixiao(() => jixiao.__testPanic(), "panic", "panic");
  assert.match(e.message, /panicked at .*lib\.rs:\d+:\d+/);
  assert.match(e.message, /index out of bounds/);
  assert.ok(!(e instanceof WebAssembly.RuntimeError));
  // Every later call says why, instead of computing on a broken instance.
  const again = throwsJixiao(() => engine.evaluate(v.submissionText), "panic", "panic");
  assert.equal(again.message, e.message);
  throwsJixiao(() => new jixiao.Engine(v.rulebookText), "panic", "panic");
});
