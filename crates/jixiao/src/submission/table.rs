//! Table inputs: a `table` input collects any number of rows of typed columns. A unit's
//! performance-target table (绩效目标表), one row per KPI, is data in the submission rather
//! than code in the rulebook. A submission gives an array of row objects; each cell is checked
//! against its column like any scalar input; scripts see an array of maps (a missing optional
//! cell reads as `()`). The declaration is checked with the rulebook
//! (`rulebook::table_declaration`), the scoring is `target_table()` (`target_table.rs`).

use crate::error::{Problem, ProblemCode};
use crate::model::{Input, InputType};
use crate::submission::{Val, check_value};
use std::collections::BTreeMap;

/// Most rows one table may have.
pub(crate) const MAX_ROWS: usize = 200;

/// One checked row: column id → value (missing optional cells absent).
pub(crate) type Row = BTreeMap<String, Val>;

/// A checked table: its rows (a bad cell left out of its row) and every cell that could not
/// be read. A bad cell fails only what reads its row: `target_table()` fails the indicators
/// whose rows hold one and scores the others; any other reading of the table is refused.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TableVal {
    pub(crate) rows: Vec<Row>,
    pub(crate) bad: Vec<BadCell>,
}

/// A cell that could not be read: its row (0-based), what is wrong (naming the row, in zh and
/// en), and where.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BadCell {
    pub(crate) row: usize,
    pub(crate) zh: String,
    pub(crate) en: String,
    pub(crate) field: String,
}

impl TableVal {
    /// What is wrong with row `r` (0-based), if anything: its first bad cell.
    pub(crate) fn bad_row(&self, r: usize) -> Option<&BadCell> {
        self.bad.iter().find(|b| b.row == r)
    }

    /// Whether a bad cell holds up a leaf whose reads of metrics are `reads` (metric, category
    /// a `target_table` call scores; None: every row), this table being metric `i`: a bad
    /// cell in a row a read takes, or in a row whose category cannot be read (it may be that
    /// category's). A table the leaf needs only through a KPI is read whole.
    pub(crate) fn holds_up(&self, i: usize, reads: &[(usize, Option<String>)]) -> bool {
        if self.bad.is_empty() {
            return false;
        }
        let mut read = false;
        for (j, category) in reads {
            if *j != i {
                continue;
            }
            read = true;
            let Some(category) = category else {
                return true;
            };
            for b in &self.bad {
                match self.rows.get(b.row).and_then(|row| row.get("category")) {
                    Some(Val::Text(c)) if c.trim() != category => {}
                    _ => return true,
                }
            }
        }
        !read
    }

    /// The submission's problem for the table's bad cells (up to five named), if it has any.
    pub(crate) fn problem(&self, input: &Input) -> Option<Problem> {
        let first = self.bad.first()?;
        let en_label = input.label_en.as_deref().unwrap_or(&input.label);
        let shown = self.bad.len().min(5);
        let more = self.bad.len() - shown;
        let zh: Vec<&str> = self.bad[..shown].iter().map(|b| b.zh.as_str()).collect();
        let en: Vec<&str> = self.bad[..shown].iter().map(|b| b.en.as_str()).collect();
        let (more_zh, more_en) = if more > 0 {
            (format!("；另有 {more} 处"), format!("; {more} more"))
        } else {
            (String::new(), String::new())
        };
        Some(
            Problem::new(
                ProblemCode::WrongType,
                format!("{}：{}{more_zh}", input.label, zh.join("；")),
                format!("{en_label}: {}{more_en}", en.join("; ")),
            )
            .input(&input.id)
            .field(first.field.clone()),
        )
    }
}

// ---------------------------------------------------------------- submission

