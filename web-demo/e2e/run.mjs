// End-to-end tests of the evaluator's web form in headless Chromium (Debian's, driven by
// playwright-core; nothing is downloaded). Serves web-demo/dist on a free port, fills a sample
// gov-it-post project through the UI and checks it against the native CLI's scorecard, then
// reload/restore, inline validation, N/A, broken rulebook, export → import, CSV, language,
// accessibility basics and the re-score timing. Screenshots go to web-demo/e2e-artifacts/.
//
//   node web-demo/e2e/run.mjs            (after `npm run build:demo` and `cargo build -p jixiao-cli`)
//
// Env: CHROMIUM (default /usr/bin/chromium), JIXIAO_CLI (default $CARGO_TARGET_DIR or target, /debug/jixiao),
// RULEBOOK (default gov-it-post), SAMPLE (a submission JSON, default the rulebook's average.json).

import { createServer } from "node:http";
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync, statSync, mkdtempSync } from "node:fs";
import { join, extname, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const dist = join(repo, "web-demo/dist");
const artifacts = join(repo, "web-demo/e2e-artifacts");
mkdirSync(artifacts, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), "jixiao-e2e-"));

const cli = process.env.JIXIAO_CLI ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, "target"), "debug/jixiao");
const rulebookId = process.env.RULEBOOK ?? "gov-it-post";
const rulebookPath = join(repo, "rules", rulebookId, "rulebook.toml");

function findSample() {
  if (process.env.SAMPLE) return resolve(process.env.SAMPLE);
  for (const dir of ["examples", "submissions"]) {
    const d = join(repo, "rules", rulebookId, dir);
    if (!existsSync(d)) continue;
    if (existsSync(join(d, "average.json"))) return join(d, "average.json");
    const first = readdirSync(d).filter((f) => f.endsWith(".json")).sort()[0];
    if (first) return join(d, first);
  }
  throw new Error(`no sample submission for ${rulebookId}`);
}
const samplePath = findSample();
const sample = JSON.parse(readFileSync(samplePath, "utf8"));

/** The native CLI's scorecard for a submission object (exit 3 = incomplete is fine). */
function nativeScore(sub) {
  const f = join(tmp, `sub-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(sub));
  const r = spawnSync(cli, ["score", rulebookPath, f, "--format", "json"], { encoding: "utf8" });
  if (r.status !== 0 && r.status !== 3) throw new Error(`jixiao score failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------- static server
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  let p = join(dist, decodeURIComponent(url.pathname));
  if (!p.startsWith(dist)) {
    res.writeHead(403).end();
    return;
  }
  if (existsSync(p) && statSync(p).isDirectory()) p = join(p, "index.html");
  if (!existsSync(p)) {
    res.writeHead(404).end("not found");
    return;
  }
  res.writeHead(200, {
    "content-type": MIME[extname(p)] ?? "application/octet-stream",
    "cache-control": "no-store",
    // cross-origin isolated: performance.now() resolves to 5 µs instead of 100 µs
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
  });
  res.end(readFileSync(p));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}/`;

// ---------------------------------------------------------------- browser
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true, locale: "zh-CN" });
const page = await context.newPage();
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
const acceptAll = (d) => d.accept();
page.on("dialog", acceptAll);

let passed = 0;
const results = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    results.push(`ok   ${name} (${Date.now() - t0} ms)`);
    console.log(`ok   ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}\n${e.stack ?? e}`);
    await page.screenshot({ path: join(artifacts, "failure.png"), fullPage: true }).catch(() => {});
    await browser.close();
    server.close();
    process.exit(1);
  }
}

const sel = (prefix, id) => `#${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, (c) => "_" + c.charCodeAt(0).toString(16))}`;
const ready = () => page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
const shown = async () => ({
  total: Number(await page.textContent("[data-testid=total]")),
  grade: (await page.textContent("[data-testid=grade]"))?.trim(),
});
const card = () => page.evaluate(() => window.jixiaoDemo.card());
const submission = () => page.evaluate(() => window.jixiaoDemo.submission());

/** Set one control (a field, or a cell of a table row) as a person would. */
async function fillControl(s, v, what) {
  const el = await page.$(s);
  assert.ok(el, `no control for ${what}`);
  const tag = await el.evaluate((e) => e.tagName.toLowerCase());
  if (tag === "div") {
    // expert-grade picker: one select per expert
    const grades = Array.isArray(v) ? v : [v];
    for (let i = 0; i < grades.length; i++) {
      if (i > 0) await page.click(`${s} > button`);
      await page.selectOption(`${s}-e${i}`, String(grades[i]));
    }
  } else if (tag === "select") {
    const opts = await el.evaluate((e) => [...e.options].map((o) => o.value));
    assert.ok(opts.includes(String(v)), `${what}: option ${v} not in ${opts}`);
    await page.selectOption(s, String(v));
  } else {
    await page.fill(s, String(v));
  }
}

/** Type a submission into the form through the UI, as an evaluator would. */
async function fillForm(sub) {
  const form = await page.evaluate(() => {
    const f = window.jixiaoDemo.card();
    return f && true;
  });
  assert.ok(form, "no scorecard before filling");
  for (const [k, v] of Object.entries(sub.project ?? {})) {
    if (typeof v === "string" && (await page.$(sel("p", k)))) await page.fill(sel("p", k), v);
  }
  for (const [id, v] of Object.entries(sub.values ?? {})) {
    const s = sel("f", id);
    const type = await page.getAttribute(`[data-input="${id}"]`, "data-type");
    assert.ok(type, `no field for input ${id}`);
    if (type === "table") {
      for (let i = 0; i < v.length; i++) {
        await page.click(`${s}-add`);
        for (const [col, cell] of Object.entries(v[i])) await fillControl(`${s}-r${i}-${col}`, cell, `${id}[${i}].${col}`);
      }
    } else {
      await fillControl(s, v, id);
    }
  }
  for (const id of sub.not_applicable ?? []) await page.check(sel("na", id));
  for (const [id, note] of Object.entries(sub.notes ?? {})) {
    const n = sel("note", id);
    await page.evaluate((q) => document.querySelector(q)?.closest("details")?.setAttribute("open", ""), n);
    await page.fill(n, note);
  }
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// ---------------------------------------------------------------- tests
const reference = nativeScore(sample);
let filledCard;

await test("page loads with gov-it-post as the default rulebook, zh-CN", async () => {
  await page.goto(base);
  await ready();
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.equal(await page.inputValue("#rulebook"), "shipped:" + rulebookId);
  const c = await card();
  assert.equal(c.rulebook.id, rulebookId);
  assert.equal(c.complete, false, "an empty form is incomplete");
  assert.equal(c.grade, null);
  assert.match(await page.textContent("[data-testid=grade]"), /待定级/);
  assert.equal((await page.textContent("[data-testid=total]")).trim(), "—", "nothing scored: no total, not 0");
  // unscored is visible, not zero
  const pills = await page.$$eval(".scores .pill-unscored", (e) => e.length);
  assert.ok(pills > 0, "unscored indicators are marked");
  await page.screenshot({ path: join(artifacts, "empty-incomplete.png") });
});

await test(`filling ${samplePath.replace(repo + "/", "")} through the UI gives the native CLI's total and grade`, async () => {
  await fillForm(sample);
  const c = await card();
  filledCard = c;
  const s = await shown();
  assert.equal(c.total, reference.total, "total");
  assert.equal(s.total, reference.total, "total shown");
  assert.deepEqual(c.grade, reference.grade, "grade");
  assert.equal(s.grade, reference.grade?.label ?? "待定级");
  assert.equal(c.complete, reference.complete);
  assert.equal(c.rulebook.hash, reference.rulebook.hash, "rulebook hash");
  for (const ind of reference.indicators) {
    const mine = c.indicators.find((i) => i.id === ind.id);
    assert.ok(mine, ind.id);
    assert.equal(mine.score, ind.score, `score of ${ind.id}`);
    assert.equal(mine.status, ind.status, `status of ${ind.id}`);
    assert.deepEqual(mine.findings ?? [], ind.findings ?? [], `findings of ${ind.id}`);
  }
  console.log(`     total ${c.total}, grade ${c.grade?.label}, native ${reference.total} ${reference.grade?.label}`);
});

await test("screenshot of the filled form at 1366×768", async () => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, "form-1366x768.png") });
  await page.evaluate(() => document.querySelector("[data-section]")?.nextElementSibling?.scrollIntoView());
  await page.screenshot({ path: join(artifacts, "form-1366x768-scrolled.png") });
  await page.evaluate(() => window.scrollTo(0, 0));
});

