//! The compiled engine: a rulebook checked and compiled once, evaluated many times from many
//! threads.

mod compile;
pub mod coverage;
mod evaluate;
pub mod form;
pub mod lint;
mod na;
mod problems;

use crate::error::{Error, Problem, ProblemCode};
use crate::helpers::{
    Frame, HelperError, LeafState, MetricMeta, MetricTable, SUBJECT_HELPERS, default_explanation,
    to_dynamic,
};
use crate::model::{GradeBand, InputType, NaPolicy};
use crate::native::{Program, Stop};
use crate::rulebook::{Rulebook, ScriptLines};
use crate::scorecard::Text;
use crate::scorecard::{
    DimensionScore, Grade, IndicatorScore, KpiValue, RulebookRef, Scorecard, Status, attainment,
    attainment_of_cents, cents_of, leaf_score,
};
use crate::script::budget::Exhausted;
use crate::script::{compiler, position_of, sandbox};
use crate::submission::{GradeCheck, Submission, Val, check_input, cmp_ids, grade_scale};
use crate::text::fmt_pts;
use crate::text::intern::intern;
use crate::text::{Lang, ValueFmt, decimal_of_cents, format_value, points_decimal};
use compile::compile;
use evaluate::ScratchPool;
use problems::{describe_eval_error, limit_code};
use rhai::{AST, Dynamic, EvalAltResult, Scope};
use rust_decimal::Decimal;
use rust_decimal::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The version of this engine, carried on every scorecard.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Options for one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
// Unknown keys are refused (a typo such as `"langs"` must not silently mean the default), in
// every binding that passes options as JSON.
#[serde(default, deny_unknown_fields)]
pub struct EvalOptions {
    /// Record explanations and the values each script read. Off for bulk runs that only
    /// need scores and findings.
    pub trace: bool,
    /// Language of generated explanations and findings.
    pub lang: Lang,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            trace: true,
            lang: Lang::Zh,
        }
    }
}

/// A rulebook compiled for evaluation. Cheap to clone (shared), `Send + Sync`.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Compiled>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rulebook", &self.inner.reference.id)
            .field("version", &self.inner.reference.version)
            .field("indicators", &self.inner.nodes.len())
            .finish_non_exhaustive()
    }
}

impl Compiled {
    /// Run a script in Rhai: what a script the native path cannot finish needs. The compact
    /// build has no Rhai runner, so there it is an error naming what is missing.
    fn run_in_rhai(
        &self,
        scope: &mut Scope<'static>,
        ast: &AST,
        values: &mut Vec<Option<Val>>,
        leaf: &mut LeafState,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        if cfg!(feature = "compact") {
            return Err(EvalAltResult::ErrorRuntime(
                Dynamic::from(NeedsRhai),
                rhai::Position::NONE,
            )
            .into());
        }
        crate::script::budget::start_script();
        let runner = self.runner.get_or_init(sandbox);
        let result = crate::helpers::lend_to_rhai(&self.table, values, leaf, || {
            runner.eval_ast_with_scope::<Dynamic>(scope, ast)
        });
        Exhausted::check(result)
    }
}

/// The payload of the compact build's error for a script that needs the Rhai runner.
#[derive(Debug, Clone, Copy)]
struct NeedsRhai;

const NEEDS_RHAI_ZH: &str = "该脚本需要 Rhai 解释器，精简版引擎不含（请改用完整版模块）";
const NEEDS_RHAI_EN: &str = "this script needs the Rhai interpreter, which the compact build leaves out (use the full module)";

