//! The steps of [`Engine::evaluate_into`]: KPIs, leaves, parents, the rest of the scorecard,
//! and the working lists an evaluation reuses.
use super::*;

impl Engine {
    /// KPIs in dependency order: each natively when it can, else in Rhai, kept as printed;
    /// one that cannot be computed fails with its reason, and so does every KPI that uses it.
    pub(super) fn compute_kpis(
        &self,
        scratch: &mut Scratch,
        scope: &mut Option<Scope<'static>>,
        native_paths: bool,
    ) {
        let c = &*self.inner;
        let Scratch {
            values,
            leaf,
            done,
            kpi_state,
            ..
        } = scratch;
        for k in &c.kpis {
            let missing = k
                .inputs
                .iter()
                .any(|&i| values[i].as_ref().is_none_or(|v| !v.readable_whole()));
            let failed = k
                .kpis
                .iter()
                .find(|&&m| matches!(kpi_state[m], KpiState::Failed(_)));
            let state = if let Some(&m) = failed {
                kpi_state[m].clone()
            } else if missing {
                KpiState::Missing
            } else {
                let native = k.native.as_ref().filter(|_| native_paths).map(|p| {
                    let frame = Frame {
                        table: &c.table,
                        values,
                        leaf: &mut *leaf,
                    };
                    p.score(frame, 0.0)
                });
                // A number, or the result that is not one (as in `run_leaf`).
                let result: Result<Result<f64, Dynamic>, _> = match native {
                    Some(Ok(v)) => Ok(Ok(v)),
                    Some(Err(Stop::Failed(e))) => Err(e),
                    None | Some(Err(Stop::Abandon)) => {
                        let scope = lazy_scope(scope, c, values, done);
                        c.run_in_rhai(scope, &k.ast, values, leaf)
                            .map(|d| number(&d).ok_or(d))
                    }
                };
                match result {
                    // Kept as printed, so scripts, helpers and texts see one number.
                    Ok(Ok(v)) if v.is_finite() => KpiState::Value(crate::text::as_printed(v)),
                    Ok(Ok(_)) => KpiState::Failed(Box::new(self.kpi_problem(
                        k,
                        "计算结果不是有限数（可能除以了 0）",
                        "the result is not a finite number (division by zero?)",
                        None,
                    ))),
                    Ok(Err(d)) => KpiState::Failed(Box::new(self.kpi_problem(
                        k,
                        &format!("计算结果应为数字，实际为 {}", d.type_name()),
                        &format!("the result must be a number, got {}", d.type_name()),
                        None,
                    ))),
                    Err(e) => {
                        let (zh, en, pos) = describe_eval_error(&e);
                        KpiState::Failed(Box::new(self.kpi_problem(k, &zh, &en, pos.0)))
                    }
                }
            };
            if let KpiState::Value(v) = state {
                values[k.metric] = Some(Val::Num(v));
            }
            done[k.metric] = true;
            if let Some(scope) = scope.as_mut() {
                scope.push_constant_dynamic(
                    &*c.table.metas[k.metric].id,
                    values[k.metric].as_ref().map_or(Dynamic::UNIT, to_dynamic),
                );
            }
            kpi_state[k.metric] = state;
        }
        // KPIs left out by a compile problem never reach here; every KPI is done now.
        done.fill(true);
    }

    /// Every node's result, blank: N/A where `points` says so. A reused scorecard's results
    /// are reset field by field, keeping their allocations.
    pub(super) fn prepare_results(
        &self,
        results: &mut Vec<IndicatorScore>,
        points: &[Option<NodePoints>],
        submission: &Submission,
    ) {
        let c = &*self.inner;
        // Every node's result, filled in place: leaves first, then parents bottom-up. A
        // reused scorecard's results are reset field by field, keeping their allocations.
        if results.is_empty() {
            *results = (0..c.nodes.len())
                .map(|ni| self.blank_result(ni, points[ni].map(|p| p.decimal), submission))
                .collect();
        } else {
            results.truncate(c.nodes.len());
            for (ni, out) in results.iter_mut().enumerate() {
                self.reset_result(out, ni, points[ni].map(|p| p.decimal), submission);
            }
            results.extend(
                (results.len()..c.nodes.len())
                    .map(|ni| self.blank_result(ni, points[ni].map(|p| p.decimal), submission)),
            );
        }
    }

