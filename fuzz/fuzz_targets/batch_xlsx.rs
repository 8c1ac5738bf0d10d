//! The batch's XLSX reader (zip, shared strings, styles, cells) on arbitrary bytes. Seeded with
//! real workbooks, so mutations reach past the zip directory.
#![no_main]

use jixiao_batch::read::InputKind;
use libfuzzer_sys::fuzz_target;

#[path = "batch_common.rs"]
mod batch_common;

fuzz_target!(|data: &[u8]| {
    batch_common::read(data, InputKind::Spreadsheet, "xlsx");
});
