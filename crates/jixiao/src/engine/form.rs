//! Everything a page needs to generate the evaluator's form from a compiled rulebook: the
//! input fields grouped by dimension and second-level indicator, each next to the indicators
//! that read it, with types, units, ranges, help and 评分标准 text.

use crate::model::{GradeBand, Input, NaPolicy, Stage};
use crate::scorecard::RulebookRef;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub rulebook: FormRulebook,
    /// One per first-level indicator (dimension), in rulebook order.
    pub sections: Vec<FormSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormRulebook {
    #[serde(flatten)]
    pub reference: RulebookRef,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    pub stage: Stage,
    pub total: f64,
    pub na_policy: NaPolicy,
    /// Grade bands, highest first.
    pub grades: Vec<GradeBand>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormSection {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub points: f64,
    /// Second-level indicators (a dimension that is itself a leaf forms one group).
    pub groups: Vec<FormGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormGroup {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub points: f64,
    /// The leaf indicators in this group, at any depth.
    pub indicators: Vec<FormIndicator>,
    /// Inputs first read in this group, in rulebook order. Each input appears in exactly
    /// one group of the form.
    pub fields: Vec<Input>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormIndicator {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria_en: Option<String>,
    /// Whether the evaluator may mark it 不适用.
    pub allow_na: bool,
    /// Every input this indicator needs, directly or through KPIs.
    pub inputs: Vec<String>,
}
