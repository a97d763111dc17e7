//! Command-line definitions (clap derive). Dispatch is in `main.rs`; the work is in the
//! library crates.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  syspect capture -w t.spt -- ls -la /etc      trace a command (and its children) into t.spt
  syspect read t.spt                           print the events, sysdig style
  syspect read --strace t.spt                  print the calls as strace does
  syspect read -j t.spt                        one JSON object per event
  syspect read t.spt 'proc.name=cat and fd.name startswith /etc'    only what a filter selects
  syspect read t.spt -p '%evt.num %proc.name %fd.name'              chosen fields
  syspect summary -r t.spt                     calls, errors and time per syscall (strace -c)
  syspect lsof -r capture.scap                 sysdig captures read as well
  sudo syspect capture -w host.spt -M 30       every syscall on the host for 30 s (eBPF)
  syspect strace -- ./myprog args              strace without root
  syspect chart latency t.spt -o lat.svg       syscall latency over time, as an SVG heatmap
  syspect flame t.spt -o flame.svg             syscall time by container, process, syscall";

/// The analyzers' options that only some of them use, and those: the others accept them
/// (they share one set of options) and leave them out of their help, where strace's view
/// options would drown what `lsof` does with its own.
const ONLY_FOR: &[(&str, &[&str])] = &[
    ("by", &["top"]),
    ("sort", &["top", "by"]),
    (
        "top",
        &["top", "topfiles", "topconns", "iftop", "topscalls", "by"],
    ),
    ("ascii", &["echo-fds"]),
    ("hex", &["echo-fds"]),
    ("sort_by", &["strace", "summary"]),
    ("summary_only", &["strace"]),
    ("count_too", &["strace"]),
    ("seccomp_bpf", &["strace"]),
    ("hex_strings", &["strace"]),
    ("paths", &["strace"]),
    ("quiet", &["strace"]),
    ("follow", &["strace"]),
    ("output_separately", &["strace"]),
    ("timestamps", &["strace"]),
    ("durations", &["strace"]),
    ("fd_paths", &["strace"]),
    ("pid_comms", &["strace"]),
    ("column", &["strace"]),
    ("syscall_number", &["strace"]),
    ("decode_pids_long", &["strace"]),
    ("stack_traces", &["strace"]),
    ("relative", &["strace"]),
    ("wall_clock", &["strace", "summary"]),
    ("verbose", &["strace"]),
];

/// The command line, each analyzer's help showing the options it uses (see [`ONLY_FOR`]).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    for sub in analyzers(&cmd) {
        for (arg, only) in ONLY_FOR {
            if !only.contains(&sub.as_str()) {
                cmd = cmd.mut_subcommand(&sub, |c| c.mut_arg(*arg, |a| a.hide(true)));
            }
        }
    }
    cmd
}

/// The subcommands that take [`AnalyzerArgs`] (strace's `-e`, which every analyzer has).
fn analyzers(cmd: &clap::Command) -> Vec<String> {
    cmd.get_subcommands()
        .filter(|s| s.get_arguments().any(|a| a.get_id() == "qualifiers"))
        .map(|s| s.get_name().to_string())
        .collect()
}

/// Container-aware system call capture and inspection.
#[derive(Parser, Debug)]
#[command(name = "syspect", version, about, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Record syscalls of the host (eBPF) or of one command (ptrace) into a trace file, or
    /// print them as they happen.
    #[command(after_help = "\
Examples:
  syspect capture -w t.spt -- make -j2           trace a command and its children
  syspect capture --engine ptrace -- ls          print its events as they happen
  syspect capture -w t.spt --pid 1234            attach to a running process (Ctrl-C detaches)
  sudo syspect capture -w host.spt -M 30         the whole host for 30 seconds")]
    Capture(CaptureArgs),
    /// Print the events of trace files, sysdig style, as JSON, or as strace does.
    #[command(after_help = "\
