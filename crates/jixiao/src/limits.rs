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
