//! Parser tests: tables of valid filters with their canonical printing, tables of invalid ones
//! with their exact message and span, a property test that printing and parsing round-trip,
//! and random input that must never panic.

use proptest::prelude::*;

use super::*;

/// Filters that parse, and how they print back.
const VALID: &[(&str, &str)] = &[
    ("proc.name=nginx", "proc.name = nginx"),
    ("proc.name==nginx", "proc.name = nginx"),
    ("evt.type=open", "evt.type = open"),
    (
        "proc.name=nginx and evt.type in (openat, connect) and not fd.name startswith /proc",
        "proc.name = nginx and evt.type in (openat, connect) and not fd.name startswith /proc",
    ),
    ("evt.dir = <", "evt.dir = <"),
    ("evt.dir=>", "evt.dir = >"),
    ("evt.dir!=<", "evt.dir != <"),
    ("proc.pid<=10", "proc.pid <= 10"),
    ("proc.pid>-1", "proc.pid > -1"),
    ("fd.sip = 127.0.0.1", "fd.sip = 127.0.0.1"),
    (
        "evt.arg.flags contains O_RDONLY",
        "evt.arg.flags contains O_RDONLY",
    ),
    (
        "a.b = 1 or c.d = 2 and e.f = 3",
        "a.b = 1 or c.d = 2 and e.f = 3",
    ),
    (
        "(a.b = 1 or c.d = 2) and e.f = 3",
        "(a.b = 1 or c.d = 2) and e.f = 3",
    ),
    (
        "a.b = 1 or (c.d = 2 or e.f = 3)",
        "a.b = 1 or (c.d = 2 or e.f = 3)",
    ),
    (
        "a.b = 1 and (c.d = 2 and e.f = 3)",
        "a.b = 1 and (c.d = 2 and e.f = 3)",
    ),
    ("((proc.name = a))", "proc.name = a"),
    ("not not a.b exists", "not not a.b exists"),
    ("not(a.b = 1 and c.d = 2)", "not (a.b = 1 and c.d = 2)"),
    ("not a.b = 1 and c.d = 2", "not a.b = 1 and c.d = 2"),
    (
        "fd.name pmatch (/etc, /usr/lib)",
        "fd.name pmatch (/etc, /usr/lib)",
    ),
    ("evt.type in(open,close)", "evt.type in (open, close)"),
    ("evt.type in ()", "evt.type in ()"),
    (
        "evt.type intersects (a, \"c d\")",
        "evt.type intersects (a, \"c d\")",
    ),
    (
        "proc.args contains \"-c ls\"",
        "proc.args contains \"-c ls\"",
    ),
    ("proc.name = 'a\"b'", "proc.name = \"a\\\"b\""),
    ("proc.name = \"nginx\"", "proc.name = nginx"),
    ("proc.name = \"\"", "proc.name = \"\""),
    ("proc.name = 'a,b'", "proc.name = \"a,b\""),
    ("proc.name regex \"\\d+\"", "proc.name regex \\d+"),
    ("proc.name = and", "proc.name = and"),
    ("evt.arg[0] = 3", "evt.arg[0] = 3"),
    ("proc.aname[2]=bash", "proc.aname[2] = bash"),
    (
        "container.label[com.docker.compose.service] = web",
        "container.label[com.docker.compose.service] = web",
    ),
    (
        "container.label[\"a b\"] = x",
        "container.label[\"a b\"] = x",
    ),
    ("fd.name glob /tmp/[ab]*", "fd.name glob /tmp/[ab]*"),
    ("fd.name iglob '*.LOG'", "fd.name iglob *.LOG"),
    ("evt.buffer bcontains 0a0d", "evt.buffer bcontains 0a0d"),
    (
        "evt.buffer bstartswith 7f454c46",
        "evt.buffer bstartswith 7f454c46",
    ),
    ("proc.name icontains NGI", "proc.name icontains NGI"),
    ("proc.name endswith x", "proc.name endswith x"),
    (
        "proc.name=nginx\n and\tproc.pid=1",
        "proc.name = nginx and proc.pid = 1",
    ),
    ("proc.name exists", "proc.name exists"),
    ("proc.name = é", "proc.name = é"),
];

#[test]
fn valid_filters_parse_and_print_canonically() {
    for (src, canonical) in VALID {
        let expr = parse(src).unwrap_or_else(|e| panic!("{src:?} failed: {}", e.render(src)));
        assert_eq!(&expr.to_string(), canonical, "printing {src:?}");
        let again = parse(canonical).expect("canonical text parses");
        assert!(expr.eq_ignoring_spans(&again), "round trip of {src:?}");
    }
}

