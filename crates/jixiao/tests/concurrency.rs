//! One compiled engine shared by many threads gives exactly the sequential results: 8 scoped
//! threads, each evaluating a few hundred submissions derived from the demo ones, in
//! different orders and with different options, two engines interleaved on the same
//! threads; `evaluate_batch` (rayon) equals sequential too.
#![allow(clippy::unwrap_used)]

use jixiao::{Engine, EvalOptions, Lang, Rulebook, Submission};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

// Compile-time: engines are shared and cloned across threads; results and errors cross
// threads too.
const _: () = {
    const fn shareable<T: Send + Sync + Clone + 'static>() {}
    const fn sendable<T: Send + 'static>() {}
    shareable::<Engine>();
    sendable::<jixiao::Scorecard>();
    sendable::<jixiao::Error>();
    sendable::<Submission>();
};

const THREADS: usize = 8;

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/demo")
}

fn demo_engine() -> Engine {
    Engine::new(Rulebook::from_path(demo_dir().join("rulebook.toml")).unwrap()).unwrap()
}

/// The demo under na_policy = redistribute with P2.1 and O2.2 N/A-able: a second engine
/// whose scripts, points and thread-local state differ from the first.
fn redistribute_engine() -> Engine {
    let mut spec = Rulebook::from_path(demo_dir().join("rulebook.toml"))
        .unwrap()
        .spec()
        .clone();
    spec.na_policy = jixiao::model::NaPolicy::Redistribute;
    for ind in &mut spec.indicators {
        if ind.id == "O2.2" {
            ind.allow_na = true;
        }
    }
    Engine::new(Rulebook::from_spec(spec)).unwrap()
}

/// ~300 submissions: each demo submission varied in scores, grades, dates, choices, N/A
/// marks, missing and invalid values.
fn submissions() -> Vec<Submission> {
    let mut out = Vec::new();
    for name in ["strong", "average", "weak"] {
        let text =
            std::fs::read_to_string(demo_dir().join(format!("submissions/{name}.json"))).unwrap();
        let base: Value = serde_json::from_str(&text).unwrap();
        for k in 0..100u32 {
            let mut v = base.clone();
            let values = &mut v["values"];
            values["satisfaction_rate"] = json!(40 + (k * 7) % 61);
            values["active_users"] = json!(k * 431 % 60_000);
            values["funds_spent"] = json!(format!("{},{:03}.5", 1 + k % 2, (k * 37) % 1000));
            values["availability"] = json!(98.5 + f64::from(k % 16) / 10.0);
            values["duplicate_rate"] = json!(f64::from(k % 30));
            values["compliance_issues"] = json!(k % 7);
            let grades = ["优", "良", "中", "差"];
            values["approval_basis"] = json!(
                (0..1 + k % 5)
                    .map(|i| grades[((k + i * 3) % 4) as usize])
                    .collect::<Vec<_>>()
            );
            values["actual_go_live"] = json!(format!("2024-{:02}-{:02}", 1 + k % 12, 1 + k % 28));
            values["security_level"] =
                json!(["符合", "基本符合", "不符合", "未测评"][(k % 4) as usize]);
            match k % 10 {
                3 => {
                    values.as_object_mut().unwrap().remove("funds_arrived");
                }
                5 => values["budget_requested"] = json!("一千万"),
                7 => values["budget_requested"] = json!(0),
                _ => {}
            }
            v["not_applicable"] = match k % 4 {
                0 => json!(["P2.1"]),
                1 => json!(["O2.2"]),
                2 => json!(["P2.1", "O2.2"]),
                _ => json!([]),
            };
            out.push(serde_json::from_value(v).unwrap());
        }
    }
    out
}

/// Options vary with the index so that threads switch language and trace all the time.
fn options(i: usize) -> EvalOptions {
    EvalOptions {
        trace: !i.is_multiple_of(3),
        lang: if i.is_multiple_of(2) {
            Lang::Zh
        } else {
            Lang::En
        },
    }
}

fn sequential(engine: &Engine, subs: &[Submission]) -> Vec<String> {
    subs.iter()
        .enumerate()
        .map(|(i, s)| engine.evaluate_with(s, options(i)).to_json())
        .collect()
}

