//! # jixiao-wasm — the jixiao scoring engine for browsers and Node
//!
//! A thin wasm-bindgen shell over [`jixiao`]: no scoring logic lives here. Every result is
//! the core's own serde JSON (so WASM and native scorecards are byte-identical) and every
//! error is the core's stable serialized error ([`jixiao::Error::to_json`]) turned into a real
//! JavaScript `Error` named `JixiaoError` whose own properties are that JSON's fields
//! (`kind`, `code`, `message`, `rulebook`, `indicator`, `input`, `line`, `problems`).
//!
//! Arguments of the wrong JavaScript type, oversized strings and unknown options are thrown
//! the same way with `kind: "argument"`. A panic (a bug) is thrown as `kind: "panic"` with
//! its message and location instead of an anonymous `unreachable` trap; the instance is then
//! poisoned and every later call throws the same error, because a WebAssembly instance that
//! stopped mid-call cannot be trusted (reload the module).
//!
//! ```js
//! import init, { Engine } from "jixiao-wasm";
//! await init();
//! const engine = new Engine(rulebookTomlOrJson);
//! const card = engine.evaluate({ values: { funds_spent: "98,694.55" } }, { lang: "en" });
//! ```

use jixiao::{ENGINE_VERSION, EvalOptions, Lang, Problem, ProblemCode, Submission};
use js_sys::{Array, JSON, JsString, Object, Reflect};
use std::sync::{Mutex, Once};
use wasm_bindgen::prelude::*;

/// Longest rulebook text accepted, in UTF-16 code units (JavaScript string length).
pub const MAX_RULEBOOK_CHARS: u32 = 4 * 1024 * 1024;
/// Longest submission accepted (as text, or an object's JSON), in UTF-16 code units.
pub const MAX_SUBMISSION_CHARS: u32 = 2 * 1024 * 1024;

#[cfg(feature = "batch")]
mod batch;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = include_str!("../types/shapes.d.ts");

#[wasm_bindgen]
extern "C" {
    /// `{lang?: "zh" | "zh-CN" | "en", trace?: boolean}`, checked by [`eval_options`].
    #[wasm_bindgen(typescript_type = "EvalOptions")]
    pub type Options;
}

// ---------------------------------------------------------------------------------------
// Errors and panics
// ---------------------------------------------------------------------------------------

/// Set by the panic hook: the message every later call throws.
static POISON: Mutex<Option<String>> = Mutex::new(None);
static HOOK: Once = Once::new();

fn install_panic_hook() {
    HOOK.call_once(|| std::panic::set_hook(Box::new(panic_hook)));
}

fn panic_hook(info: &std::panic::PanicHookInfo<'_>) {
    let detail = info.to_string();
    let message = format!(
        "jixiao 内部错误（panic）：{detail}。此 WebAssembly 实例已不可再用，请重新加载模块 \
         (internal error: the WebAssembly instance panicked and must be reloaded)"
    );
    if let Ok(mut p) = POISON.lock() {
        *p = Some(message.clone());
    }
    // Throwing unwinds the WebAssembly frames as a JavaScript exception: the caller gets this
    // error instead of `RuntimeError: unreachable`.
    wasm_bindgen::throw_val(panic_error(&message));
}

fn panic_error(message: &str) -> JsValue {
    let repr = serde_json::json!({
        "kind": "panic",
        "code": "panic",
        "message": message,
        "problems": [],
    });
    js_error(&repr.to_string())
}

/// Start of every export: the panic hook is installed and the instance not poisoned.
fn enter() -> Result<(), JsValue> {
    install_panic_hook();
    match POISON.lock().ok().and_then(|p| p.clone()) {
        Some(message) => Err(panic_error(&message)),
        None => Ok(()),
    }
}

/// A `JixiaoError`: an `Error` whose own properties are the fields of `repr_json`.
fn js_error(repr_json: &str) -> JsValue {
    let fields = JSON::parse(repr_json).unwrap_or(JsValue::UNDEFINED);
    let message = Reflect::get(&fields, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| repr_json.to_string());
    let error = js_sys::Error::new(&message);
    error.set_name("JixiaoError");
    if fields.is_object() {
        Object::assign(
            error.unchecked_ref::<Object>(),
            fields.unchecked_ref::<Object>(),
        );
    }
    error.into()
}

fn core_error(e: &jixiao::Error) -> JsValue {
    js_error(&e.to_json())
}

