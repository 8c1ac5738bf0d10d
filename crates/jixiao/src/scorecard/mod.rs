//! The result of scoring one submission (评价结果), with a stable JSON shape.
//!
//! Scores are [`Decimal`]s rounded half-up to two places at the leaf; every parent is the sum
//! of its children as printed. In JSON they are plain numbers (`9.23`), so JavaScript and
//! spreadsheets read them directly.

use crate::error::Problem;
use crate::model::ProjectInfo;
pub use crate::text::intern::Text;
use crate::text::{round_score, score_cents, trimmed_decimal};
use rust_decimal::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The scorecard of one project. `Default` is an empty one, for
/// [`Engine::evaluate_into`](crate::Engine::evaluate_into) to fill.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Scorecard {
    pub rulebook: RulebookRef,
    pub engine_version: Text,
    #[serde(default, skip_serializing_if = "ProjectInfo::is_empty")]
    pub project: ProjectInfo,
    /// The final score: `raw_total` rescaled to the declared total when N/A points were
    /// excluded (na_policy = rescale), else equal to `raw_total`.
    #[serde(with = "decimal_number")]
    #[schemars(with = "f64")]
    pub total: Decimal,
    /// Sum of the dimension scores as printed.
    #[serde(with = "decimal_number")]
    #[schemars(with = "f64")]
    pub raw_total: Decimal,
    /// Points that could be earned: the declared total less excluded N/A points.
    #[serde(with = "decimal_number")]
    #[schemars(with = "f64")]
    pub max_points: Decimal,
    /// The grade band of `total`; `null` while the scorecard is incomplete.
    pub grade: Option<Grade>,
    /// True when every leaf was scored or is N/A: no missing input, invalid value or rule error.
    pub complete: bool,
    /// First-level indicators (决策 / 过程 / 产出 / 效益 …), in rulebook order.
    pub dimensions: Vec<DimensionScore>,
    /// Every indicator, depth-first in rulebook order (parents before their children).
    pub indicators: Vec<IndicatorScore>,
    /// Evidence references by indicator id (附件编号, 佐证材料), as the submission attached
    /// them: kept once for the scorecard rather than in every indicator's result, which
    /// would cost every evaluation a list per indicator.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence: BTreeMap<String, Vec<String>>,
    /// The experts who graded, as the submission names them, in the order of their grades.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experts: Vec<String>,
    /// KPI values computed for this project (null where an input was missing).
    pub kpis: Vec<KpiValue>,
    /// Problems with the submission's values (unknown inputs, wrong types, out of range…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// Which rulebook produced a scorecard, for audit.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RulebookRef {
    pub id: Text,
    pub version: Text,
    /// `sha256:…` of the canonical rulebook.
    pub hash: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Grade {
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DimensionScore {
    pub id: Text,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<Text>,
    #[serde(with = "decimal_number")]
    #[schemars(with = "f64")]
    pub points: Decimal,
    #[serde(with = "decimal_number")]
    #[schemars(with = "f64")]
    pub score: Decimal,
    #[serde(with = "decimal_option")]
    #[schemars(with = "Option<f64>")]
    pub attainment: Option<Decimal>,
    pub status: Status,
}

/// Where an indicator's evaluation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Scored (a parent: all children scored or N/A).
    Scored,
    /// Not scored because inputs are missing or invalid (see `missing` / `problems`).
    Unscored,
    /// A parent with some children scored and some not.
    Partial,
    /// Marked 不适用 (or every child is).
    NotApplicable,
    /// The scoring script failed or broke a rule (see `error`).
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IndicatorScore {
    pub id: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Text>,
    /// 1 for a dimension, 2 for its children, …
    pub level: u32,
    pub leaf: bool,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<Text>,
    /// Points this indicator carries in this scorecard (after N/A redistribution).
    #[serde(with = "decimal_number")]
    #[schemars(with = "f64")]
    pub points: Decimal,
    /// Score; `null` when unscored, N/A or failed. A parent's is the sum of its scored children.
    #[serde(with = "decimal_option")]
    #[schemars(with = "Option<f64>")]
    pub score: Option<Decimal>,
    /// 得分率 = score / points, 4 decimals.
    #[serde(with = "decimal_option")]
    #[schemars(with = "Option<f64>")]
    pub attainment: Option<Decimal>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Text>,
    /// How the score came about, in the scorecard's language (trace on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// 扣分原因 / 存在问题.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// A flag set by the script, e.g. 红 / 黄 / 绿 in monitoring rulebooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// Required inputs that were missing or invalid (status `unscored`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Text>,
    /// The rule or script error (status `error`). Boxed: rare, and large next to the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Box<Problem>>,
    /// The evaluator's note from the submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Input and KPI values the script read (trace on).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reads: BTreeMap<Text, serde_json::Value>,
}

/// Why points were lost, in words a report can print.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub message: String,
    /// Points lost for this reason, when the rule says.
    #[serde(
        default,
        with = "decimal_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<f64>")]
    pub deduction: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KpiValue {
    pub id: Text,
    pub label: Text,
    /// The computed value (a fraction for percent KPIs) as it was kept and printed: to 4
    /// decimals (a rate to 0.01 %), the value scripts and helpers saw.
    pub value: Option<f64>,
    /// As printed: "98.20%".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Scorecard {
    /// The JSON Schema of the scorecard JSON, for programs in other languages (shipped with
    /// the C header).
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Scorecard);
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&IndicatorScore> {
        self.indicators.iter().find(|i| &*i.id == id)
    }
}

