use super::*;

// linear(subject, zero_at, full_at): 0 points at zero_at, full at full_at, straight line
// between, flat outside. Works both ways (zero_at > full_at means lower is better).
pub(super) fn linear(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
    zh: bool,
    s: Arg<'_>,
    zero_at: Arg<'_>,
    full_at: Arg<'_>,
) -> RhaiResult<f64> {
    let s = subject(pos, table, f.values(), zh, s, "linear")?;
    let z = arg_number(pos, zh, zero_at, "linear", "zero_at")?;
    let full = arg_number(pos, zh, full_at, "linear", "full_at")?;
    if z == full {
        return fail(
            pos,
            zh,
            "linear() 的两个端点不能相同".into(),
            "linear(): the two end points must differ".into(),
        );
    }
    let p = f.leaf.points;
    let score = p * ((s.value - z) / (full - z)).clamp(0.0, 1.0);
    let l = s.label(zh);
    let position = (s.value - z) / (full - z);
    f.leaf.explain(|zh| match (zh, position) {
        (true, t) if t >= 1.0 => cat!(
            l,
            " ",
            s.show(),
            "，达到满分线 ",
            s.show_t(full),
            "，得满分 ",
            pts(score)
        ),
        (false, t) if t >= 1.0 => cat!(
            l,
            " ",
            s.show(),
            " reaches the full-marks line ",
            s.show_t(full),
            ": full marks ",
            pts(score)
        ),
        (true, t) if t <= 0.0 => cat!(l, " ", s.show(), "，未达到得分线 ", s.show_t(z), "，不得分"),
        (false, t) if t <= 0.0 => cat!(
            l,
            " ",
            s.show(),
            " is past the zero line ",
            s.show_t(z),
            ": 0 points"
        ),
        (zh, _) => {
            if zh {
                cat!(
                    l,
                    " ",
                    s.show(),
                    "，在 ",
                    s.show_t(z),
                    "（0 分）与 ",
                    s.show_t(full),
                    "（满分）之间线性计分，得分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    " ",
                    s.show(),
                    ", scored linearly between ",
                    s.show_t(z),
                    " (0) and ",
                    s.show_t(full),
                    " (full): ",
                    pts(score)
                )
            }
        }
    });
    f.leaf.lost(score, |zh, lost| {
        if zh {
            cat!(
                l,
                " ",
                s.show(),
                "，未达到满分线 ",
                s.show_t(full),
                "，扣 ",
                lost,
                " 分"
            )
        } else {
            cat!(
                l,
                " ",
                s.show(),
                " falls short of ",
                s.show_t(full),
                ": ",
                lost,
                " points lost"
            )
        }
    });
    Ok(score)
}
