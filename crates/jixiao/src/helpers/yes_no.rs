use super::*;

// yes_no(subject[, finding]): 是否制 — full marks for yes, 0 for no.
pub(super) fn yes_no(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame<'_>,
    zh: bool,
    s: Arg<'_>,
    reason: Option<&Dynamic>,
) -> RhaiResult<f64> {
    // A compiled id is no bool: not asked (a failed `as_bool` looks up the type's name).
    let literal = match s.known {
        Known::Metric(_) => None,
        _ => boolean(s.value),
    };
    let (meta, yes) = if let Some(b) = literal {
        (None, b)
    } else {
        let (idx, meta) = metric(pos, table, zh, s, "yes_no")?;
        match f.values.get(idx).and_then(Option::as_ref) {
            Some(Val::Bool(b)) => (Some(meta), *b),
            Some(_) => {
                let l = label_of(meta, zh);
                return fail(
                    pos,
                    zh,
                    cat!("yes_no() 需要是/否数据项，", l, " 不是"),
                    cat!("yes_no() needs a yes/no input; ", l, " is not one"),
                );
            }
            None => {
                let l = label_of(meta, zh);
                return fail(pos, zh, cat!(l, " 未填写"), cat!(l, " is not filled in"));
            }
        }
    };
    let label = meta.map_or(if zh { "判断" } else { "check" }, |m| label_of(m, zh));
    let p = f.leaf.points;
    if yes {
        f.leaf.explain(|zh| {
            if zh {
                cat!(label, "：是，得满分 ", pts(p))
            } else {
                cat!(label, ": yes, full marks ", pts(p))
            }
        });
        Ok(p)
    } else {
        f.leaf.explain(|zh| {
            if zh {
                cat!(label, "：否，不得分")
            } else {
                cat!(label, ": no, 0 points")
            }
        });
        f.leaf.find_points(p, |zh, lost| match (reason, zh) {
            (Some(r), true) => cat!(r, "，扣 ", lost, " 分"),
            (Some(r), false) => cat!(r, ": ", lost, " points lost"),
            (None, true) => cat!(label, "：否，扣 ", lost, " 分"),
            (None, false) => cat!(label, ": no, ", lost, " points lost"),
        });
        Ok(0.0)
    }
}
