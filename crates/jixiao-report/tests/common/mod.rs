//! What the report tests share: every shipped example, scored, and the text of a DOCX.
#![allow(dead_code, clippy::unwrap_used)]

use jixiao::{Engine, EvalOptions, Lang, Rulebook, Scorecard, Submission};
use std::io::Read;
use std::path::{Path, PathBuf};

pub fn rules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")
}

/// Every shipped rulebook with each of its example submissions.
pub fn examples() -> Vec<(String, Rulebook, Submission)> {
    let mut out = Vec::new();
    let mut packs: Vec<_> = std::fs::read_dir(rules())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("rulebook.toml").exists())
        .collect();
    packs.sort();
    for pack in packs {
        let rulebook = Rulebook::from_path(pack.join("rulebook.toml")).unwrap();
        for folder in ["examples", "submissions"] {
            let Ok(entries) = std::fs::read_dir(pack.join(folder)) else {
                continue;
            };
            let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            files.sort();
            for file in files
                .into_iter()
                .filter(|f| f.extension().is_some_and(|e| e == "json"))
            {
                let name = format!(
                    "{}/{}",
                    pack.file_name().unwrap().to_string_lossy(),
                    file.file_stem().unwrap().to_string_lossy()
                );
                out.push((
                    name,
                    rulebook.clone(),
                    Submission::from_path(&file).unwrap(),
                ));
            }
        }
    }
    assert!(out.len() >= 17, "{} examples", out.len());
    out
}

pub fn score(rulebook: &Rulebook, submission: &Submission, lang: Lang) -> Scorecard {
    let engine = Engine::new(rulebook.clone()).unwrap();
    engine.evaluate_with(submission, EvalOptions { trace: true, lang })
}

/// `word/document.xml` of a DOCX.
pub fn docx_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The text of `word/document.xml`, its tags dropped and its entities read.
pub fn document_text(docx: &[u8]) -> String {
    let xml = docx_xml(docx);
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
