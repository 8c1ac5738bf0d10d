//! # jixiao C ABI (`libjixiao.so` / `libjixiao.a`, header `include/jixiao.h`)
//!
//! A thin shell over the core engine for finance back offices that call it from C, C++,
//! Java (JNA), C# or Python (ctypes). Everything crosses the boundary as UTF-8, NUL-terminated
//! JSON text; the engine itself is an opaque handle.
//!
//! Conventions every function follows:
//!
//! - It returns a [`JixiaoStatus`]: `JIXIAO_OK` (0) or the kind of failure.
//! - On failure, if the caller passed a non-NULL `out_error`, `*out_error` receives the error
//!   as JSON: the core's stable error form (`{"kind","code","message",…,"problems":[…]}`)
//!   passed through unchanged, or the same shape with `kind` `argument` / `internal` for
//!   failures that happen before the core is reached (NULL pointer, invalid UTF-8, bad options,
//!   a caught panic). On success `*out_error` is set to NULL.
//! - Every `char *` the library hands out is owned by the caller and must be released with
//!   [`jixiao_string_free`] exactly once; the engine with [`jixiao_engine_free`]. The only
//!   exception is [`jixiao_version`], which returns a static string.
//! - No Rust panic ever unwinds into the host: each export runs inside `catch_unwind` and turns
//!   a panic into `JIXIAO_ERROR_PANIC` with the panic message.
//! - An engine may be shared by any number of threads without locking: evaluation only reads it.

use jixiao_core::{Engine, Error, EvalOptions, Rulebook, Submission};
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Result of every call. The numeric values are part of the ABI and never change.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JixiaoStatus {
    /// Success; the out-parameters hold the results.
    JixiaoOk = 0,
    /// A required pointer argument was NULL.
    JixiaoErrorNullPointer = 1,
    /// A string argument was not valid UTF-8.
    JixiaoErrorInvalidUtf8 = 2,
    /// The rulebook could not be parsed, validated or compiled (error `kind` `rulebook`).
    JixiaoErrorRulebook = 3,
    /// The submission (or batch input) is not well-formed JSON of the right shape (`submission`).
    JixiaoErrorSubmission = 4,
    /// A file could not be read (`io`).
    JixiaoErrorIo = 5,
    /// The options JSON was not understood (`argument`).
    JixiaoErrorInvalidOptions = 6,
    /// A bug in the library was caught before it could unwind into the caller (`internal`).
    JixiaoErrorPanic = 7,
}

/// A compiled rulebook. Opaque: create with `jixiao_engine_new` or `jixiao_engine_from_path`,
/// release with `jixiao_engine_free`. Thread-safe: share one engine between threads.
#[derive(Debug)]
pub struct JixiaoEngine {
    engine: Engine,
}

/// A failure on its way to the caller: the status and the error JSON.
struct Failure {
    status: JixiaoStatus,
    json: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let status = match e {
            Error::Rulebook { .. } => JixiaoStatus::JixiaoErrorRulebook,
            Error::Submission { .. } => JixiaoStatus::JixiaoErrorSubmission,
            // `Error` is non-exhaustive: a kind the C ABI does not name yet reads as I/O.
            _ => JixiaoStatus::JixiaoErrorIo,
        };
        Failure {
            status,
            json: e.to_json(),
        }
    }
}

impl Failure {
    /// An error found in the binding itself, in the same JSON shape as the core's errors.
    fn binding(status: JixiaoStatus, kind: &str, code: &str, message: String) -> Self {
        /// Field order as in the core's `ErrorRepr`, so hosts see one shape.
        #[derive(serde::Serialize)]
        struct BindingError<'a> {
            kind: &'a str,
            code: &'a str,
            message: String,
            problems: [(); 0],
        }
        let json = serde_json::to_string(&BindingError {
            kind,
            code,
            message,
            problems: [],
        })
        .unwrap_or_else(|_| {
            format!(r#"{{"kind":"{kind}","code":"{code}","message":"","problems":[]}}"#)
        });
        Failure { status, json }
    }

    fn null(argument: &str) -> Self {
        Failure::binding(
            JixiaoStatus::JixiaoErrorNullPointer,
            "argument",
            "null_pointer",
            format!("参数 {argument} 为空指针 (argument {argument} is NULL)"),
        )
    }
}

/// Runs an export's body: catches panics, writes the error JSON, returns the status.
///
/// # Safety
/// `out_error` must be NULL or valid for a write of one pointer.
unsafe fn guard(
    out_error: *mut *mut c_char,
    body: impl FnOnce() -> Result<(), Failure>,
) -> JixiaoStatus {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(Failure::binding(
            JixiaoStatus::JixiaoErrorPanic,
            "internal",
            "panic",
            format!("jixiao 内部错误 (internal error, please report): {message}"),
        ))
    });
    let (status, error) = match outcome {
        Ok(()) => (JixiaoStatus::JixiaoOk, std::ptr::null_mut()),
        Err(f) => (f.status, into_c_string(f.json)),
    };
    if !out_error.is_null() {
        // SAFETY: the caller promises out_error is valid for writes when non-NULL.
        unsafe { *out_error = error };
    } else if !error.is_null() {
        // Nobody will free it: release it here.
        // SAFETY: `error` came from CString::into_raw just above.
        drop(unsafe { CString::from_raw(error) });
    }
    status
}

