//! The compiled engine: a rulebook checked and compiled once, evaluated many times from many
//! threads.

pub mod form;
use crate::engine::form::{Form, FormGroup, FormIndicator, FormRulebook, FormSection};
use crate::error::{Error, Problem, ProblemCode};
use crate::helpers::{
    FRAME, HelperError, MetricMeta, MetricTable, SUBJECT_HELPERS, default_explanation, to_dynamic,
};
use crate::model::Input;
use crate::model::{GradeBand, InputType, NaPolicy};
use crate::native::{Arith, HelperCall, Program};
use crate::rulebook::{Rulebook, ScriptLines};
use crate::scorecard::Text;
use crate::scorecard::{
    DimensionScore, Grade, IndicatorScore, KpiValue, RulebookRef, Scorecard, Status, attainment,
    attainment_of_cents, cents_of, leaf_score,
};
use crate::script::budget::Exhausted;
use crate::script::{compiler, position_of, sandbox};
use crate::submission::{
    GradeCheck, GradeLabels, Submission, Val, check_input, cmp_ids, grade_scale,
};
use crate::text::fmt_pts;
use crate::text::intern::intern;
use crate::text::{Lang, ValueFmt, decimal_of_cents, format_value, points_decimal};
use rhai::{AST, Dynamic, EvalAltResult, Scope};
use rust_decimal::Decimal;
use rust_decimal::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
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
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        if cfg!(feature = "compact") {
            return Err(EvalAltResult::ErrorRuntime(
                Dynamic::from(NeedsRhai),
                rhai::Position::NONE,
            )
            .into());
        }
        crate::script::budget::start_script();
        let result = self
            .runner
            .get_or_init(sandbox)
            .eval_ast_with_scope::<Dynamic>(scope, ast);
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
    /// Native evaluation when the expression is plain arithmetic.
    fast: Option<Arith>,
    /// Otherwise a native program when it stays within the subset leaves use.
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
    /// Whether the script runs without the Rhai runner (as a helper call or a program).
    fn runs_natively(&self) -> bool {
        self.fast.is_some() || self.native.is_some()
    }
}

impl CompiledKpi {
    /// Whether the expression runs without the Rhai runner (as arithmetic or a program).
    fn runs_natively(&self) -> bool {
        self.fast.is_some() || self.native.is_some()
    }
}

struct Leaf {
    ast: AST,
    /// Direct helper call when the script is a single helper call with literal arguments.
    fast: Option<HelperCall>,
    /// Native program when the script stays within the subset `fast::program` lowers.
    native: Option<Program>,
    /// Metrics the script reads directly (variables and helper ids), for the trace.
    reads: Vec<usize>,
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

