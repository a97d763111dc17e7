//! End-to-end tests of compile and evaluation against a small registry over a struct: what
//! matches, what the compiler rejects (with the exact message and position), what
//! `constraint` pushes down, and that evaluation allocates nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;
use std::net::IpAddr;

use crate::*;

mod id {
    pub const EVT_TYPE: u32 = 1;
    pub const EVT_DIR: u32 = 2;
    pub const EVT_NUM: u32 = 3;
    pub const EVT_LATENCY: u32 = 4;
    pub const EVT_FAILED: u32 = 5;
    pub const EVT_BUFFER: u32 = 6;
    pub const EVT_ARG: u32 = 7;
    pub const PROC_NAME: u32 = 10;
    pub const PROC_PID: u32 = 11;
    pub const PROC_ANAME: u32 = 12;
    pub const PROC_ARGS: u32 = 13;
    pub const FD_NAME: u32 = 20;
    pub const FD_SIP: u32 = 21;
    pub const FD_SPORT: u32 = 22;
    pub const FD_NUM: u32 = 23;
    pub const CONTAINER_LABEL: u32 = 30;
    pub const USER_GROUPS: u32 = 31;
}

/// The registry: a table, with argument rules for `evt.arg`, `proc.aname` and
/// `container.label`.
struct TestRegistry;

const FIELDS: &[(&str, u32, FieldType)] = &[
    ("evt.type", id::EVT_TYPE, FieldType::Str),
    ("evt.dir", id::EVT_DIR, FieldType::Str),
    ("evt.num", id::EVT_NUM, FieldType::UInt),
    ("evt.latency", id::EVT_LATENCY, FieldType::Duration),
    ("evt.failed", id::EVT_FAILED, FieldType::Bool),
    ("evt.buffer", id::EVT_BUFFER, FieldType::Bytes),
    ("evt.arg", id::EVT_ARG, FieldType::Str),
    ("proc.name", id::PROC_NAME, FieldType::Str),
    ("proc.pid", id::PROC_PID, FieldType::Int),
    ("proc.aname", id::PROC_ANAME, FieldType::Str),
    ("proc.args", id::PROC_ARGS, FieldType::Str),
    ("fd.name", id::FD_NAME, FieldType::Str),
    ("fd.sip", id::FD_SIP, FieldType::Ip),
    ("fd.snet", id::FD_SIP, FieldType::IpNet),
    ("fd.sport", id::FD_SPORT, FieldType::Port),
    ("fd.num", id::FD_NUM, FieldType::Fd),
    ("container.label", id::CONTAINER_LABEL, FieldType::Str),
    ("user.groups", id::USER_GROUPS, FieldType::Str),
];

impl Registry for TestRegistry {
    fn resolve(&self, name: &str, arg: Option<&FieldArg>) -> Result<FieldInfo, ResolveError> {
        let &(_, id, ty) = FIELDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .ok_or(ResolveError::Unknown)?;
        let info = FieldInfo::new(id, ty);
        let bad = |what: &str| Err(ResolveError::BadArgument(what.to_string()));
        match (id, arg) {
            (id::EVT_ARG, Some(_)) => Ok(info),
            (id::EVT_ARG, None) => bad("it takes a name or an index: `evt.arg.fd`, `evt.arg[0]`"),
            // Without an index, any ancestor: multi-valued, as sysdig's `proc.aname`.
            (id::PROC_ANAME, None) => Ok(info.multi()),
            (id::PROC_ANAME, Some(FieldArg::Index(_))) => Ok(info),
            (id::PROC_ANAME, Some(_)) => bad("it takes an index such as `proc.aname[1]`"),
            (id::CONTAINER_LABEL, Some(FieldArg::Key(_))) => Ok(info),
            (id::CONTAINER_LABEL, _) => bad("it takes a label name: `container.label.app`"),
            (id::USER_GROUPS, None) => {
                Ok(info
                    .multi()
                    .with_ops(OpSet::of(&[Op::In, Op::Intersects, Op::Exists])))
            }
            (_, None) => Ok(info),
            (_, Some(_)) => bad("it takes no argument"),
        }
    }

