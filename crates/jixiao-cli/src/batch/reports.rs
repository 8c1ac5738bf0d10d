//! `--reports DIR`: each scored project's report (绩效评价报告), named by its project id and
//! name, and the summary of them all (评价结果汇总).
//!
//! Workers build and render each report beside the score ([`ProjectReport`]); the writer
//! thread names and writes the files in input order ([`ReportDir`]), so which of two projects
//! with the same name gets the suffixed file does not depend on thread timing.

use jixiao::Lang;
use jixiao_batch::report::ProjectReport;
use jixiao_report::Format;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Rows per chunk when reports are written: a rendered report is tens of kilobytes, so a
/// default chunk of thousands of rows would hold too many at once.
pub const CHUNK_ROWS: usize = 256;

/// The folder reports are written into, and the names taken so far.
#[derive(Debug)]
pub struct ReportDir {
    dir: PathBuf,
    format: Format,
    lang: Lang,
    /// Names in use, lower-cased: two names differing only in case are one file on Windows
    /// and macOS.
    used: HashSet<String>,
    pub written: usize,
}

impl ReportDir {
    /// Creates the folder if need be. The summary's name is taken first, so no project's
    /// report can take it.
    pub fn create(dir: &Path, format: Format, lang: Lang) -> Result<ReportDir, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("无法创建报告目录 cannot create {}: {e}", dir.display()))?;
        let mut reports = ReportDir {
            dir: dir.to_path_buf(),
            format,
            lang,
            used: HashSet::new(),
            written: 0,
        };
        let summary = reports.summary_name();
        reports.used.insert(summary.to_lowercase());
        Ok(reports)
    }

    fn summary_name(&self) -> String {
        let stem = match self.lang {
            Lang::Zh => "评价结果汇总",
            _ => "summary",
        };
        format!("{stem}.{}", self.format.extension())
    }

    /// Where the summary goes.
    pub fn summary_path(&self) -> PathBuf {
        self.dir.join(self.summary_name())
    }

    /// A name no earlier report of this batch has: the project's stem, else the row; a
    /// taken name gets the row added, then a counter.
    fn name_for(&mut self, row: u64, stem: Option<&str>) -> String {
        let ext = self.format.extension();
        let by_row = match self.lang {
            Lang::Zh => format!("第{row}行"),
            _ => format!("row-{row}"),
        };
        let mut candidates = vec![match stem {
            Some(stem) => format!("{stem}.{ext}"),
            None => format!("{by_row}.{ext}"),
        }];
        if let Some(stem) = stem {
            candidates.push(format!("{stem}-{by_row}.{ext}"));
        }
        let base = stem.map_or(by_row.clone(), |s| format!("{s}-{by_row}"));
        for name in candidates {
            if self.used.insert(name.to_lowercase()) {
                return name;
            }
        }
        (2..)
            .map(|n| format!("{base}-{n}.{ext}"))
            .find(|name| self.used.insert(name.to_lowercase()))
            .unwrap_or_default()
    }

    /// Writes one project's report.
    pub fn write(&mut self, row: u64, report: &ProjectReport) -> Result<(), String> {
        let name = self.name_for(row, report.stem.as_deref());
        let path = self.dir.join(&name);
        std::fs::write(&path, &report.bytes)
            .map_err(|e| format!("无法写入报告 cannot write {}: {e}", path.display()))?;
        self.written += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_taken_get_the_row_then_a_counter() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut reports =
            ReportDir::create(dir.path(), Format::Docx, Lang::Zh).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reports.name_for(2, Some("甲")), "甲.docx");
        assert_eq!(reports.name_for(3, Some("甲")), "甲-第3行.docx");
        assert_eq!(reports.name_for(4, None), "第4行.docx");
        assert_eq!(reports.name_for(5, Some("第4行")), "第4行-第5行.docx");
        assert_eq!(reports.name_for(3, Some("甲")), "甲-第3行-2.docx");
        assert_eq!(
            reports.name_for(6, Some("评价结果汇总")),
            "评价结果汇总-第6行.docx"
        );
        assert_eq!(reports.name_for(7, Some("A")), "A.docx");
        assert_eq!(
            reports.name_for(8, Some("a")),
            "a-第8行.docx",
            "case-insensitive"
        );
    }
}
