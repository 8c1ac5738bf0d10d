//! # jixiao for Python — a thin PyO3 shell over the core
//!
//! No scoring logic lives here. An [`Engine`] is compiled once from a rulebook (TOML or JSON
//! text, or a file with its script files beside it) and scores submissions given as Python
//! dicts or JSON text into [`Scorecard`]s whose `to_json()` is byte for byte what the CLI, the
//! WebAssembly package and the C ABI print. `evaluate_many` scores a batch on the core's thread
//! pool with the interpreter released. Errors are exception classes whose attributes are the
//! core's stable serialized error (`kind`, `code`, `problems`, …).

use jixiao::{EvalOptions, Lang, Submission};
use jixiao_batch::read::Cell;
use jixiao_batch::row::{RowOut, ScoreCell, result_headers};
use jixiao_batch::table::{TableOptions, score_cells};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PySlice, PyString, PyTuple};
use std::collections::BTreeMap;

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

/// A submission given as JSON text or as a dict (any JSON-able object), parsed. A dict is
/// converted in place, value by value, with no JSON text in between.
fn submission_of(py: Python<'_>, submission: &Bound<'_, PyAny>) -> PyResult<Submission> {
    let parsed = if let Ok(text) = submission.cast::<PyString>() {
        Submission::from_json_str(&text.to_cow()?)
    } else if let Ok(dict) = submission.cast::<PyDict>() {
        submission_of_dict(dict).map_err(NotJson::into_py_err)?
    } else {
        let value = json_value(submission, 0).map_err(NotJson::into_py_err)?;
        Submission::from_json_value(value)
    };
    parsed.map_err(|e| core_error(py, &e))
}

/// A submission dict. Its `values` are most of it and go straight into the submission's map;
/// the rest is read by the core (its fields, its errors).
fn submission_of_dict(
    dict: &Bound<'_, PyDict>,
) -> Result<Result<Submission, jixiao::Error>, NotJson> {
    let mut rest = serde_json::Map::new();
    let mut values = None;
    for (key, value) in dict.iter() {
        let key = text_key(&key)?;
        match value.cast::<PyDict>() {
            Ok(map) if key == "values" => {
                let mut read = BTreeMap::new();
                for (id, value) in map.iter() {
                    let id = text_key(&id).map_err(|e| e.inside(key.to_string()))?;
                    let value = json_value(&value, 2)
                        .map_err(|e| e.inside(id.to_string()).inside(key.to_string()))?;
                    read.insert(id.into_owned(), value);
                }
                values = Some(read);
            }
            _ => {
                let value = json_value(&value, 1).map_err(|e| e.inside(key.to_string()))?;
                rest.insert(key.into_owned(), value);
            }
        }
    }
    Ok(
        Submission::from_json_value(serde_json::Value::Object(rest)).map(|mut submission| {
            if let Some(values) = values {
                submission.values = values;
            }
            submission
        }),
    )
}

/// A dict's key, which JSON wants to be text.
fn text_key<'a>(key: &'a Bound<'_, PyAny>) -> Result<std::borrow::Cow<'a, str>, NotJson> {
    key.cast::<PyString>()
        .ok()
        .and_then(|k| k.to_cow().ok())
        .ok_or_else(|| {
            NotJson::new(
                format!("的键 {key} 不是文本"),
                format!("has a key that is no text: {key}"),
            )
        })
}

/// Submissions read per chunk of `evaluate_many`: some milliseconds of scoring each.
const CHUNK: usize = 512;

/// How deep a dict may nest (as serde_json's text parser allows): a list that holds itself
/// stops here rather than overflowing the stack.
const MAX_DEPTH: u32 = 128;

/// A Python value that has no JSON form, and where it sits (`values.budget`).
struct NotJson {
    /// Keys and indexes from the value up to the submission, innermost first.
    path: Vec<String>,
    zh: String,
    en: String,
}

