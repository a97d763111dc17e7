//! sysdig's chisels by their names: `syspect read t.scap -c topfiles_bytes` runs the syspect
//! command that does what the chisel does (`syspect topfiles -r t.scap`), and `syspect
//! capture -c topprocs_cpu` its live form (`syspect top`), so that the command lines of a
//! sysdig user work as they are. The table is the README's.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::UsageError;

/// What a chisel is in syspect: the command, its options, and a filter the chisel applies;
/// a chisel's argument (`fdbytes_by FIELD`) goes where `{}` is.
struct Chisel {
    name: &'static str,
    command: &'static [&'static str],
    filter: Option<&'static str>,
    /// The values an optional argument may take, each with the options it adds
    /// (`httptop time` is `httptop --sort time`).
    choices: &'static [(&'static str, &'static [&'static str])],
}

const CHISELS: &[Chisel] = &[
    chisel("topprocs_cpu", &["top", "--sort", "cpu"], None),
    chisel(
        "topprocs_net",
        &["by", "proc.name"],
        Some("fd.type in (ipv4, ipv6)"),
    ),
    chisel("topprocs_file", &["by", "proc.name"], Some("fd.type=file")),
    chisel(
        "topprocs_errors",
        &["by", "proc.name", "--sort", "errors"],
        None,
    ),
    chisel(
        "topfiles_errors",
        &["by", "fd.name", "--sort", "errors"],
        Some("fd.type=file"),
    ),
    chisel("topfiles_bytes", &["topfiles"], None),
    chisel(
        "topfiles_time",
        &["by", "fd.name", "--sort", "time"],
        Some("fd.type=file"),
    ),
    chisel("topscalls", &["topscalls"], None),
    chisel(
        "topscalls_time",
        &["by", "evt.type", "--sort", "time"],
        None,
    ),
    chisel("topconns", &["topconns"], None),
    chisel("topports_server", &["by", "fd.sport"], None),
    chisel("topcontainers_cpu", &["top", "--by", "container"], None),
    chisel(
        "topcontainers_file",
        &["by", "container.name"],
        Some("fd.type=file and evt.is_io=true and container.name!=host"),
    ),
    chisel(
        "topcontainers_net",
        &["by", "container.name"],
        Some("fd.type in (ipv4, ipv6) and evt.is_io=true and container.name!=host"),
    ),
    chisel(
        "topcontainers_error",
        &["by", "container.name", "--sort", "errors"],
        Some("evt.failed=true and container.name!=host"),
    ),
    chisel("lscontainers", &["containers"], None),
    chisel("scallslower", &["slower", "{}"], None),
    chisel(
        "fileslower",
        &["slower", "{}"],
        Some("evt.is_io=true and fd.type=file and not fd.name startswith /dev/"),
    ),
    chisel(
        "netlower",
        &["slower", "{}"],
        Some("evt.is_io=true and fd.type in (ipv4, ipv6)"),
    ),
    chisel("bottlenecks", &["bottlenecks", "--top", "10"], None),
    chisel("proc_exec_time", &["proctime"], None),
    chisel("iobytes", &["iobytes"], None),
    chisel("iobytes_file", &["iobytes"], Some("fd.type=file")),
    chisel("iobytes_net", &["iobytes"], Some("fd.type in (ipv4, ipv6)")),
    chisel("spy_logs", &["logs"], None),
    chisel("spectrogram", &["spectrogram"], None),
    chisel("subsecoffset", &["subsecoffset"], None),
    chisel("spy_syslog", &["syslog"], None),
    chisel(
        "list_login_shells",
        &["by", "proc.loginshellid", "--sort", "calls"],
        Some("evt.type=execve"),
    ),
    chisel("fdbytes_by", &["by", "{}"], None),
    chisel("fdcount_by", &["by", "{}", "--sort", "calls"], None),
    chisel("fdtime_by", &["by", "{}", "--sort", "time"], None),
    chisel("echo_fds", &["echo-fds"], None),
    chisel(
        "spy_file",
        &["echo-fds"],
        Some("fd.type=file and fd.name={}"),
    ),
    chisel("spy_ip", &["echo-fds"], Some("fd.ip={}")),
    chisel("spy_port", &["echo-fds"], Some("fd.port={}")),
    chisel("spy_users", &["spy-users"], None),
    chisel("httplog", &["httplog"], None),
    Chisel {
        name: "httptop",
        command: &["httptop"],
        filter: None,
        choices: &[
            ("ncalls", &["--sort", "calls"]),
            ("time", &["--sort", "time"]),
            ("bytes", &["--sort", "io"]),
        ],
    },
    chisel("stdout", &["stdout"], None),
    chisel("stderr", &["stderr"], None),
    chisel("stdin", &["stdin"], None),
    chisel("lsof", &["lsof"], None),
    chisel("netstat", &["netstat"], None),
    chisel("ps", &["ps"], None),
];