/// A misused argument, in the core's error shape with `kind: "argument"`.
fn arg_error(code: ProblemCode, field: &str, zh: String, en: String) -> JsValue {
    let message = format!("参数错误：{zh} (invalid argument: {en})");
    let problem = Problem::new(code, zh, en).field(field);
    let repr = jixiao::ErrorRepr {
        kind: "argument".to_string(),
        code,
        message,
        rulebook: None,
        indicator: None,
        input: None,
        line: None,
        problems: vec![problem],
    };
    match serde_json::to_string(&repr) {
        Ok(json) => js_error(&json),
        Err(_) => js_error(r#"{"kind":"argument","code":"wrong_type","problems":[]}"#),
    }
}

/// `undefined`, `null`, `array`, `number`, …: what a JavaScript value is, for messages.
fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if Array::is_array(v) {
        "array".into()
    } else {
        v.js_typeof()
            .as_string()
            .unwrap_or_else(|| "unknown".into())
    }
}

/// A string argument's text, refusing oversized strings before copying them into memory.
fn string_text(v: &JsValue, field: &str, max: u32) -> Result<Option<String>, JsValue> {
    if !v.is_string() {
        return Ok(None);
    }
    let len = v.unchecked_ref::<JsString>().length();
    if len > max {
        return Err(too_long(field, len, max));
    }
    Ok(v.as_string())
}

fn too_long(field: &str, len: u32, max: u32) -> JsValue {
    arg_error(
        ProblemCode::TooLong,
        field,
        format!("{field} 长度 {len} 超过上限 {max}"),
        format!("{field} has {len} characters, more than the {max} allowed"),
    )
}

/// JSON text of a string argument or of a plain object (`JSON.stringify`).
/// `what` names the expected object in Chinese and English, e.g. `("填报", "submission")`.
fn json_text(v: &JsValue, field: &str, max: u32, what: (&str, &str)) -> Result<String, JsValue> {
    if let Some(text) = string_text(v, field, max)? {
        return Ok(text);
    }
    if !v.is_object() || Array::is_array(v) || v.is_function() {
        return Err(arg_error(
            ProblemCode::WrongType,
            field,
            format!(
                "{field} 应为{}对象或 JSON 字符串，实际为 {}",
                what.0,
                type_name(v)
            ),
            format!(
                "{field} must be a {} object or a JSON string, got {}",
                what.1,
                type_name(v)
            ),
        ));
    }
    // Only a submission's values: a rulebook's NaN becomes null, which its parser refuses.
    if field == "submission" {
        let mut found = Vec::new();
        non_json_values(v, &mut String::new(), 0, &mut found, &mut 0);
        if !found.is_empty() {
            return Err(non_json_error(&found));
        }
    }
    let text = JSON::stringify(v).map_err(|e| {
        let why = Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        arg_error(
            ProblemCode::WrongType,
            field,
            format!("{field} 无法转换为 JSON：{why}"),
            format!("{field} cannot be converted to JSON: {why}"),
        )
    })?;
    let len = text.length();
    if len > max {
        return Err(too_long(field, len, max));
    }
    text.as_string().ok_or_else(|| {
        arg_error(
            ProblemCode::WrongType,
            field,
            format!("{field} 无法转换为 JSON"),
            format!("{field} cannot be converted to JSON"),
        )
    })
}

/// Deepest nesting walked for values JSON cannot carry: deeper than any submission, and a
/// cycle (which `JSON.stringify` refuses anyway) stops here.
const NON_JSON_DEPTH: usize = 16;
/// Values listed at most: the error names these, not thousands.
const NON_JSON_LISTED: usize = 20;
/// Values looked at at most: past the size limit of a submission anyway.
const NON_JSON_VISITS: usize = 1 << 20;

/// The values under `v` that `JSON.stringify` would silently turn into `null` or drop: NaN and
/// ±Infinity (→ null, which reads as "not filled in") and symbols (dropped), with their paths
/// (`values.rate`, `values.targets[2].actual`). A function is no value anyone types; it is
/// dropped like `undefined`.
fn non_json_values(
    v: &JsValue,
    path: &mut String,
    depth: usize,
    found: &mut Vec<(String, &'static str)>,
    visits: &mut usize,
) {
    *visits += 1;
    if found.len() >= NON_JSON_LISTED || depth > NON_JSON_DEPTH || *visits > NON_JSON_VISITS {
        return;
    }
    let what = match v.as_f64() {
        Some(n) if n.is_nan() => "NaN",
        Some(n) if n.is_infinite() => "Infinity",
        Some(_) => return,
        None if v.is_symbol() => "Symbol",
        None => "",
    };
    if !what.is_empty() {
        found.push((path.clone(), what));
        return;
    }
    if !v.is_object() {
        return;
    }
    // Arrays too: their keys are the indices.
    let base = path.len();
    let array = Array::is_array(v);
    for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
        let name = key.as_string().unwrap_or_default();
        if array {
            path.push('[');
            path.push_str(&name);
            path.push(']');
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&name);
        }
        let item = Reflect::get(v, &key).unwrap_or(JsValue::UNDEFINED);
        non_json_values(&item, path, depth + 1, found, visits);
        path.truncate(base);
    }
}

