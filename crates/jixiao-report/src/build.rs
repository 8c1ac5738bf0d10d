//! The report's content, from the scorecard: every number and text is the scorecard's as it
//! prints, so the report's 评分表 adds up exactly as the scorecard does.

use crate::words::{self, Words};
use crate::{Bar, Block, Cell, Chart, Report, Table};
use jixiao::model::{Indicator, RulebookSpec, default_grades};
use jixiao::{Decimal, IndicatorScore, Lang, Scorecard, Status};
use std::collections::HashMap;

/// Level columns the 评分表 gives ancestors at most (一级 to 五级 above the leaf). A deeper
/// tree keeps its first levels and its leaves: the table stays linear in the indicators
/// whatever a rulebook nests.
const MAX_ANCESTOR_COLUMNS: usize = 5;

/// The report of one scored project. `card` should come from an evaluation with trace on
/// (without it the analysis has no explanations, only findings).
pub fn build(spec: &RulebookSpec, card: &Scorecard, lang: Lang) -> Report {
    let b = Builder::new(spec, card, lang);
    let mut blocks = Vec::new();
    blocks.push(b.heading(1, &words::BASIC));
    b.basic(&mut blocks);
    blocks.push(b.heading(1, &words::WORK));
    blocks.push(Block::ToWrite(words::TO_WRITE_WORK.in_lang(lang).into()));
    blocks.push(b.heading(1, &words::CONCLUSION));
    b.conclusion(&mut blocks);
    blocks.push(b.heading(1, &words::ANALYSIS));
    b.analysis(&mut blocks);
    blocks.push(b.heading(1, &words::PROBLEMS));
    b.problems(&mut blocks);
    blocks.push(b.heading(1, &words::SUGGESTIONS));
    b.suggestions(&mut blocks);
    blocks.push(b.heading(1, &words::OTHER));
    blocks.push(Block::ToWrite(words::TO_WRITE_OTHER.in_lang(lang).into()));
    let experts = crate::experts::expert_table(spec, card, lang);
    let annex = if experts.is_some() {
        &words::ANNEX_SCORING
    } else {
        &words::ANNEX
    };
    blocks.push(b.heading(1, annex));
    blocks.push(Block::Table(b.scoring_table()));
    if let Some(experts) = experts {
        blocks.push(b.heading(1, &words::ANNEX_EXPERTS));
        blocks.push(Block::Table(experts));
        blocks.push(Block::Paragraph(
            words::DISAGREEMENT_NOTE.in_lang(lang).into(),
        ));
    }
    blocks.push(Block::Paragraph(b.provenance()));
    let title = words::title(spec.stage, lang).to_string();
    let subtitle = b.project_name();
    let footer = match &subtitle {
        Some(name) => format!("{name} {title}"),
        None => title.clone(),
    };
    Report {
        lang,
        title,
        subtitle,
        blocks,
        footer,
    }
}

struct Builder<'a> {
    spec: &'a RulebookSpec,
    card: &'a Scorecard,
    lang: Lang,
    /// Each indicator's rulebook entry, by id.
    declared: HashMap<&'a str, &'a Indicator>,
    /// By indicator (index into `card.indicators`): the index of its dimension.
    dimension: Vec<usize>,
    /// By indicator: its first ancestors from its dimension down (at most
    /// [`MAX_ANCESTOR_COLUMNS`]).
    ancestors: Vec<Vec<usize>>,
    /// By indicator: whether it lost points, or (a parent) any leaf under it did.
    lost: Vec<bool>,
}

