//! Hostile scripts. Each must end in a named error (`limit_exceeded`, or `script_error` /
//! `script_syntax` with a clear message) on its own indicator only, quickly; the indicators
//! before and after it are scored as usual and see the inputs unchanged.
//!
//! Every case is timed; the bound (2 s) is a hang guard, not a benchmark. Run with
//! `cargo test -p jixiao --test sandbox -- --nocapture` to see the measured milliseconds.
//!
//! Cases that could take the whole process down (a stack overflow aborts) or that inspect
//! the process's stdout run in a child process: this test binary re-executes itself with
//! one `child_*` test selected and `JIXIAO_SANDBOX_CHILD` set.
#![allow(clippy::unwrap_used)]

use jixiao::{Engine, EvalOptions, Lang, Problem, ProblemCode, Scorecard, Status, Submission};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const HANG_GUARD: Duration = Duration::from_secs(2);

/// B (25 points) before the hostile leaf H (50), R (25) after it. R checks that the inputs
/// are what the submission says. The hostile script starts on line 33.
fn rulebook(script: &str) -> String {
    format!(
        r#"id = "sandbox"
version = "1"
title = "沙箱"
stage = "post"

[[inputs]]
id = "x"
label = "数值"
type = "number"

[[inputs]]
id = "t"
label = "文字"
type = "text"

[[indicators]]
id = "A"
label = "维度"

[[indicators]]
id = "B"
parent = "A"
label = "之前"
points = 25
script = 'proportional("x", 10.0)'

[[indicators]]
id = "H"
parent = "A"
label = "恶意脚本"
points = 50
script = '''
{script}
'''

[[indicators]]
id = "R"
parent = "A"
label = "之后"
points = 25
script = '''
if t == "原文" && x == 8.0 {{ full() }} else {{ zero(`输入被修改：${{t}} ${{x}}`) }}
'''
"#
    )
}

const SCRIPT_LINE: u32 = 33;

