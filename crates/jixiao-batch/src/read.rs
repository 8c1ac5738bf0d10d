//! Reading projects from CSV, spreadsheets (XLSX streamed; XLS/XLSB/ODS) and JSON Lines, in
//! chunks handed to a [`FeedSink`]: the CLI's reader thread streams a file of any length
//! through a channel, never holding it whole; the browser reads the bytes of a dropped file.

use crate::columns::ColumnMatcher;
use crate::encoding;
use calamine::{Data, DataRef, Reader};
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;

/// One spreadsheet or CSV cell, typed as far as the file says.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// `percent` when the spreadsheet formats the cell as a percentage (0.925 shown as 92.5%).
    Number {
        value: f64,
        percent: bool,
    },
    Bool(bool),
    /// A date cell, as YYYY-MM-DD.
    Date(String),
    /// An error value such as #DIV/0! or #N/A.
    Error(String),
}

impl Cell {
    /// The cell as a header text.
    pub fn header_text(&self) -> String {
        self.as_ref().header_text()
    }

    pub fn as_ref(&self) -> CellRef<'_> {
        match self {
            Cell::Empty => CellRef::Empty,
            Cell::Text(s) => CellRef::Text(s.trim()),
            Cell::Number { value, percent } => CellRef::Number {
                value: *value,
                percent: *percent,
            },
            Cell::Bool(b) => CellRef::Bool(*b),
            Cell::Date(s) => CellRef::Date(s),
            Cell::Error(s) => CellRef::Error(s),
        }
    }
}

/// A cell borrowed from where it was read: a [`Cell`] of a spreadsheet row, or a field of a
/// CSV record (never copied: the row's submission takes what it needs). Text is trimmed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellRef<'a> {
    Empty,
    Text(&'a str),
    Number { value: f64, percent: bool },
    Bool(bool),
    Date(&'a str),
    Error(&'a str),
}

impl CellRef<'_> {
    /// The cell as a header text.
    pub fn header_text(&self) -> String {
        match self {
            CellRef::Empty => String::new(),
            CellRef::Text(s) | CellRef::Date(s) | CellRef::Error(s) => s.trim().to_string(),
            CellRef::Number { value, .. } => format_number(*value),
            CellRef::Bool(b) => b.to_string(),
        }
    }
}

/// A CSV field as a cell: blank text is an empty cell. Text is trimmed here, once (whoever
/// reads a text cell trims it).
pub fn csv_cell(text: &str) -> CellRef<'_> {
    match text.trim() {
        "" => CellRef::Empty,
        text => CellRef::Text(text),
    }
}

/// 80 rather than 80.0: spreadsheets store every number as a float.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// One input row. `row` is the number a person sees: the spreadsheet row, the CSV record
/// (header = 1) or the JSON Lines line.
#[derive(Debug)]
pub enum RawRow {
    Cells {
        row: u64,
        cells: Vec<Cell>,
    },
    /// A CSV record as read, decoded to cells by the worker that scores it, so that the
    /// reader thread only splits the text into fields.
    Record {
        row: u64,
        record: csv::ByteRecord,
        /// The encoding the text was transcoded from (None: read as UTF-8).
        transcoded_from: Option<&'static str>,
    },
    Json {
        row: u64,
        text: String,
    },
    Unreadable {
        row: u64,
        column: Option<usize>,
        reason: String,
    },
}

impl RawRow {
    pub fn row(&self) -> u64 {
        match self {
            RawRow::Cells { row, .. }
            | RawRow::Record { row, .. }
            | RawRow::Json { row, .. }
            | RawRow::Unreadable { row, .. } => *row,
        }
    }
}

