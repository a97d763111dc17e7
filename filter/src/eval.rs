//! Evaluation: the [`Fields`] trait the caller implements over an event, and
//! [`Filter::matches`].
//!
//! Evaluation allocates nothing: values are borrowed from the caller, needles, regexes, globs
//! and sorted lists were prepared at compile time, and multi-valued fields are visited through
//! a callback instead of collected.
//!
//! As in sysdig, a check on a field that has no value for the event is false, whatever the
//! operator (`!=` included), and `not` of it is true.

use std::cmp::Ordering;
use std::net::IpAddr;

use memchr::memchr2;

use crate::compile::{net_base, Cmp, Filter, Lit, Node, Set, Test, TestKind};
use crate::registry::{FieldArg, FieldId};

/// A field's value for one event, borrowed from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Text or bytes, for `Str` and `Bytes` fields.
    Str(&'a [u8]),
    /// A signed number, for `Int` and `Fd` fields.
    Int(i64),
    /// An unsigned number, for `UInt`, `Port`, `Time`, `Duration` and `RelTime` fields.
    UInt(u64),
    /// For `Bool` fields.
    Bool(bool),
    /// For `Ip` fields.
    Ip(IpAddr),
}

impl<'a> Value<'a> {
    /// A text value.
    pub fn str(s: &'a str) -> Value<'a> {
        Value::Str(s.as_bytes())
    }
}

/// Which field the filter asks for: the id the [`Registry`](crate::Registry) gave and the
/// argument as written (`evt.arg.fd` → `Some(Key("fd"))`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef<'f> {
    /// The caller's id.
    pub id: FieldId,
    /// The argument, if the field was written with one.
    pub arg: Option<&'f FieldArg>,
}

/// The fields of one event, as the caller extracts them.
///
/// A value is borrowed from `self`: an implementation that must build a value (format an
/// address, join arguments) keeps a reusable buffer in itself, clears it and returns a slice of
/// it, so that nothing is allocated per event once the buffer has grown.
pub trait Fields {
    /// The field's value for this event, `None` when it has none (then every check on it is
    /// false). For a multi-valued field, its first value.
    fn value(&mut self, field: FieldRef<'_>) -> Option<Value<'_>>;

    /// Call `each` with every value of a multi-valued field (see
    /// [`FieldInfo::multi`](crate::FieldInfo::multi)), stopping when it returns `false`.
    /// The default gives the single value of [`value`](Fields::value), if any.
    fn values(&mut self, field: FieldRef<'_>, each: &mut dyn FnMut(Value<'_>) -> bool) {
        if let Some(v) = self.value(field) {
            each(v);
        }
    }
}

impl Filter {
    /// Whether the event whose fields `fields` gives matches the filter.
    pub fn matches<F: Fields + ?Sized>(&self, fields: &mut F) -> bool {
        eval(&self.root, fields)
    }
}

fn eval<F: Fields + ?Sized>(node: &Node, fields: &mut F) -> bool {
    match node {
        Node::And(xs) => xs.iter().all(|x| eval(x, fields)),
        Node::Or(xs) => xs.iter().any(|x| eval(x, fields)),
        Node::Not(x) => !eval(x, fields),
        Node::Test(t) => test(t, fields),
    }
}

fn test<F: Fields + ?Sized>(t: &Test, fields: &mut F) -> bool {
    let field = FieldRef {
        id: t.field,
        arg: t.arg.as_ref(),
    };
    if !t.multi {
        return fields.value(field).is_some_and(|v| holds(&t.kind, v));
    }
    match &t.kind {
        TestKind::In(set) => {
            let (mut seen, mut all) = (false, true);
            fields.values(field, &mut |v| {
                seen = true;
                all = set.contains(v);
                all
            });
            seen && all
        }
        TestKind::Cmp(Cmp::Ne, lit) => {
            let (mut seen, mut equal) = (false, false);
            fields.values(field, &mut |v| {
                seen = true;
                equal = compare(v, lit) == Some(Ordering::Equal);
                !equal
            });
            seen && !equal
        }
        kind => {
            let mut any = false;
            fields.values(field, &mut |v| {
                any = holds(kind, v);
                !any
            });
            any
        }
    }
}

/// Whether one value satisfies a test: (in)equality of text, the commonest, inline.
#[inline]
fn holds(kind: &TestKind, v: Value<'_>) -> bool {
    match (kind, v) {
        (TestKind::Cmp(Cmp::Eq, Lit::Bytes(b)), Value::Str(s)) => s == &**b,
        (TestKind::Cmp(Cmp::Ne, Lit::Bytes(b)), Value::Str(s)) => s != &**b,
        _ => holds_any(kind, v),
    }
}

/// [`holds`] for every test.
fn holds_any(kind: &TestKind, v: Value<'_>) -> bool {
    let text = match (kind, v) {
        (TestKind::Exists, _) => return true,
        (TestKind::Cmp(Cmp::Eq, Lit::Bytes(b)), Value::Str(s)) => return s == &**b,
        (TestKind::Cmp(Cmp::Ne, Lit::Bytes(b)), Value::Str(s)) => return s != &**b,
        (TestKind::Cmp(cmp, lit), v) => {
            return compare(v, lit).is_some_and(|ord| match cmp {
                Cmp::Eq => ord.is_eq(),
                Cmp::Ne => ord.is_ne(),
                Cmp::Lt => ord.is_lt(),
                Cmp::Le => ord.is_le(),
                Cmp::Gt => ord.is_gt(),
                Cmp::Ge => ord.is_ge(),
            })
        }
        (TestKind::In(set) | TestKind::Intersects(set), v) => return set.contains(v),
        (_, Value::Str(text)) => text,
        _ => return false,
    };
    match kind {
        TestKind::Contains(finder) => finder.find(text).is_some(),
        TestKind::IContains(needle) => icontains(text, needle),
        TestKind::StartsWith(prefix) => text.starts_with(prefix),
        TestKind::EndsWith(suffix) => text.ends_with(suffix),
        TestKind::Glob(glob) => glob.matches(text),
        TestKind::Regex(re) => re.is_match(text),
        TestKind::PMatch(prefixes) => prefixes.iter().any(|p| under_path(text, p)),
        TestKind::Exists | TestKind::Cmp(..) | TestKind::In(_) | TestKind::Intersects(_) => false,
    }
}