/// The error for values a submission object holds that JSON cannot carry: a problem on each
/// input, in the core's error shape (`kind: "submission"`).
fn non_json_error(found: &[(String, &str)]) -> JsValue {
    let problems = found
        .iter()
        .map(|(path, what)| {
            // `values.rate` or `values.targets[2].actual`: the input is `rate`, `targets`.
            let input = path
                .strip_prefix("values.")
                .map(|rest| rest.split(['.', '[']).next().unwrap_or(rest).to_string());
            let mut p = Problem::new(
                ProblemCode::WrongType,
                format!("{path} 的值 {what} 无法作为填报数据（JSON 中没有这种值）"),
                format!(
                    "{path} is {what}, which a submission cannot carry (JSON has no such value)"
                ),
            )
            .field(path.as_str());
            p.input = input;
            p
        })
        .collect();
    core_error(&jixiao::Error::Submission { problems })
}

/// `options.lang`: "zh", "zh-CN" or "en".
fn lang_option(value: &JsValue) -> Result<Lang, JsValue> {
    value
        .as_string()
        .and_then(|s| serde_json::from_value::<Lang>(serde_json::Value::String(s)).ok())
        .ok_or_else(|| {
            arg_error(
                ProblemCode::WrongType,
                "options",
                "options.lang 应为 \"zh\"、\"zh-CN\" 或 \"en\"".into(),
                "options.lang must be \"zh\", \"zh-CN\" or \"en\"".into(),
            )
        })
}

/// `{lang?: "zh" | "zh-CN" | "en", trace?: boolean}`; unknown keys are refused (typos).
fn eval_options(v: &JsValue) -> Result<EvalOptions, JsValue> {
    let mut options = EvalOptions::default();
    if v.is_undefined() || v.is_null() {
        return Ok(options);
    }
    let bad = |zh: String, en: String| arg_error(ProblemCode::WrongType, "options", zh, en);
    if !v.is_object() || Array::is_array(v) || v.is_function() {
        return Err(bad(
            format!("options 应为对象，实际为 {}", type_name(v)),
            format!("options must be an object, got {}", type_name(v)),
        ));
    }
    for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        let value = Reflect::get(v, &JsValue::from_str(&key)).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() {
            continue;
        }
        match key.as_str() {
            "lang" => options.lang = lang_option(&value)?,
            "trace" => {
                options.trace = value.as_bool().ok_or_else(|| {
                    bad(
                        "options.trace 应为布尔值".into(),
                        "options.trace must be a boolean".into(),
                    )
                })?;
            }
            other => {
                return Err(bad(
                    format!("未知选项 options.{other}（可用：lang、trace）"),
                    format!("unknown option options.{other} (known: lang, trace)"),
                ));
            }
        }
    }
    Ok(options)
}

fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    JSON::parse(text).map_err(|_| {
        arg_error(
            ProblemCode::WrongType,
            "result",
            "结果序列化失败".into(),
            "the result could not be serialized".into(),
        )
    })
}

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    parse_json(&serde_json::to_string(value).unwrap_or_default())
}

// ---------------------------------------------------------------------------------------
// The Engine class
// ---------------------------------------------------------------------------------------

/// A rulebook compiled for evaluation. Build once, evaluate many times.
#[wasm_bindgen(js_name = Engine)]
#[derive(Debug)]
pub struct WasmEngine {
    engine: jixiao::Engine,
    /// JSON of the form's rulebook header: id, version, hash, title, stage, total,
    /// na_policy, grades (highest first). Made on first use: building the form is code a
    /// cold start would otherwise compile and run before the first scorecard.
    meta: std::cell::OnceCell<String>,
}