struct Compiled {
    rulebook: Rulebook,
    reference: RulebookRef,
    /// The Rhai engine that runs scripts, built on first use: scripts that all run natively
    /// never need it (they were compiled by [`crate::script::compiler`]).
    runner: std::sync::OnceLock<rhai::Engine>,
    /// What evaluations work in, pooled for the next one.
    scratch: ScratchPool,
    table: Arc<MetricTable>,
    n_inputs: usize,
    /// Input ids (interned) and indices, sorted by id, to pair them with a submission's
    /// sorted values.
    inputs_by_id: Vec<(Text, usize)>,
    /// Each grade input's levels prepared for checking values (empty for other inputs).
    grade_checks: Vec<GradeCheck>,
    /// Every node's declared points: a scorecard's points when nothing is N/A.
    declared_points: Vec<Option<NodePoints>>,
    /// KPIs in evaluation (dependency) order.
    kpis: Vec<CompiledKpi>,
    /// Indicator nodes depth-first in rulebook order; parents before children.
    nodes: Vec<Node>,
    roots: Vec<usize>,
    /// Grade bands, highest minimum first.
    grades: Vec<GradeBand>,
    /// The grade bands as scoring uses them: each band's minimum as a decimal and its labels
    /// as scorecards carry them (interned), highest minimum first.
    grade_bands: Vec<(Decimal, Grade)>,
    /// The declared total as a decimal.
    declared_total: Decimal,
    node_index: HashMap<String, usize>,
}

struct CompiledKpi {
    /// Index into `spec.kpis`.
    spec_index: usize,
    metric: usize,
    ast: AST,
    /// The native program, when the expression stays within the subset `native` lowers.
    native: Option<Program>,
    /// Inputs this KPI depends on, directly or through other KPIs.
    inputs: Vec<usize>,
    /// KPIs (metric indices) it depends on, directly or not.
    kpis: Vec<usize>,
}

struct Node {
    spec_index: usize,
    /// Texts every scorecard repeats, shared rather than copied per evaluation.
    id: Text,
    parent_id: Option<Text>,
    label: Text,
    label_en: Option<Text>,
    criteria: Option<Text>,
    parent: Option<usize>,
    children: Vec<usize>,
    level: u32,
    points: f64,
    /// `points` as printed.
    declared: Decimal,
    leaf: Option<Leaf>,
}

/// A node's points in a scorecard, in each form scoring uses: converted once (at compile
/// time for the declared points, which most scorecards use), not per leaf run.
#[derive(Debug, Clone, Copy)]
struct NodePoints {
    /// As printed.
    decimal: Decimal,
    /// As scripts see `points`.
    float: f64,
    /// In hundredths, for attainment in integers.
    cents: Option<i64>,
}

impl NodePoints {
    fn of(decimal: Decimal) -> NodePoints {
        NodePoints {
            decimal,
            float: decimal.to_f64().unwrap_or(0.0),
            cents: cents_of(decimal),
        }
    }
}

impl Leaf {
    /// Whether the script runs without the Rhai runner.
    fn runs_natively(&self) -> bool {
        self.native.is_some()
    }
}

impl CompiledKpi {
    /// Whether the expression runs without the Rhai runner.
    fn runs_natively(&self) -> bool {
        self.native.is_some()
    }
}

struct Leaf {
    ast: AST,
    /// The native program, when the script stays within the subset `native` lowers.
    native: Option<Program>,
    /// Metrics the script reads directly (variables and helper ids), for the trace.
    reads: Vec<usize>,
    /// Each read of a metric with the rows it takes: the category of a
    /// `target_table("id", "category")` call, else None (every row). A bad cell of a table
    /// leaves the leaf unscored only where a read takes its row.
    by_rows: Vec<(usize, Option<String>)>,
    /// Required inputs needed, directly or through KPIs: missing ones leave it unscored.
    inputs: Vec<usize>,
    /// Every input read, directly or through KPIs, required or not (for the form).
    all_inputs: Vec<usize>,
    /// KPIs needed, directly or through other KPIs.
    kpis: Vec<usize>,
    /// Where the script's lines are in the rulebook TOML (or its `.rhai` file), for errors.
    code_line: ScriptLines,
    file: Option<String>,
}

impl Engine {
    /// Validate and compile a rulebook. Every problem is reported at once: structure,
    /// scripts (syntax and unknown names, with their lines) and KPI dependency cycles.
    ///
    /// The ids, labels and 评分标准 texts scorecards repeat are interned for the life of the
    /// process (so scoring borrows them instead of counting references); compiling the same
    /// or an edited rulebook again adds only the texts not seen before.
    pub fn new(rulebook: Rulebook) -> Result<Engine, Error> {
        let mut problems = rulebook.validate();
        let compiled = compile(rulebook, &mut problems);
        match compiled {
            Some(c) if problems.is_empty() => Ok(Engine { inner: Arc::new(c) }),
            Some(c) => Err(Error::rulebook(c.reference.id, problems)),
            None => Err(Error::rulebook("(unknown)", problems)),
        }
    }