const fn chisel(
    name: &'static str,
    command: &'static [&'static str],
    filter: Option<&'static str>,
) -> Chisel {
    Chisel {
        name,
        command,
        filter,
        choices: &[],
    }
}

impl Chisel {
    fn takes_arg(&self) -> bool {
        self.command.contains(&"{}") || self.filter.is_some_and(|f| f.contains("{}"))
    }
}

/// The names of the chisels syspect knows.
pub fn names() -> impl Iterator<Item = &'static str> {
    CHISELS.iter().map(|c| c.name)
}

/// `syspect list chisels`: each chisel and the command it is (ARG: its argument).
pub fn list(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for c in CHISELS {
        let name = if c.takes_arg() {
            format!("{} ARG", c.name)
        } else if !c.choices.is_empty() {
            let names: Vec<&str> = c.choices.iter().map(|(n, _)| *n).collect();
            format!("{} [{}]", c.name, names.join("|"))
        } else {
            c.name.to_string()
        };
        let mut cmd = format!("syspect {} -r FILE", c.command.join(" ")).replace("{}", "ARG");
        if let Some(f) = c.filter {
            cmd.push_str(&format!(" '{}'", f.replace("{}", "ARG")));
        }
        writeln!(out, "{name:<22} {cmd}")?;
    }
    Ok(())
}

/// The command line that runs chisel `spec` (`NAME` or `NAME ARG`) on trace `files`: the
/// files that exist, then, of the words that name no file, the chisel's argument when `spec`
/// has none and the chisel takes one (`-c fdbytes_by proc.name`, as sysdig takes it), then a
/// filter, joined with the chisel's own.
pub fn command_line(
    spec: &str,
    files: Vec<PathBuf>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<OsString>, UsageError> {
    let (traces, rest): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| f.exists());
    if traces.is_empty() {
        return Err(UsageError("-c: no trace file to read".into()));
    }
    let mut source: Vec<OsString> = Vec::new();
    for t in traces {
        source.push("-r".into());
        source.push(t.into());
    }
    for (flag, v) in [("--from", from), ("--to", to)] {
        if let Some(v) = v {
            source.push(flag.into());
            source.push(v.into());
        }
    }
    let words = rest
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    build(spec, source, words, Vec::new())
}

/// The command line that runs chisel `spec` live: `live` are the capture's options (engine,
/// pids, containers, counts), `filter` its positional word (the chisel's argument when `spec`
/// has none and the chisel takes one, else a filter), `command` what follows `--`.
pub fn live_command_line(
    spec: &str,
    live: Vec<OsString>,
    filter: Option<String>,
    command: Vec<OsString>,
) -> Result<Vec<OsString>, UsageError> {
    let mut tail = Vec::new();
    if !command.is_empty() {
        tail.push(OsString::from("--"));
        tail.extend(command);
    }
    build(spec, live, filter.into_iter().collect(), tail)
}

