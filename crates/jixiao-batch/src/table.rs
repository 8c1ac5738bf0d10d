//! A whole table scored in memory: what the browser workspace does with a dropped file of a
//! few hundred projects. The same reader, column plan and row scorer as `jixiao batch`, so a
//! file gives the same per-row errors and the same scores in both; what differs is only that
//! each row keeps its submission (to become a project) and its scorecard.

use crate::columns::{Column, ColumnMatcher, ColumnPlan, Mapping, Warning};
use crate::read::{self, Feed, FeedSink, InputKind, RawRow, ReadOptions, Source};
use crate::row::{Layout, Output, RowError, RowOut, RowResult, RowStatus, Scorer, Scratch};
use jixiao::{Engine, EvalOptions, Lang, ProblemCode, Scorecard, Submission};
use serde::Serialize;
use std::sync::Arc;

/// Rows read per chunk: the reader's unit, of no consequence in memory.
const CHUNK_ROWS: usize = 256;

/// How a table is read and scored.
#[derive(Debug, Clone)]
pub struct TableOptions {
    /// Text encoding of a CSV file: `auto` or a label (utf-8, gbk, gb18030…).
    pub encoding: String,
    /// The worksheet to read (default: the first).
    pub sheet: Option<String>,
    /// The row holding the column names, 1-based (default: found among the first 10 rows).
    pub header_row: Option<u64>,
    /// What columns hold where their headers do not say.
    pub mapping: Mapping,
    pub lang: Lang,
    /// Most projects taken: a file with more is refused whole, never cut short.
    pub max_rows: usize,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            encoding: "auto".into(),
            sheet: None,
            header_row: None,
            mapping: Mapping::new(),
            lang: Lang::Zh,
            max_rows: 5_000,
        }
    }
}

/// A table's projects, each scored, with what its header said.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredTable {
    /// The row the column names were taken from (None for JSON Lines).
    pub header_row: Option<u64>,
    /// Title rows above the header, skipped.
    pub skipped_rows: Vec<u64>,
    /// Every column, in file order, and what it was read as.
    pub columns: Vec<ColumnInfo>,
    pub warnings: Vec<Warning>,
    pub rows: Vec<ScoredRow>,
}

/// What one column was read as.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnInfo {
    pub header: String,
    /// What it holds, in the words of a [`Mapping`] target: an input id, `project.id`,
    /// `project.name`, `project.FIELD`, `不适用`, `不适用:ID`, `备注:ID`, or `ignore`; None
    /// for a header that names nothing.
    pub target: Option<String>,
    /// The input's label, for an input column.
    pub label: Option<String>,
}

/// One project of the table.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredRow {
    /// The row number a person sees (spreadsheet row, CSV record, JSON Lines line).
    pub row: u64,
    pub status: RowStatus,
    pub errors: Vec<RowError>,
    /// What its cells say, inputs left empty omitted (None when the row could not be read).
    pub submission: Option<Submission>,
    pub scorecard: Option<Scorecard>,
}

/// Why a table was refused whole; the message is a sentence for the person who gave the file
/// (zh, then en in brackets).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct TableError {
    /// `io` (the file cannot be read: format, encoding, damage), `unknown_input` (the header
    /// or a mapping names no input), `limit_exceeded` (more rows than taken).
    pub code: ProblemCode,
    pub message: String,
}

impl TableError {
    fn new(code: ProblemCode, message: String) -> Self {
        TableError { code, message }
    }
}

/// Collects what the reader sends, stopping once more than `max_rows` rows came.
struct Collect {
    feeds: Vec<Feed>,
    rows: usize,
    max_rows: usize,
}

impl FeedSink for Collect {
    fn send(&mut self, feed: Feed) -> bool {
        if let Feed::Rows { rows, .. } = &feed {
            self.rows += rows.len();
        }
        self.feeds.push(feed);
        self.rows <= self.max_rows
    }
}

/// A table as read: its header (where it was, the title rows above it, the column plan and
/// what the plan warns of; none for JSON Lines) and its rows, in the reader's chunks.
struct ReadTable {
    header: Option<Header>,
    chunks: Vec<Vec<RawRow>>,
}

struct Header {
    row: u64,
    skipped: Vec<u64>,
    plan: ColumnPlan,
    warnings: Vec<Warning>,
}

