//! A script's runtime error as the problem a scorecard shows: its limit, its words in zh and
//! en, and its line.
use super::*;

pub(super) fn innermost(e: &EvalAltResult) -> &EvalAltResult {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => innermost(inner),
        other => other,
    }
}

pub(super) fn limit_code(e: &EvalAltResult) -> ProblemCode {
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
pub(super) fn describe_eval_error(
    e: &EvalAltResult,
) -> (String, String, (Option<u32>, Option<u32>)) {
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
