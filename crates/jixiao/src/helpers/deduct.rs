use super::*;

// deduct([[condition_or_count, points_each, reason], …]): 扣分制 — start from full marks,
// deduct per finding, never below 0. A bool deducts once when true; a whole number deducts
// that many times.
pub(super) fn deduct(
    pos: Position,
    f: &mut Frame<'_>,
    zh: bool,
    items: &Dynamic,
) -> RhaiResult<f64> {
    let Some(items) = items.read_lock::<rhai::Array>() else {
        return deduct_shape(pos, zh);
    };
    let mut run = Deduction::default();
    for item in items.iter() {
        let Some(arr) = item.read_lock::<rhai::Array>() else {
            return deduct_shape(pos, zh);
        };
        let [cond, each, reason] = arr.as_slice() else {
            return deduct_shape(pos, zh);
        };
        run.item(pos, f, zh, cond, Arg::of(each), reason)?;
    }
    Ok(run.finish(f))
}

/// `deduct([[c, p, r], …])` from a native program that evaluated the rows itself, without
/// building the arrays (the same [`Deduction`] as [`deduct`], so the same texts and errors).
/// `each_known`: what is known of each row's points (`Known::number`).
pub(crate) fn deduct_rows(
    f: &mut Frame<'_>,
    pos: Position,
    rows: &[[&Dynamic; 3]],
    each_known: &[Known],
) -> RhaiResult<f64> {
    let zh = f.leaf.zh();
    let mut run = Deduction::default();
    for (i, [cond, each, reason]) in rows.iter().enumerate() {
        let each = Arg {
            value: each,
            known: each_known.get(i).unwrap_or(NOTHING),
        };
        run.item(pos, f, zh, cond, each, reason)?;
    }
    Ok(run.finish(f))
}

fn deduct_shape<T>(pos: Position, zh: bool) -> RhaiResult<T> {
    fail(
        pos,
        zh,
        "deduct() 的每一项应为 [条件或次数, 每次扣分, 原因]".into(),
        "deduct(): each item is [condition or count, points each, reason]".into(),
    )
}

/// One `deduct()` call in progress: the points taken so far, and (trace on) each reason.
/// Reasons are kept as the script's values (a shared string is a reference count) and
/// printed once, straight into the explanation.
#[derive(Default)]
struct Deduction {
    total: f64,
    parts: Vec<(Dynamic, f64)>,
}

/// The explanation's list of reasons and points ("问题甲 −1；问题乙 −0.5"), pushed as a
/// part of its text rather than built, collected and joined first.
struct Deducted<'a>(&'a [(Dynamic, f64)], &'static str);

impl text::Piece for Deducted<'_> {
    fn push_to(&self, out: &mut String) {
        for (i, (reason, d)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(self.1);
            }
            text::Piece::push_to(reason, out);
            out.push_str(" −");
            text::Piece::push_to(&pts(*d), out);
        }
    }
    fn size_hint(&self) -> usize {
        let items: usize = self
            .0
            .iter()
            .map(|(reason, _)| text::Piece::size_hint(reason) + " −".len() + text::NUMBER_BYTES)
            .sum();
        items + self.1.len() * self.0.len().saturating_sub(1)
    }
}

impl Deduction {
    fn item(
        &mut self,
        pos: Position,
        f: &mut Frame<'_>,
        zh: bool,
        cond: &Dynamic,
        each: Arg<'_>,
        reason: &Dynamic,
    ) -> RhaiResult<()> {
        let times = if let Some(b) = boolean(cond) {
            f64::from(u8::from(b))
        } else if let Some(n) = number(cond).filter(|n| n.is_finite() && n.fract() == 0.0) {
            n.max(0.0)
        } else {
            return fail(
                pos,
                zh,
                cat!("deduct() 的条件应为布尔值或整数次数，收到 ", cond),
                cat!(
                    "deduct(): the condition must be a bool or a whole count, got ",
                    cond
                ),
            );
        };
        let each = arg_number(pos, zh, each, "deduct", "points_each")?;
        if each < 0.0 {
            return fail(
                pos,
                zh,
                "deduct() 的扣分不能为负".into(),
                "deduct(): points deducted must not be negative".into(),
            );
        }
        if times > 0.0 && each > 0.0 {
            // Deducted as printed (half up to 2 places), so full marks less the findings'
            // deductions is the score on paper: 3 × 0.125 takes 0.38, not 0.375.
            let d = crate::text::printed_score(times * each);
            self.total += d;
            // A string reason is used as it is; anything else as Rhai prints it (`Piece`).
            f.leaf.find_points(d, |zh, p| match (times > 1.0, zh) {
                (true, true) => cat!(reason, "（计 ", trim_num(times), " 次），扣 ", p, " 分"),
                (true, false) => cat!(reason, " (×", trim_num(times), "): ", p, " points deducted"),
                (false, true) => cat!(reason, "，扣 ", p, " 分"),
                (false, false) => cat!(reason, ": ", p, " points deducted"),
            });
            if f.leaf.trace {
                self.parts.push((reason.clone(), d));
            }
        }
        Ok(())
    }

    fn finish(self, f: &mut Frame<'_>) -> f64 {
        let Deduction { total, parts } = self;
        let p = f.leaf.points;
        let score = (p - total).max(0.0);
        f.leaf.explain(|zh| {
            if parts.is_empty() {
                if zh {
                    cat!("未发现扣分事项，得满分 ", pts(score))
                } else {
                    cat!("nothing to deduct: full marks ", pts(score))
                }
            } else {
                let list = Deducted(&parts, if zh { "；" } else { "; " });
                match (zh, total > p) {
                    (true, false) => cat!("满分 ", pts(p), "，", list, "，得分 ", pts(score)),
                    (true, true) => cat!("满分 ", pts(p), "，", list, "，扣分超过分值，以 0 分计"),
                    (false, false) => cat!(pts(p), " points, ", list, ": ", pts(score)),
                    (false, true) => cat!(
                        pts(p),
                        " points, ",
                        list,
                        ": deductions exceed the points, scored 0"
                    ),
                }
            }
        });
        score
    }
}
