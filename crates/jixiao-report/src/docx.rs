//! The report as a Word document (DOCX), which Word, WPS and LibreOffice open and edit: A4,
//! headings as real heading styles, tables with merged level cells, “第 X 页 共 Y 页” in the
//! footer.

use crate::{Block, Cell, Report, ReportError, Table};
use docx_rs::{
    AlignmentType, Docx, Footer, NumPages, PageNum, Paragraph, Run, RunFonts, Style, StyleType,
    TableCell, TableRow, VMergeType, WidthType,
};
use jixiao::Lang;

/// A4 in twentieths of a point, and the text width between 2.5 cm margins.
const A4: (u32, u32) = (11_906, 16_838);
const TEXT_WIDTH: usize = 11_906 - 2 * 1_418;

/// The report as the bytes of a `.docx` file.
pub fn to_docx(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .default_fonts(
            RunFonts::new()
                .east_asia("宋体")
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman"),
        )
        .default_size(24)
        .add_style(heading_style("Heading1", "heading 1", 32, 0))
        .add_style(heading_style("Heading2", "heading 2", 28, 1))
        .footer(footer(report))
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(run(&report.title).bold().size(44)),
        );
    if let Some(subtitle) = &report.subtitle {
        doc = doc.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(run(subtitle).size(30)),
        );
    }
    for block in &report.blocks {
        doc = match block {
            Block::Heading { level, text } => doc.add_paragraph(
                Paragraph::new()
                    .style(if *level <= 1 { "Heading1" } else { "Heading2" })
                    .add_run(run(text)),
            ),
            Block::Paragraph(text) => doc.add_paragraph(Paragraph::new().add_run(run(text))),
            Block::ToWrite(text) => {
                doc.add_paragraph(Paragraph::new().add_run(run(text).italic().highlight("yellow")))
            }
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

/// The package with its parts compressed. docx-rs stores them as they are; Word deflates
/// them, and so a typical report goes from about 70 KB to 15 KB. Entries keep docx-rs's
/// order and fixed timestamps, so the same report is the same bytes on every target.
fn deflate(stored: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(stored))?;
    let mut packed =
        zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(stored.len() / 3)));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i)?;
        if part.is_dir() {
            packed.add_directory(part.name(), options)?;
        } else {
            packed.start_file(part.name(), options)?;
            std::io::copy(&mut part, &mut packed)?;
        }
    }
    Ok(packed.finish()?.into_inner())
}

fn heading_style(id: &str, name: &str, size: usize, outline: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .size(size)
        .bold()
        .outline_lvl(outline)
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
        rows.push(TableRow::new(
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
    docx_rs::Table::new(rows).set_grid(widths)
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
