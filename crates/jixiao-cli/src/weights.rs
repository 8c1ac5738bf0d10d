//! Weights by the analytic hierarchy process (层次分析法), for rule authors: one pairwise
//! comparison matrix (判断矩阵) per parent indicator gives its children's weights — the
//! principal eigenvector, or the rows' geometric means — with λmax, CI and CR against Saaty's
//! random index, and turns them into points that add up exactly to the parent's (largest
//! remainder).
//!
//! The matrices come from a TOML file:
//!
//! ```toml
//! [[matrices]]
//! parent = "decision"          # the parent indicator; its points from the rulebook, or:
//! points = 15
//! children = ["D1", "D2", "D3"]
//! matrix = [
//!   [1, 3, 5],
//!   ["1/3", 1, 2],
//!   ["1/5", "1/2", 1],
//! ]
//! ```

use serde::{Deserialize, Serialize};

/// How the weights are derived from a matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// The principal eigenvector (Saaty's method).
    Eigenvector,
    /// The geometric mean of each row, normalized.
    Geometric,
}

/// Which table of Saaty's random index CR divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RandomIndex {
    /// Saaty (1980): 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49 … — the table Chinese
    /// guides (e.g. DB51/T 3060-2023) print.
    Saaty1980,
    /// Saaty, *Theory and Applications of the ANP* (2005), p. 31: 0.52, 0.89, 1.11, 1.25 …
    Saaty2005,
}

impl RandomIndex {
    /// RI for an n × n matrix (n ≤ 15); 0 below 3, where every reciprocal matrix is consistent.
    fn of(self, n: usize) -> Option<f64> {
        const SAATY_1980: [f64; 15] = [
            0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.54, 1.56, 1.58, 1.59,
        ];
        const SAATY_2005: [f64; 15] = [
            0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59,
        ];
        let table = match self {
            RandomIndex::Saaty1980 => &SAATY_1980,
            RandomIndex::Saaty2005 => &SAATY_2005,
        };
        n.checked_sub(1).and_then(|i| table.get(i)).copied()
    }
}

/// The file: one matrix per parent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrices {
    pub matrices: Vec<MatrixSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixSpec {
    /// The parent indicator's id ("" for the first-level indicators under the total).
    #[serde(default)]
    pub parent: String,
    /// The parent's points, when no rulebook gives them.
    pub points: Option<f64>,
    pub children: Vec<String>,
    /// Row i, column j: how much more important child i is than child j (Saaty's 1–9 scale),
    /// a number or a fraction written as text ("1/3").
    pub matrix: Vec<Vec<Judgment>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Judgment {
    Number(f64),
    Text(String),
}

impl Judgment {
    fn value(&self) -> Option<f64> {
        let value = match self {
            Judgment::Number(n) => *n,
            Judgment::Text(t) => match t.trim().split_once('/') {
                Some((a, b)) => a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?,
                None => t.trim().parse().ok()?,
            },
        };
        (value.is_finite() && value > 0.0).then_some(value)
    }
}

/// One parent's result.
#[derive(Debug, Clone, Serialize)]
pub struct Weights {
    pub parent: String,
    pub children: Vec<String>,
    pub weights: Vec<f64>,
    pub lambda_max: f64,
    pub ci: f64,
    pub ri: f64,
    pub cr: f64,
    /// The parent's points split by the weights, to `decimals` places, adding up exactly.
    pub points: Option<Vec<f64>>,
    pub parent_points: Option<f64>,
}

/// Why a matrix cannot give weights, in Chinese and English.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} ({message_en})")]
pub struct WeightsError {
    pub parent: String,
    pub message: String,
    pub message_en: String,
}

fn error(parent: &str, message: String, message_en: String) -> WeightsError {
    WeightsError {
        parent: parent.to_string(),
        message: format!("父指标 “{parent}” 的判断矩阵：{message}"),
        message_en: format!("the matrix of parent “{parent}”: {message_en}"),
    }
}

/// How every matrix is weighed.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub method: Method,
    pub random_index: RandomIndex,
    /// Decimal places of the points.
    pub decimals: u32,
    /// Weigh a matrix whose CR is 0.1 or more instead of refusing it.
    pub allow_inconsistent: bool,
}

