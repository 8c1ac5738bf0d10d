//! Errors and problems, with one stable serialized form that every binding passes through.
//!
//! A [`Problem`] is one thing wrong, located as precisely as we can (indicator, input, KPI,
//! rulebook line). An [`Error`] is why an operation could not produce its result and
//! carries every problem found, not just the first: a rule author fixes them all in one go.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! problem_codes {
    ($($variant:ident => $name:literal,)*) => {
        /// Stable machine-readable problem codes (serialized snake_case). Never renamed; new
        /// codes may be added.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum ProblemCode {
            $($variant,)*
        }

        impl ProblemCode {
            /// Every code, for documentation and tests.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)*];

            /// The serialized name, e.g. `points_mismatch`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $name,)*
                }
            }
        }
    };
}

problem_codes! {
    TomlSyntax => "toml_syntax",
    JsonSyntax => "json_syntax",
    InvalidId => "invalid_id",
    DuplicateId => "duplicate_id",
    UnknownParent => "unknown_parent",
    TreeCycle => "tree_cycle",
    NoIndicators => "no_indicators",
    LeafWithoutPoints => "leaf_without_points",
    LeafWithoutScript => "leaf_without_script",
    ParentWithScript => "parent_with_script",
    InvalidPoints => "invalid_points",
    PointsMismatch => "points_mismatch",
    TotalMismatch => "total_mismatch",
    ConstraintViolated => "constraint_violated",
    InvalidGradeBands => "invalid_grade_bands",
    InvalidInput => "invalid_input",
    ScriptFile => "script_file",
    ScriptSyntax => "script_syntax",
    UnknownName => "unknown_name",
    KpiCycle => "kpi_cycle",
    SubmissionSyntax => "submission_syntax",
    DuplicateKey => "duplicate_key",
    UnknownInput => "unknown_input",
    WrongType => "wrong_type",
    OutOfRange => "out_of_range",
    InvalidChoice => "invalid_choice",
    InvalidDate => "invalid_date",
    TooLong => "too_long",
    UnknownIndicator => "unknown_indicator",
    NaNotAllowed => "na_not_allowed",
    WrongRulebook => "wrong_rulebook",
    MissingInput => "missing_input",
    ScriptError => "script_error",
    LimitExceeded => "limit_exceeded",
    ResultOutOfRange => "result_out_of_range",
    ResultNotFinite => "result_not_finite",
    ResultWrongType => "result_wrong_type",
    KpiError => "kpi_error",
    NotInCompactBuild => "not_in_compact_build",
    Io => "io",
}

/// One thing wrong, with everything known about where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Problem {
    pub code: ProblemCode,
    /// Chinese (zh-CN) message, the one reports print.
    pub message: String,
    /// The same message in English.
    pub message_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
    /// The field of the rulebook or submission entry at fault, e.g. `points`, `script`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The file the line refers to when it is not the rulebook itself (a `.rhai` file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in the rulebook TOML (or in `file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Problem {
    pub fn new(
        code: ProblemCode,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Problem {
            code,
            message: message.into(),
            message_en: message_en.into(),
            indicator: None,
            input: None,
            kpi: None,
            field: None,
            file: None,
            line: None,
            column: None,
        }
    }
    pub fn indicator(mut self, id: impl Into<String>) -> Self {
        self.indicator = Some(id.into());
        self
    }
    pub fn input(mut self, id: impl Into<String>) -> Self {
        self.input = Some(id.into());
        self
    }
    pub fn kpi(mut self, id: impl Into<String>) -> Self {
        self.kpi = Some(id.into());
        self
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn at(mut self, line: Option<u32>, column: Option<u32>) -> Self {
        if line.is_some() {
            self.line = line;
            self.column = column;
        }
        self
    }
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// "指标 D1.1 (第 42 行)": where, in words, or empty.
    fn location(&self) -> String {
        let mut parts = Vec::new();
        if let Some(i) = &self.indicator {
            parts.push(format!("指标 {i}"));
        }
        if let Some(i) = &self.kpi {
            parts.push(format!("绩效指标 {i}"));
        }
        if let Some(i) = &self.input {
            parts.push(format!("数据项 {i}"));
        }
        if let Some(f) = &self.field {
            parts.push(format!("字段 {f}"));
        }
        match (&self.file, self.line) {
            (Some(f), Some(l)) => parts.push(format!("{f} 第 {l} 行")),
            (None, Some(l)) => parts.push(format!("第 {l} 行")),
            (Some(f), None) => parts.push(f.clone()),
            (None, None) => {}
        }
        parts.join("，")
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = self.location();
        if loc.is_empty() {
            write!(f, "[{}] {}", self.code.as_str(), self.message)
        } else {
            write!(f, "[{}] {}：{}", self.code.as_str(), loc, self.message)
        }
    }
}