fn submission() -> Submission {
    Submission::from_json_str(r#"{"values": {"x": 8, "t": "原文"}}"#).unwrap()
}

/// Compile and evaluate, timing both; prints the milliseconds.
fn run(label: &str, script: &str) -> (Scorecard, Duration) {
    let text = rulebook(script);
    let start = Instant::now();
    let engine = Engine::from_str(&text).unwrap_or_else(|e| panic!("{label}: {e}"));
    let card = engine.evaluate(&submission());
    let took = start.elapsed();
    eprintln!("{label:32} {:>9.3} ms", took.as_secs_f64() * 1e3);
    assert!(took < HANG_GUARD, "{label}: took {took:?}");
    (card, took)
}

/// The hostile leaf failed with `code`; B and R were scored as if nothing happened.
fn assert_contained(label: &str, card: &Scorecard, code: ProblemCode) -> Problem {
    let h = card.indicator("H").unwrap();
    assert_eq!(h.status, Status::Error, "{label}");
    assert_eq!(h.score, None, "{label}");
    let p = *h.error.clone().unwrap();
    assert_eq!(p.code, code, "{label}: {}", p.message);
    assert_eq!(p.indicator.as_deref(), Some("H"), "{label}");
    assert_eq!(p.field.as_deref(), Some("script"), "{label}");
    let line = p.line.unwrap();
    assert!(line >= SCRIPT_LINE, "{label}: line {line}");
    assert_eq!(
        card.indicator("B").unwrap().score.map(|s| s.to_string()),
        Some("20".into()),
        "{label}"
    );
    let r = card.indicator("R").unwrap();
    assert_eq!(
        r.score.map(|s| s.to_string()),
        Some("25".into()),
        "{label}: {:?}",
        r.findings
    );
    assert_eq!(card.indicator("A").unwrap().status, Status::Partial);
    assert!(!card.complete, "{label}");
    assert!(card.grade.is_none(), "{label}");
    p
}

fn hostile(label: &str, script: &str, code: ProblemCode) -> Problem {
    let (card, _) = run(label, script);
    assert_contained(label, &card, code)
}

// ---------------------------------------------------------------- runaway execution

#[test]
fn infinite_loops() {
    for (label, script) in [
        ("loop {}", "loop {}"),
        ("while true {}", "while true {}"),
        ("while true with body", "let n = 0;\nwhile true { n += 1; }"),
        (
            "for over a huge range",
            "let n = 0; for i in 0..1_000_000_000 { n += 1; } n",
        ),
        ("do until false", "do { let a = 1; } until false;"),
    ] {
        let p = hostile(label, script, ProblemCode::LimitExceeded);
        assert!(p.message.contains("100000"), "{label}: {}", p.message);
        assert!(p.message.contains("死循环"), "{label}: {}", p.message);
        assert!(
            p.message_en.contains("operations"),
            "{label}: {}",
            p.message_en
        );
    }
}

#[test]
fn deep_recursion() {
    for (label, script) in [
        ("self recursion", "fn f(x) { f(x + 1) }\nf(0)"),
        (
            "mutual recursion",
            "fn a(n) { b(n) }\nfn b(n) { a(n) }\na(1)",
        ),
        (
            "recursion with big frames",
            "fn f(n) {\n    let a = [n, n, n];\n    let b = `${a}`;\n    f(n + 1)\n}\nf(0)",
        ),
    ] {
        let p = hostile(label, script, ProblemCode::LimitExceeded);
        assert!(p.message.contains("32"), "{label}: {}", p.message);
    }
}

#[test]
fn deep_but_finite_call_chain_is_stopped_at_the_call_limit() {
    // 60 distinct functions, each calling the next: no recursion, still too deep.
    let mut script = String::new();
    for i in 0..60 {
        script.push_str(&format!("fn f{i}(x) {{ f{}(x) }}\n", i + 1));
    }
    script.push_str("fn f60(x) { x }\nf0(1)");
    hostile("60-deep call chain", &script, ProblemCode::LimitExceeded);
}

// ---------------------------------------------------------------- callbacks and costly built-ins

/// Every built-in that calls a closure back, with `{f}` for the closure. The closure's
/// operations count against the script's budget, and its errors fail the indicator.
const CALLBACKS: &[(&str, &str)] = &[
    ("sort", "let a = [3, 1, 2]; a.sort({f}); a"),
    ("sort_by", "let a = [3, 1, 2]; a.sort_by({f}); a"),
    ("dedup", "let a = [1, 1, 2]; a.dedup({f}); a"),
    ("map", "[3, 1, 2].map({f})"),
    ("filter", "[3, 1, 2].filter({f})"),
    ("reduce", "[3, 1, 2].reduce({f})"),
    ("reduce_rev", "[3, 1, 2].reduce_rev({f})"),
    ("retain", "let a = [3, 1, 2]; a.retain({f}); a"),
    ("drain", "let a = [3, 1, 2]; a.drain({f}); a"),
    ("some", "[3, 1, 2].some({f})"),
    ("all", "[3, 1, 2].all({f})"),
    ("index_of", "[3, 1, 2].index_of({f})"),
    ("find", "[3, 1, 2].find({f})"),
    ("find_map", "[3, 1, 2].find_map({f})"),
    ("for_each", "let a = [3, 1, 2]; a.for_each({f}); a"),
    ("filter of a map", "#{a: 1, b: 2}.filter({f})"),
];

/// Each callback, made to loop forever or to throw, ends the script in a named error, with
/// full marks never given; the rest of the scorecard is scored.
#[test]
fn an_error_inside_a_callback_fails_its_indicator() {
    for (name, call) in CALLBACKS {
        let two = matches!(
            *name,
            "sort" | "sort_by" | "dedup" | "reduce" | "reduce_rev" | "filter of a map"
        );
        let params = if two { "|x, y|" } else { "|x|" };
        for (what, body, code) in [
            ("loops", "{ loop {} }", ProblemCode::LimitExceeded),
            ("throws", "{ throw \"回调出错\" }", ProblemCode::ScriptError),
        ] {
            let script = format!(
                "{};\nfull()",
                call.replace("{f}", &format!("{params} {body}"))
            );
            let label = format!("{name} callback {what}");
            let p = hostile(&label, &script, code);
            if code == ProblemCode::ScriptError {
                assert!(p.message.contains("回调出错"), "{label}: {}", p.message);
            }
        }
    }
}

#[test]
fn curried_and_nested_function_pointers_share_one_budget() {
    for (label, script) in [
        (
            "curried pointer loops",
            "fn spin(n, x, y) { loop {} }\nlet a = [3, 1, 2];\na.sort(Fn(\"spin\").curry(1));\nfull()",
        ),
        (
            "named function pointer loops",
            "fn spin(x) { loop {} }\n[1, 2].map(Fn(\"spin\"));\nfull()",
        ),
        (
            // Each inner sort used to start its own budget: minutes in all.
            "sort inside sort inside sort",
            "let a = [8, 7, 6, 5, 4, 3, 2, 1];\na.sort(|x, y| {\n  let b = [8, 7, 6, 5, 4, 3, 2, 1];\n  b.sort(|p, q| {\n    let c = [8, 7, 6, 5, 4, 3, 2, 1];\n    c.sort(|r, s| { let n = 0; while n < 20000 { n += 1 } r - s });\n    p - q\n  });\n  x - y\n});\nfull()",
        ),
        (
            "map inside map",
            "let a = [];\na.pad(100, 1);\nlet b = a;\nlet c = a;\na.map(|x| b.map(|y| c.map(|z| z + 1)));\nfull()",
        ),
    ] {
        hostile(label, script, ProblemCode::LimitExceeded);
    }
}

/// What the replacements must keep: the same results as Rhai's own built-ins.
#[test]
fn callbacks_and_walking_built_ins_keep_their_results() {
    for (label, script, expect) in [
        (
            "sort by comparer",
            "let a = [3, 1, 2]; a.sort(|x, y| x - y); `${a}`",
            "[1, 2, 3]",
        ),
        (
            "sort by bool",
            "let a = [3, 1, 2]; a.sort(|x, y| x > y); `${a}`",
            "[3, 2, 1]",
        ),
        (
            "sort is stable",
            "let a = [[2, \"a\"], [1, \"b\"], [2, \"c\"], [1, \"d\"]]; a.sort(|x, y| x[0] - y[0]); `${a}`",
            r#"[[1, "b"], [1, "d"], [2, "a"], [2, "c"]]"#,
        ),
        (
            "dedup by comparer",
            "let a = [1, 1, 2, 3, 3]; a.dedup(|x, y| x == y); `${a}`",
            "[1, 2, 3]",
        ),
        (
            "dedup",
            "let a = [1, 1, 2, 1]; a.dedup(); `${a}`",
            "[1, 2, 1]",
        ),
        (
            "array ==",
            "`${[1, [2, 3]] == [1, [2, 3]]} ${[1] == [2]} ${[1] != [2]}`",
            "true false true",
        ),
        (
            "map ==",
            "`${#{a: [1]} == #{a: [1]}} ${#{a: 1} != #{a: 1}}`",
            "true false",
        ),
        (
            "contains and in",
            "`${[1, 2].contains(2)} ${3 in [1, 2]} ${\"a\" in [\"a\"]}`",
            "true false true",
        ),
        (
            "index_of",
            "`${[5, 6, 5].index_of(5)} ${[5, 6, 5].index_of(5, 1)} ${[5].index_of(|x| x == 5)}`",
            "0 2 0",
        ),
        (
            "to_string",
            "let a = [1, \"x\", #{k: 2}]; `${a} ${a.to_debug()}`",
            r#"[1, "x", #{"k": 2}] [1, "x", #{"k": 2}]"#,
        ),
    ] {
        let script = format!("zero({{ {script} }})");
        let (card, _) = run(label, &script);
        let h = card.indicator("H").unwrap();
        assert_eq!(h.status, Status::Scored, "{label}: {:?}", h.error);
        let finding = &h.findings[0].message;
        assert!(finding.starts_with(expect), "{label}: {finding}");
    }
}

/// Built-ins that walk their input are charged per element: a loop of them stops at the
/// budget within milliseconds instead of running a second or more.
#[test]
fn built_ins_that_walk_their_input_are_charged_per_element() {
    const FILL: &str = "let a = [];\nfor i in 0..999 { a.push(i) }\n";
    const MAP: &str = "let m = #{};\nfor i in 0..900 { m[`k${i}`] = i }\nlet q = m;\n";
    for (label, script) in [
        (
            "deep ==",
            format!("{FILL}let b = a;\nloop {{ if a == b {{}} }}"),
        ),
        (
            "nested !=",
            format!("{FILL}let b = [a];\nlet c = [a];\nloop {{ if b != c {{}} }}"),
        ),
        ("contains", format!("{FILL}loop {{ a.contains(5000); }}")),
        ("in", format!("{FILL}loop {{ if 5000 in a {{}} }}")),
        ("index_of", format!("{FILL}loop {{ a.index_of(5000); }}")),
        ("dedup", format!("{FILL}loop {{ let b = a; b.dedup(); }}")),
        ("to_string", format!("{FILL}loop {{ a.to_string(); }}")),
        (
            "interpolation",
            format!("{FILL}loop {{ let s = `${{a}}`; }}"),
        ),
        ("map ==", format!("{MAP}loop {{ if m == q {{}} }}")),
        ("map keys", format!("{MAP}loop {{ m.keys(); }}")),
        ("map values", format!("{MAP}loop {{ m.values(); }}")),
        (
            "map to_debug",
            "let m = #{};\nfor i in 0..300 { m[`k${i}`] = i }\nloop { m.to_debug(); }".into(),
        ),
    ] {
        let p = hostile(label, &script, ProblemCode::LimitExceeded);
        assert!(p.message.contains("100000"), "{label}: {}", p.message);
    }
}

// ---------------------------------------------------------------- the scorecard's budget

#[path = "../benches/support/many_leaves.rs"]
mod many_leaves;
use many_leaves::many_leaves;

#[test]
fn a_scorecard_has_one_budget_for_all_its_scripts() {
    // 5,000 leaves each running a legal 30,000-operation loop: 150 million operations, tens
    // of seconds, without a scorecard budget.
    let text = many_leaves(5_000, "let n = 0;\nwhile n < 5000 { n += 1 }\nfull()");
    let engine = Engine::from_str(&text).unwrap();
    let start = Instant::now();
    let card = engine.evaluate(&Submission::from_json_str("{}").unwrap());
    let took = start.elapsed();
    eprintln!(
        "{:32} {:>9.3} ms",
        "5,000 leaves × 30,000 operations",
        took.as_secs_f64() * 1e3
    );
    assert!(took < HANG_GUARD * 2, "took {took:?}");
    let scored = card
        .indicators
        .iter()
        .filter(|i| i.status == Status::Scored)
        .count();
    let failed: Vec<_> = card
        .indicators
        .iter()
        .filter(|i| i.status == Status::Error)
        .collect();
    assert!(!card.complete);
    assert_eq!(scored + failed.len(), 5_000);
    // Each leaf spends 30,000 and a few operations: 6 fit in 200,000.
    assert_eq!(scored, 6, "scored leaves");
    let first = failed[0].error.as_deref().unwrap();
    assert_eq!(first.code, ProblemCode::LimitExceeded);
    assert_eq!(first.indicator.as_deref(), Some("L6"));
    assert!(
        first.message.contains("合计超过上限 200000"),
        "{}",
        first.message
    );
    assert!(
        first.message_en.contains("200000 operations in all"),
        "{}",
        first.message_en
    );
    // Every failed leaf says so, and the next scorecard starts afresh.
    assert!(
        failed
            .iter()
            .all(|i| i.error.as_deref().unwrap().message == first.message)
    );
    let again = engine.evaluate(&Submission::from_json_str("{}").unwrap());
    assert_eq!(
        again
            .indicators
            .iter()
            .filter(|i| i.status == Status::Scored)
            .count(),
        6
    );
}

#[test]
fn a_scorecard_within_its_budget_scores_every_leaf() {
    // 200 leaves of a 100-round loop (about 600 operations each).
    let text = many_leaves(200, "let n = 0;\nwhile n < 100 { n += 1 }\nfull()");
    let card = Engine::from_str(&text)
        .unwrap()
        .evaluate(&Submission::from_json_str("{}").unwrap());
    let failed: Vec<_> = card
        .indicators
        .iter()
        .filter_map(|i| i.error.as_deref())
        .collect();
    assert!(card.complete, "{:?}", failed.first());
    assert_eq!(card.total.to_string(), "100");
}

// ---------------------------------------------------------------- memory bombs

#[test]
fn string_bombs() {
    for (label, script) in [
        ("string doubling", "let s = \"x\";\nloop { s += s; }"),
        (
            "string pad 100M",
            "let s = \"\";\ns.pad(100_000_000, 'x');\n1",
        ),
        (
            "string append loop",
            "let s = \"\";\nloop { s += \"绩效\"; }",
        ),
        (
            "array of long strings",
            "let s = \"x\";\ns.pad(9_999, 'x');\nlet a = [];\na.pad(9_999, s);\n1",
        ),
    ] {
        let p = hostile(label, script, ProblemCode::LimitExceeded);
        assert!(
            p.message.contains("沙箱上限") || p.message.contains("100000"),
            "{label}: {}",
            p.message
        );
    }
}

#[test]
fn array_bombs() {
    for (label, script) in [
        ("array doubling", "let a = [1];\nloop { a += a; }"),
        ("array push loop", "let a = [];\nloop { a.push(1); }"),
        ("array pad 100M", "let a = [];\na.pad(100_000_000, 0);\n1"),
    ] {
        hostile(label, script, ProblemCode::LimitExceeded);
    }
}

/// Byte buffers and bit fields are left out of the scripts' standard library (scoring has no
/// use for them): calling one is an ordinary script error naming the function, so a blob
/// cannot be made to grow in the first place.
#[test]
fn blobs_and_bit_fields_are_not_in_the_library() {
    for (label, script, function) in [
        ("blob 100M", "let b = blob(100_000_000);\n1", "blob (i64)"),
        ("blob", "let b = blob(1);\nloop { b += b; }", "blob (i64)"),
        (
            "bit field",
            "let n = 5;\nn.get_bit(1);\n1",
            "get_bit (i64, i64)",
        ),
    ] {
        let p = hostile(label, script, ProblemCode::ScriptError);
        assert!(
            p.message.contains("没有这个函数") && p.message.contains(function),
            "{label}: {}",
            p.message
        );
        assert!(
            p.message_en.contains("no such function"),
            "{label}: {}",
            p.message_en
        );
    }
}

#[test]
fn map_bombs() {
    for (label, script) in [
        (
            "map insert loop",
            "let m = #{};\nlet i = 0;\nloop { m[`k${i}`] = i; i += 1; }",
        ),
        (
            "map nesting loop",
            "let m = #{};\nloop { m = #{a: m, b: m}; }",
        ),
        (
            "map doubling",
            "let m = #{a: 1};\nloop { m += m; m[`k${m.len()}`] = 1; }",
        ),
    ] {
        hostile(label, script, ProblemCode::LimitExceeded);
    }
}

// ---------------------------------------------------------------- compile-time bombs

/// Compile in a thread with a 1 MiB stack (what a WASM module gets by default): deep
/// nesting must be a parse error, never a stack overflow.
fn compile_error_on_small_stack(label: &'static str, script: String) -> Problem {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let start = Instant::now();
            let err = Engine::from_str(&rulebook(&script)).unwrap_err();
            let took = start.elapsed();
            eprintln!("{label:32} {:>9.3} ms", took.as_secs_f64() * 1e3);
            assert!(took < HANG_GUARD, "{label}: took {took:?}");
            let problems = err.problems();
            assert_eq!(problems.len(), 1, "{label}: {err}");
            let p = problems.into_iter().next().unwrap();
            assert_eq!(p.code, ProblemCode::ScriptSyntax, "{label}: {p}");
            assert_eq!(p.indicator.as_deref(), Some("H"), "{label}");
            assert_eq!(p.line, Some(SCRIPT_LINE), "{label}");
            p
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deeply_nested_source_is_a_parse_error_not_a_stack_overflow() {
    let n = 20_000;
    let cases: Vec<(&'static str, String)> = vec![
        (
            "nested parentheses",
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        ),
        (
            "nested arrays",
            format!("{}1{}; 1", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "nested blocks",
            format!("{}1{}", "{".repeat(n), "}".repeat(n)),
        ),
        (
            "nested maps",
            format!("{}1{}; 1", "#{a: ".repeat(n), "}".repeat(n)),
        ),
        (
            "nested ifs",
            format!("{}1{}", "if true { ".repeat(n), " }".repeat(n)),
        ),
        (
            "nested unary minus",
            format!("{}1{}", "-(".repeat(n), ")".repeat(n)),
        ),
        (
            "nested calls",
            format!("{}1{}", "abs(".repeat(n), ")".repeat(n)),
        ),
        (
            "nested closures",
            format!("{}1{}", "|| { ".repeat(n), " }".repeat(n)),
        ),
        ("long + chain", vec!["1.0"; 50_000].join(" + ")),
        (
            "long string concat chain",
            format!("let s = {};\n1", vec!["\"a\""; 50_000].join(" + ")),
        ),
    ];
    for (label, script) in cases {
        let p = compile_error_on_small_stack(label, script);
        assert!(
            p.message.contains("complexity") || p.message.contains("nest"),
            "{label}: {}",
            p.message
        );
    }
}

// ---------------------------------------------------------------- no way out

#[test]
fn eval_is_refused() {
    let err = Engine::from_str(&rulebook("eval(\"1\")")).unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 1, "{err}");
    let p = &problems[0];
    assert_eq!(p.code, ProblemCode::ScriptSyntax);
    assert_eq!(p.indicator.as_deref(), Some("H"));
    assert_eq!(p.line, Some(SCRIPT_LINE));
    assert!(p.message.contains("eval"), "{}", p.message);

    // Nor can a function pointer reach it at run time.
    for (label, script) in [
        ("call(Fn(\"eval\"))", "call(Fn(\"eval\"), \"1\")"),
        ("Fn(\"eval\").call", "Fn(\"eval\").call(\"1\")"),
        (
            "Fn built from pieces",
            "let f = \"ev\" + \"al\";\ncall(Fn(f), \"1\")",
        ),
    ] {
        let p = hostile(label, script, ProblemCode::ScriptError);
        assert!(p.message.contains("eval"), "{label}: {}", p.message);
    }
}

#[test]
fn no_modules_clock_or_randomness() {
    let err = Engine::from_str(&rulebook("import \"os\" as os;\n1")).unwrap_err();
    assert_eq!(err.problems()[0].code, ProblemCode::ScriptSyntax, "{err}");
    for (label, script) in [
        ("timestamp()", "let t0 = timestamp();\n1"),
        ("rand()", "rand()"),
        ("read_file()", "read_file(\"/etc/passwd\"); 1"),
    ] {
        let p = hostile(label, script, ProblemCode::ScriptError);
        assert!(p.message.contains("没有这个函数"), "{label}: {}", p.message);
    }
}

#[test]
fn scripts_cannot_modify_inputs() {
    for (label, script) in [
        ("assign input", "x = 1.0;\n1"),
        ("compound assign input", "x += 1.0;\n1"),
        ("append to text input", "t += \"改\";\n1"),
        ("assign points", "points = 100.0;\npoints"),
        ("mutating method on input", "t.clear();\n1"),
        (
            "mutating method via this",
            "fn f() { this.clear() }\nt.f();\n1",
        ),
    ] {
        hostile(label, script, ProblemCode::ScriptError);
    }
}

#[test]
fn shadowing_an_input_does_not_leak_to_the_next_indicator() {
    let script = "let x = 0.0;\nlet t = \"改\";\nfn full() { 0.0 }\nx";
    let (card, _) = run("shadowed input", script);
    let h = card.indicator("H").unwrap();
    assert_eq!(h.status, Status::Scored);
    assert_eq!(h.score.unwrap().to_string(), "0");
    // R still sees x = 8, t = 原文, and its own full().
    assert_eq!(
        card.indicator("R").unwrap().score.unwrap().to_string(),
        "25"
    );
    assert!(card.complete);
}

#[test]
fn a_kpi_expression_cannot_loop() {
    let text = rulebook("full()").replace(
        "[[indicators]]\nid = \"A\"",
        "[[kpis]]\nid = \"spin\"\nlabel = \"自旋\"\nexpr = \"loop {}\"\n\n[[indicators]]\nid = \"A\"",
    );
    let err = Engine::from_str(&text).unwrap_err();
    let p = &err.problems()[0];
    assert_eq!(p.code, ProblemCode::ScriptSyntax, "{err}");
    assert_eq!(p.kpi.as_deref(), Some("spin"));
}

#[test]
fn hostile_errors_are_the_same_in_english() {
    let text = rulebook("loop {}");
    let engine = Engine::from_str(&text).unwrap();
    let card = engine.evaluate_with(
        &submission(),
        EvalOptions {
            trace: false,
            lang: Lang::En,
        },
    );
    let p = assert_contained("loop {} (en, trace off)", &card, ProblemCode::LimitExceeded);
    assert!(
        p.message_en.contains("100000 operations"),
        "{}",
        p.message_en
    );
}

#[test]
fn hostile_script_in_a_batch_fails_only_its_indicator() {
    let engine = Engine::from_str(&rulebook("loop {}")).unwrap();
    let subs = vec![submission(); 16];
    let start = Instant::now();
    let cards = engine.evaluate_batch(&subs, EvalOptions::default());
    let took = start.elapsed();
    eprintln!(
        "{:32} {:>9.3} ms",
        "loop {} × 16 in a batch",
        took.as_secs_f64() * 1e3
    );
    assert!(took < HANG_GUARD * 4, "batch took {took:?}");
    for card in &cards {
        assert_contained("batch", card, ProblemCode::LimitExceeded);
    }
}

/// Rhai's core package registers `sleep(seconds)` (int and float), which blocks the
/// thread with `std::thread::sleep` and costs one operation: `sleep(1e9)` hangs the form or
/// the batch indefinitely, the one thing the sandbox promises cannot happen (and on
/// wasm32-unknown-unknown `std::thread::sleep` panics). `no_time` removes `timestamp()` but
/// not `sleep`; the sandbox should disable or override it.
#[test]

fn sleep_is_not_available() {
    for (label, script) in [
        ("sleep(3)", "sleep(3);\n1"),
        ("sleep(3.0)", "sleep(3.0);\n1"),
    ] {
        let text = rulebook(script);
        let engine = Engine::from_str(&text).unwrap();
        let start = Instant::now();
        let card = engine.evaluate(&submission());
        let took = start.elapsed();
        eprintln!("{label:32} {:>9.3} ms", took.as_secs_f64() * 1e3);
        assert!(took < HANG_GUARD, "{label}: blocked for {took:?}");
        assert_contained(label, &card, ProblemCode::ScriptError);
    }
}

// ---------------------------------------------------------------- child processes

const CHILD_ENV: &str = "JIXIAO_SANDBOX_CHILD";

fn is_child(name: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|v| v == name)
}

/// Run one `child_*` test of this binary in a fresh process.
fn in_child(name: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        .output()
        .unwrap()
}

const MARKER: &str = "JIXIAO-PRINT-MARKER-7f3a";

/// Child: a script that prints and debugs, then scores.
#[test]
fn child_print() {
    if !is_child("child_print") {
        return;
    }
    let script =
        format!("print(\"{MARKER}\");\ndebug(\"{MARKER}\");\nprint(`{MARKER} ${{x}}`);\nfull()");
    let (card, _) = run("print/debug", &script);
    let h = card.indicator("H").unwrap();
    // Printing is harmless, just silent: the script is scored.
    assert_eq!(h.status, Status::Scored);
    eprintln!("child-done H={}", h.score.unwrap());
}

#[test]
fn print_output_never_reaches_stdout() {
    let out = in_child("child_print");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stderr.contains("child-done H=50"),
        "child did not run:\n{stderr}"
    );
    assert!(
        !stdout.contains(MARKER),
        "script output reached stdout:\n{stdout}"
    );
    assert!(
        !stderr.contains(MARKER),
        "script output reached stderr:\n{stderr}"
    );
}

