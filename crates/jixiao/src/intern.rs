//! Interned texts: the ids, labels and 评分标准 a rulebook gives its indicators, inputs and
//! KPIs, which every scorecard repeats.
//!
//! A scorecard names each of its ~40 indicators by id and label. Sharing those texts
//! through `Arc<str>` cost two atomic operations per text per evaluation (clone and drop),
//! on counters every thread of a batch writes: measurably the hottest instructions of a
//! batch run. Interned, a scorecard borrows them for free (`Cow::Borrowed`).
//!
//! Interned texts live for the rest of the process. Identical texts are stored once, so
//! loading the same rulebooks again (a server, the web form re-compiling as a rulebook is
//! edited) adds only the texts that are new.

use rustc_hash::FxHashSet;
use std::sync::{LazyLock, Mutex, PoisonError};

static TEXTS: LazyLock<Mutex<FxHashSet<&'static str>>> =
    LazyLock::new(|| Mutex::new(FxHashSet::default()));

/// The interned copy of `text`.
pub(crate) fn intern(text: &str) -> &'static str {
    let mut texts = TEXTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&interned) = texts.get(text) {
        return interned;
    }
    let interned: &'static str = Box::leak(text.into());
    texts.insert(interned);
    interned
}

/// [`intern`] through a cache of this thread's own, for texts looked up while scoring (the
/// grade labels of every expert-grade value): no lock after a thread's first sight of a text.
/// Only for texts a rulebook declares, never for submitted values, so the set stays small.
pub(crate) fn intern_cached(text: &str) -> &'static str {
    thread_local! {
        static SEEN: std::cell::RefCell<FxHashSet<&'static str>> =
            std::cell::RefCell::new(FxHashSet::default());
    }
    SEEN.with_borrow_mut(|seen| match seen.get(text) {
        Some(&interned) => interned,
        None => {
            let interned = intern(text);
            seen.insert(interned);
            interned
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_are_stored_once() {
        let a = intern("立项依据充分性");
        let b = intern(&String::from("立项依据充分性"));
        assert_eq!(a, "立项依据充分性");
        assert!(std::ptr::eq(a, b));
        assert!(!std::ptr::eq(intern("x1"), intern("x2")));
        assert!(std::ptr::eq(intern_cached("立项依据充分性"), a));
        assert!(std::ptr::eq(intern_cached("立项依据充分性"), a));
        let other = std::thread::spawn(|| intern_cached("立项依据充分性").as_ptr() as usize);
        assert_eq!(other.join().unwrap(), a.as_ptr() as usize);
    }
}
