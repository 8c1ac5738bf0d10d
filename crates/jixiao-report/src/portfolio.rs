//! 评价结果汇总: one report over many projects scored by the same rulebook — how many earned
//! each grade, how each dimension did on average, a ranked table, and the problems that came
//! up most often with the rulebook's suggestions for them.
//!
//! Projects are added one at a time as [`ProjectSummary`]s (taken from a scorecard where it
//! was scored, so a batch's workers can take them in parallel and drop the scorecard), and the
//! memory stays bounded however many are added: the counts and sums are fixed-size, the ranked
//! table keeps its first [`MAX_RANKED`] projects, each problem its first [`MAX_MESSAGES`]
//! wordings and the failures their first [`MAX_FAILED`] reasons.

use crate::build::lost_points;
use crate::words::{self, Words};
use crate::{Block, Cell, Report, Table};
use jixiao::model::{GradeBand, RulebookSpec, default_grades};
use jixiao::{Decimal, Lang, RoundingStrategy, RulebookRef, Scorecard, Status, Text};
use std::collections::HashMap;

/// Projects the ranked table lists; the rest are counted, and all are in the batch's results.
pub const MAX_RANKED: usize = 1000;
/// Indicators the table of frequent problems lists.
pub const MAX_PROBLEMS: usize = 20;
/// Distinct wordings of one indicator's findings counted (a finding often prints the
/// project's own figures, so its wordings can be as many as the projects).
pub const MAX_MESSAGES: usize = 50;
/// Projects that could not be scored listed with their reason; the rest are counted.
pub const MAX_FAILED: usize = 100;

/// What the summary needs of one scored project.
#[derive(Debug, Clone)]
pub struct ProjectSummary {
    /// Where the project came from when it has neither id nor name ("第 5 行").
    pub source: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub total: Decimal,
    pub complete: bool,
    /// The grade's label in the summary's language (none while incomplete).
    pub grade: Option<String>,
    dimensions: Vec<DimensionLine>,
    rulebook: RulebookRef,
    engine_version: Text,
    /// Leaves that lost points: id, label, and their findings' wordings.
    lost: Vec<(Text, String, Vec<String>)>,
}

#[derive(Debug, Clone)]
struct DimensionLine {
    label: String,
    points: Decimal,
    score: Option<Decimal>,
    attainment: Option<Decimal>,
}

impl ProjectSummary {
    /// The summary of a scored project, in `lang` (the scorecard's own language for findings).
    pub fn of(card: &Scorecard, lang: Lang) -> ProjectSummary {
        let in_lang = |zh: &Text, en: &Option<Text>| match (lang, en) {
            (Lang::En, Some(en)) => en.to_string(),
            _ => zh.to_string(),
        };
        let dimensions = card
            .dimensions
            .iter()
            .map(|d| DimensionLine {
                label: in_lang(&d.label, &d.label_en),
                points: d.points,
                score: (d.status != Status::NotApplicable).then_some(d.score),
                attainment: d.attainment,
            })
            .collect();
        let lost = card
            .indicators
            .iter()
            .filter(|i| i.leaf && lost_points(i))
            .map(|i| {
                (
                    i.id.clone(),
                    in_lang(&i.label, &i.label_en),
                    i.findings.iter().map(|f| f.message.clone()).collect(),
                )
            })
            .collect();
        ProjectSummary {
            source: None,
            id: card.project.id.clone(),
            name: card.project.name.clone(),
            total: card.total,
            complete: card.complete,
            grade: card.grade.as_ref().map(|g| in_lang(&g.label, &g.label_en)),
            dimensions,
            rulebook: card.rulebook.clone(),
            engine_version: card.engine_version.clone(),
            lost,
        }
    }
}

