//! The slowest scripts we could write, legal (within every limit) and hostile (stopped by
//! one), timed per scorecard. BENCHMARKS.md ("Untrusted rulebooks") lists the figures:
//!
//! `cargo run --release -p jixiao --example hostile -- [CASE] [EVALUATIONS]`; peak memory with
//! `/usr/bin/time -v target/release/examples/hostile CASE`. No case: every case, one line each.

use jixiao::{Engine, Status, Submission};
use std::time::Instant;

#[path = "../benches/support/many_leaves.rs"]
mod many_leaves;
use many_leaves::many_leaves as rulebook;

const FILL: &str = "let a = []; a.pad(999, \"x\");";
const MAP: &str = "let m = #{}; for i in 0..900 { m[`k${i}`] = i }";

/// (name, leaves, script): legal ones end in a score, hostile ones in `limit_exceeded`.
fn cases() -> Vec<(&'static str, usize, String)> {
    vec![
        ("legal: 2 leaves × a 16,000-round loop", 2, "let n = 0; while n < 16000 { n += 1 } full()".into()),
        ("legal: 10 leaves × 40 clones of a 999-item array", 10, format!("{FILL} let n = 0; while n < 40 {{ let b = a; n += 1 }} full()")),
        ("hostile: loop {} on 10 leaves", 10, "loop {}".into()),
        ("legal: 2,000 variables, each a copy of a 999-item array", 1, {
            let mut script = String::from(FILL);
            for v in 0..2_000 {
                script.push_str(&format!(" let v{v} = a;"));
            }
            script.push_str(" full()");
            script
        }),
        ("hostile: 5,000 leaves × 30,000 operations", 5_000, "let n = 0; while n < 5000 { n += 1 } full()".into()),
        ("hostile: clone a 999-item array until stopped", 12, format!("{FILL} loop {{ let b = a; }}")),
        ("hostile: keys of a 900-entry map until stopped", 12, format!("{MAP} loop {{ m.keys(); }}")),
        ("hostile: deep == of arrays until stopped", 12, format!("{FILL} let b = a; loop {{ if a == b {{}} }}")),
        ("hostile: to_string of an array until stopped", 12, format!("{FILL} loop {{ a.to_string(); }}")),
        ("hostile: sort comparer loops, nested 3 deep", 12, "let a = [8,7,6,5,4,3,2,1]; a.sort(|x, y| { let b = [8,7,6,5,4,3,2,1]; b.sort(|p, q| { let c = [8,7,6,5,4,3,2,1]; c.sort(|r, s| { loop {} }); 0 }); 0 }); full()".into()),
        ("hostile: string doubling", 12, "let s = \"x\"; loop { s += s; }".into()),
    ]
}

#[allow(clippy::print_stdout)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let wanted = args.get(1).and_then(|a| a.parse::<usize>().ok());
    let evaluations: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(3);
    let submission = Submission::default();
    for (i, (name, leaves, script)) in cases().into_iter().enumerate() {
        if wanted.is_some_and(|w| w != i) {
            continue;
        }
        let engine = Engine::from_str(&rulebook(leaves, &script)).expect("compiles");
        let mut card = engine.evaluate(&submission);
        let start = Instant::now();
        for _ in 0..evaluations {
            card = engine.evaluate(&submission);
        }
        let per = start.elapsed() / evaluations;
        let leaves = card.indicators.iter().filter(|i| i.id.starts_with('L'));
        let (scored, stopped) = leaves.fold((0, 0), |(s, e), i| match i.status {
            Status::Scored => (s + 1, e),
            Status::Error => (s, e + 1),
            _ => (s, e),
        });
        println!(
            "{i}. {name}: {:.1} ms per scorecard; {scored} leaves scored, {stopped} stopped",
            per.as_secs_f64() * 1e3
        );
    }
}
