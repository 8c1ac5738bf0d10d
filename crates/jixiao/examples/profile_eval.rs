//! Loop evaluations for profiling: `cargo run --release -p jixiao --example profile_eval -- RULEBOOK SUBMISSION N`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let engine = jixiao::Engine::new(jixiao::Rulebook::from_path(&args[1]).expect("rulebook"))
        .expect("compile");
    let sub = jixiao::Submission::from_json_str(&std::fs::read_to_string(&args[2]).expect("read"))
        .expect("submission");
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let opts = jixiao::EvalOptions {
        trace: false,
        lang: jixiao::Lang::Zh,
    };
    let start = std::time::Instant::now();
    let mut total = jixiao::Decimal::ZERO;
    for _ in 0..n {
        total += engine.evaluate_with(&sub, opts).total;
    }
    let el = start.elapsed();
    eprintln!(
        "{n} evaluations in {el:?}: {:.1} µs each, {:.0}/s (checksum {total})",
        el.as_secs_f64() * 1e6 / n as f64,
        n as f64 / el.as_secs_f64()
    );
}
