#![allow(clippy::print_stdout)] // a build script talks to cargo on stdout

//! Embeds the shared test vectors (`tests/vectors/manifest.json`) for the wasm-bindgen parity
//! test, which runs where there is no file system (a browser). Writes `$OUT_DIR/vectors.rs`:
//! `VECTORS: &[(name, rulebook_json, submission, expected)]`, one entry per manifest vector.
//! The library itself does not use it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let manifest = root.join("tests/vectors/manifest.json");
    println!("cargo::rerun-if-changed={}", manifest.display());
    let mut out = String::from("pub const VECTORS: &[(&str, &str, &str, &str)] = &[\n");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let vectors = parsed["vectors"].as_array().cloned().unwrap_or_default();
    for v in &vectors {
        let field = |k: &str| -> Option<PathBuf> { v[k].as_str().map(|p| root.join(p)) };
        let (Some(name), Some(rulebook), Some(submission), Some(expected)) = (
            v["name"].as_str(),
            field("rulebook_json"),
            field("submission"),
            field("expected"),
        ) else {
            continue;
        };
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?}), include_str!({:?}), include_str!({:?})),",
            rulebook.display().to_string(),
            submission.display().to_string(),
            expected.display().to_string()
        );
        for p in [&rulebook, &submission, &expected] {
            println!("cargo::rerun-if-changed={}", p.display());
        }
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    if let Err(e) = std::fs::write(dest.join("vectors.rs"), out) {
        println!("cargo::warning=cannot write vectors.rs: {e}");
    }
}
