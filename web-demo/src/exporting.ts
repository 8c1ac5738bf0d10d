// Downloads: the submission and the scorecard as JSON, the scorecard as CSV for Excel.

import type { Lang, Scorecard } from "./types";
import { pick, statusText, strings } from "./i18n";
import { pct, problemText } from "./format";

export function download(filename: string, content: string | Uint8Array<ArrayBuffer>, mime: string): void {
  const blob = new Blob([content], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe stem: "demo-ZH-2024-014". */
export function fileStem(rulebookId: string, projectId?: string): string {
  const clean = (s: string) => s.replace(/[\\/:*?"<>|\s]+/g, "_").slice(0, 60);
  return projectId ? `${clean(rulebookId)}-${clean(projectId)}` : clean(rulebookId);
}

/** One CSV cell: quoted when needed; text that a spreadsheet would run as a formula is
 * prefixed with an apostrophe (CSV injection). */
function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return String(v);
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The scorecard as CSV: UTF-8 with a byte-order mark and CRLF lines, so Excel opens the
 * Chinese text correctly. One row per indicator, then the total and the grade. */
export function scorecardCsv(card: Scorecard, lang: Lang): string {
  const t = strings(lang);
  const en = lang === "en";
  const head = en
    ? ["id", "level", "parent", "indicator", "points", "score", "rate", "status", "explanation", "points lost", "note"]
    : ["指标编号", "层级", "上级指标", "指标名称", "分值", "得分", "得分率", "状态", "评分说明", "扣分原因", "备注"];
  const rows: (string | number | null | undefined)[][] = [head];
  for (const ind of card.indicators) {
    const lost = (ind.findings ?? []).map((f) => f.message).join(t.listSep);
    const why = [ind.explanation, ind.error ? problemText(ind.error, lang) : undefined]
      .filter(Boolean)
      .join(t.listSep);
    rows.push([
      ind.id,
      ind.level,
      ind.parent ?? "",
      pick(lang, ind.label, ind.label_en),
      ind.points,
      ind.score,
      ind.attainment === null ? null : pct(ind.attainment),
      statusText(ind.status, lang) + (ind.missing?.length ? t.paren(`${t.missing} ${ind.missing.join("、")}`) : ""),
      why,
      lost,
      ind.note ?? "",
    ]);
  }
  rows.push([]);
  rows.push([t.total, "", "", "", card.max_points, card.total]);
  rows.push([t.grade, "", "", "", "", card.grade ? pick(lang, card.grade.label, card.grade.label_en) : t.noGrade]);
  rows.push([t.reportRulebook, "", "", `${card.rulebook.id} ${card.rulebook.version}`, "", "", "", "", card.rulebook.hash]);
  const p = card.project ?? {};
  const proj = [p.id, p.name].filter((x) => typeof x === "string" && x !== "").join(" ");
  if (proj) rows.push([t.reportProject, "", "", proj]);
  return "\uFEFF" + rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}