pub(crate) fn attainment(score: Decimal, points: Decimal) -> Option<Decimal> {
    if points.is_zero() {
        return None;
    }
    if let (Some(s), Some(p)) = (cents_of(score), cents_of(points)) {
        return attainment_of_cents(s, p);
    }
    Some(
        (score / points)
            .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
    )
}

/// A decimal in hundredths, when it has at most two places and is below 10¹² (scores and
/// points always are).
pub(crate) fn cents_of(d: Decimal) -> Option<i64> {
    if d.scale() > 2 {
        return None;
    }
    let m = i64::try_from(d.mantissa())
        .ok()
        .filter(|m| m.abs() < 1_000_000_000_000)?;
    Some(match d.scale() {
        0 => m * 100,
        1 => m * 10,
        _ => m,
    })
}

/// [`attainment`] of a score and points given in hundredths ([`cents_of`], [`score_cents`]).
/// Scores and points have at most two decimals: in integers, the ratio rounded half away
/// from zero to 4 places is exact, and cheaper than `Decimal` division (this runs for every
/// node of every project). With both below 10¹⁴ hundredths, no quotient comes within
/// `Decimal`'s 28 digits of a rounding tie without being one: both routes agree.
pub(crate) fn attainment_of_cents(s: i64, p: i64) -> Option<Decimal> {
    if p == 0 {
        return None;
    }
    // Full marks and zero, the commonest scores, without the division (a 64-bit `idiv` by a
    // variable costs tens of cycles, and this runs for every node).
    if s == p {
        return Some(Decimal::ONE);
    }
    if s == 0 {
        return Some(Decimal::ZERO);
    }
    let (num, den) = (s.abs() * 10_000, p.abs());
    let q = (2 * num + den) / (2 * den);
    let q = if (s < 0) != (p < 0) { -q } else { q };
    // |q| ≤ 10¹⁶: within i64, as are the products above (< 2 × 10¹⁸).
    Some(trimmed_decimal(q, 4))
}

/// A leaf's printed score (also in hundredths when it has the integer route) and its
/// attainment against `points` (given in hundredths when known).
pub(crate) fn leaf_score(
    x: f64,
    points: Decimal,
    points_cents: Option<i64>,
) -> (Decimal, Option<i64>, Option<Decimal>) {
    match score_cents(x) {
        Some(s) => (
            trimmed_decimal(s, 2),
            Some(s),
            match points_cents {
                Some(p) => attainment_of_cents(s, p),
                None => attainment(trimmed_decimal(s, 2), points),
            },
        ),
        None => {
            let s = round_score(x);
            (s, None, attainment(s, points))
        }
    }
}

/// Decimals as JSON numbers. Every value we emit has at most 4 decimal places, which an f64
/// and its shortest printed form represent exactly.
pub(crate) mod decimal_number {
    use rust_decimal::prelude::*;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.to_f64().unwrap_or(0.0))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let f = f64::deserialize(d)?;
        Decimal::from_f64(f).ok_or_else(|| serde::de::Error::custom("not a finite number"))
    }
}

