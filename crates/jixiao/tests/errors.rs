//! A corpus of broken rulebooks, failing scripts and broken submissions. Each case snapshots
//! the error as people read it (Display) and as programs read it (the stable JSON of
//! `Error::to_json` or the `Problem` list), and asserts the code and location explicitly so
//! that a broken line mapping fails even if someone blesses the snapshots.
//!
//! Also: the committed JSON Schema `rules/rulebook.schema.json` must equal
//! `Rulebook::json_schema()` (regenerate with `JIXIAO_BLESS=1`).
#![allow(clippy::unwrap_used)]

use jixiao::{
    Engine, Error, EvalOptions, Lang, Problem, ProblemCode, Rulebook, Scorecard, Status, Submission,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------- helpers

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let i = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the rulebook"));
    u32::try_from(i + 1).unwrap()
}

/// Parse and compile, expecting failure.
fn rulebook_error(text: &str) -> Error {
    match Rulebook::from_toml_str(text).and_then(Engine::new) {
        Ok(_) => panic!("the rulebook compiled:\n{text}"),
        Err(e) => e,
    }
}

/// Snapshot an error twice: the text people read and the JSON bindings pass through.
fn snap_error(name: &str, err: &Error) {
    insta::assert_snapshot!(format!("{name}__display"), err.to_string());
    let json: Value = serde_json::from_str(&err.to_json()).unwrap();
    // The JSON form carries the same first problem as the Rust value.
    assert_eq!(json["code"], err.code().as_str());
    assert_eq!(json["kind"], err.kind());
    assert_eq!(
        json["problems"].as_array().unwrap().len(),
        err.problems().len()
    );
    insta::assert_json_snapshot!(format!("{name}__json"), json);
}

/// Snapshot a list of problems (submission values, scorecard errors).
fn snap_problems(name: &str, problems: &[Problem]) {
    let text = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(format!("{name}__display"), text);
    insta::assert_json_snapshot!(format!("{name}__json"), problems);
}

/// The only problem of an error, asserting there is exactly one.
fn only(err: &Error) -> Problem {
    let problems = err.problems();
    assert_eq!(problems.len(), 1, "expected one problem:\n{err}");
    problems.into_iter().next().unwrap()
}

/// The problem with `code`, asserting there is exactly one.
fn with_code(err: &Error, code: ProblemCode) -> Problem {
    let found: Vec<Problem> = err
        .problems()
        .into_iter()
        .filter(|p| p.code == code)
        .collect();
    assert_eq!(found.len(), 1, "expected one {code:?}:\n{err}");
    found.into_iter().next().unwrap()
}

/// The first problem with `code`, for the tree problems the engine repeats (see
/// `tree_problems_are_reported_once`).
fn first_with_code(err: &Error, code: ProblemCode) -> Problem {
    err.problems()
        .into_iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("no {code:?}:\n{err}"))
}

/// A rulebook head shared by the corpus: identity, two inputs and one KPI. 22 lines.
const HEAD: &str = r#"id = "broken"
version = "1"
title = "错误示例"
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
label = "一半"
expr = "rate / 2.0"

"#;

/// A healthy tree: A (100) = A1 (60) + A2 (40).
const TREE: &str = r#"[[indicators]]
id = "A"
label = "过程"

[[indicators]]
id = "A1"
parent = "A"
label = "执行率"
points = 60
script = 'proportional("rate", 1.0)'

[[indicators]]
id = "A2"
parent = "A"
label = "合规"
points = 40
script = 'deduct([[count, 5, "违规"]])'
"#;

fn with_head(body: &str) -> String {
    format!("{HEAD}{body}")
}

#[test]
fn the_healthy_corpus_rulebook_compiles() {
    let engine = Engine::from_str(&with_head(TREE)).unwrap();
    let card =
        engine.evaluate(&Submission::from_json_str(r#"{"values":{"rate":90,"count":1}}"#).unwrap());
    assert_eq!(card.total.to_string(), "89");
    assert_eq!(HEAD.lines().count(), 21);
}

// ---------------------------------------------------------------- broken rulebooks

#[test]
fn rulebook_toml_syntax() {
    let text = with_head(
        r#"[[indicators]]
id = "A"
label = "过程
points = 100
"#,
    );
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::TomlSyntax);
    assert_eq!(err.kind(), "rulebook");
    // The unterminated string starts on line 24.
    assert_eq!(p.line, Some(24));
    assert_eq!(p.line, Some(line_of(&text, r#"label = "过程"#)));
    assert!(p.column.is_some());
    snap_error("rulebook_toml_syntax", &err);
}

#[test]
fn rulebook_unknown_field_typo() {
    let text = with_head(&TREE.replace("points = 40", "pionts = 40"));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::TomlSyntax);
    assert!(p.message.contains("pionts"), "{}", p.message);
    assert_eq!(p.line, Some(line_of(&text, "pionts")));
    snap_error("rulebook_unknown_field", &err);
}

#[test]
fn rulebook_unknown_input_in_script() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script = '''\nlet r = rate;\nr * points + rat\n'''",
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::UnknownName);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    assert_eq!(p.field.as_deref(), Some("script"));
    assert!(p.message.contains("rat"), "{}", p.message);
    assert_eq!(p.line, Some(line_of(&text, "r * points + rat")));
    assert_eq!(p.line, Some(40));
    snap_error("rulebook_unknown_input_in_script", &err);
}

#[test]
fn rulebook_helper_with_unknown_id() {
    let text =
        with_head(&TREE.replace("proportional(\"rate\", 1.0)", "proportional(\"nope\", 1.0)"));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::UnknownName);
    assert_eq!(p.indicator.as_deref(), Some("A1"));
    assert!(p.message.contains("“nope”"), "{}", p.message);
    assert_eq!(p.line, Some(line_of(&text, "proportional(\"nope\"")));
    snap_error("rulebook_helper_unknown_id", &err);
}

