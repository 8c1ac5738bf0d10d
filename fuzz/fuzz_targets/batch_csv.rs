//! The batch's CSV reader (encoding sniffing, GBK, header scan, records) on arbitrary bytes.
#![no_main]

use jixiao_batch::read::InputKind;
use libfuzzer_sys::fuzz_target;

#[path = "batch_common.rs"]
mod batch_common;

fuzz_target!(|data: &[u8]| {
    batch_common::read(data, InputKind::Csv, "csv");
});
