//! One deterministic budget of script operations per evaluation.
//!
//! Rhai counts operations per evaluation state, and a closure that a built-in calls back (an
//! array's `sort` comparator, a `map` function) runs on a copy of that state: its operations
//! never reach the caller's count, and each call starts afresh. Built-ins whose work grows
//! with their input (deep `==` on nested arrays, `contains`, `to_string`) count as one
//! operation each. So Rhai's own limit alone bounds neither a script nor a scorecard.
//!
//! Here every operation Rhai performs, wherever it runs, is charged to this thread's budget
//! through the engine's progress callback; the built-ins that walk their input are charged
//! one operation per element they walk; and the budget has two limits: one per script
//! ([`MAX_OPERATIONS`]), one per scorecard ([`MAX_SCORECARD_OPERATIONS`]). Once either is
//! spent, every further operation fails, so an error a built-in swallows (`sort` ignores its
//! comparator's errors) is raised again at the script's next step, and a script that ends
//! right after still fails ([`Exhausted::check`]). Operations, not clocks: the same script
//! stops at the same step natively and in WebAssembly.
//!
//! The budget is per thread because Rhai's progress callback has no per-call context; an
//! evaluation runs on one thread from start to end, and starts its scorecard's budget first.

use crate::limits::{MAX_OPERATIONS, MAX_SCORECARD_OPERATIONS};
use rhai::{Array, Dynamic, EvalAltResult, FnPtr, Map, NativeCallContext, Position};
use std::cell::Cell;

/// This thread's budget. The progress callback runs on every operation Rhai performs, so it
/// only counts one figure down: `left`, the operations the current script has before the
/// nearer of its two limits (its own, or what remains of its scorecard's).
struct Budget {
    /// Below zero once the script has tried to go past its limit.
    left: Cell<i64>,
    /// What `left` started from for the current script.
    cap: Cell<i64>,
    /// The scorecard's operations left when the current script started.
    scorecard_left: Cell<i64>,
}

// Both limits are far below i64::MAX.
#[allow(clippy::cast_possible_wrap)]
const SCRIPT_LIMIT: i64 = MAX_OPERATIONS as i64;
#[allow(clippy::cast_possible_wrap)]
const SCORECARD_LIMIT: i64 = MAX_SCORECARD_OPERATIONS as i64;

// Per thread, not in the evaluation's `Scratch`: Rhai's progress callback is set once on the
// shared engine and is called with the operation count only (see the module's notes).
thread_local! {
    static BUDGET: Budget = const {
        Budget {
            left: Cell::new(SCRIPT_LIMIT),
            cap: Cell::new(SCRIPT_LIMIT),
            scorecard_left: Cell::new(SCORECARD_LIMIT),
        }
    };
}

/// Which limit was reached: the payload of the error that stops a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exhausted {
    Script,
    Scorecard,
}

impl Exhausted {
    /// The limit the current script has gone past, if any.
    fn now() -> Option<Exhausted> {
        BUDGET.with(|b| {
            (b.left.get() < 0).then(|| {
                // The nearer limit was the scorecard's when less than a script's was left.
                if b.cap.get() < SCRIPT_LIMIT {
                    Exhausted::Scorecard
                } else {
                    Exhausted::Script
                }
            })
        })
    }

    /// After a script has run: its result, unless the budget ran out on the way (a built-in
    /// may have swallowed the error).
    pub(crate) fn check(result: RhaiResult) -> RhaiResult {
        match Exhausted::now() {
            Some(limit) if result.is_ok() => Err(limit.error(Position::NONE)),
            _ => result,
        }
    }

    fn error(self, pos: Position) -> Box<EvalAltResult> {
        EvalAltResult::ErrorTerminated(Dynamic::from(self), pos).into()
    }
}

type RhaiResult = Result<Dynamic, Box<EvalAltResult>>;

/// A new scorecard: nothing spent.
pub(crate) fn start_scorecard() {
    BUDGET.with(|b| {
        b.scorecard_left.set(SCORECARD_LIMIT);
        b.cap.set(0);
        b.left.set(0);
    });
}

