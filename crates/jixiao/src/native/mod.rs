//! Native programs: leaf and KPI scripts run without the Rhai interpreter, the one native
//! form behind one boundary ([`program`] lowers a compiled script, [`Program::score`] runs
//! it). This is the only module that reads Rhai's AST (`internals`).
//!
//! The subset is what rulebooks are made of: a lone helper call with literal arguments,
//! `proportional("execution_rate", 0.95)` (its arguments worked out once, at compile time);
//! arithmetic over inputs and KPIs, `(planned - actual) / planned`; `let`, `if`, `switch`,
//! comparisons, `deduct` tables, `finding` / `explain` / `flag`. A run gives Rhai's result
//! exactly: the same helper functions, Rhai's arithmetic and comparisons, and anything outside
//! the subset — or unusual at run time — is left to Rhai ([`Stop::Abandon`]). The
//! `check-native` feature runs Rhai beside every native run and fails on any difference.
//! The speed-up is an order of magnitude on typical rulebooks (BENCHMARKS.md).
//!
//! What to re-check when Rhai is upgraded: the `Expr` / `Stmt` variants matched in
//! [`Lowering`], how Rhai hashes `switch` cases ([`switch_hashing_agrees`] guards it at run
//! time), how it prints floats ([`push_float_as_rhai`]) and compares them (`compare`).

use crate::helpers::{Arg, Frame, Helper, Known, MetricTable, UNIT};
use crate::submission::Val;
use rhai::{AST, Dynamic, Expr, Position, Stmt, Token};

/// A helper call whose arguments are all constants: a whole leaf script
/// (`proportional("execution_rate", 0.95)`) or a call inside a program (`full()`,
/// `zero("未达标")`). The arguments are padded to three (at most three:
/// `Helper::by_call`) so that lending them builds no list: measured against arguments kept
/// as they are and collected per call, bench40 −2.2 % instructions per evaluation (the
/// one trick of its kind kept; most leaves are such a call).
#[derive(Debug, Clone)]
struct HelperCall {
    helper: Helper,
    pos: Position,
    args: [Dynamic; 3],
    /// What the helper makes of each argument, worked out once (metric ids as indices,
    /// numbers, band tables) instead of on every call.
    known: [Known; 3],
    len: usize,
}

impl HelperCall {
    fn new(helper: Helper, pos: Position, args: Vec<Dynamic>, known: Vec<Known>) -> HelperCall {
        let len = args.len().min(3);
        let mut args = args.into_iter();
        let mut known = known.into_iter();
        HelperCall {
            helper,
            pos,
            args: std::array::from_fn(|_| args.next().unwrap_or(Dynamic::UNIT)),
            known: std::array::from_fn(|_| known.next().unwrap_or_default()),
            len,
        }
    }

    /// Call the helper with the compiled arguments, lent.
    fn call(&self, frame: &mut Frame<'_>) -> Result<f64, Box<rhai::EvalAltResult>> {
        let [a, b, c] = &self.args;
        let [ka, kb, kc] = &self.known;
        let args = [
            Arg {
                value: a,
                known: ka,
            },
            Arg {
                value: b,
                known: kb,
            },
            Arg {
                value: c,
                known: kc,
            },
        ];
        crate::helpers::call_helper_with(frame, self.helper, self.pos, &args[..self.len])
    }
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

// ---------------------------------------------------------------------------------------
// Native programs: the small language most other leaf scripts are written in.
//
// `let`, `if`/`else`, blocks, `&&`/`||`/`!`, comparisons, `+ - * /` on numbers, array
// literals, the scoring helpers and `finding`/`explain`/`flag`, over inputs, KPIs, `points`
// and local variables. Rhai gives such a script's result through a general interpreter
// (scope lookups by name, function resolution, a runtime state per call); here it is a
// tree of slots and direct calls. Anything outside the subset is not lowered, and anything
// unusual at run time (a type mismatch, an integer overflow, a helper error, a non-number
// result) abandons the native run: the caller resets the leaf's recorded text and runs the
// script in Rhai, which then decides — so results and errors are Rhai's by construction,
// and a differential test checks the two agree on every shipped rulebook.

/// A leaf script lowered to native steps.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    body: Block,
    locals: usize,
}

#[derive(Debug, Clone, Default)]
struct Block(Vec<Step>);

#[derive(Debug, Clone)]
enum Step {
    Let(usize, Node),
    Eval(Node),
}

#[derive(Debug, Clone, Copy)]
enum Record {
    Finding,
    Explain,
    Flag,
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone)]
enum Node {
    Const(Dynamic),
    /// A number literal as an operand of arithmetic or a comparison, read once at compile
    /// time rather than out of its `Dynamic` on every run.
    Num(Number),
    Metric(usize),
    Points,
    Local(usize),
    Array(Vec<Node>),
    /// A helper call whose arguments are all constants, `full()`, `zero("未达标")`: called
    /// as a one-call leaf script is, with no argument buffer to fill, lend from or drop.
    Call(Box<HelperCall>),
    /// A helper call, with what is known of its constant arguments (`Known::of_args`).
    Helper(Helper, Position, Vec<Node>, Vec<Known>),
    /// `deduct([[c, p, r], …])` with the rows written out: evaluated into a buffer instead
    /// of building three arrays per call.
    /// With what is known of each row's points (`Known::number`).
    Deduct(Position, Vec<[Node; 3]>, Vec<Known>),
    /// The text, and an English text for `finding(zh, en)` / `explain(zh, en)`.
    Record(Record, Box<Node>, Option<Box<Node>>),
    Arith(Op, Box<Node>, Box<Node>),
    Cmp(Cmp, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    If(Box<Node>, Block, Block),
    Block(Block),
    Switch(Box<Switch>),
    /// A pure standard function: `max(a, b)`, `x.ceiling()`, `days_between(d1, d2)` …
    Func(Func, Vec<Node>),
    /// An interpolated string whose parts are strings and integers: `` `延期 ${n} 天` ``.
    Interp(Vec<Node>),
}

/// A scoring helper call in a native program, with what is known of its arguments at
/// compile time (metric ids, numbers, band tables): what `Engine::lint` checks against the
/// inputs' declared ranges.
pub(crate) struct KnownCall<'p> {
    pub helper: Helper,
    pub pos: Position,
    pub known: &'p [Known],
}

impl KnownCall<'_> {
    /// The metric the call scores (its first argument, a metric id), as an index.
    pub(crate) fn subject(&self) -> Option<usize> {
        match self.known.first() {
            Some(Known::Metric(m)) => Some(*m),
            _ => None,
        }
    }

    /// Argument `i` where it is a number written in the script.
    pub(crate) fn number(&self, i: usize) -> Option<f64> {
        match self.known.get(i) {
            Some(Known::Num(n)) => Some(*n),
            _ => None,
        }
    }
}

