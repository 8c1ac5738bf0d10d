// The live result panel, which is also the printed report: total and grade, the dimension
// chart, every indicator's score with its explanation and findings, the findings list, and
// (print only) the report header with project and rulebook identity and signature lines.

import type { Form, GradeBand, IndicatorScore, Lang, Scorecard, Submission } from "./types";
import { h, s } from "./dom";
import { pick, statusText, strings } from "./i18n";
import { num, pct, problemText, problemWhere } from "./format";

export interface ResultContext {
  form: Form;
  sub: Submission;
  lang: Lang;
  engineVersion: string;
  /** Input and KPI labels by id, for "missing" lists. */
  labelOf(id: string): string;
}

/** Horizontal bars, one per dimension: attainment as the bar, "score / points" as text.
 * Plain SVG shapes with fills in attributes, so it prints without background graphics. */
/** Bar colours by grade band, matching the badge: best green … worst red. */
const BAND_FILL: Record<string, string> = { "g-best": "#1f7a4d", "g-good": "#3b74b8", "g-fair": "#c98a12", "g-worst": "#b5392f" };

function chart(card: Scorecard, lang: Lang, bands: GradeBand[], total: number): SVGElement {
  const t = strings(lang);
  const dims = card.dimensions;
  const rowH = 30;
  // Room for the longest dimension name (CJK ≈ 13 px a character at 13 px, Latin ≈ 7.5).
  const textWidth = (x: string) => [...x].reduce((w, c) => w + (c.codePointAt(0)! > 0x2e80 ? 13 : 7.5), 0);
  const labelW = Math.min(220, Math.max(60, ...dims.map((d) => textWidth(pick(lang, d.label, d.label_en)) + 14)));
  const barW = 230;
  const textW = 120;
  const width = labelW + barW + textW;
  const height = dims.length * rowH + 24;
  const svg = s(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${width} ${height}`,
      width: "100%",
      role: "img",
      "aria-labelledby": "chart-title",
      preserveAspectRatio: "xMinYMin meet",
    },
    s("title", { id: "chart-title" }, t.chartTitle),
  );
  // grid at 0, 60, 80, 90, 100 %
  // Grid lines at the rulebook's grade thresholds (as a share of its total), e.g. 60/80/90 %.
  const cuts = bands.map((b) => (total > 0 ? b.min / total : 0)).filter((f) => f > 0 && f < 1);
  for (const g of [0, ...cuts, 1]) {
    const x = labelW + g * barW;
    svg.append(
      s("line", { x1: x, x2: x, y1: 4, y2: height - 18, stroke: "#c8cdd3", "stroke-width": 1, "stroke-dasharray": g === 0 || g === 1 ? "" : "3 3" }),
      s("text", { x, y: height - 6, "text-anchor": "middle", class: "tick" }, `${Math.round(g * 100)}%`),
    );
  }
  dims.forEach((d, i) => {
    const y = 6 + i * rowH;
    const a = d.attainment ?? 0;
    const na = d.status === "not_applicable";
    const unscored = d.status === "unscored" || d.status === "error";
    const partial = d.status === "partial";
    const band = bands.findIndex((b) => a * total >= b.min - 1e-9);
    const fill = BAND_FILL[badgeClass(bands[band]?.label, band, bands.length)] ?? "#6b7785";
    svg.append(
      s("text", { x: labelW - 8, y: y + 16, "text-anchor": "end", class: "dim-label" }, pick(lang, d.label, d.label_en)),
      s("rect", { x: labelW, y: y + 2, width: barW, height: 18, fill: "#eef0f3", stroke: "#c8cdd3" }),
    );
    if (!na && !unscored) {
      svg.append(
        s("rect", {
          x: labelW,
          y: y + 2,
          width: Math.max(0, Math.min(1, a)) * barW,
          height: 18,
          fill: partial ? "url(#hatch)" : fill,
          stroke: partial ? fill : "none",
        }),
      );
    }
    const txt = na
      ? t.statusNA
      : unscored
        ? t.statusUnscored
        : `${num(d.score)} / ${num(d.points)}  ${pct(d.attainment)}${partial ? " *" : ""}`;
    svg.append(s("text", { x: labelW + barW + 8, y: y + 16, class: "dim-value" }, txt));
  });
  svg.prepend(
    s(
      "defs",
      null,
      s(
        "pattern",
        { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
        s("rect", { width: 6, height: 6, fill: "#e3e8ef" }),
        s("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#6b7785", "stroke-width": 3 }),
      ),
    ),
  );
  return svg;
}

/** The English 评分标准 of a leaf, from the form (the scorecard carries the Chinese one). */
function criteriaEn(ind: IndicatorScore, ctx: ResultContext): string | undefined {
  for (const sec of ctx.form.sections)
    for (const g of sec.groups)
      for (const i of g.indicators) if (i.id === ind.id) return i.criteria_en ?? undefined;
  return undefined;
}

function explanationCell(ind: IndicatorScore, ctx: ResultContext): HTMLElement {
  const { lang } = ctx;
  const t = strings(lang);
  const cell = h("td", { role: "cell", class: "why" });
  if (ind.flag) cell.append(h("span", { class: "flag flag-" + ind.flag }, `[${ind.flag}]`), " ");
  if (ind.explanation) cell.append(h("span", null, ind.explanation));
  if (ind.status === "unscored" && ind.leaf && !ind.explanation) {
    const missing = (ind.missing ?? []).map((m) => ctx.labelOf(m));
    cell.append(h("span", { class: "missing" }, missing.length ? `${t.missing}${t.colon}${missing.join("、")}` : t.statusUnscored));
  }
  if (ind.error) {
    cell.append(h("span", { class: "error" }, problemText(ind.error, lang), ind.error.line ? t.paren(problemWhere(ind.error, lang)) : ""));
  }
  if (ind.findings?.length) {
    cell.append(
      h(
        "ul",
        { class: "findings" },
        ind.findings.map((f) => h("li", null, f.message)),
      ),
    );
  }
  if (ind.note) cell.append(h("div", { class: "note-text" }, `${t.note}${t.colon}${ind.note}`));
  return cell;
}

function scoreCell(ind: IndicatorScore, lang: Lang): HTMLElement {
  if (ind.score !== null && ind.status !== "unscored") {
    return h("td", { role: "cell", class: "num" + (ind.status === "partial" ? " partial" : "") }, num(ind.score), ind.status === "partial" ? h("span", { class: "pill pill-partial" }, statusText("partial", lang)) : null);
  }
  return h("td", { role: "cell", class: "num" }, h("span", { class: "pill pill-" + ind.status }, statusText(ind.status, lang) || "—"));
}

/** The badge colour of a grade: by its place among the rulebook's bands (best green, worst
 * red), and by name for the monitoring lights 绿 / 黄 / 红. */
function badgeClass(label: string | undefined, index: number, bands: number): string {
  if (label === undefined || index < 0) return "none";
  if (label === "绿") return "g-best";
  if (label === "黄") return "g-fair";
  if (label === "红") return "g-worst";
  if (index === 0) return "g-best";
  if (index === bands - 1) return "g-worst";
  return index === 1 ? "g-good" : "g-fair";
}

/** What each section of a result panel was last built from. Re-rendering after an edit
 * rebuilds only the sections (and table rows) whose data changed and swaps them in place, so
 * the browser re-lays out a few rows, not the whole report. */
const panels = new WeakMap<HTMLElement, { key: string; parts: Map<string, { sig: string; node: Node; }>; }>();

/** Make `parent`'s children exactly `nodes`, moving only those not already in place. */
function patchChildren(parent: Node, nodes: Node[]): void {
  const keep = new Set(nodes);
  nodes.forEach((n, i) => {
    const at = parent.childNodes[i];
    if (at === n) return;
    // A stale node in the way is replaced (the rows after it stay put); otherwise insert.
    if (at && !keep.has(at)) parent.replaceChild(n, at);
    else parent.insertBefore(n, at ?? null);
  });
  while (parent.childNodes.length > nodes.length) parent.removeChild(parent.lastChild!);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The date and time to the minute, as the report footer prints it. */
function dateTime(lang: Lang): string {
  let f = formatters.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    formatters.set(lang, f);
  }
  return f.format(new Date());
}

export function renderResult(root: HTMLElement, card: Scorecard, ctx: ResultContext): void {
  const key = `${ctx.lang} ${ctx.form.rulebook.hash}`;
  let panel = panels.get(root);
  if (!panel || panel.key !== key) {
    panel = { key, parts: new Map() };
    panels.set(root, panel);
    root.replaceChildren();
  }
  const parts = panel.parts;
  const memo = <N extends Node>(name: string, sig: string, build: () => N): N => {
    const had = parts.get(name);
    if (had && had.sig === sig) return had.node as N;
    const node = build();
    parts.set(name, { sig, node });
    return node;
  };
  const { lang, form, sub } = ctx;
  const t = strings(lang);
  const unscored = card.indicators.filter((i) => i.leaf && i.status === "unscored").length;
  const errors = card.indicators.filter((i) => i.leaf && i.status === "error").length;
  const grade = card.grade ? pick(lang, card.grade.label, card.grade.label_en) : null;
  const gradeIndex = card.grade ? form.rulebook.grades.findIndex((g) => g.label === card.grade?.label) : -1;
  const rescaled = card.max_points !== form.rulebook.total;
  const anyScored = card.indicators.some((i) => i.leaf && i.status === "scored");

  const p = sub.project ?? {};
  const projText = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : "");

  // Print-only report header.
  const header = memo("header", JSON.stringify([p, card.rulebook, card.engine_version]), () =>
    h(
      "header",
      { class: "report-head print-only" },
      h("h1", null, t.reportTitles[form.rulebook.stage] ?? t.reportTitle),
      h("p", { class: "report-sub" }, pick(lang, form.rulebook.title, form.rulebook.title_en)),
      h(
        "table",
        { class: "meta" },
        h(
          "tbody",
          null,
          h("tr", null, h("th", null, t.projectName), h("td", null, projText("name") || "—"), h("th", null, t.projectId), h("td", null, projText("id") || "—")),
          h("tr", null, h("th", null, t.projectDepartment), h("td", null, projText("department") || "—"), h("th", null, t.projectEvaluator), h("td", null, projText("evaluator") || "—")),
          h(
            "tr",
            null,
            h("th", null, t.reportRulebook),
            h("td", null, `${card.rulebook.id} ${card.rulebook.version}`, " · ", t.stage[form.rulebook.stage] ?? form.rulebook.stage),
            h("th", null, t.reportEngine),
            h("td", null, `jixiao ${card.engine_version}`),
          ),
          h("tr", null, h("th", null, t.reportHash), h("td", { colspan: 3, class: "hash" }, card.rulebook.hash)),
        ),
      ),
    ),
  );

  // The inputs the unscored indicators wait for, named as the form labels them.
  const missingLabels = [...new Set(card.indicators.filter((i) => i.leaf && i.status === "unscored").flatMap((i) => i.missing ?? []))].map(
    (id) => ctx.labelOf(id) || id,
  );
  const summary = memo("summary", JSON.stringify([card.total, card.raw_total, card.max_points, card.grade, card.complete, unscored, errors, anyScored, missingLabels]), () =>
    h(
      "div",
      { class: "summary" },
      h(
        "div",
        { class: "total" },
        h("div", { class: "k" }, t.total, card.complete ? null : h("span", { class: "provisional-k" }, t.paren(t.provisional))),
        h("div", { class: "v" + (card.complete ? "" : " provisional"), "data-testid": "total" }, anyScored ? num(card.total) : "—"),
        h("div", { class: "of" }, `/ ${num(form.rulebook.total)}`),
      ),
      h(
        "div",
        { class: "grade" },
        h("div", { class: "k" }, t.grade),
        h("div", { class: "badge " + badgeClass(card.grade?.label, gradeIndex, form.rulebook.grades.length), "data-testid": "grade" }, grade ?? t.noGrade),
      ),
      h(
        "div",
        { class: "state" },
        card.complete
          ? h("p", { class: "ok" }, "✓ ", t.complete)
          : h("p", { class: "warn", "data-testid": "incomplete" }, "⚠ ", t.incomplete(unscored + errors)),
        missingLabels.length
          ? h(
            "p",
            { class: "warn", "data-testid": "missing-inputs" },
            // A new project waits for every input: the first few are named, the rest counted.
            t.missingInputs(missingLabels.slice(0, 6).join(t.listSep) + (missingLabels.length > 6 ? t.andMore(missingLabels.length) : "")),
          )
          : null,
        errors ? h("p", { class: "warn" }, t.hasErrors(errors)) : null,
        rescaled ? h("p", { class: "note-text" }, t.rescaled(num(card.raw_total), num(card.max_points), num(card.total))) : null,
        h("p", { class: "bands" }, form.rulebook.grades.map((g) => `${pick(lang, g.label, g.label_en)} ≥ ${g.min}`).join(" · ")),
      ),
    ),
  );

  const live = memo("live", JSON.stringify([card.total, grade]), () =>
    h("p", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" }, t.liveTotal(num(card.total), grade ?? t.noGrade)),
  );

  const partialDims = card.dimensions.some((d) => d.status === "partial");
  const dims = memo("dims", JSON.stringify(card.dimensions), () =>
    h(
      "section",
      { class: "dims", "aria-labelledby": "dims-h" },
      h("h3", { id: "dims-h" }, t.dimensions),
      chart(card, lang, form.rulebook.grades, form.rulebook.total),
      partialDims ? h("p", { class: "note-text" }, t.partialLegend) : null,
    ),
  );

  const rows = card.indicators.map((ind) =>
    memo("row:" + ind.id, JSON.stringify({ ...ind, reads: undefined }), () =>
      h(
        "tr",
        { role: "row", class: `lv${Math.min(ind.level, 4)} st-${ind.status}` + (ind.leaf ? " leaf" : ""), "data-indicator": ind.id },
        h(
          "th",
          { scope: "row", role: "rowheader", class: "name" },
          ind.level > 1 ? h("span", { class: "ind-id" }, ind.id) : null,
          ind.level > 1 ? " " : null,
          pick(lang, ind.label, ind.label_en),
        ),
        h("td", { role: "cell", class: "num" }, num(ind.points)),
        // 评分标准, printed (the screen shows it in the form beside each indicator).
        h("td", { role: "cell", class: "crit" }, ind.leaf ? pick(lang, ind.criteria ?? "", criteriaEn(ind, ctx)) : ""),
        scoreCell(ind, lang),
        h("td", { role: "cell", class: "num" }, ind.status === "scored" || ind.status === "partial" ? pct(ind.attainment) : "—"),
        explanationCell(ind, ctx),
      ),
    ),
  );
  const table = memo("table", "", () => h(
    "section",
    { class: "table-wrap", "aria-labelledby": "table-h" },
    h("h3", { id: "table-h" }, t.table),
    h(
      "table",
      { class: "scores", role: "table" },
      h(
        "colgroup",
        null,
        h("col", { class: "c-name" }),
        h("col", { class: "c-num" }),
        h("col", { class: "c-crit" }),
        h("col", { class: "c-num" }),
        h("col", { class: "c-rate" }),
        h("col", { class: "c-why" }),
      ),
      h(
        "thead",
        { role: "rowgroup" },
        h(
          "tr",
          { role: "row" },
          h("th", { scope: "col", role: "columnheader" }, t.indicatorCol),
          h("th", { scope: "col", role: "columnheader", class: "num" }, t.pointsCol),
          h("th", { scope: "col", role: "columnheader", class: "crit" }, t.criteriaCol),
          h("th", { scope: "col", role: "columnheader", class: "num" }, t.scoreCol),
          h("th", { scope: "col", role: "columnheader", class: "num" }, t.attainmentCol),
          h("th", { scope: "col", role: "columnheader" }, t.explanationCol),
        ),
      ),
      h("tbody", { role: "rowgroup" }),
    ),
  ));
  const tfoot = memo("tfoot", JSON.stringify([card.max_points, card.raw_total, card.total, grade, anyScored]), () =>
    h(
      "tfoot",
      { role: "rowgroup" },
      h(
        "tr",
        { role: "row" },
        h("th", { scope: "row", role: "rowheader" }, t.total),
        h("td", { role: "cell", class: "num" }, num(card.max_points)),
        h("td", { role: "cell", class: "crit" }),
        h("td", { role: "cell", class: "num" }, anyScored ? num(card.raw_total) : "—"),
        h("td", { role: "cell", class: "num" }, card.max_points ? pct(card.raw_total / card.max_points) : "—"),
        h("td", { role: "cell" }, rescaled ? t.rescaled(num(card.raw_total), num(card.max_points), num(card.total)) : "", " ", `${t.grade}${t.colon}${grade ?? t.noGrade}`),
      ),
    ),
  );
  const tableEl = table.querySelector("table")!;
  patchChildren(tableEl.querySelector("tbody")!, rows);
  const oldFoot = tableEl.querySelector("tfoot");
  if (oldFoot !== tfoot) {
    if (oldFoot) oldFoot.replaceWith(tfoot);
    else tableEl.append(tfoot);
  }

  // Findings, N/A and notes, as the report lists them.
  const withFindings = card.indicators.filter((i) => i.leaf && i.findings?.length);
  const na = card.indicators.filter((i) => i.leaf && i.status === "not_applicable");
  const incomplete = card.indicators.filter((i) => i.leaf && (i.status === "unscored" || i.status === "error"));
  // The findings list is patched item by item like the table rows.
  const findingItems = withFindings.flatMap((i) =>
    (i.findings ?? []).map((f, k) =>
      memo(`finding:${i.id}:${k}`, f.message, () =>
        h("li", null, h("b", null, h("span", { class: "ind-id" }, i.id + " "), `${pick(lang, i.label, i.label_en)}${t.colon}`), f.message),
      ),
    ),
  );
  const findings = memo("findings", JSON.stringify([withFindings.length > 0, na.map((i) => [i.id, i.note]), incomplete.map((i) => i.id)]), () =>
    h(
      "section",
      { class: "findings-list", "aria-labelledby": "findings-h" },
      h("h3", { id: "findings-h" }, t.reportFindings),
      withFindings.length ? h("ol", null) : h("p", null, t.reportNoFindings),
      na.length
        ? h(
          "p",
          null,
          h("b", null, t.reportNA + t.colon),
          na.map((i, k) => [k ? t.listSep : "", h("span", { class: "ind-id" }, i.id + " "), `${pick(lang, i.label, i.label_en)}${i.note ? t.paren(i.note) : ""}`]),
        )
        : null,
      incomplete.length
        ? h(
          "div",
          { class: "warn-box" },
          h("p", null, t.reportIncomplete),
          h("ul", null, incomplete.map((i) => h("li", null, h("span", { class: "ind-id" }, i.id + " "), pick(lang, i.label, i.label_en)))),
        )
        : null,
    ),
  );
  const findingsOl = findings.querySelector("ol");
  if (findingsOl) patchChildren(findingsOl, findingItems);

  const problems = memo("problems", JSON.stringify(card.problems ?? []), () => card.problems?.length
    ? h(
      "section",
      { class: "problems screen-only", "aria-labelledby": "problems-h" },
      h("h3", { id: "problems-h" }, t.submissionProblems),
      h("ul", null, card.problems.map((pr) => h("li", null, problemText(pr, lang), pr.input ? ` — ${ctx.labelOf(pr.input)}` : pr.indicator ? ` — ${pr.indicator}` : ""))),
    )
    : document.createComment("problems"));

  // KPI values, one <div> per name/value pair so each is patched on its own.
  const kpiItems = card.kpis.map((k) =>
    memo(`kpi:${k.id}`, JSON.stringify(k), () =>
      h("div", null, h("dt", null, ctx.labelOf(k.id) || k.label), h("dd", null, k.display ?? (k.value === null ? "—" : String(k.value)))),
    ),
  );
  const kpis = memo("kpis", String(card.kpis.length > 0), () => card.kpis.length
    ? h("section", { class: "kpis", "aria-labelledby": "kpis-h" }, h("h3", { id: "kpis-h" }, t.kpis), h("dl", null))
    : document.createComment("kpis"));
  const kpiDl = kpis instanceof Element ? kpis.querySelector("dl") : null;
  if (kpiDl) patchChildren(kpiDl, kpiItems);

  const printed = dateTime(lang);
  const sign = memo("sign", JSON.stringify([card.rulebook, card.engine_version, printed]), () =>
    h(
      "footer",
      { class: "report-foot print-only" },
      h("p", null, t.reportSign, h("span", { class: "sigline" }), t.reportReviewer, h("span", { class: "sigline" })),
      h("p", { class: "small" }, `${t.reportRulebook} ${card.rulebook.id} ${card.rulebook.version} · ${card.rulebook.hash} · jixiao ${card.engine_version} · ${t.reportDate} ${printed}`),
    ),
  );

  patchChildren(root, [header, live, summary, dims, table, findings, kpis, problems, sign]);
}