Examples:
  syspect read t.spt
  syspect read --strace t.spt
  syspect read -j t.spt
  syspect read -n 20 t.spt")]
    Read(ReadArgs),
    /// Calls decoded as strace prints them: of a command traced now (`-- COMMAND`, printed on
    /// stderr as strace does) or of a trace (`-r FILE`).
    Strace(AnalyzerArgs),
    /// Calls, errors and time per syscall, as `strace -c`.
    Summary(AnalyzerArgs),
    /// Open fds per process at the end of the trace.
    Lsof(AnalyzerArgs),
    /// Sockets open at the end of the trace, with their processes.
    Netstat(AnalyzerArgs),
    /// Processes alive at the end of the trace.
    Ps(AnalyzerArgs),
    /// Processes (or containers, `--by container`) by CPU, syscall time and I/O bytes.
    Top(AnalyzerArgs),
    /// Files by bytes read and written.
    Topfiles(AnalyzerArgs),
    /// Connections by bytes sent and received.
    Topconns(AnalyzerArgs),
    /// Connections by bytes, per second.
    Iftop(AnalyzerArgs),
    /// Syscalls by number of calls.
    Topscalls(AnalyzerArgs),
    /// Calls grouped by the value of any field (sysdig's fdbytes_by, fdcount_by, fdtime_by):
    /// their bytes, count, errors and time.
    #[command(after_help = "\
Examples:
  syspect by proc.name -r t.spt 'fd.type in (ipv4, ipv6)'      network bytes per process
  syspect by fd.name -r t.spt 'fd.type=file' --sort time       files by time spent on them
  syspect by fd.sport -r t.spt                                 server ports by bytes
  syspect by evt.type -r t.spt --sort errors                   syscalls by errors")]
    By(ByArgs),
    /// Commands run from interactive shells, with their user and terminal.
    #[command(name = "spy-users")]
    SpyUsers(AnalyzerArgs),
    /// The data read and written on fds.
    #[command(name = "echo-fds")]
    EchoFds(AnalyzerArgs),
    /// A line per HTTP request with its response code, latency and size (sysdig's httplog).
    Httplog(AnalyzerArgs),
    /// HTTP requests by method and URL: how many, the time their responses took, the bytes
    /// announced (sysdig's httptop): `--sort calls` (the default), `time` or `io`.
    Httptop(AnalyzerArgs),
    /// Calls slower than MS milliseconds, a line each as they end, with their process,
    /// container and fd (sysdig's scallslower; fileslower and netlower with `-c`).
    #[command(after_help = "\
Examples:
  syspect slower 10 -r t.spt                                   calls slower than 10 ms
  syspect slower 1 -r t.spt 'fd.type=file and evt.is_io=true'  file I/O slower than 1 ms
  syspect slower 0.5 -- ./myprog                               a command's calls over 500 µs")]
    Slower(SlowerArgs),
    /// The slowest calls, slowest first, each as its enter and exit lines (sysdig's
    /// bottlenecks): `--top N` of them, 10 by default.
    Bottlenecks(AnalyzerArgs),
    /// Processes as they end, with how long they ran, their command and arguments (sysdig's
    /// proc_exec_time).
    Proctime(AnalyzerArgs),
    /// Bytes read and written, a line per second (sysdig's iobytes; iobytes_file and
    /// iobytes_net with `-c`, or a filter such as `fd.type=file`).
    Iobytes(AnalyzerArgs),
    /// The containers of the trace: runtime, image, name, id, processes alive at its end
    /// (sysdig's lscontainers).
    Containers(AnalyzerArgs),
    /// Lines processes wrote to log files (.log, _log, /var/log; not .gz), a line each:
    /// process, file, line (sysdig's spy_logs).
    Logs(AnalyzerArgs),
    /// Calls by how long they took (1 ns to 100 s, log scale), a row per interval, coloured
    /// by how many (sysdig's spectrogram).
    Spectrogram(AnalyzerArgs),
    /// Calls by when in each interval (a second) they started, a row per interval, coloured by
    /// how many: patterns that repeat within a second (sysdig's subsecoffset).
    Subsecoffset(AnalyzerArgs),
    /// Messages processes wrote to syslog (/dev/log), a line each: facility.severity,
    /// process[tid], text (sysdig's spy_syslog).
    Syslog(AnalyzerArgs),
    /// The data processes wrote to their stdout, each call's on a line (sysdig's stdout).
    Stdout(AnalyzerArgs),
    /// The data processes wrote to their stderr, each call's on a line (sysdig's stderr).
    Stderr(AnalyzerArgs),
    /// The data processes read from their stdin, each call's on a line (sysdig's stdin).
    Stdin(AnalyzerArgs),
    /// Rewrite a capture (a sysdig `.scap`, or syspect traces) as one syspect trace.
    #[command(after_help = "Example:\n  syspect convert incident.scap -w incident.spt")]
    Convert {
        /// The capture to convert.
        #[arg(value_name = "FILE", required = true, num_args = 1..)]
        inputs: Vec<PathBuf>,
        /// The trace file to write (mode 0600).
        #[arg(short = 'w', long = "write", value_name = "FILE", required = true)]
        write: PathBuf,
    },
    /// Draw a chart of trace files as SVG: `latency` is a heatmap of syscall latency over time.
    #[command(after_help = "\