    fn field_names(&self) -> Vec<&str> {
        FIELDS.iter().map(|(n, _, _)| *n).collect()
    }
}

/// One event, with a reusable buffer for values that must be formatted.
#[derive(Default)]
struct TestEvent {
    evt_type: &'static str,
    dir: &'static str,
    num: u64,
    latency: u64,
    failed: bool,
    buffer: Vec<u8>,
    args: Vec<(&'static str, &'static str)>,
    comm: &'static str,
    pid: i64,
    ancestors: Vec<&'static str>,
    argv: Vec<&'static str>,
    fd_name: Option<&'static str>,
    sip: Option<IpAddr>,
    sport: Option<u16>,
    fd: Option<i64>,
    labels: Vec<(&'static str, &'static str)>,
    groups: Vec<&'static str>,
    scratch: String,
}

impl Fields for TestEvent {
    fn value(&mut self, field: FieldRef<'_>) -> Option<Value<'_>> {
        Some(match (field.id, field.arg) {
            (id::EVT_TYPE, _) => Value::str(self.evt_type),
            (id::EVT_DIR, _) => Value::str(self.dir),
            (id::EVT_NUM, _) => Value::UInt(self.num),
            (id::EVT_LATENCY, _) => Value::UInt(self.latency),
            (id::EVT_FAILED, _) => Value::Bool(self.failed),
            (id::EVT_BUFFER, _) => Value::Str(&self.buffer),
            (id::EVT_ARG, Some(FieldArg::Key(k))) => {
                Value::str(self.args.iter().find(|(n, _)| *n == &**k)?.1)
            }
            (id::EVT_ARG, Some(FieldArg::Index(i))) => {
                Value::str(self.args.get(usize::try_from(*i).ok()?)?.1)
            }
            (id::PROC_NAME, _) => Value::str(self.comm),
            (id::PROC_PID, _) => Value::Int(self.pid),
            (id::PROC_ANAME, Some(FieldArg::Index(i))) => match i {
                0 => Value::str(self.comm),
                _ => Value::str(self.ancestors.get(usize::try_from(*i - 1).ok()?)?),
            },
            (id::PROC_ANAME, _) => Value::str(self.ancestors.first()?),
            (id::PROC_ARGS, _) => {
                self.scratch.clear();
                for (i, a) in self.argv.iter().enumerate() {
                    let sep = if i > 0 { " " } else { "" };
                    let _ = write!(self.scratch, "{sep}{a}");
                }
                Value::str(&self.scratch)
            }
            (id::FD_NAME, _) => Value::str(self.fd_name?),
            (id::FD_SIP, _) => Value::Ip(self.sip?),
            (id::FD_SPORT, _) => Value::UInt(self.sport?.into()),
            (id::FD_NUM, _) => Value::Int(self.fd?),
            (id::CONTAINER_LABEL, Some(FieldArg::Key(k))) => {
                Value::str(self.labels.iter().find(|(n, _)| *n == &**k)?.1)
            }
            _ => return None,
        })
    }

    fn values(&mut self, field: FieldRef<'_>, each: &mut dyn FnMut(Value<'_>) -> bool) {
        let list = match field.id {
            id::PROC_ANAME => &self.ancestors,
            id::USER_GROUPS => &self.groups,
            _ => {
                if let Some(v) = self.value(field) {
                    each(v);
                }
                return;
            }
        };
        for v in list {
            if !each(Value::str(v)) {
                return;
            }
        }
    }
}

fn event() -> TestEvent {
    TestEvent {
        evt_type: "openat",
        dir: "<",
        num: 42,
        latency: 12_000,
        failed: false,
        buffer: b"GET / HTTP/1.1\r\n".to_vec(),
        args: vec![
            ("dirfd", "AT_FDCWD"),
            ("name", "/etc/hosts"),
            ("flags", "O_RDONLY|O_CLOEXEC"),
        ],
        comm: "nginx",
        pid: 4242,
        ancestors: vec!["bash", "sshd", "systemd"],
        argv: vec!["-g", "daemon off;"],
        fd_name: Some("/etc/hosts"),
        sip: Some("127.0.0.1".parse().unwrap_or(IpAddr::from([0; 4]))),
        sport: Some(8080),
        fd: Some(3),
        labels: vec![("app", "web"), ("com.docker.compose.service", "frontend")],
        groups: vec!["adm", "wheel"],
        scratch: String::new(),
    }
}