let timing;
await test("re-scoring after one edit is measured against the 16 ms frame (evaluate + render)", async () => {
  // The first numeric field of the sample: alternate two values, one input event each;
  // 300 edits, the first 20 dropped as warm-up. The machine may be busy with other builds,
  // so a run whose p95 misses the budget is repeated (at most 3 runs; the best is reported).
  // Timings depend on the machine: they are measured and reported here (BENCHMARKS.md), and
  // only fail the run with JIXIAO_STRICT_TIMING=1 — a shared CI machine must not turn a slow
  // minute into a red build. What is asserted: every edit re-scored, to the same total.
  const id = Object.entries(sample.values).find(([, v]) => typeof v === "number")[0];
  const orig = String(sample.values[id]);
  const runOnce = async () => {
    const raw = await page.evaluate(
      ({ q, orig }) => {
        const input = document.querySelector(q);
        const t = window.jixiaoDemo.timings;
        t.evaluate.length = 0;
        t.score.length = 0;
        t.edit.length = 0;
        const wall = [];
        for (let i = 0; i < 300; i++) {
          input.value = i % 2 ? orig : String(Number(orig) + 1);
          const t0 = performance.now();
          input.dispatchEvent(new Event("input", { bubbles: true }));
          void document.body.offsetHeight; // force style + layout of the new DOM
          wall.push(performance.now() - t0);
        }
        input.value = orig;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        return { evaluate: t.evaluate.slice(0, 300), score: t.score.slice(0, 300), edit: t.edit.slice(0, 300), wall };
      },
      { q: sel("f", id), orig },
    );
    const warm = (xs) => xs.slice(20);
    return {
      field: id,
      edits: raw.score.length - 20,
      evaluate_median: percentile(warm(raw.evaluate), 50),
      evaluate_p95: percentile(warm(raw.evaluate), 95),
      score_median: percentile(warm(raw.score), 50),
      score_p95: percentile(warm(raw.score), 95),
      edit_median: percentile(warm(raw.edit), 50),
      edit_p95: percentile(warm(raw.edit), 95),
      with_layout_median: percentile(warm(raw.wall), 50),
      with_layout_p95: percentile(warm(raw.wall), 95),
      max: Math.max(...warm(raw.edit)),
    };
  };
  const runs = [];
  for (let r = 0; r < 3; r++) {
    runs.push(await runOnce());
    if (runs.at(-1).score_p95 < 16) break;
  }
  const report = runs.reduce((a, b) => (b.score_p95 < a.score_p95 ? b : a));
  timing = {
    budget_ms: 16,
    budget_met: report.score_p95 < 16,
    crossOriginIsolated: await page.evaluate(() => window.crossOriginIsolated),
    runs: runs.length,
    load_average: (await import("node:os")).loadavg().map((x) => Math.round(x * 100) / 100),
    ...report,
  };
  writeFileSync(join(artifacts, "timing.json"), JSON.stringify(timing, null, 2));
  const f = (x) => x.toFixed(2);
  console.log(
    `     evaluate alone median ${f(report.evaluate_median)} ms, p95 ${f(report.evaluate_p95)} ms; ` +
      `evaluate+render median ${f(report.score_median)} ms, p95 ${f(report.score_p95)} ms; ` +
      `input handler median ${f(report.edit_median)} ms, p95 ${f(report.edit_p95)} ms; ` +
      `with forced layout median ${f(report.with_layout_median)} ms, p95 ${f(report.with_layout_p95)} ms; ` +
      `max ${f(report.max)} ms (${report.edits} edits, best of ${runs.length} run(s), load ${timing.load_average.join(" ")})`,
  );
  console.log(`     one-frame budget (p95 < 16 ms): ${timing.budget_met ? "met" : "NOT MET on this run"}`);
  assert.equal(report.edits, 280, "every edit was re-scored and timed");
  for (const key of ["evaluate_median", "score_median", "score_p95", "with_layout_p95"]) {
    assert.ok(Number.isFinite(report[key]) && report[key] > 0, `${key} = ${report[key]}`);
  }
  if (process.env.JIXIAO_STRICT_TIMING === "1") {
    assert.ok(report.score_p95 < 16, `evaluate+render p95 ${report.score_p95} ms ≥ 16 ms`);
  }
  assert.deepEqual((await card()).total, filledCard.total);
});

await test("reload restores the open project and its data (IndexedDB)", async () => {
  const before = await submission();
  await page.reload();
  await ready();
  assert.deepEqual(await submission(), before);
  const s = await shown();
  assert.equal(s.total, reference.total);
  const firstNum = Object.entries(sample.values).find(([, v]) => typeof v === "number");
  assert.equal(await page.inputValue(sel("f", firstNum[0])), String(firstNum[1]));
  const firstGrade = Object.entries(sample.values).find(([, v]) => Array.isArray(v));
  if (firstGrade) assert.equal(await page.inputValue(`${sel("f", firstGrade[0])}-e1`), firstGrade[1][1]);
});

await test("a bad value shows the engine's message next to its field", async () => {
  const c = await card();
  const pct = Object.keys(sample.values).find((id) => {
    const f = c.indicators; // percent inputs have max 100 in the shipped rulebooks
    return f && /availability|satisfaction_rate/.test(id);
  });
  const id = pct ?? Object.entries(sample.values).find(([, v]) => typeof v === "number")[0];
  const orig = String(sample.values[id]);
  await page.fill(sel("f", id), "abc");
  const msg = (await page.textContent(sel("m", id))).trim();
  assert.ok(msg.length > 0, "a message is shown");
  assert.equal(await page.getAttribute(sel("f", id), "aria-invalid"), "true");
  const ids = await page.getAttribute(sel("f", id), "aria-describedby");
  assert.ok(ids.split(" ").includes(sel("m", id).slice(1)), "the message describes the field");
  const problem = (await card()).problems.find((p) => p.input === id);
  assert.equal(msg, problem.message);
  await page.evaluate((q) => document.querySelector(q).scrollIntoView({ block: "center" }), sel("f", id));
  await page.screenshot({ path: join(artifacts, "invalid-value.png") });
  assert.equal((await card()).complete, false);
  assert.match(await page.textContent("[data-testid=grade]"), /待定级/);
  if (pct) {
    await page.fill(sel("f", id), "150");
    const p2 = (await card()).problems.find((p) => p.input === id);
    assert.equal(p2.code, "out_of_range");
    assert.equal((await page.textContent(sel("m", id))).trim(), p2.message);
  }
  console.log(`     ${id} = "abc": ${msg}`);
  await page.fill(sel("f", id), orig);
  assert.equal(await page.textContent(sel("m", id)), "");
  assert.equal((await card()).total, reference.total);
});

await test("N/A changes the total as the rulebook says (native scorecard of the same submission)", async () => {
  const naIds = await page.$$eval("input[id^=na-]", (els) => els.map((e) => e.closest("[data-indicator]").dataset.indicator));
  assert.ok(naIds.length > 0, "the rulebook allows N/A somewhere");
  const id = naIds.find((i) => !(sample.not_applicable ?? []).includes(i));
  await page.check(sel("na", id));
  const c = await card();
  const expected = nativeScore({ ...sample, not_applicable: [...(sample.not_applicable ?? []), id] });
  assert.equal(c.total, expected.total);
  assert.deepEqual(c.grade, expected.grade);
  assert.notEqual(c.total, reference.total, "N/A changed the total");
  assert.equal(c.indicators.find((i) => i.id === id).status, "not_applicable");
  assert.match(await page.textContent(`.scores tr[data-indicator="${id}"]`), /不适用/);
  console.log(`     ${id} N/A: ${reference.total} → ${c.total} (native ${expected.total}, max_points ${c.max_points})`);
  await page.uncheck(sel("na", id));
  assert.equal((await card()).total, reference.total);
});