#[test]
fn rulebook_helper_with_unknown_id_in_a_multiline_script() {
    let text = with_head(&TREE.replace(
        "script = 'proportional(\"rate\", 1.0)'",
        "script = '''\nlet s = 0.0;\ns += tiered(\"rates\", [[0.9, 1.0]]);\ns\n'''",
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::UnknownName);
    assert_eq!(p.indicator.as_deref(), Some("A1"));
    assert_eq!(p.line, Some(line_of(&text, "tiered(\"rates\"")));
    snap_error("rulebook_helper_unknown_id_multiline", &err);
}

#[test]
fn rulebook_kpi_cycle() {
    let text = with_head(&format!(
        r#"[[kpis]]
id = "a"
label = "甲"
expr = "b + 1.0"

[[kpis]]
id = "b"
label = "乙"
expr = "a * 2.0"

{TREE}"#
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::KpiCycle);
    assert_eq!(p.kpi.as_deref(), Some("a"));
    assert!(p.message.contains("a → b → a"), "{}", p.message);
    assert!(p.message_en.contains("a → b → a"), "{}", p.message_en);
    assert_eq!(p.line, Some(line_of(&text, "expr = \"b + 1.0\"")));
    snap_error("rulebook_kpi_cycle", &err);
}

#[test]
fn rulebook_kpi_self_cycle() {
    let text = with_head(&format!(
        "[[kpis]]\nid = \"a\"\nlabel = \"甲\"\nexpr = \"a + rate\"\n\n{TREE}"
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::KpiCycle);
    assert!(p.message.contains("a → a"), "{}", p.message);
    snap_error("rulebook_kpi_self_cycle", &err);
}

#[test]
fn rulebook_kpi_unknown_name() {
    let text = with_head(&format!(
        "[[kpis]]\nid = \"ratio_x\"\nlabel = \"比\"\nexpr = \"rate / budgt\"\n\n{TREE}"
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::UnknownName);
    assert_eq!(p.kpi.as_deref(), Some("ratio_x"));
    assert_eq!(p.field.as_deref(), Some("expr"));
    assert!(p.message.contains("budgt"), "{}", p.message);
    assert_eq!(p.line, Some(line_of(&text, "rate / budgt")));
    snap_error("rulebook_kpi_unknown_name", &err);
}

#[test]
fn rulebook_kpi_syntax_error() {
    let text = with_head(&format!(
        "[[kpis]]\nid = \"bad\"\nlabel = \"坏\"\nexpr = \"rate * (2.0\"\n\n{TREE}"
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(p.kpi.as_deref(), Some("bad"));
    assert_eq!(p.line, Some(line_of(&text, "rate * (2.0")));
    snap_error("rulebook_kpi_syntax", &err);
}

#[test]
fn rulebook_points_do_not_sum() {
    // A1 declares 10 but its children carry 4 + 5.
    let text = with_head(
        r#"[[indicators]]
id = "A"
label = "过程"

[[indicators]]
id = "A1"
parent = "A"
label = "资金管理"
points = 10

[[indicators]]
id = "A1a"
parent = "A1"
label = "到位率"
points = 4
script = 'proportional("rate", 1.0)'

[[indicators]]
id = "A1b"
parent = "A1"
label = "合规"
points = 5
script = 'deduct([[count, 1, "违规"]])'

[[indicators]]
id = "A2"
parent = "A"
label = "其他"
points = 90
script = 'full()'
"#,
    );
    let err = rulebook_error(&text);
    assert!(
        err.problems()
            .iter()
            .all(|p| p.code == ProblemCode::PointsMismatch)
    );
    let p = first_with_code(&err, ProblemCode::PointsMismatch);
    assert_eq!(p.indicator.as_deref(), Some("A1"));
    assert_eq!(p.field.as_deref(), Some("points"));
    assert!(p.message.contains("A1a 4、A1b 5"), "{}", p.message);
    assert_eq!(p.line, Some(line_of(&text, "points = 10")));
    assert_eq!(p.line, Some(30));
    snap_problems("rulebook_points_mismatch", &[p]);
}

#[test]
fn rulebook_total_mismatch() {
    let text = with_head(&TREE.replace("points = 40", "points = 30"));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::TotalMismatch);
    assert_eq!(p.field.as_deref(), Some("total"));
    assert!(
        p.message.contains("90") && p.message.contains("100"),
        "{}",
        p.message
    );
    snap_error("rulebook_total_mismatch", &err);
}

#[test]
fn rulebook_declared_total_other_than_100() {
    let text = with_head(TREE).replace("stage = \"post\"", "stage = \"post\"\ntotal = 120");
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::TotalMismatch);
    assert!(p.message.contains("120"), "{}", p.message);
    snap_error("rulebook_total_120", &err);
}

#[test]
fn rulebook_weight_constraint_violated() {
    let text = with_head(&format!(
        r#"[[constraints]]
indicators = ["A2"]
min_points = 60
reason = "财预〔2020〕10号：产出、效益指标权重合计一般不低于 60%"

{TREE}"#
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ConstraintViolated);
    assert_eq!(p.field.as_deref(), Some("constraints"));
    assert!(p.message.contains("财预〔2020〕10号"), "{}", p.message);
    snap_error("rulebook_constraint_violated", &err);
}

#[test]
fn rulebook_weight_constraint_max_and_unknown_indicator() {
    let text = with_head(&format!(
        "[[constraints]]\nindicators = [\"A1\"]\nmax_points = 50\n\n[[constraints]]\nindicators = [\"Z9\"]\nmin_points = 1\n\n{TREE}"
    ));
    let err = rulebook_error(&text);
    assert_eq!(err.problems().len(), 2, "{err}");
    with_code(&err, ProblemCode::ConstraintViolated);
    let p = with_code(&err, ProblemCode::UnknownIndicator);
    assert!(p.message.contains("Z9"), "{}", p.message);
    snap_error("rulebook_constraint_max_and_unknown", &err);
}

#[test]
fn rulebook_script_syntax_error_in_multiline_script() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script = '''\nlet a = count * 5.0;\nlet b = ;\npoints - a\n'''",
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    assert_eq!(p.field.as_deref(), Some("script"));
    // `let b = ;` is the second line inside ''' — line 40 of the TOML.
    assert_eq!(p.line, Some(40));
    assert_eq!(p.line, Some(line_of(&text, "let b = ;")));
    assert!(p.column.is_some());
    let json: Value = serde_json::from_str(&err.to_json()).unwrap();
    assert_eq!(json["line"], 40);
    assert_eq!(json["indicator"], "A2");
    snap_error("rulebook_script_syntax_multiline", &err);
}

#[test]
fn rulebook_script_syntax_error_with_script_on_the_opening_line() {
    // No newline after ''': the script's first line is the `script =` line itself.
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script = '''let a = 1.0;\nlet b = ;\na'''",
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(p.line, Some(line_of(&text, "let b = ;")));
    snap_error("rulebook_script_syntax_same_line", &err);
}

#[test]
fn rulebook_script_syntax_error_in_basic_multiline_string() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script = \"\"\"\nlet a = 1.0;\n\nlet = a;\na\n\"\"\"",
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(p.line, Some(line_of(&text, "let = a;")));
    snap_error("rulebook_script_syntax_basic_string", &err);
}

/// A temporary folder holding `rulebook.toml` (and optionally scripts), removed on drop.
struct TempRulebook {
    dir: PathBuf,
}

impl TempRulebook {
    fn new(name: &str, toml: &str, files: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("jixiao-errors-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("scripts")).unwrap();
        std::fs::write(dir.join("rulebook.toml"), toml).unwrap();
        for (path, text) in files {
            std::fs::write(dir.join(path), text).unwrap();
        }
        TempRulebook { dir }
    }
    fn load(&self) -> Result<Engine, Error> {
        Rulebook::from_path(self.dir.join("rulebook.toml")).and_then(Engine::new)
    }
}

impl Drop for TempRulebook {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn rulebook_script_file_does_not_exist() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script_file = \"scripts/missing.rhai\"",
    ));
    let tmp = TempRulebook::new("missing-file", &text, &[]);
    let err = tmp.load().unwrap_err();
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ScriptFile);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    assert_eq!(p.field.as_deref(), Some("script_file"));
    assert!(p.message.contains("scripts/missing.rhai"), "{}", p.message);
    // The entry's [[indicators]] header line.
    assert_eq!(p.line, Some(33));
    snap_error("rulebook_script_file_missing", &err);

    // From a string there is no folder to read it from: also a named error.
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ScriptFile);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    snap_error("rulebook_script_file_from_string", &err);
}

#[test]
fn rulebook_script_file_with_syntax_error_names_the_file_line() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script_file = \"scripts/bad.rhai\"",
    ));
    let script = "// 合规性\nlet n = count;\nlet = n;\nn\n";
    let tmp = TempRulebook::new("bad-file", &text, &[("scripts/bad.rhai", script)]);
    let err = tmp.load().unwrap_err();
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    assert_eq!(p.file.as_deref(), Some("scripts/bad.rhai"));
    assert_eq!(p.line, Some(3));
    snap_error("rulebook_script_file_syntax", &err);
}

#[test]
fn rulebook_script_and_script_file_both() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script = 'full()'\nscript_file = \"scripts/x.rhai\"",
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ScriptFile);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    snap_error("rulebook_script_and_script_file", &err);
}

#[test]
fn rulebook_leaf_without_script() {
    let text = with_head(&TREE.replace("script = 'deduct([[count, 5, \"违规\"]])'\n", ""));
    let err = rulebook_error(&text);
    assert!(
        err.problems()
            .iter()
            .all(|p| p.code == ProblemCode::LeafWithoutScript)
    );
    let p = first_with_code(&err, ProblemCode::LeafWithoutScript);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    assert_eq!(p.line, Some(33));
    // The engine repeats this problem (engine bug, see below): snapshot the problem itself.
    snap_problems("rulebook_leaf_without_script", &[p]);
}

#[test]
fn rulebook_leaf_without_points() {
    let text = with_head(&TREE.replace("points = 40\n", ""));
    let err = rulebook_error(&text);
    let p = first_with_code(&err, ProblemCode::LeafWithoutPoints);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    assert_eq!(p.field.as_deref(), Some("points"));
    assert_eq!(p.line, Some(33));
    snap_problems("rulebook_leaf_without_points", &[p]);
}

#[test]
fn rulebook_invalid_points() {
    let text = with_head(&TREE.replace("points = 40", "points = -40"));
    let err = rulebook_error(&text);
    let p = first_with_code(&err, ProblemCode::InvalidPoints);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    assert_eq!(p.line, Some(line_of(&text, "points = -40")));
    snap_problems("rulebook_invalid_points", &[p]);
}

#[test]
fn rulebook_parent_with_script() {
    let text = with_head(&TREE.replace(
        "id = \"A\"\nlabel = \"过程\"\n",
        "id = \"A\"\nlabel = \"过程\"\nscript = 'full()'\n",
    ));
    let err = rulebook_error(&text);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::ParentWithScript);
    assert_eq!(p.indicator.as_deref(), Some("A"));
    assert_eq!(p.line, Some(line_of(&text, "script = 'full()'")));
    snap_error("rulebook_parent_with_script", &err);
}

