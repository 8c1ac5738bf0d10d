//! # jixiao for Python — a thin PyO3 shell over the core
//!
//! No scoring logic lives here. An [`Engine`] is compiled once from a rulebook (TOML or JSON
//! text, or a file with its script files beside it) and scores submissions given as Python
//! dicts or JSON text into [`Scorecard`]s whose `to_json()` is byte for byte what the CLI, the
//! WebAssembly package and the C ABI print. `evaluate_many` scores a batch on the core's thread
//! pool with the interpreter released. Errors are exception classes whose attributes are the
//! core's stable serialized error (`kind`, `code`, `problems`, …).

mod convert;
mod frame;
mod stream;

use convert::submission_of;
use jixiao::{EvalOptions, Lang};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::BTreeMap;
use stream::{Pipeline, ScorecardIterator};

// A scorecard is some hundred small allocations, made and freed on every thread of a batch:
// mimalloc's thread-local heaps score it faster than glibc malloc (as in the CLI). Only the
// module's own Rust allocations use it; Python's objects keep Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    _jixiao,
    JixiaoError,
    PyException,
    "Any error of the engine: `kind`, `code`, `message` and `problems` as the core serializes them."
);
create_exception!(
    _jixiao,
    RulebookError,
    JixiaoError,
    "The rulebook does not parse or compile: every problem, with indicator and line."
);
create_exception!(
    _jixiao,
    SubmissionError,
    JixiaoError,
    "The submission is no submission (not JSON, not an object, an unknown field)."
);
create_exception!(
    _jixiao,
    ReadError,
    JixiaoError,
    "A file could not be read (or was refused)."
);

/// The core's error as the exception of its kind, its serialized fields set on it.
fn core_error(py: Python<'_>, e: &jixiao::Error) -> PyErr {
    let err = match e.kind() {
        "rulebook" => RulebookError::new_err(e.to_string()),
        "submission" => SubmissionError::new_err(e.to_string()),
        _ => ReadError::new_err(e.to_string()),
    };
    if let Ok(fields) = json_loads(py, &e.to_json())
        && let Ok(fields) = fields.cast_into::<PyDict>()
    {
        let value = err.value(py);
        for (k, v) in fields.iter() {
            if let Ok(name) = k.extract::<String>() {
                let _ = value.setattr(name.as_str(), v);
            }
        }
    }
    err
}

fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

fn lang_of(lang: &str) -> PyResult<Lang> {
    match lang {
        "zh" | "zh-CN" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        other => Err(PyValueError::new_err(format!(
            "lang 应为 \"zh\"、\"zh-CN\" 或 \"en\"，收到 {other:?} (lang must be zh, zh-CN or en)"
        ))),
    }
}

/// A rulebook compiled for scoring. Build it once, score many submissions; it may be shared
/// between threads.
#[pyclass(module = "jixiao", frozen)]
struct Engine {
    engine: jixiao::Engine,
}

#[pymethods]
impl Engine {
    /// Compiles a rulebook given as TOML or JSON text (by its first character). A rulebook
    /// whose scripts live in files must be loaded with `Engine.from_path`.
    #[new]
    fn new(py: Python<'_>, text: &str) -> PyResult<Self> {
        let engine = jixiao::Engine::from_str(text).map_err(|e| core_error(py, &e))?;
        Ok(Engine { engine })
    }

    /// Loads and compiles a rulebook file (.toml or .json), script files read beside it.
    #[staticmethod]
    fn from_path(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let rulebook = jixiao::Rulebook::from_path(&path).map_err(|e| core_error(py, &e))?;
        let engine = jixiao::Engine::new(rulebook).map_err(|e| core_error(py, &e))?;
        Ok(Engine { engine })
    }

    /// Scores one submission (a dict, or JSON text). `trace` records explanations and the
    /// values each script read (on by default, as everywhere).
    #[pyo3(signature = (submission, *, lang = "zh", trace = true))]
    fn evaluate(
        &self,
        py: Python<'_>,
        submission: &Bound<'_, PyAny>,
        lang: &str,
        trace: bool,
    ) -> PyResult<Scorecard> {
        let options = EvalOptions {
            trace,
            lang: lang_of(lang)?,
        };
        let submission = submission_of(py, submission)?;
        let card = py.detach(|| self.engine.evaluate_with(&submission, options));
        Ok(Scorecard { card })
    }

