//! `jixiao` — check rulebooks and score projects from the command line.

use clap::{Parser, Subcommand, ValueEnum};
use jixiao::{Engine, Error, EvalOptions, Lang, Rulebook, Scorecard, Submission};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

// Scoring allocates many small strings and vectors per project; mimalloc's thread-local
// heaps make the parallel batch markedly faster than glibc malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod pdf;
mod table;

use jixiao_cli::{LangArg, batch, rule_tests, weights};

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "绩效评价评分引擎 — performance-evaluation scoring engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate and compile a rulebook; print every problem (exit 1 if any).
    Check {
        /// Rulebook file (.toml or .json).
        rulebook: PathBuf,
        /// Print problems as JSON (the stable error form) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Warn of what a rulebook that compiles may still get wrong: each warning with its code,
    /// entry and line, and how to fix it.
    ///
    /// Exit status: 0 (warnings too, unless --deny-warnings: then 4 when there is any), 1 the
    /// rulebook does not compile (its problems printed as `check` prints them).
    Lint {
        /// Rulebook file (.toml or .json).
        rulebook: PathBuf,
        /// `text` for people, `json` (one array of warnings) for editors and CI.
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Exit 4 when there is any warning (for CI).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Weights by the analytic hierarchy process (层次分析法): one pairwise comparison matrix
    /// per parent indicator (a TOML file, see rules/README.md) gives its children's weights,
    /// λmax, CI and CR, and points adding up exactly to the parent's.
    ///
    /// Exit status: 0 every matrix weighed, 1 some refused (CR ≥ 0.1, not reciprocal …), 2 the
    /// file could not be read.
    Weights {
        /// The matrices (TOML).
        matrices: PathBuf,
        /// A rulebook to take each parent's points from (a matrix's `points` otherwise).
        #[arg(long)]
        rulebook: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = weights::Method::Eigenvector)]
        method: weights::Method,
        #[arg(long, value_enum, default_value_t = weights::RandomIndex::Saaty1980)]
        random_index: weights::RandomIndex,
        /// Decimal places of the points.
        #[arg(long, default_value_t = 1)]
        decimals: u32,
        /// Weigh a matrix whose CR is 0.1 or more instead of refusing it.
        #[arg(long)]
        allow_inconsistent: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Write the points into --rulebook (a TOML rulebook, its layout and comments kept),
        /// after checking that it still compiles; nothing is written if any matrix is refused.
        #[arg(long, requires = "rulebook")]
        write: bool,
    },
    /// Run a rulebook's own test cases (DIR/tests.toml against DIR/rulebook.toml) and report
    /// which outcomes of its leaves they reach (coverage).
    ///
    /// Exit status: 0 every case passed, 1 some failed, 2 the cases could not be run.
    Test {
        /// The rulebook's folder.
        dir: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Score one project's submission.
    Score {
        rulebook: PathBuf,
        /// Submission JSON file, or - for standard input.
        submission: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// Write one project's evaluation report (绩效评价报告): Word (DOCX), HTML or text.
    ///
    /// Exit status: 0 written and every indicator scored, 3 written with some unscored.
    Report {
        rulebook: PathBuf,
        /// Submission JSON file, or - for standard input.
        submission: PathBuf,
        /// Where to write the report; its extension (.docx, .html, .txt, .pdf) says the
        /// format unless --format does.
        #[arg(short, long)]
        output: PathBuf,
        /// `docx` (Word, WPS, LibreOffice), `html` (a print-ready page: print it to PDF from
        /// the browser), `text`, or `pdf` (the DOCX converted by LibreOffice, where installed).
        #[arg(long, value_enum)]
        format: Option<ReportFileFormat>,
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// Print a rulebook in its canonical JSON form (scripts inlined), as browsers load it.
    Export { rulebook: PathBuf },
    /// Print the JSON Schema of the rulebook format.
    Schema,
    /// Score every project in a CSV / Excel / JSON Lines file into CSV, XLSX or JSON Lines.
    ///
    /// Exit status: 0 every row scored, 1 some rows failed (each reported with its row and
    /// column), 3 some rows incomplete, 2 the batch could not run (nothing written).
    Batch(batch::BatchArgs),
}

/// How `jixiao lint` prints its warnings.
#[derive(Clone, Copy, ValueEnum)]
enum LintFormat {
    Text,
    Json,
}

/// The formats `jixiao report` writes.
#[derive(Clone, Copy, ValueEnum)]
enum ReportFileFormat {
    Docx,
    Html,
    Text,
    Pdf,
}

impl ReportFileFormat {
    /// The format an output file's extension names.
    fn of(output: &std::path::Path) -> Result<ReportFileFormat, String> {
        let extension = output
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match extension.as_str() {
            "docx" => Ok(ReportFileFormat::Docx),
            "html" | "htm" => Ok(ReportFileFormat::Html),
            "txt" => Ok(ReportFileFormat::Text),
            "pdf" => Ok(ReportFileFormat::Pdf),
            _ => Err(format!(
                "无法从文件名判断 {} 的格式，请加 --format docx|html|text|pdf (cannot tell the report format)",
                output.display()
            )),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 error: {e}");
            ExitCode::from(2)
        }
    }
}

fn load(path: &PathBuf) -> Result<Engine, Error> {
    Engine::new(Rulebook::from_path(path)?)
}

/// One project scored with trace on (explanations for people): the submission from its file,
/// or from standard input for `-`.
fn score_one(
    rulebook: &PathBuf,
    submission: &PathBuf,
    lang: Lang,
) -> Result<(Engine, Scorecard), Error> {
    let engine = load(rulebook)?;
    let submission = if submission.as_os_str() == "-" {
        Submission::from_reader(std::io::stdin(), "-")?
    } else {
        Submission::from_path(submission)?
    };
    let card = engine.evaluate_with(&submission, EvalOptions { trace: true, lang });
    Ok((engine, card))
}

/// 0 when every indicator is scored, 3 when some are not.
fn exit_for(card: &Scorecard) -> ExitCode {
    if card.complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    }
}

/// Lints as people read them, compiler-style: `file:line: 警告[code] message`, then the fix.
fn lint_text(rulebook: &std::path::Path, lints: &[jixiao::Lint], lang: Lang) -> String {
    let file = rulebook.display();
    let mut text = String::new();
    for lint in lints {
        let at = lint
            .line
            .map_or(file.to_string(), |line| format!("{file}:{line}"));
        let (warning, message, fix_label, fix) = match lang {
            Lang::En => ("warning", &lint.message_en, "fix: ", &lint.fix_en),
            Lang::Zh => ("警告", &lint.message, "修改建议：", &lint.fix),
        };
        text.push_str(&format!(
            "{at}: {warning}[{}] {message}\n  {fix_label}{fix}\n",
            lint.code.as_str()
        ));
    }
    text.push_str(&match (lang, lints.len()) {
        (Lang::En, 0) => "✓ no warnings".to_string(),
        (Lang::En, n) => format!("{n} warning(s)"),
        (Lang::Zh, 0) => "✓ 无警告".to_string(),
        (Lang::Zh, n) => format!("共 {n} 条警告"),
    });
    text
}

/// A test run as people read it: each case, then the coverage and what it misses.
fn rule_test_text(run: &rule_tests::Run, failed: usize, reached: usize, all: usize) -> String {
    let mut text = String::new();
    for case in &run.outcomes {
        if case.failures.is_empty() {
            text.push_str(&format!("✓ {}\n", case.name));
        } else {
            text.push_str(&format!("✗ {}：{}\n", case.name, case.failures.join("；")));
        }
    }
    text.push_str(&format!(
        "{} 个用例，{failed} 个未通过\n",
        run.outcomes.len()
    ));
    #[allow(clippy::cast_precision_loss)]
    let percent = if all == 0 {
        100.0
    } else {
        100.0 * reached as f64 / all as f64
    };
    text.push_str(&format!(
        "覆盖率：{} 个可分析的末级指标，{all} 种结果中覆盖 {reached} 种（{percent:.0}%）",
        run.coverage.len()
    ));
    for leaf in &run.coverage {
        let missed: Vec<&str> = leaf
            .outcomes
            .iter()
            .filter(|o| o.hits == 0)
            .map(|o| o.label.as_str())
            .collect();
        if !missed.is_empty() {
            text.push_str(&format!(
                "\n  {} {}：未覆盖 {}",
                leaf.indicator,
                leaf.label,
                missed.join("、")
            ));
        }
    }
    text
}

/// The weights as a table per parent.
fn weights_text(results: &[weights::Weights], decimals: u32) -> String {
    let places = decimals as usize;
    let mut text = String::new();
    for w in results {
        let parent = if w.parent.is_empty() {
            "（总分）"
        } else {
            &w.parent
        };
        let points = w
            .parent_points
            .map(|p| format!("，{p} 分"))
            .unwrap_or_default();
        text.push_str(&format!(
            "父指标 {parent}{points}：λmax = {:.4}，CI = {:.4}，RI = {}，CR = {:.4}\n",
            w.lambda_max, w.ci, w.ri, w.cr
        ));
        for (i, child) in w.children.iter().enumerate() {
            let share = w
                .points
                .as_ref()
                .map(|p| format!("  分值 {:.places$}", p[i]))
                .unwrap_or_default();
            text.push_str(&format!("  {child}  权重 {:.3}{share}\n", w.weights[i]));
        }
    }
    text.trim_end().to_string()
}

fn out(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.write_all(b"\n")
}

fn run(command: Command) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match command {
        Command::Check { rulebook, json } => match load(&rulebook) {
            Ok(engine) => {
                let spec = engine.rulebook().spec();
                let leaves = engine
                    .form()
                    .sections
                    .iter()
                    .flat_map(|s| &s.groups)
                    .map(|g| g.indicators.len())
                    .sum::<usize>();
                if json {
                    out(
                        &serde_json::json!({"ok": true, "rulebook": engine.reference()})
                            .to_string(),
                    )?;
                } else {
                    out(&format!(
                        "✓ {} {}（{}）：{} 个数据项，{} 个绩效指标，{} 个末级指标，总分 {}\n  {}",
                        spec.id,
                        spec.version,
                        spec.title,
                        spec.inputs.len(),
                        spec.kpis.len(),
                        leaves,
                        spec.total,
                        engine.reference().hash
                    ))?;
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                if json {
                    out(&e.to_json())?;
                } else {
                    eprintln!("✗ {e}");
                }
                Ok(ExitCode::from(1))
            }
        },
        Command::Lint {
            rulebook,
            format,
            lang,
            deny_warnings,
        } => {
            let engine = match load(&rulebook) {
                Ok(engine) => engine,
                Err(e) => {
                    match format {
                        LintFormat::Json => out(&e.to_json())?,
                        LintFormat::Text => eprintln!("✗ {e}"),
                    }
                    return Ok(ExitCode::from(1));
                }
            };
            let lints = engine.lint();
            match format {
                LintFormat::Json => out(&serde_json::to_string_pretty(&lints)?)?,
                LintFormat::Text => out(&lint_text(&rulebook, &lints, lang.into()))?,
            }
            Ok(if deny_warnings && !lints.is_empty() {
                ExitCode::from(4)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Weights {
            matrices,
            rulebook,
            method,
            random_index,
            decimals,
            allow_inconsistent,
            json,
            write,
        } => {
            let text = std::fs::read_to_string(&matrices)?;
            let file: weights::Matrices =
                toml::from_str(&text).map_err(|e| format!("{}: {e}", matrices.display()))?;
            let spec = match &rulebook {
                Some(path) => Some(Rulebook::from_path(path)?.spec().clone()),
                None => None,
            };
            let options = weights::Options {
                method,
                random_index,
                decimals,
                allow_inconsistent,
            };
            let (results, refused) = weights::weigh_all(&file, spec.as_ref(), options);
            if let Some(path) = write.then_some(rulebook.as_ref()).flatten() {
                if !refused.is_empty() {
                    for e in &refused {
                        eprintln!("✗ {e}");
                    }
                    eprintln!(
                        "未写入 {}：有判断矩阵未通过 (nothing written)",
                        path.display()
                    );
                    return Ok(ExitCode::from(1));
                }
                let text = std::fs::read_to_string(path)?;
                let edited = weights::write_points(&text, &results)?;
                // Beside the rulebook (its `script_file`s are read from there), checked, then
                // renamed over it: the rulebook is never left half written or broken.
                let dir = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                let mut checked = tempfile::Builder::new().suffix(".toml").tempfile_in(dir)?;
                checked.write_all(edited.as_bytes())?;
                if let Err(e) = load(&checked.path().to_path_buf()) {
                    eprintln!(
                        "✗ 写入分值后评价方案无法通过检查，未写入 (with the points written the rulebook does not compile; nothing written):\n{e}"
                    );
                    return Ok(ExitCode::from(1));
                }
                checked.persist(path)?;
            }
            if json {
                let refused: Vec<_> = refused
                    .iter()
                    .map(|e| serde_json::json!({"parent": e.parent, "message": e.message, "message_en": e.message_en}))
                    .collect();
                out(&serde_json::to_string_pretty(
                    &serde_json::json!({"weights": results, "refused": refused}),
                )?)?;
            } else {
                out(&weights_text(&results, decimals))?;
                for e in &refused {
                    eprintln!("✗ {e}");
                }
            }
            Ok(if refused.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Test { dir, json } => {
            let rulebook = ["rulebook.toml", "rulebook.json"]
                .iter()
                .map(|f| dir.join(f))
                .find(|f| f.exists())
                .ok_or_else(|| {
                    format!(
                        "{} 中没有 rulebook.toml 或 rulebook.json (no rulebook in the folder)",
                        dir.display()
                    )
                })?;
            let engine = load(&rulebook)?;
            let run = rule_tests::run(&engine, &dir)?;
            let failed = run
                .outcomes
                .iter()
                .filter(|o| !o.failures.is_empty())
                .count();
            let (reached, all) = rule_tests::covered(&run.coverage);
            if json {
                let cases: Vec<_> = run
                    .outcomes
                    .iter()
                    .map(|o| serde_json::json!({"name": o.name, "failures": o.failures}))
                    .collect();
                out(&serde_json::to_string_pretty(&serde_json::json!({
                    "cases": cases,
                    "coverage": run.coverage,
                    "reached": reached,
                    "outcomes": all,
                }))?)?;
            } else {
                out(&rule_test_text(&run, failed, reached, all))?;
            }
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Score {
            rulebook,
            submission,
            format,
            lang,
        } => {
            let (_, card) = score_one(&rulebook, &submission, lang.into())?;
            match format {
                Format::Json => out(&card.to_json_pretty())?,
                Format::Table => out(&table::render(&card, lang.into()))?,
            }
            Ok(exit_for(&card))
        }
        Command::Report {
            rulebook,
            submission,
            output,
            format,
            lang,
        } => {
            let format = match format {
                Some(format) => format,
                None => ReportFileFormat::of(&output)?,
            };
            let (engine, card) = score_one(&rulebook, &submission, lang.into())?;
            let report = jixiao_report::build(engine.rulebook().spec(), &card, lang.into());
            match format {
                ReportFileFormat::Pdf => {
                    let docx = jixiao_report::render(&report, jixiao_report::Format::Docx)?;
                    pdf::convert(&docx, &output)?;
                }
                ReportFileFormat::Docx | ReportFileFormat::Html | ReportFileFormat::Text => {
                    let format = match format {
                        ReportFileFormat::Html => jixiao_report::Format::Html,
                        ReportFileFormat::Text => jixiao_report::Format::Text,
                        _ => jixiao_report::Format::Docx,
                    };
                    let bytes = jixiao_report::render(&report, format)?;
                    std::fs::write(&output, bytes)
                        .map_err(|e| format!("无法写入 cannot write {}: {e}", output.display()))?;
                }
            }
            Ok(exit_for(&card))
        }
        Command::Export { rulebook } => {
            let rulebook = Rulebook::from_path(&rulebook)?;
            out(&rulebook.canonical_json())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Batch(args) => batch::run(args),
        Command::Schema => {
            out(&Rulebook::json_schema())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
