//! The summary over many projects (评价结果汇总): its counts, averages, ranking and problems
//! checked against the scorecards it was made from, for every shipped pack.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{document_text, examples, score};
use jixiao::{Decimal, Lang, RoundingStrategy, Rulebook, Scorecard, Status};
use jixiao_report::{Block, Cell, MAX_RANKED, Portfolio, ProjectSummary, Report, to_docx, to_text};
use std::collections::BTreeMap;

/// Every pack with its examples scored (trace on, zh).
fn packs() -> BTreeMap<String, (Rulebook, Vec<Scorecard>)> {
    packs_in(Lang::Zh)
}

fn packs_in(lang: Lang) -> BTreeMap<String, (Rulebook, Vec<Scorecard>)> {
    let mut packs: BTreeMap<String, (Rulebook, Vec<Scorecard>)> = BTreeMap::new();
    for (name, rulebook, submission) in examples() {
        let pack = name.split('/').next().unwrap().to_string();
        let card = score(&rulebook, &submission, lang);
        packs
            .entry(pack)
            .or_insert_with(|| (rulebook, Vec::new()))
            .1
            .push(card);
    }
    packs
}

fn summary(rulebook: &Rulebook, cards: &[Scorecard], lang: Lang) -> Report {
    let mut portfolio = Portfolio::new(rulebook.spec(), lang);
    for card in cards {
        portfolio.add(ProjectSummary::of(card, lang));
    }
    portfolio.report()
}

fn text(cell: &Cell) -> &str {
    match cell {
        Cell::Text { text, .. } => text,
        Cell::Continued { .. } => "",
    }
}

/// The table that follows the heading starting with `heading`.
fn table_after<'r>(report: &'r Report, heading: &str) -> &'r jixiao_report::Table {
    let at = report
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { text, .. } if text.starts_with(heading)))
        .unwrap_or_else(|| panic!("no heading {heading}"));
    report.blocks[at..]
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap()
}

