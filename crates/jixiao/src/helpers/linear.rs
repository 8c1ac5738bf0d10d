use super::*;

// linear(subject, zero_at, full_at): 0 points at zero_at, full at full_at, straight line
// between, flat outside. Works both ways (zero_at > full_at means lower is better).
pub(super) fn linear(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame<'_>,
    zh: bool,
    s: Arg<'_>,
    zero_at: Arg<'_>,
    full_at: Arg<'_>,
) -> RhaiResult<f64> {
    let s = subject(pos, table, f.values, zh, s, "linear")?;
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
    f.leaf.explain(|zh| {
        if position >= 1.0 {
            let w = if zh {
                ("，达到满分线 ", "，得满分 ")
            } else {
                (" reaches the full-marks line ", ": full marks ")
            };
            cat!(l, " ", s.show(), w.0, s.show_t(full), w.1, pts(score))
        } else if position <= 0.0 {
            let w = if zh {
                ("，未达到得分线 ", "，不得分")
            } else {
                (" is past the zero line ", ": 0 points")
            };
            cat!(l, " ", s.show(), w.0, s.show_t(z), w.1)
        } else {
            let w = if zh {
                ("，在 ", "（0 分）与 ", "（满分）之间线性计分，得分 ")
            } else {
                (", scored linearly between ", " (0) and ", " (full): ")
            };
            cat!(
                l,
                " ",
                s.show(),
                w.0,
                s.show_t(z),
                w.1,
                s.show_t(full),
                w.2,
                pts(score)
            )
        }
    });
    f.leaf.lost(score, |zh, lost| {
        let w = if zh {
            ("，未达到满分线 ", "，扣 ", " 分")
        } else {
            (" falls short of ", ": ", " points lost")
        };
        cat!(l, " ", s.show(), w.0, s.show_t(full), w.1, lost, w.2)
    });
    Ok(score)
}
