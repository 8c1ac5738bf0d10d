// The batch module (pkg/cjs/batch.js, the engine built with `--features batch`): a file of
// projects scored in WebAssembly gives, row by row, the very status, errors and scorecard
// `jixiao batch … -o out.jsonl` writes natively for the same file (one implementation,
// crates/jixiao-batch, in both).
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { jixiao, pkgDir, root, throwsJixiao } from "./helpers.mjs";

const batch = createRequire(import.meta.url)(join(pkgDir, "pkg/cjs/batch.js"));
// build.sh builds the CLI (it exports the shipped rulebooks with it).
const cli = join(root, "target/debug/jixiao");
const demoToml = join(root, "rules/demo/rulebook.toml");
const fixture = (name) => join(root, "tests/batch", name);

/** `jixiao batch` natively as JSON Lines records; exit 1 (some row failed) is a result too. */
function nativeBatch(file, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), "jixiao-batch-"));
  try {
    const out = join(dir, "out.jsonl");
    try {
      execFileSync(cli, ["batch", demoToml, file, "-o", out, "-q", ...extra], { stdio: "pipe" });
    } catch (e) {
      if (e.status !== 1 && e.status !== 3) throw e;
    }
    return readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The shipped rulebook as the package carries it (canonical JSON, scripts inlined).
const engine = new batch.Engine(jixiao.shippedRulebook("demo"));

for (const name of ["demo-bom.csv", "demo-gbk.csv", "demo-libreoffice.csv", "demo-libreoffice.xlsx", "demo.jsonl"]) {
  test(`batch parity: ${name}`, () => {
    const native = nativeBatch(fixture(name));
    const table = engine.scoreTable(readFileSync(fixture(name)), name);
    assert.equal(table.rows.length, native.length);
    table.rows.forEach((row, i) => {
      const want = native[i];
      assert.equal(row.row, want.row, `${name}: row numbers`);
      assert.equal(row.status, want.status, `${name} row ${row.row}`);
      assert.deepEqual(row.errors, want.errors ?? [], `${name} row ${row.row}: errors`);
      assert.deepEqual(row.scorecard, want.scorecard, `${name} row ${row.row}: scorecard`);
    });
  });
}

test("a header that names nothing suggests its input; a mapping names it, as --map does", () => {
  const text = readFileSync(fixture("demo-bom.csv"), "utf8").replace("实际到位资金", "实际到位资金额");
  const bytes = new TextEncoder().encode(text);
  const plain = engine.scoreTable(bytes, "renamed.csv");
  const warning = plain.warnings.find((w) => w.kind === "unknown_column" && w.header === "实际到位资金额");
  assert.equal(warning?.suggestion?.id, "funds_arrived");
  const column = plain.columns.find((c) => c.header === "实际到位资金额");
  assert.equal(column.target, null);

  const mapping = { 实际到位资金额: "funds_arrived" };
  const mapped = engine.scoreTable(bytes, "renamed.csv", { mapping });
  assert.equal(mapped.columns.find((c) => c.header === "实际到位资金额").target, "funds_arrived");
  const totals = mapped.rows.map((r) => r.scorecard.total);
  const native = nativeBatch(fixture("demo-bom.csv")).map((r) => r.scorecard.total);
  assert.deepEqual(totals, native);
});

test("projects export as the batch's XLSX result", () => {
  const table = engine.scoreTable(readFileSync(fixture("demo.jsonl")), "demo.jsonl");
  const submissions = table.rows.filter((r) => r.submission).map((r) => r.submission);
  const xlsx = engine.resultsXlsx(submissions, "zh");
  assert.ok(xlsx instanceof Uint8Array);
  const text = Buffer.from(xlsx).toString("latin1");
  assert.ok(text.startsWith("PK"), "a zip");
  for (const part of ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet4.xml", "xl/workbook.xml"]) {
    assert.ok(text.includes(part), part);
  }
});

test("files refused whole say why, as JixiaoErrors", () => {
  throwsJixiao(() => engine.scoreTable(new Uint8Array([1, 2, 3]), "projects.pdf"), "table", "io");
  throwsJixiao(() => engine.scoreTable(new TextEncoder().encode("总分,等级\n90,优\n"), "x.csv"), "table", "unknown_input");
  throwsJixiao(
    () => engine.scoreTable(new TextEncoder().encode("a,b\n"), "x.csv", { mapping: { a: "nothing" } }),
    "table",
    "unknown_input",
  );
  throwsJixiao(() => engine.scoreTable(new Uint8Array(0), "x.csv", { headerRow: 0 }), "argument", "wrong_type");
  throwsJixiao(() => engine.scoreTable(new Uint8Array(0), "x.csv", { sheets: "a" }), "argument", "wrong_type");
  const damaged = readFileSync(fixture("damaged-cell-reference.xlsx"));
  throwsJixiao(() => engine.scoreTable(damaged, "damaged.xlsx"), "table", "io");
  // Still usable after each refusal.
  assert.equal(engine.scoreTable(readFileSync(fixture("demo-bom.csv")), "demo-bom.csv").rows.length, 3);
});