/// How `v` orders against `lit`, or `None` when they are of different kinds.
fn compare(v: Value<'_>, lit: &Lit) -> Option<Ordering> {
    match (v, lit) {
        (Value::Str(s), Lit::Bytes(b)) => Some(s.cmp(b)),
        (Value::Int(i), Lit::Num(n)) => Some(i128::from(i).cmp(n)),
        (Value::UInt(u), Lit::Num(n)) => Some(i128::from(u).cmp(n)),
        (Value::Bool(a), Lit::Bool(b)) => Some(a.cmp(b)),
        (Value::Ip(a), Lit::Ip(b)) => Some(a.to_canonical().cmp(b)),
        // in the network, or apart from it (a network has no order with an address)
        (Value::Ip(a), Lit::Net(base, bits)) => {
            let a = a.to_canonical();
            let inside = a.is_ipv4() == base.is_ipv4() && net_base(a, *bits) == *base;
            Some(if inside {
                Ordering::Equal
            } else {
                Ordering::Less
            })
        }
        _ => None,
    }
}

/// Up to this many members, a linear scan beats a binary search.
const LINEAR_SCAN_MAX: usize = 8;

impl Set {
    /// Whether `v` is in the set.
    fn contains(&self, v: Value<'_>) -> bool {
        let num = |n: i128, ns: &[i128]| {
            if ns.len() <= LINEAR_SCAN_MAX {
                ns.contains(&n)
            } else {
                ns.binary_search(&n).is_ok()
            }
        };
        match (self, v) {
            (Set::Bytes(xs), Value::Str(s)) if xs.len() <= LINEAR_SCAN_MAX => {
                xs.iter().any(|x| **x == *s)
            }
            (Set::Bytes(xs), Value::Str(s)) => xs.binary_search_by(|x| (**x).cmp(s)).is_ok(),
            (Set::Nums(ns), Value::Int(i)) => num(i.into(), ns),
            (Set::Nums(ns), Value::UInt(u)) => num(u.into(), ns),
            // networks may hold one another: each is asked
            (Set::Other(ls), v) if matches!(ls.first(), Some(Lit::Net(..))) => ls
                .iter()
                .any(|lit| compare(v, lit) == Some(Ordering::Equal)),
            (Set::Other(ls), v) => ls
                .binary_search_by(|lit| compare(v, lit).map_or(Ordering::Less, Ordering::reverse))
                .is_ok(),
            _ => false,
        }
    }
}

/// Whether `path` is `prefix` or under it (`/etc` holds `/etc` and `/etc/x`, not `/etcx`);
/// `prefix` has no trailing slash, so the empty prefix (from `/`) holds every absolute path.
fn under_path(path: &[u8], prefix: &[u8]) -> bool {
    path.starts_with(prefix) && (path.len() == prefix.len() || path[prefix.len()] == b'/')
}

/// Whether `haystack` contains `needle` (already lowercase) ignoring ASCII case.
fn icontains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let (lo, up) = (first, first.to_ascii_uppercase());
    let mut at = 0;
    while at + needle.len() <= haystack.len() {
        let Some(i) = memchr2(lo, up, &haystack[at..=haystack.len() - needle.len()]) else {
            return false;
        };
        let start = at + i;
        if haystack[start + 1..start + needle.len()].eq_ignore_ascii_case(rest) {
            return true;
        }
        at = start + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icontains_cases() {
        assert!(icontains(b"Hello World", b"world"));
        assert!(icontains(b"Hello World", b""));
        assert!(icontains(b"abc", b"abc"));
        assert!(!icontains(b"ab", b"abc"));
        assert!(!icontains(b"Hello", b"hellp"));
        assert!(icontains(b"xxXYz", b"xyz"));
    }

    #[test]
    fn path_prefixes() {
        assert!(under_path(b"/etc", b"/etc"));
        assert!(under_path(b"/etc/passwd", b"/etc"));
        assert!(!under_path(b"/etcx", b"/etc"));
        assert!(under_path(b"/anything", b""));
    }

    #[test]
    fn sets_find_numbers_of_either_sign() {
        let set = Set::new(vec![Lit::Num(7), Lit::Num(-1), Lit::Num(3), Lit::Num(3)]);
        assert!(set.contains(Value::Int(-1)));
        assert!(set.contains(Value::UInt(7)));
        assert!(!set.contains(Value::UInt(4)));
        assert!(!set.contains(Value::str("3")));
        let many: Vec<Lit> = (0..100)
            .map(|n| Lit::Bytes(n.to_string().into_bytes().into()))
            .collect();
        let set = Set::new(many);
        assert!(set.contains(Value::str("42")));
        assert!(!set.contains(Value::str("420")));
        assert!(!set.contains(Value::Int(42)));
        let ips = Set::new(vec![Lit::Ip([127, 0, 0, 1].into())]);
        assert!(ips.contains(Value::Ip(
            "::ffff:127.0.0.1".parse().unwrap_or([0u8; 16].into())
        )));
    }
}
