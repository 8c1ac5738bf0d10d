// The evaluator's web form: pick or load a rulebook, fill in one project, watch the score.

import "./style.css";
import type { Lang, Scorecard, Submission, Value } from "./types";
import { $, h } from "./dom";
import { pick, strings } from "./i18n";
import { clockTime, problemText, problemWhere } from "./format";
import { defaultRulebookId, engineVersion, errorProblems, loadWasm, Rules, shipped, type Shipped } from "./engine";
import { buildForm, type FormView } from "./formview";
import { renderResult } from "./resultview";
import { download, fileStem, scorecardCsv } from "./exporting";
import * as store from "./store";

interface App {
  lang: Lang;
  shipped: Shipped[];
  source: store.Source;
  rules: Rules | null;
  sub: Submission;
  card: Scorecard | null;
  view: FormView | null;
  labels: Map<string, string>;
}

/** Timings of the last re-scores (evaluate + render, and the whole edit handler), for the
 * e2e run's benchmark. */
const timings: { evaluate: number[]; score: number[]; edit: number[] } = { evaluate: [], score: [], edit: [] };

const app: App = {
  lang: store.loadLang() ?? "zh-CN",
  shipped: [],
  source: { kind: "shipped", id: "" },
  rules: null,
  sub: { values: {} },
  card: null,
  view: null,
  labels: new Map(),
};

const el = {
  title: $("#app-title"),
  subtitle: $("#app-subtitle"),
  rulebookLabel: $("#rulebook-label"),
  rulebook: $("#rulebook") as HTMLSelectElement,
  rulebookFile: $("#rulebook-file") as HTMLInputElement,
  rulebookFileLabel: $("#rulebook-file-label"),
  lang: $("#lang") as HTMLButtonElement,
  importSub: $("#import-sub") as HTMLInputElement,
  importSubLabel: $("#import-sub-label"),
  exportSub: $("#export-sub") as HTMLButtonElement,
  exportJson: $("#export-json") as HTMLButtonElement,
  exportCsv: $("#export-csv") as HTMLButtonElement,
  print: $("#print") as HTMLButtonElement,
  clear: $("#clear") as HTMLButtonElement,
  banner: $("#banner"),
  form: $("#form"),
  result: $("#result"),
  resultHeading: $("#result-heading"),
  status: $("#status"),
  skip: $("#skip"),
  rbInfo: $("#rulebook-info"),
};

function t() {
  return strings(app.lang);
}

function sourceKey(): string {
  return app.rules?.form.rulebook.id ?? "";
}

// ---------------------------------------------------------------- banner (errors)

function showError(title: string, e: unknown, extra?: string): void {
  const { message, problems } = errorProblems(e);
  const list = problems.length
    ? h(
        "ul",
        null,
        problems.map((p) => {
          const where = problemWhere(p, app.lang);
          return h("li", null, where ? h("b", null, where + t().colon) : null, problemText(p, app.lang));
        }),
      )
    : h("p", null, message);
  el.banner.replaceChildren(
    h(
      "div",
      { class: "error-box", role: "alert", "data-testid": "error" },
      h("h2", null, title),
      list,
      extra ? h("p", null, extra) : null,
      h("button", { type: "button", class: "small", onclick: () => el.banner.replaceChildren() }, t().dismiss),
    ),
  );
}

function setStatus(text: string): void {
  el.status.textContent = text;
}

// ---------------------------------------------------------------- rulebooks

function fillRulebookSelect(): void {
  const opts = app.shipped.map((r) =>
    h("option", { value: "shipped:" + r.id, selected: app.source.kind === "shipped" && app.source.id === r.id }, `${pick(app.lang, r.title, r.title_en)} (${r.id})`),
  );
  if (app.source.kind === "file") {
    opts.push(h("option", { value: "file", selected: true }, `${t().loadedFromFile}: ${app.source.name}`));
  }
  el.rulebook.replaceChildren(...opts);
}

/** Compile a rulebook and switch the page to it; on failure keep the current one. */
function openRulebook(src: store.Source, text: string): boolean {
  let rules: Rules;
  try {
    rules = new Rules(text);
  } catch (e) {
    showError(t().rulebookError + t().colon + (src.kind === "file" ? src.name : src.id), e, app.rules ? t().rulebookErrorKept : undefined);
    fillRulebookSelect();
    return false;
  }
  flushSave();
  app.rules?.free();
  app.rules = rules;
  app.source = src;
  store.saveSource(src);
  el.banner.replaceChildren();
  const saved = store.loadSubmission(rules.form.rulebook.id);
  app.sub = saved ?? { values: {} };
  buildView();
  rescore(false);
  if (saved) setStatus(t().restored);
  fillRulebookSelect();
  return true;
}

function shippedText(id: string): string | undefined {
  return app.shipped.find((r) => r.id === id)?.text;
}