    /// The evaluator's form: inputs grouped by dimension and second-level indicator.
    pub fn form(&self) -> Form {
        let c = &*self.inner;
        let spec = c.rulebook.spec();
        let mut placed = vec![false; c.n_inputs];
        let mut sections = Vec::new();
        let node_spec = |ni: usize| &spec.indicators[c.nodes[ni].spec_index];
        for &r in &c.roots {
            let root = node_spec(r);
            let group_roots: Vec<usize> = if c.nodes[r].children.is_empty() {
                vec![r]
            } else {
                c.nodes[r].children.clone()
            };
            let mut groups = Vec::new();
            for g in group_roots {
                let gs = node_spec(g);
                let mut indicators = Vec::new();
                let mut fields = Vec::new();
                let mut stack = vec![g];
                while let Some(ni) = stack.pop() {
                    let node = &c.nodes[ni];
                    stack.extend(node.children.iter().rev().copied());
                    let Some(leaf) = &node.leaf else { continue };
                    let ind = node_spec(ni);
                    for &i in &leaf.all_inputs {
                        if !placed[i] {
                            placed[i] = true;
                            fields.push(spec.inputs[i].clone());
                        }
                    }
                    indicators.push(FormIndicator {
                        id: ind.id.clone(),
                        label: ind.label.clone(),
                        label_en: ind.label_en.clone(),
                        points: node.points,
                        criteria: ind.criteria.clone(),
                        criteria_en: ind.criteria_en.clone(),
                        allow_na: ind.allow_na,
                        inputs: leaf
                            .all_inputs
                            .iter()
                            .map(|&i| spec.inputs[i].id.clone())
                            .collect(),
                    });
                }
                groups.push(FormGroup {
                    id: gs.id.clone(),
                    label: gs.label.clone(),
                    label_en: gs.label_en.clone(),
                    points: c.nodes[g].points,
                    indicators,
                    fields,
                });
            }
            sections.push(FormSection {
                id: root.id.clone(),
                label: root.label.clone(),
                label_en: root.label_en.clone(),
                points: c.nodes[r].points,
                groups,
            });
        }
        // Inputs no indicator reads still get a place, so nothing declared is unreachable.
        let rest: Vec<Input> = spec
            .inputs
            .iter()
            .zip(&placed)
            .filter(|(_, p)| !**p)
            .map(|(i, _)| i.clone())
            .collect();
        if !rest.is_empty() {
            sections.push(FormSection {
                id: "_other".into(),
                label: "其他数据项".into(),
                label_en: Some("Other inputs".into()),
                points: 0.0,
                groups: vec![FormGroup {
                    id: "_other".into(),
                    label: "其他数据项".into(),
                    label_en: Some("Other inputs".into()),
                    points: 0.0,
                    indicators: Vec::new(),
                    fields: rest,
                }],
            });
        }
        Form {
            rulebook: FormRulebook {
                reference: c.reference.clone(),
                title: spec.title.clone(),
                title_en: spec.title_en.clone(),
                stage: spec.stage,
                total: spec.total,
                na_policy: spec.na_policy,
                grades: c.grades.clone(),
            },
            sections,
        }
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

    /// [`Engine::evaluate_with`] with every fast path off: each KPI and leaf script runs in
    /// Rhai as written. For tests that check the fast paths give Rhai's results exactly.
    #[doc(hidden)]
    pub fn evaluate_interpreted(&self, submission: &Submission, options: EvalOptions) -> Scorecard {
        struct Restore;
        impl Drop for Restore {
            fn drop(&mut self) {
                FAST_PATHS.set(true);
            }
        }
        FAST_PATHS.set(false);
        let _restore = Restore;
        self.evaluate_with(submission, options)
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
        let c = &*self.inner;
        crate::script::budget::start_scorecard();
        let problems = &mut card.problems;
        problems.clear();
        // This thread's working lists, taken (not borrowed) so nothing here depends on what
        // else runs on the thread, and put back at the end for the next evaluation.
        let mut buffers = EVAL_BUFFERS.with_borrow_mut(std::mem::take);
        buffers.reset(c.table.metas.len(), c.n_inputs, c.nodes.len());
        let EvalBuffers {
            values: kept_values,
            done,
            kpi_state,
            cents,
        } = &mut buffers;
        // Values by metric: the checked inputs, then KPIs as they are computed (an input's
        // entry never changes, so it also says which inputs are missing). Shared with the
        // thread's frame (helpers read it there) rather than copied into it.
        let mut metric_values = kept_values
            .take()
            .filter(|kept| Rc::strong_count(kept) == 1 && Rc::weak_count(kept) == 0)
            .unwrap_or_default();
        let bad_inputs = self.check_values(
            submission,
            problems,
            // Unshared (filtered above): written in place, never copied.
            Rc::make_mut(&mut metric_values),
        );
        let na_marked = self.check_na(submission, problems);

        // The Rhai scope is built only when a script needs Rhai (fast paths don't): every
        // input and finished KPI as a constant, so a script cannot change what the next sees.
        let mut scope: Option<Scope<'static>> = None;
        // Helpers (`value_of`, `ratio`, …) read the thread's frame, in KPIs as in leaves: set
        // it up before the first KPI so nothing depends on what this thread ran before.
        FRAME.with_borrow_mut(|f| {
            f.table = Some(Arc::clone(&c.table));
            f.values = Some(Rc::clone(&metric_values));
            f.leaf.reset(0.0, false, options.lang);
        });
        self.compute_kpis(&mut metric_values, done, kpi_state, &mut scope);

        let points = self.effective_points(&na_marked);
        self.prepare_results(&mut card.indicators, &points, submission);
        let results = &mut card.indicators;

        self.score_leaves(
            results,
            &points,
            &metric_values,
            done,
            kpi_state,
            cents,
            &mut scope,
            &bad_inputs,
            options,
        );
        FRAME.with_borrow_mut(|f| {
            f.table = None;
            f.values = None;
        });
        *kept_values = Some(metric_values);

        Self::sum_parents(&c.nodes, results, &points, cents);

        self.finish_card(card, &points, kpi_state, submission, options);
        EVAL_BUFFERS.with_borrow_mut(|kept| *kept = buffers);
    }

    /// KPIs in dependency order: each natively when it can, else in Rhai, kept as printed;
    /// one that cannot be computed fails with its reason, and so does every KPI that uses it.
    fn compute_kpis(
        &self,
        metric_values: &mut Rc<Vec<Option<Val>>>,
        done: &mut [bool],
        kpi_state: &mut [KpiState],
        scope: &mut Option<Scope<'static>>,
    ) {
        let c = &*self.inner;
        for k in &c.kpis {
            let missing = k.inputs.iter().any(|&i| metric_values[i].is_none());
            let failed = k
                .kpis
                .iter()
                .find(|&&m| matches!(kpi_state[m], KpiState::Failed(_)));
            let state = if let Some(&m) = failed {
                kpi_state[m].clone()
            } else if missing {
                KpiState::Missing
            } else {
                let fast = k
                    .fast
                    .as_ref()
                    .filter(|_| FAST_PATHS.get())
                    .and_then(|f| f.eval(metric_values));
                let native = || {
                    k.native
                        .as_ref()
                        .filter(|_| FAST_PATHS.get())
                        .and_then(|p| p.score(metric_values, 0.0).ok())
                };
                // A number, or the result that is not one (as in `run_leaf`).
                let result: Result<Result<f64, Dynamic>, _> = match fast.or_else(native) {
                    Some(v) => Ok(Ok(v)),
                    None => {
                        let scope = lazy_scope(scope, c, metric_values, done);
                        c.run_in_rhai(scope, &k.ast).map(|d| number(&d).ok_or(d))
                    }
                };
                match result {
                    // Kept as printed, so scripts, helpers and texts see one number.
                    Ok(Ok(v)) if v.is_finite() => KpiState::Value(crate::text::as_printed(v)),
                    Ok(Ok(_)) => KpiState::Failed(Box::new(self.kpi_problem(
                        k,
                        "计算结果不是有限数（可能除以了 0）",
                        "the result is not a finite number (division by zero?)",
                        None,
                    ))),
                    Ok(Err(d)) => KpiState::Failed(Box::new(self.kpi_problem(
                        k,
                        &format!("计算结果应为数字，实际为 {}", d.type_name()),
                        &format!("the result must be a number, got {}", d.type_name()),
                        None,
                    ))),
                    Err(e) => {
                        let (zh, en, pos) = describe_eval_error(&e);
                        KpiState::Failed(Box::new(self.kpi_problem(k, &zh, &en, pos.0)))
                    }
                }
            };
            if let KpiState::Value(v) = state {
                // The frame lets go of the values while this one is written, so the write
                // never copies them (`make_mut` would only if something else still held them).
                FRAME.with_borrow_mut(|f| f.values = None);
                overwrite(
                    &mut Rc::make_mut(metric_values)[k.metric],
                    Some(Val::Num(v)),
                );
                FRAME.with_borrow_mut(|f| f.values = Some(Rc::clone(metric_values)));
            }
            done[k.metric] = true;
            if let Some(scope) = scope.as_mut() {
                scope.push_constant_dynamic(
                    &*c.table.metas[k.metric].id,
                    metric_values[k.metric]
                        .as_ref()
                        .map_or(Dynamic::UNIT, to_dynamic),
                );
            }
            kpi_state[k.metric] = state;
        }
        // KPIs left out by a compile problem never reach here; every KPI is done now.
        done.fill(true);
    }

    /// Every node's result, blank: N/A where `points` says so. A reused scorecard's results
    /// are reset field by field, keeping their allocations.
    fn prepare_results(
        &self,
        results: &mut Vec<IndicatorScore>,
        points: &[Option<NodePoints>],
        submission: &Submission,
    ) {
        let c = &*self.inner;
        // Every node's result, filled in place: leaves first, then parents bottom-up. A
        // reused scorecard's results are reset field by field, keeping their allocations.
        if results.is_empty() {
            *results = (0..c.nodes.len())
                .map(|ni| self.blank_result(ni, points[ni].map(|p| p.decimal), submission))
                .collect();
        } else {
            results.truncate(c.nodes.len());
            for (ni, out) in results.iter_mut().enumerate() {
                self.reset_result(out, ni, points[ni].map(|p| p.decimal), submission);
            }
            results.extend(
                (results.len()..c.nodes.len())
                    .map(|ni| self.blank_result(ni, points[ni].map(|p| p.decimal), submission)),
            );
        }
    }

    /// Every leaf: N/A, unscored for a missing input or failed KPI (named in the text), or
    /// run — natively when it can, else in Rhai.
    #[allow(clippy::too_many_arguments)]
    fn score_leaves(
        &self,
        results: &mut [IndicatorScore],
        points: &[Option<NodePoints>],
        metric_values: &Rc<Vec<Option<Val>>>,
        done: &[bool],
        kpi_state: &[KpiState],
        cents: &mut [Option<i64>],
        scope: &mut Option<Scope<'static>>,
        bad_inputs: &[usize],
        options: EvalOptions,
    ) {
        let c = &*self.inner;
        // Every scored node's score in hundredths, where it has one: parents add these up in
        // integers rather than in `Decimal`.
        for (ni, node) in c.nodes.iter().enumerate() {
            let Some(leaf) = &node.leaf else { continue };
            let out = &mut results[ni];
            match points[ni] {
                None => out.status = Status::NotApplicable,
                Some(p) => {
                    let missing: Vec<usize> = leaf
                        .inputs
                        .iter()
                        .copied()
                        .filter(|&i| metric_values[i].is_none())
                        .collect();
                    let failed_kpi = leaf.kpis.iter().find_map(|&m| match &kpi_state[m] {
                        KpiState::Failed(pr) => Some(pr.clone()),
                        _ => None,
                    });
                    if let Some(pr) = failed_kpi {
                        out.status = Status::Error;
                        out.error = Some(pr);
                    } else if !missing.is_empty() {
                        out.status = Status::Unscored;
                        out.missing = missing
                            .iter()
                            .map(|&i| c.table.metas[i].id.clone())
                            .collect();
                        let labels: Vec<String> = missing
                            .iter()
                            .map(|&i| {
                                let m = &c.table.metas[i];
                                let why = if bad_inputs.contains(&i) {
                                    if options.lang == Lang::Zh {
                                        "（填写有误）"
                                    } else {
                                        " (invalid)"
                                    }
                                } else {
                                    ""
                                };
                                let label = match options.lang {
                                    Lang::Zh => &m.label,
                                    Lang::En => m.label_en.as_ref().unwrap_or(&m.label),
                                };
                                format!("{label}{why}")
                            })
                            .collect();
                        out.explanation = Some(match options.lang {
                            Lang::Zh => format!("未评分：缺少 {}", labels.join("、")),
                            Lang::En => format!("not scored: missing {}", labels.join(", ")),
                        });
                    } else {
                        let fast_paths = FAST_PATHS.get();
                        let run = match (&leaf.fast, &leaf.native) {
                            (Some(call), _) if fast_paths => LeafRun::Fast(call),
                            (_, Some(program)) if fast_paths => LeafRun::Native {
                                program,
                                values: metric_values,
                                done,
                                scope,
                            },
                            _ => LeafRun::Rhai(lazy_scope(scope, c, metric_values, done)),
                        };
                        cents[ni] = self.run_leaf(run, leaf, ni, p, options, out);
                    }
                }
            }
            if options.trace && out.status != Status::NotApplicable {
                FRAME.with_borrow(|f| {
                    for &m in &leaf.reads {
                        let value = f
                            .values()
                            .get(m)
                            .and_then(Option::as_ref)
                            .map_or(serde_json::Value::Null, val_json);
                        out.reads.insert(c.table.metas[m].id.clone(), value);
                    }
                });
            }
        }
    }

    /// Parents, bottom-up: each the sum of its children as printed (in hundredths while every
    /// scored child has them), with the status their children give it.
    fn sum_parents(
        nodes: &[Node],
        results: &mut [IndicatorScore],
        points: &[Option<NodePoints>],
        cents: &mut [Option<i64>],
    ) {
        // Parents, bottom-up: children come after their parent in `nodes`.
        for ni in (0..nodes.len()).rev() {
            let node = &nodes[ni];
            if node.leaf.is_some() {
                continue;
            }
            let kids = || node.children.iter().map(|&k| &results[k]);
            // In hundredths while every scored child has them, else in `Decimal`.
            let mut any = false;
            let mut sum_cents: Option<i64> = Some(0);
            for &k in &node.children {
                if results[k].score.is_some() {
                    any = true;
                    sum_cents = sum_cents.zip(cents[k]).and_then(|(a, b)| a.checked_add(b));
                }
            }
            let sum: Option<Decimal> = match (any, sum_cents) {
                (false, _) => None,
                (true, Some(s)) => Some(decimal_of_cents(s)),
                (true, None) => Some(kids().filter_map(|k| k.score).sum()),
            };
            let all_na = kids().all(|k| k.status == Status::NotApplicable);
            let all_done =
                kids().all(|k| matches!(k.status, Status::Scored | Status::NotApplicable));
            let status = if all_na || points[ni].is_none() {
                Status::NotApplicable
            } else if all_done {
                Status::Scored
            } else if sum.is_some() {
                Status::Partial
            } else if kids().any(|k| k.status == Status::Error) {
                Status::Error
            } else {
                Status::Unscored
            };
            let out = &mut results[ni];
            out.status = status;
            if status != Status::NotApplicable
                && let Some(sum) = sum
            {
                // Normalized like the leaves (`69.6`, not `69.60`) so a table prints alike.
                match (sum_cents, points[ni].and_then(|p| p.cents)) {
                    (Some(s), Some(p)) => {
                        out.score = Some(sum);
                        out.attainment = attainment_of_cents(s, p);
                        cents[ni] = Some(s);
                    }
                    _ => {
                        let sum = sum.normalize();
                        out.score = Some(sum);
                        out.attainment = attainment(sum, out.points);
                    }
                }
            }
        }
    }

    /// The dimensions, the total (rescaled when N/A points were excluded), completeness,
    /// the grade and the KPI values: the rest of the scorecard.
    fn finish_card(
        &self,
        card: &mut Scorecard,
        points: &[Option<NodePoints>],
        kpi_state: &[KpiState],
        submission: &Submission,
        options: EvalOptions,
    ) {
        let c = &*self.inner;
        let indicators = &card.indicators;
        card.dimensions.clear();
        card.dimensions.extend(c.roots.iter().map(|&r| {
            let i = &indicators[r];
            DimensionScore {
                id: i.id.clone(),
                label: i.label.clone(),
                label_en: i.label_en.clone(),
                points: i.points,
                score: i.score.unwrap_or_default(),
                attainment: i.attainment,
                status: i.status,
            }
        }));
        let raw_total: Decimal = card
            .dimensions
            .iter()
            .map(|d| d.score)
            .sum::<Decimal>()
            .normalize();
        let max_points: Decimal = c
            .roots
            .iter()
            .filter_map(|&r| points[r].map(|p| p.decimal))
            .sum();
        let declared = c.declared_total;
        let total = if max_points.is_zero() || max_points == declared {
            raw_total
        } else {
            (raw_total * declared / max_points)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                .normalize()
        };
        let complete = indicators
            .iter()
            .filter(|i| i.leaf)
            .all(|i| matches!(i.status, Status::Scored | Status::NotApplicable))
            && !max_points.is_zero();
        let grade = complete.then(|| self.grade_of(total));
        card.kpis.clear();
        card.kpis.extend(c.kpis.iter().map(|k| {
            let meta = &c.table.metas[k.metric];
            let value = match kpi_state[k.metric] {
                KpiState::Value(v) => Some(v),
                _ => None,
            };
            KpiValue {
                id: meta.id.clone(),
                label: match (options.lang, &meta.label_en) {
                    (Lang::En, Some(en)) => en.clone(),
                    _ => meta.label.clone(),
                },
                value,
                // Printed form for people; bulk runs (trace off) skip the formatting.
                display: value
                    .filter(|_| options.trace)
                    .map(|v| format_value(v, meta.fmt, meta.unit.as_deref())),
            }
        }));
        card.rulebook.clone_from(&c.reference);
        card.engine_version = Text::Borrowed(ENGINE_VERSION);
        card.project.clone_from(&submission.project);
        card.total = total;
        card.raw_total = raw_total;
        card.max_points = max_points;
        card.grade = grade;
        card.complete = complete;
    }

    fn grade_of(&self, total: Decimal) -> Grade {
        let bands = &self.inner.grade_bands;
        bands
            .iter()
            .find(|(min, _)| total >= *min)
            .or(bands.last())
            .map_or(
                Grade {
                    label: Text::Borrowed(""),
                    label_en: None,
                },
                |(_, grade)| grade.clone(),
            )
    }

    #[allow(clippy::too_many_arguments)]
    fn run_leaf(
        &self,
        run: LeafRun<'_>,
        leaf: &Leaf,
        ni: usize,
        points: NodePoints,
        options: EvalOptions,
        out: &mut IndicatorScore,
    ) -> Option<i64> {
        let c = &*self.inner;
        let p = points.float;
        FRAME.with_borrow_mut(|f| f.leaf.reset(p, options.trace, options.lang));
        let in_rhai = |scope: &mut Scope<'static>| {
            let base = scope.len();
            scope.push_constant("points", p);
            let result = c.run_in_rhai(scope, &leaf.ast);
            scope.rewind(base);
            result
        };
        // The score, or the script's result that is not a number (a rule error below): a
        // fast path's number never becomes a `Dynamic` only to be read back.
        let result: Result<Result<f64, Dynamic>, _> = match run {
            LeafRun::Fast(call) => call.call().map(Ok),
            LeafRun::Native {
                program,
                values,
                done,
                scope,
            } => match program.score(values, p) {
                Ok(score) => Ok(Ok(score)),
                // Anything unusual is Rhai's to decide, from a clean slate.
                _ => {
                    FRAME.with_borrow_mut(|f| f.leaf.reset(p, options.trace, options.lang));
                    in_rhai(lazy_scope(scope, c, values, done)).map(|d| number(&d).ok_or(d))
                }
            },
            LeafRun::Rhai(scope) => in_rhai(scope).map(|d| number(&d).ok_or(d)),
        };
        // The findings change places with the result's (empty) list: a reused scorecard's
        // lists go round as the frame's buffer instead of being freed and grown again.
        let (explanation, flag, overflow) = FRAME.with_borrow_mut(|f| {
            std::mem::swap(&mut out.findings, &mut f.leaf.findings);
            (
                std::mem::take(&mut f.leaf.explanation),
                f.leaf.flag.take(),
                f.leaf.overflow,
            )
        });
        // A script that recorded past the limits (through helpers that cannot stop it, such
        // as `deduct`) fails like any other sandbox limit.
        let result = match result {
            Ok(_) if overflow => Err(EvalAltResult::ErrorDataTooLarge(
                crate::helpers::RECORDED_TEXT.into(),
                rhai::Position::NONE,
            )
            .into()),
            other => other,
        };
        let id = &c.rulebook.spec().indicators[c.nodes[ni].spec_index].id;
        let rule_error = |code: ProblemCode, zh: String, en: String| {
            let p = Problem::new(code, zh, en)
                .indicator(id)
                .field("script")
                .at(leaf.code_line.first(), None);
            match &leaf.file {
                Some(file) => p.file(file.clone()),
                None => p,
            }
        };
        let score = match result {
            Err(e) => {
                let (zh, en, (line, col)) = describe_eval_error(&e);
                let code = limit_code(&e);
                let mut pr = Problem::new(code, zh, en).indicator(id).field("script");
                if let Some(l) = line {
                    pr = pr.at(Some(leaf.code_line.map(l)), col);
                }
                if let Some(file) = &leaf.file {
                    pr = pr.file(file.clone());
                }
                Err(pr)
            }
            Ok(Err(d)) => Err(rule_error(
                ProblemCode::ResultWrongType,
                format!("评分脚本应返回分数（数字），实际返回 {}", d.type_name()),
                format!(
                    "the scoring script must return a score (a number), it returned {}",
                    d.type_name()
                ),
            )),
            Ok(Ok(s)) => match s {
                s if !s.is_finite() => Err(rule_error(
                    ProblemCode::ResultNotFinite,
                    format!("评分脚本返回了非有限数 {s}"),
                    format!("the scoring script returned the non-finite value {s}"),
                )),
                // The score as it is, not rounded to two places: 50.004 on 50 points once
                // read "score 50 is outside [0, 50]".
                s if s < -1e-9 || s > p + 1e-9 => Err(rule_error(
                    ProblemCode::ResultOutOfRange,
                    format!("得分 {s} 超出 [0, {}] 分的范围", fmt_pts(p)),
                    format!("score {s} is outside [0, {}] points", fmt_pts(p)),
                )),
                s => Ok(s.clamp(0.0, p)),
            },
        };
        out.flag = flag;
        match score {
            Ok(s) => {
                let (s, s_cents, attained) = leaf_score(s, points.decimal, points.cents);
                out.status = Status::Scored;
                out.score = Some(s);
                out.attainment = attained;
                if options.trace {
                    out.explanation = Some(if explanation.is_empty() {
                        default_explanation(options.lang, s.to_f64().unwrap_or(0.0))
                    } else {
                        explanation.join(if options.lang == Lang::Zh {
                            "；"
                        } else {
                            "; "
                        })
                    });
                }
                s_cents
            }
            Err(pr) => {
                out.status = Status::Error;
                out.error = Some(Box::new(pr));
                None
            }
        }
    }