/// Many projects' results, summed as they are added.
#[derive(Debug)]
pub struct Portfolio<'a> {
    spec: &'a RulebookSpec,
    lang: Lang,
    grades: Vec<GradeBand>,
    /// The rulebook, engine and dimension columns, from the first scorecard.
    first: Option<FirstCard>,
    /// Projects added, and how many of them were complete.
    added: usize,
    complete: usize,
    /// Projects per grade (in `grades` order) among the complete ones.
    per_grade: Vec<usize>,
    /// Over complete projects: the sum of totals, the highest and the lowest.
    total_sum: Decimal,
    highest: Option<Decimal>,
    lowest: Option<Decimal>,
    /// Per dimension over complete projects where it applied: score sum, attainment sum, count.
    dimension_sums: Vec<(Decimal, Decimal, usize)>,
    /// The best projects so far in rank order (see [`Portfolio::add`]), with their arrival.
    ranked: Vec<(usize, ProjectSummary)>,
    /// Per leaf that lost points somewhere: in how many projects, and its wordings.
    problems: HashMap<Text, ProblemTally>,
    failed: usize,
    failures: Vec<(String, String)>,
}

#[derive(Debug)]
struct FirstCard {
    rulebook: RulebookRef,
    engine_version: Text,
    dimensions: Vec<(String, Decimal)>,
}

#[derive(Debug, Default)]
struct ProblemTally {
    label: String,
    /// Order the leaf first lost points, to break ties in a stable way.
    first_seen: usize,
    projects: usize,
    messages: HashMap<String, usize>,
}