fn check(src: &str, event: &mut TestEvent) -> bool {
    let filter = Filter::new(src, &TestRegistry)
        .unwrap_or_else(|e| panic!("{src:?} does not compile: {}", e.render(src)));
    filter.matches(event)
}

#[test]
fn filters_match_as_sysdig_would() {
    let cases: &[(&str, bool)] = &[
        ("proc.name=nginx", true),
        ("proc.name!=nginx", false),
        (
            "proc.name=nginx and evt.type in (openat, connect) and not fd.name startswith /proc",
            true,
        ),
        ("proc.name=nginx and evt.type in (read, write)", false),
        ("evt.type=read or proc.pid=4242", true),
        ("not evt.type=read and not proc.pid=1", true),
        ("evt.dir = <", true),
        ("evt.dir = >", false),
        ("evt.num > 41 and evt.num <= 42", true),
        ("evt.num >= 0x2b", false),
        ("evt.num in (1, 42, 0x10)", true),
        ("proc.pid > -1", true),
        ("proc.pid < 100", false),
        ("evt.latency > 10us", true),
        ("evt.latency < 1ms", true),
        ("evt.failed = false", true),
        ("evt.failed = TRUE", false),
        ("evt.buffer contains HTTP", true),
        ("evt.buffer bcontains 0d0a", true),
        ("evt.buffer bstartswith 474554", true),
        ("evt.buffer bstartswith 504f5354", false),
        ("evt.arg.name = /etc/hosts", true),
        ("evt.arg[0] = AT_FDCWD", true),
        ("evt.arg[7] = AT_FDCWD", false),
        ("evt.arg.flags contains O_CLOEXEC", true),
        ("evt.arg.mode exists", false),
        ("not evt.arg.mode exists", true),
        ("evt.arg.mode != 0644", false),
        ("not evt.arg.mode = 0644", true),
        ("proc.name icontains NGI", true),
        ("proc.name icontains ngx", false),
        ("proc.name endswith inx", true),
        ("proc.name glob 'ng*'", true),
        ("proc.name glob 'NG*'", false),
        ("proc.name iglob 'NG*'", true),
        ("proc.name regex 'ng.nx'", true),
        ("proc.name regex 'ng'", false),
        ("proc.name regex \"\\w+\"", true),
        ("proc.name < nginy and proc.name > nginw", true),
        ("proc.args = \"-g daemon off;\"", true),
        ("proc.args contains daemon", true),
        ("fd.name pmatch (/etc, /usr/lib)", true),
        ("fd.name pmatch (/et, /usr/lib)", false),
        ("fd.name pmatch (/etc/hosts/)", true),
        ("fd.name pmatch (/)", true),
        ("fd.sip = 127.0.0.1", true),
        ("fd.sip = ::ffff:127.0.0.1", true),
        ("fd.sip in (10.0.0.1, ::1)", false),
        ("fd.snet = 127.0.0.0/8", true),
        ("fd.snet = 127.0.0.1", true),
        ("fd.snet = ::ffff:127.0.0.0/104", true),
        ("fd.snet != 10.0.0.0/8", true),
        ("fd.snet = 10.0.0.0/8", false),
        ("fd.snet in (10.0.0.0/8, 127.1.0.0/16)", false),
        ("fd.snet in (10.0.0.0/8, 0.0.0.0/1)", true),
        ("fd.snet = ::/0", false),
        ("fd.sport = 8080 and fd.sport in (80, 8080)", true),
        ("fd.num = 3", true),
        ("container.label.app = web", true),
        (
            "container.label.com.docker.compose.service = frontend",
            true,
        ),
        (
            "container.label[com.docker.compose.service] = frontend",
            true,
        ),
        ("container.label.missing exists", false),
        ("proc.aname = sshd", true),
        ("proc.aname = init", false),
        ("proc.aname != init", true),
        ("proc.aname != sshd", false),
        ("proc.aname[0] = nginx", true),
        ("proc.aname[2] = sshd", true),
        ("proc.aname[9] exists", false),
        ("proc.aname in (bash, sshd, systemd, init)", true),
        ("proc.aname in (bash, sshd)", false),
        ("proc.aname intersects (init, sshd)", true),
        ("proc.aname startswith sys", true),
        ("user.groups intersects (wheel, docker)", true),
        ("user.groups intersects (docker)", false),
        ("user.groups in (adm, wheel, docker)", true),
        ("user.groups exists", true),
        ("evt.type in ()", false),
    ];
    let mut ev = event();
    for (src, want) in cases {
        assert_eq!(check(src, &mut ev), *want, "{src}");
    }
}

