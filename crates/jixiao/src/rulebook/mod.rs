//! Loading a rulebook from TOML or JSON, remembering where every entry is in the TOML so that
//! problems can name the line, and the structural checks that need no script compilation.

use crate::error::{Error, Problem, ProblemCode};
use crate::model::{Indicator, InputType, RulebookSpec};
use crate::text::fmt_pts;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A parsed rulebook (评价方案 / 指标体系): the spec plus where each entry came from.
///
/// Parsing checks syntax and shape only; [`Rulebook::validate`] checks the structure and
/// [`crate::Engine::new`] does both plus compiling every script, reporting all problems at once.
#[derive(Debug, Clone)]
pub struct Rulebook {
    spec: RulebookSpec,
    pub(crate) source: SourceMap,
}

/// Lines (1-based) of rulebook entries in the TOML source. Empty for JSON rulebooks.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceMap {
    pub inputs: Vec<EntryLines>,
    pub kpis: Vec<EntryLines>,
    pub indicators: Vec<EntryLines>,
    /// File name for script lines of indicators whose script came from `script_file`.
    pub script_files: HashMap<usize, String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EntryLines {
    pub entry: Option<u32>,
    pub points: Option<u32>,
    pub parent: Option<u32>,
    /// Where the lines of the script / expression text are in the TOML.
    pub code: ScriptLines,
}

/// Maps a line of a script's text to the line of the rulebook (or `.rhai` file) it came
/// from. A TOML basic string can join source lines (a line-ending backslash) or split one
/// (`\n` escapes), so "first line + offset" is not enough: `lines` holds, for every script
/// line, its source line.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScriptLines {
    first: Option<u32>,
    lines: Vec<u32>,
}

impl ScriptLines {
    /// A script that is a whole file: its lines are the file's lines.
    pub fn whole_file() -> Self {
        ScriptLines {
            first: Some(1),
            lines: Vec::new(),
        }
    }

    /// The source line where the script text begins.
    pub fn first(&self) -> Option<u32> {
        self.first
    }

    /// The source line of script line `line` (1-based). Without a source (a JSON rulebook)
    /// the script's own line is the best there is.
    pub fn map(&self, line: u32) -> u32 {
        let index = line.saturating_sub(1) as usize;
        match (self.lines.get(index), self.first) {
            (Some(&l), _) => l,
            (None, Some(first)) => first + line.saturating_sub(1),
            (None, None) => line,
        }
    }

    /// [`ScriptLines::map`] for an optional script line; `None` gives the first line.
    pub fn at(&self, line: Option<u32>) -> Option<u32> {
        match line {
            Some(l) => Some(self.map(l)),
            None => self.first,
        }
    }
}

impl SourceMap {
    pub fn indicator(&self, i: usize) -> EntryLines {
        self.indicators.get(i).cloned().unwrap_or_default()
    }
    pub fn input(&self, i: usize) -> EntryLines {
        self.inputs.get(i).cloned().unwrap_or_default()
    }
    pub fn kpi(&self, i: usize) -> EntryLines {
        self.kpis.get(i).cloned().unwrap_or_default()
    }
}

/// A `script_file`'s text, or why it could not be read (in Chinese and English).
type ScriptRead = Result<String, (String, String)>;

/// `script_file` of a rulebook in `dir`: confined to the folder and bounded in size.
fn read_beside(dir: &Path, file: &str) -> ScriptRead {
    crate::read::confined(dir, file)
        .and_then(|path| crate::read::read_text(&path, crate::limits::MAX_SCRIPT_FILE_BYTES))
        .map_err(|e| (e.zh(), e.en()))
}

/// `script_file` of a rulebook loaded from a string: there is no folder to read it from.
fn no_folder(_: &str) -> ScriptRead {
    Err((
        "从字符串加载的评价方案没有所在目录，请改用内联 script 或从文件加载".into(),
        "a rulebook loaded from a string has no folder: inline the script or load the rulebook from its file".into(),
    ))
}

impl Rulebook {
    /// Parse a TOML rulebook. `script_file` entries are an error here (there is no directory
    /// to read them from); use [`Rulebook::from_path`] for rulebooks with `.rhai` files.
    pub fn from_toml_str(text: &str) -> Result<Self, Error> {
        Self::from_toml_with_scripts(text, no_folder)
    }

    /// Rulebook text past [`MAX_RULEBOOK_BYTES`](crate::limits::MAX_RULEBOOK_BYTES) is refused
    /// before it is parsed, however it arrives (a file, a string from C or JavaScript).
    fn check_size(text: &str) -> Result<(), Error> {
        use crate::limits::MAX_RULEBOOK_BYTES;
        if text.len() as u64 <= MAX_RULEBOOK_BYTES {
            return Ok(());
        }
        Err(Error::rulebook(
            "",
            vec![Problem::new(
                ProblemCode::TooLong,
                format!(
                    "评价方案有 {} 字节，超过 {} MiB 的上限",
                    text.len(),
                    MAX_RULEBOOK_BYTES >> 20
                ),
                format!(
                    "the rulebook has {} bytes, more than the {} MiB limit",
                    text.len(),
                    MAX_RULEBOOK_BYTES >> 20
                ),
            )],
        ))
    }

