//! Nanoseconds per event for three typical filters, over an event struct with a registry like
//! the one `inspect` provides; plus the one-off cost of parsing and compiling.
//!
//! `cargo bench -p syspect-filter`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use syspect_filter::{
    FieldArg, FieldInfo, FieldRef, FieldType, Fields, Filter, Registry, ResolveError, Value,
};

const EVT_TYPE: u32 = 0;
const PROC_NAME: u32 = 1;
const PROC_PID: u32 = 2;
const FD_NAME: u32 = 3;
const PROC_ARGS: u32 = 4;
const CONTAINER_NAME: u32 = 5;

const FIELDS: &[(&str, u32, FieldType)] = &[
    ("evt.type", EVT_TYPE, FieldType::Str),
    ("proc.name", PROC_NAME, FieldType::Str),
    ("proc.pid", PROC_PID, FieldType::Int),
    ("fd.name", FD_NAME, FieldType::Str),
    ("proc.args", PROC_ARGS, FieldType::Str),
    ("container.name", CONTAINER_NAME, FieldType::Str),
];

struct BenchRegistry;

impl Registry for BenchRegistry {
    fn resolve(&self, name: &str, arg: Option<&FieldArg>) -> Result<FieldInfo, ResolveError> {
        if arg.is_some() {
            return Err(ResolveError::BadArgument("it takes no argument".into()));
        }
        FIELDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|&(_, id, ty)| FieldInfo::new(id, ty))
            .ok_or(ResolveError::Unknown)
    }

    fn field_names(&self) -> Vec<&str> {
        FIELDS.iter().map(|(n, _, _)| *n).collect()
    }
}

struct Event {
    evt_type: &'static str,
    comm: &'static str,
    pid: i64,
    fd_name: Option<&'static str>,
    args: &'static str,
    container: &'static str,
}

impl Fields for Event {
    fn value(&mut self, field: FieldRef<'_>) -> Option<Value<'_>> {
        Some(match field.id {
            EVT_TYPE => Value::str(self.evt_type),
            PROC_NAME => Value::str(self.comm),
            PROC_PID => Value::Int(self.pid),
            FD_NAME => Value::str(self.fd_name?),
            PROC_ARGS => Value::str(self.args),
            CONTAINER_NAME => Value::str(self.container),
            _ => return None,
        })
    }
}

/// A mix of events: a few of each kind a busy web host shows.
fn events() -> Vec<Event> {
    let kinds = [
        ("openat", "nginx", Some("/etc/nginx/nginx.conf")),
        ("read", "nginx", Some("/var/www/index.html")),
        ("write", "bash", Some("/dev/pts/0")),
        ("connect", "curl", Some("127.0.0.1:8080")),
        ("futex", "java", None),
        ("openat", "systemd", Some("/proc/1/status")),
        ("close", "nginx", Some("/etc/hosts")),
        ("epoll_wait", "nginx", None),
    ];
    (0..256)
        .map(|i| {
            let (evt_type, comm, fd_name) = kinds[i % kinds.len()];
            Event {
                evt_type,
                comm,
                pid: 1000 + i as i64,
                fd_name,
                args: "-g daemon off;",
                container: if i % 3 == 0 { "web" } else { "host" },
            }
        })
        .collect()
}

const FILTERS: &[(&str, &str)] = &[
    ("simple", "proc.name=nginx"),
    (
        "typical",
        "proc.name=nginx and evt.type in (openat, connect) and not fd.name startswith /proc",
    ),
    (
        "heavy",
        "container.name = web and (fd.name glob '/etc/*.conf' or fd.name pmatch (/var/www, /srv)) \
         and proc.name icontains NGI and proc.args regex '.*daemon.*' and not proc.pid < 100",
    ),
];

fn per_event(c: &mut Criterion) {
    let mut events = events();
    let mut group = c.benchmark_group("matches_per_event");
    // The loop alone with a hand-written `proc.name == "nginx"`: the floor to compare with.
    let mut i = 0;
    group.bench_function("baseline_hand_written", |b| {
        b.iter(|| {
            i = (i + 1) % events.len();
            black_box(black_box(&events[i]).comm == "nginx")
        })
    });
    for (name, src) in FILTERS {
        let filter = match Filter::new(src, &BenchRegistry) {
            Ok(f) => f,
            Err(e) => panic!("{}", e.render(src)),
        };
        let mut i = 0;
        group.bench_function(*name, |b| {
            b.iter(|| {
                i = (i + 1) % events.len();
                black_box(filter.matches(&mut events[i]))
            })
        });
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let (_, src) = FILTERS[2];
    c.bench_function("parse_and_compile_heavy", |b| {
        b.iter(|| black_box(Filter::new(black_box(src), &BenchRegistry).is_ok()))
    });
}

criterion_group!(benches, per_event, compile);
criterion_main!(benches);
