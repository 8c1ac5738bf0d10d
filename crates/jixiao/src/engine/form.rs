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

impl super::Engine {
    /// The evaluator's form: inputs grouped by dimension and second-level indicator.
    pub fn form(&self) -> Form {
        let c = &*self.inner;
        let spec = c.rulebook.spec();
        let mut placed = vec![false; c.n_inputs];
        let mut sections = Vec::new();
        let node_spec = |ni: usize| &spec.indicators[c.nodes[ni].spec_index];
        for &r in &c.roots {
            let root = node_spec(r);
            let group_roots: Vec<usize> = if c.nodes[r].children.is_empty() {
                vec![r]
            } else {
                c.nodes[r].children.clone()
            };
            let mut groups = Vec::new();
            for g in group_roots {
                let gs = node_spec(g);
                let mut indicators = Vec::new();
                let mut fields = Vec::new();
                let mut stack = vec![g];
                while let Some(ni) = stack.pop() {
                    let node = &c.nodes[ni];
                    stack.extend(node.children.iter().rev().copied());
                    let Some(leaf) = &node.leaf else { continue };
                    let ind = node_spec(ni);
                    for &i in &leaf.all_inputs {
                        if !placed[i] {
                            placed[i] = true;
                            fields.push(spec.inputs[i].clone());
                        }
                    }
                    indicators.push(FormIndicator {
                        id: ind.id.clone(),
                        label: ind.label.clone(),
                        label_en: ind.label_en.clone(),
                        points: node.points,
                        criteria: ind.criteria.clone(),
                        criteria_en: ind.criteria_en.clone(),
                        allow_na: ind.allow_na,
                        inputs: leaf
                            .all_inputs
                            .iter()
                            .map(|&i| spec.inputs[i].id.clone())
                            .collect(),
                    });
                }
                groups.push(FormGroup {
                    id: gs.id.clone(),
                    label: gs.label.clone(),
                    label_en: gs.label_en.clone(),
                    points: c.nodes[g].points,
                    indicators,
                    fields,
                });
            }
            sections.push(FormSection {
                id: root.id.clone(),
                label: root.label.clone(),
                label_en: root.label_en.clone(),
                points: c.nodes[r].points,
                groups,
            });
        }
        // Inputs no indicator reads still get a place, so nothing declared is unreachable.
        let rest: Vec<Input> = spec
            .inputs
            .iter()
            .zip(&placed)
            .filter(|(_, p)| !**p)
            .map(|(i, _)| i.clone())
            .collect();
        if !rest.is_empty() {
            sections.push(FormSection {
                id: "_other".into(),
                label: "其他数据项".into(),
                label_en: Some("Other inputs".into()),
                points: 0.0,
                groups: vec![FormGroup {
                    id: "_other".into(),
                    label: "其他数据项".into(),
                    label_en: Some("Other inputs".into()),
                    points: 0.0,
                    indicators: Vec::new(),
                    fields: rest,
                }],
            });
        }
        Form {
            rulebook: FormRulebook {
                reference: c.reference.clone(),
                title: spec.title.clone(),
                title_en: spec.title_en.clone(),
                stage: spec.stage,
                total: spec.total,
                na_policy: spec.na_policy,
                grades: c.grades.clone(),
            },
            sections,
        }
    }
}