#[test]
fn rulebook_duplicate_ids() {
    let text = with_head(&format!(
        "{TREE}\n[[inputs]]\nid = \"rate\"\nlabel = \"重复\"\ntype = \"number\"\n\n[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"重复指标\"\npoints = 1\nscript = 'full()'\n"
    ));
    let err = rulebook_error(&text);
    let dups: Vec<Problem> = err
        .problems()
        .into_iter()
        .filter(|p| p.code == ProblemCode::DuplicateId)
        .collect();
    assert_eq!(dups.len(), 2, "{err}");
    assert_eq!(dups[0].input.as_deref(), Some("rate"));
    // The second [[inputs]] entry, not the first.
    assert_eq!(dups[0].line, Some(line_of(&text, "label = \"重复\"") - 2));
    assert_eq!(dups[1].indicator.as_deref(), Some("A1"));
    assert_eq!(
        dups[1].line,
        Some(line_of(&text, "label = \"重复指标\"") - 3)
    );
    snap_error("rulebook_duplicate_ids", &err);
}

#[test]
fn rulebook_unknown_parent() {
    let text = with_head(&TREE.replace(
        "parent = \"A\"\nlabel = \"合规\"",
        "parent = \"B\"\nlabel = \"合规\"",
    ));
    let err = rulebook_error(&text);
    let p = with_code(&err, ProblemCode::UnknownParent);
    assert_eq!(p.indicator.as_deref(), Some("A2"));
    assert_eq!(p.field.as_deref(), Some("parent"));
    assert_eq!(p.line, Some(line_of(&text, "parent = \"B\"")));
    snap_error("rulebook_unknown_parent", &err);
}

#[test]
fn rulebook_parent_cycle() {
    let text = with_head(&format!(
        "{TREE}\n[[indicators]]\nid = \"X\"\nparent = \"Y\"\nlabel = \"环甲\"\n\n[[indicators]]\nid = \"Y\"\nparent = \"X\"\nlabel = \"环乙\"\n"
    ));
    let err = rulebook_error(&text);
    let cycles: Vec<Problem> = err
        .problems()
        .into_iter()
        .filter(|p| p.code == ProblemCode::TreeCycle)
        .collect();
    assert_eq!(cycles.len(), 2, "{err}");
    assert_eq!(cycles[0].indicator.as_deref(), Some("X"));
    assert_eq!(cycles[0].line, Some(line_of(&text, "id = \"X\"") - 1));
    assert_eq!(cycles[1].indicator.as_deref(), Some("Y"));
    snap_error("rulebook_parent_cycle", &err);
}

#[test]
fn rulebook_no_first_level_indicator() {
    let text = with_head(
        "[[indicators]]\nid = \"X\"\nparent = \"X\"\nlabel = \"自环\"\npoints = 100\nscript = 'full()'\n",
    );
    let err = rulebook_error(&text);
    with_code(&err, ProblemCode::NoIndicators);
    with_code(&err, ProblemCode::TreeCycle);
    snap_error("rulebook_no_root", &err);
}

#[test]
fn rulebook_invalid_input_ids() {
    let text = with_head(&format!(
        "[[inputs]]\nid = \"Rate2\"\nlabel = \"大写\"\ntype = \"number\"\n\n[[inputs]]\nid = \"points\"\nlabel = \"保留字\"\ntype = \"number\"\n\n[[inputs]]\nid = \"budget-total\"\nlabel = \"连字符\"\ntype = \"number\"\n\n{TREE}"
    ));
    let err = rulebook_error(&text);
    let bad: Vec<Problem> = err
        .problems()
        .into_iter()
        .filter(|p| p.code == ProblemCode::InvalidId)
        .collect();
    let ids: Vec<&str> = bad.iter().filter_map(|p| p.input.as_deref()).collect();
    assert_eq!(ids, ["Rate2", "points", "budget-total"], "{err}");
    assert_eq!(bad[0].line, Some(line_of(&text, "id = \"Rate2\"") - 1));
    assert_eq!(bad[1].line, Some(line_of(&text, "id = \"points\"") - 1));
    snap_error("rulebook_invalid_input_ids", &err);
}

#[test]
fn rulebook_invalid_input_declarations() {
    let text = with_head(&format!(
        "[[inputs]]\nid = \"level\"\nlabel = \"等级\"\ntype = \"choice\"\n\n[[inputs]]\nid = \"ratio\"\nlabel = \"比例\"\ntype = \"number\"\nmin = 10\nmax = 1\n\n[[inputs]]\nid = \"opinion\"\nlabel = \"意见\"\ntype = \"grade\"\nlevels = [{{ label = \"好\", fraction = 1.5 }}, {{ label = \"好\", fraction = 0.5 }}]\n\n{TREE}"
    ));
    let err = rulebook_error(&text);
    let bad: Vec<Problem> = err
        .problems()
        .into_iter()
        .filter(|p| p.code == ProblemCode::InvalidInput)
        .collect();
    assert_eq!(bad.len(), 4, "{err}");
    assert_eq!(bad[0].input.as_deref(), Some("level"));
    assert_eq!(bad[0].field.as_deref(), Some("choices"));
    assert_eq!(bad[1].input.as_deref(), Some("ratio"));
    assert_eq!(bad[1].field.as_deref(), Some("min"));
    snap_error("rulebook_invalid_input_declarations", &err);
}

#[test]
fn rulebook_bad_grade_bands() {
    let text = with_head(TREE).replace(
        "stage = \"post\"\n",
        "stage = \"post\"\n\n[[grades]]\nlabel = \"优\"\nmin = 90\n[[grades]]\nlabel = \"优\"\nmin = 80\n[[grades]]\nlabel = \"超\"\nmin = 120\n",
    );
    let err = rulebook_error(&text);
    let bad: Vec<Problem> = err
        .problems()
        .into_iter()
        .filter(|p| p.code == ProblemCode::InvalidGradeBands)
        .collect();
    // Duplicate 优, 超 above the total, and no band starting at 0.
    assert_eq!(bad.len(), 3, "{err}");
    assert!(bad.iter().all(|p| p.field.as_deref() == Some("grades")));
    snap_error("rulebook_bad_grade_bands", &err);
}

#[test]
fn rulebook_no_grade_bands() {
    let text = with_head(TREE).replace("stage = \"post\"\n", "stage = \"post\"\ngrades = []\n");
    let err = rulebook_error(&text);
    assert_eq!(only(&err).code, ProblemCode::InvalidGradeBands);
    snap_error("rulebook_no_grade_bands", &err);
}

#[test]
fn rulebook_json_syntax() {
    let err = match Rulebook::from_json_str("{\n  \"id\": \"j\",\n  \"version\": 1\n}") {
        Ok(_) => panic!("parsed"),
        Err(e) => e,
    };
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::JsonSyntax);
    assert_eq!(p.line, Some(3));
    snap_error("rulebook_json_syntax", &err);
}

#[test]
fn rulebook_every_problem_reported_at_once() {
    // One rulebook, five unrelated mistakes: all of them come back, each located.
    let text = with_head(
        r#"[[indicators]]
id = "A"
label = "过程"

[[indicators]]
id = "A1"
parent = "A"
label = "执行率"
points = 60
script = 'proportional("rate", 1.0) + bogus'

[[indicators]]
id = "A2"
parent = "A"
label = "合规"
points = 30
script = '''
let x = ;
'''

[[indicators]]
id = "A3"
parent = "Q"
label = "无主"
points = 10
script = 'full()'

[[inputs]]
id = "Bad-Id"
label = "坏标识"
type = "number"
"#,
    );
    let err = rulebook_error(&text);
    assert_eq!(err.problems().len(), 5, "{err}");
    let codes: Vec<ProblemCode> = err.problems().iter().map(|p| p.code).collect();
    for code in [
        ProblemCode::InvalidId,
        ProblemCode::UnknownParent,
        ProblemCode::TotalMismatch,
        ProblemCode::UnknownName,
        ProblemCode::ScriptSyntax,
    ] {
        assert!(codes.contains(&code), "{code:?} missing:\n{err}");
    }
    assert_eq!(
        with_code(&err, ProblemCode::UnknownName).line,
        Some(line_of(&text, "+ bogus"))
    );
    assert_eq!(
        with_code(&err, ProblemCode::ScriptSyntax).line,
        Some(line_of(&text, "let x = ;"))
    );
    assert_eq!(
        with_code(&err, ProblemCode::UnknownParent).line,
        Some(line_of(&text, "parent = \"Q\""))
    );
    snap_error("rulebook_many_problems", &err);
}

// ---------------------------------------------------------------- runtime rule errors

