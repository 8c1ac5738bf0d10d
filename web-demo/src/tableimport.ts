// The import of a projects table (项目表): the file read and scored by the batch module, shown
// in a dialog before anything is stored — how each column was read (with "did you mean" for
// headers that name nothing, and a picker to say what a column holds), each row's status,
// score and problems — then the rows become projects. A mapping the evaluator adjusts is
// saved for the rulebook and applied to the next file.

import type { Form, Lang } from "./types";
import { append, h } from "./dom";
import { pick, strings } from "./i18n";
import * as tables from "./tables";
import type { ScoredRow, ScoredTable, TableColumn } from "./tables";

/** Largest file imported (bindings/wasm/src/batch.rs, MAX_TABLE_BYTES). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface TableImportHost {
  lang: Lang;
  /** The rulebook the rows are scored by: its id (mappings are saved by it), title, text, form. */
  rulebookId: string;
  rulebookTitle: string;
  rulebookText: string;
  form: Form;
  /** Stores the rows as projects; returns how many. */
  addRows(rows: ScoredRow[], fileName: string): Promise<number>;
  error(title: string, e: unknown): void;
}

/** What a column may be said to hold: its mapping target and how the picker shows it. */
function targetChoices(form: Form, lang: Lang): { value: string; label: string }[] {
  const s = strings(lang);
  const choices = [
    { value: "", label: s.targetUnknown },
    { value: "ignore", label: s.targetIgnore },
    { value: "project.id", label: s.targetProjectId },
    { value: "project.name", label: s.targetProjectName },
  ];
  for (const sec of form.sections)
    for (const g of sec.groups)
      for (const f of g.fields) choices.push({ value: f.id, label: `${pick(lang, f.label, f.label_en)}（${f.id}）` });
  return choices;
}

