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
            let tm = local(sec);
            self.hms = format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
        use std::fmt::Write;
        let _ = write!(out, "{}.{:09}", self.hms, ts % 1_000_000_000);
    }
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` local (`evt.datetime`).
pub fn datetime(ts: u64) -> String {
    let sec = (ts / 1_000_000_000) as i64;
    let tm = local(sec);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:09}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        ts % 1_000_000_000
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
