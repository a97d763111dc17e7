//! Live capture: choose an engine, run it until the command ends, Ctrl-C, `-n` or `-M`, and
//! send its records to a trace file or through the pipeline to the output.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use syspect_capture::container::docker::DockerWatch;
use syspect_capture::container::{cgroup, ContainerFeed};
use syspect_capture::engine::ebpf::EbpfEngine;
use syspect_capture::engine::ptrace::PtraceEngine;
use syspect_capture::engine::{CaptureOptions, Engine, EngineError, Stats, Status};
use syspect_capture::event::{ContainerInfo, Record};
use syspect_capture::trace::{Header, RotatingWriter, Rotation, WriterOptions};
use syspect_capture::{interrupt, procfs};

use crate::output::Printer;
use crate::pipeline::Pipeline;
use crate::select::{self, Selector};
use crate::InspectError;
use syspect_filter::Filter;

/// Which engine the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    Auto,
    Ebpf,
    Ptrace,
}

/// What to capture and when to stop.
#[derive(Clone, Debug)]
pub struct LiveOptions {
    pub engine: EngineKind,
    pub snaplen: usize,
    pub pids: Vec<u32>,
    pub command: Vec<OsString>,
    /// Stop after this many events.
    pub count: Option<u64>,
    /// Stop after this many seconds.
    pub seconds: Option<u64>,
    /// Syscalls to stop for (seccomp / kernel set); `None`: all.
    pub syscalls: Option<Vec<u16>>,
    /// syspect's own command line, for the trace header.
    pub command_line: Vec<String>,
    /// The filter: only the events it selects are written or shown.
    pub filter: Option<Filter>,
    /// Its text, for the trace header.
    pub filter_text: String,
    /// `-C`, `-W`, `-G`: when to start a new file.
    pub rotation: Rotation,
    /// `--container`: only these containers (names or ids).
    pub containers: Vec<String>,
    /// The command gets /dev/null for stdin, stdout and stderr instead of syspect's (a
    /// terminal view owns the terminal: the command must neither draw on it nor read keys).
    pub quiet_command: bool,
    /// strace's `-e inject=`: calls to tamper with (the ptrace engine only, which `auto`
    /// then picks).
    pub inject: Vec<syspect_capture::engine::inject::Injection>,
    /// Run the command as this user (strace's `-u`).
    pub run_as: Option<syspect_capture::engine::launch::RunAs>,
    /// Changes to the command's environment (strace's `-E`).
    pub env: Vec<syspect_capture::engine::launch::EnvChange>,
    /// The stack of each recorded call (strace's `-k`; ptrace, which `auto` then picks).
    pub stack_traces: bool,
}

/// How long one poll may block: short, so that Ctrl-C, `-M` and frame closing stay prompt.
const POLL: Duration = Duration::from_millis(100);

fn capture_options(o: &LiveOptions, c: &LiveContainers) -> CaptureOptions {
    // What the filter allows the engine to skip (never what it selects).
    let pushed = c.filter.as_ref().map(select::pushdown).unwrap_or_default();
    CaptureOptions {
        snaplen: o.snaplen,
        command: (!o.command.is_empty()).then(|| o.command.clone()),
        pids: o.pids.clone(),
        syscalls: o.syscalls.clone().or(pushed.syscalls),
        cgroups: c.cgroups.clone(),
        cgroup_filter: c.kernel,
        inject: o.inject.clone(),
        run_as: o.run_as.clone(),
        env: o.env.clone(),
        stack_traces: o.stack_traces,
    }
}

