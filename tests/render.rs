//! What syspect draws and generates for people: `chart latency` and `flame` SVGs of real
//! ptrace traces (parsed as XML), shell completions, the man page, and the progress bar (none
//! when stderr is not a terminal; one on a pseudo-terminal driven with `script`).

use std::collections::BTreeSet;

use crate::util::*;

/// Trace `cmd` with the ptrace engine into `dir/t.spt`.
fn capture(d: &TempDir, cmd: &[&str]) -> String {
    let t = d.join_str("t.spt");
    let o = syspect()
        .args(["capture", "--engine", "ptrace", "-w", &t, "--"])
        .args(cmd)
        .output()
        .expect("syspect runs");
    assert!(o.status.success(), "capture {cmd:?}: {}", stderr(&o));
    t
}

/// Two processes with known names doing known calls.
const WORKLOAD: &[&str] = &["/bin/sh", "-c", "cat /etc/hostname; ls / >/dev/null"];

/// Run syspect, expect success, return the SVG it wrote to `out` (or to stdout when `out` is
/// None).
fn svg(args: &[&str], out: Option<&str>) -> String {
    let mut all: Vec<&str> = args.to_vec();
    if let Some(o) = out {
        all.extend(["-o", o]);
    }
    let o = run(&all);
    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
    match out {
        Some(path) => std::fs::read_to_string(path).expect("the SVG was written"),
        None => stdout(&o),
    }
}

/// An SVG parsed as XML (inferno's starts with the SVG 1.1 DOCTYPE, which is allowed).
fn parse(svg: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(svg, opts)
        .unwrap_or_else(|e| panic!("not XML: {e}\n{}", &svg[..svg.len().min(2000)]))
}

/// Every `<title>` text of an SVG, which must parse as XML.
fn titles(svg: &str) -> Vec<String> {
    let doc = parse(svg);
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect()
}

/// The frame names of a flame graph: its tooltips are `NAME (N ns, P%)`.
fn frames(svg: &str) -> BTreeSet<String> {
    titles(svg)
        .iter()
        .filter_map(|t| t.rsplit_once(" (").map(|(name, _)| name.to_owned()))
        .collect()
}

