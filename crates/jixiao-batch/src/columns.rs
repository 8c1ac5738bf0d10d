//! Mapping a file's column headers to what a submission holds: rulebook inputs (by id, by
//! Chinese label, by English label, with or without a unit such as “（万元）”), the project's
//! id and name, several experts' grades of one item, 不适用 marks and notes per indicator.
//! The accepted headers are documented in crates/jixiao-cli/README.md.

use jixiao::Engine;
use jixiao::model::{Input, InputType};
use std::collections::HashMap;

/// What one column holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Column {
    /// A rulebook input (index into the rulebook's inputs).
    Input(usize),
    /// One more expert's grade of a grade input (`立项依据充分性#2`, `approval_basis（专家2）`).
    GradePart(usize),
    ProjectId,
    ProjectName,
    /// Another project field carried to the scorecard (`project.region`).
    ProjectExtra(String),
    /// Ids or labels of the indicators marked 不适用, separated by 、 , ; or spaces.
    NotApplicableList,
    /// A yes/no mark that one indicator is 不适用 (`不适用:D1.1`).
    NotApplicable(String),
    /// The evaluator's note on one indicator (`备注:O3.1`).
    Note(String),
    /// A row-number column (序号, 行号) or an empty header.
    Ignored,
    /// Nothing known: reported once and ignored.
    Unknown,
}

/// Lookup tables built once per rulebook; shared by the reader (to find the header row) and
/// the batch (to plan the columns).
#[derive(Debug)]
pub struct ColumnMatcher {
    inputs: Vec<Input>,
    by_name: HashMap<String, usize>,
    indicators: HashMap<String, String>,
}

/// The plan for one file: every column's meaning and where each input came from.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    pub headers: Vec<String>,
    pub columns: Vec<Column>,
    pub inputs: Vec<Input>,
    /// The header of the (first) column of each input, by input index.
    pub input_headers: Vec<Option<String>>,
    /// The column of each per-indicator 不适用 mark, and of the list column.
    pub not_applicable_headers: HashMap<String, String>,
    pub not_applicable_list_header: Option<String>,
    /// Indicator ids by id and by label, to resolve 不适用 lists.
    pub indicators: HashMap<String, String>,
}

/// A header problem that stops the batch before any row is scored.
pub type PlanError = String;

const PROJECT_ID: &[&str] = &[
    "项目编号",
    "项目代码",
    "项目编码",
    "项目id",
    "project.id",
    "project_id",
    "projectid",
    "id",
];
const PROJECT_NAME: &[&str] = &[
    "项目名称",
    "项目名",
    "project.name",
    "project_name",
    "projectname",
    "name",
];
const NA_LIST: &[&str] = &["不适用", "不适用指标", "not_applicable", "n/a", "na"];
const IGNORED: &[&str] = &["序号", "行号", "编号序号", "no", "no.", "row", "#"];
const NA_PREFIXES: &[&str] = &["不适用", "na", "n/a", "not_applicable"];
const NOTE_PREFIXES: &[&str] = &["备注", "说明", "note", "notes"];

/// Header text as people type it: trimmed, full-width brackets and colons unified, a leading
/// or trailing * (a "required" marker in templates) dropped, lower-cased for Latin letters.
fn normalize(header: &str) -> String {
    let s: String = header
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '*' || c == '＊')
        .chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            '　' => ' ',
            '＃' => '#',
            other => other,
        })
        .collect();
    s.to_lowercase()
}

/// "申报预算(万元)" → "申报预算"; "系统可用率(%)" → "系统可用率".
fn strip_unit(name: &str) -> Option<&str> {
    let stripped = name.strip_suffix(')')?;
    let open = stripped.rfind('(')?;
    let base = stripped[..open].trim_end();
    (!base.is_empty()).then_some(base)
}

/// "立项依据#2", "立项依据[2]", "立项依据(专家2)", "立项依据-专家2", "立项依据_专家2", "立项依据 专家2".
fn strip_expert_suffix(name: &str) -> Option<&str> {
    let digits_at_end = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if digits_at_end.len() == name.len() {
        // "[2]" and "(专家2)" end in a bracket.
        if let Some(inner) = name.strip_suffix(']') {
            let base = inner
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .strip_suffix('[')?;
            return (!base.is_empty() && inner.len() > base.len() + 1).then_some(base.trim_end());
        }
        let inner = name.strip_suffix(')')?;
        let base = inner.trim_end_matches(|c: char| c.is_ascii_digit());
        if base.len() == inner.len() {
            return None;
        }
        let base = base
            .strip_suffix("专家")
            .or_else(|| base.strip_suffix("expert"))?;
        return base
            .strip_suffix('(')
            .map(str::trim_end)
            .filter(|b| !b.is_empty());
    }
    let base = digits_at_end;
    let base = base
        .strip_suffix('#')
        .or_else(|| {
            let b = base
                .strip_suffix("专家")
                .or_else(|| base.strip_suffix("expert"))?;
            Some(b.strip_suffix(['-', '_', ' ']).unwrap_or(b))
        })?
        .trim_end();
    (!base.is_empty()).then_some(base)
}

