//! The Rhai sandbox and the scoring helpers (评分方法) rule authors call.
//!
//! One `rhai::Engine` is built per compiled rulebook and shared by every evaluation and
//! thread. Helpers need per-evaluation data (the leaf's points, the values by id, where to
//! put findings); they find it in a thread-local [`Frame`] the evaluator fills before each
//! script runs. A thread-local rather than Rhai's tag keeps the hot path free of locks and
//! `Arc` traffic, and works the same natively, under rayon and in WASM.

pub(crate) mod budget;
pub(crate) mod target_table;
use crate::error::quoted;
use crate::scorecard::{Finding, Text};
use crate::submission::{Val, parse_date};
use crate::text;
use crate::text::cat;
use crate::text::{Lang, ValueFmt, percent_trimmed, pts, round_score, trim_num};
use rhai::{Dynamic, EvalAltResult, NativeCallContext, Position};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) use crate::limits::{
    MAX_ARRAY, MAX_CALL_LEVELS, MAX_FINDINGS, MAX_MAP, MAX_OPERATIONS, MAX_RECORDED_BYTES,
    MAX_STRING,
};
/// What a sandbox error names when those limits are hit (the engine words it from this).
pub(crate) const RECORDED_TEXT: &str = "findings / explanation";

/// Names and formats of inputs and KPIs, by metric index (inputs first, then KPIs).
#[derive(Debug, Default)]
pub(crate) struct MetricTable {
    pub metas: Vec<MetricMeta>,
    pub by_name: rustc_hash::FxHashMap<String, usize>,
    /// Level labels of grade inputs, best first, for spotting expert disagreement.
    pub grade_scales: HashMap<usize, Vec<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct MetricMeta {
    pub id: Text,
    pub label: Text,
    pub label_en: Option<Text>,
    pub fmt: ValueFmt,
    pub unit: Option<String>,
}

/// Per-thread evaluation state the helpers read and write.
#[derive(Debug, Default)]
pub(crate) struct Frame {
    pub table: Option<Arc<MetricTable>>,
    /// Values by metric index for the current submission.
    /// Shared with the evaluation that set it up (not a copy of its values); see `values()`.
    pub values: Option<std::rc::Rc<Vec<Option<Val>>>>,
    pub leaf: LeafState,
}

impl Frame {
    /// Values by metric index for the current submission (none outside an evaluation).
    pub fn values(&self) -> &[Option<Val>] {
        self.values.as_deref().map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug, Default)]
pub(crate) struct LeafState {
    pub points: f64,
    pub trace: bool,
    pub lang: Lang,
    pub explanation: Vec<String>,
    pub findings: Vec<Finding>,
    pub flag: Option<String>,
    /// Bytes of findings and explanation recorded so far.
    recorded: usize,
    /// Set when a finding or explanation was refused for exceeding the limits.
    pub overflow: bool,
}

impl LeafState {
    pub fn reset(&mut self, points: f64, trace: bool, lang: Lang) {
        self.points = points;
        self.trace = trace;
        self.lang = lang;
        self.explanation.clear();
        self.findings.clear();
        self.flag = None;
        self.recorded = 0;
        self.overflow = false;
    }
    /// Account for `bytes` more recorded text; false (and `overflow` set) past the limits.
    fn admit(&mut self, bytes: usize, finding: bool) -> bool {
        let too_many = finding && self.findings.len() >= MAX_FINDINGS;
        if too_many || self.recorded + bytes > MAX_RECORDED_BYTES {
            self.overflow = true;
            return false;
        }
        self.recorded += bytes;
        true
    }
    pub(crate) fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    pub(crate) fn explain(&mut self, text: impl FnOnce(bool) -> String) {
        if self.trace {
            let text = text(self.zh());
            if self.admit(text.len(), false) {
                self.explanation.push(text);
            }
        }
    }
    pub(crate) fn find(&mut self, text: impl FnOnce(bool) -> String, deduction: Option<f64>) {
        self.record(text, deduction.map(round_score));
    }
    /// A finding for `points` lost, printed by `text` as they are recorded (hundredths
    /// worked out once for both).
    fn find_points(&mut self, points: f64, text: impl FnOnce(bool, text::Points) -> String) {
        let points = text::Points::new(points);
        self.record(|zh| text(zh, points), Some(points.decimal()));
    }
    fn record(&mut self, text: impl FnOnce(bool) -> String, deduction: Option<Decimal>) {
        let message = text(self.zh());
        if self.admit(message.len(), true) {
            if self.findings.capacity() == 0 {
                // The list usually arrives empty (the last leaf's went to its result):
                // allocated here directly rather than through `push`'s growth path, with
                // `push`'s first capacity (measured: bench40 −0.9k, gov-it-post −1.7k
                // instructions per evaluation; 2 was worse, leaves with more findings grow).
                self.findings = Vec::with_capacity(4);
            }
            self.findings.push(Finding { message, deduction });
        }
    }
    /// Record the points lost by a helper whose result is below full marks.
    fn lost(&mut self, score: f64, text: impl FnOnce(bool, text::Points) -> String) {
        // Against the score as it will print, so score + deductions = points on paper
        // (13.125 prints 13.13; the loss is 1.87, not 1.875 → 1.88).
        let lost = self.points - crate::text::printed_score(score);
        if lost > 1e-9 {
            self.find_points(lost, text);
        }
    }
}

thread_local! {
    pub(crate) static FRAME: RefCell<Frame> = RefCell::new(Frame::default());
}

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// A helper's error in both languages, carried as the payload of a Rhai runtime error so the
/// scorecard's problem gets a real `message` and `message_en` whatever the evaluation's
/// language (a script that catches it sees its text in the evaluation's language).
#[derive(Debug, Clone)]
pub(crate) struct HelperError {
    pub zh: String,
    pub en: String,
    shown_zh: bool,
}

impl std::fmt::Display for HelperError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.shown_zh { &self.zh } else { &self.en })
    }
}

pub(crate) fn fail<T>(pos: Position, zh: bool, msg_zh: String, msg_en: String) -> RhaiResult<T> {
    let payload = HelperError {
        zh: msg_zh,
        en: msg_en,
        shown_zh: zh,
    };
    Err(EvalAltResult::ErrorRuntime(Dynamic::from(payload), pos).into())
}

/// What a helper is measuring: a metric named by id (label and format known) or a bare number.
struct Subject<'t> {
    meta: Option<&'t MetricMeta>,
    value: f64,
}

impl Subject<'_> {
    fn label(&self, zh: bool) -> &str {
        match (self.meta, zh) {
            (Some(m), true) => &m.label,
            (Some(m), false) => m.label_en.as_ref().unwrap_or(&m.label),
            (None, true) => "实际值",
            (None, false) => "value",
        }
    }
    fn fmt(&self) -> (ValueFmt, Option<&str>) {
        self.meta
            .map_or((ValueFmt::Number, None), |m| (m.fmt, m.unit.as_deref()))
    }
    fn show(&self) -> text::Value<'_> {
        let (fmt, unit) = self.fmt();
        text::Value {
            v: self.value,
            fmt,
            unit,
        }
    }
    fn show_t(&self, t: f64) -> text::Threshold<'_> {
        let (fmt, unit) = self.fmt();
        text::Threshold(text::Value { v: t, fmt, unit })
    }
}

