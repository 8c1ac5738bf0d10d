//! Mapping a file's column headers to what a submission holds: rulebook inputs (by id, by
//! Chinese label, by English label, with or without a unit such as “（万元）”), the project's
//! id and name, several experts' grades of one item, 不适用 marks and notes per indicator.
//! The accepted headers are documented in crates/jixiao-cli/README.md.
//!
//! A header that names nothing gets the input it most likely means as a suggestion ("did you
//! mean"), and a mapping (header → what it holds, saved by the browser or given with `--map`)
//! overrides the matching for the headers it names.

use jixiao::Engine;
use jixiao::model::{Input, InputType};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

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

/// Header → what the column holds, as a header the matcher knows: an input's id or label,
/// `project.id`, `project.name`, `不适用:D1.1`…; `ignore` (or 忽略, or nothing) to skip the
/// column. Headers are compared as the matcher compares them (trimmed, case and full-width
/// brackets aside).
pub type Mapping = BTreeMap<String, String>;

/// What a mapping says to skip a column with.
const IGNORE_TARGETS: &[&str] = &["", "ignore", "忽略", "-"];

/// How alike a header must be to an input's name to be suggested (0 to 1; see
/// [`similarity`]).
const SUGGESTION_THRESHOLD: f64 = 0.5;

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
        self.plan_with(headers, &Mapping::new())
    }

    /// What a mapping's target means: an error when it names nothing.
    fn mapped(&self, header: &str, target: &str) -> Result<Column, PlanError> {
        if IGNORE_TARGETS.contains(&normalize(target).as_str()) {
            return Ok(Column::Ignored);
        }
        match self.classify(target) {
            Column::Unknown | Column::Ignored => Err(format!(
                "列映射“{header} → {target}”：“{target}”不是评价方案的数据项、项目字段或指标列 (the mapping of column “{header}” names nothing: “{target}”)"
            )),
            column => Ok(column),
        }
    }

    /// The input a header that names nothing most likely means, among the inputs no other
    /// column has: the one whose id or label (unit aside) is most alike, if alike enough.
    pub fn suggest(&self, header: &str, taken: &[bool]) -> Option<&Input> {
        let name = normalize(header);
        let name = strip_unit(&name).unwrap_or(&name);
        if name.chars().count() < 2 {
            return None;
        }
        self.inputs
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken.get(*i).copied().unwrap_or(false))
            .filter_map(|(_, input)| {
                let names = [Some(&input.id), Some(&input.label), input.label_en.as_ref()];
                let best = names
                    .into_iter()
                    .flatten()
                    .map(|n| {
                        let n = normalize(n);
                        similarity(name, strip_unit(&n).unwrap_or(&n))
                    })
                    .fold(0.0, f64::max);
                (best >= SUGGESTION_THRESHOLD).then_some((best, input))
            })
            // The first of equals: inputs keep their rulebook order.
            .fold(
                None,
                |best: Option<(f64, &Input)>, (score, input)| match best {
                    Some((b, _)) if b >= score => best,
                    _ => Some((score, input)),
                },
            )
            .map(|(_, input)| input)
    }

    /// Plans the columns of a header row with a mapping for some headers (see [`Mapping`]),
    /// or says why the file cannot be read.
    pub fn plan_with(
        &self,
        headers: Vec<String>,
        mapping: &Mapping,
    ) -> Result<(ColumnPlan, Vec<Warning>), PlanError> {
        let mapping: HashMap<String, &String> =
            mapping.iter().map(|(h, t)| (normalize(h), t)).collect();
        let columns = headers
            .iter()
            .map(|h| match mapping.get(&normalize(h)) {
                Some(target) => self.mapped(h, target),
                None => Ok(self.classify(h)),
            })
            .collect::<Result<Vec<Column>, PlanError>>()?;
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
                _ => {}
            }
        }
        // Suggestions once every known column is placed, so none suggests a taken input.
        let taken: Vec<bool> = input_headers.iter().map(Option::is_some).collect();
        for (column, header) in columns.iter().zip(&headers) {
            if *column == Column::Unknown {
                let suggestion = self.suggest(header, &taken).map(|input| Suggestion {
                    id: input.id.clone(),
                    label: input.label.clone(),
                    label_en: input.label_en.clone(),
                });
                warnings.push(Warning::UnknownColumn {
                    header: header.clone(),
                    suggestion,
                });
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
            warnings.push(Warning::MissingInputs { inputs: missing });
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// A column that names nothing, ignored; with the input it probably means, if any.
    UnknownColumn {
        header: String,
        suggestion: Option<Suggestion>,
    },
    /// Required inputs with no column: the indicators reading them stay unscored.
    MissingInputs { inputs: Vec<String> },
}

impl Warning {
    /// The warning as a sentence for the person who gave the table. `map_hint(header, id)`
    /// says how that caller maps a column to an input (the CLI's `--map`, Python's
    /// `mapping=`), for a column whose likely input is known.
    pub fn message(&self, lang: jixiao::Lang, map_hint: &dyn Fn(&str, &str) -> String) -> String {
        let en = lang == jixiao::Lang::En;
        match self {
            Warning::UnknownColumn { header, suggestion } => match (suggestion, en) {
                (Some(s), false) => format!(
                    "列“{header}”不对应任何数据项或指标，已忽略；是否指“{}”（{}）？{}",
                    s.label,
                    s.id,
                    map_hint(header, &s.id)
                ),
                (Some(s), true) => format!(
                    "column “{header}” matches no input or indicator; ignored. Did you mean “{}” ({})? {}",
                    s.label_en.as_deref().unwrap_or(&s.label),
                    s.id,
                    map_hint(header, &s.id)
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
}

/// The input an unknown header probably means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub id: String,
    pub label: String,
    pub label_en: Option<String>,
}

/// How alike two names are, 0 to 1: the better of the edit distance relative to the longer
/// name (typos: 充份性 for 充分性) and the share of adjacent character pairs in common
/// (words reordered or added: 资金到位 and 实际到位资金).
fn similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(a, b).max(strsim::sorensen_dice(a, b))
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
        assert_eq!(
            warnings[0],
            Warning::UnknownColumn {
                header: "备用".into(),
                suggestion: None
            }
        );
        assert!(matches!(&warnings[1], Warning::MissingInputs { inputs } if inputs.len() > 5));
    }

    fn suggested(m: &ColumnMatcher, headers: &[&str]) -> Vec<(String, Option<String>)> {
        let (_, warnings) = m
            .plan(headers.iter().map(|h| h.to_string()).collect())
            .unwrap();
        warnings
            .into_iter()
            .filter_map(|w| match w {
                Warning::UnknownColumn { header, suggestion } => {
                    Some((header, suggestion.map(|s| s.id)))
                }
                Warning::MissingInputs { .. } => None,
            })
            .collect()
    }

    #[test]
    fn unknown_headers_suggest_the_input_they_probably_mean() {
        let m = demo();
        let got = suggested(
            &m,
            &[
                "申报预算",
                "立项依据充份性",
                "实际到位资金额（万元）",
                "budget approved amount",
                "申报预算金额",
                "总分",
                "等级",
                "备用",
            ],
        );
        let want = [
            ("立项依据充份性", Some("approval_basis")),
            ("实际到位资金额（万元）", Some("funds_arrived")),
            ("budget approved amount", Some("budget_approved")),
            // 申报预算 has its column: not suggested twice.
            ("申报预算金额", None),
            ("总分", None),
            ("等级", None),
            ("备用", None),
        ];
        let want: Vec<(String, Option<String>)> = want
            .iter()
            .map(|(h, s)| (h.to_string(), s.map(str::to_string)))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_mapping_overrides_the_headers_it_names() {
        let m = demo();
        let mut mapping = Mapping::new();
        mapping.insert("资金".into(), "funds_arrived".into());
        mapping.insert(" 申报预算 ".into(), "忽略".into());
        mapping.insert("编号".into(), "project.id".into());
        let (plan, warnings) = m
            .plan_with(
                vec!["资金".into(), "申报预算".into(), "编号".into()],
                &mapping,
            )
            .unwrap();
        let funds = m
            .inputs
            .iter()
            .position(|i| i.id == "funds_arrived")
            .unwrap();
        assert_eq!(
            plan.columns,
            vec![Column::Input(funds), Column::Ignored, Column::ProjectId]
        );
        assert!(
            !warnings
                .iter()
                .any(|w| matches!(w, Warning::UnknownColumn { .. })),
            "{warnings:?}"
        );
        mapping.insert("资金".into(), "no_such_input".into());
        let err = m.plan_with(vec!["资金".into()], &mapping).unwrap_err();
        assert_eq!(
            err,
            "列映射“资金 → no_such_input”：“no_such_input”不是评价方案的数据项、项目字段或指标列 (the mapping of column “资金” names nothing: “no_such_input”)"
        );
    }
}
