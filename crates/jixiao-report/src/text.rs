//! The report as plain text: what a reviewer reads in a diff, and what the snapshot tests hold.

use crate::{Block, Cell, Report};
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
