//! One project's submission (评价对象的填报) and the checking of its values against the
//! rulebook's input declarations.

pub(crate) mod table;
use crate::error::{Error, Problem, ProblemCode, quoted};
pub use crate::model::ProjectInfo;
use crate::model::{GradeAggregate, GradeLevel, Input, InputType};
use crate::text::intern::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What an evaluator (or a batch row) fills in for one project.
///
/// ```json
/// {"project": {"id": "P-001", "name": "一网通办平台"},
///  "values": {"budget": 100500, "spent": "98,694.55", "basis_grade": ["优", "良"]},
///  "not_applicable": ["O4.1"], "notes": {"O4.1": "项目无产出成本指标"},
///  "evidence": {"D1.2": ["附件 3：初步设计批复（发改〔2022〕118 号）"]},
///  "experts": ["张明", "李华"]}
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    #[serde(default, skip_serializing_if = "ProjectInfo::is_empty")]
    pub project: ProjectInfo,
    /// Input values by input id. Numbers may also be given as strings ("98,694.55",
    /// "92.5%"); `null` or "" means not filled in. An id given twice is refused, never
    /// silently the last.
    #[serde(default, deserialize_with = "unique::values")]
    pub values: BTreeMap<String, serde_json::Value>,
    /// Indicators the evaluator marks 不适用.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<String>,
    /// Evaluator's notes by indicator id, carried to the scorecard.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique::notes"
    )]
    pub notes: BTreeMap<String, String>,
    /// Evidence references by indicator id (附件编号, 佐证材料 names), carried to the
    /// scorecard and printed in the report's 评分表.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique::evidence"
    )]
    pub evidence: BTreeMap<String, Vec<String>>,
    /// The experts who graded (专家组成员), in the order every grade input lists their grades:
    /// the report's 专家评分汇总表 names its columns after them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experts: Vec<String>,
    /// The rulebook the submission was filled in for, as exports record it: scoring it by a
    /// rulebook of another id is a `wrong_rulebook` problem rather than a silent mismatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rulebook: Option<RulebookTag>,
}

/// Which rulebook a submission belongs to: its id, and the version and hash it was made with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulebookTag {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// Maps whose keys must be unique: JSON allows a key twice, and serde would keep the last.
mod unique {
    use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};
    use std::collections::BTreeMap;
    use std::fmt;
    use std::marker::PhantomData;

    /// What a duplicate key error says; [`super::Submission::from_json_str`] recognizes it
    /// to name the input.
    pub(super) const DUPLICATE: &str = "duplicate key ";

    pub(super) fn values<'de, D, T>(de: D) -> Result<BTreeMap<String, T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        map(de, "values")
    }

    pub(super) fn notes<'de, D, T>(de: D) -> Result<BTreeMap<String, T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        map(de, "notes")
    }

    pub(super) fn evidence<'de, D, T>(de: D) -> Result<BTreeMap<String, T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        map(de, "evidence")
    }

    fn map<'de, D, T>(de: D, field: &'static str) -> Result<BTreeMap<String, T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        struct Unique<T>(&'static str, PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Unique<T> {
            type Value = BTreeMap<String, T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
                let mut map = BTreeMap::new();
                while let Some((key, value)) = entries.next_entry::<String, T>()? {
                    if map.contains_key(&key) {
                        let key = crate::error::quoted(&key);
                        let field = self.0;
                        return Err(A::Error::custom(format_args!("{DUPLICATE}{field}.“{key}”")));
                    }
                    map.insert(key, value);
                }
                Ok(map)
            }
        }
        de.deserialize_map(Unique(field, PhantomData))
    }
}

impl Submission {
    /// Several submissions in one text, as batch callers send them: a JSON array of
    /// submission objects, or JSON Lines (one per line, blank lines skipped). Each item is
    /// parsed on its own, with every check of [`Submission::from_json_str`] (a key given twice
    /// in an item is refused there too), so a bad item is an error in its place and the
    /// others still score. A text that starts as an array but is not valid JSON is one error
    /// for the whole batch, with its line and column. (Feature `json-batch`.)
    #[cfg(feature = "json-batch")]
    pub fn batch_from_json_str(text: &str) -> Result<Vec<Result<Submission, Error>>, Error> {
        if !text.trim_start().starts_with('[') {
            return Ok(text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(Submission::from_json_str)
                .collect());
        }
        // Items kept as their text, not as `serde_json::Value`s: a value map would silently
        // keep the last of two equal keys, which the submission parser refuses.
        let items: Vec<Box<serde_json::value::RawValue>> =
            serde_json::from_str(text).map_err(|e| {
                let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
                let column = u32::try_from(e.column()).ok().filter(|c| *c > 0);
                Error::Submission {
                    problems: vec![
                        Problem::new(
                            ProblemCode::SubmissionSyntax,
                            format!("批量填报数据不是有效的 JSON 数组：{e}"),
                            format!("the batch is not a valid JSON array: {e}"),
                        )
                        .at(line, column),
                    ],
                }
            })?;
        Ok(items
            .iter()
            .map(|item| Submission::from_json_str(item.get()))
            .collect())
    }

