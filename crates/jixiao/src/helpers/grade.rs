use super::*;

// grade(subject): 专家评级 — the (aggregated) grade's fraction of the points, with the
// individual grades in the explanation and a finding when experts disagree by ≥ 2 levels.
pub(super) fn grade(
    pos: Position,
    table: &MetricTable,
    f: &mut Frame<'_>,
    zh: bool,
    s: Arg<'_>,
) -> RhaiResult<f64> {
    let (idx, meta) = metric(pos, table, zh, s, "grade")?;
    let l = label_of(meta, zh);
    // The values are borrowed apart from the leaf state the texts go to (no copy of the
    // labels: several grades are a vector).
    let values = f.values;
    let (grade_labels, fraction) = match values.get(idx).and_then(Option::as_ref) {
        Some(Val::Grade { labels, fraction }) => (labels, *fraction),
        Some(_) => {
            return fail(
                pos,
                zh,
                cat!("grade() 需要专家评级数据项，", l, " 不是"),
                cat!("grade() needs an expert-grade input; ", l, " is not one"),
            );
        }
        None => {
            return fail(pos, zh, cat!(l, " 未填写"), cat!(l, " is not filled in"));
        }
    };
    let p = f.leaf.points;
    let score = p * fraction;
    let all = grade_labels.as_slice();
    // Experts of the panel who have not graded this item hold empty places (see
    // `check_grade`): the texts name the grades given.
    let given_only: smallvec::SmallVec<[Text; 8]>;
    let labels: &[Text] = if all.iter().any(|l| l.is_empty()) {
        given_only = all.iter().filter(|l| !l.is_empty()).cloned().collect();
        &given_only
    } else {
        all
    };
    let pending = all.len() - labels.len();
    let joined = || text::Joined(labels, "、");
    // A combined grade is a mean: at most two decimals of a percent (86.67%, 80%).
    let pct = || percent_trimmed(fraction);
    if labels.len() == 1 {
        f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " 专家评级为 ",
                    joined(),
                    "，得 ",
                    pct(),
                    " 分值，得分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    ": expert grade ",
                    joined(),
                    ", ",
                    pct(),
                    " of the points: ",
                    pts(score)
                )
            }
        });
    } else {
        let n = labels.len();
        f.leaf.explain(|zh| {
            if zh {
                cat!(
                    l,
                    " ",
                    n,
                    " 位专家评级 ",
                    joined(),
                    "，综合 ",
                    pct(),
                    "，得分 ",
                    pts(score)
                )
            } else {
                cat!(
                    l,
                    ": ",
                    n,
                    " experts graded ",
                    joined(),
                    ", combined ",
                    pct(),
                    ": ",
                    pts(score)
                )
            }
        });
    }
    f.leaf.lost(score, |zh, lost| {
        if zh {
            cat!(l, " 专家评级 ", joined(), "，扣 ", lost, " 分")
        } else {
            cat!(l, ": expert grade ", joined(), ", ", lost, " points lost")
        }
    });
    if pending > 0 {
        not_yet_graded(f, l, pending, labels.len());
    }
    disagreement(f, table, idx, l, labels);
    Ok(score)
}

/// The finding for experts of the panel who have not graded the item yet: the score stands on
/// the `given` grades, which the evaluator should know before the report goes out.
fn not_yet_graded(f: &mut Frame<'_>, l: &str, pending: usize, given: usize) {
    f.leaf.find(
        |zh| {
            if zh {
                cat!(
                    l,
                    " 尚有 ",
                    pending,
                    " 位专家未评级（按已评的 ",
                    given,
                    " 位计分）"
                )
            } else {
                cat!(
                    l,
                    ": ",
                    pending,
                    " experts have not graded yet (scored on the ",
                    given,
                    " who have)"
                )
            }
        },
        None,
    );
}

/// The finding where two experts are two or more levels apart (e.g. 优 and 中).
fn disagreement(f: &mut Frame<'_>, table: &MetricTable, idx: usize, l: &str, labels: &[Text]) {
    if let Some(scale) = table.grade_scales.get(&idx) {
        let ranks = labels
            .iter()
            .filter_map(|x| scale.iter().position(|y| y == x));
        let (lo, hi) = ranks.fold((usize::MAX, 0), |(lo, hi), r| (lo.min(r), hi.max(r)));
        if lo != usize::MAX && hi - lo >= 2 {
            let (a, b) = (&scale[lo], &scale[hi]);
            f.leaf.find(
                |zh| {
                    if zh {
                        cat!(l, " 专家意见分歧较大（", a, "—", b, "），建议复核")
                    } else {
                        cat!(
                            l,
                            ": experts disagree widely (",
                            a,
                            "–",
                            b,
                            "); review advised"
                        )
                    }
                },
                None,
            );
        }
    }
}