Examples:
  syspect chart latency t.spt -o latency.svg
  syspect chart latency t.spt 'proc.name=nginx and evt.type in (read, write)' -o rw.svg
  syspect chart latency incident.scap --from 10 --to 20 > latency.svg")]
    Chart {
        /// What to draw.
        #[arg(value_enum, value_name = "KIND")]
        kind: ChartKind,
        #[command(flatten)]
        picture: PictureArgs,
    },
    /// A flame graph (SVG) of syscall time by container (`host` outside any), process and
    /// syscall.
    #[command(after_help = "\
Examples:
  syspect flame t.spt -o flame.svg
  syspect flame host.spt 'container.name=web' -o web.svg")]
    Flame(PictureArgs),
    /// List what syspect knows.
    List {
        #[arg(value_enum)]
        what: ListWhat,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "\
Examples:
  syspect completions bash > ~/.local/share/bash-completion/completions/syspect
  syspect completions zsh > ~/.zfunc/_syspect
  syspect completions fish > ~/.config/fish/completions/syspect.fish")]
    Completions {
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of syspect, or of one of its commands.
    #[command(after_help = "\
Examples:
  syspect man | man -l -
  syspect man read > syspect-read.1")]
    Man {
        /// A command whose own page to print (syspect-COMMAND(1)).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Calls by time (x) and latency (y, 1µs to 1s and more, log2 buckets); colour = calls.
    Latency,
}

/// Inputs and output of `chart` and `flame`.
#[derive(Args, Debug)]
pub struct PictureArgs {
    /// Trace files (.spt or .scap), then an optional filter.
    #[arg(value_name = "FILE", required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Write the SVG to this file; without it, to stdout unless stdout is a terminal.
    #[arg(short = 'o', long = "output", value_name = "FILE.svg")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListWhat {
    /// Every event type with its parameters.
    Events,
    /// Every analyzer with its purpose and options.
    Analyzers,
    /// Every field a filter or `-p` may use, with its type and meaning.
    Fields,
    /// sysdig's chisels that `read -c NAME` runs, and the syspect command each is.
    Chisels,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineChoice {
    /// eBPF when allowed, otherwise ptrace for a command.
    Auto,
    /// eBPF programs in the kernel (root or CAP_BPF + CAP_PERFMON).
    Ebpf,
    /// ptrace(2) of one command or of given pids; no privilege needed for one's own processes.
    Ptrace,
}

/// Options shared by everything that captures live.
#[derive(Args, Debug, Clone)]
pub struct LiveArgs {
    /// Capture engine.
    #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
    pub engine: EngineChoice,
    /// Bytes kept of each data buffer and string argument (paths are kept whole): 80 by
    /// default, as sysdig's; 32 for `syspect strace`, as strace's -s, which it then is.
    #[arg(
        short = 's',
        long = "snaplen",
        alias = "string-limit",
        value_name = "BYTES"
    )]
    pub snaplen: Option<usize>,
    /// Attach to a running process (repeatable); Ctrl-C detaches and leaves it running.
    #[arg(long = "pid", value_name = "PID")]
    pub pids: Vec<u32>,
    /// Only this container, by name or id (repeatable); resolved through Docker, filtered in
    /// the kernel by cgroup when it is running at the start.
    #[arg(long = "container", value_name = "NAME_OR_ID")]
    pub only_containers: Vec<String>,
    /// Stop after this many events.
    #[arg(short = 'n', long = "count", value_name = "COUNT", value_parser = at_least_one)]
    pub count: Option<u64>,
    /// Stop after this many seconds.
    #[arg(short = 'M', long = "duration", value_name = "SECONDS", value_parser = at_least_one)]
    pub seconds: Option<u64>,
    /// Run the command as USER (name or uid), with its groups, as strace's -u (syspect must be
    /// root: `sudo syspect capture -u $USER -- ./myapp`).
    #[arg(short = 'u', long = "user", value_name = "USER")]
    pub user: Option<String>,
    /// Run the command with VAR set to VALUE, or without VAR, as strace's -E (repeatable).
    #[arg(short = 'E', long = "env", value_name = "VAR[=VALUE]")]
    pub env: Vec<OsString>,
    /// Only syscalls with these names need to be stopped for (ptrace: seccomp-bpf); all
    /// events are still filtered by FILTER when one is given.
    #[arg(
        long = "syscalls",
        value_delimiter = ',',
        value_name = "NAME,...",
        hide = true
    )]
    pub syscalls: Vec<String>,
}

