//! The report as plain text: what a reviewer reads in a diff, and what the snapshot tests hold.

use crate::{Bar, Block, Cell, Chart, Report};
use std::fmt::Write;

/// The report as plain text, a line per paragraph and table row (cells separated by ` | `):
/// what a reviewer reads in a diff, and what the snapshot tests hold.
pub fn to_text(report: &Report) -> String {
    let mut out = format!("{}\n", report.title);
    if let Some(subtitle) = &report.subtitle {
        let _ = writeln!(out, "{subtitle}");
    }
    for block in &report.blocks {
        match block {
            Block::Heading { text, .. } => {
                let _ = write!(out, "\n{text}\n");
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{text}");
            }
            Block::ToWrite(text) => {
                let _ = writeln!(out, "{text}");
            }
            Block::Chart(chart) => {
                let bands: Vec<&str> = chart.bands.iter().map(|(b, _)| b.as_str()).collect();
                let _ = writeln!(out, "[{}]", bands.join(" | "));
                for bar in &chart.bars {
                    let _ = writeln!(out, "{} {} {}", bar.label, bar_text(chart, bar), bar.text);
                }
            }
            Block::Table(table) => {
                if table.columns.iter().any(|(t, _)| !t.is_empty()) {
                    let titles: Vec<&str> = table.columns.iter().map(|(t, _)| t.as_str()).collect();
                    let _ = writeln!(out, "| {} |", titles.join(" | "));
                }
                for row in &table.rows {
                    let cells: Vec<&str> = row
                        .iter()
                        .map(|c| match c {
                            Cell::Text { text, .. } => text.as_str(),
                            Cell::Continued { .. } => "〃",
                        })
                        .collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
            }
        }
    }
    let _ = writeln!(out, "\n{}", report.footer);
    out
}

/// A bar as characters: █ filled, · not, | where a grade band starts.
fn bar_text(chart: &Chart, bar: &Bar) -> String {
    let filled = bar.attainment.map_or(0, Chart::filled_steps);
    let starts: Vec<usize> = chart.band_runs().iter().map(|r| r.1).collect();
    let mut text = String::new();
    for step in 0..Chart::STEPS {
        if step > 0 && starts.contains(&step) {
            text.push('|');
        }
        text.push(if step < filled { '█' } else { '·' });
    }
    text
}
