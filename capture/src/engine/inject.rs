//! strace's `-e inject=`: calls made to fail or to return a chosen value without running, and
//! signals delivered after them, for testing how a program copes. The ptrace engine does it
//! (it replaces the call's number by -1 at the entry stop and sets the result at the exit
//! stop, as strace does); eBPF programs cannot change a syscall's result, so the eBPF engine
//! refuses such a capture.

/// Which invocations of a syscall an injection applies to, counted from 1 per syscall and per
/// thread: strace's `when=first[..last][+[step]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct When {
    pub first: u32,
    pub last: u32,
    pub step: u32,
}

impl When {
    /// Every invocation (no `when=`).
    pub const ALWAYS: When = When {
        first: 1,
        last: u32::MAX,
        step: 1,
    };

    /// Whether invocation number `n` (from 1) is injected.
    pub fn matches(&self, n: u32) -> bool {
        n >= self.first && n <= self.last && (n - self.first).is_multiple_of(self.step.max(1))
    }

    /// strace's syntax: `3` (the third only), `3..5`, `3+` (the third and every one after),
    /// `3+2` (the third, fifth...), `3..9+2`; first and step in 1..65535, last in 1..65534.
    pub fn parse(s: &str) -> Result<When, String> {
        let bad = || format!("bad when= expression `{s}` (first[..last][+[step]])");
        let num = |t: &str, max: u32| -> Result<u32, String> {
            t.parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(bad)
        };
        let (range, step) = match s.split_once('+') {
            Some((r, "")) => (r, Some(1)),
            Some((r, st)) => (r, Some(num(st, 65535)?)),
            None => (s, None),
        };
        let (first, last) = match range.split_once("..") {
            Some((f, l)) => (num(f, 65535)?, Some(num(l, 65534)?)),
            None => (num(range, 65535)?, None),
        };
        let w = match (last, step) {
            (None, None) => When {
                first,
                last: first,
                step: 1,
            },
            (Some(last), step) => When {
                first,
                last,
                step: step.unwrap_or(1),
            },
            (None, Some(step)) => When {
                first,
                last: u32::MAX,
                step,
            },
        };
        if w.last < w.first {
            return Err(bad());
        }
        Ok(w)
    }
}

/// One `-e inject=` (or `-e fault=`) expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Injection {
    /// The syscall numbers it applies to.
    pub syscalls: Vec<u16>,
    /// What the call returns instead of running: a negative errno (`error=`), or a value
    /// (`retval=`); `None`: the call runs.
    pub ret: Option<i64>,
    /// A signal delivered when the call returns (`signal=`).
    pub signal: Option<i32>,
    pub when: When,
    /// How long the thread is held at the call's entry (`delay_enter=`) and at its exit
    /// (`delay_exit=`) before it goes on; other threads run meanwhile.
    pub delay_enter: Option<std::time::Duration>,
    pub delay_exit: Option<std::time::Duration>,
}

impl Injection {
    /// Whether it holds the thread (strace marks such calls `(DELAYED)`).
    pub fn delays(&self) -> bool {
        self.delay_enter.is_some() || self.delay_exit.is_some()
    }
}

/// strace's delay syntax: a number with an optional unit, `s`, `ms`, `us` or `ns`
/// (microseconds without one).
pub fn parse_delay(s: &str) -> Result<std::time::Duration, String> {
    use std::time::Duration;
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("bad delay `{s}` (a number, then s, ms, us or ns)"))?;
    Ok(match unit {
        "" | "us" => Duration::from_micros(n),
        "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "ns" => Duration::from_nanos(n),
        _ => return Err(format!("bad delay `{s}` (a number, then s, ms, us or ns)")),
    })
}

/// The injections by syscall number; a later one naming a syscall replaces an earlier one, as
/// in strace.
pub fn by_syscall(injections: &[Injection]) -> Vec<Option<Injection>> {
    let mut v: Vec<Option<Injection>> = Vec::new();
    for inj in injections {
        for &nr in &inj.syscalls {
            if v.len() <= nr as usize {
                v.resize(nr as usize + 1, None);
            }
            v[nr as usize] = Some(inj.clone());
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_takes_straces_forms() {
        let hits = |s: &str| -> Vec<u32> {
            let w = When::parse(s).unwrap();
            (1..=12).filter(|&n| w.matches(n)).collect()
        };
        assert_eq!(hits("3"), [3]);
        assert_eq!(hits("3..5"), [3, 4, 5]);
        assert_eq!(hits("3+"), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(hits("3+4"), [3, 7, 11]);
        assert_eq!(hits("2..9+3"), [2, 5, 8]);
        assert_eq!(hits("2..9+"), [2, 3, 4, 5, 6, 7, 8, 9]);
        for bad in [
            "0", "", "a", "3..2", "1..65535", "65536", "1+0", "+2", "..3",
        ] {
            assert!(When::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn delays_take_straces_units() {
        use std::time::Duration;
        assert_eq!(parse_delay("250"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_delay("2ms"), Ok(Duration::from_millis(2)));
        assert_eq!(parse_delay("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_delay("10ns"), Ok(Duration::from_nanos(10)));
        assert_eq!(parse_delay("7us"), Ok(Duration::from_micros(7)));
        for bad in ["", "ms", "1h", "-1", "1.5ms"] {
            assert!(parse_delay(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_later_injection_replaces_an_earlier_one_for_its_syscalls() {
        let a = Injection {
            syscalls: vec![2, 5],
            ret: Some(-2),
            signal: None,
            when: When::ALWAYS,
            delay_enter: None,
            delay_exit: None,
        };
        let b = Injection {
            syscalls: vec![5],
            ret: Some(7),
            ..a.clone()
        };
        let v = by_syscall(&[a.clone(), b.clone()]);
        assert_eq!(v[2].as_ref(), Some(&a));
        assert_eq!(v[5].as_ref(), Some(&b));
        assert_eq!(v[3], None);
    }
}