/// Hands a string to C. JSON never contains a raw NUL (serde escapes it as \u0000); should one
/// appear anyway it is replaced rather than truncating the text or failing.
fn into_c_string(s: String) -> *mut c_char {
    let c = CString::new(s).unwrap_or_else(|e| {
        let text = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{FFFD}");
        CString::new(text).unwrap_or_default()
    });
    c.into_raw()
}

/// Borrows a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that outlives the call.
unsafe fn read_str<'a>(ptr: *const c_char, argument: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(argument));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::binding(
            JixiaoStatus::JixiaoErrorInvalidUtf8,
            "argument",
            "invalid_utf8",
            format!(
                "参数 {argument} 不是有效的 UTF-8 文本（自字节偏移 {} 起）；请以 UTF-8 传入 (argument {argument} is not valid UTF-8 at byte offset {})",
                e.valid_up_to(),
                e.valid_up_to()
            ),
        )
    })
}

/// Parses the optional options JSON: `{"trace": bool, "lang": "zh-CN" | "en"}`; NULL or "" means
/// the defaults (trace on, Chinese).
///
/// # Safety
/// As [`read_str`].
unsafe fn read_options(ptr: *const c_char) -> Result<EvalOptions, Failure> {
    if ptr.is_null() {
        return Ok(EvalOptions::default());
    }
    // SAFETY: forwarded caller contract.
    let text = unsafe { read_str(ptr, "options") }?;
    if text.trim().is_empty() {
        return Ok(EvalOptions::default());
    }
    serde_json::from_str(text).map_err(|e| {
        Failure::binding(
            JixiaoStatus::JixiaoErrorInvalidOptions,
            "argument",
            "invalid_options",
            format!(
                "选项不是有效的 JSON（应为 {{\"trace\": true, \"lang\": \"zh-CN\"}}）：{e} (options are not valid: {e})"
            ),
        )
    })
}

/// Checks that an out-parameter can be written.
fn out_param<T>(ptr: *mut T, argument: &str) -> Result<(), Failure> {
    if ptr.is_null() {
        Err(Failure::null(argument))
    } else {
        Ok(())
    }
}

/// # Safety
/// `engine` must be NULL or a pointer returned by `jixiao_engine_new*` and not yet freed.
unsafe fn read_engine<'a>(engine: *const JixiaoEngine) -> Result<&'a Engine, Failure> {
    if engine.is_null() {
        return Err(Failure::null("engine"));
    }
    // SAFETY: a live handle per the caller's contract; Engine is Sync, so shared reads from
    // several threads at once are fine.
    Ok(unsafe { &(*engine).engine })
}

/// The library version, e.g. `"0.1.0"` (the engine version scorecards carry).
///
/// The returned string is static: do **not** free it.
///
/// # Safety
/// Always safe to call.
#[unsafe(no_mangle)]
pub extern "C" fn jixiao_version() -> *const c_char {
    static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

/// Compiles a rulebook given as text (TOML, or JSON when it starts with `{`), e.g. the
/// canonical JSON `jixiao export` prints. Scripts in separate files (`script_file`) need
/// `jixiao_engine_from_path` or the exported JSON, which inlines them.
///
/// On success `*out_engine` receives a new engine, owned by the caller (release it with
/// `jixiao_engine_free`). On failure `*out_engine` is set to NULL and, if `out_error` is not
/// NULL, `*out_error` receives the error JSON (free with `jixiao_string_free`), which lists
/// every problem with its indicator and line.
///
/// # Safety
/// `rulebook` must be NULL or a NUL-terminated string valid for the duration of the call;
/// `out_engine` must be NULL or valid for writing one pointer; likewise `out_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jixiao_engine_new(
    rulebook: *const c_char,
    out_engine: *mut *mut JixiaoEngine,
    out_error: *mut *mut c_char,
) -> JixiaoStatus {
    // SAFETY: pointers forwarded under this function's contract.
    unsafe {
        guard(out_error, || {
            out_param(out_engine, "out_engine")?;
            *out_engine = std::ptr::null_mut();
            let text = read_str(rulebook, "rulebook")?;
            let engine = Engine::from_str(text)?;
            *out_engine = Box::into_raw(Box::new(JixiaoEngine { engine }));
            Ok(())
        })
    }
}

