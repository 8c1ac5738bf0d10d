//! `target_table()`: scores a 绩效目标表 (performance-target table, a `table` input).
//!
//! `target_table(id[, category])` scores such a table the way 单位自评 does
//! (财预〔2020〕10号 附件 项目支出绩效自评表): every row carries its own weight (分值) and is
//! scored by its comparison — positive (≥) `weight × actual / target`, negative (≤)
//! `weight × target / actual`, both capped at the weight; `=` `weight × smaller / larger`;
//! a range `weight` inside it, else proportional to the nearer bound; qualitative rows by tier
//! (达成 100–80 %, 部分达成 80–60 %, 未达成 60–0 % of the weight, at the rate the evaluator
//! gives within the tier). The rows' sum is scaled to the leaf's points (so a unit whose
//! weights add up to the points scores exactly their sum).
//!
//! Column names the helper reads: `name`, `op` (≥ ≤ = 区间 定性), `weight`, and as the row
//! needs: `target`, `target_max` (区间), `actual`, `level` and `rate` (定性), `unit`,
//! `reason` (偏差原因, quoted in findings), `category` (filtered by the second argument).

use super::{Frame, MetricTable, fail};
use crate::submission::Val;
use crate::submission::table::{Row, TableVal};
use crate::text::{percent_trimmed as pct, pts, trim_num as num};
use rhai::{Dynamic, EvalAltResult, NativeCallContext, Position};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

pub(crate) fn register(e: &mut rhai::Engine) {
    use super::{Helper, call_helper};
    e.register_fn(
        "target_table",
        |ctx: NativeCallContext, id: Dynamic| -> RhaiResult<f64> {
            call_helper(Helper::TargetTable, ctx.call_position(), &[&id])
        },
    );
    e.register_fn(
        "target_table",
        |ctx: NativeCallContext, id: Dynamic, category: Dynamic| -> RhaiResult<f64> {
            call_helper(Helper::TargetTable, ctx.call_position(), &[&id, &category])
        },
    );
}

fn cell_num(row: &Row, col: &str) -> Option<f64> {
    match row.get(col)? {
        Val::Num(n) => Some(*n),
        #[allow(clippy::cast_precision_loss)]
        Val::Int(i) => Some(*i as f64),
        Val::Grade { fraction, .. } => Some(*fraction),
        _ => None,
    }
}