    /// Parse a JSON rulebook (the form browsers and other programs exchange).
    pub fn from_json_str(text: &str) -> Result<Self, Error> {
        Self::check_size(text)?;
        let spec: RulebookSpec = serde_json::from_str(text).map_err(|e| {
            let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
            let column = u32::try_from(e.column()).ok().filter(|c| *c > 0);
            Error::rulebook(
                guess_id_json(text),
                vec![
                    Problem::new(
                        ProblemCode::JsonSyntax,
                        format!("JSON 格式错误：{e}"),
                        format!("invalid JSON rulebook: {e}"),
                    )
                    .at(line, column),
                ],
            )
        })?;
        let mut rulebook = Rulebook {
            spec,
            source: SourceMap::default(),
        };
        rulebook.resolve_script_files(no_folder)?;
        Ok(rulebook)
    }

    /// Parse a rulebook from a string, TOML or JSON by its first non-blank character.
    pub fn from_str_auto(text: &str) -> Result<Self, Error> {
        if text.trim_start().starts_with('{') {
            Self::from_json_str(text)
        } else {
            Self::from_toml_str(text)
        }
    }

    /// Load a rulebook file (`.toml` or `.json`); `script_file` entries are read relative to
    /// the rulebook's folder.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = crate::read::read_text(path, crate::limits::MAX_RULEBOOK_BYTES)
            .map_err(|e| e.at(path))?;
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        if path.extension().is_some_and(|e| e == "json") {
            let mut rulebook = Self::from_json_str(&text)?;
            rulebook.resolve_script_files(|file| read_beside(dir, file))?;
            Ok(rulebook)
        } else {
            Self::from_toml_with_scripts(&text, |file| read_beside(dir, file))
        }
    }

    fn from_toml_with_scripts(
        text: &str,
        read: impl Fn(&str) -> ScriptRead,
    ) -> Result<Self, Error> {
        Self::check_size(text)?;
        if cfg!(feature = "compact") {
            return Err(Error::rulebook(
                guess_id_toml(text),
                vec![Problem::new(
                    ProblemCode::NotInCompactBuild,
                    "精简版引擎只读取 JSON 评价方案；TOML 请用完整版模块，或先用 `jixiao export` 转成 JSON".to_string(),
                    "the compact build reads JSON rulebooks only; use the full module for TOML, or convert it with `jixiao export`".to_string(),
                )],
            ));
        }
        let toml_error = |span: Option<std::ops::Range<usize>>, message: &str| {
            let (line, column) = span
                .map(|s| line_col(text, s.start))
                .map_or((None, None), |(l, c)| (Some(l), Some(c)));
            Error::rulebook(
                guess_id_toml(text),
                vec![
                    Problem::new(
                        ProblemCode::TomlSyntax,
                        format!("TOML 格式错误：{message}"),
                        format!("invalid TOML: {message}"),
                    )
                    .at(line, column),
                ],
            )
        };
        let doc = toml::de::DeTable::parse(text).map_err(|e| toml_error(e.span(), e.message()))?;
        let spec = toml_spec(&doc).map_err(|(span, message)| toml_error(span, &message))?;
        let mut rulebook = Rulebook {
            spec,
            source: source_map(text, doc.get_ref()),
        };
        rulebook.resolve_script_files(read)?;
        Ok(rulebook)
    }

    /// Read `script_file`s into `script` with `read`, so the spec (and its hash) carries every
    /// script. `read` is generic so that a build that never loads from a folder (WebAssembly)
    /// carries no file-reading code.
    fn resolve_script_files(&mut self, read: impl Fn(&str) -> ScriptRead) -> Result<(), Error> {
        let mut problems = Vec::new();
        for (i, ind) in self.spec.indicators.iter_mut().enumerate() {
            let Some(file) = ind.script_file.clone() else {
                continue;
            };
            let lines = self.source.indicator(i);
            if ind.script.is_some() && self.source.indicators.is_empty() {
                // A JSON export carries both: the file name for reference and its text
                // inlined. Nothing to read.
                continue;
            }
            if ind.script.is_some() {
                problems.push(
                    Problem::new(
                        ProblemCode::ScriptFile,
                        "不能同时给出 script 和 script_file",
                        "give either script or script_file, not both",
                    )
                    .indicator(&ind.id)
                    .field("script_file")
                    .at(lines.entry, None),
                );
                continue;
            }
            match read(&file) {
                Ok(text) => {
                    ind.script = Some(text);
                    self.source.script_files.insert(i, file);
                }
                Err((zh, en)) => problems.push(
                    Problem::new(
                        ProblemCode::ScriptFile,
                        format!("无法读取脚本文件 {}：{zh}", crate::error::quoted(&file)),
                        format!(
                            "cannot read script file {}: {en}",
                            crate::error::quoted(&file)
                        ),
                    )
                    .indicator(&ind.id)
                    .field("script_file")
                    .at(lines.entry, None),
                ),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::rulebook(self.spec.id.clone(), problems))
        }
    }

    /// Build from an in-memory spec (no line information).
    pub fn from_spec(spec: RulebookSpec) -> Self {
        Rulebook {
            spec,
            source: SourceMap::default(),
        }
    }

    pub fn spec(&self) -> &RulebookSpec {
        &self.spec
    }
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// The canonical form: compact JSON of the spec with every script inlined. Its sha256 is
    /// the rulebook's content hash, the same whether it was loaded from TOML or JSON.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(&self.spec).unwrap_or_default()
    }

    /// `sha256:` + hex digest of [`Rulebook::canonical_json`].
    pub fn content_hash(&self) -> String {
        let digest = Sha256::digest(self.canonical_json().as_bytes());
        let mut hex = String::with_capacity(7 + 64);
        hex.push_str("sha256:");
        for b in digest {
            hex.push_str(&format!("{b:02x}"));
        }
        hex
    }

    /// The JSON Schema of the rulebook format, for editors.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(RulebookSpec);
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    }

    /// Structural checks: ids, tree shape, points, totals, grade bands, declared weight
    /// constraints and input declarations. Script checks happen in [`crate::Engine::new`].
    pub fn validate(&self) -> Vec<Problem> {
        let mut v = Validator {
            spec: &self.spec,
            src: &self.source,
            problems: Vec::new(),
        };
        v.run();
        v.problems
    }
}

