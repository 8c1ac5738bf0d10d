//! The Rhai sandbox and the scoring helpers (评分方法) rule authors call.
//!
//! One `rhai::Engine` is built per compiled rulebook and shared by every evaluation and
//! thread. Helpers need per-evaluation data (the leaf's points, the values by id, where to
//! put findings); they find it in a thread-local [`Frame`] the evaluator fills before each
//! script runs. A thread-local rather than Rhai's tag keeps the hot path free of locks and
//! `Arc` traffic, and works the same natively, under rayon and in WASM.

use crate::model::{InputType, KpiFormat};
use crate::scorecard::{Finding, round_score};
use crate::submission::{Val, parse_date};
use rhai::{Dynamic, EvalAltResult, NativeCallContext, Position};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Operations one script may perform: a scoring script needs a few hundred; a runaway loop
/// hits this in well under 100 ms.
pub(crate) const MAX_OPERATIONS: u64 = 100_000;
pub(crate) const MAX_CALL_LEVELS: usize = 32;
pub(crate) const MAX_STRING: usize = 10_000;
pub(crate) const MAX_ARRAY: usize = 10_000;
pub(crate) const MAX_MAP: usize = 1_000;

/// The language of generated explanations and findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN", alias = "zh")]
    Zh,
    #[serde(rename = "en")]
    En,
}

/// Names and formats of inputs and KPIs, by metric index (inputs first, then KPIs).
#[derive(Debug, Default)]
pub(crate) struct MetricTable {
    pub metas: Vec<MetricMeta>,
    pub by_name: HashMap<String, usize>,
    /// Level labels of grade inputs, best first, for spotting expert disagreement.
    pub grade_scales: HashMap<usize, Vec<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct MetricMeta {
    pub id: String,
    pub label: String,
    pub label_en: Option<String>,
    pub fmt: ValueFmt,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueFmt {
    Number,
    Percent,
    Integer,
    Other,
}

impl ValueFmt {
    pub fn of_input(t: InputType) -> Self {
        match t {
            InputType::Number => ValueFmt::Number,
            InputType::Percent | InputType::Grade => ValueFmt::Percent,
            InputType::Integer => ValueFmt::Integer,
            _ => ValueFmt::Other,
        }
    }
    pub fn of_kpi(f: KpiFormat) -> Self {
        match f {
            KpiFormat::Number => ValueFmt::Number,
            KpiFormat::Percent => ValueFmt::Percent,
        }
    }
}

/// Format a value as a report prints it: 92.30%, 98694.55 万元, 12.
pub(crate) fn format_value(v: f64, fmt: ValueFmt, unit: Option<&str>) -> String {
    match fmt {
        ValueFmt::Percent => format!("{:.2}%", v * 100.0),
        ValueFmt::Integer => format!("{v}"),
        ValueFmt::Number | ValueFmt::Other => match unit {
            Some(u) if !u.is_empty() => format!("{}{u}", trim_num(v)),
            _ => trim_num(v),
        },
    }
}

/// A threshold in the subject's scale, trimmed: 95%, 0.5.
fn format_threshold(v: f64, fmt: ValueFmt, unit: Option<&str>) -> String {
    match fmt {
        ValueFmt::Percent => format!("{}%", trim_num(v * 100.0)),
        _ => format_value(v, fmt, unit),
    }
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn pts(v: f64) -> String {
    round_score(v).to_string()
}

/// Per-thread evaluation state the helpers read and write.
#[derive(Debug, Default)]
pub(crate) struct Frame {
    pub table: Option<Arc<MetricTable>>,
    /// Values by metric index for the current submission.
    pub values: Vec<Option<Val>>,
    pub leaf: LeafState,
}

#[derive(Debug, Default)]
pub(crate) struct LeafState {
    pub points: f64,
    pub trace: bool,
    pub lang: Lang,
    pub explanation: Vec<String>,
    pub findings: Vec<Finding>,
    pub flag: Option<String>,
}

impl LeafState {
    pub fn reset(&mut self, points: f64, trace: bool, lang: Lang) {
        self.points = points;
        self.trace = trace;
        self.lang = lang;
        self.explanation.clear();
        self.findings.clear();
        self.flag = None;
    }
    fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    fn explain(&mut self, text: impl FnOnce(bool) -> String) {
        if self.trace {
            let zh = self.zh();
            self.explanation.push(text(zh));
        }
    }
    fn find(&mut self, text: impl FnOnce(bool) -> String, deduction: Option<f64>) {
        let zh = self.zh();
        self.findings.push(Finding {
            message: text(zh),
            deduction: deduction.map(round_score),
        });
    }
    /// Record the points lost by a helper whose result is below full marks.
    fn lost(&mut self, score: f64, text: impl FnOnce(bool, &str) -> String) {
        let lost = self.points - score;
        if lost > 1e-9 {
            let l = pts(lost);
            self.find(|zh| text(zh, &l), Some(lost));
        }
    }
}

thread_local! {
    pub(crate) static FRAME: RefCell<Frame> = RefCell::new(Frame::default());
}

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

fn fail<T>(ctx: &NativeCallContext, zh: bool, msg_zh: String, msg_en: String) -> RhaiResult<T> {
    Err(EvalAltResult::ErrorRuntime(
        Dynamic::from(if zh { msg_zh } else { msg_en }),
        ctx.call_position(),
    )
    .into())
}

/// What a helper is measuring: a metric named by id (label and format known) or a bare number.
struct Subject {
    label: String,
    value: f64,
    fmt: ValueFmt,
    unit: Option<String>,
}

impl Subject {
    fn show(&self) -> String {
        format_value(self.value, self.fmt, self.unit.as_deref())
    }
    fn show_t(&self, t: f64) -> String {
        format_threshold(t, self.fmt, self.unit.as_deref())
    }
}

fn number(d: &Dynamic) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)] // script integers are small counts
    d.as_float()
        .ok()
        .or_else(|| d.as_int().ok().map(|i| i as f64))
}