#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// Write the events to this trace file (mode 0600) instead of printing them.
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Start a new file when the current one reaches this many million bytes (FILE0, FILE1…).
    #[arg(
        short = 'C',
        long = "file-size",
        value_name = "MB",
        requires = "write",
        value_parser = at_least_one
    )]
    pub file_size: Option<u64>,
    /// Keep at most this many files with -C or -G, overwriting the oldest.
    #[arg(
        short = 'W',
        long = "limit-files",
        value_name = "N",
        requires = "write",
        value_parser = files_at_least_one
    )]
    pub limit_files: Option<u32>,
    /// Start a new file every this many seconds.
    #[arg(
        short = 'G',
        long = "seconds-per-file",
        value_name = "SECONDS",
        requires = "write",
        value_parser = at_least_one
    )]
    pub seconds_per_file: Option<u64>,
    /// Run sysdig's chisel NAME live (`topprocs_cpu`, `fdbytes_by proc.name`...): the syspect
    /// command that does its work (`syspect list chisels`).
    #[arg(
        short = 'c',
        long = "chisel",
        value_name = "NAME",
        conflicts_with = "write"
    )]
    pub chisel: Option<String>,
    #[command(flatten)]
    pub live: LiveArgs,
    #[command(flatten)]
    pub print: PrintArgs,
    /// A filter expression (sysdig's syntax).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
    /// The command to trace, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// sysdig's `-t` letters.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeType {
    #[default]
    #[value(name = "h")]
    H,
    #[value(name = "a")]
    A,
    #[value(name = "r")]
    R,
    #[value(name = "d")]
    D,
    #[value(name = "D")]
    BigD,
}