/// Reads a whole table with the batch's reader, its header planned with the mapping. More
/// than `max_rows` rows refuse the table whole: a table is never cut short.
fn read_table(
    matcher: Arc<ColumnMatcher>,
    read_options: ReadOptions,
    options: &TableOptions,
) -> Result<ReadTable, TableError> {
    let mut collect = Collect {
        feeds: Vec::new(),
        rows: 0,
        max_rows: options.max_rows,
    };
    read::read_all(read_options, matcher.clone(), &mut collect);
    if collect.rows > options.max_rows {
        return Err(TableError::new(
            ProblemCode::LimitExceeded,
            format!(
                "文件的项目超过 {} 行，工作台不导入；请分成几个文件，或用命令行 jixiao batch 评分 (more than {} projects: split the file or use jixiao batch)",
                options.max_rows, options.max_rows
            ),
        ));
    }
    let mut table = ReadTable {
        header: None,
        chunks: Vec::new(),
    };
    for feed in collect.feeds {
        match feed {
            Feed::Start { .. } => {}
            Feed::Header {
                row,
                cells,
                skipped,
            } => {
                let (plan, warnings) = matcher
                    .plan_with(cells, &options.mapping)
                    .map_err(|m| TableError::new(ProblemCode::UnknownInput, m))?;
                table.header = Some(Header {
                    row,
                    skipped,
                    plan,
                    warnings,
                });
            }
            Feed::Rows { rows, .. } => table.chunks.push(rows),
            Feed::Fatal(message) => return Err(TableError::new(ProblemCode::Io, message)),
        }
    }
    Ok(table)
}

/// Reads and scores a whole table. `source` names the file: its extension says CSV (.csv,
/// .tsv, .txt), spreadsheet (.xlsx, .xlsm, .xls, .xlsb, .ods) or JSON Lines (.jsonl).
pub fn score_table(
    engine: &Engine,
    source: Source,
    options: &TableOptions,
) -> Result<ScoredTable, TableError> {
    let extension = source.extension().unwrap_or_default();
    let kind = InputKind::from_extension(&extension).ok_or_else(|| {
        TableError::new(ProblemCode::Io, format!(
            "无法从文件名判断 {} 的格式：请用 .xlsx、.xls、.ods、.csv 或 .jsonl 文件 (cannot tell the file's format from its name)",
            source.display()
        ))
    })?;
    let matcher = Arc::new(ColumnMatcher::new(engine));
    let read_options = ReadOptions {
        source,
        kind,
        encoding: options.encoding.clone(),
        delimiter: read::default_delimiter(&extension),
        sheet: options.sheet.clone(),
        header_row: options.header_row,
        chunk_rows: CHUNK_ROWS,
    };
    let read = read_table(matcher, read_options, options)?;
    let mut table = ScoredTable {
        header_row: None,
        skipped_rows: Vec::new(),
        columns: Vec::new(),
        warnings: Vec::new(),
        rows: Vec::new(),
    };
    let plan = read.header.map(|h| {
        table.header_row = Some(h.row);
        table.skipped_rows = h.skipped;
        table.columns = describe(&h.plan);
        table.warnings = h.warnings;
        h.plan
    });
    let rows: Vec<RawRow> = read.chunks.into_iter().flatten().collect();
    let eval = EvalOptions {
        trace: false,
        lang: options.lang,
    };
    let layout = Layout::new(engine, options.lang);
    let scorer = Scorer::new(engine.clone(), plan, eval, layout, Output::Kept);
    let part = scorer.score_part(rows, &mut Scratch::default());
    table.rows = part
        .rows
        .into_iter()
        .map(|r| {
            let kept = match r.out {
                RowOut::Kept(kept) => *kept,
                _ => Default::default(),
            };
            ScoredRow {
                row: r.row,
                status: r.status,
                errors: r.errors,
                submission: kept.submission,
                scorecard: kept.scorecard,
            }
        })
        .collect();
    Ok(table)
}

/// Each column as a mapping target, so that a page can show it and let it be changed.
fn describe(plan: &ColumnPlan) -> Vec<ColumnInfo> {
    plan.headers
        .iter()
        .zip(&plan.columns)
        .map(|(header, column)| {
            let input = match column {
                Column::Input(i) | Column::GradePart(i) => plan.inputs.get(*i),
                _ => None,
            };
            let target = match column {
                Column::Input(_) | Column::GradePart(_) => input.map(|i| i.id.clone()),
                Column::ProjectId => Some("project.id".into()),
                Column::ProjectName => Some("project.name".into()),
                Column::ProjectExtra(field) => Some(format!("project.{field}")),
                Column::NotApplicableList => Some("不适用".into()),
                Column::NotApplicable(id) => Some(format!("不适用:{id}")),
                Column::Note(id) => Some(format!("备注:{id}")),
                Column::Ignored => Some("ignore".into()),
                Column::Unknown => None,
            };
            ColumnInfo {
                header: header.clone(),
                target,
                label: input.map(|i| i.label.clone()),
            }
        })
        .collect()
}

