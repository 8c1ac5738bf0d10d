//! # jixiao-wasm-report — evaluation reports (绩效评价报告) in browsers and Node
//!
//! A thin wasm-bindgen shell over [`jixiao_report`], built as a module of its own
//! (`report_bg.wasm` beside `engine_bg.wasm`): a page that scores loads only the engine, and
//! this module when someone asks for a report. It takes what the page already has — the
//! rulebook's canonical JSON (as the package ships it) and scorecards as the engine returned
//! them (scored with trace on) — and returns the file's bytes, the same bytes `jixiao report`
//! writes natively.
//!
//! Errors are thrown as `JixiaoError`s in the engine module's shape (`kind`, `code`,
//! `message`, `problems`): `kind: "report"` with `code` `report_rulebook`, `report_scorecard`
//! or `report_docx`; `kind: "argument"` for a bad format, language or oversized text; and
//! `kind: "panic"` for a bug, after which the instance refuses every call (reload it).
//!
//! ```js
//! import initReport, { report } from "jixiao-wasm/report";
//! await initReport();
//! const docx = report(govItPost, JSON.stringify(card), "docx", "zh"); // Uint8Array
//! ```

use jixiao::Lang;
use jixiao_report::Format;
use js_sys::{JsString, Object, Reflect};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;

/// Longest rulebook accepted, in UTF-16 code units (as the engine module).
pub const MAX_RULEBOOK_CHARS: u32 = 4 * 1024 * 1024;
/// Longest scorecards text accepted: a summary of a thousand projects' traced scorecards.
pub const MAX_SCORECARDS_CHARS: u32 = 64 * 1024 * 1024;

static POISONED: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// A `JixiaoError` with these fields.
fn js_error(kind: &str, code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("JixiaoError");
    let fields = Object::new();
    for (key, value) in [("kind", kind), ("code", code), ("message", message)] {
        let _ = Reflect::set(&fields, &key.into(), &value.into());
    }
    let _ = Reflect::set(&fields, &"problems".into(), &js_sys::Array::new());
    Object::assign(error.unchecked_ref::<Object>(), &fields);
    error.into()
}

fn panic_hook(info: &std::panic::PanicHookInfo<'_>) {
    POISONED.store(true, Ordering::SeqCst);
    let message = format!(
        "jixiao 内部错误（panic）：{info}。此 WebAssembly 实例已不可再用，请重新加载模块 \
         (internal error: the WebAssembly instance panicked and must be reloaded)"
    );
    wasm_bindgen::throw_val(js_error("panic", "panic", &message));
}

/// Start of every export: the panic hook is installed and the instance not poisoned.
fn enter() -> Result<(), JsValue> {
    HOOK.call_once(|| std::panic::set_hook(Box::new(panic_hook)));
    if POISONED.load(Ordering::SeqCst) {
        return Err(js_error(
            "panic",
            "panic",
            "此 WebAssembly 实例曾发生内部错误，请重新加载模块 (the instance panicked earlier; reload it)",
        ));
    }
    Ok(())
}

fn argument(message: String) -> JsValue {
    js_error(
        "argument",
        "wrong_type",
        &format!("参数错误 (invalid argument): {message}"),
    )
}

/// `text` as a Rust string, refused past `max` code units before it is copied.
fn text(text: &JsString, name: &str, max: u32) -> Result<String, JsValue> {
    if text.length() > max {
        return Err(argument(format!(
            "{name} 超过 {max} 个字符 ({name} is longer than {max} characters)"
        )));
    }
    Ok(String::from(text))
}

fn format_and_lang(format: &str, lang: &str) -> Result<(Format, Lang), JsValue> {
    let format = Format::parse(format).ok_or_else(|| {
        argument(format!(
            "format 应为 \"docx\"、\"html\" 或 \"text\"，收到 {format:?} (format must be docx, html or text)"
        ))
    })?;
    let lang = match lang {
        "zh" | "zh-CN" => Lang::Zh,
        "en" => Lang::En,
        other => {
            return Err(argument(format!(
                "lang 应为 \"zh\"、\"zh-CN\" 或 \"en\"，收到 {other:?} (lang must be zh, zh-CN or en)"
            )));
        }
    };
    Ok((format, lang))
}

fn report_error(e: &jixiao_report::ReportError) -> JsValue {
    js_error("report", e.code(), &e.to_string())
}

/// One project's report: `rulebook` its canonical JSON, `scorecard` the engine's JSON of it
/// (trace on), `format` `"docx"`, `"html"` or `"text"`, `lang` `"zh"` or `"en"`.
#[wasm_bindgen]
pub fn report(
    rulebook: &JsString,
    scorecard: &JsString,
    format: &str,
    lang: &str,
) -> Result<Vec<u8>, JsValue> {
    enter()?;
    let (format, lang) = format_and_lang(format, lang)?;
    let rulebook = text(rulebook, "rulebook", MAX_RULEBOOK_CHARS)?;
    let scorecard = text(scorecard, "scorecard", MAX_SCORECARDS_CHARS)?;
    jixiao_report::report_from_json(&rulebook, &scorecard, format, lang)
        .map_err(|e| report_error(&e))
}

/// The summary of many projects (评价结果汇总): `scorecards` a JSON array of their scorecards.
#[wasm_bindgen]
pub fn summary(
    rulebook: &JsString,
    scorecards: &JsString,
    format: &str,
    lang: &str,
) -> Result<Vec<u8>, JsValue> {
    enter()?;
    let (format, lang) = format_and_lang(format, lang)?;
    let rulebook = text(rulebook, "rulebook", MAX_RULEBOOK_CHARS)?;
    let scorecards = text(scorecards, "scorecards", MAX_SCORECARDS_CHARS)?;
    jixiao_report::summary_from_json(&rulebook, &scorecards, format, lang)
        .map_err(|e| report_error(&e))
}