impl ColumnMatcher {
    pub fn new(engine: &Engine) -> Self {
        let spec = engine.rulebook().spec();
        let mut by_name = HashMap::new();
        // Ids first, so that a label equal to another input's id cannot shadow it.
        for (i, input) in spec.inputs.iter().enumerate() {
            by_name.entry(normalize(&input.id)).or_insert(i);
        }
        for (i, input) in spec.inputs.iter().enumerate() {
            by_name.entry(normalize(&input.label)).or_insert(i);
            if let Some(en) = &input.label_en {
                by_name.entry(normalize(en)).or_insert(i);
            }
        }
        let mut indicators = HashMap::new();
        for ind in &spec.indicators {
            indicators
                .entry(normalize(&ind.id))
                .or_insert_with(|| ind.id.clone());
        }
        for ind in &spec.indicators {
            indicators
                .entry(normalize(&ind.label))
                .or_insert_with(|| ind.id.clone());
            if let Some(en) = &ind.label_en {
                indicators
                    .entry(normalize(en))
                    .or_insert_with(|| ind.id.clone());
            }
            // "D1.1 立项依据充分性", as the batch's own output heads its columns.
            indicators
                .entry(normalize(&format!("{} {}", ind.id, ind.label)))
                .or_insert_with(|| ind.id.clone());
        }
        ColumnMatcher {
            inputs: spec.inputs.clone(),
            by_name,
            indicators,
        }
    }

    fn input(&self, name: &str) -> Option<usize> {
        self.by_name
            .get(name)
            .or_else(|| strip_unit(name).and_then(|b| self.by_name.get(b)))
            .copied()
    }

    fn indicator(&self, name: &str) -> Option<String> {
        self.indicators.get(name.trim()).cloned()
    }

    /// What a header means.
    pub fn classify(&self, header: &str) -> Column {
        let name = normalize(header);
        if name.is_empty() || IGNORED.contains(&name.as_str()) {
            return Column::Ignored;
        }
        if let Some(i) = self.by_name.get(&name) {
            return Column::Input(*i);
        }
        // Before units: "立项依据(专家2)" is an expert's grade, not a unit.
        if let Some(base) = strip_expert_suffix(&name)
            && let Some(i) = self.input(base)
            && self.inputs[i].kind == InputType::Grade
        {
            return Column::GradePart(i);
        }
        if let Some(i) = self.input(&name) {
            return Column::Input(i);
        }
        if PROJECT_ID.contains(&name.as_str()) {
            return Column::ProjectId;
        }
        if PROJECT_NAME.contains(&name.as_str()) {
            return Column::ProjectName;
        }
        if NA_LIST.contains(&name.as_str()) {
            return Column::NotApplicableList;
        }
        if let Some((prefix, rest)) = name.split_once(':') {
            let prefix = prefix.trim();
            if let Some(id) = self.indicator(rest) {
                if NA_PREFIXES.contains(&prefix) {
                    return Column::NotApplicable(id);
                }
                if NOTE_PREFIXES.contains(&prefix) {
                    return Column::Note(id);
                }
            }
        }
        if let Some(field) = name.strip_prefix("project.") {
            // Keep the field name as typed (case) for the scorecard.
            let typed = header.trim().trim_start_matches("project.").to_string();
            return Column::ProjectExtra(if typed.is_empty() {
                field.to_string()
            } else {
                typed
            });
        }
        Column::Unknown
    }

    /// How many cells of a row name known columns: the header row is the one naming most.
    pub fn recognized(&self, cells: &[String]) -> usize {
        cells
            .iter()
            .filter(|c| !matches!(self.classify(c), Column::Unknown | Column::Ignored))
            .count()
    }

