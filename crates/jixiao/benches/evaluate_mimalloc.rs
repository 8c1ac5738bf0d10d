//! The evaluation benchmarks of `engine.rs` with mimalloc as the global allocator, as the
//! `jixiao` CLI is built: what a batch run gets per project. (The core library leaves the
//! allocator to the program that embeds it; `engine.rs` measures the system allocator.)
//!
//! `cargo bench -p jixiao --bench evaluate_mimalloc`

use criterion::{Criterion, criterion_group, criterion_main};
#[path = "support/forty_leaf.rs"]
mod forty_leaf;

use forty_leaf::{forty_leaf_rulebook, submission};
use jixiao::{Engine, EvalOptions, Lang, Rulebook, Submission};
use std::hint::black_box;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn benches(c: &mut Criterion) {
    let engine =
        Engine::new(Rulebook::from_toml_str(&forty_leaf_rulebook()).expect("benchmark fixture"))
            .expect("benchmark fixture");
    let subs: Vec<Submission> = (0..64).map(submission).collect();
    let mut i = 0;
    for (name, trace) in [
        ("evaluate 40 leaves, trace off, mimalloc", false),
        ("evaluate 40 leaves, trace on, mimalloc", true),
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

criterion_group!(evaluate, benches);
criterion_main!(evaluate);
