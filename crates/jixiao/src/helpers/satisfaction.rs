use super::*;

// satisfaction(subject, threshold): 满意度 — full at or above the threshold, else
// points × rate / threshold.
pub(super) fn satisfaction(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame,
    zh: bool,
    s: Arg<'_>,
    threshold: Arg<'_>,
) -> RhaiResult<f64> {
    let s = subject(pos, table, f.values(), zh, s, "satisfaction")?;
    let t = arg_number(pos, zh, threshold, "satisfaction", "threshold")?;
    if t <= 0.0 {
        return fail(
            pos,
            zh,
            "satisfaction() 的门槛须大于 0".into(),
            "satisfaction(): threshold must be positive".into(),
        );
    }
    let p = f.leaf.points;
    let score = if s.value >= t {
        p
    } else {
        p * (s.value / t).clamp(0.0, 1.0)
    };
    let l = s.label(zh);
    if s.value >= t {
        f.leaf.explain(|zh| {
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
        });
    } else {
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
                    "，低于 ",
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
    Ok(score)
}
