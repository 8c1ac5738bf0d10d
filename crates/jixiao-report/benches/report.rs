//! Criterion benchmarks of the report: one project's report built and written as DOCX, HTML
//! and text, and the summary of a thousand projects.
//!
//! `cargo bench -p jixiao-report --bench report -- --warm-up-time 1 --measurement-time 4`

use criterion::{Criterion, criterion_group, criterion_main};
use jixiao::{Engine, EvalOptions, Lang, Rulebook, Submission};
use jixiao_report::{Portfolio, ProjectSummary, build, to_docx, to_html, to_text};
use std::hint::black_box;
use std::path::Path;

fn benches(c: &mut Criterion) {
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/gov-it-post");
    let rulebook = Rulebook::from_path(pack.join("rulebook.toml")).expect("shipped rulebook");
    let engine = Engine::new(rulebook.clone()).expect("shipped rulebook");
    let submission = Submission::from_path(pack.join("examples/weak.json")).expect("example");
    let options = EvalOptions {
        trace: true,
        lang: Lang::Zh,
    };
    let card = engine.evaluate_with(&submission, options);
    let spec = rulebook.spec();

    c.bench_function("report: build (gov-it-post, weak)", |b| {
        b.iter(|| build(black_box(spec), black_box(&card), Lang::Zh))
    });
    let report = build(spec, &card, Lang::Zh);
    c.bench_function("report: build + DOCX", |b| {
        b.iter(|| to_docx(&build(black_box(spec), black_box(&card), Lang::Zh)))
    });
    c.bench_function("report: DOCX of a built report", |b| {
        b.iter(|| to_docx(black_box(&report)))
    });
    c.bench_function("report: HTML of a built report", |b| {
        b.iter(|| to_html(black_box(&report)))
    });
    c.bench_function("report: text of a built report", |b| {
        b.iter(|| to_text(black_box(&report)))
    });
    let summaries: Vec<ProjectSummary> = (0..1000)
        .map(|_| ProjectSummary::of(&card, Lang::Zh))
        .collect();
    c.bench_function(
        "summary: 1,000 projects added, built and written as DOCX",
        |b| {
            b.iter(|| {
                let mut portfolio = Portfolio::new(spec, Lang::Zh);
                for s in &summaries {
                    portfolio.add(s.clone());
                }
                to_docx(&portfolio.report())
            })
        },
    );
}

criterion_group!(report_benches, benches);
criterion_main!(report_benches);