/// Every matrix of the file, in its order: the weighed and the refused. A parent's points are
/// those an earlier matrix gave it (so that a hierarchy is weighed top-down), else its
/// matrix's `points`, else the rulebook's.
pub fn weigh_all(
    file: &Matrices,
    rulebook: Option<&jixiao::model::RulebookSpec>,
    options: Options,
) -> (Vec<Weights>, Vec<WeightsError>) {
    let mut given: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
    let (mut weighed, mut refused) = (Vec::new(), Vec::new());
    for matrix in &file.matrices {
        let points = given
            .get(&matrix.parent)
            .copied()
            .or(matrix.points)
            .or_else(|| rulebook.and_then(|spec| parent_points(spec, &matrix.parent)));
        match weigh(
            matrix,
            options.method,
            options.random_index,
            points,
            options.decimals,
            options.allow_inconsistent,
        ) {
            Ok(w) => {
                for (child, p) in w.children.iter().zip(w.points.iter().flatten()) {
                    given.insert(child.clone(), *p);
                }
                weighed.push(w);
            }
            Err(e) => refused.push(e),
        }
    }
    (weighed, refused)
}

/// A parent's points in a rulebook: the total for the first level (""), else the indicator's
/// declared points or, for a parent that declares none, its children's sum.
fn parent_points(spec: &jixiao::model::RulebookSpec, parent: &str) -> Option<f64> {
    if parent.is_empty() {
        return Some(spec.total);
    }
    let indicator = spec.indicators.iter().find(|i| i.id == parent)?;
    indicator.points.or_else(|| {
        spec.indicators
            .iter()
            .filter(|i| i.parent.as_deref() == Some(parent))
            .map(|c| parent_points(spec, &c.id))
            .sum()
    })
}

/// `text`, a TOML rulebook, with each weighed child's `points` set (its layout and comments
/// kept): on every leaf, and on a parent where it declares them (else they are its children's
/// sum). The caller checks that the result still compiles before it replaces the file.
pub fn write_points(text: &str, weighed: &[Weights]) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let points: std::collections::HashMap<&str, f64> = weighed
        .iter()
        .flat_map(|w| {
            w.children
                .iter()
                .map(String::as_str)
                .zip(w.points.iter().flatten().copied())
        })
        .collect();
    let parents: std::collections::HashSet<String> = doc
        .get("indicators")
        .and_then(|i| i.as_array_of_tables())
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("parent").and_then(|p| p.as_str()).map(str::to_string))
        .collect();
    let Some(indicators) = doc
        .get_mut("indicators")
        .and_then(|i| i.as_array_of_tables_mut())
    else {
        return Err("评价方案没有 [[indicators]] (the rulebook has no [[indicators]])".to_string());
    };
    let mut written = 0;
    for table in indicators.iter_mut() {
        let Some(id) = table.get("id").and_then(|v| v.as_str()).map(str::to_string) else {
            continue;
        };
        let Some(&p) = points.get(id.as_str()) else {
            continue;
        };
        if parents.contains(&id) && !table.contains_key("points") {
            continue;
        }
        table["points"] = toml_edit::value(p);
        written += 1;
    }
    if written == 0 {
        return Err(
            "评价方案中没有判断矩阵所列的下级指标 (no child of the matrices is in the rulebook)"
                .to_string(),
        );
    }
    let edited = doc.to_string();
    Ok(edited)
}

/// The weights of one matrix; `parent_points` splits into points at `decimals` places. A CR of
/// 0.1 or more is refused unless `allow_inconsistent`.
pub fn weigh(
    spec: &MatrixSpec,
    method: Method,
    index: RandomIndex,
    parent_points: Option<f64>,
    decimals: u32,
    allow_inconsistent: bool,
) -> Result<Weights, WeightsError> {
    let parent = spec.parent.as_str();
    let n = spec.children.len();
    let ri = index.of(n).ok_or_else(|| {
        error(
            parent,
            format!("有 {n} 个下级指标，随机一致性指标 RI 只有 1–15 阶"),
            format!("{n} children; the random index covers 1 to 15"),
        )
    })?;
    let a = matrix_of(spec)?;
    let weights = match method {
        Method::Eigenvector => principal_eigenvector(&a),
        Method::Geometric => geometric_means(&a),
    };
    // λmax as the mean of (A w)_i / w_i: the Perron root for the eigenvector, the usual
    // estimate for the geometric means.
    #[allow(clippy::cast_precision_loss)]
    let lambda_max = (0..n)
        .map(|i| (0..n).map(|j| a[i][j] * weights[j]).sum::<f64>() / weights[i])
        .sum::<f64>()
        / n as f64;
    #[allow(clippy::cast_precision_loss)]
    let ci = if n > 2 {
        (lambda_max - n as f64) / (n as f64 - 1.0)
    } else {
        0.0
    };
    let cr = if ri > 0.0 { (ci / ri).max(0.0) } else { 0.0 };
    if cr >= 0.1 && !allow_inconsistent {
        return Err(error(
            parent,
            format!(
                "一致性比率 CR = {cr:.3} ≥ 0.1，判断前后矛盾，请调整判断矩阵（或加 --allow-inconsistent）"
            ),
            format!(
                "consistency ratio CR = {cr:.3} ≥ 0.1: the judgments contradict each other; revise them (or pass --allow-inconsistent)"
            ),
        ));
    }
    let points = parent_points.map(|total| largest_remainder(total, &weights, decimals));
    Ok(Weights {
        parent: spec.parent.clone(),
        children: spec.children.clone(),
        weights,
        lambda_max,
        ci,
        ri,
        cr,
        points,
        parent_points,
    })
}

