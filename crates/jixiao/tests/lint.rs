//! `Engine::lint`: for each lint code a rulebook that triggers it, its code, entry and line
//! asserted and its messages snapshotted; a rulebook with nothing to say says nothing; and the
//! shipped packs lint clean, or each remaining warning is one their README explains.
#![allow(clippy::unwrap_used)]

use jixiao::{Engine, Lint, LintCode};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let i = text.lines().position(|l| l.contains(needle)).unwrap();
    u32::try_from(i + 1).unwrap()
}

fn lints(text: &str) -> Vec<Lint> {
    Engine::from_str(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .lint()
}

const HEAD: &str = r#"id = "lint"
version = "1"
title = "检查示例"
stage = "post"

[[inputs]]
id = "rate"
label = "执行率"
type = "percent"

[[inputs]]
id = "count"
label = "问题数"
type = "integer"
min = 0

[[kpis]]
id = "half"
label = "执行率一半"
expr = "rate / 2.0"

[[indicators]]
id = "A"
label = "过程"

[[indicators]]
id = "A2"
parent = "A"
label = "合规"
points = 40
script = 'deduct([[count, 5, "违规"]])'
"#;

#[test]
fn a_rulebook_that_reads_everything_has_no_lints() {
    let text = format!(
        "{HEAD}\n[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"执行率\"\npoints = 60\nscript = 'proportional(\"half\", 0.5)'\n"
    );
    assert_eq!(lints(&text), []);
}

#[test]
fn unused_input() {
    // The budget is asked for and read by nothing.
    let text = HEAD.replace(
        "[[kpis]]",
        "[[inputs]]\nid = \"budget\"\nlabel = \"预算\"\ntype = \"number\"\n\n[[kpis]]",
    ) + "\n[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"执行率\"\npoints = 60\nscript = 'proportional(\"half\", 0.5)'\n";
    let found = lints(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    let input = &found[0];
    assert_eq!(
        (input.code, input.input.as_deref()),
        (LintCode::UnusedInput, Some("budget"))
    );
    assert_eq!(input.line, Some(line_of(&text, r#"id = "budget""#) - 1));
    assert_eq!(input.code.as_str(), "unused_input");
    insta::assert_json_snapshot!("unused_input", input);
}

#[test]
fn an_input_read_only_by_an_unused_kpi_is_the_kpis_lint() {
    // A1 reads neither the rate nor the KPI made of it: the KPI is unused, and says so; the
    // rate it reads is shown through it.
    let text = format!(
        "{HEAD}\n[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"执行率\"\npoints = 60\nscript = 'full()'\n"
    );
    let codes: Vec<_> = lints(&text).iter().map(|l| l.code).collect();
    assert_eq!(codes, [LintCode::UnusedKpi]);
}

#[test]
fn unused_kpi() {
    // The rate is read by A1, the KPI by nothing.
    let text = format!(
        "{HEAD}\n[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"执行率\"\npoints = 60\nscript = 'proportional(\"rate\", 1.0)'\n"
    );
    let found = lints(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    let kpi = &found[0];
    assert_eq!(
        (kpi.code, kpi.kpi.as_deref()),
        (LintCode::UnusedKpi, Some("half"))
    );
    assert_eq!(kpi.line, Some(line_of(&text, "[[kpis]]")));
    insta::assert_json_snapshot!("unused_kpi", kpi);
}

#[test]
fn a_kpi_read_through_another_kpi_is_used() {
    let text = format!(
        "{}\n[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"执行率\"\npoints = 60\nscript = 'proportional(\"quarter\", 0.25)'\n",
        HEAD.replace(
            "[[indicators]]\nid = \"A\"",
            "[[kpis]]\nid = \"quarter\"\nlabel = \"四分之一\"\nexpr = \"half / 2.0\"\n\n[[indicators]]\nid = \"A\"",
        )
    );
    assert_eq!(lints(&text), []);
}

/// Every shipped pack: its lints are the ones its README explains (by code and entry), no more.
#[test]
fn the_shipped_packs_lint_clean_or_explain_each_warning() {
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let dir = entry.unwrap().path();
        let Some(file) = ["rulebook.toml", "rulebook.json"]
            .iter()
            .map(|f| dir.join(f))
            .find(|f| f.exists())
        else {
            continue;
        };
        let engine = jixiao::Rulebook::from_path(&file)
            .and_then(Engine::new)
            .unwrap();
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
        for lint in engine.lint() {
            let entry = lint
                .input
                .as_deref()
                .or(lint.kpi.as_deref())
                .or(lint.indicator.as_deref())
                .unwrap();
            let explained = format!("`{}` {entry}", lint.code.as_str());
            assert!(
                readme.contains(&explained),
                "{}: {} — lint clean, or explain it in the pack's README as “{explained}: why”",
                dir.display(),
                lint.message_en
            );
        }
    }
}

// ---------------------------------------------------------------- helper calls

/// The lints of leaf A1 scored by `script`, the rate declared 0–100 %.
fn call_lints(script: &str) -> (String, Vec<Lint>) {
    let head = HEAD.replace(
        "type = \"percent\"",
        "type = \"percent\"\nmin = 0\nmax = 100",
    );
    let text = format!(
        "{head}\n[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"执行率\"\npoints = 60\nscript = '{script}'\n"
    );
    let found = lints(&text)
        .into_iter()
        .filter(|l| l.indicator.is_some())
        .collect();
    (text, found)
}

/// The one lint of `script`, at A1's script line, snapshotted under `name`.
fn one_call_lint(name: &str, script: &str, code: LintCode) {
    let (text, found) = call_lints(script);
    assert_eq!(found.len(), 1, "{found:#?}");
    let lint = &found[0];
    assert_eq!(lint.code, code);
    assert_eq!(lint.code.as_str(), name);
    assert_eq!(lint.indicator.as_deref(), Some("A1"));
    // A1's script is the rulebook's last line.
    let last = u32::try_from(text.lines().count()).unwrap();
    assert_eq!(lint.line, Some(last), "{lint:#?}");
    insta::assert_json_snapshot!(name, lint);
}

#[test]
fn tier_overlap() {
    one_call_lint(
        "tier_overlap",
        r#"tiered("rate", [[0.9, 1.0], [0.9, 0.5], [0.6, 0.3]])"#,
        LintCode::TierOverlap,
    );
}

#[test]
fn tier_not_monotonic() {
    one_call_lint(
        "tier_not_monotonic",
        r#"tiered("rate", [[0.9, 1.0], [0.6, 0.4], [0.3, 0.6]])"#,
        LintCode::TierNotMonotonic,
    );
}

#[test]
fn tier_unreachable() {
    // 95 where 0.95 was meant: a percent input is a fraction in scripts.
    one_call_lint(
        "tier_unreachable",
        r#"tiered("rate", [[95, 1.0], [0.9, 0.8]])"#,
        LintCode::TierUnreachable,
    );
}

#[test]
fn target_unreachable() {
    one_call_lint(
        "target_unreachable",
        r#"proportional("rate", 95)"#,
        LintCode::TargetUnreachable,
    );
}

#[test]
fn target_trivial() {
    one_call_lint(
        "target_trivial",
        r#"linear("rate", -0.5, 0.0)"#,
        LintCode::TargetTrivial,
    );
}

#[test]
fn sound_calls_and_computed_arguments_say_nothing() {
    for script in [
        r#"tiered("rate", [[0.95, 1.0], [0.9, 0.8], [0.8, 0.5]])"#,
        r#"tiered_reverse("rate", [[0.05, 1.0], [0.1, 0.5]])"#,
        r#"proportional("rate", 0.95)"#,
        r#"proportional_reverse("rate", 0.2)"#,
        r#"linear("rate", 0.5, 0.9)"#,
        r#"linear("rate", 0.9, 0.5)"#,
        // A KPI has no declared range; nothing is known of a computed target.
        r#"proportional("half", 95)"#,
        r#"let t = 0.9; if rate > 0.5 { tiered("rate", [[t, 1.0]]) } else { 0.0 }"#,
    ] {
        let (_, found) = call_lints(script);
        assert_eq!(found, [], "{script}");
    }
    // Inside a program, each call is checked.
    let (_, found) = call_lints(
        r#"if rate > 0.5 { proportional("rate", 95) } else { tiered("rate", [[0.4, 0.5], [0.2, 0.9]]) }"#,
    );
    let codes: Vec<_> = found.iter().map(|l| l.code).collect();
    assert_eq!(
        codes,
        [LintCode::TargetUnreachable, LintCode::TierNotMonotonic]
    );
}

#[test]
fn criteria_mismatch() {
    // The 评分标准 says 90 %, the script 0.95; 0.8 is stated (as 80%).
    let script = r#"tiered("rate", [[0.95, 1.0], [0.8, 0.5]])"#;
    let (text, _) = call_lints(script);
    let text = text.replace(
        "points = 60\nscript",
        "points = 60\ncriteria = \"执行率 ≥ 90% 得满分，≥ 80% 得 50%，其余不得分。\"\nscript",
    );
    let found: Vec<_> = lints(&text)
        .into_iter()
        .filter(|l| l.indicator.is_some())
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, LintCode::CriteriaMismatch);
    assert!(found[0].message.contains("0.95（95%）") && !found[0].message.contains("0.8"));
    insta::assert_json_snapshot!("criteria_mismatch", &found[0]);
    // Stated as written, as percent points, or without its sign, it agrees.
    for (criteria, script) in [
        ("≥ 95% 满分，≥ 80% 得一半", script),
        ("不低于 0.95 得满分，0.8 得一半", script),
        (
            "低于 -5% 不得分，50% 及以上得满分",
            r#"linear("rate", -0.05, 0.5)"#,
        ),
    ] {
        let (text, _) = call_lints(script);
        let text = text.replace(
            "points = 60\nscript",
            &format!("points = 60\ncriteria = \"{criteria}\"\nscript"),
        );
        let found: Vec<_> = lints(&text)
            .into_iter()
            .filter(|l| l.indicator.is_some())
            .collect();
        assert_eq!(found, [], "{criteria}");
    }
}

#[test]
fn constraint_broken_by_na() {
    let text = r#"id = "na"
version = "1"
title = "不适用示例"
stage = "post"

[[constraints]]
indicators = ["A"]
min_points = 55
reason = "过程指标不低于 55 分"

[[inputs]]
id = "rate"
label = "执行率"
type = "percent"

[[indicators]]
id = "A"
label = "过程"

[[indicators]]
id = "A1"
parent = "A"
label = "执行率"
points = 30
script = 'proportional("rate", 0.95)'

[[indicators]]
id = "A2"
parent = "A"
label = "制度"
points = 30
allow_na = true
script = 'full()'

[[indicators]]
id = "B"
label = "效益"

[[indicators]]
id = "B1"
parent = "B"
label = "满意度"
points = 40
script = 'full()'
"#;
    let found = lints(text);
    assert_eq!(found.len(), 1, "{found:#?}");
    let lint = &found[0];
    assert_eq!(
        (lint.code, lint.indicator.as_deref()),
        (LintCode::ConstraintBrokenByNa, Some("A2"))
    );
    // A2 N/A: A carries 30 of the 70 left, rescaled to 100: 42.86.
    assert!(lint.message.contains("42.86"), "{}", lint.message);
    assert_eq!(lint.line, Some(line_of(text, "id = \"A2\"") - 1));
    insta::assert_json_snapshot!("constraint_broken_by_na", lint);
    // Redistributed, A2's points go to A1: the constraint holds.
    let redistributed = text.replace(
        "stage = \"post\"",
        "stage = \"post\"\nna_policy = \"redistribute\"",
    );
    assert_eq!(lints(&redistributed), []);
}

#[test]
fn leaf_never_full() {
    one_call_lint(
        "leaf_never_full",
        r#"tiered("rate", [[0.9, 0.8], [0.5, 0.4]])"#,
        LintCode::LeafNeverFull,
    );
}

#[test]
fn leaf_never_zero() {
    // The rate is 0–100 %: every value reaches the band at 0.
    one_call_lint(
        "leaf_never_zero",
        r#"tiered("rate", [[0.9, 1.0], [0.0, 0.5]])"#,
        LintCode::LeafNeverZero,
    );
    // Inside a program the call's result is not the score: nothing is said of it.
    let (_, found) = call_lints(r#"let s = tiered("rate", [[0.9, 0.8], [0.0, 0.5]]); s"#);
    assert_eq!(found, []);
}
