//! Python values read as JSON values, value by value, with no JSON text in between: a dict
//! becomes a [`Submission`] as `json.dumps` and the core's parser would make it.

use crate::core_error;
use jixiao::Submission;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::collections::BTreeMap;

/// A submission given as JSON text or as a dict (any JSON-able object), parsed. A dict is
/// converted in place, value by value, with no JSON text in between.
pub(crate) fn submission_of(py: Python<'_>, submission: &Bound<'_, PyAny>) -> PyResult<Submission> {
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