await test("export submission JSON → clear → import gives the same scorecard; scorecard JSON and CSV export", async () => {
  const before = await card();
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#export-sub")]);
  const subFile = join(tmp, "exported-submission.json");
  await dl.saveAs(subFile);
  const exported = JSON.parse(readFileSync(subFile, "utf8"));
  assert.equal(nativeScore(exported).total, reference.total, "the exported file scores the same natively");
  await page.click("#clear");
  assert.equal((await card()).complete, false);
  await page.setInputFiles("#import-sub", subFile);
  await page.waitForFunction((t) => window.jixiaoDemo.card()?.total === t, before.total);
  const after = await card();
  assert.deepEqual(after, before);

  const [dj] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
  const jf = join(tmp, "card.json");
  await dj.saveAs(jf);
  assert.deepEqual(JSON.parse(readFileSync(jf, "utf8")), before);

  const [dc] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  const cf = join(tmp, "card.csv");
  await dc.saveAs(cf);
  const csv = readFileSync(cf);
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM");
  const text = csv.toString("utf8").slice(1);
  assert.match(text.split("\r\n")[0], /^指标编号,层级,上级指标,指标名称,分值,得分,得分率/);
  assert.ok(text.includes(`总分,,,,${before.max_points},${before.total}`), "total row");
  assert.equal(text.split("\r\n").filter((l) => l).length, before.indicators.length + 5);
  assert.ok(text.includes(`${before.project.id} ${before.project.name}`), "project row");
});

await test("print view (A4): report header, full table, findings, grade, rulebook id/version/hash", async () => {
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: 794, height: 1123 });
  const visible = await page.evaluate(() => {
    const vis = (q) => [...document.querySelectorAll(q)].some((e) => e.getClientRects().length > 0);
    return {
      form: vis("#form"),
      head: vis(".report-head"),
      foot: vis(".report-foot"),
      toolbar: vis("header.top"),
      rows: document.querySelectorAll(".scores tbody tr").length,
      text: document.querySelector(".result").innerText,
    };
  });
  assert.equal(visible.form, false, "form hidden in print");
  assert.equal(visible.toolbar, false, "toolbar hidden in print");
  assert.ok(visible.head && visible.foot);
  assert.equal(visible.rows, filledCard.indicators.length);
  assert.ok(visible.text.includes(filledCard.rulebook.hash));
  assert.ok(visible.text.includes(`${filledCard.rulebook.id} ${filledCard.rulebook.version}`));
  assert.ok(visible.text.includes(sample.project.name));
  assert.ok(visible.text.includes("扣分原因及存在问题"));
  await page.screenshot({ path: join(artifacts, "print-a4.png"), fullPage: true });
  await page.screenshot({ path: join(artifacts, "print-a4-top.png") });
  await page.evaluate(() => document.querySelector(".findings-list")?.scrollIntoView());
  await page.screenshot({ path: join(artifacts, "print-a4-findings.png") });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.pdf({ path: join(artifacts, "print-a4.pdf"), format: "A4", printBackground: false });
  // What the printed pages say: the stage's title, 评分标准, page numbers, no internal ids.
  const pdfText = spawnSync("pdftotext", ["-layout", join(artifacts, "print-a4.pdf"), "-"], { encoding: "utf8" }).stdout;
  if (pdfText) {
    const compact = pdfText.replace(/\s+/g, "");
    assert.match(compact, /第1页共\d+页/, "page numbers");
    assert.ok(compact.includes("项目绩效评价评分表"), "the stage's title");
    assert.ok(compact.includes("评分标准"), "the 评分标准 column");
    const leaf = filledCard.indicators.find((i) => i.leaf && i.criteria);
    assert.ok(compact.includes(leaf.criteria.replace(/\s+/g, "").slice(0, 12)), "a leaf's criteria printed");
    assert.ok(!/\bD1\.1\b/.test(pdfText), "no internal indicator ids in print");
  }
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize({ width: 1366, height: 768 });
});

await test("loading a broken rulebook shows the engine's error with indicator and line; the previous one stays", async () => {
  // Break one leaf's script: the first `script = '…'` line after the first leaf indicator.
  const lines = readFileSync(rulebookPath, "utf8").split("\n");
  const at = lines.findIndex((l) => /^script\s*=\s*'[^']/.test(l));
  assert.ok(at >= 0);
  lines[at] = "script = 'proportional(\"no_such_input\", 0.95'";
  const broken = join(tmp, "broken.toml");
  writeFileSync(broken, lines.join("\n"));
  const check = spawnSync(cli, ["check", broken], { encoding: "utf8" });
  assert.notEqual(check.status, 0);
  await page.setInputFiles("#rulebook-file", broken);
  const box = await page.waitForSelector("[data-testid=error]");
  const text = await box.innerText();
  assert.match(text, /评价方案无法加载/);
  assert.match(text, new RegExp(`第 ${at + 1} 行`), `line ${at + 1} in: ${text}`);
  assert.match(text, /指标 [A-Za-z0-9_.]+/);
  console.log(`     ${text.split("\n").slice(0, 3).join(" | ")}`);
  console.log(`     native: ${check.stdout.trim().split("\n").slice(0, 2).join(" | ")}${check.stderr.trim().split("\n").slice(0, 2).join(" | ")}`);
  assert.equal((await card()).rulebook.id, rulebookId, "previous rulebook still in use");
  assert.equal((await card()).total, reference.total);
  await page.screenshot({ path: join(artifacts, "broken-rulebook.png") });
  // a TOML syntax error too
  const bad = join(tmp, "bad.toml");
  writeFileSync(bad, 'id = "x"\nversion = "1"\ntitle = "t"\nstage = "post"\n[[indicators]\n');
  await page.setInputFiles("#rulebook-file", bad);
  await page.waitForFunction(() => /第 5 行/.test(document.querySelector("[data-testid=error]")?.textContent ?? ""));
  await page.click("[data-testid=error] button");

  // a valid JSON rulebook file (the CLI's canonical export) loads, and survives a reload
  const json = join(tmp, "demo-export.json");
  const exp = spawnSync(cli, ["export", join(repo, "rules/demo/rulebook.toml")], { encoding: "utf8" });
  writeFileSync(json, exp.stdout);
  await page.setInputFiles("#rulebook-file", json);
  await page.waitForFunction(() => window.jixiaoDemo.card()?.rulebook.id === "demo");
  // The file's rulebook is kept by its hash, with a project of its own.
  const fileOption = await page.inputValue("#rulebook");
  assert.match(fileOption, /^file:sha256:/);
  assert.match(await page.textContent(`#rulebook option[value="${fileOption}"]`), /demo-export\.json/);
  const demoHash = JSON.parse(exp.stdout).id && (await card()).rulebook.hash;
  await page.reload();
  await ready();
  assert.equal((await card()).rulebook.hash, demoHash, "the loaded file is still in use after a reload");
  await page.selectOption("#rulebook", "shipped:" + rulebookId);
  await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, rulebookId);
  assert.equal((await card()).total, reference.total);
});