/// Compiles a rulebook from a file (`.toml` or `.json`); `script_file` entries are resolved
/// relative to it. Ownership and errors as for `jixiao_engine_new`; an unreadable file gives
/// `JIXIAO_ERROR_IO`.
///
/// # Safety
/// `path` must be NULL or a NUL-terminated UTF-8 string valid for the duration of the call;
/// `out_engine` must be NULL or valid for writing one pointer; likewise `out_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jixiao_engine_from_path(
    path: *const c_char,
    out_engine: *mut *mut JixiaoEngine,
    out_error: *mut *mut c_char,
) -> JixiaoStatus {
    // SAFETY: pointers forwarded under this function's contract.
    unsafe {
        guard(out_error, || {
            out_param(out_engine, "out_engine")?;
            *out_engine = std::ptr::null_mut();
            let path = read_str(path, "path")?;
            let engine = Engine::new(Rulebook::from_path(path)?)?;
            *out_engine = Box::into_raw(Box::new(JixiaoEngine { engine }));
            Ok(())
        })
    }
}

/// Releases an engine. NULL is accepted and ignored.
///
/// # Safety
/// `engine` must be NULL or a pointer returned by `jixiao_engine_new` /
/// `jixiao_engine_from_path` that has not been freed, and no other thread may be using it.
/// It must not be used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jixiao_engine_free(engine: *mut JixiaoEngine) {
    if engine.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live handle created by Box::into_raw, per the contract.
        drop(unsafe { Box::from_raw(engine) });
    }));
}

/// The evaluator's form as JSON: the rulebook's id, version, hash, title and grade bands,
/// and its inputs (with ids, Chinese labels, types, units, ranges) grouped by dimension, as a
/// host program needs to build an input screen or map spreadsheet columns.
///
/// On success `*out_json` receives the JSON (free with `jixiao_string_free`).
///
/// # Safety
/// `engine` must be NULL or a live engine handle; `out_json` must be NULL or valid for
/// writing one pointer; likewise `out_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jixiao_engine_form(
    engine: *const JixiaoEngine,
    out_json: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> JixiaoStatus {
    // SAFETY: pointers forwarded under this function's contract.
    unsafe {
        guard(out_error, || {
            out_param(out_json, "out_json")?;
            *out_json = std::ptr::null_mut();
            let engine = read_engine(engine)?;
            let json = serde_json::to_string(&engine.form()).map_err(|e| {
                Failure::binding(
                    JixiaoStatus::JixiaoErrorPanic,
                    "internal",
                    "serialization",
                    e.to_string(),
                )
            })?;
            *out_json = into_c_string(json);
            Ok(())
        })
    }
}

/// Scores one project. `submission` is the submission JSON
/// (`{"project":{…},"values":{…},"not_applicable":[…],"notes":{…}}`); `options` is NULL or
/// `{"trace": true|false, "lang": "zh-CN"|"en"}` (defaults: trace on, Chinese).
///
/// On success `*out_scorecard` receives the scorecard JSON (free with `jixiao_string_free`) —
/// byte-identical to what the Rust crate and the WASM package produce. Bad *values* (wrong
/// type, out of range, missing) are not a failure: they are listed in the scorecard's
/// `problems`, and `complete` is false. A script that fails or loops forever fails only its
/// indicator (status `error`). `JIXIAO_ERROR_SUBMISSION` means the text is not a submission
/// object at all.
///
/// # Safety
/// `engine` must be NULL or a live engine handle; `submission` and `options` NULL or
/// NUL-terminated strings valid for the call; `out_scorecard` and `out_error` NULL or valid
/// for writing one pointer. Several threads may call this on the same engine at once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jixiao_evaluate(
    engine: *const JixiaoEngine,
    submission: *const c_char,
    options: *const c_char,
    out_scorecard: *mut *mut c_char,
    out_error: *mut *mut c_char,
) -> JixiaoStatus {
    // SAFETY: pointers forwarded under this function's contract.
    unsafe {
        guard(out_error, || {
            out_param(out_scorecard, "out_scorecard")?;
            *out_scorecard = std::ptr::null_mut();
            let engine = read_engine(engine)?;
            let text = read_str(submission, "submission")?;
            let options = read_options(options)?;
            let card = engine.evaluate_json(text, options)?;
            *out_scorecard = into_c_string(card.to_json());
            Ok(())
        })
    }
}

