//! `jixiao batch`: score every project in a CSV, spreadsheet or JSON Lines file.
//!
//! A reader thread streams rows in chunks; each chunk is scored in parallel on the rayon pool
//! and handed, in input order, to a writer thread. At most a few chunks are in flight, so
//! memory stays flat however long the file is. Bad rows are reported and counted, never fatal.

mod report;
mod reports;
mod write;

use crate::{LangArg, ReportFormat};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jixiao::{Engine, EvalOptions, Lang, Rulebook};
use jixiao_batch::columns::ColumnMatcher;
use jixiao_batch::read::{self, Feed, InputKind, ReadOptions, Source, Unit};
use jixiao_batch::row::{self, Layout, Output, Part, Scorer, Scratch};
use jixiao_report::Portfolio;
use rayon::prelude::*;
use report::Report;
use reports::ReportDir;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::time::Instant;
use write::{About, OutputKind, TextEncoding};

/// Rows a worker scores in one go, rendering their result rows into one buffer: enough to
/// make the buffer worth its allocation, few enough that the two cores share a chunk evenly.
const PART_ROWS: usize = 16;

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Rulebook file (.toml or .json).
    rulebook: PathBuf,
    /// Projects, one per row: .csv / .tsv / .txt, .xlsx / .xlsm / .xls / .xlsb / .ods, or
    /// .jsonl (one submission object per line); - reads CSV or JSON Lines from standard input.
    input: PathBuf,
    /// Result file: .csv, .xlsx or .jsonl (written to a temporary file, renamed when complete);
    /// - writes CSV or JSON Lines to standard output.
    #[arg(short, long)]
    output: PathBuf,
    /// Input format, when the file name does not say.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Output format, when the file name does not say.
    #[arg(long, value_enum)]
    output_format: Option<OutputFormat>,
    /// Text encoding of a CSV input: auto (a BOM; else UTF-8 if the start of the file is
    /// UTF-8 apart from a stray row, which then fails alone; else GB18030, what Chinese Excel
    /// saves) or a label such as utf-8, gbk, gb18030, big5, utf-16le.
    #[arg(long, default_value = "auto")]
    encoding: String,
    /// Field delimiter of a CSV input (default: tab for .tsv/.txt, else comma).
    #[arg(long)]
    delimiter: Option<char>,
    /// Encoding of a CSV result: utf-8-bom opens correctly in Excel; gb18030 for old Excel/WPS.
    #[arg(long, value_enum, default_value_t = CsvEncoding::Utf8Bom)]
    output_encoding: CsvEncoding,
    /// Worksheet to read (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// What a column holds, where its header does not say: HEADER=TARGET, the target an
    /// input's id or label, project.id, project.name, 不适用:ID, 备注:ID, or ignore (repeat for
    /// several columns).
    #[arg(long = "map", value_name = "HEADER=TARGET", value_parser = parse_mapping)]
    mapping: Vec<(String, String)>,
    /// Row holding the column names, 1-based (default: found among the first 10 rows, so
    /// title rows above the table are skipped).
    #[arg(long)]
    header_row: Option<u64>,
    /// Language of result headers, messages and findings.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    /// Record explanations and the values each script read (in JSON Lines results; slower).
    #[arg(long)]
    trace: bool,
    /// No progress bar (it is shown only on a terminal anyway).
    #[arg(short, long)]
    quiet: bool,
    /// How many row errors to print; all of them are in the result file.
    #[arg(long, default_value_t = 20)]
    max_errors_shown: usize,
    /// Also write each scored project's report (绩效评价报告) into this folder, named by its
    /// project id and name, and a summary of them all (评价结果汇总). Records explanations,
    /// as --trace does.
    #[arg(long, value_name = "DIR")]
    reports: Option<PathBuf>,
    /// Format of the reports: docx (Word, WPS, LibreOffice), html or text.
    #[arg(long, value_enum, default_value_t = ReportFormat::Docx)]
    report_format: ReportFormat,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Rows scored per parallel chunk.
    #[arg(long, default_value_t = 4096, hide = true)]
    chunk_rows: usize,
}

