//! One input row → one submission → one scored result row, with every problem located by row
//! number and column. Runs on the rayon pool; everything here is per row and independent.

use crate::columns::{Column, ColumnPlan};
use crate::csv_rows::CsvRows;
use crate::read::{self, Cell, CellRef, RawRow, format_number};
#[cfg(feature = "reports")]
use crate::report::ProjectReport;
use jixiao::model::InputType;
use jixiao::{
    Decimal, Engine, EvalOptions, Lang, Problem, ProjectInfo, Scorecard, Status, Submission,
};
use serde::Serialize;
use std::collections::HashSet;

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
    pub indicator: jixiao::Text,
    pub label: jixiao::Text,
    pub deduction: Option<Decimal>,
    pub message: String,
}

/// What the output needs of one scored row, prepared on the worker that scored it so the
/// writer thread only writes.
#[derive(Debug, Clone)]
pub struct RowResult {
    pub row: u64,
    pub status: RowStatus,
    pub errors: Vec<RowError>,
    pub out: RowOut,
    /// The project's report, when reports are asked for and the row was scored.
    #[cfg(feature = "reports")]
    pub report: Option<Box<ProjectReport>>,
}

#[derive(Debug, Clone)]
pub enum RowOut {
    /// The result row is in its part's CSV text.
    InPart,
    /// The JSON Lines record.
    Json(String),
    /// The row's cells, for the spreadsheet writer.
    Table(Box<TableRow>),
    /// The row's submission and scorecard themselves (a table scored in memory).
    Kept(Box<KeptRow>),
}

/// A row's submission, as its cells made it (inputs left empty omitted), and its scorecard.
/// None for a row that could not be read.
#[derive(Debug, Clone, Default)]
pub struct KeptRow {
    pub submission: Option<Submission>,
    pub scorecard: Option<Scorecard>,
}

/// Consecutive rows scored by one worker, in input order.
#[derive(Debug)]
pub struct Part {
    pub rows: Vec<RowResult>,
    /// For a CSV result, the rows' records (UTF-8, each with its line end), rendered by the
    /// worker so that the writer only writes them out.
    pub csv: Vec<u8>,
}

/// One row of the results table (and its findings), as cells.
#[derive(Debug, Clone)]
pub struct TableRow {
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub total: Option<Decimal>,
    pub grade: Option<String>,
    pub dimensions: Vec<ScoreCell>,
    pub indicators: Vec<ScoreCell>,
    /// Labels of required inputs that were not filled in (incomplete rows).
    pub missing: Vec<String>,
    pub findings: Vec<FindingRow>,
}

/// The format of the result file: what [`Scorer::score`] prepares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Csv,
    Jsonl,
    Table,
    Kept,
}

/// The result table's columns: each dimension, then every indicator below the dimensions, in
/// rulebook order — the same for every row, taken from one scorecard of an empty submission.
#[derive(Debug, Clone)]
pub struct Layout {
    pub dimensions: Vec<String>,
    pub indicators: Vec<String>,
    dimension_ids: Vec<jixiao::Text>,
    /// Position in `Scorecard::indicators` of each output indicator, and its id.
    indicator_slots: Vec<(usize, jixiao::Text)>,
    /// About how long a CSV result row is, to size the buffers rows are rendered into.
    expected_row_bytes: usize,
}

impl Layout {
    pub fn new(engine: &Engine, lang: Lang) -> Self {
        let card = engine.evaluate_with(&Submission::default(), EvalOptions { trace: false, lang });
        let label = |label: &jixiao::Text, en: &Option<jixiao::Text>| match lang {
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
            // A score per column and, per scored leaf, up to a finding or two of text.
            expected_row_bytes: 256 + card.indicators.iter().filter(|i| i.leaf).count() * 100,
        }
    }

    /// The score cells of each dimension, in layout order.
    fn dimension_cells<'a>(&'a self, card: &'a Scorecard) -> impl Iterator<Item = ScoreCell> + 'a {
        self.dimension_ids.iter().map(|id| {
            card.dimensions
                .iter()
                .find(|d| &d.id == id)
                .map_or(ScoreCell::Blank, |d| score_cell(d.status, Some(d.score)))
        })
    }

