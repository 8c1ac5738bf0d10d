//! Compiles, scores and frees N distinct rulebooks in one process (every label and 评分标准
//! of gov-it-post made unique) and prints how much the process grew: what a server or a
//! browser tab that loads rulebooks for days keeps. `cargo run --release -p jixiao --example
//! rulebook_churn -- [N]` (default 2,000); Linux (reads /proc/self/status).
use jixiao::{Engine, Submission};

/// Resident memory in KB.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .expect("VmRSS")
}

#[allow(clippy::print_stdout)]
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let base = std::fs::read_to_string("rules/gov-it-post/rulebook.toml").expect("rulebook");
    let submission = Submission::from_json_str(
        &std::fs::read_to_string("rules/gov-it-post/examples/average.json").expect("example"),
    )
    .expect("submission");
    // One first, so what every process holds anyway is counted before.
    let _ = Engine::from_str(&base)
        .expect("compiles")
        .evaluate(&submission);
    let before = rss_kb();
    for i in 0..n {
        let text = base
            .replace("label = \"", &format!("label = \"{i}-"))
            .replace("criteria = \"", &format!("criteria = \"{i}-"));
        let engine = Engine::from_str(&text).expect("compiles");
        let _ = engine.evaluate(&submission);
    }
    let after = rss_kb();
    println!(
        "{n} distinct rulebooks compiled, scored and freed: RSS {before} KB -> {after} KB ({:+} KB)",
        after.cast_signed() - before.cast_signed()
    );
}
