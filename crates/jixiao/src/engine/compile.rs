//! Compiling a rulebook once: every script parsed and checked, the KPI order, each leaf's
//! and KPI's native form where it has one, and what each leaf reads.
use super::*;
use crate::model::RulebookSpec;

/// Compile everything; `None` only if nothing at all could be built. The steps: the metric
/// table (inputs, then KPIs), the KPI expressions and their order, what each KPI needs, the
/// indicator tree with each leaf's script, and the figures every scorecard repeats.
pub(super) fn compile(rulebook: Rulebook, problems: &mut Vec<Problem>) -> Option<Compiled> {
    let spec = rulebook.spec().clone();
    let rhai = compiler();
    let (table, n_inputs) = metric_table(&spec);
    // Compile-time scope: names only. Values must not be constants here, or the optimizer
    // would fold the compile-time placeholders into the scripts.
    let mut names_scope = Scope::new();
    for m in &table.metas {
        names_scope.push_dynamic(&*m.id, Dynamic::UNIT);
    }
    // KPIs. `points` is not in scope yet: a KPI belongs to no indicator, so it has none.
    let kpi_asts = kpi_expressions(&rhai, &rulebook, &names_scope, &table, problems);
    names_scope.push_dynamic("points", Dynamic::UNIT);
    let order = kpi_order(&rulebook, n_inputs, &kpi_asts, problems);
    let needs = KpiNeeds::new(&spec, n_inputs, &order, &kpi_asts);
    let (nodes, roots) = indicator_tree(&rhai, &rulebook, &names_scope, &table, problems, &needs);
    let node_index: HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(ni, n)| (spec.indicators[n.spec_index].id.clone(), ni))
        .collect();
    let kpis: Vec<CompiledKpi> = order
        .iter()
        .filter_map(|&k| {
            let (ast, _) = kpi_asts[k].clone()?;
            Some(CompiledKpi {
                native: crate::native::program(&ast, &table),
                spec_index: k,
                metric: n_inputs + k,
                ast,
                inputs: needs.required_inputs(k),
                kpis: needs.kpis[k].clone(),
            })
        })
        .collect();
    if cfg!(feature = "compact") {
        refuse_rhai_only(&rulebook, &kpis, &nodes, problems);
    }
    let grades: Vec<GradeBand> = crate::sorted_order(spec.grades.len(), &mut |a, b| {
        spec.grades[b].min.total_cmp(&spec.grades[a].min)
    })
    .into_iter()
    .map(|i| spec.grades[i].clone())
    .collect();
    // Interned like the ids and labels: every scorecard repeats them.
    let reference = RulebookRef {
        id: intern(&spec.id),
        version: intern(&spec.version),
        hash: intern(&rulebook.content_hash()),
    };
    let grade_bands = grades
        .iter()
        .map(|g| {
            let grade = Grade {
                label: intern(&g.label),
                label_en: g.label_en.as_deref().map(intern),
            };
            (points_decimal(g.min), grade)
        })
        .collect();
    let declared_total = points_decimal(spec.total);
    let inputs_by_id = crate::sorted_order(n_inputs, &mut |a, b| {
        spec.inputs[a].id.cmp(&spec.inputs[b].id)
    })
    .into_iter()
    .map(|i| (table.metas[i].id.clone(), i))
    .collect();
    let grade_checks = spec
        .inputs
        .iter()
        .map(|input| match input.kind {
            InputType::Grade => GradeCheck::new(input),
            _ => GradeCheck::default(),
        })
        .collect();
    let declared_points = nodes
        .iter()
        .map(|nd| Some(NodePoints::of(nd.declared)))
        .collect();
    Some(Compiled {
        rulebook,
        reference,
        runner: std::sync::OnceLock::new(),
        scratch: ScratchPool::default(),
        table: Arc::new(table),
        n_inputs,
        inputs_by_id,
        grade_checks,
        declared_points,
        kpis,
        nodes,
        roots,
        grades,
        grade_bands,
        declared_total,
        node_index,
    })
}