fn number(d: &Dynamic) -> Option<f64> {
    // Type checks first: a failed `as_float()` looks up the type's name for its error.
    if d.is_float() {
        d.as_float().ok()
    } else if d.is_int() {
        #[allow(clippy::cast_precision_loss)] // script integers are small counts
        d.as_int().ok().map(|i| i as f64)
    } else {
        None
    }
}

fn boolean(d: &Dynamic) -> Option<bool> {
    // One call for a bool (most conditions); anything else costs a type name, which is
    // cheap for the numbers a count is.
    d.as_bool().ok()
}

/// A helper's argument: the value as the script passed it, and what was worked out from it
/// when the script was compiled (for a literal argument of a compiled call; Rhai's calls
/// know nothing in advance). Helpers use `known` to skip work they would repeat on every
/// call — looking the metric id up, reading a number, parsing a band table — and take
/// `value` for everything else, so both paths give the same results, texts and errors.
#[derive(Clone, Copy)]
pub(crate) struct Arg<'a> {
    pub value: &'a Dynamic,
    pub known: &'a Known,
}

/// What a literal argument is to the helper that takes it, found once at compile time.
#[derive(Debug, Clone, Default)]
pub(crate) enum Known {
    #[default]
    Nothing,
    /// A subject or metric id naming a metric in the table: its index.
    Metric(usize),
    /// A finite number where the helper reads a number (or a subject given as a number).
    Num(f64),
    /// A `tiered`/`tiered_reverse` band table, valid, sorted as that helper sorts it.
    Bands(Box<[(f64, f64)]>),
}

/// `()` for arguments a call leaves out, and "nothing known" for Rhai's arguments: constants,
/// so a call needs no value of its own to drop.
pub(crate) const UNIT: &Dynamic = &Dynamic::UNIT;
pub(crate) const NOTHING: &Known = &Known::Nothing;

impl<'a> Arg<'a> {
    /// An argument as Rhai passes it.
    pub fn of(value: &'a Dynamic) -> Self {
        Arg {
            value,
            known: NOTHING,
        }
    }
}

impl Known {
    /// A literal where a helper reads a number: `Num` when it is a finite one.
    pub fn number(d: &Dynamic) -> Known {
        number(d)
            .filter(|v| v.is_finite())
            .map_or(Known::Nothing, Known::Num)
    }

    /// What `helper` will make of its literal arguments (`None` for one computed at run time).
    /// Only what the helper would conclude itself on every call: an id the table has, a
    /// finite number, a valid band table; anything else (an error to come) stays unknown.
    pub fn of_args(helper: Helper, args: &[Option<&Dynamic>], table: &MetricTable) -> Vec<Known> {
        use Helper::*;
        let metric = |d: &Dynamic| {
            d.read_lock::<rhai::ImmutableString>()
                .and_then(|name| table.by_name.get(name.as_str()).copied())
                .map_or(Known::Nothing, Known::Metric)
        };
        let num = Known::number;
        args.iter()
            .enumerate()
            .map(|(i, d)| {
                let Some(d) = d else {
                    return Known::Nothing;
                };
                match (helper, i) {
                    (
                        Proportional | ProportionalReverse | Linear | Tiered | TieredReverse
                        | Satisfaction,
                        0,
                    ) => match num(d) {
                        Known::Nothing => metric(d),
                        n => n,
                    },
                    // `yes_no` takes a bool before an id; a string is never one.
                    (YesNo | Grade, 0) => metric(d),
                    (Proportional | ProportionalReverse | Satisfaction, 1)
                    | (Linear, 1 | 2)
                    | (Award, 0) => num(d),
                    (Tiered, 1) => bands(d, false).map_or(Known::Nothing, Known::Bands),
                    (TieredReverse, 1) => bands(d, true).map_or(Known::Nothing, Known::Bands),
                    _ => Known::Nothing,
                }
            })
            .collect()
    }
}

/// Resolve a helper's subject: a metric id (string) or a number. Inlined for the usual
/// case, a compiled id whose value is a number; everything else is [`subject_of`].
#[inline(always)]
fn subject<'t>(
    pos: Position,
    table: &'t MetricTable,
    values: &[Option<Val>],
    zh: bool,
    d: Arg<'_>,
    helper: &str,
) -> RhaiResult<Subject<'t>> {
    if let Known::Metric(i) = d.known
        && let Some(meta) = table.metas.get(*i)
        && let Some(Some(Val::Num(value))) = values.get(*i)
    {
        return Ok(Subject {
            meta: Some(meta),
            value: text::as_printed(*value),
        });
    }
    subject_of(pos, table, values, zh, d, helper)
}

fn subject_of<'t>(
    pos: Position,
    table: &'t MetricTable,
    values: &[Option<Val>],
    zh: bool,
    d: Arg<'_>,
    helper: &str,
) -> RhaiResult<Subject<'t>> {
    let known_number = match d.known {
        Known::Num(v) => Some(*v),
        Known::Metric(_) => None,
        _ => number(d.value),
    };
    if let Some(v) = known_number {
        return Ok(Subject {
            meta: None,
            value: text::as_printed(v),
        });
    }
    let (idx, meta) = metric(pos, table, zh, d, helper)?;
    let value = match values.get(idx).and_then(Option::as_ref) {
        Some(Val::Num(v)) => text::as_printed(*v),
        #[allow(clippy::cast_precision_loss)]
        Some(Val::Int(i)) => *i as f64,
        Some(Val::Grade { fraction, .. }) => *fraction,
        Some(_) => {
            let label = label_of(meta, zh);
            return fail(
                pos,
                zh,
                cat!(helper, "() 需要数值，而 ", label, " 不是数值"),
                cat!(helper, "() needs a number, and ", label, " is not one"),
            );
        }
        None => {
            let label = label_of(meta, zh);
            return fail(
                pos,
                zh,
                cat!(label, " 未填写"),
                cat!(label, " is not filled in"),
            );
        }
    };
    Ok(Subject {
        meta: Some(meta),
        value,
    })
}

fn label_of(meta: &MetricMeta, zh: bool) -> &str {
    if zh {
        &meta.label
    } else {
        meta.label_en.as_ref().unwrap_or(&meta.label)
    }
}

/// A metric named by a string argument (inlined when it was found at compile time).
#[inline(always)]
fn metric<'t>(
    pos: Position,
    table: &'t MetricTable,
    zh: bool,
    d: Arg<'_>,
    helper: &str,
) -> RhaiResult<(usize, &'t MetricMeta)> {
    if let Known::Metric(i) = d.known
        && let Some(meta) = table.metas.get(*i)
    {
        return Ok((*i, meta));
    }
    metric_by_name(pos, table, zh, d.value, helper)
}

