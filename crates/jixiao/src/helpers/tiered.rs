use super::*;

/// A band table as `tiered` reads it, sorted the way it searches: `None` if it is not one.
pub(super) fn bands(bands: &Dynamic, reverse: bool) -> Option<Box<[(f64, f64)]>> {
    let bands = bands.read_lock::<rhai::Array>()?;
    let mut parsed: Vec<(f64, f64)> = Vec::with_capacity(bands.len());
    for b in bands.iter() {
        let pair = b.read_lock::<rhai::Array>();
        let pair = pair.as_deref().and_then(|a| match a.as_slice() {
            [t, fr] => Some((number(t)?, number(fr)?)),
            _ => None,
        });
        match pair {
            Some((t, fr)) if (0.0..=1.0).contains(&fr) && t.is_finite() => parsed.push((t, fr)),
            _ => return None,
        }
    }
    if parsed.is_empty() {
        return None;
    }
    // Through the crate's one shared sort: a sort of its own is several KB of WebAssembly.
    let order = crate::sorted_order(parsed.len(), &mut |a, b| {
        let (a, b) = (parsed[a].0, parsed[b].0);
        if reverse {
            a.total_cmp(&b)
        } else {
            b.total_cmp(&a)
        }
    });
    Some(order.into_iter().map(|i| parsed[i]).collect())
}

// tiered(subject, [[threshold, fraction], …]): 分档 — the highest threshold the value reaches
// gives its fraction of the points; below every threshold scores 0. Reverse (lower is
// better): the lowest threshold the value stays at or under.
pub(super) fn tiered(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame<'_>,
    zh: bool,
    s: Arg<'_>,
    bands: Arg<'_>,
    reverse: bool,
) -> RhaiResult<f64> {
    let helper = if reverse { "tiered_reverse" } else { "tiered" };
    let s = subject(pos, table, f.values, zh, s, helper)?;
    let bad = || {
        fail(
            pos,
            zh,
            cat!(helper, "() 的档位应为 [[门槛, 得分比例 0–1], …]"),
            cat!(helper, "(): bands are [[threshold, fraction 0–1], …]"),
        )
    };
    // A literal table was checked and sorted at compile time; a computed one is read here.
    let read;
    let parsed: &[(f64, f64)] = match bands.known {
        Known::Bands(b) => b,
        _ => match self::bands(bands.value, reverse) {
            Some(b) => {
                read = b;
                &read
            }
            None => return bad(),
        },
    };
    let hit = parsed
        .iter()
        .find(|(t, _)| {
            if reverse {
                s.value <= *t
            } else {
                s.value >= *t
            }
        })
        .copied();
    let p = f.leaf.points;
    Ok(match hit {
        Some((t, fr)) => {
            let score = p * fr;
            explain_band(f, &s, zh, reverse, t, fr, score);
            score
        }
        None => {
            let last = parsed.last().map_or(0.0, |b| b.0);
            explain_below_every_band(f, &s, zh, reverse, last);
            0.0
        }
    })
}

/// The band `t` the value reached, and its fraction `fr` of the points.
fn explain_band(
    f: &mut Frame<'_>,
    s: &Subject<'_>,
    zh: bool,
    reverse: bool,
    t: f64,
    fr: f64,
    score: f64,
) {
    let l = s.label(zh);
    let op = if reverse { "≤" } else { "≥" };
    let pct = || {
        text::Threshold(text::Value {
            v: fr,
            fmt: ValueFmt::Percent,
            unit: None,
        })
    };
    f.leaf.explain(|zh| {
        let w = if zh {
            ("，", "，得 ", " 分值，得分 ")
        } else {
            (" ", ": ", " of the points, ")
        };
        cat!(
            l,
            " ",
            s.show(),
            w.0,
            op,
            " ",
            s.show_t(t),
            w.1,
            pct(),
            w.2,
            pts(score)
        )
    });
    f.leaf.lost(score, |zh, lost| {
        let w = if zh {
            ("，处于 ", " 档，扣 ", " 分")
        } else {
            (" is in the ", " band: ", " points lost")
        };
        cat!(l, " ", s.show(), w.0, op, " ", s.show_t(t), w.1, lost, w.2)
    });
}

/// No band reached: the value is past the last one, `last`.
fn explain_below_every_band(
    f: &mut Frame<'_>,
    s: &Subject<'_>,
    zh: bool,
    reverse: bool,
    last: f64,
) {
    let l = s.label(zh);
    let word = if reverse {
        ("高于", "above")
    } else {
        ("低于", "below")
    };
    f.leaf.explain(|zh| {
        let w = if zh {
            ("，", word.0, "最低档门槛 ", "，不得分")
        } else {
            (" is ", word.1, " the last band ", ": 0 points")
        };
        cat!(l, " ", s.show(), w.0, w.1, w.2, s.show_t(last), w.3)
    });
    f.leaf.lost(0.0, |zh, lost| {
        let w = if zh {
            ("，", word.0, "，扣 ", " 分")
        } else {
            (" is ", word.1, ": ", " points lost")
        };
        cat!(
            l,
            " ",
            s.show(),
            w.0,
            w.1,
            " ",
            s.show_t(last),
            w.2,
            lost,
            w.3
        )
    });
}