impl NotJson {
    fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        NotJson {
            path: Vec::new(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    fn inside(mut self, key: String) -> Self {
        self.path.push(key);
        self
    }

    fn into_py_err(self) -> PyErr {
        let path: Vec<&str> = self.path.iter().rev().map(String::as_str).collect();
        let at = if path.is_empty() {
            "填报数据".to_string()
        } else {
            path.join(".")
        };
        PyValueError::new_err(format!(
            "填报数据无法转换为 JSON：{at} {}（the submission cannot be converted to JSON: {} {}）",
            self.zh,
            if path.is_empty() {
                "the submission"
            } else {
                &at
            },
            self.en
        ))
    }
}

/// A Python value as the JSON value `json.dumps` would write: dicts with text keys, lists
/// and tuples, text, booleans, integers, finite floats and None; integers and floats of other
/// types (numpy's, `Decimal`) through `__index__` / `__float__`. NaN and infinities are
/// refused rather than read as "not filled in".
fn json_value(obj: &Bound<'_, PyAny>, depth: u32) -> Result<serde_json::Value, NotJson> {
    use serde_json::Value;
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()
            .map(|s| Value::String(s.into_owned()))
            .map_err(|_| NotJson::new("不是有效的 Unicode 文本", "is no valid Unicode text"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if depth >= MAX_DEPTH {
        return Err(NotJson::new(
            format!("嵌套超过 {MAX_DEPTH} 层"),
            format!("nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (key, value) in d.iter() {
            let key = text_key(&key)?;
            let value = json_value(&value, depth + 1).map_err(|e| e.inside(key.to_string()))?;
            map.insert(key.into_owned(), value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::with_capacity(obj.len().unwrap_or(0));
        for (i, item) in obj.try_iter().map_err(|_| not_a_value(obj))?.enumerate() {
            let item = item.map_err(|_| not_a_value(obj))?;
            items.push(json_value(&item, depth + 1).map_err(|e| e.inside(i.to_string()))?);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return finite(f.value());
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        // Past 64 bits: the number its JSON text would be read as.
        return obj
            .extract::<f64>()
            .map_or_else(|_| Err(not_a_value(obj)), finite);
    }
    // A number of another library (numpy's, `Decimal`): an integer where it has `__index__`.
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(Value::from(i));
    }
    obj.extract::<f64>()
        .map_or_else(|_| Err(not_a_value(obj)), finite)
}

fn finite(f: f64) -> Result<serde_json::Value, NotJson> {
    serde_json::Number::from_f64(f)
        .map(serde_json::Value::Number)
        .ok_or_else(|| {
            NotJson::new(
                format!("为 {f}，不是有限的数（未填写请用 None）"),
                format!("is {f}, no finite number (None means not filled in)"),
            )
        })
}

fn not_a_value(obj: &Bound<'_, PyAny>) -> NotJson {
    let type_name = obj
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string());
    NotJson::new(
        format!("的类型 {type_name} 不是 JSON 的值"),
        format!("is of type {type_name}, which has no JSON form"),
    )
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
        let pool = match threads {
            None => None,
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| PyValueError::new_err(format!("threads: {e}")))?,
            ),
        };
        let engine = &self.engine;
        let items = submissions.try_iter()?;
        let (cards, unread) = std::thread::scope(|scope| {
            // Two chunks may wait while one is scored: enough to keep the scorer busy.
            let (to_score, chunks) = std::sync::mpsc::sync_channel::<Vec<Submission>>(2);
            let scorer = scope.spawn(move || {
                let mut cards = Vec::new();
                for chunk in chunks {
                    let score = || engine.evaluate_batch(&chunk, options);
                    cards.extend(match &pool {
                        Some(pool) => pool.install(score),
                        None => score(),
                    });
                }
                cards
            });
            let mut unread = None;
            let mut chunk = Vec::with_capacity(CHUNK);
            for item in items {
                match item.and_then(|item| submission_of(py, &item)) {
                    Ok(submission) => chunk.push(submission),
                    Err(e) => {
                        unread = Some(e);
                        break;
                    }
                }
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    // The scorer may be behind: wait for it with the interpreter released.
                    if py.detach(|| to_score.send(full)).is_err() {
                        break;
                    }
                }
            }
            if unread.is_none() && !chunk.is_empty() {
                let _ = to_score.send(chunk);
            }
            drop(to_score);
            (py.detach(|| scorer.join()), unread)
        });
        if let Some(e) = unread {
            return Err(e);
        }
        let cards = cards.map_err(|_| {
            JixiaoError::new_err("评分线程意外中止 (the scoring thread stopped unexpectedly)")
        })?;
        Ok(cards.into_iter().map(|card| Scorecard { card }).collect())
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
        let lang = lang_of(lang)?;
        let module: String = frame.get_type().getattr("__module__")?.extract()?;
        let polars = module.starts_with("polars");
        let (headers, rows) = frame_cells(py, frame, polars)?;
        let options = TableOptions {
            mapping: mapping.unwrap_or_default(),
            lang,
            max_rows: usize::MAX,
            ..TableOptions::default()
        };
        let scored = py
            .detach(|| score_cells(&self.engine, headers, rows, &options))
            .map_err(|e| {
                let err = JixiaoError::new_err(e.message.clone());
                let value = err.value(py);
                let _ = value.setattr("kind", "table");
                let _ = value.setattr("code", e.code.as_str());
                let _ = value.setattr("problems", Vec::<String>::new());
                err
            })?;
        for warning in &scored.warnings {
            let message = std::ffi::CString::new(column_warning(warning, lang)).unwrap_or_default();
            PyErr::warn(py, &py.get_type::<PyUserWarning>(), &message, 1)?;
        }
        let names = result_headers(&scored.layout, lang);
        let results = scored.rows;
        let frame = result_frame(py, polars, &names, &results, lang);
        // A hundred thousand rows take a while to free: on another thread, after returning.
        std::thread::spawn(move || drop(results));
        frame
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
fn decimal_f64(d: jixiao::Decimal) -> f64 {
    const EXACT: i128 = 1 << 53;
    let (mantissa, scale) = (d.mantissa(), d.scale());
    if (-EXACT..=EXACT).contains(&mantissa) && scale <= 22 {
        #[allow(clippy::cast_precision_loss)] // |mantissa| ≤ 2^53: exact.
        return mantissa as f64 / 10f64.powi(scale as i32);
    }
    d.to_string().parse().unwrap_or(f64::NAN)
}

/// A frame's column names and its rows as cells, as a spreadsheet's would be: numbers as
/// numbers, text as text, dates as dates, missing values (None, NaN, NA, NaT) empty. Numeric
/// columns are read as one buffer each (no Python object per cell).
fn frame_cells(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    polars: bool,
) -> PyResult<(Vec<String>, Vec<Vec<Cell>>)> {
    let headers = frame
        .getattr("columns")?
        .try_iter()?
        .map(|name| Ok(name?.str()?.to_cow()?.into_owned()))
        .collect::<PyResult<Vec<String>>>()?;
    let height = frame.len()?;
    let numpy = py.import("numpy").ok();
    let mut rows: Vec<Vec<Cell>> = (0..height)
        .map(|_| Vec::with_capacity(headers.len()))
        .collect();
    for i in 0..headers.len() {
        // By position: a pandas frame may name two columns alike.
        let column = if polars {
            frame.call_method1("to_series", (i,))?
        } else {
            frame.getattr("iloc")?.get_item((PySlice::full(py), i))?
        };
        let cells = column_cells(&column, numpy.as_ref())?;
        if cells.len() != height {
            return Err(PyValueError::new_err(
                "列的行数与表格不同 (a column's length differs from the frame's)",
            ));
        }
        for (row, cell) in rows.iter_mut().zip(cells) {
            row.push(cell);
        }
    }
    Ok((headers, rows))
}

/// One column's cells: a numeric or boolean column through numpy as one buffer, any other
/// cell by cell.
fn column_cells(
    column: &Bound<'_, PyAny>,
    numpy: Option<&Bound<'_, PyModule>>,
) -> PyResult<Vec<Cell>> {
    let Some(numpy) = numpy else {
        return column
            .call_method0("to_list")?
            .try_iter()?
            .map(|cell| object_cell(&cell?))
            .collect();
    };
    let array = column.call_method0("to_numpy")?;
    let kind: String = array.getattr("dtype")?.getattr("kind")?.extract()?;
    let bytes = |dtype: &str| -> PyResult<Vec<u8>> {
        let contiguous = numpy.call_method1("ascontiguousarray", (&array, dtype))?;
        contiguous.call_method0("tobytes")?.extract()
    };
    match kind.as_str() {
        "f" | "i" | "u" => Ok(bytes("float64")?
            .chunks_exact(8)
            .map(|b| {
                let value = f64::from_ne_bytes(b.try_into().unwrap_or_default());
                if value.is_nan() {
                    Cell::Empty
                } else {
                    Cell::Number {
                        value,
                        percent: false,
                    }
                }
            })
            .collect()),
        "b" => Ok(bytes("bool")?
            .into_iter()
            .map(|b| Cell::Bool(b != 0))
            .collect()),
        // Dates (and times): the day, as a spreadsheet's date cell; NaT empty.
        "M" => {
            let days = array
                .call_method1("astype", ("datetime64[D]",))?
                .call_method1("astype", ("str",))?;
            days.call_method0("tolist")?
                .try_iter()?
                .map(|day| {
                    let day: String = day?.extract()?;
                    Ok(if day == "NaT" {
                        Cell::Empty
                    } else {
                        Cell::Date(day)
                    })
                })
                .collect()
        }
        _ => array
            .call_method0("tolist")?
            .try_iter()?
            .map(|cell| object_cell(&cell?))
            .collect(),
    }
}

/// One cell of a column of Python objects.
fn object_cell(cell: &Bound<'_, PyAny>) -> PyResult<Cell> {
    if let Ok(text) = cell.cast::<PyString>() {
        return Ok(Cell::Text(text.to_cow()?.into_owned()));
    }
    if cell.is_none() {
        return Ok(Cell::Empty);
    }
    if let Ok(b) = cell.cast::<PyBool>() {
        return Ok(Cell::Bool(b.is_true()));
    }
    if cell.is_instance_of::<PyFloat>() || cell.is_instance_of::<PyInt>() {
        let value: f64 = cell.extract()?;
        return Ok(if value.is_nan() {
            Cell::Empty
        } else {
            Cell::Number {
                value,
                percent: false,
            }
        });
    }
    // pandas' NA and NaT, and the like: missing.
    let type_name = cell.get_type().name()?.to_cow()?.into_owned();
    if matches!(type_name.as_str(), "NAType" | "NaTType") {
        return Ok(Cell::Empty);
    }
    if cell.hasattr("strftime")? {
        return Ok(Cell::Date(
            cell.call_method1("strftime", ("%Y-%m-%d",))?.extract()?,
        ));
    }
    // Other numbers (numpy's, Decimal) as numbers; anything else as its text, which the
    // input's reading then accepts or names as a bad value.
    if let Ok(value) = cell.extract::<f64>() {
        return Ok(if value.is_nan() {
            Cell::Empty
        } else {
            Cell::Number {
                value,
                percent: false,
            }
        });
    }
    Ok(Cell::Text(cell.str()?.to_cow()?.into_owned()))
}

/// What the column plan warns of, as a warning to the caller (the CLI prints its own with
/// `--map`; here the hint is the `mapping` argument).
fn column_warning(warning: &jixiao_batch::columns::Warning, lang: Lang) -> String {
    use jixiao_batch::columns::Warning;
    let en = lang == Lang::En;
    match warning {
        Warning::UnknownColumn { header, suggestion } => match (suggestion, en) {
            (Some(s), false) => format!(
                "列“{header}”不对应任何数据项或指标，已忽略；是否指“{}”（{}）？可传 mapping={{\"{header}\": \"{}\"}}",
                s.label, s.id, s.id
            ),
            (Some(s), true) => format!(
                "column “{header}” matches no input or indicator; ignored. Did you mean “{}” ({})? Pass mapping={{\"{header}\": \"{}\"}}",
                s.label_en.as_deref().unwrap_or(&s.label),
                s.id,
                s.id
            ),
            (None, false) => format!("列“{header}”不对应任何数据项或指标，已忽略"),
            (None, true) => format!("column “{header}” matches no input or indicator; ignored"),
        },
        Warning::MissingInputs { inputs } if en => format!(
            "no column for these required inputs; their indicators stay unscored: {}",
            inputs.join(", ")
        ),
        Warning::MissingInputs { inputs } => format!(
            "没有以下必填数据项的列，相关指标将不评分：{}",
            inputs.join("、")
        ),
    }
}

/// One column of a result frame, as it goes over to Python.
enum Column {
    Rows(Vec<i64>),
    /// Scores; NaN where there is none (missing in pandas, null in polars).
    Figures(Vec<f64>),
    Texts(Vec<Py<PyAny>>),
}

/// Text cells whose values repeat (状态, 等级, an empty 问题): one string object each.
#[derive(Default)]
struct Shared(Vec<(String, Py<PyAny>)>);

impl Shared {
    fn get(&mut self, py: Python<'_>, text: &str) -> Py<PyAny> {
        if let Some((_, object)) = self.0.iter().find(|(t, _)| t == text) {
            return object.clone_ref(py);
        }
        let object = PyString::new(py, text).into_any().unbind();
        self.0.push((text.to_string(), object.clone_ref(py)));
        object
    }
}

/// The batch result as a frame of the caller's library, its columns named `names`. Scores go
/// over as one numpy array each, made from one buffer (no Python float per cell); text as
/// lists. Without numpy (polars may run without it) scores go over as lists of floats.
fn result_frame<'py>(
    py: Python<'py>,
    polars: bool,
    names: &[String],
    results: &[jixiao_batch::row::RowResult],
    lang: Lang,
) -> PyResult<Bound<'py, PyAny>> {
    let n = results.len();
    let none = py.None();
    let mut shared = Shared::default();
    let text_of = |py: Python<'_>, t: &Option<String>| {
        t.as_deref().map_or_else(
            || none.clone_ref(py),
            |t| PyString::new(py, t).into_any().unbind(),
        )
    };
    let score_of = |c: &ScoreCell| match c {
        ScoreCell::Score(d) => decimal_f64(*d),
        _ => f64::NAN,
    };
    let (mut rows, mut ids, mut projects, mut statuses, mut totals, mut grades) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let figures = names.len().saturating_sub(8);
    let mut scores: Vec<Vec<f64>> = (0..figures).map(|_| Vec::with_capacity(n)).collect();
    let (mut problems, mut findings) = (Vec::with_capacity(n), Vec::with_capacity(n));
    // The two texts of a row (every 扣分原因 in words) are most of the result: written on
    // every core before the interpreter is needed.
    let texts: Vec<(String, String)> = py.detach(|| {
        use rayon::prelude::*;
        results
            .par_iter()
            .map(|r| match &r.out {
                RowOut::Table(t) => (
                    jixiao_batch::row::problems_text(r, t, lang),
                    jixiao_batch::row::findings_text(t),
                ),
                _ => Default::default(),
            })
            .collect()
    });
    for (r, (problems_text, findings_text)) in results.iter().zip(texts) {
        let RowOut::Table(t) = &r.out else {
            return Err(JixiaoError::new_err(
                "结果行缺少表格数据 (a result row has no table cells)",
            ));
        };
        rows.push(i64::try_from(r.row).unwrap_or(i64::MAX));
        ids.push(text_of(py, &t.project_id));
        projects.push(text_of(py, &t.project_name));
        statuses.push(shared.get(py, r.status.label(lang)));
        totals.push(t.total.map_or(f64::NAN, decimal_f64));
        grades.push(match &t.grade {
            Some(g) => shared.get(py, g),
            None => none.clone_ref(py),
        });
        for (column, cell) in scores
            .iter_mut()
            .zip(t.dimensions.iter().chain(&t.indicators))
        {
            column.push(score_of(cell));
        }
        problems.push(shared_or_new(py, &mut shared, &problems_text));
        findings.push(shared_or_new(py, &mut shared, &findings_text));
    }
    let mut columns = vec![
        Column::Rows(rows),
        Column::Texts(ids),
        Column::Texts(projects),
        Column::Texts(statuses),
        Column::Figures(totals),
        Column::Texts(grades),
    ];
    columns.extend(scores.into_iter().map(Column::Figures));
    columns.push(Column::Texts(problems));
    columns.push(Column::Texts(findings));

    let numpy = py.import("numpy").ok();
    let data = PyDict::new(py);
    for (name, column) in names.iter().zip(columns) {
        let value = match (column, &numpy) {
            (Column::Rows(v), Some(np)) => {
                array(np, v.iter().flat_map(|x| x.to_ne_bytes()), "int64")?
            }
            (Column::Figures(v), Some(np)) => {
                array(np, v.iter().flat_map(|x| x.to_ne_bytes()), "float64")?
            }
            (Column::Rows(v), None) => v.into_pyobject(py)?.into_any(),
            (Column::Figures(v), None) => v
                .into_iter()
                .map(|x| (!x.is_nan()).then_some(x))
                .collect::<Vec<_>>()
                .into_pyobject(py)?
                .into_any(),
            (Column::Texts(v), _) => v.into_pyobject(py)?.into_any(),
        };
        data.set_item(name, value)?;
    }
    if polars {
        let kwargs = PyDict::new(py);
        kwargs.set_item("nan_to_null", true)?;
        py.import("polars")?
            .call_method("DataFrame", (data,), Some(&kwargs))
    } else {
        py.import("pandas")?.call_method1("DataFrame", (data,))
    }
}

/// Empty text shared (most rows have no 问题); any other made anew.
fn shared_or_new(py: Python<'_>, shared: &mut Shared, text: &str) -> Py<PyAny> {
    if text.is_empty() {
        shared.get(py, text)
    } else {
        PyString::new(py, text).into_any().unbind()
    }
}

/// A numpy array of `dtype` over a copy of `bytes` (writable, as a frame's column should be).
fn array<'py>(
    numpy: &Bound<'py, PyModule>,
    bytes: impl Iterator<Item = u8>,
    dtype: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let buffer = pyo3::types::PyByteArray::new(numpy.py(), &bytes.collect::<Vec<u8>>());
    numpy.call_method1("frombuffer", (buffer, dtype))
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
    m.add_function(wrap_pyfunction!(engine_version, m)?)?;
    m.add("JixiaoError", py.get_type::<JixiaoError>())?;
    m.add("RulebookError", py.get_type::<RulebookError>())?;
    m.add("SubmissionError", py.get_type::<SubmissionError>())?;
    m.add("ReadError", py.get_type::<ReadError>())?;
    Ok(())
}
