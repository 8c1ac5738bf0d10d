// The report module (pkg/cjs/report.js, built from bindings/wasm-report): for every shared
// vector, the DOCX and the text it makes from the rulebook's JSON and the expected scorecard
// are the very bytes `jixiao report` writes natively from the rulebook and the submission.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pkgDir, root, vectors, throwsJixiao } from "./helpers.mjs";

const reports = createRequire(import.meta.url)(join(pkgDir, "pkg/cjs/report.js"));
// build.sh builds the CLI (it exports the shipped rulebooks with it).
const cli = join(root, "target/debug/jixiao");

/** `jixiao report` natively: exit 3 (written, some indicator unscored) is a success here. */
function nativeReport(v, format, dir) {
  const out = join(dir, `report.${format}`);
  try {
    execFileSync(cli, ["report", join(root, v.rulebook), join(root, v.submission), "-o", out, "--format", format], {
      stdio: "pipe",
    });
  } catch (e) {
    if (e.status !== 3) throw e;
  }
  return readFileSync(out);
}

for (const v of vectors()) {
  test(`report parity: ${v.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "jixiao-report-"));
    try {
      for (const format of ["docx", "text"]) {
        const native = nativeReport(v, format, dir);
        const wasm = reports.report(v.rulebookText, v.expectedText, format, "zh");
        assert.ok(wasm instanceof Uint8Array, "bytes");
        assert.ok(
          Buffer.from(wasm).equals(native),
          `${v.name}: the WASM ${format} report differs from the native one (${wasm.length} vs ${native.length} bytes)`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("the summary of a pack's projects holds each total", () => {
  const pack = vectors().filter((v) => v.name.startsWith("gov-it-post-"));
  const cards = pack.map((v) => v.expectedText);
  const bytes = reports.summary(pack[0].rulebookText, `[${cards.join(",")}]`, "text", "zh");
  const text = Buffer.from(bytes).toString("utf8");
  assert.match(text, /^绩效评价结果汇总\n/);
  assert.match(text, new RegExp(`本次共评价 ${cards.length} 个项目`));
  for (const card of cards) assert.ok(text.includes(String(JSON.parse(card).total)), JSON.parse(card).total);
  const docx = reports.summary(pack[0].rulebookText, `[${cards.join(",")}]`, "docx", "en");
  assert.equal(Buffer.from(docx.slice(0, 2)).toString(), "PK", "a zip package");
});

test("bad input is a named JixiaoError, and the module goes on", () => {
  const [v] = vectors();
  const e = throwsJixiao(() => reports.report(v.rulebookText, "{\"total\": 1}", "docx", "zh"), "report", "report_scorecard");
  assert.match(e.message, /评分结果 JSON 无效/);
  throwsJixiao(() => reports.report("{}", v.expectedText, "docx", "zh"), "report", "report_rulebook");
  throwsJixiao(() => reports.report(v.rulebookText, v.expectedText, "pdf", "zh"), "argument", "wrong_type");
  throwsJixiao(() => reports.report(v.rulebookText, v.expectedText, "docx", "fr"), "argument", "wrong_type");
  throwsJixiao(() => reports.summary(v.rulebookText, "{}", "docx", "zh"), "report", "report_scorecard");
  assert.ok(reports.report(v.rulebookText, v.expectedText, "html", "en").length > 1000, "still usable");
});
