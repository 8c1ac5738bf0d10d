// The TypeScript declarations match what the engine really emits, both ways:
//  1. `tsc --noEmit --strict` type-checks every real output (scorecards of every vector in zh
//     and en, with and without trace; forms, metadata and canonical JSON of every shipped
//     rulebook; validate() problems; thrown errors) as object literals against the declared
//     types, so an undeclared key, a missing required key or a wrong type fails; it also
//     type-checks calls of the API (Engine methods, rulebooks) in both packages.
//  2. Each interface's declared keys are compared with the keys seen in that output: a key
//     the engine emits but TS lacks fails, and so does a declared key never seen, unless it
//     is listed in NOT_IN_CORPUS with the reason.
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { jixiao, vectors, pkgDir, root } from "./helpers.mjs";

const ts = createRequire(join(root, "package.json"))("typescript");
const { Engine } = jixiao;

// Declared keys the corpus below does not produce, and why that is fine.
const NOT_IN_CORPUS = {
  Problem: ["kpi", "file", "column"], // kpi_error/.rhai-file locations; column only for syntax errors with one
};

// ---- the corpus -----------------------------------------------------------------------------
function corpus() {
  const out = { Scorecard: [], Form: [], RulebookInfo: [], Problem: [], RulebookSpec: [], JixiaoErrorFields: [] };
  for (const v of vectors()) {
    const e = new Engine(v.rulebookText);
    for (const options of [undefined, { lang: "en" }, { trace: false }]) out.Scorecard.push(e.evaluate(v.submissionText, options));
    out.Problem.push(...e.validate(v.submissionText));
    e.free();
  }
  for (const id of jixiao.shippedRulebookIds()) {
    const e = new Engine(jixiao.shippedRulebook(id));
    out.Form.push(e.form());
    out.RulebookInfo.push(e.metadata());
    out.RulebookSpec.push(JSON.parse(e.rulebookJson()));
    e.free();
  }
  const mini = (script, extra = "") => `id = "mini"\nversion = "1"\ntitle = "t"\nstage = "post"\n${extra}\n[[inputs]]\nid = "rate"\nlabel = "r"\ntype = "percent"\n[[indicators]]\nid = "P"\nlabel = "p"\n[[indicators]]\nid = "P1"\nparent = "P"\nlabel = "p1"\npoints = 100\nscript = '${script}'\n`;
  const errors = [
    () => new Engine(mini('proportional("rate", 1.0')),
    () => new Engine(mini("1", "[[grades]]\nlabel = \"x\"\nmin = 50")),
    () => new Engine("id = 1"),
    () => new Engine(undefined),
    () => new Engine(mini("1")).evaluate('{"values": [}'),
    () => new Engine(mini("1")).evaluate({ values: {} }, { lang: "fr" }),
  ];
  for (const f of errors) {
    try {
      f();
      assert.fail("expected a throw");
    } catch (e) {
      assert.equal(e.name, "JixiaoError");
      const fields = { ...e, message: e.message }; // Error.prototype.message is not enumerable
      delete fields.name; // set by the package on the Error, typed on JixiaoError
      out.JixiaoErrorFields.push(fields);
    }
  }
  // Grade levels, a max_points constraint, and an error located on an input.
  const kitchen = (extra) => `id = "kitchen"\nversion = "1"\ntitle = "t"\nstage = "post"\n[[constraints]]\nindicators = ["P"]\nmin_points = 10\nmax_points = 100\nreason = "r"\n[[inputs]]\nid = "g"\nlabel = "g"\ntype = "grade"\nlevels = [{ label = "A", fraction = 1.0 }, { label = "B", fraction = 0.5 }]\n${extra}\n[[indicators]]\nid = "P"\nlabel = "p"\n[[indicators]]\nid = "P1"\nparent = "P"\nlabel = "p1"\npoints = 100\nscript = 'grade("g")'\n`;
  const k = new Engine(kitchen(""));
  out.Form.push(k.form());
  out.RulebookSpec.push(JSON.parse(k.rulebookJson()));
  out.Scorecard.push(k.evaluate({ values: { g: ["A", "B"] } }));
  try {
    new Engine(kitchen('[[inputs]]\nid = "c"\nlabel = "c"\ntype = "choice"'));
    assert.fail("expected a throw");
  } catch (e) {
    assert.equal(e.input, "c", e.message);
    const fields = { ...e, message: e.message };
    delete fields.name;
    out.JixiaoErrorFields.push(fields);
  }
  // A script error and a KPI on the scorecard.
  const kpi = new Engine(mini('award(ratio(1, 0), "x")').replace("[[indicators]]", '[[kpis]]\nid = "k"\nlabel = "k"\nexpr = "rate * 2"\nformat = "percent"\n\n[[indicators]]'));
  out.Scorecard.push(kpi.evaluate({ project: { id: "X-1", name: "n", owner: "财政局" }, values: { rate: 50 }, notes: { P1: "备注" } }));
  return out;
}