/// Inputs, then KPIs: their ids, labels and how their values print.
fn metric_table(spec: &RulebookSpec) -> (MetricTable, usize) {
    let mut table = MetricTable::default();
    let mut add = |id: &str, label: &str, label_en: Option<&str>, fmt, unit: &Option<String>| {
        let idx = table.metas.len();
        table.by_name.entry(id.to_string()).or_insert(idx);
        table.metas.push(MetricMeta {
            id: intern(id),
            label: intern(label),
            label_en: label_en.map(intern),
            fmt,
            unit: unit.clone(),
        });
        idx
    };
    let mut grade_scales = HashMap::new();
    for input in &spec.inputs {
        let fmt = ValueFmt::of_input(input.kind);
        let idx = add(
            &input.id,
            &input.label,
            input.label_en.as_deref(),
            fmt,
            &input.unit,
        );
        if input.kind == InputType::Grade {
            let levels = grade_scale(input).iter().map(|l| l.label.clone()).collect();
            grade_scales.insert(idx, levels);
        }
    }
    let n_inputs = spec.inputs.len();
    for kpi in &spec.kpis {
        let fmt = ValueFmt::of_kpi(kpi.format);
        add(&kpi.id, &kpi.label, kpi.label_en.as_deref(), fmt, &kpi.unit);
    }
    table.grade_scales = grade_scales;
    (table, n_inputs)
}

/// Every KPI expression compiled, with the metrics it reads; `None` where it does not parse
/// (the problem says why).
fn kpi_expressions(
    rhai: &rhai::Engine,
    rulebook: &Rulebook,
    names_scope: &Scope,
    table: &MetricTable,
    problems: &mut Vec<Problem>,
) -> Vec<Option<(AST, Vec<usize>)>> {
    let spec = rulebook.spec();
    let mut kpi_asts: Vec<Option<(AST, Vec<usize>)>> = Vec::new();
    for (ki, kpi) in spec.kpis.iter().enumerate() {
        let code = rulebook.source.kpi(ki).code;
        match rhai.compile_expression_with_scope(names_scope, &kpi.expr) {
            Ok(ast) => {
                let (deps, _) = reads_of(&ast, table, problems, &code, |p| {
                    p.kpi(&kpi.id).field("expr").at(code.first(), None)
                });
                kpi_asts.push(Some((ast, deps)));
            }
            Err(e) => {
                problems.push(parse_problem(&e, &code).kpi(&kpi.id).field("expr"));
                kpi_asts.push(None);
            }
        }
    }
    kpi_asts
}

/// KPI order: depth-first topological sort, reporting each cycle with its path.
fn kpi_order(
    rulebook: &Rulebook,
    n_inputs: usize,
    kpi_asts: &[Option<(AST, Vec<usize>)>],
    problems: &mut Vec<Problem>,
) -> Vec<usize> {
    let spec = rulebook.spec();
    let mut order = Vec::new();
    let mut state = vec![0u8; spec.kpis.len()]; // 0 new, 1 visiting, 2 done
    let mut cycles = Vec::new();
    for k in 0..spec.kpis.len() {
        visit(
            k,
            n_inputs,
            kpi_asts,
            &mut state,
            &mut order,
            &mut Vec::new(),
            &mut cycles,
        );
    }
    for cyc in cycles {
        let names: Vec<&str> = cyc.iter().map(|&k| spec.kpis[k].id.as_str()).collect();
        let first = cyc[0];
        problems.push(
            Problem::new(
                ProblemCode::KpiCycle,
                format!("绩效指标循环依赖：{}", names.join(" → ")),
                format!(
                    "KPIs depend on each other in a cycle: {}",
                    names.join(" → ")
                ),
            )
            .kpi(&spec.kpis[first].id)
            .field("expr")
            .at(rulebook.source.kpi(first).code.first(), None),
        );
    }
    order
}

fn visit(
    k: usize,
    n_inputs: usize,
    asts: &[Option<(AST, Vec<usize>)>],
    state: &mut [u8],
    order: &mut Vec<usize>,
    path: &mut Vec<usize>,
    cycles: &mut Vec<Vec<usize>>,
) {
    match state[k] {
        2 => return,
        1 => {
            let start = path.iter().position(|&x| x == k).unwrap_or(0);
            let mut cyc = path[start..].to_vec();
            cyc.push(k);
            cycles.push(cyc);
            return;
        }
        _ => {}
    }
    state[k] = 1;
    path.push(k);
    if let Some((_, deps)) = &asts[k] {
        for &m in deps {
            if m >= n_inputs {
                visit(m - n_inputs, n_inputs, asts, state, order, path, cycles);
            }
        }
    }
    path.pop();
    state[k] = 2;
    order.push(k);
}