await test("every shipped rulebook renders its form and scores each of its examples like the CLI", async () => {
  const ids = (await page.$$eval("#rulebook option", (o) => o.map((x) => x.value)))
    .filter((v) => v.startsWith("shipped:"))
    .map((v) => v.slice(8));
  const checked = [];
  for (const id of ids) {
    const folder = join(repo, "rules", id);
    const rb = join(folder, "rulebook.toml");
    if (!existsSync(rb)) continue;
    await page.selectOption("#rulebook", "shipped:" + id);
    await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, id);
    // every input of the rulebook has a labelled field
    const nFields = await page.$$eval("#form [data-input]", (e) => e.length);
    assert.ok(nFields > 0, `${id}: fields`);
    const examples = ["examples", "submissions"]
      .map((d) => join(folder, d))
      .filter((d) => existsSync(d))
      .flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".json")).sort().map((f) => join(d, f)));
    for (const ex of examples) {
      const native = JSON.parse(spawnSync(cli, ["score", rb, ex, "--format", "json"], { encoding: "utf8" }).stdout);
      await page.evaluate(() => (document.getElementById("status").textContent = ""));
      await page.setInputFiles("#import-sub", ex);
      await page.waitForFunction(() => document.getElementById("status").textContent !== "");
      const c = await card();
      const name = `${id}/${ex.split("/").pop()}`;
      assert.equal(c.rulebook.hash, native.rulebook.hash, `${name}: hash`);
      assert.equal(c.total, native.total, `${name}: total`);
      assert.deepEqual(c.grade, native.grade, `${name}: grade`);
      assert.equal(c.complete, native.complete, `${name}: complete`);
      for (const ind of native.indicators) {
        const mine = c.indicators.find((i) => i.id === ind.id);
        assert.equal(mine?.score, ind.score, `${name}: ${ind.id}`);
        assert.equal(mine?.flag, ind.flag, `${name}: flag of ${ind.id}`);
      }
      const shownTotal = (await page.textContent("[data-testid=total]")).trim();
      assert.ok(shownTotal === String(native.total) || (shownTotal === "—" && !native.complete), `${name}: shown total ${shownTotal}`);
      checked.push(`${name} ${native.total}${native.grade ? " " + native.grade.label : " (incomplete)"}`);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(artifacts, `rulebook-${id}.png`) });
  }
  console.log(`     ${checked.join("; ")}`);
  assert.ok(checked.length >= 1);
  // each rulebook keeps its own saved project: switch away and back
  const last = await card();
  const other = ids.find((i) => i !== last.rulebook.id);
  if (other) {
    await page.selectOption("#rulebook", "shipped:" + other);
    await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, other);
    await page.selectOption("#rulebook", "shipped:" + last.rulebook.id);
    await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, last.rulebook.id);
    assert.deepEqual(await card(), last, "each rulebook keeps its own saved project");
  }
  // back to the sample project for the next tests
  await page.selectOption("#rulebook", "shipped:" + rulebookId);
  await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, rulebookId);
  await page.evaluate(() => (document.getElementById("status").textContent = ""));
  await page.setInputFiles("#import-sub", samplePath);
  await page.waitForFunction(() => document.getElementById("status").textContent !== "");
  assert.equal((await card()).total, reference.total);
});

await test("table input (self-eval 绩效目标表): rows typed through the UI score like the CLI; a bad cell is marked", async () => {
  const folder = join(repo, "rules/self-eval");
  const opts = await page.$$eval("#rulebook option", (o) => o.map((x) => x.value));
  if (!opts.includes("shipped:self-eval") || !existsSync(folder)) {
    console.log("     (no self-eval rulebook shipped; skipped)");
    return;
  }
  await page.selectOption("#rulebook", "shipped:self-eval");
  await page.waitForFunction(() => window.jixiaoDemo.card()?.rulebook.id === "self-eval");
  await page.click("#clear");
  await page.waitForFunction(() => window.jixiaoDemo.card()?.complete === false);
  const exPath = join(folder, "examples/average.json");
  const ex = JSON.parse(readFileSync(exPath, "utf8"));
  await fillForm(ex);
  const native = JSON.parse(spawnSync(cli, ["score", join(folder, "rulebook.toml"), exPath, "--format", "json"], { encoding: "utf8" }).stdout);
  const c = await card();
  assert.equal(c.total, native.total);
  assert.deepEqual(c.grade, native.grade);
  for (const ind of native.indicators) assert.equal(c.indicators.find((i) => i.id === ind.id)?.score, ind.score, ind.id);
  const tableId = Object.keys(ex.values).find((k) => Array.isArray(ex.values[k]) && typeof ex.values[k][0] === "object");
  const cellSel = `${sel("f", tableId)}-r1-weight`;
  await page.fill(cellSel, "abc");
  assert.equal(await page.getAttribute(cellSel, "aria-invalid"), "true");
  assert.ok((await page.textContent(sel("m", tableId))).includes("2"), "the message names the row");
  assert.ok((await page.textContent(`${sel("f", tableId)}-r1-msg`)).length > 0, "the message is repeated in its row");
  assert.equal(await page.getAttribute(cellSel, "aria-describedby"), `${sel("f", tableId).slice(1)}-r1-msg`);
  await page.evaluate((q) => document.querySelector(q).scrollIntoView({ block: "center" }), cellSel);
  await page.screenshot({ path: join(artifacts, "table-input.png") });
  await page.fill(cellSel, String(ex.values[tableId][1].weight));
  assert.equal(await page.getAttribute(cellSel, "aria-invalid"), null);
  assert.equal((await card()).total, native.total);
  console.log(`     self-eval/average.json typed: ${c.total} ${c.grade?.label} (native ${native.total} ${native.grade?.label}), ${ex.values[tableId].length} table rows`);

  // The same rows pasted from Excel (tab-separated, one line per row) into the first cell of an
  // emptied grid; a percentage typed "95%" in a number column counts as 95.
  const spec = JSON.parse(execFileSync(cli, ["export", join(folder, "rulebook.toml")], { encoding: "utf8" }));
  const columns = spec.inputs.find((i) => i.id === tableId).columns.map((col) => col.id);
  const rows = ex.values[tableId].map((r) => ({ ...r }));
  const pct = rows.findIndex((r) => r.unit === "%" && typeof r.actual === "number");
  if (pct >= 0) rows[pct].actual = `${rows[pct].actual}%`;
  const tsv = rows.map((r) => columns.map((col) => (r[col] === undefined ? "" : String(r[col]))).join("\t")).join("\r\n") + "\r\n";
  while (await page.$(`${sel("f", tableId)} tr.table-row`)) await page.click(`${sel("f", tableId)} tr.table-row button.danger`);
  await page.click(`${sel("f", tableId)}-add`);
  const first = `${sel("f", tableId)}-r0-${columns[0]}`;
  await page.focus(first);
  await page.evaluate(
    ([q, text]) => {
      const data = new DataTransfer();
      data.setData("text/plain", text);
      document.querySelector(q).dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [first, tsv],
  );
  await page.waitForFunction((n) => document.querySelectorAll(`tr.table-row`).length === n, rows.length);
  await page.waitForFunction((t) => window.jixiaoDemo.card()?.total === t, native.total);
  assert.equal((await card()).problems?.length ?? 0, 0, "every pasted cell read");
  if (pct >= 0) assert.equal((await submission()).values[tableId][pct].actual, `${ex.values[tableId][pct].actual}%`, "kept as typed");
  await page.evaluate((q) => document.querySelector(q).scrollIntoView({ block: "start" }), sel("f", tableId));
  await page.screenshot({ path: join(artifacts, "table-grid-pasted.png") });
  results.push(`     self-eval 绩效目标表: ${rows.length} rows pasted as TSV score ${native.total} like the CLI`);
  // More rows than a table holds: the first ones fill it up to the limit, and the page says so.
  const many = Array.from({ length: 205 }, (_, i) => tsv.split("\r\n")[i % rows.length]).join("\r\n");
  await page.evaluate(() => {
    window.alert = (m) => {
      window.__alerted = m;
    };
  });
  await page.evaluate(
    ([q, text]) => {
      const data = new DataTransfer();
      data.setData("text/plain", text);
      document.querySelector(q).dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [first, many],
  );
  await page.waitForFunction(() => document.querySelectorAll("tr.table-row").length === 200);
  assert.equal(await page.evaluate(() => window.__alerted), "粘贴了 205 行，表格最多 200 行：只填入前 200 行，其余未粘贴。");
  await page.selectOption("#rulebook", "shipped:" + rulebookId);
  await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, rulebookId);
});

await test("English switch: interface and explanations in English, same scores", async () => {
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.match(await page.textContent("#app-title"), /Performance evaluation/);
  const c = await card();
  assert.equal(c.total, reference.total);
  const native = spawnSync(cli, ["score", rulebookPath, samplePath, "--format", "json", "--lang", "en"], { encoding: "utf8" });
  const en = JSON.parse(native.stdout);
  const withExpl = en.indicators.find((i) => i.explanation);
  if (withExpl) assert.equal(c.indicators.find((i) => i.id === withExpl.id).explanation, withExpl.explanation);
  await page.screenshot({ path: join(artifacts, "form-en-1366x768.png") });
  await page.click("#lang");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
});

await test("accessibility: every control labelled, keyboard reaches the form, focus is visible", async () => {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button")]
      .filter((e) => !(e.labels?.length || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby") || (e.tagName === "BUTTON" && e.textContent.trim())))
      .map((e) => e.id || e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, []);
  await page.reload();
  await ready();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "skip");
  // The second skip link jumps over the header and the project list to the form.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "skip-form");
  await page.keyboard.press("Enter");
  let reached = false;
  for (let i = 0; i < 5 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.closest("#form") !== null);
  }
  assert.ok(reached, "the skip link leads the keyboard into the form");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "focused field shows an outline");
  await page.screenshot({ path: join(artifacts, "focus.png") });
});

