//! # jixiao-batch — scoring a table of projects
//!
//! The one implementation of what turns a CSV file or spreadsheet of projects into
//! scorecards, for `jixiao batch`, the browser workspace's import (WebAssembly) and the
//! language packages alike:
//!
//! - [`read`]: CSV (UTF-8, GBK/GB18030 and others, found or told), XLSX streamed cell by
//!   cell, XLS/XLSB/ODS, JSON Lines; the header row found below title rows; every row bounded
//!   (length, cells, cell size) and a damaged file refused by name.
//! - [`columns`]: which column is which input, grade, 不适用 mark or note, by the labels and
//!   ids people write (units and expert suffixes stripped).
//! - [`row`]: a row's cells into a submission, scored by the core engine; every problem is a
//!   [`row::RowError`] naming the column at fault, and a bad row fails alone.
//! - [`table`]: a whole file scored in memory, each row keeping its submission and scorecard
//!   (the browser's import).
//!
//! Threads, files written and progress bars belong to the callers.

pub mod columns;
pub mod csv_rows;
pub mod encoding;
pub mod read;
#[cfg(feature = "reports")]
pub mod report;
pub mod row;
pub mod table;
#[cfg(feature = "xlsx")]
pub mod xlsx;
