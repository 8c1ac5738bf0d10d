// The evaluator's form, generated from the engine's form(): dimension → second-level
// indicator → the indicators (评分标准, N/A toggle, live score) and the inputs they read.
// Built once per rulebook/language; after that only messages and score chips are updated.

import type { Form, FormIndicator, Input, Lang, Problem, Scorecard, Submission, TableRow, Value } from "./types";
import { h, domId } from "./dom";
import { pick, strings } from "./i18n";
import { num, pct, problemText } from "./format";

const DEFAULT_LEVELS = ["优", "良", "中", "差"];
/** Most rows a table input holds (crates/jixiao/src/submission/table.rs, MAX_ROWS). */
const MAX_TABLE_ROWS = 200;

/** An expert-grade input's levels, best first (by the share of points each earns). */
export function gradeLevels(input: Input): string[] {
  if (!input.levels?.length) return DEFAULT_LEVELS;
  return [...input.levels].sort((a, b) => b.fraction - a.fraction).map((l) => l.label);
}

/** The grades an item was given, per expert, in the experts' order ("" where an expert has
 * not graded it). */
export function gradesOf(v: Value | undefined): string[] {
  if (Array.isArray(v)) return v.map((g) => (typeof g === "string" ? g : ""));
  return typeof v === "string" && v !== "" ? [v] : [];
}

/** The highest and lowest grade given and how many levels apart, where that is two or more
 * (the core's finding and the report's 意见分歧 use the same rule). */
export function disagreement(levels: string[], grades: string[]): { hi: string; lo: string; apart: number } | null {
  const at = grades.map((g) => levels.indexOf(g)).filter((i) => i >= 0);
  if (at.length < 2) return null;
  const best = Math.min(...at);
  const worst = Math.max(...at);
  return worst - best >= 2 ? { hi: levels[best], lo: levels[worst], apart: worst - best } : null;
}
/** English glosses of the usual expert-grade labels (the value stays the rulebook's label). */
const LEVEL_EN: Record<string, string> = { 优: "excellent", 良: "good", 中: "fair", 差: "poor" };

export interface FormCallbacks {
  /** A value changed (undefined = cleared). */
  setValue(id: string, value: Value | undefined): void;
  setNa(indicator: string, na: boolean): void;
  setNote(indicator: string, note: string): void;
  setProject(key: string, value: string): void;
  /** The panel's names; `rebuild` when the form must be drawn again (an expert added or
   * removed, a name settled), `removed` the index of an expert taken out with their grades. */
  setExperts(names: string[], rebuild: boolean, removed?: number): void;
  printExpert(index: number): void;
}

export interface FormView {
  root: HTMLElement;
  /** Show the engine's problems next to their fields and scores next to their indicators. */
  update(card: Scorecard): void;
}

/** "范围 0–100 %" / "≥ 0 万元". */
function rangeText(input: Input, lang: Lang): string {
  const unit = input.unit ? (input.unit === "%" ? "%" : " " + input.unit) : "";
  const { min, max } = input;
  if (min !== undefined && max !== undefined) return `${strings(lang).range} ${min}–${max}${unit}`;
  if (min !== undefined) return `≥ ${min}${unit}`;
  if (max !== undefined) return `≤ ${max}${unit}`;
  return "";
}

/** What a text box shows for a stored value. */
function asText(v: Value | undefined): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.join("、");
  return String(v);
}

/** A typed number as the submission stores it: a plain number when it is one, else the text
 * as typed ("2,104.8", "12%") for the engine to read or reject with its message. */
function fromText(text: string): Value | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    if (Number.isFinite(n)) return n;
  }
  return t;
}

/** A date as people type it (2024年3月31日, 2024.3.31, 2024/3/31, 2024-3-31, 20240331) in the
 * form the engine reads, YYYY-MM-DD; anything else as typed, for the engine to name. */
export function normalizeDate(text: string): string {
  const t = text.trim();
  const m =
    /^(\d{4})\s*(?:年|[./-])\s*(\d{1,2})\s*(?:月|[./-])\s*(\d{1,2})\s*日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  return m ? `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}` : t;
}

/** Cells copied from Excel or WPS: rows by line, cells by tab; a cell holding a tab, a line
 * break or a quote comes quoted ("…", quotes doubled). A trailing line break ends the last
 * row rather than starting an empty one. */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === "\t") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A pasted cell's text as the column stores what is typed into it. */