struct Validator<'a> {
    spec: &'a RulebookSpec,
    src: &'a SourceMap,
    problems: Vec<Problem>,
}

/// Names a script may not use for an input or KPI because scripts already mean something by them.
pub(crate) const RESERVED_NAMES: &[&str] =
    &["points", "this", "true", "false", "fn", "let", "const"];

impl<'a> Validator<'a> {
    fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    fn run(&mut self) {
        self.check_figures();
        self.check_inputs();
        self.check_grades();
        self.check_tree();
    }

    /// The total, weight-constraint bounds and input ranges: numbers the engine computes
    /// with, so each must be one it can hold (TOML also spells `nan` and `inf`).
    fn check_figures(&mut self) {
        let spec = self.spec;
        if let Some((zh, en)) = points_out_of_range(spec.total) {
            self.push(
                Problem::new(
                    ProblemCode::TotalMismatch,
                    format!("总分：{zh}"),
                    format!("total: {en}"),
                )
                .field("total"),
            );
        }
        for c in &spec.constraints {
            for (field, bound) in [("min_points", c.min_points), ("max_points", c.max_points)] {
                if let Some(b) = bound
                    && b != 0.0
                    && let Some((zh, en)) = points_out_of_range(b)
                {
                    self.push(
                        Problem::new(
                            ProblemCode::ConstraintViolated,
                            format!("权重约束 {field}：{zh}"),
                            format!("weight constraint {field}: {en}"),
                        )
                        .field("constraints"),
                    );
                }
            }
        }
        for (i, input) in spec.inputs.iter().enumerate() {
            for (field, bound) in [("min", input.min), ("max", input.max)] {
                if let Some(b) = bound
                    && !b.is_finite()
                {
                    self.push(
                        Problem::new(
                            ProblemCode::InvalidInput,
                            format!("{field} = {b} 无效：须为有限的数"),
                            format!("{field} = {b} is invalid: it must be a finite number"),
                        )
                        .input(&input.id)
                        .field(field)
                        .at(self.src.input(i).entry, None),
                    );
                }
            }
        }
    }

    fn check_inputs(&mut self) {
        let mut seen = HashSet::new();
        for (i, input) in self.spec.inputs.iter().enumerate() {
            let line = self.src.input(i).entry;
            self.check_name(&input.id, line, &mut seen, |p| p.input(&input.id));
            if let (Some(min), Some(max)) = (input.min, input.max)
                && min > max
            {
                self.push(
                    Problem::new(
                        ProblemCode::InvalidInput,
                        format!("最小值 {min} 大于最大值 {max}"),
                        format!("min {min} is greater than max {max}"),
                    )
                    .input(&input.id)
                    .field("min")
                    .at(line, None),
                );
            }
            for p in table_declaration(input) {
                self.push(p.input(&input.id).at(line, None));
            }
            if input.kind == InputType::Choice && input.choices.is_empty() {
                self.push(
                    Problem::new(
                        ProblemCode::InvalidInput,
                        "选择题数据项必须列出 choices",
                        "a choice input must list its choices",
                    )
                    .input(&input.id)
                    .field("choices")
                    .at(line, None),
                );
            }
            if !input.levels.is_empty() {
                if input.kind != InputType::Grade {
                    self.push(
                        Problem::new(
                            ProblemCode::InvalidInput,
                            "只有 grade（专家评级）类型的数据项可以定义 levels",
                            "only grade inputs may define levels",
                        )
                        .input(&input.id)
                        .field("levels")
                        .at(line, None),
                    );
                }
                let mut labels = HashSet::new();
                for level in &input.levels {
                    if !(0.0..=1.0).contains(&level.fraction) {
                        self.push(
                            Problem::new(
                                ProblemCode::InvalidInput,
                                format!(
                                    "等级 {} 的得分比例 {} 不在 0 到 1 之间",
                                    level.label, level.fraction
                                ),
                                format!(
                                    "level {} has fraction {} outside [0, 1]",
                                    level.label, level.fraction
                                ),
                            )
                            .input(&input.id)
                            .field("levels")
                            .at(line, None),
                        );
                    }
                    if !labels.insert(level.label.as_str()) {
                        self.push(
                            Problem::new(
                                ProblemCode::InvalidInput,
                                format!("等级 {} 重复", level.label),
                                format!("level {} is listed twice", level.label),
                            )
                            .input(&input.id)
                            .field("levels")
                            .at(line, None),
                        );
                    }
                }
            }
        }
        for (i, kpi) in self.spec.kpis.iter().enumerate() {
            let line = self.src.kpi(i).entry;
            self.check_name(&kpi.id, line, &mut seen, |p| p.kpi(&kpi.id));
        }
    }