/// `--map 'HEADER=TARGET'`: split at the last `=` (a header may hold one; an id does not).
fn parse_mapping(text: &str) -> Result<(String, String), String> {
    text.rsplit_once('=')
        .map(|(h, t)| (h.to_string(), t.to_string()))
        .ok_or_else(|| format!("“{text}”不是 列名=数据项 的形式 (expected HEADER=TARGET)"))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InputFormat {
    Csv,
    Xlsx,
    Jsonl,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    Csv,
    Xlsx,
    Jsonl,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CsvEncoding {
    #[value(name = "utf-8-bom")]
    Utf8Bom,
    #[value(name = "utf-8")]
    Utf8,
    Gb18030,
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn input_kind(args: &BatchArgs) -> Result<InputKind, String> {
    if let Some(f) = args.input_format {
        return Ok(match f {
            InputFormat::Csv => InputKind::Csv,
            InputFormat::Xlsx => InputKind::Spreadsheet,
            InputFormat::Jsonl => InputKind::Jsonl,
        });
    }
    match InputKind::from_extension(&extension(&args.input)) {
        Some(kind) => Ok(kind),
        _ => Err(format!(
            "无法从文件名判断 {} 的格式，请加 --input-format csv|xlsx|jsonl (cannot tell the input format)",
            args.input.display()
        )),
    }
}

fn output_kind(args: &BatchArgs) -> Result<OutputKind, String> {
    if let Some(f) = args.output_format {
        return Ok(match f {
            OutputFormat::Csv => OutputKind::Csv,
            OutputFormat::Xlsx => OutputKind::Xlsx,
            OutputFormat::Jsonl => OutputKind::Jsonl,
        });
    }
    match extension(&args.output).as_str() {
        "csv" => Ok(OutputKind::Csv),
        "xlsx" => Ok(OutputKind::Xlsx),
        "jsonl" | "ndjson" => Ok(OutputKind::Jsonl),
        _ => Err(format!(
            "无法从文件名判断 {} 的格式，请加 --output-format csv|xlsx|jsonl (cannot tell the output format)",
            args.output.display()
        )),
    }
}

/// Exit codes: 0 every row scored; 1 some row failed; 3 no row failed but some are
/// incomplete (as `jixiao score`); 2 the batch could not run (returned as an error).
pub fn run(args: BatchArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let lang: Lang = args.lang.into();
    let input_kind = input_kind(&args)?;
    let output_kind = output_kind(&args)?;
    if args.output.as_os_str() != "-" && args.output == args.input {
        return Err("结果文件不能覆盖输入文件 (the output would overwrite the input)".into());
    }
    let engine = Engine::new(Rulebook::from_path(&args.rulebook)?)?;
    let matcher = Arc::new(ColumnMatcher::new(&engine));
    let delimiter = match args.delimiter {
        Some(c) if c.is_ascii() => c as u8,
        Some(c) => return Err(format!("分隔符必须是 ASCII 字符：{c}").into()),
        None => read::default_delimiter(&extension(&args.input)),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()?;

    // Reader → (this thread, scoring on the pool) → writer; two chunks queued at each hop.
    let (feed_tx, feed_rx) = sync_channel::<Feed>(2);
    let read_options = ReadOptions {
        source: Source::Path(args.input.clone()),
        kind: input_kind,
        encoding: args.encoding.clone(),
        delimiter,
        sheet: args.sheet.clone(),
        header_row: args.header_row,
        chunk_rows: if args.reports.is_some() {
            args.chunk_rows.clamp(1, reports::CHUNK_ROWS)
        } else {
            args.chunk_rows.max(1)
        },
    };
    let reader = {
        let matcher = matcher.clone();
        std::thread::Builder::new()
            .name("jixiao-read".into())
            .spawn(move || {
                let mut feed_tx = feed_tx;
                read::read_all(read_options, matcher, &mut feed_tx);
            })?
    };

    let mut report = Report::new(lang, args.max_errors_shown);
    let progress = progress_bar(args.quiet);
    let mut plan = None;
    let mut first = None;
    // Header (tabular inputs) before any rows.
    for feed in feed_rx.iter() {
        match feed {
            Feed::Start { total, unit } => set_length(&progress, total, unit),
            Feed::Header {
                row,
                cells,
                skipped,
            } => {
                let mapping = args.mapping.iter().cloned().collect();
                let (p, warnings) = matcher.plan_with(cells, &mapping)?;
                report.header(row, &skipped, &warnings);
                plan = Some(p);
                break;
            }
            Feed::Rows { rows, position } if input_kind == InputKind::Jsonl => {
                first = Some((rows, position));
                break;
            }
            Feed::Rows { .. } => {
                return Err("内部错误：表头之前收到数据行 (rows before header)".into());
            }
            Feed::Fatal(message) => return Err(message.into()),
        }
    }

    let layout = Layout::new(&engine, lang);
    let output = match output_kind {
        OutputKind::Csv => Output::Csv,
        OutputKind::Jsonl => Output::Jsonl,
        OutputKind::Xlsx => Output::Table,
    };
    // A report explains each score, so it needs the explanations a trace records.
    let options = EvalOptions {
        trace: args.trace || args.reports.is_some(),
        lang,
    };
    let report_format: Option<jixiao_report::Format> =
        args.reports.as_ref().map(|_| args.report_format.into());
    let mut scorer = Scorer::new(engine.clone(), plan, options, layout.clone(), output);
    if let Some(format) = report_format {
        scorer = scorer.with_reports(format);
    }
    let mut report_dir = match (&args.reports, report_format) {
        (Some(dir), Some(format)) => Some(ReportDir::create(dir, format, lang)?),
        _ => None,
    };
    let summary_path = report_dir.as_ref().map(ReportDir::summary_path);
    let mut portfolio = report_format.map(|_| Portfolio::new(engine.rulebook().spec(), lang));
    let encoding = match args.output_encoding {
        CsvEncoding::Utf8Bom => TextEncoding::Utf8Bom,
        CsvEncoding::Utf8 => TextEncoding::Utf8,
        CsvEncoding::Gb18030 => TextEncoding::Gb18030,
    };
    let mut sink = write::create(output_kind, &args.output, &layout, lang, encoding)?;
    let (out_tx, out_rx) = sync_channel::<Vec<Part>>(2);
    let writer = std::thread::Builder::new()
        .name("jixiao-write".into())
        .spawn(move || {
            for parts in out_rx {
                sink.write(&parts)?;
                if let Some(dir) = &mut report_dir {
                    for row in parts.iter().flat_map(|p| &p.rows) {
                        if let Some(report) = &row.report {
                            dir.write(row.row, report)?;
                        }
                    }
                }
            }
            Ok::<_, String>((sink, report_dir.map_or(0, |d| d.written)))
        })?;

    let mut fatal: Option<String> = None;
    // Each worker takes PART_ROWS rows at a time and renders them into one buffer. One part
    // is also the unit of sharing: without `with_max_len(1)` rayon cuts a chunk into only a
    // few long pieces, and a core that finishes its pieces first waits for the other's.
    let score_chunk = |rows: Vec<read::RawRow>| -> Vec<Part> {
        pool.install(|| {
            rows.into_par_iter()
                .chunks(PART_ROWS)
                .with_max_len(1)
                .map_init(Scratch::default, |scratch, rows| {
                    scorer.score_part(rows, scratch)
                })
                .collect()
        })
    };
    let chunks = first
        .into_iter()
        .map(Ok)
        .chain(feed_rx.iter().filter_map(|feed| match feed {
            Feed::Rows { rows, position } => Some(Ok((rows, position))),
            Feed::Fatal(m) => Some(Err(m)),
            Feed::Start { .. } | Feed::Header { .. } => None,
        }));
    for chunk in chunks {
        match chunk {
            Ok((rows, position)) => {
                let mut results = score_chunk(rows);
                progress.suspend(|| results.iter().for_each(|p| report.rows(&p.rows)));
                if let Some(portfolio) = &mut portfolio {
                    add_to_portfolio(portfolio, &mut results, lang);
                }
                progress.set_position(position);
                if out_tx.send(results).is_err() {
                    break; // the writer failed; its error is collected below
                }
            }
            Err(message) => {
                fatal = Some(message);
                break;
            }
        }
    }
    drop(out_tx);
    progress.finish_and_clear();
    let sink = writer
        .join()
        .map_err(|_| "写入线程异常退出 (writer thread panicked)")?;
    // The reader ends by itself once its channel is gone.
    drop(feed_rx);
    let fatal = match reader.join() {
        Ok(()) => fatal,
        // The reader catches its own panics; this is the last guard that no row goes missing.
        Err(_) => Some(
            "读取线程异常退出，未写入任何结果 (the reader thread panicked; nothing was written)"
                .to_string(),
        ),
    };
    if let Some(message) = fatal {
        // The temporary file is dropped and deleted with the sink: nothing half-written stays.
        return Err(message.into());
    }
    let (sink, reports_written) = sink?;
    let about = About {
        rows: report.about(&engine, &args.rulebook, &args.input, started.elapsed()),
    };
    sink.finish(about)?;
    if let (Some(portfolio), Some(path)) = (portfolio, &summary_path) {
        let bytes = jixiao_report::render(&portfolio.report(), args.report_format.into())?;
        std::fs::write(path, bytes)
            .map_err(|e| format!("无法写入汇总报告 cannot write {}: {e}", path.display()))?;
        report.reports_written(reports_written, path);
    }
    report.summary(&args.output, started.elapsed());
    Ok(report.exit_code())
}

/// Each row's line in the summary report, in input order: its summary taken from its
/// report, or, for a failed row, the row and its first error.
fn add_to_portfolio(portfolio: &mut Portfolio<'_>, parts: &mut [Part], lang: Lang) {
    for row in parts.iter_mut().flat_map(|p| &mut p.rows) {
        if let Some(summary) = row.report.as_mut().and_then(|r| r.summary.take()) {
            portfolio.add(summary);
        } else if row.status == row::RowStatus::Failed {
            let reason = row
                .errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            portfolio.add_failed(jixiao_batch::report::row_label(row.row, lang), reason);
        }
    }
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{wide_bar}] {percent:>3}% {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn set_length(bar: &ProgressBar, total: Option<u64>, unit: Unit) {
    if let Some(total) = total {
        bar.set_length(total);
    }
    bar.set_message(match unit {
        Unit::Bytes => "",
        Unit::Rows => "rows",
    });
}