#[test]
fn eight_threads_sharing_one_engine_match_sequential() {
    let engine = demo_engine();
    let subs = submissions();
    let expected = sequential(&engine, &subs);
    // Some of everything: complete, incomplete, errors, N/A.
    let cards: Vec<Value> = expected
        .iter()
        .map(|j| serde_json::from_str(j).unwrap())
        .collect();
    assert!(cards.iter().any(|c| c["complete"] == true));
    assert!(cards.iter().any(|c| c["complete"] == false));
    assert!(cards.iter().any(|c| {
        c["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["status"] == "error")
    }));

    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                // Half the threads borrow the engine, half own a clone.
                let owned = (t % 2 == 1).then(|| engine.clone());
                let (engine, subs) = (&engine, &subs);
                scope.spawn(move || {
                    let engine = owned.as_ref().unwrap_or(engine);
                    let n = subs.len();
                    let mut got = Vec::with_capacity(2 * n);
                    for round in 0..2 {
                        // Each thread walks the submissions from its own start and stride.
                        for j in 0..n {
                            let i = (t * 37 + j * (2 * t + 1) + round * 11) % n;
                            got.push((i, engine.evaluate_with(&subs[i], options(i)).to_json()));
                        }
                    }
                    got
                })
            })
            .collect();
        for (t, h) in handles.into_iter().enumerate() {
            let got = h.join().unwrap();
            assert_eq!(got.len(), 2 * subs.len());
            for (i, json) in got {
                assert!(json == expected[i], "thread {t}, submission {i} differs");
            }
        }
    });
}

#[test]
fn two_engines_interleaved_on_the_same_threads() {
    let (a, b) = (demo_engine(), redistribute_engine());
    let subs = submissions();
    let expected_a = sequential(&a, &subs);
    let expected_b = sequential(&b, &subs);
    // The policies really differ on these submissions.
    assert_ne!(expected_a, expected_b);
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (a, b, subs) = (&a, &b, &subs);
            let (expected_a, expected_b) = (&expected_a, &expected_b);
            scope.spawn(move || {
                for j in 0..subs.len() {
                    let i = (j * 7 + t) % subs.len();
                    // a, b, a on one thread: nothing carries over from one to the next.
                    let first = a.evaluate_with(&subs[i], options(i)).to_json();
                    let other = b.evaluate_with(&subs[i], options(i)).to_json();
                    let again = a.evaluate_with(&subs[i], options(i)).to_json();
                    assert!(
                        first == expected_a[i],
                        "thread {t}: engine a, submission {i}"
                    );
                    assert!(
                        other == expected_b[i],
                        "thread {t}: engine b, submission {i}"
                    );
                    assert!(again == first, "thread {t}: engine a again, submission {i}");
                }
            });
        }
    });
}

#[test]
fn evaluate_batch_matches_sequential() {
    let engine = demo_engine();
    let subs = submissions();
    for opts in [
        EvalOptions::default(),
        EvalOptions {
            trace: false,
            lang: Lang::En,
        },
    ] {
        let expected: Vec<String> = subs
            .iter()
            .map(|s| engine.evaluate_with(s, opts).to_json())
            .collect();
        let batch: Vec<String> = engine
            .evaluate_batch(&subs, opts)
            .iter()
            .map(|c| c.to_json())
            .collect();
        assert_eq!(batch.len(), expected.len());
        for (i, (b, e)) in batch.iter().zip(&expected).enumerate() {
            assert!(b == e, "batch result {i} differs ({opts:?})");
        }
    }
    assert!(
        engine
            .evaluate_batch(&[], EvalOptions::default())
            .is_empty()
    );
}

#[test]
fn batches_from_several_threads_at_once() {
    // Several callers running rayon batches on the shared engine concurrently.
    let engine = demo_engine();
    let subs = submissions();
    let expected: Vec<String> = subs
        .iter()
        .map(|s| engine.evaluate_with(s, EvalOptions::default()).to_json())
        .collect();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (engine, subs, expected) = (&engine, &subs, &expected);
            scope.spawn(move || {
                let slice = &subs[t * 50..];
                let got = engine.evaluate_batch(slice, EvalOptions::default());
                for (k, card) in got.iter().enumerate() {
                    assert!(
                        card.to_json() == expected[t * 50 + k],
                        "caller {t}, item {k}"
                    );
                }
            });
        }
    });
}

