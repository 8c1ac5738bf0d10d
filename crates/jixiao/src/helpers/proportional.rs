use super::*;

// proportional(subject, target): points × min(v / target, 1) — 比率得分, higher is better.
// reverse (lower is better): full at or below target, points × target / v above it.
pub(super) fn proportional(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
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
    let s = subject(pos, table, f.values(), zh, s, name)?;
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
    let l = s.label(zh);
    match (full, reverse) {
        (true, false) => f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，达到 ",
                    s.show_t(t),
                    "，得满分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    " reaches ",
                    s.show_t(t),
                    ": full marks ",
                    pts(score)
                )
            }
        }),
        (true, true) => f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，不高于 ",
                    s.show_t(t),
                    "，得满分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    " is not above ",
                    s.show_t(t),
                    ": full marks ",
                    pts(score)
                )
            }
        }),
        (false, false) => {
            f.leaf.explain(|zh| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，低于 ",
                        s.show_t(t),
                        "，按比例得分 ",
                        pts(score)
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is below ",
                        s.show_t(t),
                        ": proportional score ",
                        pts(score)
                    )
                }
            });
            f.leaf.lost(score, |zh, lost| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，未达到 ",
                        s.show_t(t),
                        "，扣 ",
                        lost,
                        " 分"
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is below ",
                        s.show_t(t),
                        ": ",
                        lost,
                        " points lost"
                    )
                }
            });
        }
        (false, true) => {
            f.leaf.explain(|zh| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，高于 ",
                        s.show_t(t),
                        "，按比例得分 ",
                        pts(score)
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is above ",
                        s.show_t(t),
                        ": proportional score ",
                        pts(score)
                    )
                }
            });
            f.leaf.lost(score, |zh, lost| {
                if zh {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        "，高于 ",
                        s.show_t(t),
                        "，扣 ",
                        lost,
                        " 分"
                    )
                } else {
                    cat!(
                        l,
                        " ",
                        s.show(),
                        " is above ",
                        s.show_t(t),
                        ": ",
                        lost,
                        " points lost"
                    )
                }
            });
        }
    }
    Ok(score)
}