impl Program {
    /// The call, when the whole program is one helper call (as most leaf scripts are): its
    /// result is the leaf's score.
    pub(crate) fn only_call(&self) -> Option<KnownCall<'_>> {
        match self.body.0.as_slice() {
            [Step::Eval(Node::Call(call))] => Some(KnownCall {
                helper: call.helper,
                pos: call.pos,
                known: &call.known[..call.len],
            }),
            [Step::Eval(Node::Helper(helper, pos, _, known))] => Some(KnownCall {
                helper: *helper,
                pos: *pos,
                known,
            }),
            _ => None,
        }
    }

    /// Every helper call of the program, in script order.
    pub(crate) fn known_calls(&self) -> Vec<KnownCall<'_>> {
        let mut calls = Vec::new();
        self.body.known_calls(&mut calls);
        calls
    }
}

impl Block {
    fn known_calls<'p>(&'p self, calls: &mut Vec<KnownCall<'p>>) {
        for step in &self.0 {
            match step {
                Step::Let(_, node) | Step::Eval(node) => node.known_calls(calls),
            }
        }
    }
}

impl Node {
    fn known_calls<'p>(&'p self, calls: &mut Vec<KnownCall<'p>>) {
        match self {
            Node::Call(call) => calls.push(KnownCall {
                helper: call.helper,
                pos: call.pos,
                known: &call.known[..call.len],
            }),
            Node::Helper(helper, pos, args, known) => {
                calls.push(KnownCall {
                    helper: *helper,
                    pos: *pos,
                    known,
                });
                for arg in args {
                    arg.known_calls(calls);
                }
            }
            Node::If(condition, then, otherwise) => {
                condition.known_calls(calls);
                then.known_calls(calls);
                otherwise.known_calls(calls);
            }
            Node::Block(block) => block.known_calls(calls),
            Node::Switch(switch) => {
                for (_, case) in &switch.cases {
                    case.known_calls(calls);
                }
                if let Some(default) = &switch.default {
                    default.known_calls(calls);
                }
            }
            Node::Arith(_, a, b) | Node::Cmp(_, a, b) => {
                a.known_calls(calls);
                b.known_calls(calls);
            }
            Node::Neg(a) | Node::Not(a) => a.known_calls(calls),
            Node::And(nodes) | Node::Or(nodes) | Node::Array(nodes) | Node::Func(_, nodes) => {
                for node in nodes {
                    node.known_calls(calls);
                }
            }
            Node::Const(_)
            | Node::Num(_)
            | Node::Metric(_)
            | Node::Points
            | Node::Local(_)
            | Node::Deduct(..)
            | Node::Record(..)
            | Node::Interp(_) => {}
        }
    }
}

/// Rhai functions with a native twin. Each twin handles the argument types whose result
/// is certain (floats for rounding, integers or floats for `max`…) and abandons on any
/// other, so Rhai keeps deciding overloads, conversions and errors.
#[derive(Debug, Clone, Copy)]
enum Func {
    Max,
    Min,
    Abs,
    Floor,
    Ceiling,
    Round,
    ToInt,
    ToFloat,
    DaysBetween,
}

impl Func {
    fn by_call(name: &str, arity: usize) -> Option<Func> {
        Some(match (name, arity) {
            ("max", 2) => Func::Max,
            ("min", 2) => Func::Min,
            ("abs", 1) => Func::Abs,
            ("floor", 1) => Func::Floor,
            ("ceiling", 1) => Func::Ceiling,
            ("round", 1) => Func::Round,
            ("to_int", 1) => Func::ToInt,
            ("to_float", 1) => Func::ToFloat,
            ("days_between", 2) => Func::DaysBetween,
            _ => return None,
        })
    }

    fn call(self, args: &[&Dynamic]) -> Native<Dynamic> {
        let float = |d: &Dynamic| d.as_float().map_err(|_| Abandon);
        Ok(match (self, args) {
            (Func::Max | Func::Min, [a, b]) => {
                let first = match self {
                    Func::Max => |o: std::cmp::Ordering| o.is_ge(),
                    _ => |o: std::cmp::Ordering| o.is_le(),
                };
                // Rhai: `if x >= y { x } else { y }` (max) per type; mixed types are its own.
                if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
                    Dynamic::from_int(if first(x.cmp(&y)) { x } else { y })
                } else {
                    let (x, y) = (float(a)?, float(b)?);
                    let order = x.partial_cmp(&y);
                    Dynamic::from_float(if order.is_some_and(first) { x } else { y })
                }
            }
            (Func::Abs, [a]) => match a.as_int() {
                Ok(i) => Dynamic::from_int(i.checked_abs().ok_or(Abandon)?),
                Err(_) => Dynamic::from_float(float(a)?.abs()),
            },
            (Func::Floor, [a]) => Dynamic::from_float(float(a)?.floor()),
            (Func::Ceiling, [a]) => Dynamic::from_float(float(a)?.ceil()),
            (Func::Round, [a]) => Dynamic::from_float(float(a)?.round()),
            (Func::ToInt, [a]) => {
                let x = float(a)?;
                // Rhai's range check; NaN and the edges are left to it.
                #[allow(clippy::cast_precision_loss)]
                if !(x > i64::MIN as f64 && x < i64::MAX as f64) {
                    return Err(Abandon);
                }
                #[allow(clippy::cast_possible_truncation)]
                Dynamic::from_int(x.trunc() as i64)
            }
            (Func::ToFloat, [a]) => match a.as_int() {
                #[allow(clippy::cast_precision_loss)]
                Ok(i) => Dynamic::from_float(i as f64),
                Err(_) => Dynamic::from_float(float(a)?),
            },
            (Func::DaysBetween, [from, to]) => {
                let day = |d: &Dynamic| {
                    d.read_lock::<rhai::ImmutableString>()
                        .and_then(|s| crate::submission::parse_date(s.as_str()))
                        .ok_or(Abandon)
                };
                let (a, b) = (day(from)?, day(to)?);
                Dynamic::from_int(b.checked_sub(a).ok_or(Abandon)?)
            }
            _ => return Err(Abandon),
        })
    }
}

/// `switch subject { "a" => …, "b" => …, _ => … }` over constant cases without conditions
/// or ranges. Cases are kept as Rhai keys them, by the hash of the case value, and the
/// subject is hashed the same way (checked against Rhai once: [`switch_hashing_agrees`]).
#[derive(Debug, Clone)]
struct Switch {
    subject: Node,
    cases: Vec<(u64, Node)>,
    default: Option<Node>,
}