/// Scores many projects in parallel on all cores. `submissions` is either a JSON array of
/// submission objects or JSON Lines (one submission object per line; blank lines are
/// skipped). `options` as for `jixiao_evaluate`.
///
/// On success `*out_results` receives JSON Lines, one line per submission in input order:
/// `{"index":0,"scorecard":{…}}` or, for a submission that is not well-formed,
/// `{"index":1,"error":{…the error JSON…}}` — one bad submission never stops the batch. If
/// `out_failed` is not NULL, `*out_failed` receives the number of `error` lines. The call
/// itself fails (`JIXIAO_ERROR_SUBMISSION`) only when `submissions` starts with `[` but is
/// not a valid JSON array.
///
/// # Safety
/// As `jixiao_evaluate`; `out_failed` must be NULL or valid for writing one `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jixiao_evaluate_batch(
    engine: *const JixiaoEngine,
    submissions: *const c_char,
    options: *const c_char,
    out_results: *mut *mut c_char,
    out_failed: *mut usize,
    out_error: *mut *mut c_char,
) -> JixiaoStatus {
    // SAFETY: pointers forwarded under this function's contract.
    unsafe {
        guard(out_error, || {
            out_param(out_results, "out_results")?;
            *out_results = std::ptr::null_mut();
            if !out_failed.is_null() {
                *out_failed = 0;
            }
            let engine = read_engine(engine)?;
            let text = read_str(submissions, "submissions")?;
            let options = read_options(options)?;
            let (lines, failed) = evaluate_batch_text(engine, text, options)?;
            *out_results = into_c_string(lines);
            if !out_failed.is_null() {
                *out_failed = failed;
            }
            Ok(())
        })
    }
}

/// The batch behind `jixiao_evaluate_batch`: JSON Lines out and the number of failed items.
fn evaluate_batch_text(
    engine: &Engine,
    text: &str,
    options: EvalOptions,
) -> Result<(String, usize), Failure> {
    // A JSON array or JSON Lines, each item parsed on its own (the core decides which).
    let items = Submission::batch_from_json_str(text)?;

    // Scored this many at a time, so a large batch holds at most one chunk of scorecards
    // (beside the output text) in memory.
    const BATCH_CHUNK: usize = 1024;
    let mut out = String::new();
    let mut failed = 0;
    let mut index = 0usize;
    for chunk in items.chunks(BATCH_CHUNK) {
        // Only well-formed submissions go to the engine; errors keep their place.
        let good: Vec<Submission> = chunk
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .cloned()
            .collect();
        let mut cards = engine.evaluate_batch(&good, options).into_iter();
        for item in chunk {
            match item {
                Ok(_) => {
                    let card = cards.next().map(|c| c.to_json()).unwrap_or_default();
                    out.push_str(&format!("{{\"index\":{index},\"scorecard\":{card}}}\n"));
                }
                Err(e) => {
                    failed += 1;
                    out.push_str(&format!(
                        "{{\"index\":{index},\"error\":{}}}\n",
                        e.to_json()
                    ));
                }
            }
            index += 1;
        }
    }
    Ok((out, failed))
}

/// Releases a string returned by any jixiao function (scorecards, results, forms, error JSON).
/// NULL is accepted and ignored.
///
/// # Safety
/// `s` must be NULL or a string returned by this library (not by `jixiao_version`) that has
/// not been freed yet. It must not be used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jixiao_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: created by CString::into_raw in this library, per the contract.
        drop(unsafe { CString::from_raw(s) });
    }));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_panic_becomes_a_status_and_error_json() {
        let mut error: *mut c_char = std::ptr::null_mut();
        // SAFETY: `error` is a valid out-pointer.
        let status = unsafe { guard(&mut error, || panic!("boom")) };
        assert_eq!(status, JixiaoStatus::JixiaoErrorPanic);
        // SAFETY: set by guard to a string from into_c_string.
        let json = unsafe { CStr::from_ptr(error) }
            .to_str()
            .unwrap()
            .to_string();
        unsafe { jixiao_string_free(error) };
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["kind"], "internal");
        assert_eq!(v["code"], "panic");
        assert!(v["message"].as_str().unwrap().contains("boom"));
    }

    #[test]
    fn a_panic_without_error_pointer_still_returns() {
        // SAFETY: a NULL out_error is allowed.
        let status = unsafe { guard(std::ptr::null_mut(), || panic!("{}", 42)) };
        assert_eq!(status, JixiaoStatus::JixiaoErrorPanic);
    }

    #[test]
    fn batch_keeps_order_and_reports_bad_items_in_place() {
        let engine = Engine::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/vectors/rulebooks/demo.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let input = "{\"values\":{}}\nnot json\n\n{\"values\":{\"budget_requested\":1}}\n";
        let options = EvalOptions {
            trace: false,
            ..EvalOptions::default()
        };
        let (out, failed) = evaluate_batch_text(&engine, input, options).ok().unwrap();
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(failed, 1);
        assert_eq!(lines.len(), 3);
        assert!(lines[0]["scorecard"].is_object());
        assert_eq!(lines[1]["index"], 1);
        assert_eq!(lines[1]["error"]["code"], "submission_syntax");
        assert_eq!(lines[2]["index"], 2);
        assert!(lines[2]["scorecard"].is_object());
    }
}