impl<'a> Portfolio<'a> {
    pub fn new(spec: &'a RulebookSpec, lang: Lang) -> Portfolio<'a> {
        let grades = if spec.grades.is_empty() {
            default_grades()
        } else {
            spec.grades.clone()
        };
        Portfolio {
            spec,
            lang,
            per_grade: vec![0; grades.len()],
            grades,
            first: None,
            added: 0,
            complete: 0,
            total_sum: Decimal::ZERO,
            highest: None,
            lowest: None,
            dimension_sums: Vec::new(),
            ranked: Vec::new(),
            problems: HashMap::new(),
            failed: 0,
            failures: Vec::new(),
        }
    }

    /// Adds a scored project.
    pub fn add(&mut self, project: ProjectSummary) {
        if self.first.is_none() {
            self.first = Some(FirstCard {
                rulebook: project.rulebook.clone(),
                engine_version: project.engine_version.clone(),
                dimensions: project
                    .dimensions
                    .iter()
                    .map(|d| (d.label.clone(), d.points))
                    .collect(),
            });
            self.dimension_sums = vec![(Decimal::ZERO, Decimal::ZERO, 0); project.dimensions.len()];
        }
        let order = self.added;
        self.added += 1;
        if project.complete {
            self.complete += 1;
            self.total_sum += project.total;
            self.highest = Some(self.highest.map_or(project.total, |h| h.max(project.total)));
            self.lowest = Some(self.lowest.map_or(project.total, |l| l.min(project.total)));
            if let Some(g) = &project.grade
                && let Some(i) = self.grades.iter().position(|b| self.grade_label(b) == g)
            {
                self.per_grade[i] += 1;
            }
            for (sum, d) in self.dimension_sums.iter_mut().zip(&project.dimensions) {
                if let (Some(score), Some(attainment)) = (d.score, d.attainment) {
                    sum.0 += score;
                    sum.1 += attainment;
                    sum.2 += 1;
                }
            }
        }
        for (id, label, messages) in &project.lost {
            let seen = self.problems.len();
            let tally = self
                .problems
                .entry(id.clone())
                .or_insert_with(|| ProblemTally {
                    label: label.clone(),
                    first_seen: seen,
                    ..ProblemTally::default()
                });
            tally.projects += 1;
            for m in messages {
                if let Some(n) = tally.messages.get_mut(m) {
                    *n += 1;
                } else if tally.messages.len() < MAX_MESSAGES {
                    tally.messages.insert(m.clone(), 1);
                }
            }
        }
        self.ranked.push((order, project));
        // Sorting a full table now and then keeps the memory bounded and the work linear.
        if self.ranked.len() >= 2 * MAX_RANKED {
            self.sort_ranked();
        }
    }

    /// Adds a project that could not be scored: where it is (a row) and why.
    pub fn add_failed(&mut self, source: String, reason: String) {
        self.failed += 1;
        if self.failures.len() < MAX_FAILED {
            self.failures.push((source, reason));
        }
    }

    fn grade_label<'g>(&self, band: &'g GradeBand) -> &'g str {
        match (self.lang, &band.label_en) {
            (Lang::En, Some(en)) => en,
            _ => &band.label,
        }
    }

    /// Complete projects first, highest total first; then the incomplete ones; ties keep
    /// the order they came in. Only the first [`MAX_RANKED`] are kept.
    fn sort_ranked(&mut self) {
        self.ranked.sort_by(|(a_order, a), (b_order, b)| {
            b.complete
                .cmp(&a.complete)
                .then(b.total.cmp(&a.total))
                .then(a_order.cmp(b_order))
        });
        self.ranked.truncate(MAX_RANKED);
    }

    /// The summary report.
    pub fn report(mut self) -> Report {
        self.sort_ranked();
        let lang = self.lang;
        let heading = |w: &Words| Block::Heading {
            level: 1,
            text: w.in_lang(lang).into(),
        };
        let mut blocks = vec![heading(&words::SUMMARY_OVERVIEW)];
        blocks.push(Block::Paragraph(self.overview()));
        blocks.push(heading(&words::SUMMARY_GRADES));
        blocks.push(Block::Table(self.grade_table()));
        blocks.push(heading(&words::SUMMARY_DIMENSIONS));
        blocks.push(Block::Table(self.dimension_table()));
        blocks.push(heading(&words::SUMMARY_RANKING));
        blocks.push(Block::Table(self.ranking_table()));
        let unlisted = self.added.saturating_sub(self.ranked.len());
        if unlisted > 0 {
            blocks.push(Block::Paragraph(if lang == Lang::Zh {
                format!("另有 {unlisted} 个项目未列入上表，见批量评分结果文件。")
            } else {
                format!("{unlisted} more projects are in the batch's result file.")
            }));
        }
        blocks.push(heading(&words::SUMMARY_PROBLEMS));
        blocks.push(self.problem_table());
        if self.failed > 0 {
            blocks.push(heading(&words::SUMMARY_FAILED));
            blocks.extend(self.failures.iter().map(|(source, reason)| {
                Block::Paragraph(format!(
                    "{source}{}{reason}",
                    if lang == Lang::Zh { "：" } else { ": " }
                ))
            }));
            if self.failed > self.failures.len() {
                blocks.push(Block::Paragraph(if lang == Lang::Zh {
                    format!(
                        "另有 {} 个项目未能评分。",
                        self.failed - self.failures.len()
                    )
                } else {
                    format!(
                        "{} more could not be scored.",
                        self.failed - self.failures.len()
                    )
                }));
            }
        }
        if let Some(provenance) = self.provenance() {
            blocks.push(Block::Paragraph(provenance));
        }
        let title = words::summary_title(self.spec.stage, lang).to_string();
        let subtitle = match (lang, &self.spec.title_en) {
            (Lang::En, Some(en)) => en.clone(),
            _ => self.spec.title.clone(),
        };
        Report {
            lang,
            footer: format!("{subtitle} {title}"),
            title,
            subtitle: Some(subtitle),
            blocks,
        }
    }

    fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    fn overview(&self) -> String {
        let incomplete = self.added - self.complete;
        let mut text = if self.zh() {
            format!(
                "本次共评价 {} 个项目：完成评分 {} 个，评分不完整 {} 个，未能评分 {} 个。",
                self.added + self.failed,
                self.complete,
                incomplete,
                self.failed
            )
        } else {
            format!(
                "{} projects were evaluated: {} fully scored, {} incomplete, {} could not be scored.",
                self.added + self.failed,
                self.complete,
                incomplete,
                self.failed
            )
        };
        if let (Some(high), Some(low)) = (self.highest, self.lowest) {
            let average = average(self.total_sum, self.complete);
            text.push_str(&if self.zh() {
                format!(
                    "完成评分项目的平均得分 {average} 分，最高 {high} 分，最低 {low} 分；以下平均值均按完成评分的项目计算。"
                )
            } else {
                format!(
                    " Fully scored projects averaged {average} points (highest {high}, lowest {low}); the averages below are over them."
                )
            });
        }
        text
    }

    fn grade_table(&self) -> Table {
        let lang = self.lang;
        let mut rows: Vec<Vec<Cell>> = self
            .grades
            .iter()
            .zip(&self.per_grade)
            .map(|(band, &n)| {
                vec![
                    Cell::text(self.grade_label(band)),
                    Cell::text(n.to_string()),
                    Cell::text(share(n, self.complete)),
                ]
            })
            .collect();
        let incomplete = self.added - self.complete;
        if incomplete + self.failed > 0 {
            rows.push(vec![
                Cell::text(words::NO_GRADE.in_lang(lang)),
                Cell::text((incomplete + self.failed).to_string()),
                Cell::text(String::new()),
            ]);
        }
        rows.push(vec![
            Cell::strong(words::TOTAL.in_lang(lang)),
            Cell::strong((self.added + self.failed).to_string()),
            Cell::text(String::new()),
        ]);
        Table {
            columns: vec![
                (words::GRADE.in_lang(lang).into(), 40),
                (words::PROJECTS.in_lang(lang).into(), 30),
                (words::SHARE_OF_COMPLETE.in_lang(lang).into(), 30),
            ],
            rows,
        }
    }

    fn dimensions(&self) -> &[(String, Decimal)] {
        self.first.as_ref().map_or(&[], |f| &f.dimensions)
    }

    fn dimension_table(&self) -> Table {
        let lang = self.lang;
        let rows = self
            .dimensions()
            .iter()
            .zip(&self.dimension_sums)
            .map(|((label, points), &(score, attainment, n))| {
                vec![
                    Cell::text(label.as_str()),
                    Cell::text(points.to_string()),
                    Cell::text(if n == 0 {
                        String::new()
                    } else {
                        average(score, n).to_string()
                    }),
                    Cell::text(if n == 0 {
                        String::new()
                    } else {
                        crate::build::percent(attainment / Decimal::from(n))
                    }),
                ]
            })
            .collect();
        Table {
            columns: vec![
                (words::DIMENSION.in_lang(lang).into(), 40),
                (words::POINTS.in_lang(lang).into(), 20),
                (words::AVERAGE_SCORE.in_lang(lang).into(), 20),
                (words::AVERAGE_ATTAINMENT.in_lang(lang).into(), 20),
            ],
            rows,
        }
    }

    fn ranking_table(&self) -> Table {
        let lang = self.lang;
        let dims = self.dimensions();
        // Rank, id, name, total, grade: 6 + 13 + 21 + 10 + 8; the dimensions share the rest
        // (a score such as 19.94 needs about 10 % of the width).
        let dim_width = u8::try_from(42 / dims.len().max(1)).unwrap_or(7);
        let mut columns = vec![
            (words::RANK.in_lang(lang).into(), 6),
            (words::PROJECT_ID.in_lang(lang).into(), 13),
            (words::PROJECT_NAME.in_lang(lang).into(), 21),
            (words::TOTAL_SCORE.in_lang(lang).into(), 10),
            (words::GRADE.in_lang(lang).into(), 8),
        ];
        columns.extend(dims.iter().map(|(label, _)| (label.clone(), dim_width)));
        let mut rows = Vec::with_capacity(self.ranked.len());
        let mut rank = 0;
        let mut previous: Option<Decimal> = None;
        for (position, (_, p)) in self.ranked.iter().enumerate() {
            // Equal totals share a rank (1, 2, 2, 4); incomplete projects are not ranked.
            let rank_text = if p.complete {
                if previous != Some(p.total) {
                    rank = position + 1;
                    previous = Some(p.total);
                }
                rank.to_string()
            } else {
                "—".to_string()
            };
            let mut row = vec![
                Cell::text(rank_text),
                Cell::text(p.id.clone().unwrap_or_default()),
                Cell::text(
                    p.name
                        .clone()
                        .or_else(|| p.source.clone())
                        .unwrap_or_default(),
                ),
                Cell::text(p.total.to_string()),
                Cell::text(
                    p.grade
                        .clone()
                        .unwrap_or_else(|| words::INCOMPLETE.in_lang(lang).into()),
                ),
            ];
            // As many cells as the header has dimensions, whatever a scorecard read from JSON
            // carries.
            row.extend((0..dims.len()).map(|i| {
                Cell::text(match p.dimensions.get(i) {
                    Some(DimensionLine { score: Some(s), .. }) => s.to_string(),
                    Some(_) => words::NOT_APPLICABLE.in_lang(lang).into(),
                    None => String::new(),
                })
            }));
            rows.push(row);
        }
        Table { columns, rows }
    }

    /// The leaves that lost points in the most projects, with their most frequent wording and
    /// the suggestion the rulebook declares for them.
    fn problem_table(&self) -> Block {
        let lang = self.lang;
        if self.problems.is_empty() {
            return Block::Paragraph(words::NO_PROBLEMS.in_lang(lang).into());
        }
        let mut tallies: Vec<(&Text, &ProblemTally)> = self.problems.iter().collect();
        tallies.sort_by(|(_, a), (_, b)| {
            b.projects
                .cmp(&a.projects)
                .then(a.first_seen.cmp(&b.first_seen))
        });
        let rows = tallies
            .into_iter()
            .take(MAX_PROBLEMS)
            .map(|(id, tally)| {
                let message = tally
                    .messages
                    .iter()
                    .max_by(|(a, an), (b, bn)| an.cmp(bn).then(b.cmp(a)))
                    .map(|(m, _)| m.clone())
                    .unwrap_or_default();
                let suggestion = self
                    .spec
                    .indicators
                    .iter()
                    .find(|i| i.id == **id)
                    .and_then(|i| match (lang, &i.suggestion_en) {
                        (Lang::En, Some(en)) => Some(en.clone()),
                        _ => i.suggestion.clone(),
                    })
                    .unwrap_or_default();
                vec![
                    Cell::text(tally.label.as_str()),
                    Cell::text(tally.projects.to_string()),
                    Cell::text(share(tally.projects, self.added)),
                    Cell::text(message),
                    Cell::text(suggestion),
                ]
            })
            .collect();
        Block::Table(Table {
            columns: vec![
                (words::INDICATOR.in_lang(lang).into(), 18),
                (words::PROJECTS_LOSING.in_lang(lang).into(), 10),
                (words::SHARE.in_lang(lang).into(), 10),
                (words::COMMON_FINDING.in_lang(lang).into(), 31),
                (words::SUGGESTION.in_lang(lang).into(), 31),
            ],
            rows,
        })
    }

    /// The rulebook and engine behind the numbers (none when no project was scored).
    fn provenance(&self) -> Option<String> {
        let first = self.first.as_ref()?;
        let r = &first.rulebook;
        Some(if self.zh() {
            format!(
                "评分依据：《{}》（{}，版本 {}，{}）；评分引擎 jixiao {}。",
                self.spec.title, r.id, r.version, r.hash, first.engine_version
            )
        } else {
            format!(
                "Scored by the rulebook “{}” ({}, version {}, {}) with jixiao {}.",
                self.spec.title_en.as_deref().unwrap_or(&self.spec.title),
                r.id,
                r.version,
                r.hash,
                first.engine_version
            )
        })
    }
}

/// `sum / n` to two places (the scorecard's precision), printed as scores print ("23", not
/// "23.00").
pub(crate) fn average(sum: Decimal, n: usize) -> Decimal {
    if n == 0 {
        return Decimal::ZERO;
    }
    (sum / Decimal::from(n))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// `n` of `of` as a percentage to one place ("37.5%"); empty when `of` is 0.
fn share(n: usize, of: usize) -> String {
    if of == 0 {
        return String::new();
    }
    crate::build::percent(Decimal::from(n) / Decimal::from(of))
}