fn metric_by_name<'t>(
    pos: Position,
    table: &'t MetricTable,
    zh: bool,
    d: &Dynamic,
    helper: &str,
) -> RhaiResult<(usize, &'t MetricMeta)> {
    let Some(name) = d.read_lock::<rhai::ImmutableString>() else {
        return fail(
            pos,
            zh,
            cat!(
                helper,
                "() 的第一个参数应为数据项/绩效指标的 id（字符串）或数字，收到 ",
                d.type_name()
            ),
            cat!(
                "the first argument of ",
                helper,
                "() must be an input/KPI id (string) or a number, got ",
                d.type_name()
            ),
        );
    };
    match table.by_name.get(name.as_str()) {
        Some(&i) => Ok((i, &table.metas[i])),
        None => fail(
            pos,
            zh,
            cat!("未知的数据项或绩效指标 “", &*quoted(name.as_str()), "”"),
            cat!("unknown input or KPI “", &*quoted(name.as_str()), "”"),
        ),
    }
}

/// A numeric argument (inlined when it was read at compile time).
#[inline(always)]
fn arg_number(pos: Position, zh: bool, d: Arg<'_>, helper: &str, what: &str) -> RhaiResult<f64> {
    if let Known::Num(v) = d.known {
        return Ok(*v);
    }
    number_arg(pos, zh, d.value, helper, what)
}

fn number_arg(pos: Position, zh: bool, d: &Dynamic, helper: &str, what: &str) -> RhaiResult<f64> {
    let got = match number(d) {
        Some(v) if v.is_finite() => return Ok(v),
        // `award(0/0)` once said "got f64": the value is a float, just not a finite one.
        Some(v) if v.is_nan() => "NaN",
        Some(_) => "inf",
        None => d.type_name(),
    };
    fail(
        pos,
        zh,
        cat!(helper, "() 的参数 ", what, " 应为有限的数，收到 ", got),
        cat!(helper, "(): ", what, " must be a finite number, got ", got),
    )
}

/// Run `f` with the current thread's frame, its metric table borrowed separately so helpers
/// can read labels while writing findings.
fn with_frame<T>(f: impl FnOnce(&MetricTable, &mut Frame) -> T) -> T {
    FRAME.with_borrow_mut(|frame| {
        // Moved out and back rather than cloned: no reference-count traffic per call.
        static NO_TABLE: std::sync::LazyLock<MetricTable> =
            std::sync::LazyLock::new(MetricTable::default);
        let table = frame.table.take();
        // The stand-in is forced only when there is no table, not on every call.
        let result = f(table.as_deref().unwrap_or_else(|| &NO_TABLE), frame);
        frame.table = table;
        result
    })
}

/// Build the sandboxed Rhai engine with every helper registered: the one that runs scripts.
pub(crate) fn sandbox() -> rhai::Engine {
    sandbox_with(true)
}

/// The same engine without Rhai's standard library or the helpers, for compiling only.
/// Parsing never looks functions up, and the optimizer (level `Simple`) only asks whether a
/// non-standard module overrides an operator, which the helpers don't: the ASTs are the ones
/// [`sandbox`] makes (a test compares them for every shipped script). A rulebook whose
/// scripts all run natively thus never builds the standard library, which was most of a cold
/// start's first `Engine` in the browser, and a build without the runner (the compact
/// module) links neither it nor the helpers' Rhai registrations.
pub(crate) fn compiler() -> rhai::Engine {
    sandbox_with(false)
}

fn sandbox_with(runner: bool) -> rhai::Engine {
    let mut e = rhai::Engine::new_raw();
    if runner {
        e.register_global_module(standard_library());
    }
    // What `Engine::new` sets besides the package (its print/debug go nowhere below).
    e.set_max_strings_interned(256);
    e.set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(MAX_STRING)
        .set_max_array_size(MAX_ARRAY)
        .set_max_map_size(MAX_MAP)
        .set_max_variables(2_048)
        .set_max_functions(64)
        .set_strict_variables(true)
        .set_optimization_level(rhai::OptimizationLevel::Simple);
    e.disable_symbol("eval");
    // No output channel: print/debug go nowhere rather than to the host's stdout.
    e.on_print(|_| {});
    e.on_debug(|_, _, _| {});
    if runner {
        register_helpers(&mut e);
        crate::script::budget::install(&mut e);
    }
    e
}

/// Rhai's standard library, shared by every rulebook's engine that is alive (`Engine::new`
/// would build and register all of its functions again for each one), and freed with the last
/// of them: nothing of it outlives the engines.
pub(crate) fn standard_library() -> rhai::Shared<rhai::Module> {
    use rhai::packages::Package as _;
    use std::sync::{Mutex, PoisonError, Weak};
    static STANDARD: Mutex<Weak<rhai::Module>> = Mutex::new(Weak::new());
    let mut shared = STANDARD.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(standard) = shared.upgrade() {
        return standard;
    }
    let standard = rhai::packages::StandardPackage::new().as_shared_module();
    *shared = rhai::Shared::downgrade(&standard);
    standard
}

/// Helper names whose first argument may be a metric id; the compiler checks those ids.
pub(crate) const SUBJECT_HELPERS: &[&str] = &[
    "proportional",
    "proportional_reverse",
    "linear",
    "tiered",
    "tiered_reverse",
    "yes_no",
    "grade",
    "satisfaction",
    "value_of",
    "target_table",
];

/// The scoring helpers. Each is one Rust function called the same way from Rhai and from the
/// compiled fast path (a leaf script that is a single helper call with literal arguments),
/// so both give identical results, texts and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Helper {
    Proportional,
    ProportionalReverse,
    Linear,
    Tiered,
    TieredReverse,
    YesNo,
    Grade,
    Satisfaction,
    Deduct,
    Full,
    Zero,
    Award,
    TargetTable,
}

impl Helper {
    /// The helper a call names, if `arity` fits it.
    pub fn by_call(name: &str, arity: usize) -> Option<Helper> {
        use Helper::*;
        let h = match (name, arity) {
            ("proportional", 2) => Proportional,
            ("proportional_reverse", 2) => ProportionalReverse,
            ("linear", 3) => Linear,
            ("tiered", 2) => Tiered,
            ("tiered_reverse", 2) => TieredReverse,
            ("yes_no", 1 | 2) => YesNo,
            ("grade", 1) => Grade,
            ("satisfaction", 2) => Satisfaction,
            ("deduct", 1) => Deduct,
            ("full", 0 | 1) => Full,
            ("zero", 1) => Zero,
            ("award", 2) => Award,
            ("target_table", 1 | 2) => TargetTable,
            _ => return None,
        };
        Some(h)
    }
}

