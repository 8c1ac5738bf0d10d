//! wasm-bindgen tests, run by `scripts/test.d/20-wasm.sh` twice: in Node and in headless
//! Chromium (`WASM_BINDGEN_USE_BROWSER=1`). They call the exported `Engine` exactly as
//! JavaScript does (arguments as `JsValue`s) and check results and thrown errors.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jixiao_wasm::{MAX_SUBMISSION_CHARS, WasmEngine};
use js_sys::{JSON, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

// VECTORS: (name, rulebook_json, submission, expected scorecard), from tests/vectors/manifest.json.
include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &s(key)).unwrap()
}

fn get_str(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

fn demo() -> WasmEngine {
    WasmEngine::new(s(VECTORS[0].1)).unwrap()
}

/// The thrown value is a real `Error` named JixiaoError with kind and code.
fn assert_error(err: &JsValue, kind: &str, code: &str) {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "not an Error: {err:?}"
    );
    assert_eq!(get_str(err, "name"), "JixiaoError");
    assert_eq!(get_str(err, "kind"), kind, "{err:?}");
    assert_eq!(get_str(err, "code"), code, "{err:?}");
    assert!(!get_str(err, "message").is_empty());
    assert!(js_sys::Array::is_array(&get(err, "problems")));
}

#[wasm_bindgen_test]
fn every_vector_is_byte_identical_to_native() {
    assert!(VECTORS.len() >= 5, "the manifest lists the shared vectors");
    for (name, rulebook, submission, expected) in VECTORS {
        let engine = WasmEngine::new(s(rulebook)).unwrap();
        let text = engine.evaluate_json(s(submission), None).unwrap();
        assert!(
            text == *expected,
            "{name}: WASM scorecard differs from tests/vectors/expected\n--- expected\n{expected}\n--- wasm\n{text}"
        );
        // The same submission as a JS object (JSON.parse'd) gives the same bytes.
        let object = JSON::parse(submission).unwrap();
        let text = engine.evaluate_json(object, None).unwrap();
        assert!(text == *expected, "{name}: object submission differs");
        // A rulebook object instead of text compiles to the same rulebook.
        let from_object = WasmEngine::new(JSON::parse(rulebook).unwrap()).unwrap();
        assert_eq!(from_object.hash(), engine.hash());
    }
}

#[wasm_bindgen_test]
fn evaluate_returns_a_plain_object() {
    let (_, _, submission, expected) = VECTORS[0];
    let card = demo().evaluate(s(submission), None).unwrap();
    let expected = JSON::parse(expected).unwrap();
    assert_eq!(
        JSON::stringify(&card).unwrap(),
        JSON::stringify(&expected).unwrap()
    );
    assert_eq!(
        get(&card, "total").as_f64(),
        get(&expected, "total").as_f64()
    );
}

