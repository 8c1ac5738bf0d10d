//! Rulebook JSON bytes (what browsers load) → load, check, compile, and score an empty
//! submission.
#![no_main]

use jixiao::{Engine, Rulebook, Submission};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(engine) = Rulebook::from_json_str(text).and_then(Engine::new) {
        let card = engine.evaluate(&Submission::default());
        assert!(!card.to_json().is_empty());
    }
});
