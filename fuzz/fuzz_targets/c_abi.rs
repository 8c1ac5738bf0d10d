//! The C ABI's string entry points with arbitrary bytes: a rulebook for `jixiao_engine_new`,
//! and a submission and options for `jixiao_evaluate` and `jixiao_evaluate_batch` on the demo
//! rulebook. Every call returns a status; every string it hands out is freed.
#![no_main]

use jixiao_ffi::{
    JixiaoEngine, jixiao_engine_free, jixiao_engine_from_path, jixiao_engine_new, jixiao_evaluate,
    jixiao_evaluate_batch, jixiao_string_free,
};
use libfuzzer_sys::fuzz_target;
use std::ffi::{CString, c_char};
use std::ptr;
use std::sync::LazyLock;

struct Demo(*mut JixiaoEngine);
// SAFETY: the handle is shareable across threads (the C API documents engines as such).
unsafe impl Send for Demo {}
unsafe impl Sync for Demo {}

static DEMO: LazyLock<Demo> = LazyLock::new(|| {
    let path = CString::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rules/demo/rulebook.toml"
    ))
    .expect("path");
    let mut engine = ptr::null_mut();
    // SAFETY: valid C string and out-pointer.
    let status = unsafe { jixiao_engine_from_path(path.as_ptr(), &mut engine, ptr::null_mut()) };
    assert_eq!(status as i32, 0, "demo rulebook");
    Demo(engine)
});

/// Frees what a call handed out.
fn free(s: *mut c_char) {
    // SAFETY: NULL or a string the library allocated, freed once.
    unsafe { jixiao_string_free(s) };
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    // The text up to its first NUL (what a C caller could pass), split at the first 0xFF into
    // the main argument and the options.
    let text: Vec<u8> = rest.iter().copied().take_while(|&b| b != 0).collect();
    let (main, options) = match text.iter().position(|&b| b == 0xFF) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (&text[..], None),
    };
    let main = CString::new(main).expect("no NUL");
    let options = options.map(|o| CString::new(o).expect("no NUL"));
    let options_ptr = options.as_ref().map_or(ptr::null(), |o| o.as_ptr());
    let mut out: *mut c_char = ptr::null_mut();
    let mut error: *mut c_char = ptr::null_mut();
    // SAFETY: every pointer is NULL or valid for the call; outputs are freed below.
    unsafe {
        match which % 3 {
            0 => {
                let mut engine = ptr::null_mut();
                jixiao_engine_new(main.as_ptr(), &mut engine, &mut error);
                jixiao_engine_free(engine);
            }
            1 => {
                jixiao_evaluate(DEMO.0, main.as_ptr(), options_ptr, &mut out, &mut error);
            }
            _ => {
                let mut failed = 0;
                jixiao_evaluate_batch(
                    DEMO.0,
                    main.as_ptr(),
                    options_ptr,
                    &mut out,
                    &mut failed,
                    &mut error,
                );
            }
        }
    }
    free(out);
    free(error);
});