/// A new script (a leaf's or a KPI's) within the current scorecard.
pub(crate) fn start_script() {
    BUDGET.with(|b| {
        let spent = b.cap.get() - b.left.get().max(0);
        let scorecard_left = (b.scorecard_left.get() - spent).max(0);
        let cap = scorecard_left.min(SCRIPT_LIMIT);
        b.scorecard_left.set(scorecard_left);
        b.cap.set(cap);
        b.left.set(cap);
    });
}

/// One operation, as the progress callback charges it (on every step: kept minimal).
#[inline]
fn tick() -> Option<Dynamic> {
    let left = BUDGET.with(|b| {
        let left = b.left.get() - 1;
        b.left.set(left);
        left
    });
    if left >= 0 { None } else { stop() }
}

#[cold]
fn stop() -> Option<Dynamic> {
    Exhausted::now().map(Dynamic::from)
}

/// Charge `n` operations; past a limit, which one.
fn charge(n: i64) -> Result<(), Exhausted> {
    let left = BUDGET.with(|b| {
        let left = b.left.get().saturating_sub(n);
        b.left.set(left);
        left
    });
    if left < 0 {
        Err(Exhausted::now().unwrap_or(Exhausted::Script))
    } else {
        Ok(())
    }
}

fn charge_at(n: u64, ctx: &NativeCallContext) -> Result<(), Box<EvalAltResult>> {
    charge(i64::try_from(n).unwrap_or(i64::MAX)).map_err(|limit| limit.error(ctx.call_position()))
}

/// Elements of a value, nested ones included (a scalar is one).
fn elements(value: &Dynamic) -> u64 {
    if let Some(array) = value.read_lock::<Array>() {
        array.iter().map(elements).sum::<u64>() + 1
    } else if let Some(map) = value.read_lock::<Map>() {
        map.values().map(elements).sum::<u64>() + 1
    } else {
        1
    }
}

fn array_elements(array: &Array) -> u64 {
    array.iter().map(elements).sum()
}

/// Install the budget on the engine that runs scripts: the progress callback, and the
/// built-ins that walk their input or call back into the script, replaced by versions that
/// charge for that work and pass callback errors on.
pub(crate) fn install(e: &mut rhai::Engine) {
    // Rhai's own count is per evaluation state (see above); this one is the limit.
    e.set_max_operations(0);
    e.on_progress(|_| tick());
    charged_builtins(e);
    callbacks_that_fail(e);
}

/// Rhai's own built-ins, reached without the replacements below: each replacement charges
/// for its input, then runs the original on an engine that has the standard library alone.
mod original {
    use rhai::{AST, Dynamic, Scope};
    use std::sync::{Arc, Mutex, PoisonError, Weak};

    pub(super) struct Originals {
        engine: rhai::Engine,
        asts: Vec<AST>,
    }

    /// The built-ins, by index into `SOURCES`.
    #[derive(Debug, Clone, Copy)]
    pub(super) enum Op {
        Eq,
        Ne,
        Contains,
        IndexOf,
        IndexOfFrom,
        Dedup,
        ToString,
        ToDebug,
        Keys,
        Values,
    }

    const SOURCES: [&str; 10] = [
        "a == b",
        "a != b",
        "contains(a, b)",
        "index_of(a, b)",
        "index_of(a, b, c)",
        "dedup(a); a",
        "to_string(a)",
        "to_debug(a)",
        "keys(a)",
        "values(a)",
    ];

    /// The originals, shared by the engines that are alive and freed with the last of them
    /// (as [`crate::script::standard_library`]).
    pub(super) fn shared() -> Arc<Originals> {
        static ORIGINALS: Mutex<Weak<Originals>> = Mutex::new(Weak::new());
        let mut shared = ORIGINALS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(originals) = shared.upgrade() {
            return originals;
        }
        let mut engine = rhai::Engine::new_raw();
        engine.register_global_module(crate::script::standard_library());
        engine.set_optimization_level(rhai::OptimizationLevel::None);
        let asts = SOURCES
            .iter()
            .map(|source| engine.compile(source).unwrap_or_default())
            .collect();
        let originals = Arc::new(Originals { engine, asts });
        *shared = Arc::downgrade(&originals);
        originals
    }

