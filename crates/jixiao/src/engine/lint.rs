//! Lint: what a rulebook that compiles may still get wrong, as warnings for its author. Each
//! has a stable code, the entry it is about (with its line in the TOML) and a sentence on how
//! to fix it. Errors stop a rulebook from compiling (`Engine::new`); lints never do.
//!
//! Worked out from the compiled engine, which knows what every script and KPI reads.

use super::{Engine, Leaf};
use crate::helpers::{Helper, Known};
use crate::model::{Input, InputType};
use crate::native::KnownCall;
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
    /// A `tiered` table names the same threshold twice: the second band is never used.
    TierOverlap,
    /// A `tiered` table gives a worse threshold a larger fraction than a better one.
    TierNotMonotonic,
    /// A `tiered` band whose threshold lies outside its input's declared range: never reached.
    TierUnreachable,
    /// A `proportional` / `linear` target outside its input's declared range: no value in the
    /// range earns full marks.
    TargetUnreachable,
    /// A `proportional` / `linear` target every value in its input's declared range reaches:
    /// full marks whatever is filled in.
    TargetTrivial,
    /// A threshold or target the script uses that the indicator's 评分标准 does not state.
    CriteriaMismatch,
    /// A leaf scored by one `tiered` call none of whose bands gives full marks.
    LeafNeverFull,
    /// A leaf scored by one `tiered` call whose lowest band every value in its input's declared
    /// range reaches: it never scores 0.
    LeafNeverZero,
    /// An indicator that may be marked N/A (`allow_na`) whose points, rescaled or
    /// redistributed away, take a declared weight constraint out of its bounds.
    ConstraintBrokenByNa,
}

impl LintCode {
    /// The code as serialized (`unused_input`).
    pub fn as_str(self) -> &'static str {
        match self {
            LintCode::UnusedInput => "unused_input",
            LintCode::UnusedKpi => "unused_kpi",
            LintCode::TierOverlap => "tier_overlap",
            LintCode::TierNotMonotonic => "tier_not_monotonic",
            LintCode::TierUnreachable => "tier_unreachable",
            LintCode::TargetUnreachable => "target_unreachable",
            LintCode::TargetTrivial => "target_trivial",
            LintCode::CriteriaMismatch => "criteria_mismatch",
            LintCode::LeafNeverFull => "leaf_never_full",
            LintCode::LeafNeverZero => "leaf_never_zero",
            LintCode::ConstraintBrokenByNa => "constraint_broken_by_na",
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
    /// Every lint of the rulebook, in rulebook order: inputs, then KPIs, then indicators (each
    /// leaf's helper calls in script order).
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
        for node in &c.nodes {
            let Some(leaf) = &node.leaf else { continue };
            let Some(program) = &leaf.native else {
                continue;
            };
            if let Some(call) = program.only_call() {
                for mut lint in lint_leaf_range(&call, spec.inputs.as_slice(), n_inputs) {
                    lint.indicator = Some(node.id.to_string());
                    lint.line = line_of(leaf, &call);
                    lints.push(lint);
                }
            }
            for call in program.known_calls() {
                let criteria = spec.indicators[node.spec_index].criteria.as_deref();
                for mut lint in lint_call(&call, spec.inputs.as_slice(), n_inputs, criteria) {
                    lint.indicator = Some(node.id.to_string());
                    lint.line = line_of(leaf, &call);
                    lints.push(lint);
                }
            }
        }
        self.lint_constraints_under_na(&mut lints);
        lints
    }
}