fn percent(fraction: Decimal) -> String {
    let p = (fraction * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    format!("{p}%")
}

#[test]
fn counts_averages_ranking_and_problems_agree_with_the_scorecards() {
    for (pack, (rulebook, cards)) in packs() {
        let report = summary(&rulebook, &cards, Lang::Zh);
        let complete: Vec<&Scorecard> = cards.iter().filter(|c| c.complete).collect();

        // 二、等级分布: each grade counted as the scorecards say; the total row is every project.
        let grades = table_after(&report, "二、");
        let (total_row, grade_rows) = grades.rows.split_last().unwrap();
        assert_eq!(text(&total_row[1]), cards.len().to_string(), "{pack}");
        for row in grade_rows
            .iter()
            .filter(|r| !text(&r[0]).starts_with("未评定"))
        {
            let n = complete
                .iter()
                .filter(|c| c.grade.as_ref().is_some_and(|g| *g.label == *text(&row[0])))
                .count();
            assert_eq!(text(&row[1]), n.to_string(), "{pack} {}", text(&row[0]));
        }

        // 三、各维度: the mean of the complete projects' scores where the dimension applied.
        let dims = table_after(&report, "三、");
        for (i, row) in dims.rows.iter().enumerate() {
            let applied: Vec<_> = complete
                .iter()
                .map(|c| &c.dimensions[i])
                .filter(|d| d.status != Status::NotApplicable && d.attainment.is_some())
                .collect();
            assert_eq!(text(&row[0]), &*complete[0].dimensions[i].label);
            if applied.is_empty() {
                continue;
            }
            let n = Decimal::from(applied.len());
            let mean = (applied.iter().map(|d| d.score).sum::<Decimal>() / n)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                .normalize();
            assert_eq!(text(&row[2]), mean.to_string(), "{pack} {}", text(&row[0]));
            let attainment = applied.iter().filter_map(|d| d.attainment).sum::<Decimal>() / n;
            assert_eq!(text(&row[3]), percent(attainment), "{pack}");
        }

        // 四、排名: complete projects by total, highest first, equal totals sharing a rank;
        // the incomplete ones after them, unranked.
        let ranking = table_after(&report, "四、");
        assert_eq!(ranking.rows.len(), cards.len(), "{pack}");
        let mut expected: Vec<&Scorecard> = cards.iter().collect();
        expected.sort_by(|a, b| b.complete.cmp(&a.complete).then(b.total.cmp(&a.total)));
        for (position, (row, card)) in ranking.rows.iter().zip(&expected).enumerate() {
            assert_eq!(
                text(&row[3]),
                card.total.to_string(),
                "{pack} row {position}"
            );
            if card.complete {
                let first_equal = expected
                    .iter()
                    .position(|c| c.complete && c.total == card.total)
                    .unwrap();
                assert_eq!(text(&row[0]), (first_equal + 1).to_string(), "{pack}");
            } else {
                assert_eq!(text(&row[0]), "—", "{pack}");
            }
        }

        // 五、主要问题: each leaf that lost points, in as many projects as lost points there.
        let losing = |id: &str| {
            cards
                .iter()
                .filter(|c| {
                    c.indicators.iter().any(|i| {
                        &*i.id == id
                            && (!i.findings.is_empty()
                                || (i.status == Status::Scored
                                    && i.score.is_some_and(|s| s < i.points)))
                    })
                })
                .count()
        };
        if let Some(Block::Table(problems)) = report
            .blocks
            .iter()
            .skip_while(|b| !matches!(b, Block::Heading { text, .. } if text.starts_with("五、")))
            .nth(1)
        {
            let mut previous = usize::MAX;
            for row in &problems.rows {
                let leaf = cards[0]
                    .indicators
                    .iter()
                    .find(|i| i.leaf && *i.label == *text(&row[0]))
                    .unwrap();
                let n = losing(&leaf.id);
                assert_eq!(text(&row[1]), n.to_string(), "{pack} {}", leaf.label);
                assert!(n <= previous, "{pack}: most frequent first");
                previous = n;
            }
        }
    }
}

#[test]
fn failed_projects_are_counted_and_listed_with_their_reason() {
    let (rulebook, cards) = packs().remove("demo").unwrap();
    let mut portfolio = Portfolio::new(rulebook.spec(), Lang::Zh);
    for card in &cards {
        portfolio.add(ProjectSummary::of(card, Lang::Zh));
    }
    portfolio.add_failed("第 9 行".into(), "实际支出资金：应为数字".into());
    let report = portfolio.report();
    let text = to_text(&report);
    assert!(text.contains("六、未能评分的项目"), "{text}");
    assert!(text.contains("第 9 行：实际支出资金：应为数字"), "{text}");
    assert!(
        text.contains(&format!("本次共评价 {} 个项目", cards.len() + 1)),
        "{text}"
    );
}

#[test]
fn the_ranking_keeps_the_best_projects_and_says_how_many_more() {
    let (rulebook, cards) = packs().remove("demo").unwrap();
    let card = cards.iter().find(|c| c.complete).unwrap();
    let mut portfolio = Portfolio::new(rulebook.spec(), Lang::Zh);
    let added = 2 * MAX_RANKED + 500;
    for i in 0..added {
        let mut project = ProjectSummary::of(card, Lang::Zh);
        // Totals 0.00 … in a scrambled order, two projects per total.
        let total = (i * 7919) % added / 2;
        project.total = Decimal::new(i64::try_from(total).unwrap(), 2);
        project.id = Some(format!("P{i}"));
        portfolio.add(project);
    }
    let report = portfolio.report();
    let ranking = table_after(&report, "四、");
    assert_eq!(ranking.rows.len(), MAX_RANKED);
    let totals: Vec<Decimal> = ranking
        .rows
        .iter()
        .map(|r| text(&r[3]).parse().unwrap())
        .collect();
    let highest = Decimal::new(i64::try_from((added - 1) / 2).unwrap(), 2);
    assert_eq!(totals[0], highest);
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "highest first");
    assert_eq!(
        (text(&ranking.rows[0][0]), text(&ranking.rows[1][0])),
        ("1", "1"),
        "equal totals share a rank"
    );
    assert_eq!(text(&ranking.rows[2][0]), "3");
    let more = format!("另有 {} 个项目未列入上表", added - MAX_RANKED);
    assert!(to_text(&report).contains(&more));
}

#[test]
fn summary_snapshots_and_docx() {
    for (lang, name) in [
        (Lang::Zh, "summary_gov_it_post_zh"),
        (Lang::En, "summary_gov_it_post_en"),
    ] {
        let (rulebook, cards) = packs_in(lang).remove("gov-it-post").unwrap();
        let report = summary(&rulebook, &cards, lang);
        let text = to_text(&report);
        insta::assert_snapshot!(name, text);
        let docx = document_text(&to_docx(&report).unwrap());
        for card in &cards {
            assert!(
                docx.contains(&card.total.to_string()),
                "{name}: {}",
                card.total
            );
        }
    }
}

/// Scorecards of unlike shapes (as JSON may bring them): every ranking row has exactly the
/// cells of the header.
#[test]
fn ranking_rows_match_the_header_whatever_the_scorecards() {
    let (rulebook, cards) = packs().remove("gov-it-post").unwrap();
    let mut short = cards[0].clone();
    short.dimensions.truncate(1);
    let mut portfolio = Portfolio::new(rulebook.spec(), Lang::Zh);
    portfolio.add(ProjectSummary::of(&cards[1], Lang::Zh));
    portfolio.add(ProjectSummary::of(&short, Lang::Zh));
    let report = portfolio.report();
    let ranking = table_after(&report, "四、");
    assert!(
        ranking
            .rows
            .iter()
            .all(|r| r.len() == ranking.columns.len())
    );
}