    /// [`Engine::blank_result`] written over a reused result, every field assigned; its
    /// findings, missing list and trace keep their allocations.
    fn reset_result(
        &self,
        out: &mut IndicatorScore,
        ni: usize,
        points: Option<Decimal>,
        submission: &Submission,
    ) {
        let node = &self.inner.nodes[ni];
        out.id = node.id.clone();
        out.parent = node.parent_id.clone();
        out.level = node.level;
        out.leaf = node.leaf.is_some();
        out.label = node.label.clone();
        out.label_en = node.label_en.clone();
        out.points = points.unwrap_or(node.declared);
        out.score = None;
        out.attainment = None;
        out.status = Status::Unscored;
        out.criteria = node.criteria.clone();
        out.explanation = None;
        out.findings.clear();
        out.flag = None;
        out.missing.clear();
        out.error = None;
        out.note = if submission.notes.is_empty() {
            None
        } else {
            submission.notes.get(&*node.id).cloned()
        };
        // `BTreeMap::clear` on an empty map still walks a drop iterator; trace is usually off.
        if !out.reads.is_empty() {
            out.reads.clear();
        }
    }

    // Inlined into the loops that collect it, so each result is written in place rather
    // than built aside and copied (it is large; measured: +3k instructions per evaluation).
    #[inline(always)]
    fn blank_result(
        &self,
        ni: usize,
        points: Option<Decimal>,
        submission: &Submission,
    ) -> IndicatorScore {
        let c = &*self.inner;
        let node = &c.nodes[ni];
        IndicatorScore {
            id: node.id.clone(),
            parent: node.parent_id.clone(),
            level: node.level,
            leaf: node.leaf.is_some(),
            label: node.label.clone(),
            label_en: node.label_en.clone(),
            points: points.unwrap_or(node.declared),
            score: None,
            attainment: None,
            status: Status::Unscored,
            criteria: node.criteria.clone(),
            explanation: None,
            findings: Vec::new(),
            flag: None,
            missing: Vec::new(),
            error: None,
            note: if submission.notes.is_empty() {
                None
            } else {
                submission.notes.get(&*node.id).cloned()
            },
            reads: BTreeMap::new(),
        }
    }

