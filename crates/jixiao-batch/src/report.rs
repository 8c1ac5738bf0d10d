//! Each scored project's report, rendered on the worker that scored it, and the file name its
//! project id and name make (`jixiao batch --reports`; the browser's downloads).

use jixiao::{Lang, Scorecard};
use jixiao_report::{Format, ProjectSummary};

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
}
