//! A rulebook's own tests (`jixiao test DIR`): the cases in `DIR/tests.toml`, each a submission
//! and what its scorecard must say, run against `DIR/rulebook.toml`; then the coverage of the
//! leaves' outcomes those cases reach (`Engine::coverage`).
//!
//! ```toml
//! [[cases]]
//! name = "强项目"
//! submission = "examples/strong.json"   # beside the rulebook
//! total = 96.5                          # each expectation optional
//! grade = "优"
//! complete = true
//! scores = { "D1.1" = 3, "O2.1" = 5 }   # an indicator's score (a string "unscored" / "not_applicable" for its status)
//! findings = ["审减率"]                  # each must be part of some finding
//! ```

use jixiao::{Engine, EvalOptions, LeafCoverage, Scorecard, Submission};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cases {
    pub cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    /// The submission's JSON file, relative to the rulebook's folder.
    pub submission: PathBuf,
    pub total: Option<f64>,
    pub grade: Option<String>,
    pub complete: Option<bool>,
    #[serde(default)]
    pub scores: BTreeMap<String, Expected>,
    #[serde(default)]
    pub findings: Vec<String>,
}

/// An indicator's expected score, or its status when it has none.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Expected {
    Score(f64),
    Status(String),
}

/// One case's run: what differed from what it expects (nothing: it passed).
#[derive(Debug)]
pub struct Outcome {
    pub name: String,
    pub failures: Vec<String>,
}

/// The whole run.
#[derive(Debug)]
pub struct Run {
    pub outcomes: Vec<Outcome>,
    pub coverage: Vec<LeafCoverage>,
}

/// Runs the cases of `dir/tests.toml` against `engine`.
pub fn run(engine: &Engine, dir: &Path) -> Result<Run, String> {
    let file = dir.join("tests.toml");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let cases: Cases = toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut cards = Vec::new();
    let mut outcomes = Vec::new();
    for case in &cases.cases {
        let path = dir.join(&case.submission);
        let submission = Submission::from_path(&path).map_err(|e| format!("{}: {e}", case.name))?;
        let card = engine.evaluate_with(&submission, EvalOptions::default());
        outcomes.push(Outcome {
            name: case.name.clone(),
            failures: check(case, &card),
        });
        cards.push(card);
    }
    let coverage = engine.coverage(&cards);
    Ok(Run { outcomes, coverage })
}

/// What `card` says that `case` expects otherwise.
fn check(case: &Case, card: &Scorecard) -> Vec<String> {
    let mut failures = Vec::new();
    let total = card.total.to_string().parse::<f64>().unwrap_or(f64::NAN);
    if let Some(want) = case.total
        && (want - total).abs() > 0.005
    {
        failures.push(format!("总分 应为 {want}，实为 {total}"));
    }
    let grade = card.grade.as_ref().map(|g| g.label.to_string());
    if let Some(want) = &case.grade
        && grade.as_deref() != Some(want.as_str())
    {
        failures.push(format!(
            "等级 应为 {want}，实为 {}",
            grade.as_deref().unwrap_or("（无）")
        ));
    }
    if let Some(want) = case.complete
        && want != card.complete
    {
        failures.push(format!("complete 应为 {want}，实为 {}", card.complete));
    }
    for (id, want) in &case.scores {
        let Some(result) = card.indicators.iter().find(|i| i.id == id.as_str()) else {
            failures.push(format!("没有指标 {id}"));
            continue;
        };
        let score = result
            .score
            .map(|s| s.to_string().parse::<f64>().unwrap_or(f64::NAN));
        let status = serde_json::to_value(result.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        match want {
            Expected::Score(want) if score.is_some_and(|s| (s - want).abs() <= 0.005) => {}
            Expected::Status(want) if *want == status => {}
            Expected::Score(want) => failures.push(format!(
                "{id} 应得 {want}，实为 {}",
                score.map_or(format!("（{status}）"), |s| s.to_string())
            )),
            Expected::Status(want) => failures.push(format!("{id} 应为 {want}，实为 {status}")),
        }
    }
    let found: Vec<&str> = card
        .indicators
        .iter()
        .flat_map(|i| i.findings.iter().map(|f| f.message.as_str()))
        .collect();
    for want in &case.findings {
        if !found.iter().any(|f| f.contains(want.as_str())) {
            failures.push(format!("没有含“{want}”的问题"));
        }
    }
    failures
}

/// Outcomes reached of all outcomes, over the leaves coverage can tell apart.
pub fn covered(coverage: &[LeafCoverage]) -> (usize, usize) {
    let all = coverage.iter().map(|l| l.outcomes.len()).sum();
    let reached = coverage
        .iter()
        .flat_map(|l| &l.outcomes)
        .filter(|o| o.hits > 0)
        .count();
    (reached, all)
}