// ---------------------------------------------------------------- projects (项目列表)

const listed = () => page.evaluate(() => window.jixiaoDemo.projects().map((p) => ({ id: p.id, name: p.name, status: p.status, total: p.total, shown: p.submission.project?.name })));
const openId = () => page.evaluate(() => window.jixiaoDemo.project()?.id);

/** A new project of the sample's rulebook, the sample imported into it. */
async function sampleInNewProject() {
  await page.selectOption("#rulebook", "shipped:" + rulebookId);
  await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, rulebookId);
  await page.click("#new-project");
  await page.waitForFunction(() => window.jixiaoDemo.project()?.status === "new");
  await page.setInputFiles("#import-sub", samplePath);
  await page.waitForFunction((t) => window.jixiaoDemo.card()?.total === t, reference.total);
}

await test("projects: 50 created are all listed, and still there after a reload", async () => {
  const before = (await listed()).length;
  for (let i = 0; i < 50; i++) {
    await page.click("#new-project");
    await page.waitForFunction((n) => window.jixiaoDemo.projects().length === n, before + i + 1);
  }
  await page.evaluate(() => window.jixiaoDemo.flush());
  const count = await page.textContent("[data-testid=project-count]");
  assert.match(count, new RegExp(`共 ${before + 50} 个项目`));
  const ids = (await listed()).map((p) => p.id).sort();
  const t0 = Date.now();
  await page.reload();
  await ready();
  const reopened = Date.now() - t0;
  assert.deepEqual((await listed()).map((p) => p.id).sort(), ids, "the same projects after a reload");
  assert.equal(await page.$$eval("#project-rows tr", (r) => r.length), before + 50);
  results.push(`     workspace with ${before + 50} projects reloaded and ready in ${reopened} ms`);
});

await test("projects: search, rename, duplicate, delete and undo", async () => {
  // The open project, named in its 项目名称, is found by search and opened.
  await page.fill(sel("p", "name"), "检索测试项目");
  await page.evaluate(() => window.jixiaoDemo.flush());
  await page.fill("#project-search", "检索测试");
  const rows = await page.$$eval("#project-rows tr", (r) => r.map((x) => x.dataset.project));
  assert.ok(rows.length >= 1, "found by its name");
  await page.click(`#project-rows tr[data-project="${rows[0]}"] button.link`);
  await page.waitForFunction((id) => window.jixiaoDemo.project()?.id === id, rows[0]);
  const total = (await card()).total;
  // Duplicate: a copy with the same entries, opened.
  await page.click(`#project-rows tr[data-project="${rows[0]}"] button:has-text("复制")`);
  await page.waitForFunction((id) => window.jixiaoDemo.project()?.id !== id, rows[0]);
  const copy = await openId();
  assert.equal((await card()).total, total, "the copy scores the same");
  assert.equal((await submission()).project.name, "检索测试项目（副本）");
  // Rename the copy (the prompt answers).
  page.once("dialog", (d) => d.accept("改名后的副本"));
  page.off("dialog", acceptAll);
  await page.fill("#project-search", "");
  await page.click(`#project-rows tr[data-project="${copy}"] button:has-text("重命名")`);
  await page.waitForFunction(() => window.jixiaoDemo.submission().project?.name === "改名后的副本");
  page.on("dialog", acceptAll);
  await page.fill("#project-search", "改名后");
  assert.equal(await page.$$eval("#project-rows tr", (r) => r.length), 1);
  // Delete, then undo: the project comes back as it was.
  const n = (await listed()).length;
  await page.click(`#project-rows tr[data-project="${copy}"] button:has-text("删除")`);
  await page.waitForFunction((n) => window.jixiaoDemo.projects().length === n - 1, n);
  assert.notEqual(await openId(), copy, "another project is open");
  await page.click("#undo-delete");
  await page.waitForFunction((n) => window.jixiaoDemo.projects().length === n, n);
  await page.fill("#project-search", "");
  await page.click(`#project-rows tr[data-project="${copy}"] button.link`);
  await page.waitForFunction((id) => window.jixiaoDemo.project()?.id === id, copy);
  assert.equal((await card()).total, total, "restored with its entries");
});

await test("projects: two tabs editing different projects, and the same project, lose nothing", async () => {
  const other = await context.newPage();
  other.on("dialog", (d) => d.accept());
  await other.goto(base);
  await other.waitForSelector("body[data-ready='1']");
  const a = await openId();
  // The other tab opens a different project and edits it; this tab edits its own.
  const b = (await listed()).find((p) => p.id !== a).id;
  await other.click(`#project-rows tr[data-project="${b}"] button.link`);
  await other.waitForFunction((id) => window.jixiaoDemo.project()?.id === id, b);
  await other.fill(sel("p", "name"), "乙项目");
  await page.fill(sel("p", "name"), "甲项目");
  await other.evaluate(() => window.jixiaoDemo.flush());
  await page.evaluate(() => window.jixiaoDemo.flush());
  await page.waitForFunction((b) => window.jixiaoDemo.projects().find((p) => p.id === b)?.submission.project?.name === "乙项目", b);
  assert.equal((await listed()).find((p) => p.id === a).shown, "甲项目");
  // Now both on the same project: each edits another field at once; both edits survive.
  await other.click(`#project-rows tr[data-project="${a}"] button.link`);
  await other.waitForFunction((id) => window.jixiaoDemo.project()?.id === id, a);
  await Promise.all([
    page.fill(sel("p", "department"), "市数据局"),
    other.fill(sel("p", "evaluator"), "某评价机构"),
  ]);
  await Promise.all([page.evaluate(() => window.jixiaoDemo.flush()), other.evaluate(() => window.jixiaoDemo.flush())]);
  for (const tab of [page, other]) {
    await tab.waitForFunction(() => {
      const p = window.jixiaoDemo.submission().project ?? {};
      return p.department === "市数据局" && p.evaluator === "某评价机构" && p.name === "甲项目";
    });
  }
  await other.close();
});

/** The text of a DOCX's word/document.xml, tags dropped (python3's zipfile reads it). */
function docxText(path) {
  const py = "import sys, zipfile, re; print(re.sub(r'<[^>]+>', '', zipfile.ZipFile(sys.argv[1]).read('word/document.xml').decode()))";
  return spawnSync("python3", ["-c", py, path], { encoding: "utf8" }).stdout;
}

