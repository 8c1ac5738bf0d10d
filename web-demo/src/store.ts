// Autosave: every change goes to localStorage, one submission per rulebook id, so closing
// the tab (or the browser crashing) loses nothing.

import type { Lang, Submission } from "./types";

const PREFIX = "jixiao.web-demo.v1.";

export type Source = { kind: "shipped"; id: string } | { kind: "file"; name: string; text: string };

function get(key: string): string | null {
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

function set(key: string, value: string): boolean {
  try {
    localStorage.setItem(PREFIX + key, value);
    return true;
  } catch {
    return false;
  }
}

export function loadSubmission(rulebookId: string): Submission | null {
  const text = get("submission." + rulebookId);
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Submission;
    return v && typeof v === "object" && v.values && typeof v.values === "object" ? v : null;
  } catch {
    return null;
  }
}

export function saveSubmission(rulebookId: string, sub: Submission): boolean {
  return set("submission." + rulebookId, JSON.stringify(sub));
}

export function removeSubmission(rulebookId: string): void {
  try {
    localStorage.removeItem(PREFIX + "submission." + rulebookId);
  } catch {
    /* storage unavailable: nothing to remove */
  }
}

export function loadSource(): Source | null {
  const text = get("source");
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Source;
    if (v.kind === "shipped" && typeof v.id === "string") return v;
    if (v.kind === "file" && typeof v.text === "string") return v;
  } catch {
    /* ignore a corrupt entry */
  }
  return null;
}

export function saveSource(src: Source): boolean {
  return set("source", JSON.stringify(src));
}

export function loadLang(): Lang | null {
  const v = get("lang");
  return v === "en" || v === "zh-CN" ? v : null;
}

export function saveLang(lang: Lang): void {
  set("lang", lang);
}
