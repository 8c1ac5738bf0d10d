//! The evaluation benchmarks of `engine.rs` with mimalloc as the global allocator, as the
//! `jixiao` CLI is built: what a batch run gets per project. (The core library leaves the
//! allocator to the program that embeds it; `engine.rs` measures the system allocator.)
//!
//! `cargo bench -p jixiao --bench evaluate_mimalloc`

use criterion::{Criterion, criterion_group, criterion_main};
#[path = "support/evaluate.rs"]
mod evaluate;
#[path = "support/forty_leaf.rs"]
mod forty_leaf;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn benches(c: &mut Criterion) {
    evaluate::evaluate_benches(c, ", mimalloc");
}

criterion_group!(with_mimalloc, benches);
criterion_main!(with_mimalloc);
