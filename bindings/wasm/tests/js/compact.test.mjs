// The compact module (pkg/engine_compact_bg.wasm): the same JS glue over a build without
// the Rhai runner and TOML. It must give byte-identical scorecards for every shared vector
// (their rulebooks run natively), and refuse, with `not_in_compact_build`, what it cannot run.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { jixiao, pkgDir, read, root, throwsJixiao, vectors } from "./helpers.mjs";

// The web glue works in Node too, given the module's bytes.
const web = await import(join(pkgDir, "pkg/jixiao_wasm.js"));
web.initSync({ module: readFileSync(join(pkgDir, "pkg/engine_compact_bg.wasm")) });

test("the compact module is what this glue runs (not the full one)", () => {
  // TOML is one of the things it leaves out; the full module reads it.
  const err = throwsJixiao(() => new web.Engine(read("rules/demo/rulebook.toml")), "rulebook", "not_in_compact_build");
  assert.match(err.message, /JSON/);
  assert.match(err.problems[0].message, /精简版引擎只读取 JSON 评价方案/);
  assert.match(err.problems[0].message_en, /reads JSON rulebooks only/);
});

// Vectors whose scripts need Rhai's runner are not the compact module's (it answers
// not_in_compact_build there, tested below).
for (const v of vectors().filter((v) => !v.needs_rhai)) {
  test(`compact parity: ${v.name}`, () => {
    const engine = new web.Engine(v.rulebookText);
    try {
      const text = engine.evaluateJson(v.submissionText);
      assert.equal(text, v.expectedText, `${v.name}: the compact module's scorecard differs from ${v.expected}`);
      assert.deepEqual(engine.evaluate(JSON.parse(v.submissionText)), JSON.parse(v.expectedText));
    } finally {
      engine.free();
    }
  });
}

test("gov-it-post in two lines", () => {
  const engine = new web.Engine(web.shippedRulebook("gov-it-post"));
  const card = engine.evaluate(read("rules/gov-it-post/examples/average.json"));
  assert.equal(card.rulebook.id, "gov-it-post");
  assert.ok(card.indicators.every((i) => i.status !== "error"));
});

// (JSON rulebooks carry no line numbers, so the problems name the indicator or KPI and field.)
test("self-eval's target tables run natively: the compact module scores them as the full one", () => {
  const rulebook = web.shippedRulebook("self-eval");
  // `jixiao` is the full module (the CommonJS build).
  const [compactEngine, fullEngine] = [new web.Engine(rulebook), new jixiao.Engine(rulebook)];
  const examples = readdirSync(join(root, "rules/self-eval/examples"));
  assert.ok(examples.length >= 3, examples.join());
  for (const name of examples) {
    const text = read(`rules/self-eval/examples/${name}`);
    const card = compactEngine.evaluateJson(text);
    assert.equal(card, fullEngine.evaluateJson(text), name);
    assert.ok(!card.includes("not_in_compact_build"), name);
  }
});

test("a rulebook with scripts outside the native subset is refused at load, each script named", () => {
  // monitoring's scripts define functions: only the Rhai runner can run them.
  const err = throwsJixiao(() => new web.Engine(web.shippedRulebook("monitoring")), "rulebook", "not_in_compact_build");
  const named = err.problems.filter((p) => p.code === "not_in_compact_build");
  assert.ok(named.length >= 8, JSON.stringify(err.problems));
  for (const p of named) {
    assert.ok(p.indicator || p.kpi, JSON.stringify(p));
    assert.equal(p.field, p.indicator ? "script" : "expr");
    assert.match(p.message, /需要 Rhai 解释器/);
    assert.match(p.message_en, /needs the Rhai interpreter/);
  }
  assert.ok(named.some((p) => p.indicator === "M1.1"), JSON.stringify(named));
});

test("a script that needs Rhai only at run time fails its indicator, not the scorecard", () => {
  // Integer overflow is Rhai's to report (its message), so this native program stops there
  // when x > 1, and only then.
  const rulebook = {
    id: "compact-runtime",
    version: "1",
    title: "精简版运行时",
    stage: "post",
    inputs: [{ id: "x", label: "数据", type: "number" }],
    indicators: [
      { id: "A", label: "维度" },
      { id: "A1", parent: "A", label: "甲", points: 60, script: "let big = 9223372036854775807; if x > 1.0 { let y = big + 1; } finding(`偏差 ${x}`); points / 2" },
      { id: "A2", parent: "A", label: "乙", points: 40, script: 'proportional("x", 2.0)' },
    ],
  };
  const engine = new web.Engine(rulebook);
  const card = engine.evaluate({ values: { x: 1.5 } });
  const a1 = card.indicators.find((i) => i.id === "A1");
  assert.equal(a1.status, "error");
  assert.equal(a1.error.code, "not_in_compact_build");
  assert.equal(a1.error.indicator, "A1");
  assert.match(a1.error.message, /精简版引擎不含/);
  const a2 = card.indicators.find((i) => i.id === "A2");
  assert.equal(a2.status, "scored");
  assert.equal(a2.score, 30);
  assert.equal(card.complete, false);
  // The same script with x ≤ 1 runs natively to the end, float text included.
  const fine = engine.evaluate({ values: { x: 0.5 } });
  const a1ok = fine.indicators.find((i) => i.id === "A1");
  assert.equal(a1ok.status, "scored");
  assert.equal(a1ok.score, 30);
  assert.deepEqual(a1ok.findings.map((f) => f.message), ["偏差 0.5"]);
});

test("a vector that needs the Rhai runner is refused by name, not scored differently", () => {
  for (const v of vectors().filter((v) => v.needs_rhai)) {
    const err = throwsJixiao(() => new web.Engine(v.rulebookText), "rulebook", "not_in_compact_build");
    // Each problem names the indicator or KPI whose script needs the runner.
    assert.ok(err.problems.length > 0 && err.problems.every((p) => p.code === "not_in_compact_build" && (p.indicator || p.kpi)), v.name);
  }
});