    /// Read and parse a submission file (JSON), refused past
    /// [`MAX_SUBMISSION_BYTES`](crate::limits::MAX_SUBMISSION_BYTES) or when it is not a
    /// regular file.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = crate::read::read_text(path, crate::limits::MAX_SUBMISSION_BYTES)
            .map_err(|e| e.at(path))?;
        Self::from_json_str(&text)
    }

    /// Read and parse a submission from a stream (standard input, say), refused past
    /// [`MAX_SUBMISSION_BYTES`](crate::limits::MAX_SUBMISSION_BYTES); `name` is what errors
    /// call it (`-` for standard input).
    pub fn from_reader(reader: impl std::io::Read, name: &str) -> Result<Self, Error> {
        let text = crate::read::read_limited(reader, crate::limits::MAX_SUBMISSION_BYTES)
            .map_err(|e| e.at(std::path::Path::new(name)))?;
        Self::from_json_str(&text)
    }

    /// Parse a submission from JSON. Only the shape is checked here; values are checked
    /// against a rulebook by [`crate::Engine::validate`] and on evaluation.
    pub fn from_json_str(text: &str) -> Result<Self, Error> {
        // serde's derived struct parser also takes an array (fields by position), so `[]`
        // would be an empty submission: a submission is an object, say so up front.
        // A byte-order mark (Windows editors write one) is not part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let limit = crate::limits::MAX_SUBMISSION_BYTES;
        if text.len() as u64 > limit {
            return Err(Error::Submission {
                problems: vec![Problem::new(
                    ProblemCode::TooLong,
                    format!(
                        "填报数据有 {} 字节，超过 {} MiB 的上限",
                        text.len(),
                        limit >> 20
                    ),
                    format!(
                        "the submission has {} bytes, more than the {} MiB limit",
                        text.len(),
                        limit >> 20
                    ),
                )],
            });
        }
        let trimmed = text.trim_start();
        if let Some(first) = trimmed.chars().next()
            && first != '{'
        {
            // The first word of `true`, `null`, `not json`…
            let word = trimmed
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or_default();
            let what = match (first, word) {
                ('[', _) => ("，实际是数组".into(), ", not an array".into()),
                ('"', _) => ("，实际是字符串".into(), ", not a string".into()),
                ('0'..='9' | '-', _) => ("，实际是数字".into(), ", not a number".into()),
                (_, "true" | "false") => ("，实际是布尔值".into(), ", not a boolean".into()),
                (_, "null") => ("，实际是 null".into(), ", not null".into()),
                // Not JSON at all (a JSON Lines row `not json` once read as "null"): what was
                // found, quoted.
                _ => {
                    let start = quoted(trimmed.lines().next().unwrap_or_default());
                    (
                        format!("，收到的 “{start}” 不是 JSON"),
                        format!(", not “{start}”, which is not JSON"),
                    )
                }
            };
            let skipped = &text[..text.len() - trimmed.len()];
            let line = u32::try_from(skipped.matches('\n').count() + 1).ok();
            return Err(Error::Submission {
                problems: vec![
                    Problem::new(
                        ProblemCode::SubmissionSyntax,
                        format!(
                            "填报数据应为 JSON 对象 {{\"project\": …, \"values\": {{…}}}}{}",
                            what.0
                        ),
                        format!(
                            "a submission must be a JSON object {{\"project\": …, \"values\": {{…}}}}{}",
                            what.1
                        ),
                    )
                    .at(line, None),
                ],
            });
        }
        serde_json::from_str(text).map_err(|e| {
            let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
            let column = u32::try_from(e.column()).ok().filter(|c| *c > 0);
            let message = e.to_string();
            let problem = match duplicate_key(&message) {
                // The same id twice: which value was meant is unknown, so neither is taken.
                Some((field, key)) => {
                    let p = Problem::new(
                        ProblemCode::DuplicateKey,
                        format!("{field} 中 “{key}” 出现了两次，无法确定取哪一个"),
                        format!("“{key}” is given twice in {field}: which one is meant is unknown"),
                    )
                    .field(format!("{field}.{key}"));
                    if field == "values" {
                        p.input(key)
                    } else {
                        p.indicator(key)
                    }
                }
                None => Problem::new(
                    ProblemCode::SubmissionSyntax,
                    format!("填报数据不是有效的 JSON 填报对象：{e}"),
                    format!("the submission is not a valid submission JSON object: {e}"),
                ),
            };
            Error::Submission {
                problems: vec![problem.at(line, column)],
            }
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A submission already held as a JSON value (a Python dict converted in place, say):
    /// the checks of [`Submission::from_json_str`] but those of the text (its size, a key
    /// given twice), which a value cannot have.
    pub fn from_json_value(value: serde_json::Value) -> Result<Self, Error> {
        let refused = |zh: String, en: String| Error::Submission {
            problems: vec![Problem::new(ProblemCode::SubmissionSyntax, zh, en)],
        };
        // serde's derived struct parser also takes an array (fields by position).
        if !value.is_object() {
            let what = match value {
                serde_json::Value::Array(_) => ("数组", "an array"),
                serde_json::Value::String(_) => ("字符串", "a string"),
                serde_json::Value::Number(_) => ("数字", "a number"),
                serde_json::Value::Bool(_) => ("布尔值", "a boolean"),
                _ => ("null", "null"),
            };
            return Err(refused(
                format!(
                    "填报数据应为对象 {{\"project\": …, \"values\": {{…}}}}，实际是{}",
                    what.0
                ),
                format!(
                    "a submission must be an object {{\"project\": …, \"values\": {{…}}}}, not {}",
                    what.1
                ),
            ));
        }
        serde_json::from_value(value).map_err(|e| {
            refused(
                format!("填报数据不是有效的填报对象：{e}"),
                format!("the submission is not a valid submission object: {e}"),
            )
        })
    }
}

/// The field (`values`, `notes` or `evidence`) and key of serde_json's message for a duplicate key
/// ([`unique`]), if it is one.
fn duplicate_key(message: &str) -> Option<(&str, &str)> {
    let (field, rest) = message.strip_prefix(unique::DUPLICATE)?.split_once(".“")?;
    Some((field, &rest[..rest.find('”')?]))
}

/// A checked value, as scripts will see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Num(f64),
    Int(i64),
    Bool(bool),
    // Shared, so that copying the values for an evaluation's frame costs no allocation.
    Text(rhai::ImmutableString),
    Grade {
        labels: GradeLabels,
        fraction: f64,
    },
    /// Rows of a `table` input, and the cells that could not be read.
    Table(crate::submission::table::TableVal),
}

impl Val {
    /// Whether a script may read the value as a whole: not a table with a bad cell (only
    /// `target_table()`, which scores row by row, reads such a table).
    pub(crate) fn readable_whole(&self) -> bool {
        !matches!(self, Val::Table(t) if !t.bad.is_empty())
    }
}

/// The level labels of an expert-grade value, one per expert: the rulebook's own (interned)
/// labels, so up to three grades (the usual panel) cost no allocation and more cost one.
#[derive(Debug, Clone)]
pub(crate) enum GradeLabels {
    /// The first `len` of `labels`.
    Few {
        len: u8,
        labels: [Text; 3],
    },
    Many(Arc<[Text]>),
}

const NO_LABEL: Text = Text::Borrowed("");

impl GradeLabels {
    fn new(labels: &[Text]) -> Self {
        match labels {
            [a] => GradeLabels::Few {
                len: 1,
                labels: [a.clone(), NO_LABEL, NO_LABEL],
            },
            [a, b] => GradeLabels::Few {
                len: 2,
                labels: [a.clone(), b.clone(), NO_LABEL],
            },
            [a, b, c] => GradeLabels::Few {
                len: 3,
                labels: [a.clone(), b.clone(), c.clone()],
            },
            _ => GradeLabels::Many(labels.into()),
        }
    }

    pub fn as_slice(&self) -> &[Text] {
        match self {
            GradeLabels::Few { len, labels } => &labels[..usize::from(*len)],
            GradeLabels::Many(labels) => labels,
        }
    }
}

/// Equal when the labels are, however they are stored.
impl PartialEq for GradeLabels {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

/// An expert-grade input's levels as an engine checks values against them, prepared once
/// when the rulebook is compiled: the interned labels (no lookup per value), and whether a
/// value equal to a label can be taken as it is (no trimming first).
#[derive(Debug, Clone, Default)]
pub(crate) struct GradeCheck {
    /// The interned labels of [`grade_scale`], in its order, and their fractions.
    labels: Vec<Text>,
    fractions: Vec<f64>,
    /// No label has surrounding white space: a value equal to one trims to itself.
    trimmed: bool,
}

impl GradeCheck {
    pub fn new(input: &Input) -> Self {
        let scale = grade_scale(input);
        GradeCheck {
            labels: scale
                .iter()
                .map(|l| crate::text::intern::intern(&l.label))
                .collect(),
            fractions: scale.iter().map(|l| l.fraction).collect(),
            trimmed: scale.iter().all(|l| l.label.trim() == l.label),
        }
    }
}

/// The byte order of two ids (`str::cmp`'s). Short ids (most are) byte by byte, without
/// the `memcmp` call that costs more than their few bytes do.
#[inline]
pub(crate) fn cmp_ids(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().min(b.len()) > 8 {
        return a.cmp(b);
    }
    for (p, q) in a.iter().zip(b) {
        if p != q {
            return p.cmp(q);
        }
    }
    a.len().cmp(&b.len())
}

/// Longest text accepted, in characters.
pub(crate) const MAX_TEXT_CHARS: usize = 2_000;

/// Check one raw value against its input declaration. `Ok(None)` means not filled in.
#[allow(clippy::result_large_err)] // one per bad value, off the hot path
pub(crate) fn check_value(input: &Input, raw: &serde_json::Value) -> Result<Option<Val>, Problem> {
    check_value_with(input, raw, None)
}

/// [`check_value`] for an engine's input, with its grade levels prepared
/// ([`GradeCheck`]). A number in range for a number, percent or integer input and a yes/no
/// for a yes/no input, most of every submission, are taken here without the general
/// check's call (and as it takes them).
#[allow(clippy::result_large_err)]
#[inline]
pub(crate) fn check_input(
    input: &Input,
    raw: &serde_json::Value,
    grades: &GradeCheck,
) -> Result<Option<Val>, Problem> {
    use serde_json::Value as J;
    if let J::Number(n) = raw
        && let Some(n) = n.as_f64()
        && n.is_finite()
        && in_range(input, n)
    {
        match input.kind {
            InputType::Number => return Ok(Some(Val::Num(n))),
            InputType::Percent => return Ok(Some(Val::Num(n / 100.0))),
            InputType::Integer if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                #[allow(clippy::cast_possible_truncation)] // integral and below 2^53, checked
                return Ok(Some(Val::Int(n as i64)));
            }
            _ => {}
        }
    }
    match (input.kind, raw) {
        (InputType::Bool, J::Bool(b)) => return Ok(Some(Val::Bool(*b))),
        (InputType::Grade, J::Array(items)) => {
            if let Some(v) = few_grades(input, items, grades) {
                return Ok(Some(v));
            }
        }
        _ => {}
    }
    check_value_with(input, raw, Some(grades))
}

/// One to three expert grades each exactly a level's label (the usual panel's form), as the
/// general check takes them: no trimming (labels trim to themselves), no synonyms, no
/// buffers. `None` for anything else, which the general check then takes.
fn few_grades(input: &Input, items: &[serde_json::Value], g: &GradeCheck) -> Option<Val> {
    let n = items.len();
    if !(1..=3).contains(&n) || !g.trimmed {
        return None;
    }
    let mut labels = [NO_LABEL; 3];
    let mut fractions = [0.0; 3];
    for (k, item) in items.iter().enumerate() {
        let s = item.as_str()?;
        let at = g.labels.iter().position(|l| same(l, s))?;
        labels[k] = g.labels[at].clone();
        fractions[k] = g.fractions[at];
    }
    Some(Val::Grade {
        fraction: aggregate(&mut fractions[..n], input.aggregate),
        labels: GradeLabels::Few {
            len: u8::try_from(n).ok()?,
            labels,
        },
    })
}

/// `a == b` for short texts, without a `memcmp` call.
#[inline]
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// `grades`: the input's prepared levels, if there are; without, labels are interned as
/// they are found.
#[allow(clippy::result_large_err)]
#[inline(never)]
fn check_value_with(
    input: &Input,
    raw: &serde_json::Value,
    grades: Option<&GradeCheck>,
) -> Result<Option<Val>, Problem> {
    use serde_json::Value as J;
    if raw.is_null() || raw.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(None);
    }
    let wrong = |zh: &str, en: &str| wrong_type(input, raw, zh, en);
    let val = match input.kind {
        InputType::Table => return crate::submission::table::check_table(input, raw),
        InputType::Number | InputType::Percent => {
            let n = match raw {
                J::Number(n) => n.as_f64(),
                J::String(s) => parse_number(s, input.kind == InputType::Percent),
                _ => None,
            };
            let Some(n) = n.filter(|n| n.is_finite()) else {
                return Err(wrong("数字", "a number"));
            };
            check_range(input, n)?;
            Val::Num(if input.kind == InputType::Percent {
                n / 100.0
            } else {
                n
            })
        }
        InputType::Integer => {
            let n = match raw {
                J::Number(n) => n.as_f64(),
                J::String(s) => parse_number(s, false),
                _ => None,
            };
            let Some(n) = n.filter(|n| n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15)
            else {
                return Err(wrong("整数", "a whole number"));
            };
            check_range(input, n)?;
            #[allow(clippy::cast_possible_truncation)] // integral and below 2^53, checked above
            Val::Int(n as i64)
        }
        InputType::Bool => match raw {
            J::Bool(b) => Val::Bool(*b),
            J::Number(n) if n.as_f64() == Some(1.0) => Val::Bool(true),
            J::Number(n) if n.as_f64() == Some(0.0) => Val::Bool(false),
            // ASCII case mapping is enough: every word below is ASCII or CJK, and no
            // non-ASCII letter lowercases to one of their letters (Unicode tables cost the
            // compact WASM module kilobytes).
            J::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "是" | "有" | "true" | "yes" | "y" | "1" | "√" => Val::Bool(true),
                "否" | "无" | "false" | "no" | "n" | "0" | "×" => Val::Bool(false),
                _ => return Err(wrong("是/否", "yes/no")),
            },
            _ => return Err(wrong("是/否", "yes/no")),
        },
        InputType::Choice => check_choice(input, raw)?,
        InputType::Date => check_date(input, raw)?,
        InputType::Text => check_text(input, raw)?,
        InputType::Grade => match check_grade(input, raw, grades)? {
            Some(v) => v,
            None => return Ok(None),
        },
    };
    Ok(Some(val))
}