    /// Every leaf: N/A, unscored for a missing input or failed KPI (named in the text), or
    /// run — natively when it can, else in Rhai.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn score_leaves(
        &self,
        results: &mut [IndicatorScore],
        points: &[Option<NodePoints>],
        scratch: &mut Scratch,
        scope: &mut Option<Scope<'static>>,
        bad_inputs: &[usize],
        options: EvalOptions,
        native_paths: bool,
    ) {
        let c = &*self.inner;
        for (ni, node) in c.nodes.iter().enumerate() {
            let Some(leaf) = &node.leaf else { continue };
            let out = &mut results[ni];
            match points[ni] {
                None => out.status = Status::NotApplicable,
                Some(p) => {
                    let values = &scratch.values;
                    // A table with a bad cell counts as missing (invalid) where a read of the
                    // leaf takes the bad cell's row (see `TableVal`).
                    let mut missing: Vec<usize> = Vec::new();
                    for &i in &leaf.inputs {
                        let waits = match &values[i] {
                            None => true,
                            Some(Val::Table(t)) => t.holds_up(i, &leaf.by_rows),
                            Some(_) => false,
                        };
                        if waits {
                            missing.push(i);
                        }
                    }
                    let failed_kpi = leaf.kpis.iter().find_map(|&m| match &scratch.kpi_state[m] {
                        KpiState::Failed(pr) => Some(pr.clone()),
                        _ => None,
                    });
                    if let Some(pr) = failed_kpi {
                        out.status = Status::Error;
                        out.error = Some(pr);
                    } else if !missing.is_empty() {
                        self.mark_missing(out, &missing, bad_inputs, options.lang);
                    } else {
                        // Every scored node's score in hundredths, where it has one: parents
                        // add these up in integers rather than in `Decimal`.
                        scratch.cents[ni] =
                            self.run_leaf(leaf, ni, p, options, out, scratch, scope, native_paths);
                    }
                }
            }
            if options.trace && out.status != Status::NotApplicable {
                for &m in &leaf.reads {
                    let value = scratch.values[m]
                        .as_ref()
                        .map_or(serde_json::Value::Null, val_json);
                    out.reads.insert(c.table.metas[m].id.clone(), value);
                }
            }
        }
    }

    /// A leaf left unscored for its `missing` inputs, each named (and said to be invalid
    /// where it was filled in wrongly).
    fn mark_missing(
        &self,
        out: &mut IndicatorScore,
        missing: &[usize],
        bad_inputs: &[usize],
        lang: Lang,
    ) {
        let c = &*self.inner;
        out.status = Status::Unscored;
        out.missing = missing
            .iter()
            .map(|&i| c.table.metas[i].id.clone())
            .collect();
        let labels: Vec<String> = missing
            .iter()
            .map(|&i| {
                let m = &c.table.metas[i];
                let why = if bad_inputs.contains(&i) {
                    if lang == Lang::Zh {
                        "（填写有误）"
                    } else {
                        " (invalid)"
                    }
                } else {
                    ""
                };
                let label = match lang {
                    Lang::Zh => &m.label,
                    Lang::En => m.label_en.as_ref().unwrap_or(&m.label),
                };
                format!("{label}{why}")
            })
            .collect();
        out.explanation = Some(match lang {
            Lang::Zh => format!("未评分：缺少 {}", labels.join("、")),
            Lang::En => format!("not scored: missing {}", labels.join(", ")),
        });
    }

    /// Parents, bottom-up: each the sum of its children as printed (in hundredths while every
    /// scored child has them), with the status their children give it.
    pub(super) fn sum_parents(
        nodes: &[Node],
        results: &mut [IndicatorScore],
        points: &[Option<NodePoints>],
        cents: &mut [Option<i64>],
    ) {
        // Parents, bottom-up: children come after their parent in `nodes`.
        for ni in (0..nodes.len()).rev() {
            let node = &nodes[ni];
            if node.leaf.is_some() {
                continue;
            }
            let kids = || node.children.iter().map(|&k| &results[k]);
            // In hundredths while every scored child has them, else in `Decimal`.
            let mut any = false;
            let mut sum_cents: Option<i64> = Some(0);
            for &k in &node.children {
                if results[k].score.is_some() {
                    any = true;
                    sum_cents = sum_cents.zip(cents[k]).and_then(|(a, b)| a.checked_add(b));
                }
            }
            let sum: Option<Decimal> = match (any, sum_cents) {
                (false, _) => None,
                (true, Some(s)) => Some(decimal_of_cents(s)),
                (true, None) => Some(kids().filter_map(|k| k.score).sum()),
            };
            let all_na = kids().all(|k| k.status == Status::NotApplicable);
            let all_done =
                kids().all(|k| matches!(k.status, Status::Scored | Status::NotApplicable));
            let status = if all_na || points[ni].is_none() {
                Status::NotApplicable
            } else if all_done {
                Status::Scored
            } else if sum.is_some() {
                Status::Partial
            } else if kids().any(|k| k.status == Status::Error) {
                Status::Error
            } else {
                Status::Unscored
            };
            let out = &mut results[ni];
            out.status = status;
            if status != Status::NotApplicable
                && let Some(sum) = sum
            {
                // Normalized like the leaves (`69.6`, not `69.60`) so a table prints alike.
                match (sum_cents, points[ni].and_then(|p| p.cents)) {
                    (Some(s), Some(p)) => {
                        out.score = Some(sum);
                        out.attainment = attainment_of_cents(s, p);
                        cents[ni] = Some(s);
                    }
                    _ => {
                        let sum = sum.normalize();
                        out.score = Some(sum);
                        out.attainment = attainment(sum, out.points);
                    }
                }
            }
        }
    }

    /// The dimensions, the total (rescaled when N/A points were excluded), completeness,
    /// the grade and the KPI values: the rest of the scorecard.
    pub(super) fn finish_card(
        &self,
        card: &mut Scorecard,
        points: &[Option<NodePoints>],
        kpi_state: &[KpiState],
        submission: &Submission,
        options: EvalOptions,
    ) {
        let c = &*self.inner;
        let indicators = &card.indicators;
        card.dimensions.clear();
        card.dimensions.extend(c.roots.iter().map(|&r| {
            let i = &indicators[r];
            DimensionScore {
                id: i.id.clone(),
                label: i.label.clone(),
                label_en: i.label_en.clone(),
                points: i.points,
                score: i.score.unwrap_or_default(),
                attainment: i.attainment,
                status: i.status,
            }
        }));
        let raw_total: Decimal = card
            .dimensions
            .iter()
            .map(|d| d.score)
            .sum::<Decimal>()
            .normalize();
        let max_points: Decimal = c
            .roots
            .iter()
            .filter_map(|&r| points[r].map(|p| p.decimal))
            .sum();
        let declared = c.declared_total;
        let total = if max_points.is_zero() || max_points == declared {
            raw_total
        } else {
            (raw_total * declared / max_points)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                .normalize()
        };
        let complete = indicators
            .iter()
            .filter(|i| i.leaf)
            .all(|i| matches!(i.status, Status::Scored | Status::NotApplicable))
            && !max_points.is_zero();
        let grade = complete.then(|| self.grade_of(total));
        card.kpis.clear();
        card.kpis.extend(c.kpis.iter().map(|k| {
            let meta = &c.table.metas[k.metric];
            let value = match kpi_state[k.metric] {
                KpiState::Value(v) => Some(v),
                _ => None,
            };
            KpiValue {
                id: meta.id.clone(),
                label: match (options.lang, &meta.label_en) {
                    (Lang::En, Some(en)) => en.clone(),
                    _ => meta.label.clone(),
                },
                value,
                // Printed form for people; bulk runs (trace off) skip the formatting.
                display: value
                    .filter(|_| options.trace)
                    .map(|v| format_value(v, meta.fmt, meta.unit.as_deref())),
            }
        }));
        card.rulebook.clone_from(&c.reference);
        card.engine_version = Text::Borrowed(ENGINE_VERSION);
        card.project.clone_from(&submission.project);
        card.evidence.clone_from(&submission.evidence);
        card.experts.clone_from(&submission.experts);
        card.total = total;
        card.raw_total = raw_total;
        card.max_points = max_points;
        card.grade = grade;
        card.complete = complete;
    }

    pub(super) fn grade_of(&self, total: Decimal) -> Grade {
        let bands = &self.inner.grade_bands;
        bands
            .iter()
            .find(|(min, _)| total >= *min)
            .or(bands.last())
            .map_or(
                Grade {
                    label: Text::Borrowed(""),
                    label_en: None,
                },
                |(_, grade)| grade.clone(),
            )
    }

    /// Run one leaf's script — its helper call or program natively where it has one and
    /// `native_paths` allows, else (or when the native run abandons) in Rhai — and write its
    /// score, or the error that stopped it, into `out`. Its score in hundredths, if any.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_leaf(
        &self,
        leaf: &Leaf,
        ni: usize,
        points: NodePoints,
        options: EvalOptions,
        out: &mut IndicatorScore,
        scratch: &mut Scratch,
        scope: &mut Option<Scope<'static>>,
        native_paths: bool,
    ) -> Option<i64> {
        let c = &*self.inner;
        let p = points.float;
        let Scratch {
            values,
            leaf: state,
            done,
            ..
        } = scratch;
        state.reset(p, options.trace, options.lang);
        let frame = |state| Frame {
            table: &c.table,
            values,
            leaf: state,
        };
        // The score, or the script's result that is not a number (a rule error below): a
        // native number never becomes a `Dynamic` only to be read back.
        let native = match &leaf.native {
            Some(program) if native_paths => match program.score(frame(&mut *state), p) {
                Ok(score) => Some(Ok(score)),
                Err(Stop::Failed(error)) => Some(Err(error)),
                Err(Stop::Abandon) => None,
            },
            _ => None,
        };
        let result: Result<Result<f64, Dynamic>, _> = match native {
            Some(result) => result.map(Ok),
            None => {
                // Rhai decides from a clean slate (an abandoned native run may have recorded).
                state.reset(p, options.trace, options.lang);
                let scope = lazy_scope(scope, c, values, done);
                let base = scope.len();
                scope.push_constant("points", p);
                let result = c.run_in_rhai(scope, &leaf.ast, values, state);
                scope.rewind(base);
                result.map(|d| number(&d).ok_or(d))
            }
        };
        // The findings change places with the result's (empty) list: a reused scorecard's
        // lists go round as the leaf state's buffer instead of being freed and grown again.
        std::mem::swap(&mut out.findings, &mut state.findings);
        let explanation = std::mem::take(&mut state.explanation);
        let flag = state.flag.take();
        let overflow = state.overflow;
        // A script that recorded past the limits (through helpers that cannot stop it, such
        // as `deduct`) fails like any other sandbox limit.
        let result = match result {
            Ok(_) if overflow => Err(EvalAltResult::ErrorDataTooLarge(
                crate::helpers::RECORDED_TEXT.into(),
                rhai::Position::NONE,
            )
            .into()),
            other => other,
        };
        let id = &c.rulebook.spec().indicators[c.nodes[ni].spec_index].id;
        let rule_error = |code: ProblemCode, zh: String, en: String| {
            let p = Problem::new(code, zh, en)
                .indicator(id)
                .field("script")
                .at(leaf.code_line.first(), None);
            match &leaf.file {
                Some(file) => p.file(file.clone()),
                None => p,
            }
        };
        let score = match result {
            Err(e) => {
                let (zh, en, (line, col)) = describe_eval_error(&e);
                let code = limit_code(&e);
                let mut pr = Problem::new(code, zh, en).indicator(id).field("script");
                if let Some(l) = line {
                    pr = pr.at(Some(leaf.code_line.map(l)), col);
                }
                if let Some(file) = &leaf.file {
                    pr = pr.file(file.clone());
                }
                Err(pr)
            }
            Ok(Err(d)) => Err(rule_error(
                ProblemCode::ResultWrongType,
                format!("评分脚本应返回分数（数字），实际返回 {}", d.type_name()),
                format!(
                    "the scoring script must return a score (a number), it returned {}",
                    d.type_name()
                ),
            )),
            Ok(Ok(s)) => match s {
                s if !s.is_finite() => Err(rule_error(
                    ProblemCode::ResultNotFinite,
                    format!("评分脚本返回了非有限数 {s}"),
                    format!("the scoring script returned the non-finite value {s}"),
                )),
                // The score as it is, not rounded to two places: 50.004 on 50 points once
                // read "score 50 is outside [0, 50]".
                s if s < -1e-9 || s > p + 1e-9 => Err(rule_error(
                    ProblemCode::ResultOutOfRange,
                    format!("得分 {s} 超出 [0, {}] 分的范围", fmt_pts(p)),
                    format!("score {s} is outside [0, {}] points", fmt_pts(p)),
                )),
                s => Ok(s.clamp(0.0, p)),
            },
        };
        out.flag = flag;
        match score {
            Ok(s) => {
                let (s, s_cents, attained) = leaf_score(s, points.decimal, points.cents);
                out.status = Status::Scored;
                out.score = Some(s);
                out.attainment = attained;
                if options.trace {
                    out.explanation = Some(if explanation.is_empty() {
                        default_explanation(options.lang, s.to_f64().unwrap_or(0.0))
                    } else {
                        explanation.join(if options.lang == Lang::Zh {
                            "；"
                        } else {
                            "; "
                        })
                    });
                }
                s_cents
            }
            Err(pr) => {
                out.status = Status::Error;
                out.error = Some(Box::new(pr));
                None
            }
        }
    }

    /// [`Engine::blank_result`] written over a reused result, every field assigned; its
    /// findings, missing list and trace keep their allocations.
    pub(super) fn reset_result(
        &self,
        out: &mut IndicatorScore,
        ni: usize,
        points: Option<Decimal>,
        submission: &Submission,
    ) {
        let node = &self.inner.nodes[ni];
        out.id = node.id.clone();
        out.parent = node.parent_id.clone();
        out.level = node.level;
        out.leaf = node.leaf.is_some();
        out.label = node.label.clone();
        out.label_en = node.label_en.clone();
        out.points = points.unwrap_or(node.declared);
        out.score = None;
        out.attainment = None;
        out.status = Status::Unscored;
        out.criteria = node.criteria.clone();
        out.explanation = None;
        out.findings.clear();
        out.flag = None;
        out.missing.clear();
        out.error = None;
        out.note = if submission.notes.is_empty() {
            None
        } else {
            submission.notes.get(&*node.id).cloned()
        };
        // `BTreeMap::clear` on an empty map still walks a drop iterator, and trace is usually
        // off (measured: evaluate_into on bench40 −2.8k instructions of 89k with this check).
        if !out.reads.is_empty() {
            out.reads.clear();
        }
    }

    /// A node's result before scoring. Inlined into the loops that collect it, so each result
    /// is written in place rather than built aside and copied (it is large; measured: +3k
    /// instructions per evaluation without).
    #[inline(always)]
    pub(super) fn blank_result(
        &self,
        ni: usize,
        points: Option<Decimal>,
        submission: &Submission,
    ) -> IndicatorScore {
        let c = &*self.inner;
        let node = &c.nodes[ni];
        IndicatorScore {
            id: node.id.clone(),
            parent: node.parent_id.clone(),
            level: node.level,
            leaf: node.leaf.is_some(),
            label: node.label.clone(),
            label_en: node.label_en.clone(),
            points: points.unwrap_or(node.declared),
            score: None,
            attainment: None,
            status: Status::Unscored,
            criteria: node.criteria.clone(),
            explanation: None,
            findings: Vec::new(),
            flag: None,
            missing: Vec::new(),
            error: None,
            note: if submission.notes.is_empty() {
                None
            } else {
                submission.notes.get(&*node.id).cloned()
            },
            reads: BTreeMap::new(),
        }
    }

    pub(super) fn kpi_problem(
        &self,
        k: &CompiledKpi,
        zh: &str,
        en: &str,
        line: Option<u32>,
    ) -> Problem {
        let c = &*self.inner;
        let spec = &c.rulebook.spec().kpis[k.spec_index];
        let code = c.rulebook.source.kpi(k.spec_index).code;
        // Without a TOML source (JSON rulebooks) there is no line to name.
        let line = code.first().and_then(|_| code.at(line));
        Problem::new(
            ProblemCode::KpiError,
            format!("绩效指标 {}（{}）计算失败：{zh}", spec.label, spec.id),
            format!(
                "KPI {} ({}) failed: {en}",
                spec.label_en.as_deref().unwrap_or(&spec.label),
                spec.id
            ),
        )
        .kpi(&spec.id)
        .field("expr")
        .at(line, None)
    }

    /// Checked values by metric index (`None` = missing or invalid; the KPI slots after the
    /// inputs start empty), and the invalid inputs.
    pub(super) fn check_values(
        &self,
        submission: &Submission,
        problems: &mut Vec<Problem>,
        values: &mut Vec<Option<Val>>,
    ) -> Vec<usize> {
        let c = &*self.inner;
        let spec = c.rulebook.spec();
        // Every slot is written below (each input checked or `None`, the KPIs `None`),
        // replacing what the last evaluation left in it.
        values.resize(c.table.metas.len(), None);
        values.truncate(c.table.metas.len());
        for slot in &mut values[c.n_inputs..] {
            *slot = None;
        }
        // In input order, like their problems; few, so a search of them is cheap.
        let mut bad = Vec::new();
        // Both sides sorted by id: one merge walk pairs every submitted value with its
        // input (no hashing or tree search per value on this hot path), one comparison
        // per pair.
        let mut submitted = submission.values.iter();
        let mut next = submitted.next();
        let mut unknown = Vec::new();
        // Kept in input order (the rulebook's, as the form lists them) as they arrive in id
        // order: an insertion per bad value, of which there are few.
        let mut value_problems: Vec<(usize, Problem)> = Vec::new();
        for &(ref id, i) in &c.inputs_by_id {
            let raw = loop {
                let Some((key, raw)) = next else { break None };
                match cmp_ids(key, id) {
                    std::cmp::Ordering::Less => unknown.push(key),
                    std::cmp::Ordering::Equal => {
                        next = submitted.next();
                        break Some(raw);
                    }
                    std::cmp::Ordering::Greater => break None,
                }
                next = submitted.next();
            };
            let Some(raw) = raw else {
                values[i] = None;
                continue;
            };
            let problem = match check_input(&spec.inputs[i], raw, &c.grade_checks[i]) {
                // A table with bad cells: reported like any bad value, and its rows kept for
                // the indicators that read only good ones.
                Ok(v) => {
                    let problem = match &v {
                        Some(Val::Table(t)) => t.problem(&spec.inputs[i]),
                        _ => None,
                    };
                    values[i] = v;
                    problem
                }
                Err(p) => {
                    values[i] = None;
                    Some(p)
                }
            };
            if let Some(p) = problem {
                let at = value_problems.partition_point(|(j, _)| *j < i);
                value_problems.insert(at, (i, p));
                bad.insert(at, i);
            }
        }
        unknown.extend(next.into_iter().chain(submitted).map(|(key, _)| key));
        for key in unknown {
            {
                // A hostile key may be megabytes long: quoted cut, everywhere.
                let key = crate::error::quoted(key);
                problems.push(
                    Problem::new(
                        ProblemCode::UnknownInput,
                        format!("评价方案中没有数据项 “{key}”"),
                        format!("the rulebook has no input “{key}”"),
                    )
                    .input(key.clone())
                    .field(format!("values.{key}")),
                );
            }
        }
        problems.extend(value_problems.into_iter().map(|(_, p)| p));
        bad
    }
}

