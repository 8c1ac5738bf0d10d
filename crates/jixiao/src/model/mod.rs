//! The rulebook (评价方案 / 指标体系) as authored: plain data, serde in both TOML and JSON.
//!
//! Nothing here is checked beyond its shape; [`crate::Rulebook`] validates and
//! [`crate::Engine`] compiles. Field names are the stable rulebook format documented in
//! `rules/README.md` and published as a JSON Schema (`Rulebook::json_schema`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The stage of 全过程预算绩效管理 a rulebook is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// 事前绩效评估
    ExAnte,
    /// 绩效运行监控
    Monitoring,
    /// 绩效自评
    SelfEval,
    /// 绩效评价 / 后评价 (third-party post-evaluation)
    Post,
}

/// How the points of indicators marked not applicable (不适用) are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NaPolicy {
    /// Excluded; the total is rescaled: total = raw score × total points / applicable points.
    #[default]
    Rescale,
    /// Given to the applicable siblings in proportion to their points; if every child of a
    /// parent is N/A the parent itself is N/A and the rule applies one level up.
    Redistribute,
}

/// One grade band (评价等级): a score at or above `min` earns `label`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub min: f64,
    /// The conclusion a report draws for a project in this band (评价结论), e.g. “项目立项规范，
    /// 管理较为规范，绩效目标基本实现，但……”.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion_en: Option<String>,
}

/// A declared weight constraint, e.g. 产出 + 效益 ≥ 60 points (财预〔2020〕10号).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightConstraint {
    /// Ids of indicators whose points are added up.
    pub indicators: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_points: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<f64>,
    /// Why the constraint exists (the policy it follows), printed when it is broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The type of a collected data item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InputType {
    /// Any finite number (金额, 数量 …). Scripts see a float.
    Number,
    /// A percentage typed as percent points: 92.5 means 92.5 %. Scripts see the fraction 0.925,
    /// the same scale KPIs such as 实际支出 / 预算 produce, so thresholds are written once.
    Percent,
    /// A whole number. Scripts see it as a float, like every number, so that dividing two
    /// counts gives a rate rather than integer division.
    Integer,
    /// 是 / 否. Scripts see a bool.
    Bool,
    /// One of `choices`. Scripts see the chosen string.
    Choice,
    /// An ISO date `YYYY-MM-DD`. Scripts see the string; `days_between` compares two.
    Date,
    /// Free text (at most 2,000 characters). Scripts see the string.
    Text,
    /// Expert grade(s) (专家评级) on the input's scale: one grade, or one per expert.
    /// Scripts see the aggregated fraction of full marks (优 = 1.0 …); `grade(id)` scores it.
    Grade,
    /// Rows of typed `columns` (e.g. a 绩效目标表, one row per KPI): the submission gives an
    /// array of row objects; scripts see an array of maps; `target_table(id)` scores it.
    Table,
}

/// How several experts' grades of one item are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GradeAggregate {
    #[default]
    Mean,
    /// Mean after dropping one highest and one lowest grade (needs ≥ 3 experts, else mean).
    TrimmedMean,
    Median,
}

/// One level of an expert-grade scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeLevel {
    pub label: String,
    /// Fraction of the indicator's points this grade earns, in [0, 1].
    pub fraction: f64,
}

/// A typed field of the submission form (采集数据项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Identifier scripts use: ASCII `[a-z_][a-z0-9_]*`.
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(rename = "type")]
    pub kind: InputType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Required inputs must be present for the indicators that read them to be scored.
    #[serde(default = "default_true")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_en: Option<String>,
    /// For `choice`: the allowed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// For `grade`: the scale; defaults to 优/良/中/差 = 1.0/0.8/0.6/0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<GradeLevel>,
    /// For `grade` with several experts.
    #[serde(default, skip_serializing_if = "is_default")]
    pub aggregate: GradeAggregate,
    /// For `table`: the columns of every row (any type but `table`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Input>,
}

/// A derived value (绩效指标), e.g. 预算执行率 = 实际支出 / 到位资金.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// A Rhai expression over inputs and other KPIs.
    pub expr: String,
    /// `percent` prints the value × 100 with a % sign; `number` (default) prints it plain.
    #[serde(default, skip_serializing_if = "is_default")]
    pub format: KpiFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KpiFormat {
    #[default]
    Number,
    Percent,
}

/// A node of the indicator tree (一/二/三级指标). Nodes are listed flat, each naming its
/// `parent`; nodes without a parent are the first-level dimensions (决策, 过程, 产出, 效益).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// 分值. Required on leaves; on parents, if given, it must equal the children's sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// 评分标准, the scoring standard as people read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_en: Option<String>,
    /// Inline Rhai scoring script (leaves only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// A `.rhai` file next to the rulebook, instead of `script`. When a rulebook is loaded
    /// from a path the file is read and its text stored in `script`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_file: Option<String>,
    /// Whether an evaluator may mark this indicator not applicable (不适用).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_na: bool,
    /// The suggestion (整改建议) a report makes when this indicator loses points, in the words
    /// of the policy documents: “加强项目前期论证，严格执行立项审批程序”.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion_en: Option<String>,
}

/// The whole rulebook (评价方案 / 指标体系).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulebookSpec {
    pub id: String,
    pub version: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    pub stage: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Declared total points; the dimensions must add up to it.
    #[serde(default = "default_total")]
    pub total: f64,
    /// Grade bands, any order; default 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below.
    #[serde(default = "default_grades")]
    pub grades: Vec<GradeBand>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub na_policy: NaPolicy,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<WeightConstraint>,
    #[serde(default)]
    pub inputs: Vec<Input>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpis: Vec<Kpi>,
    pub indicators: Vec<Indicator>,
}

fn default_true() -> bool {
    true
}
fn default_total() -> f64 {
    100.0
}
fn is_false(b: &bool) -> bool {
    !*b
}
fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below (财预〔2020〕10号).
pub fn default_grades() -> Vec<GradeBand> {
    [
        ("优", "Excellent", 90.0),
        ("良", "Good", 80.0),
        ("中", "Fair", 60.0),
        ("差", "Poor", 0.0),
    ]
    .into_iter()
    .map(|(label, en, min)| GradeBand {
        label: label.into(),
        label_en: Some(en.into()),
        min,
        conclusion: None,
        conclusion_en: None,
    })
    .collect()
}

/// 优/良/中/差 → 100 % / 80 % / 60 % / 0 % of the points, the common 评分标准 wording
/// "评价为优得满分，良得80%，中得60%，差不得分". A/B/C/D are accepted as synonyms.
pub fn default_grade_levels() -> Vec<GradeLevel> {
    [("优", 1.0), ("良", 0.8), ("中", 0.6), ("差", 0.0)]
        .into_iter()
        .map(|(label, fraction)| GradeLevel {
            label: label.into(),
            fraction,
        })
        .collect()
}

/// Who the submission is about. Any extra fields are carried through to the scorecard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: std::collections::BTreeMap<String, serde_json::Value>,
}

impl ProjectInfo {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.name.is_none() && self.extra.is_empty()
    }
}

/// An id scripts can name: lowercase ASCII `[a-z_][a-z0-9_]*`.
pub(crate) fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