/// Check a submitted table: an array of row objects, each cell against its column. `Ok(None)`
/// for an empty array (not filled in). The table is refused whole only when it is no array
/// of at most [`MAX_ROWS`] rows; a bad cell (or a row that is no object) is kept in
/// [`TableVal::bad`], named in the problem [`TableVal::problem`] makes.
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
    let mut bad: Vec<BadCell> = Vec::new();
    for (r, item) in items.iter().enumerate() {
        let n = r + 1;
        // What is wrong after the row's number, in zh and en, and where.
        let mut flag = |zh: String, en: String, field: String| {
            bad.push(BadCell {
                row: r,
                zh,
                en,
                field,
            });
        };
        let Some(obj) = item.as_object() else {
            flag(
                format!("第 {n} 行不是对象"),
                format!("row {n} is not an object"),
                format!("{field}[{r}]"),
            );
            // Its place kept, so that every row keeps its number.
            rows.push(Row::new());
            continue;
        };
        for key in obj.keys() {
            if !input.columns.iter().any(|c| &c.id == key) {
                let key = crate::error::quoted(key);
                flag(
                    format!("第 {n} 行有未定义的列 “{key}”"),
                    format!("row {n} has the unknown column “{key}”"),
                    format!("{field}[{r}].{key}"),
                );
            }
        }
        let mut row = Row::new();
        for col in &input.columns {
            let cell = obj.get(&col.id).unwrap_or(&serde_json::Value::Null);
            let at = format!("{field}[{r}].{}", col.id);
            let col_en = col.label_en.as_deref().unwrap_or(&col.label);
            let unpercented;
            let cell = match percent_points(col, cell) {
                Some(points) => {
                    unpercented = points;
                    &unpercented
                }
                None => cell,
            };
            match check_value(col, cell) {
                Ok(Some(v)) => {
                    row.insert(col.id.clone(), v);
                }
                Ok(None) if col.required => flag(
                    format!("第 {n} 行缺少“{}”", col.label),
                    format!("row {n}: “{col_en}” is missing"),
                    at,
                ),
                Ok(None) => {}
                Err(p) => flag(
                    format!("第 {n} 行 {}", p.message),
                    format!("row {n}: {}", p.message_en),
                    at,
                ),
            }
        }
        rows.push(row);
    }
    Ok(Some(Val::Table(TableVal { rows, bad })))
}

/// "80%" typed into a number column of a table: 80, the row's own unit saying what it counts
/// (a 绩效目标表 row of 满意度 has 目标 ≥90%, 实际 95%, 单位 %). Only in tables: a scalar number
/// input with a % is refused, and percent inputs read "92.5%" themselves.
fn percent_points(col: &Input, cell: &serde_json::Value) -> Option<serde_json::Value> {
    if !matches!(col.kind, InputType::Number | InputType::Integer) {
        return None;
    }
    // The number is parsed (and trimmed) as any typed number is.
    let text = cell.as_str()?.trim();
    let number = text.strip_suffix("%").or_else(|| text.strip_suffix("％"))?;
    (!number.trim().is_empty()).then(|| serde_json::Value::String(number.to_string()))
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
        let Val::Table(ok) = ok else { panic!() };
        assert_eq!(ok.rows[0]["target"], Val::Num(1200.0));
        assert!(ok.bad.is_empty());
        assert_eq!(check_table(&t, &json!([])).unwrap(), None);
        let checked = check_table(
            &t,
            &json!([
                {"name": "a", "op": "≈", "weight": 1},
                {"name": "b", "op": "≥", "weight": "x", "extra": 1},
                {"op": "≥", "weight": 2},
                3,
                {"name": "e", "op": "≤", "weight": 1}
            ]),
        )
        .unwrap()
        .unwrap();
        let Val::Table(checked) = checked else {
            panic!()
        };
        // Every row keeps its place; the good cells of a bad row are kept, the bad ones named.
        assert_eq!(checked.rows.len(), 5);
        assert_eq!(checked.rows[1]["name"], Val::Text("b".into()));
        assert!(!checked.rows[1].contains_key("weight"));
        let bad_rows: Vec<usize> = checked.bad.iter().map(|b| b.row).collect();
        assert_eq!(bad_rows, [0, 1, 1, 2, 3]);
        assert!(checked.bad_row(4).is_none());
        let err = checked.problem(&t).unwrap();
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
        assert_eq!(checked.bad[4].zh, "第 4 行不是对象");
        // 80% in a number column is 80 (the row's unit says percent); a word is still refused.
        let typed = check_table(
            &t,
            &json!([{"name": "满意度", "op": "≥", "target": "90%", "actual": " 95 ％", "weight": 10}]),
        )
        .unwrap()
        .unwrap();
        let Val::Table(typed) = typed else { panic!() };
        assert!(typed.bad.is_empty(), "{:?}", typed.bad);
        assert_eq!(typed.rows[0]["target"], Val::Num(90.0));
        assert_eq!(typed.rows[0]["actual"], Val::Num(95.0));
        let Some(Val::Table(word)) = check_table(
            &t,
            &json!([{"name": "x", "op": "≥", "actual": "%", "weight": 1}]),
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(word.bad.len(), 1);
        assert!(check_table(&t, &json!({"name": "x"})).is_err());
    }
}