/// The XLSX result `jixiao batch` writes, for submissions given as JSON (the browser's
/// projects, in list order: a project's 行号 is its place in the list). Each is scored as a
/// line of a JSON Lines batch would be.
#[cfg(feature = "xlsx")]
pub fn results_xlsx(
    engine: &Engine,
    submissions: Vec<String>,
    lang: Lang,
) -> Result<Vec<u8>, String> {
    use crate::xlsx::ResultsWorkbook;
    let rows = submissions
        .into_iter()
        .zip(1u64..)
        .map(|(text, row)| RawRow::Json { row, text })
        .collect();
    let layout = Layout::new(engine, lang);
    let mut book = ResultsWorkbook::new(&layout, lang, false)?;
    let eval = EvalOptions { trace: false, lang };
    let scorer = Scorer::new(engine.clone(), None, eval, layout, Output::Table);
    let part = scorer.score_part(rows, &mut Scratch::default());
    let count = |status: RowStatus| part.rows.iter().filter(|r| r.status == status).count();
    let reference = engine.reference();
    let about = [
        (
            "评价方案 rulebook",
            format!(
                "{} {}（{}）",
                reference.id,
                reference.version,
                engine.rulebook().spec().title
            ),
        ),
        ("方案哈希 rulebook hash", reference.hash.to_string()),
        ("引擎版本 engine", jixiao::ENGINE_VERSION.to_string()),
        ("已评分 scored", count(RowStatus::Scored).to_string()),
        (
            "不完整 incomplete",
            count(RowStatus::Incomplete).to_string(),
        ),
        ("失败 failed", count(RowStatus::Failed).to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    book.write(std::slice::from_ref(&part))?;
    let mut workbook = book.finish(about)?;
    workbook
        .save_to_buffer()
        .map_err(|e| format!("写入 XLSX 失败：{e}"))
}

/// Rows of cells (a data frame's, one project per row) under `headers` as a file's header row
/// would name them, scored as `jixiao batch` scores a spreadsheet's rows: the same column plan
/// and mapping, the same reading of each cell and the same per-row errors. The plan is made
/// once; rows come in blocks (a frame read slice by slice), each scored on the global thread
/// pool with the `parallel` feature, in chunks, as the CLI's batch does.
#[allow(missing_debug_implementations)] // Holds the engine and the plan, nothing to show.
pub struct CellScorer {
    scorer: Scorer,
    layout: Layout,
}

impl CellScorer {
    /// Plans the columns, with what the plan warns of (columns that name nothing, required
    /// inputs without a column). Headers of which none names an input are refused, as a
    /// file's are.
    pub fn new(
        engine: &Engine,
        headers: Vec<String>,
        options: &TableOptions,
    ) -> Result<(Self, Vec<Warning>), TableError> {
        let (plan, warnings) = ColumnMatcher::new(engine)
            .plan_with(headers, &options.mapping)
            .map_err(|m| TableError::new(ProblemCode::UnknownInput, m))?;
        let eval = EvalOptions {
            trace: false,
            lang: options.lang,
        };
        let layout = Layout::new(engine, options.lang);
        let scorer = Scorer::new(
            engine.clone(),
            Some(plan),
            eval,
            layout.clone(),
            Output::Table,
        );
        Ok((CellScorer { scorer, layout }, warnings))
    }

    /// The result table's columns.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Scores a block of rows, numbered from `first_row` (1 for a frame's first project).
    pub fn score(&self, first_row: u64, rows: Vec<Vec<read::Cell>>) -> Vec<RowResult> {
        let mut chunks: Vec<Vec<RawRow>> = Vec::with_capacity(rows.len() / CHUNK_ROWS + 1);
        for (row, cells) in (first_row..).zip(rows) {
            if chunks.last().is_none_or(|c| c.len() == CHUNK_ROWS) {
                chunks.push(Vec::with_capacity(CHUNK_ROWS));
            }
            if let Some(chunk) = chunks.last_mut() {
                chunk.push(RawRow::Cells { row, cells });
            }
        }
        let score = |rows: Vec<RawRow>| self.scorer.score_part(rows, &mut Scratch::default()).rows;
        #[cfg(feature = "parallel")]
        let parts: Vec<Vec<RowResult>> = {
            use rayon::prelude::*;
            chunks.into_par_iter().map(score).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let parts: Vec<Vec<RowResult>> = chunks.into_iter().map(score).collect();
        parts.into_iter().flatten().collect()
    }
}