    /// Inputs and KPIs share one namespace: scripts see both as variables.
    fn check_name<'s>(
        &mut self,
        id: &'s str,
        line: Option<u32>,
        seen: &mut HashSet<&'s str>,
        locate: impl Fn(Problem) -> Problem,
    ) {
        if !crate::model::is_identifier(id) || RESERVED_NAMES.contains(&id) {
            self.push(locate(
                Problem::new(
                    ProblemCode::InvalidId,
                    format!("标识 “{id}” 不可用：数据项和绩效指标的 id 须由小写英文字母、数字和下划线组成，以字母或下划线开头，且不能是保留字"),
                    format!("id “{id}” is not usable: input and KPI ids are lowercase ASCII letters, digits and underscores, starting with a letter or underscore, and not a reserved word"),
                )
                .field("id")
                .at(line, None),
            ));
        }
        if !seen.insert(id) {
            self.push(locate(
                Problem::new(
                    ProblemCode::DuplicateId,
                    format!("标识 “{id}” 重复（数据项与绩效指标共用一个命名空间）"),
                    format!("id “{id}” is used twice (inputs and KPIs share one namespace)"),
                )
                .field("id")
                .at(line, None),
            ));
        }
    }

    fn check_grades(&mut self) {
        let grades = &self.spec.grades;
        let bad = |msg: String, en: String| {
            Problem::new(ProblemCode::InvalidGradeBands, msg, en).field("grades")
        };
        if grades.is_empty() {
            self.push(bad(
                "至少需要一个评价等级".into(),
                "at least one grade band is needed".into(),
            ));
            return;
        }
        let mut labels = HashSet::new();
        for g in grades {
            if !g.min.is_finite() || g.min < 0.0 || g.min > self.spec.total {
                self.push(bad(
                    format!(
                        "等级 {} 的下限 {} 不在 0 到总分 {} 之间",
                        g.label, g.min, self.spec.total
                    ),
                    format!(
                        "grade {} has min {} outside 0..{}",
                        g.label, g.min, self.spec.total
                    ),
                ));
            }
            if !labels.insert(g.label.as_str()) {
                self.push(bad(
                    format!("等级 {} 重复", g.label),
                    format!("grade {} is listed twice", g.label),
                ));
            }
        }
        if !grades.iter().any(|g| g.min <= 0.0) {
            self.push(bad(
                "最低等级的下限须为 0，否则低分项目没有等级".into(),
                "the lowest grade band must start at 0, or low scores get no grade".into(),
            ));
        }
    }

    /// The indicator tree: ids, parents, no cycle, points adding up, weight constraints.
    fn check_tree(&mut self) {
        if self.spec.indicators.is_empty() {
            self.push(Problem::new(
                ProblemCode::NoIndicators,
                "评价方案没有任何指标",
                "the rulebook has no indicators",
            ));
            return;
        }
        let index = self.check_indicator_ids();
        let (children, roots) = self.link_parents(&index);
        self.check_reachable(&index, &children, &roots);
        if roots.is_empty() {
            self.push(Problem::new(
                ProblemCode::NoIndicators,
                "没有一级指标（没有 parent 的指标）",
                "there is no first-level indicator (one without a parent)",
            ));
            return;
        }
        let sums = self.check_points(&children, &roots);
        self.check_constraints(&index, &sums);
    }

    /// Every indicator id usable and unique; the index of each.
    fn check_indicator_ids(&mut self) -> HashMap<&'a str, usize> {
        let spec = self.spec;
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, ind) in spec.indicators.iter().enumerate() {
            let line = self.src.indicator(i).entry;
            if ind.id.trim().is_empty() || ind.id.chars().any(char::is_whitespace) {
                self.push(
                    Problem::new(
                        ProblemCode::InvalidId,
                        format!("指标 id “{}” 不能为空或含空白", ind.id),
                        format!(
                            "indicator id “{}” must not be empty or contain whitespace",
                            ind.id
                        ),
                    )
                    .indicator(&ind.id)
                    .at(line, None),
                );
            }
            if index.insert(ind.id.as_str(), i).is_some() {
                self.push(
                    Problem::new(
                        ProblemCode::DuplicateId,
                        format!("指标 id “{}” 重复", ind.id),
                        format!("indicator id “{}” is used twice", ind.id),
                    )
                    .indicator(&ind.id)
                    .at(line, None),
                );
            }
        }
        index
    }

    /// Each indicator's children, and the first-level ones; a parent that does not exist is
    /// a problem.
    fn link_parents(&mut self, index: &HashMap<&'a str, usize>) -> (Vec<Vec<usize>>, Vec<usize>) {
        let spec = self.spec;
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); spec.indicators.len()];
        let mut roots = Vec::new();
        for (i, ind) in spec.indicators.iter().enumerate() {
            match &ind.parent {
                None => roots.push(i),
                Some(p) => match index.get(p.as_str()) {
                    Some(&pi) => children[pi].push(i),
                    None => {
                        let lines = self.src.indicator(i);
                        self.push(
                            Problem::new(
                                ProblemCode::UnknownParent,
                                format!("上级指标 “{p}” 不存在"),
                                format!("parent indicator “{p}” does not exist"),
                            )
                            .indicator(&ind.id)
                            .field("parent")
                            .at(lines.parent.or(lines.entry), None),
                        );
                    }
                },
            }
        }
        (children, roots)
    }

    /// Every node reachable from a first-level indicator: anything left over sits on a cycle.
    fn check_reachable(
        &mut self,
        index: &HashMap<&'a str, usize>,
        children: &[Vec<usize>],
        roots: &[usize],
    ) {
        let spec = self.spec;
        let mut reached = vec![false; spec.indicators.len()];
        let mut stack = roots.to_vec();
        while let Some(i) = stack.pop() {
            if !reached[i] {
                reached[i] = true;
                stack.extend(children[i].iter().copied());
            }
        }
        for (i, ind) in spec.indicators.iter().enumerate() {
            if !reached[i] && ind.parent.as_deref().is_some_and(|p| index.contains_key(p)) {
                self.push(
                    Problem::new(
                        ProblemCode::TreeCycle,
                        format!("指标 “{}” 的上级关系成环，无法到达一级指标", ind.id),
                        format!(
                            "indicator “{}” sits on a parent cycle and never reaches a dimension",
                            ind.id
                        ),
                    )
                    .indicator(&ind.id)
                    .field("parent")
                    .at(self.src.indicator(i).entry, None),
                );
            }
        }
    }

    /// Points of every node, leaves to the total; each node's figure for the constraints.
    fn check_points(&mut self, children: &[Vec<usize>], roots: &[usize]) -> Vec<Option<f64>> {
        let spec = self.spec;
        // One walk from the roots visits every reachable node exactly once, so each node's
        // problems are reported once; `sums` keeps every node's figure for the constraints.
        let mut sums: Vec<Option<f64>> = vec![None; spec.indicators.len()];
        for &r in roots {
            self.node_points(r, children, &mut sums);
        }
        let total: f64 = roots.iter().filter_map(|&r| sums[r]).sum();
        if roots.iter().all(|&r| sums[r].is_some()) && !same_points(total, spec.total) {
            self.push(
                Problem::new(
                    ProblemCode::TotalMismatch,
                    format!(
                        "一级指标分值合计 {} 分，与总分 {} 分不符",
                        fmt_pts(total),
                        fmt_pts(spec.total)
                    ),
                    format!(
                        "first-level indicators add up to {} points, not the declared total {}",
                        fmt_pts(total),
                        fmt_pts(spec.total)
                    ),
                )
                .field("total"),
            );
        }
        sums
    }

    /// The declared weight constraints (e.g. 产出 + 效益 ≥ 60).
    fn check_constraints(&mut self, index: &HashMap<&'a str, usize>, sums: &[Option<f64>]) {
        let spec = self.spec;
        for c in &spec.constraints {
            let mut sum = 0.0;
            let mut known = true;
            for id in &c.indicators {
                match index.get(id.as_str()).and_then(|&i| sums[i]) {
                    Some(p) => sum += p,
                    None => {
                        known = false;
                        if !index.contains_key(id.as_str()) {
                            self.push(
                                Problem::new(
                                    ProblemCode::UnknownIndicator,
                                    format!("权重约束引用了不存在的指标 “{id}”"),
                                    format!(
                                        "a weight constraint names the unknown indicator “{id}”"
                                    ),
                                )
                                .field("constraints"),
                            );
                        }
                    }
                }
            }
            if !known {
                continue;
            }
            let names = c.indicators.join(" + ");
            let why = c
                .reason
                .as_deref()
                .map(|r| format!("（{r}）"))
                .unwrap_or_default();
            if let Some(min) = c.min_points
                && sum < min - 1e-9
            {
                self.push(
                    Problem::new(
                        ProblemCode::ConstraintViolated,
                        format!(
                            "{names} 合计 {} 分，低于约束下限 {} 分{why}",
                            fmt_pts(sum),
                            fmt_pts(min)
                        ),
                        format!(
                            "{names} carry {} points, below the declared minimum {}",
                            fmt_pts(sum),
                            fmt_pts(min)
                        ),
                    )
                    .field("constraints"),
                );
            }
            if let Some(max) = c.max_points
                && sum > max + 1e-9
            {
                self.push(
                    Problem::new(
                        ProblemCode::ConstraintViolated,
                        format!(
                            "{names} 合计 {} 分，高于约束上限 {} 分{why}",
                            fmt_pts(sum),
                            fmt_pts(max)
                        ),
                        format!(
                            "{names} carry {} points, above the declared maximum {}",
                            fmt_pts(sum),
                            fmt_pts(max)
                        ),
                    )
                    .field("constraints"),
                );
            }
        }
    }

    /// The points of node `i` (its own for a leaf, its children's sum for a parent), checking
    /// leaves and parents on the way. `None` when a problem makes the figure unknown.
    fn node_points(
        &mut self,
        i: usize,
        children: &[Vec<usize>],
        sums: &mut [Option<f64>],
    ) -> Option<f64> {
        let points = self.node_points_unrecorded(i, children, sums);
        sums[i] = points;
        points
    }

    fn node_points_unrecorded(
        &mut self,
        i: usize,
        children: &[Vec<usize>],
        sums: &mut [Option<f64>],
    ) -> Option<f64> {
        let ind: &Indicator = &self.spec.indicators[i];
        let lines = self.src.indicator(i);
        let line = lines.points.or(lines.entry);
        if let Some(p) = ind.points
            && let Some((zh, en)) = points_out_of_range(p)
        {
            self.push(
                Problem::new(ProblemCode::InvalidPoints, zh, en)
                    .indicator(&ind.id)
                    .field("points")
                    .at(line, None),
            );
            return None;
        }
        if children[i].is_empty() {
            if ind.script.is_none() {
                self.push(
                    Problem::new(
                        ProblemCode::LeafWithoutScript,
                        "末级指标缺少评分脚本（script 或 script_file）",
                        "a leaf indicator needs a scoring script (script or script_file)",
                    )
                    .indicator(&ind.id)
                    .field("script")
                    .at(lines.entry, None),
                );
            }
            if ind.points.is_none() {
                self.push(
                    Problem::new(
                        ProblemCode::LeafWithoutPoints,
                        "末级指标缺少分值 points",
                        "a leaf indicator needs points",
                    )
                    .indicator(&ind.id)
                    .field("points")
                    .at(lines.entry, None),
                );
            }
            return ind.points;
        }
        if ind.script.is_some() {
            self.push(
                Problem::new(
                    ProblemCode::ParentWithScript,
                    "有下级指标的指标不能有评分脚本：其得分是下级得分之和",
                    "an indicator with children cannot have a script: its score is the sum of its children",
                )
                .indicator(&ind.id)
                .field("script")
                .at(lines.code.first().or(lines.entry), None),
            );
        }
        let mut sum = 0.0;
        let mut known = true;
        for &c in &children[i] {
            match self.node_points(c, children, sums) {
                Some(p) => sum += p,
                None => known = false,
            }
        }
        if !known {
            return ind.points;
        }
        if let Some(p) = ind.points
            && !same_points(p, sum)
        {
            let kids = children[i]
                .iter()
                .map(|&c| {
                    let k = &self.spec.indicators[c];
                    format!(
                        "{} {}",
                        k.id,
                        k.points.map(fmt_pts).unwrap_or_else(|| "?".into())
                    )
                })
                .collect::<Vec<_>>()
                .join("、");
            self.push(
                Problem::new(
                    ProblemCode::PointsMismatch,
                    format!(
                        "分值 {} 分，但下级指标合计 {} 分（{kids}）",
                        fmt_pts(p),
                        fmt_pts(sum)
                    ),
                    format!(
                        "points are {} but the children add up to {} ({kids})",
                        fmt_pts(p),
                        fmt_pts(sum)
                    ),
                )
                .indicator(&ind.id)
                .field("points")
                .at(line, None),
            );
            return Some(p);
        }
        Some(sum)
    }
}