/// Call a helper. Arguments are exactly the script's arguments.
pub(crate) fn call_helper(h: Helper, pos: Position, args: &[&Dynamic]) -> RhaiResult<f64> {
    // Helpers take at most three arguments (`Helper::by_call`).
    let n = args.len().min(3);
    let args: [Arg<'_>; 3] = std::array::from_fn(|i| Arg::of(args.get(i).copied().unwrap_or(UNIT)));
    call_helper_with(h, pos, &args[..n])
}

/// Call a helper with its arguments and what is known of them (a compiled call's literals).
pub(crate) fn call_helper_with(h: Helper, pos: Position, args: &[Arg<'_>]) -> RhaiResult<f64> {
    with_frame(|table, f| {
        let zh = f.leaf.zh();
        let arg = |i: usize| args.get(i).copied().unwrap_or(Arg::of(UNIT));
        match h {
            Helper::Proportional => proportional(pos, table, f, zh, arg(0), arg(1), false),
            Helper::ProportionalReverse => proportional(pos, table, f, zh, arg(0), arg(1), true),
            Helper::Linear => linear(pos, table, f, zh, arg(0), arg(1), arg(2)),
            Helper::Tiered => tiered(pos, table, f, zh, arg(0), arg(1), false),
            Helper::TieredReverse => tiered(pos, table, f, zh, arg(0), arg(1), true),
            Helper::YesNo => yes_no(pos, table, f, zh, arg(0), args.get(1).map(|a| a.value)),
            Helper::Grade => grade(pos, table, f, zh, arg(0)),
            Helper::Satisfaction => satisfaction(pos, table, f, zh, arg(0), arg(1)),
            Helper::Deduct => deduct(pos, f, zh, arg(0).value),
            Helper::TargetTable => crate::script::target_table::target_table(
                pos,
                table,
                f,
                arg(0).value,
                args.get(1).map(|a| a.value),
            ),
            Helper::Full => {
                let p = f.leaf.points;
                let reason = args.first().map(|a| a.value);
                f.leaf.explain(|zh| match (reason, zh) {
                    (Some(r), true) => cat!(r, "，得满分 ", pts(p)),
                    (Some(r), false) => cat!(r, ": full marks ", pts(p)),
                    (None, true) => cat!("得满分 ", pts(p)),
                    (None, false) => cat!("full marks ", pts(p)),
                });
                Ok(p)
            }
            Helper::Zero => {
                let p = f.leaf.points;
                let reason = arg(0).value;
                f.leaf.explain(|zh| {
                    if zh {
                        cat!(reason, "，不得分")
                    } else {
                        cat!(reason, ": 0 points")
                    }
                });
                f.leaf.find_points(p, |zh, lost| {
                    if zh {
                        cat!(reason, "，扣 ", lost, " 分")
                    } else {
                        cat!(reason, ": ", lost, " points lost")
                    }
                });
                Ok(0.0)
            }
            Helper::Award => {
                let s = arg_number(pos, zh, arg(0), "award", "score")?;
                let reason = arg(1).value;
                f.leaf.explain(|zh| {
                    if zh {
                        cat!(reason, "，得分 ", pts(s))
                    } else {
                        cat!(reason, ": ", pts(s))
                    }
                });
                f.leaf.lost(s, |zh, l| {
                    if zh {
                        cat!(reason, "，扣 ", l, " 分")
                    } else {
                        cat!(reason, ": ", l, " points lost")
                    }
                });
                Ok(s)
            }
        }
    })
}

fn register_helpers(e: &mut rhai::Engine) {
    macro_rules! helper {
        ($name:literal, $h:expr, ($($a:ident),*)) => {
            e.register_fn($name, |ctx: NativeCallContext, $($a: Dynamic),*| -> RhaiResult<f64> {
                call_helper($h, ctx.call_position(), &[$(&$a),*])
            });
        };
    }
    helper!("proportional", Helper::Proportional, (s, target));
    crate::script::target_table::register(e);
    helper!(
        "proportional_reverse",
        Helper::ProportionalReverse,
        (s, target)
    );
    helper!("linear", Helper::Linear, (s, zero_at, full_at));
    helper!("tiered", Helper::Tiered, (s, bands));
    helper!("tiered_reverse", Helper::TieredReverse, (s, bands));
    helper!("yes_no", Helper::YesNo, (s));
    helper!("yes_no", Helper::YesNo, (s, reason));
    helper!("grade", Helper::Grade, (s));
    helper!("satisfaction", Helper::Satisfaction, (s, threshold));
    helper!("deduct", Helper::Deduct, (items));
    helper!("full", Helper::Full, ());
    helper!("full", Helper::Full, (reason));
    helper!("zero", Helper::Zero, (reason));
    helper!("award", Helper::Award, (score, reason));

    // finding(text): record 扣分原因 / 存在问题. flag(text): e.g. 红/黄/绿. explain(text).
    // Past the recording limits these stop the script at once (a loop would otherwise run
    // to the operations limit, recording nothing).
    let recorded = |ctx: &NativeCallContext| -> RhaiResult<()> {
        if FRAME.with_borrow(|f| f.leaf.overflow) {
            Err(EvalAltResult::ErrorDataTooLarge(RECORDED_TEXT.into(), ctx.call_position()).into())
        } else {
            Ok(())
        }
    };
    e.register_fn(
        "finding",
        move |ctx: NativeCallContext, text: rhai::ImmutableString| -> RhaiResult<()> {
            FRAME.with_borrow_mut(|f| f.leaf.find(|_| text.to_string(), None));
            recorded(&ctx)
        },
    );
    // finding(zh, en) / explain(zh, en): the text in the evaluation's language, so rule
    // authors can write reports that read right under `--lang en` too.
    e.register_fn(
        "finding",
        move |ctx: NativeCallContext,
              zh: rhai::ImmutableString,
              en: rhai::ImmutableString|
              -> RhaiResult<()> {
            FRAME.with_borrow_mut(|f| {
                f.leaf.find(
                    |is_zh| {
                        if is_zh {
                            zh.to_string()
                        } else {
                            en.to_string()
                        }
                    },
                    None,
                );
            });
            recorded(&ctx)
        },
    );
    e.register_fn(
        "explain",
        move |ctx: NativeCallContext,
              zh: rhai::ImmutableString,
              en: rhai::ImmutableString|
              -> RhaiResult<()> {
            FRAME.with_borrow_mut(|f| {
                f.leaf.explain(|is_zh| {
                    if is_zh {
                        zh.to_string()
                    } else {
                        en.to_string()
                    }
                });
            });
            recorded(&ctx)
        },
    );
    e.register_fn("flag", |text: rhai::ImmutableString| {
        FRAME.with_borrow_mut(|f| f.leaf.flag = Some(text.to_string()));
    });
    e.register_fn(
        "explain",
        move |ctx: NativeCallContext, text: rhai::ImmutableString| -> RhaiResult<()> {
            FRAME.with_borrow_mut(|f| f.leaf.explain(|_| text.to_string()));
            recorded(&ctx)
        },
    );
    // Rhai's core package has `sleep()`, which blocks the thread (and panics on wasm32):
    // these take precedence and refuse.
    let no_sleep = |ctx: NativeCallContext| -> RhaiResult<()> {
        fail(
            ctx.call_position(),
            FRAME.with_borrow(|f| f.leaf.zh()),
            "评分脚本中不能使用 sleep()".into(),
            "sleep() is not available in scoring scripts".into(),
        )
    };
    e.register_fn("sleep", move |ctx: NativeCallContext, _: rhai::INT| {
        no_sleep(ctx)
    });
    e.register_fn("sleep", move |ctx: NativeCallContext, _: rhai::FLOAT| {
        no_sleep(ctx)
    });

    // days_between(from, to): whole days from one date to the other (to − from).
    e.register_fn(
        "days_between",
        |ctx: NativeCallContext, from: Dynamic, to: Dynamic| -> RhaiResult<i64> {
            let zh = FRAME.with_borrow(|f| f.leaf.zh());
            let day = |d: &Dynamic| {
                d.read_lock::<rhai::ImmutableString>()
                    .and_then(|s| parse_date(s.as_str()))
            };
            match (day(&from), day(&to)) {
                (Some(a), Some(b)) => Ok(b - a),
                _ => {
                    let (from, to) = (from.to_string(), to.to_string());
                    let (from, to) = (quoted(&from), quoted(&to));
                    fail(
                        ctx.call_position(),
                        zh,
                        cat!(
                            "days_between() 需要两个日期（YYYY-MM-DD），收到 ",
                            &*from,
                            " 和 ",
                            &*to
                        ),
                        cat!(
                            "days_between() needs two dates (YYYY-MM-DD), got ",
                            &*from,
                            " and ",
                            &*to
                        ),
                    )
                }
            }
        },
    );

    // ratio(a, b): a / b as a float, with a clear error instead of infinity when b is 0.
    e.register_fn(
        "ratio",
        |ctx: NativeCallContext, a: Dynamic, b: Dynamic| -> RhaiResult<f64> {
            let zh = FRAME.with_borrow(|f| f.leaf.zh());
            let pos = ctx.call_position();
            let a = arg_number(pos, zh, Arg::of(&a), "ratio", "a")?;
            let b = arg_number(pos, zh, Arg::of(&b), "ratio", "b")?;
            if b == 0.0 {
                return fail(
                    pos,
                    zh,
                    "ratio() 的除数为 0".into(),
                    "ratio(): division by zero".into(),
                );
            }
            Ok(a / b)
        },
    );

    // value_of(id): the value of an input or KPI looked up by id, `()` if not filled in.
    e.register_fn(
        "value_of",
        |ctx: NativeCallContext, id: Dynamic| -> RhaiResult<Dynamic> {
            with_frame(|table, f| {
                let (i, _) = metric(
                    ctx.call_position(),
                    table,
                    f.leaf.zh(),
                    Arg::of(&id),
                    "value_of",
                )?;
                Ok(f.values()
                    .get(i)
                    .and_then(Option::as_ref)
                    .map_or(Dynamic::UNIT, to_dynamic))
            })
        },
    );
}

// proportional(subject, target): points × min(v / target, 1) — 比率得分, higher is better.
// reverse (lower is better): full at or below target, points × target / v above it.
fn proportional(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
    zh: bool,
    s: Arg<'_>,
    target: Arg<'_>,
    reverse: bool,
) -> RhaiResult<f64> {
    let name = if reverse {
        "proportional_reverse"
    } else {
        "proportional"
    };
    let s = subject(pos, table, f.values(), zh, s, name)?;
    let t = arg_number(pos, zh, target, name, "target")?;
    if (!reverse && t <= 0.0) || (reverse && t < 0.0) {
        return fail(
            pos,
            zh,
            cat!(name, "() 的目标值须大于 0"),
            cat!(name, "(): the target must be positive"),
        );
    }
    let p = f.leaf.points;
    let (full, score) = if reverse {
        (
            s.value <= t,
            if s.value <= t {
                p
            } else {
                p * (t / s.value).clamp(0.0, 1.0)
            },
        )
    } else {
        (s.value >= t, p * (s.value / t).clamp(0.0, 1.0))
    };
    let l = s.label(zh);
    match (full, reverse) {
        (true, false) => f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，达到 ",
                    s.show_t(t),
                    "，得满分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    " reaches ",
                    s.show_t(t),
                    ": full marks ",
                    pts(score)
                )
            }
        }),
        (true, true) => f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，不高于 ",
                    s.show_t(t),
                    "，得满分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    " is not above ",
                    s.show_t(t),
                    ": full marks ",
                    pts(score)
                )
            }
        }),
        (false, false) => {
            f.leaf.explain(|zh| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，低于 ",
                        s.show_t(t),
                        "，按比例得分 ",
                        pts(score)
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is below ",
                        s.show_t(t),
                        ": proportional score ",
                        pts(score)
                    )
                }
            });
            f.leaf.lost(score, |zh, lost| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，未达到 ",
                        s.show_t(t),
                        "，扣 ",
                        lost,
                        " 分"
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is below ",
                        s.show_t(t),
                        ": ",
                        lost,
                        " points lost"
                    )
                }
            });
        }
        (false, true) => {
            f.leaf.explain(|zh| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，高于 ",
                        s.show_t(t),
                        "，按比例得分 ",
                        pts(score)
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is above ",
                        s.show_t(t),
                        ": proportional score ",
                        pts(score)
                    )
                }
            });
            f.leaf.lost(score, |zh, lost| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，高于 ",
                        s.show_t(t),
                        "，扣 ",
                        lost,
                        " 分"
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is above ",
                        s.show_t(t),
                        ": ",
                        lost,
                        " points lost"
                    )
                }
            });
        }
    }
    Ok(score)
}

