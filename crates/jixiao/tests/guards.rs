//! Guards the invariants that matter most at a boundary: hostile scripts stop with a named
//! error on their own indicator, broken rulebooks name the indicator and line, missing inputs
//! are never a silent zero, and one engine shared by 8 threads gives sequential results.
#![allow(clippy::unwrap_used)]

use jixiao::{Engine, EvalOptions, ProblemCode, Rulebook, Status, Submission};
use std::time::{Duration, Instant};

fn one_leaf(script: &str) -> String {
    format!(
        r#"id = "guard"
version = "1"
title = "守卫"
stage = "post"
[[inputs]]
id = "x"
label = "数值"
type = "number"
[[indicators]]
id = "D"
label = "维度"
[[indicators]]
id = "D1"
parent = "D"
label = "恶意脚本"
points = 50
script = '''
{script}
'''
[[indicators]]
id = "D2"
parent = "D"
label = "正常"
points = 50
script = 'proportional("x", 10.0)'
"#
    )
}

#[test]
fn hostile_scripts_end_in_a_named_error_on_their_indicator() {
    let cases = [
        ("loop {}", ProblemCode::LimitExceeded),
        ("while true { let a = 1; }", ProblemCode::LimitExceeded),
        ("fn f(n) { f(n + 1) } f(0)", ProblemCode::LimitExceeded),
        (
            "let s = \"x\"; loop { s += s; }",
            ProblemCode::LimitExceeded,
        ),
        ("let a = [1]; loop { a += a; }", ProblemCode::LimitExceeded),
        ("x = 1.0; 1", ProblemCode::ScriptError),
        ("no_such_function(1)", ProblemCode::ScriptError),
    ];
    let sub = Submission::from_json_str(r#"{"values": {"x": 8}}"#).unwrap();
    for (script, code) in cases {
        let engine = Engine::new(Rulebook::from_toml_str(&one_leaf(script)).unwrap()).unwrap();
        let start = Instant::now();
        let card = engine.evaluate(&sub);
        let took = start.elapsed();
        eprintln!("{script:40} → {took:?}");
        assert!(took < Duration::from_secs(2), "{script}: took {took:?}");
        let bad = card.indicator("D1").unwrap();
        assert_eq!(bad.status, Status::Error, "{script}");
        let err = bad.error.as_ref().unwrap();
        assert_eq!(err.code, code, "{script}: {}", err.message);
        assert_eq!(err.indicator.as_deref(), Some("D1"));
        // The rest of the scorecard is still scored.
        let good = card.indicator("D2").unwrap();
        assert_eq!(good.score.unwrap().to_string(), "40");
        assert!(!card.complete);
        assert!(card.grade.is_none());
    }
}

#[test]
fn script_syntax_error_names_indicator_and_rulebook_line() {
    let text = one_leaf("let a = ;");
    let err = Engine::new(Rulebook::from_toml_str(&text).unwrap()).unwrap_err();
    let p = &err.problems()[0];
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(p.indicator.as_deref(), Some("D1"));
    // `let a = ;` is on line 18 of the TOML (the line after the opening ''').
    assert_eq!(p.line, Some(18), "{err}");
    let json: serde_json::Value = serde_json::from_str(&err.to_json()).unwrap();
    assert_eq!(json["code"], "script_syntax");
    assert_eq!(json["indicator"], "D1");
    assert_eq!(json["line"], 18);
}

#[test]
fn missing_required_input_is_unscored_never_zero() {
    let engine = Engine::new(Rulebook::from_toml_str(&one_leaf("full()")).unwrap()).unwrap();
    let card = engine.evaluate(&Submission::default());
    let d2 = card.indicator("D2").unwrap();
    assert_eq!(d2.status, Status::Unscored);
    assert_eq!(d2.score, None);
    assert_eq!(d2.missing.iter().map(|m| &**m).collect::<Vec<_>>(), ["x"]);
    assert!(!card.complete);
    assert!(card.grade.is_none());
}

#[test]
fn one_engine_shared_by_8_threads_matches_sequential() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/demo");
    let engine = Engine::new(Rulebook::from_path(root.join("rulebook.toml")).unwrap()).unwrap();
    let mut subs = Vec::new();
    for name in ["strong", "average", "weak"] {
        let base: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("submissions/{name}.json"))).unwrap(),
        )
        .unwrap();
        for k in 0..40 {
            let mut v = base.clone();
            v["values"]["satisfaction_rate"] = serde_json::json!(50 + k);
            v["values"]["active_users"] = serde_json::json!(100 * k);
            subs.push(serde_json::from_value::<Submission>(v).unwrap());
        }
    }
    let options = EvalOptions::default();
    let sequential: Vec<String> = subs
        .iter()
        .map(|s| engine.evaluate_with(s, options).to_json())
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let engine = engine.clone();
                let subs = &subs;
                scope.spawn(move || {
                    // Each thread walks the submissions from a different start.
                    (0..subs.len())
                        .map(|i| (i + t * 7) % subs.len())
                        .map(|i| (i, engine.evaluate_with(&subs[i], options).to_json()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, json) in h.join().unwrap() {
                assert_eq!(json, sequential[i], "submission {i}");
            }
        }
    });
    let batch: Vec<String> = engine
        .evaluate_batch(&subs, options)
        .iter()
        .map(|c| c.to_json())
        .collect();
    assert_eq!(batch, sequential);
}
