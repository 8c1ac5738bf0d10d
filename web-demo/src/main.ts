// The evaluator's web form: pick or load a rulebook, fill in one project, watch the score.

import "./style.css";
import type { Lang, Scorecard, Submission, Value } from "./types";
import { $, h } from "./dom";
import { pick, strings } from "./i18n";
import { clockTime, problemText, problemWhere } from "./format";
import { defaultRulebookId, engineVersion, errorProblems, loadWasm, Rules, shipped, type Shipped } from "./engine";
import { buildForm, gradeLevels, gradesOf, type FormView } from "./formview";
import { renderResult } from "./resultview";
import { download, fileStem, scorecardCsv } from "./exporting";
import * as reporting from "./reporting";
import * as store from "./store";
import * as projects from "./projects";
import type { Project, RulebookKey } from "./projects";
import * as tables from "./tables";
import type { ScoredRow } from "./tables";
import { importTable } from "./tableimport";
import { rank, renderPortfolio } from "./portfolio";

interface App {
  lang: Lang;
  shipped: Shipped[];
  source: store.Source;
  rules: Rules | null;
  /** Which rulebook `rules` was compiled from (see `keyString`). */
  rulesKey: string;
  /** The open project as last saved, and every project of the engagement (newest first). */
  project: Project | null;
  list: Project[];
  filter: string;
  /** The ranking of the open project's rulebook is shown. */
  portfolio: boolean;
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
  rulesKey: "",
  project: null,
  list: [],
  filter: "",
  portfolio: false,
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
  reportDocx: $("#report-docx") as HTMLButtonElement,
  summaryDocx: $("#summary-docx") as HTMLButtonElement,
  clear: $("#clear") as HTMLButtonElement,
  banner: $("#banner"),
  form: $("#form"),
  result: $("#result"),
  resultHeading: $("#result-heading"),
  status: $("#status"),
  skip: $("#skip"),
  skipForm: $("#skip-form"),
  rbInfo: $("#rulebook-info"),
  projects: $("#projects"),
  portfolio: $("#portfolio-host"),
  expertSheet: $("#expert-sheet"),
  miniTotal: $("#mini-total"),
  toast: $("#toast"),
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
  // File rulebooks of this engagement's projects, each once.
  const files = new Map<string, string>();
  for (const p of app.list) if (p.rulebook.kind === "file") files.set(keyString(p.rulebook), p.rulebook.name);
  const open = app.project ? keyString(app.project.rulebook) : "";
  for (const [key, name] of files) {
    opts.push(h("option", { value: key, selected: key === open }, `${t().loadedFromFile}: ${name}`));
  }
  el.rulebook.replaceChildren(...opts);
}

function keyString(k: RulebookKey): string {
  return k.kind === "shipped" ? "shipped:" + k.id : "file:" + k.hash;
}

async function rulebookText(k: RulebookKey): Promise<string | undefined> {
  if (k.kind === "shipped") return shippedText(k.id);
  return (await projects.getRulebookFile(k.hash))?.text;
}

function rulebookTitle(k: RulebookKey): string {
  if (k.kind === "file") return k.name;
  const r = app.shipped.find((x) => x.id === k.id);
  return r ? pick(app.lang, r.title, r.title_en) : k.id;
}

/** The name the list shows: the 项目名称 typed in the form, else the project's own. */
function projectName(p: Project): string {
  const typed = p.submission.project?.name;
  return typeof typed === "string" && typed.trim() ? typed.trim() : p.name;
}

function statusOf(sub: Submission, card: Scorecard | null): projects.ProjectStatus {
  const empty =
    Object.keys(sub.values).length === 0 && !sub.not_applicable?.length && !Object.keys(sub.project ?? {}).length;
  if (empty) return "new";
  return card?.complete ? "done" : "editing";
}

/** Compile `text` as the rulebook of `key`, unless it is the one compiled already; on failure
 * show the engine's problems and keep the current one. */
function compile(key: RulebookKey, text: string, shownName: string): boolean {
  if (app.rules && app.rulesKey === keyString(key)) return true;
  let rules: Rules;
  try {
    rules = new Rules(text);
  } catch (e) {
    showError(t().rulebookError + t().colon + shownName, e, app.rules ? t().rulebookErrorKept : undefined);
    fillRulebookSelect();
    return false;
  }
  app.rules?.free();
  app.rules = rules;
  app.rulesKey = keyString(key);
  return true;
}

