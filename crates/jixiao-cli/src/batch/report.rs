//! What the batch tells the person running it: header findings, each failed row (up to a
//! limit; all are in the result file), and the summary.

use jixiao::{Engine, Lang};
use jixiao_batch::columns::Warning;
use jixiao_batch::row::{RowResult, RowStatus};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug)]
pub struct Report {
    lang: Lang,
    max_errors_shown: usize,
    pub scored: u64,
    pub incomplete: u64,
    pub failed: u64,
    errors_shown: usize,
    errors_total: u64,
    skipped_title_rows: usize,
}

impl Report {
    pub fn new(lang: Lang, max_errors_shown: usize) -> Self {
        Report {
            lang,
            max_errors_shown,
            scored: 0,
            incomplete: 0,
            failed: 0,
            errors_shown: 0,
            errors_total: 0,
            skipped_title_rows: 0,
        }
    }

    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    /// Prints what the header row said about the file.
    pub fn header(&mut self, row: u64, skipped: &[u64], warnings: &[Warning]) {
        self.skipped_title_rows = skipped.len();
        for line in header_lines(self.lang, row, skipped, warnings) {
            eprintln!("{line}");
        }
    }

    /// Counts a chunk of results and prints its row errors.
    pub fn rows(&mut self, results: &[RowResult]) {
        for r in results {
            match r.status {
                RowStatus::Scored => self.scored += 1,
                RowStatus::Incomplete => self.incomplete += 1,
                RowStatus::Failed => self.failed += 1,
            }
            for e in &r.errors {
                self.errors_total += 1;
                if self.errors_shown < self.max_errors_shown {
                    self.errors_shown += 1;
                    eprintln!(
                        "{}",
                        error_line(self.lang, r.row, e.column.as_deref(), &e.message)
                    );
                }
            }
        }
    }

    pub fn summary(&self, output: &Path, elapsed: Duration) {
        eprintln!("{}", self.summary_text(output));
        let rows = self.scored + self.incomplete + self.failed;
        let secs = elapsed.as_secs_f64();
        let rate = if secs > 0.0 { rows as f64 / secs } else { 0.0 };
        if self.en() {
            eprintln!("time: {secs:.2} s ({rate:.0} rows/s)");
        } else {
            eprintln!("用时 {secs:.2} 秒（每秒 {rate:.0} 行）");
        }
    }

    /// Says where the reports went.
    pub fn reports_written(&self, count: usize, summary: &Path) {
        if self.en() {
            eprintln!("Reports: {count} written, summary {}", summary.display());
        } else {
            eprintln!("评价报告：已写入 {count} 份，汇总见 {}", summary.display());
        }
    }

    /// The summary without timings (stable, for tests).
    pub fn summary_text(&self, output: &Path) -> String {
        let rows = self.scored + self.incomplete + self.failed;
        let hidden = self.errors_total.saturating_sub(self.errors_shown as u64);
        let mut lines = Vec::new();
        if hidden > 0 {
            lines.push(if self.en() {
                format!("… {hidden} more row errors not shown; every error is in the result file")
            } else {
                format!("…… 另有 {hidden} 个错误未显示，全部错误见结果文件")
            });
        }
        let out = if output.as_os_str() == "-" {
            "-".to_string()
        } else {
            output.display().to_string()
        };
        if self.en() {
            lines.push(format!(
                "Done: {rows} rows — {} scored, {} incomplete, {} failed. Results: {out}",
                self.scored, self.incomplete, self.failed
            ));
        } else {
            lines.push(format!(
                "评分完成：共 {rows} 行，已评分 {}，不完整 {}，失败 {}。结果：{out}",
                self.scored, self.incomplete, self.failed
            ));
        }
        lines.join("\n")
    }

    pub fn exit_code(&self) -> ExitCode {
        if self.failed > 0 {
            ExitCode::from(1)
        } else if self.incomplete > 0 {
            ExitCode::from(3)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// The about sheet of an XLSX result: what produced it, for audit.
    pub fn about(
        &self,
        engine: &Engine,
        rulebook: &Path,
        input: &Path,
        elapsed: Duration,
    ) -> Vec<(String, String)> {
        let r = engine.reference();
        let spec = engine.rulebook().spec();
        let rows = [
            (
                "评价方案 rulebook",
                format!("{} {}（{}）", r.id, r.version, spec.title),
            ),
            ("方案文件 rulebook file", rulebook.display().to_string()),
            ("方案哈希 rulebook hash", r.hash.to_string()),
            ("引擎版本 engine", jixiao::ENGINE_VERSION.to_string()),
            ("输入文件 input", input.display().to_string()),
            ("已评分 scored", self.scored.to_string()),
            ("不完整 incomplete", self.incomplete.to_string()),
            ("失败 failed", self.failed.to_string()),
            ("用时 time", format!("{:.2} s", elapsed.as_secs_f64())),
        ];
        rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

pub fn error_line(lang: Lang, row: u64, column: Option<&str>, message: &str) -> String {
    match (lang, column) {
        (Lang::En, Some(c)) => format!("row {row}, column “{c}”: {message}"),
        (Lang::En, None) => format!("row {row}: {message}"),
        (_, Some(c)) => format!("第 {row} 行，列“{c}”：{message}"),
        (_, None) => format!("第 {row} 行：{message}"),
    }
}

pub fn header_lines(lang: Lang, row: u64, skipped: &[u64], warnings: &[Warning]) -> Vec<String> {
    let en = lang == Lang::En;
    let mut lines = Vec::new();
    if !skipped.is_empty() {
        let list = skipped
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        lines.push(if en {
            format!("column names taken from row {row}; rows above it skipped as titles: {list}")
        } else {
            format!("列名取自第 {row} 行；其上的标题行已跳过：第 {list} 行")
        });
    }
    for w in warnings {
        let hint = |header: &str, id: &str| {
            if en {
                format!("Add --map '{header}={id}'")
            } else {
                format!("可加 --map '{header}={id}'")
            }
        };
        let note = if en { "note: " } else { "提示：" };
        lines.push(format!("{note}{}", w.message(lang, &hint)));
    }
    lines
}