/// A value of the wrong kind for its input, quoting what was given.
fn wrong_type(
    input: &Input,
    raw: &serde_json::Value,
    expected_zh: &str,
    expected_en: &str,
) -> Problem {
    Problem::new(
        ProblemCode::WrongType,
        format!("{}：应为{expected_zh}，收到 {}", input.label, show(raw)),
        format!(
            "{}: expected {expected_en}, got {}",
            en_label(input),
            show(raw)
        ),
    )
    .input(&input.id)
    .field(format!("values.{}", input.id))
}

/// A choice input: one of its `choices`, as written.
#[allow(clippy::result_large_err)]
fn check_choice(input: &Input, raw: &serde_json::Value) -> Result<Val, Problem> {
    let Some(s) = raw.as_str().map(str::trim) else {
        return Err(wrong_type(input, raw, "选项文字", "one of the choices"));
    };
    if !input.choices.iter().any(|c| c == s) {
        return Err(Problem::new(
            ProblemCode::InvalidChoice,
            format!(
                "{}：“{}” 不是可选项（可选：{}）",
                input.label,
                quoted(s),
                quoted(&input.choices.join("、"))
            ),
            format!(
                "{}: “{}” is not one of: {}",
                en_label(input),
                quoted(s),
                quoted(&input.choices.join(", "))
            ),
        )
        .input(&input.id)
        .field(format!("values.{}", input.id)));
    }
    Ok(Val::Text(s.into()))
}

