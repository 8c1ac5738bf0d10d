//! The evaluation report (绩效评价报告) evaluators deliver, made from a scorecard: the same
//! document model ([`Report`]) for every output, built once here ([`build`]) and written as DOCX
//! ([`to_docx`]), a print-ready HTML page ([`to_html`]) or plain text ([`to_text`]). No scoring happens here: every number is the scorecard's, printed as it is.
//!
//! ```no_run
//! # use jixiao::{Engine, EvalOptions, Rulebook, Submission};
//! let rulebook = Rulebook::from_path("rules/gov-it-post/rulebook.toml")?;
//! let engine = Engine::new(rulebook.clone())?;
//! let submission = Submission::from_path("rules/gov-it-post/examples/average.json")?;
//! let card = engine.evaluate_with(&submission, EvalOptions { trace: true, ..EvalOptions::default() });
//! let report = jixiao_report::build(rulebook.spec(), &card, jixiao::Lang::Zh);
//! std::fs::write("报告.docx", jixiao_report::to_docx(&report)?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
mod docx;
mod experts;
mod html;
mod portfolio;
mod text;
mod words;

pub use build::build;
pub use docx::to_docx;
pub use experts::DISAGREEMENT_LEVELS;
pub use html::to_html;
pub use portfolio::{MAX_RANKED, Portfolio, ProjectSummary};
pub use text::to_text;

/// A report as a sequence of blocks, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The language it is written in.
    pub lang: jixiao::Lang,
    /// The stage's own title (绩效评价报告, 绩效自评报告 …).
    pub title: String,
    /// The project's name (or id), under the title.
    pub subtitle: Option<String>,
    pub blocks: Vec<Block>,
    /// Printed at the foot of every page before the page numbers.
    pub footer: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A numbered heading: level 1 for 一、二、…, level 2 for （一）（二）….
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    /// A place the evaluator still has to write, marked as such.
    ToWrite(String),
    Table(Table),
}

/// A table whose first rows are its header.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column titles, with each column's share of the page width in percent.
    pub columns: Vec<(String, u8)>,
    pub rows: Vec<Vec<Cell>>,
}

/// A table cell. A cell merged into the one above it is [`Cell::Continued`]; a cell that
/// spans columns covers `cols` grid columns (its row has fewer cells).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text {
        text: String,
        cols: u8,
        strong: bool,
    },
    /// Part of the cell above (merged rows).
    Continued { cols: u8 },
}

impl Table {
    /// Whether `row` has a [`Cell::Continued`] starting at grid column `column`: the cell
    /// above it spans down into this row.
    pub(crate) fn continued_at(row: &[Cell], column: usize) -> bool {
        let mut at = 0;
        for cell in row {
            let cols = match cell {
                Cell::Text { cols, .. } | Cell::Continued { cols } => usize::from((*cols).max(1)),
            };
            if at == column {
                return matches!(cell, Cell::Continued { .. });
            }
            at += cols;
        }
        false
    }
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell::Text {
            text: text.into(),
            cols: 1,
            strong: false,
        }
    }
    fn strong(text: impl Into<String>) -> Cell {
        Cell::Text {
            text: text.into(),
            cols: 1,
            strong: true,
        }
    }
}

/// A file format a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Word (DOCX): editable in Word, WPS and LibreOffice; the deliverable.
    Docx,
    /// A print-ready HTML page (print it to PDF from the browser).
    Html,
    /// Plain text.
    Text,
}

impl Format {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Html => "html",
            Format::Text => "txt",
        }
    }
}

/// The report's bytes in `format`.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        Format::Docx => to_docx(report)?,
        Format::Html => to_html(report).into_bytes(),
        Format::Text => to_text(report).into_bytes(),
    })
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the DOCX package: {0}")]
    Docx(String),
}