impl Engine {
    /// Each indicator that may be N/A, alone: the weight constraints over the points the
    /// scorecard then carries (rescaled to the total, or redistributed, as the rulebook's
    /// `na_policy` says).
    fn lint_constraints_under_na(&self, lints: &mut Vec<Lint>) {
        let c = &*self.inner;
        let spec = c.rulebook.spec();
        if spec.constraints.is_empty() {
            return;
        }
        let total = spec.total;
        for (ni, node) in c.nodes.iter().enumerate() {
            if !spec.indicators[node.spec_index].allow_na {
                continue;
            }
            let mut marked = vec![false; c.nodes.len()];
            marked[ni] = true;
            let points = self.effective_points(&marked);
            let of = |i: usize| points[i].map_or(0.0, |p| p.float);
            let carried: f64 = c.roots.iter().map(|&r| of(r)).sum();
            if carried <= 0.0 {
                continue;
            }
            for constraint in &spec.constraints {
                let group: Option<f64> = constraint
                    .indicators
                    .iter()
                    .map(|id| c.node_index.get(id).map(|&i| of(i)))
                    .sum();
                let Some(group) = group else { continue };
                // The group's share of the total the scorecard is scored out of.
                let share = group * total / carried;
                let names = constraint.indicators.join(" + ");
                let broken = match (constraint.min_points, constraint.max_points) {
                    (Some(min), _) if share < min - 1e-9 => {
                        Some(("低于约束下限", "below the constraint's minimum", min))
                    }
                    (_, Some(max)) if share > max + 1e-9 => {
                        Some(("高于约束上限", "above the constraint's maximum", max))
                    }
                    _ => None,
                };
                let Some((zh, en, bound)) = broken else {
                    continue;
                };
                let [share, bound] = [crate::text::fmt_pts(share), crate::text::fmt_pts(bound)];
                let why = constraint
                    .reason
                    .as_deref()
                    .map(|r| format!("（{r}）"))
                    .unwrap_or_default();
                let message = [
                    format!(
                        "指标 {} 不适用时，{names} 折算后合计 {share} 分，{zh} {bound} 分{why}",
                        node.id
                    ),
                    format!(
                        "with indicator {} not applicable, {names} come to {share} points of the total, {en} {bound}",
                        node.id
                    ),
                ];
                let fix = [
                    "调整分值，或不允许该指标标为不适用（去掉 allow_na），使约束在不适用时仍然成立",
                    "adjust the points, or do not let the indicator be N/A (drop allow_na), so that the constraint holds either way",
                ];
                lints.push(Lint {
                    indicator: Some(node.id.to_string()),
                    line: c.rulebook.source.indicator(node.spec_index).entry,
                    ..Lint::new(LintCode::ConstraintBrokenByNa, message, fix)
                });
            }
        }
    }
}

/// The rulebook line of a helper call in a leaf's script.
fn line_of(leaf: &Leaf, call: &KnownCall<'_>) -> Option<u32> {
    let (line, _) = crate::script::position_of(call.pos);
    leaf.code_line.at(line)
}

/// The values a script may see for an input, as far as its declaration says: `[min, max]`
/// on the script's scale (a percent input's fraction; a grade's 0–1).
fn script_range(input: &Input) -> (Option<f64>, Option<f64>) {
    match input.kind {
        InputType::Number | InputType::Integer => (input.min, input.max),
        InputType::Percent => (input.min.map(|m| m / 100.0), input.max.map(|m| m / 100.0)),
        InputType::Grade => (Some(0.0), Some(1.0)),
        _ => (None, None),
    }
}

/// A number as written in a script, `[zh, en]`; for a percent input also as percent points.
fn shown(value: f64, input: &Input) -> [String; 2] {
    if input.kind == InputType::Percent {
        let percent = crate::text::fmt_pts(value * 100.0);
        [
            format!("{value}（{percent}%）"),
            format!("{value} ({percent}%)"),
        ]
    } else {
        [value.to_string(), value.to_string()]
    }
}

/// The input's range as a script sees it, `[zh, en]`.
fn range_text(input: &Input, (min, max): (Option<f64>, Option<f64>)) -> [String; 2] {
    let end =
        |v: Option<f64>| v.map_or_else(|| ["…".to_string(), "…".to_string()], |v| shown(v, input));
    let ([min_zh, min_en], [max_zh, max_en]) = (end(min), end(max));
    [
        format!(
            "数据项“{}”（{}）的取值范围为 {min_zh}–{max_zh}",
            input.label, input.id
        ),
        format!("input {} ranges over {min_en}–{max_en}", input.id),
    ]
}

/// What one helper call with constant arguments gets wrong, if anything.
fn lint_call(
    call: &KnownCall<'_>,
    inputs: &[Input],
    n_inputs: usize,
    criteria: Option<&str>,
) -> Vec<Lint> {
    let mut lints = Vec::new();
    let subject = call
        .subject()
        .filter(|&m| m < n_inputs)
        .and_then(|m| inputs.get(m));
    let number = |i: usize| call.number(i);
    match (call.helper, call.known.get(1)) {
        (Helper::Tiered | Helper::TieredReverse, Some(Known::Bands(bands))) => {
            let reverse = call.helper == Helper::TieredReverse;
            lint_bands(bands, reverse, subject, &mut lints);
        }
        (Helper::Proportional | Helper::ProportionalReverse, _) => {
            if let (Some(input), Some(target)) = (subject, number(1)) {
                // proportional: full from the target up; reverse: from the target down.
                let up = call.helper == Helper::Proportional;
                lint_target(input, target, up, &mut lints);
            }
        }
        (Helper::Linear, _) => {
            if let (Some(input), Some(zero_at), Some(full_at)) = (subject, number(1), number(2)) {
                lint_target(input, full_at, full_at > zero_at, &mut lints);
            }
        }
        _ => {}
    }
    let written: Vec<f64> = match (call.helper, call.known.get(1)) {
        (Helper::Tiered | Helper::TieredReverse, Some(Known::Bands(bands))) => {
            bands.iter().map(|&(threshold, _)| threshold).collect()
        }
        (Helper::Proportional | Helper::ProportionalReverse, _) => number(1).into_iter().collect(),
        (Helper::Linear, _) => number(1).into_iter().chain(number(2)).collect(),
        _ => Vec::new(),
    };
    if let (Some(criteria), Some(input)) = (criteria, subject) {
        lint_criteria(criteria, &written, input, &mut lints);
    }
    lints
}

