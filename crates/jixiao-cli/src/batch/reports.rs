//! `--reports DIR`: each scored project's report (绩效评价报告), named by its project id and
//! name, and the summary of them all (评价结果汇总).
//!
//! Workers build and render each report beside the score ([`ProjectReport`]); the writer
//! thread names and writes the files in input order ([`ReportDir`]), so which of two projects
//! with the same name gets the suffixed file does not depend on thread timing.

use jixiao::{Lang, Scorecard};
use jixiao_report::{Format, ProjectSummary};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Rows per chunk when reports are written: a rendered report is tens of kilobytes, so a
/// default chunk of thousands of rows would hold too many at once.
pub const CHUNK_ROWS: usize = 256;

/// Longest file name stem, in bytes: file systems allow 255 per name, and the stem leaves
/// room for a row suffix and the extension.
const MAX_STEM_BYTES: usize = 150;

/// One scored project's report, rendered on the worker that scored it.
#[derive(Debug, Clone)]
pub struct ProjectReport {
    /// The file name stem its project id and name make, if they make one.
    pub stem: Option<String>,
    pub bytes: Vec<u8>,
    /// Its line in the summary, taken by the main thread in input order.
    pub summary: Option<ProjectSummary>,
}

impl ProjectReport {
    pub fn new(
        spec: &jixiao::model::RulebookSpec,
        card: &Scorecard,
        row: u64,
        format: Format,
        lang: Lang,
    ) -> Result<ProjectReport, jixiao_report::ReportError> {
        let report = jixiao_report::build(spec, card, lang);
        let bytes = jixiao_report::render(&report, format)?;
        let mut summary = ProjectSummary::of(card, lang);
        summary.source = Some(row_label(row, lang));
        Ok(ProjectReport {
            stem: file_stem(card.project.id.as_deref(), card.project.name.as_deref()),
            bytes,
            summary: Some(summary),
        })
    }
}

/// “第 12 行” / “row 12”.
pub fn row_label(row: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("第 {row} 行"),
        _ => format!("row {row}"),
    }
}

/// A file name stem from a project's id and name ("P-001-某市政务云平台"), safe on Linux,
/// macOS and Windows: no path separators or characters Windows refuses, no control
/// characters, no leading dot or dash, no reserved device name, at most [`MAX_STEM_BYTES`].
/// None when neither gives anything usable.
pub fn file_stem(id: Option<&str>, name: Option<&str>) -> Option<String> {
    let joined = [id, name]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let mut stem = String::with_capacity(joined.len());
    for c in joined.chars() {
        let c = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if stem.len() + c.len_utf8() > MAX_STEM_BYTES {
            break;
        }
        stem.push(c);
    }
    // Windows drops trailing dots and spaces; a leading dot hides the file, a leading dash
    // reads as an option on a command line.
    let stem = stem
        .trim_matches(|c: char| c == '.' || c == ' ')
        .trim_start_matches('-');
    if stem.is_empty() {
        return None;
    }
    let device = stem.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (device.len() == 4
            && (device.starts_with("COM") || device.starts_with("LPT"))
            && device.as_bytes()[3].is_ascii_digit());
    Some(if reserved {
        format!("_{stem}")
    } else {
        stem.to_string()
    })
}

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
    fn file_stems_are_safe_everywhere() {
        assert_eq!(
            file_stem(Some("P-001"), Some("某市政务云平台")).as_deref(),
            Some("P-001-某市政务云平台")
        );
        assert_eq!(
            file_stem(Some(" a/b "), Some("c:d*e?f\"g<h>i|j\\k\u{7}")).as_deref(),
            Some("a_b-c_d_e_f_g_h_i_j_k_")
        );
        assert_eq!(file_stem(None, Some("../..")).as_deref(), Some("_"));
        assert_eq!(
            file_stem(None, Some(" .hidden. ")).as_deref(),
            Some("hidden")
        );
        assert_eq!(file_stem(None, Some("--rm")).as_deref(), Some("rm"));
        assert_eq!(file_stem(Some("CON"), None).as_deref(), Some("_CON"));
        assert_eq!(file_stem(Some("lpt1.x"), None).as_deref(), Some("_lpt1.x"));
        assert_eq!(file_stem(Some("COMA"), None).as_deref(), Some("COMA"));
        assert_eq!(file_stem(Some(""), Some("  ")), None);
        assert_eq!(file_stem(None, None), None);
        let long = "智".repeat(100);
        let stem = file_stem(None, Some(&long)).unwrap_or_default();
        assert_eq!(
            stem.len(),
            150,
            "cut at a character boundary within the limit"
        );
    }

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
