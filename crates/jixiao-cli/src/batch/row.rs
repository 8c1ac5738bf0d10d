//! One input row → one submission → one scored result row, with every problem located by row
//! number and column. Runs on the rayon pool; everything here is per row and independent.

use super::columns::{Column, ColumnPlan};
use super::read::{Cell, RawRow, format_number};
use jixiao::model::InputType;
use jixiao::{Decimal, Engine, EvalOptions, Lang, Problem, Scorecard, Status, Submission};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Every indicator scored or 不适用.
    Scored,
    /// Scored as far as the data goes; required inputs are missing.
    Incomplete,
    /// Something in the row is wrong: unreadable, a bad value, a bad mark, or a rule error.
    Failed,
}

impl RowStatus {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (RowStatus::Scored, Lang::Zh) => "已评分",
            (RowStatus::Incomplete, Lang::Zh) => "不完整",
            (RowStatus::Failed, Lang::Zh) => "失败",
            (RowStatus::Scored, _) => "scored",
            (RowStatus::Incomplete, _) => "incomplete",
            (RowStatus::Failed, _) => "failed",
        }
    }
}

/// A score cell of the results table.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoreCell {
    Score(Decimal),
    NotApplicable,
    /// Unscored, failed, or no scorecard.
    Blank,
}

/// Why a row failed, located as a person finds it in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    /// The column header (or JSON field) at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub indicator: Arc<str>,
    pub label: Arc<str>,
    pub deduction: Option<Decimal>,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct RowResult {
    pub row: u64,
    pub status: RowStatus,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub total: Option<Decimal>,
    pub grade: Option<String>,
    pub dimensions: Vec<ScoreCell>,
    pub indicators: Vec<ScoreCell>,
    pub errors: Vec<RowError>,
    /// Labels of required inputs that were not filled in (incomplete rows).
    pub missing: Vec<String>,
    pub findings: Vec<FindingRow>,
    /// The JSON Lines record, when that is the output.
    pub json: Option<String>,
}

/// The result table's columns: each dimension, then every indicator below the dimensions, in
/// rulebook order — the same for every row, taken from one scorecard of an empty submission.
#[derive(Debug, Clone)]
pub struct Layout {
    pub dimensions: Vec<String>,
    pub indicators: Vec<String>,
    dimension_ids: Vec<Arc<str>>,
    /// Position in `Scorecard::indicators` of each output indicator, and its id.
    indicator_slots: Vec<(usize, Arc<str>)>,
}

impl Layout {
    pub fn new(engine: &Engine, lang: Lang) -> Self {
        let card = engine.evaluate_with(&Submission::default(), EvalOptions { trace: false, lang });
        let label = |label: &Arc<str>, en: &Option<Arc<str>>| match lang {
            Lang::En => en.as_deref().unwrap_or(label).to_string(),
            _ => label.to_string(),
        };
        Layout {
            dimensions: card
                .dimensions
                .iter()
                .map(|d| label(&d.label, &d.label_en))
                .collect(),
            dimension_ids: card.dimensions.iter().map(|d| d.id.clone()).collect(),
            indicators: card
                .indicators
                .iter()
                .filter(|i| i.level >= 2)
                .map(|i| format!("{} {}", i.id, label(&i.label, &i.label_en)))
                .collect(),
            indicator_slots: card
                .indicators
                .iter()
                .enumerate()
                .filter(|(_, i)| i.level >= 2)
                .map(|(pos, i)| (pos, i.id.clone()))
                .collect(),
        }
    }
}

/// Everything needed to score rows; shared by the worker threads.
#[derive(Debug)]
pub struct Scorer {
    pub engine: Engine,
    pub plan: Option<ColumnPlan>,
    pub options: EvalOptions,
    pub layout: Layout,
    pub want_json: bool,
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    row: u64,
    status: RowStatus,
    #[serde(skip_serializing_if = "<[RowError]>::is_empty")]
    errors: &'a [RowError],
    scorecard: Option<&'a Scorecard>,
}

impl Scorer {
    fn lang(&self) -> Lang {
        self.options.lang
    }

    fn message(&self, p: &Problem) -> String {
        match self.lang() {
            Lang::En => p.message_en.clone(),
            _ => p.message.clone(),
        }
    }