#[test]
fn missing_values_fail_every_check_and_not_inverts() {
    let mut ev = TestEvent {
        fd_name: None,
        sip: None,
        ..event()
    };
    for src in [
        "fd.name = x",
        "fd.name != x",
        "fd.name exists",
        "fd.name contains x",
        "fd.name in (x)",
        "fd.sip != 1.2.3.4",
    ] {
        assert!(!check(src, &mut ev), "{src}");
        assert!(check(&format!("not {src}"), &mut ev), "not {src}");
    }
    ev.ancestors.clear();
    ev.groups.clear();
    for src in ["proc.aname != x", "proc.aname in (x)", "user.groups exists"] {
        assert!(!check(src, &mut ev), "{src}");
    }
}

/// Filters the compiler rejects: the rendered error, caret included.
#[test]
fn compile_errors_name_the_problem_and_its_place() {
    let cases: &[(&str, &str)] = &[
        (
            "proc.nmae = bash",
            "filter error: unknown field `proc.nmae`, did you mean `proc.name`?\n  \
             proc.nmae = bash\n  ^^^^^^^^^",
        ),
        (
            "evt.type = open and fd.nam = x",
            "filter error: unknown field `fd.nam`, did you mean `fd.name`?\n  \
             evt.type = open and fd.nam = x\n                      ^^^^^^",
        ),
        (
            "evt.ar.fd = 3",
            "filter error: unknown field `evt.ar.fd`, did you mean `evt.arg.fd`?\n  \
             evt.ar.fd = 3\n  ^^^^^^^^^",
        ),
        (
            "container.lable.app = web",
            "filter error: unknown field `container.lable.app`, did you mean \
             `container.label.app`?\n  container.lable.app = web\n  ^^^^^^^^^^^^^^^^^^^",
        ),
        (
            "foo.bar exists",
            "filter error: unknown field `foo.bar`\n  foo.bar exists\n  ^^^^^^^",
        ),
        (
            "proc.pid = bash",
            "filter error: invalid value `bash` for field `proc.pid`: expected a signed integer \
             such as `-1` or `0x10`\n  proc.pid = bash\n             ^^^^",
        ),
        (
            "evt.num in (1, x2)",
            "filter error: invalid value `x2` for field `evt.num`: expected an unsigned integer \
             such as `42` or `0x2a`\n  evt.num in (1, x2)\n                 ^^",
        ),
        (
            "fd.sport > 70000",
            "filter error: invalid value `70000` for field `fd.sport`: expected a port number \
             from 0 to 65535\n  fd.sport > 70000\n             ^^^^^",
        ),
        (
            "fd.sip = localhost",
            "filter error: invalid value `localhost` for field `fd.sip`: expected an ip address \
             such as `127.0.0.1` or `::1`\n  fd.sip = localhost\n           ^^^^^^^^^",
        ),
        (
            "evt.buffer bcontains 'GET'",
            "filter error: invalid value `GET` for field `evt.buffer`: expected hex bytes such \
             as `0a1b`\n  evt.buffer bcontains 'GET'\n                       ^^^^^",
        ),
        (
            "proc.pid contains 1",
            "filter error: operator `contains` does not apply to field `proc.pid` (signed \
             integer)\n  proc.pid contains 1\n           ^^^^^^^^",
        ),
        (
            "fd.sip glob 10.*",
            "filter error: operator `glob` does not apply to field `fd.sip` (ip address)\n  \
             fd.sip glob 10.*\n         ^^^^",
        ),
        (
            "user.groups = adm",
            "filter error: operator `=` does not apply to field `user.groups` (string)\n  \
             user.groups = adm\n              ^",
        ),
        (
            "proc.name regex '(a'",
            "filter error: invalid regex `(a`: unclosed group\n  \
             proc.name regex '(a'\n                  ^^^^",
        ),
        (
            "evt.arg = x",
            "filter error: bad argument for field `evt.arg`: it takes a name or an index: \
             `evt.arg.fd`, `evt.arg[0]`\n  evt.arg = x\n  ^^^^^^^",
        ),
        (
            "proc.aname[x] = bash",
            "filter error: bad argument for field `proc.aname`: it takes an index such as \
             `proc.aname[1]`\n  proc.aname[x] = bash\n  ^^^^^^^^^^^^^",
        ),
        (
            "proc.name.x = bash",
            "filter error: bad argument for field `proc.name`: it takes no argument\n  \
             proc.name.x = bash\n  ^^^^^^^^^^^",
        ),
        (
            "proc.nmae[1] = bash",
            "filter error: unknown field `proc.nmae[1]`, did you mean `proc.name`?\n  \
             proc.nmae[1] = bash\n  ^^^^^^^^^^^^",
        ),
    ];
    for (src, rendered) in cases {
        let err = match Filter::new(src, &TestRegistry) {
            Ok(f) => panic!("{src:?} compiled as {f}"),
            Err(e) => e,
        };
        assert_eq!(&err.render(src), rendered, "{src}");
    }
}