/// What the reader thread sends.
#[derive(Debug)]
pub enum Feed {
    /// The size of the input for the progress bar, in bytes or rows.
    Start {
        total: Option<u64>,
        unit: Unit,
    },
    /// The header row (tabular inputs) and the rows above it that were skipped as titles.
    Header {
        row: u64,
        cells: Vec<String>,
        skipped: Vec<u64>,
    },
    Rows {
        rows: Vec<RawRow>,
        position: u64,
    },
    /// The input cannot be read any further; nothing is written.
    Fatal(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Rows,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Csv,
    Spreadsheet,
    Jsonl,
}

impl InputKind {
    /// The kind a file name's extension says (lower-cased, without the dot), if it says one.
    pub fn from_extension(extension: &str) -> Option<InputKind> {
        match extension {
            "csv" | "tsv" | "txt" => Some(InputKind::Csv),
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Some(InputKind::Spreadsheet),
            "jsonl" | "ndjson" => Some(InputKind::Jsonl),
            _ => None,
        }
    }
}

/// The field delimiter a CSV file's extension implies: tab for .tsv and .txt (what Excel's
/// "Unicode text" saves), else comma.
pub fn default_delimiter(extension: &str) -> u8 {
    match extension {
        "tsv" | "txt" => b'\t',
        _ => b',',
    }
}

/// Where the rows come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file, or `-` for standard input (CSV and JSON Lines only).
    Path(PathBuf),
    /// A file's contents, as a browser has them: `name` is the file name, which messages show
    /// and whose extension tells XLSX from the other workbooks.
    Bytes { name: String, bytes: Arc<[u8]> },
}

impl Source {
    /// The source as messages name it.
    pub fn display(&self) -> String {
        match self {
            Source::Path(path) => path.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }

    /// The file name's extension, lower-cased, without the dot.
    pub fn extension(&self) -> Option<String> {
        let name = match self {
            Source::Path(path) => path.file_name()?.to_string_lossy().into_owned(),
            Source::Bytes { name, .. } => name.clone(),
        };
        Path::new(&name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
    }
}

/// Where the reader sends what it reads. `send` returns false when the receiving side has
/// hung up (a fatal error there): reading stops.
pub trait FeedSink {
    fn send(&mut self, feed: Feed) -> bool;
}

/// The CLI's reader thread, sending to the scoring side.
impl FeedSink for SyncSender<Feed> {
    fn send(&mut self, feed: Feed) -> bool {
        SyncSender::send(self, feed).is_ok()
    }
}

/// Everything read kept in order (the browser's whole-file read).
impl FeedSink for Vec<Feed> {
    fn send(&mut self, feed: Feed) -> bool {
        self.push(feed);
        true
    }
}

#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub source: Source,
    pub kind: InputKind,
    pub encoding: String,
    pub delimiter: u8,
    pub sheet: Option<String>,
    pub header_row: Option<u64>,
    pub chunk_rows: usize,
}

/// How many rows are looked at to find the header below any title rows.
const HEADER_SCAN_ROWS: usize = 10;

/// The receiving side hung up (a fatal error there): stop reading.
struct Stop;

/// Groups rows into chunks, finds the header row and sends both.
struct Emitter<'a> {
    sink: &'a mut dyn FeedSink,
    matcher: Arc<ColumnMatcher>,
    header: HeaderState,
    chunk: Vec<RawRow>,
    chunk_rows: usize,
    position: Arc<AtomicU64>,
}

enum HeaderState {
    /// JSON Lines: no header.
    NotTabular,
    Fixed(u64),
    Scanning(Vec<RawRow>),
    Found,
}

