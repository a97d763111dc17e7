//! What the caller tells the compiler about its fields: the [`Registry`] trait and the types it
//! speaks in ([`FieldInfo`], [`FieldType`], [`FieldArg`], [`OpSet`]).
//!
//! This crate knows no field names. The caller (syspect's `inspect`) resolves a name such as
//! `proc.name` or `evt.arg` with an optional argument to a [`FieldId`] of its choosing and a
//! type; at evaluation time the same id comes back to it through
//! [`Fields`](crate::eval::Fields).

use std::fmt;

use crate::ast::Op;

/// The caller's name for a field: any number it likes, e.g. an index into its field table.
pub type FieldId = u32;

/// The argument of a field, as written after its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldArg {
    /// A number in brackets: `proc.aname[2]`, `evt.arg[0]`.
    Index(u64),
    /// A name, after a dot or in brackets: `evt.arg.fd`, `container.label.app`,
    /// `container.label[com.example/x]`.
    Key(Box<str>),
}

impl FieldArg {
    /// The argument of `field[text]`: an index when `text` is all digits, else a key.
    pub fn from_bracket(text: &str) -> FieldArg {
        match text.parse::<u64>() {
            Ok(n) if text.bytes().all(|b| b.is_ascii_digit()) => FieldArg::Index(n),
            _ => FieldArg::Key(text.into()),
        }
    }

    /// The key, if this is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            FieldArg::Key(k) => Some(k),
            FieldArg::Index(_) => None,
        }
    }

    /// The index, if this is one.
    pub fn index(&self) -> Option<u64> {
        match self {
            FieldArg::Index(i) => Some(*i),
            FieldArg::Key(_) => None,
        }
    }
}

impl fmt::Display for FieldArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldArg::Index(i) => write!(f, "{i}"),
            FieldArg::Key(k) => f.write_str(k),
        }
    }
}

/// The type of a field's values, which decides how a filter's values are read and compared.
///
/// At evaluation, [`Str`](FieldType::Str) and [`Bytes`](FieldType::Bytes) fields give
/// [`Value::Str`](crate::Value::Str); `Int` and `Fd` give `Value::Int`; `UInt`, `Port`, `Time`,
/// `Duration` and `RelTime` give `Value::UInt` (`Value::Int` is accepted too); `Bool` gives
/// `Value::Bool`; `Ip` gives `Value::Ip`. A value of another shape makes the comparison false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Text such as a name or a path, compared byte-wise.
    Str,
    /// A binary buffer; compared as bytes, `bcontains` and `bstartswith` take hex.
    Bytes,
    /// A signed integer (`i64`); values `-1`, `0x10`.
    Int,
    /// An unsigned integer (`u64`).
    UInt,
    /// `true` or `false`.
    Bool,
    /// An IPv4 or IPv6 address; `::ffff:1.2.3.4` equals `1.2.3.4`.
    Ip,
    /// An address tested against networks: `= 10.0.0.0/8` holds when the address is in the
    /// network (an address alone is a network of one).
    IpNet,
    /// A TCP/UDP port, 0 to 65535.
    Port,
    /// A file descriptor number (signed: `-1`, `AT_FDCWD` is -100).
    Fd,
    /// Wall-clock nanoseconds since the epoch.
    Time,
    /// Nanoseconds; values may carry a unit: `1500`, `10us`, `10ms`, `2s`, `1m`, `1h`.
    Duration,
    /// Nanoseconds since the start of the capture; values as for `Duration`.
    RelTime,
}

impl FieldType {
    /// What a value of this type looks like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            FieldType::Str | FieldType::Bytes => "a string",
            FieldType::Int | FieldType::Fd => "a signed integer such as `-1` or `0x10`",
            FieldType::UInt => "an unsigned integer such as `42` or `0x2a`",
            FieldType::Bool => "`true` or `false`",
            FieldType::Ip => "an ip address such as `127.0.0.1` or `::1`",
            FieldType::IpNet => "a network such as `10.0.0.0/8` or `fd00::/8`, or an address",
            FieldType::Port => "a port number from 0 to 65535",
            FieldType::Time => "a time in nanoseconds since the epoch",
            FieldType::Duration | FieldType::RelTime => {
                "a duration such as `1500` (nanoseconds), `10ms` or `2s`"
            }
        }
    }

    /// Whether values are text (the string operators apply).
    pub fn is_text(self) -> bool {
        matches!(self, FieldType::Str | FieldType::Bytes)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldType::Str => "string",
            FieldType::Bytes => "bytes",
            FieldType::Int => "signed integer",
            FieldType::UInt => "unsigned integer",
            FieldType::Bool => "boolean",
            FieldType::Ip => "ip address",
            FieldType::IpNet => "ip network",
            FieldType::Port => "port",
            FieldType::Fd => "file descriptor",
            FieldType::Time => "timestamp",
            FieldType::Duration => "duration",
            FieldType::RelTime => "relative time",
        })
    }
}

/// A set of operators: which ones a field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpSet(u32);