    fn kpi_problem(&self, k: &CompiledKpi, zh: &str, en: &str, line: Option<u32>) -> Problem {
        let c = &*self.inner;
        let spec = &c.rulebook.spec().kpis[k.spec_index];
        let code = c.rulebook.source.kpi(k.spec_index).code;
        // Without a TOML source (JSON rulebooks) there is no line to name.
        let line = code.first().and_then(|_| code.at(line));
        Problem::new(
            ProblemCode::KpiError,
            format!("绩效指标 {}（{}）计算失败：{zh}", spec.label, spec.id),
            format!(
                "KPI {} ({}) failed: {en}",
                spec.label_en.as_deref().unwrap_or(&spec.label),
                spec.id
            ),
        )
        .kpi(&spec.id)
        .field("expr")
        .at(line, None)
    }

    /// Checked values by metric index (`None` = missing or invalid; the KPI slots after the
    /// inputs start empty), and the invalid inputs.
    fn check_values(
        &self,
        submission: &Submission,
        problems: &mut Vec<Problem>,
        values: &mut Vec<Option<Val>>,
    ) -> Vec<usize> {
        let c = &*self.inner;
        let spec = c.rulebook.spec();
        // Every slot is written below (each input checked or `None`, the KPIs `None`), each
        // dropping what the last evaluation left in it: no separate clearing pass (which cost
        // an out-of-line drop call per slot, ≈ 1.4k instructions per evaluation).
        values.resize(c.table.metas.len(), None);
        values.truncate(c.table.metas.len());
        for slot in &mut values[c.n_inputs..] {
            overwrite(slot, None);
        }
        // In input order, like their problems; few, so a search of them is cheap.
        let mut bad = Vec::new();
        // Both sides sorted by id: one merge walk pairs every submitted value with its
        // input (no hashing or tree search per value on this hot path), one comparison
        // per pair.
        let mut submitted = submission.values.iter();
        let mut next = submitted.next();
        let mut unknown = Vec::new();
        // Kept in input order (the rulebook's, as the form lists them) as they arrive in id
        // order: an insertion per bad value, of which there are few.
        let mut value_problems: Vec<(usize, Problem)> = Vec::new();
        for &(ref id, i) in &c.inputs_by_id {
            let raw = loop {
                let Some((key, raw)) = next else { break None };
                match cmp_ids(key, id) {
                    std::cmp::Ordering::Less => unknown.push(key),
                    std::cmp::Ordering::Equal => {
                        next = submitted.next();
                        break Some(raw);
                    }
                    std::cmp::Ordering::Greater => break None,
                }
                next = submitted.next();
            };
            let Some(raw) = raw else {
                overwrite(&mut values[i], None);
                continue;
            };
            match check_input(&spec.inputs[i], raw, &c.grade_checks[i]) {
                Ok(v) => overwrite(&mut values[i], v),
                Err(p) => {
                    overwrite(&mut values[i], None);
                    let at = value_problems.partition_point(|(j, _)| *j < i);
                    value_problems.insert(at, (i, p));
                    bad.insert(at, i);
                }
            }
        }
        unknown.extend(next.into_iter().chain(submitted).map(|(key, _)| key));
        for key in unknown {
            {
                // A hostile key may be megabytes long: quoted cut, everywhere.
                let key = crate::error::quoted(key);
                problems.push(
                    Problem::new(
                        ProblemCode::UnknownInput,
                        format!("评价方案中没有数据项 “{key}”"),
                        format!("the rulebook has no input “{key}”"),
                    )
                    .input(key.clone())
                    .field(format!("values.{key}")),
                );
            }
        }
        problems.extend(value_problems.into_iter().map(|(_, p)| p));
        bad
    }

