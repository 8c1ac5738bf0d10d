// Latency of the web package in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core): instantiation → first scorecard, and evaluate() per project.
//   node bindings/wasm/bench/latency.mjs [--rulebook gov-it-post] [--submission PATH] [--runs 2000] [--cold 20] [--route] [--compact]
// Needs bindings/wasm/pkg (bash bindings/wasm/build.sh). Not a test: it prints figures.
// Files come from a real HTTP server on localhost; --route serves them through Playwright's
// request interception instead (as the tests do), which adds the DevTools protocol's
// transfer of every body to each cold start. --compact loads the compact module
// (engine_compact_bg.wasm) through the same glue.
import { readdirSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, launchServed, ORIGIN } from "../tests/js/chromium.mjs";
import { root } from "../tests/js/helpers.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const runs = Number(arg("runs", 2000));
const coldRuns = Number(arg("cold", 20));
let rulebook = arg("rulebook", existsSync(join(root, "rules/gov-it-post")) ? "gov-it-post" : "demo");
const exampleDir = ["examples", "submissions"].map((d) => join(root, "rules", rulebook, d)).find(existsSync);
const submissionPath = arg("submission", exampleDir && join(exampleDir, readdirSync(exampleDir).includes("average.json") ? "average.json" : readdirSync(exampleDir)[0]));
const submission = readFileSync(submissionPath, "utf8");

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
};
const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);

const viaRoute = process.argv.includes("--route");
// What init() is given: the compact module, or nothing (the glue's own engine_bg.wasm).
const initArg = process.argv.includes("--compact") ? { module_or_path: "/pkg/engine_compact_bg.wasm" } : undefined;
const { browser, context, origin, close } = viaRoute
  ? { ...(await launch()), origin: ORIGIN }
  : await launchServed();
const version = browser.version();
try {
  // Cold: a fresh page each time, nothing cached (Cache-Control: no-store).
  const cold = { total: [], imported: [], init: [], compile: [], first: [], instantiation: [] };
  for (let i = 0; i < coldRuns; i++) {
    const page = await context.newPage();
    await page.goto(`${origin}/index.html`);
    const r = await page.evaluate(async ({ rulebook, submission, initArg }) => {
      const t0 = performance.now();
      const m = await import("/pkg/jixiao_wasm.js");
      const ti = performance.now();
      await m.default(initArg);
      const t1 = performance.now();
      const engine = new m.Engine(m.shippedRulebook(rulebook));
      const t2 = performance.now();
      const card = engine.evaluate(JSON.parse(submission));
      const t3 = performance.now();
      if (!card.rulebook) throw new Error("no scorecard");
      return { total: t3 - t0, imported: ti - t0, init: t1 - ti, compile: t2 - t1, first: t3 - t2, instantiation: t3 - ti };
    }, { rulebook, submission, initArg });
    for (const k of Object.keys(cold)) cold[k].push(r[k]);
    await page.close();
  }

  // Warm: one engine, many evaluations.
  const page = await context.newPage();
  await page.goto(`${origin}/index.html`);
  const warm = await page.evaluate(async ({ rulebook, submission, runs, initArg }) => {
    const m = await import("/pkg/jixiao_wasm.js");
    await m.default(initArg);
    const engine = new m.Engine(m.shippedRulebook(rulebook));
    const object = JSON.parse(submission);
    const time = (f) => {
      for (let i = 0; i < 200; i++) f();
      const xs = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        f();
        xs.push(performance.now() - t);
      }
      return xs;
    };
    const compile = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      new m.Engine(m.shippedRulebook(rulebook)).free();
      compile.push(performance.now() - t);
    }
    return {
      compile,
      isolated: crossOriginIsolated,
      indicators: engine.evaluate(object).indicators.length,
      evaluate: time(() => engine.evaluate(object)),
      evaluateJson: time(() => engine.evaluateJson(submission)),
      traceOff: time(() => engine.evaluate(object, { trace: false })),
      scorecardBytes: engine.evaluateJson(submission).length,
    };
  }, { rulebook, submission, runs, initArg });

  const rows = [
    ["evaluate(object) → object", stats(warm.evaluate)],
    ["evaluateJson(string) → string", stats(warm.evaluateJson)],
    ["evaluate(object, {trace: false})", stats(warm.traceOff)],
    ["warm: new Engine(rulebook) (30 after the first)", stats(warm.compile)],
    ["cold: import of the JS entry (glue + rulebooks.js)", stats(cold.imported)],
    ["cold: init() (fetch, compile, instantiate the .wasm)", stats(cold.init)],
    ["cold: new Engine(rulebook)", stats(cold.compile)],
    ["cold: first evaluate", stats(cold.first)],
    ["cold: instantiation → first scorecard (init() on)", stats(cold.instantiation)],
    ["cold: import → first scorecard (all of the above)", stats(cold.total)],
  ];
  console.log(`${initArg ? "COMPACT module; " : ""}Chromium ${version}, headless, files ${viaRoute ? "through Playwright's request interception" : "from an HTTP server on localhost"}; rulebook ${rulebook} (${warm.indicators} indicators), submission ${submissionPath.replace(root + "/", "")}`);
  console.log(`scorecard ${warm.scorecardBytes} bytes of JSON; timer resolution ${warm.isolated ? "5 µs (cross-origin isolated)" : "100 µs"}; ${runs} warm runs after 200 warm-up, ${coldRuns} cold page loads`);
  console.log(`${"measurement".padEnd(52)} ${"median".padStart(9)} ${"p95".padStart(9)} ${"min".padStart(9)} ${"max".padStart(9)}`);
  for (const [label, s] of rows) console.log(`${label.padEnd(52)} ${fmt(s.median).padStart(9)} ${fmt(s.p95).padStart(9)} ${fmt(s.min).padStart(9)} ${fmt(s.max).padStart(9)}`);
  const evalMedian = stats(warm.evaluate).median;
  const coldMedian = stats(cold.instantiation).median;
  console.log(`\ntargets: evaluate median ≤ 0.5 ms: ${evalMedian <= 0.5 ? "met" : "NOT met"} (${fmt(evalMedian)}); instantiation → first scorecard ≤ 100 ms: ${coldMedian <= 100 ? "met" : "NOT met"} (${fmt(coldMedian)})`);
} finally {
  await (close ? close() : browser.close());
}
