//! `jixiao weights`: the analytic hierarchy process against published worked examples (weights
//! to 3 decimals, CR), points that add up exactly, and the matrices it refuses, by name.
#![allow(clippy::unwrap_used)]

use jixiao_cli::weights::{self, Matrices, Method, RandomIndex};
use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/weights")
}

fn matrices(name: &str) -> Matrices {
    toml::from_str(&std::fs::read_to_string(dir().join(name)).unwrap()).unwrap()
}

fn rounded(values: &[f64]) -> Vec<f64> {
    values
        .iter()
        .map(|v| (v * 1000.0).round() / 1000.0)
        .collect()
}

fn weigh(
    spec: &weights::MatrixSpec,
    method: Method,
) -> Result<weights::Weights, weights::WeightsError> {
    weights::weigh(spec, method, RandomIndex::Saaty2005, spec.points, 1, false)
}

#[test]
fn saaty_2008_drinks() {
    let file = matrices("saaty-2008-drinks.toml");
    let w = weigh(&file.matrices[0], Method::Eigenvector).unwrap();
    assert_eq!(
        rounded(&w.weights),
        [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    );
    assert!((w.cr - 0.022).abs() < 0.0005, "{}", w.cr);
}

#[test]
fn wikipedia_leader() {
    let file = matrices("wikipedia-leader.toml");
    let [criteria, experience, education] =
        [0, 1, 2].map(|i| weigh(&file.matrices[i], Method::Eigenvector).unwrap());
    assert_eq!(rounded(&criteria.weights), [0.548, 0.127, 0.270, 0.056]);
    assert!((criteria.cr - 0.044).abs() < 0.0005, "{}", criteria.cr);
    assert_eq!(rounded(&experience.weights), [0.217, 0.717, 0.066]);
    assert!((experience.cr - 0.035).abs() < 0.0005, "{}", experience.cr);
    assert!((education.cr - 0.062).abs() < 0.0005, "{}", education.cr);
    // The published global weights are the local ones times education's 0.127.
    let global: Vec<f64> = education.weights.iter().map(|w| w * 0.127).collect();
    assert_eq!(rounded(&global), [0.024, 0.010, 0.093]);
}

#[test]
fn the_geometric_mean_agrees_on_a_consistent_matrix_and_nearly_on_these() {
    let consistent = weights::MatrixSpec {
        parent: "p".into(),
        points: Some(10.0),
        children: vec!["a".into(), "b".into(), "c".into()],
        matrix: toml::from_str::<Matrices>("[[matrices]]\nchildren = []\nmatrix = [[1, 2, 4], [\"1/2\", 1, 2], [\"1/4\", \"1/2\", 1]]").unwrap().matrices.remove(0).matrix,
    };
    for method in [Method::Eigenvector, Method::Geometric] {
        let w = weigh(&consistent, method).unwrap();
        assert_eq!(rounded(&w.weights), [0.571, 0.286, 0.143]);
        assert!(w.cr.abs() < 1e-9 && (w.lambda_max - 3.0).abs() < 1e-9);
        assert_eq!(w.points.unwrap(), [5.7, 2.9, 1.4]);
    }
    let drinks = &matrices("saaty-2008-drinks.toml").matrices[0];
    let [e, g] =
        [Method::Eigenvector, Method::Geometric].map(|m| weigh(drinks, m).unwrap().weights);
    assert!(
        e.iter().zip(&g).all(|(a, b)| (a - b).abs() < 0.01),
        "{e:?} {g:?}"
    );
}

#[test]
fn points_add_up_exactly_to_the_parent() {
    for (total, decimals) in [(15.0, 1u32), (100.0, 0), (7.0, 2), (33.3, 1)] {
        for weights in [
            vec![1.0, 1.0, 1.0],
            vec![0.548, 0.127, 0.270, 0.056],
            vec![0.5, 0.3, 0.2],
        ] {
            let parts = weights::largest_remainder(total, &weights, decimals);
            let scale = 10f64.powi(i32::try_from(decimals).unwrap());
            #[allow(clippy::cast_possible_truncation)]
            let units: i64 = parts.iter().map(|p| (p * scale).round() as i64).sum();
            #[allow(clippy::cast_possible_truncation)]
            let want = (total * scale).round() as i64;
            assert_eq!(units, want, "{total} {weights:?} → {parts:?}");
        }
    }
    // Thirds of 10 at one place: 3.4, 3.3, 3.3 (the first of the equal remainders gets the unit).
    assert_eq!(
        weights::largest_remainder(10.0, &[1.0, 1.0, 1.0], 1),
        [3.4, 3.3, 3.3]
    );
}

#[test]
fn matrices_it_refuses_say_why() {
    let bad = |matrix: &str| {
        let file: Matrices = toml::from_str(&format!(
            "[[matrices]]\nparent = \"D\"\nchildren = [\"a\", \"b\", \"c\"]\nmatrix = {matrix}"
        ))
        .unwrap();
        weights::weigh(
            &file.matrices[0],
            Method::Eigenvector,
            RandomIndex::Saaty1980,
            None,
            1,
            false,
        )
        .unwrap_err()
    };
    // a > b, b > c, c > a: contradictory.
    let e = bad(r#"[[1, 5, "1/5"], ["1/5", 1, 5], [5, "1/5", 1]]"#);
    assert!(
        e.message.contains("一致性比率 CR") && e.message.contains("≥ 0.1"),
        "{}",
        e.message
    );
    assert_eq!(e.parent, "D");
    let e = bad(r#"[[1, 3, 2], [3, 1, 2], ["1/2", "1/2", 1]]"#);
    assert!(
        e.message
            .contains("第 1 行第 2 列与第 2 行第 1 列应互为倒数"),
        "{}",
        e.message
    );
    let e = bad(r#"[[1, 3], ["1/3", 1]]"#);
    assert!(e.message.contains("应为 3 × 3"), "{}", e.message);
    let e = bad(r#"[[1, 0, 2], [1, 1, 2], ["1/2", "1/2", 1]]"#);
    assert!(
        e.message_en
            .contains("row 1, column 2 is no positive number or fraction"),
        "{}",
        e.message_en
    );
    // Told otherwise, the contradictory one is weighed.
    let file: Matrices = toml::from_str("[[matrices]]\nparent = \"D\"\nchildren = [\"a\", \"b\", \"c\"]\nmatrix = [[1, 5, \"1/5\"], [\"1/5\", 1, 5], [5, \"1/5\", 1]]").unwrap();
    let w = weights::weigh(
        &file.matrices[0],
        Method::Eigenvector,
        RandomIndex::Saaty1980,
        None,
        1,
        true,
    )
    .unwrap();
    assert!(w.cr >= 0.1);
}

#[test]
fn the_command_takes_points_from_the_rulebook_and_exits_by_what_it_refused() {
    let jixiao = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .arg("weights")
            .args(args)
            .output()
            .unwrap()
    };
    let tmp = std::env::temp_dir().join(format!("jixiao-weights-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    // gov-it-post's decision (决策, 15 points) over its three second-level indicators.
    let file = tmp.join("m.toml");
    std::fs::write(&file, "[[matrices]]\nparent = \"decision\"\nchildren = [\"D1\", \"D2\", \"D3\"]\nmatrix = [[1, 2, 3], [\"1/2\", 1, 2], [\"1/3\", \"1/2\", 1]]\n").unwrap();
    let rulebook =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/gov-it-post/rulebook.toml");
    let out = jixiao(&[
        file.to_str().unwrap(),
        "--rulebook",
        rulebook.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &json["weights"][0];
    assert_eq!(result["parent_points"], 15.0);
    let points: f64 = result["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_f64().unwrap())
        .sum();
    assert!((points - 15.0).abs() < 1e-9, "{result}");
    let text = String::from_utf8(
        jixiao(&[
            file.to_str().unwrap(),
            "--rulebook",
            rulebook.to_str().unwrap(),
        ])
        .stdout,
    )
    .unwrap();
    assert!(
        text.starts_with("父指标 decision，15 分：λmax = 3.0092"),
        "{text}"
    );
    assert!(text.contains("  D1  权重 0.540  分值 8.1"), "{text}");
    // A contradictory matrix: exit 1, its reason on standard error.
    std::fs::write(&file, "[[matrices]]\nparent = \"x\"\nchildren = [\"a\", \"b\", \"c\"]\nmatrix = [[1, 5, \"1/5\"], [\"1/5\", 1, 5], [5, \"1/5\", 1]]\n").unwrap();
    let out = jixiao(&[file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CR ="));
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn write_puts_the_points_into_the_rulebook_top_down_or_writes_nothing() {
    let jixiao = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .arg("weights")
            .args(args)
            .output()
            .unwrap()
    };
    let tmp = std::env::temp_dir().join(format!("jixiao-weights-write-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/gov-it-post/rulebook.toml"),
    )
    .unwrap();
    let rulebook = tmp.join("rulebook.toml");
    std::fs::write(&rulebook, &original).unwrap();
    let matrices = tmp.join("m.toml");
    let decision = "[[matrices]]\nparent = \"decision\"\nchildren = [\"D1\", \"D2\", \"D3\"]\nmatrix = [[1, 2, 3], [\"1/2\", 1, 2], [\"1/3\", \"1/2\", 1]]\n";
    // Only decision's matrix: D1–D3 declare points their children must add up to, so the
    // rulebook would not compile — nothing is written.
    std::fs::write(&matrices, decision).unwrap();
    let out = jixiao(&[
        matrices.to_str().unwrap(),
        "--rulebook",
        rulebook.to_str().unwrap(),
        "--write",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("[points_mismatch] 指标 D1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&rulebook).unwrap(), original);
    // With each parent's children weighed too, top down from decision's new points: written,
    // and only the points lines changed.
    let below = "\n[[matrices]]\nparent = \"D1\"\nchildren = [\"D1.1\", \"D1.2\"]\nmatrix = [[1, \"1/2\"], [2, 1]]\n\n[[matrices]]\nparent = \"D2\"\nchildren = [\"D2.1\"]\nmatrix = [[1]]\n\n[[matrices]]\nparent = \"D3\"\nchildren = [\"D3.1\"]\nmatrix = [[1]]\n";
    std::fs::write(&matrices, format!("{decision}{below}")).unwrap();
    let out = jixiao(&[
        matrices.to_str().unwrap(),
        "--rulebook",
        rulebook.to_str().unwrap(),
        "--write",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&rulebook).unwrap();
    let changed: Vec<(&str, &str)> = original
        .lines()
        .zip(written.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [
            ("points = 8", "points = 8.1"),
            ("points = 3", "points = 2.7"),
            ("points = 5", "points = 5.4"),
            ("points = 3", "points = 4.5"),
            ("points = 3", "points = 4.5"),
            ("points = 4", "points = 2.4"),
            ("points = 4", "points = 2.4"),
        ]
    );
    assert_eq!(original.lines().count(), written.lines().count());
    jixiao::Rulebook::from_path(&rulebook)
        .and_then(jixiao::Engine::new)
        .unwrap();
    std::fs::remove_dir_all(&tmp).unwrap();
}
