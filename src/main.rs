//! The `syspect` binary: command-line parsing and dispatch; the work is in the library crates.

mod chisels;
mod cli;
mod strace_args;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::FromArgMatches;

use cli::{Cli, Command, ListWhat};
use strace_args::{dumps_data, strace_options, strace_selection};
use syspect_capture::engine::launch::{EnvChange, RunAs};
use syspect_capture::trace::Rotation;
use syspect_filter::Filter;
use syspect_inspect::analyzers::{AnalyzerOptions, Group};
use syspect_inspect::fields::format::Template;
use syspect_inspect::live::{self, LiveOptions};
use syspect_inspect::output::buffer::BufStyle;
use syspect_inspect::output::strace::StraceOptions;
use syspect_inspect::output::time::TimeStyle;
use syspect_inspect::output::Show;
use syspect_inspect::pipeline::{Format, TimePoint, Window};
use syspect_inspect::progress::Progress;
use syspect_inspect::read;
use syspect_inspect::render::{self, Picture};
use syspect_inspect::select;
use syspect_inspect::tui;

/// Exit status for a usage error (bad flag, bad filter), as clap uses.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let argv = strace_args::rewrite_const_style(std::env::args_os().collect());
    let matches = cli::command()
        .try_get_matches_from(argv)
        .unwrap_or_else(|e| {
            // strace's -r is a letter syspect gives --read
            let args: Vec<String> = std::env::args().collect();
            if e.kind() == clap::error::ErrorKind::InvalidValue
                && args.get(1).is_some_and(|a| a == "strace")
                && args.iter().any(|a| a == "-r")
            {
                let _ = e.print();
                eprintln!(
                    "\nnote: -r reads trace files here; strace's -r (relative timestamps) is \
                 --relative-timestamps"
                );
                std::process::exit(2);
            }
            e.exit()
        });
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let usage = e.downcast_ref::<UsageError>().is_some();
            eprintln!("syspect: {}", message_of(&e));
            if usage {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// A mistake in how syspect was called: exit status 2.
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The error and its causes on one line, as `{:#}` prints them, but without a cause that a
/// message before it already says: the library errors put their source in their own message
/// and also give it as their `source()`, which `{:#}` would print a second time.
fn message_of(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn format_of(p: &cli::PrintArgs) -> Result<Format> {
    if let Some(f) = &p.format {
        let template = Template::parse(f).map_err(|e| UsageError(e.to_string()))?;
        return Ok(Format::Template {
            template,
            json: p.json,
            show: show_of(p),
        });
    }
    Ok(if p.json {
        Format::Json {
            bufs: show_of(p).bufs,
        }
    } else if p.strace {
        Format::Strace(StraceOptions {
            timestamps: 0,
            durations: p.durations,
            fd_paths: p.fd_paths > 0,
            pid_comms: p.pid_comms,
            ..StraceOptions::default()
        })
    } else {
        Format::Line {
            containers: p.containers,
            show: show_of(p),
        }
    })
}

/// How data buffers are shown (`-A`, `-x`, `-X`, `-b`: at most one, clap sees to it; else
/// sysdig's dots) and what the time column shows (`-t`).
/// The printer of `read` and of a printing `capture`: the format's, counted for `-S`.
fn printer_of(format: Format, p: &cli::PrintArgs) -> Box<dyn syspect_inspect::output::Printer> {
    let printer = format.printer(&AnalyzerOptions::default(), false);
    match p.summary {
        true => Box::new(syspect_inspect::output::counts::Counted::new(printer)),
        false => printer,
    }
}

fn show_of(p: &cli::PrintArgs) -> Show {
    let bufs = if p.ascii {
        BufStyle::Ascii
    } else if p.hex {
        BufStyle::Hex
    } else if p.hex_ascii {
        BufStyle::HexAscii
    } else if p.base64 {
        BufStyle::Base64
    } else {
        BufStyle::Dots
    };
    let times = match p.timetype {
        cli::TimeType::H => TimeStyle::Human,
        cli::TimeType::A => TimeStyle::Absolute,
        cli::TimeType::R => TimeStyle::Relative,
        cli::TimeType::D => TimeStyle::Latency,
        cli::TimeType::BigD => TimeStyle::Delta,
    };
    Show { bufs, times }
}

/// `--from` / `--to`, or a usage error naming the bad value.
fn window_of(w: &cli::WindowArgs) -> Result<Window> {
    let point = |flag: &str, v: &Option<String>| -> Result<Option<TimePoint>> {
        match v {
            None => Ok(None),
            Some(t) => TimePoint::parse(t).map(Some).ok_or_else(|| {
                UsageError(format!(
                    "{flag} {t:?}: give seconds after the first event (2.5) or ns since the epoch"
                ))
                .into()
            }),
        }
    };
    Ok(Window {
        from: point("--from", &w.from)?,
        to: point("--to", &w.to)?,
    })
}

/// Compile a filter; a bad one is a usage error whose message shows where.
fn filter_of(text: Option<&str>) -> Result<Option<Filter>> {
    match text {
        None => Ok(None),
        Some(t) => select::compile(t)
            .map(Some)
            .map_err(|e| UsageError(e).into()),
    }
}

/// The live options as a command line, for an analyzer that a chisel stands for.
fn live_argv(l: &cli::LiveArgs) -> Vec<std::ffi::OsString> {
    let mut v: Vec<std::ffi::OsString> = Vec::new();
    let mut push = |flag: &str, value: String| {
        v.push(flag.into());
        v.push(value.into());
    };
    let engine = match l.engine {
        cli::EngineChoice::Auto => "auto",
        cli::EngineChoice::Ebpf => "ebpf",
        cli::EngineChoice::Ptrace => "ptrace",
    };
    push("--engine", engine.into());
    if let Some(s) = l.snaplen {
        push("-s", s.to_string());
    }
    for p in &l.pids {
        push("--pid", p.to_string());
    }
    for c in &l.only_containers {
        push("--container", c.clone());
    }
    if let Some(n) = l.count {
        push("-n", n.to_string());
    }
    if let Some(m) = l.seconds {
        push("-M", m.to_string());
    }
    if let Some(u) = &l.user {
        push("-u", u.clone());
    }
    if !l.syscalls.is_empty() {
        push("--syscalls", l.syscalls.join(","));
    }
    for e in &l.env {
        v.push("-E".into());
        v.push(e.clone());
    }
    v
}

fn live_options(
    l: &cli::LiveArgs,
    command: Vec<std::ffi::OsString>,
    filter: Option<&str>,
) -> Result<LiveOptions> {
    let compiled = filter_of(filter)?;
    let mut syscalls = Vec::new();
    for name in &l.syscalls {
        match syspect_capture::syscalls::number(name) {
            Some(nr) => syscalls.push(nr),
            None => return Err(UsageError(format!("unknown syscall `{name}`")).into()),
        }
    }
    if let Some(bad) = l
        .only_containers
        .iter()
        .find(|n| !live::valid_container_name(n))
    {
        return Err(UsageError(format!("--container {bad:?}: not a container name or id")).into());
    }
    if command.is_empty() && (l.user.is_some() || !l.env.is_empty()) {
        return Err(UsageError(
            "-u and -E apply to a command syspect starts (`-- COMMAND`)".into(),
        )
        .into());
    }
    let run_as = match &l.user {
        // SAFETY: geteuid has no memory effects.
        Some(_) if unsafe { libc::geteuid() } != 0 => {
            return Err(UsageError(
                "-u USER needs root (run syspect with sudo to trace a command as another user)"
                    .into(),
            )
            .into())
        }
        Some(u) => Some(RunAs::lookup(u).map_err(|e| UsageError(format!("-u {u}: {e}")))?),
        None => None,
    };
    if command.is_empty() && l.pids.is_empty() && l.engine == cli::EngineChoice::Ptrace {
        return Err(UsageError(
            "the ptrace engine traces a command (`-- COMMAND`) or running processes (`--pid PID`)"
                .into(),
        )
        .into());
    }
    Ok(LiveOptions {
        engine: match l.engine {
            cli::EngineChoice::Auto => live::EngineKind::Auto,
            cli::EngineChoice::Ebpf => live::EngineKind::Ebpf,
            cli::EngineChoice::Ptrace => live::EngineKind::Ptrace,
        },
        snaplen: l.snaplen.unwrap_or(SNAPLEN),
        pids: l.pids.clone(),
        command,
        count: l.count,
        seconds: l.seconds,
        syscalls: (!syscalls.is_empty()).then_some(syscalls),
        command_line: std::env::args().collect(),
        filter: compiled,
        filter_text: filter.unwrap_or_default().to_owned(),
        rotation: Rotation::default(),
        containers: l.only_containers.clone(),
        quiet_command: false,
        inject: Vec::new(),
        run_as,
        env: l.env.iter().map(|e| EnvChange::parse(e)).collect(),
        stack_traces: false,
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    let mut cli = cli;
    if let Command::Strace(s) = &mut cli.command {
        strace_args::fold_long_forms(s);
    }
    match cli.command {
        Command::Capture(c) if c.chisel.is_some() => {
            let spec = c.chisel.as_deref().unwrap_or_default();
            let argv = chisels::live_command_line(spec, live_argv(&c.live), c.filter, c.command)?;
            let matches = cli::command()
                .try_get_matches_from(argv)
                .map_err(|e| UsageError(format!("-c {spec}: {}", e.render())))?;
            run(Cli::from_arg_matches(&matches)?)
        }
        Command::Capture(c) => {
            let mut opts = live_options(&c.live, c.command, c.filter.as_deref())?;
            opts.rotation = Rotation::from_flags(c.file_size, c.seconds_per_file, c.limit_files);
            let format = format_of(&c.print)?;
            let code = match &c.write {
                Some(path) => live::capture_to_file(&opts, path)?,
                None => {
                    let stdout = io::stdout();
                    let mut out = io::BufWriter::new(stdout.lock());
                    live::capture_and_print(&opts, printer_of(format, &c.print), &mut out)?
                }
            };
            Ok(exit_code(code))
        }
        // strace -c: the summary, on stderr as strace prints it when it runs the command
        Command::Strace(s) if s.count => {
            let live = s.read.is_empty();
            analyze_to("summary", s, live)
        }
        Command::Strace(s) if !s.read.is_empty() => {
            // -s reading a trace: strace's -s, how much of each string to show (32 unless said,
            // as live)
            syspect_capture::syscalls::render::set_string_limit(
                s.live
                    .snaplen
                    .unwrap_or(syspect_capture::syscalls::render::MAX_STRLEN),
            );
            analyze("strace", s)
        }
        Command::Strace(mut s) => {
            // what strace shows by default is what strace -s keeps; the data dumps of
            // `-e read=`/`write=` want all the engines keep of a buffer
            let strsize = syspect_capture::syscalls::render::MAX_STRLEN;
            if dumps_data(&s) && s.live.snaplen.is_none() {
                s.live.snaplen = Some(4096);
                syspect_capture::syscalls::render::set_string_limit(strsize);
            }
            s.live.snaplen.get_or_insert(strsize);
            strace_selection(&mut s)?;
            syspect_capture::syscalls::render::set_hex_strings(s.hex_strings);
            syspect_capture::syscalls::render::set_verbose(s.verbose);
            syspect_capture::syscalls::flags::set_const_style(strace_args::const_style(&s));
            let strace = strace_options(&s);
            // -ff -o FILE: the view writes FILE.TID itself, and FILE is not made
            let output = s.output.as_deref().filter(|_| strace.split.is_none());
            let mut out = output_to(output, || Box::new(io::stderr().lock()))?;
            let count_too = s.count_too.then(|| summary_options(&s));
            let inject = strace_args::injections(&s)?;
            let mut opts = live_options(&s.live, s.command, s.filter.as_deref())?;
            opts.inject = inject;
            opts.stack_traces = s.stack_traces;
            let printer = Format::Strace(strace).printer(&AnalyzerOptions::default(), false);
            let printer = strace_threads(with_summary(printer, count_too), s.follow, &s.live.pids);
            let code = live::capture_and_print(&opts, printer, &mut out)?;
            out.flush()?;
            Ok(exit_code(code))
        }
        Command::Read(r) if r.chisel.is_some() => {
            let spec = r.chisel.as_deref().unwrap_or_default();
            let argv = chisels::command_line(
                spec,
                r.files,
                r.window.from.as_deref(),
                r.window.to.as_deref(),
            )?;
            let matches = cli::command()
                .try_get_matches_from(argv)
                .map_err(|e| UsageError(format!("-c {spec}: {}", e.render())))?;
            run(Cli::from_arg_matches(&matches)?)
        }
        Command::Read(r) => {
            if let Some(n) = r.strsize {
                syspect_capture::syscalls::render::set_string_limit(n);
            }
            let mut files = r.files;
            let filter_text = split_filter(&mut files);
            let filter = filter_of(filter_text.as_deref())?;
            let format = format_of(&r.print)?;
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            let report = read::read_files_with_progress(
                &files,
                printer_of(format, &r.print),
                r.count,
                filter,
                window_of(&r.window)?,
                &mut out,
                progress("reading", true),
            )?;
            out.flush()?;
            if let Some(warning) = report.warning {
                eprintln!("syspect: warning: {warning}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Summary(a) => analyze("summary", a),
        Command::Lsof(a) => analyze("lsof", a),
        Command::Netstat(a) => analyze("netstat", a),
        Command::Ps(a) => analyze("ps", a),
        Command::Top(a) => analyze("top", a),
        Command::Topfiles(a) => analyze("topfiles", a),
        Command::Topconns(a) => analyze("topconns", a),
        Command::Iftop(a) => analyze("iftop", a),
        Command::Topscalls(a) => analyze("topscalls", a),
        Command::Httplog(mut a) => {
            // as the chisel asks of sysdig: enough of each buffer for the headers
            a.live
                .snaplen
                .get_or_insert(syspect_inspect::analyzers::httplog::SNAPLEN);
            analyze("httplog", a)
        }
        Command::Slower(b) => {
            let mut a = b.analyzer;
            a.threshold_ns = b.ms;
            analyze("slower", a)
        }
        Command::Httptop(mut a) => {
            a.live
                .snaplen
                .get_or_insert(syspect_inspect::analyzers::httplog::SNAPLEN);
            analyze("httptop", a)
        }
        Command::Bottlenecks(a) => analyze("bottlenecks", a),
        Command::Proctime(a) => analyze("proctime", a),
        Command::Iobytes(a) => analyze("iobytes", a),
        Command::Containers(a) => analyze("containers", a),
        Command::Syslog(a) => analyze("syslog", a),
        Command::Spectrogram(a) => analyze("spectrogram", a),
        Command::Subsecoffset(a) => analyze("subsecoffset", a),
        Command::Logs(mut a) => {
            // as the chisel asks of sysdig: enough of each buffer for whole lines
            a.live
                .snaplen
                .get_or_insert(syspect_inspect::analyzers::logs::SNAPLEN);
            analyze("logs", a)
        }
        Command::Stdout(a) => stdio("stdout", a),
        Command::Stderr(a) => stdio("stderr", a),
        Command::Stdin(a) => stdio("stdin", a),
        Command::By(b) => {
            let mut a = b.analyzer;
            // a mistake in the field is a usage error, before any capture starts
            Template::parse(&format!("%{}", b.field)).map_err(|e| UsageError(e.to_string()))?;
            a.field = Some(b.field);
            analyze("by", a)
        }
        Command::SpyUsers(a) => analyze("spy-users", a),
        Command::EchoFds(a) => analyze("echo-fds", a),
        Command::Convert { inputs, write } => {
            let report = syspect_inspect::convert::convert(
                &inputs,
                &write,
                std::env::args().collect(),
                progress("converting", false),
            )?;
            if let Some(w) = report.warning {
                eprintln!("syspect: warning: {w}");
            }
            eprintln!(
                "syspect: wrote {} records to {}",
                report.records,
                write.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::List { what } => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            match what {
                ListWhat::Events => syspect_inspect::list::events(&mut out)?,
                ListWhat::Analyzers => syspect_inspect::list::analyzers(&mut out)?,
                ListWhat::Fields => syspect_inspect::list::fields(&mut out)?,
                ListWhat::Chisels => chisels::list(&mut out)?,
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Chart { kind, picture: p } => match kind {
            cli::ChartKind::Latency => picture(Picture::Latency, p),
        },
        Command::Flame(p) => picture(Picture::Flame, p),
        Command::Completions { shell } => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            clap_complete::generate(shell, &mut cli::command(), "syspect", &mut out);
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { command } => {
            let mut cmd = cli::command();
            // Built, the subcommands know their full names (syspect-read).
            cmd.build();
            let page = match command {
                None => cmd,
                Some(name) => cmd
                    .find_subcommand(&name)
                    .filter(|c| !c.is_hide_set())
                    .cloned()
                    .ok_or_else(|| {
                        UsageError(format!("no command `{name}` (see syspect --help)"))
                    })?,
            };
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            clap_mangen::Man::new(page).render(&mut out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The last operand of `read`, `chart` and `flame` is a filter when it is not a file.
fn split_filter(files: &mut Vec<PathBuf>) -> Option<String> {
    if files.len() > 1 && files.last().is_some_and(|f| !f.exists()) {
        return files.pop().map(|f| f.to_string_lossy().into_owned());
    }
    None
}

/// A progress bar for a read, drawn only when a person watches stderr, and not when the
/// command's output streams to the terminal while it reads (`read` to a terminal: printed
/// lines and a bar redrawn under them would fight). Output written at the end (an analyzer's
/// table, a chart) is fine: the bar is wiped first.
fn progress(label: &'static str, output_streams: bool) -> Progress {
    let wanted = io::stderr().is_terminal() && !(output_streams && io::stdout().is_terminal());
    Progress::new(label, wanted)
}

/// `chart` and `flame`: trace files through the pipeline into an SVG, written to `-o FILE`
/// or to stdout (not to a terminal) once the read has succeeded, so that a failed read
/// leaves no half-written file.
fn picture(what: Picture, args: cli::PictureArgs) -> Result<ExitCode> {
    let mut files = args.files;
    let filter_text = split_filter(&mut files);
    let filter = filter_of(filter_text.as_deref())?;
    let window = window_of(&args.window)?;
    if args.output.is_none() && io::stdout().is_terminal() {
        return Err(UsageError(
            "the SVG would go to the terminal: give -o FILE.svg or redirect stdout".into(),
        )
        .into());
    }
    let subtitle = render::describe(&files, filter_text.as_deref());
    let mut svg = Vec::new();
    let report = read::read_files_with_progress(
        &files,
        render::printer(what, subtitle),
        None,
        filter,
        window,
        &mut svg,
        progress("reading", false),
    )?;
    match &args.output {
        Some(path) => std::fs::write(path, &svg)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&svg)?;
            out.flush()?;
        }
    }
    if let Some(w) = report.warning {
        eprintln!("syspect: warning: {w}");
    }
    if report.shown == 0 {
        eprintln!("syspect: warning: no event was selected: the picture is empty");
    }
    Ok(ExitCode::SUCCESS)
}

/// The snap length of a capture without `-s`: sysdig's.
const SNAPLEN: usize = 80;

/// Where a command's output goes: `-o FILE` (created, or emptied), else `default`.
fn output_to(
    path: Option<&std::path::Path>,
    default: impl FnOnce() -> Box<dyn Write>,
) -> Result<io::BufWriter<Box<dyn Write>>> {
    let w: Box<dyn Write> = match path {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => default(),
    };
    Ok(io::BufWriter::new(w))
}

/// strace without `-f` shows the thread it traces only: the command's first thread, or the
/// threads `-p` names (the capture still follows the rest).
fn strace_threads(
    printer: Box<dyn syspect_inspect::output::Printer>,
    follow: u8,
    pids: &[u32],
) -> Box<dyn syspect_inspect::output::Printer> {
    match follow {
        0 => Box::new(syspect_inspect::output::only::OnlyThreads::new(
            printer,
            pids.iter().copied(),
        )),
        _ => printer,
    }
}

/// strace's `-C`: the printer, then strace -c's table (ordered as `-S` says) at the end.
fn with_summary(
    printer: Box<dyn syspect_inspect::output::Printer>,
    summary: Option<AnalyzerOptions>,
) -> Box<dyn syspect_inspect::output::Printer> {
    match summary {
        Some(opts) => {
            let table = Format::Analyzer {
                name: "summary",
                json: false,
            }
            .printer(&opts, false);
            Box::new(syspect_inspect::output::pair::Pair(printer, table))
        }
        None => printer,
    }
}

/// What the summary table of `-C` is given: `-S`'s order.
fn summary_options(a: &cli::AnalyzerArgs) -> AnalyzerOptions {
    AnalyzerOptions {
        sort: a.sort_by.clone(),
        ..AnalyzerOptions::default()
    }
}

/// `stdout`, `stderr`, `stdin`: live, 2000 bytes of each buffer, as sysdig's chisels ask.
fn stdio(name: &'static str, mut a: cli::AnalyzerArgs) -> Result<ExitCode> {
    a.live
        .snaplen
        .get_or_insert(syspect_inspect::analyzers::stdio::SNAPLEN);
    analyze(name, a)
}

/// Run analyzer `name` over trace files (`-r`) or a live capture.
fn analyze(name: &'static str, a: cli::AnalyzerArgs) -> Result<ExitCode> {
    analyze_to(name, a, false)
}

/// [`analyze`], its output on stderr rather than stdout when `stderr` (and no `-o FILE`).
fn analyze_to(name: &'static str, mut a: cli::AnalyzerArgs, stderr: bool) -> Result<ExitCode> {
    strace_selection(&mut a)?;
    let inject = strace_args::injections(&a)?;
    syspect_capture::syscalls::render::set_hex_strings(a.hex_strings);
    syspect_capture::syscalls::render::set_verbose(a.verbose);
    syspect_capture::syscalls::flags::set_const_style(strace_args::const_style(&a));
    let opts = AnalyzerOptions {
        group: match a.by {
            cli::GroupBy::Process => Group::Process,
            cli::GroupBy::Container => Group::Container,
        },
        sort: a
            .sort_by
            .clone()
            .or_else(|| a.sort.map(|s| format!("{s:?}").to_lowercase())),
        field: a.field.clone(),
        hex: a.hex,
        limit: a.top.unwrap_or(if name == "bottlenecks" { 10 } else { 20 }),
        json: a.json,
        threshold_ns: a.threshold_ns,
        interval_ms: a.interval_ms,
        rows: filter_of(a.filter.as_deref())?,
        strace: strace_options(&a),
    };
    let format = Format::Analyzer { name, json: a.json };
    // strace's -ff -o FILE: the view writes FILE.TID itself, and FILE is not made
    let output = a
        .output
        .as_deref()
        .filter(|_| opts.strace.split.is_none() || name != "strace");
    let mut out = output_to(output, || match stderr {
        true => Box::new(io::stderr().lock()),
        false => Box::new(io::stdout().lock()),
    })?;
    if !a.read.is_empty() {
        if !a.command.is_empty() {
            return Err(UsageError("give either -r FILE or -- COMMAND, not both".into()).into());
        }
        let filter = filter_of(a.filter.as_deref())?;
        let count_too = (name == "strace" && a.count_too).then(|| summary_options(&a));
        let report = read::read_files_with_progress(
            &a.read,
            with_summary(format.printer(&opts, false), count_too),
            None,
            filter,
            window_of(&a.window)?,
            &mut out,
            progress(
                "reading",
                syspect_inspect::analyzers::prints_as_it_goes(name),
            ),
        )?;
        out.flush()?;
        if let Some(w) = report.warning {
            eprintln!("syspect: warning: {w}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut live = live_options(&a.live, a.command, a.filter.as_deref())?;
    live.inject = inject;
    // On a terminal, top, iftop, topconns and topfiles are full-screen views; elsewhere (a
    // pipe, a file, -j) they print their plain tables.
    let printer: Box<dyn syspect_inspect::output::Printer> = if tui::has_view(name)
        && !a.json
        && a.output.is_none()
        && !stderr
        && io::stdout().is_terminal()
    {
        live.quiet_command = true;
        let filtered = a.filter.is_some() || !a.live.only_containers.is_empty();
        Box::new(tui::TermView::new(name, &opts, filtered))
    } else if stderr {
        // strace -c run live: strace's counts of the traced thread (all with -f)
        strace_threads(format.printer(&opts, true), a.follow, &a.live.pids)
    } else {
        format.printer(&opts, true)
    };
    let code = live::capture_and_print(&live, printer, &mut out)?;
    out.flush()?;
    Ok(exit_code(code))
}

fn exit_code(code: i32) -> ExitCode {
    ExitCode::from(code.clamp(0, 255) as u8)
}