/// The hash Rhai gives a `switch` value: `Dynamic`'s `Hash` through a fixed-key `AHasher`.
fn switch_hash(value: &Dynamic) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = ahash::AHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Whether [`switch_hash`] is Rhai's own: a probe script's case key must equal our hash of
/// its value. If a Rhai or ahash upgrade ever changes how keys are made, `switch` simply
/// stops being lowered (Rhai runs it) instead of matching the wrong case.
fn switch_hashing_agrees() -> bool {
    static AGREES: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AGREES.get_or_init(|| {
        let engine = rhai::Engine::new_raw();
        let Ok(ast) = engine.compile(r#"switch x { "探针 probe" => 1, 7 => 2, true => 3 }"#)
        else {
            return false;
        };
        let [Stmt::Switch(x, _)] = ast.statements() else {
            return false;
        };
        let theirs: Vec<u64> = x.1.cases.keys().copied().collect();
        let ours: Vec<u64> = [
            Dynamic::from("探针 probe"),
            Dynamic::from_int(7),
            Dynamic::from_bool(true),
        ]
        .iter()
        .map(switch_hash)
        .collect();
        // The same three distinct hashes, in any order. Compared without sorting: a sort of
        // u64s would be the module's only one (see `crate::sort_usizes`).
        let distinct = |v: &[u64]| v.iter().enumerate().all(|(i, h)| !v[..i].contains(h));
        theirs.len() == ours.len()
            && distinct(&theirs)
            && distinct(&ours)
            && ours.iter().all(|h| theirs.contains(h))
    })
}

/// Why a native run stopped short: Rhai runs the script instead. (A helper's error is kept
/// aside in [`Env::failed`] as it abandons, and the run ends with [`Stop::Failed`].)
#[derive(Debug)]
pub(crate) struct Abandon;

/// How a program's run ended without a score.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Outside what runs natively: Rhai decides, from a clean slate.
    Abandon,
    /// A helper's error. Final, as in Rhai: the subset has no way to catch it, and every step
    /// before it ran as Rhai would have run it.
    Failed(Box<rhai::EvalAltResult>),
}

/// A float as Rhai's `to_string` prints it (`FloatWrapper`'s `Display`): `0.0` for zero,
/// scientific notation outside [1e-13, 1e13] (its bounds are `f32`s), otherwise Rust's
/// shortest form with `.0` added to whole numbers.
fn push_float_as_rhai(text: &mut String, f: f64) {
    use std::fmt::Write as _;
    const MAX_NATURAL: f32 = 10_000_000_000_000.0;
    const MIN_NATURAL: f32 = 0.000_000_000_000_1;
    let abs = f.abs();
    // Writing to a String cannot fail.
    let _ = if abs == 0.0 {
        text.write_str("0.0")
    } else if abs > f64::from(MAX_NATURAL) || abs < f64::from(MIN_NATURAL) {
        write!(text, "{f:e}")
    } else if abs.fract() == 0.0 {
        write!(text, "{f}.0")
    } else {
        write!(text, "{f}")
    };
}

type Native<T> = Result<T, Abandon>;

/// Lower a leaf script, or `None` when it uses anything outside the subset.
pub(crate) fn program(ast: &AST, table: &MetricTable) -> Option<Program> {
    if ast.has_functions() {
        return None;
    }
    let mut lower = Lowering {
        table,
        names: Vec::new(),
        slots: 0,
    };
    let body = lower.block(ast.statements())?;
    Some(Program {
        body,
        locals: lower.slots,
    })
}

struct Lowering<'t> {
    table: &'t MetricTable,
    /// Local variables in lexical scope, innermost last.
    names: Vec<(rhai::ImmutableString, usize)>,
    slots: usize,
}