    /// Parse (TOML or JSON, by the first character) and compile in one go.
    #[allow(clippy::should_implement_trait)] // also FromStr below; this name reads better at call sites
    pub fn from_str(text: &str) -> Result<Engine, Error> {
        Engine::new(Rulebook::from_str_auto(text)?)
    }

    pub fn rulebook(&self) -> &Rulebook {
        &self.inner.rulebook
    }

    /// Id, version and content hash.
    pub fn reference(&self) -> &RulebookRef {
        &self.inner.reference
    }

    /// Check a submission's values without scoring: every problem, each naming its input.
    pub fn validate(&self, submission: &Submission) -> Vec<Problem> {
        let mut problems = Vec::new();
        let _ = self.check_values(submission, &mut problems, &mut Vec::new());
        self.check_na(submission, &mut problems);
        problems
    }

    /// Score one submission with trace on, in Chinese.
    pub fn evaluate(&self, submission: &Submission) -> Scorecard {
        self.evaluate_with(submission, EvalOptions::default())
    }

    /// Parse a JSON submission and score it.
    pub fn evaluate_json(
        &self,
        submission: &str,
        options: EvalOptions,
    ) -> Result<Scorecard, Error> {
        let submission = Submission::from_json_str(submission)?;
        Ok(self.evaluate_with(&submission, options))
    }

    /// Score many submissions; in parallel on all cores with the `parallel` feature.
    /// Results are in input order.
    pub fn evaluate_batch(
        &self,
        submissions: &[Submission],
        options: EvalOptions,
    ) -> Vec<Scorecard> {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            submissions
                .par_iter()
                .map(|s| self.evaluate_with(s, options))
                .collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            submissions
                .iter()
                .map(|s| self.evaluate_with(s, options))
                .collect()
        }
    }

    /// How many leaves run natively (without the Rhai runner), of how many leaves: for tests
    /// that must know the native paths were taken.
    #[doc(hidden)]
    pub fn native_leaves(&self) -> (usize, usize) {
        let leaves = self.inner.nodes.iter().filter_map(|n| n.leaf.as_ref());
        let (mut native, mut all) = (0, 0);
        for leaf in leaves {
            all += 1;
            native += usize::from(leaf.runs_natively());
        }
        (native, all)
    }

    /// [`Engine::evaluate_with`] with every native path off: each KPI and leaf script runs in
    /// Rhai as written. For tests that check the native paths give Rhai's results exactly.
    #[doc(hidden)]
    pub fn evaluate_interpreted(&self, submission: &Submission, options: EvalOptions) -> Scorecard {
        let mut card = Scorecard::default();
        self.score(submission, options, &mut card, false);
        card
    }

    /// Score one submission.
    pub fn evaluate_with(&self, submission: &Submission, options: EvalOptions) -> Scorecard {
        let mut card = Scorecard::default();
        self.evaluate_into(submission, options, &mut card);
        card
    }

    /// Score one submission into `card`, overwriting all of it: the same scorecard as
    /// [`Engine::evaluate_with`] gives, built in the allocations `card` already has. For
    /// batch runs that score project after project and keep no scorecard: one per worker
    /// saves allocating and dropping every indicator's result each time. `card` may come
    /// from any engine, or be `Scorecard::default()`; nothing of it survives.
    pub fn evaluate_into(
        &self,
        submission: &Submission,
        options: EvalOptions,
        card: &mut Scorecard,
    ) {
        self.score(submission, options, card, true);
        #[cfg(feature = "check-native")]
        self.check_native(submission, options, card);
    }

    /// The pipeline, with the native paths on or (`evaluate_interpreted`) off.
    fn score(
        &self,
        submission: &Submission,
        options: EvalOptions,
        card: &mut Scorecard,
        native_paths: bool,
    ) {
        let c = &*self.inner;
        crate::script::budget::start_scorecard();
        let problems = &mut card.problems;
        problems.clear();
        let mut scratch = c.scratch.take();
        scratch.reset(c.table.metas.len(), c.n_inputs, c.nodes.len());
        let bad_inputs = self.check_values(submission, problems, &mut scratch.values);
        let na_marked = self.check_na(submission, problems);

        // The Rhai scope is built only when a script needs Rhai (native runs don't): every
        // input and finished KPI as a constant, so a script cannot change what the next sees.
        let mut scope: Option<Scope<'static>> = None;
        // KPIs record nothing of their own; helpers they call read the language.
        scratch.leaf.reset(0.0, false, options.lang);
        self.compute_kpis(&mut scratch, &mut scope, native_paths);

        let points = self.effective_points(&na_marked);
        self.prepare_results(&mut card.indicators, &points, submission);
        let results = &mut card.indicators;
        self.score_leaves(
            results,
            &points,
            &mut scratch,
            &mut scope,
            &bad_inputs,
            options,
            native_paths,
        );
        Self::sum_parents(&c.nodes, results, &points, &mut scratch.cents);
        self.finish_card(card, &points, &scratch.kpi_state, submission, options);
        c.scratch.give_back(scratch);
    }

    /// With `check-native`: the same submission with every script in Rhai must give the very
    /// same scorecard (the interpreted run itself is not checked again).
    #[cfg(feature = "check-native")]
    fn check_native(&self, submission: &Submission, options: EvalOptions, card: &Scorecard) {
        let native = card.to_json();
        let rhai = self.evaluate_interpreted(submission, options).to_json();
        assert!(
            native == rhai,
            "check-native: the native paths and Rhai disagree on rulebook {} \
             ({options:?}):\n--- native\n{native}\n--- rhai\n{rhai}",
            self.inner.reference.id
        );
    }
}