impl Emitter<'_> {
    fn send(&mut self, feed: Feed) -> Result<(), Stop> {
        if self.sink.send(feed) {
            Ok(())
        } else {
            Err(Stop)
        }
    }

    fn start(&mut self, total: Option<u64>, unit: Unit) -> Result<(), Stop> {
        self.send(Feed::Start { total, unit })
    }

    fn push(&mut self, row: RawRow) -> Result<(), Stop> {
        match (&mut self.header, row) {
            (HeaderState::Found | HeaderState::NotTabular, row) => self.push_data(row),
            (HeaderState::Fixed(n), RawRow::Cells { row, cells }) => {
                let n = *n;
                if row == n {
                    self.header = HeaderState::Found;
                    let skipped = Vec::new();
                    self.send(Feed::Header {
                        row,
                        cells: cells.iter().map(Cell::header_text).collect(),
                        skipped,
                    })
                } else if row > n {
                    Err(self.fatal(format!(
                        "第 {n} 行（--header-row）是空行，没有列名 (header row {n} is empty)"
                    )))
                } else {
                    Ok(())
                }
            }
            (HeaderState::Fixed(_), other) => self.push_data(other),
            (HeaderState::Scanning(_), json @ RawRow::Json { .. }) => self.push_data(json),
            // An unreadable line among the first rows cannot be the header but keeps its place.
            (HeaderState::Scanning(pending), row) => {
                pending.push(row);
                if pending.len() >= HEADER_SCAN_ROWS {
                    self.settle_header()
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Picks the header among the rows scanned: the first row naming the most known columns
    /// (title rows such as "2024 年度项目绩效自评表" above the table name none).
    fn settle_header(&mut self) -> Result<(), Stop> {
        let HeaderState::Scanning(pending) =
            std::mem::replace(&mut self.header, HeaderState::Found)
        else {
            return Ok(());
        };
        let texts: Vec<Vec<String>> = pending
            .iter()
            .map(|raw| match raw {
                RawRow::Cells { cells, .. } => cells.iter().map(Cell::header_text).collect(),
                _ => Vec::new(),
            })
            .collect();
        let best = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| t.iter().any(|c| !c.is_empty()))
            .max_by_key(|(i, t)| (self.matcher.recognized(t), std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        let Some(best) = best else {
            // Only empty rows so far: they are no data; keep looking.
            self.header = HeaderState::Scanning(Vec::new());
            return Ok(());
        };
        let skipped = pending[..best].iter().map(RawRow::row).collect();
        let mut rest = pending.into_iter().skip(best);
        let Some(header) = rest.next() else {
            return Ok(());
        };
        let row = header.row();
        self.send(Feed::Header {
            row,
            cells: texts[best].clone(),
            skipped,
        })?;
        for raw in rest {
            self.push_data(raw)?;
        }
        Ok(())
    }

    /// Once the header is known, rows are data: CSV records can go as they are.
    fn header_settled(&self) -> bool {
        matches!(self.header, HeaderState::Found | HeaderState::NotTabular)
    }

    fn push_data(&mut self, row: RawRow) -> Result<(), Stop> {
        self.chunk.push(row);
        if self.chunk.len() >= self.chunk_rows {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Stop> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let rows = std::mem::replace(&mut self.chunk, Vec::with_capacity(self.chunk_rows));
        let position = self.position.load(Ordering::Relaxed);
        self.send(Feed::Rows { rows, position })
    }

    fn finish(&mut self) -> Result<(), Stop> {
        if matches!(&self.header, HeaderState::Scanning(p) if !p.is_empty()) {
            self.settle_header()?;
        }
        match self.header {
            HeaderState::Found | HeaderState::NotTabular => self.flush(),
            HeaderState::Fixed(n) => Err(self.fatal(format!(
                "输入只有不到 {n} 行，找不到 --header-row {n} 指定的列名行 (no row {n} to take headers from)"
            ))),
            HeaderState::Scanning(_) => Err(self.fatal(
                "输入文件没有任何数据（连列名行也没有） (the input has no rows)".to_string(),
            )),
        }
    }

    fn fatal(&mut self, message: String) -> Stop {
        self.sink.send(Feed::Fatal(message));
        Stop
    }
}

/// Reads the input on the calling thread (the CLI's batch runs this on a thread of its own),
/// sending the header, the rows in chunks, and a [`Feed::Fatal`] if the input cannot be read
/// to its end.
pub fn read_all(options: ReadOptions, matcher: Arc<ColumnMatcher>, sink: &mut dyn FeedSink) {
    let header = match (options.kind, options.header_row) {
        (InputKind::Jsonl, _) => HeaderState::NotTabular,
        (_, Some(n)) => HeaderState::Fixed(n),
        (_, None) => HeaderState::Scanning(Vec::new()),
    };
    let mut emitter = Emitter {
        sink,
        matcher,
        header,
        chunk: Vec::with_capacity(options.chunk_rows),
        chunk_rows: options.chunk_rows.max(1),
        position: Arc::new(AtomicU64::new(0)),
    };
    // A reader that panics on a damaged file (calamine does, on some cell references) must not
    // end the input quietly: the rows after it would be lost and the batch would exit 0.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match options.kind {
        InputKind::Csv => read_csv(&options, &mut emitter),
        InputKind::Jsonl => read_jsonl(&options, &mut emitter),
        InputKind::Spreadsheet => read_spreadsheet(&options, &mut emitter),
    }))
    .unwrap_or_else(|_| {
        Err(format!(
            "{} 已损坏，无法读取（读取程序出错），未写入任何结果 (the file is damaged and cannot be read; nothing was written)",
            options.source.display()
        ))
    });
    match outcome {
        Ok(Ok(())) => {
            let _ = emitter.finish();
        }
        Ok(Err(Stop)) => {}
        Err(message) => {
            let _ = emitter.fatal(message);
        }
    }
}

/// Bounds on what one row of an input may hold: past them the row fails with its row and
/// column named, and the rest of the batch goes on where it can.
pub mod limits {
    /// Bytes of one CSV record or JSON Lines line (a line that never ends must not grow the
    /// reader without bound).
    pub const MAX_ROW_BYTES: u64 = 4 << 20;
    /// Characters of one cell: Excel's own limit.
    pub const MAX_CELL_CHARS: usize = 32_767;
    /// Cells of one row: Excel's column limit.
    pub const MAX_CELLS: usize = 16_384;
    /// Bytes one XML part of an XLSX file may inflate to: a million-row sheet is about 600 MB.
    pub const MAX_XLSX_PART_BYTES: u64 = 1 << 30;
    /// Bytes of text between two markup characters in an XLSX part: a cell (at most 32,767
    /// characters) is far shorter; a "cell" that inflates to gigabytes is refused here, before
    /// the spreadsheet reader would hold it whole.
    pub const MAX_XLSX_TEXT_BYTES: u64 = 1 << 20;
}
use limits::{MAX_CELL_CHARS, MAX_CELLS, MAX_ROW_BYTES};

/// The input is a regular file or standard input: a FIFO would be waited on forever, a
/// device read without end.
fn regular_input(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(_) => Err(format!(
            "输入 {} 不是普通文件（目录、设备或管道不能读取；标准输入请用 -） (the input is not a regular file)",
            path.display()
        )),
        Err(e) => Err(format!("无法读取 {}：{e}", path.display())),
    }
}

fn open(source: &Source) -> Result<(Box<dyn Read + Send>, Option<u64>), String> {
    let path = match source {
        Source::Path(path) => path,
        Source::Bytes { bytes, .. } => {
            let len = bytes.len() as u64;
            return Ok((Box::new(Cursor::new(bytes.clone())), Some(len)));
        }
    };
    if path.as_os_str() == "-" {
        return Ok((Box::new(io::stdin()), None));
    }
    regular_input(path)?;
    let file =
        std::fs::File::open(path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
    let len = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(file), len))
}

