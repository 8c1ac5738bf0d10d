//! The report as a Word document (DOCX), which Word, WPS and LibreOffice open and edit: A4,
//! headings as real heading styles, tables with merged level cells, “第 X 页 共 Y 页” in the
//! footer.

use crate::{Block, Cell, Chart, Report, ReportError, Table};
use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, LineSpacing, LineSpacingType, NumPages, PageNum,
    Paragraph, Run, RunFonts, Shading, SpecialIndentType, Style, StyleType, TableBorderPosition,
    TableCell, TableCellBorder, TableCellBorderPosition, TableLayoutType, TableRow, VMergeType,
    WidthType,
};
use jixiao::Lang;

/// A4 in twentieths of a point, and the text width between 2.5 cm margins.
const A4: (u32, u32) = (11_906, 16_838);
const TEXT_WIDTH: usize = 11_906 - 2 * 1_418;

/// Sizes in half-points, by their Chinese names: 二号 22 pt, 三号 16 pt, 五号 10.5 pt.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const WUHAO: usize = 21;

/// The layout of Chinese official documents (党政机关公文格式, GB/T 9704), which evaluation
/// reports follow: text in 仿宋 三号 on a fixed 28 pt line, each paragraph indented two
/// characters; headings 一、 in 黑体 and （一） in 楷体; the title in 小标宋 二号; tables in
/// 宋体 五号. Fonts a machine lacks are substituted by the reader.
fn styles(doc: Docx) -> Docx {
    let line = || {
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(560)
    };
    let paragraph = |id: &str, name: &str, font: &str| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .fonts(RunFonts::new().east_asia(font))
            .size(SANHAO)
            .line_spacing(line())
            // Two characters of 三号 (16 pt each), in twentieths of a point: readers honour
            // this more widely than `firstLineChars`.
            .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
    };
    doc.add_style(paragraph("Body", "Body Text", "仿宋"))
        .add_style(
            paragraph("Heading1", "heading 1", "黑体")
                .bold()
                .outline_lvl(0),
        )
        .add_style(
            paragraph("Heading2", "heading 2", "楷体")
                .bold()
                .outline_lvl(1),
        )
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .fonts(RunFonts::new().east_asia("方正小标宋简体"))
                .size(ERHAO)
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().after(120)),
        )
        .add_style(
            Style::new("Subtitle", StyleType::Paragraph)
                .name("Subtitle")
                .fonts(RunFonts::new().east_asia("楷体"))
                .size(SANHAO)
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().after(240)),
        )
}

/// The report as the bytes of a `.docx` file.
pub fn to_docx(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut doc = styles(
        Docx::new()
            .page_size(A4.0, A4.1)
            .default_fonts(
                RunFonts::new()
                    .east_asia("宋体")
                    .ascii("Times New Roman")
                    .hi_ansi("Times New Roman"),
            )
            .default_size(WUHAO),
    )
    .footer(footer(report))
    .add_paragraph(Paragraph::new().style("Title").add_run(run(&report.title)));
    if let Some(subtitle) = &report.subtitle {
        doc = doc.add_paragraph(Paragraph::new().style("Subtitle").add_run(run(subtitle)));
    }
    for block in &report.blocks {
        doc = match block {
            Block::Heading { level, text } => doc.add_paragraph(
                Paragraph::new()
                    .style(if *level <= 1 { "Heading1" } else { "Heading2" })
                    .add_run(run(text)),
            ),
            Block::Paragraph(text) => {
                doc.add_paragraph(Paragraph::new().style("Body").add_run(run(text)))
            }
            Block::ToWrite(text) => doc.add_paragraph(
                Paragraph::new()
                    .style("Body")
                    .add_run(run(text).italic().highlight("yellow")),
            ),
            Block::Chart(chart) => doc
                .add_table(docx_chart(chart))
                .add_paragraph(Paragraph::new()),
            Block::Table(table) => doc
                .add_table(docx_table(table))
                // Word joins two tables that touch; a paragraph keeps them apart.
                .add_paragraph(Paragraph::new()),
        };
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut bytes)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    deflate(&bytes.into_inner()).map_err(|e| ReportError::Docx(e.to_string()))
}

/// The package with its parts compressed, and header rows marked to repeat. docx-rs stores
/// the parts as they are; Word deflates them, and so a typical report goes from about 70 KB
/// to 15 KB. Entries keep docx-rs's
/// order and fixed timestamps, so the same report is the same bytes on every target.
fn deflate(stored: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read, Write};
    use zip::write::SimpleFileOptions;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(stored))?;
    let mut packed =
        zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(stored.len() / 3)));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i)?;
        if part.is_dir() {
            packed.add_directory(part.name(), options)?;
        } else if part.name() == "word/document.xml" {
            let mut xml = String::new();
            part.read_to_string(&mut xml)?;
            packed.start_file(part.name(), options)?;
            packed.write_all(xml.replace(HEADER_ROW_MARK, HEADER_ROW).as_bytes())?;
        } else {
            packed.start_file(part.name(), options)?;
            std::io::copy(&mut part, &mut packed)?;
        }
    }
    Ok(packed.finish()?.into_inner())
}

fn footer(report: &Report) -> Footer {
    let (before, middle, after) = match report.lang {
        Lang::Zh => ("  第 ", " 页 共 ", " 页"),
        _ => ("  Page ", " of ", ""),
    };
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run(&report.footer).add_text(before).size(18))
            .add_page_num(PageNum::new())
            .add_run(Run::new().add_text(middle).size(18))
            .add_num_pages(NumPages::new())
            .add_run(Run::new().add_text(after).size(18)),
    )
}