/// A band table as `tiered` searches it: the better thresholds first.
fn lint_bands(bands: &[(f64, f64)], reverse: bool, subject: Option<&Input>, lints: &mut Vec<Lint>) {
    let fix_order = [
        "每个门槛只写一次，门槛越好得分比例越高",
        "write each threshold once, the better the threshold the larger its fraction",
    ];
    for pair in bands.windows(2) {
        let [(better, better_fraction), (worse, worse_fraction)] = [pair[0], pair[1]];
        #[allow(clippy::float_cmp)] // the same threshold written twice
        if better == worse {
            let message = [
                format!(
                    "分档表中门槛 {better} 出现两次：后一档（得分比例 {worse_fraction}）永远用不到"
                ),
                format!(
                    "the band table names threshold {better} twice: the second band (fraction {worse_fraction}) is never used"
                ),
            ];
            lints.push(Lint::new(LintCode::TierOverlap, message, fix_order));
        } else if worse_fraction > better_fraction {
            let (zh, en) = if reverse {
                ("更高", "higher")
            } else {
                ("更低", "lower")
            };
            let message = [
                format!(
                    "分档得分比例没有随门槛递减：门槛 {better} 得 {better_fraction}，{zh}的门槛 {worse} 反而得 {worse_fraction}"
                ),
                format!(
                    "band fractions do not fall with the threshold: {better} gives {better_fraction}, the {en} threshold {worse} gives {worse_fraction}"
                ),
            ];
            lints.push(Lint::new(LintCode::TierNotMonotonic, message, fix_order));
        }
    }
    let Some(input) = subject else { return };
    let range = script_range(input);
    for &(threshold, fraction) in bands {
        let beyond = if reverse {
            range.0.is_some_and(|min| threshold < min)
        } else {
            range.1.is_some_and(|max| threshold > max)
        };
        if beyond {
            let [range_zh, range_en] = range_text(input, range);
            let [at_zh, at_en] = shown(threshold, input);
            let message = [
                format!(
                    "得分比例 {fraction} 的一档门槛为 {at_zh}，超出范围，永远达不到：{range_zh}"
                ),
                format!(
                    "the band of fraction {fraction} starts at {at_en}, which no value reaches: {range_en}"
                ),
            ];
            let fix = [
                "门槛应在数据项的取值范围内（百分比数据项在脚本中是小数：95% 写作 0.95）",
                "put the threshold within the input's range (a percent input is a fraction in scripts: 95% is 0.95)",
            ];
            lints.push(Lint::new(LintCode::TierUnreachable, message, fix));
        }
    }
}

/// `target` is where full marks start; `up`: values above it get full marks too.
fn lint_target(input: &Input, target: f64, up: bool, lints: &mut Vec<Lint>) {
    let range = script_range(input);
    let (min, max) = range;
    let (unreachable, trivial) = if up {
        (
            max.is_some_and(|max| target > max),
            min.is_some_and(|min| target <= min),
        )
    } else {
        (
            min.is_some_and(|min| target < min),
            max.is_some_and(|max| target >= max),
        )
    };
    let [range_zh, range_en] = range_text(input, range);
    let [at_zh, at_en] = shown(target, input);
    if unreachable {
        let (beyond_zh, beyond_en) = if up {
            ("高于取值上限", "above")
        } else {
            ("低于取值下限", "below")
        };
        let message = [
            format!("满分起点 {at_zh}{beyond_zh}，任何填报值都得不到满分：{range_zh}"),
            format!("full marks start at {at_en}, {beyond_en} every value: {range_en}"),
        ];
        let fix = [
            "把满分起点放到取值范围内，或修正数据项的取值范围（百分比数据项在脚本中是小数：95% 写作 0.95）",
            "put where full marks start within the input's range, or correct the range (a percent input is a fraction in scripts: 95% is 0.95)",
        ];
        lints.push(Lint::new(LintCode::TargetUnreachable, message, fix));
    } else if trivial {
        let (edge_zh, edge_en) = if up {
            ("不高于取值下限", "at or below")
        } else {
            ("不低于取值上限", "at or above")
        };
        let message = [
            format!("满分起点 {at_zh}{edge_zh}，任何填报值都得满分：{range_zh}"),
            format!("full marks start at {at_en}, {edge_en} every value: {range_en}"),
        ];
        let fix = [
            "把满分起点放到取值范围内，使指标能区分好坏",
            "put where full marks start within the input's range, so that the indicator tells good from bad",
        ];
        lints.push(Lint::new(LintCode::TargetTrivial, message, fix));
    }
}