#[test]
fn constraints_are_conservative_sets() {
    let constraint = |src: &str, field| {
        Filter::new(src, &TestRegistry)
            .unwrap_or_else(|e| panic!("{}", e.render(src)))
            .constraint(field)
    };
    let strs = |xs: &[&str]| Some(xs.iter().map(|s| Literal::Str(s.to_string())).collect());
    let t = id::EVT_TYPE;
    assert_eq!(
        constraint("evt.type in (openat, connect) and proc.name = x", t),
        strs(&["connect", "openat"])
    );
    assert_eq!(
        constraint("evt.type = open or evt.type in (read, open)", t),
        strs(&["open", "read"])
    );
    assert_eq!(
        constraint("evt.type in (a, b) and evt.type in (b, c)", t),
        strs(&["b"])
    );
    assert_eq!(constraint("evt.type = a and evt.type = b", t), strs(&[]));
    assert_eq!(
        constraint("(evt.type = a or evt.type = b) and proc.pid = 1", t),
        strs(&["a", "b"])
    );
    assert_eq!(constraint("evt.type = a or proc.name = x", t), None);
    assert_eq!(constraint("not evt.type = a", t), None);
    assert_eq!(constraint("evt.type != a", t), None);
    assert_eq!(constraint("evt.type startswith a", t), None);
    assert_eq!(constraint("proc.name = x", t), None);
    assert_eq!(
        constraint("proc.pid in (1, 2) or proc.pid = 3", id::PROC_PID),
        Some(vec![Literal::Int(1), Literal::Int(2), Literal::Int(3)])
    );
    assert_eq!(
        constraint("evt.num = 7", id::EVT_NUM),
        Some(vec![Literal::UInt(7)])
    );
    // A field written with an argument, or multi-valued, is not the plain field.
    assert_eq!(constraint("proc.aname = bash", id::PROC_ANAME), None);
    assert_eq!(constraint("proc.aname[1] = bash", id::PROC_ANAME), None);
}

#[test]
fn constraint_never_excludes_a_matching_event() {
    let filters = [
        "evt.type in (openat, connect) and proc.name = nginx",
        "evt.type = openat or (evt.type = read and proc.pid = 4242)",
        "not (evt.type = read) and evt.type in (openat, read)",
        "(evt.type = openat or proc.pid = 1) and evt.type in (openat, close)",
    ];
    for src in filters {
        let filter = Filter::new(src, &TestRegistry).unwrap_or_else(|e| panic!("{e}"));
        let allowed = filter.constraint(id::EVT_TYPE);
        for evt_type in ["openat", "connect", "read", "close", "write"] {
            let mut ev = TestEvent {
                evt_type,
                ..event()
            };
            if filter.matches(&mut ev) {
                if let Some(allowed) = &allowed {
                    assert!(
                        allowed.contains(&Literal::Str(evt_type.to_string())),
                        "{src}: {evt_type} matches but is excluded"
                    );
                }
            }
        }
    }
}