/// What one evaluation works in: the values by metric, the leaf state the helpers record
/// into, and the lists that follow KPIs and scores. Taken from the engine's pool
/// ([`ScratchPool`]) for one evaluation and given back after, so its allocations serve the
/// next one (allocating and freeing them for every project cost ≈ 1.5k instructions of
/// ~105k); nothing in it outlives an evaluation's meaning.
#[derive(Default)]
pub(super) struct Scratch {
    /// Values by metric: the checked inputs, then KPIs as they are computed (an input's
    /// entry never changes, so it also says which inputs are missing).
    pub(super) values: Vec<Option<Val>>,
    /// The findings, explanation and flag of the leaf (or KPI) being scored.
    pub(super) leaf: LeafState,
    /// Which metrics have a value a script may read (inputs from the start, KPIs once run).
    pub(super) done: Vec<bool>,
    pub(super) kpi_state: Vec<KpiState>,
    /// Each node's score in hundredths, where it has one.
    pub(super) cents: Vec<Option<i64>>,
}

impl Scratch {
    /// The lists for an engine of `metrics` metrics (the first `inputs` of them inputs, done
    /// from the start) and `nodes` nodes, as if new. `values` is written by `check_values`.
    pub(super) fn reset(&mut self, metrics: usize, inputs: usize, nodes: usize) {
        self.done.clear();
        self.done.resize(metrics, false);
        self.done[..inputs].fill(true);
        self.kpi_state.clear();
        self.kpi_state.resize(metrics, KpiState::Missing);
        self.cents.clear();
        self.cents.resize(nodes, None);
    }
}