/// `syspect COMMAND… SOURCE… [FILTER] TAIL…` for chisel `spec`, its argument and the user's
/// filter taken from `words` in that order.
fn build(
    spec: &str,
    source: Vec<OsString>,
    words: Vec<String>,
    tail: Vec<OsString>,
) -> Result<Vec<OsString>, UsageError> {
    let mut parts = spec.split_whitespace();
    let name = parts.next().unwrap_or_default();
    let c = CHISELS.iter().find(|c| c.name == name).ok_or_else(|| {
        UsageError(format!(
            "-c {name}: not a chisel syspect knows ({})",
            names().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let mut arg: Option<String> = parts.next().map(str::to_owned);
    let mut words = words.into_iter().peekable();
    let is_choice = |w: &str| c.choices.iter().any(|(n, _)| *n == w);
    if arg.is_none() && (c.takes_arg() || words.peek().is_some_and(|w| is_choice(w))) {
        arg = words.next();
    }
    let mut options: &[&str] = &[];
    if !c.choices.is_empty() {
        if let Some(a) = arg.take() {
            options = c
                .choices
                .iter()
                .find(|(n, _)| *n == a)
                .map(|(_, o)| *o)
                .ok_or_else(|| {
                    let names: Vec<&str> = c.choices.iter().map(|(n, _)| *n).collect();
                    UsageError(format!("-c {name} {a}: one of {}", names.join(", ")))
                })?;
        }
    } else if !c.takes_arg() {
        if let Some(a) = &arg {
            return Err(UsageError(format!("-c {name} takes no argument ({a})")));
        }
    }
    let user_filter = words.next();
    if let Some(extra) = words.next() {
        return Err(UsageError(format!("{extra}: no such file")));
    }
    let arg = match (c.takes_arg(), arg) {
        (true, Some(a)) => a,
        (true, None) => return Err(UsageError(format!("-c {name} takes an argument"))),
        (false, _) => String::new(),
    };
    let mut argv: Vec<OsString> = vec!["syspect".into()];
    argv.extend(c.command.iter().map(|w| w.replace("{}", &arg).into()));
    argv.extend(options.iter().map(OsString::from));
    argv.extend(source);
    let filter = match (c.filter.map(|f| f.replace("{}", &arg)), user_filter) {
        (Some(a), Some(b)) => Some(format!("({a}) and ({b})")),
        (a, b) => a.or(b),
    };
    argv.extend(filter.map(OsString::from));
    argv.extend(tail);
    Ok(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(spec: &str, files: &[&str]) -> Result<Vec<String>, String> {
        let files = files.iter().map(PathBuf::from).collect();
        command_line(spec, files, None, Some("3"))
            .map(|v| v.iter().map(|a| a.to_string_lossy().into_owned()).collect())
            .map_err(|e| e.0)
    }

    #[test]
    fn chisels_become_the_commands_that_do_their_work() {
        let exe = std::env::current_exe().unwrap();
        let t = exe.to_str().unwrap();
        assert_eq!(
            line("topfiles_bytes", &[t]).unwrap(),
            ["syspect", "topfiles", "-r", t, "--to", "3"]
        );
        // the argument inside the name, or as sysdig takes it, after; then a filter
        let want = [
            "syspect",
            "by",
            "proc.name",
            "--sort",
            "calls",
            "-r",
            t,
            "--to",
            "3",
        ];
        assert_eq!(line("fdcount_by proc.name", &[t]).unwrap(), want);
        assert_eq!(line("fdcount_by", &[t, "proc.name"]).unwrap(), want);
        assert_eq!(
            line("spy_port", &[t, "8080", "proc.name=curl"]).unwrap(),
            [
                "syspect",
                "echo-fds",
                "-r",
                t,
                "--to",
                "3",
                "(fd.port=8080) and (proc.name=curl)"
            ]
        );
        assert!(line("nosuch", &[t]).unwrap_err().contains("topfiles_bytes"));
        assert!(line("fdbytes_by", &[t])
            .unwrap_err()
            .contains("takes an argument"));
        assert!(line("lsof", &["/nonexistent.scap"]).is_err());
        // an optional argument that names options, in the name or after it; else none
        let by_time = ["syspect", "httptop", "--sort", "time", "-r", t, "--to", "3"];
        assert_eq!(line("httptop time", &[t]).unwrap(), by_time);
        assert_eq!(line("httptop", &[t, "time"]).unwrap(), by_time);
        assert_eq!(
            line("httptop", &[t, "proc.name=curl"]).unwrap(),
            ["syspect", "httptop", "-r", t, "--to", "3", "proc.name=curl"]
        );
        assert!(line("httptop fast", &[t])
            .unwrap_err()
            .contains("one of ncalls, time, bytes"));
        assert!(line("lsof 3", &[t])
            .unwrap_err()
            .contains("takes no argument"));
    }
}