#[test]
fn filter_lists_its_fields_and_prints_canonically() {
    let filter = Filter::new("evt.arg.fd=3 and(proc.name=a or proc.pid>1)", &TestRegistry)
        .unwrap_or_else(|e| panic!("{e}"));
    let key = FieldArg::Key("fd".into());
    assert_eq!(
        filter.fields(),
        vec![
            (id::EVT_ARG, Some(&key)),
            (id::PROC_NAME, None),
            (id::PROC_PID, None)
        ]
    );
    assert_eq!(
        filter.to_string(),
        "evt.arg.fd = 3 and (proc.name = a or proc.pid > 1)"
    );
}

struct CountingAlloc;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; the counter is a
// const-initialised thread-local Cell, which itself never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `alloc`'s contract, which is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

#[test]
fn evaluation_allocates_nothing() {
    let src = "proc.name icontains NGI and evt.type in (openat, connect) \
               and not fd.name pmatch (/proc, /sys) and proc.name regex 'ng.*' \
               and fd.name glob '/etc/*' and proc.args contains daemon \
               and proc.aname intersects (sshd) and evt.buffer bcontains 0d0a \
               and fd.sip = 127.0.0.1 and evt.latency < 1s";
    let filter = Filter::new(src, &TestRegistry).unwrap_or_else(|e| panic!("{e}"));
    let mut ev = event();
    // Warm up: the regex cache and the event's own scratch buffer grow once.
    assert!(filter.matches(&mut ev));
    let before = ALLOCATIONS.with(Cell::get);
    for _ in 0..1_000 {
        assert!(filter.matches(&mut ev));
    }
    assert_eq!(ALLOCATIONS.with(Cell::get) - before, 0);
    // The counter does count: compiling allocates.
    let _ = Filter::new("proc.name = x", &TestRegistry);
    assert!(ALLOCATIONS.with(Cell::get) > before);
}

#[test]
fn random_filters_compile_or_fail_without_panicking() {
    // Valid syntax over the test registry's fields with random operators and values.
    let values = [
        "x",
        "-1",
        "0x10",
        "127.0.0.1",
        "10ms",
        "true",
        "0a",
        "(",
        "[",
        "é",
        "",
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let mut ev = event();
    for _ in 0..5_000 {
        let (name, _, _) = FIELDS[next() % FIELDS.len()];
        let op = Op::ALL[next() % Op::ALL.len()];
        let v = values[next() % values.len()];
        let src = match op.arity() {
            ast::Arity::Unary => format!("{name} {op}"),
            ast::Arity::Value => format!("{name} {op} {v:?}"),
            ast::Arity::List => format!("{name} {op} ({v:?}, {:?})", values[next() % values.len()]),
        };
        if let Ok(filter) = Filter::new(&src, &TestRegistry) {
            let _ = filter.matches(&mut ev);
        }
    }
}

#[test]
fn filters_are_shareable_and_fields_may_be_dyn() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Filter>();
    let filter = Filter::new("proc.name = nginx", &TestRegistry).unwrap_or_else(|e| panic!("{e}"));
    let mut ev = event();
    let fields: &mut dyn Fields = &mut ev;
    assert!(filter.matches(fields));
}

#[test]
fn hand_built_trees_with_the_wrong_right_hand_side_are_rejected() {
    let mut expr = parse("evt.type in (a, b)").unwrap_or_else(|e| panic!("{e}"));
    if let ast::ExprKind::Check(c) = &mut expr.kind {
        c.op = Op::Eq;
    }
    let err = compile(&expr, &TestRegistry)
        .map(|f| f.to_string())
        .unwrap_err();
    assert_eq!(err.to_string(), "expected a value after `=`, found a list");
}
