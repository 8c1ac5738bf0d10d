//! Every bound the engine keeps against untrusted rulebooks, submissions and callers, with its
//! figure. rules/README.md ("沙箱与上限") says what a rule author sees when each is hit.

/// The largest rulebook file (TOML or JSON) read: the shipped ones are under 30 KB, and a
/// 5,000-leaf rulebook about 2 MB.
pub const MAX_RULEBOOK_BYTES: u64 = 4 << 20;
/// The largest `script_file` read: a scoring script is a few hundred bytes.
pub const MAX_SCRIPT_FILE_BYTES: u64 = 256 << 10;
/// The largest submission file read: one project's values (a 绩效目标表 of a few hundred rows
/// is under 100 KB).
pub const MAX_SUBMISSION_BYTES: u64 = 16 << 20;

/// Bytes of rulebook texts (ids, labels, 评分标准) kept for the whole process so that
/// scorecards can borrow them; past it, an engine keeps its texts itself and frees them with
/// it. Compiling and freeing thousands of distinct rulebooks grows the process by this much at
/// most.
pub const MAX_INTERNED_BYTES: usize = 2 << 20;

/// Characters of a submitted or declared value quoted in a problem's message; a longer one is
/// cut there and ends in "…" (a 10 MB invalid choice must not make a 20 MB scorecard).
pub const MAX_QUOTED_CHARS: usize = 100;

/// The largest points an indicator, the total or a weight constraint may carry; the smallest
/// is 0.01 (scores have two decimal places). Past it a figure is a `check` error, never a
/// silent zero.
pub const MAX_POINTS: f64 = 1_000_000.0;

/// Operations one script (a leaf's or a KPI's) may perform, those of the closures that
/// built-ins call back included, and the elements that built-ins walk (`==`, `contains`,
/// `to_string` of arrays and maps: one per element). A scoring script needs a few hundred; a
/// runaway loop hits this in a few milliseconds.
pub const MAX_OPERATIONS: u64 = 100_000;
/// Operations all the scripts of one scorecard may perform together: two scripts running to
/// their own limit. The heaviest scorecard of the shipped rulebooks spends 892 (monitoring,
/// every script in Rhai); the cost of one operation is not bounded by much less than the
/// largest array or map a script may copy, so this figure is what bounds a hostile
/// rulebook's scorecard in time (BENCHMARKS.md, "Untrusted rulebooks").
pub const MAX_SCORECARD_OPERATIONS: u64 = 200_000;
/// Nested function calls in a script (endless recursion stops here).
pub const MAX_CALL_LEVELS: usize = 32;
/// Characters of one string in a script, and of the strings inside one array or map together.
pub const MAX_STRING: usize = 10_000;
/// Items of one array in a script, nested arrays' items included. Also bounds nesting: Rhai checks sizes recursively after each assignment, so
/// `loop { a = [a]; }` nests this deep before it stops; 1,000 keeps that walk fast and
/// its recursion within a 1 MiB (WASM) stack.
pub const MAX_ARRAY: usize = 1_000;
/// Entries of one object map in a script, nested maps' entries included.
pub const MAX_MAP: usize = 1_000;
/// Experts' grades of one grade input, and names in a submission's panel (`experts`).
pub const MAX_EXPERTS: usize = 50;
/// Findings one indicator may record, and the bytes of text (findings and explanation)
/// together: a loop of `finding()` must not put hundreds of megabytes on a scorecard.
pub const MAX_FINDINGS: usize = 100;
pub const MAX_RECORDED_BYTES: usize = 100_000;