fn subject(
    ctx: &NativeCallContext,
    frame: &Frame,
    d: &Dynamic,
    helper: &str,
) -> RhaiResult<Subject> {
    let zh = frame.leaf.zh();
    if let Some(v) = number(d) {
        return Ok(Subject {
            label: if zh {
                "实际值".into()
            } else {
                "value".into()
            },
            value: v,
            fmt: ValueFmt::Number,
            unit: None,
        });
    }
    let Some(name) = d.read_lock::<rhai::ImmutableString>() else {
        return fail(
            ctx,
            zh,
            format!(
                "{helper}() 的第一个参数应为数据项/绩效指标的 id（字符串）或数字，收到 {}",
                d.type_name()
            ),
            format!(
                "the first argument of {helper}() must be an input/KPI id (string) or a number, got {}",
                d.type_name()
            ),
        );
    };
    let table = frame.table.as_deref();
    let Some((idx, meta)) =
        table.and_then(|t| t.by_name.get(name.as_str()).map(|&i| (i, &t.metas[i])))
    else {
        return fail(
            ctx,
            zh,
            format!("未知的数据项或绩效指标 “{}”", name.as_str()),
            format!("unknown input or KPI “{}”", name.as_str()),
        );
    };
    let label = if zh {
        meta.label.clone()
    } else {
        meta.label_en.clone().unwrap_or_else(|| meta.label.clone())
    };
    let value = match frame.values.get(idx).and_then(Option::as_ref) {
        Some(Val::Num(v)) => *v,
        #[allow(clippy::cast_precision_loss)]
        Some(Val::Int(i)) => *i as f64,
        Some(Val::Grade { fraction, .. }) => *fraction,
        Some(_) => {
            return fail(
                ctx,
                zh,
                format!("{helper}() 需要数值，而 {label} 不是数值"),
                format!("{helper}() needs a number, and {label} is not one"),
            );
        }
        None => {
            return fail(
                ctx,
                zh,
                format!("{label} 未填写"),
                format!("{label} is not filled in"),
            );
        }
    };
    Ok(Subject {
        label,
        value,
        fmt: meta.fmt,
        unit: meta.unit.clone(),
    })
}

fn arg_number(
    ctx: &NativeCallContext,
    zh: bool,
    d: &Dynamic,
    helper: &str,
    what: &str,
) -> RhaiResult<f64> {
    match number(d) {
        Some(v) if v.is_finite() => Ok(v),
        _ => fail(
            ctx,
            zh,
            format!("{helper}() 的参数 {what} 应为数字，收到 {}", d.type_name()),
            format!("{helper}(): {what} must be a number, got {}", d.type_name()),
        ),
    }
}

fn with_frame<T>(f: impl FnOnce(&mut Frame) -> T) -> T {
    FRAME.with_borrow_mut(f)
}