#[wasm_bindgen_test]
fn options_select_language_and_trace() {
    let (_, _, submission, _) = VECTORS[0];
    let engine = demo();
    let zh = engine.evaluate_json(s(submission), None).unwrap();
    let en = engine
        .evaluate_json(
            s(submission),
            Some(JSON::parse(r#"{"lang":"en"}"#).unwrap().unchecked_into()),
        )
        .unwrap();
    let zh_cn = engine
        .evaluate_json(
            s(submission),
            Some(JSON::parse(r#"{"lang":"zh-CN"}"#).unwrap().unchecked_into()),
        )
        .unwrap();
    assert_eq!(zh, zh_cn);
    assert_ne!(zh, en);
    let quiet = engine
        .evaluate_json(
            s(submission),
            Some(JSON::parse(r#"{"trace":false}"#).unwrap().unchecked_into()),
        )
        .unwrap();
    assert!(quiet.len() < zh.len());
    assert!(!quiet.contains("\"reads\""));

    for bad in [
        r#"{"lang":"fr"}"#,
        r#"{"lang":1}"#,
        r#"{"trace":"yes"}"#,
        r#"{"language":"en"}"#,
        "[]",
        "3",
    ] {
        let err = engine
            .evaluate_json(
                s(submission),
                Some(JSON::parse(bad).unwrap().unchecked_into()),
            )
            .unwrap_err();
        assert_error(&err, "argument", "wrong_type");
        assert_eq!(
            get_str(&get(&get(&err, "problems"), "0"), "field"),
            "options"
        );
    }
}

#[wasm_bindgen_test]
fn metadata_form_and_validate() {
    let engine = demo();
    assert_eq!(engine.id(), "demo");
    assert!(engine.hash().starts_with("sha256:"));
    let meta = engine.metadata().unwrap();
    assert_eq!(get_str(&meta, "id"), "demo");
    assert_eq!(get_str(&meta, "hash"), engine.hash());
    let grades = engine.grades().unwrap();
    assert_eq!(get_str(&get(&grades, "0"), "label"), "优");

    let form = engine.form().unwrap();
    let sections = get(&form, "sections");
    assert!(js_sys::Array::from(&sections).length() >= 4);

    let ok = engine.validate(s(VECTORS[0].2)).unwrap();
    assert_eq!(js_sys::Array::from(&ok).length(), 0);
    let problems = engine
        .validate(JSON::parse(r#"{"values":{"no_such_input":1}}"#).unwrap())
        .unwrap();
    let first = get(&problems, "0");
    assert_eq!(get_str(&first, "code"), "unknown_input");
    assert_eq!(get_str(&first, "input"), "no_such_input");
}

#[wasm_bindgen_test]
fn wrong_argument_types_throw_typed_errors() {
    let engine = demo();
    let values = [
        JsValue::UNDEFINED,
        JsValue::NULL,
        JsValue::from_f64(42.0),
        JsValue::TRUE,
        js_sys::Array::new().into(),
        js_sys::Function::new_no_args("return 1").into(),
    ];
    for v in &values {
        let err = engine.evaluate(v.clone(), None).unwrap_err();
        assert_error(&err, "argument", "wrong_type");
        let err = engine.validate(v.clone()).unwrap_err();
        assert_error(&err, "argument", "wrong_type");
        let err = WasmEngine::new(v.clone()).unwrap_err();
        assert_error(&err, "argument", "wrong_type");
    }
    // An object JSON.stringify cannot serialize (a BigInt value).
    let obj = JSON::parse(r#"{"values":{}}"#).unwrap();
    Reflect::set(
        &get(&obj, "values"),
        &s("budget"),
        &js_sys::BigInt::from(5u32).into(),
    )
    .unwrap();
    let err = engine.evaluate(obj, None).unwrap_err();
    assert_error(&err, "argument", "wrong_type");
}

#[wasm_bindgen_test]
fn malformed_submissions_throw_the_core_error() {
    let engine = demo();
    for text in [
        "",
        "{",
        "[1,2]",
        "null",
        r#"{"valeus":{}}"#,
        r#"{"values":3}"#,
    ] {
        let err = engine.evaluate(s(text), None).unwrap_err();
        assert_error(&err, "submission", "submission_syntax");
    }
    let err = engine.evaluate(s("{\n  \"values\": [}"), None);
    let err = err.unwrap_err();
    assert_eq!(
        get(&err, "line").as_f64(),
        Some(2.0),
        "the first problem's line"
    );
    let problem = get(&get(&err, "problems"), "0");
    assert_eq!(get(&problem, "line").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn huge_strings_are_refused_before_parsing() {
    let engine = demo();
    let huge = "x".repeat(MAX_SUBMISSION_CHARS as usize + 1);
    let err = engine.evaluate(s(&huge), None).unwrap_err();
    assert_error(&err, "argument", "too_long");
    let err = WasmEngine::new(s(&"#".repeat(5 * 1024 * 1024))).unwrap_err();
    assert_error(&err, "argument", "too_long");
    // An object whose JSON is too long.
    let obj = JSON::parse(r#"{"values":{}}"#).unwrap();
    Reflect::set(&get(&obj, "values"), &s("evaluator_remark"), &s(&huge)).unwrap();
    let err = engine.evaluate(obj, None).unwrap_err();
    assert_error(&err, "argument", "too_long");
    // A long text value within the limits is a problem on the scorecard, not an exception.
    let long = format!(
        r#"{{"values":{{"evaluator_remark":"{}"}}}}"#,
        "长".repeat(5_000)
    );
    let card = engine.evaluate(s(&long), None).unwrap();
    let problem = get(&get(&card, "problems"), "0");
    assert_eq!(get_str(&problem, "code"), "too_long");
}

const BROKEN: &str = r#"id = "broken"
version = "1"
title = "坏的评价方案"
stage = "post"

[[inputs]]
id = "rate"
label = "执行率"
type = "percent"

[[indicators]]
id = "P"
label = "过程"

[[indicators]]
id = "P1"
parent = "P"
label = "执行率"
points = 100
script = 'proportional("rate", 1.0'
"#;

#[wasm_bindgen_test]
fn a_rulebook_that_does_not_compile_names_indicator_and_line() {
    let err = WasmEngine::new(s(BROKEN)).unwrap_err();
    assert_error(&err, "rulebook", "script_syntax");
    assert_eq!(get_str(&err, "rulebook"), "broken");
    assert_eq!(get_str(&err, "indicator"), "P1");
    assert_eq!(get(&err, "line").as_f64(), Some(20.0)); // the script line

    let err = WasmEngine::new(s("id = \"x\"\nversion = ")).unwrap_err();
    assert_error(&err, "rulebook", "toml_syntax");
    let err = WasmEngine::new(s("{\"id\": \"x\"")).unwrap_err();
    assert_error(&err, "rulebook", "json_syntax");
    let err = WasmEngine::new(s("")).unwrap_err();
    assert_eq!(get_str(&err, "kind"), "rulebook");
}

#[wasm_bindgen_test]
fn a_hostile_script_fails_its_indicator_and_returns() {
    let rulebook = BROKEN
        .replace("\"broken\"", "\"hostile\"")
        .replace("'proportional(\"rate\", 1.0'", "'loop { }'");
    let engine = WasmEngine::new(s(&rulebook)).unwrap();
    let card = engine
        .evaluate(s(r#"{"values":{"rate":90}}"#), None)
        .unwrap();
    assert_eq!(get(&card, "complete").as_bool(), Some(false));
    let leaf = get(&get(&card, "indicators"), "1");
    assert_eq!(get_str(&leaf, "status"), "error");
    assert_eq!(get_str(&get(&leaf, "error"), "code"), "limit_exceeded");

    // A string bomb hits the string limit, not the host's memory.
    let rulebook = BROKEN.replace(
        "'proportional(\"rate\", 1.0'",
        "'let s = \"x\"; loop { s += s; }'",
    );
    let engine = WasmEngine::new(s(&rulebook)).unwrap();
    let card = engine
        .evaluate(s(r#"{"values":{"rate":90}}"#), None)
        .unwrap();
    let leaf = get(&get(&card, "indicators"), "1");
    assert_eq!(get_str(&leaf, "status"), "error");
}