/// Counts the bytes read from the file, for the progress bar.
struct Counting {
    inner: Box<dyn Read + Send>,
    count: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Stops reading when the row being read passes [`MAX_ROW_BYTES`]: `row_start` is where the
/// current row began, set by the reading loop after each row. What the parser has read ahead
/// (its buffer) is allowed on top.
struct RowLimit<R> {
    inner: R,
    read: u64,
    row_start: u64,
    allowance: u64,
}

/// The error [`RowLimit`] stops with.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row longer than {} MiB", MAX_ROW_BYTES >> 20)
    }
}

impl std::error::Error for RowTooLong {}

impl<R: Read> Read for RowLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read - self.row_start > MAX_ROW_BYTES + self.allowance {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RowTooLong));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

fn is_row_too_long(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<RowTooLong>())
}

/// The row that passed [`MAX_ROW_BYTES`]: it fails, and reading stops there (where the next
/// row would start is unknown), so the rows before it are still scored and written.
fn row_too_long(row: u64) -> RawRow {
    RawRow::Unreadable {
        row,
        column: None,
        reason: format!(
            "该行超过 {} MiB 的上限，其后的行未读取 (the row is longer than {} MiB; the rows after it were not read)",
            MAX_ROW_BYTES >> 20,
            MAX_ROW_BYTES >> 20
        ),
    }
}

/// Too many cells, or a cell longer than Excel allows: the row fails, naming the cell.
fn oversized(row: u64, cells: usize, mut lengths: impl Iterator<Item = usize>) -> Option<RawRow> {
    if cells > MAX_CELLS {
        return Some(RawRow::Unreadable {
            row,
            column: Some(MAX_CELLS),
            reason: format!(
                "该行有 {cells} 列，超过 {MAX_CELLS} 列的上限 (more than {MAX_CELLS} cells)"
            ),
        });
    }
    let column = lengths.position(|chars| chars > MAX_CELL_CHARS)?;
    Some(RawRow::Unreadable {
        row,
        column: Some(column),
        reason: format!(
            "单元格超过 {MAX_CELL_CHARS} 个字符的上限 (a cell longer than {MAX_CELL_CHARS} characters)"
        ),
    })
}