    pub fn score(&self, raw: RawRow) -> RowResult {
        let row = raw.row();
        let (submission, mut errors) = match raw {
            RawRow::Unreadable { column, reason, .. } => {
                let column = column.map(|c| self.column_name(c));
                let error = RowError {
                    column,
                    indicator: None,
                    code: "unreadable".into(),
                    message: reason,
                };
                return self.result(row, None, vec![error]);
            }
            RawRow::Json { text, .. } => match Submission::from_json_str(&text) {
                Ok(s) => (s, Vec::new()),
                Err(e) => {
                    let message = e
                        .problems()
                        .first()
                        .map_or_else(|| e.to_string(), |p| self.message(p));
                    let error = RowError {
                        column: None,
                        indicator: None,
                        code: e.code().as_str().into(),
                        message,
                    };
                    return self.result(row, None, vec![error]);
                }
            },
            RawRow::Cells { cells, .. } => match &self.plan {
                Some(plan) => self.submission(plan, cells),
                None => (Submission::default(), Vec::new()),
            },
        };
        let card = self.engine.evaluate_with(&submission, self.options);
        for p in &card.problems {
            errors.push(RowError {
                column: self.problem_column(p),
                indicator: p.indicator.clone(),
                code: p.code.as_str().into(),
                message: self.message(p),
            });
        }
        for ind in card.indicators.iter().filter(|i| i.status == Status::Error) {
            if let Some(p) = &ind.error {
                errors.push(RowError {
                    column: None,
                    indicator: Some(ind.id.to_string()),
                    code: p.code.as_str().into(),
                    message: format!("{} {}：{}", ind.id, ind.label, self.message(p)),
                });
            }
        }
        self.result(row, Some(card), errors)
    }

    fn column_name(&self, index: usize) -> String {
        self.plan
            .as_ref()
            .and_then(|p| p.headers.get(index))
            .filter(|h| !h.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| column_letter(index))
    }

    /// The column a problem points at: the input's column, the 不适用 column of an indicator,
    /// or for JSON Lines the field.
    fn problem_column(&self, p: &Problem) -> Option<String> {
        let Some(plan) = &self.plan else {
            return p.field.clone();
        };
        if let Some(input) = &p.input
            && let Some(i) = plan.inputs.iter().position(|x| &x.id == input)
        {
            return plan.input_headers[i].clone();
        }
        if let Some(ind) = &p.indicator {
            return plan
                .not_applicable_headers
                .get(ind)
                .or(plan.not_applicable_list_header.as_ref())
                .cloned();
        }
        None
    }

    /// Builds the submission from a row's cells; cells that cannot be used are errors.
    fn submission(&self, plan: &ColumnPlan, cells: Vec<Cell>) -> (Submission, Vec<RowError>) {
        let mut sub = Submission::default();
        let mut errors = Vec::new();
        for (index, cell) in cells.into_iter().enumerate() {
            if cell == Cell::Empty {
                continue;
            }
            let Some(column) = plan.columns.get(index) else {
                errors.push(RowError {
                    column: Some(column_letter(index)),
                    indicator: None,
                    code: "no_header".into(),
                    message: format!(
                        "第 {} 列没有列名，内容“{}”无法对应到数据项 (cell outside the header)",
                        index + 1,
                        cell.header_text()
                    ),
                });
                continue;
            };
            let header = || plan.headers[index].clone();
            if let Cell::Error(e) = &cell {
                if !matches!(column, Column::Ignored | Column::Unknown) {
                    errors.push(RowError {
                        column: Some(header()),
                        indicator: None,
                        code: "cell_error".into(),
                        message: format!(
                            "单元格是错误值 {e}（公式出错？） (the cell holds the error {e})"
                        ),
                    });
                }
                continue;
            }
            match column {
                Column::Input(i) | Column::GradePart(i) => {
                    let input = &plan.inputs[*i];
                    let value = input_value(input.kind, cell);
                    if input.kind == InputType::Grade {
                        let entry = sub
                            .values
                            .entry(input.id.clone())
                            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                        if let (serde_json::Value::Array(all), serde_json::Value::Array(more)) = (entry, value) {
                            all.extend(more);
                        }
                    } else {
                        sub.values.insert(input.id.clone(), value);
                    }
                }
                Column::ProjectId => sub.project.id = Some(cell.header_text()),
                Column::ProjectName => sub.project.name = Some(cell.header_text()),
                Column::ProjectExtra(field) => {
                    sub.project.extra.insert(field.clone(), serde_json::Value::String(cell.header_text()));
                }
                Column::NotApplicableList => {
                    for name in split_list(&cell.header_text()) {
                        let id = plan.indicator_id(name).unwrap_or(name).to_string();
                        if !sub.not_applicable.contains(&id) {
                            sub.not_applicable.push(id);
                        }
                    }
                }
                Column::NotApplicable(id) => match yes_no(&cell) {
                    Some(true) => {
                        if !sub.not_applicable.contains(id) {
                            sub.not_applicable.push(id.clone());
                        }
                    }
                    Some(false) => {}
                    None => errors.push(RowError {
                        column: Some(header()),
                        indicator: Some(id.clone()),
                        code: "invalid_mark".into(),
                        message: format!(
                            "“{}”不是不适用标记（填 是/√/1 表示不适用，否/空 表示适用） (not a yes/no mark)",
                            cell.header_text()
                        ),
                    }),
                },
                Column::Note(id) => {
                    sub.notes.insert(id.clone(), cell.header_text());
                }
                Column::Ignored | Column::Unknown => {}
            }
        }
        (sub, errors)
    }

