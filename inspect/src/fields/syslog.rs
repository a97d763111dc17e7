//! sysdig's `syslog.*` fields and `evt.is_syslog`: a write to `/dev/log` (the socket syslog(3)
//! and logger(1) send to) read as a syslog message, `<PRI>TEXT`: its facility and severity
//! (PRI / 8 and PRI % 8), by number and by name, and the text after the priority.

use std::borrow::Cow;

use crate::analyzers::{io_data, io_of};
use crate::output::Ctx;

const FACILITIES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "clock", "authpriv",
    "ftp", "ntp", "logaudit", "logalert", "cron", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];
const SEVERITIES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
];

/// Whether the event is the exit of a write to a socket or file whose name holds `/dev/log`.
pub fn is_syslog(cx: &Ctx<'_>) -> bool {
    // (io_of takes exits only)
    let Some((fd, _, true)) = io_of(cx) else {
        return false;
    };
    cx.state
        .fds
        .get(cx.ev.pid, fd)
        .is_some_and(|f| f.name.windows(8).any(|w| w == b"/dev/log"))
}

/// A syslog message's priority and text.
pub struct Message<'a> {
    pub priority: u64,
    pub text: Cow<'a, [u8]>,
}

impl Message<'_> {
    pub fn facility(&self) -> u64 {
        self.priority >> 3
    }

    pub fn severity(&self) -> u64 {
        self.priority & 7
    }

    pub fn facility_name(&self) -> &'static str {
        FACILITIES
            .get(self.facility() as usize)
            .copied()
            .unwrap_or("")
    }

    pub fn severity_name(&self) -> &'static str {
        SEVERITIES[self.severity() as usize]
    }
}

/// The message the event wrote to syslog, when it is one (`<PRI>` first, PRI below 192).
pub fn message<'c>(cx: &'c Ctx<'_>) -> Option<Message<'c>> {
    if !is_syslog(cx) {
        return None;
    }
    let parts = io_data(cx, true);
    let data: Cow<'c, [u8]> = match parts.as_slice() {
        [one] => Cow::Borrowed(one),
        more => Cow::Owned(more.concat()),
    };
    let (priority, text) = parse(&data)?;
    let text = match data {
        Cow::Borrowed(b) => Cow::Borrowed(&b[text]),
        Cow::Owned(b) => Cow::Owned(b[text].to_vec()),
    };
    Some(Message { priority, text })
}

/// `<PRI>TEXT`: the priority (below 192, 1 to 3 digits) and where the text is, without the
/// NULs and line ends that end it.
fn parse(data: &[u8]) -> Option<(u64, std::ops::Range<usize>)> {
    let digits = data
        .get(1..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if data.first() != Some(&b'<')
        || !(1..=3).contains(&digits)
        || data.get(1 + digits) != Some(&b'>')
    {
        return None;
    }
    let priority: u64 = std::str::from_utf8(&data[1..1 + digits])
        .ok()?
        .parse()
        .ok()?;
    if priority >= 192 {
        return None;
    }
    let start = digits + 2;
    let end = data.len()
        - data
            .iter()
            .rev()
            .take_while(|&&c| c == 0 || c == b'\n')
            .count();
    Some((priority, start.min(end)..end))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn priorities_and_texts() {
        let text = |d: &[u8]| parse(d).map(|(p, r)| (p, d[r].to_vec()));
        assert_eq!(text(b"<30>hello\n"), Some((30, b"hello".to_vec())));
        assert_eq!(text(b"<0>x\0"), Some((0, b"x".to_vec())));
        assert_eq!(text(b"<191>"), Some((191, Vec::new())));
        assert_eq!(text(b"<134>\n\0"), Some((134, Vec::new())));
        for bad in [
            &b"<192>x"[..],
            b"<>x",
            b"<1234>x",
            b"30>x",
            b"<3a>x",
            b"<30",
            b"",
        ] {
            assert_eq!(parse(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