/// Characters of a CSV field, counted only when its bytes could pass the limit.
fn field_chars(field: &[u8]) -> usize {
    if field.len() <= MAX_CELL_CHARS {
        field.len()
    } else {
        String::from_utf8_lossy(field).chars().count()
    }
}

type ReadResult = Result<Result<(), Stop>, String>;

fn read_csv(options: &ReadOptions, emitter: &mut Emitter) -> ReadResult {
    let (file, len) = open(&options.source)?;
    let counting = Counting {
        inner: file,
        count: emitter.position.clone(),
    };
    let (text, encoding) = encoding::utf8_reader(Box::new(counting), &options.encoding)
        .map_err(|e| format!("无法读取 {}：{e}", options.source.display()))?;
    let transcoded = encoding != encoding_rs::UTF_8;
    if emitter.start(len, Unit::Bytes).is_err() {
        return Ok(Err(Stop));
    }
    const BUFFER: usize = 256 * 1024;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter)
        .buffer_capacity(BUFFER)
        .from_reader(RowLimit {
            inner: text,
            read: 0,
            row_start: 0,
            allowance: BUFFER as u64,
        });
    let transcoded_from = transcoded.then(|| encoding.name());
    let mut record = csv::ByteRecord::new();
    let mut row = 0u64;
    loop {
        let read = reader.read_byte_record(&mut record);
        reader.get_mut().row_start = reader.position().byte();
        match read {
            Ok(false) => return Ok(Ok(())),
            Ok(true) => {
                row += 1;
                let lengths = record.iter().map(field_chars);
                let raw = if let Some(refused) = oversized(row, record.len(), lengths) {
                    refused
                } else if emitter.header_settled() {
                    // The next record will be about as long as this one.
                    let next =
                        csv::ByteRecord::with_capacity(record.as_slice().len(), record.len());
                    RawRow::Record {
                        row,
                        record: std::mem::replace(&mut record, next),
                        transcoded_from,
                    }
                } else {
                    record_row(row, &record, transcoded_from)
                };
                if let Err(stop) = emitter.push(raw) {
                    return Ok(Err(stop));
                }
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::Io(io) if is_row_too_long(io) => {
                    return Ok(emitter.push(row_too_long(row + 1)));
                }
                csv::ErrorKind::Io(io) => {
                    return Err(format!("读取 {} 时出错：{io}", options.source.display()));
                }
                _ => {
                    row += 1;
                    let raw = RawRow::Unreadable {
                        row,
                        column: None,
                        reason: format!("CSV 格式错误：{e}"),
                    };
                    if let Err(stop) = emitter.push(raw) {
                        return Ok(Err(stop));
                    }
                }
            },
        }
    }
}

/// Why a CSV record cannot be read: the column at fault and the reason.
pub type Unreadable = (usize, String);

/// The fields of a CSV record as text.
#[derive(Debug, Clone, Copy)]
pub struct RecordText<'a> {
    record: &'a csv::ByteRecord,
    /// All the fields, one after the other.
    text: &'a str,
}

impl<'a> RecordText<'a> {
    pub fn len(&self) -> usize {
        self.record.len()
    }

