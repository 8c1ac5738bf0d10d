//! A whole table scored in memory (the browser's import) on the batch's own test files:
//! the same scores as scoring the submissions they were made from, each row's submission
//! scoring the same again, and what the header said.
#![allow(clippy::unwrap_used)]

use jixiao::{Engine, Rulebook, Submission};
use jixiao_batch::columns::{Mapping, Warning};
use jixiao_batch::read::Source;
use jixiao_batch::row::RowStatus;
use jixiao_batch::table::{ScoredTable, TableOptions, score_table};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo() -> Engine {
    Engine::new(Rulebook::from_path(root().join("rules/demo/rulebook.toml")).unwrap()).unwrap()
}

fn bytes_of(name: &str) -> Source {
    let bytes = std::fs::read(root().join("tests/batch").join(name)).unwrap();
    Source::Bytes {
        name: name.to_string(),
        bytes: bytes.into(),
    }
}

fn score(name: &str, options: &TableOptions) -> ScoredTable {
    score_table(&demo(), bytes_of(name), options).unwrap()
}

/// Totals of the three demo submissions, scored directly.
fn demo_totals(engine: &Engine) -> Vec<String> {
    ["strong", "average", "weak"]
        .iter()
        .map(|name| {
            let path = root().join(format!("rules/demo/submissions/{name}.json"));
            let sub = Submission::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            engine.evaluate(&sub).total.to_string()
        })
        .collect()
}

#[test]
fn every_format_scores_as_the_submissions_it_was_made_from() {
    let engine = demo();
    let want = demo_totals(&engine);
    for name in [
        "demo-bom.csv",
        "demo-libreoffice.csv",
        "demo-libreoffice.xlsx",
        "demo.jsonl",
    ] {
        let mut table = score(name, &TableOptions::default());
        if name == "demo.jsonl" {
            // Its third line is no submission: that row fails alone, as in `jixiao batch`.
            let bad = table.rows.remove(1);
            assert_eq!((bad.row, bad.status), (3, RowStatus::Failed));
            assert_eq!(bad.errors[0].code, "submission_syntax");
            assert!(bad.submission.is_none() && bad.scorecard.is_none());
        }
        let totals: Vec<String> = table
            .rows
            .iter()
            .map(|r| r.scorecard.as_ref().unwrap().total.to_string())
            .collect();
        assert_eq!(totals, want, "{name}");
        for row in &table.rows {
            assert_eq!(row.status, RowStatus::Scored, "{name} row {}", row.row);
            // The submission a row became scores the same on its own: it can be a project.
            let again = engine.evaluate(row.submission.as_ref().unwrap());
            assert_eq!(
                again.total,
                row.scorecard.as_ref().unwrap().total,
                "{name} row {}",
                row.row
            );
            let json = serde_json::to_string(row.submission.as_ref().unwrap()).unwrap();
            assert!(!json.contains(":null") && !json.contains(":\"\""), "{json}");
        }
    }
}

#[test]
fn the_header_is_described_column_by_column() {
    let table = score("demo-gbk.csv", &TableOptions::default());
    assert_eq!(table.header_row, Some(2));
    assert_eq!(table.skipped_rows, vec![1]);
    let described: Vec<(String, Option<String>)> = table
        .columns
        .iter()
        .take(4)
        .map(|c| (c.header.clone(), c.target.clone()))
        .collect();
    assert_eq!(
        described,
        [
            ("序号", Some("ignore")),
            ("项目编号", Some("project.id")),
            ("项目名称", Some("project.name")),
            ("立项依据充分性（专家评级）#1", Some("approval_basis")),
        ]
        .map(|(h, t)| (h.to_string(), t.map(str::to_string)))
    );
    // The bad rows of that file fail alone, with the batch's own errors.
    let failed: Vec<u64> = table
        .rows
        .iter()
        .filter(|r| r.status == RowStatus::Failed)
        .map(|r| r.row)
        .collect();
    assert!(!failed.is_empty());
    assert!(
        table
            .rows
            .iter()
            .filter(|r| r.status == RowStatus::Failed)
            .all(|r| !r.errors.is_empty())
    );
}

#[test]
fn a_saved_mapping_names_a_renamed_column() {
    let original = std::fs::read_to_string(root().join("tests/batch/demo-bom.csv")).unwrap();
    let renamed = original.replacen("实际到位资金", "实际到位资金额", 1);
    let source = || Source::Bytes {
        name: "renamed.csv".into(),
        bytes: renamed.as_bytes().to_vec().into(),
    };
    let engine = demo();
    let table = score_table(&engine, source(), &TableOptions::default()).unwrap();
    let suggestion = table.warnings.iter().find_map(|w| match w {
        Warning::UnknownColumn { header, suggestion } if header == "实际到位资金额" => {
            suggestion.as_ref().map(|s| s.id.clone())
        }
        _ => None,
    });
    assert_eq!(suggestion.as_deref(), Some("funds_arrived"));

    let mut mapping = Mapping::new();
    mapping.insert("实际到位资金额".into(), "funds_arrived".into());
    let options = TableOptions {
        mapping,
        ..TableOptions::default()
    };
    let table = score_table(&engine, source(), &options).unwrap();
    let totals: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.scorecard.as_ref().unwrap().total.to_string())
        .collect();
    assert_eq!(totals, demo_totals(&engine));
}

