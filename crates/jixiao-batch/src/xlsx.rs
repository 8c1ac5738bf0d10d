//! The XLSX result of a batch: the file `jixiao batch -o 结果.xlsx` writes and the browser
//! workspace exports, written once for both.

use crate::row::{
    Layout, Part, RowOut, RowResult, ScoreCell, findings_text, problems_text, result_headers, tr,
};
use jixiao::{Decimal, Lang};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

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

/// The XLSX result of a batch, being written: 评价结果 (one project per row), 扣分原因 (one
/// finding per row), 错误 (one error per row), and 说明 (what was scored, by what) last.
pub struct ResultsWorkbook {
    workbook: Workbook,
    lang: Lang,
    /// Each worksheet's rows go to a temporary file as soon as the next starts (the CLI's
    /// million-row batches); in memory otherwise (the browser has no files).
    constant_memory: bool,
    series: [SheetSeries; 3],
    bold: Format,
    score: Format,
}

impl std::fmt::Debug for ResultsWorkbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultsWorkbook")
            .field("lang", &self.lang)
            .field("constant_memory", &self.constant_memory)
            .finish_non_exhaustive()
    }
}

fn xlsx_error(e: XlsxError) -> String {
    format!("写入 XLSX 失败：{e}")
}

impl ResultsWorkbook {
    /// A workbook for results laid out as `layout`. `constant_memory` needs the crate's
    /// `constant-memory` feature (and a temporary directory); without it the flag is ignored.
    pub fn new(layout: &Layout, lang: Lang, constant_memory: bool) -> Result<Self, String> {
        Self::create(result_headers(layout, lang), lang, constant_memory).map_err(xlsx_error)
    }

    fn create(headers: Vec<String>, lang: Lang, constant_memory: bool) -> Result<Self, XlsxError> {
        let bold = Format::new().set_bold();
        let score = Format::new().set_num_format("0.00");
        let series = |name: &'static str, headers: Vec<String>| SheetSeries {
            name,
            headers,
            sheets: Vec::new(),
            next: 1,
        };
        let mut sink = ResultsWorkbook {
            workbook: Workbook::new(),
            lang,
            constant_memory,
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
        #[cfg(feature = "constant-memory")]
        let sheet = if self.constant_memory {
            self.workbook.add_worksheet_with_constant_memory()?
        } else {
            self.workbook.add_worksheet()
        };
        #[cfg(not(feature = "constant-memory"))]
        let sheet = self.workbook.add_worksheet();
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

impl ResultsWorkbook {
    /// Writes scored rows (scored with [`Output::Table`](crate::row::Output::Table)).
    pub fn write(&mut self, parts: &[Part]) -> Result<(), String> {
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

    /// Adds the 说明 sheet (`about`: label, value) and returns the workbook, to be saved to a
    /// file or a buffer.
    pub fn finish(mut self, mut about: Vec<(String, String)>) -> Result<Workbook, String> {
        let lang = self.lang;
        for kind in [FINDINGS, ERRORS] {
            let series = &self.series[kind];
            if series.sheets.len() > 1 {
                about.push((
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
        for (i, (k, v)) in about.iter().enumerate() {
            let row = i as u32;
            sheet
                .write_string_with_format(row, 0, k, &bold)
                .map_err(xlsx_error)?;
            sheet.write_string(row, 1, v).map_err(xlsx_error)?;
        }
        Ok(self.workbook)
    }
}
