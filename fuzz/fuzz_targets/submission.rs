//! Arbitrary submission JSON on every shipped rulebook: parsed, validated and scored, in both
//! languages. A scorecard always adds up: the total is within the declared points.
#![no_main]

use jixiao::{Engine, EvalOptions, Lang, Rulebook, Submission};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static ENGINES: LazyLock<Vec<Engine>> = LazyLock::new(|| {
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    [
        "demo",
        "ex-ante",
        "gov-it-post",
        "mof-2020-post",
        "monitoring",
        "self-eval",
    ]
    .iter()
    .map(|pack| {
        let rulebook = Rulebook::from_path(rules.join(pack).join("rulebook.toml"))
            .unwrap_or_else(|e| panic!("{pack}: {e}"));
        Engine::new(rulebook).unwrap_or_else(|e| panic!("{pack}: {e}"))
    })
    .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(submission) = Submission::from_json_str(text) else {
        return;
    };
    for engine in ENGINES.iter() {
        let _ = engine.validate(&submission);
        for lang in [Lang::Zh, Lang::En] {
            let card = engine.evaluate_with(&submission, EvalOptions { trace: true, lang });
            assert!(
                card.total >= jixiao::Decimal::ZERO,
                "negative total {}",
                card.total
            );
            assert!(card.total <= card.max_points.max(jixiao::Decimal::ONE_HUNDRED));
            assert!(!card.to_json().is_empty());
        }
    }
});
