//! Result files: CSV, XLSX (results, findings, errors and an about sheet) or JSON Lines. Each
//! is written to a temporary file next to the destination and renamed over it only when the
//! whole batch has been written, so an interrupted run never leaves a half-written result
//! where a complete one is expected.

use jixiao::{Decimal, Lang};
use jixiao_batch::encoding::EncodingWriter;
use jixiao_batch::row::{
    Layout, Part, RowOut, RowResult, ScoreCell, TableRow, push_findings, push_problems,
};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Csv,
    Xlsx,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Gb18030,
}

/// Facts for the about sheet of an XLSX result.
#[derive(Debug, Clone)]
pub struct About {
    pub rows: Vec<(String, String)>,
}

/// Where the bytes go until the batch is complete.
#[derive(Debug)]
enum Destination {
    Stdout,
    Temp { temp: NamedTempFile, path: PathBuf },
}

impl Destination {
    fn new(path: &Path) -> Result<Self, String> {
        if path.as_os_str() == "-" {
            return Ok(Destination::Stdout);
        }
        refuse_unless_regular(path)?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Same directory, so the final rename is atomic; a leading dot hides it in listings.
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".part");
        #[cfg(unix)]
        {
            // A result file others in the office can read, as any other file the user
            // writes (temporary files are private by default).
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let temp = builder
            .tempfile_in(&dir)
            .map_err(|e| format!("无法在 {} 旁创建临时文件：{e}", path.display()))?;
        interrupt::remove_on_signal(temp.path());
        Ok(Destination::Temp {
            temp,
            path: path.to_path_buf(),
        })
    }

    fn writer(&self) -> io::Result<Box<dyn Write + Send>> {
        match self {
            Destination::Stdout => Ok(Box::new(io::stdout())),
            Destination::Temp { temp, .. } => Ok(Box::new(temp.reopen()?)),
        }
    }

    fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout => Ok(()),
            Destination::Temp { temp, path } => {
                temp.as_file().sync_all()?;
                let done = temp.persist(&path).map(|_| ()).map_err(|e| e.error);
                interrupt::forget();
                done
            }
        }
    }
}

/// `-o` names a regular file (replaced when the batch is complete) or a new one: a
/// directory, device, pipe or symlink there is refused before anything is written (a device
/// or a symlink would otherwise become a regular file).
fn refuse_unless_regular(path: &Path) -> Result<(), String> {
    let refused = |zh: &str, en: &str| {
        Err(format!(
            "结果文件 {} {zh}，未写入任何内容 (the result path {en}; nothing was written)",
            path.display()
        ))
    };
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => refused(
            "是符号链接，请直接给出目标文件",
            "is a symlink: name its target",
        ),
        Ok(meta) if meta.is_dir() => refused("是目录", "is a directory"),
        Ok(meta) if !meta.is_file() => refused(
            "不是普通文件（设备、管道或套接字）",
            "is not a regular file (a device, pipe or socket)",
        ),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("无法访问结果文件 {}：{e}", path.display())),
    }
}

/// The temporary result file, removed if the batch is stopped by Ctrl-C or `kill` (a drop
/// never runs then).
mod interrupt {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, Once, PoisonError};

    static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

    pub(super) fn remove_on_signal(path: &Path) {
        *PENDING.lock().unwrap_or_else(PoisonError::into_inner) = Some(path.to_path_buf());
        static HANDLER: Once = Once::new();
        HANDLER.call_once(|| {
            // If no handler can be installed, a stopped batch leaves its `.part` file, as
            // before: no reason to refuse the batch.
            let _ = ctrlc::set_handler(|| {
                if let Some(path) = PENDING
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                {
                    let _ = std::fs::remove_file(path);
                }
                eprintln!("已中断，未写入结果 (interrupted; no result was written)");
                // 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.
                std::process::exit(130);
            });
        });
    }

    /// The temporary file is now the result (or gone): nothing to remove any more.
    pub(super) fn forget() {
        PENDING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

pub trait Sink: Send {
    fn write(&mut self, parts: &[Part]) -> Result<(), String>;
    /// Completes the file and moves it into place.
    fn finish(self: Box<Self>, about: About) -> Result<(), String>;
}

pub fn create(
    kind: OutputKind,
    path: &Path,
    layout: &Layout,
    lang: Lang,
    encoding: TextEncoding,
) -> Result<Box<dyn Sink>, String> {
    let destination = Destination::new(path)?;
    let headers = result_headers(layout, lang);
    match kind {
        OutputKind::Csv => Ok(Box::new(CsvSink::new(destination, headers, encoding)?)),
        OutputKind::Jsonl => {
            let out = destination.writer().map_err(|e| e.to_string())?;
            Ok(Box::new(JsonlSink {
                out: BufWriter::with_capacity(256 * 1024, out),
                destination,
            }))
        }
        OutputKind::Xlsx => {
            if matches!(destination, Destination::Stdout) {
                return Err(
                    "XLSX 结果不能写到标准输出，请用 -o 指定文件 (XLSX cannot go to stdout)".into(),
                );
            }
            Ok(Box::new(
                XlsxSink::new(destination, headers, lang).map_err(xlsx_error)?,
            ))
        }
    }
}

fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { zh }
}