impl WasmEngine {
    fn meta(&self) -> &str {
        self.meta
            .get_or_init(|| serde_json::to_string(&self.engine.form().rulebook).unwrap_or_default())
    }
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Compile a rulebook: TOML or JSON text (by its first character), or a rulebook object.
    /// Throws a `JixiaoError` (`kind: "rulebook"`) listing every problem with indicator and line.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | RulebookSpec")] rulebook: JsValue,
    ) -> Result<WasmEngine, JsValue> {
        enter()?;
        let text = json_text(
            &rulebook,
            "rulebook",
            MAX_RULEBOOK_CHARS,
            ("评价方案", "rulebook"),
        )?;
        let engine = jixiao::Engine::from_str(&text).map_err(|e| core_error(&e))?;
        Ok(WasmEngine {
            engine,
            meta: std::cell::OnceCell::new(),
        })
    }

    /// Score one submission (object or JSON text) into a scorecard object.
    /// `options`: `{lang: "zh" | "en", trace: boolean}` (default zh, trace on).
    #[wasm_bindgen(unchecked_return_type = "Scorecard")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Submission | string")] submission: JsValue,
        options: Option<Options>,
    ) -> Result<JsValue, JsValue> {
        parse_json(&self.evaluate_json(submission, options)?)
    }

    /// Score one submission and return the scorecard as the core's JSON text, byte for byte
    /// what the native engine prints (`Scorecard::to_json`).
    #[wasm_bindgen(js_name = evaluateJson)]
    pub fn evaluate_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Submission | string")] submission: JsValue,
        options: Option<Options>,
    ) -> Result<String, JsValue> {
        enter()?;
        let text = json_text(
            &submission,
            "submission",
            MAX_SUBMISSION_CHARS,
            ("填报", "submission"),
        )?;
        let options = eval_options(&options.map_or(JsValue::UNDEFINED, JsValue::from))?;
        let card = self
            .engine
            .evaluate_json(&text, options)
            .map_err(|e| core_error(&e))?;
        Ok(card.to_json())
    }

    /// Check a submission's values without scoring: every problem, each naming its input.
    /// An empty array means the values are all acceptable.
    #[wasm_bindgen(unchecked_return_type = "Problem[]")]
    pub fn validate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Submission | string")] submission: JsValue,
    ) -> Result<JsValue, JsValue> {
        enter()?;
        let text = json_text(
            &submission,
            "submission",
            MAX_SUBMISSION_CHARS,
            ("填报", "submission"),
        )?;
        let submission = Submission::from_json_str(&text).map_err(|e| core_error(&e))?;
        to_js(&self.engine.validate(&submission))
    }

    /// The evaluator's form: inputs grouped by dimension and second-level indicator, with
    /// types, units, ranges, help and 评分标准 text.
    #[wasm_bindgen(unchecked_return_type = "Form")]
    pub fn form(&self) -> Result<JsValue, JsValue> {
        enter()?;
        to_js(&self.engine.form())
    }

    /// Rulebook id, version, content hash, title, stage, total, N/A policy and grade bands.
    #[wasm_bindgen(unchecked_return_type = "RulebookInfo")]
    pub fn metadata(&self) -> Result<JsValue, JsValue> {
        enter()?;
        parse_json(self.meta())
    }

    /// The rulebook's canonical JSON (scripts inlined), whose sha256 is `hash`.
    #[wasm_bindgen(js_name = rulebookJson)]
    pub fn rulebook_json(&self) -> Result<String, JsValue> {
        enter()?;
        Ok(self.engine.rulebook().canonical_json())
    }

    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.engine.reference().id.to_string()
    }

    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        self.engine.reference().version.to_string()
    }

    /// `sha256:…` of the canonical rulebook, carried on every scorecard.
    #[wasm_bindgen(getter)]
    pub fn hash(&self) -> String {
        self.engine.reference().hash.to_string()
    }

    #[wasm_bindgen(getter)]
    pub fn title(&self) -> String {
        self.engine.rulebook().spec().title.clone()
    }

    /// Grade bands (评价等级), highest first.
    #[wasm_bindgen(getter, unchecked_return_type = "GradeBand[]")]
    pub fn grades(&self) -> Result<JsValue, JsValue> {
        enter()?;
        let meta = parse_json(self.meta())?;
        Reflect::get(&meta, &JsValue::from_str("grades"))
    }
}

/// The engine version carried on every scorecard.
#[wasm_bindgen]
pub fn version() -> String {
    ENGINE_VERSION.to_string()
}

/// Panics on purpose, for the test that a panic becomes a `JixiaoError` of kind `panic`. Only
/// in the tests' own build (`--features test-hooks`): a shipped instance must not be one call
/// away from being poisoned.
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
#[wasm_bindgen(js_name = __testPanic, skip_typescript)]
pub fn test_panic() -> Result<(), JsValue> {
    enter()?;
    let empty: Vec<u8> = Vec::new();
    #[allow(clippy::indexing_slicing)]
    let byte = empty[std::hint::black_box(3)];
    Err(JsValue::from(byte))
}
