// Bad input from JavaScript: every case is a thrown JixiaoError (a real Error) with kind,
// code and a clear message; nothing hangs, nothing traps.
import test from "node:test";
import assert from "node:assert/strict";
import { jixiao, vectors, throwsJixiao } from "./helpers.mjs";

const { Engine } = jixiao;
const [first] = vectors();
const engine = new Engine(first.rulebookText);

const MINI = (script) => `id = "mini"
version = "1"
title = "最小"
stage = "post"

[[inputs]]
id = "rate"
label = "执行率"
type = "percent"

[[indicators]]
id = "P"
label = "过程"

[[indicators]]
id = "P1"
parent = "P"
label = "执行率"
points = 100
script = '''${script}'''
`;

test("wrong argument types", async (t) => {
  const wrong = { undefined: undefined, null: null, number: 42, boolean: true, array: [1], function: () => 1, symbol: Symbol("x"), bigint: 5n };
  for (const [name, value] of Object.entries(wrong)) {
    await t.test(name, () => {
      let e = throwsJixiao(() => engine.evaluate(value), "argument", "wrong_type");
      assert.match(e.message, new RegExp(`got ${name}`));
      assert.equal(e.problems[0].field, "submission");
      throwsJixiao(() => engine.evaluateJson(value), "argument", "wrong_type");
      throwsJixiao(() => engine.validate(value), "argument", "wrong_type");
      e = throwsJixiao(() => new Engine(value), "argument", "wrong_type");
      assert.equal(e.problems[0].field, "rulebook");
    });
  }
});

test("undefined and missing arguments", () => {
  throwsJixiao(() => engine.evaluate(), "argument", "wrong_type");
  throwsJixiao(() => new Engine(), "argument", "wrong_type");
  // Options may be left out or undefined.
  assert.equal(engine.evaluateJson(first.submissionText, undefined), first.expectedText);
});

test("objects JSON cannot represent", () => {
  throwsJixiao(() => engine.evaluate({ values: { budget_approved: 10n } }), "argument", "wrong_type");
  const cyclic = { values: {} };
  cyclic.values.self = cyclic;
  throwsJixiao(() => engine.evaluate(cyclic), "argument", "wrong_type");
});

test("bad options", () => {
  for (const options of [{ lang: "fr" }, { lang: 1 }, { trace: "yes" }, { langauge: "en" }, "en", 3, [], () => 1]) {
    const e = throwsJixiao(() => engine.evaluate(first.submissionText, options), "argument", "wrong_type");
    assert.equal(e.problems[0].field, "options");
  }
});

test("malformed submissions are the core's submission error", () => {
  for (const text of ["", "{", "[]", "null", "42", '{"valeus": {}}', '{"values": 3}']) {
    const e = throwsJixiao(() => engine.evaluate(text), "submission", "submission_syntax");
    assert.equal(e.problems[0].code, "submission_syntax");
    assert.ok(e.problems[0].message_en.length > 0);
  }
  const e = throwsJixiao(() => engine.evaluate('{\n "values": [}'), "submission", "submission_syntax");
  assert.equal(e.line, 2);
  throwsJixiao(() => engine.validate("{"), "submission", "submission_syntax");
});

test("huge strings are refused before they are copied into WebAssembly memory", () => {
  const huge = "x".repeat(3 * 1024 * 1024);
  let e = throwsJixiao(() => engine.evaluate(huge), "argument", "too_long");
  assert.match(e.message, /3145728/);
  throwsJixiao(() => engine.evaluate({ values: { evaluator_remark: huge } }), "argument", "too_long");
  throwsJixiao(() => new Engine("#".repeat(5 * 1024 * 1024)), "argument", "too_long");
  // Within the limits, an over-long text value is a problem on the scorecard, not a throw.
  const card = engine.evaluate({ values: { evaluator_remark: "长".repeat(5000) } });
  assert.equal(card.complete, false);
  assert.ok(card.problems.some((p) => p.code === "too_long"));
});

