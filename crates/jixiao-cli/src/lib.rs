//! The `jixiao` command line's library: the batch's threads, result files and reports around
//! the shared table scoring of `jixiao-batch`.

pub mod batch;
pub mod rule_tests;
pub mod weights;

use clap::ValueEnum;
use jixiao::Lang;

/// `--lang zh|en`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// `--format docx|html|text` of a report.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Docx,
    Html,
    Text,
}

impl From<ReportFormat> for jixiao_report::Format {
    fn from(f: ReportFormat) -> jixiao_report::Format {
        match f {
            ReportFormat::Docx => jixiao_report::Format::Docx,
            ReportFormat::Html => jixiao_report::Format::Html,
            ReportFormat::Text => jixiao_report::Format::Text,
        }
    }
}