pub(crate) mod decimal_option {
    use rust_decimal::prelude::*;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_f64(d.to_f64().unwrap_or(0.0)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Option::<f64>::deserialize(d)?
            .map(|f| {
                Decimal::from_f64(f).ok_or_else(|| serde::de::Error::custom("not a finite number"))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::decimal_of_cents;

    #[test]
    fn trimmed_decimal_is_normalize() {
        for m in [
            0,
            1,
            -1,
            10,
            -10,
            100,
            250,
            -250,
            1_000_000,
            123_456,
            1_230,
            -12_300,
            9_000_000_000,
            -5_000_000_000_000_001,
            i64::MAX,
            i64::MIN + 1,
        ] {
            for scale in 0..=6 {
                let d = trimmed_decimal(m, scale);
                let n = Decimal::new(m, scale).normalize();
                // Bit for bit: the same value, scale and sign.
                assert_eq!(d.serialize(), n.serialize(), "{m}e-{scale}");
            }
        }
    }

    #[test]
    /// Full marks, zero, their negatives and the signs, as the shortcuts see them, printed alike.
    fn attainment_shortcuts_print_as_the_rounded_quotient() {
        let mut checked = 0;
        for p in [1_i64, 7, 250, 333, 1_000, 1_500, 10_000, -250] {
            for s in (-20..=1_600).chain([p, -p, 0, 2 * p]) {
                let expected = (Decimal::new(s, 2) / Decimal::new(p, 2))
                    .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
                    .normalize();
                let got = attainment_of_cents(s, p).unwrap();
                assert_eq!(got, expected, "{s} / {p}");
                assert_eq!(got.to_string(), expected.to_string(), "{s} / {p}");
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
        assert_eq!(attainment_of_cents(5, 0), None);
    }

    #[test]
    fn leaf_score_in_hundredths_is_round_score_then_attainment() {
        let mut checked = 0;
        for p_cents in [0_i64, 1, 250, 1_000, 1_500, 333, 10_000] {
            let points = Decimal::new(p_cents, 2);
            let mut x = -0.5;
            while x < 101.0 {
                for x in [x, x + 0.005, x + 0.004_999_999_9, 13.125, 9.224_999_999_999] {
                    let printed = round_score(x);
                    let expected = (printed, attainment(printed, points));
                    for points_cents in [cents_of(points), None] {
                        let (score, cents, attained) = leaf_score(x, points, points_cents);
                        assert_eq!((score, attained), expected, "{x} of {points}");
                        if let Some(c) = cents {
                            assert_eq!(decimal_of_cents(c), printed, "{x}");
                        }
                        checked += 1;
                    }
                }
                x += 0.0137;
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn attainment_in_integers_equals_decimal_division() {
        let reference = |s: Decimal, p: Decimal| {
            (s / p)
                .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
                .normalize()
        };
        let mut checked = 0;
        for p_cents in (1..=3_000).step_by(7).chain([10_000, 99_999, 100_000_000]) {
            for s_cents in (0..=p_cents).step_by(1 + p_cents as usize / 300) {
                for (s, p) in [
                    (Decimal::new(s_cents, 2), Decimal::new(p_cents, 2)),
                    (Decimal::new(-s_cents, 2), Decimal::new(p_cents, 2)),
                    (Decimal::new(s_cents, 1), Decimal::new(p_cents, 0)),
                ] {
                    assert_eq!(attainment(s, p), Some(reference(s, p)), "{s} / {p}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 50_000, "{checked}");
        // Ties round away from zero: 1/8 = 0.125 → 0.125, 1/16 = 0.0625 → 0.0625,
        // 0.00005 → 0.0001.
        assert_eq!(
            attainment(Decimal::new(1, 2), Decimal::new(20_000, 2)),
            Some(Decimal::new(1, 4))
        );
        assert_eq!(attainment(Decimal::ONE, Decimal::ZERO), None);
        // Outside the integer route's bounds, `Decimal` division decides.
        let big = Decimal::new(5_000_000_000_000_001, 2);
        assert_eq!(attainment(big, big), Some(Decimal::ONE));
    }

    #[test]
    fn rounds_half_up_as_people_do() {
        for x in [
            0.0,
            -0.0,
            0.125,
            2.675,
            10.0,
            1e12,
            -2.675,
            0.1,
            0.05,
            1.0 / 3.0,
            99.995,
            -0.004,
            -0.006,
            8_999_999.99,
            12.3,
            0.004_999_999,
        ] {
            assert_eq!(
                crate::text::Pts(x).to_string(),
                round_score(x).to_string(),
                "{x}"
            );
        }
        assert_eq!(round_score(10.0 * 0.9225).to_string(), "9.23");
        assert_eq!(round_score(0.125).to_string(), "0.13");
        assert_eq!(round_score(2.675).to_string(), "2.68");
        assert_eq!(round_score(1.0 / 3.0).to_string(), "0.33");
        assert_eq!(round_score(10.0).to_string(), "10");
        assert_eq!(round_score(-2.675).to_string(), "-2.68");
        assert_eq!(round_score(0.0).to_string(), "0");
        assert_eq!(round_score(1e12).to_string(), "1000000000000");
    }
}
