//! Hostile files: what a rulebook may make the engine read. Script files must be regular
//! files inside the rulebook's folder, and every read stops at its size limit; each refusal
//! is a named error that never quotes what it refused to read.
#![allow(clippy::unwrap_used)]

use jixiao::limits::{MAX_RULEBOOK_BYTES, MAX_SCRIPT_FILE_BYTES, MAX_SUBMISSION_BYTES};
use jixiao::{Error, ProblemCode, Rulebook, Submission};
use std::io::Read as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// A read that a limit stops must stop at once, not after reading gigabytes.
const HANG_GUARD: Duration = Duration::from_secs(5);

/// One leaf whose script comes from `script_file`.
fn rulebook_with_script_file(file: &str) -> String {
    format!(
        r#"id = "files"
version = "1"
title = "脚本文件"
stage = "post"

[[indicators]]
id = "A"
label = "维度"

[[indicators]]
id = "A1"
parent = "A"
label = "合规"
points = 100
script_file = "{file}"
"#
    )
}

/// A rulebook folder `book/` inside a temporary directory that also holds `secret.rhai`
/// outside it.
fn folder(script_file: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("book");
    std::fs::create_dir_all(book.join("scripts")).unwrap();
    std::fs::write(
        book.join("rulebook.toml"),
        rulebook_with_script_file(script_file),
    )
    .unwrap();
    std::fs::write(book.join("scripts/ok.rhai"), "full()").unwrap();
    std::fs::write(tmp.path().join("secret.rhai"), "绝密内容 top secret").unwrap();
    tmp
}

fn load(tmp: &tempfile::TempDir) -> Result<Rulebook, Error> {
    Rulebook::from_path(tmp.path().join("book/rulebook.toml"))
}

/// The one problem of a refused script file: code, indicator, and no trace of the content.
fn refused_script_file(tmp: &tempfile::TempDir, expect_zh: &str) -> jixiao::Problem {
    let start = Instant::now();
    let err = load(tmp).unwrap_err();
    assert!(start.elapsed() < HANG_GUARD, "took {:?}", start.elapsed());
    let problems = err.problems();
    assert_eq!(problems.len(), 1, "{err}");
    let p = problems[0].clone();
    assert_eq!(p.code, ProblemCode::ScriptFile, "{err}");
    assert_eq!(p.indicator.as_deref(), Some("A1"));
    assert_eq!(p.field.as_deref(), Some("script_file"));
    assert!(p.message.contains(expect_zh), "{}", p.message);
    let json = err.to_json();
    assert!(!json.contains("绝密") && !json.contains("root:"), "{json}");
    p
}

#[test]
fn a_script_file_inside_the_folder_is_read() {
    let tmp = folder("scripts/ok.rhai");
    let rulebook = load(&tmp).unwrap();
    assert_eq!(
        rulebook.spec().indicators[1].script.as_deref(),
        Some("full()")
    );
    // `./` is still inside.
    let tmp = folder("./scripts/ok.rhai");
    load(&tmp).unwrap();
}

#[test]
fn a_script_file_may_not_climb_out_of_the_rulebook_folder() {
    for name in [
        "../secret.rhai",
        "scripts/../../secret.rhai",
        "scripts/../ok.rhai",
    ] {
        let tmp = folder(name);
        let p = refused_script_file(&tmp, "不能用绝对路径、“..”");
        assert!(
            p.message_en.contains("inside the rulebook's folder"),
            "{}",
            p.message_en
        );
    }
}

