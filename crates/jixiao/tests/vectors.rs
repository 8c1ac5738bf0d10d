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
        assert_eq!(
            card_toml,
            card_json,
            "{}: same scorecard from TOML and JSON",
            s("name")
        );
        check_or_bless(&s("expected"), &card_toml);
    }
}
