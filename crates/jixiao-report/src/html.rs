//! The report as one print-ready HTML page (A4, page numbers where the browser prints them),
//! for a browser's “print to PDF”.

use crate::{Block, Cell, Chart, Report, Table};
use jixiao::Lang;
use std::fmt::Write;

const STYLE: &str = "\
@page { size: A4; margin: 2.5cm 2.5cm 2cm; \
  @bottom-center { content: var(--page-label); font-size: 9pt; } }\n\
body { font-family: 'SimSun', '宋体', 'Songti SC', serif; font-size: 12pt; line-height: 1.6; \
  max-width: 16cm; margin: 0 auto; }\n\
h1 { text-align: center; font-size: 22pt; margin-bottom: 0; }\n\
.subtitle { text-align: center; font-size: 15pt; margin-top: 0.3em; }\n\
h2 { font-size: 16pt; margin: 1.2em 0 0.4em; }\n\
h3 { font-size: 14pt; margin: 0.8em 0 0.3em; }\n\
p { margin: 0.3em 0; text-indent: 2em; }\n\
.to-write { background: #fff3a0; font-style: italic; text-indent: 0; }\n\
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; margin: 0.5em 0 1em; }\n\
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: top; }\n\
thead { display: table-header-group; }\n\
tr { break-inside: avoid; }\n\
.strong { font-weight: bold; }\n\
.chart td { padding: 1px 3px; }\n\
.chart td.step { padding: 0; width: 3.5%; border-left: none; border-right: none; \
  print-color-adjust: exact; -webkit-print-color-adjust: exact; }\n\
.chart td.step.start { border-left: 2px solid #555; }\n\
.chart th.band { font-size: 8pt; font-weight: normal; print-color-adjust: exact; \
  -webkit-print-color-adjust: exact; }\n\
footer { text-align: center; font-size: 9pt; color: #444; margin-top: 2em; }\n";

/// The report as a standalone HTML document (styles inline, no scripts, nothing fetched).
pub fn to_html(report: &Report) -> String {
    let (lang, page_label) = match report.lang {
        Lang::Zh => (
            "zh-CN",
            "\"第 \" counter(page) \" 页 共 \" counter(pages) \" 页\"",
        ),
        _ => ("en", "\"Page \" counter(page) \" of \" counter(pages)"),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>\n:root {{ --page-label: {page_label}; }}\n{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&report.title),
        escape(&report.title)
    );
    if let Some(subtitle) = &report.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(subtitle));
    }
    for block in &report.blocks {
        match block {
            Block::Heading { level, text } => {
                let tag = if *level <= 1 { "h2" } else { "h3" };
                let _ = writeln!(out, "<{tag}>{}</{tag}>", escape(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", escape(text));
            }
            Block::ToWrite(text) => {
                let _ = writeln!(out, "<p class=\"to-write\">{}</p>", escape(text));
            }
            Block::Chart(chart) => chart_html(&mut out, chart),
            Block::Table(table) => {
                out.push_str("<table>\n");
                if table.columns.iter().any(|(title, _)| !title.is_empty()) {
                    out.push_str("<thead><tr>");
                    for (title, pct) in &table.columns {
                        let _ = write!(out, "<th style=\"width:{pct}%\">{}</th>", escape(title));
                    }
                    out.push_str("</tr></thead>\n");
                }
                out.push_str("<tbody>\n");
                for (r, row) in table.rows.iter().enumerate() {
                    out.push_str("<tr>");
                    let mut column = 0;
                    for cell in row {
                        match cell {
                            Cell::Text { text, cols, strong } => {
                                let rows = 1 + rows_continued(&table.rows[r + 1..], column);
                                out.push_str("<td");
                                if *cols > 1 {
                                    let _ = write!(out, " colspan=\"{cols}\"");
                                }
                                if rows > 1 {
                                    let _ = write!(out, " rowspan=\"{rows}\"");
                                }
                                if *strong {
                                    out.push_str(" class=\"strong\"");
                                }
                                let _ = write!(out, ">{}</td>", escape(text));
                                column += usize::from((*cols).max(1));
                            }
                            // Covered by the rowspan of the cell above.
                            Cell::Continued { cols } => column += usize::from((*cols).max(1)),
                        }
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    let _ = write!(
        out,
        "<footer>{}</footer>\n</body>\n</html>\n",
        escape(&report.footer)
    );
    out
}

/// The chart as a table of coloured cells, as the DOCX draws it.
fn chart_html(out: &mut String, chart: &Chart) {
    let runs = chart.band_runs();
    out.push_str("<table class=\"chart\">\n<thead><tr><th></th>");
    for (band, _, steps) in &runs {
        let _ = write!(
            out,
            "<th class=\"band\" colspan=\"{steps}\" style=\"background:#{}\">{}</th>",
            Chart::tint(*band),
            escape(&chart.bands[*band].0)
        );
    }
    out.push_str("<th></th></tr></thead>\n<tbody>\n");
    for bar in &chart.bars {
        let filled = bar.attainment.map_or(0, Chart::filled_steps);
        let _ = write!(out, "<tr><td>{}</td>", escape(&bar.label));
        for step in 0..Chart::STEPS {
            let band = chart.band_of_step(step);
            let fill = if step < filled {
                crate::BAR_FILL
            } else {
                Chart::tint(band)
            };
            let start = step > 0 && runs.iter().any(|r| r.1 == step);
            let _ = write!(
                out,
                "<td class=\"step{}\" style=\"background:#{fill}\"></td>",
                if start { " start" } else { "" }
            );
        }
        let _ = writeln!(out, "<td>{}</td></tr>", escape(&bar.text));
    }
    out.push_str("</tbody>\n</table>\n");
}

/// How many of `rows` continue the cell at grid column `column` of the row before them.
fn rows_continued(rows: &[Vec<Cell>], column: usize) -> usize {
    rows.iter()
        .take_while(|row| Table::continued_at(row, column))
        .count()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
