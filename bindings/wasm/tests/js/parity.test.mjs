// Parity: for every shared vector, the WASM scorecard JSON is byte-identical to the native
// expected file (tests/vectors/expected/*.json, written by the native engine).
import test from "node:test";
import assert from "node:assert/strict";
import { jixiao, vectors } from "./helpers.mjs";

const all = vectors();

test("the manifest lists vectors", () => {
  assert.ok(all.length >= 5, `only ${all.length} vectors`);
});

for (const v of all) {
  test(`parity: ${v.name}`, () => {
    const engine = new jixiao.Engine(v.rulebookText);
    try {
      const text = engine.evaluateJson(v.submissionText);
      if (text !== v.expectedText) {
        let i = 0;
        while (i < text.length && text[i] === v.expectedText[i]) i++;
        assert.fail(
          `${v.name}: WASM scorecard differs from ${v.expected} at byte ${i}:\n` +
            `  native: …${v.expectedText.slice(Math.max(0, i - 60), i + 60)}…\n` +
            `  wasm:   …${text.slice(Math.max(0, i - 60), i + 60)}…`,
        );
      }
      // The same submission as an object, and the object result, agree.
      assert.equal(engine.evaluateJson(JSON.parse(v.submissionText)), v.expectedText);
      assert.deepEqual(engine.evaluate(v.submissionText), JSON.parse(v.expectedText));
      // The scorecard names the rulebook the engine reports.
      const card = JSON.parse(text);
      assert.equal(card.rulebook.hash, engine.hash);
      assert.equal(card.rulebook.id, engine.id);
      assert.equal(card.engine_version, jixiao.version());
    } finally {
      engine.free();
    }
  });
}
