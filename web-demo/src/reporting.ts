// Reports (绩效评价报告) and the summary of many projects (评价结果汇总), from the package's
// report module (bindings/wasm-report): loaded the first time a report is asked for, so the
// page that scores never downloads it otherwise. Its DOCX is the very file `jixiao report`
// writes for the same submission.

import type { Lang, Scorecard } from "./types";

type ReportModule = typeof import("jixiao-wasm/report");

let loaded: Promise<ReportModule> | null = null;

function reports(): Promise<ReportModule> {
  loaded ??= import("jixiao-wasm/report").then(async (m) => {
    await m.default();
    return m;
  });
  return loaded;
}

const engineLang = (lang: Lang) => (lang === "en" ? "en" : "zh");

/** One project's report as a DOCX file's bytes. */
export async function projectReport(rulebookJson: string, card: Scorecard, lang: Lang): Promise<Uint8Array<ArrayBuffer>> {
  const m = await reports();
  return m.report(rulebookJson, JSON.stringify(card), "docx", engineLang(lang)) as Uint8Array<ArrayBuffer>;
}

/** The summary of these projects' scorecards as a DOCX file's bytes. */
export async function summaryReport(rulebookJson: string, cards: Scorecard[], lang: Lang): Promise<Uint8Array<ArrayBuffer>> {
  const m = await reports();
  return m.summary(rulebookJson, JSON.stringify(cards), "docx", engineLang(lang)) as Uint8Array<ArrayBuffer>;
}
