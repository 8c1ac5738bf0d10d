//! Table inputs: a `table` input collects any number of rows of typed columns. A unit's
//! performance-target table (绩效目标表), one row per KPI, is data in the submission rather
//! than code in the rulebook. A submission gives an array of row objects; each cell is checked
//! against its column like any scalar input; scripts see an array of maps (a missing optional
//! cell reads as `()`). The declaration is checked with the rulebook
//! (`rulebook::table_declaration`), the scoring is `target_table()` (`target_table.rs`).

use crate::error::{Problem, ProblemCode};
use crate::model::Input;
use crate::submission::{Val, check_value};
use std::collections::BTreeMap;

/// Most rows one table may have.
pub(crate) const MAX_ROWS: usize = 200;

/// One checked row: column id → value (missing optional cells absent).
pub(crate) type Row = BTreeMap<String, Val>;

// ---------------------------------------------------------------- submission

/// Check a submitted table: an array of row objects, each cell against its column. `Ok(None)`
/// for an empty array (not filled in). Every bad cell is named in one problem on the input.
#[allow(clippy::result_large_err)] // one per bad table, off the hot path
pub(crate) fn check_table(input: &Input, raw: &serde_json::Value) -> Result<Option<Val>, Problem> {
    let en_label = input.label_en.as_deref().unwrap_or(&input.label);
    let problem = |code: ProblemCode, zh: String, en: String, field: String| {
        Problem::new(code, zh, en).input(&input.id).field(field)
    };
    let field = format!("values.{}", input.id);
    let Some(items) = raw.as_array() else {
        return Err(problem(
            ProblemCode::WrongType,
            format!("{}：应为表格（行对象的数组）", input.label),
            format!("{en_label}: expected a table (an array of row objects)"),
            field,
        ));
    };
    if items.is_empty() {
        return Ok(None);
    }
    if items.len() > MAX_ROWS {
        return Err(problem(
            ProblemCode::OutOfRange,
            format!(
                "{}：{} 行，超过上限 {MAX_ROWS} 行",
                input.label,
                items.len()
            ),
            format!("{en_label}: {} rows, more than {MAX_ROWS}", items.len()),
            field,
        ));
    }
    let mut rows = Vec::with_capacity(items.len());
    // (zh, en, field) of every bad cell.
    let mut bad: Vec<(String, String, String)> = Vec::new();
    for (r, item) in items.iter().enumerate() {
        let n = r + 1;
        let Some(obj) = item.as_object() else {
            bad.push((
                format!("第 {n} 行不是对象"),
                format!("row {n} is not an object"),
                format!("{field}[{r}]"),
            ));
            continue;
        };
        for key in obj.keys() {
            if !input.columns.iter().any(|c| &c.id == key) {
                let key = crate::error::quoted(key);
                bad.push((
                    format!("第 {n} 行有未定义的列 “{key}”"),
                    format!("row {n} has the unknown column “{key}”"),
                    format!("{field}[{r}].{key}"),
                ));
            }
        }
        let mut row = Row::new();
        for col in &input.columns {
            let cell = obj.get(&col.id).unwrap_or(&serde_json::Value::Null);
            let at = format!("{field}[{r}].{}", col.id);
            let col_en = col.label_en.as_deref().unwrap_or(&col.label);
            match check_value(col, cell) {
                Ok(Some(v)) => {
                    row.insert(col.id.clone(), v);
                }
                Ok(None) if col.required => bad.push((
                    format!("第 {n} 行缺少“{}”", col.label),
                    format!("row {n}: “{col_en}” is missing"),
                    at,
                )),
                Ok(None) => {}
                Err(p) => bad.push((
                    format!("第 {n} 行 {}", p.message),
                    format!("row {n}: {}", p.message_en),
                    at,
                )),
            }
        }
        rows.push(row);
    }
    if bad.is_empty() {
        return Ok(Some(Val::Table(rows)));
    }
    let first_field = bad[0].2.clone();
    let shown = bad.len().min(5);
    let more = bad.len() - shown;
    let zh: Vec<&str> = bad[..shown].iter().map(|b| b.0.as_str()).collect();
    let en: Vec<&str> = bad[..shown].iter().map(|b| b.1.as_str()).collect();
    let (more_zh, more_en) = if more > 0 {
        (format!("；另有 {more} 处"), format!("; {more} more"))
    } else {
        (String::new(), String::new())
    };
    Err(problem(
        ProblemCode::WrongType,
        format!("{}：{}{more_zh}", input.label, zh.join("；")),
        format!("{en_label}: {}{more_en}", en.join("; ")),
        first_field,
    ))
}