impl std::str::FromStr for Engine {
    type Err = Error;
    fn from_str(text: &str) -> Result<Engine, Error> {
        Engine::new(Rulebook::from_str_auto(text)?)
    }
}

// Compile-time guarantee that engines can be shared across threads.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
};

#[cfg(test)]
mod tests {
    use super::na::split;
    use super::*;

    /// `compiler()` leaves out Rhai's standard library; the ASTs it makes must be exactly the
    /// ones the running engine would make, for every shipped script and KPI and for corner
    /// cases of constant folding (operators the standard library also defines, its functions
    /// on constants, strings, arrays, switch).
    #[test]
    fn the_compiler_without_the_standard_library_makes_the_same_asts() {
        let with_std = sandbox();
        let without = compiler();
        let same = |scope: &Scope, text: &str, expression: bool| {
            let compile = |e: &rhai::Engine| {
                let r = if expression {
                    e.compile_expression_with_scope(scope, text)
                } else {
                    e.compile_with_scope(scope, text)
                };
                format!("{r:?}")
            };
            assert_eq!(compile(&with_std), compile(&without), "{text}");
        };
        let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
        let mut compared = 0;
        for entry in std::fs::read_dir(rules).unwrap() {
            let path = entry.unwrap().path().join("rulebook.toml");
            if !path.exists() {
                continue;
            }
            let rulebook = Rulebook::from_path(&path).unwrap();
            let spec = rulebook.spec();
            let mut scope = Scope::new();
            for id in spec
                .inputs
                .iter()
                .map(|i| &i.id)
                .chain(spec.kpis.iter().map(|k| &k.id))
            {
                scope.push_dynamic(id.as_str(), Dynamic::UNIT);
            }
            for kpi in &spec.kpis {
                same(&scope, &kpi.expr, true);
                compared += 1;
            }
            scope.push_dynamic("points", Dynamic::UNIT);
            for script in spec.indicators.iter().filter_map(|i| i.script.as_deref()) {
                same(&scope, script, false);
                compared += 1;
            }
        }
        assert!(compared >= 120, "only {compared} scripts found");
        let mut scope = Scope::new();
        for id in ["x", "k", "points"] {
            scope.push_dynamic(id, Dynamic::UNIT);
        }
        for script in [
            "1 + 2 * 3 - 4 / 2 % 3",
            "1.5 + 2 - 0.25 * 4.0 / 3",
            "2 ** 10 + 2.0 ** 0.5",
            "-5 % 3 + (7 / -2)",
            "1 < 2.0 && 3.0 >= 3 || !(1 != 1)",
            "\"甲\" + 1 + 2.5 + true + 'c'",
            "\"abc\" == \"abc\" && \"a\" < \"b\"",
            "[1, 2] + [3]",
            "#{a: 1}.a + 1",
            "abs(-3) + max(1, 2) + min(1.5, 2) + floor(2.7) + round(2.5) + sqrt(4.0)",
            "\"abcdef\".len() + \"abc\".sub_string(1, 1).len()",
            "to_int(2.9) + to_float(3) + parse_int(\"12\")",
            "3 in [1, 2, 3]",
            "x * 100 / 100 + k",
            "let a = 5; a += 1; a * points",
            "switch 2 { 1 => 10, 2 => 20, _ => 30 }",
            "if 1 > 2 { 1 } else if 3 > 2 { 2 } else { 3 }",
            "`合计 ${1 + 2} 分`",
            "1 / 0",
            "9223372036854775807 + 1",
        ] {
            same(&scope, script, false);
        }
    }