/// Why a figure given as points (an indicator's points, the total, a weight constraint's
/// bound) cannot be scored with, if it cannot: scores are decimals with two places, so a
/// figure must be a finite number from 0.01 up to [`MAX_POINTS`](crate::limits::MAX_POINTS).
fn points_out_of_range(p: f64) -> Option<(String, String)> {
    use crate::limits::MAX_POINTS;
    if !p.is_finite() || p <= 0.0 {
        Some((
            format!("分值 {p} 无效：须为正数"),
            format!("points {p} are invalid: they must be positive"),
        ))
    } else if p < 0.01 {
        Some((
            format!("分值 {p} 小于 0.01：得分保留两位小数，无法计分"),
            format!("points {p} are below 0.01: scores have two decimal places"),
        ))
    } else if p > MAX_POINTS {
        Some((
            format!("分值 {p} 超过上限 {MAX_POINTS}"),
            format!("points {p} are above the limit of {MAX_POINTS}"),
        ))
    } else {
        None
    }
}

/// Points are compared at the 2-decimal precision they are printed with.
fn same_points(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.005
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// --- TOML: the document is parsed once into spanned values (toml's `DeTable`), turned into
// JSON text for the same serde_json deserializer JSON rulebooks use, and read for the lines
// of entries. Going through JSON keeps one copy of the spec's deserializer (the WebAssembly
// module is smaller by the whole serde-for-TOML layer) while errors stay toml's: the same
// message (serde's own words) at the same TOML span as `toml::from_str` reports.

type Span = std::ops::Range<usize>;

/// The spec from a parsed TOML document, or an error message and the TOML span it is about.
fn toml_spec(
    doc: &toml::Spanned<toml::de::DeTable<'_>>,
) -> Result<RulebookSpec, (Option<Span>, String)> {
    let mut json = TomlJson::default();
    json.table(doc.get_ref(), doc.span(), 0);
    serde_json::from_str(&json.out).map_err(|e| json.error(&e))
}

/// JSON text of a TOML document, with the TOML span of every JSON value and key.
#[derive(Default)]
struct TomlJson {
    out: String,
    /// (start, end) byte range in `out` → span in the TOML text.
    spans: Vec<(usize, usize, Span)>,
}

/// Deeper than any rulebook field goes: serde stops (with an error naming an outer value)
/// before it reaches what is below, so it is left out (and the converter's recursion bounded).
const TOML_JSON_DEPTH: usize = 32;

impl TomlJson {
    fn value(&mut self, v: &toml::de::DeValue<'_>, span: Span, depth: usize) {
        use std::fmt::Write as _;
        use toml::de::DeValue;
        let start = self.out.len();
        match v {
            DeValue::String(s) => self.string(s),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => {
                    let _ = write!(self.out, "{n}");
                }
                Err(_) => match u64::from_str_radix(i.as_str(), i.radix()) {
                    Ok(n) => {
                        let _ = write!(self.out, "{n}");
                    }
                    // What serde_json reads as a number too large for any integer.
                    Err(_) => self.out.push_str("1e400"),
                },
            },
            // A finite float as the shortest text that reads back as the same f64; inf and
            // NaN have no JSON form: a number out of serde_json's range, refused there.
            DeValue::Float(f) => match f.as_str().parse::<f64>() {
                Ok(x) if x.is_finite() => {
                    let _ = write!(self.out, "{x:?}");
                }
                _ => self.out.push_str("1e400"),
            },
            DeValue::Boolean(b) => self.out.push_str(if *b { "true" } else { "false" }),
            // toml hands a datetime to serde as this one-entry map.
            DeValue::Datetime(d) => {
                self.out.push_str("{\"$__toml_private_datetime\":");
                self.string(&d.to_string());
                self.out.push('}');
            }
            DeValue::Array(items) => {
                self.out.push('[');
                if depth < TOML_JSON_DEPTH {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.out.push(',');
                        }
                        self.value(item.get_ref(), item.span(), depth + 1);
                    }
                }
                self.out.push(']');
            }
            DeValue::Table(t) => {
                self.table(t, span, depth);
                return;
            }
        }
        self.spans.push((start, self.out.len(), span));
    }

    fn table(&mut self, t: &toml::de::DeTable<'_>, span: Span, depth: usize) {
        let start = self.out.len();
        self.out.push('{');
        if depth < TOML_JSON_DEPTH {
            for (i, (k, v)) in t.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let key_start = self.out.len();
                self.string(k.get_ref());
                self.spans.push((key_start, self.out.len(), k.span()));
                self.out.push(':');
                self.value(v.get_ref(), v.span(), depth + 1);
            }
        }
        self.out.push('}');
        self.spans.push((start, self.out.len(), span));
    }

    fn string(&mut self, s: &str) {
        use std::fmt::Write as _;
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                c if c < ' ' => {
                    let _ = write!(self.out, "\\u{:04x}", u32::from(c));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    /// serde_json's error on this text as toml would have reported it: the message without
    /// serde_json's position, and the TOML span of the value or key the position is in.
    fn error(&self, e: &serde_json::Error) -> (Option<Span>, String) {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let mut message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        // The column (1-based) is the last character serde_json read: the end of a value it
        // refused, or the character before one it refused without reading (an array or table);
        // a syntax error is about the character at the column. Our JSON is always well formed:
        // its only "syntax" error is an enum given neither a string nor a table.
        let at = e.column().saturating_sub(1);
        let inside = |at: usize| {
            self.spans
                .iter()
                .filter(|(s, end, _)| *s <= at && at < *end)
                .min_by_key(|(s, end, _)| end - s)
        };
        let found = if e.is_syntax() {
            inside(at)
        } else {
            let starting = self.spans.iter().find(|(s, _, _)| *s == at + 1);
            starting.or_else(|| inside(at))
        };
        if (e.is_syntax() && message == "expected value")
            || message.starts_with("unknown variant `$__toml_private_datetime`")
        {
            // toml's words for an enum that is neither a string nor a one-entry table.
            let empty = found.is_some_and(|(s, end, _)| self.out.get(*s..*end) == Some("{}"));
            message = if empty {
                "wanted exactly 1 element, found 0 elements"
            } else {
                "wanted string or table"
            }
            .into();
        }
        let span = found.map(|(_, _, span)| span.clone());
        (span, message)
    }
}

fn source_map(text: &str, doc: &toml::de::DeTable<'_>) -> SourceMap {
    use toml::de::DeValue;
    let index = LineIndex::new(text);
    let line = |offset: usize| index.line(offset);
    let entries = |key: &str| -> Vec<EntryLines> {
        let Some(DeValue::Array(items)) = doc.get(key).map(|v| v.get_ref()) else {
            return Vec::new();
        };
        items
            .iter()
            .map(|e| {
                let field = |name: &str| match e.get_ref() {
                    DeValue::Table(t) => t.get(name),
                    _ => None,
                };
                EntryLines {
                    entry: Some(entry_line(&index, e.span().start)),
                    points: field("points").map(|p| line(p.span().start)),
                    parent: field("parent").map(|p| line(p.span().start)),
                    code: field("script")
                        .or_else(|| field("expr"))
                        .map(|s| script_lines(&index, s.span().start))
                        .unwrap_or_default(),
                }
            })
            .collect()
    };
    SourceMap {
        inputs: entries("inputs"),
        kpis: entries("kpis"),
        indicators: entries("indicators"),
        script_files: HashMap::new(),
    }
}

/// Line starts of a text, to find the line of many offsets without rescanning the text
/// for each (a rulebook has hundreds of entries and scripts).
struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }
    /// 1-based line of a byte offset (as [`line_col`]).
    fn line(&self, offset: usize) -> u32 {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        u32::try_from(line).unwrap_or(u32::MAX)
    }
    /// The text of a 1-based line, without its line ending.
    fn line_text(&self, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(self.text.len(), |&e| e - 1);
        let text = self.text.get(start..end.max(start))?;
        Some(text.strip_suffix('\r').unwrap_or(text))
    }
}