/// The judgments as numbers, checked: square, one row per child, positive, ones on the
/// diagonal, reciprocal (a_ji = 1 / a_ij, within the rounding of a typed 0.33).
// Row and column indices are what the messages name: loops over them read as the matrix does.
#[allow(clippy::needless_range_loop)]
fn matrix_of(spec: &MatrixSpec) -> Result<Vec<Vec<f64>>, WeightsError> {
    let parent = spec.parent.as_str();
    let n = spec.children.len();
    if n == 0 || spec.matrix.len() != n || spec.matrix.iter().any(|row| row.len() != n) {
        return Err(error(
            parent,
            format!("应为 {n} × {n}（每个下级指标一行一列）"),
            format!("must be {n} × {n} (a row and a column per child)"),
        ));
    }
    let mut a = vec![vec![0.0; n]; n];
    for (i, row) in spec.matrix.iter().enumerate() {
        for (j, judgment) in row.iter().enumerate() {
            a[i][j] = judgment.value().ok_or_else(|| {
                error(
                    parent,
                    format!("第 {} 行第 {} 列不是正数或分数", i + 1, j + 1),
                    format!(
                        "row {}, column {} is no positive number or fraction",
                        i + 1,
                        j + 1
                    ),
                )
            })?;
        }
    }
    for i in 0..n {
        if (a[i][i] - 1.0).abs() > 1e-9 {
            return Err(error(
                parent,
                format!("对角线（第 {0} 行第 {0} 列）应为 1", i + 1),
                format!("the diagonal (row {0}, column {0}) must be 1", i + 1),
            ));
        }
        for j in i + 1..n {
            if (a[i][j] * a[j][i] - 1.0).abs() > 0.02 {
                return Err(error(
                    parent,
                    format!(
                        "第 {} 行第 {} 列与第 {} 行第 {} 列应互为倒数",
                        i + 1,
                        j + 1,
                        j + 1,
                        i + 1
                    ),
                    format!(
                        "row {}, column {} and row {}, column {} must be reciprocals",
                        i + 1,
                        j + 1,
                        j + 1,
                        i + 1
                    ),
                ));
            }
        }
    }
    Ok(a)
}

/// By power iteration: a positive matrix's iterates converge to its Perron vector.
fn principal_eigenvector(a: &[Vec<f64>]) -> Vec<f64> {
    let n = a.len();
    #[allow(clippy::cast_precision_loss)]
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..10_000 {
        let next: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| a[i][j] * w[j]).sum())
            .collect();
        let sum: f64 = next.iter().sum();
        let next: Vec<f64> = next.into_iter().map(|x| x / sum).collect();
        let change = next
            .iter()
            .zip(&w)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        w = next;
        if change < 1e-15 {
            break;
        }
    }
    w
}

fn geometric_means(a: &[Vec<f64>]) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss)]
    let n = a.len() as f64;
    let means: Vec<f64> = a
        .iter()
        .map(|row| row.iter().map(|x| x.ln()).sum::<f64>() / n)
        .map(f64::exp)
        .collect();
    let sum: f64 = means.iter().sum();
    means.into_iter().map(|m| m / sum).collect()
}

/// `total` split in proportion to `weights` at `decimals` places, adding up to `total` exactly
/// as printed: each part rounded down, the units left given to the largest remainders.
pub fn largest_remainder(total: f64, weights: &[f64], decimals: u32) -> Vec<f64> {
    let scale = 10f64.powi(i32::try_from(decimals).unwrap_or(2));
    #[allow(clippy::cast_possible_truncation)]
    let units = (total * scale).round() as i64;
    let sum: f64 = weights.iter().sum();
    #[allow(clippy::cast_precision_loss)]
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * units as f64).collect();
    #[allow(clippy::cast_possible_truncation)]
    let mut parts: Vec<i64> = exact.iter().map(|e| e.floor() as i64).collect();
    let left = units - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    #[allow(clippy::cast_precision_loss)]
    order.sort_by(|&a, &b| {
        (exact[b] - parts[b] as f64)
            .total_cmp(&(exact[a] - parts[a] as f64))
            .then(a.cmp(&b))
    });
    for &i in order.iter().take(usize::try_from(left).unwrap_or(0)) {
        parts[i] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    parts.into_iter().map(|p| p as f64 / scale).collect()
}