/// What each KPI needs, through the KPIs it reads: inputs and KPIs, each list sorted.
struct KpiNeeds {
    n_inputs: usize,
    required: Vec<bool>,
    inputs: Vec<Vec<usize>>,
    kpis: Vec<Vec<usize>>,
}

impl KpiNeeds {
    /// Worked out in evaluation order, so a KPI's own needs are known when another reads it.
    fn new(
        spec: &RulebookSpec,
        n_inputs: usize,
        order: &[usize],
        kpi_asts: &[Option<(AST, Vec<usize>)>],
    ) -> Self {
        let mut needs = KpiNeeds {
            n_inputs,
            required: spec.inputs.iter().map(|i| i.required).collect(),
            inputs: vec![Vec::new(); spec.kpis.len()],
            kpis: vec![Vec::new(); spec.kpis.len()],
        };
        for &k in order {
            if let Some((_, deps)) = &kpi_asts[k] {
                let (ins, ks) = needs.expand(deps);
                needs.inputs[k] = ins;
                needs.kpis[k] = ks;
            }
        }
        needs
    }

    /// The inputs and KPIs `deps` need, directly or through the KPIs among them.
    fn expand(&self, deps: &[usize]) -> (Vec<usize>, Vec<usize>) {
        let (mut ins, mut ks) = (Vec::new(), Vec::new());
        for &m in deps {
            if m < self.n_inputs {
                ins.push(m);
            } else {
                ks.push(m);
                ins.extend(self.inputs[m - self.n_inputs].iter().copied());
                ks.extend(self.kpis[m - self.n_inputs].iter().copied());
            }
        }
        crate::sort_usizes(&mut ins, &mut |a, b| a.cmp(&b));
        ins.dedup();
        crate::sort_usizes(&mut ks, &mut |a, b| a.cmp(&b));
        ks.dedup();
        (ins, ks)
    }

    /// KPI `k`'s required inputs: optional inputs do not block scoring (scripts see `()`).
    fn required_inputs(&self, k: usize) -> Vec<usize> {
        self.inputs[k]
            .iter()
            .copied()
            .filter(|&i| self.required[i])
            .collect()
    }

    /// A leaf's needs from what its script reads: required inputs, every input, KPIs.
    fn of(&self, deps: &[usize]) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
        let (all, ks) = self.expand(deps);
        let mut ins = all.clone();
        ins.retain(|&i| self.required[i]);
        (ins, all, ks)
    }
}