/// The line of an array-of-tables entry: its `[[header]]` line. Depending on the parser the
/// span starts at the header or at the first key, so walk back to the nearest header.
fn entry_line(index: &LineIndex<'_>, offset: usize) -> u32 {
    let line = index.line(offset);
    (1..=line as usize)
        .rev()
        .find(|&l| {
            index
                .line_text(l)
                .is_some_and(|s| s.trim_start().starts_with('['))
        })
        .and_then(|l| u32::try_from(l).ok())
        .unwrap_or(line)
}

/// The source line of every line of a TOML string's value starting at `offset`, following
/// TOML's rules: a newline right after an opening `"""`/`\'\'\'` is dropped; in basic strings
/// `\n` starts a new script line on the same TOML line and a line-ending backslash joins
/// TOML lines into one script line.
fn script_lines(index: &LineIndex<'_>, offset: usize) -> ScriptLines {
    let text = index.text;
    let start = floor_char_boundary(text, offset);
    let mut line = index.line(start);
    let rest = &text[start..];
    let (delimiter, basic) = if rest.starts_with("\"\"\"") {
        ("\"\"\"", true)
    } else if rest.starts_with("\'\'\'") {
        ("\'\'\'", false)
    } else if rest.starts_with('"') {
        ("\"", true)
    } else if rest.starts_with('\'') {
        ("\'", false)
    } else {
        return ScriptLines {
            first: Some(line),
            lines: Vec::new(),
        };
    };
    let mut body = &rest[delimiter.len()..];
    if delimiter.len() == 3
        && let Some(b) = body
            .strip_prefix("\r\n")
            .or_else(|| body.strip_prefix('\n'))
    {
        body = b;
        line += 1;
    }
    let mut lines = vec![line];
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if body[i..].starts_with(delimiter) {
            break;
        }
        match c {
            '\n' => {
                line += 1;
                lines.push(line);
            }
            '\\' if basic => match chars.peek().map(|&(_, n)| n) {
                Some('n') => {
                    chars.next();
                    lines.push(line);
                }
                // Line-ending backslash: the whitespace and newlines up to the next
                // non-blank character vanish from the value.
                Some(' ' | '\t' | '\r' | '\n') => {
                    while let Some(&(_, n)) = chars.peek() {
                        if !n.is_whitespace() {
                            break;
                        }
                        if n == '\n' {
                            line += 1;
                        }
                        chars.next();
                    }
                }
                _ => {
                    chars.next();
                }
            },
            _ => {}
        }
    }
    ScriptLines {
        first: lines.first().copied(),
        lines,
    }
}