// ---- the declarations ------------------------------------------------------------------------
function declarations() {
  const file = join(pkgDir, "types/shapes.d.ts");
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const interfaces = new Map(); // name -> {props: Map(key -> {optional, refs}), heritage, index}
  const aliases = new Map();
  const unions = new Map(); // name -> string literals of a union alias
  const refsOf = (node) => {
    const refs = [];
    const visit = (n) => {
      if (ts.isTypeReferenceNode(n)) refs.push(n.typeName.getText(src));
      ts.forEachChild(n, visit);
    };
    if (node) visit(node);
    return refs;
  };
  for (const st of src.statements) {
    if (ts.isInterfaceDeclaration(st)) {
      const props = new Map();
      let index = false;
      for (const m of st.members) {
        if (ts.isPropertySignature(m)) props.set(m.name.getText(src), { optional: !!m.questionToken, refs: refsOf(m.type) });
        if (ts.isIndexSignatureDeclaration(m)) index = true;
      }
      const heritage = (st.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(src)));
      interfaces.set(st.name.text, { props, heritage, index });
    } else if (ts.isTypeAliasDeclaration(st)) {
      aliases.set(st.name.text, refsOf(st.type));
      if (ts.isUnionTypeNode(st.type) && st.type.types.every((t) => ts.isLiteralTypeNode(t))) {
        unions.set(st.name.text, st.type.types.map((t) => t.literal.text));
      }
    }
  }
  // Flatten `extends`.
  for (const [, i] of interfaces) for (const h of i.heritage) for (const [k, p] of interfaces.get(h).props) i.props.set(k, p);
  return { interfaces, aliases, unions };
}