/// Start the engine the options ask for; returns it and its name for the trace header.
fn open_engine(
    o: &LiveOptions,
    c: &LiveContainers,
) -> Result<(Box<dyn Engine>, &'static str), InspectError> {
    let copts = capture_options(o, c);
    let has_target = !o.command.is_empty() || !o.pids.is_empty();
    let quiet = o.quiet_command;
    let ptrace = |copts: &CaptureOptions| -> Result<Box<dyn Engine>, EngineError> {
        if copts.command.is_some() {
            Ok(Box::new(with_stdio(quiet, || PtraceEngine::spawn(copts))??))
        } else {
            Ok(Box::new(PtraceEngine::attach(copts)?))
        }
    };
    let ebpf = |copts: &CaptureOptions| -> Result<Box<dyn Engine>, EngineError> {
        if copts.command.is_some() {
            Ok(Box::new(with_stdio(quiet, || {
                EbpfEngine::start_for_command(copts)
            })??))
        } else {
            Ok(Box::new(EbpfEngine::start(copts)?))
        }
    };
    match o.engine {
        EngineKind::Ptrace => Ok((ptrace(&copts)?, "ptrace")),
        EngineKind::Ebpf => Ok((ebpf(&copts)?, "ebpf")),
        // eBPF programs cannot change a call's result
        EngineKind::Auto if !copts.inject.is_empty() || copts.stack_traces => {
            Ok((ptrace(&copts)?, "ptrace"))
        }
        EngineKind::Auto => match ebpf(&copts) {
            Ok(e) => Ok((e, "ebpf")),
            Err(err @ EngineError::Privilege { .. }) | Err(err @ EngineError::Bpf(_))
                if has_target =>
            {
                eprintln!("syspect: eBPF is not available ({err}); tracing with ptrace instead");
                Ok((ptrace(&copts)?, "ptrace"))
            }
            Err(e) => Err(e.into()),
        },
    }
}

/// Runs `f` (which starts the command) with fds 0, 1 and 2 on /dev/null when `quiet`, so that
/// the command inherits those instead of the terminal; syspect's own are put back after.
fn with_stdio<T>(quiet: bool, f: impl FnOnce() -> T) -> Result<T, EngineError> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    if !quiet {
        return Ok(f());
    }
    let io_err = |source: std::io::Error| EngineError::Io {
        context: "cannot give the command /dev/null for its stdio".into(),
        source,
    };
    let null = std::fs::File::options()
        .read(true)
        .write(true)
        .open("/dev/null")
        .map_err(io_err)?;
    let mut saved = Vec::with_capacity(3);
    for fd in 0..3 {
        // SAFETY: fcntl on an integer fd; a new fd is returned or -1.
        let copy = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
        if copy < 0 {
            return Err(io_err(std::io::Error::last_os_error()));
        }
        // SAFETY: `copy` is a fresh fd that nothing else owns.
        saved.push(unsafe { OwnedFd::from_raw_fd(copy) });
    }
    for fd in 0..3 {
        // SAFETY: dup2 between two open fds.
        unsafe { libc::dup2(null.as_raw_fd(), fd) };
    }
    let r = f();
    for (fd, copy) in saved.iter().enumerate() {
        // SAFETY: dup2 between two open fds: syspect's own stdio back in place.
        unsafe { libc::dup2(copy.as_raw_fd(), fd as i32) };
    }
    Ok(r)
}

/// Where a live capture's records go.
trait Sink {
    /// Take a batch; false once no more are wanted (`-n` reached).
    fn records(&mut self, recs: &[Record]) -> Result<bool, InspectError>;
    /// Called after every poll (at least every [`POLL`]) with the engine's counters: close
    /// old frames, flush output. False once the output wants the capture to stop.
    fn tick(&mut self, stats: Stats) -> Result<bool, InspectError>;
}

/// Drives an engine until it ends, handing each batch of records, with what `containers`
/// adds to it, to `sink`. Returns the exit status syspect should exit with: the command's, or
/// when `-n` or `-M` ended the capture, the command's only if it had ended by then (the
/// capture then stops a command still running, and that is no failure of it); 0 without one.
fn drive(
    o: &LiveOptions,
    engine: &mut dyn Engine,
    containers: &mut LiveContainers,
    sink: &mut dyn Sink,
) -> Result<i32, InspectError> {
    let deadline = o.seconds.map(|s| Instant::now() + Duration::from_secs(s));
    syspect_capture::syscalls::render::set_capture_snaplen(o.snaplen);
    let mut stopped = false;
    // the command's status when a limit stopped the capture
    let mut at_limit: Option<Option<i32>> = None;
    let mut buf = Vec::with_capacity(4096);
    loop {
        engine.recycle(&mut buf);
        let status = engine.poll(&mut buf, POLL)?;
        containers.process(&mut buf, engine);
        let more = sink.records(&buf)?;
        let go_on = sink.tick(engine.stats())?;
        let late = deadline.is_some_and(|d| Instant::now() >= d);
        let interrupted = interrupt::requested();
        if !stopped && (!more || !go_on || late || interrupted) {
            if !interrupted && status != Status::End {
                at_limit = Some(engine.exit_code());
            }
            engine.stop();
            stopped = true;
        }
        if status == Status::End {
            let code = at_limit.unwrap_or_else(|| engine.exit_code());
            return Ok(code.unwrap_or(0));
        }
    }
}