function cellValue(col: Input, text: string): Value | undefined {
  const s = text.trim();
  if (s === "") return undefined;
  switch (col.type) {
    case "number":
    case "integer":
    case "percent":
      return fromText(s);
    case "date":
      return normalizeDate(s);
    case "bool":
      return boolOf(s) ?? s;
    default:
      return s;
  }
}

function boolOf(v: Value | undefined): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (["是", "yes", "true", "1", "y"].includes(s)) return true;
    if (["否", "no", "false", "0", "n"].includes(s)) return false;
  }
  return undefined;
}

export function buildForm(form: Form, sub: Submission, lang: Lang, cb: FormCallbacks): FormView {
  const t = strings(lang);
  const msgEls = new Map<string, { field: HTMLElement; msg: HTMLElement }>();
  const inputs = new Map<string, Input>();
  const chips = new Map<string, HTMLElement>();
  const naMsgs = new Map<string, HTMLElement>();

  const projectFields: [string, string][] = [
    ["id", t.projectId],
    ["name", t.projectName],
    ["department", t.projectDepartment],
    ["evaluator", t.projectEvaluator],
  ];
  const project = h(
    "fieldset",
    { class: "card project" },
    h("legend", null, h("h2", null, t.project)),
    h(
      "div",
      { class: "fields" },
      projectFields.map(([key, label]) => {
        const id = domId("p", key);
        const v = sub.project?.[key];
        return h(
          "div",
          { class: "field" },
          h("label", { for: id }, label),
          h("input", {
            id,
            type: "text",
            name: "project." + key,
            value: typeof v === "string" ? v : "",
            autocomplete: "off",
            oninput: (e: Event) => cb.setProject(key, (e.target as HTMLInputElement).value),
          }),
        );
      }),
    ),
  );

  const experts = (sub.experts ?? []).map(String);
  const hasGrades = form.sections.some((sec) => sec.groups.some((g) => g.fields.some((f) => f.type === "grade")));
  const expertLabel = (i: number) => experts[i]?.trim() || `${t.expert} ${i + 1}`;
  const panel = hasGrades
    ? h(
        "fieldset",
        { class: "card experts", id: "experts" },
        h("legend", null, h("h2", null, t.panel)),
        h("p", { class: "help" }, t.panelHelp),
        h(
          "ol",
          { class: "expert-list" },
          experts.map((name, i) =>
            h(
              "li",
              null,
              h("input", {
                type: "text",
                id: `expert-${i}`,
                value: name,
                "aria-label": t.expertName(i + 1),
                placeholder: t.expertName(i + 1),
                autocomplete: "off",
                oninput: (e: Event) => {
                  experts[i] = (e.target as HTMLInputElement).value;
                  cb.setExperts([...experts], false);
                },
                // The selects are labelled by name: drawn again once the name is settled.
                onchange: () => cb.setExperts([...experts], true),
              }),
              h("button", { type: "button", class: "small", "data-print-expert": i, onclick: () => cb.printExpert(i) }, t.printExpertSheet),
              h(
                "button",
                {
                  type: "button",
                  class: "small danger",
                  "aria-label": `${t.removeExpert} ${expertLabel(i)}`,
                  onclick: () => {
                    if (!window.confirm(t.confirmRemoveExpert(expertLabel(i)))) return;
                    const rest = experts.filter((_, k) => k !== i);
                    cb.setExperts(rest, true, i);
                  },
                },
                "×",
              ),
            ),
          ),
        ),
        h(
          "button",
          { type: "button", class: "small", id: "add-expert", onclick: () => cb.setExperts([...experts, ""], true) },
          "+ " + t.addExpert,
        ),
      )
    : null;

  /** The control of one value (a scalar input, or one cell of a table row); `set` stores it. */
  function makeControl(input: Input, v: Value | undefined, id: string, described: string, label: string, set: (v: Value | undefined) => void, inTable = false): HTMLElement {
    // A text-valued control's edit: an emptied field is "not filled in", not "".
    const setText = (e: Event) => {
      const s = (e.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;
      set(s === "" ? undefined : s);
    };
    let control: HTMLElement;
    switch (input.type) {
      case "bool": {
        const b = boolOf(v);
        control = h(
          "select",
          {
            id,
            onchange: (e: Event) => {
              const s = (e.target as HTMLSelectElement).value;
              set(s === "" ? undefined : s === "true");
            },
          },
          h("option", { value: "", selected: b === undefined }, t.unset),
          h("option", { value: "true", selected: b === true }, t.yes),
          h("option", { value: "false", selected: b === false }, t.no),
        );
        break;
      }
      case "choice": {
        const cur = typeof v === "string" ? v : "";
        const choices = input.choices ?? [];
        control = h(
          "select",
          {
            id,
            onchange: setText,
          },
          h("option", { value: "", selected: cur === "" }, t.choose),
          cur && !choices.includes(cur) ? h("option", { value: cur, selected: true }, cur) : null,
          choices.map((c) => h("option", { value: c, selected: c === cur }, c)),
        );
        break;
      }
      case "date":
        // Typed as people type dates, whatever the browser's locale (a date picker follows it).
        control = h("input", {
          id,
          type: "text",
          placeholder: "2024-03-31",
          autocomplete: "off",
          spellcheck: "false",
          value: asText(v),
          oninput: (e: Event) => {
            const text = (e.target as HTMLInputElement).value;
            set(text.trim() === "" ? undefined : normalizeDate(text));
          },
          onchange: (e: Event) => {
            const box = e.target as HTMLInputElement;
            if (box.value.trim() !== "") box.value = normalizeDate(box.value);
          },
        });
        break;
      case "text":
        if (inTable) {
          // one line in a table row; long texts still scroll within it
          control = h("input", {
            id,
            type: "text",
            value: asText(v),
            oninput: setText,
          });
          break;
        }
        control = h("textarea", {
          id,
          rows: 2,
          oninput: setText,
        });
        (control as HTMLTextAreaElement).value = asText(v);
        break;
      case "grade":
        control = gradePicker(input, v, id, label, set);
        break;
      case "table":
        control = tableEditor(input, v, id, label, set);
        break;
      default:
        control = h("input", {
          id,
          type: "text",
          inputmode: input.type === "integer" ? "numeric" : "decimal",
          autocomplete: "off",
          spellcheck: "false",
          value: asText(v),
          oninput: (e: Event) => set(fromText((e.target as HTMLInputElement).value)),
        });
    }
    const target = control.querySelector("[role=group]") ?? control;
    if (described) target.setAttribute("aria-describedby", described);
    if (input.required && input.type !== "grade" && input.type !== "table") target.setAttribute("aria-required", "true");
    return control;
  }

  function fieldFor(input: Input): HTMLElement {
    const id = domId("f", input.id);
    const msgId = domId("m", input.id);
    const helpId = domId("h", input.id);
    const label = pick(lang, input.label, input.label_en);
    const help = pick(lang, input.help ?? "", input.help_en);
    const range = rangeText(input, lang);
    const described = [help || range ? helpId : "", msgId].filter(Boolean).join(" ");
    const group = input.type === "grade" || input.type === "table";
    const control = makeControl(input, sub.values[input.id], id, described, label, (v) => cb.setValue(input.id, v));
    const wrap = h(
      "div",
      { class: "field" + (group || input.type === "text" ? " wide" : ""), "data-input": input.id, "data-type": input.type },
      group
        ? h("span", { class: "label", id: id + "-label" }, label, input.required ? req() : opt())
        : h("label", { for: id }, label, input.required ? req() : opt()),
      group && (help || range) ? h("div", { class: "help", id: helpId }, [help, range].filter(Boolean).join(t.listSep)) : null,
      h("div", { class: "control" }, control, input.unit && !group ? h("span", { class: "unit" }, input.unit) : null),
      !group && (help || range) ? h("div", { class: "help", id: helpId }, [help, range].filter(Boolean).join(t.listSep)) : null,
      h("div", { class: "msg", id: msgId, role: "alert" }),
    );
    msgEls.set(input.id, { field: wrap, msg: wrap.querySelector(".msg") as HTMLElement });
    inputs.set(input.id, input);
    return wrap;
  }

  /** A table input (e.g. a 绩效目标表) as a grid: a row per table row, a column per column,
   * a labelled control in each cell, rows added and removed with buttons, and rows copied from
   * Excel or WPS (cells separated by tabs) pasted into any cell, filling from there and adding
   * rows as needed. Stored as an array of row objects (empty cells left out; no rows = not
   * filled in). A bad cell is marked, and the problem repeated under its row. */
  function tableEditor(input: Input, v: Value | undefined, id: string, label: string, set: (v: Value | undefined) => void): HTMLElement {
    const columns = input.columns ?? [];
    const rows: TableRow[] = Array.isArray(v) ? v.filter((r): r is TableRow => typeof r === "object" && r !== null).map((r) => ({ ...r })) : [];
    const box = h("div", { class: "table-input", role: "group", id, "aria-labelledby": id + "-label" });
    const commit = () => set(rows.length ? rows.map((r) => ({ ...r })) : undefined);
    const cellId = (i: number, col: string) => `${id}-r${i}-${col}`;
    const paste = (e: ClipboardEvent) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>("td.cell");
      const text = e.clipboardData?.getData("text/plain") ?? "";
      let grid = parseTsv(text);
      // One value into one cell is an ordinary paste.
      if (!cell || (grid.length <= 1 && (grid[0]?.length ?? 0) <= 1)) return;
      e.preventDefault();
      const r0 = Number(cell.dataset.row);
      // No more rows than the engine takes in one table (the core's MAX_ROWS): the rest is
      // said, not dropped quietly, nor drawn by the thousand.
      const room = MAX_TABLE_ROWS - r0;
      if (grid.length > room) {
        window.alert(t.pasteTooMany(grid.length, Math.max(room, 0), MAX_TABLE_ROWS));
        grid = grid.slice(0, Math.max(room, 0));
      }
      const c0 = columns.findIndex((c) => c.id === cell.dataset.col);
      grid.forEach((values, k) => {
        const r = r0 + k;
        while (rows.length <= r) rows.push({});
        values.forEach((text, j) => {
          const col = columns[c0 + j];
          if (!col) return;
          const val = cellValue(col, text);
          if (val === undefined) delete rows[r][col.id];
          else rows[r][col.id] = val as TableRow[string];
        });
      });
      commit();
      draw(cellId(r0, columns[c0]?.id ?? ""));
    };
    const draw = (focus?: string) => {
      const head = h(
        "tr",
        null,
        h("th", { scope: "col", class: "n" }, "#"),
        columns.map((col) =>
          h(
            "th",
            { scope: "col", "data-col": col.id, title: pick(lang, col.help ?? "", col.help_en) || null },
            pick(lang, col.label, col.label_en),
            col.unit ? h("span", { class: "unit" }, `（${col.unit}）`) : null,
            col.required ? req() : null,
          ),
        ),
        h("th", { scope: "col", class: "n" }, t.colActions),
      );
      const body = rows.flatMap((row, i) => {
        const rowLabel = `${label} ${t.row(i + 1)}${typeof row.name === "string" && row.name ? " · " + row.name : ""}`;
        const cells = columns.map((col) => {
          const cid = cellId(i, col.id);
          const clabel = pick(lang, col.label, col.label_en);
          const control = makeControl(col, row[col.id] as Value | undefined, cid, "", `${label} ${t.row(i + 1)} ${clabel}`, (val) => {
            if (val === undefined || val === null) delete row[col.id];
            else row[col.id] = val as TableRow[string];
            commit();
          }, true);
          if (control.matches("input, select, textarea")) control.setAttribute("aria-label", `${rowLabel} ${clabel}`);
          return h("td", { class: "cell", "data-row": i, "data-col": col.id }, control);
        });
        return [
          h(
            "tr",
            { class: "table-row", "data-row": i },
            h("th", { scope: "row", class: "n" }, i + 1),
            cells,
            h(
              "td",
              { class: "n" },
              h(
                "button",
                {
                  type: "button",
                  class: "link danger",
                  "aria-label": t.removeRow(i + 1),
                  title: t.removeRow(i + 1),
                  onclick: () => {
                    rows.splice(i, 1);
                    commit();
                    draw(rows.length ? cellId(Math.min(i, rows.length - 1), columns[0]?.id ?? "") : `${id}-add`);
                  },
                },
                "×",
              ),
            ),
          ),
          h("tr", { class: "msg-row" }, h("td", { colspan: columns.length + 2 }, h("div", { class: "msg row-msg", id: `${id}-r${i}-msg`, role: "alert" }))),
        ];
      });
      box.replaceChildren(
        h("div", { class: "grid-scroll" }, h("table", { class: "grid", onpaste: paste as EventListener }, h("thead", null, head), h("tbody", null, body))),
        h(
          "div",
          { class: "grid-tools" },
          h(
            "button",
            {
              type: "button",
              class: "small",
              id: `${id}-add`,
              onclick: () => {
                rows.push({});
                commit();
                draw(cellId(rows.length - 1, columns[0]?.id ?? ""));
              },
            },
            "+ " + t.addRow,
          ),
          h("span", { class: "help" }, t.pasteHint),
        ),
      );
      if (focus) box.querySelector<HTMLElement>(`#${CSS.escape(focus)}`)?.focus();
    };
    draw();
    return box;
  }

  function req(): HTMLElement {
    return h("abbr", { class: "req", title: t.required }, "*");
  }
  function opt(): HTMLElement {
    return h("span", { class: "opt" }, t.paren(t.optional));
  }

  /** One select per expert: per named expert of the panel (their grades kept in the panel's
   * order, "" where one has not graded), else as many as graded, added and removed here. A
   * single grade is stored as a string, several as an array. Grades two or more levels apart
   * are pointed out here, at the item. */
  function gradePicker(input: Input, v: Value | undefined, id: string, label: string, set: (v: Value | undefined) => void): HTMLElement {
    const levels = gradeLevels(input);
    const named = experts.length > 0;
    let grades = gradesOf(v);
    if (named && grades.length < experts.length) grades = [...grades, ...Array<string>(experts.length - grades.length).fill("")];
    const box = h("div", { class: "grades", role: "group", id, "aria-labelledby": id + "-label" });
    const note = h("div", { class: "disagree", "aria-live": "polite" });
    const showNote = () => {
      const d = disagreement(levels, grades);
      const pending = named ? grades.slice(0, experts.length).filter((g) => g === "").length : 0;
      const given = grades.some((g) => g !== "");
      note.textContent = [d ? t.disagree(d.hi, d.lo, d.apart) : "", given && pending ? t.expertsPending(pending) : ""].filter(Boolean).join(t.listSep);
      note.hidden = note.textContent === "";
    };
    const commit = () => {
      showNote();
      if (!grades.some((g) => g !== "")) return set(undefined);
      if (named) {
        // Places kept: the i-th grade is the i-th expert's.
        let end = grades.length;
        while (end > experts.length && grades[end - 1] === "") end--;
        const kept = grades.slice(0, end);
        return set(kept.length === 1 ? kept[0] : kept);
      }
      const given = grades.filter((g) => g !== "");
      set(given.length === 1 ? given[0] : given);
    };
    const draw = (focusIndex?: number) => {
      box.replaceChildren();
      const rows = grades.length === 0 ? [""] : grades;
      rows.forEach((g, i) => {
        const sid = `${id}-e${i}`;
        const who = named && i < experts.length ? expertLabel(i) : `${t.expert} ${i + 1}`;
        const sel = h(
          "select",
          {
            id: sid,
            "aria-label": `${label} — ${who}`,
            onchange: (e: Event) => {
              const val = (e.target as HTMLSelectElement).value;
              if (grades.length === 0) grades = [val];
              else grades[i] = val;
              commit();
            },
          },
          h("option", { value: "", selected: g === "" }, t.unset),
          !levels.includes(g) && g !== "" ? h("option", { value: g, selected: true }, g) : null,
          levels.map((l) => h("option", { value: l, selected: l === g }, lang === "en" && LEVEL_EN[l] ? `${l} (${LEVEL_EN[l]})` : l)),
        );
        // Named experts are added and removed in the panel; unnamed ones here.
        const removable = !(named && i < experts.length) && rows.length > 1;
        box.append(
          h(
            "span",
            { class: "expert" },
            h("span", { class: "expert-n", "aria-hidden": "true" }, who),
            sel,
            removable
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "link",
                    "aria-label": `${t.removeExpert} ${who}`,
                    onclick: () => {
                      grades.splice(i, 1);
                      commit();
                      draw(Math.max(0, i - 1));
                    },
                  },
                  "×",
                )
              : null,
          ),
        );
      });
      if (!named)
        box.append(
          h(
            "button",
            {
              type: "button",
              class: "small",
              onclick: () => {
                if (grades.length === 0) grades = [""];
                grades.push("");
                draw(grades.length - 1);
              },
            },
            "+ " + t.addExpert,
          ),
        );
      if (focusIndex !== undefined) box.querySelector<HTMLSelectElement>(`#${CSS.escape(`${id}-e${focusIndex}`)}`)?.focus();
    };
    draw();
    showNote();
    const agg = input.aggregate ?? "mean";
    return h("div", null, box, note, h("div", { class: "help" }, t.aggregate[agg]));
  }

  function indicatorRow(ind: FormIndicator): HTMLElement {
    const na = (sub.not_applicable ?? []).includes(ind.id);
    const note = sub.notes?.[ind.id] ?? "";
    const criteria = pick(lang, ind.criteria ?? "", ind.criteria_en);
    const naId = domId("na", ind.id);
    const noteId = domId("note", ind.id);
    const chip = h("span", { class: "chip", "aria-live": "off" });
    chips.set(ind.id, chip);
    const naMsg = h("div", { class: "msg", role: "alert" });
    naMsgs.set(ind.id, naMsg);
    return h(
      "li",
      { class: "ind" + (na ? " is-na" : ""), "data-indicator": ind.id },
      h(
        "div",
        { class: "ind-head" },
        h("span", { class: "ind-id" }, ind.id),
        h("span", { class: "ind-label" }, pick(lang, ind.label, ind.label_en)),
        h("span", { class: "ind-points" }, `${num(ind.points)} ${t.points}`),
        chip,
      ),
      criteria ? h("p", { class: "criteria" }, h("span", { class: "criteria-k" }, t.criteria + t.colon), criteria) : null,
      h(
        "div",
        { class: "ind-tools" },
        ind.allow_na
          ? h(
              "label",
              { class: "na", for: naId },
              h("input", {
                id: naId,
                type: "checkbox",
                checked: na,
                onchange: (e: Event) => {
                  const on = (e.target as HTMLInputElement).checked;
                  (e.target as HTMLElement).closest(".ind")?.classList.toggle("is-na", on);
                  cb.setNa(ind.id, on);
                },
              }),
              " " + t.notApplicable,
            )
          : null,
        h(
          "details",
          { class: "note", open: note !== "" },
          h("summary", null, t.note),
          h("label", { for: noteId, class: "sr-only" }, `${t.note} ${ind.id}`),
          (() => {
            const ta = h("textarea", {
              id: noteId,
              rows: 2,
              placeholder: t.notePlaceholder,
              oninput: (e: Event) => cb.setNote(ind.id, (e.target as HTMLTextAreaElement).value),
            });
            ta.value = note;
            return ta;
          })(),
        ),
      ),
      naMsg,
    );
  }

  const sections = form.sections.map((sec) =>
    h(
      "section",
      { class: "card dim", "aria-labelledby": domId("sec", sec.id), "data-section": sec.id },
      h(
        "h2",
        { id: domId("sec", sec.id) },
        pick(lang, sec.label, sec.label_en),
        sec.points ? h("span", { class: "pts" }, `${num(sec.points)} ${t.points}`) : null,
      ),
      sec.groups.map((g) =>
        h(
          "fieldset",
          { class: "group", "data-group": g.id },
          h(
            "legend",
            null,
            g.id !== sec.id && g.id !== "_other" ? h("span", { class: "ind-id" }, g.id) : null,
            pick(lang, g.label, g.label_en),
            g.points ? h("span", { class: "pts" }, `${num(g.points)} ${t.points}`) : null,
          ),
          g.indicators.length ? h("ul", { class: "inds" }, g.indicators.map(indicatorRow)) : null,
          g.fields.length ? h("div", { class: "fields" }, g.fields.map(fieldFor)) : null,
        ),
      ),
    ),
  );

  const root = h("div", { class: "form-body" }, project, panel, sections);

  function update(card: Scorecard): void {
    const byInput = new Map<string, Problem[]>();
    const byIndicator = new Map<string, Problem[]>();
    for (const p of card.problems ?? []) {
      if (p.input) (byInput.get(p.input) ?? byInput.set(p.input, []).get(p.input)!).push(p);
      else if (p.indicator) (byIndicator.get(p.indicator) ?? byIndicator.set(p.indicator, []).get(p.indicator)!).push(p);
    }
    // Required inputs the unscored indicators wait for.
    const missing = new Set(card.indicators.filter((i) => i.status === "unscored").flatMap((i) => i.missing ?? []));
    for (const [id, { field, msg }] of msgEls) {
      const ps = byInput.get(id);
      const input = inputs.get(id);
      const value = sub.values[id];
      const absent = value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
      let text = ps ? ps.map((p) => problemText(p, lang)).join(" ") : "";
      const waiting = !ps && absent && missing.has(id);
      // Marked beside its label, not announced: a new project has many such fields.
      let tag = field.querySelector<HTMLElement>(".missing-tag");
      if (waiting && !tag) {
        tag = h("span", { class: "missing-tag" }, t.requiredMissing);
        field.querySelector("label, legend")?.append(" ", tag);
      }
      if (tag) tag.hidden = !waiting;
      if (!ps && !waiting && input?.type === "percent" && typeof value === "number" && value > 0 && value < 1 && (input.max ?? 100) > 1) {
        // Accepted as it is (0.9962 %), but far more often a fraction typed into a percent field.
        text = t.looksLikeFraction(value);
      }
      field.classList.toggle("missing", waiting);
      field.classList.toggle("warned", !ps && !waiting && text !== "");
      if (msg.textContent !== text) msg.textContent = text;
      const bad = ps !== undefined;
      field.classList.toggle("invalid", bad && field.dataset.type !== "table");
      if (field.dataset.type === "table") {
        // Mark the cells the problems name (field "values.targets[2].op").
        // The message is also repeated inside the row it names, next to the cell.
        const base = domId("f", id);
        const cells = new Set<string>();
        const rowMsgs = new Map<string, string>();
        for (const p of ps ?? []) {
          const m = /\[(\d+)\](?:\.([a-z_][a-z0-9_]*))?$/.exec(p.field ?? "");
          if (!m) continue;
          if (m[2]) cells.add(`${base}-r${m[1]}-${m[2]}`);
          rowMsgs.set(`${base}-r${m[1]}-msg`, problemText(p, lang));
        }
        for (const el of field.querySelectorAll<HTMLElement>(".row-msg")) {
          const text = rowMsgs.get(el.id) ?? "";
          if (el.textContent !== text) el.textContent = text;
        }
        for (const c of field.querySelectorAll<HTMLElement>(".cell input, .cell select, .cell textarea")) {
          const on = cells.has(c.id);
          c.closest(".cell")?.classList.toggle("invalid", on);
          if (on) {
            c.setAttribute("aria-invalid", "true");
            c.setAttribute("aria-describedby", c.id.replace(/-[a-z_][a-z0-9_]*$/, "-msg"));
          } else {
            c.removeAttribute("aria-invalid");
            c.removeAttribute("aria-describedby");
          }
        }
        continue;
      }
      for (const c of field.querySelectorAll("input, select, textarea")) {
        if (bad) c.setAttribute("aria-invalid", "true");
        else c.removeAttribute("aria-invalid");
      }
    }
    for (const [id, el] of naMsgs) {
      const ps = byIndicator.get(id);
      el.textContent = ps ? ps.map((p) => problemText(p, lang)).join(" ") : "";
    }
    for (const ind of card.indicators) {
      const chip = chips.get(ind.id);
      if (!chip) continue;
      let text: string;
      let cls: string;
      switch (ind.status) {
        case "scored":
          text = `${num(ind.score)} / ${num(ind.points)}`;
          cls = ind.attainment !== null && ind.attainment < 1 ? "chip lost" : "chip ok";
          break;
        case "not_applicable":
          text = t.statusNA;
          cls = "chip na";
          break;
        case "error":
          text = t.statusError;
          cls = "chip err";
          break;
        default:
          text = t.statusUnscored;
          cls = "chip unscored";
      }
      if (ind.status === "scored" && ind.attainment !== null) chip.title = pct(ind.attainment);
      if (chip.textContent !== text) chip.textContent = text;
      if (chip.className !== cls) chip.className = cls;
    }
  }

  return { root, update };
}
