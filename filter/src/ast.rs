//! The syntax tree of a filter, with the span of every part, and its canonical printing.
//!
//! `Display` prints a tree back as canonical syntax: one space around binary operators,
//! `=` for `==`, values bare where a bare value reads back the same and double-quoted otherwise,
//! parentheses exactly where the tree has a group that precedence alone would not rebuild.
//! Parsing the printed text gives the same tree (spans aside): see
//! [`Expr::eq_ignoring_spans`].

use std::fmt;

use crate::lexer::{is_word_byte, Mode};

/// A byte range of the filter source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// As a range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// A filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// From its first token to its last (parentheses around it excluded).
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// `a or b or c`: at least two operands.
    Or(Vec<Expr>),
    /// `a and b and c`: at least two operands.
    And(Vec<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `field op value`, `field op (list)`, `field exists`.
    Check(Check),
}

/// One comparison of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The field compared.
    pub field: Field,
    /// The operator.
    pub op: Op,
    /// Where the operator is.
    pub op_span: Span,
    /// What the field is compared with.
    pub rhs: Rhs,
}

/// A field reference as written: `proc.name`, `evt.arg.fd`, `proc.aname[2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The dotted name, `evt.arg.fd` whole (the compiler splits off a dotted argument).
    pub name: String,
    /// The argument in brackets, if any.
    pub arg: Option<Value>,
    /// From the name's first character to the closing bracket.
    pub span: Span,
}

/// The right-hand side of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rhs {
    /// Nothing: the unary `exists`.
    None,
    /// One value.
    Value(Value),
    /// A parenthesised list, for `in`, `intersects` and `pmatch`.
    List(Vec<Value>, Span),
}

/// A literal value: its text with quotes removed and escapes decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The text.
    pub text: String,
    /// Where it is, quotes included.
    pub span: Span,
}

/// What kind of right-hand side an operator takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// `exists`: none.
    Unary,
    /// One value.
    Value,
    /// A parenthesised list.
    List,
}

