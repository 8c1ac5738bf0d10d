// Shared by the JS tests: the Node build of the package and the shared vectors.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

export const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const root = join(pkgDir, "../..");
export const read = (rel) => readFileSync(join(root, rel), "utf8");

/** The package's CommonJS build, bindings/wasm/pkg/cjs (built by build.sh). */
export const jixiao = createRequire(import.meta.url)(join(pkgDir, "pkg/cjs/jixiao_wasm.js"));

/** Every vector of tests/vectors/manifest.json with its files read. */
export function vectors() {
  const manifest = JSON.parse(read("tests/vectors/manifest.json"));
  return manifest.vectors.map((v) => ({
    ...v,
    rulebookText: read(v.rulebook_json),
    submissionText: read(v.submission),
    expectedText: read(v.expected),
  }));
}

/** Asserts `fn` throws a JixiaoError of this kind and code; returns it. */
export function throwsJixiao(fn, kind, code) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected a ${kind}/${code} JixiaoError, nothing was thrown`);
  assert.ok(caught instanceof Error, `thrown value is not an Error: ${String(caught)}`);
  assert.equal(caught.name, "JixiaoError");
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(caught.code, code, caught.message);
  assert.equal(typeof caught.message, "string");
  assert.ok(caught.message.length > 0);
  assert.ok(Array.isArray(caught.problems));
  assert.ok(typeof caught.stack === "string", "a real Error has a stack");
  return caught;
}