    /// Run built-in `op` on `args` (bound to `a`, `b`, `c`).
    pub(super) fn call(
        originals: &Originals,
        op: Op,
        args: impl IntoIterator<Item = Dynamic>,
    ) -> Result<Dynamic, Box<rhai::EvalAltResult>> {
        let mut scope = Scope::new();
        for (name, value) in ["a", "b", "c"].into_iter().zip(args) {
            scope.push_dynamic(name, value);
        }
        originals
            .engine
            .eval_ast_with_scope(&mut scope, &originals.asts[op as usize])
    }
}

use original::Op;

fn charged_builtins(e: &mut rhai::Engine) {
    use std::any::TypeId;
    use std::sync::Arc;
    // Held by this engine's functions: freed with the last engine.
    let originals = original::shared();
    let (array, map, any, int) = (
        TypeId::of::<Array>(),
        TypeId::of::<Map>(),
        TypeId::of::<Dynamic>(),
        TypeId::of::<rhai::INT>(),
    );
    // Equality of arrays and maps compares element by element, through the `==` of each;
    // `x in a` is `contains(a, x)`; printing a container prints each element (string
    // interpolation calls `to_string`). None of these changes its arguments. One function
    // serves them all (each registration of a distinct closure is code in the WebAssembly
    // module).
    for (name, types) in [
        ("==", &[array, array][..]),
        ("!=", &[array, array]),
        ("==", &[map, map]),
        ("!=", &[map, map]),
        ("contains", &[array, any]),
        ("index_of", &[array, any]),
        ("index_of", &[array, any, int]),
        ("to_string", &[array]),
        ("to_debug", &[array]),
        ("to_string", &[map]),
        ("to_debug", &[map]),
        // A map's keys and values are copied into a new array.
        ("keys", &[map]),
        ("values", &[map]),
    ] {
        let originals = Arc::clone(&originals);
        e.register_raw_fn(name, types, move |ctx, args| {
            walking_builtin(&originals, ctx, args)
        });
    }
    // `dedup` changes its array, so it is registered as a method (not allowed on constants).
    e.register_fn(
        "dedup",
        move |ctx: NativeCallContext, a: &mut Array| -> Result<(), Box<EvalAltResult>> {
            charge_at(array_elements(a), &ctx)?;
            let deduped = original::call(
                &originals,
                Op::Dedup,
                [Dynamic::from_array(std::mem::take(a))],
            )?;
            *a = deduped.into_array().unwrap_or_default();
            Ok(())
        },
    );
}

/// The built-ins registered in [`charged_builtins`] that leave their arguments as they are:
/// charged for every element of their arguments, then Rhai's own.
fn walking_builtin(
    originals: &original::Originals,
    ctx: NativeCallContext,
    args: &mut [&mut Dynamic],
) -> RhaiResult {
    let op = match (ctx.fn_name(), args.len()) {
        ("==", _) => Op::Eq,
        ("!=", _) => Op::Ne,
        ("contains", _) => Op::Contains,
        ("index_of", 2) => Op::IndexOf,
        ("index_of", _) => Op::IndexOfFrom,
        ("to_debug", _) => Op::ToDebug,
        ("keys", _) => Op::Keys,
        ("values", _) => Op::Values,
        _ => Op::ToString,
    };
    charge_at(args.iter().map(|a| elements(a)).sum(), &ctx)?;
    original::call(originals, op, args.iter().map(|a| (**a).clone()))
}

/// `sort` and `dedup` with a comparer ignore the comparer's errors in Rhai (a failing
/// comparer leaves the order undefined and the script goes on). Here an error in the
/// comparer is the script's error.
fn callbacks_that_fail(e: &mut rhai::Engine) {
    fn ordering(
        ctx: &NativeCallContext,
        result: Dynamic,
    ) -> Result<std::cmp::Ordering, Box<EvalAltResult>> {
        use std::cmp::Ordering;
        if let Ok(n) = result.as_int() {
            return Ok(n.cmp(&0));
        }
        if let Ok(before) = result.as_bool() {
            return Ok(if before {
                Ordering::Less
            } else {
                Ordering::Greater
            });
        }
        Err(EvalAltResult::ErrorMismatchOutputType(
            "integer or bool".into(),
            result.type_name().into(),
            ctx.call_position(),
        )
        .into())
    }
    let sort = |ctx: NativeCallContext,
                a: &mut Array,
                comparer: FnPtr|
     -> Result<(), Box<EvalAltResult>> {
        let mut failed = None;
        let items = std::mem::take(a);
        *a = merge_sort(items, &mut |x, y| {
            let result = comparer.call_raw(&ctx, None, [x.clone(), y.clone()])?;
            ordering(&ctx, result)
        })
        .unwrap_or_else(|(items, e)| {
            failed = Some(e);
            items
        });
        failed.map_or(Ok(()), Err)
    };
    e.register_fn("sort", sort);
    e.register_fn("sort_by", sort);
    e.register_fn(
        "dedup",
        |ctx: NativeCallContext,
         a: &mut Array,
         comparer: FnPtr|
         -> Result<(), Box<EvalAltResult>> {
            let mut kept: Array = Vec::with_capacity(a.len());
            for item in std::mem::take(a) {
                let same = match kept.last() {
                    Some(last) => comparer
                        .call_raw(&ctx, None, [last.clone(), item.clone()])?
                        .as_bool()
                        .unwrap_or(false),
                    None => false,
                };
                if !same {
                    kept.push(item);
                }
            }
            *a = kept;
            Ok(())
        },
    );
}