/// How events are printed.
#[derive(Args, Debug, Clone, Default)]
pub struct PrintArgs {
    /// After the events, how many of each type were shown (sysdig's -S).
    #[arg(short = 'S', long = "summary")]
    pub summary: bool,
    /// One JSON object per event.
    #[arg(short = 'j', long = "json", conflicts_with = "strace")]
    pub json: bool,
    /// Merge each call's enter and exit into one line, as strace prints them.
    #[arg(long = "strace")]
    pub strace: bool,
    /// Show the container of each event (sysdig's -pc).
    #[arg(long = "pc")]
    pub containers: bool,
    /// Show data buffers as their text only, with its line ends, on lines of their own
    /// (sysdig's -A).
    #[arg(short = 'A', long = "print-ascii", conflicts_with_all = ["strace", "hex", "hex_ascii", "base64"])]
    pub ascii: bool,
    /// Show data buffers as a hex dump (sysdig's -x).
    #[arg(short = 'x', long = "print-hex", conflicts_with_all = ["strace", "hex_ascii", "base64"])]
    pub hex: bool,
    /// What the time column shows (sysdig's -t): h the time of day, a seconds since the epoch,
    /// r seconds since the first event, d an exit's latency, D the time since the event shown
    /// before.
    #[arg(
        short = 't',
        long = "timetype",
        value_enum,
        default_value = "h",
        value_name = "h|a|r|d|D",
        hide_possible_values = true,
        conflicts_with_all = ["json", "strace"]
    )]
    pub timetype: TimeType,
    /// Show data buffers as a hex dump with their text beside it (sysdig's -X).
    #[arg(short = 'X', long = "print-hex-ascii", conflicts_with_all = ["strace", "base64"])]
    pub hex_ascii: bool,
    /// With --strace: the time spent in each call, `<0.000012>` after its result (strace's -T).
    #[arg(short = 'T', requires = "strace")]
    pub durations: bool,
    /// With --strace: each fd with what it names, `read(3</etc/hosts>, ...)` (strace's -y).
    #[arg(short = 'y', action = clap::ArgAction::Count, requires = "strace")]
    pub fd_paths: u8,
    /// With --strace: each pid with its command name, `kill(1234<sleep>, 0)` (strace's -Y).
    #[arg(short = 'Y', requires = "strace")]
    pub pid_comms: bool,
    /// Show data buffers in base64 (sysdig's -b).
    #[arg(short = 'b', long = "print-base64", conflicts_with = "strace")]
    pub base64: bool,
    /// Print these fields: `%evt.num %proc.name %fd.name`; an event lacking one is skipped
    /// unless FORMAT starts with `*` (then `<NA>`). With -j: one JSON object of these fields.
    #[arg(
        short = 'p',
        long = "print",
        value_name = "FORMAT",
        conflicts_with = "strace"
    )]
    pub format: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReadArgs {
    /// Trace files (several files of one capture are read as one, in time order), then an
    /// optional filter.
    #[arg(value_name = "FILE", required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub print: PrintArgs,
    /// Stop after this many events.
    #[arg(short = 'n', long = "count", value_name = "COUNT", value_parser = at_least_one)]
    pub count: Option<u64>,
    /// Show at most N bytes of each string and buffer, `...` after a longer one, as strace's
    /// `-s` (default: all that the capture kept, its snap length).
    #[arg(short = 's', long = "strsize", value_name = "N")]
    pub strsize: Option<usize>,
    /// Run sysdig's chisel NAME (`topfiles_bytes`, `fdbytes_by proc.name`, `spy_port 80`...):
    /// the syspect command that does its work (`syspect list chisels`).
    #[arg(short = 'c', long = "chisel", value_name = "NAME")]
    pub chisel: Option<String>,
    #[command(flatten)]
    pub window: WindowArgs,
}

/// Which part of a trace to look at.
#[derive(Args, Debug, Clone, Default)]
pub struct WindowArgs {
    /// Show events from this time: seconds after the first event (`2.5`), or ns since the
    /// epoch as `%evt.rawtime` prints it. Earlier events still build the state.
    #[arg(long = "from", value_name = "T")]
    pub from: Option<String>,
    /// Stop at this time (same forms as --from); analyzers such as lsof report the state then.
    #[arg(long = "to", visible_alias = "at", value_name = "T")]
    pub to: Option<String>,
}