fn install_signals(o: &LiveOptions) {
    interrupt::install(if o.command.is_empty() {
        interrupt::Mode::IntAndTerm
    } else {
        interrupt::Mode::TermOnly
    });
}

/// `capture -w FILE`: returns the exit status syspect should exit with.
pub fn capture_to_file(o: &LiveOptions, path: &Path) -> Result<i32, InspectError> {
    let mut containers = LiveContainers::start(o)?;
    let (mut engine, name) = open_engine(o, &containers)?;
    // After the engine forked any command: it must not inherit syspect's ignored SIGINT.
    install_signals(o);
    let header = Header::new(
        name,
        o.snaplen as u32,
        &o.filter_text,
        o.command_line.clone(),
    );
    let writer = RotatingWriter::create(path, &header, o.rotation, WriterOptions::default())?;
    let initial = containers.initial_state(o, engine.as_ref());
    /// Records to the file; with a filter or rotation it keeps the state too (to select
    /// events, and to start each new file with the state a reader needs).
    struct FileSink {
        writer: RotatingWriter,
        events: u64,
        limit: Option<u64>,
        selector: Option<Selector>,
    }
    impl Sink for FileSink {
        fn records(&mut self, recs: &[Record]) -> Result<bool, InspectError> {
            for r in recs {
                if self.limit.is_some_and(|l| self.events >= l) {
                    return Ok(false);
                }
                match &mut self.selector {
                    None => {
                        self.events += matches!(r, Record::Event(_)) as u64;
                        self.writer.write(r)?;
                    }
                    Some(sel) => {
                        let (before, keep) = sel.select(r);
                        for w in &before {
                            self.writer.write(w)?;
                        }
                        if keep {
                            self.events += matches!(r, Record::Event(_)) as u64;
                            self.writer.write(r)?;
                        }
                    }
                }
            }
            Ok(self.limit.is_none_or(|l| self.events < l))
        }
        fn tick(&mut self, _stats: Stats) -> Result<bool, InspectError> {
            let state = || {
                self.selector
                    .as_ref()
                    .map(|s| s.state.to_records())
                    .unwrap_or_default()
            };
            self.writer.tick(Instant::now(), state)?;
            Ok(true)
        }
    }
    let keep_state = containers.filter.is_some() || !o.rotation.is_off();
    let mut sink = FileSink {
        writer,
        events: 0,
        limit: o.count,
        selector: keep_state.then(|| Selector::new(containers.filter.clone())),
    };
    sink.records(&initial)?;
    let code = drive(o, engine.as_mut(), &mut containers, &mut sink)?;
    let (writer, events) = (sink.writer, sink.events);
    writer.finish()?;
    let stats = engine.stats();
    eprintln!("syspect: captured {events} events, dropped {}", stats.drops);
    Ok(code)
}

/// `capture` without `-w`, `strace`, and the analyzers: print events as they happen (or feed
/// them to a terminal view, see [`crate::tui`]). A printer that stops the capture itself (a
/// view's `q`) makes the exit status 0 rather than the killed command's.
pub fn capture_and_print(
    o: &LiveOptions,
    printer: Box<dyn Printer>,
    out: &mut dyn Write,
) -> Result<i32, InspectError> {
    let mut containers = LiveContainers::start(o)?;
    let (mut engine, name) = open_engine(o, &containers)?;
    install_signals(o);
    let mut p = Pipeline::with_printer(printer, o.count).with_filter(containers.filter.clone());
    p.start(name)?;
    for rec in containers.initial_state(o, engine.as_ref()) {
        p.push(&rec, out)?;
    }
    struct PrintSink<'a> {
        p: Pipeline,
        out: &'a mut dyn Write,
        last_tick: Instant,
        /// The printer asked to stop.
        quit: bool,
    }
    impl Sink for PrintSink<'_> {
        fn records(&mut self, recs: &[Record]) -> Result<bool, InspectError> {
            for r in recs {
                if !self.p.push(r, self.out)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        fn tick(&mut self, stats: Stats) -> Result<bool, InspectError> {
            if self.last_tick.elapsed() >= Duration::from_secs(1) {
                self.last_tick = Instant::now();
                self.p.tick(self.out)?;
            }
            self.out.flush()?;
            self.quit |= !self.p.poll(stats)?;
            Ok(!self.quit)
        }
    }
    let mut sink = PrintSink {
        p,
        out,
        last_tick: Instant::now(),
        quit: false,
    };
    let code = drive(o, engine.as_mut(), &mut containers, &mut sink)?;
    let PrintSink {
        mut p, out, quit, ..
    } = sink;
    p.finish(out)?;
    if quit {
        return Ok(0);
    }
    Ok(code)
}