impl Lowering<'_> {
    fn block(&mut self, stmts: &[Stmt]) -> Option<Block> {
        let outer = self.names.len();
        let steps = stmts
            .iter()
            .map(|s| self.step(s))
            .collect::<Option<Vec<_>>>();
        self.names.truncate(outer);
        Some(Block(steps?))
    }

    fn step(&mut self, stmt: &Stmt) -> Option<Step> {
        Some(match stmt {
            Stmt::Var(x, _, _) => {
                let (ident, value, _) = &**x;
                let value = self.expr(value)?;
                let slot = self.slots;
                self.slots += 1;
                self.names.push((ident.name.clone(), slot));
                Step::Let(slot, value)
            }
            Stmt::Noop(_) => Step::Eval(Node::Const(Dynamic::UNIT)),
            Stmt::Expr(e) => Step::Eval(self.expr(e)?),
            Stmt::FnCall(call, pos) => Step::Eval(self.call(call, *pos)?),
            Stmt::Block(b) => Step::Eval(Node::Block(self.block(b.statements())?)),
            Stmt::Switch(x, _) => Step::Eval(self.switch(&x.0, &x.1)?),
            Stmt::If(flow, _) => Step::Eval(Node::If(
                Box::new(self.expr(&flow.expr)?),
                self.block(flow.body.statements())?,
                self.block(flow.branch.statements())?,
            )),
            _ => return None,
        })
    }

    fn expr(&mut self, e: &Expr) -> Option<Node> {
        Some(match e {
            Expr::DynamicConstant(d, _) => Node::Const((**d).clone()),
            Expr::BoolConstant(b, _) => Node::Const(Dynamic::from_bool(*b)),
            Expr::IntegerConstant(i, _) => Node::Const(Dynamic::from_int(*i)),
            Expr::FloatConstant(f, _) => Node::Const(Dynamic::from_float(**f)),
            Expr::StringConstant(s, _) => Node::Const(Dynamic::from(s.clone())),
            Expr::Unit(_) => Node::Const(Dynamic::UNIT),
            Expr::Array(items, _) => Node::Array(
                items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Expr::Variable(v, _, _) => {
                let name = v.1.as_str();
                if let Some(&(_, slot)) = self.names.iter().rev().find(|(n, _)| n == name) {
                    Node::Local(slot)
                } else if name == "points" {
                    Node::Points
                } else {
                    Node::Metric(*self.table.by_name.get(name)?)
                }
            }
            Expr::Stmt(b) => Node::Block(self.block(b.statements())?),
            Expr::FnCall(call, pos) => self.call(call, *pos)?,
            // `x.ceiling()`: a method call without arguments on a value (not `?.`).
            Expr::Dot(x, flags, _) if !flags.contains(rhai::ASTFlags::NEGATED) => {
                let Expr::MethodCall(call, _) = &x.rhs else {
                    return None;
                };
                let func = Func::by_call(call.name.as_str(), 1).filter(|_| call.args.is_empty())?;
                Node::Func(func, vec![self.expr(&x.lhs)?])
            }
            Expr::InterpolatedString(parts, _) => Node::Interp(
                parts
                    .iter()
                    .map(|p| self.expr(p))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Expr::And(items, _) => Node::And(
                items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Expr::Or(items, _) => Node::Or(
                items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Option<Vec<_>>>()?,
            ),
            _ => return None,
        })
    }

    fn switch(&mut self, subject: &Expr, cases: &rhai::SwitchCasesCollection) -> Option<Node> {
        if !cases.ranges.is_empty() || !switch_hashing_agrees() {
            return None;
        }
        let unconditional = |index: usize| {
            let block = cases.expressions.get(index)?;
            matches!(block.lhs, Expr::BoolConstant(true, _)).then_some(&block.rhs)
        };
        let subject = self.expr(subject)?;
        let mut lowered = Vec::with_capacity(cases.cases.len());
        for (&hash, list) in &cases.cases {
            // Rhai takes the first block whose condition holds; ours have none.
            let rhs = unconditional(*list.blocks.first()?)?;
            lowered.push((hash, self.expr(rhs)?));
        }
        let default = match cases.def_case {
            Some(index) => Some(self.expr(unconditional(index)?)?),
            None => None,
        };
        Some(Node::Switch(Box::new(Switch {
            subject,
            cases: lowered,
            default,
        })))
    }

    /// One `[condition, points_each, reason]` row of a `deduct()` array literal.
    fn deduct_row(&mut self, row: &Expr) -> Option<[Node; 3]> {
        let Expr::Array(cells, _) = row else {
            return None;
        };
        let [c, p, r] = cells.as_slice() else {
            return None;
        };
        Some([self.expr(c)?, self.expr(p)?, self.expr(r)?])
    }

    fn call(&mut self, call: &rhai::FnCallExpr, pos: Position) -> Option<Node> {
        if call.capture_parent_scope {
            return None;
        }
        if call.op_token.is_none()
            && Helper::by_call(call.name.as_str(), call.args.len()) == Some(Helper::Deduct)
            && let [Expr::Array(rows, _)] = call.args.as_slice()
            && let Some(rows) = rows
                .iter()
                .map(|r| self.deduct_row(r))
                .collect::<Option<Vec<_>>>()
        {
            let each = rows
                .iter()
                .map(|[_, each, _]| match each {
                    Node::Const(d) => Known::number(d),
                    _ => Known::Nothing,
                })
                .collect();
            return Some(Node::Deduct(pos, rows, each));
        }
        let mut args = || {
            call.args
                .iter()
                .map(|a| self.expr(a))
                .collect::<Option<Vec<_>>>()
        };
        if let Some(token) = &call.op_token {
            let mut args = args()?.into_iter();
            let (a, b) = (args.next(), args.next());
            let two = |a: Option<Node>, b: Option<Node>| {
                Some((Box::new(operand(a?)), Box::new(operand(b?))))
            };
            return Some(match (token, call.args.len()) {
                // Unary minus arrives as `Minus` with one argument (see `lower_call`).
                (Token::UnaryMinus | Token::Minus, 1) => Node::Neg(Box::new(operand(a?))),
                (Token::UnaryPlus | Token::Plus, 1) => a?,
                (Token::Bang, 1) => Node::Not(Box::new(a?)),
                (op, 2) => {
                    let (a, b) = two(a, b)?;
                    match op {
                        Token::Plus => Node::Arith(Op::Add, a, b),
                        Token::Minus => Node::Arith(Op::Sub, a, b),
                        Token::Multiply => Node::Arith(Op::Mul, a, b),
                        Token::Divide => Node::Arith(Op::Div, a, b),
                        Token::LessThan => Node::Cmp(Cmp::Lt, a, b),
                        Token::LessThanEqualsTo => Node::Cmp(Cmp::Le, a, b),
                        Token::GreaterThan => Node::Cmp(Cmp::Gt, a, b),
                        Token::GreaterThanEqualsTo => Node::Cmp(Cmp::Ge, a, b),
                        Token::EqualsTo => Node::Cmp(Cmp::Eq, a, b),
                        Token::NotEqualsTo => Node::Cmp(Cmp::Ne, a, b),
                        _ => return None,
                    }
                }
                _ => return None,
            });
        }
        let name = call.name.as_str();
        if let Some(helper) = Helper::by_call(name, call.args.len()) {
            let args = args()?;
            let constants: Vec<Option<&Dynamic>> = args
                .iter()
                .map(|a| match a {
                    Node::Const(d) => Some(d),
                    _ => None,
                })
                .collect();
            let known = Known::of_args(helper, &constants, self.table);
            if let Some(args) = constants
                .into_iter()
                .map(|d| d.cloned())
                .collect::<Option<Vec<_>>>()
                .filter(|args| args.len() <= 3)
            {
                return Some(Node::Call(Box::new(HelperCall::new(
                    helper, pos, args, known,
                ))));
            }
            return Some(Node::Helper(helper, pos, args, known));
        }
        if let Some(func) = Func::by_call(name, call.args.len()) {
            return Some(Node::Func(func, args()?));
        }
        let record = match name {
            "finding" => Record::Finding,
            "explain" => Record::Explain,
            "flag" => Record::Flag,
            _ => return None,
        };
        let mut texts = args()?.into_iter();
        match (record, texts.next(), texts.next(), texts.next()) {
            (_, Some(text), None, None) => Some(Node::Record(record, Box::new(text), None)),
            (Record::Finding | Record::Explain, Some(zh), Some(en), None) => {
                Some(Node::Record(record, Box::new(zh), Some(Box::new(en))))
            }
            _ => None,
        }
    }
}

/// What a native run reads and writes: the helpers' frame (the metric values, the leaf's
/// recording state), the leaf's points and its local slots.
struct Env<'v> {
    frame: Frame<'v>,
    points: f64,
    /// The error of the helper call that stopped the run, if one did.
    failed: Option<Box<rhai::EvalAltResult>>,
    /// Stack-first: most scripts have a few `let`s.
    /// `None` until its `let` runs: an empty slot costs no value to drop.
    locals: smallvec::SmallVec<[Option<Dynamic>; 4]>,
}

impl Env<'_> {
    /// Stop the run with a helper's error (see [`Stop::Failed`]).
    fn fail(&mut self, error: Box<rhai::EvalAltResult>) -> Abandon {
        self.failed = Some(error);
        Abandon
    }
}

impl Program {
    /// Run the program for its value of any type. `Err(Abandon)` leaves the decision to
    /// Rhai (the caller resets the leaf's recorded text first, since a helper may already
    /// have recorded some). Scoring takes [`Program::score`]; tests read other values.
    #[cfg(test)]
    pub fn run(&self, frame: Frame<'_>, points: f64) -> Native<Dynamic> {
        self.body.run(&mut self.env(frame, points))
    }

