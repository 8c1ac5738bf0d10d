use super::*;

// proportional(subject, target): points × min(v / target, 1) — 比率得分, higher is better.
// reverse (lower is better): full at or below target, points × target / v above it.
pub(super) fn proportional(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame<'_>,
    zh: bool,
    s: Arg<'_>,
    target: Arg<'_>,
    reverse: bool,
) -> RhaiResult<f64> {
    let name = if reverse {
        "proportional_reverse"
    } else {
        "proportional"
    };
    let s = subject(pos, table, f.values, zh, s, name)?;
    let t = arg_number(pos, zh, target, name, "target")?;
    if (!reverse && t <= 0.0) || (reverse && t < 0.0) {
        return fail(
            pos,
            zh,
            cat!(name, "() 的目标值须大于 0"),
            cat!(name, "(): the target must be positive"),
        );
    }
    let p = f.leaf.points;
    let (full, score) = if reverse {
        (
            s.value <= t,
            if s.value <= t {
                p
            } else {
                p * (t / s.value).clamp(0.0, 1.0)
            },
        )
    } else {
        (s.value >= t, p * (s.value / t).clamp(0.0, 1.0))
    };
    // The finding says what was missed: 未达到 the target, or above it when lower is better.
    let missed = if reverse {
        ("，高于 ", " is above ")
    } else {
        ("，未达到 ", " is below ")
    };
    explain_ratio(f, &s, zh, t, score, (full, reverse), missed);
    Ok(score)
}

/// The explanation of a score in proportion to the subject's ratio to `t` ("预算执行率 92.30%，
/// 低于 95%，按比例得分 4.86"), and, below full marks, the finding of what was lost, whose
/// words before the target are `missed` (zh, en). `outcome` is (full marks, lower is better).
pub(super) fn explain_ratio(
    f: &mut Frame<'_>,
    s: &Subject<'_>,
    zh: bool,
    t: f64,
    score: f64,
    outcome: (bool, bool),
    missed: (&str, &str),
) {
    let (full, reverse) = outcome;
    // The words between the value and the target, and before the score.
    let (relation, result) = match (full, reverse) {
        (true, false) => (("，达到 ", " reaches "), ("，得满分 ", ": full marks ")),
        (true, true) => (
            ("，不高于 ", " is not above "),
            ("，得满分 ", ": full marks "),
        ),
        (false, false) => (
            ("，低于 ", " is below "),
            ("，按比例得分 ", ": proportional score "),
        ),
        (false, true) => (
            ("，高于 ", " is above "),
            ("，按比例得分 ", ": proportional score "),
        ),
    };
    let l = s.label(zh);
    f.leaf.explain(|zh| {
        let (relation, result) = if zh {
            (relation.0, result.0)
        } else {
            (relation.1, result.1)
        };
        cat!(l, " ", s.show(), relation, s.show_t(t), result, pts(score))
    });
    if !full {
        f.leaf.lost(score, |zh, lost| {
            let (missed, lost_zh_en) = if zh {
                (missed.0, ("，扣 ", " 分"))
            } else {
                (missed.1, (": ", " points lost"))
            };
            cat!(
                l,
                " ",
                s.show(),
                missed,
                s.show_t(t),
                lost_zh_en.0,
                lost,
                lost_zh_en.1
            )
        });
    }
}
