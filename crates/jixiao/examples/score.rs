//! `cargo run -p jixiao --example score -- RULEBOOK SUBMISSION.json` prints the scorecard JSON.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(rulebook), Some(submission)) = (args.next(), args.next()) else {
        return Err("usage: score RULEBOOK SUBMISSION.json".into());
    };
    let engine = jixiao::Engine::new(jixiao::Rulebook::from_path(rulebook)?)?;
    let submission = jixiao::Submission::from_json_str(&std::fs::read_to_string(submission)?)?;
    #[allow(clippy::print_stdout)]
    {
        println!("{}", engine.evaluate(&submission).to_json_pretty());
    }
    Ok(())
}