    fn result(&self, row: u64, card: Option<Scorecard>, errors: Vec<RowError>) -> RowResult {
        let status = match &card {
            _ if !errors.is_empty() => RowStatus::Failed,
            Some(c) if c.complete => RowStatus::Scored,
            _ => RowStatus::Incomplete,
        };
        let json = self.want_json.then(|| {
            serde_json::to_string(&JsonRecord {
                row,
                status,
                errors: &errors,
                scorecard: card.as_ref(),
            })
            .unwrap_or_default()
        });
        let Some(card) = card else {
            return RowResult {
                row,
                status,
                project_id: None,
                project_name: None,
                total: None,
                grade: None,
                dimensions: vec![ScoreCell::Blank; self.layout.dimensions.len()],
                indicators: vec![ScoreCell::Blank; self.layout.indicators.len()],
                errors,
                missing: Vec::new(),
                findings: Vec::new(),
                json,
            };
        };
        let cell = |status: Status, score: Option<Decimal>| match (status, score) {
            (Status::NotApplicable, _) => ScoreCell::NotApplicable,
            (_, Some(s)) => ScoreCell::Score(s),
            (_, None) => ScoreCell::Blank,
        };
        let dimensions = self
            .layout
            .dimension_ids
            .iter()
            .map(|id| {
                card.dimensions
                    .iter()
                    .find(|d| &d.id == id)
                    .map_or(ScoreCell::Blank, |d| cell(d.status, Some(d.score)))
            })
            .collect();
        let indicators = self
            .layout
            .indicator_slots
            .iter()
            .map(|(pos, id)| {
                // Every scorecard of one engine lists the indicators in the same order; look
                // up by id only if that ever changes.
                let ind = card
                    .indicators
                    .get(*pos)
                    .filter(|i| &i.id == id)
                    .or_else(|| card.indicators.iter().find(|i| &i.id == id));
                ind.map_or(ScoreCell::Blank, |i| cell(i.status, i.score))
            })
            .collect();
        let mut seen = HashSet::new();
        let missing = card
            .indicators
            .iter()
            .filter(|i| i.status == Status::Unscored)
            .flat_map(|i| i.missing.iter())
            .filter(|id| seen.insert(Arc::clone(id)))
            .map(|id| self.input_label(id))
            .collect();
        let findings = card
            .indicators
            .iter()
            .flat_map(|i| {
                i.findings.iter().map(|f| FindingRow {
                    indicator: i.id.clone(),
                    label: i.label.clone(),
                    deduction: f.deduction,
                    message: f.message.clone(),
                })
            })
            .collect();
        RowResult {
            row,
            status,
            project_id: card.project.id.clone(),
            project_name: card.project.name.clone(),
            // A failed row's total would be scored on partial or wrong data: the table leaves
            // it blank (the JSON Lines record keeps the whole scorecard for diagnosis).
            total: (status != RowStatus::Failed).then_some(card.total),
            grade: card
                .grade
                .as_ref()
                .filter(|_| status != RowStatus::Failed)
                .map(|g| match self.lang() {
                    Lang::En => g.label_en.clone().unwrap_or_else(|| g.label.clone()),
                    _ => g.label.clone(),
                }),
            dimensions,
            indicators,
            errors,
            missing,
            findings,
            json,
        }
    }