// ---------------------------------------------------------------- form and scoring

function buildView(): void {
  const rules = app.rules;
  if (!rules) return;
  const f = rules.form;
  app.labels = new Map();
  for (const sec of f.sections) for (const g of sec.groups) for (const fl of g.fields) app.labels.set(fl.id, pick(app.lang, fl.label, fl.label_en));
  app.view = buildForm(f, app.sub, app.lang, {
    setValue(id: string, value: Value | undefined) {
      if (value === undefined) delete app.sub.values[id];
      else app.sub.values[id] = value;
      edited();
    },
    setNa(ind: string, na: boolean) {
      const list = new Set(app.sub.not_applicable ?? []);
      if (na) list.add(ind);
      else list.delete(ind);
      app.sub.not_applicable = [...list];
      if (app.sub.not_applicable.length === 0) delete app.sub.not_applicable;
      edited();
    },
    setNote(ind: string, note: string) {
      const notes = { ...(app.sub.notes ?? {}) };
      if (note.trim() === "") delete notes[ind];
      else notes[ind] = note;
      app.sub.notes = notes;
      if (Object.keys(notes).length === 0) delete app.sub.notes;
      edited();
    },
    setProject(key: string, value: string) {
      const p = { ...(app.sub.project ?? {}) };
      if (value.trim() === "") delete p[key];
      else p[key] = value;
      app.sub.project = p;
      if (Object.keys(p).length === 0) delete app.sub.project;
      edited();
    },
  });
  el.form.replaceChildren(app.view.root);
  el.rbInfo.textContent = `${pick(app.lang, f.rulebook.title, f.rulebook.title_en)} · ${f.rulebook.id} ${f.rulebook.version} · ${t().stage[f.rulebook.stage] ?? f.rulebook.stage} · ${t().naPolicy[f.rulebook.na_policy] ?? ""}`;
}

/** Evaluate and redraw the result panel and the form's messages; returns the milliseconds. */
function rescore(save: boolean): number {
  const rules = app.rules;
  if (!rules) return 0;
  const t0 = performance.now();
  const card = rules.evaluate(app.sub, app.lang);
  timings.evaluate.push(performance.now() - t0);
  if (timings.evaluate.length > 1000) timings.evaluate.shift();
  app.card = card;
  renderResult(el.result, card, {
    form: rules.form,
    sub: app.sub,
    lang: app.lang,
    engineVersion: engineVersion(),
    labelOf: (id) => app.labels.get(id) ?? "",
  });
  app.view?.update(card);
  const ms = performance.now() - t0;
  timings.score.push(ms);
  if (timings.score.length > 1000) timings.score.shift();
  if (save) scheduleSave();
  return ms;
}

/** Autosave: every change is written to localStorage, right after the frame that shows it
 * (a write costs about as much as a re-score, so it stays off the typing path); a pending
 * write is flushed when the page is hidden or closed. */
let saveTimer: ReturnType<typeof setTimeout> | null = null;
function scheduleSave(): void {
  if (saveTimer === null) saveTimer = setTimeout(flushSave, 0);
}
function flushSave(): void {
  if (saveTimer === null) return;
  clearTimeout(saveTimer);
  saveTimer = null;
  const rules = app.rules;
  if (!rules) return;
  const ok = store.saveSubmission(rules.form.rulebook.id, app.sub);
  setStatus(ok ? t().saved(clockTime()) : t().saveFailed);
}

function edited(): void {
  const t0 = performance.now();
  rescore(true);
  timings.edit.push(performance.now() - t0);
  if (timings.edit.length > 1000) timings.edit.shift();
}

// ---------------------------------------------------------------- static texts and language

function applyLanguage(): void {
  const s = t();
  document.documentElement.lang = app.lang;
  document.title = s.appTitle + " · jixiao";
  el.title.textContent = s.appTitle;
  el.subtitle.textContent = s.appSubtitle;
  el.rulebookLabel.textContent = s.rulebook;
  el.rulebookFileLabel.textContent = s.loadRulebookFile;
  el.importSubLabel.textContent = s.importSubmission;
  el.exportSub.textContent = s.exportSubmission;
  el.exportJson.textContent = s.exportScorecardJson;
  el.exportCsv.textContent = s.exportScorecardCsv;
  el.print.textContent = s.print;
  el.clear.textContent = s.clearForm;
  el.resultHeading.textContent = s.result;
  el.skip.textContent = s.skipToResult;
  el.lang.textContent = app.lang === "en" ? "中文" : "English";
  el.lang.setAttribute("lang", app.lang === "en" ? "zh-CN" : "en");
  el.lang.setAttribute("aria-label", app.lang === "en" ? "切换到中文" : "Switch to English");
}

// ---------------------------------------------------------------- files

