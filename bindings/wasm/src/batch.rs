//! The batch module's additions (`--features batch`, built as `batch_bg.wasm`): a table of
//! projects read and scored as `jixiao batch` does (the same crate, jixiao-batch), and the
//! projects written as its XLSX result. The page loads this module only when someone drops
//! a file or exports, so the engine module stays small.

use super::{
    MAX_SUBMISSION_CHARS, WasmEngine, arg_error, enter, js_error, json_text, lang_option, to_js,
    type_name,
};
use jixiao::{Lang, ProblemCode};
use jixiao_batch::columns::Mapping;
use jixiao_batch::read::Source;
use jixiao_batch::table::{self, TableOptions};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

/// Largest file taken, in bytes: a few thousand projects' rows fit many times over.
pub const MAX_TABLE_BYTES: usize = 64 * 1024 * 1024;
/// Most projects one file may hold (the workspace keeps several hundred; more belong in the
/// CLI's batch).
pub const MAX_TABLE_ROWS: usize = 5_000;

#[wasm_bindgen(typescript_custom_section)]
const TS_BATCH_TYPES: &str = include_str!("../types/batch.d.ts");

#[wasm_bindgen]
extern "C" {
    /// `{encoding?, sheet?, headerRow?, mapping?, lang?}`, checked by [`table_options`].
    #[wasm_bindgen(typescript_type = "TableOptions")]
    pub type TableOptionsArg;
}

/// A `JixiaoError` with `kind: "table"`: the file (or the workbook written) as a whole.
fn table_error(code: ProblemCode, message: &str) -> JsValue {
    let repr = serde_json::json!({
        "kind": "table",
        "code": code,
        "message": message,
        "problems": [],
    });
    js_error(&repr.to_string())
}

fn bad_option(zh: String, en: String) -> JsValue {
    arg_error(ProblemCode::WrongType, "options", zh, en)
}

fn string_option(value: &JsValue, key: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        bad_option(
            format!("options.{key} 应为字符串，实际为 {}", type_name(value)),
            format!("options.{key} must be a string, got {}", type_name(value)),
        )
    })
}

/// Each own key of a plain object with its value (undefined values skipped), or an error
/// naming `field` when `v` is no plain object. `undefined`/`null` is no keys.
fn entries(v: &JsValue, field: &str) -> Result<Vec<(String, JsValue)>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !v.is_object() || Array::is_array(v) || v.is_function() {
        return Err(bad_option(
            format!("{field} 应为对象，实际为 {}", type_name(v)),
            format!("{field} must be an object, got {}", type_name(v)),
        ));
    }
    Ok(Object::keys(v.unchecked_ref::<Object>())
        .iter()
        .filter_map(|key| {
            let value = Reflect::get(v, &key).unwrap_or(JsValue::UNDEFINED);
            let key = key.as_string()?;
            (!value.is_undefined()).then_some((key, value))
        })
        .collect())
}

/// `{encoding?: string, sheet?: string, headerRow?: number, mapping?: {header: target},
/// lang?: "zh" | "en"}`; unknown keys are refused (typos).
fn table_options(v: &JsValue) -> Result<TableOptions, JsValue> {
    let mut options = TableOptions {
        max_rows: MAX_TABLE_ROWS,
        ..TableOptions::default()
    };
    for (key, value) in entries(v, "options")? {
        match key.as_str() {
            "encoding" => options.encoding = string_option(&value, "encoding")?,
            "sheet" => options.sheet = Some(string_option(&value, "sheet")?),
            "headerRow" => {
                let row = value
                    .as_f64()
                    .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= 1_048_576.0);
                options.header_row = Some(row.ok_or_else(|| {
                    bad_option(
                        "options.headerRow 应为 1 到 1048576 的整数".into(),
                        "options.headerRow must be an integer from 1 to 1048576".into(),
                    )
                })? as u64);
            }
            "mapping" => {
                let mut mapping = Mapping::new();
                for (header, target) in entries(&value, "options.mapping")? {
                    let target = string_option(&target, &format!("mapping[{header:?}]"))?;
                    mapping.insert(header, target);
                }
                options.mapping = mapping;
            }
            "lang" => options.lang = lang_option(&value)?,
            other => {
                return Err(bad_option(
                    format!(
                        "未知选项 options.{other}（可用：encoding、sheet、headerRow、mapping、lang）"
                    ),
                    format!(
                        "unknown option options.{other} (known: encoding, sheet, headerRow, mapping, lang)"
                    ),
                ));
            }
        }
    }
    Ok(options)
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Reads a file of projects (`bytes`, named `fileName`: .xlsx, .xls, .ods, .csv in UTF-8 or
    /// GBK, .jsonl) and scores every row as `jixiao batch` does: the header found below title
    /// rows, each column's meaning, warnings with suggested inputs, and each row's status,
    /// errors, submission and scorecard. Throws a `JixiaoError` with `kind: "table"` when the
    /// file cannot be read at all (code `io`), its header or mapping names no input
    /// (`unknown_input`), or it holds more than 5,000 projects (`limit_exceeded`).
    #[wasm_bindgen(js_name = scoreTable, unchecked_return_type = "ScoredTable")]
    pub fn score_table(
        &self,
        bytes: &[u8],
        #[wasm_bindgen(js_name = fileName)] file_name: &str,
        options: Option<TableOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        enter()?;
        if bytes.len() > MAX_TABLE_BYTES {
            return Err(arg_error(
                ProblemCode::TooLong,
                "bytes",
                format!(
                    "文件有 {} 字节，超过 {MAX_TABLE_BYTES} 字节的上限",
                    bytes.len()
                ),
                format!(
                    "the file has {} bytes, more than the {MAX_TABLE_BYTES} allowed",
                    bytes.len()
                ),
            ));
        }
        let options = table_options(&options.map_or(JsValue::UNDEFINED, JsValue::from))?;
        let source = Source::Bytes {
            name: file_name.to_string(),
            bytes: bytes.into(),
        };
        let scored = table::score_table(&self.engine, source, &options)
            .map_err(|e| table_error(e.code, &e.message))?;
        to_js(&scored)
    }

    /// The projects' XLSX result, as `jixiao batch -o 结果.xlsx` writes it (评价结果, 扣分原因,
    /// 错误, 说明): `submissions` in list order (objects or JSON text), each scored here.
    #[wasm_bindgen(js_name = resultsXlsx)]
    pub fn results_xlsx(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(Submission | string)[]")] submissions: Array,
        #[wasm_bindgen(unchecked_param_type = "\"zh\" | \"zh-CN\" | \"en\"")] lang: Option<String>,
    ) -> Result<Vec<u8>, JsValue> {
        enter()?;
        let lang = match lang {
            Some(l) => lang_option(&JsValue::from_str(&l))?,
            None => Lang::Zh,
        };
        if submissions.length() as usize > MAX_TABLE_ROWS {
            return Err(arg_error(
                ProblemCode::LimitExceeded,
                "submissions",
                format!("一次最多导出 {MAX_TABLE_ROWS} 个项目"),
                format!("at most {MAX_TABLE_ROWS} projects are exported at once"),
            ));
        }
        let texts = submissions
            .iter()
            .map(|s| {
                json_text(
                    &s,
                    "submission",
                    MAX_SUBMISSION_CHARS,
                    ("填报", "submission"),
                )
            })
            .collect::<Result<Vec<String>, JsValue>>()?;
        table::results_xlsx(&self.engine, texts, lang)
            .map_err(|message| table_error(ProblemCode::Io, &message))
    }
}
