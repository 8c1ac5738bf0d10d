//! Coverage of a rulebook's test cases: for each leaf whose script is one scoring helper call
//! with constant arguments, the outcomes it can have — each band of a `tiered` table and
//! "below every band"; full, partial and no marks of `proportional` and `linear` — and how many
//! of the given scorecards reached each, read from the value the scorecard's trace recorded.

use super::Engine;
use crate::Scorecard;
use crate::helpers::{Helper, Known};
use crate::scorecard::Status;
use serde::Serialize;

/// One leaf's outcomes and how often the scorecards reached each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeafCoverage {
    pub indicator: String,
    pub label: String,
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// What the outcome is, as a rule author reads it: `≥ 0.995（得 0.8）`.
    pub label: String,
    pub label_en: String,
    /// How many scorecards reached it.
    pub hits: usize,
}

/// How a leaf's single call turns its subject's value into an outcome.
enum Shape<'a> {
    /// Sorted best first, as `tiered` searches them; `reverse`: lower is better.
    Bands(&'a [(f64, f64)], bool),
    /// Full marks from `full` on (`up`) or down, none at `zero`: `proportional` (zero at 0) and
    /// `linear`.
    Ramp { full: f64, zero: f64, up: bool },
}

impl Shape<'_> {
    fn outcomes(&self) -> Vec<[String; 2]> {
        match *self {
            Shape::Bands(bands, reverse) => {
                let (at, beyond, beyond_en) = if reverse {
                    ("≤", "高于所有门槛（0 分）", "above every threshold (0)")
                } else {
                    ("≥", "低于所有门槛（0 分）", "below every threshold (0)")
                };
                bands
                    .iter()
                    .map(|(t, f)| [format!("{at} {t}（得 {f}）"), format!("{at} {t} ({f})")])
                    .chain(std::iter::once([beyond.to_string(), beyond_en.to_string()]))
                    .collect()
            }
            Shape::Ramp { full, zero, up } => {
                let (at, none) = if up { ("≥", "≤") } else { ("≤", "≥") };
                vec![
                    [
                        format!("{at} {full}（满分）"),
                        format!("{at} {full} (full marks)"),
                    ],
                    [
                        format!("{zero} 与 {full} 之间（部分得分）"),
                        format!("between {zero} and {full} (partial)"),
                    ],
                    [
                        format!("{none} {zero}（0 分）"),
                        format!("{none} {zero} (none)"),
                    ],
                ]
            }
        }
    }

    /// Which outcome `value` reaches.
    fn classify(&self, value: f64) -> usize {
        match *self {
            Shape::Bands(bands, reverse) => bands
                .iter()
                .position(|&(t, _)| if reverse { value <= t } else { value >= t })
                .unwrap_or(bands.len()),
            Shape::Ramp { full, zero, up } => {
                let (reached_full, at_zero) = if up {
                    (value >= full, value <= zero)
                } else {
                    (value <= full, value >= zero)
                };
                if reached_full {
                    0
                } else if at_zero {
                    2
                } else {
                    1
                }
            }
        }
    }
}

impl Engine {
    /// For each leaf scored by one helper call whose outcomes can be told apart, which the
    /// `cards` (evaluated with trace on, so that they record the values read) reached.
    pub fn coverage(&self, cards: &[Scorecard]) -> Vec<LeafCoverage> {
        let c = &*self.inner;
        let mut coverage = Vec::new();
        for node in &c.nodes {
            let Some(call) = node
                .leaf
                .as_ref()
                .and_then(|l| l.native.as_ref())
                .and_then(|p| p.only_call())
            else {
                continue;
            };
            let Some(subject) = call.subject() else {
                continue;
            };
            let number = |i: usize| call.number(i);
            let shape = match (call.helper, call.known.get(1)) {
                (Helper::Tiered, Some(Known::Bands(b))) => Shape::Bands(b, false),
                (Helper::TieredReverse, Some(Known::Bands(b))) => Shape::Bands(b, true),
                (Helper::Proportional, _) => match number(1) {
                    Some(full) => Shape::Ramp {
                        full,
                        zero: 0.0,
                        up: true,
                    },
                    None => continue,
                },
                (Helper::Linear, _) => match (number(1), number(2)) {
                    (Some(zero), Some(full)) => Shape::Ramp {
                        full,
                        zero,
                        up: full > zero,
                    },
                    _ => continue,
                },
                _ => continue,
            };
            let subject_id = &c.table.metas[subject].id;
            let mut hits = vec![0; shape.outcomes().len()];
            for card in cards {
                let Some(result) = card.indicators.iter().find(|i| i.id == node.id) else {
                    continue;
                };
                if result.status != Status::Scored && result.status != Status::Partial {
                    continue;
                }
                if let Some(value) = result
                    .reads
                    .get(subject_id)
                    .and_then(serde_json::Value::as_f64)
                {
                    hits[shape.classify(value)] += 1;
                }
            }
            coverage.push(LeafCoverage {
                indicator: node.id.to_string(),
                label: node.label.to_string(),
                outcomes: shape
                    .outcomes()
                    .into_iter()
                    .zip(hits)
                    .map(|([label, label_en], hits)| Outcome {
                        label,
                        label_en,
                        hits,
                    })
                    .collect(),
            });
        }
        coverage
    }
}