/// Filters that do not parse: the message and the span it points at.
const INVALID: &[(&str, &str, (usize, usize))] = &[
    ("", "the filter is empty", (0, 0)),
    ("  ", "the filter is empty", (0, 2)),
    (
        "proc.name",
        "expected an operator such as `=`, `contains` or `in`, found the end of the filter",
        (9, 9),
    ),
    (
        "proc.name contain x",
        "unknown operator `contain`, did you mean `contains`?",
        (10, 17),
    ),
    (
        "proc.name startwith x",
        "unknown operator `startwith`, did you mean `startswith`?",
        (10, 19),
    ),
    (
        "proc.name ! x",
        "unknown operator `!`, did you mean `!=`?",
        (10, 11),
    ),
    (
        "proc.name xyz 1",
        "expected an operator such as `=`, `contains` or `in`, found `xyz`",
        (10, 13),
    ),
    (
        "proc.name =",
        "expected a value, found the end of the filter",
        (11, 11),
    ),
    (
        "proc.name = bash or",
        "expected a field name such as `proc.name`, found the end of the filter",
        (19, 19),
    ),
    (
        "proc.name = bash bash",
        "expected `and`, `or` or the end of the filter, found `bash`",
        (17, 21),
    ),
    (
        "proc.name = a = b",
        "expected `and`, `or` or the end of the filter, found `=`",
        (14, 15),
    ),
    (
        "(proc.name = bash",
        "expected `)`, `and` or `or`, found the end of the filter",
        (17, 17),
    ),
    (
        "proc.name = bash)",
        "expected `and`, `or` or the end of the filter, found `)`",
        (16, 17),
    ),
    (
        "evt.type in open",
        "expected a list such as `(a, b)` after `in`, found `open`",
        (12, 16),
    ),
    (
        "evt.type in (open close)",
        "expected `,` or `)`, found `close`",
        (18, 23),
    ),
    (
        "evt.type in (open,",
        "expected a value, found the end of the filter",
        (18, 18),
    ),
    (
        "evt.type in (open,)",
        "expected a value, found `)`",
        (18, 19),
    ),
    (
        "proc.name = \"bash",
        "unterminated string: expected a closing \"",
        (12, 17),
    ),
    (
        "bash",
        "expected a field name such as `proc.name`, found `bash`",
        (0, 4),
    ),
    (
        "and",
        "expected a field name such as `proc.name`, found `and`",
        (0, 3),
    ),
    (
        "not",
        "expected a field name such as `proc.name`, found the end of the filter",
        (3, 3),
    ),
    (
        "127.0.0.1 = x",
        "expected a field name such as `proc.name`, found `127.0.0.1`",
        (0, 9),
    ),
    ("proc.aname[2 = x", "expected `]`, found `=`", (13, 14)),
    (
        "proc.aname[] = x",
        "expected an argument for `proc.aname` such as `proc.aname[1]`, found `]`",
        (11, 12),
    ),
    (
        "proc.name exists x",
        "expected `and`, `or` or the end of the filter, found `x`",
        (17, 18),
    ),
    (
        "proc.name = x andy.z = 1",
        "expected `and`, `or` or the end of the filter, found `andy.z`",
        (14, 20),
    ),
];

#[test]
fn invalid_filters_give_the_exact_error() {
    for (src, message, (start, end)) in INVALID {
        let err = match parse(src) {
            Ok(expr) => panic!("{src:?} parsed as {expr}"),
            Err(e) => e,
        };
        assert_eq!(&err.to_string(), message, "message for {src:?}");
        assert_eq!(err.span(), Span::new(*start, *end), "span for {src:?}");
    }
}

