//! Not applicable (不适用): which indicators a submission marks, and the points every node
//! carries once N/A points are excluded (`rescale`) or given to their siblings
//! (`redistribute`).
use super::*;

impl Engine {
    /// Which nodes the submission marks N/A (children inherit), reporting bad marks; empty
    /// when it marks none (most submissions: no allocation, no walk of the nodes).
    pub(super) fn check_na(
        &self,
        submission: &Submission,
        problems: &mut Vec<Problem>,
    ) -> Vec<bool> {
        let c = &*self.inner;
        let spec = c.rulebook.spec();
        let mut na = Vec::new();
        for id in &submission.not_applicable {
            match c.node_index.get(id) {
                None => problems.push(
                    Problem::new(
                        ProblemCode::UnknownIndicator,
                        format!("不适用清单中的指标 “{id}” 不存在"),
                        format!("the not-applicable list names the unknown indicator “{id}”"),
                    )
                    .indicator(id.clone())
                    .field("not_applicable"),
                ),
                Some(&ni) if !spec.indicators[c.nodes[ni].spec_index].allow_na => problems.push(
                    Problem::new(
                        ProblemCode::NaNotAllowed,
                        format!("指标 {id} 不允许标为不适用（评价方案未设 allow_na）"),
                        format!("indicator {id} may not be marked not applicable (the rulebook does not set allow_na)"),
                    )
                    .indicator(id.clone())
                    .field("not_applicable"),
                ),
                Some(&ni) => {
                    na.resize(c.nodes.len(), false);
                    na[ni] = true;
                }
            }
        }
        // Notes and evidence name indicators too: one the rulebook does not have is named.
        let notes = submission
            .notes
            .keys()
            .map(|id| ("notes", "备注", "a note", id));
        let evidence =
            (submission.evidence.keys()).map(|id| ("evidence", "佐证材料", "evidence", id));
        for (field, zh, en, id) in notes.chain(evidence) {
            if !c.node_index.contains_key(id) {
                problems.push(
                    Problem::new(
                        ProblemCode::UnknownIndicator,
                        format!("{zh}所属的指标 “{id}” 不存在"),
                        format!("{en} is attached to the unknown indicator “{id}”"),
                    )
                    .indicator(id.clone())
                    .field(field),
                );
            }
        }
        // A submission made for another rulebook: its values would be read against inputs they
        // were not written for.
        if let Some(tag) = &submission.rulebook
            && tag.id != spec.id
        {
            problems.push(
                Problem::new(
                    ProblemCode::WrongRulebook,
                    format!(
                        "填报数据属于评价方案 “{}”，不能按评价方案 “{}” 评分",
                        tag.id, spec.id
                    ),
                    format!(
                        "the submission was made for the rulebook “{}”, not “{}”",
                        tag.id, spec.id
                    ),
                )
                .field("rulebook"),
            );
        }
        // The panel is named here with the other fields beside the values: more names than
        // a grade may have could never be matched to grades.
        if submission.experts.len() > crate::limits::MAX_EXPERTS {
            problems.push(
                Problem::new(
                    ProblemCode::LimitExceeded,
                    format!(
                        "专家名单有 {} 人，超过上限 {} 人",
                        submission.experts.len(),
                        crate::limits::MAX_EXPERTS
                    ),
                    format!(
                        "the panel names {} experts, more than the {} allowed",
                        submission.experts.len(),
                        crate::limits::MAX_EXPERTS
                    ),
                )
                .field("experts"),
            );
        }
        // Inherit downwards (parents precede children).
        for ni in 0..na.len() {
            if let Some(p) = c.nodes[ni].parent
                && na[p]
            {
                na[ni] = true;
            }
        }
        na
    }

    /// Points each node carries in this scorecard; `None` for N/A nodes.
    pub(super) fn effective_points(&self, na_marked: &[bool]) -> Cow<'_, [Option<NodePoints>]> {
        let c = &*self.inner;
        // Nothing marked (`na_marked` may then be empty), nothing N/A: a node is N/A only if
        // marked or through its children. Borrowed, not copied, on this common path.
        if !na_marked.contains(&true) {
            return Cow::Borrowed(&c.declared_points);
        }
        let n = c.nodes.len();
        // A node is N/A if marked, or if every child is.
        let mut na = na_marked.to_vec();
        for ni in (0..n).rev() {
            let node = &c.nodes[ni];
            if !node.children.is_empty() && node.children.iter().all(|&k| na[k]) {
                na[ni] = true;
            }
        }
        let declared: Vec<Decimal> = c.nodes.iter().map(|nd| nd.declared).collect();
        let mut out: Vec<Option<Decimal>> = vec![None; n];
        match c.rulebook.spec().na_policy {
            NaPolicy::Rescale => {
                for ni in (0..n).rev() {
                    if na[ni] {
                        continue;
                    }
                    let node = &c.nodes[ni];
                    out[ni] = if node.children.is_empty() {
                        Some(declared[ni])
                    } else {
                        Some(node.children.iter().filter_map(|&k| out[k]).sum())
                    };
                }
            }
            NaPolicy::Redistribute => {
                let share = |group: &[usize], total: Decimal, out: &mut Vec<Option<Decimal>>| {
                    let live: Vec<usize> = group.iter().copied().filter(|&k| !na[k]).collect();
                    for (k, v) in live.iter().zip(split(
                        total,
                        &live.iter().map(|&k| declared[k]).collect::<Vec<_>>(),
                    )) {
                        out[*k] = Some(v);
                    }
                };
                let total = points_decimal(c.rulebook.spec().total);
                share(&c.roots, total, &mut out);
                for ni in 0..n {
                    if let Some(p) = out[ni] {
                        let kids = c.nodes[ni].children.clone();
                        if !kids.is_empty() {
                            share(&kids, p, &mut out);
                        }
                    }
                }
            }
        }
        Cow::Owned(out.into_iter().map(|p| p.map(NodePoints::of)).collect())
    }
}

/// Split `total` in proportion to `weights`, to 2 decimals, so the parts add up exactly
/// (largest-remainder method).
pub(super) fn split(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().sum();
    if sum.is_zero() || weights.is_empty() {
        return vec![Decimal::ZERO; weights.len()];
    }
    let exact: Vec<Decimal> = weights.iter().map(|w| total * w / sum).collect();
    let mut parts: Vec<Decimal> = exact
        .iter()
        .map(|e| e.round_dp_with_strategy(2, RoundingStrategy::ToZero))
        .collect();
    let cent = Decimal::new(1, 2);
    let mut left = total - parts.iter().sum::<Decimal>();
    let order = crate::sorted_order(weights.len(), &mut |a, b| {
        (exact[b] - parts[b])
            .cmp(&(exact[a] - parts[a]))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(weights.len() * 100) {
        if left < cent {
            break;
        }
        parts[i] += cent;
        left -= cent;
    }
    parts.into_iter().map(|p| p.normalize()).collect()
}