fn cell_text<'r>(row: &'r Row, col: &str) -> Option<&'r str> {
    match row.get(col)? {
        Val::Text(s) => Some(s.trim()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// A row as scored: (row number, name, weight, how it scored, 偏差原因).
type ScoredRow = (usize, String, f64, Scored, Option<String>);

/// A scored row: fraction of its weight, and how the text shows target and actual.
struct Scored {
    fraction: f64,
    target: String,
    actual: String,
}

/// `target_table(id[, category])`, called like every other helper (through
/// `script::call_helper`, from Rhai or natively), with the frame and its metric table.
pub(crate) fn target_table(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame<'_>,
    id: &Dynamic,
    category: Option<&Dynamic>,
) -> RhaiResult<f64> {
    let zh = f.leaf.lang == crate::text::Lang::Zh;
    let (label, rows, category) = table_rows(pos, table, f, id, category)?;
    let points = f.leaf.points;
    let mut weight_sum = 0.0;
    let mut earned = 0.0;
    let mut lines: Vec<ScoredRow> = Vec::new();
    for (r, row) in rows.rows.iter().enumerate() {
        let bad = rows.bad_row(r);
        if let Some(c) = &category
            && cell_text(row, "category") != Some(c.as_str())
            // A bad row whose category cannot be read may be this category's: it fails here.
            && !(bad.is_some() && cell_text(row, "category").is_none())
        {
            continue;
        }
        let n = r + 1;
        let row_name = cell_text(row, "name").map_or_else(|| format!("第 {n} 行"), str::to_string);
        let row_fail = |zh_msg: String, en_msg: String| {
            fail::<f64>(
                pos,
                zh,
                format!("{label} 第 {n} 行（{row_name}）：{zh_msg}"),
                format!("{label} row {n} ({row_name}): {en_msg}"),
            )
        };
        // Held up before the script ran (see `TableVal::holds_up`), unless the category
        // was computed: then the row's own words.
        if let Some(b) = bad {
            return row_fail(b.zh.clone(), b.en.clone());
        }
        let Some(weight) = cell_num(row, "weight").filter(|w| w.is_finite() && *w >= 0.0) else {
            return row_fail("缺少分值（weight）".into(), "no weight".into());
        };
        let scored = match score_row(row) {
            Ok(scored) => scored,
            Err(RowProblem(zh_msg, en_msg)) => return row_fail(zh_msg, en_msg),
        };
        weight_sum += weight;
        earned += weight * scored.fraction;
        let reason = cell_text(row, "reason").map(str::to_string);
        lines.push((n, row_name, weight, scored, reason));
    }
    if lines.is_empty() || weight_sum <= 0.0 {
        let what = category.as_deref().unwrap_or("");
        return fail(
            pos,
            zh,
            format!("{label} 中没有{what}类指标（或分值合计为 0）"),
            format!("{label} has no {what} rows (or their weights add up to 0)"),
        );
    }
    let scale = points / weight_sum;
    let score = earned * scale;
    let lost_cents = apportion(
        &lines
            .iter()
            .map(|(_, _, weight, s, _)| (weight - weight * s.fraction) * scale)
            .collect::<Vec<_>>(),
        points - crate::text::printed_score(score),
    );
    explain_rows(f, &lines, lost_cents, weight_sum, earned, points, score);
    Ok(score)
}

/// The rows of table input `id` (a copy: the script may run again) with its label, and the
/// category the rows are filtered by.
fn table_rows(
    pos: Position,
    table: &MetricTable,
    f: &Frame<'_>,
    id: &Dynamic,
    category: Option<&Dynamic>,
) -> RhaiResult<(String, TableVal, Option<String>)> {
    let zh = f.leaf.lang == crate::text::Lang::Zh;
    let Some(name) = id
        .read_lock::<rhai::ImmutableString>()
        .map(|s| s.to_string())
    else {
        return fail(
            pos,
            zh,
            "target_table() 的第一个参数应为表格数据项的 id（字符串）".into(),
            "the first argument of target_table() must be a table input id (string)".into(),
        );
    };
    let Some(&idx) = table.by_name.get(name.as_str()) else {
        return fail(
            pos,
            zh,
            format!("未知的数据项 “{name}”"),
            format!("unknown input “{name}”"),
        );
    };
    let meta = &table.metas[idx];
    let label = if zh {
        meta.label.to_string()
    } else {
        meta.label_en.as_ref().unwrap_or(&meta.label).to_string()
    };
    let rows: TableVal = match f.values.get(idx).and_then(Option::as_ref) {
        Some(Val::Table(t)) => t.clone(),
        Some(_) => {
            return fail(
                pos,
                zh,
                format!("target_table() 需要表格数据项，{label} 不是"),
                format!("target_table() needs a table input; {label} is not one"),
            );
        }
        None => {
            return fail(
                pos,
                zh,
                format!("{label} 未填写"),
                format!("{label} is not filled in"),
            );
        }
    };
    let category = match category {
        None => None,
        Some(c) => match c.read_lock::<rhai::ImmutableString>() {
            Some(s) => Some(s.to_string()),
            None => {
                return fail(
                    pos,
                    zh,
                    "target_table() 的第二个参数（指标类别）应为字符串".into(),
                    "target_table(): the category must be a string".into(),
                );
            }
        },
    };
    Ok((label, rows, category))
}

/// Every row's line in the explanation, a finding for each row that lost points (its loss as
/// apportioned), and the total.
fn explain_rows(
    f: &mut Frame<'_>,
    lines: &[ScoredRow],
    lost_cents: Vec<i64>,
    weight_sum: f64,
    earned: f64,
    points: f64,
    score: f64,
) {
    for ((n, row_name, weight, s, reason), cents) in lines.iter().zip(lost_cents) {
        let row_score = weight * s.fraction;
        f.leaf.explain(|zh| {
            if zh {
                format!(
                    "{n}. {row_name}：目标 {}，实际 {}，得分比例 {}，得 {} / {} 分",
                    s.target,
                    s.actual,
                    pct(s.fraction),
                    pts(row_score),
                    pts(*weight)
                )
            } else {
                format!(
                    "{n}. {row_name}: target {}, actual {}, {} of {}: {}",
                    s.target,
                    s.actual,
                    pct(s.fraction),
                    pts(*weight),
                    pts(row_score)
                )
            }
        });
        #[allow(clippy::cast_precision_loss)] // a few thousand hundredths at most
        let lost = cents as f64 / 100.0;
        if cents > 0 {
            let why = reason.as_deref();
            f.leaf.find(
                |zh| {
                    let base = if zh {
                        format!(
                            "{row_name}：目标 {}，实际 {}，扣 {} 分",
                            s.target,
                            s.actual,
                            pts(lost)
                        )
                    } else {
                        format!(
                            "{row_name}: target {}, actual {}: {} points lost",
                            s.target,
                            s.actual,
                            pts(lost)
                        )
                    };
                    match (why, zh) {
                        (Some(r), true) => format!("{base}（偏差原因：{r}）"),
                        (Some(r), false) => format!("{base} (reason: {r})"),
                        (None, _) => base,
                    }
                },
                Some(lost),
            );
        }
    }
    let count = lines.len();
    f.leaf.explain(|zh| {
        let same = (weight_sum - points).abs() < 1e-9;
        match (zh, same) {
            (true, true) => format!(
                "{count} 项指标分值合计 {}，得分 {}",
                pts(weight_sum),
                pts(score)
            ),
            (true, false) => format!(
                "{count} 项指标分值合计 {}，得分 {}，按本项分值 {} 折算为 {}",
                pts(weight_sum),
                pts(earned),
                pts(points),
                pts(score)
            ),
            (false, true) => format!("{count} rows worth {}: {}", pts(weight_sum), pts(score)),
            (false, false) => format!(
                "{count} rows worth {} scored {}, scaled to {} points: {}",
                pts(weight_sum),
                pts(earned),
                pts(points),
                pts(score)
            ),
        }
    });
}

/// Why a row cannot be scored, in zh and en (the caller names the row).
struct RowProblem(String, String);

/// One row scored by its comparison (≥ ≤ = 区间 定性): its fraction of the row's weight, and
/// how the text shows target and actual.
fn score_row(row: &Row) -> Result<Scored, RowProblem> {
    let unit = cell_text(row, "unit").unwrap_or("").to_string();
    let op = cell_text(row, "op").unwrap_or("").to_string();
    let show = |v: f64| format!("{}{unit}", num(v));
    let need = |col: &str, what_zh: &str, what_en: &str| -> Result<f64, RowProblem> {
        match cell_num(row, col) {
            // Compared and scored as printed, like a helper's subject.
            Some(v) if v.is_finite() => Ok(crate::text::as_printed(v)),
            _ => Err(RowProblem(
                format!("缺少{what_zh}（{col}）"),
                format!("no {what_en} ({col})"),
            )),
        }
    };
    Ok(match op.as_str() {
        "≥" | ">=" => {
            let (t, a) = (
                need("target", "目标值", "target")?,
                need("actual", "实际值", "actual value")?,
            );
            let fr = if a >= t {
                1.0
            } else if t > 0.0 {
                (a / t).clamp(0.0, 1.0)
            } else {
                0.0
            };
            Scored {
                fraction: fr,
                target: format!("≥ {}", show(t)),
                actual: show(a),
            }
        }
        "≤" | "<=" => {
            let (t, a) = (
                need("target", "目标值", "target")?,
                need("actual", "实际值", "actual value")?,
            );
            let fr = if a <= t {
                1.0
            } else if a > 0.0 && t > 0.0 {
                (t / a).clamp(0.0, 1.0)
            } else {
                0.0
            };
            Scored {
                fraction: fr,
                target: format!("≤ {}", show(t)),
                actual: show(a),
            }
        }
        "=" => {
            let (t, a) = (
                need("target", "目标值", "target")?,
                need("actual", "实际值", "actual value")?,
            );
            let fr = if (a - t).abs() < 1e-9 {
                1.0
            } else if a > 0.0 && t > 0.0 {
                (a.min(t) / a.max(t)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            Scored {
                fraction: fr,
                target: format!("= {}", show(t)),
                actual: show(a),
            }
        }
        "区间" | "range" => {
            let lo = need("target", "区间下限", "range low")?;
            let hi = need("target_max", "区间上限", "range high")?;
            let a = need("actual", "实际值", "actual value")?;
            if lo > hi {
                return Err(RowProblem(
                    format!("区间下限 {} 大于上限 {}", num(lo), num(hi)),
                    format!("range low {} above high {}", num(lo), num(hi)),
                ));
            }
            let fr = if a >= lo && a <= hi {
                1.0
            } else if a < lo {
                if lo > 0.0 {
                    (a / lo).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            } else if a > 0.0 {
                (hi / a).clamp(0.0, 1.0)
            } else {
                0.0
            };
            Scored {
                fraction: fr,
                target: format!("{}–{}", show(lo), show(hi)),
                actual: show(a),
            }
        }
        "定性" | "qualitative" => score_qualitative(row)?,
        other => {
            return Err(RowProblem(
                format!("比较方式 “{other}” 无效（可用：≥、≤、=、区间、定性）"),
                format!(
                    "comparison “{other}” is not one of ≥, ≤, =, 区间 (range), 定性 (qualitative)"
                ),
            ));
        }
    })
}

/// A qualitative (定性) row: its tier (达成 / 部分达成 / 未达成) and the rate the evaluator
/// gives within the tier.
fn score_qualitative(row: &Row) -> Result<Scored, RowProblem> {
    let level = cell_text(row, "level").unwrap_or("").to_string();
    let (lo, hi, word) = if level.starts_with("未达成") {
        (0.0, 0.6, "未达成年度指标且效果较差")
    } else if level.starts_with("部分达成") {
        (0.6, 0.8, "部分达成年度指标并具有一定效果")
    } else if level.starts_with("达成") {
        (0.8, 1.0, "达成年度指标")
    } else {
        return Err(RowProblem(
            "定性指标须填写完成档次（level：达成 / 部分达成 / 未达成）".into(),
            "a qualitative row needs its level (达成 / 部分达成 / 未达成)".into(),
        ));
    };
    let rate = match cell_num(row, "rate") {
        Some(x) => x,
        None if hi >= 1.0 => 1.0,
        None => {
            return Err(RowProblem(
                format!(
                    "“{word}”须填写该档内的得分比例（rate：{}–{}）",
                    pct(lo),
                    pct(hi)
                ),
                format!(
                    "“{word}” needs the rate within its tier (rate: {}–{})",
                    pct(lo),
                    pct(hi)
                ),
            ));
        }
    };
    if rate < lo - 1e-9 || rate > hi + 1e-9 {
        return Err(RowProblem(
            format!(
                "得分比例 {} 不在“{word}”档（{}–{}）内",
                pct(rate),
                pct(lo),
                pct(hi)
            ),
            format!(
                "rate {} is outside the “{word}” tier ({}–{})",
                pct(rate),
                pct(lo),
                pct(hi)
            ),
        ));
    }
    Ok(Scored {
        fraction: rate,
        target: "定性".into(),
        actual: word.into(),
    })
}

/// Each row's loss in hundredths, so that they add up to `total` (the points less the score
/// as it prints), as the columns of a printed 评分表 must: every row gets its loss rounded
/// down, and the hundredths left over go to the rows with the largest remainders (the
/// largest-remainder method). Rows that lost nothing get nothing.
fn apportion(losses: &[f64], total: f64) -> Vec<i64> {
    let nanos = |x: f64| crate::text::round_i64(x * 1e9).unwrap_or(0).max(0);
    let exact: Vec<i64> = losses.iter().map(|&l| nanos(l)).collect();
    let mut cents: Vec<i64> = exact.iter().map(|n| n / 10_000_000).collect();
    let mut left = nanos(total) / 10_000_000 - cents.iter().sum::<i64>();
    let order = crate::sorted_order(exact.len(), &mut |a, b| {
        (exact[b] % 10_000_000)
            .cmp(&(exact[a] % 10_000_000))
            .then(a.cmp(&b))
    });
    for i in order {
        if left <= 0 {
            break;
        }
        if exact[i] % 10_000_000 != 0 {
            cents[i] += 1;
            left -= 1;
        }
    }
    cents
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn losses_are_apportioned_to_add_up_to_the_printed_loss() {
        // Three rows each losing 1/3 of a point: 0.34 + 0.33 + 0.33 = 1.
        assert_eq!(apportion(&[1.0 / 3.0; 3], 1.0), [34, 33, 33]);
        // 4.995 lost, printed score 0.01: the row shows 4.99, not 5.
        assert_eq!(apportion(&[4.995], 4.99), [499]);
        // Exact losses stay as they are; a row without loss gets nothing.
        assert_eq!(apportion(&[1.5, 0.0, 0.25], 1.75), [150, 0, 25]);
    }

    const MINI: &str = r#"
id = "t"
version = "1"
title = "目标表"
stage = "self-eval"
[[inputs]]
id = "targets"
label = "绩效目标表"
type = "table"
[[inputs.columns]]
id = "name"
label = "指标"
type = "text"
[[inputs.columns]]
id = "op"
label = "比较"
type = "text"
[[inputs.columns]]
id = "target"
label = "目标"
type = "number"
required = false
[[inputs.columns]]
id = "target_max"
label = "上限"
type = "number"
required = false
[[inputs.columns]]
id = "actual"
label = "实际"
type = "number"
required = false
[[inputs.columns]]
id = "level"
label = "档次"
type = "text"
required = false
[[inputs.columns]]
id = "rate"
label = "比例"
type = "percent"
required = false
[[inputs.columns]]
id = "weight"
label = "分值"
type = "number"
[[indicators]]
id = "all"
label = "全部"
points = 100
script = 'target_table("targets")'
"#;

    fn score(rows: serde_json::Value) -> crate::Scorecard {
        let engine = crate::Engine::from_str(MINI).unwrap();
        let sub =
            crate::Submission::from_json_str(&json!({"values": {"targets": rows}}).to_string())
                .unwrap();
        engine.evaluate(&sub)
    }

    #[test]
    fn every_comparison_scores_as_the_self_evaluation_form_says() {
        // ≥ 20 × 90/100 = 18; ≤ 20 × 10/12 = 16.667; = 10 × 80/100 = 8; 区间 below: 10 × 40/50
        // = 8, above: 5 × 100/125 = 4, inside 5; 定性 部分达成 at 70 % of 10 = 7, 达成 with no
        // rate 20; 18 + 16.667 + 8 + 8 + 4 + 5 + 7 + 20 = 86.667 of 100 weight points → 86.67.
        let card = score(json!([
            {"name": "a", "op": "≥", "target": 100, "actual": 90, "weight": 20},
            {"name": "b", "op": "≤", "target": 10, "actual": 12, "weight": 20},
            {"name": "c", "op": "=", "target": 100, "actual": 80, "weight": 10},
            {"name": "d", "op": "区间", "target": 50, "target_max": 100, "actual": 40, "weight": 10},
            {"name": "e", "op": "区间", "target": 50, "target_max": 100, "actual": 125, "weight": 5},
            {"name": "f", "op": "区间", "target": 50, "target_max": 100, "actual": 75, "weight": 5},
            {"name": "g", "op": "定性", "level": "部分达成", "rate": 70, "weight": 10},
            {"name": "h", "op": "定性", "level": "达成年度指标", "weight": 20}
        ]));
        assert!(card.complete, "{:?}", card.problems);
        let all = card.indicator("all").unwrap();
        assert_eq!(all.score.unwrap().to_string(), "86.67");
        assert_eq!(all.findings.len(), 6, "{:?}", all.findings);
        // Weights scaled: the same rows at half weight score the same.
        let card = score(json!([
            {"name": "a", "op": "≥", "target": 100, "actual": 90, "weight": 1},
            {"name": "b", "op": "≥", "target": 100, "actual": 100, "weight": 1}
        ]));
        assert_eq!(
            card.indicator("all").unwrap().score.unwrap().to_string(),
            "95"
        );
        // Scripts see the rows as maps.
        let engine = crate::Engine::from_str(&MINI.replace(
            r#"script = 'target_table("targets")'"#,
            "script = 'let n = 0.0; for r in targets { n += r.weight; } n'",
        ))
        .unwrap();
        let sub = crate::Submission::from_json_str(
            r#"{"values": {"targets": [{"name": "a", "op": "≥", "weight": 7}, {"name": "b", "op": "≤", "weight": 5}]}}"#,
        )
        .unwrap();
        assert_eq!(engine.evaluate(&sub).total.to_string(), "12");
    }

    #[test]
    fn cells_are_compared_and_scored_as_printed() {
        // 89.99996 prints as 90: it reaches a ≥ 90 target (full weight) and the text says so;
        // 90.00004 prints as 90 and stays within a ≤ 90 one.
        let card = score(json!([
            {"name": "a", "op": "≥", "target": 90, "actual": 89.999_96, "weight": 10},
            {"name": "b", "op": "≤", "target": "90.00", "actual": "90.00004", "weight": 10}
        ]));
        let all = card.indicator("all").unwrap();
        assert_eq!(
            all.score.unwrap().to_string(),
            "100",
            "{:?}",
            all.explanation
        );
        assert!(all.findings.is_empty(), "{:?}", all.findings);
    }

    #[test]
    fn bad_rows_fail_the_indicator_naming_the_row() {
        for (row, says) in [
            (
                json!({"name": "q", "op": "定性", "level": "部分达成", "weight": 5}),
                "须填写该档内的得分比例",
            ),
            (
                json!({"name": "q", "op": "定性", "level": "达成", "rate": 50, "weight": 5}),
                "不在",
            ),
            (
                json!({"name": "q", "op": "≥", "target": 5, "weight": 5}),
                "缺少实际值",
            ),
            (
                json!({"name": "q", "op": "≈", "target": 5, "actual": 5, "weight": 5}),
                "比较方式",
            ),
        ] {
            let card = score(json!([row]));
            let all = card.indicator("all").unwrap();
            assert_eq!(all.status, crate::Status::Error, "{says}");
            let msg = &all.error.as_ref().unwrap().message;
            assert!(msg.contains("第 1 行（q）") && msg.contains(says), "{msg}");
        }
        // A missing table leaves the indicator unscored, never zero.
        let card = score(json!([]));
        assert_eq!(
            card.indicator("all").unwrap().status,
            crate::Status::Unscored
        );
    }
}