    pub fn is_empty(&self) -> bool {
        self.record.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.record.range(i).and_then(|r| self.text.get(r))
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// The fields of a CSV record as text, or the first column that is not valid text. The
/// record is checked as one string (its fields are stored one after the other), then each
/// field's ends for character boundaries: cheaper than checking field by field.
pub fn record_text<'a>(
    record: &'a csv::ByteRecord,
    transcoded_from: Option<&str>,
) -> Result<RecordText<'a>, Unreadable> {
    let whole = std::str::from_utf8(record.as_slice()).ok().filter(|text| {
        (0..record.len()).all(|i| {
            record
                .range(i)
                .is_some_and(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
        })
    });
    let Some(text) = whole else {
        let column = record
            .iter()
            .position(|f| std::str::from_utf8(f).is_err())
            .unwrap_or_default();
        return Err((
            column,
            "不是有效的 UTF-8 文本；文件若由中文 Excel 另存为 CSV，请加 --encoding gbk (not UTF-8; try --encoding gbk)"
                .to_string(),
        ));
    };
    let record = RecordText { record, text };
    // The decoder turned bytes that are not valid in the encoding into U+FFFD.
    if let Some(encoding) = transcoded_from
        && text.contains('\u{FFFD}')
        && let Some(column) = record.iter().position(|f| f.contains('\u{FFFD}'))
    {
        return Err((
            column,
            format!(
                "含有无法按 {encoding} 解码的字节；请用 --encoding 指定文件的编码 (bytes not valid in {encoding})"
            ),
        ));
    }
    Ok(record)
}

/// A record above or at the header, decoded here (the header is looked for among them).
fn record_row(row: u64, record: &csv::ByteRecord, transcoded_from: Option<&str>) -> RawRow {
    match record_text(record, transcoded_from) {
        Ok(text) => RawRow::Cells {
            row,
            cells: text
                .iter()
                .map(|f| match csv_cell(f) {
                    CellRef::Empty => Cell::Empty,
                    _ => Cell::Text(f.to_string()),
                })
                .collect(),
        },
        Err((column, reason)) => RawRow::Unreadable {
            row,
            column: Some(column),
            reason,
        },
    }
}

fn read_jsonl(options: &ReadOptions, emitter: &mut Emitter) -> ReadResult {
    let (file, len) = open(&options.source)?;
    let counting = Counting {
        inner: file,
        count: emitter.position.clone(),
    };
    if emitter.start(len, Unit::Bytes).is_err() {
        return Ok(Err(Stop));
    }
    const BUFFER: usize = 256 * 1024;
    let limited = RowLimit {
        inner: counting,
        read: 0,
        row_start: 0,
        allowance: BUFFER as u64,
    };
    let mut reader = BufReader::with_capacity(BUFFER, limited);
    let mut line = Vec::new();
    let mut row = 0u64;
    let mut position = 0u64;
    loop {
        line.clear();
        reader.get_mut().row_start = position;
        let n = match reader.read_until(b'\n', &mut line) {
            Ok(n) => n,
            Err(e) if is_row_too_long(&e) => return Ok(emitter.push(row_too_long(row + 1))),
            Err(e) => return Err(format!("读取 {} 时出错：{e}", options.source.display())),
        };
        if n == 0 {
            return Ok(Ok(()));
        }
        position += n as u64;
        row += 1;
        // A BOM some Windows tools put before the first line.
        let bytes = if row == 1 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line)
        } else {
            &line
        };
        let raw = match std::str::from_utf8(bytes) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => RawRow::Json {
                row,
                text: text.trim_end().to_string(),
            },
            Err(_) => RawRow::Unreadable {
                row,
                column: None,
                reason: "不是有效的 UTF-8 文本 (JSON Lines must be UTF-8)".to_string(),
            },
        };
        if let Err(stop) = emitter.push(raw) {
            return Ok(Err(stop));
        }
    }
}

fn read_spreadsheet(options: &ReadOptions, emitter: &mut Emitter) -> ReadResult {
    let is_xlsx = matches!(options.source.extension().as_deref(), Some("xlsx" | "xlsm"));
    match &options.source {
        Source::Path(path) => {
            regular_input(path)?;
            let open = || std::fs::File::open(path).map(io::BufReader::new);
            let failed = |e: io::Error| format!("无法读取 {}：{e}", path.display());
            if is_xlsx {
                xlsx_within_limits(open().map_err(failed)?, options)?;
                read_xlsx(open().map_err(failed)?, options, emitter)
            } else {
                let workbook = calamine::open_workbook_auto(path)
                    .map_err(|e| format!("无法打开 {}：{e}", path.display()))?;
                read_other_workbook(workbook, options, emitter)
            }
        }
        Source::Bytes { bytes, .. } => {
            let open = || Cursor::new(bytes.clone());
            if is_xlsx {
                xlsx_within_limits(open(), options)?;
                read_xlsx(open(), options, emitter)
            } else {
                let workbook = calamine::open_workbook_auto_from_rs(open())
                    .map_err(|e| format!("无法打开 {}：{e}", options.source.display()))?;
                read_other_workbook(workbook, options, emitter)
            }
        }
    }
}

fn pick_sheet(names: &[String], wanted: Option<&str>, source: &Source) -> Result<String, String> {
    match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "{} 中没有工作表“{w}”（有：{}）",
                    source.display(),
                    names.join("、")
                )
            }),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| format!("{} 中没有工作表", source.display())),
    }
}

