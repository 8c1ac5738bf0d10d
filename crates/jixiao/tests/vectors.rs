#![allow(clippy::unwrap_used)]

//! The shared test vectors under `tests/vectors/`: native results must equal the committed
//! expected scorecards byte for byte (the WASM and C tests compare against the same files).
//! `JIXIAO_BLESS=1` rewrites the expected files and JSON rulebooks instead of comparing.

use jixiao::{Engine, Rulebook, Submission};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn check_or_bless(rel: &str, actual: &str) {
    let path = root().join(rel);
    if std::env::var_os("JIXIAO_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{rel} differs from the native result; if the change is intended run JIXIAO_BLESS=1 cargo test -p jixiao --test vectors\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

/// A scorecard's JSON without the line and column of its indicators' errors.
fn without_lines(card: &str) -> serde_json::Value {
    let mut card: serde_json::Value = serde_json::from_str(card).unwrap();
    for indicator in card["indicators"].as_array_mut().unwrap() {
        if let Some(error) = indicator.get_mut("error").and_then(|e| e.as_object_mut()) {
            error.remove("line");
            error.remove("column");
        }
    }
    card
}

#[test]
fn native_results_match_the_shared_vectors() {
    let manifest: serde_json::Value =
        serde_json::from_str(&read("tests/vectors/manifest.json")).unwrap();
    let vectors = manifest["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 5);
    for v in vectors {
        let s = |k: &str| v[k].as_str().unwrap().to_string();
        let from_toml = Rulebook::from_path(root().join(s("rulebook"))).unwrap();
        check_or_bless(&s("rulebook_json"), &from_toml.canonical_json());
        let from_json = Rulebook::from_json_str(&read(&s("rulebook_json"))).unwrap();
        assert_eq!(
            from_toml.content_hash(),
            from_json.content_hash(),
            "{}: TOML and JSON forms hash alike",
            s("name")
        );

        let submission = Submission::from_json_str(&read(&s("submission"))).unwrap();
        let card_toml = Engine::new(from_toml)
            .unwrap()
            .evaluate(&submission)
            .to_json();
        let card_json = Engine::new(from_json)
            .unwrap()
            .evaluate(&submission)
            .to_json();
        // The same scorecard from TOML and JSON, but where a script fails: loaded from TOML
        // its error names the rulebook file's line, loaded from JSON (no lines) the script's.
        assert_eq!(
            without_lines(&card_toml),
            without_lines(&card_json),
            "{}: same scorecard from TOML and JSON",
            s("name")
        );
        // Every binding loads the JSON form.
        check_or_bless(&s("expected"), &card_json);
    }
}

/// The hostile vectors (tests/hostile/): every leaf ends as its 评分标准 says, "expect
/// <problem code>" or "expect scored", and every other leaf is scored.
#[test]
fn hostile_vectors_end_as_their_criteria_say() {
    let manifest: serde_json::Value =
        serde_json::from_str(&read("tests/vectors/manifest.json")).unwrap();
    let mut checked = 0;
    for v in manifest["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        if !name.starts_with("hostile-") {
            continue;
        }
        let card: serde_json::Value =
            serde_json::from_str(&read(v["expected"].as_str().unwrap())).unwrap();
        for leaf in card["indicators"].as_array().unwrap() {
            let Some(expect) = leaf["criteria"]
                .as_str()
                .and_then(|c| c.strip_prefix("expect "))
            else {
                continue;
            };
            let id = leaf["id"].as_str().unwrap();
            let outcome = match leaf["status"].as_str().unwrap() {
                "error" => leaf["error"]["code"].as_str().unwrap(),
                other => other,
            };
            assert_eq!(outcome, expect, "{name} {id}: {}", leaf["error"]);
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} hostile leaves");
}