#[test]
fn too_many_rows_or_an_unknown_format_refuse_the_file_whole() {
    let options = TableOptions {
        max_rows: 2,
        ..TableOptions::default()
    };
    let err = score_table(&demo(), bytes_of("demo-bom.csv"), &options).unwrap_err();
    assert_eq!(err.code, jixiao::ProblemCode::LimitExceeded);
    assert_eq!(
        err.to_string(),
        "文件的项目超过 2 行，工作台不导入；请分成几个文件，或用命令行 jixiao batch 评分 (more than 2 projects: split the file or use jixiao batch)"
    );
    let source = Source::Bytes {
        name: "projects.pdf".into(),
        bytes: b"%PDF".to_vec().into(),
    };
    let err = score_table(&demo(), source, &TableOptions::default()).unwrap_err();
    assert_eq!(err.code, jixiao::ProblemCode::Io);
    let err = err.to_string();
    assert!(
        err.starts_with("无法从文件名判断 projects.pdf 的格式"),
        "{err}"
    );
}

#[cfg(feature = "xlsx")]
#[test]
fn projects_export_as_the_batch_result_workbook() {
    use calamine::{Data, Reader};
    let engine = demo();
    let table = score("demo.jsonl", &TableOptions::default());
    let mut submissions: Vec<String> = table
        .rows
        .iter()
        .filter_map(|r| r.submission.as_ref())
        .map(|s| serde_json::to_string(s).unwrap())
        .collect();
    submissions.push("{\"values\": {}, \"oops\": 1}".into());
    let bytes = jixiao_batch::table::results_xlsx(&engine, submissions, jixiao::Lang::Zh).unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["评价结果", "扣分原因", "错误", "说明"]);
    let results = book.worksheet_range("评价结果").unwrap();
    let totals: Vec<String> = results
        .rows()
        .skip(1)
        .map(|r| match &r[4] {
            Data::Float(f) => f.to_string(),
            Data::Empty => String::new(),
            other => panic!("{other:?}"),
        })
        .collect();
    let mut want = demo_totals(&engine);
    want.push(String::new());
    assert_eq!(totals, want);
    let errors = book.worksheet_range("错误").unwrap();
    assert_eq!(errors.rows().nth(1).unwrap()[0], Data::Float(4.0));
    assert_eq!(
        errors.rows().nth(1).unwrap()[4],
        Data::String("submission_syntax".into())
    );
}

/// Rows handed over as cells (a data frame's, as the Python package does) score as the file
/// they came from: text cells as the CSV's fields, typed cells as a spreadsheet's.
#[test]
fn cells_score_as_the_file_they_came_from() {
    use jixiao_batch::read::Cell;
    use jixiao_batch::row::{RowOut, ScoreCell};
    use jixiao_batch::table::CellScorer;
    let engine = demo();
    let want = demo_totals(&engine);
    let text = std::fs::read_to_string(root().join("tests/batch/demo-libreoffice.csv")).unwrap();
    let mut records = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = records
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    let as_cells = |typed: bool| -> Vec<Vec<Cell>> {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|field| match field.parse::<f64>() {
                        _ if field.is_empty() => Cell::Empty,
                        Ok(value) if typed => Cell::Number {
                            value,
                            percent: false,
                        },
                        _ => Cell::Text(field.to_string()),
                    })
                    .collect()
            })
            .collect()
    };
    for typed in [false, true] {
        let (scorer, warnings) =
            CellScorer::new(&engine, headers.clone(), &TableOptions::default()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        // In two blocks, as a frame is read slice by slice.
        let mut cells = as_cells(typed);
        let rest = cells.split_off(1);
        let mut rows = scorer.score(1, cells);
        rows.extend(scorer.score(2, rest));
        let totals: Vec<String> = rows
            .iter()
            .map(|r| match &r.out {
                RowOut::Table(t) => t.total.unwrap().to_string(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(totals, want, "typed: {typed}");
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [1, 2, 3]);
        let RowOut::Table(first) = &rows[0].out else {
            unreachable!()
        };
        assert!(matches!(first.indicators[0], ScoreCell::Score(_)));
    }
    // A header that names nothing is ignored with a warning, as in a file; headers of which
    // none names an input are refused.
    let mut unknown = headers.clone();
    unknown[9] = "实际到位资".into();
    let Ok((_, warnings)) = CellScorer::new(&engine, unknown, &TableOptions::default()) else {
        panic!("refused")
    };
    assert!(
        matches!(&warnings[..], [Warning::UnknownColumn { header, suggestion: Some(s) },
            Warning::MissingInputs { inputs }]
            if header == "实际到位资" && s.id == "funds_arrived" && inputs.len() == 1),
        "{warnings:?}"
    );
    let nothing: Vec<String> = headers.iter().map(|h| format!("x{h}")).collect();
    let Err(err) = CellScorer::new(&engine, nothing, &TableOptions::default()) else {
        panic!("a header naming nothing was planned")
    };
    assert_eq!(err.code, jixiao::ProblemCode::UnknownInput);
}