/// The corpus rulebook with A2's script replaced; returns the text and the scorecard for
/// rate = 90 %, count = 1.
fn run_a2(script: &str) -> (String, Scorecard) {
    let text = with_head(&TREE.replace("script = 'deduct([[count, 5, \"违规\"]])'", script));
    let engine = Engine::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let sub = Submission::from_json_str(r#"{"values":{"rate":90,"count":1}}"#).unwrap();
    (text, engine.evaluate(&sub))
}

/// The failed indicator's problem; asserts the rest of the scorecard was scored.
fn failed_a2(card: &Scorecard) -> Problem {
    let a2 = card.indicator("A2").unwrap();
    assert_eq!(a2.status, Status::Error);
    assert_eq!(a2.score, None);
    let a1 = card.indicator("A1").unwrap();
    assert_eq!(a1.status, Status::Scored);
    assert_eq!(a1.score.unwrap().to_string(), "54");
    assert_eq!(card.indicator("A").unwrap().status, Status::Partial);
    assert!(!card.complete);
    assert!(card.grade.is_none());
    let p = *a2.error.clone().unwrap();
    if p.code == ProblemCode::KpiError {
        // Located at the KPI that failed (its id and expression line).
        assert!(p.kpi.is_some());
    } else {
        assert_eq!(p.indicator.as_deref(), Some("A2"));
    }
    p
}

#[test]
fn runtime_result_above_points() {
    let (text, card) = run_a2("script = 'points + 1.0'");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ResultOutOfRange);
    assert!(
        p.message.contains("41") && p.message.contains("40"),
        "{}",
        p.message
    );
    assert_eq!(p.line, Some(line_of(&text, "points + 1.0")));
    snap_problems("runtime_result_above_points", &[p]);
}

#[test]
fn runtime_result_negative() {
    let (_, card) = run_a2("script = '-0.5'");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ResultOutOfRange);
    snap_problems("runtime_result_negative", &[p]);
}

#[test]
fn runtime_result_nan() {
    let (text, card) = run_a2("script = '0.0 / 0.0'");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ResultNotFinite);
    assert_eq!(p.line, Some(line_of(&text, "0.0 / 0.0")));
    snap_problems("runtime_result_nan", &[p]);
}

#[test]
fn runtime_result_infinite() {
    let (_, card) = run_a2("script = 'points / 0.0'");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ResultNotFinite);
    snap_problems("runtime_result_infinite", &[p]);
}

#[test]
fn runtime_result_string() {
    let (_, card) = run_a2("script = '\"满分\"'");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ResultWrongType);
    assert!(p.message.contains("string"), "{}", p.message);
    snap_problems("runtime_result_string", &[p]);
}

#[test]
fn runtime_result_unit() {
    // A script whose last statement is `let` returns ().
    let (_, card) = run_a2("script = 'let s = points;'");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ResultWrongType);
    snap_problems("runtime_result_unit", &[p]);
}

#[test]
fn runtime_unknown_function_names_the_line() {
    let (text, card) =
        run_a2("script = '''\nlet a = count;\nlet b = a * 2.0;\nno_such_helper(b)\n'''");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ScriptError);
    assert!(p.message.contains("no_such_helper"), "{}", p.message);
    assert_eq!(p.line, Some(line_of(&text, "no_such_helper(b)")));
    assert_eq!(p.line, Some(41));
    snap_problems("runtime_unknown_function", &[p]);
}

#[test]
fn runtime_helper_error_names_the_line() {
    let (text, card) = run_a2("script = '''\nlet t = 0.0;\nproportional(\"rate\", t)\n'''");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ScriptError);
    assert!(p.message.contains("proportional"), "{}", p.message);
    assert_eq!(p.line, Some(line_of(&text, "proportional(\"rate\", t)")));
    snap_problems("runtime_helper_error", &[p]);
}

#[test]
fn runtime_helper_error_fast_path_same_as_rhai() {
    // A one-call script runs natively; the helper's error must be the same as
    // through Rhai (only the position differs by construction: both are the call's line).
    let (text, card) = run_a2("script = 'proportional(\"rate\", 0.0)'");
    let fast = failed_a2(&card);
    let (_, card) = run_a2("script = 'let t = 0.0; proportional(\"rate\", t)'");
    let slow = failed_a2(&card);
    assert_eq!(fast.code, slow.code);
    assert_eq!(fast.message, slow.message);
    assert_eq!(
        fast.line,
        Some(line_of(&text, "proportional(\"rate\", 0.0)"))
    );
    assert_eq!(fast.line, slow.line);
    snap_problems("runtime_helper_error_fast", &[fast]);
}

#[test]
fn runtime_assignment_to_an_input_is_refused() {
    let (text, card) = run_a2("script = '''\nlet x = 1;\ncount = 0.0;\npoints\n'''");
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::ScriptError);
    assert!(
        p.message.contains("count") && p.message.contains("只读"),
        "{}",
        p.message
    );
    assert_eq!(p.line, Some(line_of(&text, "count = 0.0;")));
    snap_problems("runtime_assign_input", &[p]);
}

#[test]
fn runtime_assignment_to_points_and_kpis_is_refused() {
    for script in [
        "script = 'points = 100.0; points'",
        "script = 'half += 1.0; 0'",
    ] {
        let (_, card) = run_a2(script);
        let p = failed_a2(&card);
        assert_eq!(p.code, ProblemCode::ScriptError, "{script}");
        assert!(p.message.contains("只读"), "{script}: {}", p.message);
    }
}

#[test]
fn runtime_kpi_division_by_zero() {
    // `share` = rate / count: count = 0 makes it infinite. The KPI fails with a kpi_error,
    // the indicator that reads it is an error, everything else is scored.
    let text = with_head(&format!(
        "[[kpis]]\nid = \"share\"\nlabel = \"占比\"\nexpr = \"rate / count\"\n\n{}",
        TREE.replace(
            "script = 'deduct([[count, 5, \"违规\"]])'",
            "script = 'proportional(\"share\", 1.0)'"
        )
    ));
    let engine = Engine::from_str(&text).unwrap();
    let sub = Submission::from_json_str(r#"{"values":{"rate":90,"count":0}}"#).unwrap();
    let card = engine.evaluate(&sub);
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::KpiError);
    assert_eq!(p.kpi.as_deref(), Some("share"));
    assert_eq!(p.line, Some(line_of(&text, "rate / count")));
    let kpi = card.kpis.iter().find(|k| &*k.id == "share").unwrap();
    assert_eq!(kpi.value, None);
    snap_problems("runtime_kpi_division_by_zero", std::slice::from_ref(&p));

    // The same KPI through the interpreter (not plain arithmetic) fails the same way.
    let slow_text = text.replace("rate / count", "rate / max(count, 0.0)");
    let card = Engine::from_str(&slow_text).unwrap().evaluate(&sub);
    let slow = failed_a2(&card);
    assert_eq!(slow.code, ProblemCode::KpiError);
    assert_eq!(slow.line, p.line);
    snap_problems("runtime_kpi_division_by_zero_rhai", &[slow]);

    // And ratio(), whose whole point is a clear message on 0.
    let ratio_text = text.replace("rate / count", "ratio(rate, count)");
    let card = Engine::from_str(&ratio_text).unwrap().evaluate(&sub);
    let ratio = failed_a2(&card);
    assert_eq!(ratio.code, ProblemCode::KpiError);
    assert!(
        ratio.message.contains("ratio() 的除数为 0"),
        "{}",
        ratio.message
    );
    snap_problems("runtime_kpi_ratio_by_zero", &[ratio]);
}

#[test]
fn runtime_kpi_error_in_english() {
    let text = with_head(&format!(
        "[[kpis]]\nid = \"share\"\nlabel = \"占比\"\nlabel_en = \"Share\"\nexpr = \"ratio(rate, count)\"\n\n{}",
        TREE.replace(
            "script = 'deduct([[count, 5, \"违规\"]])'",
            "script = 'proportional(\"share\", 1.0)'"
        )
    ));
    let engine = Engine::from_str(&text).unwrap();
    let sub = Submission::from_json_str(r#"{"values":{"rate":90,"count":0}}"#).unwrap();
    let card = engine.evaluate_with(
        &sub,
        EvalOptions {
            trace: true,
            lang: Lang::En,
        },
    );
    let p = failed_a2(&card);
    assert_eq!(p.code, ProblemCode::KpiError);
    snap_problems("runtime_kpi_error_en", &[p]);
}

// ---------------------------------------------------------------- broken submissions

fn demo_engine() -> Engine {
    Engine::new(Rulebook::from_path(root().join("rules/demo/rulebook.toml")).unwrap()).unwrap()
}

fn average() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("rules/demo/submissions/average.json")).unwrap(),
    )
    .unwrap()
}

