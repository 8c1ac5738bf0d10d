// Every rules/*/ pack is shipped, compiles, and carries the same content hash as the native
// canonical export used by the shared vectors.
import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { jixiao, vectors, root } from "./helpers.mjs";

test("every rules/*/ pack is shipped and compiles", () => {
  const packs = readdirSync(join(root, "rules"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, "rules", d.name, "rulebook.toml")))
    .map((d) => d.name)
    .sort();
  assert.deepEqual([...jixiao.shippedRulebookIds()].sort(), packs);
  for (const id of packs) {
    const engine = new jixiao.Engine(jixiao.shippedRulebook(id));
    assert.equal(engine.rulebookJson(), jixiao.rulebooks[id], `${id}: shipped text is canonical`);
    assert.match(engine.hash, /^sha256:[0-9a-f]{64}$/);
    assert.ok(engine.form().sections.length > 0);
    engine.free();
  }
});

test("shipped rulebooks hash like the vectors' native exports", () => {
  for (const v of vectors()) {
    const id = v.rulebook.split("/")[1];
    if (!jixiao.shippedRulebookIds().includes(id)) continue;
    const shipped = new jixiao.Engine(jixiao.shippedRulebook(id));
    const vector = new jixiao.Engine(v.rulebookText);
    assert.equal(shipped.hash, vector.hash, `${id}: the package ships a different rulebook than tests/vectors`);
  }
});

test("gov-it-post in two lines", () => {
  const { Engine, govItPost } = jixiao;
  const card = new Engine(govItPost).evaluate({ values: {} });
  assert.equal(card.rulebook.id, "gov-it-post");
});