fn result_headers(layout: &Layout, lang: Lang) -> Vec<String> {
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
fn problems_text(r: &RowResult, table: &TableRow, lang: Lang) -> String {
    let mut text = String::new();
    push_problems(&mut text, &r.errors, &table.missing, lang);
    text
}

fn findings_text(table: &TableRow) -> String {
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

// ------------------------------------------------------------------------------------ CSV

struct CsvSink {
    out: Box<dyn Write + Send>,
    destination: Destination,
}

impl CsvSink {
    fn new(
        destination: Destination,
        headers: Vec<String>,
        encoding: TextEncoding,
    ) -> Result<Self, String> {
        let raw = destination.writer().map_err(|e| e.to_string())?;
        let mut out: Box<dyn Write + Send> = Box::new(BufWriter::with_capacity(256 * 1024, raw));
        match encoding {
            // Excel on Windows reads a BOM-less CSV as GBK and garbles UTF-8 Chinese.
            TextEncoding::Utf8Bom => out.write_all(b"\xEF\xBB\xBF").map_err(|e| e.to_string())?,
            TextEncoding::Utf8 => {}
            // GB18030 has no state to close: flushing the writer completes the text.
            TextEncoding::Gb18030 => out = Box::new(EncodingWriter::new(out, encoding_rs::GB18030)),
        }
        let mut header = csv::WriterBuilder::new().from_writer(Vec::new());
        header.write_record(&headers).map_err(|e| e.to_string())?;
        let header = header.into_inner().map_err(|e| e.error().to_string())?;
        out.write_all(&header).map_err(|e| e.to_string())?;
        Ok(CsvSink { out, destination })
    }
}

impl Sink for CsvSink {
    fn write(&mut self, parts: &[Part]) -> Result<(), String> {
        for part in parts {
            self.out
                .write_all(&part.csv)
                .map_err(|e| format!("写入结果失败：{e}"))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>, _about: About) -> Result<(), String> {
        let CsvSink {
            mut out,
            destination,
        } = *self;
        out.flush().map_err(|e| format!("写入结果失败：{e}"))?;
        drop(out);
        destination
            .commit()
            .map_err(|e| format!("无法保存结果：{e}"))
    }
}

// ------------------------------------------------------------------------------ JSON Lines

struct JsonlSink {
    out: BufWriter<Box<dyn Write + Send>>,
    destination: Destination,
}

impl Sink for JsonlSink {
    fn write(&mut self, parts: &[Part]) -> Result<(), String> {
        for r in parts.iter().flat_map(|p| &p.rows) {
            let line = match &r.out {
                RowOut::Json(line) => line.as_str(),
                _ => "{}",
            };
            self.out
                .write_all(line.as_bytes())
                .and_then(|()| self.out.write_all(b"\n"))
                .map_err(|e| format!("写入结果失败：{e}"))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, _about: About) -> Result<(), String> {
        self.out.flush().map_err(|e| e.to_string())?;
        let JsonlSink { out, destination } = *self;
        drop(out);
        destination
            .commit()
            .map_err(|e| format!("无法保存结果：{e}"))
    }
}

// ------------------------------------------------------------------------------------ XLSX

/// The largest row index an XLSX sheet has (1,048,576 rows, the header is row 0).
const XLSX_MAX_ROW: u32 = 1_048_575;

const RESULTS: usize = 0;
const FINDINGS: usize = 1;
const ERRORS: usize = 2;

/// One kind of rows (results, findings, errors) over as many worksheets as it needs: past
/// Excel's row limit, 扣分原因 continues in 扣分原因 (2), (3)… — nothing is dropped.
struct SheetSeries {
    name: &'static str,
    headers: Vec<String>,
    /// Worksheet indices in the workbook, in order; the last one is being filled.
    sheets: Vec<usize>,
    /// The next row of the last worksheet.
    next: u32,
}

struct XlsxSink {
    workbook: Workbook,
    destination: Destination,
    lang: Lang,
    series: [SheetSeries; 3],
    bold: Format,
    score: Format,
}

fn xlsx_error(e: XlsxError) -> String {
    format!("写入 XLSX 失败：{e}")
}

impl XlsxSink {
    fn new(destination: Destination, headers: Vec<String>, lang: Lang) -> Result<Self, XlsxError> {
        let bold = Format::new().set_bold();
        let score = Format::new().set_num_format("0.00");
        let series = |name: &'static str, headers: Vec<String>| SheetSeries {
            name,
            headers,
            sheets: Vec::new(),
            next: 1,
        };
        let mut sink = XlsxSink {
            workbook: Workbook::new(),
            destination,
            lang,
            series: [
                series(tr(lang, "评价结果", "Results"), headers),
                series(
                    tr(lang, "扣分原因", "Findings"),
                    [
                        tr(lang, "行号", "row"),
                        tr(lang, "项目编号", "project_id"),
                        tr(lang, "项目名称", "project_name"),
                        tr(lang, "指标", "indicator"),
                        tr(lang, "指标名称", "indicator_label"),
                        tr(lang, "扣分", "deduction"),
                        tr(lang, "扣分原因", "finding"),
                    ]
                    .map(String::from)
                    .to_vec(),
                ),
                series(
                    tr(lang, "错误", "Errors"),
                    [
                        tr(lang, "行号", "row"),
                        tr(lang, "项目编号", "project_id"),
                        tr(lang, "列", "column"),
                        tr(lang, "指标", "indicator"),
                        tr(lang, "代码", "code"),
                        tr(lang, "原因", "reason"),
                    ]
                    .map(String::from)
                    .to_vec(),
                ),
            ],
            bold,
            score,
        };
        for kind in [RESULTS, FINDINGS, ERRORS] {
            sink.add_sheet(kind)?;
        }
        Ok(sink)
    }

    /// A new worksheet for `kind`, with its header row: "扣分原因", then "扣分原因 (2)"…
    fn add_sheet(&mut self, kind: usize) -> Result<(), XlsxError> {
        let series = &mut self.series[kind];
        let name = match series.sheets.len() {
            0 => series.name.to_string(),
            n => format!("{} ({})", series.name, n + 1),
        };
        // Constant memory: each row goes to a temporary file as soon as the next starts,
        // so a million-row result does not sit in memory.
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(&name)?;
        for (c, h) in series.headers.iter().enumerate() {
            let width = if c < 3 {
                14.0
            } else if h.chars().count() > 8 {
                16.0
            } else {
                10.0
            };
            sheet.set_column_width(c as u16, width)?;
            sheet.write_string_with_format(0, c as u16, h, &self.bold)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let index = self.workbook.worksheets().len() - 1;
        series.sheets.push(index);
        series.next = 1;
        Ok(())
    }

    /// The worksheet and row for the next row of `kind`, starting a new worksheet when the
    /// current one is full.
    fn take_row(&mut self, kind: usize) -> Result<(usize, u32), XlsxError> {
        if self.series[kind].next > XLSX_MAX_ROW {
            self.add_sheet(kind)?;
        }
        let series = &mut self.series[kind];
        let row = series.next;
        series.next += 1;
        Ok((series.sheets[series.sheets.len() - 1], row))
    }

    fn write_row(&mut self, r: &RowResult) -> Result<(), XlsxError> {
        let lang = self.lang;
        let RowOut::Table(t) = &r.out else {
            return Err(XlsxError::ParameterError(
                "internal: not a table row".to_string(),
            ));
        };
        {
            let (index, row) = self.take_row(RESULTS)?;
            let score = self.score.clone();
            let sheet = self.workbook.worksheet_from_index(index)?;
            sheet.write_number(row, 0, r.row as f64)?;
            write_opt(sheet, row, 1, t.project_id.as_deref())?;
            write_opt(sheet, row, 2, t.project_name.as_deref())?;
            sheet.write_string(row, 3, r.status.label(lang))?;
            if let Some(total) = t.total {
                sheet.write_number_with_format(row, 4, decimal_f64(total), &score)?;
            }
            write_opt(sheet, row, 5, t.grade.as_deref())?;
            let mut col = 6u16;
            for cell in t.dimensions.iter().chain(&t.indicators) {
                match cell {
                    ScoreCell::Score(d) => {
                        sheet.write_number_with_format(row, col, decimal_f64(*d), &score)?;
                    }
                    ScoreCell::NotApplicable => {
                        sheet.write_string(row, col, tr(lang, "不适用", "N/A"))?;
                    }
                    ScoreCell::Blank => {}
                }
                col += 1;
            }
            let problems = problems_text(r, t, lang);
            if !problems.is_empty() {
                sheet.write_string(row, col, &problems)?;
            }
            let findings = findings_text(t);
            if !findings.is_empty() {
                sheet.write_string(row, col + 1, &findings)?;
            }
        }
        for f in &t.findings {
            let (index, row) = self.take_row(FINDINGS)?;
            let sheet = self.workbook.worksheet_from_index(index)?;
            sheet.write_number(row, 0, r.row as f64)?;
            write_opt(sheet, row, 1, t.project_id.as_deref())?;
            write_opt(sheet, row, 2, t.project_name.as_deref())?;
            sheet.write_string(row, 3, &*f.indicator)?;
            sheet.write_string(row, 4, &*f.label)?;
            if let Some(d) = f.deduction {
                sheet.write_number(row, 5, decimal_f64(d))?;
            }
            sheet.write_string(row, 6, &f.message)?;
        }
        for e in &r.errors {
            let (index, row) = self.take_row(ERRORS)?;
            let sheet = self.workbook.worksheet_from_index(index)?;
            sheet.write_number(row, 0, r.row as f64)?;
            write_opt(sheet, row, 1, t.project_id.as_deref())?;
            write_opt(sheet, row, 2, e.column.as_deref())?;
            write_opt(sheet, row, 3, e.indicator.as_deref())?;
            sheet.write_string(row, 4, &e.code)?;
            sheet.write_string(row, 5, &e.message)?;
        }
        Ok(())
    }
}

fn write_opt(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    text: Option<&str>,
) -> Result<(), XlsxError> {
    if let Some(t) = text.filter(|t| !t.is_empty()) {
        sheet.write_string(row, col, t)?;
    }
    Ok(())
}

/// Scores have at most 4 decimals, which an f64 holds exactly as printed.
fn decimal_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

impl Sink for XlsxSink {
    fn write(&mut self, parts: &[Part]) -> Result<(), String> {
        // One project per row of 评价结果: a second results sheet would split the table people
        // sort and filter, so past Excel's limit the batch asks for CSV or JSON Lines.
        let rows: usize = parts.iter().map(|p| p.rows.len()).sum();
        if self.series[RESULTS].next as usize + rows > XLSX_MAX_ROW as usize + 1 {
            return Err(format!(
                "XLSX 工作表最多容纳 {} 行结果；请改用 CSV 或 JSON Lines 输出 (too many rows for XLSX; use CSV or JSON Lines)",
                XLSX_MAX_ROW
            ));
        }
        for r in parts.iter().flat_map(|p| &p.rows) {
            self.write_row(r).map_err(xlsx_error)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>, mut about: About) -> Result<(), String> {
        let lang = self.lang;
        for kind in [FINDINGS, ERRORS] {
            let series = &self.series[kind];
            if series.sheets.len() > 1 {
                about.rows.push((
                    series.name.to_string(),
                    format!(
                        "{} {} (Excel {})",
                        series.sheets.len(),
                        tr(
                            lang,
                            "个工作表，超过行数上限后接续",
                            "worksheets, continued past"
                        ),
                        tr(lang, "每表行数上限", "row limit")
                    ),
                ));
            }
        }
        let bold = self.bold.clone();
        let sheet = self
            .workbook
            .add_worksheet()
            .set_name(tr(lang, "说明", "About"))
            .map_err(xlsx_error)?;
        sheet.set_column_width(0, 18.0).map_err(xlsx_error)?;
        sheet.set_column_width(1, 80.0).map_err(xlsx_error)?;
        for (i, (k, v)) in about.rows.iter().enumerate() {
            let row = i as u32;
            sheet
                .write_string_with_format(row, 0, k, &bold)
                .map_err(xlsx_error)?;
            sheet.write_string(row, 1, v).map_err(xlsx_error)?;
        }
        let XlsxSink {
            mut workbook,
            destination,
            ..
        } = *self;
        match &destination {
            Destination::Temp { temp, .. } => {
                let file: File = temp.reopen().map_err(|e| e.to_string())?;
                workbook.save_to_writer(file).map_err(xlsx_error)?;
            }
            Destination::Stdout => return Err("XLSX cannot go to stdout".into()),
        }
        destination
            .commit()
            .map_err(|e| format!("无法保存结果：{e}"))
    }
}