#[test]
fn a_script_file_may_not_be_an_absolute_path() {
    let tmp = folder("/etc/passwd");
    refused_script_file(&tmp, "脚本文件须在评价方案所在目录内");
    let secret = tmp.path().join("secret.rhai");
    let tmp2 = folder(&secret.display().to_string());
    refused_script_file(&tmp2, "脚本文件须在评价方案所在目录内");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_folder_is_refused_and_one_within_it_is_followed() {
    let tmp = folder("scripts/link.rhai");
    let book = tmp.path().join("book");
    std::os::unix::fs::symlink(
        tmp.path().join("secret.rhai"),
        book.join("scripts/link.rhai"),
    )
    .unwrap();
    refused_script_file(&tmp, "符号链接");

    // A symlink to a device is refused the same way, before anything is opened.
    let tmp = folder("scripts/zero.rhai");
    std::os::unix::fs::symlink("/dev/zero", tmp.path().join("book/scripts/zero.rhai")).unwrap();
    refused_script_file(&tmp, "符号链接");

    // The neighbour that must keep working: a link to another file of the folder.
    let tmp = folder("scripts/alias.rhai");
    std::os::unix::fs::symlink("ok.rhai", tmp.path().join("book/scripts/alias.rhai")).unwrap();
    load(&tmp).unwrap();
}

#[test]
fn a_script_file_that_is_a_folder_is_refused() {
    let tmp = folder("scripts");
    refused_script_file(&tmp, "不是普通文件");
}

#[cfg(unix)]
#[test]
fn a_script_file_that_is_a_fifo_is_refused_without_waiting_for_a_writer() {
    let tmp = folder("scripts/pipe.rhai");
    let status = std::process::Command::new("mkfifo")
        .arg(tmp.path().join("book/scripts/pipe.rhai"))
        .status()
        .unwrap();
    assert!(status.success());
    refused_script_file(&tmp, "不是普通文件");
}

/// A sparse file `len` bytes long: as large as a limit needs without writing it.
fn sparse(path: &Path, len: u64) {
    let file = std::fs::File::create(path).unwrap();
    file.set_len(len).unwrap();
}

#[test]
fn a_script_file_over_its_limit_is_refused() {
    let tmp = folder("scripts/huge.rhai");
    sparse(
        &tmp.path().join("book/scripts/huge.rhai"),
        MAX_SCRIPT_FILE_BYTES + 1,
    );
    let p = refused_script_file(&tmp, "文件超过 256 KiB 的上限");
    assert!(
        p.message_en.contains("larger than the 256 KiB limit"),
        "{}",
        p.message_en
    );
    // At the limit exactly it is read (compiling it is the engine's business).
    sparse(
        &tmp.path().join("book/scripts/huge.rhai"),
        MAX_SCRIPT_FILE_BYTES,
    );
    load(&tmp).unwrap();
}

#[test]
fn a_rulebook_file_over_its_limit_or_not_a_file_is_an_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = tmp.path().join("huge.toml");
    sparse(&huge, MAX_RULEBOOK_BYTES + 1);
    let start = Instant::now();
    let err = Rulebook::from_path(&huge).unwrap_err();
    assert!(start.elapsed() < HANG_GUARD);
    assert_eq!(err.kind(), "io");
    assert_eq!(err.code(), ProblemCode::Io);
    assert!(err.to_string().contains("文件超过 4 MiB 的上限"), "{err}");
    assert!(
        err.problems()[0]
            .message_en
            .contains("larger than the 4 MiB limit"),
        "{:?}",
        err.problems()
    );

    let err = Rulebook::from_path(tmp.path()).unwrap_err();
    assert_eq!(err.kind(), "io");
    assert!(err.to_string().contains("不是普通文件"), "{err}");

    #[cfg(unix)]
    {
        let err = Rulebook::from_path("/dev/zero").unwrap_err();
        assert!(err.to_string().contains("不是普通文件"), "{err}");
    }
}

#[test]
fn a_submission_file_over_its_limit_or_not_a_file_is_an_io_error() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = tmp.path().join("huge.json");
    sparse(&huge, MAX_SUBMISSION_BYTES + 1);
    let err = Submission::from_path(&huge).unwrap_err();
    assert_eq!(err.kind(), "io");
    assert!(err.to_string().contains("文件超过 16 MiB 的上限"), "{err}");
    let err = Submission::from_path(tmp.path()).unwrap_err();
    assert!(err.to_string().contains("不是普通文件"), "{err}");

    let ok = tmp.path().join("ok.json");
    std::fs::write(&ok, r#"{"values": {"x": 1}}"#).unwrap();
    Submission::from_path(&ok).unwrap();
}

#[test]
fn a_submission_stream_past_its_limit_is_an_io_error_naming_it() {
    let endless = std::io::repeat(b' ').take(MAX_SUBMISSION_BYTES + 10);
    let err = Submission::from_reader(endless, "-").unwrap_err();
    assert_eq!(err.kind(), "io");
    assert!(err.to_string().contains("无法读取 -"), "{err}");
    assert!(err.to_string().contains("文件超过 16 MiB 的上限"), "{err}");
    let ok = Submission::from_reader(&br#"{"values": {"x": 1}}"#[..], "-").unwrap();
    assert_eq!(ok.values.len(), 1);
}