/** Reads `file`, shows the dialog, and resolves once it is closed (imported or cancelled). */
export async function importTable(file: File, host: TableImportHost): Promise<void> {
  const s = strings(host.lang);
  // The batch module refuses more (MAX_TABLE_BYTES): said before the file is read whole.
  if (file.size > MAX_FILE_BYTES) {
    host.error(s.tableFailed + s.colon + file.name, new Error(s.fileTooLarge(file.size, MAX_FILE_BYTES)));
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let mapping = tables.savedMapping(host.rulebookId);
  const fromSaved = Object.keys(mapping).length;
  let table: ScoredTable;
  try {
    table = await tables.scoreTable(host.rulebookText, bytes, file.name, mapping, host.lang);
  } catch (e) {
    // A saved mapping that no longer fits (the rulebook changed): read the file without it.
    if (!fromSaved) {
      host.error(s.tableFailed + s.colon + file.name, e);
      return;
    }
    try {
      mapping = {};
      table = await tables.scoreTable(host.rulebookText, bytes, file.name, mapping, host.lang);
    } catch (e2) {
      host.error(s.tableFailed + s.colon + file.name, e2);
      return;
    }
  }

  const dialog = h("dialog", { id: "table-import", class: "table-import", "aria-labelledby": "table-import-title" });
  document.body.appendChild(dialog);
  const choices = targetChoices(host.form, host.lang);
  let busy = false;
  /** Why the last change of mapping could not be applied (shown in the dialog, which covers
   * the page's own error banner). */
  let failure: string | null = null;

  const rescore = async (next: Record<string, string>) => {
    if (busy) return;
    busy = true;
    try {
      table = await tables.scoreTable(host.rulebookText, bytes, file.name, next, host.lang);
      mapping = next;
      failure = null;
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    } finally {
      busy = false;
    }
    render();
  };

  const setTarget = (header: string, value: string) => {
    const next = { ...mapping };
    if (value) next[header] = value;
    else delete next[header];
    void rescore(next);
  };

  const close = () => {
    dialog.close();
    dialog.remove();
  };

  const importRows = async () => {
    const rows = table.rows.filter((r) => r.submission);
    tables.saveMapping(host.rulebookId, mapping);
    close();
    await host.addRows(rows, file.name);
  };

  function columnRow(c: TableColumn): HTMLTableRowElement {
    const warning = table.warnings.find((w) => w.kind === "unknown_column" && w.header === c.header);
    const suggestion = warning && warning.kind === "unknown_column" ? warning.suggestion : null;
    const current = c.target ?? "";
    const options = choices.some((o) => o.value === current) ? choices : [...choices, { value: current, label: current }];
    const select = h(
      "select",
      { "aria-label": `${s.colTarget} ${c.header}`, "data-header": c.header, onchange: (e: Event) => setTarget(c.header, (e.target as HTMLSelectElement).value) },
      options.map((o) => h("option", { value: o.value, selected: o.value === current }, o.label)),
    );
    const note = suggestion
      ? [
          s.didYouMean(pick(host.lang, suggestion.label, suggestion.label_en), suggestion.id),
          " ",
          h("button", { type: "button", class: "small", "data-suggest": c.header, onclick: () => setTarget(c.header, suggestion.id) }, s.useSuggestion),
        ]
      : c.label ?? "";
    return h("tr", { class: c.target === null ? "unknown" : null }, h("td", null, c.header), h("td", null, select), h("td", null, note));
  }

  function resultRow(r: ScoredRow): HTMLTableRowElement {
    const card = r.scorecard;
    const failed = r.status === "failed";
    const problems = r.errors.map((e) => (e.column ? `${e.column}${s.colon}${e.message}` : e.message)).join(s.listSep);
    return h(
      "tr",
      { "data-row": r.row, "data-status": r.status },
      h("td", { class: "num" }, r.row),
      h("td", null, r.submission?.project?.id ?? ""),
      h("td", null, r.submission?.project?.name ?? ""),
      h("td", null, s.rowStatus[r.status] ?? r.status),
      h("td", { class: "num" }, card && !failed ? String(card.total) : ""),
      h("td", null, card && !failed ? pick(host.lang, card.grade?.label ?? "", card.grade?.label_en) : ""),
      h("td", { class: "problems" }, problems),
    );
  }

  function render(): void {
    const count = (status: string) => table.rows.filter((r) => r.status === status).length;
    const missing = table.warnings.flatMap((w) => (w.kind === "missing_inputs" ? w.inputs : []));
    const importable = table.rows.filter((r) => r.submission).length;
    dialog.replaceChildren();
    append(dialog, [
      h("h2", { id: "table-import-title" }, s.importTableTitle(file.name)),
      h("p", null, s.importTableRulebook(host.rulebookTitle)),
      table.header_row !== null ? h("p", null, s.headerFrom(table.header_row, table.skipped_rows)) : null,
      h("p", { "data-testid": "rows-summary" }, s.rowsSummary(table.rows.length, count("scored"), count("incomplete"), count("failed"))),
      Object.keys(mapping).length
        ? h(
            "p",
            null,
            s.mappingNote(Object.keys(mapping).length),
            " ",
            h("button", { type: "button", class: "small", onclick: () => void rescore({}) }, s.clearMapping),
          )
        : null,
      failure ? h("p", { class: "error-box", role: "alert" }, failure) : null,
      missing.length ? h("p", { class: "warn" }, s.missingColumns(missing.join(s.listSep))) : null,
      table.columns.length
        ? h(
            "details",
            { class: "mapping", open: table.columns.some((c) => c.target === null) },
            h("summary", null, s.mappingHeading),
            h(
              "table",
              { class: "projects-table" },
              h("thead", null, h("tr", null, [s.colHeader, s.colTarget, s.colNote].map((c) => h("th", { scope: "col" }, c)))),
              h("tbody", null, table.columns.map(columnRow)),
            ),
          )
        : null,
      h("h3", null, s.rowsHeading),
      h(
        "div",
        { class: "projects-scroll" },
        h(
          "table",
          { class: "projects-table", "data-testid": "import-rows" },
          h(
            "thead",
            null,
            h("tr", null, [s.colRow, s.colProjectId, s.colProject, s.colStatus, s.colTotal, s.colGrade, s.colProblems].map((c) => h("th", { scope: "col" }, c))),
          ),
          h("tbody", null, table.rows.map(resultRow)),
        ),
      ),
      h(
        "div",
        { class: "dialog-actions" },
        h("button", { type: "button", class: "button", onclick: close }, s.cancel),
        h(
          "button",
          { type: "button", class: "button primary", id: "import-rows", disabled: importable === 0, onclick: () => void importRows() },
          s.importRows(importable),
        ),
      ),
    ]);
  }

  render();
  dialog.addEventListener("cancel", () => dialog.remove());
  dialog.showModal();
}
