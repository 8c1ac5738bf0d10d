//! Lint: what a rulebook that compiles may still get wrong, as warnings for its author. Each
//! has a stable code, the entry it is about (with its line in the TOML) and a sentence on how
//! to fix it. Errors stop a rulebook from compiling (`Engine::new`); lints never do.
//!
//! Worked out from the compiled engine, which knows what every script and KPI reads.

use super::Engine;
use serde::Serialize;

/// What a lint is about. Serialized in snake_case; the codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LintCode {
    /// An input no indicator's script and no KPI reads: the form asks for it, nothing scores it.
    UnusedInput,
    /// A KPI no indicator's script reads, directly or through another KPI: it is computed and
    /// shown in the scorecard's KPI table, and scores nothing.
    UnusedKpi,
}

impl LintCode {
    /// The code as serialized (`unused_input`).
    pub fn as_str(self) -> &'static str {
        match self {
            LintCode::UnusedInput => "unused_input",
            LintCode::UnusedKpi => "unused_kpi",
        }
    }
}

/// One warning about a rulebook, in Chinese and English, with how to fix it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lint {
    pub code: LintCode,
    pub message: String,
    pub message_en: String,
    /// How to fix it.
    pub fix: String,
    pub fix_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
    /// The entry's line in the rulebook's TOML (none for JSON rulebooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Lint {
    /// A lint about no entry yet: `[zh, en]` message and fix.
    fn new(code: LintCode, [message, message_en]: [String; 2], [fix, fix_en]: [&str; 2]) -> Lint {
        Lint {
            code,
            message,
            message_en,
            fix: fix.to_string(),
            fix_en: fix_en.to_string(),
            indicator: None,
            input: None,
            kpi: None,
            line: None,
        }
    }
}

impl Engine {
    /// Every lint of the rulebook, in rulebook order: inputs, then KPIs, then indicators.
    pub fn lint(&self) -> Vec<Lint> {
        let c = &*self.inner;
        let spec = c.rulebook.spec();
        let source = &c.rulebook.source;
        let n_inputs = c.n_inputs;

        // What the leaves read, directly or through KPIs; and what KPIs read.
        let mut input_read = vec![false; spec.inputs.len()];
        let mut kpi_read = vec![false; spec.kpis.len()];
        for leaf in c.nodes.iter().filter_map(|n| n.leaf.as_ref()) {
            for &i in &leaf.all_inputs {
                input_read[i] = true;
            }
            for &m in &leaf.kpis {
                kpi_read[m - n_inputs] = true;
            }
        }
        for kpi in &c.kpis {
            for &i in &kpi.inputs {
                input_read[i] = true;
            }
        }

        let mut lints = Vec::new();
        for (i, input) in spec.inputs.iter().enumerate() {
            if input_read[i] {
                continue;
            }
            let message = [
                format!(
                    "数据项“{}”（{}）没有任何指标脚本或 KPI 读取：表单会要求填写，却不计分",
                    input.label, input.id
                ),
                format!(
                    "input {} is read by no indicator's script and no KPI: the form asks for it, nothing scores it",
                    input.id
                ),
            ];
            let fix = [
                "在指标的评分脚本或 KPI 中使用它，或从指标体系中删除",
                "read it in an indicator's script or a KPI, or remove it",
            ];
            lints.push(Lint {
                input: Some(input.id.clone()),
                line: source.input(i).entry,
                ..Lint::new(LintCode::UnusedInput, message, fix)
            });
        }
        for (k, kpi) in spec.kpis.iter().enumerate() {
            if kpi_read[k] {
                continue;
            }
            let message = [
                format!(
                    "KPI“{}”（{}）没有任何指标脚本读取：只在评分卡的 KPI 表中显示，不影响得分",
                    kpi.label, kpi.id
                ),
                format!(
                    "KPI {} is read by no indicator's script: it is only shown in the scorecard's KPI table and scores nothing",
                    kpi.id
                ),
            ];
            let fix = [
                "在指标的评分脚本中使用它；只供展示的 KPI 可以保留",
                "read it in an indicator's script; a KPI shown for information only may stay",
            ];
            lints.push(Lint {
                kpi: Some(kpi.id.clone()),
                line: source.kpi(k).entry,
                ..Lint::new(LintCode::UnusedKpi, message, fix)
            });
        }
        lints
    }
}