fn submission_error(text: &str) -> Error {
    match Submission::from_json_str(text) {
        Ok(_) => panic!("parsed: {text}"),
        Err(e) => e,
    }
}

#[test]
fn submission_not_json() {
    let err = submission_error("{\n  \"values\": {\"rate\": 92.5,}\n}");
    let p = only(&err);
    assert_eq!(err.kind(), "submission");
    assert_eq!(p.code, ProblemCode::SubmissionSyntax);
    assert_eq!(p.line, Some(2));
    assert!(p.column.is_some());
    snap_error("submission_not_json", &err);
    // The engine's JSON entry point reports the same.
    let err2 = demo_engine()
        .evaluate_json(
            "{\n  \"values\": {\"rate\": 92.5,}\n}",
            EvalOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err2, err);
}

#[test]
fn submission_not_an_object() {
    let err = submission_error("42");
    assert_eq!(only(&err).code, ProblemCode::SubmissionSyntax);
    snap_error("submission_not_an_object", &err);
    let err = submission_error(r#""values""#);
    assert_eq!(only(&err).code, ProblemCode::SubmissionSyntax);
    // Arrays: see `submission_arrays_are_rejected` (engine bug).
}

#[test]
fn submission_unknown_top_level_field() {
    let err = submission_error(r#"{"valeus": {"rate": 1}}"#);
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::SubmissionSyntax);
    assert!(p.message.contains("valeus"), "{}", p.message);
    snap_error("submission_unknown_field", &err);
}

#[test]
fn submission_values_not_an_object() {
    let err = submission_error(r#"{"values": [1, 2]}"#);
    assert_eq!(only(&err).code, ProblemCode::SubmissionSyntax);
    snap_error("submission_values_not_an_object", &err);
}

/// A submission held as a value (what the Python package converts a dict into) is refused
/// where its text would be, and reads as its text reads.
#[test]
fn submission_from_a_value() {
    let refused = |v: Value| match Submission::from_json_value(v) {
        Ok(s) => panic!("parsed: {s:?}"),
        Err(e) => e,
    };
    // An array would be a submission of fields by position to serde: refused by name.
    let err = refused(serde_json::json!([]));
    assert_eq!(only(&err).code, ProblemCode::SubmissionSyntax);
    snap_error("submission_value_array", &err);
    assert!(
        only(&refused(serde_json::json!(null)))
            .message
            .contains("null")
    );
    let err = refused(serde_json::json!({"valeus": {"rate": 1}}));
    assert!(only(&err).message.contains("valeus"), "{err}");
    let err = refused(serde_json::json!({"values": [1, 2]}));
    assert_eq!(err.kind(), "submission");
    let text = r#"{"project": {"id": "P-1"}, "values": {"rate": 92.5, "count": 1}, "not_applicable": ["A2"]}"#;
    let from_value = Submission::from_json_value(serde_json::from_str(text).unwrap()).unwrap();
    assert_eq!(from_value, Submission::from_json_str(text).unwrap());
}

/// Evaluate the average submission with `edit` applied; check validate() and the scorecard
/// agree on the problems.
fn evaluate_edited(edit: impl FnOnce(&mut Value)) -> (Scorecard, Vec<Problem>) {
    let mut v = average();
    edit(&mut v);
    let sub: Submission = serde_json::from_value(v).unwrap();
    let engine = demo_engine();
    let problems = engine.validate(&sub);
    let card = engine.evaluate(&sub);
    assert_eq!(card.problems, problems);
    (card, problems)
}

/// A bad value leaves exactly the indicators that read it unscored, naming it as missing
/// (with “填写有误”), and the scorecard incomplete with no grade.
fn assert_unscored_by(card: &Scorecard, input: &str, indicators: &[&str]) {
    for id in indicators {
        let i = card.indicator(id).unwrap();
        assert_eq!(i.status, Status::Unscored, "{id}");
        assert_eq!(i.score, None, "{id}: never a silent zero");
        assert!(
            i.missing.iter().any(|m| &**m == input),
            "{id}: {:?}",
            i.missing
        );
    }
    let unscored: Vec<&str> = card
        .indicators
        .iter()
        .filter(|i| i.leaf && i.status != Status::Scored)
        .map(|i| &*i.id)
        .collect();
    assert_eq!(unscored, indicators);
    assert!(!card.complete);
    assert!(card.grade.is_none());
}

#[test]
fn submission_missing_required_input() {
    let (card, problems) = evaluate_edited(|v| {
        v["values"].as_object_mut().unwrap().remove("funds_arrived");
    });
    // Missing is not a value problem; it shows on the indicators.
    assert!(problems.is_empty(), "{problems:?}");
    // funds_arrived feeds arrival_rate (P1.1) and execution_rate (P1.2).
    assert_unscored_by(&card, "funds_arrived", &["P1.1", "P1.2"]);
    let p11 = card.indicator("P1.1").unwrap();
    assert_eq!(
        p11.explanation.as_deref(),
        Some("未评分：缺少 实际到位资金")
    );
    assert_eq!(card.indicator("P1").unwrap().status, Status::Partial);
    // The total is what was scored so far, flagged incomplete (79.22 − 5 − 4.62).
    assert_eq!(card.total, "69.6".parse().unwrap());
    let kpi = card.kpis.iter().find(|k| &*k.id == "arrival_rate").unwrap();
    assert_eq!(kpi.value, None);
    insta::assert_json_snapshot!(
        "submission_missing_required_input__indicators",
        [
            p11,
            card.indicator("P1.2").unwrap(),
            card.indicator("P1").unwrap()
        ],
    );
}

#[test]
fn submission_null_and_empty_string_are_missing() {
    for blank in [Value::Null, json!(""), json!("   ")] {
        let (card, problems) = evaluate_edited(|v| v["values"]["satisfaction_rate"] = blank);
        assert!(problems.is_empty());
        assert_unscored_by(&card, "satisfaction_rate", &["B2.1"]);
    }
}

#[test]
fn submission_missing_optional_input_is_fine() {
    let (card, problems) = evaluate_edited(|v| {
        v["values"]
            .as_object_mut()
            .unwrap()
            .remove("evaluator_remark");
    });
    assert!(problems.is_empty());
    assert!(card.complete);
}

#[test]
fn submission_wrong_type() {
    let (card, problems) = evaluate_edited(|v| v["values"]["budget_requested"] = json!("一千万"));
    assert_eq!(problems.len(), 1);
    let p = &problems[0];
    assert_eq!(p.code, ProblemCode::WrongType);
    assert_eq!(p.input.as_deref(), Some("budget_requested"));
    assert_eq!(p.field.as_deref(), Some("values.budget_requested"));
    assert_unscored_by(&card, "budget_requested", &["D2.1"]);
    assert_eq!(
        card.indicator("D2.1").unwrap().explanation.as_deref(),
        Some("未评分：缺少 申报预算（填写有误）")
    );
    snap_problems("submission_wrong_type", &problems);
}

#[test]
fn submission_wrong_types_of_every_kind() {
    let (_, problems) = evaluate_edited(|v| {
        let values = &mut v["values"];
        values["approved_before_build"] = json!("也许");
        values["compliance_issues"] = json!(1.5);
        values["functions_contracted"] = json!(true);
        values["security_level"] = json!(3);
        values["planned_go_live"] = json!(20240331);
        values["evaluator_remark"] = json!(["a"]);
        values["approval_basis"] = json!({"a": "优"});
    });
    let inputs: Vec<&str> = problems.iter().filter_map(|p| p.input.as_deref()).collect();
    assert_eq!(
        inputs,
        [
            "approval_basis",
            "approved_before_build",
            "compliance_issues",
            "functions_contracted",
            "security_level",
            "planned_go_live",
            "evaluator_remark"
        ]
    );
    snap_problems("submission_wrong_types", &problems);
}

#[test]
fn submission_out_of_range() {
    let (card, problems) = evaluate_edited(|v| v["values"]["availability"] = json!(120));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::OutOfRange);
    assert_eq!(problems[0].input.as_deref(), Some("availability"));
    assert_unscored_by(&card, "availability", &["O2.1"]);
    snap_problems("submission_out_of_range", &problems);
}

#[test]
fn submission_out_of_range_below_minimum() {
    let (card, problems) = evaluate_edited(|v| v["values"]["target_users"] = json!(0));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::OutOfRange);
    assert_unscored_by(&card, "target_users", &["B1.1"]);
    snap_problems("submission_out_of_range_min", &problems);
}

#[test]
fn submission_invalid_choice() {
    let (card, problems) = evaluate_edited(|v| v["values"]["security_level"] = json!("优秀"));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::InvalidChoice);
    assert!(
        problems[0]
            .message
            .contains("符合、基本符合、不符合、未测评")
    );
    assert_unscored_by(&card, "security_level", &["P2.1"]);
    snap_problems("submission_invalid_choice", &problems);
}

