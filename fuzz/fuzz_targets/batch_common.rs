// Shared by the batch row reader targets: the bytes as an input file, read as the batch
// reads it, header matched against a shipped rulebook, every row drained.

use jixiao::{Engine, Rulebook};
use jixiao_batch::columns::ColumnMatcher;
use jixiao_batch::read::{Feed, InputKind, ReadOptions, Source, read_all};
use std::sync::{Arc, LazyLock};

static MATCHER: LazyLock<Arc<ColumnMatcher>> = LazyLock::new(|| {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/demo/rulebook.toml");
    let engine = Engine::new(Rulebook::from_path(path).expect("demo")).expect("demo");
    Arc::new(ColumnMatcher::new(&engine))
});

/// calamine panics on some damaged cell references (an arithmetic overflow, with the overflow
/// checks fuzz builds have); the batch's reader catches that and refuses the file by name
/// (`tests/batch/damaged-cell-reference.xlsx`). libFuzzer's panic hook would abort first, so
/// panics raised inside calamine are let through to that catch; every other panic still aborts.
fn tolerate_calamine_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_calamine {
                abort(info);
            }
        }));
    });
}

pub fn read(data: &[u8], kind: InputKind, extension: &str) {
    tolerate_calamine_panics();
    let dir = std::env::temp_dir();
    let path = dir.join(format!("jixiao-fuzz-{}.{extension}", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let options = ReadOptions {
        source: Source::Path(path.clone()),
        kind,
        encoding: "auto".into(),
        delimiter: b',',
        sheet: None,
        header_row: None,
        chunk_rows: 16,
    };
    let (tx, rx) = std::sync::mpsc::sync_channel(4);
    let matcher = MATCHER.clone();
    let reader = std::thread::spawn(move || {
        let mut tx = tx;
        read_all(options, matcher, &mut tx);
    });
    for feed in rx {
        if let Feed::Header { cells, .. } = feed {
            let _ = MATCHER.plan(cells);
        }
    }
    reader.join().expect("the reader thread panicked");
    let _ = std::fs::remove_file(path);
}