/// The rows as the trace shows them.
pub(crate) fn rows_json(
    rows: &[Row],
    cell: impl Fn(&Val) -> serde_json::Value,
) -> serde_json::Value {
    serde_json::Value::Array(
        rows.iter()
            .map(|row| {
                // One by one, as in `rows_dynamic`.
                let mut map = serde_json::Map::new();
                for (k, v) in row {
                    map.insert(k.clone(), cell(v));
                }
                serde_json::Value::Object(map)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::InputType;
    use serde_json::json;

    fn table_input() -> Input {
        let col = |id: &str, kind: InputType, required: bool| {
            let mut c: Input = serde_json::from_value(json!({
                "id": id, "label": id, "type": "text"
            }))
            .unwrap();
            c.kind = kind;
            c.required = required;
            c
        };
        let mut op = col("op", InputType::Choice, true);
        op.choices = vec![
            "≥".into(),
            "≤".into(),
            "=".into(),
            "区间".into(),
            "定性".into(),
        ];
        let mut t: Input = serde_json::from_value(
            json!({"id": "targets", "label": "绩效目标表", "type": "table"}),
        )
        .unwrap();
        t.columns = vec![
            col("name", InputType::Text, true),
            op,
            col("target", InputType::Number, false),
            col("actual", InputType::Number, false),
            col("weight", InputType::Number, true),
        ];
        t
    }

    #[test]
    fn declarations_are_checked() {
        let t = table_input();
        assert!(crate::rulebook::table_declaration(&t).is_empty());
        let mut empty = t.clone();
        empty.columns.clear();
        assert_eq!(crate::rulebook::table_declaration(&empty).len(), 1);
        let mut dup = t.clone();
        dup.columns.push(dup.columns[0].clone());
        assert!(
            crate::rulebook::table_declaration(&dup)[0]
                .message
                .contains("重复")
        );
        let mut nested = t.clone();
        nested.columns[0].kind = InputType::Table;
        assert!(
            crate::rulebook::table_declaration(&nested)[0]
                .message
                .contains("不能再是表格")
        );
        let mut scalar = t.clone();
        scalar.kind = InputType::Number;
        assert!(
            crate::rulebook::table_declaration(&scalar)[0]
                .message
                .contains("只有 table")
        );
    }

    #[test]
    fn rows_are_checked_cell_by_cell() {
        let t = table_input();
        let ok = check_table(
            &t,
            &json!([{"name": "户数", "op": "≥", "target": "1,200", "actual": 1150, "weight": 10}]),
        )
        .unwrap()
        .unwrap();
        let Val::Table(rows) = ok else { panic!() };
        assert_eq!(rows[0]["target"], Val::Num(1200.0));
        assert_eq!(check_table(&t, &json!([])).unwrap(), None);
        let err = check_table(
            &t,
            &json!([
                {"name": "a", "op": "≈", "weight": 1},
                {"name": "b", "op": "≥", "weight": "x", "extra": 1},
                {"op": "≥", "weight": 2},
                3
            ]),
        )
        .unwrap_err();
        assert_eq!(err.input.as_deref(), Some("targets"));
        assert_eq!(err.field.as_deref(), Some("values.targets[0].op"));
        for part in [
            "第 1 行",
            "第 2 行有未定义的列",
            "第 2 行 weight",
            "第 3 行缺少“name”",
            "第 4 行不是对象",
        ] {
            assert!(err.message.contains(part), "{part}: {}", err.message);
        }
        assert!(check_table(&t, &json!({"name": "x"})).is_err());
    }
}