await test("report: the downloaded DOCX is the file `jixiao report` writes for the same submission; the summary counts the rulebook's projects", async () => {
  await sampleInNewProject();
  const [ds] = await Promise.all([page.waitForEvent("download"), page.click("#export-sub")]);
  const subFile = join(tmp, "report-submission.json");
  await ds.saveAs(subFile);
  const t0 = Date.now();
  const [dr] = await Promise.all([page.waitForEvent("download"), page.click("#report-docx")]);
  const web = join(tmp, "web-report.docx");
  await dr.saveAs(web);
  results.push(`     report module loaded and the DOCX made in ${Date.now() - t0} ms`);
  const native = join(tmp, "native-report.docx");
  const run = spawnSync(cli, ["report", rulebookPath, subFile, "-o", native], { encoding: "utf8" });
  assert.ok(run.status === 0 || run.status === 3, run.stderr);
  assert.ok(readFileSync(web).equals(readFileSync(native)), "the same bytes as jixiao report");
  assert.match(docxText(web), /绩效评价报告/);

  const [dsum] = await Promise.all([page.waitForEvent("download"), page.click("#summary-docx")]);
  const summary = join(tmp, "summary.docx");
  await dsum.saveAs(summary);
  const n = await page.evaluate((id) => window.jixiaoDemo.projects().filter((p) => p.rulebook.kind === "shipped" && p.rulebook.id === id).length, rulebookId);
  const text = docxText(summary);
  assert.match(text, /绩效评价结果汇总/);
  assert.ok(text.includes(`本次共评价 ${n} 个项目`), `summary of ${n} projects`);
  assert.ok(text.includes(sample.project.name), "the sample project is ranked");
});

await test("engagement: exported as one file, cleared, imported back identical", async () => {
  await page.evaluate(() => window.jixiaoDemo.flush());
  const exportAll = async (name) => {
    const [d] = await Promise.all([page.waitForEvent("download"), page.click("#export-engagement")]);
    const file = join(tmp, name);
    await d.saveAs(file);
    return { file, data: JSON.parse(readFileSync(file, "utf8")) };
  };
  const first = await exportAll("engagement.json");
  assert.equal(first.data.format, "jixiao-engagement");
  assert.equal(first.data.projects.length, (await listed()).length);
  assert.ok(first.data.rulebooks.some((r) => r.name === "demo-export.json"), "the file rulebook travels with its projects");
  // Cleared, as on another machine: the browser's database deleted, the page reloaded.
  await page.evaluate(
    () =>
      new Promise((ok, fail) => {
        const r = indexedDB.deleteDatabase("jixiao-workspace");
        r.onsuccess = ok;
        r.onerror = () => fail(r.error);
      }),
  );
  await page.reload();
  await ready();
  assert.equal((await listed()).length, 1, "a fresh workspace has its one new project");
  await page.setInputFiles("#import-engagement", first.file);
  await page.waitForFunction((n) => window.jixiaoDemo.projects().length === n + 1, first.data.projects.length);
  assert.match(await page.textContent("#status"), new RegExp(`新增 ${first.data.projects.length} 个`));
  const second = await exportAll("engagement-again.json");
  const byId = (list) => Object.fromEntries(list.map((p) => [p.id, p]));
  const again = byId(second.data.projects);
  for (const p of first.data.projects) assert.deepEqual(again[p.id], p, `project ${p.name} identical`);
  assert.deepEqual(second.data.rulebooks, first.data.rulebooks);
  // Imported again: nothing is newer, so nothing changes.
  await page.setInputFiles("#import-engagement", first.file);
  await page.waitForFunction(() => /更新 0 个/.test(document.getElementById("status").textContent));
  // The file rulebook's project opens and scores after the move.
  const demoFile = first.data.projects.find((p) => p.rulebook.kind === "file");
  await page.click(`#project-rows tr[data-project="${demoFile.id}"] button.link`);
  await page.waitForFunction(() => window.jixiaoDemo.card()?.rulebook.id === "demo");
});

await test("import: an exported submission says its rulebook; opened on another rulebook it becomes a project of its own", async () => {
  await page.selectOption("#rulebook", "shipped:" + rulebookId);
  await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, rulebookId);
  await page.setInputFiles("#import-sub", samplePath);
  await page.waitForFunction((t) => window.jixiaoDemo.card()?.total === t, reference.total);
  const [d] = await Promise.all([page.waitForEvent("download"), page.click("#export-sub")]);
  const file = join(tmp, "tagged-submission.json");
  await d.saveAs(file);
  const tagged = JSON.parse(readFileSync(file, "utf8"));
  const info = await page.evaluate(() => window.jixiaoDemo.card().rulebook);
  assert.deepEqual(tagged.rulebook, { id: info.id, version: info.version, hash: info.hash });
  // The CLI reads the tag: right rulebook, no problem; another rulebook, wrong_rulebook.
  assert.equal(nativeScore(tagged).total, reference.total);
  const demo = spawnSync(cli, ["score", join(repo, "rules/demo/rulebook.toml"), file, "--format", "json"], { encoding: "utf8" });
  assert.ok(JSON.parse(demo.stdout).problems.some((p) => p.code === "wrong_rulebook"), "the CLI names the wrong rulebook");
  // In the page: opened on demo, the file becomes a new gov-it-post project (the dialog agrees).
  await page.selectOption("#rulebook", "shipped:demo");
  await page.waitForFunction(() => window.jixiaoDemo.card()?.rulebook.id === "demo");
  const n = (await listed()).length;
  await page.setInputFiles("#import-sub", file);
  await page.waitForFunction((n) => window.jixiaoDemo.projects().length === n + 1, n);
  await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, rulebookId);
  assert.equal((await card()).total, reference.total);
});

await test("slips: a missing required input is marked at its field and named in the summary; a fraction typed into a percent field is questioned, not refused", async () => {
  await sampleInNewProject();
  const [id] = Object.entries(sample.values).find(([, v]) => typeof v === "number");
  await page.fill(sel("f", id), "");
  await page.waitForSelector("[data-testid=missing-inputs]");
  const label = await page.evaluate((f) => {
    const l = document.querySelector(`label[for="${f}"]`);
    return [...l.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
  }, sel("f", id).slice(1));
  assert.ok((await page.textContent("[data-testid=missing-inputs]")).includes(label), `the summary names ${label}`);
  const marked = await page.$eval(sel("f", id), (e) => {
    const f = e.closest(".field");
    return f.classList.contains("missing") && !f.querySelector(".missing-tag").hidden;
  });
  assert.ok(marked, "the field is marked 待填写");
  await page.fill(sel("f", id), String(sample.values[id]));
  await page.waitForFunction(() => !document.querySelector("[data-testid=missing-inputs]"));
  // 0.9962 in 系统可用率 (percent points): kept as typed, questioned at the field.
  await page.fill(sel("f", "availability"), "0.9962");
  await page.waitForFunction(() => /请核对/.test(document.getElementById("m-availability")?.textContent ?? ""));
  assert.equal((await submission()).values.availability, 0.9962, "accepted as typed");
  assert.ok((await card()).complete);
  await page.fill(sel("f", "availability"), "99.62");
  await page.waitForFunction(() => (document.getElementById("m-availability")?.textContent ?? "") === "");
  // Dates as people type them, whatever the browser's locale.
  const dateId = Object.entries(sample.values).find(([, v]) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v))[0];
  for (const [typed, stored] of [["2024年3月31日", "2024-03-31"], ["2024.3.1", "2024-03-01"], ["20240520", "2024-05-20"], ["2024/12/9", "2024-12-09"]]) {
    await page.fill(sel("f", dateId), typed);
    await page.waitForFunction(([id, v]) => window.jixiaoDemo.submission().values[id] === v, [dateId, stored]);
  }
  await page.fill(sel("f", dateId), "31/03/2024");
  await page.waitForFunction((id) => (document.getElementById(`m-${id}`)?.textContent ?? "").includes("不是有效日期"), dateId);
  await page.fill(sel("f", dateId), sample.values[dateId]);
  await page.waitForFunction((t) => window.jixiaoDemo.card()?.total === t, reference.total);
});

// ---------------------------------------------------------------- experts (专家组)

