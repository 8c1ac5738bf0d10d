//! What the engine keeps after it is gone. A server or a browser tab compiles rulebook after
//! rulebook for days; compiling, scoring and freeing 2,000 distinct ones once kept +199 MB
//! (every text interned forever). Alone in its test binary: RSS is the process's.
#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use jixiao::{Engine, Submission};
use std::path::Path;

fn rss_kb() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn compiling_and_freeing_2000_distinct_rulebooks_grows_the_process_by_under_10_mb() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/gov-it-post");
    let base = std::fs::read_to_string(rules.join("rulebook.toml")).unwrap();
    let submission = Submission::from_json_str(
        &std::fs::read_to_string(rules.join("examples/average.json")).unwrap(),
    )
    .unwrap();
    let _ = Engine::from_str(&base).unwrap().evaluate(&submission);
    let before = rss_kb();
    let mut distinct_bytes = 0;
    for i in 0..2_000 {
        // Every label and 评分标准 its own.
        let text = base
            .replace("label = \"", &format!("label = \"{i}-"))
            .replace("criteria = \"", &format!("criteria = \"{i}-"));
        distinct_bytes += text.len();
        let engine = Engine::from_str(&text).unwrap();
        let card = engine.evaluate(&submission);
        assert!(card.indicators[0].label.starts_with(&format!("{i}-")));
    }
    let grown = rss_kb() - before;
    eprintln!("{distinct_bytes} bytes of distinct rulebooks: RSS grew {grown} KB");
    assert!(
        distinct_bytes > 40 << 20,
        "the texts must outgrow any bound"
    );
    assert!(grown < 10 * 1024, "RSS grew {grown} KB");
}
