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

#[test]
fn a_key_given_twice_is_refused_naming_it() {
    let text =
        "{\"values\": {\n  \"budget_requested\": 100,\n  \"budget_requested\": 900, \"x\": 1\n}}";
    let err = Submission::from_json_str(text).unwrap_err();
    assert_eq!(err.kind(), "submission");
    let p = &err.problems()[0];
    assert_eq!(p.code, ProblemCode::DuplicateKey);
    assert_eq!(p.input.as_deref(), Some("budget_requested"));
    assert_eq!(p.field.as_deref(), Some("values.budget_requested"));
    assert_eq!(p.line, Some(3));
    assert!(p.message.contains("出现了两次"), "{}", p.message);
    assert!(
        p.message_en.contains("given twice in values"),
        "{}",
        p.message_en
    );
    assert!(err.to_json().contains("\"code\":\"duplicate_key\""));

    let err = Submission::from_json_str(r#"{"notes": {"D1.1": "a", "D1.1": "b"}}"#).unwrap_err();
    let p = &err.problems()[0];
    assert_eq!(p.code, ProblemCode::DuplicateKey);
    assert_eq!(p.indicator.as_deref(), Some("D1.1"));
    assert_eq!(p.input, None);

    // The same key in two different maps is no duplicate.
    Submission::from_json_str(r#"{"values": {"x": 1}, "notes": {"x": "n"}}"#).unwrap();
}

#[test]
fn separators_in_impossible_places_are_a_problem_on_the_input() {
    let engine = demo();
    for (typed, read) in [
        ("2,104", Some(2104.0)),
        ("1 234 567.5", Some(1_234_567.5)),
        ("2,,1,0,4", None),
        ("21,04", None),
        ("1.498,36", None),
    ] {
        let submission = Submission::from_json_str(
            &serde_json::json!({ "values": { "budget_requested": typed } }).to_string(),
        )
        .unwrap();
        let problems = engine.validate(&submission);
        let on_input: Vec<_> = problems
            .iter()
            .filter(|p| p.input.as_deref() == Some("budget_requested"))
            .collect();
        match read {
            Some(_) => assert!(on_input.is_empty(), "{typed}: {on_input:?}"),
            None => {
                assert_eq!(on_input.len(), 1, "{typed}: {problems:?}");
                assert_eq!(on_input[0].code, ProblemCode::WrongType, "{typed}");
                assert!(
                    on_input[0].message.contains(typed),
                    "{}",
                    on_input[0].message
                );
            }
        }
    }
}

/// A JSON Lines row that is no JSON at all says what it found (it once said "null").
#[test]
fn text_that_is_not_json_says_what_it_is() {
    for (text, zh) in [
        ("not json", "收到的 “not json” 不是 JSON"),
        ("nul", "收到的 “nul” 不是 JSON"),
        ("null", "实际是 null"),
        ("truex", "收到的 “truex” 不是 JSON"),
        ("[1]", "实际是数组"),
        ("12", "实际是数字"),
    ] {
        let err = Submission::from_json_str(text).unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(p.code, ProblemCode::SubmissionSyntax, "{text}");
        assert!(p.message.ends_with(zh), "{text}: {}", p.message);
    }
    let long = format!("x{}", "y".repeat(1_000_000));
    let err = Submission::from_json_str(&long).unwrap_err();
    assert!(err.to_string().len() < 1_000, "{}", err.to_string().len());
}

/// Text past its limit is refused before it is parsed, however it arrives.
#[test]
fn rulebook_and_submission_text_past_their_limits_are_refused_unparsed() {
    use jixiao::limits::{MAX_RULEBOOK_BYTES, MAX_SUBMISSION_BYTES};
    let huge = format!("# {}\n", "x".repeat(MAX_RULEBOOK_BYTES as usize));
    for err in [
        Rulebook::from_toml_str(&huge).unwrap_err(),
        Rulebook::from_json_str(&huge).unwrap_err(),
    ] {
        assert_eq!(err.code(), ProblemCode::TooLong);
        assert!(
            err.to_string().contains("超过 4 MiB 的上限"),
            "{}",
            &err.to_string()[..200]
        );
    }
    let huge = format!(
        "{{\"values\": {{\"x\": \"{}\"}}}}",
        "x".repeat(MAX_SUBMISSION_BYTES as usize)
    );
    let err = Submission::from_json_str(&huge).unwrap_err();
    assert_eq!(err.code(), ProblemCode::TooLong);
    assert!(err.to_string().contains("超过 16 MiB 的上限"));
}