    /// What keeps a cold start short in the browser: a rulebook whose scripts all lower to
    /// native programs scores its examples without ever building the Rhai engine that runs
    /// scripts (nor the standard library it carries). gov-it-post, which the latency benchmark
    /// loads, must be such a rulebook, and so must demo, mof-2020-post and self-eval (ex-ante and
    /// monitoring have scripts outside the native subset: functions they define).
    #[test]
    #[cfg(not(feature = "check-native"))] // that feature runs Rhai beside every evaluation
    fn native_rulebooks_score_without_building_the_rhai_runner() {
        let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
        let (mut native, mut scored) = (Vec::new(), 0);
        for entry in std::fs::read_dir(rules).unwrap() {
            let dir = entry.unwrap().path();
            let Ok(rulebook) = Rulebook::from_path(dir.join("rulebook.toml")) else {
                continue;
            };
            let engine = Engine::new(rulebook).unwrap();
            let c = &*engine.inner;
            let all_native = c.kpis.iter().all(CompiledKpi::runs_natively)
                && c.nodes
                    .iter()
                    .filter_map(|n| n.leaf.as_ref())
                    .all(Leaf::runs_natively);
            if !all_native {
                continue;
            }
            native.push(c.reference.id.to_string());
            for sub in ["examples", "submissions"]
                .iter()
                .filter_map(|d| std::fs::read_dir(dir.join(d)).ok())
                .flatten()
            {
                let path = sub.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let card = engine.evaluate(&Submission::from_json_str(&text).unwrap());
                assert!(card.indicators.iter().any(|i| i.score.is_some()));
                assert!(
                    engine.inner.runner.get().is_none(),
                    "{} needed Rhai",
                    path.display()
                );
                scored += 1;
            }
        }
        for id in ["gov-it-post", "demo", "mof-2020-post", "self-eval"] {
            assert!(native.iter().any(|n| n == id), "{id} not in {native:?}");
        }
        assert!(scored >= 10, "only {scored} examples");
        // And a script that does need Rhai still gets it.
        let engine = Engine::from_str(
            "id = \"t\"\nversion = \"1\"\ntitle = \"t\"\nstage = \"post\"\n\
             [[inputs]]\nid = \"x\"\nlabel = \"x\"\ntype = \"number\"\n\
             [[indicators]]\nid = \"A\"\nlabel = \"维度\"\n\
             [[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"甲\"\npoints = 100\n\
             script = 'let s = 0.0; for i in 0..4 { s += x; } min(s, points)'\n",
        )
        .unwrap();
        let card = engine.evaluate(&Submission::from_json_str(r#"{"values":{"x":5}}"#).unwrap());
        assert_eq!(card.total, Decimal::from(20));
        assert!(engine.inner.runner.get().is_some());
    }

    #[test]
    fn split_adds_up() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let parts = split(d("10"), &[d("1"), d("1"), d("1")]);
        assert_eq!(parts.iter().sum::<Decimal>(), d("10"));
        assert_eq!(parts, vec![d("3.34"), d("3.33"), d("3.33")]);
        let parts = split(d("25"), &[d("4"), d("6")]);
        assert_eq!(parts, vec![d("10"), d("15")]);
    }
}
