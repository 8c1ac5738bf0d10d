//! Hostile submissions: values that are huge, duplicated or malformed. Each is a named
//! problem on its input; none is silently taken, and none is echoed back in full.
#![allow(clippy::unwrap_used)]

use jixiao::{Engine, ProblemCode, Rulebook, Submission};
use std::path::Path;

fn demo() -> Engine {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/demo/rulebook.toml");
    Engine::new(Rulebook::from_path(path).unwrap()).unwrap()
}

/// A 10 MB value quoted in a problem is cut after 100 characters.
#[test]
fn a_huge_value_is_quoted_cut() {
    let engine = demo();
    let huge = "符".repeat(3_500_000);
    for (input, value) in [
        ("security_level", serde_json::json!(huge)),
        ("planned_go_live", serde_json::json!(huge)),
        ("approval_basis", serde_json::json!([huge])),
        ("budget_requested", serde_json::json!(huge)),
    ] {
        let submission = Submission::from_json_str(
            &serde_json::json!({ "values": { input: value } }).to_string(),
        )
        .unwrap();
        let card = engine.evaluate(&submission);
        let p = card
            .problems
            .iter()
            .find(|p| p.input.as_deref() == Some(input))
            .unwrap_or_else(|| panic!("{input}: no problem"));
        assert!(
            p.message.contains("符…"),
            "{input}: {}",
            &p.message[..200.min(p.message.len())]
        );
        assert!(
            p.message.chars().count() < 400,
            "{input}: {} chars",
            p.message.chars().count()
        );
        assert!(
            p.message_en.chars().count() < 400,
            "{input}: {}",
            p.message_en.len()
        );
        let json = card.to_json();
        assert!(
            json.len() < 64 * 1024,
            "{input}: a {} byte scorecard",
            json.len()
        );
    }
}

#[test]
fn a_huge_unknown_key_is_quoted_cut_everywhere() {
    let key = "k".repeat(1_000_000);
    let submission =
        Submission::from_json_str(&serde_json::json!({ "values": { key.clone(): 1 } }).to_string())
            .unwrap();
    let card = demo().evaluate(&submission);
    let p = card
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::UnknownInput)
        .unwrap();
    let cut = format!("{}…", "k".repeat(100));
    assert_eq!(p.input.as_deref(), Some(cut.as_str()));
    assert_eq!(p.field.as_deref(), Some(format!("values.{cut}").as_str()));
    assert!(p.message.contains(&cut));
    assert!(card.to_json().len() < 64 * 1024);
}
