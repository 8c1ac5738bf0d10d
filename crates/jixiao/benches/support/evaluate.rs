//! The per-project evaluation benchmark, shared by `engine.rs` (system allocator) and
//! `evaluate_mimalloc.rs`.

use crate::forty_leaf::{forty_leaf_rulebook, submission};
use jixiao::{Engine, EvalOptions, Lang, Rulebook, Submission};
use std::hint::black_box;

/// Per-project evaluation of the 40-leaf rulebook, trace off and on, and trace off into a
/// reused scorecard, rotating through 64 submissions; `label` ends each benchmark's name
/// (e.g. the allocator it runs with).
pub fn evaluate_benches(c: &mut criterion::Criterion, label: &str) {
    let engine =
        Engine::new(Rulebook::from_toml_str(&forty_leaf_rulebook()).expect("benchmark fixture"))
            .expect("benchmark fixture");
    let subs: Vec<Submission> = (0..64).map(submission).collect();
    let mut i = 0;
    for (trace, name) in [(false, "trace off"), (true, "trace on")] {
        let opts = EvalOptions {
            trace,
            lang: Lang::Zh,
        };
        c.bench_function(&format!("evaluate 40 leaves, {name}{label}"), |b| {
            b.iter(|| {
                i = (i + 1) % subs.len();
                engine.evaluate_with(black_box(&subs[i]), opts)
            })
        });
    }
    // As a batch worker scores: into one scorecard, reused (`Engine::evaluate_into`).
    let opts = EvalOptions {
        trace: false,
        lang: Lang::Zh,
    };
    let mut card = jixiao::Scorecard::default();
    c.bench_function(
        &format!("evaluate_into 40 leaves, trace off, reused scorecard{label}"),
        |b| {
            b.iter(|| {
                i = (i + 1) % subs.len();
                engine.evaluate_into(black_box(&subs[i]), opts, &mut card);
                card.total
            })
        },
    );
}