await test("experts: each named expert grades on their own, combined by the rulebook's rule; disagreement shown at the item; each expert's sheet prints to sign", async () => {
  await sampleInNewProject();
  const gid = JSON.parse(execFileSync(cli, ["export", rulebookPath], { encoding: "utf8" })).inputs.find((i) => i.type === "grade").id;
  const names = ["张明", "李华", "王芳"];
  for (const [i, name] of names.entries()) {
    await page.click("#add-expert");
    await page.waitForSelector(`#expert-${i}`);
    await page.fill(`#expert-${i}`, name);
    await page.press(`#expert-${i}`, "Tab");
    await page.waitForFunction(([i, name]) => window.jixiaoDemo.submission().experts?.[i] === name, [i, name]);
  }
  // The item's selects are the experts', by name.
  const labels = await page.$$eval(`${sel("f", gid)} select`, (xs) => xs.map((x) => x.getAttribute("aria-label")));
  assert.deepEqual(labels.map((l) => l.split(" — ")[1]), names);
  await page.selectOption(`${sel("f", gid)}-e0`, "优");
  await page.selectOption(`${sel("f", gid)}-e1`, "中");
  await page.selectOption(`${sel("f", gid)}-e2`, "");
  const field = `.field[data-input="${gid}"] .disagree`;
  await page.waitForFunction((f) => (document.querySelector(f)?.textContent ?? "").includes("意见分歧：优—中"), field);
  assert.match(await page.textContent(field), /尚有 1 位专家未评级/);
  await page.$eval(`.field[data-input="${gid}"]`, (e) => e.scrollIntoView({ block: "center" }));
  await page.screenshot({ path: join(artifacts, "experts-item-1366x768.png") });
  await page.$eval("#experts", (e) => e.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: join(artifacts, "experts-panel-1366x768.png") });
  const sub = await submission();
  assert.deepEqual(sub.values[gid], ["优", "中", ""], "each grade stays with its expert");
  assert.deepEqual(sub.experts, names);
  // Combined as the rulebook says, exactly as the CLI scores the same submission.
  await page.waitForFunction((t) => window.jixiaoDemo.card()?.total === t, nativeScore(sub).total);
  const findings = (await card()).indicators.flatMap((i) => (i.findings ?? []).map((f) => f.message));
  assert.ok(findings.some((m) => m.includes("尚有 1 位专家未评级")), findings.join(" | "));
  assert.ok(findings.some((m) => m.includes("专家意见分歧较大（优—中）")), findings.join(" | "));

  // 李华's own sheet, printed: her grades, the criteria, a line to sign.
  await page.evaluate(() => {
    window.print = () => {
      window.__printed = (window.__printed ?? 0) + 1;
    };
  });
  await page.click('[data-print-expert="1"]');
  assert.equal(await page.evaluate(() => window.__printed), 1);
  assert.equal(await page.textContent("[data-testid=sheet-expert]"), "李华");
  assert.equal((await page.textContent(`#expert-sheet tr[data-input="${gid}"] td.grade`)).slice(0, 1), "中");
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: join(artifacts, "expert-sheet-print.png"), fullPage: true });
  const pdf = join(artifacts, "expert-sheet.pdf");
  await page.pdf({ path: pdf, format: "A4", printBackground: true });
  await page.emulateMedia({ media: "screen" });
  await page.evaluate(() => window.dispatchEvent(new Event("afterprint")));
  const text = spawnSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" }).stdout;
  assert.match(text, /专家评分表/);
  assert.match(text, /李华/);
  assert.match(text, /专家签字/);
  assert.doesNotMatch(text, /评分结果/, "only the sheet is printed");

  // 张明 leaves the panel with his grades: the others keep theirs.
  await page.click('.expert-list li:first-child button.danger');
  await page.waitForFunction(() => window.jixiaoDemo.submission().experts?.length === 2);
  assert.deepEqual((await submission()).values[gid], ["中", ""]);
  assert.deepEqual((await submission()).experts, ["李华", "王芳"]);
});

// ---------------------------------------------------------------- projects tables (导入项目表)

/** Rows of a CSV file (python3's csv module reads it; a BOM is dropped). */
function csvRows(file) {
  const py = "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], encoding='utf-8-sig')))))";
  return JSON.parse(execFileSync("python3", ["-c", py, file], { encoding: "utf8", maxBuffer: 64 << 20 }));
}

/** `jixiao batch` on a file: project id → total (a number; null when the row has none). */
function batchTotals(file, extra = []) {
  const out = join(tmp, `batch-${Date.now()}.csv`);
  const run = spawnSync(cli, ["batch", rulebookPath, file, "-o", out, "-q", ...extra], { encoding: "utf8" });
  assert.ok([0, 1, 3].includes(run.status), run.stderr);
  const rows = csvRows(out);
  return new Map(rows.slice(1).map((r) => [r[1], r[4] === "" ? null : Number(r[4])]));
}

/** The rows the import dialog shows: project id → total (null when none). */
const dialogTotals = () =>
  page.$$eval("[data-testid=import-rows] tbody tr", (trs) =>
    trs.map((tr) => {
      const td = tr.querySelectorAll("td");
      return [td[1].textContent, td[4].textContent === "" ? null : Number(td[4].textContent)];
    }),
  );

const spec = JSON.parse(execFileSync(cli, ["export", rulebookPath], { encoding: "utf8" }));
const tableDir = join(tmp, "tables");
mkdirSync(tableDir, { recursive: true });
// 200 projects as a back office exports them, one column headed differently from its input's
// label (as people do), saved as XLSX by LibreOffice.
const projectsCsv = join(tableDir, "projects.csv");
execFileSync("python3", [join(repo, "crates/jixiao-cli/bench/gen_projects.py"), join(repo, "rules", rulebookId), "200", projectsCsv], {
  env: { ...process.env, JIXIAO: cli },
});
const renamedInput = spec.inputs.find((i) => i.type === "number" && i.required !== false);
const renamedHeader = renamedInput.label + "金额";
{
  const lines = readFileSync(projectsCsv, "utf8").split("\n");
  const header = lines[0].split(",");
  const at = header.indexOf(renamedInput.label);
  assert.ok(at > 0, `the CSV has a column ${renamedInput.label}`);
  header[at] = renamedHeader;
  lines[0] = header.join(",");
  writeFileSync(projectsCsv, lines.join("\n"));
}
const libreoffice = spawnSync(
  "soffice",
  ["--headless", `-env:UserInstallation=file://${join(tmp, "lo-profile")}`, "--convert-to", "xlsx", "--infilter=CSV:44,34,76,1,,2052,false,true", "--outdir", tableDir, projectsCsv],
  { encoding: "utf8", timeout: 180_000 },
);
const projectsXlsx = join(tableDir, "projects.xlsx");
assert.ok(existsSync(projectsXlsx), `LibreOffice made the XLSX: ${libreoffice.stderr}`);
const mapArg = ["--map", `${renamedHeader}=${renamedInput.id}`];

await test("tables: an XLSX of 200 projects made by LibreOffice imports with totals equal to `jixiao batch`; the unknown header suggests its input, and the mapping is saved", async () => {
  const native = batchTotals(projectsXlsx, mapArg);
  assert.equal(native.size, 200);
  await page.selectOption("#rulebook", "shipped:" + rulebookId);
  await page.waitForFunction((id) => window.jixiaoDemo.card()?.rulebook.id === id, rulebookId);
  const before = (await listed()).length;
  let t0 = Date.now();
  await page.setInputFiles("#import-table", projectsXlsx);
  await page.waitForSelector("#table-import [data-testid=import-rows]");
  results.push(`     import of 200 XLSX rows (batch module loaded, read, scored, shown): ${Date.now() - t0} ms`);
  // The renamed column names nothing: its input is suggested, and taken with one click.
  const suggest = `#table-import [data-suggest="${renamedHeader}"]`;
  await page.waitForSelector(suggest);
  assert.ok((await page.textContent(`#table-import tr.unknown`)).includes(renamedInput.label), "did you mean names the input");
  await page.$eval(`#table-import tr.unknown`, (tr) => tr.scrollIntoView({ block: "center" }));
  await page.screenshot({ path: join(artifacts, "table-import-suggestion-1366x768.png") });
  await page.click(suggest);
  await page.waitForFunction((h) => !document.querySelector(`#table-import [data-suggest="${h}"]`), renamedHeader);
  const shownRows = await dialogTotals();
  assert.equal(shownRows.length, 200);
  for (const [id, total] of shownRows) assert.equal(total, native.get(id), `project ${id}: the dialog's total is jixiao batch's`);
  await page.screenshot({ path: join(artifacts, "table-import-1366x768.png") });
  t0 = Date.now();
  await page.click("#import-rows");
  await page.waitForFunction((n) => window.jixiaoDemo.projects().length === n, before + 200);
  results.push(`     200 rows stored as projects: ${Date.now() - t0} ms`);
  const stored = await page.evaluate(() => window.jixiaoDemo.projects().map((p) => [p.submission.project?.id, p.total]));
  for (const [id, total] of stored.filter(([id]) => native.has(id))) assert.equal(total, native.get(id), `project ${id} stored with jixiao batch's total`);
  // The mapping was saved for the rulebook: the same file again reads that column at once.
  await page.setInputFiles("#import-table", projectsXlsx);
  await page.waitForSelector("#table-import [data-testid=import-rows]");
  assert.equal(await page.$(`#table-import tr.unknown`), null, "no unknown column with the saved mapping");
  assert.equal(await page.$eval(`#table-import select[data-header="${renamedHeader}"]`, (s) => s.value), renamedInput.id);
  await page.click("#table-import .dialog-actions button:not(.primary)");
  await page.waitForFunction(() => !document.getElementById("table-import"));
});