/// The calls counted in a latency chart's cells: their tooltips end `: N call(s)`.
fn chart_calls(svg: &str) -> u64 {
    titles(svg)
        .iter()
        .filter_map(|t| t.rsplit_once(": ").map(|(_, n)| n))
        .filter_map(|n| n.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Texts of the elements of class `class`.
fn texts_of_class(svg: &str, class: &str) -> Vec<String> {
    let doc = parse(svg);
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect()
}

#[test]
fn flame_shows_container_process_and_syscall_and_follows_the_filter() {
    let d = TempDir::new("render-flame");
    let t = capture(&d, WORKLOAD);
    let out = d.join_str("flame.svg");
    let all = frames(&svg(&["flame", &t], Some(&out)));
    for name in ["host", "cat", "ls", "openat", "execve"] {
        assert!(
            all.contains(name),
            "{name} missing from the flame graph: {all:?}"
        );
    }
    // A filter takes the other process out.
    let cat = frames(&svg(&["flame", &t, "proc.name=cat"], Some(&out)));
    assert!(cat.contains("cat") && cat.contains("read"), "{cat:?}");
    assert!(!cat.contains("ls"), "the filter kept ls: {cat:?}");
    // Without -o and with stdout not a terminal, the SVG goes to stdout.
    let piped = frames(&svg(&["flame", &t, "proc.name=ls"], None));
    assert!(piped.contains("ls") && !piped.contains("cat"), "{piped:?}");
}

#[test]
fn latency_chart_has_cells_axes_and_legend_and_counts_what_the_filter_selects() {
    let d = TempDir::new("render-latency");
    let t = capture(&d, WORKLOAD);
    let out = d.join_str("latency.svg");
    let chart = svg(&["chart", "latency", &t], Some(&out));
    let cells = texts_of_class(&chart, "title");
    assert_eq!(cells, ["System call latency over time"]);
    let labels = texts_of_class(&chart, "label");
    for l in ["1µs", "1.0ms", "1.0s"] {
        assert!(labels.iter().any(|x| x == l), "no y label {l}: {labels:?}");
    }
    assert!(chart.contains(r#"class="cell""#), "no cells");
    assert!(chart.contains("calls per cell"), "no legend");
    let all = chart_calls(&chart);
    assert!(all > 50, "{all} calls drawn");

    // Filtered: exactly the completed openat calls, as `read` counts their exits.
    let filter = "evt.type=openat";
    let chart = svg(&["chart", "latency", &t, filter], Some(&out));
    let exits = run(&["read", &t, "evt.type=openat and evt.dir=<"]);
    let openats = stdout(&exits).lines().count() as u64;
    assert!(openats > 0);
    assert_eq!(chart_calls(&chart), openats);
    assert!(openats < all);
    let subtitle = texts_of_class(&chart, "subtitle");
    assert!(
        subtitle[0].contains("filter: evt.type=openat") && subtitle[0].contains("t.spt"),
        "{subtitle:?}"
    );

    // A time window past the end: a valid, empty picture, and a warning.
    let o = run(&["chart", "latency", &t, "--from", "1000", "-o", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no event was selected"),
        "{}",
        stderr(&o)
    );
    let empty = std::fs::read_to_string(&out).expect("svg");
    titles(&empty);
    assert!(empty.contains("no completed system calls"), "{empty}");
}

#[test]
fn charts_read_sysdig_captures() {
    let scap = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scap/curl_google.scap")
        .to_string_lossy()
        .into_owned();
    let f = frames(&svg(&["flame", &scap], None));
    assert!(f.contains("curl") && f.contains("poll"), "{f:?}");
    assert!(chart_calls(&svg(&["chart", "latency", &scap], None)) > 0);
}

#[test]
fn chart_and_flame_usage_errors() {
    let d = TempDir::new("render-errors");
    let t = capture(&d, &["/bin/true"]);
    let out = d.join_str("x.svg");
    // An unknown kind of chart: clap's usage error names the one there is.
    let o = run(&["chart", "pie", &t, "-o", &out]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("latency"), "{}", stderr(&o));
    // A bad filter: shown with a caret, exit 2, no file written.
    let o = run(&["flame", &t, "proc.name=", "-o", &out]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains('^'), "{}", stderr(&o));
    assert!(!std::path::Path::new(&out).exists());
    // A missing file: a failed run, exit 1, naming it.
    let missing = d.join_str("missing.spt");
    for args in [
        vec!["chart", "latency", missing.as_str(), "-o", out.as_str()],
        vec!["flame", missing.as_str(), "-o", out.as_str()],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("missing.spt"), "{}", stderr(&o));
        assert!(!std::path::Path::new(&out).exists());
    }
    // An output file that cannot be written.
    let o = run(&["flame", &t, "-o", "/nonexistent-dir/x.svg"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("/nonexistent-dir/x.svg"),
        "{}",
        stderr(&o)
    );
}

const SUBCOMMANDS: &[&str] = &[
    "capture",
    "read",
    "summary",
    "chart",
    "flame",
    "completions",
];

#[test]
fn completions_for_bash_zsh_and_fish_know_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        for sub in SUBCOMMANDS {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let bash = stdout(&run(&["completions", "bash"]));
    assert!(bash.contains("complete -F"), "not a bash completion script");
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_pages_are_roff_with_the_subcommands() {
    let o = run(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with(".ie") || page.contains("\n.TH "), "{page}");
    assert!(page.contains(".TH syspect 1"), "{page}");
    for sub in SUBCOMMANDS {
        // roff escapes the hyphen: syspect\-read(1).
        assert!(
            page.contains(&format!("syspect\\-{sub}(1)")),
            "no {sub} in\n{page}"
        );
    }
    let o = run(&["man", "chart"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH syspect-chart 1"), "{page}");
    assert!(page.contains("latency"), "{page}");
    let o = run(&["man", "nosuch"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    let d = TempDir::new("render-quiet");
    let t = capture(&d, WORKLOAD);
    for args in [
        vec!["read", t.as_str()],
        vec!["summary", "-r", t.as_str()],
        vec!["flame", t.as_str(), "-o", "/dev/null"],
    ] {
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?} wrote on stderr");
    }
}

/// Run `shell` under a pseudo-terminal (util-linux's `script`) of 40x120; what the terminal
/// showed, and the exit status.
fn on_terminal(shell: &str) -> (String, Option<i32>) {
    let o = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("stty rows 40 cols 120; {shell}"),
            "/dev/null",
        ])
        .output()
        .expect("script runs");
    (stdout(&o), o.status.code())
}

#[test]
fn progress_bar_on_a_terminal_only_when_output_does_not_go_there() {
    if !need_program("progress_bar_on_a_terminal", "script") {
        return;
    }
    let d = TempDir::new("render-pty");
    // About 20000 calls; read 60 times over as one capture, it takes long enough (the bar
    // waits a quarter of a second before it shows).
    let t = capture(
        &d,
        &["dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=10000"],
    );
    let exe = env!("CARGO_BIN_EXE_syspect");
    let files = vec![t.as_str(); 60].join(" ");

    // stdout to a file, stderr on the terminal: a bar, wiped at the end.
    let (screen, code) = on_terminal(&format!("{exe} read {files} > /dev/null"));
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        screen.contains("reading ["),
        "no bar on the terminal:\n{screen}"
    );
    assert!(screen.contains("MiB"), "{screen}");

    // stdout on the same terminal: no bar fighting the lines (the filter keeps the screen
    // small while the read runs as long).
    let (screen, code) = on_terminal(&format!("{exe} read {files} proc.name=nobody"));
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        !screen.contains("reading ["),
        "a bar under printed lines:\n{screen}"
    );

    // A picture to the terminal is refused.
    let (screen, code) = on_terminal(&format!("{exe} flame {t}"));
    assert_eq!(code, Some(2), "{screen}");
    assert!(screen.contains("-o FILE.svg"), "{screen}");
}