/// The numbers a 评分标准 text states (`≥ 99.5%`, `90 分`, `0.95`), unsigned: a criteria text
/// says "超支不超过 5%" where the script writes `-0.05`.
fn stated_numbers(text: &str) -> Vec<f64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|run| run.trim_matches('.').parse::<f64>().ok())
        .collect()
}

/// Each threshold or target the script writes must be stated in the 评分标准: as written, or
/// for a percent input as percent points (`0.995` as `99.5%`).
fn lint_criteria(criteria: &str, written: &[f64], input: &Input, lints: &mut Vec<Lint>) {
    let stated = stated_numbers(criteria);
    let percent = input.kind == InputType::Percent;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
    let unstated: Vec<f64> = written
        .iter()
        .copied()
        .filter(|&w| {
            let w = w.abs();
            !stated
                .iter()
                .any(|&n| close(n, w) || (percent && close(n, w * 100.0)))
        })
        .collect();
    if unstated.is_empty() {
        return;
    }
    let list = |lang: usize| {
        unstated
            .iter()
            .map(|&w| shown(w, input)[lang].clone())
            .collect::<Vec<_>>()
            .join(if lang == 0 { "、" } else { ", " })
    };
    let message = [
        format!(
            "评分标准中没有写脚本所用的门槛或目标 {}：评分标准与脚本不一致",
            list(0)
        ),
        format!(
            "the 评分标准 (criteria) do not state {}, which the script uses: the two disagree",
            list(1)
        ),
    ];
    let fix = [
        "让评分标准与脚本写同样的门槛：改正脚本，或改正评分标准",
        "make the criteria and the script name the same thresholds: correct one or the other",
    ];
    lints.push(Lint::new(LintCode::CriteriaMismatch, message, fix));
}

/// A leaf whose script is one `tiered` call: whether its score can reach full marks, and 0.
fn lint_leaf_range(call: &KnownCall<'_>, inputs: &[Input], n_inputs: usize) -> Vec<Lint> {
    let mut lints = Vec::new();
    let (Helper::Tiered | Helper::TieredReverse, Some(Known::Bands(bands))) =
        (call.helper, call.known.get(1))
    else {
        return lints;
    };
    let best = bands
        .iter()
        .map(|&(_, fraction)| fraction)
        .fold(0.0, f64::max);
    if best < 1.0 {
        let message = [
            format!("该指标只由一个分档计分，最高一档只得分值的 {best}：永远得不到满分"),
            format!(
                "the indicator is scored by one band table whose best band gives {best} of its points: never full marks"
            ),
        ];
        let fix = [
            "让最好的一档得分比例为 1",
            "give the best band the fraction 1",
        ];
        lints.push(Lint::new(LintCode::LeafNeverFull, message, fix));
    }
    let subject = call
        .subject()
        .filter(|&m| m < n_inputs)
        .and_then(|m| inputs.get(m));
    let reverse = call.helper == Helper::TieredReverse;
    // Bands are sorted best first: the last is the one a value must reach not to score 0.
    if let (Some(input), Some(&(lowest, fraction))) = (subject, bands.last()) {
        let (min, max) = script_range(input);
        let always = if reverse {
            max.is_some_and(|max| max <= lowest)
        } else {
            min.is_some_and(|min| min >= lowest)
        };
        if always && fraction > 0.0 {
            let [at_zh, at_en] = shown(lowest, input);
            let [range_zh, range_en] = range_text(input, (min, max));
            let message = [
                format!(
                    "最低一档的门槛 {at_zh}是每个填报值都能达到的，该指标永远不会得 0 分：{range_zh}"
                ),
                format!(
                    "every value reaches the lowest band, at {at_en}: the indicator never scores 0 ({range_en})"
                ),
            ];
            let fix = [
                "若表现最差时应不得分，提高最低一档的门槛，或收紧数据项的取值范围",
                "if the worst performance should score nothing, raise the lowest threshold or narrow the input's range",
            ];
            lints.push(Lint::new(LintCode::LeafNeverZero, message, fix));
        }
    }
    lints
}
