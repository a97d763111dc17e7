//! The compiler: an [`Expr`] checked against the caller's [`Registry`] becomes a [`Filter`],
//! a tree ready for fast evaluation — values parsed per field type, regexes built, substring
//! finders prepared, lists sorted for binary search.

use std::fmt;
use std::net::IpAddr;

use memchr::memmem;

use crate::ast::{Arity, Check, Expr, ExprKind, Op, Rhs, Value};
use crate::error::FilterError;
use crate::glob::Glob;
use crate::registry::{FieldArg, FieldId, FieldInfo, FieldType, Registry, ResolveError};
use crate::suggest::{closest, distance};

/// A compiled filter: match events with [`Filter::matches`], push parts of it down to the
/// capture with [`Filter::constraint`]. `Display` prints it in canonical syntax.
#[derive(Debug, Clone)]
pub struct Filter {
    pub(crate) expr: Expr,
    pub(crate) root: Node,
}

impl Filter {
    /// Parse and compile `source` against `registry`.
    pub fn new(source: &str, registry: &(impl Registry + ?Sized)) -> Result<Filter, FilterError> {
        compile(&crate::parse(source)?, registry)
    }

    /// The syntax tree it was compiled from.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Every field the filter reads, with its argument, in order of appearance (repeats
    /// included): what a caller needs to prepare before evaluating.
    pub fn fields(&self) -> Vec<(FieldId, Option<&FieldArg>)> {
        let mut out = Vec::new();
        self.root
            .visit_tests(&mut |t| out.push((t.field, t.arg.as_ref())));
        out
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

/// A value a filter compares a field with, as [`Filter::constraint`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Literal {
    /// For a [`FieldType::Str`] field.
    Str(String),
    /// For a [`FieldType::Bytes`] field.
    Bytes(Vec<u8>),
    /// For `Int` and `Fd` fields.
    Int(i64),
    /// For `UInt`, `Port`, `Time`, `Duration` and `RelTime` fields.
    UInt(u64),
    /// For `Bool` fields.
    Bool(bool),
    /// For `Ip` fields.
    Ip(IpAddr),
}

impl Literal {
    /// The string, for a `Str` literal.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Literal::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number, for an `Int` or `UInt` literal that fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Literal::Int(i) => Some(i),
            Literal::UInt(u) => i64::try_from(u).ok(),
            _ => None,
        }
    }
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    Test(Box<Test>),
}

impl Node {
    pub(crate) fn visit_tests<'a>(&'a self, f: &mut dyn FnMut(&'a Test)) {
        match self {
            Node::And(xs) | Node::Or(xs) => xs.iter().for_each(|x| x.visit_tests(f)),
            Node::Not(x) => x.visit_tests(f),
            Node::Test(t) => f(t),
        }
    }
}

/// One compiled check.
#[derive(Debug, Clone)]
pub(crate) struct Test {
    pub field: FieldId,
    pub arg: Option<FieldArg>,
    pub multi: bool,
    pub ty: FieldType,
    pub kind: TestKind,
}

