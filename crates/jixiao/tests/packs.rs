//! The shipped rule packs under `rules/` (gov-it-post, mof-2020-post, ex-ante, monitoring,
//! self-eval): every pack's tree is well formed, and every example submission's scorecard is
//! snapshotted and its totals asserted against figures computed by hand from the pack's
//! 评分标准 (the arithmetic is written next to each assertion and in the pack README).
#![allow(clippy::unwrap_used)]

use jixiao::{
    Decimal, Engine, EvalOptions, Lang, ProblemCode, Rulebook, Scorecard, Status, Submission,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Every shipped pack.
const PACKS: &[&str] = &[
    "gov-it-post",
    "mof-2020-post",
    "ex-ante",
    "monitoring",
    "self-eval",
];

fn pack_dir(pack: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../rules")
        .join(pack)
}

fn engine(pack: &str) -> Engine {
    let rb = Rulebook::from_path(pack_dir(pack).join("rulebook.toml"))
        .unwrap_or_else(|e| panic!("{pack}: {e}"));
    Engine::new(rb).unwrap_or_else(|e| panic!("{pack}: {e}"))
}

fn submission(pack: &str, name: &str) -> Submission {
    let path = pack_dir(pack).join(format!("examples/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    Submission::from_json_str(&text).unwrap()
}

fn card(pack: &str, name: &str) -> Scorecard {
    engine(pack).evaluate(&submission(pack, name))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn score(card: &Scorecard, id: &str) -> Option<String> {
    card.indicator(id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
        .score
        .map(|s| s.to_string())
}

/// Assert each (id, score) pair as printed.
fn expect_scores(card: &Scorecard, expect: &[(&str, &str)]) {
    for (id, s) in expect {
        assert_eq!(score(card, id).as_deref(), Some(*s), "{id}");
    }
}

fn kpi(card: &Scorecard, id: &str) -> String {
    card.kpis
        .iter()
        .find(|k| &*k.id == id)
        .unwrap_or_else(|| panic!("no KPI {id}"))
        .display
        .clone()
        .unwrap_or_default()
}

fn grade(card: &Scorecard) -> &str {
    &card.grade.as_ref().unwrap().label
}

macro_rules! card_snapshot {
    ($name:expr, $card:expr) => {
        insta::assert_json_snapshot!($name, $card, {
            ".engine_version" => "[engine_version]",
        })
    };
}

// ---------------------------------------------------------------- every pack

/// Points add up (leaves to parents, dimensions to the total), declared constraints hold,
/// every input is read by some indicator (directly or through a KPI), every script compiles
/// (`Engine::new` compiles them all), every leaf has its 评分标准 in both languages, and the
/// README names every indicator.
#[test]
fn every_pack_is_well_formed() {
    for pack in PACKS {
        let engine = engine(pack);
        let spec = engine.rulebook().spec();
        let ids: Vec<&str> = spec.indicators.iter().map(|i| i.id.as_str()).collect();
        let children = |id: &str| {
            spec.indicators
                .iter()
                .filter(move |c| c.parent.as_deref() == Some(id))
                .collect::<Vec<_>>()
        };
        // Points of a node: its own on a leaf, the sum of its children's on a parent.
        fn pts(spec: &jixiao::model::RulebookSpec, id: &str) -> f64 {
            let kids: Vec<_> = spec
                .indicators
                .iter()
                .filter(|c| c.parent.as_deref() == Some(id))
                .collect();
            let me = spec.indicators.iter().find(|i| i.id == id).unwrap();
            if kids.is_empty() {
                me.points.unwrap()
            } else {
                let sum: f64 = kids.iter().map(|k| pts(spec, &k.id)).sum();
                if let Some(p) = me.points {
                    assert!((p - sum).abs() < 1e-9, "{id}: {p} ≠ children {sum}");
                }
                sum
            }
        }
        let dims: f64 = spec
            .indicators
            .iter()
            .filter(|i| i.parent.is_none())
            .map(|i| pts(spec, &i.id))
            .sum();
        assert!(
            (dims - spec.total).abs() < 1e-9,
            "{pack}: dimensions {dims}"
        );
        for c in &spec.constraints {
            let sum: f64 = c.indicators.iter().map(|id| pts(spec, id)).sum();
            if let Some(min) = c.min_points {
                assert!(
                    sum >= min - 1e-9,
                    "{pack}: {:?} = {sum} < {min}",
                    c.indicators
                );
            }
            if let Some(max) = c.max_points {
                assert!(
                    sum <= max + 1e-9,
                    "{pack}: {:?} = {sum} > {max}",
                    c.indicators
                );
            }
        }
        // Leaves: script, 评分标准 in both languages, English label.
        for ind in &spec.indicators {
            assert!(ind.label_en.is_some(), "{pack} {}: label_en", ind.id);
            if children(&ind.id).is_empty() {
                assert!(ind.script.is_some(), "{pack} {}: script", ind.id);
                assert!(ind.criteria.is_some(), "{pack} {}: criteria", ind.id);
                assert!(ind.criteria_en.is_some(), "{pack} {}: criteria_en", ind.id);
            }
        }
        // Every input is read by some leaf, directly or through a KPI (the form places an
        // input no indicator reads in an "_other" section).
        let form = engine.form();
        assert!(
            form.sections.iter().all(|s| s.id != "_other"),
            "{pack}: inputs no indicator reads"
        );
        let read: BTreeSet<&str> = form
            .sections
            .iter()
            .flat_map(|s| &s.groups)
            .flat_map(|g| &g.indicators)
            .flat_map(|i| &i.inputs)
            .map(String::as_str)
            .collect();
        for input in &spec.inputs {
            assert!(
                read.contains(input.id.as_str()),
                "{pack}: {} unused",
                input.id
            );
            assert!(input.label_en.is_some(), "{pack} {}: label_en", input.id);
        }
        // Every KPI is used by some leaf or other KPI: its id appears in a script or expr.
        for k in &spec.kpis {
            let used = spec
                .indicators
                .iter()
                .filter_map(|i| i.script.as_deref())
                .chain(spec.kpis.iter().map(|o| o.expr.as_str()))
                .any(|s| s != k.expr && s.contains(k.id.as_str()));
            assert!(used, "{pack}: KPI {} unused", k.id);
        }
        // The README lists every indicator by id.
        let readme = std::fs::read_to_string(pack_dir(pack).join("README.md")).unwrap();
        for id in &ids {
            assert!(readme.contains(&format!("`{id}`")), "{pack} README: `{id}`");
        }
        // Script files compile on their own too (they are part of the pack).
        let scripts = pack_dir(pack).join("scripts");
        if scripts.is_dir() {
            for f in std::fs::read_dir(scripts).unwrap() {
                let path = f.unwrap().path();
                let used = spec.indicators.iter().any(|i| {
                    i.script_file
                        .as_deref()
                        .is_some_and(|s| path.ends_with(s.trim_start_matches("./")))
                });
                assert!(used, "{pack}: {path:?} is not referenced");
            }
        }
    }
}

/// Every example of every pack scores without problems and in both languages alike.
#[test]
fn every_example_scores_cleanly() {
    for pack in PACKS {
        let engine = engine(pack);
        let dir = pack_dir(pack).join("examples");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert!(
            names.len() >= 3,
            "{pack}: at least strong, average and weak"
        );
        for want in ["strong", "average", "weak"] {
            assert!(names.iter().any(|n| n == want), "{pack}: {want}.json");
        }
        for name in &names {
            let sub = submission(pack, name);
            assert!(engine.validate(&sub).is_empty(), "{pack}/{name}");
            let zh = engine.evaluate(&sub);
            assert!(zh.problems.is_empty(), "{pack}/{name}: {:?}", zh.problems);
            for i in &zh.indicators {
                assert!(
                    i.status != Status::Error,
                    "{pack}/{name} {}: {:?}",
                    i.id,
                    i.error
                );
            }
            if name != "missing" {
                assert!(zh.complete, "{pack}/{name} incomplete");
            }
            let en = engine.evaluate_with(
                &sub,
                EvalOptions {
                    trace: true,
                    lang: Lang::En,
                },
            );
            assert_eq!(zh.total, en.total, "{pack}/{name}");
        }
    }
}

// ---------------------------------------------------------------- gov-it-post

const GOV: &str = "gov-it-post";

#[test]
fn gov_it_post_strong() {
    let card = card(GOV, "strong");
    // 决策 3 + 5 + 2.4 (良 × 3) + 4 = 14.4
    // 过程 2 + 2.94 (3 × 98 %) + 2 + 2 + 3 + 3 + 3 + 2 = 19.94
    // 产出 35 (all full)
    // 效益 4 + 4 + 5 + 3 + 4 + 3.2 (良 × 4) + 6 = 29.2
    // 14.4 + 19.94 + 35 + 29.2 = 98.54 → 优
    expect_scores(
        &card,
        &[
            ("decision", "14.4"),
            ("P1.2", "2.94"),
            ("process", "19.94"),
            ("output", "35"),
            ("B2.2", "3.2"),
            ("benefit", "29.2"),
        ],
    );
    assert_eq!(card.total, dec("98.54"));
    assert_eq!(grade(&card), "优");
    assert_eq!(kpi(&card, "cut_rate"), "8.00%");
    assert_eq!(kpi(&card, "om_cost_ratio"), "11.98%");
    card_snapshot!("gov_it_post_strong", card);
}

#[test]
fn gov_it_post_average() {
    let card = card(GOV, "average");
    // 决策: D1.1 良 2.4; D1.2 5 − 1 = 4; D2.1 中 1.8; D3.1 审减率 500/2500 = 20 % → 80 % × 4 = 3.2
    //   = 11.4
    // 过程: P1.1 2 × 90 % = 1.8; P1.2 3 × 90 % = 2.7; P1.3 80 % → 70 % × 2 = 1.4; P1.4 2 − 1 = 1;
    //   P2.1 3 − 2 × 0.5 = 2; P2.2 初验 3 × 60 % = 1.8; P2.3 基本符合 1.8; P2.4 未评估 0 = 12.5
    // 产出: O1.1 10 × 176/200 = 8.8; O2.1 99.6 % → 80 % × 5 = 4; O2.2 部分 1.5;
    //   O2.3 2 × 30/40 = 1.5; O2.4 2 × 12/20 = 1.2; O2.5 16/176 = 9.09 % → 80 % × 3 = 2.4;
    //   O3.1 50 天 → 2 × 1 扣 → 3; O4.1 (2000 − 2060)/2000 = −3 % → 60 % × 5 = 3 = 25.4
    // 效益: B1.1 120/176 = 68.2 % → 3.2; B1.2 66 % → 3.2; B1.3 5 × 82 % = 4.1; B1.4 良 2.4;
    //   B2.1 350/2060 = 17.0 % → 3.2; B2.2 中 2.4; B3.1 6 × 86.4/90 = 5.76 = 24.26
    // 11.4 + 12.5 + 25.4 + 24.26 = 73.56 → 中
    expect_scores(
        &card,
        &[
            ("decision", "11.4"),
            ("D3.1", "3.2"),
            ("process", "12.5"),
            ("O1.1", "8.8"),
            ("O3.1", "3"),
            ("O4.1", "3"),
            ("output", "25.4"),
            ("B3.1", "5.76"),
            ("benefit", "24.26"),
        ],
    );
    assert_eq!(card.total, dec("73.56"));
    assert_eq!(grade(&card), "中");
    // 报大建小 is reported as a finding of its own.
    let o11 = card.indicator("O1.1").unwrap();
    assert!(o11.findings.iter().any(|f| f.message.contains("报大建小")));
    card_snapshot!("gov_it_post_average", card);
}

#[test]
fn gov_it_post_weak() {
    let card = card(GOV, "weak");
    // 决策: D1.1 中/差/优 → trimmed 中 1.8 (+ disagreement finding); D1.2 5 − 5 − 1 → 0;
    //   D2.1 差 0; D3.1 审减率 1050/3000 = 35 % → 0 = 1.8
    // 过程: P1.1 2 × 80 % = 1.6; P1.2 3 × 60 % = 1.8; everything else 0 = 3.4
    // 产出: O1.1 10 × 66/120 = 5.5; O2.3 2 × 12/50 = 0.48; O2.4 2 × 2/25 = 0.16;
    //   O4.1 (1950 − 2100)/1950 = −7.69 % → 30 % × 5 = 1.5; others 0 = 7.64
    // 效益: B1.3 5 × 15 % = 0.75; B3.1 6 × 68/90 = 4.533 → 4.53; others 0 = 5.28
    // 1.8 + 3.4 + 7.64 + 5.28 = 18.12 → 差
    expect_scores(
        &card,
        &[
            ("decision", "1.8"),
            ("D1.2", "0"),
            ("process", "3.4"),
            ("O2.3", "0.48"),
            ("O2.4", "0.16"),
            ("output", "7.64"),
            ("B3.1", "4.53"),
            ("benefit", "5.28"),
        ],
    );
    assert_eq!(card.total, dec("18.12"));
    assert_eq!(grade(&card), "差");
    assert_eq!(kpi(&card, "delay_days"), "138天");
    let msgs = |id: &str| -> Vec<String> {
        card.indicator(id)
            .unwrap()
            .findings
            .iter()
            .map(|f| f.message.clone())
            .collect()
    };
    assert!(msgs("D1.2").iter().any(|m| m.contains("未批先建")));
    assert!(msgs("B1.1").iter().any(|m| m.contains("建而不用")));
    assert!(msgs("D1.1").iter().any(|m| m.contains("分歧")));
    card_snapshot!("gov_it_post_weak", card);
}

#[test]
fn gov_it_post_not_applicable() {
    let card = card(GOV, "na");
    // The average project's values with 密评 (P2.4, 2 points) and 上云 (O2.2, 3 points) N/A:
    // raw = 73.56 − 0 (P2.4) − 1.5 (O2.2) = 72.06 of 95 applicable points;
    // total = 72.06 × 100 / 95 = 75.852… → 75.85 → 中
    for id in ["P2.4", "O2.2"] {
        assert_eq!(card.indicator(id).unwrap().status, Status::NotApplicable);
    }
    assert_eq!(card.raw_total, dec("72.06"));
    assert_eq!(card.max_points, dec("95"));
    assert_eq!(card.total, dec("75.85"));
    assert_eq!(grade(&card), "中");
    assert!(card.complete);
    card_snapshot!("gov_it_post_na", card);
}

#[test]
fn gov_it_post_missing_inputs() {
    let card = card(GOV, "missing");
    // The average project without 业务办理量, 群众满意度 and 功能使用数: B1.1, B1.3 and B3.1
    // are unscored (never zero), the card is incomplete and has no grade.
    // Scored: 73.56 − 3.2 (B1.1) − 4.1 (B1.3) − 5.76 (B3.1) = 60.5
    for (id, input) in [
        ("B1.1", "functions_used"),
        ("B1.3", "transactions"),
        ("B3.1", "satisfaction_rate"),
    ] {
        let ind = card.indicator(id).unwrap();
        assert_eq!(ind.status, Status::Unscored, "{id}");
        assert_eq!(ind.score, None, "{id}");
        assert!(
            ind.missing.iter().any(|m| &**m == input),
            "{id}: {:?}",
            ind.missing
        );
    }
    assert_eq!(card.indicator("B1").unwrap().status, Status::Partial);
    assert!(!card.complete);
    assert!(card.grade.is_none());
    assert_eq!(card.total, dec("60.5"));
    card_snapshot!("gov_it_post_missing", card);
}

/// Language changes words, never scores; English labels and criteria are present.
#[test]
fn gov_it_post_in_english() {
    let engine = engine(GOV);
    let sub = submission(GOV, "average");
    let en = engine.evaluate_with(
        &sub,
        EvalOptions {
            trace: true,
            lang: Lang::En,
        },
    );
    assert_eq!(en.total, dec("73.56"));
    assert_eq!(en.grade.as_ref().unwrap().label_en.as_deref(), Some("Fair"));
    let o11 = en.indicator("O1.1").unwrap();
    assert!(
        o11.explanation
            .as_deref()
            .unwrap()
            .contains("Functions delivered"),
        "{:?}",
        o11.explanation
    );
}

// ---------------------------------------------------------------- mof-2020-post

const MOF: &str = "mof-2020-post";

/// The published-style figure: a project with budget 100,500 (万元), funds arrived 100,500
/// and spent 98,694.55 has 资金到位率 100.00 % and 预算执行率 98,694.55 / 100,500 = 98.2035…%
/// → 98.20 %, kept as printed; with 预算执行率 worth 5 points it scores 5 × 98.20 % = 4.91 (what
/// a reader recomputes from the printed rate), and 资金到位率 (4 points) full marks. The strong
/// example is that project.
#[test]
fn mof_2020_post_published_figure() {
    let card = card(MOF, "strong");
    assert_eq!(kpi(&card, "arrival_rate"), "100.00%");
    assert_eq!(kpi(&card, "execution_rate"), "98.20%");
    let v = card
        .kpis
        .iter()
        .find(|k| &*k.id == "execution_rate")
        .unwrap()
        .value
        .unwrap();
    assert_eq!(v, 0.982, "a KPI is kept to 4 decimals, as printed");
    assert_eq!(score(&card, "P1.1").as_deref(), Some("4"));
    assert_eq!(score(&card, "P1.2").as_deref(), Some("4.91"));
    // The same figures typed as people type them ("100,500", "98,694.55") in gov-it-post,
    // where 预算执行率 is worth 3 points: 3 × 98.20 % = 2.946 → 2.95.
    let mut sub = submission(GOV, "strong");
    for (k, v) in [
        ("budget_approved", "100,500"),
        ("funds_arrived", "100,500"),
        ("funds_spent", "98,694.55"),
    ] {
        sub.values
            .insert(k.into(), serde_json::Value::String(v.into()));
    }
    let gov = engine(GOV).evaluate(&sub);
    assert_eq!(kpi(&gov, "arrival_rate"), "100.00%");
    assert_eq!(kpi(&gov, "execution_rate"), "98.20%");
    assert_eq!(score(&gov, "P1.2").as_deref(), Some("2.95"));
}

/// 产出 + 效益 ≥ 60 is declared and enforced: moving 10 points from 产出 to 决策 (55 left)
/// makes the rulebook fail its check with `constraint_violated`.
#[test]
fn mof_2020_post_constraint_is_enforced() {
    let rb = Rulebook::from_path(pack_dir(MOF).join("rulebook.toml")).unwrap();
    let c = &rb.spec().constraints;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].indicators, ["output", "benefit"]);
    assert_eq!(c[0].min_points, Some(60.0));
    let mut spec = rb.spec().clone();
    for ind in &mut spec.indicators {
        match ind.id.as_str() {
            "decision" => ind.points = Some(25.0),
            "D1" => ind.points = Some(15.0),
            "D1.1" => ind.points = Some(13.0),
            "output" => ind.points = Some(25.0),
            "O1" => ind.points = Some(0.5),
            "O1.1" => ind.points = Some(0.5),
            "O2" | "O2.1" => ind.points = Some(9.5),
            _ => {}
        }
    }
    let err = Engine::new(Rulebook::from_spec(spec)).err().unwrap();
    let problems = err.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.code == ProblemCode::ConstraintViolated && p.message.contains("55")),
        "{problems:?}"
    );
}

#[test]
fn mof_2020_post_strong() {
    let card = card(MOF, "strong");
    // 决策 3 + 2 + 3 + 1.6 (良) + 3 + 2 = 14.6
    // 过程 4 + 4.91 + 3 + 4 + 4 = 19.91
    // 产出 10 + 10 × 118/120 = 9.83 + 8 (early) + 7 (1.8 % saved) = 34.83
    // 效益 5 + 5 + 4 (生态 良) + 5 + 10 (93 % ≥ 90 %) = 29
    // 14.6 + 19.91 + 34.83 + 29 = 98.34 → 优
    expect_scores(
        &card,
        &[
            ("decision", "14.6"),
            ("process", "19.91"),
            ("O2.1", "9.83"),
            ("output", "34.83"),
            ("benefit", "29"),
        ],
    );
    assert_eq!(card.total, dec("98.34"));
    assert_eq!(grade(&card), "优");
    card_snapshot!("mof_2020_post_strong", card);
}

#[test]
fn mof_2020_post_average() {
    let card = card(MOF, "average");
    // 决策 2.4 + 1.6 + 1.8 + 1.2 + 2.4 + 1.6 = 11
    // 过程 4 × 95 % = 3.8; 5 × 90 % = 4.5; 3 − 1 = 2; 良 3.2; 中 2.4 = 15.9
    // 产出 10 × 46/50 = 9.2; 10 × 43/46 = 9.348 → 9.35; 工期 274/320 天 = 85.625 % × 8 = 6.85;
    //   超支 3 %: 7 × (−0.03 + 0.10) / 0.10 = 4.9 = 30.3
    // 效益: 生态效益 N/A (redistribute): B1's 20 over B1.1/B1.2/B1.4 (5:5:5) = 6.67/6.67/6.66;
    //   良 6.67 × 0.8 = 5.336 → 5.34; 良 5.34; 中 6.66 × 0.6 = 3.996 → 4;
    //   满意度 252/300 = 84 %: 10 × 84/90 = 9.333 → 9.33 = 24.01
    // 11 + 15.9 + 30.3 + 24.01 = 81.21 → 良
    expect_scores(
        &card,
        &[
            ("decision", "11"),
            ("process", "15.9"),
            ("O3.1", "6.85"),
            ("O4.1", "4.9"),
            ("output", "30.3"),
            ("B1.1", "5.34"),
            ("B1.4", "4"),
            ("benefit", "24.01"),
        ],
    );
    assert_eq!(
        card.indicator("B1.4").unwrap().points.to_string(),
        "6.66",
        "redistributed points"
    );
    assert_eq!(card.total, dec("81.21"));
    assert_eq!(card.max_points, dec("100"));
    assert_eq!(grade(&card), "良");
    card_snapshot!("mof_2020_post_average", card);
}

#[test]
fn mof_2020_post_weak() {
    let card = card(MOF, "weak");
    // 决策 1.8 + 0 + 0 + 0 + 1.8 + 1.2 = 4.8
    // 过程 4 × 70 % = 2.8; 5 × 60 % = 3; 4 issues → 0; 中 2.4; 差 0 = 8.2
    // 产出 6 + 7.5 + 8 × 364/545 = 5.343 → 5.34 + 0 (超支 12 %) = 18.84
    // 效益: 经济、生态 N/A, B1's 20 → B1.2 10 and B1.4 10: 中 6 + 差 0; 满意度 60 %:
    //   10 × 60/90 = 6.667 → 6.67 = 12.67
    // 4.8 + 8.2 + 18.84 + 12.67 = 44.51 → 差
    expect_scores(
        &card,
        &[
            ("decision", "4.8"),
            ("process", "8.2"),
            ("O3.1", "5.34"),
            ("output", "18.84"),
            ("B1.2", "6"),
            ("benefit", "12.67"),
        ],
    );
    assert_eq!(card.total, dec("44.51"));
    assert_eq!(grade(&card), "差");
    card_snapshot!("mof_2020_post_weak", card);
}

// ---------------------------------------------------------------- ex-ante

const EX_ANTE: &str = "ex-ante";

#[test]
fn ex_ante_strong() {
    let card = card(EX_ANTE, "strong");
    // 5 experts, trimmed mean. 立项必要性 6 + 6 + 4 + 3.2 = 19.2; 投入经济性 6.4 + 6 + 4.8 = 17.2;
    // 绩效目标合理性 7 + 7 × (良 + 良 + 优)/3 = 7 × 0.8667 = 6.067 → 6.07 + 6 = 19.07;
    // 实施方案可行性 7 + 7 + 4.8 = 18.8; 筹资合规性 8 + 4.8 + 6 = 18.8
    // 19.2 + 17.2 + 19.07 + 18.8 + 18.8 = 93.07 → 予以支持
    expect_scores(
        &card,
        &[
            ("necessity", "19.2"),
            ("economy", "17.2"),
            ("G2", "6.07"),
            ("targets", "19.07"),
            ("feasibility", "18.8"),
            ("financing", "18.8"),
        ],
    );
    assert_eq!(card.total, dec("93.07"));
    assert_eq!(grade(&card), "予以支持");
    assert_eq!(kpi(&card, "cut_suggested"), "4.69%");
    card_snapshot!("ex_ante_strong", card);
}

#[test]
fn ex_ante_average() {
    let card = card(EX_ANTE, "average");
    // 立项必要性 4.8 + 3.6 + 3.2 + 2.4 = 14; 投入经济性 4.8 + 3.6 + 0 = 8.4;
    // 绩效目标合理性 5.6 + 4.2 + 3.6 = 13.4; 实施方案可行性 5.6 + 5.6 + 3.6 = 14.8;
    // 筹资合规性 8 + 4.8 + 3.6 = 16.4; 14 + 8.4 + 13.4 + 14.8 + 16.4 = 67 → 调整完善后予以支持
    expect_scores(
        &card,
        &[
            ("necessity", "14"),
            ("economy", "8.4"),
            ("targets", "13.4"),
            ("feasibility", "14.8"),
            ("financing", "16.4"),
        ],
    );
    assert_eq!(card.total, dec("67"));
    assert_eq!(grade(&card), "调整完善后予以支持");
    let e2 = card.indicator("E2").unwrap();
    assert!(
        e2.findings
            .iter()
            .any(|f| f.message == "评估建议核减预算 1100 万元，核减率 22%"),
        "{:?}",
        e2.findings
    );
    card_snapshot!("ex_ante_average", card);
}

#[test]
fn ex_ante_weak() {
    let card = card(EX_ANTE, "weak");
    // 9.6 + 3.6 + 4.2 + 8.4 + 8.4 = 34.2 → 不予支持 (需求迫切性 差/中/优 → 中, flagged for review)
    assert_eq!(card.total, dec("34.2"));
    assert_eq!(grade(&card), "不予支持");
    let n2 = card.indicator("N2").unwrap();
    assert!(n2.findings.iter().any(|f| f.message.contains("建议复核")));
    card_snapshot!("ex_ante_weak", card);
}

/// The custom bands at their edges: every sub-item 良 → exactly 80 → 予以支持; every sub-item
/// 中 → exactly 60 → 调整完善后予以支持; one 中 sub-item of 4 points lowered to 差 → 57.6 → 不予支持.
#[test]
fn ex_ante_bands_at_their_edges() {
    let engine = engine(EX_ANTE);
    let spec = engine.rulebook().spec();
    let with = |g: &str, low: Option<&str>| {
        let mut sub = submission(EX_ANTE, "average");
        for i in &spec.inputs {
            if i.kind == jixiao::model::InputType::Grade {
                sub.values
                    .insert(i.id.clone(), serde_json::json!([g, g, g]));
            }
        }
        if let Some(id) = low {
            sub.values.insert(id.into(), serde_json::json!("差"));
        }
        engine.evaluate(&sub)
    };
    let c = with("良", None);
    assert_eq!((c.total, grade(&c)), (dec("80"), "予以支持"));
    let c = with("中", None);
    assert_eq!((c.total, grade(&c)), (dec("60"), "调整完善后予以支持"));
    let c = with("中", Some("remit_fit"));
    assert_eq!((c.total, grade(&c)), (dec("57.6"), "不予支持"));
}

// ---------------------------------------------------------------- monitoring

const MONITORING: &str = "monitoring";

/// The lights of a monitoring card, leaf by leaf, and a check that every leaf has one and
/// that every yellow or red leaf carries its deviation and a reason (or the lack of one).
fn lights(card: &Scorecard) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for leaf in card.indicators.iter().filter(|i| i.leaf) {
        let flag = leaf
            .flag
            .clone()
            .unwrap_or_else(|| panic!("{}: no flag", leaf.id));
        assert!(
            ["绿", "黄", "红"].contains(&flag.as_str()),
            "{}: {flag}",
            leaf.id
        );
        let text: Vec<&str> = leaf.findings.iter().map(|f| f.message.as_str()).collect();
        if flag == "绿" {
            assert!(text.is_empty(), "{}: {text:?}", leaf.id);
        } else {
            assert!(
                text.iter().any(|m| m.contains("偏差")),
                "{}: {text:?}",
                leaf.id
            );
            assert!(
                text.iter()
                    .any(|m| m.starts_with("偏差原因：") || m.starts_with("未说明偏差原因")),
                "{}: {text:?}",
                leaf.id
            );
        }
        out.push((leaf.id.to_string(), flag));
    }
    out
}