#[test]
fn submission_invalid_date() {
    let (card, problems) =
        evaluate_edited(|v| v["values"]["planned_go_live"] = json!("2024-02-30"));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::InvalidDate);
    assert_unscored_by(&card, "planned_go_live", &["O3.1"]);
    snap_problems("submission_invalid_date", &problems);
}

#[test]
fn submission_invalid_expert_grade() {
    let (card, problems) = evaluate_edited(|v| v["values"]["approval_basis"] = json!(["优", "甲"]));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::InvalidChoice);
    assert!(
        problems[0].message.contains("\"甲\""),
        "{}",
        problems[0].message
    );
    assert_unscored_by(&card, "approval_basis", &["D1.1"]);
    snap_problems("submission_invalid_grade", &problems);
}

#[test]
fn submission_unknown_input_key() {
    let (card, problems) = evaluate_edited(|v| v["values"]["fund_arrived"] = json!(2400));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::UnknownInput);
    assert_eq!(problems[0].input.as_deref(), Some("fund_arrived"));
    // Nothing reads it, so the scorecard is still complete — the problem is listed.
    assert!(card.complete);
    snap_problems("submission_unknown_input", &problems);
}

#[test]
fn submission_unknown_kpi_as_input_key() {
    // KPIs are computed, never submitted.
    let (_, problems) = evaluate_edited(|v| v["values"]["execution_rate"] = json!(0.99));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::UnknownInput);
    assert_eq!(problems[0].input.as_deref(), Some("execution_rate"));
}

#[test]
fn submission_unknown_indicator_in_na_list() {
    let (card, problems) = evaluate_edited(|v| v["not_applicable"] = json!(["X9"]));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::UnknownIndicator);
    assert_eq!(problems[0].indicator.as_deref(), Some("X9"));
    assert_eq!(problems[0].field.as_deref(), Some("not_applicable"));
    assert_eq!(card.total.to_string(), "79.22");
    snap_problems("submission_unknown_na_indicator", &problems);
}

#[test]
fn submission_na_not_allowed() {
    let (card, problems) = evaluate_edited(|v| v["not_applicable"] = json!(["O1.1"]));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::NaNotAllowed);
    assert_eq!(problems[0].indicator.as_deref(), Some("O1.1"));
    // The mark is ignored: O1.1 is scored as usual.
    assert_eq!(card.indicator("O1.1").unwrap().status, Status::Scored);
    assert_eq!(card.max_points.to_string(), "100");
    snap_problems("submission_na_not_allowed", &problems);
}

#[test]
fn submission_note_on_unknown_indicator() {
    let (_, problems) = evaluate_edited(|v| v["notes"] = json!({"Q1": "说明"}));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::UnknownIndicator);
    assert_eq!(problems[0].field.as_deref(), Some("notes"));
    snap_problems("submission_note_unknown_indicator", &problems);
}

#[test]
fn submission_evidence_on_unknown_indicator() {
    let (_, problems) = evaluate_edited(|v| v["evidence"] = json!({"Q1": ["附件 1"]}));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::UnknownIndicator);
    assert_eq!(problems[0].indicator.as_deref(), Some("Q1"));
    assert_eq!(problems[0].field.as_deref(), Some("evidence"));
    snap_problems("submission_evidence_unknown_indicator", &problems);
}

#[test]
fn submission_evidence_given_twice_is_refused() {
    let text = r#"{"values": {}, "evidence": {"D1.1": ["附件 1"], "D1.1": ["附件 2"]}}"#;
    let err = Submission::from_json_str(text).unwrap_err();
    assert_eq!(err.code(), ProblemCode::DuplicateKey, "{err}");
    let p = &err.problems()[0];
    assert_eq!(p.indicator.as_deref(), Some("D1.1"));
    assert_eq!(p.field.as_deref(), Some("evidence.D1.1"));
}

#[test]
fn submission_evidence_must_be_texts() {
    let text = r#"{"values": {}, "evidence": {"D1.1": ["附件 1", 3]}}"#;
    let err = Submission::from_json_str(text).unwrap_err();
    assert_eq!(err.code(), ProblemCode::SubmissionSyntax, "{err}");
    assert!(
        err.to_string()
            .contains("invalid type: integer `3`, expected a string"),
        "{err}"
    );
}

#[test]
fn submission_experts_are_carried_and_bounded() {
    let (card, problems) =
        evaluate_edited(|v| v["experts"] = json!(["王建国（组长）", "李敏", "陈晓东"]));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(card.experts, ["王建国（组长）", "李敏", "陈晓东"]);
    assert!(
        card.to_json()
            .contains(r#""experts":["王建国（组长）","李敏","陈晓东"]"#)
    );
    let names: Vec<String> = (1..=51).map(|i| format!("专家{i}")).collect();
    let (_, problems) = evaluate_edited(|v| v["experts"] = json!(names));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::LimitExceeded);
    assert_eq!(problems[0].field.as_deref(), Some("experts"));
    snap_problems("submission_experts_too_many", &problems);
}

#[test]
fn a_submission_for_another_rulebook_is_named() {
    let (_, problems) = evaluate_edited(|v| {
        v["rulebook"] = json!({"id": "gov-it-post", "version": "1.0.0", "hash": "sha256:00"});
    });
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].code, ProblemCode::WrongRulebook);
    assert_eq!(problems[0].field.as_deref(), Some("rulebook"));
    snap_problems("submission_wrong_rulebook", &problems);
    // Its own rulebook's id, whatever the version and hash: no problem.
    let (card, problems) =
        evaluate_edited(|v| v["rulebook"] = json!({"id": "demo", "version": "0.9"}));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(&*card.rulebook.id, "demo");
    // A tag is an id with an optional version and hash, nothing else.
    let err = Submission::from_json_str(r#"{"values": {}, "rulebook": {"id": "x", "oops": 1}}"#)
        .unwrap_err();
    assert_eq!(err.code(), ProblemCode::SubmissionSyntax, "{err}");
}

#[test]
fn submission_text_too_long() {
    let (card, problems) =
        evaluate_edited(|v| v["values"]["evaluator_remark"] = json!("评".repeat(2001)));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::TooLong);
    assert_eq!(problems[0].input.as_deref(), Some("evaluator_remark"));
    assert!(problems[0].message.contains("2001"));
    // Nothing reads the remark; the scorecard is still complete.
    assert!(card.complete);
    snap_problems("submission_text_too_long", &problems);
    // 2,000 characters are fine.
    let (_, problems) =
        evaluate_edited(|v| v["values"]["evaluator_remark"] = json!("评".repeat(2000)));
    assert!(problems.is_empty());
}

#[test]
fn submission_many_problems_in_english() {
    let mut v = average();
    v["values"]["availability"] = json!("n/a");
    v["values"]["security_level"] = json!("pass");
    v["not_applicable"] = json!(["D1.1"]);
    let sub: Submission = serde_json::from_value(v).unwrap();
    let card = demo_engine().evaluate_with(
        &sub,
        EvalOptions {
            trace: true,
            lang: Lang::En,
        },
    );
    assert_eq!(card.problems.len(), 3);
    assert_eq!(
        card.indicator("O2.1").unwrap().explanation.as_deref(),
        Some("not scored: missing System availability (invalid)")
    );
    let en: Vec<&str> = card
        .problems
        .iter()
        .map(|p| p.message_en.as_str())
        .collect();
    insta::assert_json_snapshot!("submission_many_problems_en", en);
}

// ---------------------------------------------------------------- error JSON shape

#[test]
fn error_json_shape_is_stable() {
    let err = rulebook_error(&with_head(&TREE.replace("points = 40", "points = 30")));
    let json: Value = serde_json::from_str(&err.to_json()).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["code", "kind", "message", "problems", "rulebook"]);
    assert_eq!(json["rulebook"], "broken");
    // Every code has a distinct stable name.
    let mut names: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ProblemCode::ALL.len());
}

#[test]
fn io_error_for_a_missing_rulebook_file() {
    let err = Rulebook::from_path(root().join("rules/nope/rulebook.toml")).unwrap_err();
    assert_eq!(err.kind(), "io");
    assert_eq!(err.code(), ProblemCode::Io);
    assert_eq!(err.problems()[0].code, ProblemCode::Io);
}

// ---------------------------------------------------------------- JSON Schema

