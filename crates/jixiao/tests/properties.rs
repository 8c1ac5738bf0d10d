//! Properties of every scorecard, over random submissions for the demo rulebook: numbers in
//! and beyond range, random expert grades, bools, choices and dates (valid or not), values
//! missing or null, random N/A marks. Checked: every leaf score is in [0, points] with at
//! most 2 decimals; every parent equals the exact sum of its children as printed; the total
//! is the sum of the dimensions (or its rescale); complete ⇔ no leaf unscored or failed;
//! grade is null iff incomplete. Then the same for an N/A-heavy variant under each policy.
#![allow(clippy::unwrap_used)]

use jixiao::model::{Input, InputType, NaPolicy};
use jixiao::{
    Decimal, Engine, EvalOptions, Lang, RoundingStrategy, Rulebook, Scorecard, Status, Submission,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::sync::LazyLock;

fn demo_rulebook() -> Rulebook {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/demo/rulebook.toml");
    Rulebook::from_path(path).unwrap()
}

/// The demo as written (na_policy = rescale, only P2.1 may be N/A).
static DEMO: LazyLock<Engine> = LazyLock::new(|| Engine::new(demo_rulebook()).unwrap());

/// The demo with every leaf allowed to be N/A, under `policy`.
fn all_na_variant(policy: NaPolicy) -> Engine {
    let mut spec = demo_rulebook().spec().clone();
    spec.na_policy = policy;
    let parents: Vec<String> = spec
        .indicators
        .iter()
        .filter_map(|i| i.parent.clone())
        .collect();
    for ind in &mut spec.indicators {
        if !parents.contains(&ind.id) {
            ind.allow_na = true;
        }
    }
    Engine::new(Rulebook::from_spec(spec)).unwrap()
}

static REDISTRIBUTE: LazyLock<Engine> = LazyLock::new(|| all_na_variant(NaPolicy::Redistribute));
static RESCALE_ALL_NA: LazyLock<Engine> = LazyLock::new(|| all_na_variant(NaPolicy::Rescale));

// ---------------------------------------------------------------- strategies

/// Omitted, null, or a value.
fn maybe(value: BoxedStrategy<Value>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        12 => value.prop_map(Some),
    ]
    .boxed()
}

/// A valid value in range, always present: about half the submissions are made of these,
/// so that complete scorecards (and their grades) are common.
fn clean_value_of(input: &Input) -> BoxedStrategy<Option<Value>> {
    let lo = input.min.unwrap_or(0.0);
    let v: BoxedStrategy<Value> = match input.kind {
        InputType::Number => (lo.max(1.0)..5_000.0).prop_map(|f| json!(f)).boxed(),
        InputType::Percent => (lo..=input.max.unwrap_or(100.0))
            .prop_map(|f| json!(f))
            .boxed(),
        #[allow(clippy::cast_possible_truncation)]
        InputType::Integer => ((lo as i64)..150).prop_map(|n| json!(n)).boxed(),
        InputType::Bool => any::<bool>().prop_map(|b| json!(b)).boxed(),
        InputType::Choice => proptest::sample::select(input.choices.clone())
            .prop_map(|c| json!(c))
            .boxed(),
        InputType::Date => (2022i32..2027, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| json!(format!("{y}-{m:02}-{d:02}")))
            .boxed(),
        InputType::Text => "[a-z评价 ]{0,30}".prop_map(|s| json!(s)).boxed(),
        InputType::Grade => {
            const LEVELS: &[&str] = &["优", "良", "中", "差"];
            proptest::collection::vec(proptest::sample::select(LEVELS), 1..6)
                .prop_map(|g| json!(g))
                .boxed()
        }
        // No table inputs in the rulebooks these properties run on; [] is "not filled in".
        InputType::Table => Just(json!([])).boxed(),
    };
    v.prop_map(Some).boxed()
}

