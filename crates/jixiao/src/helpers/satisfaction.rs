use super::*;

// satisfaction(subject, threshold): 满意度 — full at or above the threshold, else
// points × rate / threshold.
pub(super) fn satisfaction(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame<'_>,
    zh: bool,
    s: Arg<'_>,
    threshold: Arg<'_>,
) -> RhaiResult<f64> {
    let s = subject(pos, table, f.values, zh, s, "satisfaction")?;
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
    // Worded as `proportional`'s, but the finding says 低于 the threshold.
    let full = s.value >= t;
    super::proportional::explain_ratio(
        f,
        &s,
        zh,
        t,
        score,
        (full, false),
        ("，低于 ", " is below "),
    );
    Ok(score)
}
