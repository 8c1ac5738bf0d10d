//! The native programs (one-call helpers, arithmetic KPIs, lowered leaf scripts) must give
//! exactly what Rhai gives. For every shipped rulebook and the 40-leaf benchmark rulebook,
//! over its example submissions and hundreds of generated ones (values in and out of range,
//! missing, N/A), the scorecard JSON with native programs is byte-identical to the one with every
//! script interpreted — in both languages, trace on and off.
#![allow(clippy::unwrap_used)]

#[path = "../benches/support/forty_leaf.rs"]
#[allow(dead_code)]
mod forty_leaf;

use jixiao::model::{Input, InputType};
use jixiao::{Engine, EvalOptions, Lang, Rulebook, Submission};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")
}

/// A small deterministic generator (no dependency on proptest's shrinking here: the point
/// is breadth, and a failure prints the submission).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() * items.len() as f64) as usize % items.len()]
    }
}

fn value_for(input: &Input, rng: &mut Lcg) -> Option<Value> {
    if rng.next() < 0.08 {
        return None;
    }
    let lo = input.min.unwrap_or(0.0);
    let hi = input.max.unwrap_or(lo + 200.0).max(lo + 1.0);
    let span = hi - lo;
    Some(match input.kind {
        InputType::Number | InputType::Percent => {
            // Mostly in range, sometimes just outside, sometimes on a bound.
            let v = match rng.next() {
                r if r < 0.1 => lo,
                r if r < 0.2 => hi,
                r if r < 0.25 => hi + span * 0.1,
                _ => lo + rng.next() * span,
            };
            json!((v * 100.0).round() / 100.0)
        }
        InputType::Integer => json!((lo + rng.next() * span).round()),
        InputType::Bool => json!(rng.next() < 0.6),
        InputType::Choice => json!(rng.pick(&input.choices)),
        InputType::Date => json!(format!(
            "202{}-{:02}-{:02}",
            (rng.next() * 5.0) as u32,
            1 + (rng.next() * 12.0) as u32,
            1 + (rng.next() * 28.0) as u32
        )),
        InputType::Text => json!("说明"),
        InputType::Grade => {
            let labels: Vec<String> = if input.levels.is_empty() {
                ["优", "良", "中", "差"].map(String::from).to_vec()
            } else {
                input.levels.iter().map(|l| l.label.clone()).collect()
            };
            let n = 1 + (rng.next() * 3.0) as usize;
            json!(
                (0..n)
                    .map(|_| rng.pick(&labels).clone())
                    .collect::<Vec<_>>()
            )
        }
        // Tables come from the packs' example submissions.
        _ => return None,
    })
}

fn generated(rulebook: &Rulebook, seed: u64) -> Submission {
    let mut rng = Lcg(seed);
    let mut values = Map::new();
    for input in &rulebook.spec().inputs {
        if let Some(v) = value_for(input, &mut rng) {
            values.insert(input.id.clone(), v);
        }
    }
    let na: Vec<String> = rulebook
        .spec()
        .indicators
        .iter()
        .filter(|i| i.allow_na && rng.next() < 0.2)
        .map(|i| i.id.clone())
        .collect();
    serde_json::from_value(json!({ "values": values, "not_applicable": na })).unwrap()
}

fn assert_same(engine: &Engine, sub: &Submission, what: &str) {
    for lang in [Lang::Zh, Lang::En] {
        for trace in [true, false] {
            let opts = EvalOptions { trace, lang };
            let fast = serde_json::to_string(&engine.evaluate_with(sub, opts)).unwrap();
            let slow = serde_json::to_string(&engine.evaluate_interpreted(sub, opts)).unwrap();
            assert!(
                fast == slow,
                "{what} ({lang:?}, trace {trace}): fast paths differ from Rhai\nsubmission: {}\nfast: {fast}\nrhai: {slow}",
                sub.to_json()
            );
        }
    }
}