/// Anything a person might type: out of range, wrong type, invalid, missing or null.
fn noisy_value_of(input: &Input) -> BoxedStrategy<Option<Value>> {
    let v: BoxedStrategy<Value> = match input.kind {
        InputType::Number => prop_oneof![
            4 => (-50.0f64..5_000.0).prop_map(|f| json!(f)),
            2 => (0u32..3_000).prop_map(|n| json!(n)),
            1 => (0.0f64..5_000.0).prop_map(|f| json!(format!("{f:.2}"))),
            1 => Just(json!(0)),
            1 => Just(json!("一千万")),
        ]
        .boxed(),
        InputType::Percent => prop_oneof![
            4 => (-10.0f64..120.0).prop_map(|f| json!(f)),
            2 => (0.0f64..=100.0).prop_map(|f| json!(format!("{f:.1}%"))),
            1 => Just(json!(100)),
            1 => Just(json!(0)),
        ]
        .boxed(),
        InputType::Integer => prop_oneof![
            6 => (-3i64..150).prop_map(|n| json!(n)),
            2 => (0i64..100_000).prop_map(|n| json!(n)),
            1 => Just(json!(1.5)),
            1 => Just(json!("12")),
        ]
        .boxed(),
        InputType::Bool => prop_oneof![
            4 => any::<bool>().prop_map(|b| json!(b)),
            1 => Just(json!("是")),
            1 => Just(json!("否")),
            1 => Just(json!("也许")),
        ]
        .boxed(),
        InputType::Choice => {
            let mut choices = input.choices.clone();
            choices.push("乱填".into());
            proptest::sample::select(choices)
                .prop_map(|c| json!(c))
                .boxed()
        }
        InputType::Date => (2022i32..2027, 0u32..14, 0u32..33)
            .prop_map(|(y, m, d)| json!(format!("{y}-{m:02}-{d:02}")))
            .boxed(),
        InputType::Text => prop_oneof![
            4 => "[a-z评价 ]{0,30}".prop_map(|s| json!(s)),
            1 => Just(json!("评".repeat(2_001))),
        ]
        .boxed(),
        InputType::Grade => {
            const LEVELS: &[&str] = &["优", "良", "中", "差", "A", "B", "C", "D", "甲"];
            prop_oneof![
                2 => proptest::sample::select(LEVELS).prop_map(|g| json!(g)),
                5 => proptest::collection::vec(proptest::sample::select(&LEVELS[..8]), 1..7)
                    .prop_map(|g| json!(g)),
                1 => proptest::collection::vec(proptest::sample::select(LEVELS), 0..4)
                    .prop_map(|g| json!(g)),
            ]
            .boxed()
        }
        InputType::Table => Just(json!([])).boxed(),
    };
    maybe(v)
}

/// A random submission for `engine`: every declared input maybe filled, a few unknown keys,
/// a random subset of the N/A-able leaves marked, sometimes a leaf that may not be.
fn submission_for(engine: &Engine) -> BoxedStrategy<Submission> {
    let spec = engine.rulebook().spec();
    let ids: Vec<String> = spec.inputs.iter().map(|i| i.id.clone()).collect();
    let clean: Vec<BoxedStrategy<Option<Value>>> = spec.inputs.iter().map(clean_value_of).collect();
    let noisy: Vec<BoxedStrategy<Option<Value>>> = spec.inputs.iter().map(noisy_value_of).collect();
    let values = prop_oneof![clean, noisy];
    let na_able: Vec<String> = spec
        .indicators
        .iter()
        .filter(|i| i.allow_na)
        .map(|i| i.id.clone())
        .collect();
    let n = na_able.len();
    let marks = proptest::sample::subsequence(na_able, 0..=n);
    let stray = proptest::option::weighted(0.1, proptest::sample::select(vec!["O1.1", "X9"]));
    let unknown = proptest::option::weighted(0.1, Just("unknown_field"));
    (values, marks, stray, unknown)
        .prop_map(move |(values, mut marks, stray, unknown)| {
            let mut map = Map::new();
            for (id, v) in ids.iter().zip(values) {
                if let Some(v) = v {
                    map.insert(id.clone(), v);
                }
            }
            if let Some(k) = unknown {
                map.insert(k.into(), json!(1));
            }
            if let Some(s) = stray {
                marks.push(s.into());
            }
            serde_json::from_value(json!({"values": map, "not_applicable": marks})).unwrap()
        })
        .boxed()
}

// ---------------------------------------------------------------- the properties