await test("tables: a GBK CSV (as Chinese Excel saves it) scores as `jixiao batch` scores it; bad rows fail alone, named by column", async () => {
  const gbk = join(tableDir, "projects-gbk.csv");
  const py =
    "import sys; lines = open(sys.argv[1], encoding='utf-8').read().split('\\n')[:21]; " +
    "cells = lines[3].split(','); cells[5] = '不详'; lines[3] = ','.join(cells); " +
    "open(sys.argv[2], 'w', encoding='gbk').write('\\n'.join(lines) + '\\n')";
  execFileSync("python3", ["-c", py, projectsCsv, gbk]);
  const native = batchTotals(gbk, mapArg);
  await page.setInputFiles("#import-table", gbk);
  await page.waitForSelector("#table-import [data-testid=import-rows]");
  const shownRows = await dialogTotals();
  assert.equal(shownRows.length, 20);
  for (const [id, total] of shownRows) assert.equal(total, native.get(id), `project ${id}`);
  const failed = await page.$$eval("#table-import tr[data-status=failed]", (trs) => trs.map((tr) => tr.querySelector(".problems").textContent));
  assert.equal(failed.length, 1, "the row with a word in a number column fails alone");
  const header = readFileSync(projectsCsv, "utf8").split("\n")[0].split(",")[5];
  assert.ok(failed[0].includes(header), `the error names its column ${header}: ${failed[0]}`);
  await page.click("#table-import .dialog-actions button:not(.primary)");
});

await test("ranking: the rulebook's projects ranked by total with each dimension; any opens from it; it exports the batch's XLSX", async () => {
  await page.click("#show-portfolio");
  await page.waitForSelector("[data-testid=portfolio-table]");
  const ranks = await page.$$eval("[data-testid=portfolio-table] tbody tr", (trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
  );
  const n = await page.evaluate((id) => window.jixiaoDemo.projects().filter((p) => p.rulebook.kind === "shipped" && p.rulebook.id === id).length, rulebookId);
  assert.equal(ranks.length, n);
  const totals = ranks.filter((r) => r[0] !== "").map((r) => Number(r[3]));
  assert.deepEqual(totals, [...totals].sort((a, b) => b - a), "highest first");
  assert.equal(ranks[0][0], "1");
  for (let i = 1; i < ranks.length; i++) {
    if (ranks[i][0] === "" || ranks[i][3] !== ranks[i - 1][3]) continue;
    assert.equal(ranks[i][0], ranks[i - 1][0], "equal totals share a rank");
  }
  const dims = await page.$$eval("[data-testid=portfolio-table] thead th", (ths) => ths.length);
  assert.equal(dims, 6 + spec.indicators.filter((i) => !i.parent).length, "a column per dimension");
  await page.screenshot({ path: join(artifacts, "ranking-1366x768.png") });
  const [d] = await Promise.all([page.waitForEvent("download"), page.click("#export-xlsx")]);
  const xlsx = join(tmp, "results.xlsx");
  await d.saveAs(xlsx);
  const py =
    "import sys, zipfile, re; z = zipfile.ZipFile(sys.argv[1]); " +
    "print(re.findall(r'<sheet name=\"([^\"]+)\"', z.read('xl/workbook.xml').decode())); " +
    "print(len(re.findall(r'<row ', z.read('xl/worksheets/sheet1.xml').decode())))";
  const [sheets, rowCount] = execFileSync("python3", ["-c", py, xlsx], { encoding: "utf8" }).trim().split("\n");
  assert.equal(sheets, "['评价结果', '扣分原因', '错误', '说明']");
  assert.equal(Number(rowCount), n + 1, "one row per project under the header");
  // A project opens from the ranking.
  const target = await page.$eval("[data-testid=portfolio-table] tbody tr:nth-child(2)", (tr) => tr.dataset.project);
  await page.click(`[data-testid=portfolio-table] tr[data-project="${target}"] button.link`);
  await page.waitForFunction((id) => window.jixiaoDemo.project()?.id === id, target);
});

await test("timings: the workspace with 200+ projects opens, and projects switch, each under a second", async () => {
  const count = (await listed()).length;
  assert.ok(count >= 200, `${count} projects`);
  await page.click("#show-portfolio"); // hidden again: opening measures the list, not the ranking
  let t0 = Date.now();
  await page.reload();
  await ready();
  const open = Date.now() - t0;
  results.push(`     open the workspace with ${count} projects (reload to ready): ${open} ms`);
  assert.ok(open < 1000, `opened in ${open} ms`);
  const ids = (await listed()).slice(0, 6).map((p) => p.id);
  const switches = [];
  for (const id of ids.slice(1)) {
    t0 = performance.now();
    await page.click(`#project-rows tr[data-project="${id}"] button.link`);
    await page.waitForFunction((x) => window.jixiaoDemo.project()?.id === x && window.jixiaoDemo.card() !== null, id);
    switches.push(performance.now() - t0);
  }
  const worst = Math.max(...switches);
  results.push(`     switch between projects: median ${percentile(switches, 50).toFixed(0)} ms, worst ${worst.toFixed(0)} ms (${switches.length} switches)`);
  assert.ok(worst < 1000, `switched in ${worst} ms`);
});

await test("screens: 1366×768 with the project list, and a 390×844 phone with the total always in view", async () => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, "workspace-1366x768.png") });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const head = await page.evaluate(() => ({
    title: document.getElementById("app-title").getBoundingClientRect().height,
    width: document.documentElement.scrollWidth,
  }));
  assert.ok(head.title < 40, `the title is one line (${head.title} px high)`);
  assert.ok(head.width <= 390, `no sideways scrolling (${head.width} px wide)`);
  await page.screenshot({ path: join(artifacts, "phone-390x844-top.png") });
  // Half-way down the form the total is still in view, and it is the scorecard's.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
  const mini = await page.evaluate(() => {
    const r = document.getElementById("mini-total").getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, text: document.getElementById("mini-total").textContent };
  });
  assert.ok(mini.top >= 0 && mini.bottom <= 844 && mini.bottom > mini.top, `total in view: ${JSON.stringify(mini)}`);
  assert.ok(mini.text.includes(String((await card()).total)), mini.text);
  await page.screenshot({ path: join(artifacts, "phone-390x844-form.png") });
  await page.setViewportSize({ width: 1366, height: 768 });
});

await test("no errors in the console", async () => {
  assert.deepEqual(consoleErrors, []);
});

await browser.close();
server.close();
writeFileSync(join(artifacts, "results.txt"), results.join("\n") + "\n");
console.log(`\n${passed} web-demo e2e tests passed; screenshots in web-demo/e2e-artifacts/`);