/// An XLSX file's XML parts, inflated and looked through without being kept: each within
/// [`MAX_XLSX_PART_BYTES`](limits::MAX_XLSX_PART_BYTES), no text run past
/// [`MAX_XLSX_TEXT_BYTES`](limits::MAX_XLSX_TEXT_BYTES). A file that is no zip at all is left
/// to the spreadsheet reader, whose error says so.
fn xlsx_within_limits(file: impl Read + Seek, options: &ReadOptions) -> Result<(), String> {
    use limits::{MAX_XLSX_PART_BYTES, MAX_XLSX_TEXT_BYTES};
    let Ok(mut zip) = zip::ZipArchive::new(file) else {
        return Ok(());
    };
    let mut buffer = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            return Ok(());
        };
        let Ok(name) = part.name().map(|n| n.to_string()) else {
            return Ok(());
        };
        if !name.ends_with(".xml") {
            continue;
        }
        let refused = |zh: String, en: String| {
            Err(format!(
                "{} 中的 {name} {zh}，不予读取 ({name} in the file {en}; not read)",
                options.source.display()
            ))
        };
        let (mut total, mut run, mut longest) = (0u64, 0u64, 0u64);
        loop {
            let n = match part.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                // A damaged part: the spreadsheet reader reports it.
                Err(_) => return Ok(()),
            };
            total += n as u64;
            if total > MAX_XLSX_PART_BYTES {
                return refused(
                    format!("解压后超过 {} GiB 的上限", MAX_XLSX_PART_BYTES >> 30),
                    format!("inflates past {} GiB", MAX_XLSX_PART_BYTES >> 30),
                );
            }
            for &b in &buffer[..n] {
                if b == b'<' || b == b'>' {
                    longest = longest.max(run);
                    run = 0;
                } else {
                    run += 1;
                }
            }
            if longest.max(run) > MAX_XLSX_TEXT_BYTES {
                return refused(
                    format!(
                        "有一段文字超过 {} MiB（单元格最多 32767 个字符）",
                        MAX_XLSX_TEXT_BYTES >> 20
                    ),
                    format!(
                        "holds a text longer than {} MiB (a cell holds at most 32,767 characters)",
                        MAX_XLSX_TEXT_BYTES >> 20
                    ),
                );
            }
        }
    }
    Ok(())
}

/// XLSX streamed cell by cell: memory stays flat however many rows the sheet has.
fn read_xlsx(file: impl Read + Seek, options: &ReadOptions, emitter: &mut Emitter) -> ReadResult {
    let mut workbook = calamine::Xlsx::new(file)
        .map_err(|e| format!("无法打开 {}：{e}", options.source.display()))?;
    let sheet = pick_sheet(
        &workbook.sheet_names(),
        options.sheet.as_deref(),
        &options.source,
    )?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| format!("无法读取工作表“{sheet}”：{e}"))?;
    // Excel stores 92.5% as 0.925 with a percent number format; remember which styles are
    // percentages so such a cell reads as 92.5 for a percent input.
    let percent_styles: Vec<bool> = cells
        .styles()
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .is_some_and(|f| is_percent_format(&f.format_code))
        })
        .collect();
    let dims = cells.dimensions();
    let total = u64::from(dims.end.0.saturating_sub(dims.start.0)) + 1;
    if emitter.start(Some(total), Unit::Rows).is_err() {
        return Ok(Err(Stop));
    }
    let mut current: Option<(u32, Vec<Cell>)> = None;
    let mut done = 0u64;
    loop {
        let next = cells
            .next_cell_with_style_id()
            .map_err(|e| format!("读取工作表“{sheet}”时出错：{e}"))?;
        let Some((cell, style)) = next else { break };
        let (row, column) = cell.get_position();
        if current.as_ref().is_some_and(|(r, _)| *r != row)
            && let Some((r, values)) = current.take()
        {
            done += 1;
            emitter.position.store(done, Ordering::Relaxed);
            if let Err(stop) = push_sheet_row(emitter, r, values) {
                return Ok(Err(stop));
            }
        }
        let (_, values) = current.get_or_insert_with(|| (row, Vec::new()));
        let column = column as usize;
        if column >= MAX_CELLS {
            // A cell reference past Excel's last column: the row is refused (below) rather
            // than widened to it.
            values.resize(MAX_CELLS + 1, Cell::Empty);
            continue;
        }
        if values.len() <= column {
            values.resize(column + 1, Cell::Empty);
        }
        let percent = percent_styles.get(style).copied().unwrap_or(false);
        values[column] = from_data_ref(cell.get_value(), percent);
    }
    if let Some((r, values)) = current.take() {
        emitter.position.store(total, Ordering::Relaxed);
        if let Err(stop) = push_sheet_row(emitter, r, values) {
            return Ok(Err(stop));
        }
    }
    Ok(Ok(()))
}