/** Open a project: its rulebook compiled, its submission in the form. */
async function openProject(p: Project): Promise<boolean> {
  await flushSave();
  const text = await rulebookText(p.rulebook);
  if (text === undefined) {
    showError(t().rulebookError + t().colon + rulebookTitle(p.rulebook), new Error(t().rulebookMissing));
    return false;
  }
  if (!compile(p.rulebook, text, rulebookTitle(p.rulebook))) return false;
  app.source = p.rulebook.kind === "shipped" ? { kind: "shipped", id: p.rulebook.id } : { kind: "file", name: p.rulebook.name, text };
  app.project = p;
  app.sub = structuredClone(p.submission);
  el.banner.replaceChildren();
  try {
    sessionStorage.setItem("jixiao.workspace.current", p.id);
    localStorage.setItem("jixiao.workspace.last", p.id);
  } catch {
    /* storage unavailable: the next visit opens the newest project */
  }
  buildView();
  rescore(false);
  fillRulebookSelect();
  renderProjects();
  return true;
}

function untitledName(): string {
  const taken = new Set(app.list.map((p) => p.name));
  let n = app.list.length + 1;
  while (taken.has(t().untitled(n))) n++;
  return t().untitled(n);
}

/** A new project scored by `key`, added to the list and opened. */
async function createProject(key: RulebookKey, sub?: Submission, name?: string): Promise<boolean> {
  const now = Date.now();
  const submission = sub ? structuredClone(sub) : { values: {} };
  const p: Project = {
    id: projects.newId(),
    name: name ?? untitledName(),
    rulebook: key,
    submission,
    status: statusOf(submission, null),
    total: null,
    grade: null,
    created: now,
    updated: now,
    revision: 0,
  };
  await projects.addProject(p);
  app.list.unshift(p);
  const opened = await openProject(p);
  // Its total and status as scored, in the list too.
  if (opened && sub) scheduleSave();
  return opened;
}

/** The project the rulebook picker means: the newest one scored by that rulebook, else a new
 * one. */
