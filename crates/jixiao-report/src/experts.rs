//! 专家评分汇总表: where several experts graded, each expert's grade per indicator side by side,
//! how the grades were combined and what the indicator scored, grades two or more levels apart
//! marked, and a row for the experts' signatures.
//!
//! The grades are those the scorecard records as read (trace on): the report prints them, it
//! does not combine them again.

use crate::words;
use crate::{Cell, Table};
use jixiao::model::{GradeAggregate, Input, InputType, RulebookSpec, default_grade_levels};
use jixiao::{Lang, Scorecard, Status};

/// Levels apart at which two experts' grades of one item are marked as a disagreement: next
/// levels (优 and 良) are ordinary judgement, two apart (优 and 中) is worth a word.
pub const DISAGREEMENT_LEVELS: usize = 2;

/// One graded item: the leaf that read it, the grade input, the grades in expert order.
struct Graded<'a> {
    leaf: &'a jixiao::IndicatorScore,
    input: &'a Input,
    grades: Vec<&'a str>,
}

/// The table, when at least one item was graded by more than one expert.
pub(crate) fn expert_table(spec: &RulebookSpec, card: &Scorecard, lang: Lang) -> Option<Table> {
    let graded = graded_items(spec, card);
    // At most the engine's limit of experts: a scorecard read from JSON (the WebAssembly
    // module's input) may carry any number of names or grades, and Word refuses tables wider
    // than 63 columns.
    let panel = graded
        .iter()
        .map(|g| g.grades.len())
        .max()
        .unwrap_or(0)
        .max(card.experts.len())
        .min(jixiao::limits::MAX_EXPERTS);
    if !graded.iter().any(|g| g.grades.len() > 1) {
        return None;
    }
    let zh = lang == Lang::Zh;
    // Indicator 22, each expert an equal share of 42, aggregation 14, score 8, remark 14.
    let expert_width = u8::try_from((42 / panel).max(4)).unwrap_or(4);
    let mut columns = vec![(words::INDICATOR.in_lang(lang).to_string(), 22)];
    columns.extend((0..panel).map(|i| (expert_name(card, i, lang), expert_width)));
    columns.extend([
        (words::AGGREGATE.in_lang(lang).to_string(), 14),
        (words::SCORE.in_lang(lang).to_string(), 8),
        (words::REMARK.in_lang(lang).to_string(), 14),
    ]);
    let mut rows: Vec<Vec<Cell>> = graded
        .iter()
        .map(|g| {
            let label = match (lang, &g.input.label_en) {
                (Lang::En, Some(en)) => en.as_str(),
                _ => g.input.label.as_str(),
            };
            let mut row = vec![Cell::text(label)];
            row.extend((0..panel).map(|i| {
                let grade = g.grades.get(i).copied().filter(|g| !g.is_empty());
                Cell::text(grade.unwrap_or("—"))
            }));
            row.push(Cell::text(aggregate_words(
                g.input.aggregate,
                g.grades.iter().filter(|g| !g.is_empty()).count(),
                zh,
            )));
            row.push(Cell::text(match (g.leaf.status, g.leaf.score) {
                (Status::Scored, Some(score)) => format!("{score} / {}", g.leaf.points),
                _ => String::new(),
            }));
            row.push(Cell::text(disagreement(g, zh).unwrap_or_default()));
            row
        })
        .collect();
    let mut signatures = vec![Cell::strong(words::SIGNATURE.in_lang(lang))];
    signatures.extend((0..panel).map(|_| Cell::text(String::new())));
    signatures.extend((0..3).map(|_| Cell::text(String::new())));
    rows.push(signatures);
    Some(Table { columns, rows })
}

/// Each leaf's grade inputs with the grades it read, in the scorecard's order.
fn graded_items<'a>(spec: &'a RulebookSpec, card: &'a Scorecard) -> Vec<Graded<'a>> {
    let mut items = Vec::new();
    for leaf in card.indicators.iter().filter(|i| i.leaf) {
        for (id, value) in &leaf.reads {
            let Some(input) = spec
                .inputs
                .iter()
                .find(|i| i.id == **id && i.kind == InputType::Grade)
            else {
                continue;
            };
            let grades: Vec<&str> = match value {
                // null: an expert who has not graded this item, kept in the expert's column.
                serde_json::Value::Array(grades) => {
                    grades.iter().map(|g| g.as_str().unwrap_or("")).collect()
                }
                serde_json::Value::String(grade) => vec![grade.as_str()],
                _ => continue,
            };
            if !grades.is_empty() {
                items.push(Graded {
                    leaf,
                    input,
                    grades,
                });
            }
        }
    }
    items
}

/// The submission's name for the i-th expert, else 专家一, 专家二 …
fn expert_name(card: &Scorecard, i: usize, lang: Lang) -> String {
    match card.experts.get(i) {
        Some(name) if !name.trim().is_empty() => name.trim().to_string(),
        _ => match lang {
            Lang::Zh => format!("专家{}", words::numeral(i + 1)),
            _ => format!("Expert {}", i + 1),
        },
    }
}

/// How the rulebook combines the grades, as the 评分标准 words it.
fn aggregate_words(aggregate: GradeAggregate, grades: usize, zh: bool) -> &'static str {
    match (aggregate, zh) {
        _ if grades < 2 => {
            if zh {
                "单一评级"
            } else {
                "one grade"
            }
        }
        (GradeAggregate::Mean, true) => "算术平均",
        (GradeAggregate::Mean, false) => "mean",
        (GradeAggregate::TrimmedMean, true) if grades >= 3 => "去掉最高、最低后平均",
        (GradeAggregate::TrimmedMean, false) if grades >= 3 => "mean without highest and lowest",
        (GradeAggregate::TrimmedMean, true) => "算术平均（不足 3 人）",
        (GradeAggregate::TrimmedMean, false) => "mean (fewer than 3)",
        (GradeAggregate::Median, true) => "中位数",
        (GradeAggregate::Median, false) => "median",
    }
}

/// “意见分歧：优—中” where the highest and lowest grade are [`DISAGREEMENT_LEVELS`] or more
/// levels of the input's scale apart.
fn disagreement(g: &Graded<'_>, zh: bool) -> Option<String> {
    let mut levels = if g.input.levels.is_empty() {
        default_grade_levels()
    } else {
        g.input.levels.clone()
    };
    // Best first, whatever order the rulebook lists its scale in.
    levels.sort_by(|a, b| b.fraction.total_cmp(&a.fraction));
    let positions: Vec<(usize, &str)> = g
        .grades
        .iter()
        .filter_map(|grade| {
            levels
                .iter()
                .position(|l| l.label == *grade)
                .map(|p| (p, *grade))
        })
        .collect();
    let highest = positions.iter().min_by_key(|(p, _)| *p)?;
    let lowest = positions.iter().max_by_key(|(p, _)| *p)?;
    (lowest.0 - highest.0 >= DISAGREEMENT_LEVELS).then(|| {
        if zh {
            format!("意见分歧：{}—{}", highest.1, lowest.1)
        } else {
            format!("experts disagree: {}–{}", highest.1, lowest.1)
        }
    })
}
