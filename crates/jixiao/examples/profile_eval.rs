//! Loop evaluations for profiling:
//! `cargo run --release -p jixiao --example profile_eval -- RULEBOOK SUBMISSION [N]`, or
//! `… -- bench40 [N]` for the generated 40-leaf benchmark rulebook.
#[path = "../benches/support/forty_leaf.rs"]
mod forty_leaf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (engine, subs, n_arg) = if args.get(1).is_some_and(|a| a == "bench40") {
        let rulebook =
            jixiao::Rulebook::from_toml_str(&forty_leaf::forty_leaf_rulebook()).expect("rulebook");
        let subs: Vec<_> = (0..64).map(forty_leaf::submission).collect();
        (jixiao::Engine::new(rulebook).expect("compile"), subs, 2)
    } else {
        let rulebook = jixiao::Rulebook::from_path(&args[1]).expect("rulebook");
        let text = std::fs::read_to_string(&args[2]).expect("read");
        let sub = jixiao::Submission::from_json_str(&text).expect("submission");
        (
            jixiao::Engine::new(rulebook).expect("compile"),
            vec![sub],
            3,
        )
    };
    let n: usize = args
        .get(n_arg)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    // JIXIAO_TRACE=1: with explanations, as the web form evaluates.
    let opts = jixiao::EvalOptions {
        trace: std::env::var_os("JIXIAO_TRACE").is_some(),
        lang: jixiao::Lang::Zh,
    };
    // JIXIAO_INTERPRETED=1: every script in Rhai, for comparing with the fast paths.
    let interpreted = std::env::var_os("JIXIAO_INTERPRETED").is_some();
    // JIXIAO_REUSE=1: one scorecard reused through `evaluate_into`, as batch workers do.
    let reuse = std::env::var_os("JIXIAO_REUSE").is_some();
    let mut card = engine.evaluate_with(&subs[0], opts);
    let start = std::time::Instant::now();
    let mut total = jixiao::Decimal::ZERO;
    for i in 0..n {
        let sub = &subs[i % subs.len()];
        total += if interpreted {
            engine.evaluate_interpreted(sub, opts).total
        } else if reuse {
            engine.evaluate_into(sub, opts, &mut card);
            card.total
        } else {
            engine.evaluate_with(sub, opts).total
        };
    }
    let el = start.elapsed();
    #[allow(clippy::cast_precision_loss)]
    let (each, rate) = (
        el.as_secs_f64() * 1e6 / n as f64,
        n as f64 / el.as_secs_f64(),
    );
    eprintln!("{n} evaluations in {el:?}: {each:.1} µs each, {rate:.0}/s (checksum {total})");
}