/// XLS, XLSB and ODS through calamine's ranges (read whole; these formats cannot stream).
/// Percent formats are not known here: type percentages as 92.5 or "92.5%".
fn read_other_workbook<RS: Read + Seek>(
    mut workbook: calamine::Sheets<RS>,
    options: &ReadOptions,
    emitter: &mut Emitter,
) -> ReadResult {
    let sheet = pick_sheet(
        &workbook.sheet_names(),
        options.sheet.as_deref(),
        &options.source,
    )?;
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| format!("无法读取工作表“{sheet}”：{e}"))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    if emitter
        .start(Some(range.height() as u64), Unit::Rows)
        .is_err()
    {
        return Ok(Err(Stop));
    }
    for (i, row) in range.rows().enumerate() {
        let mut values = vec![Cell::Empty; first_col as usize];
        values.extend(row.iter().map(from_data));
        emitter.position.store(i as u64 + 1, Ordering::Relaxed);
        let r = first_row + u32::try_from(i).unwrap_or(u32::MAX);
        if let Err(stop) = push_sheet_row(emitter, r, values) {
            return Ok(Err(stop));
        }
    }
    Ok(Ok(()))
}

/// Rows with nothing in them (spacing rows, formatting only) are not projects.
fn push_sheet_row(
    emitter: &mut Emitter,
    zero_based_row: u32,
    cells: Vec<Cell>,
) -> Result<(), Stop> {
    if cells.iter().all(|c| *c == Cell::Empty) {
        return Ok(());
    }
    let row = u64::from(zero_based_row) + 1;
    let lengths = cells.iter().map(|c| match c {
        Cell::Text(s) => field_chars(s.as_bytes()),
        _ => 0,
    });
    if let Some(refused) = oversized(row, cells.len(), lengths) {
        return emitter.push(refused);
    }
    emitter.push(RawRow::Cells { row, cells })
}

fn is_percent_format(code: &str) -> bool {
    // A % outside quoted literals ("0.00%", not "\"%\"0").
    let mut quoted = false;
    let mut escaped = false;
    for ch in code.chars() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

fn excel_date(dt: &calamine::ExcelDateTime) -> Cell {
    if dt.is_datetime() {
        let (y, m, d, ..) = dt.to_ymd_hms_milli();
        Cell::Date(format!("{y:04}-{m:02}-{d:02}"))
    } else {
        Cell::Text(dt.to_string())
    }
}

fn from_data_ref(value: &DataRef<'_>, percent: bool) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number {
            value: *i as f64,
            percent,
        },
        DataRef::Float(f) => Cell::Number { value: *f, percent },
        DataRef::String(s) => text_cell(s),
        DataRef::SharedString(s) => text_cell(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => excel_date(dt),
        DataRef::DateTimeIso(s) => Cell::Date(s.chars().take(10).collect()),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn from_data(value: &Data) -> Cell {
    match value {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number {
            value: *i as f64,
            percent: false,
        },
        Data::Float(f) => Cell::Number {
            value: *f,
            percent: false,
        },
        Data::String(s) => text_cell(s),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => excel_date(dt),
        Data::DateTimeIso(s) => Cell::Date(s.chars().take(10).collect()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

fn text_cell(s: &str) -> Cell {
    if s.trim().is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0.00%"));
        assert!(is_percent_format("0%"));
        assert!(!is_percent_format("General"));
        assert!(!is_percent_format("0\"%\""));
        assert!(!is_percent_format("0\\%"));
    }

    #[test]
    fn numbers_print_as_typed() {
        assert_eq!(format_number(80.0), "80");
        assert_eq!(format_number(2104.8), "2104.8");
    }
}
