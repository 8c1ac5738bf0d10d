//! `jixiao batch` end to end on real files in tests/batch/ (see make_fixtures.py there):
//! a UTF-8 CSV with BOM, a GBK CSV with a title row and bad rows in the middle, an XLSX
//! written by LibreOffice (percent-formatted and date cells), JSON Lines; results re-read.
#![allow(clippy::unwrap_used)]

use calamine::{Data, Reader};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> String {
    root().join("tests/batch").join(name).display().to_string()
}

fn demo() -> String {
    root()
        .join("rules/demo/rulebook.toml")
        .display()
        .to_string()
}

struct Run {
    code: i32,
    stderr: String,
    dir: tempfile::TempDir,
}

impl Run {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// stderr without the timing line, which varies.
    fn messages(&self) -> String {
        self.stderr
            .lines()
            .filter(|l| !l.starts_with("用时") && !l.starts_with("time:"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Runs `jixiao batch` in a fresh directory (so printed paths are relative and stable).
fn batch(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("batch")
        .args(args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8(out.stderr).unwrap(),
        dir,
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// (project id, status, total, grade) of each result row.
fn summary_columns(table: &[Vec<String>]) -> Vec<(String, String, String, String)> {
    table[1..]
        .iter()
        .map(|r| (r[1].clone(), r[3].clone(), r[4].clone(), r[5].clone()))
        .collect()
}

fn expected_demo_totals() -> Vec<(String, String, String, String)> {
    [
        ("ZH-2024-001", "已评分", "100", "优"),
        ("ZH-2024-014", "已评分", "79.22", "中"),
        ("ZH-2023-031", "已评分", "29.66", "差"),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect()
}

#[test]
fn utf8_bom_csv_scores_as_the_score_command_does() {
    let run = batch(&[&demo(), &fixture("demo-bom.csv"), "-o", "out.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(run.path("out.csv")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "result CSV has a BOM for Excel"
    );
    let table = read_csv(&run.path("out.csv"));
    assert_eq!(summary_columns(&table), expected_demo_totals());
    // Same totals as `jixiao score` on the original submissions.
    for (i, name) in ["strong", "average", "weak"].iter().enumerate() {
        let sub = root().join(format!("rules/demo/submissions/{name}.json"));
        let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .args(["score", &demo(), sub.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap();
        let card: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let total = card["total"].as_f64().unwrap();
        assert_eq!(table[i + 1][4].parse::<f64>().unwrap(), total, "{name}");
    }
    // P2.1 marked 不适用 through its column; O3.1's note carried.
    let header = &table[0];
    let p21 = header.iter().position(|h| h == "P2.1 等保测评").unwrap();
    assert_eq!(table[3][p21], "不适用");
    insta::assert_snapshot!("bom_csv_messages", run.messages());
}

#[test]
fn gbk_csv_with_title_row_and_bad_rows_in_the_middle() {
    let run = batch(&[&demo(), &fixture("demo-gbk.csv"), "-o", "out.csv"]);
    assert_eq!(
        run.code, 1,
        "a failed row makes the exit status 1: {}",
        run.stderr
    );
    let table = read_csv(&run.path("out.csv"));
    let rows: Vec<(String, String, String)> = table[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[3].clone()))
        .collect();
    let expected = [
        ("3", "ZH-2024-001", "已评分"),
        ("4", "BAD-VALUE", "失败"),
        ("5", "BAD-MARK", "失败"),
        ("6", "ZH-2024-014", "已评分"),
        ("7", "EXTRA-CELL", "失败"),
        ("8", "MISSING", "不完整"),
        ("9", "ZH-2023-031", "已评分"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(
        rows, expected,
        "every row, in input order, numbered as in the spreadsheet"
    );
    let problems = table[0].iter().position(|h| h == "问题").unwrap();
    assert!(
        table[2][problems].contains("【实际支出资金】"),
        "{}",
        table[2][problems]
    );
    assert!(
        table[6][problems].contains("缺少：申报预算"),
        "{}",
        table[6][problems]
    );
    // Failed rows get no total or grade in the table.
    assert_eq!((table[2][4].as_str(), table[2][5].as_str()), ("", ""));
    insta::assert_snapshot!("gbk_csv_messages", run.messages());
}

#[test]
fn gbk_detected_or_named_and_wrong_encoding_fails_rows_not_the_batch() {
    let named = batch(&[
        &demo(),
        &fixture("demo-gbk.csv"),
        "-o",
        "out.csv",
        "--encoding",
        "gbk",
    ]);
    assert_eq!(named.code, 1);
    assert_eq!(
        named.messages(),
        batch(&[&demo(), &fixture("demo-gbk.csv"), "-o", "out.csv"]).messages()
    );

    // A UTF-8 export whose one row (beyond the sniffed first 64 KiB) was pasted in as GBK.
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(fixture("demo-bom.csv")).unwrap();
    let mut lines = source.lines();
    let header = lines.next().unwrap();
    let row = lines.next().unwrap();
    let mut text = format!("{header}\r\n");
    while text.len() < 70 * 1024 {
        text.push_str(row);
        text.push_str("\r\n");
    }
    let mut bytes = text.into_bytes();
    let (gbk, _, _) = encoding_rs::GBK.encode(row);
    bytes.extend_from_slice(&gbk);
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(row.as_bytes());
    let input = dir.path().join("mixed.csv");
    std::fs::write(&input, bytes).unwrap();
    let run = batch(&[&demo(), input.to_str().unwrap(), "-o", "out.csv", "-q"]);
    assert_eq!(run.code, 1);
    let table = read_csv(&run.path("out.csv"));
    let failed: Vec<&Vec<String>> = table.iter().filter(|r| r[3] == "失败").collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0][table[0].len() - 2].contains("--encoding gbk"),
        "{:?}",
        failed[0]
    );
    assert_eq!(
        table.last().unwrap()[3],
        "已评分",
        "the rows after it are scored"
    );
}

#[test]
fn a_gbk_row_within_the_sniffed_start_of_a_utf8_file_fails_alone() {
    // The same paste as above, but as the third row: inside the first 64 KiB that `auto`
    // inspects. It must not make the whole file look like GBK.
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(fixture("demo-bom.csv")).unwrap();
    let mut lines = source.lines();
    let header = lines.next().unwrap().trim_start_matches('\u{feff}');
    let row = lines.next().unwrap();
    let mut bytes = format!("{header}\r\n{row}\r\n{row}\r\n").into_bytes();
    let (gbk, _, _) = encoding_rs::GBK.encode(row);
    bytes.extend_from_slice(&gbk);
    bytes.extend_from_slice(b"\r\n");
    for _ in 0..40 {
        bytes.extend_from_slice(row.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    let input = dir.path().join("mixed-early.csv");
    std::fs::write(&input, bytes).unwrap();
    let run = batch(&[&demo(), input.to_str().unwrap(), "-o", "out.csv", "-q"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let table = read_csv(&run.path("out.csv"));
    let statuses: Vec<&str> = table[1..].iter().map(|r| r[3].as_str()).collect();
    assert_eq!(statuses.len(), 43);
    assert_eq!(statuses[2], "失败", "{:?}", table[3]);
    assert!(
        table[3][table[0].len() - 2].contains("--encoding gbk"),
        "{:?}",
        table[3]
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == "已评分").count(),
        42,
        "every other row is scored: {statuses:?}"
    );
}

#[test]
fn xlsx_result_has_results_findings_errors_and_about_sheets() {
    let run = batch(&[&demo(), &fixture("demo-gbk.csv"), "-o", "out.xlsx"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(run.path("out.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["评价结果", "扣分原因", "错误", "说明"]);

    let results = book.worksheet_range("评价结果").unwrap();
    let header: Vec<String> = results
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        &header[..6],
        ["行号", "项目编号", "项目名称", "状态", "总分", "等级"]
    );
    assert!(
        header.contains(&"决策".to_string()) && header.contains(&"B1.1 系统使用率".to_string())
    );
    let rows: Vec<&[Data]> = results.rows().skip(1).collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0][0], Data::Float(3.0));
    assert_eq!(
        rows[0][4],
        Data::Float(100.0),
        "totals are numbers, not text"
    );
    assert_eq!(rows[3][4], Data::Float(79.22));
    assert_eq!(rows[6][5], Data::String("差".into()));
    let decision = header.iter().position(|h| h == "决策").unwrap();
    assert_eq!(rows[6][decision], Data::Float(3.0), "dimension subtotal");

    let findings = book.worksheet_range("扣分原因").unwrap();
    let weak: Vec<&[Data]> = findings
        .rows()
        .skip(1)
        .filter(|r| r[1] == Data::String("ZH-2023-031".into()))
        .collect();
    assert!(weak.iter().any(|r| r[3] == Data::String("D1.2".into())
        && r[5] == Data::Float(5.0)
        && r[6].to_string().contains("未批先建")));

    let errors = book.worksheet_range("错误").unwrap();
    let errors: Vec<Vec<String>> = errors
        .rows()
        .skip(1)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(errors.len(), 4);
    assert_eq!(
        errors[1][..5],
        ["4", "BAD-VALUE", "实际支出资金", "", "wrong_type"]
    );
    assert_eq!(errors[2][2], "不适用：P2.1");

    let about = book.worksheet_range("说明").unwrap();
    let about: Vec<String> = about.rows().map(|r| r[1].to_string()).collect();
    assert!(
        about.iter().any(|v| v.starts_with("sha256:")),
        "rulebook hash for audit"
    );
}

#[test]
fn xlsx_saved_by_libreoffice_reads_percent_and_date_cells() {
    let run = batch(&[&demo(), &fixture("demo-libreoffice.xlsx"), "-o", "out.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // 99.5% is stored as 0.995 with a percent format; read as 0.995 % it would cost points.
    assert_eq!(
        summary_columns(&read_csv(&run.path("out.csv"))),
        expected_demo_totals()
    );
}

#[test]
fn json_lines_in_and_out() {
    let run = batch(&[&demo(), &fixture("demo.jsonl"), "-o", "out.jsonl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = std::fs::read_to_string(run.path("out.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["row"], 3, "line numbers count the blank line");
    assert_eq!(lines[1]["status"], "failed");
    assert_eq!(lines[1]["errors"][0]["code"], "submission_syntax");
    assert_eq!(lines[2]["status"], "scored");
    assert_eq!(lines[2]["scorecard"]["total"], 79.22);
    insta::assert_snapshot!("jsonl_messages", run.messages());
}

#[test]
fn a_fatal_error_leaves_the_previous_result_untouched_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "previous complete result\n").unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "batch",
            &demo(),
            &fixture("demo-bom.csv"),
            "-o",
            out.to_str().unwrap(),
        ])
        .args(["--header-row", "40"])
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    let stderr = String::from_utf8(status.stderr).unwrap();
    assert!(stderr.contains("--header-row 40"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "previous complete result\n"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out.csv"], "no temporary file left behind");
}

#[test]
fn headers_that_map_to_nothing_stop_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("wrong.csv");
    std::fs::write(&input, "总分,等级\n90,优\n").unwrap();
    let run = batch(&[&demo(), input.to_str().unwrap(), "-o", "out.csv"]);
    assert_eq!(run.code, 2);
    assert!(!run.path("out.csv").exists());
    insta::assert_snapshot!("no_known_columns", run.messages());
}

#[test]
fn gb18030_output_for_old_excel() {
    let run = batch(&[
        &demo(),
        &fixture("demo-bom.csv"),
        "-o",
        "out.csv",
        "--output-encoding",
        "gb18030",
    ]);
    assert_eq!(run.code, 0);
    let bytes = std::fs::read(run.path("out.csv")).unwrap();
    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
    assert!(!bad && text.starts_with("行号,项目编号,项目名称,状态,总分,等级"));
    assert!(text.contains("城市运行管理中心二期,已评分,79.22,中"));
}

/// `-o` writes only a regular file: whatever else is there is refused with exit 2 and left
/// exactly as it was (a device or a symlink once became a regular file).
#[cfg(unix)]
#[test]
fn the_result_path_must_be_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("kept.csv");
    std::fs::write(&target, "kept\n").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let folder = dir.path().join("folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let fifo = dir.path().join("fifo.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (path, words) in [
        (link.as_path(), "是符号链接"),
        (folder.as_path(), "是目录"),
        // A device is refused the same way; not tried on /dev/null, which a regression
        // would replace for the whole machine (it happened once, by hand, before this fix).
        (fifo.as_path(), "不是普通文件"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .args(["batch", &demo(), &fixture("demo-bom.csv")])
            .args(["--output-format", "csv", "-o"])
            .arg(path)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", path.display());
        assert!(stderr.contains(words), "{}: {stderr}", path.display());
        assert!(stderr.contains("nothing was written"), "{stderr}");
    }
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept\n");
    assert!(folder.is_dir());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["fifo.csv", "folder.csv", "kept.csv", "link.csv"]);
}

/// A batch stopped by Ctrl-C or `kill` removes its temporary file and leaves the previous
/// result as it was. The batch reads standard input, kept open, so it is still running
/// (with its temporary file created) when the signal comes.
#[cfg(unix)]
#[test]
fn a_stopped_batch_leaves_no_temporary_file() {
    use std::io::Write as _;
    use std::time::{Duration, Instant};
    for signal in ["TERM", "INT"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        std::fs::write(&out, "previous complete result\n").unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .args(["batch", &demo(), "-", "--input-format", "csv", "-o"])
            .arg(&out)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // More than the 64 KB the batch reads to tell the encoding before it starts.
        let csv = std::fs::read_to_string(fixture("demo-bom.csv")).unwrap();
        let (header, rows) = csv.split_once('\n').unwrap();
        let mut input = format!("{header}\n");
        while input.len() < 256 * 1024 {
            input.push_str(rows);
        }
        stdin.write_all(input.as_bytes()).unwrap();
        stdin.flush().unwrap();
        // Wait (bounded) for the temporary file.
        let start = Instant::now();
        let part = loop {
            let part = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|n| n.ends_with(".part"));
            if let Some(part) = part {
                break part;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no temporary file appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(part.starts_with(".out.csv."), "{part}");
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.code(), Some(130), "{signal}");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["out.csv"], "{signal}: the temporary file is gone");
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "previous complete result\n"
        );
    }
}

/// More findings than an XLSX sheet holds: 扣分原因 continues in 扣分原因 (2), and every
/// finding is there (the sheet once stopped at 1,048,576 rows and the batch exited 0).
#[test]
fn findings_past_the_xlsx_row_limit_continue_in_a_second_sheet() {
    const PROJECTS: usize = 10_600;
    const PER_PROJECT: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let rulebook = dir.path().join("rulebook.toml");
    std::fs::write(
        &rulebook,
        r#"id = "many-findings"
version = "1"
title = "扣分原因很多"
stage = "post"

[[inputs]]
id = "x"
label = "数值"
type = "number"

[[indicators]]
id = "A"
label = "维度"

[[indicators]]
id = "A1"
parent = "A"
label = "问题清单"
points = 100
script = '''
for i in 0..100 { finding(`问题 ${i}`) }
full()
'''
"#,
    )
    .unwrap();
    let mut csv = String::from("项目编号,数值\n");
    for p in 0..PROJECTS {
        csv.push_str(&format!("P{p},1\n"));
    }
    let input = dir.path().join("projects.csv");
    std::fs::write(&input, csv).unwrap();
    let out = dir.path().join("out.xlsx");
    let run = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("batch")
        .args([&rulebook, &input])
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let names = workbook.sheet_names();
    assert_eq!(
        names,
        ["评价结果", "扣分原因", "错误", "扣分原因 (2)", "说明"]
    );
    // Streamed, not loaded: a million rows of cells.
    let mut rows = 0usize;
    let mut last = (String::new(), String::new());
    for sheet in ["扣分原因", "扣分原因 (2)"] {
        let mut cells = workbook.worksheet_cells_reader(sheet).unwrap();
        while let Some(cell) = cells.next_cell().unwrap() {
            let (row, col) = cell.get_position();
            if row == 0 {
                continue;
            }
            match col {
                1 => last.0 = text(cell.get_value()),
                6 => {
                    last.1 = text(cell.get_value());
                    rows += 1;
                }
                _ => {}
            }
        }
    }
    assert_eq!(rows, PROJECTS * PER_PROJECT);
    fn text(value: &calamine::DataRef<'_>) -> String {
        match value {
            calamine::DataRef::String(s) => s.clone(),
            calamine::DataRef::SharedString(s) => (*s).to_string(),
            other => format!("{other:?}"),
        }
    }
    assert_eq!(last, (format!("P{}", PROJECTS - 1), "问题 99".to_string()));
}

/// The demo CSV fixture with `extra` appended after its rows, scored to JSON Lines; the
/// parsed result lines and the messages.
fn batch_with_extra(extra: &[u8], extension: &str) -> (i32, Vec<serde_json::Value>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut input = std::fs::read(fixture("demo-bom.csv")).unwrap();
    if extension == "jsonl" {
        input = std::fs::read(fixture("demo.jsonl")).unwrap();
    }
    input.extend_from_slice(extra);
    let path = dir.path().join(format!("projects.{extension}"));
    std::fs::write(&path, input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["batch", &demo()])
        .arg(&path)
        .args(["--output-format", "jsonl", "-o", "-"])
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code().unwrap_or(-1),
        lines,
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A row without end (5 MiB, no newline) fails on its own row; the rows before it are scored
/// and written, and the batch stops reading there.
#[test]
fn a_row_past_its_size_limit_fails_alone() {
    for extension in ["csv", "jsonl"] {
        let endless = vec![b'x'; 5 << 20];
        let (code, lines, stderr) = batch_with_extra(&endless, extension);
        assert_eq!(code, 1, "{extension}: {stderr}");
        let last = lines.last().unwrap();
        assert_eq!(last["status"], "failed", "{extension}");
        let message = last["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("超过 4 MiB 的上限"),
            "{extension}: {message}"
        );
        let scored = lines.iter().filter(|l| l["status"] != "failed").count();
        assert!(
            scored >= 3,
            "{extension}: the rows before it are scored: {lines:?}"
        );
    }
}

#[test]
fn a_cell_or_a_row_wider_than_excel_allows_fails_naming_it() {
    let long_cell = format!("9,ZH-9,{}\n", "长".repeat(40_000));
    let (code, lines, stderr) = batch_with_extra(long_cell.as_bytes(), "csv");
    assert_eq!(code, 1, "{stderr}");
    let failed: Vec<_> = lines.iter().filter(|l| l["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{lines:?}");
    let message = failed[0]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("32767 个字符"), "{message}");

    let wide = format!("9,ZH-9{}\n", ",0".repeat(20_000));
    let (code, lines, _) = batch_with_extra(wide.as_bytes(), "csv");
    assert_eq!(code, 1);
    let failed: Vec<_> = lines.iter().filter(|l| l["status"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    let message = failed[0]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("16384 列的上限"), "{message}");
}

#[cfg(unix)]
#[test]
fn the_input_must_be_a_regular_file_or_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("projects.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for input in [fifo.as_path(), dir.path()] {
        // Watched: opening a FIFO waits for a writer, so a regression would hang here.
        let mut child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .args(["batch", &demo()])
            .arg(input)
            .args(["--input-format", "csv", "-o", "-", "--output-format", "csv"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > std::time::Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("the batch waited on {}", input.display());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("不是普通文件"), "{stderr}");
    }
}

/// An XLSX whose one cell holds megabytes (inflating to gigabytes once cost as much memory)
/// is refused by name before the spreadsheet is read.
#[test]
fn an_xlsx_cell_past_its_limit_is_refused_before_it_is_read() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "项目编号").unwrap();
    sheet.write_string(1, 0, "PLACEHOLDER").unwrap();
    workbook.save(&plain).unwrap();
    // The same workbook with the placeholder grown to 2 MiB, wherever it is stored.
    let bomb = dir.path().join("bomb.xlsx");
    let mut source = zip::ZipArchive::new(std::fs::File::open(&plain).unwrap()).unwrap();
    let mut target = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..source.len() {
        let mut part = source.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes).replace("PLACEHOLDER", &"x".repeat(2 << 20));
        target.start_file(name, stored).unwrap();
        target.write_all(text.as_bytes()).unwrap();
    }
    target.finish().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["batch", &demo()])
        .arg(&bomb)
        .args(["-o", "-", "--output-format", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("有一段文字超过 1 MiB"), "{stderr}");
    assert!(stderr.contains("bomb.xlsx"), "{stderr}");
}

/// A damaged XLSX on which the spreadsheet reader panics (found by fuzzing: a cell reference
/// whose column overflows) is refused by name with exit 2, never read as "0 rows, all scored".
#[test]
fn a_damaged_spreadsheet_is_refused_not_read_as_empty() {
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["batch", &demo(), &fixture("damaged-cell-reference.xlsx")])
        .args(["-o", "-", "--output-format", "csv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    if out.status.code() == Some(2) {
        assert!(stderr.contains("已损坏"), "{stderr}");
    }
    assert!(!stderr.contains("共 0 行"), "{stderr}");
}

/// The names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The text of a DOCX's `word/document.xml`, tags dropped.
fn docx_text(path: &Path) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
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
    text
}

/// `--reports`: a report per scored or incomplete row, named by project id and name, holding
/// the total the result file has; none for failed rows, which the summary lists instead.
#[test]
fn reports_one_per_scored_project_and_a_summary() {
    let run = batch(&[
        &demo(),
        &fixture("demo-gbk.csv"),
        "-o",
        "out.csv",
        "--reports",
        "报告",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let dir = run.path("报告");
    assert_eq!(
        file_names(&dir),
        [
            "MISSING-城市运行管理中心二期.docx",
            "ZH-2023-031-智慧停车信息平台.docx",
            "ZH-2024-001-市一网通办平台升级.docx",
            "ZH-2024-014-城市运行管理中心二期.docx",
            "评价结果汇总.docx",
        ]
    );
    let table = read_csv(&run.path("out.csv"));
    for row in table[1..].iter().filter(|r| r[3] != "失败") {
        let text = docx_text(&dir.join(format!("{}-{}.docx", row[1], row[2])));
        assert!(text.contains(&row[4]), "{}: total {}", row[1], row[4]);
        assert!(text.contains("绩效评价报告"), "{}", row[1]);
    }
    let summary = docx_text(&dir.join("评价结果汇总.docx"));
    assert!(summary.contains("本次共评价 7 个项目"), "{summary}");
    for failed in ["第 4 行", "第 5 行", "第 7 行"] {
        assert!(summary.contains(failed), "{failed} is listed as not scored");
    }
    assert!(
        run.stderr
            .contains("评价报告：已写入 4 份，汇总见 报告/评价结果汇总.docx"),
        "{}",
        run.stderr
    );
}

/// Two projects with the same id and name, and one with neither, each get a file of their
/// own, named in input order whatever the threads do.
#[test]
fn report_names_are_unique_and_follow_the_rows() {
    let source = std::fs::read_to_string(fixture("demo-bom.csv")).unwrap();
    let mut lines = source.lines();
    let header = lines.next().unwrap();
    let first = lines.next().unwrap();
    let anonymous = first.replacen("ZH-2024-001,市一网通办平台升级", ",", 1);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dup.csv");
    std::fs::write(&input, [header, first, first, &anonymous].join("\n")).unwrap();
    let run = batch(&[
        &demo(),
        &input.display().to_string(),
        "-o",
        "out.csv",
        "--reports",
        "r",
        "--report-format",
        "html",
        "--threads",
        "2",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        file_names(&run.path("r")),
        [
            "ZH-2024-001-市一网通办平台升级-第3行.html",
            "ZH-2024-001-市一网通办平台升级.html",
            "第4行.html",
            "评价结果汇总.html",
        ]
    );
    let html = std::fs::read_to_string(run.path("r/第4行.html")).unwrap();
    assert!(html.contains("<html"), "an HTML report");
}

#[test]
fn an_unknown_header_suggests_its_input_and_map_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(fixture("demo-bom.csv")).unwrap();
    let renamed = original.replacen("实际到位资金", "实际到位资金额", 1);
    assert_ne!(renamed, original);
    let input = dir.path().join("renamed.csv");
    std::fs::write(&input, renamed).unwrap();
    let input = input.to_str().unwrap();

    let run = batch(&[&demo(), input, "-o", "out.csv"]);
    let suggestion = run
        .messages()
        .lines()
        .find(|l| l.contains("实际到位资金额"))
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        suggestion,
        "提示：列“实际到位资金额”不对应任何数据项或指标，已忽略；是否指“实际到位资金”（funds_arrived）？可加 --map '实际到位资金额=funds_arrived'"
    );
    assert_ne!(
        summary_columns(&read_csv(&run.path("out.csv"))),
        expected_demo_totals()
    );

    let run = batch(&[
        &demo(),
        input,
        "-o",
        "out.csv",
        "--map",
        "实际到位资金额=funds_arrived",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.messages().contains("实际到位资金额"), "{}", run.stderr);
    assert_eq!(
        summary_columns(&read_csv(&run.path("out.csv"))),
        expected_demo_totals()
    );

    let run = batch(&[
        &demo(),
        input,
        "-o",
        "out.csv",
        "--map",
        "实际到位资金额=funds",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("列映射“实际到位资金额 → funds”：“funds”不是评价方案的数据项"),
        "{}",
        run.stderr
    );
}
