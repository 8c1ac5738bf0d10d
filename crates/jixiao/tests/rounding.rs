//! Rounding ties round half up, whatever the arithmetic (issue 21). Every helper scores an
//! attainment of k / 1000 for every k from 0 to 1000 against 5 points — 5 × 12.3 % = 0.615
//! is a tie every second step — and must give exactly half_up(5 × k / 1000, 2), computed
//! here in decimals, natively and with every script interpreted by Rhai. Grades, deductions,
//! explicit awards, the 绩效目标表 and N/A rescaling of the total are checked on ties too.
#![allow(clippy::unwrap_used)]

use jixiao::{Decimal, Engine, EvalOptions, Lang, RoundingStrategy, Submission};
use serde_json::json;

fn half_up(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// One leaf per helper, each scoring `rate` (an attainment, as a fraction) against 5 points.
const HELPERS: &str = r#"
id = "ties"
version = "1"
title = "四舍五入"
stage = "post"

[[inputs]]
id = "rate"
label = "完成率"
type = "percent"

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
[[inputs.columns]]
id = "actual"
label = "实际"
type = "number"
[[inputs.columns]]
id = "weight"
label = "分值"
type = "number"

[[indicators]]
id = "all"
label = "全部"
points = 50

[[indicators]]
id = "rest"
label = "其余（使总分为 100）"
points = 50
script = 'full()'

[[indicators]]
id = "proportional"
parent = "all"
label = "比率得分"
points = 5
script = 'proportional("rate", 1.0)'

[[indicators]]
id = "proportional_reverse"
parent = "all"
label = "比率得分（越低越好）"
points = 5
script = 'proportional_reverse(1.0, rate)'

[[indicators]]
id = "linear"
parent = "all"
label = "线性"
points = 5
script = 'linear("rate", 0.0, 1.0)'

[[indicators]]
id = "tiered"
parent = "all"
label = "分档"
points = 5
script = 'tiered(1.0, [[0.5, rate]])'

[[indicators]]
id = "tiered_reverse"
parent = "all"
label = "分档（越低越好）"
points = 5
script = 'tiered_reverse(0.0, [[0.5, rate]])'

[[indicators]]
id = "satisfaction"
parent = "all"
label = "满意度"
points = 5
script = 'satisfaction("rate", 1.0)'

[[indicators]]
id = "award"
parent = "all"
label = "直接给分"
points = 5
script = 'award(points * rate, "按完成率给分")'

[[indicators]]
id = "deduct"
parent = "all"
label = "扣分制"
points = 5
script = 'deduct([[1, points * (1.0 - rate), "未完成部分扣分"]])'

[[indicators]]
id = "script"
parent = "all"
label = "脚本"
points = 5
script = 'points * rate'

[[indicators]]
id = "target_table"
parent = "all"
label = "绩效目标表"
points = 5
script = 'target_table("targets")'
"#;

#[test]
fn every_helper_rounds_ties_half_up() {
    let engine = Engine::from_str(HELPERS).unwrap();
    let five = Decimal::from(5);
    let mut ties = 0;
    for k in 0..=1000_i64 {
        let attainment = Decimal::new(k, 3);
        let expected = half_up(five * attainment);
        if (five * attainment).scale() >= 3
            && (five * attainment * Decimal::from(1000)) % Decimal::from(10) == Decimal::from(5)
        {
            ties += 1;
        }
        let sub = Submission::from_json_str(
            &json!({"values": {
                // Typed as people type a rate: "12.3%".
                "rate": format!("{}%", (attainment * Decimal::ONE_HUNDRED).normalize()),
                "targets": [{"name": "完成量", "op": "≥", "target": 1000, "actual": k, "weight": 5}],
            }})
            .to_string(),
        )
        .unwrap();
        for lang in [Lang::Zh, Lang::En] {
            let opts = EvalOptions { trace: true, lang };
            let native = engine.evaluate_with(&sub, opts);
            let rhai = engine.evaluate_interpreted(&sub, opts);
            assert_eq!(
                serde_json::to_string(&native).unwrap(),
                serde_json::to_string(&rhai).unwrap(),
                "k = {k}: native and Rhai differ"
            );
            for ind in native
                .indicators
                .iter()
                .filter(|i| i.leaf && i.id != "rest")
            {
                // 扣分制 rounds what it deducts (half up, as the finding prints it) and
                // scores what is left: 5 × 99.9 % = 4.995 deducted is 5, and 0 left.
                let expected = if ind.id == "deduct" {
                    five - half_up(five * (Decimal::ONE - attainment))
                } else {
                    expected
                };
                assert_eq!(
                    ind.score,
                    Some(expected),
                    "{} at {}: {:?}",
                    ind.id,
                    attainment,
                    ind.explanation
                );
                // What was lost is what the score leaves, to the cent.
                let lost: Decimal = ind.findings.iter().filter_map(|f| f.deduction).sum();
                if ind.id.as_ref() != "award" && ind.id.as_ref() != "script" {
                    assert_eq!(
                        lost,
                        five - expected,
                        "{} at {attainment}: findings {:?}",
                        ind.id,
                        ind.findings
                    );
                }
            }
        }
    }
    assert_eq!(ties, 500, "half the steps are ties");
}

#[test]
fn grades_and_rescaled_totals_round_ties_half_up() {
    // 2.35 points × mean(优 1, 良 0.8) = 2.35 × 0.9 = 2.115 → 2.12. With 丙 (20 points) N/A the
    // total is rescaled from 80 points to 100: (2.12 + 59.42) × 100 / 80 = 76.925 → 76.93.
    let rulebook = r#"
id = "grade-ties"
version = "1"
title = "等级"
stage = "post"
total = 100

[[inputs]]
id = "basis"
label = "依据"
type = "grade"

[[inputs]]
id = "earned"
label = "得分"
type = "number"

[[indicators]]
id = "a"
label = "甲"
points = 2.35
script = 'grade("basis")'

[[indicators]]
id = "b"
label = "乙"
points = 77.65
script = 'award(earned, "得分")'

[[indicators]]
id = "c"
label = "丙"
points = 20
allow_na = true
script = 'full()'
"#;
    let engine = Engine::from_str(rulebook).unwrap();
    let sub = |na: &[&str], earned: &str| {
        Submission::from_json_str(
            &json!({"values": {"basis": ["优", "良"], "earned": earned}, "not_applicable": na})
                .to_string(),
        )
        .unwrap()
    };
    for card in [
        engine.evaluate(&sub(&[], "59.42")),
        engine.evaluate_interpreted(&sub(&[], "59.42"), EvalOptions::default()),
    ] {
        assert_eq!(
            card.indicator("a").unwrap().score,
            Some(Decimal::new(212, 2))
        );
        assert_eq!(card.total, Decimal::new(8154, 2), "2.12 + 59.42 + 20");
    }
    for card in [
        engine.evaluate(&sub(&["c"], "59.42")),
        engine.evaluate_interpreted(&sub(&["c"], "59.42"), EvalOptions::default()),
    ] {
        assert_eq!(card.raw_total, Decimal::new(6154, 2));
        assert_eq!(card.max_points, Decimal::from(80));
        assert_eq!(
            card.total,
            Decimal::new(7693, 2),
            "61.54 × 100 / 80 = 76.925"
        );
    }
}
