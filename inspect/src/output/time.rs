//! Time of day as sysdig prints it (`%evt.outputtime`: local `HH:MM:SS.nnnnnnnnn`), with the
//! local-time conversion cached per second so that printing millions of events stays cheap;
//! and the other times sysdig's `-t` shows in its place ([`TimeStyle`]).

use super::Ctx;

/// What the time column (`%evt.outputtime`) shows: sysdig's `-t h|a|r|d|D`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeStyle {
    /// Local time of day, `17:35:48.514632619` (`h`, the default).
    #[default]
    Human,
    /// Seconds since the epoch, `1534527348.514632619` (`a`).
    Absolute,
    /// Seconds since the capture's first event, `5.514632620` (`r`).
    Relative,
    /// An exit's latency, the time since its enter; `0.000000000` for any other event (`d`).
    Latency,
    /// Seconds since the event shown before, `0.000000000` for the first (`D`).
    Delta,
}

impl TimeStyle {
    /// Append the time column of `cx`'s event.
    pub fn write(self, fmt: &mut TimeFmt, cx: &Ctx<'_>, out: &mut String) {
        let ts = cx.ev.ts;
        let span = match self {
            TimeStyle::Human => return fmt.time_of_day(ts, out),
            TimeStyle::Absolute => ts,
            TimeStyle::Relative => ts.saturating_sub(cx.state.first_ts),
            TimeStyle::Latency => cx.latency(),
            TimeStyle::Delta => cx.prev_shown.map_or(0, |p| ts.saturating_sub(p)),
        };
        use std::fmt::Write;
        let _ = write!(out, "{}.{:09}", span / 1_000_000_000, span % 1_000_000_000);
    }
}

/// Formats wall-clock nanoseconds as local time of day.
#[derive(Default)]
pub struct TimeFmt {
    sec: i64,
    hms: String,
}

impl TimeFmt {
    /// `HH:MM:SS.nnnnnnnnn` for `ts` (ns since the epoch), local time.
    pub fn time_of_day(&mut self, ts: u64, out: &mut String) {
        let sec = (ts / 1_000_000_000) as i64;
        if sec != self.sec || self.hms.is_empty() {
            self.sec = sec;
            self.hms = hms(ts);
        }
        use std::fmt::Write;
        let _ = write!(out, "{}.{:09}", self.hms, ts % 1_000_000_000);
    }
}

/// `HH:MM:SS` local (`evt.time.s`).
pub fn hms(ts: u64) -> String {
    let tm = local((ts / 1_000_000_000) as i64);
    format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` local (`evt.datetime`).
pub fn datetime(ts: u64) -> String {
    date_and_time(&local((ts / 1_000_000_000) as i64), ts % 1_000_000_000, ' ')
}

/// `YYYY-MM-DD{sep}HH:MM:SS.nnnnnnnnn` of a broken-down time and its nanoseconds.
fn date_and_time(tm: &libc::tm, ns: u64, sep: char) -> String {
    format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}.{ns:09}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
    )
}

fn local(sec: i64) -> libc::tm {
    // SAFETY: localtime_r writes only into the tm we pass; a zeroed tm is a valid value.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        let t: libc::time_t = sec;
        libc::localtime_r(&t, &mut tm);
        tm
    }
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`, in UTC as sysdig's `evt.time.iso8601` is.
pub fn iso8601(ts: u64) -> String {
    let t = (ts / 1_000_000_000) as libc::time_t;
    // SAFETY: gmtime_r writes only into the tm we pass; a zeroed tm is a valid value.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::gmtime_r(&t, &mut tm);
        tm
    };
    date_and_time(&tm, ts % 1_000_000_000, 'T') + "+0000"
}

/// A duration as sysdig's `evt.latency.human` shows it: `835ns`, `2.44us`, `15us`, `1.05ms`,
/// `12ms`, `1.50s`, `2:05`, `01:02:03`.
pub fn human_duration(ns: u64) -> String {
    const S: u64 = 1_000_000_000;
    match ns {
        _ if ns >= 3600 * S => format!(
            "{:02}:{:02}:{:02}",
            ns / (3600 * S),
            ns / (60 * S) % 60,
            ns / S % 60
        ),
        _ if ns >= 60 * S => format!("{}:{}", ns / (60 * S), ns / S % 60),
        _ if ns >= S => format!("{}.{:02}s", ns / S, ns % S / 10_000_000),
        _ if ns >= S / 100 => format!("{}ms", ns / 1_000_000),
        _ if ns >= S / 1000 => format!("{}.{:02}ms", ns / 1_000_000, ns % 1_000_000 / 10_000),
        _ if ns >= S / 100_000 => format!("{}us", ns / 1000),
        _ if ns >= S / 1_000_000 => format!("{}.{:02}us", ns / 1000, ns % 1000 / 10),
        _ => format!("{ns}ns"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_sysdigs_human_latency() {
        let cases = [
            (835, "835ns"),
            (2_442, "2.44us"),
            (15_932, "15us"),
            (1_050_000, "1.05ms"),
            (12_345_678, "12ms"),
            (1_500_000_000, "1.50s"),
            (125_000_000_000, "2:5"),
            (3_723_000_000_000, "01:02:03"),
        ];
        for (ns, text) in cases {
            assert_eq!(human_duration(ns), text, "{ns}");
        }
        assert_eq!(
            iso8601(1_534_527_348_514_632_619),
            "2018-08-17T17:35:48.514632619+0000"
        );
    }
}
