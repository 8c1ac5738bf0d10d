//! `jixiao report`: the format follows the output's extension (or --format), PDF through
//! LibreOffice where it is installed, and an extension it cannot tell is refused by name.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/gov-it-post")
}

fn report(output: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("report")
        .arg(pack().join("rulebook.toml"))
        .arg(pack().join("examples/weak.json"))
        .arg("-o")
        .arg(output)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_extension_says_the_format() {
    let dir = tempfile::tempdir().unwrap();
    for (name, starts) in [
        ("r.docx", &b"PK"[..]),
        ("r.html", b"<!DOCTYPE html>"),
        ("r.txt", "绩效评价报告\n".as_bytes()),
    ] {
        let path = dir.path().join(name);
        let out = report(&path, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {out:?}");
        assert!(std::fs::read(&path).unwrap().starts_with(starts), "{name}");
    }
    // --format wins over the extension.
    let path = dir.path().join("report.out");
    assert_eq!(report(&path, &["--format", "html"]).status.code(), Some(0));
    assert!(
        std::fs::read(&path)
            .unwrap()
            .starts_with(b"<!DOCTYPE html>")
    );
    // An extension that names no format is refused, and nothing is written.
    let path = dir.path().join("report.xyz");
    let out = report(&path, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("无法从文件名判断"), "{stderr}");
    assert!(!path.exists());
}

#[test]
fn pdf_through_libreoffice() {
    if !Path::new("/usr/bin/soffice").exists() {
        assert!(
            std::env::var_os("JIXIAO_REQUIRE_LIBREOFFICE").is_none(),
            "LibreOffice is required here but not installed"
        );
        eprintln!("SKIPPED: LibreOffice is not installed (scripts/setup installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("报告.pdf");
    let out = report(&path, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let pdf = std::fs::read(&path).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(pdf.len() > 10_000, "with its pages: {} bytes", pdf.len());
}