/// A date input: `YYYY-MM-DD`, kept in that form.
#[allow(clippy::result_large_err)]
fn check_date(input: &Input, raw: &serde_json::Value) -> Result<Val, Problem> {
    let Some(s) = raw.as_str().map(str::trim) else {
        return Err(wrong_type(
            input,
            raw,
            "日期 YYYY-MM-DD",
            "a date YYYY-MM-DD",
        ));
    };
    match parse_date(s) {
        Some(days) => Ok(Val::Text(format_date(days))),
        None => Err(Problem::new(
            ProblemCode::InvalidDate,
            format!(
                "{}：“{}” 不是有效日期（格式 YYYY-MM-DD）",
                input.label,
                quoted(s)
            ),
            format!(
                "{}: “{}” is not a valid date (YYYY-MM-DD)",
                en_label(input),
                quoted(s)
            ),
        )
        .input(&input.id)
        .field(format!("values.{}", input.id))),
    }
}

/// A text input, at most `MAX_TEXT_CHARS` characters.
#[allow(clippy::result_large_err)]
fn check_text(input: &Input, raw: &serde_json::Value) -> Result<Val, Problem> {
    let Some(s) = raw.as_str() else {
        return Err(wrong_type(input, raw, "文字", "text"));
    };
    let n = s.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(Problem::new(
            ProblemCode::TooLong,
            format!("{}：文字 {n} 字，超过上限 {MAX_TEXT_CHARS} 字", input.label),
            format!(
                "{}: {n} characters, more than the {MAX_TEXT_CHARS} allowed",
                en_label(input)
            ),
        )
        .input(&input.id)
        .field(format!("values.{}", input.id)));
    }
    Ok(Val::Text(s.into()))
}