/// An engine's scratch values not in use, one per evaluation that ran at the same time.
#[derive(Default)]
pub(super) struct ScratchPool(std::sync::Mutex<Vec<Scratch>>);

impl ScratchPool {
    pub(super) fn take(&self) -> Scratch {
        self.lock().pop().unwrap_or_default()
    }
    pub(super) fn give_back(&self, scratch: Scratch) {
        self.lock().push(scratch);
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Scratch>> {
        // Nothing panics while holding the lock (a pop or a push); a poisoned pool is as good.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The Rhai scope, built on first use from the inputs and the KPIs finished so far.
pub(super) fn lazy_scope<'s>(
    scope: &'s mut Option<Scope<'static>>,
    c: &Compiled,
    values: &[Option<Val>],
    done: &[bool],
) -> &'s mut Scope<'static> {
    scope.get_or_insert_with(|| {
        let mut s = Scope::with_capacity(c.table.metas.len() + 1);
        for ((meta, v), _) in c
            .table
            .metas
            .iter()
            .zip(values)
            .zip(done)
            .filter(|(_, d)| **d)
        {
            s.push_constant_dynamic(&*meta.id, v.as_ref().map_or(Dynamic::UNIT, to_dynamic));
        }
        s
    })
}

#[derive(Debug, Clone)]
pub(super) enum KpiState {
    Missing,
    Value(f64),
    Failed(Box<Problem>),
}

pub(super) fn number(d: &Dynamic) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    d.as_float()
        .ok()
        .or_else(|| d.as_int().ok().map(|i| i as f64))
}

/// A value as the script saw it (percent inputs and KPIs as fractions: 99.5 % is 0.995),
/// so the trace explains the script's arithmetic.
pub(super) fn val_json(v: &Val) -> serde_json::Value {
    match v {
        Val::Num(n) => serde_json::Number::from_f64((*n * 1e6).round() / 1e6)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Val::Int(i) => serde_json::Value::from(*i),
        Val::Bool(b) => serde_json::Value::Bool(*b),
        Val::Text(s) => serde_json::Value::String(s.to_string()),
        Val::Grade { labels, .. } => match labels.as_slice() {
            [one] => serde_json::Value::from(one.as_ref()),
            // An expert who has not graded this item: null in the expert's place.
            many => serde_json::Value::Array(
                many.iter()
                    .map(|l| match l.as_ref() {
                        "" => serde_json::Value::Null,
                        l => serde_json::Value::from(l),
                    })
                    .collect(),
            ),
        },
        Val::Table(t) => crate::submission::table::rows_json(&t.rows, val_json),
    }
}