/// Child: the nested-array bomb `a = [a]` in a loop.
#[test]
fn child_nested_array_bomb() {
    if !is_child("child_nested_array_bomb") {
        return;
    }
    let text = rulebook("let a = [];\nloop { a = [a]; }");
    let engine = Engine::from_str(&text).unwrap();
    let start = Instant::now();
    let card = engine.evaluate(&submission());
    let ms = start.elapsed().as_millis();
    let code = card.indicator("H").unwrap().error.as_ref().map(|p| p.code);
    eprintln!("child-done code={code:?} ms={ms}");
}

/// Each `a = [a]` nests the array one level deeper; the data-size check walks the whole
/// nesting on every assignment (quadratic: ~50 M steps before the 10,000-item limit) and
/// recursion over it overflows the stack. Measured: debug build — the process aborts
/// ("thread has overflowed its stack", SIGABRT) at ~10,000 levels; release build — no crash
/// but 3.1 s for the one indicator (5,000 levels alone: 0.8 s), against "a runaway loop
/// hits the limit in well under 100 ms". WASM has a 1 MiB stack.
#[test]

fn nested_array_bomb_is_contained() {
    let out = in_child("child_nested_array_bomb");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the process died: {:?}\n{stderr}",
        out.status
    );
    let line = stderr
        .lines()
        .find(|l| l.starts_with("child-done"))
        .unwrap_or_else(|| panic!("child did not finish:\n{stderr}"));
    eprintln!("nested array bomb: {line}");
    assert!(line.contains("code=Some(LimitExceeded)"), "{line}");
    let ms: u64 = line.rsplit("ms=").next().unwrap().trim().parse().unwrap();
    assert!(ms < 2_000, "{line}");
}