// linear(subject, zero_at, full_at): 0 points at zero_at, full at full_at, straight line
// between, flat outside. Works both ways (zero_at > full_at means lower is better).
fn linear(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
    zh: bool,
    s: Arg<'_>,
    zero_at: Arg<'_>,
    full_at: Arg<'_>,
) -> RhaiResult<f64> {
    let s = subject(pos, table, f.values(), zh, s, "linear")?;
    let z = arg_number(pos, zh, zero_at, "linear", "zero_at")?;
    let full = arg_number(pos, zh, full_at, "linear", "full_at")?;
    if z == full {
        return fail(
            pos,
            zh,
            "linear() 的两个端点不能相同".into(),
            "linear(): the two end points must differ".into(),
        );
    }
    let p = f.leaf.points;
    let score = p * ((s.value - z) / (full - z)).clamp(0.0, 1.0);
    let l = s.label(zh);
    let position = (s.value - z) / (full - z);
    f.leaf.explain(|zh| match (zh, position) {
        (true, t) if t >= 1.0 => cat!(
            l,
            " ",
            s.show(),
            "，达到满分线 ",
            s.show_t(full),
            "，得满分 ",
            pts(score)
        ),
        (false, t) if t >= 1.0 => cat!(
            l,
            " ",
            s.show(),
            " reaches the full-marks line ",
            s.show_t(full),
            ": full marks ",
            pts(score)
        ),
        (true, t) if t <= 0.0 => cat!(l, " ", s.show(), "，未达到得分线 ", s.show_t(z), "，不得分"),
        (false, t) if t <= 0.0 => cat!(
            l,
            " ",
            s.show(),
            " is past the zero line ",
            s.show_t(z),
            ": 0 points"
        ),
        (zh, _) => {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，在 ",
                    s.show_t(z),
                    "（0 分）与 ",
                    s.show_t(full),
                    "（满分）之间线性计分，得分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    ", scored linearly between ",
                    s.show_t(z),
                    " (0) and ",
                    s.show_t(full),
                    " (full): ",
                    pts(score)
                )
            }
        }
    });
    f.leaf.lost(score, |zh, lost| {
        if zh {
            cat!(
                l,
                " ",
                s.show(),
                "，未达到满分线 ",
                s.show_t(full),
                "，扣 ",
                lost,
                " 分"
            )
        } else {
            cat!(
                l,
                " ",
                s.show(),
                " falls short of ",
                s.show_t(full),
                ": ",
                lost,
                " points lost"
            )
        }
    });
    Ok(score)
}