/// Why an operation produced no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The rulebook could not be parsed or failed validation or compilation.
    #[error("评价方案 {rulebook} 有 {n} 个问题：\n{list}", n = problems.len(), list = list(problems))]
    Rulebook {
        rulebook: String,
        problems: Vec<Problem>,
    },
    /// The submission is not a well-formed submission (not JSON, not an object…). Bad
    /// *values* are not an Error: they are reported on the scorecard and by `validate`.
    #[error("填报数据有 {n} 个问题：\n{list}", n = problems.len(), list = list(problems))]
    Submission { problems: Vec<Problem> },
    /// A file could not be read (or was refused: not a regular file, over its size limit).
    #[error("无法读取 {path}：{message}")]
    Io {
        path: String,
        /// Why, in Chinese (zh-CN); the operating system's own words when it refused.
        message: String,
        /// The same in English.
        message_en: String,
    },
}

/// `text` as a message quotes it: cut after
/// [`MAX_QUOTED_CHARS`](crate::limits::MAX_QUOTED_CHARS) characters, then "…".
pub(crate) fn quoted(text: &str) -> std::borrow::Cow<'_, str> {
    use crate::limits::MAX_QUOTED_CHARS;
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => text.into(),
        Some((end, _)) => format!("{}…", &text[..end]).into(),
    }
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The JSON Schema of the error JSON ([`ErrorRepr`]), shipped with the C header.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(ErrorRepr);
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    }

    pub(crate) fn rulebook(rulebook: impl Into<String>, problems: Vec<Problem>) -> Self {
        Error::Rulebook {
            rulebook: rulebook.into(),
            problems,
        }
    }

    /// Every problem carried (one synthesized for I/O errors).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Error::Rulebook { problems, .. } | Error::Submission { problems } => problems.clone(),
            Error::Io {
                path,
                message,
                message_en,
            } => vec![
                Problem::new(
                    ProblemCode::Io,
                    format!("无法读取 {path}：{message}"),
                    format!("cannot read {path}: {message_en}"),
                )
                .file(path.clone()),
            ],
        }
    }

    /// The code of the first problem: what a caller branches on.
    pub fn code(&self) -> ProblemCode {
        self.problems()
            .first()
            .map(|p| p.code)
            .unwrap_or(ProblemCode::Io)
    }

    /// `rulebook`, `submission` or `io`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Rulebook { .. } => "rulebook",
            Error::Submission { .. } => "submission",
            Error::Io { .. } => "io",
        }
    }

    /// The stable JSON form every binding passes through unchanged:
    /// `{"kind","code","message","rulebook"?,"indicator"?,"line"?,"problems":[…]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.repr()).unwrap_or_else(|_| {
            // Serializing plain strings and numbers cannot fail; keep a valid JSON fallback
            // rather than a panic at a binding boundary.
            r#"{"kind":"io","code":"io","message":"error serialization failed","problems":[]}"#
                .to_string()
        })
    }

    fn repr(&self) -> ErrorRepr {
        let problems = self.problems();
        let first = problems.first();
        ErrorRepr {
            kind: self.kind().to_string(),
            code: self.code(),
            message: self.to_string(),
            rulebook: match self {
                Error::Rulebook { rulebook, .. } => Some(rulebook.clone()),
                _ => None,
            },
            indicator: first.and_then(|p| p.indicator.clone()),
            input: first.and_then(|p| p.input.clone()),
            line: first.and_then(|p| p.line),
            problems,
        }
    }
}

/// The serialized shape of [`Error`]: the one error JSON every binding hands over.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ErrorRepr {
    /// `rulebook`, `submission` or `io` from the core; the bindings add `argument` (a NULL
    /// pointer, text that is no UTF-8, bad options) and `internal` (a bug caught at the
    /// boundary).
    pub kind: String,
    /// The first problem's code.
    pub code: ProblemCode,
    /// Every problem, in Chinese, one per line.
    pub message: String,
    /// The rulebook's id, when the error is a rulebook's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rulebook: Option<String>,
    /// The first problem's indicator, input and line, where it has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub problems: Vec<Problem>,
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.repr().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_cut_after_100_characters() {
        assert_eq!(quoted("短"), "短");
        let long = "选".repeat(10_000);
        let q = quoted(&long);
        assert_eq!(q.chars().count(), 101);
        assert!(q.ends_with("选…"));
        assert_eq!(quoted(&"x".repeat(100)), "x".repeat(100));
    }

    #[test]
    fn problem_code_names_round_trip() {
        for code in ProblemCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
        }
        assert_eq!(ProblemCode::ALL.len(), 40);
    }
}
