// The ranking of a rulebook's projects (项目排名): total, grade and each dimension's score,
// equal totals sharing a rank as in the summary report (评价结果汇总); any project opens from
// it, and the whole table exports as the batch's XLSX result.

import type { Lang, Scorecard } from "./types";
import { h } from "./dom";
import { pick, strings } from "./i18n";
import type { Project } from "./projects";

export interface Ranked {
  project: Project;
  card: Scorecard;
  /** 1-based; projects with equal totals share one. Unscored projects have none. */
  rank: number | null;
}

/** The projects ranked by total, highest first; equal totals share a rank (1, 2, 2, 4). */
export function rank(list: { project: Project; card: Scorecard }[]): Ranked[] {
  const sorted = [...list].sort((a, b) => b.card.total - a.card.total);
  let last: number | null = null;
  let lastRank = 0;
  return sorted.map((x, i) => {
    const scored = x.card.indicators.some((ind) => ind.status === "scored" || ind.status === "partial");
    if (!scored) return { ...x, rank: null };
    if (last === null || x.card.total !== last) {
      lastRank = i + 1;
      last = x.card.total;
    }
    return { ...x, rank: lastRank };
  });
}

export interface PortfolioView {
  lang: Lang;
  title: string;
  ranked: Ranked[];
  open(p: Project): void;
  exportXlsx(): void;
  close(): void;
}

export function renderPortfolio(view: PortfolioView): HTMLElement {
  const s = strings(view.lang);
  const dims = view.ranked[0]?.card.dimensions ?? [];
  const head = [s.colRank, s.colProjectId, s.colProject, s.colTotal, s.colGrade, ...dims.map((d) => pick(view.lang, d.label, d.label_en)), s.colStatus];
  const row = (r: Ranked) =>
    h(
      "tr",
      { "data-project": r.project.id },
      h("td", { class: "num" }, r.rank ?? ""),
      h("td", null, r.card.project?.id ?? ""),
      h(
        "td",
        null,
        h("button", { type: "button", class: "link", onclick: () => view.open(r.project) }, r.card.project?.name || r.project.name),
      ),
      h("td", { class: "num" }, r.rank === null ? "" : String(r.card.total)),
      h("td", null, r.card.grade ? pick(view.lang, r.card.grade.label, r.card.grade.label_en) : ""),
      r.card.dimensions.map((d) => h("td", { class: "num" }, r.rank === null ? "" : String(d.score))),
      h("td", null, s.projectStatus[r.project.status] ?? r.project.status),
    );
  return h(
    "section",
    { id: "portfolio", class: "portfolio", "aria-labelledby": "portfolio-heading" },
    h(
      "div",
      { class: "projects-bar" },
      h("h2", { id: "portfolio-heading" }, s.portfolioHeading(view.title)),
      h("button", { type: "button", class: "button", id: "export-xlsx", disabled: view.ranked.length === 0, onclick: view.exportXlsx }, s.exportXlsx),
      h("button", { type: "button", class: "button", onclick: view.close }, s.closePanel),
    ),
    view.ranked.length
      ? h(
          "div",
          { class: "projects-scroll" },
          h(
            "table",
            { class: "projects-table", "data-testid": "portfolio-table" },
            h("thead", null, h("tr", null, head.map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", null, view.ranked.map(row)),
          ),
        )
      : h("p", null, s.portfolioNone),
  );
}