/// A grade input: one grade per expert (or one), combined as the input says; `None` for
/// an empty list. A `null` or blank entry is an expert who has not graded the item: its place
/// is kept (as an empty label) and the given grades are combined.
#[allow(clippy::result_large_err)]
fn check_grade(
    input: &Input,
    raw: &serde_json::Value,
    grades: Option<&GradeCheck>,
) -> Result<Option<Val>, Problem> {
    use serde_json::Value as J;
    let raws: &[J] = match raw {
        J::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    let scale = grade_scale(input);
    let mut labels = smallvec::SmallVec::<[Text; 8]>::new();
    let mut fractions = smallvec::SmallVec::<[f64; 8]>::new();
    for r in raws {
        // An expert of the panel who has not graded this item (yet): the place is kept, so
        // that every grade stays with its expert (`experts` names them in this order).
        if r.is_null() || r.as_str().is_some_and(|s| s.trim().is_empty()) {
            labels.push(NO_LABEL);
            continue;
        }
        let at = r.as_str().and_then(|s| match grades {
            // Equal to a label that trims to itself: trimming would change nothing.
            Some(g) if g.trimmed => g
                .labels
                .iter()
                .position(|l| l == s)
                .or_else(|| find_level(scale, s.trim())),
            _ => find_level(scale, s.trim()),
        });
        let Some(at) = at else {
            let allowed = scale
                .iter()
                .map(|l| l.label.as_str())
                .collect::<Vec<_>>()
                .join("/");
            return Err(Problem::new(
                ProblemCode::InvalidChoice,
                format!(
                    "{}：专家评级 {} 无效（可选：{allowed}）",
                    input.label,
                    show(r)
                ),
                format!(
                    "{}: expert grade {} is not one of {allowed}",
                    en_label(input),
                    show(r)
                ),
            )
            .input(&input.id)
            .field(format!("values.{}", input.id)));
        };
        labels.push(match grades {
            Some(g) => g.labels[at].clone(),
            None => crate::text::intern::intern(&scale[at].label),
        });
        fractions.push(scale[at].fraction);
    }
    if fractions.is_empty() {
        // No grade at all (an empty list, or no expert has graded yet): not filled in.
        return Ok(None);
    }
    if labels.len() > crate::limits::MAX_EXPERTS {
        return Err(wrong_type(
            input,
            raw,
            "不超过 50 位专家的评级",
            "at most 50 experts' grades",
        ));
    }
    Ok(Some(Val::Grade {
        fraction: aggregate(&mut fractions, input.aggregate),
        labels: GradeLabels::new(&labels),
    }))
}

fn en_label(input: &Input) -> &str {
    input.label_en.as_deref().unwrap_or(&input.label)
}

/// Within the input's `min` and `max`, where it has them.
#[inline]
fn in_range(input: &Input, n: f64) -> bool {
    !(input.min.is_some_and(|m| n < m) || input.max.is_some_and(|m| n > m))
}

#[allow(clippy::result_large_err)]
fn check_range(input: &Input, n: f64) -> Result<(), Problem> {
    if in_range(input, n) {
        return Ok(());
    }
    let bound = |b: Option<f64>| b.map_or_else(|| "∞".to_string(), crate::text::fmt_pts);
    let unit = input.unit.as_deref().unwrap_or("");
    Err(Problem::new(
        ProblemCode::OutOfRange,
        format!(
            "{}：{}{unit} 超出允许范围 [{}, {}]{unit}",
            input.label,
            crate::text::fmt_pts(n),
            bound(input.min),
            bound(input.max)
        ),
        format!(
            "{}: {}{unit} is outside the allowed range [{}, {}]{unit}",
            en_label(input),
            crate::text::fmt_pts(n),
            bound(input.min),
            bound(input.max)
        ),
    )
    .input(&input.id)
    .field(format!("values.{}", input.id)))
}

/// A raw value as messages quote it (huge values cut).
fn show(v: &serde_json::Value) -> String {
    match v {
        // Not serialized whole first: a 10 MB string is cut where it is.
        serde_json::Value::String(s) => format!("\"{}\"", quoted(s)),
        other => quoted(&other.to_string()).into_owned(),
    }
}

/// "98,694.55", " 1 234 ", "92.5%" (percent inputs), "１２" (full-width digits as Chinese
/// input methods type them).
fn parse_number(s: &str, percent: bool) -> Option<f64> {
    // Most cells (every batch row's) are plain ASCII numbers: parsed as they are, without
    // building a cleaned copy. Anything else (separators, full-width digits, %) is cleaned
    // first; the text parsed is the same either way.
    let trimmed = s.trim();
    if !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return trimmed.parse::<f64>().ok();
    }
    parse_cleaned_number(trimmed, percent)
}

