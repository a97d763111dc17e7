//! What a filter says about one field ahead of evaluation: [`Filter::constraint`], for the
//! capture side to push into the kernel (the syscalls `evt.type` may take, the pids `proc.pid`
//! may take).

use std::collections::BTreeSet;

use crate::compile::{Cmp, Filter, Lit, Literal, Node, Test, TestKind};
use crate::registry::{FieldId, FieldType};

impl Filter {
    /// The values `field` (written without argument) must take for the filter to match, or
    /// `None` when the filter does not restrict it.
    ///
    /// It is conservative: an event whose field has a value outside the set can never match,
    /// but one inside may still fail the rest of the filter. `=` and `in` (and `intersects` on a
    /// single-valued field) give their values; `and` keeps what all its constrained operands
    /// allow, `or` what any allows (unconstrained if one operand is); anything under `not`,
    /// any other operator and multi-valued fields are unconstrained. An empty set means nothing
    /// can match.
    ///
    /// ```
    /// # use syspect_filter::*;
    /// # struct R;
    /// # impl Registry for R {
    /// #     fn resolve(&self, n: &str, _: Option<&FieldArg>) -> Result<FieldInfo, ResolveError> {
    /// #         match n { "evt.type" => Ok(FieldInfo::new(1, FieldType::Str)),
    /// #                   "proc.name" => Ok(FieldInfo::new(2, FieldType::Str)),
    /// #                   _ => Err(ResolveError::Unknown) }
    /// #     }
    /// #     fn field_names(&self) -> Vec<&str> { vec!["evt.type", "proc.name"] }
    /// # }
    /// let f = Filter::new("evt.type in (openat, connect) and proc.name = nginx", &R)?;
    /// let types = f.constraint(1).unwrap();
    /// assert_eq!(types, [Literal::Str("connect".into()), Literal::Str("openat".into())]);
    /// assert_eq!(f.constraint(2).unwrap(), [Literal::Str("nginx".into())]);
    /// let f = Filter::new("evt.type = open or proc.name = nginx", &R)?;
    /// assert_eq!(f.constraint(1), None);
    /// # Ok::<(), FilterError>(())
    /// ```
    pub fn constraint(&self, field: FieldId) -> Option<Vec<Literal>> {
        constraint(&self.root, field).map(|set| set.into_iter().collect())
    }
}

fn constraint(node: &Node, field: FieldId) -> Option<BTreeSet<Literal>> {
    match node {
        Node::And(xs) => xs
            .iter()
            .filter_map(|x| constraint(x, field))
            .reduce(|a, b| a.intersection(&b).cloned().collect()),
        Node::Or(xs) => {
            let mut union = BTreeSet::new();
            for x in xs.iter() {
                union.extend(constraint(x, field)?);
            }
            Some(union)
        }
        Node::Not(_) => None,
        Node::Test(t) => test_constraint(t, field),
    }
}

fn test_constraint(t: &Test, field: FieldId) -> Option<BTreeSet<Literal>> {
    if t.field != field || t.arg.is_some() || t.multi {
        return None;
    }
    let lits = match &t.kind {
        TestKind::Cmp(Cmp::Eq, lit) => vec![lit.clone()],
        TestKind::In(set) | TestKind::Intersects(set) => set.lits(),
        _ => return None,
    };
    lits.iter().map(|lit| literal(t.ty, lit)).collect()
}

/// The public form of a compiled literal, per the field's type.
fn literal(ty: FieldType, lit: &Lit) -> Option<Literal> {
    Some(match (ty, lit) {
        (FieldType::Bytes, Lit::Bytes(b)) => Literal::Bytes(b.to_vec()),
        (_, Lit::Bytes(b)) => Literal::Str(String::from_utf8_lossy(b).into_owned()),
        (FieldType::Int | FieldType::Fd, Lit::Num(n)) => Literal::Int(i64::try_from(*n).ok()?),
        (_, Lit::Num(n)) => Literal::UInt(u64::try_from(*n).ok()?),
        (_, Lit::Bool(b)) => Literal::Bool(*b),
        (_, Lit::Ip(ip)) => Literal::Ip(*ip),
        (_, Lit::Net(..)) => return None,
    })
}
