//! `glob` and `iglob`: fnmatch-style patterns without flags, as sysdig's — `*` matches any run
//! of characters including `/`, `?` one character, `[abc]`, `[a-z]`, `[!a]` / `[^a]` one
//! character of (or not of) a class, `\x` the character `x`. A `[` with no closing `]` is a
//! literal `[`. Matching allocates nothing and backtracks only to the last `*`, so it runs in
//! O(pattern × text) at worst.

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Glob {
    toks: Box<[Tok]>,
    /// Ignore ASCII case (`iglob`); literal bytes are stored lowercased.
    fold: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Byte(u8),
    Any,
    Star,
    Class {
        negate: bool,
        ranges: Box<[(u8, u8)]>,
    },
}

impl Glob {
    /// Compile `pattern`; `fold` ignores ASCII case.
    pub(crate) fn new(pattern: &[u8], fold: bool) -> Glob {
        let mut toks = Vec::new();
        let mut i = 0;
        while i < pattern.len() {
            let b = pattern[i];
            i += 1;
            match b {
                b'*' => {
                    if toks.last() != Some(&Tok::Star) {
                        toks.push(Tok::Star);
                    }
                }
                b'?' => toks.push(Tok::Any),
                b'\\' if i < pattern.len() => {
                    toks.push(Tok::Byte(fold_byte(pattern[i], fold)));
                    i += 1;
                }
                b'[' => match class(&pattern[i..]) {
                    Some((tok, used)) => {
                        toks.push(tok);
                        i += used;
                    }
                    None => toks.push(Tok::Byte(b'[')),
                },
                _ => toks.push(Tok::Byte(fold_byte(b, fold))),
            }
        }
        Glob {
            toks: toks.into(),
            fold,
        }
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn matches(&self, text: &[u8]) -> bool {
        let toks = &self.toks;
        let (mut p, mut s) = (0, 0);
        // Where to resume after the last `*`: the token after it and the text position it
        // has swallowed up to.
        let mut resume: Option<(usize, usize)> = None;
        loop {
            if p < toks.len() {
                if toks[p] == Tok::Star {
                    resume = Some((p + 1, s));
                    p += 1;
                    continue;
                }
                if let Some(n) = self.step(&toks[p], &text[s..]) {
                    p += 1;
                    s += n;
                    continue;
                }
            } else if s == text.len() {
                return true;
            }
            match resume {
                Some((rp, rs)) if rs < text.len() => {
                    let next = rs + char_len(&text[rs..]);
                    resume = Some((rp, next));
                    p = rp;
                    s = next;
                }
                _ => return false,
            }
        }
    }

    /// How many bytes of `rest` the token matches, if it matches.
    fn step(&self, tok: &Tok, rest: &[u8]) -> Option<usize> {
        let &first = rest.first()?;
        match tok {
            Tok::Byte(b) => (fold_byte(first, self.fold) == *b).then_some(1),
            Tok::Any => Some(char_len(rest)),
            Tok::Class { negate, ranges } => {
                let hit = |c: u8| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
                let found = if self.fold {
                    hit(first.to_ascii_lowercase()) || hit(first.to_ascii_uppercase())
                } else {
                    hit(first)
                };
                (found != *negate).then_some(1)
            }
            Tok::Star => Some(0),
        }
    }
}

fn fold_byte(b: u8, fold: bool) -> u8 {
    if fold {
        b.to_ascii_lowercase()
    } else {
        b
    }
}

/// The class whose text starts right after a `[`, and how many bytes it used (through `]`).
fn class(p: &[u8]) -> Option<(Tok, usize)> {
    let mut i = 0;
    let negate = matches!(p.first(), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let mut c = *p.get(i)?;
        if c == b']' && !first {
            return Some((
                Tok::Class {
                    negate,
                    ranges: ranges.into(),
                },
                i + 1,
            ));
        }
        first = false;
        if c == b'\\' && i + 1 < p.len() {
            i += 1;
            c = p[i];
        }
        match (p.get(i + 1), p.get(i + 2)) {
            (Some(b'-'), Some(&hi)) if hi != b']' => {
                ranges.push((c.min(hi), c.max(hi)));
                i += 3;
            }
            _ => {
                ranges.push((c, c));
                i += 1;
            }
        }
    }
}

/// The length of the UTF-8 character starting `rest` (1 for a stray byte).
fn char_len(rest: &[u8]) -> usize {
    let n = match rest.first() {
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        _ => 1,
    };
    n.min(rest.len()).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(p: &str, t: &str) -> bool {
        Glob::new(p.as_bytes(), false).matches(t.as_bytes())
    }

    #[test]
    fn fnmatch_cases() {
        let cases = [
            ("*", "", true),
            ("*", "/etc/passwd", true),
            ("/etc/*", "/etc/ssh/sshd_config", true),
            ("*.conf", "/etc/a.conf", true),
            ("*.conf", "/etc/a.conf.bak", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "aéc", true),
            ("[abc]x", "bx", true),
            ("[!abc]x", "bx", false),
            ("[^abc]x", "dx", true),
            ("[a-c]*", "cat", true),
            ("[a-c]*", "dog", false),
            ("[]]", "]", true),
            ("[a-]", "-", true),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("[", "[", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("**a", "xxa", true),
            ("", "", true),
            ("", "a", false),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(glob(pattern, text), want, "{pattern:?} vs {text:?}");
        }
    }

    #[test]
    fn iglob_ignores_ascii_case() {
        let g = Glob::new(b"*.LOG", true);
        assert!(g.matches(b"/var/x.log"));
        assert!(g.matches(b"/var/x.Log"));
        assert!(Glob::new(b"[a-c]X", true).matches(b"Bx"));
        assert!(!Glob::new(b"*.LOG", false).matches(b"x.log"));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let text = "a".repeat(10_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!glob(&pattern, &text));
    }
}