test("a rulebook that does not compile lists every problem with indicator and line", () => {
  let e = throwsJixiao(() => new Engine(MINI('proportional("rate", 1.0')), "rulebook", "script_syntax");
  assert.equal(e.rulebook, "mini");
  assert.equal(e.indicator, "P1");
  assert.equal(e.line, 20);
  assert.match(e.message, /P1/);
  e = throwsJixiao(() => new Engine(MINI('proportional("no_such_input", 1.0)')), "rulebook", "unknown_name");
  assert.equal(e.indicator, "P1");
  e = throwsJixiao(() => new Engine(MINI("1").replace("points = 100", "points = 60")), "rulebook", "total_mismatch");
  throwsJixiao(() => new Engine('id = "x"\nversion ='), "rulebook", "toml_syntax");
  throwsJixiao(() => new Engine('{"id": "x"'), "rulebook", "json_syntax");
  throwsJixiao(() => new Engine({ id: "x", version: "1", title: "t", stage: "post", indicators: [] }), "rulebook", "no_indicators");
});

test("hostile scripts fail their indicator, quickly, and the engine stays usable", async (t) => {
  const cases = {
    "endless loop": "loop { }",
    "string bomb": 'let s = "x"; loop { s += s; }',
    "array bomb": "let a = [1]; loop { a += a; }",
    "deep recursion": "fn f(x) { f(x + 1) } f(0)",
    "eval": 'eval("1")',
  };
  for (const [name, script] of Object.entries(cases)) {
    await t.test(name, () => {
      let e;
      try {
        e = new Engine(MINI(script));
      } catch (err) {
        // Refused at compile time (eval is disabled): a typed rulebook error.
        assert.equal(err.name, "JixiaoError");
        assert.equal(err.kind, "rulebook");
        return;
      }
      const started = performance.now();
      const card = e.evaluate({ values: { rate: 90 } });
      const ms = performance.now() - started;
      const leaf = card.indicators.find((i) => i.id === "P1");
      assert.equal(leaf.status, "error");
      assert.ok(["limit_exceeded", "script_error"].includes(leaf.error.code), leaf.error.code);
      assert.equal(card.complete, false);
      assert.ok(ms < 2000, `${name} took ${ms} ms`);
      // Still usable afterwards.
      assert.equal(new Engine(MINI("full()")).evaluate({ values: { rate: 1 } }).total, 100);
    });
  }
});

test("an unknown shipped rulebook id throws a JixiaoError", () => {
  throwsJixiao(() => jixiao.shippedRulebook("nope"), "argument", "io");
});

test("a freed engine throws instead of reading freed memory", () => {
  const e = new Engine(first.rulebookText);
  e.free();
  assert.throws(() => e.evaluate(first.submissionText));
});

test("values JSON cannot carry are problems naming the input, not 'not filled in'", () => {
  const cases = [[NaN, "NaN"], [Infinity, "Infinity"], [-Infinity, "Infinity"], [Symbol("s"), "Symbol"]];
  for (const [value, what] of cases) {
    const e = throwsJixiao(() => engine.evaluate({ values: { budget_approved: value } }), "submission", "wrong_type");
    assert.equal(e.problems.length, 1);
    assert.equal(e.problems[0].input, "budget_approved");
    assert.equal(e.problems[0].field, "values.budget_approved");
    assert.ok(e.problems[0].message.includes(what), e.problems[0].message);
    assert.ok(e.problems[0].message_en.includes(what), e.problems[0].message_en);
    throwsJixiao(() => engine.validate({ values: { budget_approved: value } }), "submission", "wrong_type");
  }
  // Inside a table row, the path says where; several are all listed.
  const e = throwsJixiao(
    () => engine.evaluate({ values: { a: NaN, t: [{ x: 1 }, { x: Infinity }] } }),
    "submission",
    "wrong_type",
  );
  assert.deepEqual(e.problems.map((p) => [p.field, p.input]), [["values.a", "a"], ["values.t[1].x", "t"]]);
  // undefined stays "not filled in", as JSON.stringify leaves it out.
  engine.evaluate({ values: { budget_approved: undefined } });
});
