//! The scoring helpers (评分方法) rule authors call, one file per method with its zh/en texts,
//! and what they share: the arguments as compiled ([`Arg`], [`Known`]), the subject they score
//! ([`Subject`], taken as printed), their errors ([`HelperError`]) and what they read and
//! write while a script runs ([`Frame`]).
//!
//! A helper is handed its [`Frame`]: the evaluation's values and metric table, read only, and
//! the leaf's [`LeafState`] to record findings in. The native paths pass it to
//! [`call_helper_with`] directly; scripts run in Rhai reach it through [`with_frame`], from
//! what the evaluator lends for the length of the run ([`lend_to_rhai`]).

mod deduct;
mod grade;
mod linear;
mod proportional;
mod satisfaction;
pub(crate) mod target_table;
mod tiered;
mod yes_no;

use deduct::deduct;
pub(crate) use deduct::deduct_rows;
use grade::grade;
use linear::linear;
use proportional::proportional;
use satisfaction::satisfaction;
use tiered::{bands, tiered};
use yes_no::yes_no;

use crate::error::quoted;
use crate::limits::{MAX_FINDINGS, MAX_RECORDED_BYTES};
use crate::scorecard::{Finding, Text};
use crate::submission::Val;
use crate::text;
use crate::text::cat;
use crate::text::{Lang, ValueFmt, percent_trimmed, pts, round_score, trim_num};
use rhai::{Dynamic, EvalAltResult, Position};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

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

/// What a helper reads and writes: the evaluation's metric table and values by metric
/// index (inputs, then the KPIs computed so far), and the state of the leaf being scored.
pub(crate) struct Frame<'e> {
    pub table: &'e MetricTable,
    /// Values by metric index for the current submission.
    pub values: &'e [Option<Val>],
    pub leaf: &'e mut LeafState,
}

/// The recording state of the leaf (or KPI) being scored: its points, trace and language,
/// and the findings, explanation and flag its script has recorded so far.
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
                // allocated at `push`'s first capacity directly rather than through its
                // growth path. Kept although it saves under 2 % (bench40 −1.0 %, gov-it-post
                // −1.6 % instructions per evaluation): with every such trick dropped,
                // gov-it-post came to +5.6 % over the build before issue 14's redesign.
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

/// What an evaluation lends the helpers while a script runs in Rhai. Rhai calls the
/// functions `script` registers with their arguments and its own context only (its per-call
/// tag would have to be `Send + Sync` and be downcast on every call), so for the length of one
/// Rhai run the evaluator moves its values and the leaf's state in here ([`lend_to_rhai`])
/// and takes them back after. This is the only evaluation state kept per thread, and it is
/// empty whenever no script is running in Rhai on the thread.
#[derive(Default)]
struct Lent {
    table: Option<Arc<MetricTable>>,
    values: Vec<Option<Val>>,
    leaf: LeafState,
}

thread_local! {
    static LENT: RefCell<Lent> = RefCell::new(Lent::default());
}

/// Run `run` (a Rhai run) with `values` and `leaf` lent to the helpers it calls; both are
/// moved in and back, not copied.
pub(crate) fn lend_to_rhai<T>(
    table: &Arc<MetricTable>,
    values: &mut Vec<Option<Val>>,
    leaf: &mut LeafState,
    run: impl FnOnce() -> T,
) -> T {
    let swap = |lent: &mut Lent, values: &mut Vec<Option<Val>>, leaf: &mut LeafState| {
        std::mem::swap(&mut lent.values, values);
        std::mem::swap(&mut lent.leaf, leaf);
    };
    LENT.with_borrow_mut(|lent| {
        lent.table = Some(Arc::clone(table));
        swap(lent, values, leaf);
    });
    let result = run();
    LENT.with_borrow_mut(|lent| {
        lent.table = None;
        swap(lent, values, leaf);
    });
    result
}

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

/// Resolve a helper's subject: a metric id (string, found at compile time as a rule) or a
/// number, taken as printed.
fn subject<'t>(
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
pub(crate) fn metric<'t>(
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
pub(crate) fn arg_number(
    pos: Position,
    zh: bool,
    d: Arg<'_>,
    helper: &str,
    what: &str,
) -> RhaiResult<f64> {
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

/// Run `f` with the frame lent to a Rhai run (an empty one outside [`lend_to_rhai`], as when
/// the compiler measures a script's cost).
pub(crate) fn with_frame<T>(f: impl FnOnce(&mut Frame<'_>) -> T) -> T {
    static NO_TABLE: std::sync::LazyLock<MetricTable> =
        std::sync::LazyLock::new(MetricTable::default);
    LENT.with_borrow_mut(|lent| {
        let Lent {
            table,
            values,
            leaf,
        } = lent;
        // The stand-in is forced only when there is no table, not on every call.
        let table = table.as_deref().unwrap_or_else(|| &NO_TABLE);
        f(&mut Frame {
            table,
            values,
            leaf,
        })
    })
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

/// The scoring helpers. Each is one Rust function called the same way from Rhai and from
/// native programs (`native`), so both give identical results, texts and errors.
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
    let args: smallvec::SmallVec<[Arg<'_>; 3]> = args.iter().map(|a| Arg::of(a)).collect();
    with_frame(|f| call_helper_with(f, h, pos, &args))
}

/// Call a helper with its arguments and what is known of them (a compiled call's literals).
pub(crate) fn call_helper_with(
    f: &mut Frame<'_>,
    h: Helper,
    pos: Position,
    args: &[Arg<'_>],
) -> RhaiResult<f64> {
    let table = f.table;
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
        Helper::TargetTable => {
            target_table::target_table(pos, table, f, arg(0).value, args.get(1).map(|a| a.value))
        }
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
        Val::Table(t) => rows_dynamic(&t.rows),
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

/// The explanation of a script that returned a bare number without calling a helper.
pub(crate) fn default_explanation(lang: Lang, score: f64) -> String {
    match lang {
        Lang::Zh => cat!("得分 ", pts(score)),
        Lang::En => cat!("score ", pts(score)),
    }
}
