//! `jixiao lint`: warnings as people read them (file:line, code, message, fix) and as editors
//! read them (JSON), the exit status with and without --deny-warnings, and a rulebook that does
//! not compile.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("lint")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn text_json_and_exit_status() {
    let demo = root().join("rules/demo/rulebook.toml");
    let demo = demo.to_str().unwrap();
    let text = lint(&[demo]);
    assert_eq!(text.status.code(), Some(0));
    let stdout = String::from_utf8(text.stdout).unwrap();
    let line = std::fs::read_to_string(demo)
        .unwrap()
        .lines()
        .position(|l| l == "id = \"evaluator_remark\"")
        .unwrap();
    assert!(
        stdout.starts_with(&format!(
            "{demo}:{line}: 警告[unused_input] 数据项“评价组意见”"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n  修改建议：在指标的评分脚本或 KPI 中使用它"),
        "{stdout}"
    );
    assert!(stdout.ends_with("共 1 条警告\n"), "{stdout}");

    let english = String::from_utf8(lint(&[demo, "--lang", "en"]).stdout).unwrap();
    assert!(
        english.contains(": warning[unused_input] input evaluator_remark is read by no"),
        "{english}"
    );
    assert!(
        english.contains("\n  fix: read it in an indicator's script"),
        "{english}"
    );
    assert!(english.ends_with("1 warning(s)\n"), "{english}");

    let json = lint(&[demo, "--format", "json"]);
    let warnings: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(warnings[0]["code"], "unused_input");
    assert_eq!(warnings[0]["input"], "evaluator_remark");
    assert_eq!(warnings[0]["line"], line);
    assert_eq!(warnings.as_array().unwrap().len(), 1);

    assert_eq!(lint(&[demo, "--deny-warnings"]).status.code(), Some(4));
    let clean = root().join("rules/gov-it-post/rulebook.toml");
    let clean = lint(&[clean.to_str().unwrap(), "--deny-warnings"]);
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(String::from_utf8(clean.stdout).unwrap(), "✓ 无警告\n");
}

#[test]
fn a_rulebook_that_does_not_compile_is_exit_1_with_its_problems() {
    let dir = std::env::temp_dir().join(format!("jixiao-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "id = \"x\"\n").unwrap();
    let out = lint(&[bad.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(error["kind"], "rulebook");
    std::fs::remove_dir_all(&dir).unwrap();
}