/// A number as people type it: thousands separators, full-width digits, a trailing %.
///
/// Separators (`,` `，` space `_`) only group the digits before the decimal point in threes:
/// "1,234,567.8" and "1 234" are numbers, "2,,1,0,4" and "12,34" are not (they were once read
/// as 2104 and 1234), nor is "1.498,36" (a European decimal comma, not 1.49836).
fn parse_cleaned_number(s: &str, percent: bool) -> Option<f64> {
    let mut t: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            '，' => ',',
            other => other,
        })
        .collect();
    if percent && (t.ends_with('%') || t.ends_with('％')) {
        t.pop();
    }
    let is_separator = |c: char| matches!(c, ',' | ' ' | '_');
    if t.contains(is_separator) {
        if !grouped_in_threes(t.trim(), is_separator) {
            return None;
        }
        t.retain(|c| !is_separator(c));
    }
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.to_ascii_lowercase().contains("inf") {
        return None;
    }
    t.parse::<f64>().ok()
}

/// Whether the separators in `t` group the digits before its decimal point in threes (what
/// the groups hold is the number parser's business).
fn grouped_in_threes(t: &str, is_separator: impl Fn(char) -> bool + Copy) -> bool {
    let unsigned = t.trim_start_matches(['-', '+']);
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut lengths = integer.split(is_separator).map(str::len);
    lengths.next().is_some_and(|first| (1..=3).contains(&first))
        && lengths.all(|length| length == 3)
        && !fraction.contains(is_separator)
}