/// A stable merge sort by a comparer that may fail: on the first failure, the items (in
/// some order) and the error. Unlike `slice::sort_by`, an inconsistent comparer cannot make
/// it panic.
fn merge_sort<T, E>(
    items: Vec<T>,
    cmp: &mut impl FnMut(&T, &T) -> Result<std::cmp::Ordering, E>,
) -> Result<Vec<T>, (Vec<T>, E)> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut left = items;
    let right = left.split_off(left.len() / 2);
    let left = match merge_sort(left, cmp) {
        Ok(left) => left,
        Err((mut left, e)) => {
            left.extend(right);
            return Err((left, e));
        }
    };
    let right = match merge_sort(right, cmp) {
        Ok(right) => right,
        Err((mut right, e)) => {
            let mut all = left;
            all.append(&mut right);
            return Err((all, e));
        }
    };
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    while let (Some(l), Some(r)) = (left.peek(), right.peek()) {
        match cmp(l, r) {
            // Stable: the left one first unless the right one is strictly less.
            Ok(std::cmp::Ordering::Greater) => merged.extend(right.next()),
            Ok(_) => merged.extend(left.next()),
            Err(e) => {
                merged.extend(left);
                merged.extend(right);
                return Err((merged, e));
            }
        }
    }
    merged.extend(left);
    merged.extend(right);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sort_is_stable_and_survives_failing_and_inconsistent_comparers() {
        let items: Vec<(i32, char)> = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        let sorted = merge_sort(items.clone(), &mut |x, y| Ok::<_, ()>(x.0.cmp(&y.0))).unwrap();
        assert_eq!(
            sorted,
            vec![(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]
        );
        let mut calls = 0;
        let (kept, e) = merge_sort(items.clone(), &mut |_, _| {
            calls += 1;
            if calls == 3 {
                Err("boom")
            } else {
                Ok(std::cmp::Ordering::Less)
            }
        })
        .unwrap_err();
        assert_eq!(e, "boom");
        assert_eq!(kept.len(), items.len());
        // Always "greater": not a total order, still no panic.
        let odd = merge_sort(items, &mut |_, _| Ok::<_, ()>(std::cmp::Ordering::Greater)).unwrap();
        assert_eq!(odd.len(), 5);
    }

    #[test]
    fn elements_count_nested_containers() {
        let inner: Array = vec![Dynamic::from(1_i64), Dynamic::from(2_i64)];
        let outer: Array = vec![
            Dynamic::from_array(inner.clone()),
            Dynamic::from_array(inner),
        ];
        assert_eq!(array_elements(&outer), 6);
        assert_eq!(elements(&Dynamic::from(1_i64)), 1);
    }

    #[test]
    fn the_budget_runs_out_per_script_and_per_scorecard() {
        start_scorecard();
        start_script();
        assert_eq!(charge(SCRIPT_LIMIT), Ok(()));
        assert_eq!(charge(1), Err(Exhausted::Script));
        start_script();
        assert_eq!(charge(1), Ok(()));
        for _ in 0..20 {
            start_script();
            let _ = charge(SCRIPT_LIMIT);
        }
        start_script();
        assert_eq!(charge(1), Err(Exhausted::Scorecard));
        start_scorecard();
        start_script();
        assert_eq!(charge(1), Ok(()));
    }
}