    /// Scores many submissions (any iterable of dicts or JSON texts) on `threads` threads
    /// (default: one per core). Results are in input order. Submissions are read in chunks
    /// while the chunks before are scored with the interpreter released, so reading and
    /// scoring overlap and only a few chunks of read submissions are held at a time. A
    /// submission that is no submission raises its `SubmissionError` (or `ValueError` for a
    /// value with no JSON form), and nothing is returned.
    #[pyo3(signature = (submissions, *, threads = None, lang = "zh", trace = false))]
    fn evaluate_many(
        &self,
        py: Python<'_>,
        submissions: &Bound<'_, PyAny>,
        threads: Option<usize>,
        lang: &str,
        trace: bool,
    ) -> PyResult<Vec<Scorecard>> {
        let options = EvalOptions {
            trace,
            lang: lang_of(lang)?,
        };
        let mut pipeline = Pipeline::start(&self.engine, submissions, threads, options)?;
        let mut cards = Vec::new();
        while let Some(chunk) = pipeline.next_chunk(py)? {
            cards.extend(chunk.into_iter().map(|card| Scorecard { card }));
        }
        Ok(cards)
    }

    /// As `evaluate_many`, but yields the scorecards one by one, in input order, scoring
    /// ahead of the caller: for more projects than memory holds scorecards (each is some
    /// 25 KB), as a back office's batch of a million is. Stopping early stops the scoring.
    #[pyo3(signature = (submissions, *, threads = None, lang = "zh", trace = false))]
    fn evaluate_iter(
        &self,
        submissions: &Bound<'_, PyAny>,
        threads: Option<usize>,
        lang: &str,
        trace: bool,
    ) -> PyResult<ScorecardIterator> {
        let options = EvalOptions {
            trace,
            lang: lang_of(lang)?,
        };
        let pipeline = Pipeline::start(&self.engine, submissions, threads, options)?;
        Ok(ScorecardIterator::new(pipeline))
    }

    /// Scores a data frame of projects (pandas or polars), one project per row, its columns
    /// named as a batch file's header would name them (input labels or ids, 项目编号,
    /// 项目名称, expert-grade columns, 不适用 and 备注 columns): the same column mapping, the
    /// same reading of each cell as a spreadsheet's and the same per-row errors as
    /// `jixiao batch`, one implementation (crates/jixiao-batch). `mapping` says what columns
    /// hold where their names do not (`{"资金": "funds_arrived"}`); what the column plan warns
    /// of is a `UserWarning`. Returns a frame of the same library with the batch result's
    /// columns: 行号, 项目编号, 项目名称, 状态, 总分, 等级, every dimension and indicator (a
    /// float; missing where 不适用 or not scored), 问题 and 扣分原因 (English names with
    /// `lang="en"`).
    #[pyo3(signature = (frame, *, mapping = None, lang = "zh"))]
    fn score_frame<'py>(
        &self,
        py: Python<'py>,
        frame: &Bound<'py, PyAny>,
        mapping: Option<BTreeMap<String, String>>,
        lang: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        frame::score_frame(
            py,
            &self.engine,
            frame,
            mapping.unwrap_or_default(),
            lang_of(lang)?,
        )
    }

    /// The rulebook's id.
    #[getter]
    fn id(&self) -> String {
        self.engine.reference().id.to_string()
    }

    #[getter]
    fn version(&self) -> String {
        self.engine.reference().version.to_string()
    }

    /// The content hash (sha256) a scorecard records.
    #[getter]
    fn hash(&self) -> String {
        self.engine.reference().hash.to_string()
    }

    #[getter]
    fn title(&self) -> String {
        self.engine.rulebook().spec().title.clone()
    }

    fn __repr__(&self) -> String {
        let r = self.engine.reference();
        format!("<jixiao.Engine {} {}>", r.id, r.version)
    }
}

/// One project's score: total, grade, every indicator, findings and problems.
#[pyclass(module = "jixiao", frozen)]
struct Scorecard {
    card: jixiao::Scorecard,
}

#[pymethods]
impl Scorecard {
    /// The total as printed (two decimals at most), as a float.
    #[getter]
    fn total(&self) -> f64 {
        decimal_f64(self.card.total)
    }

    /// The grade's label (优, 良 …), or None while the scorecard is incomplete.
    #[getter]
    fn grade(&self) -> Option<String> {
        self.card.grade.as_ref().map(|g| g.label.to_string())
    }