#[test]
fn nesting_is_bounded() {
    let ok = format!(
        "{}a.b exists{}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert!(parse(&ok).is_ok());
    let deep = format!(
        "{}a.b exists{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    let err = parse(&deep).unwrap_err();
    assert_eq!(err.to_string(), "the filter nests deeper than 100 levels");
    assert_eq!(err.span(), Span::new(MAX_DEPTH, MAX_DEPTH + 1));
    let nots = format!("{}a.b exists", "not ".repeat(10_000));
    assert!(matches!(parse(&nots), Err(FilterError::TooDeep { .. })));
}

#[test]
fn precedence_not_then_and_then_or() {
    let expr = parse("a.a exists or b.b exists and not c.c exists").expect("parses");
    let ExprKind::Or(ors) = &expr.kind else {
        panic!("top is not `or`: {expr:?}")
    };
    assert!(matches!(ors[0].kind, ExprKind::Check(_)));
    let ExprKind::And(ands) = &ors[1].kind else {
        panic!("second operand is not `and`")
    };
    assert!(matches!(ands[1].kind, ExprKind::Not(_)));
}

#[test]
fn spans_point_into_the_source() {
    let src = "proc.name = \"a b\" and evt.arg[1] in (x, 'y')";
    let expr = parse(src).expect("parses");
    let checks = expr.checks();
    assert_eq!(&src[checks[0].field.span.range()], "proc.name");
    assert_eq!(&src[checks[0].op_span.range()], "=");
    let Rhs::Value(v) = &checks[0].rhs else {
        panic!("no value")
    };
    assert_eq!(&src[v.span.range()], "\"a b\"");
    assert_eq!(v.text, "a b");
    assert_eq!(&src[checks[1].field.span.range()], "evt.arg[1]");
    let Rhs::List(values, span) = &checks[1].rhs else {
        panic!("no list")
    };
    assert_eq!(&src[span.range()], "(x, 'y')");
    assert_eq!(values[1].text, "y");
    assert_eq!(&src[expr.span.range()], src);
}

/// A small deterministic generator (xorshift), so the random-input test needs no seed crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_input_never_panics_and_round_trips_when_valid() {
    // Pieces of the language mixed with arbitrary bytes, so that some inputs parse.
    const PIECES: &[&str] = &[
        "proc.name",
        "evt.arg",
        "[",
        "]",
        "[0]",
        " ",
        "=",
        "==",
        "!=",
        "<",
        ">=",
        "!",
        "(",
        ")",
        ",",
        "\"",
        "'",
        "\\",
        "and",
        "or",
        "not",
        "in",
        "contains",
        "exists",
        "pmatch",
        "x",
        "-1",
        "/etc",
        "é",
        "\n",
        "\t",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for round in 0..20_000u32 {
        let mut bytes = Vec::new();
        if round.is_multiple_of(2) {
            // A valid filter with a few random edits.
            bytes.extend_from_slice(VALID[rng.next() as usize % VALID.len()].0.as_bytes());
            for _ in 0..rng.next() % 3 {
                let r = rng.next();
                let at = (r >> 16) as usize % (bytes.len() + 1);
                match r % 3 {
                    0 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, (r >> 8) as u8),
                    _ => {
                        let piece = PIECES[(r >> 8) as usize % PIECES.len()];
                        bytes.splice(at..at, piece.bytes());
                    }
                }
            }
        } else {
            for _ in 0..rng.next() % 16 {
                let r = rng.next();
                if r.is_multiple_of(5) {
                    bytes.push((r >> 8) as u8);
                } else {
                    let piece = PIECES[(r >> 8) as usize % PIECES.len()];
                    bytes.extend_from_slice(piece.as_bytes());
                    if r.is_multiple_of(3) {
                        bytes.push(b' ');
                    }
                }
            }
        }
        let src = String::from_utf8_lossy(&bytes);
        match parse(&src) {
            Ok(expr) => {
                parsed += 1;
                let printed = expr.to_string();
                let again = parse(&printed).unwrap_or_else(|e| {
                    panic!("{src:?} printed as {printed:?}: {}", e.render(&printed))
                });
                assert!(expr.eq_ignoring_spans(&again), "{src:?} vs {printed:?}");
            }
            Err(e) => {
                let _ = e.render(&src);
            }
        }
    }
    assert!(parsed > 1_000, "only {parsed} random inputs parsed");
}

fn arb_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-z/.<>!*?-]{1,6}",
        any::<String>(),
        Just(String::new()),
        Just("and".to_string()),
    ]
    .prop_map(|text| Value {
        text,
        span: Span::default(),
    })
}

fn arb_check() -> impl Strategy<Value = Expr> {
    let name = "[a-z][a-z0-9_]{0,3}(\\.[a-z0-9_-]{1,4}){1,2}";
    let arg = proptest::option::weighted(0.3, arb_value());
    let op = proptest::sample::select(Op::ALL);
    (
        name,
        arg,
        op,
        arb_value(),
        proptest::collection::vec(arb_value(), 0..3),
    )
        .prop_map(|(name, arg, op, value, list)| {
            let rhs = match op.arity() {
                Arity::Unary => Rhs::None,
                Arity::Value => Rhs::Value(value),
                Arity::List => Rhs::List(list, Span::default()),
            };
            Expr {
                kind: ExprKind::Check(Check {
                    field: Field {
                        name,
                        arg,
                        span: Span::default(),
                    },
                    op,
                    op_span: Span::default(),
                    rhs,
                }),
                span: Span::default(),
            }
        })
}

fn arb_expr() -> impl Strategy<Value = Expr> {
    arb_check().prop_recursive(4, 24, 3, |inner| {
        let node = |kind| Expr {
            kind,
            span: Span::default(),
        };
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4)
                .prop_map(move |xs| node(ExprKind::And(xs))),
            proptest::collection::vec(inner.clone(), 2..4)
                .prop_map(move |xs| node(ExprKind::Or(xs))),
            inner.prop_map(move |x| node(ExprKind::Not(Box::new(x)))),
        ]
    })
}

proptest! {
    #[test]
    fn printed_trees_parse_back_to_themselves(expr in arb_expr()) {
        let printed = expr.to_string();
        let parsed = parse(&printed);
        prop_assert!(parsed.is_ok(), "{:?} does not parse: {:?}", printed, parsed);
        let parsed = parsed.unwrap_or_else(|_| unreachable!());
        prop_assert!(parsed.eq_ignoring_spans(&expr), "{:?} parsed as {:?}", printed, parsed);
        prop_assert_eq!(parsed.to_string(), printed);
    }
}
