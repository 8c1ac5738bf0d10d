//! Generated scripts, not only generated submissions, through the differential test: random
//! leaf scripts from the shapes the native paths lower (helpers, `let`, `if`/`else`,
//! comparisons and arithmetic, `finding`/`explain`/`flag`, `max`/`min`/`abs`/`floor`), each
//! scored on random submissions natively and with every script in Rhai. The two scorecards
//! must be byte-identical — scores, texts, findings and errors alike — in both languages.
#![allow(clippy::unwrap_used)]

use jixiao::{Engine, EvalOptions, Lang, Submission};
use proptest::prelude::*;
use serde_json::json;

const HEADER: &str = r#"
id = "generated"
version = "1"
title = "生成的脚本"
stage = "post"

[[inputs]]
id = "rate"
label = "完成率"
type = "percent"

[[inputs]]
id = "amount"
label = "金额"
type = "number"
unit = "万元"

[[inputs]]
id = "count"
label = "问题数"
type = "integer"
min = 0

[[inputs]]
id = "flag"
label = "按期完成"
type = "bool"

[[inputs]]
id = "optional"
label = "备注分"
type = "number"
required = false

[[kpis]]
id = "share"
label = "占比"
expr = "amount / 1000.0"
format = "percent"

[[indicators]]
id = "all"
label = "全部"
points = 100

[[indicators]]
id = "rest"
label = "其余"
parent = "all"
points = 90
script = 'full()'
"#;

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..200).prop_map(|n| format!("{}.{}", n / 10, n % 10)),
        Just("rate".to_string()),
        Just("share".to_string()),
        Just("amount".to_string()),
        Just("count".to_string()),
        Just("points".to_string()),
    ]
}

fn arith() -> impl Strategy<Value = String> {
    let leaf = number();
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
            inner.clone().prop_map(|a| format!("abs({a})")),
            inner.prop_map(|a| format!("{a}.floor()")),
        ]
    })
}

fn compare() -> impl Strategy<Value = String> {
    (
        arith(),
        prop::sample::select(vec!["<", "<=", ">", ">=", "==", "!="]),
        arith(),
    )
        .prop_map(|(a, op, b)| format!("{a} {op} {b}"))
}

fn condition() -> impl Strategy<Value = String> {
    prop_oneof![
        compare(),
        Just("flag".to_string()),
        Just("!flag".to_string()),
        (compare(), compare()).prop_map(|(a, b)| format!("{a} && {b}")),
        (compare(), compare()).prop_map(|(a, b)| format!("({a}) || ({b})")),
    ]
}

fn fraction() -> impl Strategy<Value = String> {
    (0u32..=20).prop_map(|n| format!("{}", f64::from(n) / 20.0))
}