    fn input_label(&self, id: &str) -> String {
        let spec = self.engine.rulebook().spec();
        spec.inputs.iter().find(|i| i.id == id).map_or_else(
            || id.to_string(),
            |i| match self.lang() {
                Lang::En => i.label_en.clone().unwrap_or_else(|| i.label.clone()),
                _ => i.label.clone(),
            },
        )
    }
}

/// "A", "B", … "AA" for a column without a header.
pub fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + (index % 26) as u8));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// Items of a list cell: "优、良、中", "D1.1, P2.1", "良/良/中".
fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        matches!(c, ',' | '，' | '、' | ';' | '；' | '/' | '|') || c.is_whitespace()
    })
    .map(str::trim)
    .filter(|s| !s.is_empty())
}

fn yes_no(cell: &Cell) -> Option<bool> {
    match cell {
        Cell::Bool(b) => Some(*b),
        Cell::Number { value, .. } if *value == 1.0 => Some(true),
        Cell::Number { value, .. } if *value == 0.0 => Some(false),
        Cell::Text(s) => match s.trim().to_lowercase().as_str() {
            "是" | "√" | "✓" | "✔" | "y" | "yes" | "true" | "1" | "x" | "不适用" | "n/a" | "na" => {
                Some(true)
            }
            "否" | "×" | "n" | "no" | "false" | "0" | "适用" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A cell as the JSON value the core parses. Numbers stay numbers; text is passed as typed
/// (the core reads "98,694.55", "92.5%", 是/否, full-width digits); a grade cell may list
/// several experts' grades.
fn input_value(kind: InputType, cell: Cell) -> serde_json::Value {
    use serde_json::Value;
    match cell {
        Cell::Text(s) if kind == InputType::Grade => Value::Array(
            split_list(&s)
                .map(|g| Value::String(g.to_string()))
                .collect(),
        ),
        Cell::Text(s) => Value::String(s.trim().to_string()),
        Cell::Number { value, .. } if kind == InputType::Grade => {
            Value::Array(vec![Value::String(format_number(value))])
        }
        Cell::Number { value, .. }
            if matches!(kind, InputType::Choice | InputType::Text | InputType::Date) =>
        {
            Value::String(format_number(value))
        }
        Cell::Number { value, percent } => {
            // Excel keeps 92.5% as 0.925; percent inputs take percent points. Cut the float
            // noise of × 100 so 0.925 reads 92.5, not 92.50000000000001.
            let value = if percent && kind == InputType::Percent {
                (value * 100.0 * 1e9).round() / 1e9
            } else {
                value
            };
            serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
        }
        Cell::Bool(b) => Value::Bool(b),
        Cell::Date(s) if kind == InputType::Grade => Value::Array(vec![Value::String(s)]),
        Cell::Date(s) => Value::String(s),
        Cell::Empty | Cell::Error(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn cells_become_core_values() {
        let pct = input_value(
            InputType::Percent,
            Cell::Number {
                value: 0.925,
                percent: true,
            },
        );
        assert_eq!(pct, serde_json::json!(92.5));
        let plain = input_value(
            InputType::Percent,
            Cell::Number {
                value: 92.5,
                percent: false,
            },
        );
        assert_eq!(plain, serde_json::json!(92.5));
        let grades = input_value(InputType::Grade, Cell::Text("良、良，中".into()));
        assert_eq!(grades, serde_json::json!(["良", "良", "中"]));
        let choice = input_value(
            InputType::Choice,
            Cell::Number {
                value: 3.0,
                percent: false,
            },
        );
        assert_eq!(choice, serde_json::json!("3"));
    }
}