/// State records at the start: the processes attached to or the command started (or the whole
/// host for a system-wide capture), users and groups.
fn initial_state(o: &LiveOptions, engine: &dyn Engine) -> Vec<Record> {
    if o.command.is_empty() && o.pids.is_empty() {
        procfs::snapshot()
    } else {
        let mut pids = o.pids.clone();
        pids.extend(engine.command_pid());
        procfs::snapshot_pids(&pids)
    }
}

/// How long Docker may take to answer when a capture starts.
const DOCKER_TIMEOUT: Duration = Duration::from_secs(5);

/// Containers in a live capture: Docker (when reachable), the `--container` selection, and the
/// [`ContainerFeed`] that adds container and thread records to each batch.
///
/// `--container NAME` is resolved through Docker when the capture starts: the cgroup v2 ids of
/// the named containers that are running go to the engine, which (eBPF) drops other cgroups'
/// events in the kernel. A wanted container that starts later, or restarts or is re-created
/// (a new cgroup), is seen in Docker's event stream, and its new cgroup id is added to the
/// engine's set while it runs ([`Engine::add_cgroups`]); its first events, between its start
/// and Docker's news of it, can be missed. In any case the filter is restricted to the
/// selection in user space too (`container.id`, or `container.name` for a name not running
/// yet), so the selection is exact. Without a cgroup v2 hierarchy there is no kernel filter.
struct LiveContainers {
    /// Records of the containers running at the start.
    records: Vec<Record>,
    docker: Option<DockerWatch>,
    feed: Option<ContainerFeed>,
    /// cgroup v2 ids given to the engine so far.
    cgroups: Vec<u64>,
    /// `--container` filtered in the kernel by cgroup (the set may be empty for a while).
    kernel: bool,
    /// The user's filter, restricted to the `--container` selection.
    filter: Option<Filter>,
    /// The `--container` names and ids, and the names they resolved to.
    wanted: Vec<String>,
}

impl LiveContainers {
    /// Connect to Docker (for a system-wide capture or `--container`) and resolve the
    /// `--container` names.
    fn start(o: &LiveOptions) -> Result<LiveContainers, InspectError> {
        let mut c = LiveContainers {
            records: Vec::new(),
            docker: None,
            feed: None,
            cgroups: Vec::new(),
            kernel: false,
            filter: o.filter.clone(),
            wanted: o.containers.clone(),
        };
        let system_wide = o.command.is_empty() && o.pids.is_empty();
        if !system_wide && o.containers.is_empty() {
            return Ok(c);
        }
        match DockerWatch::connect(DOCKER_TIMEOUT) {
            Ok((d, list)) => {
                c.records = list
                    .into_iter()
                    .map(|v| Record::Container(Box::new(v)))
                    .collect();
                c.docker = Some(d);
            }
            Err(e) if o.containers.is_empty() => {
                eprintln!("syspect: {e}; containers are named by id only");
            }
            Err(e) => {
                return Err(InspectError::Container(format!(
                    "--container needs Docker to resolve container names, and {e}"
                )))
            }
        }
        let Some(docker) = c.docker.as_ref().filter(|_| !o.containers.is_empty()) else {
            return Ok(c);
        };
        let (mut ids, mut names) = (Vec::new(), Vec::new());
        for name in &o.containers {
            let info = docker
                .inspect(name, DOCKER_TIMEOUT)
                .map_err(|e| InspectError::Container(format!("--container {name}: {e}")))?;
            match info {
                Some(info) => {
                    if info.cgroup_id != 0 {
                        c.cgroups.push(info.cgroup_id);
                    } else {
                        eprintln!(
                            "syspect: container {name} is not running; its events are captured \
                             once it starts"
                        );
                    }
                    ids.push(info.id.chars().take(12).collect::<String>());
                    c.wanted.push(info.name.clone());
                    names.push(info.name);
                }
                None => {
                    eprintln!(
                        "syspect: no container {name} yet; its events are captured once it starts"
                    );
                    names.push(name.clone());
                }
            }
        }
        c.kernel = cgroup::cgroup2_root().is_some();
        if !c.kernel {
            c.cgroups.clear();
        }
        let text = selection_filter(&ids, &names, &o.filter_text);
        c.filter = Some(select::compile(&text).map_err(InspectError::Usage)?);
        Ok(c)
    }

