//! `Engine.score_frame`: a pandas or polars frame scored as `jixiao batch` scores a
//! spreadsheet's rows (crates/jixiao-batch's [`CellScorer`]: the same column plan, cell
//! reading and per-row errors), its result a frame of the same library.
//!
//! The frame is read in blocks of rows, each scored on every core with the interpreter
//! released, so that only a block's cells and results are held at a time. (Reading the next
//! block while one is scored was tried: on two cores the interpreter's thread and the
//! scoring threads only took turns, no faster.)

use crate::{JixiaoError, decimal_f64};
use jixiao::{Engine, Lang};
use jixiao_batch::columns::Mapping;
use jixiao_batch::read::Cell;
use jixiao_batch::row::{RowOut, RowResult, ScoreCell, result_headers};
use jixiao_batch::table::{CellScorer, TableError, TableOptions};
use pyo3::exceptions::{PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PySlice, PyString};

/// Rows read and scored per block: tens of milliseconds of scoring, some MB of cells.
const BLOCK_ROWS: usize = 8192;

pub(crate) fn score_frame<'py>(
    py: Python<'py>,
    engine: &Engine,
    frame: &Bound<'py, PyAny>,
    mapping: Mapping,
    lang: Lang,
) -> PyResult<Bound<'py, PyAny>> {
    let module: String = frame.get_type().getattr("__module__")?.extract()?;
    let polars = module.starts_with("polars");
    let headers = frame
        .getattr("columns")?
        .try_iter()?
        .map(|name| Ok(name?.str()?.to_cow()?.into_owned()))
        .collect::<PyResult<Vec<String>>>()?;
    let options = TableOptions {
        mapping,
        lang,
        max_rows: usize::MAX,
        ..TableOptions::default()
    };
    let (scorer, warnings) =
        CellScorer::new(engine, headers, &options).map_err(|e| table_error(py, &e))?;
    for warning in &warnings {
        let message = std::ffi::CString::new(column_warning(warning, lang)).unwrap_or_default();
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &message, 1)?;
    }
    let names = result_headers(scorer.layout(), lang);
    let height = frame.len()?;
    let numpy = py.import("numpy").ok();
    let mut result = ResultColumns::new(names.len().saturating_sub(8), height);
    for start in (0..height).step_by(BLOCK_ROWS) {
        let len = BLOCK_ROWS.min(height - start);
        let rows = block_cells(frame, polars, start, len, numpy.as_ref())?;
        let first_row = u64::try_from(start + 1).unwrap_or(u64::MAX);
        let block = py.detach(|| result_rows(scorer.score(first_row, rows), lang));
        result.push(py, block);
    }
    result.into_frame(py, polars, &names, numpy.as_ref())
}

/// A table error (a header naming nothing) as the package's exception.
fn table_error(py: Python<'_>, e: &TableError) -> PyErr {
    let err = JixiaoError::new_err(e.message.clone());
    let value = err.value(py);
    let _ = value.setattr("kind", "table");
    let _ = value.setattr("code", e.code.as_str());
    let _ = value.setattr("problems", Vec::<String>::new());
    err
}

/// `len` rows of the frame from `start`, as cells row by row, as a spreadsheet's would be:
/// numbers as numbers, text as text, dates as dates, missing values (None, NaN, NA, NaT)
/// empty. Numeric columns are read as one buffer each (no Python object per cell).
fn block_cells(
    frame: &Bound<'_, PyAny>,
    polars: bool,
    start: usize,
    len: usize,
    numpy: Option<&Bound<'_, PyModule>>,
) -> PyResult<Vec<Vec<Cell>>> {
    let py = frame.py();
    let block = if polars {
        frame.call_method1("slice", (start, len))?
    } else {
        let end = isize::try_from(start + len).unwrap_or(isize::MAX);
        let start = isize::try_from(start).unwrap_or(isize::MAX);
        frame
            .getattr("iloc")?
            .get_item(PySlice::new(py, start, end, 1))?
    };
    let width = block.getattr("columns")?.len()?;
    let mut rows: Vec<Vec<Cell>> = (0..len).map(|_| Vec::with_capacity(width)).collect();
    for i in 0..width {
        // By position: a pandas frame may name two columns alike.
        let column = if polars {
            block.call_method1("to_series", (i,))?
        } else {
            block.getattr("iloc")?.get_item((PySlice::full(py), i))?
        };
        let cells = column_cells(&column, numpy)?;
        if cells.len() != len {
            return Err(PyValueError::new_err(
                "列的行数与表格不同 (a column's length differs from the frame's)",
            ));
        }
        for (row, cell) in rows.iter_mut().zip(cells) {
            row.push(cell);
        }
    }
    Ok(rows)
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
            .map(|b| number_cell(f64::from_ne_bytes(b.try_into().unwrap_or_default())))
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
        return Ok(number_cell(cell.extract()?));
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
        return Ok(number_cell(value));
    }
    Ok(Cell::Text(cell.str()?.to_cow()?.into_owned()))
}