    /// The score cells of each indicator column, in layout order.
    fn indicator_cells<'a>(&'a self, card: &'a Scorecard) -> impl Iterator<Item = ScoreCell> + 'a {
        self.indicator_slots.iter().map(|(pos, id)| {
            // Every scorecard of one engine lists the indicators in the same order; look
            // up by id only if that ever changes.
            let ind = card
                .indicators
                .get(*pos)
                .filter(|i| &i.id == id)
                .or_else(|| card.indicators.iter().find(|i| &i.id == id));
            ind.map_or(ScoreCell::Blank, |i| score_cell(i.status, i.score))
        })
    }
}

fn score_cell(status: Status, score: Option<Decimal>) -> ScoreCell {
    match (status, score) {
        (Status::NotApplicable, _) => ScoreCell::NotApplicable,
        (_, Some(s)) => ScoreCell::Score(s),
        (_, None) => ScoreCell::Blank,
    }
}

/// Everything needed to score rows; shared by the worker threads.
#[derive(Debug)]
pub struct Scorer {
    engine: Engine,
    plan: Option<ColumnPlan>,
    options: EvalOptions,
    layout: Layout,
    output: Output,
    /// The format each scored project's report is written in (`--reports`).
    #[cfg(feature = "reports")]
    reports: Option<jixiao_report::Format>,
    /// The inputs that have a column, in the order of their ids, which is the order of a
    /// submission's values: a worker's submission keeps these keys from row to row.
    slots: Vec<Slot>,
}

#[derive(Debug)]
struct Slot {
    /// Index into the plan's inputs.
    input: usize,
    /// The input's columns in file order (several for the experts' grades of one item).
    columns: Vec<usize>,
}

/// A worker's buffers, reused from row to row.
#[derive(Debug, Default)]
pub struct Scratch {
    /// The row's submission: its value map keeps its keys and text buffers between rows.
    submission: Submission,
    text: String,
    /// The row's scorecard, scored into in place (`Engine::evaluate_into`): its indicator
    /// results and finding lists are reused rather than allocated and dropped per row.
    card: Scorecard,
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
    pub fn new(
        engine: Engine,
        plan: Option<ColumnPlan>,
        options: EvalOptions,
        layout: Layout,
        output: Output,
    ) -> Self {
        let mut slots: Vec<Slot> = Vec::new();
        if let Some(plan) = &plan {
            for (index, column) in plan.columns.iter().enumerate() {
                if let Column::Input(i) | Column::GradePart(i) = column {
                    match slots.iter_mut().find(|s| s.input == *i) {
                        Some(slot) => slot.columns.push(index),
                        None => slots.push(Slot {
                            input: *i,
                            columns: vec![index],
                        }),
                    }
                }
            }
            slots.sort_by(|a, b| plan.inputs[a.input].id.cmp(&plan.inputs[b.input].id));
        }
        Scorer {
            engine,
            plan,
            options,
            layout,
            output,
            #[cfg(feature = "reports")]
            reports: None,
            slots,
        }
    }

    /// Each row scored without errors also gets its report, rendered in `format`.
    #[cfg(feature = "reports")]
    pub fn with_reports(mut self, format: jixiao_report::Format) -> Self {
        self.reports = Some(format);
        self
    }

    fn lang(&self) -> Lang {
        self.options.lang
    }

    fn message(&self, p: &Problem) -> String {
        match self.lang() {
            Lang::En => p.message_en.clone(),
            _ => p.message.clone(),
        }
    }

    /// Scores consecutive rows (a piece of a chunk, on one worker).
    pub fn score_part(&self, rows: Vec<RawRow>, scratch: &mut Scratch) -> Part {
        let mut csv = (self.output == Output::Csv)
            .then(|| CsvRows::with_capacity(rows.len() * self.layout.expected_row_bytes));
        let rows = rows
            .into_iter()
            .map(|raw| self.score(raw, scratch, csv.as_mut()))
            .collect();
        let csv = csv.map(CsvRows::into_bytes).unwrap_or_default();
        Part { rows, csv }
    }

