//! The Rhai sandbox: the engine that compiles every script of a rulebook and runs those the
//! native paths do not, with the helpers registered, the standard library shared, and the
//! operations budget (`budget.rs`) installed.
//!
//! One `rhai::Engine` is built per compiled rulebook and shared by every evaluation and
//! thread.

pub(crate) mod budget;

use crate::error::quoted;
use crate::helpers::{
    Arg, Helper, RECORDED_TEXT, RhaiResult, arg_number, call_helper, fail, metric, to_dynamic,
    with_frame,
};
use crate::limits::{MAX_ARRAY, MAX_CALL_LEVELS, MAX_MAP, MAX_OPERATIONS, MAX_STRING};
use crate::submission::parse_date;
use crate::text::cat;
use rhai::{Dynamic, EvalAltResult, NativeCallContext, Position};

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

rhai::def_package! {
    /// What scoring scripts have of Rhai's standard library: all of its `StandardPackage`
    /// but byte buffers (`blob`) and bit fields (`get_bit`, `set_bits` …), which scoring has
    /// no use for and which cost the full WebAssembly module 8.3 KB gzip (542.8 → 534.5 KB).
    ScoringLibrary(lib):
        rhai::packages::CorePackage,
        rhai::packages::LogicPackage,
        rhai::packages::BasicMathPackage,
        rhai::packages::BasicArrayPackage,
        rhai::packages::BasicMapPackage,
        rhai::packages::MoreStringPackage
    {
        // The base packages mark `lib` as a standard library (as `StandardPackage` does).
        let _ = lib;
    }
}

/// Scripts' standard library ([`ScoringLibrary`]), shared by every rulebook's engine that is alive (`Engine::new`
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
    let standard = ScoringLibrary::new().as_shared_module();
    *shared = rhai::Shared::downgrade(&standard);
    standard
}

fn register_helpers(e: &mut rhai::Engine) {
    register_scoring(e);
    register_texts(e);
    register_no_sleep(e);
    register_values(e);
}

/// The scoring helpers (评分方法), each through the dispatch the native paths use too.
fn register_scoring(e: &mut rhai::Engine) {
    macro_rules! helper {
        ($name:literal, $h:expr, ($($a:ident),*)) => {
            e.register_fn($name, |ctx: NativeCallContext, $($a: Dynamic),*| -> RhaiResult<f64> {
                call_helper($h, ctx.call_position(), &[$(&$a),*])
            });
        };
    }
    helper!("proportional", Helper::Proportional, (s, target));
    crate::helpers::target_table::register(e);
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
}

/// finding / explain / flag: what a script says, in one language or both.
fn register_texts(e: &mut rhai::Engine) {
    // finding(text): record 扣分原因 / 存在问题. flag(text): e.g. 红/黄/绿. explain(text).
    // Past the recording limits these stop the script at once (a loop would otherwise run
    // to the operations limit, recording nothing).
    let recorded = |ctx: &NativeCallContext| -> RhaiResult<()> {
        if with_frame(|f| f.leaf.overflow) {
            Err(EvalAltResult::ErrorDataTooLarge(RECORDED_TEXT.into(), ctx.call_position()).into())
        } else {
            Ok(())
        }
    };
    e.register_fn(
        "finding",
        move |ctx: NativeCallContext, text: rhai::ImmutableString| -> RhaiResult<()> {
            with_frame(|f| f.leaf.find(|_| text.to_string(), None));
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
            with_frame(|f| {
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
            with_frame(|f| {
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
        with_frame(|f| f.leaf.flag = Some(text.to_string()));
    });
    e.register_fn(
        "explain",
        move |ctx: NativeCallContext, text: rhai::ImmutableString| -> RhaiResult<()> {
            with_frame(|f| f.leaf.explain(|_| text.to_string()));
            recorded(&ctx)
        },
    );
}

/// `sleep` refused by name.
fn register_no_sleep(e: &mut rhai::Engine) {
    // Rhai's core package has `sleep()`, which blocks the thread (and panics on wasm32):
    // these take precedence and refuse.
    let no_sleep = |ctx: NativeCallContext| -> RhaiResult<()> {
        fail(
            ctx.call_position(),
            with_frame(|f| f.leaf.zh()),
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
}

/// days_between, ratio, value_of: values a script works with.
fn register_values(e: &mut rhai::Engine) {
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
            let zh = with_frame(|f| f.leaf.zh());
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
            with_frame(|f| {
                let (i, _) = metric(
                    ctx.call_position(),
                    f.table,
                    f.leaf.zh(),
                    Arg::of(&id),
                    "value_of",
                )?;
                match f.values.get(i).and_then(Option::as_ref) {
                    Some(v) if !v.readable_whole() => {
                        let name = f.table.metas[i].id.clone();
                        fail(
                            ctx.call_position(),
                            f.leaf.zh(),
                            format!("{name} 有填写有误的单元格，不能整体读取"),
                            format!(
                                "{name} has cells that could not be read; it cannot be read whole"
                            ),
                        )
                    }
                    v => Ok(v.map_or(Dynamic::UNIT, to_dynamic)),
                }
            })
        },
    );
}

/// Where a script error happened, as a line within the script (1-based) and column.
pub(crate) fn position_of(pos: Position) -> (Option<u32>, Option<u32>) {
    let c = |x: Option<usize>| x.and_then(|v| u32::try_from(v).ok());
    (c(pos.line()), c(pos.position()))
}
