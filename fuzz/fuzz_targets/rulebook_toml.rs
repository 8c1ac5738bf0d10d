//! Rulebook TOML bytes → load, check, compile, and score an empty submission: every outcome is
//! a rulebook or a scorecard, never a panic, a hang or unbounded memory.
#![no_main]

use jixiao::{Engine, Rulebook, Submission};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(engine) = Rulebook::from_toml_str(text).and_then(Engine::new) {
        let card = engine.evaluate(&Submission::default());
        assert!(!card.to_json().is_empty());
    }
});