/// Options of every analyzer.
#[derive(Args, Debug)]
pub struct AnalyzerArgs {
    /// Read these trace files (repeatable) instead of capturing live.
    #[arg(short = 'r', long = "read", value_name = "FILE")]
    pub read: Vec<PathBuf>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// A JSON report instead of a table.
    #[arg(short = 'j', long = "json")]
    pub json: bool,
    /// top: group by process or by container.
    #[arg(long = "by", value_enum, default_value_t = GroupBy::Process)]
    pub by: GroupBy,
    /// top: rank by CPU (the default), syscall time or I/O bytes; by: by I/O bytes (the
    /// default), calls, time or errors.
    #[arg(long = "sort", value_enum)]
    pub sort: Option<SortBy>,
    /// by: the field to group by (set from its FIELD argument).
    #[arg(skip)]
    pub field: Option<String>,
    /// slower: the threshold, ns (set from its MS argument).
    #[arg(skip)]
    pub threshold_ns: u64,
    /// spectrogram, subsecoffset: each row's interval, in milliseconds (500, 1000 by default).
    #[arg(long = "interval", value_name = "MS", value_parser = at_least_one)]
    pub interval_ms: Option<u64>,
    /// How many rows a table shows (20; bottlenecks: how many calls, 10).
    #[arg(long = "top", value_name = "N")]
    pub top: Option<usize>,
    /// Write the output to FILE (strace's -o; `syspect strace` otherwise writes to stderr as
    /// strace does, when it runs the command, and the other analyzers to stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// strace's qualifiers (repeatable): `trace=SET` (or SET alone) keeps those syscalls:
    /// names, classes (`%file`, `%network`, `%process`, `%desc`, `%%stat`...), `/REGEX`,
    /// `?NAME`, `!` before the set for all but those; `status=successful,failed,unfinished`;
    /// `signal=SET` (which signals are shown; `none`); `read=FDS`, `write=FDS` (the data of
    /// those fds dumped in hex); `decode-fds=path` (as -y); `inject=SET:error=ERRNO` (or
    /// `:retval=N`, `:signal=SIG`, `:when=FIRST[..LAST][+[STEP]]`) and `fault=SET` make calls
    /// fail without running (ptrace). Joined to FILTER with `and`; the last -e of a kind
    /// counts.
    #[arg(short = 'e', value_name = "[QUALIFIER=]SET")]
    pub qualifiers: Vec<String>,
    /// strace's long forms of -e: `--trace=SET`, `--signal=SET`, `--status=SET`,
    /// `--read=FDS`, `--write=FDS`, `--inject=…`, `--fault=…` (each the -e qualifier of that
    /// name).
    #[arg(long = "trace", value_name = "SET", value_parser = qualifier("trace"))]
    pub trace_long: Vec<String>,
    #[arg(long = "signal", value_name = "SET", value_parser = qualifier("signal"), hide = true)]
    pub signal_long: Vec<String>,
    #[arg(long = "status", value_name = "SET", value_parser = qualifier("status"), hide = true)]
    pub status_long: Vec<String>,
    #[arg(long = "read", value_name = "FDS", value_parser = qualifier("read"), hide = true)]
    pub read_long: Vec<String>,
    #[arg(long = "write", value_name = "FDS", value_parser = qualifier("write"), hide = true)]
    pub write_long: Vec<String>,
    #[arg(long = "inject", value_name = "SET:…", value_parser = qualifier("inject"), hide = true)]
    pub inject_long: Vec<String>,
    #[arg(long = "fault", value_name = "SET:…", value_parser = qualifier("fault"), hide = true)]
    pub fault_long: Vec<String>,
    /// strace: `--decode-pids=comm` is -Y (`-e decode-pids=comm`).
    #[arg(long = "decode-pids", value_name = "comm", value_parser = qualifier("decode-pids"), hide = true)]
    pub decode_pids_long: Vec<String>,
    /// strace: accepted (syspect never stops a process at each call, so there is nothing to
    /// spare).
    #[arg(long = "seccomp-bpf")]
    pub seccomp_bpf: bool,
    /// Attach to a running process, as strace's -p (repeatable; the same as --pid).
    #[arg(short = 'p', long = "attach", value_name = "PID")]
    pub attach: Vec<u32>,
    /// strace: count the calls and print strace -c's table (the summary analyzer) instead of
    /// each call.
    #[arg(id = "summary_only", short = 'c', long = "summary-only")]
    pub count: bool,
    /// strace: each call, and strace -c's table at the end, as strace's -C.
    #[arg(short = 'C', long = "summary", conflicts_with = "summary_only")]
    pub count_too: bool,
    /// Only the calls that failed, as strace's -Z (signals and exits are kept).
    #[arg(short = 'Z', long = "failed-only", conflicts_with = "successful")]
    pub failed: bool,
    /// Only the calls that succeeded, as strace's -z (signals and exits are kept).
    #[arg(short = 'z', long = "successful-only")]
    pub successful: bool,
    /// strace -c: order the table by time (the default), calls, errors, avg-time, name or
    /// nothing, as strace's -S.
    #[arg(short = 'S', long = "summary-sort-by", value_name = "SORTBY", value_parser = clap::builder::PossibleValuesParser::new(syspect_inspect::analyzers::summary::SORTS))]
    pub sort_by: Option<String>,
    /// strace: how named constants and flags print, strace's -X (`-X raw` is read as this):
    /// abbrev (names, the default), raw (numbers), verbose (numbers, names in a comment).
    #[arg(long = "const-print-style", value_name = "FORMAT", value_parser = ["abbrev", "raw", "verbose"])]
    pub const_style: Option<String>,
    /// strace: -x shows a string with non-ASCII bytes all in hex, -xx every string.
    #[arg(short = 'x', action = clap::ArgAction::Count)]
    pub hex_strings: u8,
    /// strace: only the calls on PATH (repeatable): naming it, or using an fd open on it, as
    /// strace's -P.
    #[arg(short = 'P', long = "trace-path", value_name = "PATH")]
    pub paths: Vec<String>,
    /// strace: -qq leaves out the `+++ exited with N +++` lines (-q is accepted).
    #[arg(short = 'q', action = clap::ArgAction::Count)]
    pub quiet: u8,
    /// strace: -f shows the calls of the command's children and threads too (without it,
    /// those of the thread traced only, as strace); with -o FILE, -f starts each line with its
    /// thread's id and -ff writes each thread's lines to FILE.TID, as strace does.
    #[arg(short = 'f', long = "follow-forks", action = clap::ArgAction::Count)]
    pub follow: u8,
    /// strace's --output-separately: -ff's one file per thread.
    #[arg(long = "output-separately")]
    pub output_separately: bool,
    /// strace: each line starts with the time of day (-t), with microseconds (-tt), or in
    /// seconds since the epoch (-ttt).
    #[arg(short = 't', action = clap::ArgAction::Count)]
    pub timestamps: u8,
    /// strace -c: accepted; syspect's table is always of wall-clock time in each call, what
    /// strace's -w asks for.
    #[arg(short = 'w', long = "summary-wall-clock")]
    pub wall_clock: bool,
    /// strace: argv and execve's environment whole (structs stay abbreviated), as strace's -v.
    #[arg(short = 'v', long = "no-abbrev")]
    pub verbose: bool,
    /// strace: each line starts with the time since the previous line's call began, as
    /// strace's -r (whose letter is --read's here).
    #[arg(long = "relative-timestamps", conflicts_with = "timestamps")]
    pub relative: bool,
    /// strace: the stack of each call after its line, as strace's -k (the ptrace engine).
    #[arg(short = 'k', long = "stack-trace")]
    pub stack_traces: bool,
    /// strace: the time spent in each call, `<0.000012>` after its result.
    #[arg(short = 'T', long = "syscall-times")]
    pub durations: bool,
    /// strace: each fd with what it names, `read(3</etc/hosts>, ...)` (sockets by their
    /// addresses, as strace's -yy).
    #[arg(short = 'y', action = clap::ArgAction::Count)]
    pub fd_paths: u8,
    /// strace: each pid with its command name, `kill(1234<sleep>, SIGTERM)`, `= 1234<sleep>`,
    /// `[pid 1234<sh>]` (strace's -Y, `--decode-pids=comm`).
    #[arg(short = 'Y')]
    pub pid_comms: bool,
    /// strace: where ` = RESULT` starts when the call is shorter (strace's -a; 40).
    #[arg(short = 'a', long = "columns", value_name = "COLUMN")]
    pub column: Option<usize>,
    /// strace: each line starts with the call's number, `[  59] execve(...)` (strace's -n,
    /// whose letter is --count's here).
    #[arg(long = "syscall-number")]
    pub syscall_number: bool,
    /// echo-fds: printable text, other bytes as `.` (the default).
    #[arg(short = 'A', conflicts_with = "hex")]
    pub ascii: bool,
    /// echo-fds: hex dump.
    #[arg(short = 'X')]
    pub hex: bool,
    #[command(flatten)]
    pub live: LiveArgs,
    /// A filter expression (sysdig's syntax).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
    /// Capture this command live, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Process,
    Container,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    Cpu,
    Time,
    Io,
    Calls,
    Errors,
}

