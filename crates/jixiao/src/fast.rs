//! Compiled fast paths for the two shapes almost every rulebook is made of:
//!
//! - a leaf script that is one helper call with literal arguments,
//!   `proportional("execution_rate", 0.95)`, runs the helper directly with its arguments
//!   built once at compile time;
//! - a KPI that is arithmetic (`+ - * /`, unary minus, parentheses) over numeric inputs,
//!   KPIs and number literals, `(planned - actual) / planned`, is evaluated natively.
//!
//! Both are exact equivalents of what Rhai would do: the same helper function, IEEE float
//! arithmetic (Rhai's float `/` also yields ±inf/NaN on 0, no error), and anything that does
//! not fit the shape — or a value that is missing at run time — goes through Rhai as
//! written. The speed-up is an order of magnitude on typical rulebooks (BENCHMARKS.md).

use crate::script::{Helper, MetricTable, ValueFmt};
use crate::submission::Val;
use rhai::{AST, Dynamic, Expr, Position, Stmt, Token};

/// A compiled leaf script's shortcut.
#[derive(Debug, Clone)]
pub(crate) struct HelperCall {
    pub helper: Helper,
    pub pos: Position,
    pub args: Vec<Dynamic>,
}

/// A compiled KPI expression's shortcut.
#[derive(Debug, Clone)]
pub(crate) enum Arith {
    Num(f64),
    Var(usize),
    Neg(Box<Arith>),
    Bin(Op, Box<Arith>, Box<Arith>),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// `Some` when the whole script is a single helper call with literal arguments and defines
/// no functions of its own (which could shadow the helper).
pub(crate) fn helper_call(ast: &AST) -> Option<HelperCall> {
    if ast.has_functions() {
        return None;
    }
    let [stmt] = ast.statements() else {
        return None;
    };
    let (call, pos) = match stmt {
        Stmt::FnCall(call, pos) => (call, *pos),
        Stmt::Expr(e) => match e.as_ref() {
            Expr::FnCall(call, pos) => (call, *pos),
            _ => return None,
        },
        _ => return None,
    };
    if call.op_token.is_some() || call.capture_parent_scope {
        return None;
    }
    let helper = Helper::by_call(call.name.as_str(), call.args.len())?;
    let args = call
        .args
        .iter()
        .map(|a| a.get_literal_value(None))
        .collect::<Option<Vec<_>>>()?;
    Some(HelperCall { helper, pos, args })
}

/// `Some` when the expression is arithmetic over numeric metrics and literals.
pub(crate) fn arith(ast: &AST, table: &MetricTable) -> Option<Arith> {
    if ast.has_functions() {
        return None;
    }
    let [stmt] = ast.statements() else {
        return None;
    };
    let Stmt::Expr(e) = stmt else { return None };
    lower(e, table)
}

fn lower(e: &Expr, table: &MetricTable) -> Option<Arith> {
    Some(match e {
        Expr::FloatConstant(f, _) => Arith::Num(**f),
        #[allow(clippy::cast_precision_loss)]
        // Integer literals only mix with floats here (every metric is a float), where Rhai
        // converts them too; an int-only subexpression is rejected below.
        Expr::IntegerConstant(i, _) => Arith::Num(*i as f64),
        Expr::Variable(v, _, _) => {
            let i = *table.by_name.get(v.1.as_str())?;
            if table.metas[i].fmt == ValueFmt::Other {
                return None;
            }
            Arith::Var(i)
        }
        Expr::FnCall(call, _) => {
            let token = call.op_token.as_ref()?;
            match (token, call.args.as_slice()) {
                (Token::UnaryMinus, [a]) => Arith::Neg(Box::new(lower(a, table)?)),
                (Token::UnaryPlus, [a]) => lower(a, table)?,
                (op, [a, b]) => {
                    let op = match op {
                        Token::Plus => Op::Add,
                        Token::Minus => Op::Sub,
                        Token::Multiply => Op::Mul,
                        Token::Divide => Op::Div,
                        _ => return None,
                    };
                    let (la, lb) = (lower(a, table)?, lower(b, table)?);
                    // Two integer literals would be integer arithmetic in Rhai.
                    if is_int_literal(a) && is_int_literal(b) {
                        return None;
                    }
                    Arith::Bin(op, Box::new(la), Box::new(lb))
                }
                _ => return None,
            }
        }
        _ => return None,
    })
}

fn is_int_literal(e: &Expr) -> bool {
    matches!(e, Expr::IntegerConstant(..))
}

impl Arith {
    /// The value, or `None` if a variable is missing or not a number (Rhai decides then).
    pub fn eval(&self, values: &[Option<Val>]) -> Option<f64> {
        Some(match self {
            Arith::Num(n) => *n,
            Arith::Var(i) => match values.get(*i)?.as_ref()? {
                Val::Num(n) => *n,
                #[allow(clippy::cast_precision_loss)]
                Val::Int(n) => *n as f64,
                Val::Grade { fraction, .. } => *fraction,
                _ => return None,
            },
            Arith::Neg(a) => -a.eval(values)?,
            Arith::Bin(op, a, b) => {
                let (a, b) = (a.eval(values)?, b.eval(values)?);
                match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    Op::Div => a / b,
                }
            }
        })
    }
}