/// Days since 1970-01-01 of an ISO date (also accepts `/` and `.` separators).
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.split(['-', '/', '.']);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD`, written in place: this runs for every date input of every project.
fn format_date(days: i64) -> rhai::ImmutableString {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{m:02}-{d:02}").into();
    }
    let mut text = *b"0000-00-00";
    for (at, mut n, width) in [(0, y, 4), (5, m, 2), (8, d, 2)] {
        for slot in text[at..at + width].iter_mut().rev() {
            // 0 ≤ n < 10⁴ (a year checked above, a month, a day): one digit per slot.
            *slot = b'0' + u8::try_from(n % 10).unwrap_or(0);
            n /= 10;
        }
    }
    std::str::from_utf8(&text).unwrap_or_default().into()
}

/// The input's grade levels, or the default 优/良/中/差 (built once, not per value checked).
pub(crate) fn grade_scale(input: &Input) -> &[GradeLevel] {
    static DEFAULT: std::sync::LazyLock<Vec<GradeLevel>> =
        std::sync::LazyLock::new(crate::model::default_grade_levels);
    if input.levels.is_empty() {
        &DEFAULT
    } else {
        &input.levels
    }
}

/// A level's place in the scale by label; on the default four-level scale A/B/C/D (and
/// 好/较好/一般/较差) are synonyms.
fn find_level(scale: &[GradeLevel], s: &str) -> Option<usize> {
    if let Some(at) = scale.iter().position(|l| l.label == s) {
        return Some(at);
    }
    if scale.len() == 4 {
        // ASCII: no non-ASCII letter uppercases to A–D.
        let idx = match s.to_ascii_uppercase().as_str() {
            "A" | "好" | "优秀" => 0,
            "B" | "较好" | "良好" => 1,
            "C" | "一般" | "中等" => 2,
            "D" | "较差" => 3,
            _ => return None,
        };
        return Some(idx);
    }
    None
}

fn aggregate(fractions: &mut [f64], how: GradeAggregate) -> f64 {
    // Insertion sort: a panel is a few experts (at most 50), too few for the general sort's
    // set-up to pay. Equal under `total_cmp` means bitwise equal, so any correct sort gives
    // the same order.
    for i in 1..fractions.len() {
        let mut j = i;
        while j > 0 && fractions[j - 1].total_cmp(&fractions[j]).is_gt() {
            fractions.swap(j - 1, j);
            j -= 1;
        }
    }
    let n = fractions.len();
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    // Kept as printed, like a KPI: (1.0 + 0.8 + 0.6) / 3 = 0.7999… is 80 %, and a panel's
    // 86.666…% is 86.67 % in the text, in the score and for scripts alike.
    crate::text::as_printed(match how {
        GradeAggregate::Mean => mean(fractions),
        GradeAggregate::TrimmedMean if n >= 3 => mean(&fractions[1..n - 1]),
        GradeAggregate::TrimmedMean => mean(fractions),
        GradeAggregate::Median if n % 2 == 1 => fractions[n / 2],
        GradeAggregate::Median => (fractions[n / 2 - 1] + fractions[n / 2]) / 2.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "json-batch")]
    fn a_batch_is_an_array_or_json_lines_and_each_item_stands_alone() {
        let ok = |r: &Result<Submission, Error>| r.is_ok();
        let lines = Submission::batch_from_json_str("{\"values\": {}}\n\n  \n{}\n").unwrap();
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(ok));
        let array = Submission::batch_from_json_str(" [{}, {\"values\": {\"a\": 1}}]").unwrap();
        assert_eq!(array.len(), 2);
        assert!(array.iter().all(ok));
        // A key given twice in one item is refused there, not silently the last one; the
        // item beside it still parses.
        let twice =
            Submission::batch_from_json_str(r#"[{"values": {"a": 1, "a": 2}}, {}]"#).unwrap();
        let err = twice[0].as_ref().unwrap_err();
        assert_eq!(err.code(), ProblemCode::DuplicateKey, "{err}");
        assert!(twice[1].is_ok());
        // An item that is no submission object is an error in its place.
        let odd = Submission::batch_from_json_str("[1, {}]").unwrap();
        assert_eq!(
            odd[0].as_ref().unwrap_err().code(),
            ProblemCode::SubmissionSyntax
        );
        assert!(odd[1].is_ok());
        // An array that is not valid JSON is one error for the batch, located.
        let broken = Submission::batch_from_json_str("[{},\n {").unwrap_err();
        assert_eq!(broken.kind(), "submission");
        let p = &broken.problems()[0];
        assert_eq!(p.code, ProblemCode::SubmissionSyntax);
        assert!(
            p.message.contains("批量填报数据不是有效的 JSON 数组"),
            "{}",
            p.message
        );
        assert!(
            p.message_en.contains("the batch is not a valid JSON array"),
            "{}",
            p.message_en
        );
        assert_eq!(p.line, Some(2));
    }

    /// The words matched case-insensitively (ASCII case mapping, see `check_value`).
    #[test]
    fn yes_no_words_grade_letters_and_infinity_ignore_case() {
        let input = |kind: &str| -> Input {
            serde_json::from_value(serde_json::json!({"id": "v", "label": "值", "type": kind}))
                .unwrap()
        };
        // The accepted value, or `None` for an error (Problem is too big to pass around).
        let check = |kind: &str, raw: serde_json::Value| check_value(&input(kind), &raw).ok();
        for (word, want) in [
            ("TRUE", true),
            (" Yes ", true),
            ("Y", true),
            ("是", true),
            ("√", true),
            ("False", false),
            ("NO", false),
            ("否", false),
        ] {
            assert!(
                matches!(check("bool", word.into()), Some(Some(Val::Bool(b))) if b == want),
                "{word}"
            );
        }
        for word in ["TRUÉ", "ｙｅｓ", "ok"] {
            assert!(check("bool", word.into()).is_none(), "{word}");
        }
        for (letter, label) in [("a", "优"), ("B", "良"), ("c", "中"), ("D", "差")] {
            match check("grade", letter.into()) {
                Some(Some(Val::Grade { labels, .. })) => {
                    assert_eq!(labels.as_slice(), [label], "{letter}");
                }
                other => panic!("{letter}: {other:?}"),
            }
        }
        for word in ["INF", "-Infinity", "NaN", "nan"] {
            assert!(check("number", word.into()).is_none(), "{word}");
        }
        assert!(matches!(check("number", "1,620".into()), Some(Some(Val::Num(n))) if n == 1620.0));
    }

    #[test]
    fn every_day_from_1900_to_2200_formats_and_parses_back() {
        let (first, last) = (
            parse_date("1900-01-01").unwrap(),
            parse_date("2200-12-31").unwrap(),
        );
        assert_eq!(last - first + 1, 109_938); // per Python's datetime
        let mut previous = String::new();
        for days in first..=last {
            let text = format_date(days);
            assert_eq!(text.len(), 10, "{text}");
            assert_eq!(parse_date(&text), Some(days), "{text}");
            // Zero-padded, so text order is date order.
            assert!(text.as_str() > previous.as_str(), "{text} after {previous}");
            previous = text.to_string();
        }
    }

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2024-12-31", "2100-03-01"] {
            assert_eq!(format_date(parse_date(s).unwrap()).as_str(), s);
        }
        assert_eq!(
            parse_date("2024-01-31").unwrap() - parse_date("2023-12-31").unwrap(),
            31
        );
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-13-01").is_none());
        assert_eq!(parse_date("2024/3/5"), parse_date("2024-03-05"));
    }

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(parse_number("98,694.55", false), Some(98694.55));
        assert_eq!(parse_number("９２．５%", true), Some(92.5));
        assert_eq!(parse_number("92.5%", false), None);
        assert_eq!(parse_number("NaN", false), None);
        assert_eq!(parse_number("inf", false), None);
        // Separators group the integer digits in threes, nowhere else.
        for (text, value) in [
            ("1,234,567.89", Some(1_234_567.89)),
            ("1 234", Some(1234.0)),
            ("-1,000", Some(-1000.0)),
            ("１，２３４", Some(1234.0)),
            ("12,345%", None),
            ("2,,1,0,4", None),
            ("12,34", None),
            ("1234,567", None),
            (",123", None),
            ("123,", None),
            ("1.498,36", None),
            ("1,000.5,5", None),
        ] {
            assert_eq!(parse_number(text, false), value, "{text:?}");
        }
        assert_eq!(parse_number("12,345%", true), Some(12345.0));
        // Plain numbers take the short route; the result is what the cleaned route gives.
        for text in [
            "12.5", " 12.5 ", "-3", "+2", "1e3", "1E-2", ".5", "5.", ".", "-", "1.2.3", "0", "007",
            "1e999", "--1", "1,000", "1 000", "１２", "50%", "",
        ] {
            assert_eq!(
                parse_number(text, false),
                parse_cleaned_number(text, false),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ids_compare_as_strings_do() {
        let ids = [
            "",
            "a",
            "b",
            "ab",
            "abc",
            "abcdefgh",
            "abcdefgi",
            "abcdefghi",
            "abcdefgh0",
            "x1",
            "x10",
            "x2",
            "X1",
            "数据",
            "数据项",
            "é",
            "budget_requested",
            "budget_approved",
        ];
        for a in ids {
            for b in ids {
                assert_eq!(cmp_ids(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    /// The inline number and yes/no paths take exactly what the general check takes.
    #[test]
    fn inline_numbers_agree_with_the_general_check() {
        for kind in ["number", "percent", "integer", "bool", "text"] {
            let input: Input = serde_json::from_value(serde_json::json!(
                {"id": "v", "label": "值", "type": kind, "min": -5, "max": 120}
            ))
            .unwrap();
            let prepared = GradeCheck::default();
            for raw in [
                serde_json::json!(0),
                serde_json::json!(1),
                serde_json::json!(-5),
                serde_json::json!(-6),
                serde_json::json!(12.5),
                serde_json::json!(120),
                serde_json::json!(120.01),
                serde_json::json!(u64::MAX),
                serde_json::json!(true),
                serde_json::json!("7"),
            ] {
                assert_same_check(&input, &raw, &prepared, kind);
            }
        }
    }

    /// `check_input` (the engine's inline paths) takes `raw` exactly as `check_value` does:
    /// the same value, or an error with the same message.
    fn assert_same_check(
        input: &Input,
        raw: &serde_json::Value,
        prepared: &GradeCheck,
        kind: &str,
    ) {
        match (check_value(input, raw), check_input(input, raw, prepared)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{kind} {raw}"),
            (Err(a), Err(b)) => assert_eq!(a.message, b.message, "{kind} {raw}"),
            (a, b) => panic!("{kind} {raw}: {a:?} vs {b:?}"),
        }
    }

    /// The engine's prepared grade check takes exactly what the general check takes.
    #[test]
    fn prepared_grade_check_agrees_with_the_general_one() {
        let default: Input = serde_json::from_value(
            serde_json::json!({"id": "g", "label": "评级", "type": "grade", "aggregate": "mean"}),
        )
        .unwrap();
        let custom: Input = serde_json::from_value(serde_json::json!({
            "id": "g", "label": "评级", "type": "grade",
            "levels": [{"label": "好 ", "fraction": 1.0}, {"label": "坏", "fraction": 0.3}]
        }))
        .unwrap();
        for input in [default, custom] {
            let prepared = GradeCheck::new(&input);
            for raw in [
                serde_json::json!(["优", "良", "中"]),
                serde_json::json!(["差", "差"]),
                serde_json::json!(["中"]),
                serde_json::json!("良"),
                serde_json::json!([" 优", "A", "较好"]),
                serde_json::json!(["优", "良", "中", "差"]),
                serde_json::json!(["好 ", "坏"]),
                serde_json::json!(["好", "坏"]),
                serde_json::json!(["优", 1]),
                serde_json::json!(["优", "甲"]),
                serde_json::json!([]),
            ] {
                assert_same_check(&input, &raw, &prepared, "grade");
            }
        }
    }

    #[test]
    fn an_expert_who_has_not_graded_keeps_their_place() {
        let input: Input = serde_json::from_value(
            serde_json::json!({"id": "g", "label": "评级", "type": "grade"}),
        )
        .unwrap();
        let check = |raw: serde_json::Value| check_value(&input, &raw).ok();
        match check(serde_json::json!(["优", null, "中", " "])) {
            Some(Some(Val::Grade { labels, fraction })) => {
                assert_eq!(labels.as_slice(), ["优", "", "中", ""]);
                // The given grades only: (1.0 + 0.6) / 2.
                assert!((fraction - 0.8).abs() < 1e-12, "{fraction}");
            }
            other => panic!("{other:?}"),
        }
        // Nobody has graded yet: not filled in.
        assert!(matches!(check(serde_json::json!([null, ""])), Some(None)));
        assert!(check(serde_json::json!(["优", "甲"])).is_none());
    }

    #[test]
    fn grade_aggregation() {
        assert_eq!(aggregate(&mut [1.0, 0.8, 0.6], GradeAggregate::Mean), 0.8);
        assert_eq!(
            aggregate(&mut [1.0, 1.0, 0.0, 0.8], GradeAggregate::TrimmedMean),
            0.9
        );
        assert_eq!(
            aggregate(&mut [1.0, 0.6, 0.8, 0.0], GradeAggregate::Median),
            0.7
        );
    }
}
