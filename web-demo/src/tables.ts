// Tables of projects (项目表: XLSX, XLS, ODS, CSV in UTF-8 or GBK, JSON Lines) read and scored
// by the package's batch module (the engine built with crates/jixiao-batch): the same column
// mapping, per-row errors and scores as `jixiao batch` on the same file. Loaded the first time
// a file is dropped or projects are exported, so the page that scores never downloads it
// otherwise. Mappings the evaluator adjusts are kept per rulebook.

import type { Lang, Submission } from "./types";
import type { Engine as BatchEngine, ScoredTable } from "jixiao-wasm/batch";

export type { ScoredRow, ScoredTable, TableColumn, TableWarning } from "jixiao-wasm/batch";

type BatchModule = typeof import("jixiao-wasm/batch");

let loaded: Promise<BatchModule> | null = null;

function batchModule(): Promise<BatchModule> {
  loaded ??= import("jixiao-wasm/batch").then(async (m) => {
    await m.default();
    return m;
  });
  return loaded;
}

/** The batch module's engine for one rulebook text, compiled once while that text is in use. */
let compiled: { text: string; engine: BatchEngine } | null = null;

async function engineFor(rulebookText: string): Promise<BatchEngine> {
  const m = await batchModule();
  if (compiled?.text !== rulebookText) {
    compiled?.engine.free();
    compiled = null;
    compiled = { text: rulebookText, engine: new m.Engine(rulebookText) };
  }
  return compiled.engine;
}

const engineLang = (lang: Lang) => (lang === "en" ? "en" : "zh");

/** A file's projects, each row scored; throws a JixiaoError (`kind: "table"`) for a file that
 * cannot be read at all. */
export async function scoreTable(
  rulebookText: string,
  bytes: Uint8Array,
  fileName: string,
  mapping: Record<string, string>,
  lang: Lang,
): Promise<ScoredTable> {
  const engine = await engineFor(rulebookText);
  return engine.scoreTable(bytes, fileName, { mapping, lang: engineLang(lang) });
}

/** The projects' XLSX result (评价结果, 扣分原因, 错误, 说明), as `jixiao batch -o 结果.xlsx`. */
export async function resultsXlsx(rulebookText: string, submissions: Submission[], lang: Lang): Promise<Uint8Array<ArrayBuffer>> {
  const engine = await engineFor(rulebookText);
  return engine.resultsXlsx(submissions, engineLang(lang)) as Uint8Array<ArrayBuffer>;
}

const mappingKey = (rulebookId: string) => `jixiao.mapping.${rulebookId}`;

/** The column mapping saved for a rulebook (header → target), or none. */
export function savedMapping(rulebookId: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(mappingKey(rulebookId)) ?? "{}");
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return {};
  }
}

export function saveMapping(rulebookId: string, mapping: Record<string, string>): boolean {
  try {
    if (Object.keys(mapping).length === 0) localStorage.removeItem(mappingKey(rulebookId));
    else localStorage.setItem(mappingKey(rulebookId), JSON.stringify(mapping));
    return true;
  } catch {
    return false;
  }
}