    /// Every indicator scored or 不适用; False when required inputs are missing.
    #[getter]
    fn complete(&self) -> bool {
        self.card.complete
    }

    /// Every indicator in rulebook order: dimensions, groups and leaves.
    #[getter]
    fn indicators(&self) -> Vec<Indicator> {
        self.card
            .indicators
            .iter()
            .map(|i| Indicator {
                id: i.id.to_string(),
                parent: i.parent.as_ref().map(|p| p.to_string()),
                level: i.level,
                leaf: i.leaf,
                label: i.label.to_string(),
                points: decimal_f64(i.points),
                score: i.score.map(decimal_f64),
                status: serde_json::to_value(i.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                explanation: i.explanation.clone(),
                findings: i.findings.iter().map(|f| f.message.clone()).collect(),
                missing: i.missing.iter().map(|m| m.to_string()).collect(),
            })
            .collect()
    }

    /// Every 扣分原因 of the scorecard, leaf by leaf.
    #[getter]
    fn findings(&self) -> Vec<String> {
        self.card
            .indicators
            .iter()
            .flat_map(|i| i.findings.iter().map(|f| f.message.clone()))
            .collect()
    }

    /// The scorecard as the core's JSON text: byte for byte what every binding prints.
    fn to_json(&self) -> String {
        self.card.to_json()
    }

    /// The scorecard as a dict (the JSON above, read by `json.loads`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.card.to_json())
    }

    /// The submission's problems (bad values, unknown inputs …), as dicts.
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.card.problems).unwrap_or_else(|_| "[]".into());
        json_loads(py, &text)
    }

    fn __repr__(&self) -> String {
        let grade = self.card.grade.as_ref().map_or("—", |g| g.label.as_ref());
        format!("<jixiao.Scorecard total={} grade={grade}>", self.card.total)
    }
}

/// One indicator of a scorecard: a dimension (一级指标), a group or a leaf.
#[pyclass(module = "jixiao", frozen, get_all)]
struct Indicator {
    id: String,
    /// The parent indicator's id (None for a dimension).
    parent: Option<String>,
    level: u32,
    leaf: bool,
    label: String,
    points: f64,
    /// None where not scored (unscored, 不适用 or an error).
    score: Option<f64>,
    /// "scored", "unscored", "partial", "not_applicable" or "error".
    status: String,
    explanation: Option<String>,
    /// Each 扣分原因 as printed.
    findings: Vec<String>,
    /// Ids of the required inputs an unscored leaf waits for.
    missing: Vec<String>,
}

#[pymethods]
impl Indicator {
    fn __repr__(&self) -> String {
        let score = self.score.map_or("—".to_string(), |s| s.to_string());
        format!(
            "<jixiao.Indicator {} {} {score}/{}>",
            self.id, self.label, self.points
        )
    }
}

/// A decimal as the float its text reads as. Scores have two decimals at most, so the
/// mantissa and the power of ten are both exact floats and their quotient is the correctly
/// rounded value, as parsing the text would give; anything else is parsed.
pub(crate) fn decimal_f64(d: jixiao::Decimal) -> f64 {
    const EXACT: i128 = 1 << 53;
    let (mantissa, scale) = (d.mantissa(), d.scale());
    if (-EXACT..=EXACT).contains(&mantissa) && scale <= 22 {
        #[allow(clippy::cast_precision_loss)] // |mantissa| ≤ 2^53: exact.
        return mantissa as f64 / 10f64.powi(scale as i32);
    }
    d.to_string().parse().unwrap_or(f64::NAN)
}

/// The core's version.
#[pyfunction]
fn engine_version() -> &'static str {
    jixiao::ENGINE_VERSION
}

#[pymodule]
fn _jixiao(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Engine>()?;
    m.add_class::<Scorecard>()?;
    m.add_class::<Indicator>()?;
    m.add_class::<ScorecardIterator>()?;
    m.add_function(wrap_pyfunction!(engine_version, m)?)?;
    m.add("JixiaoError", py.get_type::<JixiaoError>())?;
    m.add("RulebookError", py.get_type::<RulebookError>())?;
    m.add("SubmissionError", py.get_type::<SubmissionError>())?;
    m.add("ReadError", py.get_type::<ReadError>())?;
    Ok(())
}