/// The schemas of the scorecard and error JSON, shipped with the C header for programs in
/// other languages, are what the Rust types say, and every shared vector's scorecard and a
/// real error fit them (their required fields present, no field they do not name).
#[test]
fn committed_scorecard_and_error_schemas_are_current() {
    for (file, actual) in [
        (
            "jixiao-scorecard.schema.json",
            jixiao::Scorecard::json_schema(),
        ),
        ("jixiao-error.schema.json", Error::json_schema()),
    ] {
        let path = root().join("bindings/c/include").join(file);
        let actual = format!("{actual}\n");
        if std::env::var_os("JIXIAO_BLESS").is_some() {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == actual,
            "bindings/c/include/{file} is out of date; run JIXIAO_BLESS=1 cargo test -p jixiao --test errors"
        );
    }
    let schema: Value = serde_json::from_str(&jixiao::Scorecard::json_schema()).unwrap();
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/vectors/manifest.json")).unwrap(),
    )
    .unwrap();
    for vector in manifest["vectors"].as_array().unwrap() {
        let path = root().join(vector["expected"].as_str().unwrap());
        let card: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        fits(&schema, &schema, &card, vector["name"].as_str().unwrap());
    }
    let error: Value = serde_json::from_str(&rulebook_error("id = 1").to_json()).unwrap();
    let schema: Value = serde_json::from_str(&Error::json_schema()).unwrap();
    fits(&schema, &schema, &error, "error");
}

/// Whether `value` fits `schema` as far as objects go: required fields present and no field
/// the schema does not name (enough to catch a schema that drifted from the JSON).
fn fits(root: &Value, schema: &Value, value: &Value, at: &str) {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &root["$defs"][r.trim_start_matches("#/$defs/")],
        None => schema,
    };
    if let Some(options) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    {
        for option in options {
            if option.get("type").and_then(Value::as_str) == Some("null") && value.is_null() {
                return;
            }
            if option.get("$ref").is_some() || option.get("properties").is_some() {
                return fits(root, option, value, at);
            }
        }
        return;
    }
    match value {
        Value::Object(fields) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap();
                assert!(fields.contains_key(name), "{at}: {name} missing");
            }
            let open = schema
                .get("additionalProperties")
                .is_some_and(|a| a != false);
            for (name, field) in fields {
                match properties.get(name) {
                    Some(inner) => fits(root, inner, field, &format!("{at}.{name}")),
                    None => assert!(open, "{at}: {name} is not in the schema"),
                }
            }
        }
        Value::Array(items) => {
            if let Some(inner) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    fits(root, inner, item, &format!("{at}[{i}]"));
                }
            }
        }
        _ => {}
    }
}

#[test]
fn committed_json_schema_is_current() {
    let path = root().join("rules/rulebook.schema.json");
    // The file is what `jixiao schema` prints: the schema and a newline.
    let actual = format!("{}\n", Rulebook::json_schema());
    if std::env::var_os("JIXIAO_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == actual,
        "rules/rulebook.schema.json is out of date; run JIXIAO_BLESS=1 cargo test -p jixiao --test errors"
    );
    // And it is a JSON Schema that knows the rulebook's fields.
    let schema: Value = serde_json::from_str(&committed).unwrap();
    for key in [
        "id",
        "version",
        "title",
        "stage",
        "indicators",
        "inputs",
        "kpis",
    ] {
        assert!(schema["properties"].get(key).is_some(), "{key}");
    }
}

#[test]
fn every_committed_rulebook_loads_and_compiles() {
    // Cheap stand-in for schema validation: every rules/*/rulebook.toml parses with
    // deny_unknown_fields (the same shape the schema describes) and compiles.
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path().join("rulebook.toml");
        if path.exists() {
            let rulebook =
                Rulebook::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Engine::new(rulebook).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 1);
}

// ---------------------------------------------------------------- engine bugs found

/// `Validator::check_tree` computes `node_points` for every node, and `node_points` recurses
/// into the children, so each problem it reports (leaf_without_script, leaf_without_points,
/// invalid_points, points_mismatch) is pushed once per tree level above and including the
/// node: twice at level 2, three times at level 3 (every leaf of the demo rulebook).
#[test]

fn tree_problems_are_reported_once() {
    let demo = std::fs::read_to_string(root().join("rules/demo/rulebook.toml"))
        .unwrap()
        .replace("script = 'grade(\"approval_basis\")'\n", "")
        .replace(
            "script_file = \"scripts/compliance.rhai\"",
            "script = 'full()'",
        );
    let cases = [
        with_head(&TREE.replace("script = 'deduct([[count, 5, \"违规\"]])'\n", "")),
        with_head(&TREE.replace("points = 40\n", "")),
        with_head(&TREE.replace("points = 40", "points = -40")),
        demo,
    ];
    for text in cases {
        let err = rulebook_error(&text);
        let problems = err.problems();
        for (i, p) in problems.iter().enumerate() {
            assert!(
                !problems[..i].contains(p),
                "reported more than once: {p}\n{err}"
            );
        }
    }
}

/// Script lines are mapped as `first line of the string + line in the script − 1`. That
/// holds for literal strings ('…', '''…''') but not for basic strings with escapes: a
/// line-ending backslash in """…""" joins TOML lines, and a `\n` escape splits one TOML line.
#[test]

fn script_lines_in_basic_strings_with_escapes() {
    // Line continuation: the script has one line fewer than the TOML.
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script = \"\"\"\nlet a = \\\n    1.0;\nlet = a;\na\n\"\"\"",
    ));
    let p = only(&rulebook_error(&text));
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(
        p.line,
        Some(line_of(&text, "let = a;")),
        "line continuation"
    );

    // `\n` escapes: the whole script is on one TOML line.
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script = \"let a = 1.0;\\nlet = a;\\na\"",
    ));
    let p = only(&rulebook_error(&text));
    assert_eq!(p.line, Some(line_of(&text, "let = a;")), "\\n escapes");
}

/// Leaf scores are normalized (`4.6`, not `4.60`) but sums are not: a parent or total whose
/// last decimal is 0 keeps it (`69.60`), so `to_string()` — what the CLI table prints —
/// shows `69.60` next to leaves printed as `9.6`. JSON is unaffected (numbers).
#[test]

fn sums_print_like_leaves() {
    let (card, _) = evaluate_edited(|v| {
        v["values"].as_object_mut().unwrap().remove("funds_arrived");
    });
    assert_eq!(card.raw_total.to_string(), "69.6");
    assert_eq!(card.total.to_string(), "69.6");
    for i in &card.indicators {
        if let Some(s) = i.score {
            assert_eq!(s, s.normalize());
            assert_eq!(s.to_string(), s.normalize().to_string(), "{}", i.id);
        }
    }
}

/// serde's derived `Deserialize` for a struct also accepts a JSON array (fields by
/// position), and every `Submission` field has a default, so `[]` parses as an empty
/// submission and `[{}, {"rate": 1}, ["X"]]` as values + N/A list. A submission must be an
/// object; `[1, 2, 3]` fails only by accident, with the confusing "expected struct
/// ProjectInfo".
#[test]

fn submission_arrays_are_rejected() {
    for text in ["[]", r#"[{}, {"rate": 1}, ["X"], {}]"#] {
        assert!(
            Submission::from_json_str(text).is_err(),
            "{text} parsed as a submission"
        );
    }
    let err = submission_error("[1, 2, 3]");
    assert!(!err.to_string().contains("ProjectInfo"), "{err}");
}

/// The corpus head plus a KPI `share = <expr>` read by A2; A1 (rate) runs normally.
fn kpi_rulebook(expr: &str) -> Engine {
    let text = with_head(&format!(
        "[[kpis]]\nid = \"share\"\nlabel = \"占比\"\nlabel_en = \"Share\"\nexpr = '{expr}'\n\n{}",
        TREE.replace(
            "script = 'deduct([[count, 5, \"违规\"]])'",
            "script = 'proportional(\"share\", 1.0)'"
        )
    ));
    Engine::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// `value_of("id")` is accepted in a KPI expression at compile time (the id is checked and
/// counted as a dependency), but KPIs were once evaluated before the evaluator filled the
/// frame (metric table and values) the helpers read, so at run time it fails
/// with "未知的数据项或绩效指标 “rate”". Same for every helper that names a metric.
#[test]

fn value_of_works_in_kpis() {
    let engine = kpi_rulebook("value_of(\"rate\") * 0.5");
    let sub = Submission::from_json_str(r#"{"values":{"rate":90,"count":1}}"#).unwrap();
    let card = engine.evaluate(&sub);
    let a2 = card.indicator("A2").unwrap();
    assert_eq!(a2.status, Status::Scored, "{:?}", a2.error);
    // share = 0.45 → 40 × 0.45 = 18.
    assert_eq!(a2.score.unwrap().to_string(), "18");
}

/// Helper errors (`ratio()`, `proportional()`, `days_between()` …) are produced in one
/// language, chosen from the frame's leaf state, and `describe_eval_error` copies that one
/// text into both `message` and `message_en`: in a zh-CN evaluation `message_en` is
/// Chinese, in an English one `message` is English. Reading a script file from a string
/// has the same problem ("cannot read script file …: 从字符串加载的…").
#[test]

fn english_messages_are_english() {
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let (_, card) = run_a2("script = 'proportional(\"rate\", 0.0)'");
    let p = card.indicator("A2").unwrap().error.clone().unwrap();
    assert!(!cjk(&p.message_en), "{}", p.message_en);
    assert!(cjk(&p.message), "{}", p.message);

    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script_file = \"scripts/missing.rhai\"",
    ));
    let p = only(&rulebook_error(&text));
    assert!(!cjk(&p.message_en), "{}", p.message_en);
}