    /// Plans the columns of a header row, or says why the file cannot be read.
    pub fn plan(&self, headers: Vec<String>) -> Result<(ColumnPlan, Vec<Warning>), PlanError> {
        let columns: Vec<Column> = headers.iter().map(|h| self.classify(h)).collect();
        let mut input_headers: Vec<Option<String>> = vec![None; self.inputs.len()];
        let mut not_applicable_headers = HashMap::new();
        let mut not_applicable_list_header = None;
        let mut seen: HashMap<Column, String> = HashMap::new();
        let mut warnings = Vec::new();
        for (column, header) in columns.iter().zip(&headers) {
            let unique = match column {
                Column::Input(_)
                | Column::ProjectId
                | Column::ProjectName
                | Column::ProjectExtra(_)
                | Column::NotApplicableList
                | Column::NotApplicable(_)
                | Column::Note(_) => true,
                Column::GradePart(_) | Column::Ignored | Column::Unknown => false,
            };
            if unique {
                if let Some(first) = seen.get(column) {
                    return Err(format!(
                        "列“{first}”和列“{header}”对应同一项，无法确定用哪一列 (columns “{first}” and “{header}” both map to the same field)"
                    ));
                }
                seen.insert(column.clone(), header.clone());
            }
            match column {
                Column::Input(i) | Column::GradePart(i) => {
                    input_headers[*i].get_or_insert_with(|| header.clone());
                }
                Column::NotApplicable(id) => {
                    not_applicable_headers.insert(id.clone(), header.clone());
                }
                Column::NotApplicableList => not_applicable_list_header = Some(header.clone()),
                Column::Unknown => warnings.push(Warning::UnknownColumn(header.clone())),
                _ => {}
            }
        }
        if input_headers.iter().all(Option::is_none) {
            return Err(format!(
                "列名行中没有任何列对应评价方案的数据项（列名：{}）；请用数据项的 id 或中文名作列名，或用 --header-row 指定列名所在行 (no column maps to a rulebook input)",
                headers
                    .iter()
                    .filter(|h| !h.trim().is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("、")
            ));
        }
        let missing: Vec<String> = self
            .inputs
            .iter()
            .zip(&input_headers)
            .filter(|(input, header)| input.required && header.is_none())
            .map(|(input, _)| format!("{}（{}）", input.label, input.id))
            .collect();
        if !missing.is_empty() {
            warnings.push(Warning::MissingInputs(missing));
        }
        Ok((
            ColumnPlan {
                headers,
                columns,
                inputs: self.inputs.clone(),
                input_headers,
                not_applicable_headers,
                not_applicable_list_header,
                indicators: self.indicators.clone(),
            },
            warnings,
        ))
    }
}

/// Header findings that do not stop the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    UnknownColumn(String),
    /// Required inputs with no column: the indicators reading them stay unscored.
    MissingInputs(Vec<String>),
}

impl ColumnPlan {
    /// The indicator id an entry of a 不适用 list names (id or label), if any.
    pub fn indicator_id(&self, name: &str) -> Option<&str> {
        self.indicators.get(&normalize(name)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn demo() -> ColumnMatcher {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../rules/demo/rulebook.toml"
        );
        let engine = Engine::new(jixiao::Rulebook::from_path(path).unwrap()).unwrap();
        ColumnMatcher::new(&engine)
    }

    #[test]
    fn headers_by_id_label_unit_and_marker() {
        let m = demo();
        let budget = m
            .inputs
            .iter()
            .position(|i| i.id == "budget_requested")
            .unwrap();
        assert_eq!(m.classify("budget_requested"), Column::Input(budget));
        assert_eq!(m.classify(" 申报预算 "), Column::Input(budget));
        assert_eq!(m.classify("申报预算（万元）"), Column::Input(budget));
        assert_eq!(m.classify("*申报预算(万元)"), Column::Input(budget));
        assert_eq!(m.classify("Budget requested"), Column::Input(budget));
        assert_eq!(m.classify("项目编号"), Column::ProjectId);
        assert_eq!(m.classify("project.name"), Column::ProjectName);
        assert_eq!(m.classify("序号"), Column::Ignored);
        assert_eq!(m.classify("总分"), Column::Unknown);
    }

    #[test]
    fn expert_grades_na_marks_and_notes() {
        let m = demo();
        let basis = m
            .inputs
            .iter()
            .position(|i| i.id == "approval_basis")
            .unwrap();
        for h in [
            "approval_basis#2",
            "立项依据充分性（专家评级）#1",
            "approval_basis（专家3）",
            "approval_basis-专家2",
            "approval_basis[2]",
        ] {
            assert_eq!(m.classify(h), Column::GradePart(basis), "{h}");
        }
        // Only grade inputs take several columns.
        assert_eq!(m.classify("budget_requested#2"), Column::Unknown);
        assert_eq!(
            m.classify("不适用：P2.1"),
            Column::NotApplicable("P2.1".into())
        );
        assert_eq!(m.classify("na:P2.1"), Column::NotApplicable("P2.1".into()));
        assert_eq!(m.classify("备注:O3.1"), Column::Note("O3.1".into()));
        assert_eq!(m.classify("不适用"), Column::NotApplicableList);
    }

    #[test]
    fn duplicate_and_useless_headers_stop_the_batch() {
        let m = demo();
        let err = m
            .plan(vec!["申报预算".into(), "budget_requested".into()])
            .unwrap_err();
        assert!(
            err.contains("申报预算") && err.contains("budget_requested"),
            "{err}"
        );
        assert!(m.plan(vec!["总分".into(), "等级".into()]).is_err());
        let (_, warnings) = m.plan(vec!["申报预算".into(), "备用".into()]).unwrap();
        assert_eq!(warnings[0], Warning::UnknownColumn("备用".into()));
        assert!(matches!(&warnings[1], Warning::MissingInputs(m) if m.len() > 5));
    }
}
