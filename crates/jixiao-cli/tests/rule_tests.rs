//! `jixiao test DIR`: a rulebook's own cases pass or fail with what differed, and the coverage
//! of its leaves' outcomes is counted from the values the scorecards recorded.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

const RULEBOOK: &str = r#"id = "t"
version = "1"
title = "测试示例"
stage = "post"

[[inputs]]
id = "rate"
label = "执行率"
type = "percent"

[[inputs]]
id = "uptime"
label = "可用率"
type = "percent"

[[indicators]]
id = "A"
label = "过程"

[[indicators]]
id = "A1"
parent = "A"
label = "执行率"
points = 50
script = 'proportional("rate", 0.9)'

[[indicators]]
id = "A2"
parent = "A"
label = "可用率"
points = 50
script = 'tiered("uptime", [[0.99, 1.0], [0.95, 0.6]])'
"#;

fn test_dir(dir: &Path, tests: &str) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("rulebook.toml"), RULEBOOK).unwrap();
    std::fs::write(
        dir.join("good.json"),
        r#"{"values": {"rate": "95%", "uptime": "99.5%"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("fair.json"),
        r#"{"values": {"rate": "45%", "uptime": "96%"}}"#,
    )
    .unwrap();
    std::fs::write(dir.join("tests.toml"), tests).unwrap();
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("test")
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn cases_pass_or_say_what_differed_and_coverage_counts_outcomes() {
    let dir = std::env::temp_dir().join(format!("jixiao-rule-tests-{}", std::process::id()));
    let tests = r#"
[[cases]]
name = "好"
submission = "good.json"
total = 100
grade = "优"
complete = true
scores = { "A1" = 50, "A2" = 50 }

[[cases]]
name = "中"
submission = "fair.json"
total = 60
scores = { "A1" = 25, "A2" = "unscored" }
findings = ["没有这句"]
"#;
    let out = test_dir(&dir, tests);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "✓ 好");
    assert_eq!(
        lines[1],
        "✗ 中：总分 应为 60，实为 55；A2 应为 unscored，实为 scored；没有含“没有这句”的问题"
    );
    assert_eq!(lines[2], "2 个用例，1 个未通过");
    // A1: full and partial of three outcomes; A2: both bands of three.
    assert_eq!(
        lines[3],
        "覆盖率：2 个可分析的末级指标，6 种结果中覆盖 4 种（67%）"
    );
    assert_eq!(lines[4], "  A1 执行率：未覆盖 ≤ 0（0 分）");
    assert_eq!(lines[5], "  A2 可用率：未覆盖 低于所有门槛（0 分）");

    // All passing: exit 0; JSON for programs.
    let out = test_dir(
        &dir,
        "[[cases]]\nname = \"好\"\nsubmission = \"good.json\"\ntotal = 100\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let json = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["test", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["cases"][0]["failures"], serde_json::json!([]));
    assert_eq!(
        json["coverage"][1]["outcomes"][0]["label"],
        "≥ 0.99（得 1）"
    );
    assert_eq!(json["coverage"][1]["outcomes"][0]["hits"], 1);
    assert_eq!(
        (json["reached"].as_u64(), json["outcomes"].as_u64()),
        (Some(2), Some(6))
    );

    // No tests.toml: exit 2, named.
    std::fs::remove_file(dir.join("tests.toml")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("test")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tests.toml"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every shipped pack with its own cases: they pass, and reach every outcome coverage can
/// tell apart (the figure its README gives).
#[test]
fn the_shipped_packs_own_cases_pass_with_full_coverage() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let mut packs = 0;
    for entry in std::fs::read_dir(&rules).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("tests.toml").exists() {
            continue;
        }
        packs += 1;
        let engine = jixiao::Rulebook::from_path(dir.join("rulebook.toml"))
            .and_then(jixiao::Engine::new)
            .unwrap();
        let run = jixiao_cli::rule_tests::run(&engine, &dir).unwrap();
        for case in &run.outcomes {
            assert!(
                case.failures.is_empty(),
                "{}: {}: {:?}",
                dir.display(),
                case.name,
                case.failures
            );
        }
        let (reached, all) = jixiao_cli::rule_tests::covered(&run.coverage);
        assert_eq!(reached, all, "{}: coverage {reached}/{all}", dir.display());
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(
            readme.contains(&format!("{all} 种结果中覆盖 {reached} 种")),
            "{}: the README's coverage figure",
            dir.display()
        );
    }
    assert!(packs >= 1);
}