/// A helper call that gives the leaf's score.
fn helper() -> impl Strategy<Value = String> {
    prop_oneof![
        fraction().prop_map(|t| format!(r#"proportional("rate", {t})"#)),
        fraction().prop_map(|t| format!(r#"proportional_reverse("share", {t})"#)),
        (fraction(), fraction(), fraction(), fraction())
            .prop_map(|(a, f, b, g)| format!(r#"tiered("rate", [[{a}, {f}], [{b}, {g}]])"#)),
        (fraction(), fraction())
            .prop_map(|(a, b)| format!(r#"tiered_reverse("share", [[{a}, 1.0], [{b}, 0.5]])"#)),
        (0u32..5, 5u32..10).prop_map(|(z, f)| format!(r#"linear("amount", {z}00.0, {f}00.0)"#)),
        fraction().prop_map(|t| format!(r#"satisfaction("rate", {t})"#)),
        Just(r#"yes_no("flag")"#.to_string()),
        Just(r#"yes_no("flag", "未按期完成")"#.to_string()),
        (condition(), fraction()).prop_map(|(c, e)| format!(
            r#"deduct([[{c}, {e}, "条件成立"], [count, 0.5, "每个问题"]])"#
        )),
        fraction().prop_map(|f| format!(r#"award(points * {f}, "按比例给分")"#)),
        Just(r#"full("无扣分")"#.to_string()),
        Just(r#"zero("不得分")"#.to_string()),
        arith(),
    ]
}

/// A whole leaf script: optional `let`, findings and flags under conditions, then the score,
/// or a choice of two scores.
fn script() -> impl Strategy<Value = String> {
    (
        proptest::option::of(arith()),
        proptest::option::of(condition()),
        prop::sample::select(vec!["红", "黄", "绿"]),
        proptest::option::of(condition()),
        helper(),
        helper(),
    )
        .prop_map(|(binding, finding_if, colour, choice, a, b)| {
            let mut s = String::new();
            if let Some(x) = binding {
                s.push_str(&format!("let x = {x};\n"));
            }
            if let Some(c) = finding_if {
                s.push_str(&format!(
                    "if {c} {{ finding(\"条件成立\"); flag(\"{colour}\"); }} else {{ explain(\"条件不成立\", \"condition not met\"); }}\n"
                ));
            }
            match choice {
                Some(c) => s.push_str(&format!("if {c} {{ {a} }} else {{ {b} }}")),
                None => s.push_str(&a),
            }
            s
        })
}

fn submission() -> impl Strategy<Value = serde_json::Value> {
    (
        0u32..=12_000,
        0u32..=200_000,
        0u32..6,
        any::<bool>(),
        proptest::option::of(0u32..100),
    )
        .prop_map(|(rate, amount, count, flag, optional)| {
            let mut values = json!({
                "rate": format!("{}.{:02}%", rate / 100, rate % 100),
                "amount": f64::from(amount) / 100.0,
                "count": count,
                "flag": flag,
            });
            if let Some(o) = optional {
                values["optional"] = json!(o);
            }
            json!({ "values": values })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_scripts_score_the_same_natively_and_in_rhai(
        script in script(),
        subs in proptest::collection::vec(submission(), 4),
    ) {
        let rulebook = format!(
            "{HEADER}\n[[indicators]]\nid = \"g\"\nlabel = \"生成的指标\"\nparent = \"all\"\npoints = 10\nscript = '''\n{script}\n'''\n"
        );
        let engine = match Engine::from_str(&rulebook) {
            Ok(engine) => engine,
            // A generated script the compiler refuses (a type error it can see) is not this
            // test's subject.
            Err(_) => return Ok(()),
        };
        for sub in &subs {
            let sub = Submission::from_json_str(&sub.to_string()).unwrap();
            for lang in [Lang::Zh, Lang::En] {
                let opts = EvalOptions { trace: true, lang };
                let native = engine.evaluate_with(&sub, opts).to_json();
                let rhai = engine.evaluate_interpreted(&sub, opts).to_json();
                prop_assert_eq!(native, rhai, "script:\n{}", script);
            }
        }
    }
}

/// The generator is not vacuous: most of its scripts run natively (else the comparison above
/// would compare Rhai with itself).
#[test]
fn most_generated_scripts_run_natively() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = script();
    let (mut native, mut compiled) = (0, 0);
    for _ in 0..200 {
        let script = strategy.new_tree(&mut runner).unwrap().current();
        let rulebook = format!(
            "{HEADER}\n[[indicators]]\nid = \"g\"\nlabel = \"生成的指标\"\nparent = \"all\"\npoints = 10\nscript = '''\n{script}\n'''\n"
        );
        if let Ok(engine) = Engine::from_str(&rulebook) {
            compiled += 1;
            let (n, all) = engine.native_leaves();
            assert_eq!(all, 2);
            // `rest` (full()) is always native; count the generated leaf.
            native += n - 1;
        }
    }
    assert!(
        compiled >= 150,
        "only {compiled} of 200 generated scripts compiled"
    );
    assert!(
        native * 10 >= compiled * 7,
        "only {native} of {compiled} generated scripts run natively"
    );
}

/// Found by the generator: Rhai compares floats relative to their magnitude, so NaN is not
/// unequal to 0 and `0.1 + 0.2 == 0.3`; the native paths compared as IEEE does.
#[test]
fn float_comparisons_are_rhais() {
    for condition in [
        "0.0 != (0.0 / count)",
        "0.0 == (0.0 / count)",
        "(0.0 / count) < 1.0",
        "0.1 + 0.2 == 0.3",
        "0.1 + 0.2 > 0.3",
        "0.1 + 0.2 <= 0.3",
        "count >= 0.0",
    ] {
        let script = format!("if {condition} {{ full() }} else {{ zero(\"否\") }}");
        let rulebook = format!(
            "{HEADER}\n[[indicators]]\nid = \"g\"\nlabel = \"生成的指标\"\nparent = \"all\"\npoints = 10\nscript = '''\n{script}\n'''\n"
        );
        let engine = Engine::from_str(&rulebook).unwrap();
        assert_eq!(engine.native_leaves(), (2, 2), "{condition} runs natively");
        let sub = Submission::from_json_str(
            r#"{"values": {"rate": "50%", "amount": 100, "count": 0, "flag": true}}"#,
        )
        .unwrap();
        let opts = EvalOptions::default();
        assert_eq!(
            engine.evaluate_with(&sub, opts).to_json(),
            engine.evaluate_interpreted(&sub, opts).to_json(),
            "{condition}"
        );
    }
}