/// A band table as `tiered` reads it, sorted the way it searches: `None` if it is not one.
fn bands(bands: &Dynamic, reverse: bool) -> Option<Box<[(f64, f64)]>> {
    let bands = bands.read_lock::<rhai::Array>()?;
    let mut parsed: Vec<(f64, f64)> = Vec::with_capacity(bands.len());
    for b in bands.iter() {
        let pair = b.read_lock::<rhai::Array>();
        let pair = pair.as_deref().and_then(|a| match a.as_slice() {
            [t, fr] => Some((number(t)?, number(fr)?)),
            _ => None,
        });
        match pair {
            Some((t, fr)) if (0.0..=1.0).contains(&fr) && t.is_finite() => parsed.push((t, fr)),
            _ => return None,
        }
    }
    if parsed.is_empty() {
        return None;
    }
    // Through the crate's one shared sort: a sort of its own is several KB of WebAssembly.
    let order = crate::sorted_order(parsed.len(), &mut |a, b| {
        let (a, b) = (parsed[a].0, parsed[b].0);
        if reverse {
            a.total_cmp(&b)
        } else {
            b.total_cmp(&a)
        }
    });
    Some(order.into_iter().map(|i| parsed[i]).collect())
}

// tiered(subject, [[threshold, fraction], …]): 分档 — the highest threshold the value reaches
// gives its fraction of the points; below every threshold scores 0. Reverse (lower is
// better): the lowest threshold the value stays at or under.
fn tiered(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
    zh: bool,
    s: Arg<'_>,
    bands: Arg<'_>,
    reverse: bool,
) -> RhaiResult<f64> {
    let helper = if reverse { "tiered_reverse" } else { "tiered" };
    let s = subject(pos, table, f.values(), zh, s, helper)?;
    let bad = || {
        fail(
            pos,
            zh,
            cat!(helper, "() 的档位应为 [[门槛, 得分比例 0–1], …]"),
            cat!(helper, "(): bands are [[threshold, fraction 0–1], …]"),
        )
    };
    // A literal table was checked and sorted at compile time; a computed one is read here.
    let read;
    let parsed: &[(f64, f64)] = match bands.known {
        Known::Bands(b) => b,
        _ => match self::bands(bands.value, reverse) {
            Some(b) => {
                read = b;
                &read
            }
            None => return bad(),
        },
    };
    let hit = parsed
        .iter()
        .find(|(t, _)| {
            if reverse {
                s.value <= *t
            } else {
                s.value >= *t
            }
        })
        .copied();
    let p = f.leaf.points;
    let l = s.label(zh);
    Ok(match hit {
        Some((t, fr)) => {
            let score = p * fr;
            let op = if reverse { "≤" } else { "≥" };
            let pct = || {
                text::Threshold(text::Value {
                    v: fr,
                    fmt: ValueFmt::Percent,
                    unit: None,
                })
            };
            f.leaf.explain(|zh| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，",
                        op,
                        " ",
                        s.show_t(t),
                        "，得 ",
                        pct(),
                        " 分值，得分 ",
                        pts(score)
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " ",
                        op,
                        " ",
                        s.show_t(t),
                        ": ",
                        pct(),
                        " of the points, ",
                        pts(score)
                    )
                }
            });
            f.leaf.lost(score, |zh, lost| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，处于 ",
                        op,
                        " ",
                        s.show_t(t),
                        " 档，扣 ",
                        lost,
                        " 分"
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is in the ",
                        op,
                        " ",
                        s.show_t(t),
                        " band: ",
                        lost,
                        " points lost"
                    )
                }
            });
            score
        }
        None => {
            let last = parsed.last().map_or(0.0, |b| b.0);
            let word = if reverse {
                ("高于", "above")
            } else {
                ("低于", "below")
            };
            f.leaf.explain(|zh| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，",
                        word.0,
                        "最低档门槛 ",
                        s.show_t(last),
                        "，不得分"
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is ",
                        word.1,
                        " the last band ",
                        s.show_t(last),
                        ": 0 points"
                    )
                }
            });
            f.leaf.lost(0.0, |zh, lost| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，",
                        word.0,
                        " ",
                        s.show_t(last),
                        "，扣 ",
                        lost,
                        " 分"
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is ",
                        word.1,
                        " ",
                        s.show_t(last),
                        ": ",
                        lost,
                        " points lost"
                    )
                }
            });
            0.0
        }
    })
}