#[test]
fn shipped_rulebooks_score_the_same_natively_and_in_rhai() {
    let mut checked = 0;
    for entry in std::fs::read_dir(rules_dir()).unwrap() {
        let dir = entry.unwrap().path();
        let path = dir.join("rulebook.toml");
        if !path.exists() {
            continue;
        }
        let rulebook = Rulebook::from_path(&path).unwrap();
        let engine = Engine::new(rulebook.clone()).unwrap();
        if let Ok(examples) = std::fs::read_dir(dir.join("examples")) {
            for example in examples {
                let example = example.unwrap().path();
                let text = std::fs::read_to_string(&example).unwrap();
                let sub = Submission::from_json_str(&text).unwrap();
                assert_same(&engine, &sub, &example.display().to_string());
                checked += 1;
            }
        }
        for seed in 0..150 {
            let sub = generated(&rulebook, seed);
            assert_same(&engine, &sub, &format!("{} seed {seed}", path.display()));
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} submissions checked");
}

#[test]
fn benchmark_rulebook_scores_the_same_natively_and_in_rhai() {
    let rulebook = Rulebook::from_toml_str(&forty_leaf::forty_leaf_rulebook()).unwrap();
    let engine = Engine::new(rulebook.clone()).unwrap();
    for seed in 0..64 {
        assert_same(&engine, &forty_leaf::submission(seed), "bench40 fixture");
        assert_same(&engine, &generated(&rulebook, seed), "bench40 generated");
    }
}

/// The scripts that exercise the edges of the native subset: abandoning mid-way (after a
/// helper recorded findings), type mismatches, integer arithmetic, NaN comparisons.
#[test]
fn edge_scripts_score_the_same_natively_and_in_rhai() {
    let scripts = [
        r#"finding("先记一条"); if rate > 2 { full() } else { "不是数字" }"#,
        r#"finding("先记一条"); let x = "a" + rate; full()"#,
        "let n = 7 / 2; if n == 3 { full() } else { zero(\"整除\") }",
        "let big = 9223372036854775807; let y = big + 1; full()",
        "let z = 0.0 / 0.0; if z > 1.0 || z == z { full() } else { points / 4.0 }",
        "if rate { full() } else { 0.0 }",
        "let r = rate; { let r = 0.5; } award(points * r, \"外层 r\")",
        "if rate >= 0.9 && rate < 0.95 { points * 0.8 } else if rate >= 0.95 { points } else { 1 }",
        "let x = -rate; if !(x < 0.0) { zero(\"负\") } else { proportional(\"rate\", 0.8) }",
        "let n = -(7 / 2); if n == -3 { full() } else { zero(\"负整除\") }",
        "let m = -9223372036854775807 - 1; let y = -m; full()",
        "let d = -rate; award(points * -d / 2.0, \"负负得正\")",
        r#"flag("红"); explain("说明"); deduct([[rate < 0.5, 1, "低"], [true, 0.25, "固定"]])"#,
        "let a = [rate, 1, \"x\"]; full()",
        // deduct() rows written out (evaluated natively without arrays): more rows than
        // the stack buffer, counts, a number as the reason, a bad row, a negative amount.
        r#"deduct([[rate < 0.5, 1, "a"], [true, 1, "b"], [true, 1, "c"], [true, 1, "d"], [true, 1, "e"], [true, 1, "f"], [true, 1, "g"], [true, 1, "h"], [rate > 1.0, 100, "i"]])"#,
        r#"deduct([[(rate * 10.0).floor(), 2.5, "次数"], [2, 1, 42]])"#,
        r#"deduct([[true, 1, "先扣"], [rate, 1, "条件不是布尔"]])"#,
        r#"deduct([[true, -1, "负数"]])"#,
        r#"deduct([[true, 1, "先扣"], [true, 1]])"#,
        "()",
        r#"finding("偏差较大", "large deviation"); explain("说明", "note"); points / 2.0"#,
        r#"finding("只有中文", 3); full()"#,
        // Numbers and booleans put into texts, printed natively as Rhai's `to_string` does.
        "finding(`比率 ${rate}，两倍 ${rate * 2.0}，整 ${rate * 0.0 + 100.0}`); points / 2.0",
        "finding(`${rate * 1e14} ${rate / 1e15} ${-rate * 0.0} ${0.0 - rate} ${rate > 0.5}`); full()",
        "finding(`${9999999827968.0} ${9999999827969.0} ${1e-13} ${0.0000000000000999} ${1.0 / 3.0}`); full()",
        "let n = 7; explain(`${n} 项，${n / 2} 对，${rate < 1.0}，${()}`); full()",
        // Literal arguments worked out at compile time (metric ids, numbers, band tables),
        // in one-call scripts and inside programs, and the literals that stay unknown.
        r#"tiered("rate", [[0.5, 0.5], [0.9, 1.0], [0.9, 0.8], [0.95, 1]])"#,
        r#"tiered_reverse("rate", [[1.0, 0.5], [0.5, 1], [1.0, 0.25]])"#,
        r#"tiered("rate", [[0.5, 1.5]])"#,
        r#"tiered_reverse("rate", [])"#,
        r#"tiered("rate", [[0.5, "x"]])"#,
        "proportional(0.5, 1)",
        "proportional_reverse(1, 0.5)",
        r#"linear("rate", 1, 0)"#,
        r#"linear("rate", 0.5, 0.5)"#,
        r#"satisfaction("rate", 0)"#,
        r#"satisfaction("rate", 0.9)"#,
        r#"award(50, "常数")"#,
        r#"award(1e400, "太大")"#,
        r#"grade("rate")"#,
        r#"yes_no("rate", "否")"#,
        r#"let t = 0.9; if rate > 0.5 { proportional("rate", t) } else { tiered_reverse("rate", [[0.2, 1.0], [0.4, 0.5]]) }"#,
        r#"if rate > 0.95 { linear(rate, 0.5, 1) } else { tiered(rate, [[0.9, 0.8], [0.3, 0.1]]) }"#,
        r#"let b = [[0.9, 1.0], [0.5, 0.5]]; tiered("rate", b) + 0.0"#,
        // Comparisons and arithmetic computed without values (numbers read directly),
        // mixed with integers, overflow, NaN, strings and effects on either side.
        "let n = 3; if n * 2 == 6 && points / 4 > 10.0 && rate * 100 >= 50 { full() } else { zero(\"否\") }",
        "if -rate < -0.5 || !(rate != rate) { award(points * -(-rate) / 2.0, \"半\") } else { 0.0 }",
        "let big = 9223372036854775807; if big + 1 > 0 { full() } else { 0.0 }",
        "let z = rate / 0.0 - rate / 0.0; if z < 1.0 || z >= 1.0 { full() } else { points / 3.0 }",
        r#"if rate == "a" { full() } else { 0.0 }"#,
        r#"if 7 / 2 * 2 == 6 && (rate > 0.5) == true { full() } else { zero("整") }"#,
        r#"if proportional("rate", 0.9) > points / 2.0 { 1.0 } else { 2.0 }"#,
        r#"let x = rate; if x * (points - full()) < 0.5 - rate { zero("效") } else { 1.0 }"#,
        // Conditions lent to calls as constant booleans rather than computed values.
        r#"deduct([[rate > 0.5 || rate < 0.2, 1, "或"], [!(rate > 0.9), 0.5, "非"], [rate * 10.0 > 5.0 && rate < 2.0, 0.25, rate > 1.0]])"#,
        "award(points * 0.5, rate > 0.5)",
        "zero(!(rate < 0.5))",
        "max(rate > 0.5, 1.0)",
    ];
    for script in scripts {
        let text = format!(
            "id = \"edge\"\nversion = \"1\"\ntitle = \"边界\"\nstage = \"post\"\n\
             [[inputs]]\nid = \"rate\"\nlabel = \"比率\"\ntype = \"percent\"\n\
             [[indicators]]\nid = \"A\"\nlabel = \"维度\"\n\
             [[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"甲\"\npoints = 100\nscript = '''\n{script}\n'''\n"
        );
        let engine = Engine::from_str(&text).unwrap_or_else(|e| panic!("{script}: {e}"));
        for rate in ["30", "91", "96", "120"] {
            let sub =
                Submission::from_json_str(&format!(r#"{{"values":{{"rate":{rate}}}}}"#)).unwrap();
            assert_same(&engine, &sub, script);
        }
    }
}

#[test]
fn two_language_findings_follow_the_requested_language() {
    let text = "id = \"lang\"\nversion = \"1\"\ntitle = \"语言\"\nstage = \"post\"\n\
        [[inputs]]\nid = \"rate\"\nlabel = \"比率\"\ntype = \"percent\"\n\
        [[indicators]]\nid = \"A\"\nlabel = \"维度\"\n\
        [[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"甲\"\npoints = 100\n\
        script = '''\nfinding(\"偏差较大\", \"large deviation\"); explain(\"说明\", \"note\"); points / 2.0\n'''\n";
    let engine = Engine::from_str(text).unwrap();
    let sub = Submission::from_json_str(r#"{"values":{"rate":50}}"#).unwrap();
    for (lang, finding, explanation) in [
        (Lang::Zh, "偏差较大", "说明"),
        (Lang::En, "large deviation", "note"),
    ] {
        for card in [
            engine.evaluate_with(&sub, EvalOptions { trace: true, lang }),
            engine.evaluate_interpreted(&sub, EvalOptions { trace: true, lang }),
        ] {
            let a1 = card.indicator("A1").unwrap();
            assert_eq!(a1.findings[0].message, finding);
            assert_eq!(a1.explanation.as_deref(), Some(explanation));
        }
    }
}
