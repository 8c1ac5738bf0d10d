// A panic (a bug) becomes a JixiaoError of kind "panic" with its message and location, not
// an anonymous `RuntimeError: unreachable`; the instance is poisoned afterwards. Its own file,
// so node --test runs it in its own process with its own instance.
import test from "node:test";
import assert from "node:assert/strict";
import { jixiao, vectors, throwsJixiao } from "./helpers.mjs";

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