// yes_no(subject[, finding]): 是否制 — full marks for yes, 0 for no.
fn yes_no(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
    zh: bool,
    s: Arg<'_>,
    reason: Option<&Dynamic>,
) -> RhaiResult<f64> {
    // A compiled id is no bool: not asked (a failed `as_bool` looks up the type's name).
    let literal = match s.known {
        Known::Metric(_) => None,
        _ => boolean(s.value),
    };
    let (meta, yes) = if let Some(b) = literal {
        (None, b)
    } else {
        let (idx, meta) = metric(pos, table, zh, s, "yes_no")?;
        match f.values().get(idx).and_then(Option::as_ref) {
            Some(Val::Bool(b)) => (Some(meta), *b),
            Some(_) => {
                let l = label_of(meta, zh);
                return fail(
                    pos,
                    zh,
                    cat!("yes_no() 需要是/否数据项，", l, " 不是"),
                    cat!("yes_no() needs a yes/no input; ", l, " is not one"),
                );
            }
            None => {
                let l = label_of(meta, zh);
                return fail(pos, zh, cat!(l, " 未填写"), cat!(l, " is not filled in"));
            }
        }
    };
    let label = meta.map_or(if zh { "判断" } else { "check" }, |m| label_of(m, zh));
    let p = f.leaf.points;
    if yes {
        f.leaf.explain(|zh| {
            if zh {
                cat!(label, "：是，得满分 ", pts(p))
            } else {
                cat!(label, ": yes, full marks ", pts(p))
            }
        });
        Ok(p)
    } else {
        f.leaf.explain(|zh| {
            if zh {
                cat!(label, "：否，不得分")
            } else {
                cat!(label, ": no, 0 points")
            }
        });
        f.leaf.find_points(p, |zh, lost| match (reason, zh) {
            (Some(r), true) => cat!(r, "，扣 ", lost, " 分"),
            (Some(r), false) => cat!(r, ": ", lost, " points lost"),
            (None, true) => cat!(label, "：否，扣 ", lost, " 分"),
            (None, false) => cat!(label, ": no, ", lost, " points lost"),
        });
        Ok(0.0)
    }
}

// grade(subject): 专家评级 — the (aggregated) grade's fraction of the points, with the
// individual grades in the explanation and a finding when experts disagree by ≥ 2 levels.
fn grade(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
    zh: bool,
    s: Arg<'_>,
) -> RhaiResult<f64> {
    let (idx, meta) = metric(pos, table, zh, s, "grade")?;
    let l = label_of(meta, zh);
    // The values are borrowed apart from the leaf state the texts go to (no copy of the
    // labels: several grades are a vector).
    let values = f.values.as_deref().map_or(&[][..], Vec::as_slice);
    let (grade_labels, fraction) = match values.get(idx).and_then(Option::as_ref) {
        Some(Val::Grade { labels, fraction }) => (labels, *fraction),
        Some(_) => {
            return fail(
                pos,
                zh,
                cat!("grade() 需要专家评级数据项，", l, " 不是"),
                cat!("grade() needs an expert-grade input; ", l, " is not one"),
            );
        }
        None => {
            return fail(pos, zh, cat!(l, " 未填写"), cat!(l, " is not filled in"));
        }
    };
    let p = f.leaf.points;
    let score = p * fraction;
    let labels = grade_labels.as_slice();
    let joined = || text::Joined(labels, "、");
    // A combined grade is a mean: at most two decimals of a percent (86.67%, 80%).
    let pct = || percent_trimmed(fraction);
    if labels.len() == 1 {
        f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " 专家评级为 ",
                    joined(),
                    "，得 ",
                    pct(),
                    " 分值，得分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    ": expert grade ",
                    joined(),
                    ", ",
                    pct(),
                    " of the points: ",
                    pts(score)
                )
            }
        });
    } else {
        let n = labels.len();
        f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " ",
                    n,
                    " 位专家评级 ",
                    joined(),
                    "，综合 ",
                    pct(),
                    "，得分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    ": ",
                    n,
                    " experts graded ",
                    joined(),
                    ", combined ",
                    pct(),
                    ": ",
                    pts(score)
                )
            }
        });
    }
    f.leaf.lost(score, |zh, lost| {
        if zh {
            cat!(l, " 专家评级 ", joined(), "，扣 ", lost, " 分")
        } else {
            cat!(l, ": expert grade ", joined(), ", ", lost, " points lost")
        }
    });
    // Disagreement: two experts two or more levels apart (e.g. 优 and 中).
    if let Some(scale) = table.grade_scales.get(&idx) {
        let ranks = labels
            .iter()
            .filter_map(|x| scale.iter().position(|y| y == x));
        let (lo, hi) = ranks.fold((usize::MAX, 0), |(lo, hi), r| (lo.min(r), hi.max(r)));
        if lo != usize::MAX && hi - lo >= 2 {
            let (a, b) = (&scale[lo], &scale[hi]);
            f.leaf.find(
                |zh| {
                    if zh {
                        cat!(l, " 专家意见分歧较大（", a, "—", b, "），建议复核")
                    } else {
                        cat!(
                            l,
                            ": experts disagree widely (",
                            a,
                            "–",
                            b,
                            "); review advised"
                        )
                    }
                },
                None,
            );
        }
    }
    Ok(score)
}

// satisfaction(subject, threshold): 满意度 — full at or above the threshold, else
// points × rate / threshold.
fn satisfaction(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
    zh: bool,
    s: Arg<'_>,
    threshold: Arg<'_>,
) -> RhaiResult<f64> {
    let s = subject(pos, table, f.values(), zh, s, "satisfaction")?;
    let t = arg_number(pos, zh, threshold, "satisfaction", "threshold")?;
    if t <= 0.0 {
        return fail(
            pos,
            zh,
            "satisfaction() 的门槛须大于 0".into(),
            "satisfaction(): threshold must be positive".into(),
        );
    }
    let p = f.leaf.points;
    let score = if s.value >= t {
        p
    } else {
        p * (s.value / t).clamp(0.0, 1.0)
    };
    let l = s.label(zh);
    if s.value >= t {
        f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，达到 ",
                    s.show_t(t),
                    "，得满分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    " reaches ",
                    s.show_t(t),
                    ": full marks ",
                    pts(score)
                )
            }
        });
    } else {
        f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，低于 ",
                    s.show_t(t),
                    "，按比例得分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    " is below ",
                    s.show_t(t),
                    ": proportional score ",
                    pts(score)
                )
            }
        });
        f.leaf.lost(score, |zh, lost| {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，低于 ",
                    s.show_t(t),
                    "，扣 ",
                    lost,
                    " 分"
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    " is below ",
                    s.show_t(t),
                    ": ",
                    lost,
                    " points lost"
                )
            }
        });
    }
    Ok(score)
}

// deduct([[condition_or_count, points_each, reason], …]): 扣分制 — start from full marks,
// deduct per finding, never below 0. A bool deducts once when true; a whole number deducts
// that many times.
fn deduct(pos: Position, f: &mut Frame, zh: bool, items: &Dynamic) -> RhaiResult<f64> {
    let Some(items) = items.read_lock::<rhai::Array>() else {
        return deduct_shape(pos, zh);
    };
    let mut run = Deduction::default();
    for item in items.iter() {
        let Some(arr) = item.read_lock::<rhai::Array>() else {
            return deduct_shape(pos, zh);
        };
        let [cond, each, reason] = arr.as_slice() else {
            return deduct_shape(pos, zh);
        };
        run.item(pos, f, zh, cond, Arg::of(each), reason)?;
    }
    Ok(run.finish(f))
}