function readFile(input: HTMLInputElement): Promise<{ name: string; text: string } | null> {
  const file = input.files?.[0];
  input.value = "";
  if (!file) return Promise.resolve(null);
  return file.text().then((text) => ({ name: file.name, text }));
}

function importSubmission(name: string, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    showError(t().importError + t().colon + name, e);
    return;
  }
  const obj = parsed as Submission;
  if (!obj || typeof obj !== "object" || Array.isArray(obj) || typeof obj.values !== "object" || obj.values === null || Array.isArray(obj.values)) {
    showError(t().importError + t().colon + name, new Error(app.lang === "en" ? "not a submission object" : "不是填报对象（缺少 values）"));
    return;
  }
  app.sub = {
    ...(obj.project ? { project: obj.project } : {}),
    values: { ...obj.values },
    ...(obj.not_applicable?.length ? { not_applicable: [...obj.not_applicable] } : {}),
    ...(obj.notes && Object.keys(obj.notes).length ? { notes: { ...obj.notes } } : {}),
  };
  el.banner.replaceChildren();
  buildView();
  rescore(true);
  setStatus(t().imported(name));
}

// ---------------------------------------------------------------- wiring

function wire(): void {
  el.rulebook.addEventListener("change", () => {
    const v = el.rulebook.value;
    if (v.startsWith("shipped:")) {
      const id = v.slice("shipped:".length);
      const text = shippedText(id);
      if (text !== undefined) openRulebook({ kind: "shipped", id }, text);
    } else if (v === "file" && app.source.kind === "file") {
      openRulebook(app.source, app.source.text);
    }
  });
  el.rulebookFile.addEventListener("change", async () => {
    const f = await readFile(el.rulebookFile);
    if (f) openRulebook({ kind: "file", name: f.name, text: f.text }, f.text);
  });
  el.importSub.addEventListener("change", async () => {
    const f = await readFile(el.importSub);
    if (f) importSubmission(f.name, f.text);
  });
  el.lang.addEventListener("click", () => {
    app.lang = app.lang === "en" ? "zh-CN" : "en";
    store.saveLang(app.lang);
    applyLanguage();
    setStatus("");
    el.banner.replaceChildren();
    fillRulebookSelect();
    buildView();
    rescore(false);
    el.lang.focus();
  });
  el.exportSub.addEventListener("click", () => {
    if (!app.rules) return;
    download(`${fileStem(sourceKey(), app.sub.project?.id)}-submission.json`, JSON.stringify(app.sub, null, 2) + "\n", "application/json");
  });
  el.exportJson.addEventListener("click", () => {
    if (!app.card) return;
    download(`${fileStem(sourceKey(), app.sub.project?.id)}-scorecard.json`, JSON.stringify(app.card, null, 2) + "\n", "application/json");
  });
  el.exportCsv.addEventListener("click", () => {
    if (!app.card) return;
    download(`${fileStem(sourceKey(), app.sub.project?.id)}-scorecard.csv`, scorecardCsv(app.card, app.lang), "text/csv;charset=utf-8");
  });
  el.print.addEventListener("click", () => window.print());
  el.clear.addEventListener("click", () => {
    if (!app.rules || !window.confirm(t().confirmClear)) return;
    app.sub = { values: {} };
    store.removeSubmission(app.rules.form.rulebook.id);
    buildView();
    rescore(true);
  });
  // The date in the print footer is taken when printing.
  window.addEventListener("beforeprint", () => rescore(false));
  window.addEventListener("pagehide", flushSave);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushSave();
  });
}

async function main(): Promise<void> {
  applyLanguage();
  setStatus(t().loading);
  try {
    await loadWasm();
  } catch (e) {
    showError(t().engineFailed, e);
    setStatus("");
    return;
  }
  app.shipped = shipped();
  wire();
  const ids = app.shipped.map((r) => r.id);
  const saved = store.loadSource();
  let opened = false;
  if (saved?.kind === "file") opened = openRulebook(saved, saved.text);
  else if (saved?.kind === "shipped" && shippedText(saved.id) !== undefined) opened = openRulebook(saved, shippedText(saved.id)!);
  if (!opened) {
    const id = defaultRulebookId(ids);
    const text = shippedText(id);
    if (text !== undefined) openRulebook({ kind: "shipped", id }, text);
  }
  if (!el.status.textContent || el.status.textContent === t().loading) setStatus("");
  document.body.dataset.ready = "1";
}

// For the e2e run: the current scorecard and submission, and the re-score timings.
declare global {
  interface Window {
    jixiaoDemo: { card(): Scorecard | null; submission(): Submission; timings: typeof timings; rescore(): number };
  }
}
window.jixiaoDemo = {
  card: () => app.card,
  submission: () => app.sub,
  timings,
  rescore: () => rescore(false),
};

void main();