/// The indicator tree as nodes, depth-first (parents before their children), each leaf with
/// its compiled script; parent points are their children's sum. Skipped where the structure
/// is broken: the rulebook's problems already say why.
fn indicator_tree(
    rhai: &rhai::Engine,
    rulebook: &Rulebook,
    names_scope: &Scope,
    table: &MetricTable,
    problems: &mut Vec<Problem>,
    needs: &KpiNeeds,
) -> (Vec<Node>, Vec<usize>) {
    let spec = rulebook.spec();
    let mut node_index = HashMap::new();
    for (i, ind) in spec.indicators.iter().enumerate() {
        node_index.entry(ind.id.clone()).or_insert(i);
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); spec.indicators.len()];
    let mut roots_spec = Vec::new();
    for (i, ind) in spec.indicators.iter().enumerate() {
        match ind.parent.as_ref().and_then(|p| node_index.get(p)) {
            Some(&p) => children[p].push(i),
            None if ind.parent.is_none() => roots_spec.push(i),
            None => {}
        }
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut roots = Vec::new();
    let mut stack: Vec<(usize, Option<usize>, u32)> =
        roots_spec.iter().rev().map(|&r| (r, None, 1)).collect();
    let mut seen = vec![false; spec.indicators.len()];
    while let Some((si, parent, level)) = stack.pop() {
        if seen[si] {
            continue;
        }
        seen[si] = true;
        let ni = nodes.len();
        if let Some(p) = parent {
            nodes[p].children.push(ni);
        } else {
            roots.push(ni);
        }
        let ind = &spec.indicators[si];
        let leaf = if children[si].is_empty() {
            compile_leaf(rhai, rulebook, names_scope, si, table, problems, needs)
        } else {
            None
        };
        nodes.push(Node {
            spec_index: si,
            id: intern(&ind.id),
            parent_id: ind.parent.as_deref().map(intern),
            label: intern(&ind.label),
            label_en: ind.label_en.as_deref().map(intern),
            criteria: ind.criteria.as_deref().map(intern),
            parent,
            children: Vec::new(),
            level,
            points: ind.points.unwrap_or(0.0),
            declared: Decimal::ZERO,
            leaf,
        });
        for &k in children[si].iter().rev() {
            stack.push((k, Some(ni), level + 1));
        }
    }
    // Parent points are the sum of their children (validated against any declared value).
    for ni in (0..nodes.len()).rev() {
        if !nodes[ni].children.is_empty() {
            let sum: f64 = nodes[ni].children.iter().map(|&k| nodes[k].points).sum();
            nodes[ni].points = sum;
        }
    }
    for node in &mut nodes {
        node.declared = points_decimal(node.points);
    }
    (nodes, roots)
}

/// The compact build refuses, at load, every KPI and leaf script that would need the Rhai
/// runner it leaves out, each with its line, rather than failing on every evaluation.
fn refuse_rhai_only(
    rulebook: &Rulebook,
    kpis: &[CompiledKpi],
    nodes: &[Node],
    problems: &mut Vec<Problem>,
) {
    let spec = rulebook.spec();
    let why = |zh_what: &str, en_what: &str| {
        Problem::new(
            ProblemCode::NotInCompactBuild,
            format!(
                "{zh_what}超出精简版引擎能本地运行的范围，需要 Rhai 解释器（请改用完整版模块）"
            ),
            format!(
                "{en_what} goes beyond what the compact build runs natively and needs the Rhai interpreter (use the full module)"
            ),
        )
    };
    for k in kpis.iter().filter(|k| !k.runs_natively()) {
        let code = rulebook.source.kpi(k.spec_index).code;
        problems.push(
            why("绩效指标的计算式", "the KPI's expression")
                .kpi(&spec.kpis[k.spec_index].id)
                .field("expr")
                .at(code.first(), None),
        );
    }
    for node in nodes {
        let Some(leaf) = node.leaf.as_ref().filter(|l| !l.runs_natively()) else {
            continue;
        };
        let p = why("评分脚本", "the scoring script")
            .indicator(&*node.id)
            .field("script")
            .at(leaf.code_line.first(), None);
        problems.push(match &leaf.file {
            Some(file) => p.file(file.clone()),
            None => p,
        });
    }
}

/// Given the metrics a script reads: (required inputs, all inputs, KPIs) it depends on.
fn compile_leaf(
    rhai: &rhai::Engine,
    rulebook: &Rulebook,
    names_scope: &Scope,
    si: usize,
    table: &MetricTable,
    problems: &mut Vec<Problem>,
    needs: &KpiNeeds,
) -> Option<Leaf> {
    let ind = &rulebook.spec().indicators[si];
    let script = ind.script.as_deref()?;
    let file = rulebook.source.script_files.get(&si).cloned();
    // Inline scripts: lines count from the script's first line in the TOML; file scripts
    // from line 1 of the file.
    let code_line = if file.is_some() {
        ScriptLines::whole_file()
    } else {
        rulebook.source.indicator(si).code
    };
    match rhai.compile_with_scope(names_scope, script) {
        Ok(ast) => {
            let (reads, by_rows) = reads_of(&ast, table, problems, &code_line, |p| {
                let p = p
                    .indicator(&ind.id)
                    .field("script")
                    .at(code_line.first(), None);
                match &file {
                    Some(f) => p.file(f.clone()),
                    None => p,
                }
            });
            let (inputs, all_inputs, kpis) = needs.of(&reads);
            Some(Leaf {
                native: crate::native::program(&ast, table),
                by_rows,
                ast,
                reads,
                inputs,
                all_inputs,
                kpis,
                code_line,
                file,
            })
        }
        Err(e) => {
            let mut p = parse_problem(&e, &code_line)
                .indicator(&ind.id)
                .field("script");
            if let Some(f) = &file {
                p = p.file(f.clone());
            }
            problems.push(p);
            None
        }
    }
}