    /// Which nodes the submission marks N/A (children inherit), reporting bad marks; empty
    /// when it marks none (most submissions: no allocation, no walk of the nodes).
    fn check_na(&self, submission: &Submission, problems: &mut Vec<Problem>) -> Vec<bool> {
        let c = &*self.inner;
        let spec = c.rulebook.spec();
        let mut na = Vec::new();
        for id in &submission.not_applicable {
            match c.node_index.get(id) {
                None => problems.push(
                    Problem::new(
                        ProblemCode::UnknownIndicator,
                        format!("不适用清单中的指标 “{id}” 不存在"),
                        format!("the not-applicable list names the unknown indicator “{id}”"),
                    )
                    .indicator(id.clone())
                    .field("not_applicable"),
                ),
                Some(&ni) if !spec.indicators[c.nodes[ni].spec_index].allow_na => problems.push(
                    Problem::new(
                        ProblemCode::NaNotAllowed,
                        format!("指标 {id} 不允许标为不适用（评价方案未设 allow_na）"),
                        format!("indicator {id} may not be marked not applicable (the rulebook does not set allow_na)"),
                    )
                    .indicator(id.clone())
                    .field("not_applicable"),
                ),
                Some(&ni) => {
                    na.resize(c.nodes.len(), false);
                    na[ni] = true;
                }
            }
        }
        for id in submission.notes.keys() {
            if !c.node_index.contains_key(id) {
                problems.push(
                    Problem::new(
                        ProblemCode::UnknownIndicator,
                        format!("备注所属的指标 “{id}” 不存在"),
                        format!("a note is attached to the unknown indicator “{id}”"),
                    )
                    .indicator(id.clone())
                    .field("notes"),
                );
            }
        }
        // Inherit downwards (parents precede children).
        for ni in 0..na.len() {
            if let Some(p) = c.nodes[ni].parent
                && na[p]
            {
                na[ni] = true;
            }
        }
        na
    }

    /// Points each node carries in this scorecard; `None` for N/A nodes.
    fn effective_points(&self, na_marked: &[bool]) -> Cow<'_, [Option<NodePoints>]> {
        let c = &*self.inner;
        // Nothing marked (`na_marked` may then be empty), nothing N/A: a node is N/A only if
        // marked or through its children. Borrowed, not copied, on this common path.
        if !na_marked.contains(&true) {
            return Cow::Borrowed(&c.declared_points);
        }
        let n = c.nodes.len();
        // A node is N/A if marked, or if every child is.
        let mut na = na_marked.to_vec();
        for ni in (0..n).rev() {
            let node = &c.nodes[ni];
            if !node.children.is_empty() && node.children.iter().all(|&k| na[k]) {
                na[ni] = true;
            }
        }
        let declared: Vec<Decimal> = c.nodes.iter().map(|nd| nd.declared).collect();
        let mut out: Vec<Option<Decimal>> = vec![None; n];
        match c.rulebook.spec().na_policy {
            NaPolicy::Rescale => {
                for ni in (0..n).rev() {
                    if na[ni] {
                        continue;
                    }
                    let node = &c.nodes[ni];
                    out[ni] = if node.children.is_empty() {
                        Some(declared[ni])
                    } else {
                        Some(node.children.iter().filter_map(|&k| out[k]).sum())
                    };
                }
            }
            NaPolicy::Redistribute => {
                let share = |group: &[usize], total: Decimal, out: &mut Vec<Option<Decimal>>| {
                    let live: Vec<usize> = group.iter().copied().filter(|&k| !na[k]).collect();
                    for (k, v) in live.iter().zip(split(
                        total,
                        &live.iter().map(|&k| declared[k]).collect::<Vec<_>>(),
                    )) {
                        out[*k] = Some(v);
                    }
                };
                let total = points_decimal(c.rulebook.spec().total);
                share(&c.roots, total, &mut out);
                for ni in 0..n {
                    if let Some(p) = out[ni] {
                        let kids = c.nodes[ni].children.clone();
                        if !kids.is_empty() {
                            share(&kids, p, &mut out);
                        }
                    }
                }
            }
        }
        Cow::Owned(out.into_iter().map(|p| p.map(NodePoints::of)).collect())
    }
}

/// Split `total` in proportion to `weights`, to 2 decimals, so the parts add up exactly
/// (largest-remainder method).
fn split(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().sum();
    if sum.is_zero() || weights.is_empty() {
        return vec![Decimal::ZERO; weights.len()];
    }
    let exact: Vec<Decimal> = weights.iter().map(|w| total * w / sum).collect();
    let mut parts: Vec<Decimal> = exact
        .iter()
        .map(|e| e.round_dp_with_strategy(2, RoundingStrategy::ToZero))
        .collect();
    let cent = Decimal::new(1, 2);
    let mut left = total - parts.iter().sum::<Decimal>();
    let order = crate::sorted_order(weights.len(), &mut |a, b| {
        (exact[b] - parts[b])
            .cmp(&(exact[a] - parts[a]))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(weights.len() * 100) {
        if left < cent {
            break;
        }
        parts[i] += cent;
        left -= cent;
    }
    parts.into_iter().map(|p| p.normalize()).collect()
}

impl std::str::FromStr for Engine {
    type Err = Error;
    fn from_str(text: &str) -> Result<Engine, Error> {
        Engine::new(Rulebook::from_str_auto(text)?)
    }
}

/// How a leaf's script runs: its compiled helper call, or Rhai with the scope.
enum LeafRun<'a> {
    Fast(&'a HelperCall),
    /// Native first; Rhai (its scope built on demand) if the native run abandons.
    Native {
        program: &'a Program,
        values: &'a [Option<Val>],
        done: &'a [bool],
        scope: &'a mut Option<Scope<'static>>,
    },
    Rhai(&'a mut Scope<'static>),
}

/// Write `value` into `slot`, dropping the old value only when it owns something. Nearly
/// every value is a number, and dropping one was still an out-of-line call per slot
/// (≈ 1.4k instructions per evaluation); forgetting a value that owns nothing frees nothing.
fn overwrite(slot: &mut Option<Val>, value: Option<Val>) {
    let old = std::mem::replace(slot, value);
    if matches!(
        old,
        None | Some(
            Val::Num(_)
                | Val::Int(_)
                | Val::Bool(_)
                | Val::Grade {
                    labels: GradeLabels::Few { .. },
                    ..
                }
        )
    ) {
        std::mem::forget(old);
    }
}

/// Working lists of [`Engine::evaluate_into`] kept by each thread between evaluations:
/// allocating and freeing them for every project cost ≈ 1.5k instructions of ~105k.
#[derive(Default)]
struct EvalBuffers {
    values: Option<Rc<Vec<Option<Val>>>>,
    done: Vec<bool>,
    kpi_state: Vec<KpiState>,
    cents: Vec<Option<i64>>,
}

impl EvalBuffers {
    /// The lists for an engine of `metrics` metrics (the first `inputs` of them inputs, done
    /// from the start) and `nodes` nodes, as if new.
    fn reset(&mut self, metrics: usize, inputs: usize, nodes: usize) {
        self.done.clear();
        self.done.resize(metrics, false);
        self.done[..inputs].fill(true);
        self.kpi_state.clear();
        self.kpi_state.resize(metrics, KpiState::Missing);
        self.cents.clear();
        self.cents.resize(nodes, None);
    }
}

thread_local! {
    static EVAL_BUFFERS: std::cell::RefCell<EvalBuffers> =
        std::cell::RefCell::new(EvalBuffers::default());
    /// Off only in [`Engine::evaluate_interpreted`], which checks the fast paths against Rhai.
    static FAST_PATHS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// The Rhai scope, built on first use from the inputs and the KPIs finished so far.
fn lazy_scope<'s>(
    scope: &'s mut Option<Scope<'static>>,
    c: &Compiled,
    values: &[Option<Val>],
    done: &[bool],
) -> &'s mut Scope<'static> {
    scope.get_or_insert_with(|| {
        let mut s = Scope::with_capacity(c.table.metas.len() + 1);
        for ((meta, v), _) in c
            .table
            .metas
            .iter()
            .zip(values)
            .zip(done)
            .filter(|(_, d)| **d)
        {
            s.push_constant_dynamic(&*meta.id, v.as_ref().map_or(Dynamic::UNIT, to_dynamic));
        }
        s
    })
}

#[derive(Debug, Clone)]
enum KpiState {
    Missing,
    Value(f64),
    Failed(Box<Problem>),
}

fn number(d: &Dynamic) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    d.as_float()
        .ok()
        .or_else(|| d.as_int().ok().map(|i| i as f64))
}

/// A value as the script saw it (percent inputs and KPIs as fractions: 99.5 % is 0.995),
/// so the trace explains the script's arithmetic.
fn val_json(v: &Val) -> serde_json::Value {
    match v {
        Val::Num(n) => serde_json::Number::from_f64((*n * 1e6).round() / 1e6)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Val::Int(i) => serde_json::Value::from(*i),
        Val::Bool(b) => serde_json::Value::Bool(*b),
        Val::Text(s) => serde_json::Value::String(s.to_string()),
        Val::Grade { labels, .. } => match labels.as_slice() {
            [one] => serde_json::Value::from(one.as_ref()),
            many => serde_json::Value::from(many.iter().map(|l| l.as_ref()).collect::<Vec<_>>()),
        },
        Val::Table(rows) => crate::submission::table::rows_json(rows, val_json),
    }
}

fn innermost(e: &EvalAltResult) -> &EvalAltResult {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => innermost(inner),
        other => other,
    }
}