fn guess_id_toml(text: &str) -> String {
    text.lines()
        .find_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix("id")?.trim_start().strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| "(unknown)".into())
}

fn guess_id_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(String::from))
        .unwrap_or_else(|| "(unknown)".into())
}

/// Problems with a `table` input's `columns` (or with `columns` on another type). The caller
/// adds the input id and the line.
pub(crate) fn table_declaration(input: &crate::model::Input) -> Vec<Problem> {
    let mut out = Vec::new();
    let bad =
        |zh: String, en: String| Problem::new(ProblemCode::InvalidInput, zh, en).field("columns");
    if input.kind != InputType::Table {
        if !input.columns.is_empty() {
            out.push(bad(
                "只有 table（表格）类型的数据项可以定义 columns".into(),
                "only table inputs may define columns".into(),
            ));
        }
        return out;
    }
    if input.columns.is_empty() {
        out.push(bad(
            "表格数据项必须列出 columns".into(),
            "a table input must list its columns".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for col in &input.columns {
        let id = col.id.as_str();
        if !crate::model::is_identifier(id) {
            out.push(bad(
                format!("列 id “{id}” 不可用：须由小写英文字母、数字和下划线组成"),
                format!("column id “{id}” is not usable: lowercase ASCII letters, digits and underscores"),
            ));
        }
        if !seen.insert(id) {
            out.push(bad(
                format!("列 id “{id}” 重复"),
                format!("column id “{id}” is listed twice"),
            ));
        }
        if col.kind == InputType::Table || !col.columns.is_empty() {
            out.push(bad(
                format!("列 “{id}” 不能再是表格"),
                format!("column “{id}” cannot itself be a table"),
            ));
        }
        if col.kind == InputType::Choice && col.choices.is_empty() {
            out.push(bad(
                format!("选择列 “{id}” 必须列出 choices"),
                format!("choice column “{id}” must list its choices"),
            ));
        }
        if let (Some(min), Some(max)) = (col.min, col.max)
            && min > max
        {
            out.push(bad(
                format!("列 “{id}” 的最小值 {min} 大于最大值 {max}"),
                format!("column “{id}”: min {min} is greater than max {max}"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_scanning() {
        let text = "a = 1\r\n[[x]]\n  中文 = \"值\"\n\n[[y]]\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 3 {
            assert_eq!(index.line(offset), line_col(text, offset).0, "{offset}");
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, expected) in lines.iter().enumerate() {
            assert_eq!(index.line_text(i + 1), Some(*expected), "line {}", i + 1);
        }
        assert_eq!(index.line_text(0), None);
        assert_eq!(index.line_text(lines.len() + 1), None);
        // The header above a key names the entry.
        assert_eq!(entry_line(&index, text.find("中文").unwrap()), 2);
    }
}