/// KPIs were once evaluated before any leaf reset the (then thread-local) frame, so a helper
/// error in a KPI took the language of whatever leaf this thread ran last — possibly another
/// evaluation, another language, another engine. The same evaluation then gave different
/// JSON depending on the thread's history (invariant 6).
#[test]

fn kpi_errors_do_not_depend_on_thread_history() {
    std::thread::spawn(|| {
        let engine = kpi_rulebook("ratio(rate, count)");
        let sub = Submission::from_json_str(r#"{"values":{"rate":90,"count":0}}"#).unwrap();
        let en = EvalOptions {
            trace: true,
            lang: Lang::En,
        };
        // On a fresh thread the frame says zh-CN; after the first evaluation it says en.
        let first = engine.evaluate_with(&sub, en).to_json();
        let second = engine.evaluate_with(&sub, en).to_json();
        assert_eq!(first, second);
    })
    .join()
    .unwrap();
}

// ---------------------------------------------------------------- more line mapping

#[test]
fn script_lines_with_crlf_line_endings() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script = '''\nlet a = count * 5.0;\nlet b = ;\npoints - a\n'''",
    ))
    .replace('\n', "\r\n");
    let p = only(&rulebook_error(&text));
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(p.line, Some(40));
}

#[test]
fn runtime_error_in_a_script_file_names_the_file_and_its_line() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script_file = \"scripts/rt.rhai\"",
    ));
    let script = "// 合规性\nlet n = count;\nno_such_helper(n)\n";
    let tmp = TempRulebook::new("runtime-file", &text, &[("scripts/rt.rhai", script)]);
    let engine = tmp.load().unwrap();
    let sub = Submission::from_json_str(r#"{"values":{"rate":90,"count":1}}"#).unwrap();
    let p = failed_a2(&engine.evaluate(&sub));
    assert_eq!(p.code, ProblemCode::ScriptError);
    assert_eq!(p.file.as_deref(), Some("scripts/rt.rhai"));
    assert_eq!(p.line, Some(3));
    snap_problems("runtime_error_in_script_file", &[p]);
}

/// Result errors (out of range, not finite, wrong type) are located with the leaf's first
/// script line but without its file: for a `script_file` script the problem says "第 1 行"
/// with no file, which reads as line 1 of the rulebook TOML.
#[test]

fn result_error_in_a_script_file_names_the_file() {
    let text = with_head(&TREE.replace(
        "script = 'deduct([[count, 5, \"违规\"]])'",
        "script_file = \"scripts/big.rhai\"",
    ));
    let tmp = TempRulebook::new(
        "result-file",
        &text,
        &[("scripts/big.rhai", "points + 1.0\n")],
    );
    let engine = tmp.load().unwrap();
    let sub = Submission::from_json_str(r#"{"values":{"rate":90,"count":1}}"#).unwrap();
    let p = failed_a2(&engine.evaluate(&sub));
    assert_eq!(p.code, ProblemCode::ResultOutOfRange);
    assert_eq!(p.file.as_deref(), Some("scripts/big.rhai"), "{p}");
}

/// KPI expressions are compiled with the leaves' name scope, which includes `points`; but
/// KPIs are evaluated without it, so `expr = "points * 2.0"` compiles and then fails on
/// every evaluation with "Variable not found: points". It should be rejected when the
/// rulebook is compiled, like any other unknown name in a KPI.
#[test]

fn kpi_using_points_is_rejected_at_compile_time() {
    let text = with_head(&format!(
        "[[kpis]]\nid = \"dbl\"\nlabel = \"双\"\nexpr = \"points * 2.0\"\n\n{TREE}"
    ));
    let err = match Rulebook::from_toml_str(&text).and_then(Engine::new) {
        Ok(engine) => {
            let sub = Submission::from_json_str(r#"{"values":{"rate":90,"count":1}}"#).unwrap();
            let kpi = engine.evaluate(&sub);
            let k = kpi.kpis.iter().find(|k| &*k.id == "dbl").unwrap();
            panic!("compiled; at run time the KPI is {:?}", k.value);
        }
        Err(e) => e,
    };
    let p = only(&err);
    assert_eq!(p.code, ProblemCode::UnknownName);
    assert_eq!(p.kpi.as_deref(), Some("dbl"));
    assert_eq!(p.line, Some(line_of(&text, "points * 2.0")));
}

/// Figures the engine cannot score with are `check` errors with indicator and line, never a
/// silent zero (`points = 1e29` once compiled and scored 0 with status "scored").
#[test]
fn rulebook_points_outside_what_scores_can_hold() {
    for (points, words) in [
        ("1e29", "超过上限 1000000"),
        ("1000000.01", "超过上限 1000000"),
        ("1e-10", "小于 0.01"),
        ("0.001", "小于 0.01"),
        ("-5", "须为正数"),
    ] {
        let text = with_head(&TREE.replace("points = 40", &format!("points = {points}")));
        let err = rulebook_error(&text);
        let p = first_with_code(&err, ProblemCode::InvalidPoints);
        assert_eq!(p.indicator.as_deref(), Some("A2"), "{points}");
        assert_eq!(p.field.as_deref(), Some("points"));
        assert_eq!(p.line, Some(line_of(&text, &format!("points = {points}"))));
        assert!(p.message.contains(words), "{points}: {}", p.message);
    }
    // The neighbours that must stay legal: the smallest and the largest.
    let smallest = with_head(
        &TREE
            .replace("points = 60", "points = 99.99")
            .replace("points = 40", "points = 0.01"),
    );
    Rulebook::from_toml_str(&smallest)
        .and_then(Engine::new)
        .unwrap();
    // TOML's nan and inf have no JSON form: refused where they are written.
    for points in ["nan", "inf", "-inf"] {
        let text = with_head(&TREE.replace("points = 40", &format!("points = {points}")));
        let p = only(&rulebook_error(&text));
        assert_eq!(p.code, ProblemCode::TomlSyntax, "{points}");
        assert_eq!(p.line, Some(line_of(&text, &format!("points = {points}"))));
    }
}

#[test]
fn rulebook_total_bounds_and_input_ranges_must_be_numbers_it_can_hold() {
    for (total, words) in [
        ("1e29", "超过上限"),
        ("-1", "须为正数"),
        ("0.001", "小于 0.01"),
    ] {
        let text = with_head(TREE).replace(
            "stage = \"post\"",
            &format!("stage = \"post\"\ntotal = {total}"),
        );
        let err = rulebook_error(&text);
        let p = first_with_code(&err, ProblemCode::TotalMismatch);
        assert_eq!(p.field.as_deref(), Some("total"));
        assert!(p.message.starts_with("总分："), "{total}: {}", p.message);
        assert!(p.message.contains(words), "{total}: {}", p.message);
    }
    // NaN cannot be written in TOML or JSON, but a spec built in Rust can hold it.
    let mut spec = Rulebook::from_toml_str(&with_head(TREE))
        .unwrap()
        .spec()
        .clone();
    spec.inputs[1].min = Some(f64::NAN);
    let err = Engine::new(Rulebook::from_spec(spec)).unwrap_err();
    let p = with_code(&err, ProblemCode::InvalidInput);
    assert_eq!(p.input.as_deref(), Some("count"));
    assert_eq!(p.field.as_deref(), Some("min"));
    assert!(p.message.contains("须为有限的数"), "{}", p.message);

    let text = format!(
        "{}\n[[constraints]]\nindicators = [\"A\"]\nmin_points = 1e30\n",
        with_head(TREE)
    );
    let p = first_with_code(&rulebook_error(&text), ProblemCode::ConstraintViolated);
    assert!(p.message.contains("min_points"), "{}", p.message);
    assert!(p.message.contains("超过上限"), "{}", p.message);
}