fn limit_code(e: &EvalAltResult) -> ProblemCode {
    match innermost(e) {
        EvalAltResult::ErrorTooManyOperations(_)
        | EvalAltResult::ErrorTerminated(..)
        | EvalAltResult::ErrorStackOverflow(_)
        | EvalAltResult::ErrorDataTooLarge(..)
        | EvalAltResult::ErrorTooManyVariables(_) => ProblemCode::LimitExceeded,
        EvalAltResult::ErrorRuntime(msg, _) if msg.is::<NeedsRhai>() => {
            ProblemCode::NotInCompactBuild
        }
        _ => ProblemCode::ScriptError,
    }
}

/// A script runtime error in words (zh, en) and its position in the script.
fn describe_eval_error(e: &EvalAltResult) -> (String, String, (Option<u32>, Option<u32>)) {
    let pos = position_of(e.position());
    let inner = innermost(e);
    let (zh, en) = match inner {
        // The compact build runs no Rhai, so it never counts operations (nor carries these
        // texts).
        #[cfg(not(feature = "compact"))]
        EvalAltResult::ErrorTerminated(limit, _)
            if limit.read_lock::<Exhausted>().as_deref() == Some(&Exhausted::Scorecard) =>
        {
            (
                format!(
                    "本评分表全部脚本的运算次数合计超过上限 {}，已终止：其余需要运行脚本的指标也无法评分",
                    crate::limits::MAX_SCORECARD_OPERATIONS
                ),
                format!(
                    "the scripts of this scorecard exceeded {} operations in all and were stopped: the indicators whose scripts had yet to run cannot be scored either",
                    crate::limits::MAX_SCORECARD_OPERATIONS
                ),
            )
        }
        #[cfg(not(feature = "compact"))]
        EvalAltResult::ErrorTooManyOperations(_) | EvalAltResult::ErrorTerminated(..) => (
            format!(
                "脚本运算次数超过上限 {}（可能是死循环），已终止",
                crate::limits::MAX_OPERATIONS
            ),
            format!(
                "the script exceeded {} operations (an endless loop?) and was stopped",
                crate::limits::MAX_OPERATIONS
            ),
        ),
        EvalAltResult::ErrorStackOverflow(_) => (
            format!(
                "函数调用层级超过上限 {}（可能是无限递归），已终止",
                crate::limits::MAX_CALL_LEVELS
            ),
            format!(
                "function calls nested deeper than {} (endless recursion?); stopped",
                crate::limits::MAX_CALL_LEVELS
            ),
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) if what == crate::helpers::RECORDED_TEXT => (
            format!(
                "记录的扣分原因或说明超过沙箱上限（≤ {} 条，合计 ≤ {} 字节），已终止",
                crate::limits::MAX_FINDINGS,
                crate::limits::MAX_RECORDED_BYTES
            ),
            format!(
                "the recorded findings or explanation exceeded the sandbox limit (≤ {} findings, ≤ {} bytes in all); stopped",
                crate::limits::MAX_FINDINGS,
                crate::limits::MAX_RECORDED_BYTES
            ),
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => (
            format!(
                "数据超过沙箱上限（{what}；字符串 ≤ {} 字符，数组 ≤ {} 项，映射 ≤ {} 项），已终止",
                crate::limits::MAX_STRING,
                crate::limits::MAX_ARRAY,
                crate::limits::MAX_MAP
            ),
            format!(
                "data exceeded the sandbox limit ({what}; strings ≤ {} chars, arrays ≤ {} items, maps ≤ {} entries); stopped",
                crate::limits::MAX_STRING,
                crate::limits::MAX_ARRAY,
                crate::limits::MAX_MAP
            ),
        ),
        EvalAltResult::ErrorAssignmentToConstant(name, _) => (
            format!("不能修改 “{name}”：数据项、绩效指标和 points 在脚本中只读"),
            format!("cannot modify “{name}”: inputs, KPIs and points are read-only in scripts"),
        ),
        EvalAltResult::ErrorFunctionNotFound(sig, _) => (
            format!("没有这个函数：{sig}"),
            format!("no such function: {sig}"),
        ),
        EvalAltResult::ErrorRuntime(msg, _) if msg.is::<NeedsRhai>() => {
            (NEEDS_RHAI_ZH.to_string(), NEEDS_RHAI_EN.to_string())
        }
        EvalAltResult::ErrorRuntime(msg, _) => match msg.read_lock::<HelperError>() {
            Some(h) => (h.zh.clone(), h.en.clone()),
            // A script's own `throw`: its text is all there is, in whatever language it has.
            None => (msg.to_string(), msg.to_string()),
        },
        other => {
            // Rhai's text ends with the position relative to the script; the problem carries
            // the rulebook line instead.
            let s = other.to_string();
            let suffix = format!(" ({})", other.position());
            let s = s.strip_suffix(&suffix).unwrap_or(&s);
            (format!("脚本运行出错：{s}"), format!("script error: {s}"))
        }
    };
    (zh, en, pos)
}

/// Compile everything; `None` only if nothing at all could be built.
fn compile(rulebook: Rulebook, problems: &mut Vec<Problem>) -> Option<Compiled> {
    let spec = rulebook.spec().clone();
    let rhai = compiler();

    // Metric table: inputs then KPIs.
    let mut table = MetricTable::default();
    for input in &spec.inputs {
        let idx = table.metas.len();
        table.by_name.entry(input.id.clone()).or_insert(idx);
        if input.kind == InputType::Grade {
            table.grade_scales.insert(
                idx,
                grade_scale(input).iter().map(|l| l.label.clone()).collect(),
            );
        }
        table.metas.push(MetricMeta {
            id: intern(&input.id),
            label: intern(&input.label),
            label_en: input.label_en.as_deref().map(intern),
            fmt: ValueFmt::of_input(input.kind),
            unit: input.unit.clone(),
        });
    }
    let n_inputs = table.metas.len();
    for kpi in &spec.kpis {
        let idx = table.metas.len();
        table.by_name.entry(kpi.id.clone()).or_insert(idx);
        table.metas.push(MetricMeta {
            id: intern(&kpi.id),
            label: intern(&kpi.label),
            label_en: kpi.label_en.as_deref().map(intern),
            fmt: ValueFmt::of_kpi(kpi.format),
            unit: kpi.unit.clone(),
        });
    }

    // Compile-time scope: names only. Values must not be constants here, or the optimizer
    // would fold the compile-time placeholders into the scripts.
    let mut names_scope = Scope::new();
    for m in &table.metas {
        names_scope.push_dynamic(&*m.id, Dynamic::UNIT);
    }

    // KPIs. `points` is not in scope yet: a KPI belongs to no indicator, so it has none.
    let mut kpi_asts: Vec<Option<(AST, Vec<usize>)>> = Vec::new();
    for (ki, kpi) in spec.kpis.iter().enumerate() {
        let code = rulebook.source.kpi(ki).code;
        match rhai.compile_expression_with_scope(&names_scope, &kpi.expr) {
            Ok(ast) => {
                let deps = reads_of(&ast, &table, problems, &code, |p| {
                    p.kpi(&kpi.id).field("expr").at(code.first(), None)
                });
                kpi_asts.push(Some((ast, deps)));
            }
            Err(e) => {
                problems.push(parse_problem(&e, &code).kpi(&kpi.id).field("expr"));
                kpi_asts.push(None);
            }
        }
    }
    names_scope.push_dynamic("points", Dynamic::UNIT);

    // KPI order: depth-first topological sort, reporting cycles with their path.
    let mut order = Vec::new();
    let mut state = vec![0u8; spec.kpis.len()]; // 0 new, 1 visiting, 2 done
    fn visit(
        k: usize,
        n_inputs: usize,
        asts: &[Option<(AST, Vec<usize>)>],
        state: &mut [u8],
        order: &mut Vec<usize>,
        path: &mut Vec<usize>,
        cycles: &mut Vec<Vec<usize>>,
    ) {
        match state[k] {
            2 => return,
            1 => {
                let start = path.iter().position(|&x| x == k).unwrap_or(0);
                let mut cyc = path[start..].to_vec();
                cyc.push(k);
                cycles.push(cyc);
                return;
            }
            _ => {}
        }
        state[k] = 1;
        path.push(k);
        if let Some((_, deps)) = &asts[k] {
            for &m in deps {
                if m >= n_inputs {
                    visit(m - n_inputs, n_inputs, asts, state, order, path, cycles);
                }
            }
        }
        path.pop();
        state[k] = 2;
        order.push(k);
    }
    let mut cycles = Vec::new();
    for k in 0..spec.kpis.len() {
        visit(
            k,
            n_inputs,
            &kpi_asts,
            &mut state,
            &mut order,
            &mut Vec::new(),
            &mut cycles,
        );
    }
    for cyc in cycles {
        let names: Vec<&str> = cyc.iter().map(|&k| spec.kpis[k].id.as_str()).collect();
        let first = cyc[0];
        problems.push(
            Problem::new(
                ProblemCode::KpiCycle,
                format!("绩效指标循环依赖：{}", names.join(" → ")),
                format!(
                    "KPIs depend on each other in a cycle: {}",
                    names.join(" → ")
                ),
            )
            .kpi(&spec.kpis[first].id)
            .field("expr")
            .at(rulebook.source.kpi(first).code.first(), None),
        );
    }
    // Transitive input and KPI needs per KPI, in evaluation order.
    let mut kpi_inputs: Vec<Vec<usize>> = vec![Vec::new(); spec.kpis.len()];
    let mut kpi_kpis: Vec<Vec<usize>> = vec![Vec::new(); spec.kpis.len()];
    for &k in &order {
        let Some((_, deps)) = &kpi_asts[k] else {
            continue;
        };
        let (mut ins, mut ks) = (Vec::new(), Vec::new());
        for &m in deps {
            if m < n_inputs {
                ins.push(m);
            } else {
                ks.push(m);
                ins.extend(kpi_inputs[m - n_inputs].iter().copied());
                ks.extend(kpi_kpis[m - n_inputs].iter().copied());
            }
        }
        crate::sort_indices(&mut ins, &mut |a, b| a.cmp(&b));
        ins.dedup();
        crate::sort_indices(&mut ks, &mut |a, b| a.cmp(&b));
        ks.dedup();
        kpi_inputs[k] = ins;
        kpi_kpis[k] = ks;
    }
    let required: Vec<bool> = spec.inputs.iter().map(|i| i.required).collect();
    let needs = |deps: &[usize]| -> (Vec<usize>, Vec<usize>, Vec<usize>) {
        let (mut ins, mut ks) = (Vec::new(), Vec::new());
        for &m in deps {
            if m < n_inputs {
                ins.push(m);
            } else {
                ks.push(m);
                ins.extend(kpi_inputs[m - n_inputs].iter().copied());
                ks.extend(kpi_kpis[m - n_inputs].iter().copied());
            }
        }
        crate::sort_indices(&mut ins, &mut |a, b| a.cmp(&b));
        ins.dedup();
        let all = ins.clone();
        // Optional inputs do not block scoring: scripts see `()` and decide.
        ins.retain(|&i| required[i]);
        crate::sort_indices(&mut ks, &mut |a, b| a.cmp(&b));
        ks.dedup();
        (ins, all, ks)
    };

    // Indicator tree (skipped if the structure is broken: problems already say why).
    let mut node_index = HashMap::new();
    for (i, ind) in spec.indicators.iter().enumerate() {
        node_index.entry(ind.id.clone()).or_insert(i);
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); spec.indicators.len()];
    let mut roots_spec = Vec::new();
    for (i, ind) in spec.indicators.iter().enumerate() {
        match ind.parent.as_ref().and_then(|p| node_index.get(p)) {
            Some(&p) => children[p].push(i),
            None if ind.parent.is_none() => roots_spec.push(i),
            None => {}
        }
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut roots = Vec::new();
    let mut stack: Vec<(usize, Option<usize>, u32)> =
        roots_spec.iter().rev().map(|&r| (r, None, 1)).collect();
    let mut seen = vec![false; spec.indicators.len()];
    while let Some((si, parent, level)) = stack.pop() {
        if seen[si] {
            continue;
        }
        seen[si] = true;
        let ni = nodes.len();
        if let Some(p) = parent {
            nodes[p].children.push(ni);
        } else {
            roots.push(ni);
        }
        let ind = &spec.indicators[si];
        let leaf = if children[si].is_empty() {
            compile_leaf(&rhai, &rulebook, &names_scope, si, &table, problems, &needs)
        } else {
            None
        };
        nodes.push(Node {
            spec_index: si,
            id: intern(&ind.id),
            parent_id: ind.parent.as_deref().map(intern),
            label: intern(&ind.label),
            label_en: ind.label_en.as_deref().map(intern),
            criteria: ind.criteria.as_deref().map(intern),
            parent,
            children: Vec::new(),
            level,
            points: ind.points.unwrap_or(0.0),
            declared: Decimal::ZERO,
            leaf,
        });
        for &k in children[si].iter().rev() {
            stack.push((k, Some(ni), level + 1));
        }
    }
    // Parent points are the sum of their children (validated against any declared value).
    for ni in (0..nodes.len()).rev() {
        if !nodes[ni].children.is_empty() {
            let sum: f64 = nodes[ni].children.iter().map(|&k| nodes[k].points).sum();
            nodes[ni].points = sum;
        }
    }
    for node in &mut nodes {
        node.declared = points_decimal(node.points);
    }
    let node_index: HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(ni, n)| (spec.indicators[n.spec_index].id.clone(), ni))
        .collect();

    let kpis: Vec<CompiledKpi> = order
        .iter()
        .filter_map(|&k| {
            let (ast, _) = kpi_asts[k].clone()?;
            Some(CompiledKpi {
                fast: crate::native::arith(&ast, &table),
                native: crate::native::program(&ast, &table),
                spec_index: k,
                metric: n_inputs + k,
                ast,
                inputs: kpi_inputs[k]
                    .iter()
                    .copied()
                    .filter(|&i| required[i])
                    .collect(),
                kpis: kpi_kpis[k].clone(),
            })
        })
        .collect();
    if cfg!(feature = "compact") {
        refuse_rhai_only(&rulebook, &kpis, &nodes, problems);
    }
    let grades: Vec<GradeBand> = crate::sorted_order(spec.grades.len(), &mut |a, b| {
        spec.grades[b].min.total_cmp(&spec.grades[a].min)
    })
    .into_iter()
    .map(|i| spec.grades[i].clone())
    .collect();
    // Interned like the ids and labels: every scorecard repeats them.
    let reference = RulebookRef {
        id: intern(&spec.id),
        version: intern(&spec.version),
        hash: intern(&rulebook.content_hash()),
    };
    let grade_bands = grades
        .iter()
        .map(|g| {
            let grade = Grade {
                label: intern(&g.label),
                label_en: g.label_en.as_deref().map(intern),
            };
            (points_decimal(g.min), grade)
        })
        .collect();
    let declared_total = points_decimal(spec.total);
    let inputs_by_id = crate::sorted_order(n_inputs, &mut |a, b| {
        spec.inputs[a].id.cmp(&spec.inputs[b].id)
    })
    .into_iter()
    .map(|i| (table.metas[i].id.clone(), i))
    .collect();
    let grade_checks = spec
        .inputs
        .iter()
        .map(|input| match input.kind {
            InputType::Grade => GradeCheck::new(input),
            _ => GradeCheck::default(),
        })
        .collect();
    let declared_points = nodes
        .iter()
        .map(|nd| Some(NodePoints::of(nd.declared)))
        .collect();
    Some(Compiled {
        rulebook,
        reference,
        runner: std::sync::OnceLock::new(),
        table: Arc::new(table),
        n_inputs,
        inputs_by_id,
        grade_checks,
        declared_points,
        kpis,
        nodes,
        roots,
        grades,
        grade_bands,
        declared_total,
        node_index,
    })
}