/// `finding()` (and `explain()`, and the helpers that record findings) append to vectors
/// the sandbox does not bound: each call is one Rhai operation, so a loop records ~33,000
/// findings of 10,000 characters — 333 MB kept on the failed indicator of the scorecard.
/// `deduct()` amplifies further: one call records one finding per item (≤ 10,000), so 20
/// calls from a script of a few thousand operations record 20,000 findings.
#[test]

fn recorded_text_is_bounded() {
    let (card, _) = run(
        "finding() loop",
        "let s = \"x\";\ns.pad(9_999, 'x');\nloop { finding(s); }",
    );
    let h = card.indicator("H").unwrap();
    let bytes: usize = h.findings.iter().map(|f| f.message.len()).sum();
    eprintln!(
        "finding() loop: {} findings, {bytes} bytes",
        h.findings.len()
    );
    assert!(
        bytes <= 1_000_000,
        "{} findings, {bytes} bytes",
        h.findings.len()
    );

    let (card, _) = run(
        "explain() loop",
        "let s = \"x\";\ns.pad(9_999, 'x');\nlet n = 0;\nwhile n < 2_000 { explain(s); n += 1; }\n0",
    );
    let text = card
        .indicator("H")
        .unwrap()
        .explanation
        .clone()
        .unwrap_or_default();
    assert!(
        text.len() <= 1_000_000,
        "explanation of {} bytes",
        text.len()
    );

    let (card, _) = run(
        "deduct() amplification",
        "let items = [];\nfor i in 0..1000 { items.push([true, 0.0001, \"x\"]); }\nlet n = 0;\nwhile n < 20 { deduct(items); n += 1; }\n0",
    );
    let n = card.indicator("H").unwrap().findings.len();
    assert!(n <= 10_000, "{n} findings");
}

