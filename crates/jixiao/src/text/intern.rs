//! Interned texts: the ids, labels and 评分标准 a rulebook gives its indicators, inputs and
//! KPIs, which every scorecard repeats.
//!
//! A scorecard names each of its ~40 indicators by id and label. Sharing those texts
//! through `Arc<str>` cost two atomic operations per text per evaluation (clone and drop),
//! on counters every thread of a batch writes: measurably the hottest instructions of a
//! batch run. Interned, a scorecard borrows them for free (`Cow::Borrowed`).
//!
//! Interned texts live for the rest of the process, so the interner is bounded: identical
//! texts are stored once, and once [`MAX_INTERNED_BYTES`](crate::limits::MAX_INTERNED_BYTES)
//! are held, a new text stays the engine's own (`Cow::Owned`, freed with the engine, copied
//! into each scorecard). A server that compiles rulebook after rulebook for days grows by that
//! much at most; the usual process, a few rulebooks, keeps every text borrowed.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

/// A text a scorecard repeats from its rulebook (ids, labels, 评分标准): borrowed from the
/// engine's interned copy, owned only when read back from JSON.
pub type Text = std::borrow::Cow<'static, str>;

struct Interned {
    /// A B-tree rather than a hash set: its nodes are pointed at from their start, so leak
    /// checkers see the texts as reachable, not "possibly lost".
    texts: BTreeSet<&'static str>,
    bytes: usize,
}

static TEXTS: Mutex<Interned> = Mutex::new(Interned {
    texts: BTreeSet::new(),
    bytes: 0,
});

/// `text`, borrowed from the interner when it is (or can still be) interned, else owned.
pub(crate) fn intern(text: &str) -> Text {
    let mut interned = TEXTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&kept) = interned.texts.get(text) {
        return Text::Borrowed(kept);
    }
    if interned.bytes + text.len() > crate::limits::MAX_INTERNED_BYTES {
        return Text::Owned(text.to_string());
    }
    let kept: &'static str = Box::leak(text.into());
    interned.texts.insert(kept);
    interned.bytes += text.len();
    Text::Borrowed(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_are_stored_once() {
        let (Text::Borrowed(a), Text::Borrowed(b)) = (
            intern("立项依据充分性"),
            intern(&String::from("立项依据充分性")),
        ) else {
            panic!("not interned");
        };
        assert_eq!(a, "立项依据充分性");
        assert!(std::ptr::eq(a, b));
        assert_ne!(intern("x1"), intern("x2"));
    }

    #[test]
    fn past_the_bound_texts_stay_owned() {
        let big = "大".repeat(crate::limits::MAX_INTERNED_BYTES / 3 + 1);
        assert!(matches!(intern(&big), Text::Owned(_)));
        // Still the same text.
        assert_eq!(intern(&big), big.as_str());
    }
}