/// The metrics a script reads: variables that name inputs/KPIs, and string ids passed to
/// helpers (checked to exist). Also each read with the rows it takes, for tables: the
/// category a `target_table("id", "category")` call scores, None for every row (a variable,
/// another helper, or a category the script computes). A bad cell of a table leaves a leaf
/// unscored only where one of its reads takes the cell's row (see `TableVal`). (Neither sorted
/// nor deduplicated: a copy of that code in the WASM modules, for a few entries.)
fn reads_of(
    ast: &AST,
    table: &MetricTable,
    problems: &mut Vec<Problem>,
    lines: &ScriptLines,
    locate: impl Fn(Problem) -> Problem,
) -> (Vec<usize>, Vec<(usize, Option<String>)>) {
    let mut reads = Vec::new();
    let mut unknown = Vec::new();
    let mut by_rows = Vec::new();
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        match path.last() {
            Some(rhai::ASTNode::Expr(rhai::Expr::Variable(v, _, _))) => {
                if let Some(&i) = table.by_name.get(v.1.as_str()) {
                    reads.push(i);
                    by_rows.push((i, None));
                }
            }
            // A call is an expression, or a statement when it stands alone.
            Some(
                rhai::ASTNode::Expr(rhai::Expr::FnCall(call, pos))
                | rhai::ASTNode::Stmt(rhai::Stmt::FnCall(call, pos)),
            ) => {
                if SUBJECT_HELPERS.contains(&call.name.as_str())
                    && let Some(rhai::Expr::StringConstant(s, _)) = call.args.first()
                {
                    match table.by_name.get(s.as_str()) {
                        Some(&i) => {
                            reads.push(i);
                            let call_rows = match (call.name.as_str(), call.args.get(1)) {
                                ("target_table", None) => Some((i, None)),
                                ("target_table", Some(rhai::Expr::StringConstant(c, _))) => {
                                    Some((i, Some(c.to_string())))
                                }
                                _ => None,
                            };
                            by_rows.push(call_rows.unwrap_or((i, None)));
                        }
                        None => unknown.push((s.to_string(), call.name.to_string(), *pos)),
                    }
                }
            }
            _ => {}
        }
        true
    });
    for (name, helper, pos) in unknown {
        let (line, col) = position_of(pos);
        let p = locate(Problem::new(
            ProblemCode::UnknownName,
            format!("{helper}(\"{name}\") 引用了不存在的数据项或绩效指标 “{name}”"),
            format!("{helper}(\"{name}\") names the unknown input or KPI “{name}”"),
        ));
        let p = match line {
            Some(l) => Problem {
                line: Some(lines.map(l)),
                column: col,
                ..p
            },
            None => p,
        };
        problems.push(p);
    }
    crate::sort_usizes(&mut reads, &mut |a, b| a.cmp(&b));
    reads.dedup();
    (reads, by_rows)
}

/// A Rhai parse error as a problem, its line mapped into the rulebook (or script file).
fn parse_problem(e: &rhai::ParseError, lines: &ScriptLines) -> Problem {
    let (line, col) = position_of(e.position());
    let line = lines.at(line);
    let (code, zh, en) = match e.err_type() {
        rhai::ParseErrorType::VariableUndefined(name) => (
            ProblemCode::UnknownName,
            format!(
                "脚本引用了未定义的名称 “{name}”：它不是数据项、绩效指标，也不是脚本中的局部变量"
            ),
            format!(
                "the script uses the undefined name “{name}”: it is not an input, a KPI or a local variable"
            ),
        ),
        other => (
            ProblemCode::ScriptSyntax,
            format!("脚本语法错误：{other}"),
            format!("script syntax error: {other}"),
        ),
    };
    Problem::new(code, zh, en).at(line, col)
}