test("declared types accept every real output (tsc --noEmit --strict)", () => {
  const data = corpus();
  const dir = mkdtempSync(join(tmpdir(), "jixiao-types-"));
  try {
    const web = join(pkgDir, "pkg/jixiao_wasm.js");
    const node = join(pkgDir, "pkg/cjs/jixiao_wasm.js");
    const lines = [
      `import init, { Engine, rulebooks, govItPost, shippedRulebook, shippedRulebookIds, version, JixiaoError as JixiaoErrorClass, isJixiaoError } from ${JSON.stringify(web)};`,
      `import * as nodePkg from ${JSON.stringify(node)};`,
      `import type { Scorecard, Form, RulebookInfo, Problem, RulebookSpec, JixiaoErrorFields, JixiaoError, Submission, EvalOptions, GradeBand } from ${JSON.stringify(web)};`,
      "export async function api(): Promise<void> {",
      "  await init();",
      "  const engine = new Engine(govItPost);",
      "  const fromObject = new Engine(JSON.parse(rulebooks.demo) as RulebookSpec);",
      "  const submission: Submission = { project: { id: 'P-1', name: 'n' }, values: { a: 1, b: '98,694.55', c: true, d: null, e: ['优', '良'] }, not_applicable: ['P2.1'], notes: { P1: 'x' } };",
      "  const options: EvalOptions = { lang: 'en', trace: false };",
      "  const card: Scorecard = engine.evaluate(submission, options);",
      "  const again: Scorecard = engine.evaluate('{}');",
      "  const text: string = engine.evaluateJson(submission);",
      "  const problems: Problem[] = engine.validate(submission);",
      "  const form: Form = engine.form();",
      "  const info: RulebookInfo = engine.metadata();",
      "  const grades: GradeBand[] = engine.grades;",
      "  const meta: string[] = [engine.id, engine.version, engine.hash, engine.title, engine.rulebookJson(), version(), shippedRulebook('demo'), ...shippedRulebookIds()];",
      "  const n: number | null = card.indicators[0].score; const t: number = again.total;",
      "  try { fromObject.evaluate(text); } catch (e) { const err = e as JixiaoError; const c: string = err.code; const l: number | undefined = err.line; void c; void l; }",
      "  try { fromObject.evaluate(text); } catch (e) { if (e instanceof JixiaoErrorClass) { const k: JixiaoError['kind'] = e.kind; const p: Problem[] = e.problems; void k; void p; } if (isJixiaoError(e)) { const i: string | undefined = e.indicator; void i; } }",
      "  const made: JixiaoError = new JixiaoErrorClass('x', { kind: 'argument' }); void made;",
      "  await nodePkg.init();",
      "  const nodeEngine = new nodePkg.Engine(nodePkg.govItPost);",
      "  const nodeCard: Scorecard = nodeEngine.evaluate({ values: {} });",
      "  void [problems, form, info, grades, meta, n, t, nodeCard];",
      "  engine.free();",
      "}",
    ];
    for (const [type, items] of Object.entries(data)) {
      items.forEach((item, i) => lines.push(`export const ${type}_${i}: ${type} = ${JSON.stringify(item)};`));
    }
    writeFileSync(join(dir, "check.ts"), lines.join("\n") + "\n");
    const tsc = join(root, "node_modules/.bin/tsc");
    try {
      execFileSync(tsc, ["--noEmit", "--strict", "--target", "es2022", "--lib", "es2022,dom,esnext.disposable", "--module", "esnext", "--moduleResolution", "bundler", "--skipLibCheck", "false", join(dir, "check.ts")], { encoding: "utf8" });
    } catch (e) {
      assert.fail(`tsc rejected real engine output against the declarations:\n${(e.stdout || "").slice(0, 4000)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("each interface's keys are exactly the keys the engine emits", () => {
  const { interfaces, aliases } = declarations();
  const seen = new Map([...interfaces.keys()].map((k) => [k, new Set()]));
  const problems = [];
  const resolve = (name, seenNames = new Set()) => {
    if (interfaces.has(name)) return [name];
    if (seenNames.has(name)) return [];
    seenNames.add(name);
    return (aliases.get(name) ?? []).flatMap((n) => resolve(n, seenNames));
  };
  const walk = (value, types, path) => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, types, `${path}[${i}]`));
    const names = types.flatMap((t) => resolve(t)).filter((n) => interfaces.has(n));
    if (names.length === 0) return; // Record<…> / JsonValue
    const name = names[0];
    const decl = interfaces.get(name);
    for (const [k, v] of Object.entries(value)) {
      const prop = decl.props.get(k);
      if (!prop) {
        if (!decl.index) problems.push(`${path}.${k}: emitted by the engine but not declared on ${name}`);
        continue;
      }
      seen.get(name).add(k);
      walk(v, prop.refs, `${path}.${k}`);
    }
    for (const [k, p] of decl.props) if (!p.optional && !(k in value)) problems.push(`${path}: required ${name}.${k} missing`);
  };
  const data = corpus();
  for (const [type, items] of Object.entries(data)) walk(items, [type], type);
  // Every interface the output reaches: each declared key must have been seen (or be listed).
  for (const [name, decl] of interfaces) {
    if (seen.get(name).size === 0) continue; // input-only shapes (Submission, EvalOptions…), checked by tsc
    for (const k of decl.props.keys()) {
      if (!seen.get(name).has(k) && !(NOT_IN_CORPUS[name] ?? []).includes(k)) {
        problems.push(`${name}.${k}: declared but never emitted in the corpus`);
      }
    }
  }
  assert.deepEqual(problems, []);
  // The interfaces the corpus must have reached.
  for (const n of ["Scorecard", "IndicatorScore", "DimensionScore", "Finding", "KpiValue", "Grade", "RulebookRef", "Form", "FormSection", "FormGroup", "FormIndicator", "Input", "RulebookInfo", "GradeBand", "Problem", "RulebookSpec", "Indicator", "Kpi", "JixiaoErrorFields"]) {
    assert.ok(seen.get(n).size > 0, `${n} never reached`);
  }
});

test("declarations agree with the committed JSON Schema and the core's problem codes", () => {
  const { interfaces, unions } = declarations();
  const schema = JSON.parse(readFileSync(join(root, "rules/rulebook.schema.json"), "utf8"));
  const defs = schema.$defs ?? schema.definitions;
  const problems = [];
  const check = (tsName, def, { allowRequiredDiff = [] } = {}) => {
    const values = def.enum ?? (def.oneOf ?? def.anyOf ?? []).flatMap((o) => (o.const !== undefined ? [o.const] : (o.enum ?? [])));
    if (values.length > 0) {
      const declared = unions.get(tsName);
      if (!declared) return problems.push(`${tsName}: no string-literal union declared`);
      if ([...declared].sort().join() !== [...values].sort().join()) problems.push(`${tsName}: TS ${declared} vs schema ${values}`);
      return;
    }
    const decl = interfaces.get(tsName);
    if (!decl) return problems.push(`${tsName}: not declared`);
    const keys = Object.keys(def.properties ?? {});
    const declared = [...decl.props.keys()];
    if ([...declared].sort().join() !== [...keys].sort().join()) problems.push(`${tsName}: TS keys ${declared} vs schema ${keys}`);
    for (const k of keys) {
      const required = (def.required ?? []).includes(k);
      const optional = decl.props.get(k)?.optional;
      if (optional === required && !allowRequiredDiff.includes(k)) problems.push(`${tsName}.${k}: ${required ? "required" : "optional"} in the schema`);
    }
  };
  for (const [name, def] of Object.entries(defs)) {
    // Input is declared as the engine emits it (`required` always present); InputSpec is the authored form.
    check(name, def, name === "Input" ? { allowRequiredDiff: ["required"] } : {});
  }
  check("RulebookSpec", schema);
  // ProblemCode: the core's problem_codes! list.
  const errorRs = readFileSync(join(root, "crates/jixiao/src/error.rs"), "utf8");
  const block = /problem_codes! \{([\s\S]*?)\n\}/.exec(errorRs)?.[1] ?? "";
  const codes = [...block.matchAll(/=> "([a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(codes.length > 30, "problem codes found in error.rs");
  if ([...unions.get("ProblemCode")].sort().join() !== [...codes].sort().join()) {
    problems.push(`ProblemCode: TS ${unions.get("ProblemCode")} vs error.rs ${codes}`);
  }
  assert.deepEqual(problems, []);
});
