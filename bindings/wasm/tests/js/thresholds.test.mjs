// Exact at thresholds (issue 21): tests/vectors/thresholds.json puts an indicator's subject on
// a threshold of a shipped rulebook (or one printed step past it) with typed decimals; the
// native engine wrote what it scored. Both WebAssembly modules must score every case alike:
// the same score, explanation, findings and flag, and the KPI as printed.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jixiao, pkgDir, read } from "./helpers.mjs";

const web = await import(join(pkgDir, "pkg/jixiao_wasm.js"));
web.initSync({ module: readFileSync(join(pkgDir, "pkg/engine_compact_bg.wasm")) });

const { cases } = JSON.parse(read("tests/vectors/thresholds.json"));

function submissionOf(c) {
  const sub = JSON.parse(read(c.base));
  Object.assign(sub.values, c.values);
  return sub;
}

function scoredAs(engine, c) {
  const card = engine.evaluate(submissionOf(c));
  const ind = card.indicators.find((i) => i.id === c.indicator);
  assert.ok(ind, `${c.name}: no indicator ${c.indicator}`);
  const kpi = card.kpis.find((k) => k.id === c.kpi?.id) ?? null;
  return {
    indicator: {
      status: ind.status,
      score: ind.score ?? null,
      explanation: ind.explanation ?? null,
      findings: ind.findings ?? [],
      flag: ind.flag ?? null,
    },
    kpi,
  };
}

test("the threshold cases cover the shipped rulebooks", () => {
  assert.ok(cases.length >= 80, `only ${cases.length} cases`);
  for (const pack of ["demo", "gov-it-post", "mof-2020-post", "monitoring", "self-eval"]) {
    assert.ok(cases.some((c) => c.rulebook_json.endsWith(`/${pack}.json`)), pack);
  }
});

const modules = [
  ["full", jixiao],
  ["compact", web],
];

for (const [name, mod] of modules) {
  test(`${name} module: every threshold case scores as natively`, () => {
    const engines = new Map();
    let scored = 0;
    try {
      for (const c of cases) {
        if (!engines.has(c.rulebook_json)) {
          let engine = null;
          try {
            engine = new mod.Engine(read(c.rulebook_json));
          } catch (e) {
            // The compact module runs only rulebooks whose scripts all run natively.
            assert.equal(name, "compact", `${c.rulebook_json}: ${e.message}`);
            assert.equal(e.code, "not_in_compact_build", e.message);
          }
          engines.set(c.rulebook_json, engine);
        }
        const engine = engines.get(c.rulebook_json);
        if (engine === null) continue;
        const got = scoredAs(engine, c);
        assert.deepEqual(got.indicator, c.expected, `${c.name}: indicator differs from native`);
        assert.deepEqual(got.kpi, c.kpi ?? null, `${c.name}: KPI differs from native`);
        scored++;
      }
    } finally {
      for (const e of engines.values()) e?.free();
    }
    assert.ok(scored >= (name === "full" ? cases.length : 40), `${name}: only ${scored} cases scored`);
  });
}