/// A number as a spreadsheet's number cell; NaN (pandas' missing value) as an empty one.
fn number_cell(value: f64) -> Cell {
    if value.is_nan() {
        Cell::Empty
    } else {
        Cell::Number {
            value,
            percent: false,
        }
    }
}

/// What the column plan warns of, as a warning to the caller; the hint is the `mapping`
/// argument (the CLI's is `--map`).
fn column_warning(warning: &jixiao_batch::columns::Warning, lang: Lang) -> String {
    let hint = |header: &str, id: &str| {
        let mapping = format!("mapping={{\"{header}\": \"{id}\"}}");
        if lang == Lang::En {
            format!("Pass {mapping}")
        } else {
            format!("可传 {mapping}")
        }
    };
    warning.message(lang, &hint)
}

/// One result row as the result frame needs it, made with the interpreter released and on
/// every core (the two texts, every 扣分原因 in words, are most of the work), so that the
/// interpreter only turns it into Python values.
struct ResultRow {
    row: i64,
    id: Option<String>,
    project: Option<String>,
    status: &'static str,
    total: f64,
    grade: Option<String>,
    /// Each dimension's and indicator's score; NaN where there is none.
    scores: Vec<f64>,
    problems: String,
    findings: String,
}

/// A block's results as result rows, each made (and what it came from freed) on the thread
/// that takes it.
fn result_rows(results: Vec<RowResult>, lang: Lang) -> Vec<ResultRow> {
    use rayon::prelude::*;
    results
        .into_par_iter()
        .map(|r| {
            let status = r.status.label(lang);
            let row = i64::try_from(r.row).unwrap_or(i64::MAX);
            let RowOut::Table(t) = &r.out else {
                // Cells are always scored into table rows; a row without is an empty one.
                return ResultRow {
                    row,
                    id: None,
                    project: None,
                    status,
                    total: f64::NAN,
                    grade: None,
                    scores: Vec::new(),
                    problems: String::new(),
                    findings: String::new(),
                };
            };
            ResultRow {
                row,
                problems: jixiao_batch::row::problems_text(&r, t, lang),
                findings: jixiao_batch::row::findings_text(t),
                id: t.project_id.clone(),
                project: t.project_name.clone(),
                status,
                total: t.total.map_or(f64::NAN, decimal_f64),
                grade: t.grade.clone(),
                scores: t
                    .dimensions
                    .iter()
                    .chain(&t.indicators)
                    .map(|cell| match cell {
                        ScoreCell::Score(d) => decimal_f64(*d),
                        _ => f64::NAN,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The result frame's columns as they fill, block by block. Scores stay floats until the end,
/// when each becomes one numpy array made from one buffer (no Python float per cell); text
/// becomes Python strings as it comes, repeated values (状态, 等级, an empty 问题) sharing one.
struct ResultColumns {
    rows: Vec<i64>,
    ids: Vec<Py<PyAny>>,
    projects: Vec<Py<PyAny>>,
    statuses: Vec<Py<PyAny>>,
    totals: Vec<f64>,
    grades: Vec<Py<PyAny>>,
    /// One vector per dimension and indicator.
    scores: Vec<Vec<f64>>,
    problems: Vec<Py<PyAny>>,
    findings: Vec<Py<PyAny>>,
    shared: Vec<(String, Py<PyAny>)>,
}

impl ResultColumns {
    fn new(score_columns: usize, height: usize) -> Self {
        ResultColumns {
            rows: Vec::with_capacity(height),
            ids: Vec::with_capacity(height),
            projects: Vec::with_capacity(height),
            statuses: Vec::with_capacity(height),
            totals: Vec::with_capacity(height),
            grades: Vec::with_capacity(height),
            scores: (0..score_columns)
                .map(|_| Vec::with_capacity(height))
                .collect(),
            problems: Vec::with_capacity(height),
            findings: Vec::with_capacity(height),
            shared: Vec::new(),
        }
    }

    fn push(&mut self, py: Python<'_>, rows: Vec<ResultRow>) {
        let text = |t: Option<String>| match t {
            Some(t) => PyString::new(py, &t).into_any().unbind(),
            None => py.None(),
        };
        for r in rows {
            self.rows.push(r.row);
            self.ids.push(text(r.id));
            self.projects.push(text(r.project));
            let status = self.shared(py, r.status);
            self.statuses.push(status);
            self.totals.push(r.total);
            let grade = match r.grade {
                Some(g) => self.shared(py, &g),
                None => py.None(),
            };
            self.grades.push(grade);
            let missing = std::iter::repeat(f64::NAN);
            for (column, score) in self
                .scores
                .iter_mut()
                .zip(r.scores.into_iter().chain(missing))
            {
                column.push(score);
            }
            let problems = self.text(py, &r.problems);
            self.problems.push(problems);
            let findings = self.text(py, &r.findings);
            self.findings.push(findings);
        }
    }

    /// A text that repeats: one string object for all its cells.
    fn shared(&mut self, py: Python<'_>, text: &str) -> Py<PyAny> {
        if let Some((_, object)) = self.shared.iter().find(|(t, _)| t == text) {
            return object.clone_ref(py);
        }
        let object = PyString::new(py, text).into_any().unbind();
        self.shared.push((text.to_string(), object.clone_ref(py)));
        object
    }

    /// Empty text shared (most rows have no 问题); any other made anew.
    fn text(&mut self, py: Python<'_>, text: &str) -> Py<PyAny> {
        if text.is_empty() {
            self.shared(py, text)
        } else {
            PyString::new(py, text).into_any().unbind()
        }
    }

    /// The frame of the caller's library, its columns named `names` (the batch result's).
    /// Without numpy (polars may run without it) scores go over as lists of floats.
    fn into_frame<'py>(
        self,
        py: Python<'py>,
        polars: bool,
        names: &[String],
        numpy: Option<&Bound<'py, PyModule>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let figures = |values: Vec<f64>| -> PyResult<Bound<'py, PyAny>> {
            match numpy {
                Some(np) => array(np, values.iter().flat_map(|x| x.to_ne_bytes()), "float64"),
                None => Ok(values
                    .into_iter()
                    .map(|x| (!x.is_nan()).then_some(x))
                    .collect::<Vec<_>>()
                    .into_pyobject(py)?
                    .into_any()),
            }
        };
        let rows = match numpy {
            Some(np) => array(np, self.rows.iter().flat_map(|x| x.to_ne_bytes()), "int64")?,
            None => self.rows.into_pyobject(py)?.into_any(),
        };
        let mut columns = vec![
            rows,
            self.ids.into_pyobject(py)?.into_any(),
            self.projects.into_pyobject(py)?.into_any(),
            self.statuses.into_pyobject(py)?.into_any(),
            figures(self.totals)?,
            self.grades.into_pyobject(py)?.into_any(),
        ];
        for column in self.scores {
            columns.push(figures(column)?);
        }
        columns.push(self.problems.into_pyobject(py)?.into_any());
        columns.push(self.findings.into_pyobject(py)?.into_any());
        let data = PyDict::new(py);
        for (name, column) in names.iter().zip(columns) {
            data.set_item(name, column)?;
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