impl OpSet {
    /// No operator.
    pub const EMPTY: OpSet = OpSet(0);
    /// Every operator.
    pub const ALL: OpSet = OpSet::of(Op::ALL);
    /// What numbers take: `= != < <= > >= in intersects exists`.
    pub const NUMERIC: OpSet = OpSet::of(&[
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::In,
        Op::Intersects,
        Op::Exists,
    ]);
    /// What booleans and addresses take: `= != in intersects exists`.
    pub const EQUALITY: OpSet = OpSet::of(&[Op::Eq, Op::Ne, Op::In, Op::Intersects, Op::Exists]);

    /// The set of `ops`.
    pub const fn of(ops: &[Op]) -> OpSet {
        let mut bits = 0;
        let mut i = 0;
        while i < ops.len() {
            bits |= 1 << ops[i] as u32;
            i += 1;
        }
        OpSet(bits)
    }

    /// The operators that make sense for `ty`: all of them for text, [`NUMERIC`](Self::NUMERIC)
    /// for numbers, [`EQUALITY`](Self::EQUALITY) for booleans and addresses.
    pub fn for_type(ty: FieldType) -> OpSet {
        match ty {
            FieldType::Str | FieldType::Bytes => OpSet::ALL,
            FieldType::Bool | FieldType::Ip | FieldType::IpNet => OpSet::EQUALITY,
            _ => OpSet::NUMERIC,
        }
    }

    /// Whether `op` is in the set.
    pub fn contains(self, op: Op) -> bool {
        self.0 & (1 << op as u32) != 0
    }

    /// The set with `op` added.
    pub const fn with(self, op: Op) -> OpSet {
        OpSet(self.0 | 1 << op as u32)
    }

    /// The set with `op` removed.
    pub const fn without(self, op: Op) -> OpSet {
        OpSet(self.0 & !(1 << op as u32))
    }
}

/// What the registry says about a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    /// The caller's id, handed back at evaluation.
    pub id: FieldId,
    /// The type of its values.
    pub ty: FieldType,
    /// Whether it may have several values per event (read with
    /// [`Fields::values`](crate::Fields::values)). For such a field `intersects` holds when
    /// some value is in the list, `in` when every value is (and there is one), `!=` when no
    /// value is equal, and every other operator when some value satisfies it.
    pub multi: bool,
    /// The operators it accepts.
    pub ops: OpSet,
}

impl FieldInfo {
    /// A single-valued field with the operators [`OpSet::for_type`] gives.
    pub fn new(id: FieldId, ty: FieldType) -> Self {
        FieldInfo {
            id,
            ty,
            multi: false,
            ops: OpSet::for_type(ty),
        }
    }

    /// The same field, multi-valued.
    pub fn multi(mut self) -> Self {
        self.multi = true;
        self
    }

    /// The same field, accepting `ops`.
    pub fn with_ops(mut self, ops: OpSet) -> Self {
        self.ops = ops;
        self
    }
}

/// Why a registry could not resolve a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// No field has this name.
    Unknown,
    /// The field exists but not with this argument; the string says what it takes, in
    /// lowercase, e.g. "it takes no argument" or "it takes an index such as `proc.aname[1]`".
    BadArgument(String),
}

/// The caller's table of fields.
///
/// The compiler calls [`resolve`](Registry::resolve) with the name as written and the bracket
/// argument if there is one (`proc.aname[2]` → `("proc.aname", Some(Index(2)))`). A dotted name
/// the registry does not know is tried again with its tail as a key, longest name first:
/// `container.label.com.example` → `("container.label.com", Some(Key("example")))`, then
/// `("container.label", Some(Key("com.example")))`. So a registry answers
/// [`ResolveError::Unknown`] for names it does not have, and
/// [`ResolveError::BadArgument`] for a known name with an argument it does not take.
pub trait Registry {
    /// The field called `name` with argument `arg`.
    fn resolve(&self, name: &str, arg: Option<&FieldArg>) -> Result<FieldInfo, ResolveError>;

    /// Every field name, for "did you mean" suggestions (`evt.arg`, not `evt.arg.NAME`).
    fn field_names(&self) -> Vec<&str>;
}

impl<R: Registry + ?Sized> Registry for &R {
    fn resolve(&self, name: &str, arg: Option<&FieldArg>) -> Result<FieldInfo, ResolveError> {
        (**self).resolve(name, arg)
    }

    fn field_names(&self) -> Vec<&str> {
        (**self).field_names()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_sets() {
        assert!(OpSet::ALL.contains(Op::Exists));
        assert!(OpSet::NUMERIC.contains(Op::Le));
        assert!(!OpSet::NUMERIC.contains(Op::Contains));
        assert!(OpSet::EMPTY.with(Op::Glob).contains(Op::Glob));
        assert!(!OpSet::ALL.without(Op::Regex).contains(Op::Regex));
        assert_eq!(OpSet::for_type(FieldType::Ip), OpSet::EQUALITY);
    }

    #[test]
    fn bracket_arguments() {
        assert_eq!(FieldArg::from_bracket("2"), FieldArg::Index(2));
        assert_eq!(FieldArg::from_bracket("+2"), FieldArg::Key("+2".into()));
        assert_eq!(FieldArg::from_bracket("fd"), FieldArg::Key("fd".into()));
        assert_eq!(FieldArg::from_bracket("fd").key(), Some("fd"));
        assert_eq!(FieldArg::Index(3).index(), Some(3));
    }
}