// ---------------------------------------------------------------- one table for review

#[test]
fn hostile_outcomes_snapshot() {
    // Every runtime case's outcome in one reviewable table (no timings: those vary).
    let cases = [
        "loop {}",
        "while true {}",
        "fn f(x) { f(x + 1) }\nf(0)",
        "let s = \"x\";\nloop { s += s; }",
        "let a = [1];\nloop { a += a; }",
        "let a = [];\na.pad(100_000_000, 0);\n1",
        "let m = #{};\nloop { m = #{a: m, b: m}; }",
        "call(Fn(\"eval\"), \"1\")",
        "let t0 = timestamp();\n1",
        "x = 1.0;\n1",
        "t.clear();\n1",
    ];
    let rows: Vec<serde_json::Value> = cases
        .iter()
        .map(|script| {
            let (card, _) = run(script.lines().next().unwrap(), script);
            let p = card.indicator("H").unwrap().error.clone().unwrap();
            serde_json::json!({
                "script": script,
                "code": p.code,
                "message": p.message,
                "message_en": p.message_en,
                "line": p.line,
            })
        })
        .collect();
    insta::assert_json_snapshot!("hostile_outcomes", rows);
}

/// Runtime errors that `describe_eval_error` does not translate are printed with Rhai's
/// `Display`, which appends Rhai's own position relative to the script: the problem says
/// line 33 (the TOML line, right) and its message says "(line 1, position 3)".
#[test]