fn children<'c>(
    card: &'c Scorecard,
    id: &'c str,
) -> impl Iterator<Item = &'c jixiao::IndicatorScore> + 'c {
    card.indicators
        .iter()
        .filter(move |k| k.parent.as_deref() == Some(id))
}

fn half_up(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Properties every scorecard keeps, whatever the policy.
fn check_card(engine: &Engine, sub: &Submission, card: &Scorecard) -> Result<(), TestCaseError> {
    let spec = engine.rulebook().spec();
    let total_points = Decimal::try_from(spec.total).unwrap();
    for i in &card.indicators {
        // Scores carry at most 2 decimals and never exceed the points; 0 is the floor.
        if let Some(s) = i.score {
            prop_assert!(s.normalize().scale() <= 2, "{}: {s}", i.id);
            prop_assert!(s >= Decimal::ZERO, "{}: {s}", i.id);
            prop_assert!(s <= i.points, "{}: {s} > {}", i.id, i.points);
        }
        prop_assert!(i.points.normalize().scale() <= 2, "{}: {}", i.id, i.points);
        if i.leaf {
            // A leaf's score exists exactly when it was scored — never a silent zero.
            prop_assert_eq!(i.score.is_some(), i.status == Status::Scored, "{}", &i.id);
            match i.status {
                Status::Unscored => prop_assert!(!i.missing.is_empty(), "{}", i.id),
                Status::Error => prop_assert!(i.error.is_some(), "{}", i.id),
                Status::Scored | Status::NotApplicable => {
                    prop_assert!(i.missing.is_empty() && i.error.is_none(), "{}", i.id);
                }
                Status::Partial => prop_assert!(false, "leaf {} is partial", i.id),
            }
        } else if i.status != Status::NotApplicable {
            // A parent is the exact sum of its children's printed scores.
            let scores: Vec<Decimal> = children(card, &i.id).filter_map(|k| k.score).collect();
            let sum = (!scores.is_empty()).then(|| scores.iter().copied().sum::<Decimal>());
            prop_assert_eq!(i.score, sum, "{}", &i.id);
            let all_done = children(card, &i.id)
                .all(|k| matches!(k.status, Status::Scored | Status::NotApplicable));
            prop_assert_eq!(i.status == Status::Scored, all_done, "{}", &i.id);
            // Its points are its applicable children's points.
            let pts: Decimal = children(card, &i.id)
                .filter(|k| k.status != Status::NotApplicable)
                .map(|k| k.points)
                .sum();
            prop_assert_eq!(i.points, pts, "points of {}", &i.id);
        } else {
            prop_assert!(i.score.is_none(), "{}", i.id);
            prop_assert!(
                children(card, &i.id).all(|k| k.status == Status::NotApplicable),
                "{}",
                i.id
            );
        }
    }
    // Dimensions mirror the first-level indicators.
    for d in &card.dimensions {
        let i = card.indicator(&d.id).unwrap();
        prop_assert_eq!(d.score, i.score.unwrap_or_default());
        prop_assert_eq!(d.points, i.points);
        prop_assert_eq!(d.status, i.status);
    }
    let raw: Decimal = card.dimensions.iter().map(|d| d.score).sum();
    prop_assert_eq!(card.raw_total, raw);
    let max: Decimal = card
        .dimensions
        .iter()
        .filter(|d| d.status != Status::NotApplicable)
        .map(|d| d.points)
        .sum();
    prop_assert_eq!(card.max_points, max);
    if max.is_zero() || max == total_points {
        prop_assert_eq!(card.total, card.raw_total);
    } else {
        prop_assert_eq!(card.total, half_up(card.raw_total * total_points / max));
    }
    prop_assert!(card.total <= total_points);
    // complete ⇔ no leaf unscored or failed; the grade exists iff complete.
    let done = card
        .indicators
        .iter()
        .filter(|i| i.leaf)
        .all(|i| matches!(i.status, Status::Scored | Status::NotApplicable));
    prop_assert_eq!(card.complete, done && !max.is_zero());
    prop_assert_eq!(card.grade.is_some(), card.complete);
    if let Some(g) = &card.grade {
        let band = spec
            .grades
            .iter()
            .filter(|b| card.total >= Decimal::try_from(b.min).unwrap())
            .max_by(|a, b| a.min.total_cmp(&b.min))
            .unwrap();
        prop_assert_eq!(&g.label, &band.label);
    }
    // The scorecard lists exactly what validate() finds.
    prop_assert_eq!(&card.problems, &engine.validate(sub));
    Ok(())
}

/// Language and trace change words, never numbers or statuses; evaluation is repeatable.
fn check_options_agree(
    engine: &Engine,
    sub: &Submission,
    card: &Scorecard,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(engine.evaluate(sub).to_json(), card.to_json());
    let quiet = engine.evaluate_with(
        sub,
        EvalOptions {
            trace: false,
            lang: Lang::En,
        },
    );
    prop_assert_eq!(quiet.total, card.total);
    prop_assert_eq!(quiet.complete, card.complete);
    for (a, b) in quiet.indicators.iter().zip(&card.indicators) {
        prop_assert_eq!(
            (a.score, a.status, a.points),
            (b.score, b.status, b.points),
            "{}",
            &a.id
        );
        prop_assert_eq!(a.findings.len(), b.findings.len(), "{}", &a.id);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn demo_scorecards_add_up(sub in submission_for(&DEMO)) {
        let card = DEMO.evaluate(&sub);
        check_card(&DEMO, &sub, &card)?;
        check_options_agree(&DEMO, &sub, &card)?;
        // Under rescale, N/A leaves keep their declared points and leave max_points.
        prop_assert_eq!(DEMO.rulebook().spec().na_policy, NaPolicy::Rescale);
        let p21 = card.indicator("P2.1").unwrap();
        prop_assert_eq!(p21.points, Decimal::from(5));
        let na = p21.status == Status::NotApplicable;
        prop_assert_eq!(na, sub.not_applicable.iter().any(|m| m == "P2.1"));
        prop_assert_eq!(card.max_points, Decimal::from(if na { 95 } else { 100 }));
        // O1.1 may not be N/A: a mark on it is reported and ignored.
        prop_assert!(card.indicator("O1.1").unwrap().status != Status::NotApplicable);
    }

    #[test]
    fn redistributed_points_add_up_exactly(sub in submission_for(&REDISTRIBUTE)) {
        let card = REDISTRIBUTE.evaluate(&sub);
        check_card(&REDISTRIBUTE, &sub, &card)?;
        check_options_agree(&REDISTRIBUTE, &sub, &card)?;
        // Nothing is lost to N/A: unless everything is N/A the dimensions carry all 100
        // points and the total is not rescaled.
        let everything_na = card.dimensions.iter().all(|d| d.status == Status::NotApplicable);
        if everything_na {
            prop_assert!(card.max_points.is_zero());
            prop_assert!(!card.complete);
        } else {
            prop_assert_eq!(card.max_points, Decimal::from(100));
            prop_assert_eq!(card.total, card.raw_total);
        }
        // A leaf's share never shrinks below its declared points when siblings are N/A.
        for i in card.indicators.iter().filter(|i| i.leaf && i.status != Status::NotApplicable) {
            let declared = REDISTRIBUTE
                .rulebook()
                .spec()
                .indicators
                .iter()
                .find(|d| d.id == *i.id)
                .and_then(|d| d.points)
                .unwrap();
            let declared = Decimal::try_from(declared).unwrap();
            prop_assert!(i.points >= declared - Decimal::new(1, 2), "{}: {} < {}", i.id, i.points, declared);
        }
    }

    #[test]
    fn rescaled_totals_follow_the_formula(sub in submission_for(&RESCALE_ALL_NA)) {
        let card = RESCALE_ALL_NA.evaluate(&sub);
        check_card(&RESCALE_ALL_NA, &sub, &card)?;
        // N/A leaves keep their declared points on display; applicable ones never change.
        for i in card.indicators.iter().filter(|i| i.leaf) {
            let declared = RESCALE_ALL_NA
                .rulebook()
                .spec()
                .indicators
                .iter()
                .find(|d| d.id == *i.id)
                .and_then(|d| d.points)
                .unwrap();
            prop_assert_eq!(i.points, Decimal::try_from(declared).unwrap(), "{}", &i.id);
        }
    }
}