fn docx_table(table: &Table) -> docx_rs::Table {
    let widths: Vec<usize> = table
        .columns
        .iter()
        .map(|(_, pct)| TEXT_WIDTH * usize::from(*pct) / 100)
        .collect();
    let header = table.columns.iter().any(|(title, _)| !title.is_empty());
    let mut rows = Vec::new();
    if header {
        rows.push(header_row(
            table
                .columns
                .iter()
                .zip(&widths)
                .map(|((title, _), w)| {
                    TableCell::new()
                        .width(*w, WidthType::Dxa)
                        .add_paragraph(cell_paragraph(title, true))
                })
                .collect(),
        ));
    }
    for (r, row) in table.rows.iter().enumerate() {
        let mut column = 0;
        let mut cells = Vec::new();
        for cell in row {
            let (cols, content) = match cell {
                Cell::Text { text, cols, strong } => (*cols, Some((text, *strong))),
                Cell::Continued { cols } => (*cols, None),
            };
            let span = usize::from(cols.max(1));
            let width = widths.iter().skip(column).take(span).sum();
            let mut out = TableCell::new().width(width, WidthType::Dxa);
            if span > 1 {
                out = out.grid_span(span);
            }
            out = match content {
                Some((text, strong)) => {
                    let continued_below = table
                        .rows
                        .get(r + 1)
                        .is_some_and(|next| Table::continued_at(next, column));
                    let out = out.add_paragraph(cell_paragraph(text, strong));
                    if continued_below {
                        out.vertical_merge(VMergeType::Restart)
                    } else {
                        out
                    }
                }
                None => out
                    .vertical_merge(VMergeType::Continue)
                    .add_paragraph(Paragraph::new()),
            };
            cells.push(out);
            column += span;
        }
        rows.push(TableRow::new(cells));
    }
    docx_rs::Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
}

/// What marks a header row in docx-rs's output: it writes no `w:tblHeader` (repeat the row at
/// the top of each page), so header rows, and only they, are kept from splitting, and
/// [`deflate`] adds the repeat to each such row.
const HEADER_ROW_MARK: &str = "<w:cantSplit />";
const HEADER_ROW: &str = "<w:cantSplit /><w:tblHeader />";

/// A table's header row, repeated at the top of every page the table runs onto.
fn header_row(cells: Vec<TableCell>) -> TableRow {
    TableRow::new(cells).cant_split()
}

/// The chart as a table of shaded cells: a header row naming the grade bands over the steps
/// they cover, then a row per bar, its filled steps dark, the rest tinted by band, a line
/// where each band starts.
fn docx_chart(chart: &Chart) -> docx_rs::Table {
    let label_width = TEXT_WIDTH * 15 / 100;
    let value_width = TEXT_WIDTH * 13 / 100;
    let step_width = (TEXT_WIDTH - label_width - value_width) / Chart::STEPS;
    let mut widths = vec![label_width];
    widths.extend(std::iter::repeat_n(step_width, Chart::STEPS));
    widths.push(value_width);
    let runs = chart.band_runs();
    let small = |text: &str| Paragraph::new().add_run(run(text).size(16));
    let mut header = vec![
        TableCell::new()
            .width(label_width, WidthType::Dxa)
            .add_paragraph(Paragraph::new()),
    ];
    for (band, _, steps) in &runs {
        header.push(
            TableCell::new()
                .width(step_width * steps, WidthType::Dxa)
                .grid_span(*steps)
                .shading(Shading::new().fill(Chart::tint(*band)))
                .add_paragraph(small(&chart.bands[*band].0).align(AlignmentType::Center)),
        );
    }
    header.push(
        TableCell::new()
            .width(value_width, WidthType::Dxa)
            .add_paragraph(Paragraph::new()),
    );
    let mut rows = vec![header_row(header)];
    for bar in &chart.bars {
        let filled = bar.attainment.map_or(0, Chart::filled_steps);
        let mut cells = vec![
            TableCell::new()
                .width(label_width, WidthType::Dxa)
                .add_paragraph(cell_paragraph(&bar.label, false)),
        ];
        for step in 0..Chart::STEPS {
            let fill = if step < filled {
                crate::BAR_FILL
            } else {
                Chart::tint(chart.band_of_step(step))
            };
            let mut cell = TableCell::new()
                .width(step_width, WidthType::Dxa)
                .shading(Shading::new().fill(fill))
                .add_paragraph(small(""));
            let left = if step > 0 && runs.iter().any(|r| r.1 == step) {
                TableCellBorder::new(TableCellBorderPosition::Left)
                    .size(12)
                    .color("595959")
            } else {
                TableCellBorder::new(TableCellBorderPosition::Left).border_type(BorderType::Nil)
            };
            cell = cell.set_border(left).set_border(
                TableCellBorder::new(TableCellBorderPosition::Right).border_type(BorderType::Nil),
            );
            cells.push(cell);
        }
        cells.push(
            TableCell::new()
                .width(value_width, WidthType::Dxa)
                .add_paragraph(cell_paragraph(&bar.text, false)),
        );
        rows.push(TableRow::new(cells));
    }
    // No lines between the steps: a bar reads as one bar, split only where a band starts.
    docx_rs::Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .clear_border(TableBorderPosition::InsideV)
}

/// A run of text from the scorecard, the rulebook or the submission. XML 1.0 has no place for
/// most control characters: a project name carrying one would make a file no reader opens,
/// so each becomes U+FFFD (visible, not silently dropped).
fn run(text: &str) -> Run {
    let invalid = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if text.contains(invalid) {
        Run::new().add_text(text.replace(invalid, "\u{fffd}"))
    } else {
        Run::new().add_text(text)
    }
}

fn cell_paragraph(text: &str, strong: bool) -> Paragraph {
    let run = run(text).size(21);
    Paragraph::new().add_run(if strong { run.bold() } else { run })
}
