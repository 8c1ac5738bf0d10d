//! # jixiao (绩效) — scoring engine for public-spending performance evaluation
//!
//! A rulebook (评价方案 / 指标体系) declares typed inputs, derived KPIs and a weighted
//! indicator tree whose leaves are scored by sandboxed Rhai scripts. It is compiled once into
//! an [`Engine`] and then evaluates [`Submission`]s into [`Scorecard`]s, from any number of
//! threads.
//!
//! ```
//! use jixiao::{Engine, Rulebook, Submission};
//!
//! let rulebook = Rulebook::from_toml_str(r#"
//!     id = "mini"
//!     version = "1"
//!     title = "最小示例"
//!     stage = "post"
//!     [[inputs]]
//!     id = "rate"
//!     label = "预算执行率"
//!     type = "percent"
//!     [[indicators]]
//!     id = "P"
//!     label = "过程"
//!     [[indicators]]
//!     id = "P1"
//!     parent = "P"
//!     label = "预算执行率"
//!     points = 100
//!     script = 'proportional("rate", 1.0)'
//! "#).unwrap();
//! let engine = Engine::new(rulebook).unwrap();
//! let submission = Submission::from_json_str(r#"{"values": {"rate": 92.3}}"#).unwrap();
//! let card = engine.evaluate(&submission);
//! assert_eq!(card.total.to_string(), "92.3");
//! assert_eq!(card.grade.unwrap().label, "优");
//! ```

// The pipeline, layers pointing down (src/README.md): model → text → rulebook → submission →
// scorecard → helpers → script → native → engine; error, limits and read serve them all.
#![warn(clippy::too_many_lines)] // at 120 lines (clippy.toml): a function does one step
mod engine;
pub mod error;
mod helpers;
pub mod limits;
pub mod model;
mod native;
mod read;
mod rulebook;
mod scorecard;
mod script;
mod submission;
mod text;

/// `values` stably sorted by `cmp`. Every sort goes through here, so the standard library's
/// sort is instantiated once: each `sort_by` closure type (and `sort_unstable` of each element
/// type) is otherwise its own copy of the sort code, several KB of WebAssembly each (measured:
/// compact module 344.8 → 339.0 KB gzip when introduced; sorting the plain integers here
/// and in the `switch` probe with `sort_unstable` instead cost 3.5 KB gzip in the compact
/// module and 3.2 KB in the full one).
#[inline(never)]
pub(crate) fn sort_usizes(
    values: &mut [usize],
    cmp: &mut dyn FnMut(usize, usize) -> std::cmp::Ordering,
) {
    values.sort_by(|&a, &b| cmp(a, b));
}

/// The order `0..n` stably sorted by `cmp` (through [`sort_usizes`]).
pub(crate) fn sorted_order(
    n: usize,
    cmp: &mut dyn FnMut(usize, usize) -> std::cmp::Ordering,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    sort_usizes(&mut order, cmp);
    order
}

pub use engine::coverage::{LeafCoverage, Outcome};
pub use engine::form::{Form, FormGroup, FormIndicator, FormRulebook, FormSection};
pub use engine::lint::{Lint, LintCode};
pub use engine::{ENGINE_VERSION, Engine, EvalOptions};
pub use error::{Error, ErrorRepr, Problem, ProblemCode};
pub use rulebook::Rulebook;
pub use rust_decimal::{Decimal, RoundingStrategy};
pub use scorecard::{
    DimensionScore, Finding, Grade, IndicatorScore, KpiValue, RulebookRef, Scorecard, Status, Text,
};
pub use submission::{ProjectInfo, RulebookTag, Submission};
pub use text::Lang;