/// Build the sandboxed Rhai engine with every helper registered.
pub(crate) fn sandbox() -> rhai::Engine {
    let mut e = rhai::Engine::new();
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
    register_helpers(&mut e);
    e
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
];

fn register_helpers(e: &mut rhai::Engine) {
    // proportional(subject, target): points × min(v / target, 1) — 比率得分, higher is better.
    e.register_fn(
        "proportional",
        |ctx: NativeCallContext, s: Dynamic, target: Dynamic| -> RhaiResult<f64> {
            with_frame(|f| {
                let zh = f.leaf.zh();
                let s = subject(&ctx, f, &s, "proportional")?;
                let t = arg_number(&ctx, zh, &target, "proportional", "target")?;
                if t <= 0.0 {
                    return fail(
                        &ctx,
                        zh,
                        "proportional() 的目标值须大于 0".into(),
                        "proportional(): target must be positive".into(),
                    );
                }
                let p = f.leaf.points;
                let score = p * (s.value / t).clamp(0.0, 1.0);
                let (v, ts, sc) = (s.show(), s.show_t(t), pts(score));
                if s.value >= t {
                    f.leaf.explain(|zh| {
                        if zh {
                            format!("{} {v}，达到 {ts}，得满分 {sc}", s.label)
                        } else {
                            format!("{} {v} reaches {ts}: full marks {sc}", s.label)
                        }
                    });
                } else {
                    f.leaf.explain(|zh| {
                        if zh {
                            format!("{} {v}，低于 {ts}，按比例得分 {sc}", s.label)
                        } else {
                            format!("{} {v} is below {ts}: proportional score {sc}", s.label)
                        }
                    });
                    f.leaf.lost(score, |zh, l| {
                        if zh {
                            format!("{} {v}，未达到 {ts}，扣 {l} 分", s.label)
                        } else {
                            format!("{} {v} is below {ts}: {l} points lost", s.label)
                        }
                    });
                }
                Ok(score)
            })
        },
    );

    // proportional_reverse(subject, target): lower is better — full at or below target,
    // points × target / v above it.
    e.register_fn(
        "proportional_reverse",
        |ctx: NativeCallContext, s: Dynamic, target: Dynamic| -> RhaiResult<f64> {
            with_frame(|f| {
                let zh = f.leaf.zh();
                let s = subject(&ctx, f, &s, "proportional_reverse")?;
                let t = arg_number(&ctx, zh, &target, "proportional_reverse", "target")?;
                if t < 0.0 {
                    return fail(
                        &ctx,
                        zh,
                        "proportional_reverse() 的目标值不能为负".into(),
                        "proportional_reverse(): target must not be negative".into(),
                    );
                }
                let p = f.leaf.points;
                let score = if s.value <= t {
                    p
                } else {
                    p * (t / s.value).clamp(0.0, 1.0)
                };
                let (v, ts, sc) = (s.show(), s.show_t(t), pts(score));
                if s.value <= t {
                    f.leaf.explain(|zh| {
                        if zh {
                            format!("{} {v}，不高于 {ts}，得满分 {sc}", s.label)
                        } else {
                            format!("{} {v} is not above {ts}: full marks {sc}", s.label)
                        }
                    });
                } else {
                    f.leaf.explain(|zh| {
                        if zh {
                            format!("{} {v}，高于 {ts}，按比例得分 {sc}", s.label)
                        } else {
                            format!("{} {v} is above {ts}: proportional score {sc}", s.label)
                        }
                    });
                    f.leaf.lost(score, |zh, l| {
                        if zh {
                            format!("{} {v}，高于 {ts}，扣 {l} 分", s.label)
                        } else {
                            format!("{} {v} is above {ts}: {l} points lost", s.label)
                        }
                    });
                }
                Ok(score)
            })
        },
    );

    // linear(subject, zero_at, full_at): 0 points at zero_at, full at full_at, straight line
    // between, flat outside. Works both ways (zero_at > full_at means lower is better).
    e.register_fn(
        "linear",
        |ctx: NativeCallContext,
         s: Dynamic,
         zero_at: Dynamic,
         full_at: Dynamic|
         -> RhaiResult<f64> {
            with_frame(|f| {
                let zh = f.leaf.zh();
                let s = subject(&ctx, f, &s, "linear")?;
                let z = arg_number(&ctx, zh, &zero_at, "linear", "zero_at")?;
                let full = arg_number(&ctx, zh, &full_at, "linear", "full_at")?;
                if z == full {
                    return fail(
                        &ctx,
                        zh,
                        "linear() 的两个端点不能相同".into(),
                        "linear(): the two end points must differ".into(),
                    );
                }
                let p = f.leaf.points;
                let score = p * ((s.value - z) / (full - z)).clamp(0.0, 1.0);
                let (v, zs, fs, sc) = (s.show(), s.show_t(z), s.show_t(full), pts(score));
                f.leaf.explain(|zh| {
                    if zh {
                        format!(
                            "{} {v}，在 {zs}（0 分）与 {fs}（满分）之间线性计分，得分 {sc}",
                            s.label
                        )
                    } else {
                        format!(
                            "{} {v}, scored linearly between {zs} (0) and {fs} (full): {sc}",
                            s.label
                        )
                    }
                });
                f.leaf.lost(score, |zh, l| {
                    if zh {
                        format!("{} {v}，未达到满分线 {fs}，扣 {l} 分", s.label)
                    } else {
                        format!("{} {v} falls short of {fs}: {l} points lost", s.label)
                    }
                });
                Ok(score)
            })
        },
    );

    // tiered(subject, [[threshold, fraction], …]): 分档 — the highest threshold the value
    // reaches gives its fraction of the points; below every threshold scores 0.
    e.register_fn(
        "tiered",
        |ctx: NativeCallContext, s: Dynamic, bands: rhai::Array| -> RhaiResult<f64> {
            tiered(&ctx, s, &bands, false)
        },
    );
    // tiered_reverse(subject, [[threshold, fraction], …]): lower is better — the lowest
    // threshold the value stays at or under gives its fraction.
    e.register_fn(
        "tiered_reverse",
        |ctx: NativeCallContext, s: Dynamic, bands: rhai::Array| -> RhaiResult<f64> {
            tiered(&ctx, s, &bands, true)
        },
    );

    // yes_no(subject[, finding]): 是否制 — full marks for yes, 0 for no.
    fn yes_no(ctx: &NativeCallContext, s: &Dynamic, reason: Option<&str>) -> RhaiResult<f64> {
        with_frame(|f| {
            let zh = f.leaf.zh();
            let (label, yes) = if let Ok(b) = s.as_bool() {
                (
                    if zh {
                        "判断".to_string()
                    } else {
                        "check".to_string()
                    },
                    b,
                )
            } else if let Some(name) = s.read_lock::<rhai::ImmutableString>() {
                let table = f.table.as_deref();
                let found =
                    table.and_then(|t| t.by_name.get(name.as_str()).map(|&i| (i, &t.metas[i])));
                let Some((idx, meta)) = found else {
                    return fail(
                        ctx,
                        zh,
                        format!("未知的数据项 “{}”", name.as_str()),
                        format!("unknown input “{}”", name.as_str()),
                    );
                };
                let label = if zh {
                    meta.label.clone()
                } else {
                    meta.label_en.clone().unwrap_or_else(|| meta.label.clone())
                };
                match f.values.get(idx).and_then(Option::as_ref) {
                    Some(Val::Bool(b)) => (label, *b),
                    Some(_) => {
                        return fail(
                            ctx,
                            zh,
                            format!("yes_no() 需要是/否数据项，{label} 不是"),
                            format!("yes_no() needs a yes/no input; {label} is not one"),
                        );
                    }
                    None => {
                        return fail(
                            ctx,
                            zh,
                            format!("{label} 未填写"),
                            format!("{label} is not filled in"),
                        );
                    }
                }
            } else {
                return fail(
                    ctx,
                    zh,
                    "yes_no() 的参数应为是/否数据项的 id 或布尔值".into(),
                    "yes_no() takes a yes/no input id or a bool".into(),
                );
            };
            let p = f.leaf.points;
            let sc = pts(p);
            if yes {
                f.leaf.explain(|zh| {
                    if zh {
                        format!("{label}：是，得满分 {sc}")
                    } else {
                        format!("{label}: yes, full marks {sc}")
                    }
                });
                Ok(p)
            } else {
                f.leaf.explain(|zh| {
                    if zh {
                        format!("{label}：否，不得分")
                    } else {
                        format!("{label}: no, 0 points")
                    }
                });
                let reason = reason.map(str::to_string);
                f.leaf.find(
                    |zh| match reason {
                        Some(r) => format!("{r}，扣 {sc} 分"),
                        None if zh => format!("{label}：否，扣 {sc} 分"),
                        None => format!("{label}: no, {sc} points lost"),
                    },
                    Some(p),
                );
                Ok(0.0)
            }
        })
    }
    e.register_fn("yes_no", |ctx: NativeCallContext, s: Dynamic| {
        yes_no(&ctx, &s, None)
    });
    e.register_fn(
        "yes_no",
        |ctx: NativeCallContext, s: Dynamic, reason: rhai::ImmutableString| {
            yes_no(&ctx, &s, Some(reason.as_str()))
        },
    );

    // grade(subject): 专家评级 — the (aggregated) grade's fraction of the points, with the
    // individual grades in the explanation and a finding when experts disagree by ≥ 2 levels.
    e.register_fn(
        "grade",
        |ctx: NativeCallContext, s: rhai::ImmutableString| -> RhaiResult<f64> {
            with_frame(|f| {
                let zh = f.leaf.zh();
                let table = f.table.clone();
                let found = table
                    .as_deref()
                    .and_then(|t| t.by_name.get(s.as_str()).map(|&i| (i, &t.metas[i])));
                let Some((idx, meta)) = found else {
                    return fail(
                        &ctx,
                        zh,
                        format!("未知的数据项 “{s}”"),
                        format!("unknown input “{s}”"),
                    );
                };
                let label = if zh {
                    meta.label.clone()
                } else {
                    meta.label_en.clone().unwrap_or_else(|| meta.label.clone())
                };
                let (labels, fraction) = match f.values.get(idx).and_then(Option::as_ref) {
                    Some(Val::Grade { labels, fraction }) => (labels.clone(), *fraction),
                    Some(_) => {
                        return fail(
                            &ctx,
                            zh,
                            format!("grade() 需要专家评级数据项，{label} 不是"),
                            format!("grade() needs an expert-grade input; {label} is not one"),
                        );
                    }
                    None => {
                        return fail(
                            &ctx,
                            zh,
                            format!("{label} 未填写"),
                            format!("{label} is not filled in"),
                        );
                    }
                };
                let p = f.leaf.points;
                let score = p * fraction;
                let (sc, pct) = (
                    pts(score),
                    format_threshold(fraction, ValueFmt::Percent, None),
                );
                let joined = labels.join("、");
                if labels.len() == 1 {
                    f.leaf.explain(|zh| {
                        if zh {
                            format!("{label} 专家评级为 {joined}，得 {pct} 分值，得分 {sc}")
                        } else {
                            format!("{label}: expert grade {joined}, {pct} of the points: {sc}")
                        }
                    });
                } else {
                    let n = labels.len();
                    f.leaf.explain(|zh| {
                        if zh {
                            format!("{label} {n} 位专家评级 {joined}，综合 {pct}，得分 {sc}")
                        } else {
                            format!("{label}: {n} experts graded {joined}, combined {pct}: {sc}")
                        }
                    });
                }
                f.leaf.lost(score, |zh, l| {
                    if zh {
                        format!("{label} 专家评级 {joined}，扣 {l} 分")
                    } else {
                        format!("{label}: expert grade {joined}, {l} points lost")
                    }
                });
                // Disagreement: two experts two or more levels apart (e.g. 优 and 中).
                if let Some(metric) = f.table.clone()
                    && let Some(scale) = metric.grade_scales.get(&idx)
                {
                    let ranks: Vec<usize> = labels
                        .iter()
                        .filter_map(|l| scale.iter().position(|x| x == l))
                        .collect();
                    if let (Some(lo), Some(hi)) = (ranks.iter().min(), ranks.iter().max())
                        && hi - lo >= 2
                    {
                        let (a, b) = (scale[*lo].clone(), scale[*hi].clone());
                        f.leaf.find(
                            |zh| {
                                if zh {
                                    format!("{label} 专家意见分歧较大（{a}—{b}），建议复核")
                                } else {
                                    format!(
                                        "{label}: experts disagree widely ({a}–{b}); review advised"
                                    )
                                }
                            },
                            None,
                        );
                    }
                }
                Ok(score)
            })
        },
    );

    // satisfaction(subject, threshold): 满意度 — full at or above the threshold, else
    // points × rate / threshold.
    e.register_fn(
        "satisfaction",
        |ctx: NativeCallContext, s: Dynamic, threshold: Dynamic| -> RhaiResult<f64> {
            with_frame(|f| {
                let zh = f.leaf.zh();
                let s = subject(&ctx, f, &s, "satisfaction")?;
                let t = arg_number(&ctx, zh, &threshold, "satisfaction", "threshold")?;
                if t <= 0.0 {
                    return fail(
                        &ctx,
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
                let (v, ts, sc) = (s.show(), s.show_t(t), pts(score));
                if s.value >= t {
                    f.leaf.explain(|zh| {
                        if zh {
                            format!("{} {v}，达到 {ts}，得满分 {sc}", s.label)
                        } else {
                            format!("{} {v} reaches {ts}: full marks {sc}", s.label)
                        }
                    });
                } else {
                    f.leaf.explain(|zh| {
                        if zh {
                            format!("{} {v}，低于 {ts}，按比例得分 {sc}", s.label)
                        } else {
                            format!("{} {v} is below {ts}: proportional score {sc}", s.label)
                        }
                    });
                    f.leaf.lost(score, |zh, l| {
                        if zh {
                            format!("{} {v}，低于 {ts}，扣 {l} 分", s.label)
                        } else {
                            format!("{} {v} is below {ts}: {l} points lost", s.label)
                        }
                    });
                }
                Ok(score)
            })
        },
    );

    // deduct([[condition_or_count, points_each, reason], …]): 扣分制 — start from full
    // marks, deduct per finding, never below 0. A bool deducts once when true; an integer
    // deducts that many times.
    e.register_fn("deduct", |ctx: NativeCallContext, items: rhai::Array| -> RhaiResult<f64> {
        with_frame(|f| {
            let zh = f.leaf.zh();
            let p = f.leaf.points;
            let mut total = 0.0;
            let mut parts = Vec::new();
            for item in &items {
                let Some(arr) = item.read_lock::<rhai::Array>() else {
                    return fail(&ctx, zh, "deduct() 的每一项应为 [条件或次数, 每次扣分, 原因]".into(), "deduct(): each item is [condition or count, points each, reason]".into());
                };
                let [cond, each, reason] = arr.as_slice() else {
                    return fail(&ctx, zh, "deduct() 的每一项应为 [条件或次数, 每次扣分, 原因]".into(), "deduct(): each item is [condition or count, points each, reason]".into());
                };
                let times = if let Ok(b) = cond.as_bool() {
                    f64::from(u8::from(b))
                } else if let Some(n) = number(cond).filter(|n| n.is_finite() && n.fract() == 0.0) {
                    n.max(0.0)
                } else {
                    return fail(&ctx, zh, format!("deduct() 的条件应为布尔值或整数次数，收到 {cond}"), format!("deduct(): the condition must be a bool or a whole count, got {cond}"));
                };
                let each = arg_number(&ctx, zh, each, "deduct", "points_each")?;
                if each < 0.0 {
                    return fail(&ctx, zh, "deduct() 的扣分不能为负".into(), "deduct(): points deducted must not be negative".into());
                }
                let reason = reason.to_string();
                if times > 0.0 && each > 0.0 {
                    let d = times * each;
                    total += d;
                    let ds = pts(d);
                    let r2 = reason.clone();
                    let n = trim_num(times);
                    f.leaf.find(move |zh| if times > 1.0 { if zh { format!("{r2}（计 {n} 次），扣 {ds} 分") } else { format!("{r2} (×{n}): {ds} points deducted") } } else if zh { format!("{r2}，扣 {ds} 分") } else { format!("{r2}: {ds} points deducted") }, Some(d));
                    parts.push((reason, d));
                }
            }
            let score = (p - total).max(0.0);
            let (full, sc) = (pts(p), pts(score));
            f.leaf.explain(|zh| {
                if parts.is_empty() {
                    if zh { format!("未发现扣分事项，得满分 {sc}") } else { format!("nothing to deduct: full marks {sc}") }
                } else {
                    let list = parts.iter().map(|(r, d)| format!("{r} −{}", pts(*d))).collect::<Vec<_>>().join(if zh { "；" } else { "; " });
                    let floor = total > p;
                    match (zh, floor) {
                        (true, false) => format!("满分 {full}，{list}，得分 {sc}"),
                        (true, true) => format!("满分 {full}，{list}，扣分超过分值，以 0 分计"),
                        (false, false) => format!("{full} points, {list}: {sc}"),
                        (false, true) => format!("{full} points, {list}: deductions exceed the points, scored 0"),
                    }
                }
            });
            Ok(score)
        })
    });

    // full([reason]) / zero(reason) / award(score, reason): explicit results with words.
    e.register_fn("full", || -> f64 {
        with_frame(|f| {
            let p = f.leaf.points;
            let sc = pts(p);
            f.leaf.explain(|zh| {
                if zh {
                    format!("得满分 {sc}")
                } else {
                    format!("full marks {sc}")
                }
            });
            p
        })
    });
    e.register_fn("full", |reason: rhai::ImmutableString| -> f64 {
        with_frame(|f| {
            let p = f.leaf.points;
            let sc = pts(p);
            f.leaf.explain(|zh| {
                if zh {
                    format!("{reason}，得满分 {sc}")
                } else {
                    format!("{reason}: full marks {sc}")
                }
            });
            p
        })
    });
    e.register_fn("zero", |reason: rhai::ImmutableString| -> f64 {
        with_frame(|f| {
            let p = f.leaf.points;
            let sc = pts(p);
            f.leaf.explain(|zh| {
                if zh {
                    format!("{reason}，不得分")
                } else {
                    format!("{reason}: 0 points")
                }
            });
            f.leaf.find(
                |zh| {
                    if zh {
                        format!("{reason}，扣 {sc} 分")
                    } else {
                        format!("{reason}: {sc} points lost")
                    }
                },
                Some(p),
            );
            0.0
        })
    });
    e.register_fn(
        "award",
        |ctx: NativeCallContext,
         score: Dynamic,
         reason: rhai::ImmutableString|
         -> RhaiResult<f64> {
            with_frame(|f| {
                let zh = f.leaf.zh();
                let s = arg_number(&ctx, zh, &score, "award", "score")?;
                let sc = pts(s);
                f.leaf.explain(|zh| {
                    if zh {
                        format!("{reason}，得分 {sc}")
                    } else {
                        format!("{reason}: {sc}")
                    }
                });
                f.leaf.lost(s, |zh, l| {
                    if zh {
                        format!("{reason}，扣 {l} 分")
                    } else {
                        format!("{reason}: {l} points lost")
                    }
                });
                Ok(s)
            })
        },
    );

    // finding(text): record 扣分原因 / 存在问题. flag(text): e.g. 红/黄/绿. explain(text).
    e.register_fn("finding", |text: rhai::ImmutableString| {
        with_frame(|f| {
            f.leaf.findings.push(Finding {
                message: text.to_string(),
                deduction: None,
            })
        });
    });
    e.register_fn("flag", |text: rhai::ImmutableString| {
        with_frame(|f| f.leaf.flag = Some(text.to_string()));
    });
    e.register_fn("explain", |text: rhai::ImmutableString| {
        with_frame(|f| f.leaf.explain(|_| text.to_string()));
    });

    // days_between(from, to): whole days from one date to the other (to − from).
    e.register_fn(
        "days_between",
        |ctx: NativeCallContext, from: Dynamic, to: Dynamic| -> RhaiResult<i64> {
            let zh = with_frame(|f| f.leaf.zh());
            let day = |d: &Dynamic| {
                d.read_lock::<rhai::ImmutableString>()
                    .and_then(|s| parse_date(s.as_str()))
            };
            match (day(&from), day(&to)) {
                (Some(a), Some(b)) => Ok(b - a),
                _ => fail(
                    &ctx,
                    zh,
                    format!(
                        "days_between() 需要两个日期（YYYY-MM-DD），收到 {} 和 {}",
                        from, to
                    ),
                    format!("days_between() needs two dates (YYYY-MM-DD), got {from} and {to}"),
                ),
            }
        },
    );

    // ratio(a, b): a / b as a float, with a clear error instead of infinity when b is 0.
    e.register_fn(
        "ratio",
        |ctx: NativeCallContext, a: Dynamic, b: Dynamic| -> RhaiResult<f64> {
            let zh = with_frame(|f| f.leaf.zh());
            let a = arg_number(&ctx, zh, &a, "ratio", "a")?;
            let b = arg_number(&ctx, zh, &b, "ratio", "b")?;
            if b == 0.0 {
                return fail(
                    &ctx,
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
        |ctx: NativeCallContext, id: rhai::ImmutableString| -> RhaiResult<Dynamic> {
            with_frame(|f| {
                let zh = f.leaf.zh();
                let idx = f
                    .table
                    .as_deref()
                    .and_then(|t| t.by_name.get(id.as_str()).copied());
                match idx {
                    Some(i) => Ok(f
                        .values
                        .get(i)
                        .and_then(Option::as_ref)
                        .map_or(Dynamic::UNIT, to_dynamic)),
                    None => fail(
                        &ctx,
                        zh,
                        format!("未知的数据项或绩效指标 “{id}”"),
                        format!("unknown input or KPI “{id}”"),
                    ),
                }
            })
        },
    );
}

fn tiered(
    ctx: &NativeCallContext,
    s: Dynamic,
    bands: &rhai::Array,
    reverse: bool,
) -> RhaiResult<f64> {
    with_frame(|f| {
        let zh = f.leaf.zh();
        let helper = if reverse { "tiered_reverse" } else { "tiered" };
        let s = subject(ctx, f, &s, helper)?;
        let mut parsed = Vec::with_capacity(bands.len());
        for b in bands {
            let pair = b.read_lock::<rhai::Array>();
            let pair = pair.as_deref().and_then(|a| match a.as_slice() {
                [t, fr] => Some((number(t)?, number(fr)?)),
                _ => None,
            });
            match pair {
                Some((t, fr)) if (0.0..=1.0).contains(&fr) && t.is_finite() => parsed.push((t, fr)),
                _ => {
                    return fail(
                        ctx,
                        zh,
                        format!("{helper}() 的每一档应为 [门槛, 得分比例 0–1]"),
                        format!("{helper}(): each band is [threshold, fraction 0–1]"),
                    );
                }
            }
        }
        if parsed.is_empty() {
            return fail(
                ctx,
                zh,
                format!("{helper}() 至少需要一档"),
                format!("{helper}() needs at least one band"),
            );
        }
        // Higher is better: check the highest threshold first; lower is better: the lowest.
        parsed.sort_by(|a, b| {
            if reverse {
                a.0.total_cmp(&b.0)
            } else {
                b.0.total_cmp(&a.0)
            }
        });
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
        let v = s.show();
        let score = match hit {
            Some((t, fr)) => {
                let score = p * fr;
                let (ts, pct, sc) = (
                    s.show_t(t),
                    format_threshold(fr, ValueFmt::Percent, None),
                    pts(score),
                );
                let op = if reverse { "≤" } else { "≥" };
                f.leaf.explain(|zh| {
                    if zh {
                        format!("{} {v}，{op} {ts}，得 {pct} 分值，得分 {sc}", s.label)
                    } else {
                        format!("{} {v} {op} {ts}: {pct} of the points, {sc}", s.label)
                    }
                });
                f.leaf.lost(score, |zh, l| {
                    if zh {
                        format!("{} {v}，处于 {op} {ts} 档，扣 {l} 分", s.label)
                    } else {
                        format!("{} {v} is in the {op} {ts} band: {l} points lost", s.label)
                    }
                });
                score
            }
            None => {
                let last = parsed.last().map_or(0.0, |b| b.0);
                let ts = s.show_t(last);
                let word = if reverse {
                    ("高于", "above")
                } else {
                    ("低于", "below")
                };
                f.leaf.explain(|zh| {
                    if zh {
                        format!("{} {v}，{}最低档门槛 {ts}，不得分", s.label, word.0)
                    } else {
                        format!("{} {v} is {} the last band {ts}: 0 points", s.label, word.1)
                    }
                });
                f.leaf.lost(0.0, |zh, l| {
                    if zh {
                        format!("{} {v}，{} {ts}，扣 {l} 分", s.label, word.0)
                    } else {
                        format!("{} {v} is {} {ts}: {l} points lost", s.label, word.1)
                    }
                });
                0.0
            }
        };
        Ok(score)
    })
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
    }
}

/// Where a script error happened, as a line within the script (1-based) and column.
pub(crate) fn position_of(pos: Position) -> (Option<u32>, Option<u32>) {
    let c = |x: Option<usize>| x.and_then(|v| u32::try_from(v).ok());
    (c(pos.line()), c(pos.position()))
}

/// The explanation of a script that returned a bare number without calling a helper.
pub(crate) fn default_explanation(lang: Lang, score: f64) -> String {
    match lang {
        Lang::Zh => format!("得分 {}", pts(score)),
        Lang::En => format!("score {}", pts(score)),
    }
}
