//! # jixiao for Python — a thin PyO3 shell over the core
//!
//! No scoring logic lives here. An [`Engine`] is compiled once from a rulebook (TOML or JSON
//! text, or a file with its script files beside it) and scores submissions given as Python
//! dicts or JSON text into [`Scorecard`]s whose `to_json()` is byte for byte what the CLI, the
//! WebAssembly package and the C ABI print. `evaluate_many` scores a batch on the core's thread
//! pool with the interpreter released. Errors are exception classes whose attributes are the
//! core's stable serialized error (`kind`, `code`, `problems`, …).

use jixiao::{EvalOptions, Lang, Submission};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

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

/// A submission given as JSON text or as a dict (any JSON-able object), as JSON text.
fn submission_json(py: Python<'_>, submission: &Bound<'_, PyAny>) -> PyResult<String> {
    if submission.is_instance_of::<PyString>() {
        return submission.extract::<String>();
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("ensure_ascii", false)?;
    // NaN and infinities are no JSON: refused here rather than read as "not filled in".
    kwargs.set_item("allow_nan", false)?;
    let text = py
        .import("json")?
        .call_method("dumps", (submission,), Some(&kwargs))
        .map_err(|e| {
            PyValueError::new_err(format!(
                "填报数据无法转换为 JSON (the submission cannot be converted to JSON): {e}"
            ))
        })?;
    text.extract::<String>()
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
        let text = submission_json(py, submission)?;
        let options = EvalOptions {
            trace,
            lang: lang_of(lang)?,
        };
        let card = py
            .detach(|| self.engine.evaluate_json(&text, options))
            .map_err(|e| core_error(py, &e))?;
        Ok(Scorecard { card })
    }

    /// Scores many submissions (any iterable of dicts or JSON texts) on `threads` threads
    /// (default: one per core), with the interpreter released while they are scored. Results
    /// are in input order. A submission that is no submission raises its `SubmissionError`
    /// before anything is scored.
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
        let mut parsed = Vec::new();
        for item in submissions.try_iter()? {
            let text = submission_json(py, &item?)?;
            parsed.push(Submission::from_json_str(&text).map_err(|e| core_error(py, &e))?);
        }
        let pool = jixiao_pool(threads)?;
        let cards = py.detach(|| pool.install(|| self.engine.evaluate_batch(&parsed, options)));
        Ok(cards.into_iter().map(|card| Scorecard { card }).collect())
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

/// A thread pool of `threads` threads, or the core's global pool.
fn jixiao_pool(threads: Option<usize>) -> PyResult<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| PyValueError::new_err(format!("threads: {e}")))
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
        self.card.total.to_string().parse().unwrap_or(f64::NAN)
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
    m.add_function(wrap_pyfunction!(engine_version, m)?)?;
    m.add("JixiaoError", py.get_type::<JixiaoError>())?;
    m.add("RulebookError", py.get_type::<RulebookError>())?;
    m.add("SubmissionError", py.get_type::<SubmissionError>())?;
    m.add("ReadError", py.get_type::<ReadError>())?;
    Ok(())
}