/// The compact build refuses, at load, every KPI and leaf script that would need the Rhai
/// runner it leaves out, each with its line, rather than failing on every evaluation.
fn refuse_rhai_only(
    rulebook: &Rulebook,
    kpis: &[CompiledKpi],
    nodes: &[Node],
    problems: &mut Vec<Problem>,
) {
    let spec = rulebook.spec();
    let why = |zh_what: &str, en_what: &str| {
        Problem::new(
            ProblemCode::NotInCompactBuild,
            format!(
                "{zh_what}超出精简版引擎能本地运行的范围，需要 Rhai 解释器（请改用完整版模块）"
            ),
            format!(
                "{en_what} goes beyond what the compact build runs natively and needs the Rhai interpreter (use the full module)"
            ),
        )
    };
    for k in kpis.iter().filter(|k| !k.runs_natively()) {
        let code = rulebook.source.kpi(k.spec_index).code;
        problems.push(
            why("绩效指标的计算式", "the KPI's expression")
                .kpi(&spec.kpis[k.spec_index].id)
                .field("expr")
                .at(code.first(), None),
        );
    }
    for node in nodes {
        let Some(leaf) = node.leaf.as_ref().filter(|l| !l.runs_natively()) else {
            continue;
        };
        let p = why("评分脚本", "the scoring script")
            .indicator(&*node.id)
            .field("script")
            .at(leaf.code_line.first(), None);
        problems.push(match &leaf.file {
            Some(file) => p.file(file.clone()),
            None => p,
        });
    }
}