async function openRulebook(key: RulebookKey): Promise<void> {
  const existing = app.list.find((p) => keyString(p.rulebook) === keyString(key));
  if (existing) await openProject(existing);
  else await createProject(key);
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
    setExperts(names: string[], rebuild: boolean, removed?: number) {
      // An expert taken out takes their grades along: every later expert's move up a place.
      if (removed !== undefined) {
        for (const [id, v] of Object.entries(app.sub.values)) {
          if (!Array.isArray(v) || !gradeInput(id)) continue;
          const rest = gradesOf(v).filter((_, i) => i !== removed);
          if (!rest.some((g) => g !== "")) delete app.sub.values[id];
          else app.sub.values[id] = rest.length === 1 ? rest[0] : rest;
        }
      }
      if (names.length === 0) delete app.sub.experts;
      else app.sub.experts = names;
      if (rebuild) {
        buildView();
        rescore(true);
      } else edited();
    },
    printExpert(index: number) {
      printExpertSheet(index);
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

/** Whether `id` is an expert-grade input of the open rulebook. */
function gradeInput(id: string): boolean {
  return (app.rules?.form.sections ?? []).some((sec) => sec.groups.some((g) => g.fields.some((f) => f.id === id && f.type === "grade")));
}

/** One expert's scoring sheet (专家评分表), printed to be signed: every item graded by experts,
 * the indicators it serves with their 评分标准, and this expert's grade (blank where not
 * given, to be written by hand). */
function printExpertSheet(index: number): void {
  const rules = app.rules;
  if (!rules) return;
  const s = t();
  const name = app.sub.experts?.[index]?.trim() || `${s.expert} ${index + 1}`;
  const project = app.sub.project ?? {};
  const info = rules.form.rulebook;
  const rows: HTMLTableRowElement[] = [];
  for (const sec of rules.form.sections)
    for (const g of sec.groups)
      for (const f of g.fields.filter((x) => x.type === "grade")) {
        const serves = g.indicators.filter((ind) => ind.inputs.includes(f.id));
        const grade = gradesOf(app.sub.values[f.id])[index] ?? "";
        rows.push(
          h(
            "tr",
            { "data-input": f.id },
            h("td", { class: "num" }, rows.length + 1),
            h("td", null, pick(app.lang, f.label, f.label_en)),
            h(
              "td",
              null,
              serves.map((ind) =>
                h("p", null, h("b", null, pick(app.lang, ind.label, ind.label_en)), ind.criteria ? [s.colon, pick(app.lang, ind.criteria, ind.criteria_en)] : null),
              ),
            ),
            h("td", { class: "grade" }, grade, h("div", { class: "levels" }, s.expertSheetNote + gradeLevels(f).join(" / "))),
          ),
        );
      }
  el.expertSheet.replaceChildren(
    h("h1", null, s.expertSheetTitle),
    h(
      "p",
      { class: "meta" },
      `${s.reportProject}${s.colon}${[project.id, project.name].filter((x) => typeof x === "string" && x).join(" ") || "—"}`,
      h("br"),
      `${s.reportRulebook}${s.colon}${pick(app.lang, info.title, info.title_en)}（${info.id} ${info.version}）`,
      h("br"),
      `${s.expertSheetExpert}${s.colon}`,
      h("b", { "data-testid": "sheet-expert" }, name),
    ),
    h(
      "table",
      { class: "sheet" },
      h("thead", null, h("tr", null, [s.expertSheetNo, s.expertSheetItem, s.expertSheetIndicators, s.expertSheetGrade].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", null, rows),
    ),
    h("p", { class: "sign" }, s.expertSheetSign, h("span", { class: "line" }), s.expertSheetDate, h("span", { class: "line short" })),
  );
  document.body.classList.add("printing-expert");
  const done = () => {
    document.body.classList.remove("printing-expert");
    window.removeEventListener("afterprint", done);
  };
  window.addEventListener("afterprint", done);
  window.print();
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
  // On a phone the result is below the long form: the total stays in view at the bottom.
  const grade = card.grade ? pick(app.lang, card.grade.label, card.grade.label_en) : t().noGrade;
  el.miniTotal.textContent = `${t().colTotal} ${card.total} · ${grade}`;
  const ms = performance.now() - t0;
  timings.score.push(ms);
  if (timings.score.length > 1000) timings.score.shift();
  if (save) scheduleSave();
  return ms;
}

/** Autosave: every change is written to the project in IndexedDB right after the frame that
 * shows it (off the typing path). Saves run one after another; a save that finds another
 * tab's newer revision merges (projects.saveProject). A pending save is flushed before
 * another project opens and when the page is hidden. */
let saveTimer: ReturnType<typeof setTimeout> | null = null;
let dirty = false;
let saving: Promise<void> = Promise.resolve();
/** A save is running: what another tab announces meanwhile is merged by it, not reloaded. */
let inFlight = false;
/** Another tab saved the open project during one of ours: look again once ours is done. */
let missed = false;

function scheduleSave(): void {
  dirty = true;
  if (saveTimer === null) saveTimer = setTimeout(() => void flushSave(), 0);
}

function flushSave(): Promise<void> {
  if (saveTimer !== null) {
    clearTimeout(saveTimer);
    saveTimer = null;
  }
  if (dirty) {
    dirty = false;
    saving = saving.then(saveNow).catch(() => setStatus(t().saveFailed));
  }
  return saving;
}

async function saveNow(): Promise<void> {
  inFlight = true;
  try {
    await saveOpenProject();
  } finally {
    inFlight = false;
  }
  if (missed && app.project) {
    missed = false;
    await syncFromStore(app.project.id);
  }
}

async function saveOpenProject(): Promise<void> {
  const base = app.project;
  if (!base) return;
  const card = app.card;
  const snapshot = structuredClone(app.sub);
  const next: Project = {
    ...base,
    submission: snapshot,
    status: statusOf(snapshot, card),
    total: card ? card.total : null,
    grade: card?.grade?.label ?? null,
  };
  const { project, merged } = await projects.saveProject(base, next);
  replaceInList(project);
  if (app.project?.id !== project.id) return; // another project was opened meanwhile
  app.project = project;
  if (merged) {
    // Edits typed while this save ran are kept on top of the merge.
    app.sub = projects.mergeSubmissions(snapshot, app.sub, project.submission);
    buildView();
    rescore(true);
    setStatus(t().mergedOtherTab);
  } else {
    setStatus(t().saved(clockTime()));
  }
  renderProjects();
}

/** IndexedDB writes are asynchronous and a closing page may not finish one: what is not yet
 * saved is also written, synchronously, to localStorage, and taken back on the next start. */
const JOURNAL = "jixiao.workspace.journal";
function writeJournal(): void {
  if (!app.project || (!dirty && saveTimer === null)) return;
  try {
    localStorage.setItem(JOURNAL, JSON.stringify({ id: app.project.id, revision: app.project.revision, submission: app.sub }));
  } catch {
    /* storage unavailable */
  }
}

/** The journal of an unfinished save, if it is for `p` as stored (nothing saved since). */
function takeJournal(p: Project): Submission | null {
  try {
    const text = localStorage.getItem(JOURNAL);
    localStorage.removeItem(JOURNAL);
    const j = text ? (JSON.parse(text) as { id: string; revision: number; submission: Submission }) : null;
    return j && j.id === p.id && j.revision === p.revision && j.submission?.values ? j.submission : null;
  } catch {
    return null;
  }
}

function replaceInList(p: Project): void {
  const i = app.list.findIndex((x) => x.id === p.id);
  if (i >= 0) app.list.splice(i, 1);
  app.list.unshift(p);
}

// ---------------------------------------------------------------- the project list

function matches(p: Project, filter: string): boolean {
  if (!filter) return true;
  const id = p.submission.project?.id;
  const hay = [projectName(p), typeof id === "string" ? id : "", rulebookTitle(p.rulebook)].join(" ").toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

function renderProjects(): void {
  const s = t();
  const search = h("input", {
    type: "search",
    id: "project-search",
    value: app.filter,
    placeholder: s.searchProjects,
    "aria-label": s.searchProjects,
    oninput: (e: Event) => {
      app.filter = (e.target as HTMLInputElement).value;
      renderRows();
    },
  });
  const rows = h("tbody", { id: "project-rows" });
  const count = h("span", { class: "count", "data-testid": "project-count" });
  function renderRows(): void {
    const visible = app.list.filter((p) => matches(p, app.filter));
    count.textContent = s.projectsCount(app.list.length, visible.length);
    rows.replaceChildren(...visible.map(projectRow));
  }
  el.projects.replaceChildren(
    h(
      "div",
      { class: "projects-bar" },
      h("h2", { id: "projects-heading" }, s.projects),
      count,
      search,
      h(
        "button",
        { type: "button", class: "button", id: "export-engagement", onclick: () => void exportEngagement() },
        s.exportEngagement,
      ),
      h("input", {
        type: "file",
        id: "import-engagement",
        class: "file",
        accept: ".json,application/json",
        onchange: (e: Event) => void importEngagementFile(e.target as HTMLInputElement),
      }),
      h("label", { class: "button", for: "import-engagement" }, s.importEngagement),
      h("input", {
        type: "file",
        id: "import-table",
        class: "file",
        accept: ".xlsx,.xlsm,.xls,.xlsb,.ods,.csv,.tsv,.txt,.jsonl",
        onchange: (e: Event) => void importTableFile(e.target as HTMLInputElement),
      }),
      h("label", { class: "button", for: "import-table" }, s.importTable),
      h(
        "button",
        {
          type: "button",
          class: "button",
          id: "show-portfolio",
          "aria-pressed": app.portfolio ? "true" : "false",
          onclick: () => {
            app.portfolio = !app.portfolio;
            renderProjects();
          },
        },
        s.portfolio,
      ),
      h(
        "button",
        {
          type: "button",
          class: "button primary",
          id: "new-project",
          onclick: () => {
            if (app.project) void createProject(app.project.rulebook);
          },
        },
        s.newProject,
      ),
    ),
    h(
      "div",
      { class: "projects-scroll" },
      h(
        "table",
        { class: "projects-table", "aria-labelledby": "projects-heading" },
        h(
          "thead",
          null,
          h("tr", null, [s.colProject, s.colRulebook, s.colStatus, s.colTotal, s.colGrade, s.colUpdated, s.colActions].map((c) => h("th", { scope: "col" }, c))),
        ),
        rows,
      ),
    ),
  );
  renderRows();
  renderRanking();
}

/** Each listed project's scorecard as of its revision, so that the ranking re-scores only what
 * changed since it was last shown. */
const rankingCards = new Map<string, { revision: number; lang: Lang; rules: Rules; card: Scorecard }>();

function rankedCard(rules: Rules, p: Project): Scorecard {
  const kept = rankingCards.get(p.id);
  if (kept && kept.revision === p.revision && kept.lang === app.lang && kept.rules === rules) return kept.card;
  const card = rules.evaluate(p.submission, app.lang);
  rankingCards.set(p.id, { revision: p.revision, lang: app.lang, rules, card });
  return card;
}

/** The ranking of the open project's rulebook, when shown: every project of it scored now. */
function renderRanking(): void {
  const rules = app.rules;
  const open = app.project;
  if (!app.portfolio || !rules || !open) {
    el.portfolio.replaceChildren();
    return;
  }
  const key = keyString(open.rulebook);
  const list = app.list
    .filter((p) => keyString(p.rulebook) === key)
    .map((p) => ({ project: p, card: p.id === open.id && app.card ? app.card : rankedCard(rules, p) }));
  const ranked = rank(list);
  el.portfolio.replaceChildren(
    renderPortfolio({
      lang: app.lang,
      title: rulebookTitle(open.rulebook),
      ranked,
      open: (p) => void openProject(p),
      exportXlsx: () => void exportXlsx(ranked.map((r) => (r.project.id === open.id ? app.sub : r.project.submission))),
      close: () => {
        app.portfolio = false;
        renderProjects();
      },
    }),
  );
}

/** The projects' results as the batch's XLSX (评价结果, 扣分原因, 错误, 说明), in ranking order. */
async function exportXlsx(subs: Submission[]): Promise<void> {
  if (!app.rules || !app.project) return;
  try {
    const bytes = await tables.resultsXlsx(app.rules.rulebookJson(), subs, app.lang);
    download(`${fileStem(sourceKey())}-results.xlsx`, bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    setStatus(t().xlsxExported(subs.length));
  } catch (e) {
    showError(t().reportFailed, e);
  }
}

/** A projects table dropped or picked: read and scored by the open project's rulebook, shown,
 * then its rows become projects. */
async function importTableFile(input: HTMLInputElement): Promise<void> {
  const file = input.files?.[0];
  input.value = "";
  const rules = app.rules;
  const open = app.project;
  if (!file || !rules || !open) return;
  await flushSave();
  await importTable(file, {
    lang: app.lang,
    rulebookId: rules.form.rulebook.id,
    rulebookTitle: rulebookTitle(open.rulebook),
    rulebookText: rules.rulebookJson(),
    form: rules.form,
    addRows: (rows, name) => addTableRows(open.rulebook, rows, name),
    error: showError,
  });
}

/** A table's rows as new projects of `key`, first row on top, with the score each row got. */
async function addTableRows(key: RulebookKey, rows: ScoredRow[], fileName: string): Promise<number> {
  const now = Date.now();
  const added: Project[] = rows.flatMap((r, i) => {
    if (!r.submission) return [];
    const submission = { ...r.submission, values: r.submission.values ?? {} } as Submission;
    const card = r.status === "failed" ? null : r.scorecard;
    const typed = submission.project?.name;
    return [
      {
        id: projects.newId(),
        name: typeof typed === "string" && typed.trim() ? typed.trim() : t().rowName(fileName, r.row),
        rulebook: key,
        submission,
        status: r.status === "failed" ? "editing" : statusOf(submission, card),
        total: card ? card.total : null,
        grade: card?.grade ? pick(app.lang, card.grade.label, card.grade.label_en) : null,
        created: now - i,
        updated: now - i,
        revision: 0,
      },
    ];
  });
  try {
    await projects.addProjects(added);
  } catch (e) {
    showError(t().saveFailed, e);
    return 0;
  }
  app.list = await projects.listProjects();
  renderProjects();
  setStatus(t().tableImported(added.length, fileName));
  return added.length;
}

function projectRow(p: Project): HTMLTableRowElement {
  const s = t();
  const current = app.project?.id === p.id;
  const name = projectName(p);
  const button = (label: string, action: () => void, cls = "small") =>
    h("button", { type: "button", class: cls, "aria-label": `${label} ${name}`, onclick: action }, label);
  return h(
    "tr",
    { "data-project": p.id, class: current ? "current" : null, "aria-current": current ? "true" : null },
    h("td", null, h("button", { type: "button", class: "link", onclick: () => void openProject(p) }, name)),
    h("td", null, rulebookTitle(p.rulebook)),
    h("td", { "data-status": p.status }, s.projectStatus[p.status] ?? p.status),
    h("td", { class: "num" }, p.total === null ? "" : String(p.total)),
    h("td", null, p.grade ?? ""),
    h("td", null, new Date(p.updated).toLocaleString(app.lang === "en" ? "en-GB" : "zh-CN", { hour12: false })),
    h(
      "td",
      { class: "row-actions" },
      button(s.duplicate, () => void duplicateProject(p)),
      button(s.rename, () => void renameProject(p)),
      button(s.remove, () => void removeProject(p), "small danger"),
    ),
  );
}

async function exportEngagement(): Promise<void> {
  await flushSave();
  const e = await projects.exportEngagement();
  const day = new Date().toISOString().slice(0, 10);
  download(`jixiao-projects-${day}.json`, JSON.stringify(e, null, 1) + "\n", "application/json");
  setStatus(t().engagementExported(e.projects.length));
}

async function importEngagementFile(input: HTMLInputElement): Promise<void> {
  const f = await readFile(input);
  if (!f) return;
  let result: projects.Imported;
  try {
    result = await projects.importEngagement(projects.parseEngagement(f.text));
  } catch (e) {
    showError(t().importError + t().colon + f.name, e);
    return;
  }
  await flushSave();
  app.list = await projects.listProjects();
  const open = app.project && app.list.find((p) => p.id === app.project!.id);
  if (open && open.revision !== app.project!.revision) await openProject(open);
  else if (!app.project && app.list[0]) await openProject(app.list[0]);
  renderProjects();
  fillRulebookSelect();
  setStatus(t().engagementImported(result.added, result.replaced, result.kept));
}

async function duplicateProject(p: Project): Promise<void> {
  await flushSave();
  const source = app.list.find((x) => x.id === p.id) ?? p;
  const sub = structuredClone(source.submission);
  const name = t().copyOf(projectName(source));
  if (typeof sub.project?.name === "string" && sub.project.name.trim()) sub.project = { ...sub.project, name };
  await createProject(source.rulebook, sub, name);
}

async function renameProject(p: Project): Promise<void> {
  const name = window.prompt(t().renamePrompt, projectName(p))?.trim();
  if (!name) return;
  if (app.project?.id === p.id) {
    app.sub.project = { ...(app.sub.project ?? {}), name };
    app.project = { ...app.project, name };
    buildView();
    edited();
    return;
  }
  const current = app.list.find((x) => x.id === p.id) ?? p;
  const renamed: Project = {
    ...current,
    name,
    submission: { ...current.submission, project: { ...(current.submission.project ?? {}), name } },
  };
  const { project } = await projects.saveProject(current, renamed);
  replaceInList(project);
  renderProjects();
}

/** Delete at once, with a few seconds to undo: the project is put back as it was. */
async function removeProject(p: Project): Promise<void> {
  if (app.project?.id === p.id) await flushSave();
  const gone = app.list.find((x) => x.id === p.id) ?? p;
  await projects.deleteProject(gone.id);
  app.list = app.list.filter((x) => x.id !== gone.id);
  if (app.project?.id === gone.id) {
    app.project = null;
    const next = app.list[0];
    if (next) await openProject(next);
    else await createProject(gone.rulebook);
  }
  renderProjects();
  const name = projectName(gone);
  const undo = h(
    "button",
    {
      type: "button",
      class: "small",
      id: "undo-delete",
      onclick: async () => {
        await projects.addProject(gone);
        app.list.push(gone);
        app.list.sort((a, b) => b.updated - a.updated);
        el.toast.replaceChildren();
        renderProjects();
        setStatus(t().restoredProject(name));
      },
    },
    t().undo,
  );
  el.toast.replaceChildren(h("div", { class: "toast", role: "status" }, t().deleted(name), " ", undo));
  setTimeout(() => {
    if (el.toast.contains(undo)) el.toast.replaceChildren();
  }, 10_000);
}

/** Another tab saved or deleted a project: the list follows; the open project reloads when
 * this tab has nothing unsaved (else its next save merges). */
function otherTab(a: projects.Announcement): void {
  if (a.type === "deleted") {
    app.list = app.list.filter((x) => x.id !== a.id);
    if (app.project?.id === a.id) setStatus(t().otherTabDeleted);
    renderProjects();
    return;
  }
  if (a.id === "*") {
    // A whole engagement was imported in another tab.
    void projects.listProjects().then((list) => {
      app.list = list;
      renderProjects();
    });
    return;
  }
  void syncFromStore(a.id);
}

/** A project as stored now, into the list; the open one reloaded when the stored revision is
 * newer and this tab has nothing unsaved (during a save of ours, looked at again after it). */
async function syncFromStore(id: string): Promise<void> {
  const p = await projects.getProject(id);
  if (!p) return;
  const i = app.list.findIndex((x) => x.id === p.id);
  if (i >= 0) app.list[i] = p;
  else app.list.unshift(p);
  const open = app.project;
  if (open?.id === p.id && inFlight) missed = true;
  else if (open?.id === p.id && p.revision > open.revision && !dirty && saveTimer === null) {
    app.project = p;
    app.sub = structuredClone(p.submission);
    buildView();
    rescore(false);
    setStatus(t().otherTabUpdated);
  }
  renderProjects();
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
  el.reportDocx.textContent = s.reportDocx;
  el.summaryDocx.textContent = s.summaryDocx;
  el.clear.textContent = s.clearForm;
  el.resultHeading.textContent = s.result;
  el.skip.textContent = s.skipToResult;
  el.skipForm.textContent = s.skipToForm;
  el.form.setAttribute("aria-label", s.formLabel);
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

async function importSubmission(name: string, text: string): Promise<void> {
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
  const sub: Submission = {
    ...(obj.project ? { project: obj.project } : {}),
    values: { ...obj.values },
    ...(obj.not_applicable?.length ? { not_applicable: [...obj.not_applicable] } : {}),
    ...(obj.notes && Object.keys(obj.notes).length ? { notes: { ...obj.notes } } : {}),
    ...(obj.evidence && Object.keys(obj.evidence).length ? { evidence: { ...obj.evidence } } : {}),
    ...(obj.experts?.length ? { experts: [...obj.experts] } : {}),
  };
  el.banner.replaceChildren();
  // A file made for another rulebook becomes a project of that rulebook, if the person agrees
  // and it is available here; never values read against the wrong inputs.
  const tag = obj.rulebook;
  const current = app.rules?.form.rulebook;
  if (tag && typeof tag.id === "string" && current && tag.id !== current.id) {
    if (!app.shipped.some((r) => r.id === tag.id)) {
      showError(t().importError + t().colon + name, new Error(t().importUnknownRulebook(tag.id)));
      return;
    }
    if (window.confirm(t().importOtherRulebook(tag.id, current.id))) {
      await createProject({ kind: "shipped", id: tag.id }, sub);
      setStatus(t().imported(name));
    }
    return;
  }
  // The open project is replaced only when it is empty or the person says so; otherwise the
  // file becomes a project of its own.
  if (app.project && statusOf(app.sub, app.card) !== "new" && !window.confirm(t().confirmImportReplace)) {
    await createProject(app.project.rulebook, sub);
  } else {
    app.sub = sub;
    buildView();
    rescore(true);
  }
  const otherVersion = tag?.hash && current && tag.hash !== current.hash;
  setStatus(t().imported(name) + (otherVersion ? t().importOtherVersion(tag.version ?? "?") : ""));
}

/** A rulebook file: compiled (its problems shown if it does not), kept in IndexedDB by its
 * hash, and a project of it opened. */
async function openRulebookFile(name: string, text: string): Promise<void> {
  let hash: string;
  try {
    const rules = new Rules(text);
    hash = rules.form.rulebook.hash;
    rules.free();
  } catch (e) {
    showError(t().rulebookError + t().colon + name, e, app.rules ? t().rulebookErrorKept : undefined);
    fillRulebookSelect();
    return;
  }
  await projects.saveRulebookFile({ hash, name, text });
  await openRulebook({ kind: "file", name, hash });
}

// ---------------------------------------------------------------- wiring

function wire(): void {
  el.rulebook.addEventListener("change", () => {
    const v = el.rulebook.value;
    if (v.startsWith("shipped:")) void openRulebook({ kind: "shipped", id: v.slice("shipped:".length) });
    else if (v.startsWith("file:")) {
      const p = app.list.find((x) => keyString(x.rulebook) === v);
      if (p) void openRulebook(p.rulebook);
    }
  });
  el.rulebookFile.addEventListener("change", async () => {
    const f = await readFile(el.rulebookFile);
    if (f) await openRulebookFile(f.name, f.text);
  });
  el.importSub.addEventListener("change", async () => {
    const f = await readFile(el.importSub);
    if (f) await importSubmission(f.name, f.text);
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
    renderProjects();
    el.lang.focus();
  });
  el.exportSub.addEventListener("click", () => {
    if (!app.rules) return;
    // The file says which rulebook it belongs to; the CLI and this page check it on import.
    const r = app.rules.form.rulebook;
    const out: Submission = { ...app.sub, rulebook: { id: r.id, version: r.version, hash: r.hash } };
    download(`${fileStem(sourceKey(), app.sub.project?.id)}-submission.json`, JSON.stringify(out, null, 2) + "\n", "application/json");
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
  const docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  el.reportDocx.addEventListener("click", async () => {
    const rules = app.rules;
    const card = app.card;
    if (!rules || !card) return;
    try {
      const bytes = await reporting.projectReport(rules.rulebookJson(), card, app.lang);
      download(`${fileStem(sourceKey(), app.sub.project?.id)}-report.docx`, bytes, docx);
    } catch (e) {
      showError(t().reportFailed, e);
    }
  });
  el.summaryDocx.addEventListener("click", async () => {
    const rules = app.rules;
    const open = app.project;
    if (!rules || !open || !app.card) return;
    // Every project of the open project's rulebook, the open one as it stands now.
    const key = keyString(open.rulebook);
    const cards = app.list
      .filter((p) => keyString(p.rulebook) === key)
      .map((p) => (p.id === open.id ? app.card! : rules.evaluate(p.submission, app.lang)));
    try {
      const bytes = await reporting.summaryReport(rules.rulebookJson(), cards, app.lang);
      download(`${fileStem(sourceKey())}-summary.docx`, bytes, docx);
      setStatus(t().summaryOf(cards.length));
    } catch (e) {
      showError(t().reportFailed, e);
    }
  });
  el.clear.addEventListener("click", () => {
    if (!app.rules || !window.confirm(t().confirmClear)) return;
    app.sub = { values: {} };
    buildView();
    rescore(true);
  });
  // The date in the print footer is taken when printing.
  window.addEventListener("beforeprint", () => rescore(false));
  window.addEventListener("pagehide", () => {
    writeJournal();
    void flushSave();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") void flushSave();
  });
  projects.onOtherTab(otherTab);
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
  try {
    app.list = await projects.listProjects();
    if (app.list.length === 0) {
      const moved = await migrate();
      app.list = await projects.listProjects();
      if (moved) setStatus(t().migrated(moved));
    }
  } catch (e) {
    showError(t().saveFailed, e);
  }
  const wanted = (() => {
    try {
      return sessionStorage.getItem("jixiao.workspace.current") ?? localStorage.getItem("jixiao.workspace.last");
    } catch {
      return null;
    }
  })();
  const first = app.list.find((p) => p.id === wanted) ?? app.list[0];
  let opened = first ? await openProject(first) : false;
  const unsaved = first && opened ? takeJournal(first) : null;
  if (unsaved) {
    app.sub = unsaved;
    buildView();
    rescore(true);
  }
  if (!opened) {
    const id = defaultRulebookId(app.shipped.map((r) => r.id));
    opened = await createProject({ kind: "shipped", id });
  }
  if (opened && first && first.status !== "new") setStatus(t().restored);
  else if (el.status.textContent === t().loading) setStatus("");
  document.body.dataset.ready = "1";
}

/** The submissions the form kept before projects (one per rulebook, in localStorage) become
 * projects, once. Returns how many. */
async function migrate(): Promise<number> {
  let moved = 0;
  const now = Date.now();
  const saved = store.loadSource();
  const keys: { key: RulebookKey; id: string }[] = app.shipped.map((r) => ({ key: { kind: "shipped", id: r.id }, id: r.id }));
  if (saved?.kind === "file") {
    try {
      const rules = new Rules(saved.text);
      const { hash, id } = rules.form.rulebook;
      rules.free();
      await projects.saveRulebookFile({ hash, name: saved.name, text: saved.text });
      keys.push({ key: { kind: "file", name: saved.name, hash }, id });
    } catch {
      /* a stored rulebook that no longer compiles: its submission stays in localStorage */
    }
  }
  for (const { key, id } of keys) {
    const sub = store.loadSubmission(id);
    if (!sub) continue;
    const name = typeof sub.project?.name === "string" && sub.project.name.trim() ? sub.project.name : t().untitled(moved + 1);
    await projects.addProject({
      id: projects.newId(),
      name,
      rulebook: key,
      submission: sub,
      status: statusOf(sub, null) === "new" ? "new" : "editing",
      total: null,
      grade: null,
      created: now - moved,
      updated: now - moved,
      revision: 0,
    });
    store.removeSubmission(id);
    moved++;
  }
  return moved;
}

// For the e2e run: the current scorecard and submission, and the re-score timings.
declare global {
  interface Window {
    jixiaoDemo: {
      card(): Scorecard | null;
      submission(): Submission;
      timings: typeof timings;
      rescore(): number;
      projects(): Project[];
      project(): Project | null;
      flush(): Promise<void>;
    };
  }
}
window.jixiaoDemo = {
  card: () => app.card,
  submission: () => app.sub,
  timings,
  rescore: () => rescore(false),
  projects: () => app.list,
  project: () => app.project,
  flush: () => flushSave(),
};

void main();