fn light_string(card: &Scorecard) -> String {
    lights(card)
        .into_iter()
        .map(|(id, f)| format!("{id}{f}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn monitoring_strong() {
    let card = card(MONITORING, "strong");
    // 1–6 月: 序时进度 6/12 = 50 %, 执行 480/1000 = 48 %, gap 2 points → 绿; every target on
    // track → all green, 100 → 绿.
    assert_eq!(kpi(&card, "time_progress"), "50.00%");
    assert_eq!(kpi(&card, "budget_gap"), "2.00%");
    assert_eq!(
        light_string(&card),
        "M1.1绿 M1.2绿 M2.1绿 M2.2绿 M2.3绿 M2.4绿 M3.1绿 M3.2绿"
    );
    assert_eq!(card.total, dec("100"));
    assert_eq!(grade(&card), "绿");
    card_snapshot!("monitoring_strong", card);
}

#[test]
fn monitoring_average() {
    let card = card(MONITORING, "average");
    // 1–9 月: 序时 75 %, 执行 1150/2000 = 57.5 %, gap 17.5 → 黄 30 × 60 % = 18;
    // 预计执行 1840/2000 = 92 % → 黄 6; 数量 110/120 = 91.67 % → 黄 9; 质量 95 − 93 = 2 → 黄 6;
    // 时效 2024-12-15 → 2025-01-10 = 26 天 → 黄 6; 成本 −0.56 % → 绿 5; 效益 103 % → 绿 10;
    // 满意度 91 ≥ 90 → 绿 10. 18 + 6 + 9 + 6 + 6 + 5 + 10 + 10 = 70 → 黄 (band edge).
    assert_eq!(
        light_string(&card),
        "M1.1黄 M1.2黄 M2.1黄 M2.2黄 M2.3黄 M2.4绿 M3.1绿 M3.2绿"
    );
    expect_scores(
        &card,
        &[("budget", "24"), ("output", "26"), ("effect", "20")],
    );
    assert_eq!(card.total, dec("70"));
    assert_eq!(grade(&card), "黄");
    let m11: Vec<&str> = card
        .indicator("M1.1")
        .unwrap()
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        m11.contains(&"预算执行进度 57.5%，序时进度 75%，偏差 17.5 个百分点"),
        "{m11:?}"
    );
    assert!(m11.contains(&"偏差原因：制度保障"), "{m11:?}");
    // The unit gave no reason for the quantity deviation: said so.
    let m21 = &card.indicator("M2.1").unwrap().findings;
    assert!(m21.iter().any(|f| f.message.starts_with("未说明偏差原因")));
    card_snapshot!("monitoring_average", card);
}

#[test]
fn monitoring_weak() {
    let card = card(MONITORING, "weak");
    // 1–10 月: 序时 83.33 %, 执行 420/1500 = 28 %, gap 55.3 → 红 0; 预计执行 60 % → 红 0;
    // 数量 30/50 = 60 % → 红 0; 质量 100 − 88 = 12 → 红 0; 延期 151 天 → 红 0;
    // 成本 1450/1400 − 1 = 3.57 % → 黄 3; 效益 92 % → 黄 6; 满意度 85 − 78 = 7 → 红 0.
    // 0 + 0 + 0 + 0 + 0 + 3 + 6 + 0 = 9 → 红.
    assert_eq!(
        light_string(&card),
        "M1.1红 M1.2红 M2.1红 M2.2红 M2.3红 M2.4黄 M3.1黄 M3.2红"
    );
    assert_eq!(card.total, dec("9"));
    assert_eq!(grade(&card), "红");
    assert_eq!(kpi(&card, "milestone_delay"), "151天");
    card_snapshot!("monitoring_weak", card);
}

// ---------------------------------------------------------------- self-eval

const SELF_EVAL: &str = "self-eval";

#[test]
fn self_eval_strong() {
    let card = card(SELF_EVAL, "strong");
    // 预算执行率 488/500 = 97.6 % → 9.76; 产出 5 rows all met → 50; 效益 10 + 10 (85 % in
    // 80–100 %) + 定性 达成 at 95 % of 10 = 9.5 → 29.5; 满意度 95.6 ≥ 90 → 10.
    // 9.76 + 50 + 29.5 + 10 = 99.26 → 优
    expect_scores(
        &card,
        &[
            ("execution", "9.76"),
            ("output", "50"),
            ("benefit", "29.5"),
            ("satisfaction", "10"),
        ],
    );
    assert_eq!(card.total, dec("99.26"));
    assert_eq!(grade(&card), "优");
    card_snapshot!("self_eval_strong", card);
}

#[test]
fn self_eval_average() {
    let card = card(SELF_EVAL, "average");
    // 预算执行率 696/800 = 87 % → 8.7.
    // 产出: 15 × 18/20 = 13.5; 10 × 2760/3000 = 9.2; 10 × 96/98 = 9.796; (≤) 10 × 10/12 = 8.333;
    //   (≤) 5 × 2.5/2.6 = 4.808; sum 45.637 → 45.64.
    // 效益: 部分达成 at 70 % → 7; 10 × 300/400 = 7.5; 达成 (no rate → 100 %) 10 → 24.5.
    // 满意度: 10 × 84/90 = 9.333 → 9.33.  8.7 + 45.64 + 24.5 + 9.33 = 88.17 → 良
    expect_scores(
        &card,
        &[
            ("execution", "8.7"),
            ("output", "45.64"),
            ("benefit", "24.5"),
            ("satisfaction", "9.33"),
        ],
    );
    assert_eq!(card.total, dec("88.17"));
    assert_eq!(grade(&card), "良");
    // A shortfall's reason travels into its finding.
    let output = card.indicator("output").unwrap();
    assert!(
        output.findings.iter().any(|f| f.message
            == "完工时限：目标 ≤ 10个月，实际 12个月，扣 1.67 分（偏差原因：雨季停工）")
    );
    card_snapshot!("self_eval_average", card);
}

#[test]
fn self_eval_weak() {
    let card = card(SELF_EVAL, "weak");
    // 预算执行率 52 % → 5.2.
    // 产出: the unit's weights add up to 40, not 50: 15 × 0.6 = 9; 10 × 0.45 = 4.5; (=) 10 × 80/100
    //   = 8; (≤) 5 × 12/20 = 3; 24.5 of 40 → 24.5 × 50 / 40 = 30.625 → 30.63.
    // 效益: 10 × 1500/5000 = 3; (≤) 10 × 8/15 = 5.333; 未达成 at 30 % → 3; 11.333 → 11.33.
    // 满意度: 10 × 62/85 = 7.294 → 7.29.  5.2 + 30.63 + 11.33 + 7.29 = 54.45 → 差
    expect_scores(
        &card,
        &[
            ("execution", "5.2"),
            ("output", "30.63"),
            ("benefit", "11.33"),
            ("satisfaction", "7.29"),
        ],
    );
    assert_eq!(card.total, dec("54.45"));
    assert_eq!(grade(&card), "差");
    card_snapshot!("self_eval_weak", card);
}

/// Rows are data: adding a row to the unit's table changes the score without touching the
/// rulebook; a bad row is a problem on the `targets` input naming the row and column, and
/// leaves unscored (never zero) only the indicator its row counts in: the others score.
#[test]
fn self_eval_rows_are_data() {
    let engine = engine(SELF_EVAL);
    let mut sub = submission(SELF_EVAL, "strong");
    let rows = sub
        .values
        .get_mut("targets")
        .unwrap()
        .as_array_mut()
        .unwrap();
    rows.push(serde_json::json!({
        "category": "满意度指标", "name": "工作人员满意度", "op": "≥",
        "target": 90, "actual": 72, "unit": "%", "weight": 10
    }));
    // 满意度 now two rows of 10: (10 + 10 × 72/90 = 8) = 18 of 20 → 10 × 18/20 = 9.
    let card = engine.evaluate(&sub);
    assert_eq!(score(&card, "satisfaction").as_deref(), Some("9"));
    assert_eq!(card.total, dec("98.26"));

    let mut bad = submission(SELF_EVAL, "strong");
    let rows = bad
        .values
        .get_mut("targets")
        .unwrap()
        .as_array_mut()
        .unwrap();
    rows[2]["op"] = serde_json::json!("约等于");
    rows[4].as_object_mut().unwrap().remove("weight");
    let card = engine.evaluate(&bad);
    assert!(!card.complete);
    let p = &card.problems[0];
    assert_eq!(p.input.as_deref(), Some("targets"));
    assert_eq!(p.field.as_deref(), Some("values.targets[2].op"));
    assert!(
        p.message.contains("第 3 行") && p.message.contains("第 5 行缺少“分值”"),
        "{}",
        p.message
    );
    // Rows 3 and 5 are 产出指标 rows: 产出 waits for them; 效益 and 满意度 score as before.
    let output = card.indicator("output").unwrap();
    assert_eq!(output.status, Status::Unscored);
    assert_eq!(output.missing, ["targets"]);
    let strong = engine.evaluate(&submission(SELF_EVAL, "strong"));
    for id in ["benefit", "satisfaction", "execution"] {
        assert_eq!(card.indicator(id).unwrap().status, Status::Scored, "{id}");
        assert_eq!(score(&card, id), score(&strong, id), "{id}");
    }

    // A bad cell in the one 满意度 row: only 满意度 waits.
    let mut one = submission(SELF_EVAL, "strong");
    one.values.get_mut("targets").unwrap()[8]["actual"] = serde_json::json!("九十五");
    let card = engine.evaluate(&one);
    let unscored: Vec<&str> = card
        .indicators
        .iter()
        .filter(|i| i.leaf && i.status == Status::Unscored)
        .map(|i| &*i.id)
        .collect();
    assert_eq!(unscored, ["satisfaction"]);
    assert_eq!(card.problems.len(), 1);
    assert_eq!(
        card.problems[0].field.as_deref(),
        Some("values.targets[8].actual")
    );

    // A row whose category cannot be read may belong to any: every table indicator waits.
    let mut lost = submission(SELF_EVAL, "strong");
    lost.values.get_mut("targets").unwrap()[6]["category"] = serde_json::json!("其他指标");
    let card = engine.evaluate(&lost);
    for id in ["output", "benefit", "satisfaction"] {
        assert_eq!(card.indicator(id).unwrap().status, Status::Unscored, "{id}");
    }
}