macro_rules! ops {
    ($($(#[$doc:meta])* $variant:ident => $text:literal, $arity:ident;)*) => {
        /// A comparison operator.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Op { $($(#[$doc])* $variant,)* }

        impl Op {
            /// Every operator, in the order of sysdig's documentation.
            pub const ALL: &'static [Op] = &[$(Op::$variant,)*];

            /// The operator as written in canonical syntax.
            pub fn as_str(self) -> &'static str {
                match self { $(Op::$variant => $text,)* }
            }

            /// What the operator takes on its right.
            pub fn arity(self) -> Arity {
                match self { $(Op::$variant => Arity::$arity,)* }
            }
        }
    };
}

ops! {
    /// `=` (also written `==`): equal.
    Eq => "=", Value;
    /// `!=`: not equal.
    Ne => "!=", Value;
    /// `<`: less than (numbers numerically, strings byte-wise).
    Lt => "<", Value;
    /// `<=`: less than or equal.
    Le => "<=", Value;
    /// `>`: greater than.
    Gt => ">", Value;
    /// `>=`: greater than or equal.
    Ge => ">=", Value;
    /// `contains`: substring.
    Contains => "contains", Value;
    /// `icontains`: substring, ASCII case ignored.
    IContains => "icontains", Value;
    /// `bcontains`: byte substring, the value in hex (`bcontains 0a0d`).
    BContains => "bcontains", Value;
    /// `startswith`: prefix.
    StartsWith => "startswith", Value;
    /// `bstartswith`: byte prefix, the value in hex.
    BStartsWith => "bstartswith", Value;
    /// `endswith`: suffix.
    EndsWith => "endswith", Value;
    /// `glob`: fnmatch-like pattern with `*`, `?`, `[...]`; `*` also matches `/`.
    Glob => "glob", Value;
    /// `iglob`: `glob`, ASCII case ignored.
    IGlob => "iglob", Value;
    /// `regex`: the whole value matches the regular expression.
    Regex => "regex", Value;
    /// `in`: equal to one of a list.
    In => "in", List;
    /// `intersects`: some value of a multi-valued field is in the list.
    Intersects => "intersects", List;
    /// `pmatch`: a path equal to or under one of a list of paths.
    PMatch => "pmatch", List;
    /// `exists`: the field has a value.
    Exists => "exists", Unary;
}

impl Op {
    /// The operator written `text`, accepting `==` for `=`.
    pub fn from_text(text: &str) -> Option<Op> {
        if text == "==" {
            return Some(Op::Eq);
        }
        Op::ALL.iter().copied().find(|op| op.as_str() == text)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Expr {
    /// Whether two trees are the same apart from their spans.
    pub fn eq_ignoring_spans(&self, other: &Expr) -> bool {
        self.without_spans() == other.without_spans()
    }

    /// A copy of the tree with every span zeroed.
    pub fn without_spans(&self) -> Expr {
        let none = Span::default();
        let value = |v: &Value| Value {
            text: v.text.clone(),
            span: none,
        };
        let kind = match &self.kind {
            ExprKind::Or(xs) => ExprKind::Or(xs.iter().map(Expr::without_spans).collect()),
            ExprKind::And(xs) => ExprKind::And(xs.iter().map(Expr::without_spans).collect()),
            ExprKind::Not(x) => ExprKind::Not(Box::new(x.without_spans())),
            ExprKind::Check(c) => ExprKind::Check(Check {
                field: Field {
                    name: c.field.name.clone(),
                    arg: c.field.arg.as_ref().map(value),
                    span: none,
                },
                op: c.op,
                op_span: none,
                rhs: match &c.rhs {
                    Rhs::None => Rhs::None,
                    Rhs::Value(v) => Rhs::Value(value(v)),
                    Rhs::List(vs, _) => Rhs::List(vs.iter().map(value).collect(), none),
                },
            }),
        };
        Expr { kind, span: none }
    }

    /// Every check in the tree, left to right.
    pub fn checks(&self) -> Vec<&Check> {
        let mut out = Vec::new();
        self.collect_checks(&mut out);
        out
    }

    fn collect_checks<'a>(&'a self, out: &mut Vec<&'a Check>) {
        match &self.kind {
            ExprKind::Or(xs) | ExprKind::And(xs) => {
                xs.iter().for_each(|x| x.collect_checks(out));
            }
            ExprKind::Not(x) => x.collect_checks(out),
            ExprKind::Check(c) => out.push(c),
        }
    }
}

/// Write `text` bare if it lexes back as one bare word in `mode`, else double-quoted.
fn write_text(f: &mut fmt::Formatter<'_>, text: &str, mode: Mode) -> fmt::Result {
    if !text.is_empty() && text.bytes().all(|b| is_word_byte(b, mode)) {
        return f.write_str(text);
    }
    f.write_str("\"")?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_text(f, &self.text, Mode::Value)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(arg) = &self.arg {
            f.write_str("[")?;
            write_text(f, &arg.text, Mode::FieldArg)?;
            f.write_str("]")?;
        }
        Ok(())
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.op)?;
        match &self.rhs {
            Rhs::None => Ok(()),
            Rhs::Value(v) => write!(f, " {v}"),
            Rhs::List(vs, _) => {
                f.write_str(" (")?;
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An operand needs parentheses when the parser would otherwise not rebuild it as one
        // node: an `and`/`or` inside `not`, an `or` inside `and`, and a group of the same kind
        // as its parent (which the parser would flatten).
        let operand = |f: &mut fmt::Formatter<'_>, x: &Expr, is_or: bool| match &x.kind {
            ExprKind::Or(_) => write!(f, "({x})"),
            ExprKind::And(_) if !is_or => write!(f, "({x})"),
            _ => write!(f, "{x}"),
        };
        match &self.kind {
            ExprKind::Or(xs) | ExprKind::And(xs) => {
                let is_or = matches!(self.kind, ExprKind::Or(_));
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(if is_or { " or " } else { " and " })?;
                    }
                    operand(f, x, is_or)?;
                }
                Ok(())
            }
            ExprKind::Not(x) => {
                f.write_str("not ")?;
                operand(f, x, false)
            }
            ExprKind::Check(c) => write!(f, "{c}"),
        }
    }
}
