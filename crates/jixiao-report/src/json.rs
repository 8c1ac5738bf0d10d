//! Reports from what a binding holds: a rulebook's canonical JSON and scorecards as the engine
//! serialized them. The WebAssembly report module calls these; so can anyone else who stored
//! scorecards rather than the engine that made them.

use crate::{Format, Portfolio, ProjectSummary, ReportError, build, render};
use jixiao::model::RulebookSpec;
use jixiao::{Lang, Scorecard};

fn rulebook(json: &str) -> Result<RulebookSpec, ReportError> {
    serde_json::from_str(json).map_err(|e| ReportError::Rulebook(e.to_string()))
}

/// One project's report from its rulebook (canonical JSON, as `jixiao export` prints it and
/// the packages ship) and its scorecard's JSON (scored with trace on, for the explanations).
pub fn report_from_json(
    rulebook_json: &str,
    scorecard_json: &str,
    format: Format,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    let spec = rulebook(rulebook_json)?;
    let card: Scorecard =
        serde_json::from_str(scorecard_json).map_err(|e| ReportError::Scorecard(e.to_string()))?;
    render(&build(&spec, &card, lang), format)
}

/// The summary (评价结果汇总) of many projects from their rulebook and a JSON array of their
/// scorecards.
pub fn summary_from_json(
    rulebook_json: &str,
    scorecards_json: &str,
    format: Format,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    let spec = rulebook(rulebook_json)?;
    let cards: Vec<Scorecard> =
        serde_json::from_str(scorecards_json).map_err(|e| ReportError::Scorecard(e.to_string()))?;
    let mut portfolio = Portfolio::new(&spec, lang);
    for card in &cards {
        portfolio.add(ProjectSummary::of(card, lang));
    }
    render(&portfolio.report(), format)
}
