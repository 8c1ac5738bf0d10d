//! Arbitrary scorecard JSON into the report, as the WebAssembly report module takes it from a
//! page: with each shipped rulebook it is refused with a named error or written — DOCX, HTML
//! and text, one project's report and the summary — never a panic, in both languages.
#![no_main]

use jixiao::Lang;
use jixiao_report::{Format, report_from_json, summary_from_json};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// The shipped rulebooks' canonical JSON (as the packages ship them).
static RULEBOOKS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let vectors =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/rulebooks");
    ["demo.json", "gov-it-post.json"]
        .iter()
        .map(|name| {
            std::fs::read_to_string(vectors.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(card) = std::str::from_utf8(data) else {
        return;
    };
    let cards = format!("[{card},{card}]");
    for rulebook in RULEBOOKS.iter() {
        for (format, lang) in [
            (Format::Docx, Lang::Zh),
            (Format::Html, Lang::En),
            (Format::Text, Lang::Zh),
        ] {
            if let Ok(bytes) = report_from_json(rulebook, card, format, lang) {
                assert!(!bytes.is_empty());
            }
        }
        let _ = summary_from_json(rulebook, &cards, Format::Docx, Lang::Zh);
    }
});