    fn unreadable(
        &self,
        row: u64,
        column: Option<usize>,
        reason: String,
        scratch: &mut Scratch,
        csv: Option<&mut CsvRows>,
    ) -> RowResult {
        let column = column.map(|c| self.column_name(c));
        let error = RowError {
            column,
            indicator: None,
            code: "unreadable".into(),
            message: reason,
        };
        self.result(row, None, vec![error], &mut scratch.text, csv)
    }

    fn score(&self, raw: RawRow, scratch: &mut Scratch, csv: Option<&mut CsvRows>) -> RowResult {
        let row = raw.row();
        let parsed;
        let (submission, mut errors) = match raw {
            RawRow::Unreadable { column, reason, .. } => {
                return self.unreadable(row, column, reason, scratch, csv);
            }
            RawRow::Json { text, .. } => match Submission::from_json_str(&text) {
                Ok(s) => {
                    parsed = s;
                    (&parsed, Vec::new())
                }
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
                    return self.result(row, None, vec![error], &mut scratch.text, csv);
                }
            },
            RawRow::Cells { cells, .. } => {
                let cell = |i: usize| cells.get(i).map_or(CellRef::Empty, Cell::as_ref);
                let errors = self.fill(cells.len(), cell, &mut scratch.submission);
                (&scratch.submission, errors)
            }
            RawRow::Record {
                record,
                transcoded_from,
                ..
            } => match read::record_text(&record, transcoded_from) {
                Err((column, reason)) => {
                    return self.unreadable(row, Some(column), reason, scratch, csv);
                }
                Ok(text) => {
                    let cell = |i: usize| text.get(i).map_or(CellRef::Empty, read::csv_cell);
                    let errors = self.fill(text.len(), cell, &mut scratch.submission);
                    (&scratch.submission, errors)
                }
            },
        };
        let card = &mut scratch.card;
        self.engine.evaluate_into(submission, self.options, card);
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
        #[cfg(feature = "reports")]
        let report = self.report(row, card, &mut errors);
        let mut result = self.result(row, Some(card), errors, &mut scratch.text, csv);
        if let RowOut::Kept(kept) = &mut result.out {
            kept.submission = Some(filled_in(submission));
        }
        #[cfg(feature = "reports")]
        {
            result.report = report.filter(|_| result.status != RowStatus::Failed);
        }
        result
    }

    /// The project's report, when reports are asked for; a report that cannot be rendered
    /// fails its row.
    #[cfg(feature = "reports")]
    fn report(
        &self,
        row: u64,
        card: &Scorecard,
        errors: &mut Vec<RowError>,
    ) -> Option<Box<ProjectReport>> {
        let format = self.reports.filter(|_| errors.is_empty())?;
        let spec = self.engine.rulebook().spec();
        match ProjectReport::new(spec, card, row, format, self.lang()) {
            Ok(report) => Some(Box::new(report)),
            Err(e) => {
                errors.push(RowError {
                    column: None,
                    indicator: None,
                    code: e.code().into(),
                    message: e.to_string(),
                });
                None
            }
        }
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

    /// Fills the worker's submission from a row's cells (`cell(i)` for the i-th of `len`);
    /// cells that cannot be used are errors. What the previous row left is reset: keys whose
    /// cell is empty hold "" (or null), which the core reads as not filled in, as it reads a
    /// missing key.
    fn fill<'a>(
        &self,
        len: usize,
        cell: impl Fn(usize) -> CellRef<'a>,
        sub: &mut Submission,
    ) -> Vec<RowError> {
        // Each located at its column, to be reported in column order.
        let mut errors: Vec<(usize, RowError)> = Vec::new();
        sub.project = ProjectInfo::default();
        sub.not_applicable.clear();
        sub.notes.clear();
        let Some(plan) = &self.plan else {
            sub.values.clear();
            return Vec::new();
        };
        let cell_error = |index: usize, e: &str| RowError {
            column: Some(plan.headers[index].clone()),
            indicator: None,
            code: "cell_error".into(),
            message: format!("单元格是错误值 {e}（公式出错？） (the cell holds the error {e})"),
        };
        // Everything but the input values, in column order.
        for index in 0..len {
            let column = plan.columns.get(index);
            if let Some(
                Column::Input(_) | Column::GradePart(_) | Column::Ignored | Column::Unknown,
            ) = column
            {
                continue; // inputs below; the others hold nothing to read
            }
            let cell = cell(index);
            if cell == CellRef::Empty {
                continue;
            }
            let Some(column) = column else {
                let error = RowError {
                    column: Some(column_letter(index)),
                    indicator: None,
                    code: "no_header".into(),
                    message: format!(
                        "第 {} 列没有列名，内容“{}”无法对应到数据项 (cell outside the header)",
                        index + 1,
                        cell.header_text()
                    ),
                };
                errors.push((index, error));
                continue;
            };
            if let CellRef::Error(e) = &cell {
                errors.push((index, cell_error(index, e)));
                continue;
            }
            match column {
                Column::Input(_) | Column::GradePart(_) | Column::Ignored | Column::Unknown => {}
                Column::ProjectId => sub.project.id = Some(cell.header_text()),
                Column::ProjectName => sub.project.name = Some(cell.header_text()),
                Column::ProjectExtra(field) => {
                    let text = serde_json::Value::String(cell.header_text());
                    sub.project.extra.insert(field.clone(), text);
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
                    None => {
                        let error = RowError {
                            column: Some(plan.headers[index].clone()),
                            indicator: Some(id.clone()),
                            code: "invalid_mark".into(),
                            message: format!(
                                "“{}”不是不适用标记（填 是/√/1 表示不适用，否/空 表示适用） (not a yes/no mark)",
                                cell.header_text()
                            ),
                        };
                        errors.push((index, error));
                    }
                },
                Column::Note(id) => {
                    sub.notes.insert(id.clone(), cell.header_text());
                }
            }
        }
        // The input values: one key per input with a column, kept from row to row.
        if sub.values.len() != self.slots.len() {
            sub.values = self
                .slots
                .iter()
                .map(|s| (plan.inputs[s.input].id.clone(), serde_json::Value::Null))
                .collect();
        }
        let mut value_cell = |index: usize| match cell(index) {
            CellRef::Error(e) => {
                errors.push((index, cell_error(index, e)));
                CellRef::Empty
            }
            c => c,
        };
        for (value, slot) in sub.values.values_mut().zip(&self.slots) {
            let kind = plan.inputs[slot.input].kind;
            // A row may end before the header does.
            let columns = slot.columns.iter().filter(|&&c| c < len);
            if kind == InputType::Grade {
                set_grades(value, columns.map(|&c| value_cell(c)));
            } else {
                let cell = columns.map(|&c| value_cell(c)).next();
                set_value(value, kind, cell.unwrap_or(CellRef::Empty));
            }
        }
        errors.sort_by_key(|(index, _)| *index);
        errors.into_iter().map(|(_, e)| e).collect()
    }

    fn result(
        &self,
        row: u64,
        card: Option<&Scorecard>,
        errors: Vec<RowError>,
        text: &mut String,
        csv: Option<&mut CsvRows>,
    ) -> RowResult {
        let status = match &card {
            _ if !errors.is_empty() => RowStatus::Failed,
            Some(c) if c.complete => RowStatus::Scored,
            _ => RowStatus::Incomplete,
        };
        let out = match self.output {
            Output::Jsonl => RowOut::Json(
                serde_json::to_string(&JsonRecord {
                    row,
                    status,
                    errors: &errors,
                    scorecard: card,
                })
                .unwrap_or_default(),
            ),
            Output::Csv => {
                if let Some(csv) = csv {
                    self.csv_record(csv, text, row, status, card, &errors);
                }
                RowOut::InPart
            }
            Output::Table => RowOut::Table(Box::new(self.table_row(status, card))),
            Output::Kept => RowOut::Kept(Box::new(KeptRow {
                submission: None,
                scorecard: card.cloned(),
            })),
        };
        RowResult {
            row,
            status,
            errors,
            out,
            #[cfg(feature = "reports")]
            report: None,
        }
    }

    /// Labels of the required inputs that unscored indicators lack, each once.
    fn missing(&self, card: &Scorecard) -> Vec<String> {
        let mut seen = HashSet::new();
        card.indicators
            .iter()
            .filter(|i| i.status == Status::Unscored)
            .flat_map(|i| i.missing.iter())
            .filter(|&id| seen.insert(id))
            .map(|id| self.input_label(id))
            .collect()
    }

    /// The grade as the table prints it: none for a failed row, whose total would be scored on
    /// partial or wrong data (the JSON Lines record keeps the whole scorecard for diagnosis).
    fn grade<'a>(&self, status: RowStatus, card: &'a Scorecard) -> Option<&'a str> {
        card.grade
            .as_ref()
            .filter(|_| status != RowStatus::Failed)
            .map(|g| match self.lang() {
                Lang::En => g.label_en.as_deref().unwrap_or(&g.label),
                _ => &g.label,
            })
    }

    fn table_row(&self, status: RowStatus, card: Option<&Scorecard>) -> TableRow {
        let Some(card) = card else {
            return TableRow {
                project_id: None,
                project_name: None,
                total: None,
                grade: None,
                dimensions: vec![ScoreCell::Blank; self.layout.dimensions.len()],
                indicators: vec![ScoreCell::Blank; self.layout.indicators.len()],
                missing: Vec::new(),
                findings: Vec::new(),
            };
        };
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
        TableRow {
            project_id: card.project.id.clone(),
            project_name: card.project.name.clone(),
            total: (status != RowStatus::Failed).then_some(card.total),
            grade: self.grade(status, card).map(str::to_string),
            dimensions: self.layout.dimension_cells(card).collect(),
            indicators: self.layout.indicator_cells(card).collect(),
            missing: self.missing(card),
            findings,
        }
    }

    /// The row of the CSV result, its fields taken straight from the scorecard (this runs for
    /// every row of a million-row batch: no cell becomes a string of its own).
    fn csv_record(
        &self,
        csv: &mut CsvRows,
        text: &mut String,
        row: u64,
        status: RowStatus,
        card: Option<&Scorecard>,
        errors: &[RowError],
    ) {
        use std::fmt::Write as _;
        let lang = self.lang();
        text.clear();
        let _ = write!(text, "{row}");
        csv.field(&*text);
        let project = card.map(|c| &c.project);
        csv.field(project.and_then(|p| p.id.as_deref()).unwrap_or_default());
        csv.field(project.and_then(|p| p.name.as_deref()).unwrap_or_default());
        csv.field(status.label(lang));
        text.clear();
        if let Some(c) = card
            && status != RowStatus::Failed
        {
            push_decimal(text, c.total);
        }
        csv.field(&*text);
        csv.field(card.and_then(|c| self.grade(status, c)).unwrap_or_default());
        match card {
            Some(card) => {
                let cells = self
                    .layout
                    .dimension_cells(card)
                    .chain(self.layout.indicator_cells(card));
                for cell in cells {
                    text.clear();
                    push_score(text, &cell, lang);
                    csv.field(&*text);
                }
            }
            None => {
                for _ in 0..self.layout.dimensions.len() + self.layout.indicators.len() {
                    csv.field("");
                }
            }
        }
        let missing = card.map(|c| self.missing(c)).unwrap_or_default();
        text.clear();
        push_problems(text, errors, &missing, lang);
        csv.field(&*text);
        text.clear();
        if let Some(card) = card {
            let findings = card.indicators.iter().flat_map(|i| {
                i.findings
                    .iter()
                    .map(move |f| (&*i.id, &*i.label, f.message.as_str()))
            });
            push_findings(text, findings);
        }
        csv.field(&*text);
        csv.end_record();
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

/// A copy of a submission without the inputs it leaves empty ("" or null: how a row's
/// submission resets the keys of the row before).
fn filled_in(submission: &Submission) -> Submission {
    let mut kept = submission.clone();
    kept.values.retain(|_, v| match v {
        serde_json::Value::Null => false,
        serde_json::Value::String(s) => !s.is_empty(),
        _ => true,
    });
    kept
}

/// The 评价结果 header: row, project, status, total, grade, each dimension and indicator,
/// problems and findings (the CSV result has the same).
pub fn result_headers(layout: &Layout, lang: Lang) -> Vec<String> {
    let mut h: Vec<String> = [
        tr(lang, "行号", "row"),
        tr(lang, "项目编号", "project_id"),
        tr(lang, "项目名称", "project_name"),
        tr(lang, "状态", "status"),
        tr(lang, "总分", "total"),
        tr(lang, "等级", "grade"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend(layout.dimensions.iter().cloned());
    h.extend(layout.indicators.iter().cloned());
    h.push(tr(lang, "问题", "problems").to_string());
    h.push(tr(lang, "扣分原因", "findings").to_string());
    h
}

/// The 问题 cell of a table row.
pub fn problems_text(r: &RowResult, table: &TableRow, lang: Lang) -> String {
    let mut text = String::new();
    push_problems(&mut text, &r.errors, &table.missing, lang);
    text
}

pub fn findings_text(table: &TableRow) -> String {
    let mut text = String::new();
    push_findings(
        &mut text,
        table
            .findings
            .iter()
            .map(|f| (&*f.indicator, &*f.label, f.message.as_str())),
    );
    text
}

/// `zh` or `en`, as the language says.
pub(crate) fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { zh }
}

/// A score cell's text: the score as the scorecard prints it, 不适用, or nothing.
pub fn push_score(text: &mut String, cell: &ScoreCell, lang: Lang) {
    match cell {
        ScoreCell::Score(d) => push_decimal(text, *d),
        ScoreCell::NotApplicable => {
            text.push_str(if lang == Lang::En { "N/A" } else { "不适用" })
        }
        ScoreCell::Blank => {}
    }
}

/// `d.to_string()` appended without `fmt` (the results table prints ~50 per row): the
/// mantissa's digits with the point `scale` digits from the right, as rust_decimal does.
pub fn push_decimal(text: &mut String, d: Decimal) {
    use std::fmt::Write as _;
    let scale = d.scale() as usize;
    let (Ok(mut m), true) = (u64::try_from(d.mantissa().unsigned_abs()), scale < 20) else {
        let _ = write!(text, "{d}");
        return;
    };
    // Filled from the right: digits, the point `scale` digits in, a leading 0 for 0.x, sign.
    let mut out = [b'0'; 44];
    let mut start = out.len();
    let mut put = |b: u8| {
        start -= 1;
        out[start] = b;
    };
    for _ in 0..scale {
        put(b'0' + (m % 10) as u8);
        m /= 10;
    }
    if scale > 0 {
        put(b'.');
    }
    loop {
        put(b'0' + (m % 10) as u8);
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if d.is_sign_negative() {
        put(b'-');
    }
    text.push_str(std::str::from_utf8(&out[start..]).unwrap_or_default());
}

/// The 问题 cell: each error with its column, then what is missing.
pub fn push_problems(text: &mut String, errors: &[RowError], missing: &[String], lang: Lang) {
    let mut first = true;
    let mut sep = |text: &mut String| {
        if !std::mem::take(&mut first) {
            text.push('；');
        }
    };
    for e in errors {
        sep(text);
        match &e.column {
            Some(c) if lang == Lang::En => {
                text.push('[');
                text.push_str(c);
                text.push_str("] ");
            }
            Some(c) => {
                text.push('【');
                text.push_str(c);
                text.push('】');
            }
            None => {}
        }
        text.push_str(&e.message);
    }
    if !missing.is_empty() {
        sep(text);
        match lang {
            Lang::En => {
                text.push_str("missing: ");
                text.push_str(&missing.join(", "));
            }
            _ => {
                text.push_str("缺少：");
                text.push_str(&missing.join("、"));
            }
        }
    }
}

/// The 扣分原因 cell: "D1.1 立项依据充分性：…" for each finding, separated by ；.
pub fn push_findings<'a>(
    text: &mut String,
    findings: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) {
    for (i, (indicator, label, message)) in findings.enumerate() {
        if i > 0 {
            text.push('；');
        }
        text.push_str(indicator);
        text.push(' ');
        text.push_str(label);
        text.push('：');
        text.push_str(message);
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

fn yes_no(cell: &CellRef<'_>) -> Option<bool> {
    match cell {
        CellRef::Bool(b) => Some(*b),
        CellRef::Number { value, .. } if *value == 1.0 => Some(true),
        CellRef::Number { value, .. } if *value == 0.0 => Some(false),
        CellRef::Text(s) => match s.trim().to_lowercase().as_str() {
            "是" | "√" | "✓" | "✔" | "y" | "yes" | "true" | "1" | "x" | "不适用" | "n/a" | "na" => {
                Some(true)
            }
            "否" | "×" | "n" | "no" | "false" | "0" | "适用" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Puts text into a value, reusing its string.
fn set_text(value: &mut serde_json::Value, text: &str) {
    match value {
        serde_json::Value::String(s) => {
            s.clear();
            s.push_str(text);
        }
        other => *other = serde_json::Value::String(text.to_string()),
    }
}

/// A value the core reads as not filled in: "" (keeping the string) or null.
fn set_empty(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => s.clear(),
        other => *other = serde_json::Value::Null,
    }
}

/// A cell as the JSON value the core parses. Numbers stay numbers; text is passed as typed
/// (the core reads "98,694.55", "92.5%", 是/否, full-width digits).
fn set_value(value: &mut serde_json::Value, kind: InputType, cell: CellRef<'_>) {
    use serde_json::Value;
    match cell {
        CellRef::Text(s) => set_text(value, s),
        CellRef::Number { value: n, .. }
            if matches!(kind, InputType::Choice | InputType::Text | InputType::Date) =>
        {
            set_text(value, &format_number(n));
        }
        CellRef::Number { value: n, percent } => {
            // Excel keeps 92.5% as 0.925; percent inputs take percent points. Cut the float
            // noise of × 100 so 0.925 reads 92.5, not 92.50000000000001.
            let n = if percent && kind == InputType::Percent {
                (n * 100.0 * 1e9).round() / 1e9
            } else {
                n
            };
            *value = serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number);
        }
        CellRef::Bool(b) => *value = Value::Bool(b),
        CellRef::Date(s) => set_text(value, s),
        CellRef::Empty | CellRef::Error(_) => set_empty(value),
    }
}

/// An expert-grade input from its columns: every grade of every filled cell, in order (a
/// cell may list several experts' grades: "良、良、中"); null when no cell is filled.
fn set_grades<'a>(value: &mut serde_json::Value, cells: impl Iterator<Item = CellRef<'a>>) {
    use serde_json::Value;
    let mut n = 0;
    let mut filled = false;
    let mut push = |value: &mut Value, grade: &str| {
        if !matches!(value, Value::Array(_)) {
            *value = Value::Array(Vec::new());
        }
        if let Value::Array(items) = value {
            match items.get_mut(n) {
                Some(item) => set_text(item, grade),
                None => items.push(Value::String(grade.to_string())),
            }
        }
        n += 1;
    };
    for cell in cells {
        match cell {
            CellRef::Empty | CellRef::Error(_) => continue,
            CellRef::Text(s) => split_list(s).for_each(|g| push(value, g)),
            CellRef::Number { value: v, .. } => push(value, &format_number(v)),
            CellRef::Date(s) => push(value, s),
            // Not a grade: the cell counts as filled and adds nothing.
            CellRef::Bool(_) => {}
        }
        filled = true;
    }
    match value {
        Value::Array(items) if filled => items.truncate(n),
        _ if filled => *value = Value::Array(Vec::new()),
        _ => *value = Value::Null,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn demo_scorer(headers: &[&str]) -> Scorer {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../rules/demo/rulebook.toml"
        );
        let engine = Engine::new(jixiao::Rulebook::from_path(path).unwrap()).unwrap();
        let matcher = crate::columns::ColumnMatcher::new(&engine);
        let (plan, _) = matcher
            .plan(headers.iter().map(|h| h.to_string()).collect())
            .unwrap();
        let options = EvalOptions {
            trace: false,
            lang: Lang::Zh,
        };
        let layout = Layout::new(&engine, Lang::Zh);
        Scorer::new(engine, Some(plan), options, layout, Output::Csv)
    }

    #[test]
    fn row_errors_come_in_column_order_and_rows_do_not_leak_into_the_next() {
        let scorer = demo_scorer(&[
            "项目编号",
            "申报预算",
            "不适用：P2.1",
            "立项依据充分性（专家评级）#1",
            "立项依据充分性（专家评级）#2",
            "审定预算",
        ]);
        let mut sub = Submission::default();
        let first = [
            CellRef::Text("A-1"),
            CellRef::Error("#DIV/0!"),
            CellRef::Text("也许"),
            CellRef::Text("优"),
            CellRef::Error("#N/A"),
            CellRef::Text("100"),
            CellRef::Text("beyond"),
        ];
        let errors = scorer.fill(first.len(), |i| first[i], &mut sub);
        let located: Vec<(Option<&str>, &str)> = errors
            .iter()
            .map(|e| (e.column.as_deref(), e.code.as_str()))
            .collect();
        assert_eq!(
            located,
            [
                (Some("申报预算"), "cell_error"),
                (Some("不适用：P2.1"), "invalid_mark"),
                (Some("立项依据充分性（专家评级）#2"), "cell_error"),
                (Some("G"), "no_header"),
            ]
        );
        assert_eq!(sub.project.id.as_deref(), Some("A-1"));
        assert_eq!(sub.values["approval_basis"], serde_json::json!(["优"]));
        // The next row, shorter and with other cells filled: nothing of the first is left.
        let second = [CellRef::Empty, CellRef::Text("200")];
        let errors = scorer.fill(second.len(), |i| second[i], &mut sub);
        assert!(errors.is_empty());
        assert_eq!(sub.project.id, None);
        assert_eq!(sub.values["budget_requested"], serde_json::json!("200"));
        assert_eq!(sub.values["approval_basis"], serde_json::Value::Null);
        assert_eq!(sub.values["budget_approved"], serde_json::json!(""));
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    fn value(kind: InputType, cell: CellRef<'_>) -> serde_json::Value {
        let mut v = serde_json::json!("left from the previous row");
        set_value(&mut v, kind, cell);
        v
    }

    #[test]
    fn cells_become_core_values() {
        let pct = value(
            InputType::Percent,
            CellRef::Number {
                value: 0.925,
                percent: true,
            },
        );
        assert_eq!(pct, serde_json::json!(92.5));
        let plain = value(
            InputType::Percent,
            CellRef::Number {
                value: 92.5,
                percent: false,
            },
        );
        assert_eq!(plain, serde_json::json!(92.5));
        let choice = value(
            InputType::Choice,
            CellRef::Number {
                value: 3.0,
                percent: false,
            },
        );
        assert_eq!(choice, serde_json::json!("3"));
        assert_eq!(
            value(InputType::Number, CellRef::Text("1,200")),
            serde_json::json!("1,200")
        );
        // An empty cell reads as not filled in, whatever the previous row left.
        assert_eq!(
            value(InputType::Number, CellRef::Empty),
            serde_json::json!("")
        );
    }

    #[test]
    fn grade_cells_gather_every_experts_grade() {
        let mut v = serde_json::json!(["优", "优", "优", "优"]);
        set_grades(
            &mut v,
            [
                CellRef::Text("良、良，中"),
                CellRef::Empty,
                CellRef::Number {
                    value: 4.0,
                    percent: false,
                },
            ]
            .into_iter(),
        );
        assert_eq!(v, serde_json::json!(["良", "良", "中", "4"]));
        set_grades(&mut v, [CellRef::Text("、")].into_iter());
        assert_eq!(v, serde_json::json!([]));
        set_grades(&mut v, [CellRef::Empty, CellRef::Error("#N/A")].into_iter());
        assert_eq!(v, serde_json::Value::Null);
    }

    #[test]
    fn decimals_print_as_their_display() {
        for text in [
            "0",
            "0.00",
            "0.5",
            "-0.5",
            "9.4",
            "13.92",
            "100",
            "1234567.8912",
            "-3",
            "0.0001",
            "79228162514264337593543950335",
            "-0.000",
        ] {
            let d: Decimal = text.parse().unwrap_or_default();
            let mut out = String::new();
            push_decimal(&mut out, d);
            assert_eq!(out, d.to_string(), "{text}");
        }
        let mut neg_zero = Decimal::ZERO;
        neg_zero.set_sign_negative(true);
        let mut out = String::new();
        push_decimal(&mut out, neg_zero);
        assert_eq!(out, neg_zero.to_string());
    }
}