/// `slower MS`: an analyzer's options after the threshold.
#[derive(Args, Debug)]
pub struct SlowerArgs {
    /// Show the calls that took longer than this many milliseconds (a decimal: 0.5; 0 for
    /// every call).
    #[arg(value_name = "MS", value_parser = milliseconds)]
    pub ms: u64,
    #[command(flatten)]
    pub analyzer: AnalyzerArgs,
}

/// Milliseconds (`10`, `0.5`) as ns.
fn milliseconds(s: &str) -> Result<u64, String> {
    match s.parse::<f64>() {
        Ok(ms) if (0.0..1e12).contains(&ms) => Ok((ms * 1e6).round() as u64),
        Ok(_) => Err("must be a number of milliseconds, 0 or more".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// `by FIELD`: an analyzer's options after the field.
#[derive(Args, Debug)]
pub struct ByArgs {
    /// The field whose value groups the calls (`syspect list fields`): proc.name, fd.name,
    /// fd.sport, evt.type, container.name...
    #[arg(value_name = "FIELD")]
    pub field: String,
    #[command(flatten)]
    pub analyzer: AnalyzerArgs,
}

/// A parser that keeps a long strace option's value as the `-e` qualifier it stands for
/// (`--trace=%file` is `-e trace=%file`).
fn qualifier(name: &'static str) -> impl Fn(&str) -> Result<String, String> + Clone {
    move |set| Ok(format!("{name}={set}"))
}

/// A count, size or period, where 0 would mean nothing at all (sysdig refuses `-n 0` too).
fn at_least_one(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// As [`at_least_one`], for a number of files.
fn files_at_least_one(s: &str) -> Result<u32, String> {
    u32::try_from(at_least_one(s)?).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every subcommand's options are well formed: no letter taken twice, no conflict naming
    /// an option that does not exist (clap checks these only when asked, or in debug builds).
    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
        super::command().debug_assert();
    }

    /// Each analyzer's help names what it uses: strace's view options only strace's.
    #[test]
    fn an_analyzer_shows_the_options_it_uses() {
        let mut cmd = super::command();
        cmd.build();
        let mut help = |name: &str| -> String {
            let sub = cmd.find_subcommand_mut(name).unwrap();
            sub.render_long_help().to_string()
        };
        let (lsof, strace, top) = (help("lsof"), help("strace"), help("top"));
        for shown in ["--syscall-times", "--trace-path", "--summary-only"] {
            assert!(strace.contains(shown), "strace: {shown}");
            assert!(!lsof.contains(shown), "lsof: {shown}");
        }
        assert!(top.contains("--by") && !strace.contains("--by"));
        for everywhere in ["--read", "--engine", "--pid", "--count"] {
            assert!(
                lsof.contains(everywhere) && strace.contains(everywhere),
                "{everywhere}"
            );
        }
        // every name ONLY_FOR lists is an option of every analyzer, and names one
        let analyzers = super::analyzers(&cmd);
        assert!(analyzers.len() > 15 && analyzers.iter().any(|a| a == "by"));
        for (arg, only) in super::ONLY_FOR {
            assert!(
                only.iter().all(|o| analyzers.iter().any(|a| a == o)),
                "{only:?}"
            );
            for sub in &analyzers {
                let c = cmd.find_subcommand(sub).unwrap();
                assert!(
                    c.get_arguments().any(|a| a.get_id() == *arg),
                    "{sub}: {arg}"
                );
            }
        }
    }

    /// No two options of a subcommand share an id (two flattened structs with a field of the
    /// same name do, which clap does not check: `-n COUNT` once parsed as `-c`'s flag).
    #[test]
    fn no_two_options_of_a_subcommand_share_an_id() {
        let cmd = super::Cli::command();
        for sub in cmd.get_subcommands() {
            let mut ids: Vec<&str> = sub.get_arguments().map(|a| a.get_id().as_str()).collect();
            ids.sort_unstable();
            let before = ids.len();
            ids.dedup();
            assert_eq!(
                ids.len(),
                before,
                "{}: an id is taken twice",
                sub.get_name()
            );
        }
    }
}