/// Given the metrics a script reads: (required inputs, all inputs, KPIs) it depends on.
type Needs<'a> = dyn Fn(&[usize]) -> (Vec<usize>, Vec<usize>, Vec<usize>) + 'a;

fn compile_leaf(
    rhai: &rhai::Engine,
    rulebook: &Rulebook,
    names_scope: &Scope,
    si: usize,
    table: &MetricTable,
    problems: &mut Vec<Problem>,
    needs: &Needs<'_>,
) -> Option<Leaf> {
    let ind = &rulebook.spec().indicators[si];
    let script = ind.script.as_deref()?;
    let file = rulebook.source.script_files.get(&si).cloned();
    // Inline scripts: lines count from the script's first line in the TOML; file scripts
    // from line 1 of the file.
    let code_line = if file.is_some() {
        ScriptLines::whole_file()
    } else {
        rulebook.source.indicator(si).code
    };
    match rhai.compile_with_scope(names_scope, script) {
        Ok(ast) => {
            let reads = reads_of(&ast, table, problems, &code_line, |p| {
                let p = p
                    .indicator(&ind.id)
                    .field("script")
                    .at(code_line.first(), None);
                match &file {
                    Some(f) => p.file(f.clone()),
                    None => p,
                }
            });
            let (inputs, all_inputs, kpis) = needs(&reads);
            Some(Leaf {
                fast: crate::native::helper_call(&ast, table),
                native: crate::native::program(&ast, table),
                ast,
                reads,
                inputs,
                all_inputs,
                kpis,
                code_line,
                file,
            })
        }
        Err(e) => {
            let mut p = parse_problem(&e, &code_line)
                .indicator(&ind.id)
                .field("script");
            if let Some(f) = &file {
                p = p.file(f.clone());
            }
            problems.push(p);
            None
        }
    }
}

/// The metrics a script reads: variables that name inputs/KPIs, and string ids passed to
/// helpers (checked to exist).
fn reads_of(
    ast: &AST,
    table: &MetricTable,
    problems: &mut Vec<Problem>,
    lines: &ScriptLines,
    locate: impl Fn(Problem) -> Problem,
) -> Vec<usize> {
    let mut reads = Vec::new();
    let mut unknown = Vec::new();
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        match path.last() {
            Some(rhai::ASTNode::Expr(rhai::Expr::Variable(v, _, _))) => {
                if let Some(&i) = table.by_name.get(v.1.as_str()) {
                    reads.push(i);
                }
            }
            // A call is an expression, or a statement when it stands alone.
            Some(
                rhai::ASTNode::Expr(rhai::Expr::FnCall(call, pos))
                | rhai::ASTNode::Stmt(rhai::Stmt::FnCall(call, pos)),
            ) => {
                if SUBJECT_HELPERS.contains(&call.name.as_str())
                    && let Some(rhai::Expr::StringConstant(s, _)) = call.args.first()
                {
                    match table.by_name.get(s.as_str()) {
                        Some(&i) => reads.push(i),
                        None => unknown.push((s.to_string(), call.name.to_string(), *pos)),
                    }
                }
            }
            _ => {}
        }
        true
    });
    for (name, helper, pos) in unknown {
        let (line, col) = position_of(pos);
        let p = locate(Problem::new(
            ProblemCode::UnknownName,
            format!("{helper}(\"{name}\") 引用了不存在的数据项或绩效指标 “{name}”"),
            format!("{helper}(\"{name}\") names the unknown input or KPI “{name}”"),
        ));
        let p = match line {
            Some(l) => Problem {
                line: Some(lines.map(l)),
                column: col,
                ..p
            },
            None => p,
        };
        problems.push(p);
    }
    crate::sort_indices(&mut reads, &mut |a, b| a.cmp(&b));
    reads.dedup();
    reads
}

/// A Rhai parse error as a problem, its line mapped into the rulebook (or script file).
fn parse_problem(e: &rhai::ParseError, lines: &ScriptLines) -> Problem {
    let (line, col) = position_of(e.position());
    let line = lines.at(line);
    let (code, zh, en) = match e.err_type() {
        rhai::ParseErrorType::VariableUndefined(name) => (
            ProblemCode::UnknownName,
            format!(
                "脚本引用了未定义的名称 “{name}”：它不是数据项、绩效指标，也不是脚本中的局部变量"
            ),
            format!(
                "the script uses the undefined name “{name}”: it is not an input, a KPI or a local variable"
            ),
        ),
        other => (
            ProblemCode::ScriptSyntax,
            format!("脚本语法错误：{other}"),
            format!("script syntax error: {other}"),
        ),
    };
    Problem::new(code, zh, en).at(line, col)
}

// Compile-time guarantee that engines can be shared across threads.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
};

#[cfg(test)]
mod tests {
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
