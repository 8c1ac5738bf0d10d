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
mod json;
mod portfolio;
mod text;
mod words;

pub use build::build;
pub use docx::to_docx;
pub use experts::DISAGREEMENT_LEVELS;
pub use html::to_html;
pub use json::{report_from_json, summary_from_json};
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
    /// Each dimension's attainment as a bar against the grade thresholds.
    Chart(Chart),
}

/// Bars of attainment (得分率) against the grade thresholds, drawn as shaded table cells, one
/// per [`Chart::STEPS`]th of full marks: Word, WPS and LibreOffice show shaded cells alike,
/// where chart objects differ from one to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The grade bands from the lowest: label, and where it starts as a fraction of full
    /// marks (the first starts at 0).
    pub bands: Vec<(String, jixiao::Decimal)>,
    pub bars: Vec<Bar>,
}

/// One bar of a [`Chart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// Fraction of full marks; none where nothing was scored (不适用, unscored).
    pub attainment: Option<jixiao::Decimal>,
    /// What is printed beside the bar ("92.5%", "不适用").
    pub text: String,
}

/// The fill of a bar's filled steps (RGB hex).
pub(crate) const BAR_FILL: &str = "2F5597";

/// The tints of the grade bands behind the bars, from the lowest band up (repeated beyond).
pub(crate) const BAND_TINTS: [&str; 5] = ["F4CCCC", "FCE5CD", "FFF2CC", "D9EAD3", "CFE2F3"];

impl Chart {
    /// Steps of a bar: 5 % each, so the usual thresholds (60, 70, 80, 85, 90 %) fall on a step.
    pub const STEPS: usize = 20;

    /// The band step `step` (0-based) lies in: the last band starting at or below its middle.
    pub fn band_of_step(&self, step: usize) -> usize {
        let middle = (jixiao::Decimal::from(step) + jixiao::Decimal::new(5, 1))
            / jixiao::Decimal::from(Self::STEPS);
        self.bands
            .iter()
            .rposition(|(_, from)| *from <= middle)
            .unwrap_or(0)
    }

    /// Steps a bar fills: its attainment to the nearest step, within 0 ..= STEPS.
    pub fn filled_steps(attainment: jixiao::Decimal) -> usize {
        let steps = (attainment * jixiao::Decimal::from(Self::STEPS))
            .round_dp_with_strategy(0, jixiao::RoundingStrategy::MidpointAwayFromZero);
        usize::try_from(i64::try_from(steps).unwrap_or(0).max(0))
            .unwrap_or(0)
            .min(Self::STEPS)
    }

    /// The tint of band `band`.
    pub(crate) fn tint(band: usize) -> &'static str {
        BAND_TINTS[band % BAND_TINTS.len()]
    }

    /// The steps as runs of one band: (band, first step, steps), left to right.
    pub fn band_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        for step in 0..Self::STEPS {
            let band = self.band_of_step(step);
            match runs.last_mut() {
                Some(run) if run.0 == band => run.2 += 1,
                _ => runs.push((band, step, 1)),
            }
        }
        runs
    }
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
    /// `docx`, `html` or `text` (`txt`), as the CLI and the bindings name them.
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "docx" => Some(Format::Docx),
            "html" => Some(Format::Html),
            "text" | "txt" => Some(Format::Text),
            _ => None,
        }
    }

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
    /// The rulebook's JSON is not a rulebook.
    #[error("评价方案 JSON 无效 (not a rulebook): {0}")]
    Rulebook(String),
    /// A scorecard's JSON is not a scorecard.
    #[error("评分结果 JSON 无效 (not a scorecard): {0}")]
    Scorecard(String),
}

impl ReportError {
    /// The stable code bindings give with the message.
    pub fn code(&self) -> &'static str {
        match self {
            ReportError::Docx(_) => "report_docx",
            ReportError::Rulebook(_) => "report_rulebook",
            ReportError::Scorecard(_) => "report_scorecard",
        }
    }
}
