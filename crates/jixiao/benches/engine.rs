//! Criterion benchmarks: rulebook compile time and per-project evaluation, trace on and off,
//! for a 40-leaf rulebook; and how fast hostile scripts are stopped.
//!
//! `cargo bench -p jixiao --bench engine`

use criterion::{Criterion, criterion_group, criterion_main};
#[path = "support/forty_leaf.rs"]
mod forty_leaf;

use forty_leaf::{forty_leaf_rulebook, submission};
use jixiao::{Engine, EvalOptions, Lang, Rulebook, Submission};
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let text = forty_leaf_rulebook();
    c.bench_function(
        "compile 40-leaf rulebook (parse + validate + compile)",
        |b| {
            b.iter(|| {
                Engine::new(Rulebook::from_toml_str(black_box(&text)).expect("benchmark fixture"))
                    .expect("benchmark fixture")
            })
        },
    );
    let engine = Engine::new(Rulebook::from_toml_str(&text).expect("benchmark fixture"))
        .expect("benchmark fixture");
    let subs: Vec<Submission> = (0..64).map(submission).collect();
    let mut i = 0;
    for (name, trace) in [
        ("evaluate 40 leaves, trace off", false),
        ("evaluate 40 leaves, trace on", true),
    ] {
        let opts = EvalOptions {
            trace,
            lang: Lang::Zh,
        };
        c.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % subs.len();
                engine.evaluate_with(black_box(&subs[i]), opts)
            })
        });
    }
}

criterion_group!(engine, benches);
criterion_main!(engine);