impl<'a> Builder<'a> {
    /// Everything the sections ask of the tree, worked out in one pass (parents come before
    /// their children in a scorecard).
    fn new(spec: &'a RulebookSpec, card: &'a Scorecard, lang: Lang) -> Builder<'a> {
        let n = card.indicators.len();
        let by_id: HashMap<&str, usize> = card
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (&*ind.id, i))
            .collect();
        let parent: Vec<Option<usize>> = card
            .indicators
            .iter()
            .map(|i| i.parent.as_deref().and_then(|p| by_id.get(p).copied()))
            .collect();
        let mut dimension = Vec::with_capacity(n);
        let mut ancestors: Vec<Vec<usize>> = Vec::with_capacity(n);
        for (i, p) in parent.iter().enumerate() {
            match p.filter(|&p| p < i) {
                Some(p) => {
                    dimension.push(dimension[p]);
                    let mut chain = ancestors[p].clone();
                    if chain.len() < MAX_ANCESTOR_COLUMNS {
                        chain.push(p);
                    }
                    ancestors.push(chain);
                }
                None => {
                    dimension.push(i);
                    ancestors.push(Vec::new());
                }
            }
        }
        let mut lost = vec![false; n];
        for (i, ind) in card.indicators.iter().enumerate() {
            let lost_here = ind.leaf && lost_points(ind);
            // Up to the first ancestor already marked: each indicator is marked once.
            let mut at = Some(i).filter(|_| lost_here);
            while let Some(j) = at.filter(|&j| !lost[j]) {
                lost[j] = true;
                at = parent[j];
            }
        }
        Builder {
            spec,
            card,
            lang,
            declared: spec.indicators.iter().map(|i| (i.id.as_str(), i)).collect(),
            dimension,
            ancestors,
            lost,
        }
    }

    fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    fn heading(&self, level: u8, words: &Words) -> Block {
        Block::Heading {
            level,
            text: words.in_lang(self.lang).into(),
        }
    }

    fn label<'i>(&self, ind: &'i IndicatorScore) -> &'i str {
        match (self.lang, &ind.label_en) {
            (Lang::En, Some(en)) => en,
            _ => &ind.label,
        }
    }

    fn project_name(&self) -> Option<String> {
        let p = &self.card.project;
        p.name.clone().or_else(|| p.id.clone())
    }

    /// 一、基本情况: what the submission says of the project, and a place for the rest.
    fn basic(&self, blocks: &mut Vec<Block>) {
        let p = &self.card.project;
        let mut rows = Vec::new();
        if let Some(name) = &p.name {
            rows.push(vec![
                Cell::strong(words::PROJECT_NAME.in_lang(self.lang)),
                Cell::text(name),
            ]);
        }
        if let Some(id) = &p.id {
            rows.push(vec![
                Cell::strong(words::PROJECT_ID.in_lang(self.lang)),
                Cell::text(id),
            ]);
        }
        for (key, value) in &p.extra {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            rows.push(vec![Cell::strong(key.as_str()), Cell::text(value)]);
        }
        if !rows.is_empty() {
            blocks.push(Block::Table(Table {
                columns: vec![(String::new(), 25), (String::new(), 75)],
                rows,
            }));
        }
        blocks.push(Block::ToWrite(
            words::TO_WRITE_BASIC.in_lang(self.lang).into(),
        ));
    }

    /// 三、综合评价结论: total and grade in a sentence, and each dimension's attainment.
    fn conclusion(&self, blocks: &mut Vec<Block>) {
        let c = self.card;
        let project = self.project_name();
        let sentence = match (self.grade_label(), self.zh()) {
            (Some(grade), true) => format!(
                "经评价，{}综合得分 {} 分（满分 {} 分），评价等级为“{grade}”。",
                project.as_deref().unwrap_or("该项目"),
                c.total,
                c.max_points,
            ),
            (Some(grade), false) => format!(
                "{} scored {} of {} points overall, graded “{grade}”.",
                project.as_deref().unwrap_or("The project"),
                c.total,
                c.max_points,
            ),
            (None, true) => format!(
                "{}尚有 {} 个指标未能评分，已评分指标合计 {} 分，暂不评定等级。",
                project.as_deref().unwrap_or("该项目"),
                self.unfinished_leaves(),
                c.total
            ),
            (None, false) => format!(
                "{} indicators of {} could not be scored; those scored add up to {} points, so no grade is given yet.",
                self.unfinished_leaves(),
                project.as_deref().unwrap_or("the project"),
                c.total
            ),
        };
        blocks.push(Block::Paragraph(sentence));
        if let Some(conclusion) = self.grade_conclusion() {
            blocks.push(Block::Paragraph(conclusion.to_string()));
        }
        let mut rows: Vec<Vec<Cell>> = c
            .dimensions
            .iter()
            .map(|d| {
                let label = match (self.lang, &d.label_en) {
                    (Lang::En, Some(en)) => en.to_string(),
                    _ => d.label.to_string(),
                };
                vec![
                    Cell::text(label),
                    Cell::text(d.points.to_string()),
                    Cell::text(self.score_text(Some(d.score), d.status)),
                    Cell::text(d.attainment.map(percent).unwrap_or_default()),
                ]
            })
            .collect();
        rows.push(vec![
            Cell::strong(words::TOTAL.in_lang(self.lang)),
            Cell::strong(c.max_points.to_string()),
            Cell::strong(c.total.to_string()),
            Cell::text(String::new()),
        ]);
        blocks.push(Block::Table(Table {
            columns: vec![
                (words::DIMENSION.in_lang(self.lang).into(), 40),
                (words::POINTS.in_lang(self.lang).into(), 20),
                (words::SCORE.in_lang(self.lang).into(), 20),
                (words::ATTAINMENT.in_lang(self.lang).into(), 20),
            ],
            rows,
        }));
        let chart = self.attainment_chart();
        let thresholds: Vec<String> = chart
            .bands
            .iter()
            .filter(|(_, from)| !from.is_zero())
            .map(|(label, from)| format!("{label} ≥{}", percent(*from)))
            .collect();
        blocks.push(Block::Paragraph(if self.zh() {
            format!(
                "各维度得分率与评价等级分数线（每格 5%；{}）：",
                thresholds.join("，")
            )
        } else {
            format!(
                "Attainment of each dimension against the grade thresholds (5 % a step; {}):",
                thresholds.join(", ")
            )
        }));
        blocks.push(Block::Chart(chart));
    }

    /// Each dimension's attainment and the total's, against the grade thresholds taken as
    /// fractions of the rulebook's total (优 ≥ 90 of 100 → 90 %).
    fn attainment_chart(&self) -> Chart {
        let c = self.card;
        let grades = if self.spec.grades.is_empty() {
            default_grades()
        } else {
            self.spec.grades.clone()
        };
        let mut bands: Vec<(String, Decimal)> = grades
            .iter()
            .map(|g| {
                let label = match (self.lang, &g.label_en) {
                    (Lang::En, Some(en)) => en.as_str(),
                    _ => g.label.as_str(),
                };
                let from = Decimal::try_from(g.min / self.spec.total.max(f64::MIN_POSITIVE))
                    .unwrap_or_default()
                    .round_dp(4)
                    .clamp(Decimal::ZERO, Decimal::ONE);
                (label.to_string(), from)
            })
            .collect();
        bands.sort_by_key(|band| band.1);
        let mut bars: Vec<Bar> = c
            .dimensions
            .iter()
            .map(|d| {
                let label = match (self.lang, &d.label_en) {
                    (Lang::En, Some(en)) => en.to_string(),
                    _ => d.label.to_string(),
                };
                let text = match d.attainment {
                    Some(a) => percent(a),
                    None => self.score_text(None, d.status),
                };
                Bar {
                    label,
                    attainment: d.attainment,
                    text,
                }
            })
            .collect();
        let total = (c.max_points > Decimal::ZERO).then(|| (c.total / c.max_points).round_dp(4));
        bars.push(Bar {
            label: words::TOTAL_SCORE.in_lang(self.lang).into(),
            attainment: total,
            text: total.map(percent).unwrap_or_default(),
        });
        Chart { bands, bars }
    }

    fn unfinished_leaves(&self) -> usize {
        self.card
            .indicators
            .iter()
            .filter(|i| i.leaf && matches!(i.status, Status::Unscored | Status::Error))
            .count()
    }

    /// The dimensions (first-level indicators), each with its leaves in the rulebook's order.
    fn dimensions(&self) -> Vec<(&'a IndicatorScore, Vec<&'a IndicatorScore>)> {
        let indicators = &self.card.indicators;
        let mut leaves: HashMap<usize, Vec<&'a IndicatorScore>> = HashMap::new();
        for (i, ind) in indicators.iter().enumerate().filter(|(_, i)| i.leaf) {
            leaves.entry(self.dimension[i]).or_default().push(ind);
        }
        indicators
            .iter()
            .enumerate()
            .filter(|(_, i)| i.parent.is_none())
            .map(|(d, dim)| (dim, leaves.remove(&d).unwrap_or_default()))
            .collect()
    }

    /// 四、绩效分析: per dimension, what each leaf scored and why.
    fn analysis(&self, blocks: &mut Vec<Block>) {
        for (n, (dim, leaves)) in self.dimensions().into_iter().enumerate() {
            blocks.push(Block::Heading {
                level: 2,
                text: format!("{}{}", words::sub_number(n, self.lang), self.label(dim)),
            });
            let summary = match (dim.status, self.zh()) {
                (Status::NotApplicable, true) => "该部分指标均不适用。".to_string(),
                (Status::NotApplicable, false) => "No indicator of this part applies.".to_string(),
                (_, true) => format!(
                    "该部分分值 {} 分，得分 {} 分{}。",
                    dim.points,
                    dim.score.unwrap_or_default(),
                    dim.attainment
                        .map(|a| format!("，得分率 {}", percent(a)))
                        .unwrap_or_default()
                ),
                (_, false) => format!(
                    "This part carries {} points and scored {}{}.",
                    dim.points,
                    dim.score.unwrap_or_default(),
                    dim.attainment
                        .map(|a| format!(" ({})", percent(a)))
                        .unwrap_or_default()
                ),
            };
            blocks.push(Block::Paragraph(summary));
            for leaf in leaves {
                blocks.push(Block::Paragraph(format!(
                    "{}{}{}",
                    self.label(leaf),
                    self.points_and_score(leaf),
                    self.why(leaf)
                )));
            }
        }
    }

    /// “（分值 5 分，得分 4.5 分）：”
    fn points_and_score(&self, leaf: &IndicatorScore) -> String {
        let score = self.score_text(leaf.score, leaf.status);
        if self.zh() {
            format!("（分值 {} 分，得分 {}）：", leaf.points, score)
        } else {
            format!(" ({} points, score {}): ", leaf.points, score)
        }
    }

    fn score_text(&self, score: Option<Decimal>, status: Status) -> String {
        match (status, score) {
            (Status::NotApplicable, _) => words::NOT_APPLICABLE.in_lang(self.lang).into(),
            (_, Some(s)) => s.to_string(),
            (Status::Error, None) => words::FAILED.in_lang(self.lang).into(),
            (_, None) => words::UNSCORED.in_lang(self.lang).into(),
        }
    }

    /// How a leaf's score came about: its explanation, else its findings; the reason it was
    /// not scored; the evaluator's note.
    fn why(&self, leaf: &IndicatorScore) -> String {
        let mut parts: Vec<String> = Vec::new();
        match (&leaf.explanation, &leaf.error) {
            (_, Some(error)) => parts.push(if self.zh() {
                error.message.clone()
            } else {
                error.message_en.clone()
            }),
            (Some(explanation), None) => parts.push(explanation.clone()),
            (None, None) => parts.extend(leaf.findings.iter().map(|f| f.message.clone())),
        }
        if let Some(note) = &leaf.note {
            parts.push(note.clone());
        }
        if !self.evidence(leaf).is_empty() {
            let evidence = self.evidence(leaf).join(self.list_separator());
            parts.push(if self.zh() {
                format!("佐证材料：{evidence}")
            } else {
                format!("evidence: {evidence}")
            });
        }
        let mut text = parts.join(self.list_separator());
        if self.zh() && !text.is_empty() && !text.ends_with('。') {
            text.push('。');
        }
        text
    }

    /// The evidence the submission attached to `ind`.
    fn evidence(&self, ind: &IndicatorScore) -> &[String] {
        self.card.evidence.get(&*ind.id).map_or(&[], Vec::as_slice)
    }

    fn list_separator(&self) -> &'static str {
        if self.zh() { "；" } else { "; " }
    }

    /// 五、存在的问题及原因: the findings, by dimension; leaves that could not be scored.
    fn problems(&self, blocks: &mut Vec<Block>) {
        let mut any = false;
        for (n, (dim, leaves)) in self.dimensions().into_iter().enumerate() {
            let items: Vec<String> = leaves
                .into_iter()
                .flat_map(|leaf| {
                    let label = self.label(leaf);
                    let findings = leaf
                        .findings
                        .iter()
                        .map(move |f| format!("{label}：{}", f.message));
                    let unscored = matches!(leaf.status, Status::Unscored | Status::Error)
                        .then(|| format!("{label}：{}", self.why(leaf)));
                    findings.chain(unscored)
                })
                .collect();
            if items.is_empty() {
                continue;
            }
            any = true;
            blocks.push(Block::Heading {
                level: 2,
                text: format!("{}{}", words::sub_number(n, self.lang), self.label(dim)),
            });
            blocks.extend(items.into_iter().enumerate().map(|(i, item)| {
                let item = if self.zh() {
                    item
                } else {
                    item.replacen('：', ": ", 1)
                };
                Block::Paragraph(format!("{}. {item}", i + 1))
            }));
        }
        if !any {
            blocks.push(Block::Paragraph(
                words::NO_PROBLEMS.in_lang(self.lang).into(),
            ));
        }
    }

    /// The grade the project earned, in the report's language.
    fn grade_label(&self) -> Option<&'a str> {
        let grade = self.card.grade.as_ref()?;
        Some(match (self.lang, &grade.label_en) {
            (Lang::En, Some(en)) => en,
            _ => &grade.label,
        })
    }

    /// The conclusion the rulebook declares for the grade the project earned.
    fn grade_conclusion(&self) -> Option<&str> {
        let grade = self.card.grade.as_ref()?;
        let band = self.spec.grades.iter().find(|b| b.label == *grade.label)?;
        match (self.lang, &band.conclusion_en) {
            (Lang::En, Some(en)) => Some(en),
            _ => band.conclusion.as_deref(),
        }
    }

    /// 六、有关建议: the suggestions the rulebook declares for the indicators that lost
    /// points, in the rulebook's order; a place to write where it declares none.
    fn suggestions(&self, blocks: &mut Vec<Block>) {
        let mut items = Vec::new();
        for (i, ind) in self.card.indicators.iter().enumerate() {
            let Some(spec) = self.declared.get(&*ind.id) else {
                continue;
            };
            let suggestion = match (self.lang, &spec.suggestion_en) {
                (Lang::En, Some(en)) => Some(en.as_str()),
                _ => spec.suggestion.as_deref(),
            };
            if let Some(suggestion) = suggestion
                && self.lost[i]
            {
                let sep = if self.zh() { "：" } else { ": " };
                items.push(format!("{}{sep}{suggestion}", self.label(ind)));
            }
        }
        let any_lost = self.lost.contains(&true);
        if items.is_empty() {
            blocks.push(if any_lost {
                Block::ToWrite(words::TO_WRITE_SUGGESTIONS.in_lang(self.lang).into())
            } else {
                Block::Paragraph(words::NO_SUGGESTIONS.in_lang(self.lang).into())
            });
        }
        blocks.extend(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| Block::Paragraph(format!("{}. {item}", i + 1))),
        );
    }

    /// 附件: the indicator system and scoring table, one row per leaf, the levels above it
    /// merged down the rows they cover.
    fn scoring_table(&self) -> Table {
        let card = self.card;
        let depth = 1 + self
            .ancestors
            .iter()
            .zip(&card.indicators)
            .filter(|(_, i)| i.leaf)
            .map(|(chain, _)| chain.len())
            .max()
            .unwrap_or(0);
        // Percent of the page width: the level columns 10 each (40 at most), points and
        // score 8 (two characters and the cell's margins), the rest shared 2 : 3 by criteria and explanation, less a fifth for
        // evidence where the submission attached any.
        let with_evidence = !card.evidence.is_empty();
        let level_width = (40 / depth).min(10);
        let rest = 100 - level_width * depth - 8 - 8;
        let evidence = if with_evidence { rest / 5 } else { 0 };
        let criteria = (rest - evidence) * 2 / 5;
        let pct = |w: usize| u8::try_from(w).unwrap_or(10);
        let mut columns: Vec<(String, u8)> = (1..=depth)
            .map(|l| (words::level_title(l, self.lang), pct(level_width)))
            .collect();
        columns.extend([
            (words::POINTS.in_lang(self.lang).into(), 8),
            (words::CRITERIA.in_lang(self.lang).into(), pct(criteria)),
            (words::SCORE.in_lang(self.lang).into(), 8),
            (
                words::EXPLANATION.in_lang(self.lang).into(),
                pct(rest - evidence - criteria),
            ),
        ]);
        if with_evidence {
            columns.push((words::EVIDENCE.in_lang(self.lang).into(), pct(evidence)));
        }
        let mut rows = Vec::new();
        let mut previous: &[usize] = &[];
        for (i, leaf) in card.indicators.iter().enumerate().filter(|(_, i)| i.leaf) {
            let chain = &self.ancestors[i];
            let mut row = Vec::new();
            for (level, &a) in chain.iter().enumerate() {
                if previous.get(level) == Some(&a) {
                    row.push(Cell::Continued { cols: 1 });
                } else {
                    let ancestor = &card.indicators[a];
                    row.push(Cell::text(format!(
                        "{}（{}）",
                        self.label(ancestor),
                        ancestor.points
                    )));
                }
            }
            let cols = u8::try_from(depth - chain.len()).unwrap_or(1);
            row.push(Cell::Text {
                text: self.label(leaf).into(),
                cols,
                strong: false,
            });
            row.push(Cell::text(leaf.points.to_string()));
            row.push(Cell::text(self.criteria(leaf)));
            row.push(Cell::text(self.score_text(leaf.score, leaf.status)));
            row.push(Cell::text(self.why(leaf)));
            if with_evidence {
                row.push(Cell::text(self.evidence(leaf).join(self.list_separator())));
            }
            rows.push(row);
            previous = chain;
        }
        let total_cols = u8::try_from(depth).unwrap_or(1);
        rows.push(vec![
            Cell::Text {
                text: words::TOTAL.in_lang(self.lang).into(),
                cols: total_cols,
                strong: true,
            },
            Cell::strong(card.max_points.to_string()),
            Cell::text(String::new()),
            Cell::strong(card.total.to_string()),
            Cell::text(self.grade_label().unwrap_or_default()),
        ]);
        if with_evidence && let Some(total) = rows.last_mut() {
            total.push(Cell::text(String::new()));
        }
        Table { columns, rows }
    }

    /// The leaf's 评分标准: the rulebook's, in the report's language where it has one.
    fn criteria(&self, leaf: &IndicatorScore) -> String {
        let spec = self.declared.get(&*leaf.id);
        match (self.lang, spec.and_then(|s| s.criteria_en.as_deref())) {
            (Lang::En, Some(en)) => en.to_string(),
            _ => leaf.criteria.as_deref().unwrap_or_default().to_string(),
        }
    }

    /// The rulebook and engine behind the numbers, for the last page.
    fn provenance(&self) -> String {
        let r = &self.card.rulebook;
        let title = match (self.lang, &self.spec.title_en) {
            (Lang::En, Some(en)) => en.as_str(),
            _ => self.spec.title.as_str(),
        };
        if self.zh() {
            format!(
                "评分依据：《{title}》（{}，版本 {}，{}）；评分引擎 jixiao {}。",
                r.id, r.version, r.hash, self.card.engine_version
            )
        } else {
            format!(
                "Scored by the rulebook “{title}” ({}, version {}, {}) with jixiao {}.",
                r.id, r.version, r.hash, self.card.engine_version
            )
        }
    }
}

/// A leaf lost points: it has findings, or scored below its points. What 五、六 of a report
/// and the summary's frequent problems both count.
pub(crate) fn lost_points(leaf: &IndicatorScore) -> bool {
    !leaf.findings.is_empty()
        || (leaf.status == Status::Scored && leaf.score.is_some_and(|s| s < leaf.points))
}

/// 0.925 → “92.5%”, as the scorecard's attainment (a fraction to 4 places) prints; finer
/// fractions (averages, shares) are rounded half up to 0.01 %, as scores are.
pub(crate) fn percent(fraction: Decimal) -> String {
    let percent = (fraction * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, jixiao::RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    format!("{percent}%")
}