fn runtime_messages_do_not_repeat_a_script_relative_position() {
    for script in ["t.clear();\n1", "call(Fn(\"eval\"), \"1\")"] {
        let (card, _) = run(script.lines().next().unwrap(), script);
        let p = card.indicator("H").unwrap().error.clone().unwrap();
        assert_eq!(p.line, Some(SCRIPT_LINE));
        assert!(!p.message.contains("(line 1, position"), "{}", p.message);
    }
}

#[test]
fn out_of_range_and_non_finite_results_say_the_value() {
    let p = hostile(
        "just over the points",
        "50.004",
        ProblemCode::ResultOutOfRange,
    );
    assert!(
        p.message.contains("得分 50.004 超出 [0, 50]"),
        "{}",
        p.message
    );
    assert!(
        p.message_en.contains("score 50.004 is outside"),
        "{}",
        p.message_en
    );
    for script in [
        "award(0.0 / 0.0, \"原因\")",
        "let z = 0.0;\naward(1.0 / z, \"原因\")",
    ] {
        let p = hostile(script, script, ProblemCode::ScriptError);
        assert!(
            p.message.contains("应为有限的数"),
            "{script}: {}",
            p.message
        );
        assert!(!p.message_en.contains("f64"), "{script}: {}", p.message_en);
    }
}
