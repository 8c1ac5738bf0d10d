// The package's ES modules (bindings/wasm/pkg, the optimized .wasm that ships) in headless Chromium: every shared
// vector byte-identical to the native expected file, errors are real Errors, the shipped
// rulebooks start in two lines.
import test from "node:test";
import assert from "node:assert/strict";
import { launch, ORIGIN } from "./chromium.mjs";
import { vectors } from "./helpers.mjs";

test("the ES modules in headless Chromium: parity, errors, shipped rulebooks", async () => {
  const { browser, context } = await launch();
  try {
    const page = await context.newPage();
    const logs = [];
    page.on("console", (m) => logs.push(m.text()));
    page.on("pageerror", (e) => logs.push(String(e)));
    await page.goto(`${ORIGIN}/index.html`);
    const list = vectors().map(({ name, rulebook_json, submission, expected }) => ({ name, rulebook_json, submission, expected }));
    const result = await page.evaluate(async (list) => {
      const { default: init, Engine, govItPost, shippedRulebookIds } = await import("/pkg/jixiao_wasm.js");
      await init();
      const text = async (p) => (await fetch("/" + p)).text();
      const out = { parity: [], errors: [], ids: shippedRulebookIds(), crossOriginIsolated };
      for (const v of list) {
        const engine = new Engine(await text(v.rulebook_json));
        const got = engine.evaluateJson(await text(v.submission));
        const want = await text(v.expected);
        out.parity.push({ name: v.name, same: got === want, length: got.length });
        engine.free();
      }
      for (const bad of [undefined, 42, "{", "x".repeat(3 << 20)]) {
        try {
          new Engine(govItPost).evaluate(bad);
          out.errors.push({ thrown: false });
        } catch (e) {
          out.errors.push({ isError: e instanceof Error, name: e.name, kind: e.kind, code: e.code });
        }
      }
      try {
        new Engine("id = 1");
      } catch (e) {
        out.errors.push({ isError: e instanceof Error, name: e.name, kind: e.kind, code: e.code, line: e.line });
      }
      const card = new Engine(govItPost).evaluate({ values: {} });
      out.govItPost = { id: card.rulebook.id, complete: card.complete };
      return out;
    }, list);
    assert.equal(result.parity.length, list.length);
    for (const p of result.parity) assert.ok(p.same, `${p.name}: Chromium scorecard differs from the native expected file`);
    assert.deepEqual(result.errors.map((e) => [e.isError, e.name, e.kind, e.code]), [
      [true, "JixiaoError", "argument", "wrong_type"],
      [true, "JixiaoError", "argument", "wrong_type"],
      [true, "JixiaoError", "submission", "submission_syntax"],
      [true, "JixiaoError", "argument", "too_long"],
      [true, "JixiaoError", "rulebook", "toml_syntax"],
    ]);
    assert.ok(result.ids.includes("gov-it-post"));
    assert.deepEqual(result.govItPost, { id: "gov-it-post", complete: false });
    assert.ok(!logs.some((l) => /error|unreachable/i.test(l)), logs.join("\n"));
  } finally {
    await browser.close();
  }
});

test("the compact module in headless Chromium: fetched by init(), parity, TOML refused", async () => {
  const { browser, context } = await launch();
  try {
    const page = await context.newPage();
    await page.goto(`${ORIGIN}/index.html`);
    const list = vectors()
      .filter((v) => !v.needs_rhai)
      .map(({ name, rulebook_json, submission, expected }) => ({ name, rulebook_json, submission, expected }));
    const result = await page.evaluate(async (list) => {
      const { default: init, Engine } = await import("/pkg/jixiao_wasm.js");
      await init({ module_or_path: "/pkg/engine_compact_bg.wasm" });
      const text = async (p) => (await fetch("/" + p)).text();
      const out = { parity: [] };
      for (const v of list) {
        const engine = new Engine(await text(v.rulebook_json));
        out.parity.push({ name: v.name, same: engine.evaluateJson(await text(v.submission)) === (await text(v.expected)) });
        engine.free();
      }
      try {
        new Engine(await text("rules/demo/rulebook.toml"));
      } catch (e) {
        out.toml = { isError: e instanceof Error, name: e.name, kind: e.kind, code: e.code };
      }
      return out;
    }, list);
    assert.equal(result.parity.length, list.length);
    for (const p of result.parity) assert.ok(p.same, `${p.name}: the compact module's scorecard differs in Chromium`);
    assert.deepEqual(result.toml, { isError: true, name: "JixiaoError", kind: "rulebook", code: "not_in_compact_build" });
  } finally {
    await browser.close();
  }
});