#[derive(Debug, Clone)]
pub(crate) enum TestKind {
    Exists,
    Cmp(Cmp, Lit),
    Contains(Box<memmem::Finder<'static>>),
    /// The needle, ASCII-lowercased.
    IContains(Box<[u8]>),
    StartsWith(Box<[u8]>),
    EndsWith(Box<[u8]>),
    Glob(Glob),
    /// Anchored at both ends, as sysdig's.
    Regex(regex::bytes::Regex),
    /// Single-valued: the value is in the set. Multi-valued: every value is.
    In(Set),
    /// Some value is in the set.
    Intersects(Set),
    /// Path prefixes, without trailing slashes.
    PMatch(Box<[Box<[u8]>]>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A value parsed for a field's type. Numbers of every width are held as `i128` so that
/// signed and unsigned compare exactly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Lit {
    Bytes(Box<[u8]>),
    Num(i128),
    Bool(bool),
    Ip(IpAddr),
    /// A network: its first address (canonical) and the length of its prefix in bits.
    Net(IpAddr, u8),
}

/// A sorted, deduplicated list of literals (all of one kind, as they come from one type),
/// stored by kind so that membership tests compare plain bytes or numbers.
#[derive(Debug, Clone)]
pub(crate) enum Set {
    Bytes(Box<[Box<[u8]>]>),
    Nums(Box<[i128]>),
    Other(Box<[Lit]>),
}

impl Set {
    /// The set of `lits`, sorted and deduplicated.
    pub(crate) fn new(mut lits: Vec<Lit>) -> Set {
        lits.sort();
        lits.dedup();
        if lits.iter().all(|l| matches!(l, Lit::Bytes(_))) {
            let bytes = lits.into_iter().filter_map(|l| match l {
                Lit::Bytes(b) => Some(b),
                _ => None,
            });
            return Set::Bytes(bytes.collect());
        }
        if lits.iter().all(|l| matches!(l, Lit::Num(_))) {
            let nums = lits.iter().filter_map(|l| match l {
                Lit::Num(n) => Some(*n),
                _ => None,
            });
            return Set::Nums(nums.collect());
        }
        Set::Other(lits.into())
    }

    /// The members, in order.
    pub(crate) fn lits(&self) -> Vec<Lit> {
        match self {
            Set::Bytes(xs) => xs.iter().map(|b| Lit::Bytes(b.clone())).collect(),
            Set::Nums(ns) => ns.iter().map(|n| Lit::Num(*n)).collect(),
            Set::Other(ls) => ls.to_vec(),
        }
    }
}

/// Check `expr` against `registry` and compile it.
pub fn compile(expr: &Expr, registry: &(impl Registry + ?Sized)) -> Result<Filter, FilterError> {
    Ok(Filter {
        expr: expr.clone(),
        root: node(expr, registry)?,
    })
}

fn node(expr: &Expr, registry: &(impl Registry + ?Sized)) -> Result<Node, FilterError> {
    let all = |xs: &[Expr]| -> Result<Box<[Node]>, FilterError> {
        xs.iter().map(|x| node(x, registry)).collect()
    };
    Ok(match &expr.kind {
        ExprKind::And(xs) => Node::And(all(xs)?),
        ExprKind::Or(xs) => Node::Or(all(xs)?),
        ExprKind::Not(x) => Node::Not(Box::new(node(x, registry)?)),
        ExprKind::Check(check) => Node::Test(Box::new(test(check, registry)?)),
    })
}

fn test(check: &Check, registry: &(impl Registry + ?Sized)) -> Result<Test, FilterError> {
    let (info, arg) = resolve(check, registry)?;
    let field_text = || check.field.to_string();
    if !info.ops.contains(check.op) {
        return Err(FilterError::OperatorNotAllowed {
            op: check.op.to_string(),
            field: field_text(),
            ty: info.ty,
            span: check.op_span,
        });
    }
    let lit = |v: &Value| {
        parse_lit(info.ty, &v.text).ok_or_else(|| FilterError::BadValue {
            value: v.text.clone(),
            field: field_text(),
            expected: info.ty.expected().to_string(),
            span: v.span,
        })
    };
    let hex = |v: &Value| {
        parse_hex(&v.text).ok_or_else(|| FilterError::BadValue {
            value: v.text.clone(),
            field: field_text(),
            expected: "hex bytes such as `0a1b`".to_string(),
            span: v.span,
        })
    };
    let bytes = |v: &Value| -> Box<[u8]> { v.text.as_bytes().into() };
    let set = |values: &[Value]| -> Result<Set, FilterError> {
        let lits = values.iter().map(lit).collect::<Result<Vec<_>, _>>()?;
        Ok(Set::new(lits))
    };
    let kind = match (&check.rhs, check.op) {
        (_, Op::Exists) => TestKind::Exists,
        (Rhs::Value(v), op @ (Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge)) => {
            let cmp = match op {
                Op::Eq => Cmp::Eq,
                Op::Ne => Cmp::Ne,
                Op::Lt => Cmp::Lt,
                Op::Le => Cmp::Le,
                Op::Gt => Cmp::Gt,
                _ => Cmp::Ge,
            };
            TestKind::Cmp(cmp, lit(v)?)
        }
        (Rhs::Value(v), Op::Contains) => TestKind::Contains(Box::new(
            memmem::Finder::new(v.text.as_bytes()).into_owned(),
        )),
        (Rhs::Value(v), Op::BContains) => {
            TestKind::Contains(Box::new(memmem::Finder::new(&hex(v)?).into_owned()))
        }
        (Rhs::Value(v), Op::IContains) => {
            TestKind::IContains(v.text.to_ascii_lowercase().into_bytes().into())
        }
        (Rhs::Value(v), Op::StartsWith) => TestKind::StartsWith(bytes(v)),
        (Rhs::Value(v), Op::BStartsWith) => TestKind::StartsWith(hex(v)?.into()),
        (Rhs::Value(v), Op::EndsWith) => TestKind::EndsWith(bytes(v)),
        (Rhs::Value(v), Op::Glob) => TestKind::Glob(Glob::new(v.text.as_bytes(), false)),
        (Rhs::Value(v), Op::IGlob) => TestKind::Glob(Glob::new(v.text.as_bytes(), true)),
        (Rhs::Value(v), Op::Regex) => TestKind::Regex(regex(v)?),
        (Rhs::List(vs, _), Op::In) => TestKind::In(set(vs)?),
        (Rhs::List(vs, _), Op::Intersects) => TestKind::Intersects(set(vs)?),
        (Rhs::List(vs, _), Op::PMatch) => TestKind::PMatch(vs.iter().map(path_prefix).collect()),
        // The parser gives every operator the right-hand side its arity asks for; a tree
        // built by hand may not.
        (rhs, op) => {
            let expected = match op.arity() {
                Arity::Unary => format!("nothing after `{op}`"),
                Arity::Value => format!("a value after `{op}`"),
                Arity::List => format!("a list such as `(a, b)` after `{op}`"),
            };
            let found = match rhs {
                Rhs::None => "nothing",
                Rhs::Value(_) => "a value",
                Rhs::List(..) => "a list",
            };
            return Err(FilterError::Unexpected {
                expected,
                found: found.to_string(),
                span: check.op_span,
            });
        }
    };
    Ok(Test {
        field: info.id,
        arg,
        multi: info.multi,
        ty: info.ty,
        kind,
    })
}

/// Find the field of `check` in the registry, splitting a dotted argument off its name when
/// the whole name is unknown (see [`Registry`]).
fn resolve(
    check: &Check,
    registry: &(impl Registry + ?Sized),
) -> Result<(FieldInfo, Option<FieldArg>), FilterError> {
    let field = &check.field;
    let bad_arg = |name: &str, reason: String| FilterError::BadFieldArgument {
        field: name.to_string(),
        reason,
        span: field.span,
    };
    let first_arg = field.arg.as_ref().map(|a| FieldArg::from_bracket(&a.text));
    match registry.resolve(&field.name, first_arg.as_ref()) {
        Ok(info) => return Ok((info, first_arg)),
        Err(ResolveError::BadArgument(reason)) => return Err(bad_arg(&field.name, reason)),
        Err(ResolveError::Unknown) => {}
    }
    if first_arg.is_none() {
        let mut first_bad = None;
        for (dot, _) in field.name.rmatch_indices('.') {
            let (base, key) = (&field.name[..dot], &field.name[dot + 1..]);
            let arg = FieldArg::Key(key.into());
            match registry.resolve(base, Some(&arg)) {
                Ok(info) => return Ok((info, Some(arg))),
                Err(ResolveError::BadArgument(reason)) if first_bad.is_none() => {
                    first_bad = Some(bad_arg(base, reason));
                }
                Err(_) => {}
            }
        }
        if let Some(err) = first_bad {
            return Err(err);
        }
    }
    Err(FilterError::UnknownField {
        name: field.to_string(),
        suggestion: suggest_field(&field.name, registry),
        span: field.span,
    })
}

/// The known name closest to `name`, or, for a misspelt field with a dotted argument
/// (`evt.ar.fd`), the closest name that the registry accepts with that argument
/// (`evt.arg.fd`): whichever is fewer edits away.
fn suggest_field(name: &str, registry: &(impl Registry + ?Sized)) -> Option<String> {
    let names = registry.field_names();
    let whole = closest(name, names.iter().copied()).map(str::to_string);
    let dotted = name.rmatch_indices('.').filter_map(|(dot, _)| {
        let base = closest(&name[..dot], names.iter().copied())?;
        let key = &name[dot + 1..];
        let arg = FieldArg::Key(key.into());
        registry.resolve(base, Some(&arg)).ok()?;
        Some(format!("{base}.{key}"))
    });
    whole
        .into_iter()
        .chain(dotted)
        .min_by_key(|candidate| distance(name, candidate))
}

fn regex(v: &Value) -> Result<regex::bytes::Regex, FilterError> {
    regex::bytes::Regex::new(&format!("^(?:{})$", v.text)).map_err(|e| {
        // The crate's syntax errors span several lines with their own carets; keep the last.
        let text = e.to_string();
        let reason = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .trim_start_matches("error: ")
            .to_string();
        FilterError::BadRegex {
            pattern: v.text.clone(),
            reason,
            span: v.span,
        }
    })
}

fn path_prefix(v: &Value) -> Box<[u8]> {
    v.text.trim_end_matches('/').as_bytes().into()
}

/// `text` read as a value of type `ty`, or `None` if it is not one.
pub(crate) fn parse_lit(ty: FieldType, text: &str) -> Option<Lit> {
    let in_range = |n: i128, lo: i128, hi: i128| (lo..=hi).contains(&n).then_some(Lit::Num(n));
    match ty {
        FieldType::Str | FieldType::Bytes => Some(Lit::Bytes(text.as_bytes().into())),
        FieldType::Int | FieldType::Fd => {
            in_range(parse_int(text)?, i64::MIN.into(), i64::MAX.into())
        }
        FieldType::UInt | FieldType::Time => in_range(parse_int(text)?, 0, u64::MAX.into()),
        FieldType::Port => in_range(parse_int(text)?, 0, u16::MAX.into()),
        FieldType::Duration | FieldType::RelTime => {
            parse_duration(text).map(|n| Lit::Num(n.into()))
        }
        FieldType::Bool => match text.to_ascii_lowercase().as_str() {
            "true" => Some(Lit::Bool(true)),
            "false" => Some(Lit::Bool(false)),
            _ => None,
        },
        FieldType::Ip => text
            .parse::<IpAddr>()
            .ok()
            .map(|ip| Lit::Ip(ip.to_canonical())),
        FieldType::IpNet => parse_net(text),
    }
}

/// `10.0.0.0/8`, `fd00::/8`, or an address alone (a network of one).
fn parse_net(text: &str) -> Option<Lit> {
    let (addr, bits) = match text.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let written = addr.parse::<IpAddr>().ok()?;
    let max: u8 = if written.is_ipv4() { 32 } else { 128 };
    let bits = match bits {
        Some(b) if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) => b.parse().ok()?,
        Some(_) => return None,
        None => max,
    };
    if bits > max {
        return None;
    }
    // an IPv4-mapped network (`::ffff:10.0.0.0/104`) is the IPv4 one
    let addr = written.to_canonical();
    let bits = match (written.is_ipv6(), addr.is_ipv4()) {
        (true, true) => bits.checked_sub(96)?,
        _ => bits,
    };
    Some(Lit::Net(net_base(addr, bits), bits))
}

/// `addr` with the bits after the first `bits` cleared.
pub(crate) fn net_base(addr: IpAddr, bits: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

/// A decimal or `0x` hexadecimal integer with an optional sign.
fn parse_int(text: &str) -> Option<i128> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i128>().ok()?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Nanoseconds from `1500`, `10ns`, `10us`, `10ms`, `2s`, `1m`, `1h`.
fn parse_duration(text: &str) -> Option<u64> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let scale: u64 = match unit {
        "" | "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    };
    n.checked_mul(scale)
}

/// Bytes from hex digits, white space between them ignored: `0a1B`, `"0a 1b"`.
fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("-0x10"), Some(-16));
        assert_eq!(parse_int("--1"), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("1.5"), None);
        assert_eq!(parse_lit(FieldType::UInt, "-1"), None);
        assert_eq!(parse_lit(FieldType::Port, "65536"), None);
        assert_eq!(parse_lit(FieldType::Port, "8080"), Some(Lit::Num(8080)));
        assert_eq!(
            parse_lit(FieldType::UInt, "18446744073709551615"),
            Some(Lit::Num(u64::MAX.into()))
        );
        assert_eq!(parse_lit(FieldType::Int, "18446744073709551615"), None);
    }

    #[test]
    fn durations_booleans_addresses_and_hex() {
        assert_eq!(parse_duration("1500"), Some(1500));
        assert_eq!(parse_duration("10ms"), Some(10_000_000));
        assert_eq!(parse_duration("2s"), Some(2_000_000_000));
        assert_eq!(parse_duration("2x"), None);
        assert_eq!(parse_duration("ms"), None);
        assert_eq!(parse_duration("99999999999h"), None);
        assert_eq!(parse_lit(FieldType::Bool, "TRUE"), Some(Lit::Bool(true)));
        assert_eq!(parse_lit(FieldType::Bool, "1"), None);
        assert_eq!(
            parse_lit(FieldType::IpNet, "10.1.2.3/8"),
            Some(Lit::Net([10, 0, 0, 0].into(), 8))
        );
        assert_eq!(
            parse_lit(FieldType::IpNet, "::ffff:192.168.1.7"),
            Some(Lit::Net([192, 168, 1, 7].into(), 32))
        );
        assert_eq!(
            parse_lit(FieldType::IpNet, "0.0.0.0/0"),
            Some(Lit::Net([0, 0, 0, 0].into(), 0))
        );
        for bad in [
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/x",
            "fd00::/129",
            "10.0.0/8",
        ] {
            assert_eq!(parse_lit(FieldType::IpNet, bad), None, "{bad}");
        }
        assert_eq!(
            parse_lit(FieldType::Ip, "::ffff:127.0.0.1"),
            parse_lit(FieldType::Ip, "127.0.0.1")
        );
        assert_eq!(parse_hex("0a 1B"), Some(vec![0x0a, 0x1b]));
        assert_eq!(parse_hex("0a1"), None);
        assert_eq!(parse_hex("zz"), None);
        assert_eq!(parse_hex(""), None);
    }
}