    /// The program's result as a score: [`Program::run`]'s value when that is a number,
    /// handed out as a float where it is one (a helper's score, arithmetic) rather than
    /// wrapped in a `Dynamic` and read back. [`Stop::Abandon`] for any other result, which
    /// Rhai then decides, as for `run`; [`Stop::Failed`] with a helper's error.
    pub fn score(&self, frame: Frame<'_>, points: f64) -> Result<f64, Stop> {
        let mut env = self.env(frame, points);
        self.body
            .score(&mut env)
            .map_err(|Abandon| env.failed.take().map_or(Stop::Abandon, Stop::Failed))
    }

    /// A run's environment: every local slot empty.
    fn env<'v>(&self, frame: Frame<'v>, points: f64) -> Env<'v> {
        Env {
            frame,
            points,
            failed: None,
            locals: smallvec::smallvec![None; self.locals],
        }
    }
}

/// A helper called with its arguments evaluated and lent (`eval_args`).
fn call_helper(
    helper: Helper,
    pos: Position,
    args: &[Node],
    known: &[Known],
    env: &mut Env<'_>,
) -> Native<f64> {
    let mut computed = Computed::new();
    let lent = eval_args(args, env, &mut computed)?;
    let args: smallvec::SmallVec<[Arg<'_>; 3]> = lent
        .iter()
        .zip(known)
        .map(|(value, known)| Arg { value, known })
        .collect();
    crate::helpers::call_helper_with(&mut env.frame, helper, pos, &args).map_err(|e| env.fail(e))
}

impl Block {
    /// [`Block::run`] as a score ([`Program::score`]): a block ending in a `let` (or
    /// empty) is `()`, not a number.
    fn score(&self, env: &mut Env<'_>) -> Native<f64> {
        let Some((Step::Eval(last), steps)) = self.0.split_last() else {
            return Err(Abandon);
        };
        for step in steps {
            step.run(env)?;
        }
        last.score(env)
    }

    /// The last step's value (`()` for a `let` or no step); the others' are dropped as they
    /// come, with no `()` placeholder to build and drop in between.
    fn run(&self, env: &mut Env<'_>) -> Native<Dynamic> {
        let Some((last, steps)) = self.0.split_last() else {
            return Ok(Dynamic::UNIT);
        };
        for step in steps {
            step.run(env)?;
        }
        // The last step's value is the block's: evaluated straight into the result.
        match last {
            Step::Eval(node) => node.eval(env),
            Step::Let(..) => {
                last.run(env)?;
                Ok(Dynamic::UNIT)
            }
        }
    }
}

impl Step {
    /// Run the step for its effect (a `let`'s slot); a value is dropped.
    fn run(&self, env: &mut Env<'_>) -> Native<()> {
        match self {
            Step::Let(slot, value) => env.locals[*slot] = Some(value.eval(env)?),
            Step::Eval(node) => drop(node.eval(env)?),
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

/// An operand node, a number literal made [`Node::Num`].
fn operand(node: Node) -> Node {
    if let Node::Const(d) = &node
        && let Ok(n) = number_of(d)
    {
        return Node::Num(n);
    }
    node
}

fn number_of(d: &Dynamic) -> Native<Number> {
    // Type checks first: a failed `as_int()` looks up the type's name for its error.
    if d.is_float() {
        d.as_float().map(Number::Float).map_err(|_| Abandon)
    } else if d.is_int() {
        d.as_int().map(Number::Int).map_err(|_| Abandon)
    } else {
        Err(Abandon)
    }
}

impl Number {
    fn dynamic(self) -> Dynamic {
        match self {
            Number::Int(i) => Dynamic::from_int(i),
            Number::Float(f) => Dynamic::from_float(f),
        }
    }

    #[allow(clippy::cast_precision_loss)] // Rhai converts the same way in mixed arithmetic
    fn float(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// How a `deduct` row's cell is lent to it: constants (amounts, reasons) from the program,
/// conditions and yes/no inputs as the constant `true` or `false`, and only other values
/// computed into the call's buffer (each a value to build and drop).
#[derive(Clone, Copy)]
enum Lent {
    Program,
    Bool(bool),
    Computed(usize),
}

/// The values a call's arguments (or a `deduct` call's cells) needed computed; stack-first.
type Computed = smallvec::SmallVec<[Dynamic; 8]>;

const TRUE: &Dynamic = &Dynamic::TRUE;
const FALSE: &Dynamic = &Dynamic::FALSE;

/// `finding` / `explain` / `flag` with their text (and its English, if given) evaluated:
/// recorded in the leaf's state, or `Abandon` past the recording limits (Rhai then stops the
/// script with the limit's error).
fn record(kind: Record, text: &Node, english: Option<&Node>, env: &mut Env<'_>) -> Native<()> {
    let string = |d: Dynamic| {
        d.read_lock::<rhai::ImmutableString>()
            .map(|s| s.to_string())
            .ok_or(Abandon)
    };
    let text = string(text.eval(env)?)?;
    let english = match english {
        Some(en) => Some(string(en.eval(env)?)?),
        None => None,
    };
    let text = match english {
        Some(en) if !env.frame.leaf.zh() => en,
        _ => text,
    };
    let leaf = &mut *env.frame.leaf;
    match kind {
        Record::Finding => leaf.find(|_| text, None),
        Record::Explain => leaf.explain(|_| text),
        Record::Flag => leaf.flag = Some(text),
    }
    if leaf.overflow { Err(Abandon) } else { Ok(()) }
}

impl Node {
    /// Evaluate a `deduct` cell (in order, with its effects), keeping only what must be a
    /// value of its own in `computed`.
    fn prepare(&self, env: &mut Env<'_>, computed: &mut Computed) -> Native<Lent> {
        Ok(match self {
            Node::Const(_) => Lent::Program,
            Node::Cmp(..) | Node::Not(_) | Node::And(_) | Node::Or(_) => {
                Lent::Bool(self.truth(env)?)
            }
            Node::Metric(i) if matches!(env.frame.values.get(*i), Some(Some(Val::Bool(_)))) => {
                Lent::Bool(matches!(env.frame.values[*i], Some(Val::Bool(true))))
            }
            _ => {
                computed.push(self.eval(env)?);
                Lent::Computed(computed.len() - 1)
            }
        })
    }

    /// The argument [`Node::prepare`] made ready.
    fn lend<'a>(&'a self, how: Lent, computed: &'a [Dynamic]) -> &'a Dynamic {
        match (self, how) {
            (Node::Const(d), _) => d,
            (_, Lent::Bool(true)) => TRUE,
            (_, Lent::Bool(false)) => FALSE,
            (_, Lent::Computed(i)) => &computed[i],
            (_, Lent::Program) => UNIT,
        }
    }
}

/// A call's arguments: constants (ids, thresholds, tier tables) lent from the program, not
/// copied (a copy of a tier table is a fresh array per call); the others evaluated, in order,
/// into `computed`.
fn eval_args<'a>(
    args: &'a [Node],
    env: &mut Env<'_>,
    computed: &'a mut Computed,
) -> Native<smallvec::SmallVec<[&'a Dynamic; 3]>> {
    for a in args {
        if !matches!(a, Node::Const(_)) {
            computed.push(a.eval(env)?);
        }
    }
    let mut computed = computed.iter();
    Ok(args
        .iter()
        .map(|a| match a {
            Node::Const(d) => d,
            _ => computed.next().unwrap_or(UNIT),
        })
        .collect())
}

fn truth(d: &Dynamic) -> Native<bool> {
    d.as_bool().map_err(|_| Abandon)
}

fn calc(op: Op, a: Number, b: Number) -> Native<Number> {
    Ok(match (a, b) {
        // Rhai checks integer overflow and division by zero (errors): let it.
        (Number::Int(a), Number::Int(b)) => Number::Int(
            match op {
                Op::Add => a.checked_add(b),
                Op::Sub => a.checked_sub(b),
                Op::Mul => a.checked_mul(b),
                Op::Div => a.checked_div(b),
            }
            .ok_or(Abandon)?,
        ),
        (a, b) => {
            let (a, b) = (a.float(), b.float());
            Number::Float(match op {
                Op::Add => a + b,
                Op::Sub => a - b,
                Op::Mul => a * b,
                Op::Div => a / b,
            })
        }
    })
}

fn negate(a: Number) -> Native<Number> {
    Ok(match a {
        Number::Int(i) => Number::Int(i.checked_neg().ok_or(Abandon)?),
        Number::Float(f) => Number::Float(-f),
    })
}

/// A numeric comparison exactly as Rhai makes it: integers exactly; floats (and an integer
/// against a float) relative to the larger magnitude, equal within `f64::EPSILON`
/// (rhai `func/builtin.rs`, checked build). So `0.1 + 0.2 == 0.3` holds, and NaN is neither
/// greater, smaller, equal nor unequal to 0.
fn compare(cmp: Cmp, a: Number, b: Number) -> bool {
    if let (Number::Int(a), Number::Int(b)) = (a, b) {
        return match cmp {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        };
    }
    let (x, y) = (a.float(), b.float());
    let max = if x * y == 0.0 {
        1.0
    } else {
        x.abs().max(y.abs())
    };
    if max == 0.0 {
        return matches!(cmp, Cmp::Eq | Cmp::Ge | Cmp::Le);
    }
    match cmp {
        Cmp::Eq => (x - y).abs() / max <= f64::EPSILON,
        Cmp::Ne => (x - y).abs() / max > f64::EPSILON,
        Cmp::Gt => (x - y) / max > f64::EPSILON,
        Cmp::Ge => (x - y) / max > -f64::EPSILON,
        Cmp::Lt => (y - x) / max > f64::EPSILON,
        Cmp::Le => (y - x) / max > -f64::EPSILON,
    }
}

impl Node {
    /// The number a node without effects gives, computed without a `Dynamic` (comparisons
    /// and arithmetic on inputs, KPIs, `points`, locals and literals are most of what
    /// programs do). `None` when the node is not of that kind or its value is not a number:
    /// the caller then evaluates it as usual, which may compute it again — harmless, since
    /// nothing read here records or changes anything. The results, and where a run
    /// abandons, are those of [`Node::eval`].
    fn number(&self, env: &Env<'_>) -> Option<Native<Number>> {
        Some(match self {
            // Anything but a number goes through `eval`, which decides.
            Node::Num(n) => Ok(*n),
            Node::Const(d) => Ok(number_of(d).ok()?),
            Node::Local(slot) => Ok(number_of(env.locals.get(*slot)?.as_ref()?).ok()?),
            // As `to_dynamic` gives them to scripts: whole numbers as floats too.
            Node::Metric(i) => Ok(Number::Float(match env.frame.values.get(*i)?.as_ref()? {
                Val::Num(n) => *n,
                #[allow(clippy::cast_precision_loss)]
                Val::Int(n) => *n as f64,
                Val::Grade { fraction, .. } => *fraction,
                _ => return None,
            })),
            Node::Points => Ok(Number::Float(env.points)),
            Node::Arith(op, a, b) => match (a.number(env)?, b.number(env)?) {
                (Ok(a), Ok(b)) => calc(*op, a, b),
                _ => Err(Abandon),
            },
            Node::Neg(a) => a.number(env)?.and_then(negate),
            _ => return None,
        })
    }

    /// The node's value as a score ([`Program::score`]): helpers' scores and branches' values
    /// as floats, any other node's value when it is a number (integers as floats, as the
    /// engine reads a script's result).
    fn score(&self, env: &mut Env<'_>) -> Native<f64> {
        match self {
            Node::Call(call) => call.call(&mut env.frame).map_err(|e| env.fail(e)),
            Node::Helper(helper, pos, args, known) => call_helper(*helper, *pos, args, known, env),
            Node::If(cond, then, otherwise) => {
                if cond.truth(env)? {
                    then.score(env)
                } else {
                    otherwise.score(env)
                }
            }
            Node::Block(block) => block.score(env),
            #[allow(clippy::cast_precision_loss)]
            _ => Ok(match self.num(env)? {
                Number::Float(f) => f,
                Number::Int(i) => i as f64,
            }),
        }
    }

    /// The node's value as a number: [`Node::number`], else evaluated (abandoning on any
    /// other type, as Rhai's arithmetic would raise its own error or convert).
    fn num(&self, env: &mut Env<'_>) -> Native<Number> {
        match self.number(env) {
            Some(n) => n,
            None => number_of(&self.eval(env)?),
        }
    }

    /// The node's value as a condition, comparisons and logic computed without `Dynamic`s.
    fn truth(&self, env: &mut Env<'_>) -> Native<bool> {
        match self {
            Node::Cmp(cmp, a, b) => {
                // Both sides numbers without effects: compared at once (an operand that
                // abandons abandons either way).
                if let Some(x) = a.number(env)
                    && let Some(y) = b.number(env)
                {
                    return Ok(compare(*cmp, x?, y?));
                }
                let (a, b) = (a.eval(env)?, b.eval(env)?);
                if let (Ok(a), Ok(b)) = (number_of(&a), number_of(&b)) {
                    return Ok(compare(*cmp, a, b));
                }
                // Equality of two booleans or two strings; any other mix is Rhai's call.
                let equal = if let (Ok(a), Ok(b)) = (a.as_bool(), b.as_bool()) {
                    a == b
                } else if let (Some(a), Some(b)) = (
                    a.read_lock::<rhai::ImmutableString>(),
                    b.read_lock::<rhai::ImmutableString>(),
                ) {
                    *a == *b
                } else {
                    return Err(Abandon);
                };
                match cmp {
                    Cmp::Eq => Ok(equal),
                    Cmp::Ne => Ok(!equal),
                    _ => Err(Abandon),
                }
            }
            Node::Not(a) => Ok(!a.truth(env)?),
            Node::And(items) => {
                for i in items {
                    if !i.truth(env)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Node::Or(items) => {
                for i in items {
                    if i.truth(env)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => truth(&self.eval(env)?),
        }
    }

    fn eval(&self, env: &mut Env<'_>) -> Native<Dynamic> {
        Ok(match self {
            Node::Const(d) => d.clone(),
            Node::Num(n) => n.dynamic(),
            Node::Metric(i) => env
                .frame
                .values
                .get(*i)
                .and_then(Option::as_ref)
                .map_or(Dynamic::UNIT, crate::helpers::to_dynamic),
            Node::Points => Dynamic::from_float(env.points),
            // A slot is always set before it is read (`let` comes first in its scope).
            Node::Local(slot) => env.locals[*slot].clone().ok_or(Abandon)?,
            Node::Array(items) => Dynamic::from_array(
                items
                    .iter()
                    .map(|i| i.eval(env))
                    .collect::<Native<Vec<_>>>()?,
            ),
            Node::Call(call) => {
                Dynamic::from_float(call.call(&mut env.frame).map_err(|e| env.fail(e))?)
            }
            Node::Helper(helper, pos, args, known) => {
                Dynamic::from_float(call_helper(*helper, *pos, args, known, env)?)
            }
            Node::Deduct(pos, rows, each) => {
                // Rows are evaluated in order before the call, as Rhai builds the array first;
                // cells are lent as call arguments are (`Lent`).
                let mut computed = Computed::new();
                let mut how = smallvec::SmallVec::<[[Lent; 3]; 8]>::new();
                for row in rows {
                    let mut cells = [Lent::Program; 3];
                    for (cell, node) in cells.iter_mut().zip(row) {
                        *cell = node.prepare(env, &mut computed)?;
                    }
                    how.push(cells);
                }
                let lent = rows
                    .iter()
                    .zip(&how)
                    .map(|(row, cells)| std::array::from_fn(|i| row[i].lend(cells[i], &computed)))
                    .collect::<smallvec::SmallVec<[[&Dynamic; 3]; 8]>>();
                let score = crate::helpers::deduct_rows(&mut env.frame, *pos, &lent, each)
                    .map_err(|e| env.fail(e))?;
                Dynamic::from_float(score)
            }
            Node::Record(kind, text, english) => {
                record(*kind, text, english.as_deref(), env)?;
                Dynamic::UNIT
            }
            Node::Arith(op, a, b) => calc(*op, a.num(env)?, b.num(env)?)?.dynamic(),
            Node::Cmp(..) | Node::Not(_) | Node::And(_) | Node::Or(_) => {
                Dynamic::from_bool(self.truth(env)?)
            }
            Node::Neg(a) => negate(a.num(env)?)?.dynamic(),
            Node::If(cond, then, otherwise) => {
                if cond.truth(env)? {
                    then.run(env)?
                } else {
                    otherwise.run(env)?
                }
            }
            Node::Block(block) => block.run(env)?,
            Node::Func(func, args) => {
                let mut computed = Computed::new();
                func.call(&eval_args(args, env, &mut computed)?)?
            }
            Node::Interp(parts) => {
                let mut text = String::new();
                for part in parts {
                    let value = part.eval(env)?;
                    if let Some(s) = value.read_lock::<rhai::ImmutableString>() {
                        text.push_str(s.as_str());
                    } else if let Ok(i) = value.as_int() {
                        text.push_str(itoa::Buffer::new().format(i));
                    } else if let Ok(f) = value.as_float() {
                        push_float_as_rhai(&mut text, f);
                    } else if let Ok(b) = value.as_bool() {
                        text.push_str(if b { "true" } else { "false" });
                    } else {
                        // Rhai's own `to_string` of other types (arrays, maps, ()…) is its to print.
                        return Err(Abandon);
                    }
                    if text.len() > crate::limits::MAX_STRING {
                        return Err(Abandon);
                    }
                }
                Dynamic::from(text)
            }
            Node::Switch(switch) => {
                let subject = switch.subject.eval(env)?;
                // Only the value types the hashing was checked on; Rhai decides the rest.
                if !(subject.is_string() || subject.is_int() || subject.is_bool()) {
                    return Err(Abandon);
                }
                let hash = switch_hash(&subject);
                match switch.cases.iter().find(|(h, _)| *h == hash) {
                    Some((_, rhs)) => rhs.eval(env)?,
                    None => match &switch.default {
                        Some(rhs) => rhs.eval(env)?,
                        None => Dynamic::UNIT,
                    },
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A native run outside an evaluation: no metric labels, a fresh leaf.
    fn run_with(program: &Program, values: &[Option<Val>], points: f64) -> Native<Dynamic> {
        let table = MetricTable::default();
        let mut leaf = crate::helpers::LeafState::default();
        program.run(
            Frame {
                table: &table,
                values,
                leaf: &mut leaf,
            },
            points,
        )
    }

    fn score_with(program: &Program, values: &[Option<Val>], points: f64) -> Result<f64, Stop> {
        let table = MetricTable::default();
        let mut leaf = crate::helpers::LeafState::default();
        program.score(
            Frame {
                table: &table,
                values,
                leaf: &mut leaf,
            },
            points,
        )
    }
    use crate::helpers::MetricMeta;

    fn table() -> MetricTable {
        let mut t = MetricTable::default();
        for id in ["x", "k", "b"] {
            t.by_name.insert(id.into(), t.metas.len());
            t.metas.push(MetricMeta {
                id: id.into(),
                label: id.into(),
                label_en: None,
                fmt: crate::text::ValueFmt::Number,
                unit: None,
            });
        }
        t
    }

    fn lowers(script: &str) -> bool {
        let mut engine = crate::script::sandbox();
        engine.set_strict_variables(false);
        let ast = engine.compile(script).unwrap();
        program(&ast, &table()).is_some()
    }

    #[test]
    fn the_usual_shapes_lower() {
        for script in [
            r#"deduct([[x > 50.0, 1, "问题甲"], [b, 0.5, "问题乙"]])"#,
            r#"if x > 10.0 { full() } else { zero("未达标") }"#,
            r#"let r = k; if r > 1.0 { full() } else { award(points * r, "按比例") }"#,
            r#"if k >= 0.9 && !b { flag("绿"); full() } else { finding("偏差"); points / 2 }"#,
            r#"switch x { "通过" => full("已验收"), "初验" => award(points * 0.6, "仅初验"), _ => zero("未验收") }"#,
            r#"switch x { "是" => full() }"#,
            "let late = max(k, 0.0); deduct([[(late / 30.0).ceiling(), 1, `延期 ${late.to_int()} 天`]])",
            "award(min(points, floor(abs(x))), `取整 ${round(k).to_int()}`)",
            "let d = -k; if +d < -0.5 { zero(\"偏离\") } else { full() }",
        ] {
            assert!(lowers(script), "{script}");
        }
    }

    #[test]
    fn kpi_arithmetic_with_unary_minus_lowers_and_computes() {
        let mut engine = crate::script::sandbox();
        engine.set_strict_variables(false);
        let ast = engine.compile_expression("-(x - k) / +k").unwrap();
        let kpi = program(&ast, &table()).expect("lowered");
        let values = [Some(Val::Num(3.0)), Some(Val::Num(4.0)), None];
        assert_eq!(score_with(&kpi, &values, 0.0).unwrap(), 0.25);
    }

    #[test]
    fn anything_else_stays_with_rhai() {
        for script in [
            "let s = 0.0; for i in 0..3 { s += 1.0; } s",
            "let a = 1.0; a = 2.0; a",
            "fn f() { 1.0 } f()",
            "sqrt(x)",
            "x.to_string()",
            "x?.abs()",
            // Conditions and ranges on cases are Rhai's.
            r#"switch x { "a" if k > 1.0 => full(), _ => 0.0 }"#,
            "switch x { 1..5 => full(), _ => 0.0 }",
        ] {
            assert!(!lowers(script), "{script}");
        }
    }

    #[test]
    fn switch_cases_are_found_as_rhai_finds_them() {
        // Lowering `switch` depends on hashing values exactly as Rhai keys its cases.
        assert!(switch_hashing_agrees());
        let table = table();
        let mut engine = crate::script::sandbox();
        engine.set_strict_variables(false);
        let script = r#"switch x { "甲" => 1.0, "乙" => 2.0, 3 => 3.0, true => 4.0, _ => 5.0 }"#;
        let program = program(&engine.compile(script).unwrap(), &table).unwrap();
        for (value, expected) in [
            (Val::Text("甲".into()), 1.0),
            (Val::Text("乙".into()), 2.0),
            (Val::Text("丙".into()), 5.0),
            (Val::Bool(true), 4.0),
            (Val::Bool(false), 5.0),
        ] {
            let values = [Some(value.clone()), None, None];
            let got = run_with(&program, &values, 1.0)
                .unwrap()
                .as_float()
                .unwrap();
            assert_eq!(got, expected, "{value:?}");
        }
        // A number reaches scripts as a float, which is not a key type we hash: Rhai decides.
        assert!(run_with(&program, &[Some(Val::Num(3.0)), None, None], 1.0).is_err());
    }

    #[test]
    fn a_score_is_the_value_when_it_is_a_number_and_abandons_otherwise() {
        let table = table();
        let mut engine = crate::script::sandbox();
        engine.set_strict_variables(false);
        let mut numbers = 0;
        for script in [
            "x * 2.0",
            "if x > 1.0 { 2 } else { 3.5 }",
            "if x > 1.0 { points } else { -x }",
            "let a = x; { a + 1.0 }",
            "if x > 1.0 { 1.0 }",
            "let a = 1.0;",
            "`${x}`",
            "x > 1.0",
            "switch x { 1 => 2.0, _ => 3 }",
        ] {
            let program = program(&engine.compile(script).unwrap(), &table).unwrap();
            for x in [0.0, 1.5] {
                let values = [Some(Val::Num(x)), None, None];
                let value = run_with(&program, &values, 5.0);
                let score = score_with(&program, &values, 5.0);
                #[allow(clippy::cast_precision_loss)]
                let expected = value.ok().and_then(|d| {
                    d.as_float()
                        .ok()
                        .or_else(|| d.as_int().ok().map(|i| i as f64))
                });
                match (expected, score) {
                    (Some(v), Ok(s)) => {
                        assert_eq!(v.to_bits(), s.to_bits(), "{script} with x = {x}");
                        numbers += 1;
                    }
                    (None, Err(Stop::Abandon)) => {}
                    (v, s) => panic!("{script} with x = {x}: value {v:?}, score {s:?}"),
                }
            }
        }
        assert!(numbers >= 8, "{numbers}");
    }

    #[test]
    fn functions_and_interpolation_run_natively_or_abandon() {
        let table = table();
        let mut engine = crate::script::sandbox();
        engine.set_strict_variables(false);
        let run = |script: &str, x: Val| {
            let program = program(&engine.compile(script).unwrap(), &table).unwrap();
            run_with(&program, &[Some(x), None, None], 5.0)
        };
        let num = |d: Native<Dynamic>| d.unwrap().as_float().unwrap();
        assert_eq!(num(run("max(x, 0.0)", Val::Num(-3.0))), 0.0);
        assert_eq!(num(run("min(x, 2.5)", Val::Num(7.0))), 2.5);
        assert_eq!(num(run("(x / 30.0).ceiling()", Val::Num(31.0))), 2.0);
        assert_eq!(num(run("floor(abs(x))", Val::Num(-2.5))), 2.0);
        assert_eq!(num(run("x.round()", Val::Num(2.5))), 3.0);
        let text = run("`延期 ${x.to_int()} 天`", Val::Num(12.9)).unwrap();
        assert_eq!(text.into_string().unwrap(), "延期 12 天");
        let days = run(r#"days_between("2025-01-01", "2025-03-01")"#, Val::Num(0.0));
        assert_eq!(days.unwrap().as_int().unwrap(), 59);
        // Floats print as Rhai's `to_string` prints them (fast_paths.rs compares the bounds).
        let text = run("`${x / 3.0} ${x * 2.0} ${x > 0.0}`", Val::Num(1.0)).unwrap();
        assert_eq!(text.into_string().unwrap(), "0.3333333333333333 2.0 true");
        // Rhai prints arrays its own way, converts mixed types and raises the errors: the
        // native run abandons instead of guessing.
        assert!(run("`${[x]}`", Val::Num(1.0)).is_err());
        assert!(run("max(x, 1)", Val::Num(1.0)).is_err());
        assert!(run("x.to_int()", Val::Num(1e300)).is_err());
        assert!(run(r#"days_between("2025-13-01", "2025-03-01")"#, Val::Num(0.0)).is_err());
    }
}