/// `deduct([[c, p, r], …])` from a native program that evaluated the rows itself, without
/// building the arrays (the same [`Deduction`] as [`deduct`], so the same texts and errors).
/// `each_known`: what is known of each row's points (`Known::number`).
pub(crate) fn deduct_rows(
    pos: Position,
    rows: &[[&Dynamic; 3]],
    each_known: &[Known],
) -> RhaiResult<f64> {
    with_frame(|_, f| {
        let zh = f.leaf.zh();
        let mut run = Deduction::default();
        for (i, [cond, each, reason]) in rows.iter().enumerate() {
            let each = Arg {
                value: each,
                known: each_known.get(i).unwrap_or(NOTHING),
            };
            run.item(pos, f, zh, cond, each, reason)?;
        }
        Ok(run.finish(f))
    })
}

fn deduct_shape<T>(pos: Position, zh: bool) -> RhaiResult<T> {
    fail(
        pos,
        zh,
        "deduct() 的每一项应为 [条件或次数, 每次扣分, 原因]".into(),
        "deduct(): each item is [condition or count, points each, reason]".into(),
    )
}

/// One `deduct()` call in progress: the points taken so far, and (trace on) each reason.
/// Reasons are kept as the script's values (a shared string is a reference count) and
/// printed once, straight into the explanation.
#[derive(Default)]
struct Deduction {
    total: f64,
    parts: Vec<(Dynamic, f64)>,
}

/// The explanation's list of reasons and points ("问题甲 −1；问题乙 −0.5"), pushed as a
/// part of its text rather than built, collected and joined first.
struct Deducted<'a>(&'a [(Dynamic, f64)], &'static str);

impl text::Piece for Deducted<'_> {
    fn push_to(&self, out: &mut String) {
        for (i, (reason, d)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(self.1);
            }
            text::Piece::push_to(reason, out);
            out.push_str(" −");
            text::Piece::push_to(&pts(*d), out);
        }
    }
    fn size_hint(&self) -> usize {
        let items: usize = self
            .0
            .iter()
            .map(|(reason, _)| text::Piece::size_hint(reason) + " −".len() + text::NUMBER_BYTES)
            .sum();
        items + self.1.len() * self.0.len().saturating_sub(1)
    }
}

impl Deduction {
    fn item(
        &mut self,
        pos: Position,
        f: &mut Frame,
        zh: bool,
        cond: &Dynamic,
        each: Arg<'_>,
        reason: &Dynamic,
    ) -> RhaiResult<()> {
        let times = if let Some(b) = boolean(cond) {
            f64::from(u8::from(b))
        } else if let Some(n) = number(cond).filter(|n| n.is_finite() && n.fract() == 0.0) {
            n.max(0.0)
        } else {
            return fail(
                pos,
                zh,
                cat!("deduct() 的条件应为布尔值或整数次数，收到 ", cond),
                cat!(
                    "deduct(): the condition must be a bool or a whole count, got ",
                    cond
                ),
            );
        };
        let each = arg_number(pos, zh, each, "deduct", "points_each")?;
        if each < 0.0 {
            return fail(
                pos,
                zh,
                "deduct() 的扣分不能为负".into(),
                "deduct(): points deducted must not be negative".into(),
            );
        }
        if times > 0.0 && each > 0.0 {
            // Deducted as printed (half up to 2 places), so full marks less the findings'
            // deductions is the score on paper: 3 × 0.125 takes 0.38, not 0.375.
            let d = crate::text::printed_score(times * each);
            self.total += d;
            // A string reason is used as it is; anything else as Rhai prints it (`Piece`).
            f.leaf.find_points(d, |zh, p| match (times > 1.0, zh) {
                (true, true) => cat!(reason, "（计 ", trim_num(times), " 次），扣 ", p, " 分"),
                (true, false) => cat!(reason, " (×", trim_num(times), "): ", p, " points deducted"),
                (false, true) => cat!(reason, "，扣 ", p, " 分"),
                (false, false) => cat!(reason, ": ", p, " points deducted"),
            });
            if f.leaf.trace {
                self.parts.push((reason.clone(), d));
            }
        }
        Ok(())
    }

    fn finish(self, f: &mut Frame) -> f64 {
        let Deduction { total, parts } = self;
        let p = f.leaf.points;
        let score = (p - total).max(0.0);
        f.leaf.explain(|zh| {
            if parts.is_empty() {
                if zh {
                    cat!("未发现扣分事项，得满分 ", pts(score))
                } else {
                    cat!("nothing to deduct: full marks ", pts(score))
                }
            } else {
                let list = Deducted(&parts, if zh { "；" } else { "; " });
                match (zh, total > p) {
                    (true, false) => cat!("满分 ", pts(p), "，", list, "，得分 ", pts(score)),
                    (true, true) => cat!("满分 ", pts(p), "，", list, "，扣分超过分值，以 0 分计"),
                    (false, false) => cat!(pts(p), " points, ", list, ": ", pts(score)),
                    (false, true) => cat!(
                        pts(p),
                        " points, ",
                        list,
                        ": deductions exceed the points, scored 0"
                    ),
                }
            }
        });
        score
    }
}

/// A checked value as the script sees it.
pub(crate) fn to_dynamic(v: &Val) -> Dynamic {
    match v {
        Val::Num(n) => Dynamic::from_float(*n),
        // Whole numbers reach scripts as floats too: `delivered / contracted` must not be
        // integer division, which would silently turn 70 / 80 into 0.
        #[allow(clippy::cast_precision_loss)] // validated below 2^53
        Val::Int(i) => Dynamic::from_float(*i as f64),
        Val::Bool(b) => Dynamic::from_bool(*b),
        Val::Text(s) => Dynamic::from(s.clone()),
        Val::Grade { fraction, .. } => Dynamic::from_float(*fraction),
        Val::Table(rows) => rows_dynamic(rows),
    }
}

/// The rows as scripts see them: an array of maps.
pub(crate) fn rows_dynamic(rows: &[crate::submission::table::Row]) -> Dynamic {
    let arr: rhai::Array = rows
        .iter()
        .map(|row| {
            // Inserted one by one (the row is in key order already): collecting into a
            // BTreeMap sorts first, another copy of the sort code in the WASM module.
            let mut map = rhai::Map::new();
            for (k, v) in row {
                map.insert(k.as_str().into(), to_dynamic(v));
            }
            Dynamic::from_map(map)
        })
        .collect();
    Dynamic::from_array(arr)
}

/// Where a script error happened, as a line within the script (1-based) and column.
pub(crate) fn position_of(pos: Position) -> (Option<u32>, Option<u32>) {
    let c = |x: Option<usize>| x.and_then(|v| u32::try_from(v).ok());
    (c(pos.line()), c(pos.position()))
}

/// The explanation of a script that returned a bare number without calling a helper.
pub(crate) fn default_explanation(lang: Lang, score: f64) -> String {
    match lang {
        Lang::Zh => cat!("得分 ", pts(score)),
        Lang::En => cat!("score ", pts(score)),
    }
}