#[test]
fn engines_compiled_on_many_threads_agree() {
    let text = std::fs::read_to_string(demo_dir().join("rulebook.toml")).unwrap();
    let inlined = text.replace(
        r#"script_file = "scripts/compliance.rhai""#,
        &format!(
            "script = '''\n{}'''",
            std::fs::read_to_string(demo_dir().join("scripts/compliance.rhai")).unwrap()
        ),
    );
    let sub = &submissions()[101];
    let reference = Engine::from_str(&inlined).unwrap();
    let expected = reference.evaluate(sub).to_json();
    let results: Vec<(String, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let inlined = &inlined;
                scope.spawn(move || {
                    let engine = Engine::from_str(inlined).unwrap();
                    (
                        engine.reference().hash.to_string(),
                        engine.evaluate(sub).to_json(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (hash, json) in results {
        assert_eq!(hash, reference.reference().hash);
        assert!(json == expected);
    }
}

#[test]
fn engine_moves_into_a_spawned_thread() {
    let engine = demo_engine();
    let subs = submissions();
    let expected = sequential(&engine, &subs[..20]);
    let moved = engine.clone();
    let got = std::thread::spawn(move || sequential(&moved, &subs[..20]))
        .join()
        .unwrap();
    assert_eq!(got, expected);
    // The clone shares the compiled rulebook.
    assert_eq!(engine.reference(), demo_engine().reference());
}

/// One scorecard reused through `evaluate_into` — across two engines of the same shape and
/// a third of another (gov-it-post: more indicators), language and trace switching — is
/// each time exactly the fresh `evaluate_with` scorecard: nothing of the previous project
/// (findings, errors, missing lists, notes, trace) survives the reuse.
#[test]
fn a_reused_scorecard_equals_a_fresh_one() {
    let (a, b) = (demo_engine(), redistribute_engine());
    let gov_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/gov-it-post");
    let gov = Engine::new(Rulebook::from_path(gov_dir.join("rulebook.toml")).unwrap()).unwrap();
    let gov_subs: Vec<Submission> = [
        "average.json",
        "strong.json",
        "weak.json",
        "missing.json",
        "na.json",
    ]
    .iter()
    .filter_map(|f| std::fs::read_to_string(gov_dir.join("examples").join(f)).ok())
    .map(|t| Submission::from_json_str(&t).unwrap())
    .collect();
    assert!(!gov_subs.is_empty());
    let mut subs = submissions();
    // Notes and project details, which a reused result must drop again when absent.
    let mut noted: Value = serde_json::to_value(&subs[0]).unwrap();
    noted["notes"] = json!({"D1.1": "材料齐全", "O2.2": "未验收"});
    noted["project"] = json!({"id": "P-001", "name": "政务云扩容"});
    subs.insert(1, serde_json::from_value(noted).unwrap());
    let noted_card = a.evaluate_with(&subs[1], options(1));
    assert_eq!(
        noted_card.indicator("D1.1").unwrap().note.as_deref(),
        Some("材料齐全")
    );

    let mut card = a.evaluate_with(&subs[0], options(0));
    let mut checked = 0;
    for (i, sub) in subs.iter().enumerate().take(120) {
        let engines: [&Engine; 2] = if i % 2 == 0 { [&a, &b] } else { [&b, &a] };
        for engine in engines {
            engine.evaluate_into(sub, options(i), &mut card);
            assert_eq!(
                card,
                engine.evaluate_with(sub, options(i)),
                "submission {i}"
            );
            checked += 1;
        }
        if i % 10 == 0 {
            let g = &gov_subs[i / 10 % gov_subs.len()];
            gov.evaluate_into(g, options(i), &mut card);
            assert_eq!(
                card,
                gov.evaluate_with(g, options(i)),
                "gov-it-post after {i}"
            );
            checked += 1;
        }
    }
    assert!(checked > 240);
    // The reuse went through errors, findings, notes and N/A, not only clean cards.
    let statuses: Vec<String> = subs
        .iter()
        .take(120)
        .flat_map(|s| a.evaluate_with(s, options(0)).indicators)
        .map(|i| format!("{:?}", i.status))
        .collect();
    for status in ["Error", "Unscored", "NotApplicable", "Scored"] {
        assert!(statuses.iter().any(|s| s == status), "{status}");
    }
}
