import type { Lang, Problem } from "./types";
import { strings } from "./i18n";

/** A score or points as the engine printed it (at most 2 decimals): 13, 9.23. */
export function num(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return String(Math.round(n * 100) / 100);
}

/** 得分率 0.8667 → "86.67%". */
export function pct(a: number | null | undefined): string {
  if (a === null || a === undefined || !Number.isFinite(a)) return "—";
  return `${Math.round(a * 10000) / 100}%`;
}

/** A problem's message in the interface language. */
export function problemText(p: Problem, lang: Lang): string {
  return lang === "en" ? p.message_en || p.message : p.message || p.message_en;
}

/** Where a problem is: "指标 A2，第 40 行" / "indicator A2, line 40". */
export function problemWhere(p: Problem, lang: Lang): string {
  const t = strings(lang);
  const parts: string[] = [];
  if (p.file) parts.push(t.fileAt(p.file));
  if (p.indicator) parts.push(t.indicatorAt(p.indicator));
  if (p.input) parts.push(t.inputAt(p.input));
  if (p.kpi) parts.push(t.kpiAt(p.kpi));
  if (p.field) parts.push(t.fieldAt(p.field));
  if (p.line) parts.push(t.line(p.line) + (p.column ? (lang === "en" ? ", " : "") + t.column(p.column) : ""));
  return parts.join(lang === "en" ? ", " : "，");
}

export function clockTime(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}