    /// The state records a capture starts with: the containers, then [`initial_state`]; the
    /// feed starts from them.
    fn initial_state(&mut self, o: &LiveOptions, engine: &dyn Engine) -> Vec<Record> {
        let mut recs = std::mem::take(&mut self.records);
        recs.extend(initial_state(o, engine));
        self.feed = Some(ContainerFeed::new(self.docker.take(), &recs));
        recs
    }

    /// Complete one engine batch (see [`ContainerFeed::process`]); give the engine the cgroup
    /// of a wanted container that has started since.
    fn process(&mut self, recs: &mut Vec<Record>, engine: &mut dyn Engine) {
        let Some(feed) = self.feed.as_mut() else {
            return;
        };
        for info in feed.process(recs) {
            // a container Docker has only created has no cgroup yet: its start follows
            if !self.kernel || info.cgroup_id == 0 || self.cgroups.contains(&info.cgroup_id) {
                continue;
            }
            if !is_wanted(&self.wanted, &info) {
                continue;
            }
            match engine.add_cgroups(&[info.cgroup_id]) {
                Ok(()) => self.cgroups.push(info.cgroup_id),
                Err(e) => eprintln!(
                    "syspect: container {} started, but its events cannot be captured: {e}",
                    info.name
                ),
            }
        }
    }
}

/// Whether `info` is a container `--container` names: by name, or by id or id prefix.
fn is_wanted(wanted: &[String], info: &ContainerInfo) -> bool {
    wanted
        .iter()
        .any(|w| *w == info.name || (!w.is_empty() && info.id.starts_with(w.as_str())))
}

/// The filter text of a `--container` capture: the containers by short id (those resolved at
/// the start) or name, and the user's filter.
fn selection_filter(ids: &[String], names: &[String], user: &str) -> String {
    let list = |v: &[String]| {
        v.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut sel = format!("container.name in ({})", list(names));
    if !ids.is_empty() {
        sel = format!("container.id in ({}) or {sel}", list(ids));
    }
    if user.trim().is_empty() {
        sel
    } else {
        format!("({sel}) and ({user})")
    }
}

/// Whether `s` can be a Docker container name or id (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`).
pub fn valid_container_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names() {
        for ok in ["web", "web-1", "my_app.v2", "3f4e1b2c5d6a", "A"] {
            assert!(valid_container_name(ok), "{ok}");
        }
        for bad in ["", "-web", "/web", "a b", "a\"b", "a/b", "é"] {
            assert!(!valid_container_name(bad), "{bad}");
        }
    }

    #[test]
    fn selection_filters_compile() {
        let ids = vec!["3f4e1b2c5d6a".to_owned()];
        let names = vec!["web".to_owned(), "db".to_owned()];
        let t = selection_filter(&ids, &names, "");
        assert_eq!(
            t,
            r#"container.id in ("3f4e1b2c5d6a") or container.name in ("web", "db")"#
        );
        select::compile(&t).expect("compiles");
        let t = selection_filter(&[], &names, "evt.type=open or evt.type=openat");
        assert_eq!(
            t,
            r#"(container.name in ("web", "db")) and (evt.type=open or evt.type=openat)"#
        );
        select::compile(&t).expect("compiles");
    }
}
