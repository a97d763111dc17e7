//! Quoting strings and buffers the way strace does (`src/util.c`, `string_quote`).
//!
//! strace cuts strings and buffers at `-s` (32 by default) and appends `...` when there was
//! more; paths are printed whole. Non-printable bytes are escaped: `\n` `\t` `\r` `\f` `\v`,
//! `\"` and `\\`, and other bytes in octal, as short as the next character allows (`\0`,
//! `\33`, but `\0001` before a digit).

use std::cell::Cell;

/// strace's default `-s`: how many bytes of a string or buffer it shows.
pub const MAX_STRLEN: usize = 32;

thread_local! {
    static LIMIT: Cell<usize> = const { Cell::new(usize::MAX) };
    static SNAPLEN: Cell<usize> = const { Cell::new(usize::MAX) };
    static HEX: Cell<u8> = const { Cell::new(0) };
    static VERBOSE: Cell<bool> = const { Cell::new(false) };
}

/// strace's `-v`: argv and the environment whole (execve's environment as its strings, not
/// `/* 35 vars */`), on this thread.
pub fn set_verbose(v: bool) {
    VERBOSE.with(|c| c.set(v));
}

/// Whether [`set_verbose`] asked for whole arrays.
pub fn verbose() -> bool {
    VERBOSE.with(Cell::get)
}

/// strace's `-x` (1): a string with a byte that would need an octal escape is shown all in
/// `\xNN`; `-xx` (2): every string and path is; 0 (the default): octal escapes. On this
/// thread.
pub fn set_hex_strings(level: u8) {
    HEX.with(|h| h.set(level.min(2)));
}

/// Tell the renderer, on this thread, the snap length of the capture being shown: an argv
/// string that long was (most likely) cut by the capture, and gets strace's `...`. The
/// engines keep no per-string flag, so a string of exactly the snap length is taken as cut.
pub fn set_capture_snaplen(n: usize) {
    SNAPLEN.with(|l| l.set(n.max(1)));
}

/// The snap length set by [`set_capture_snaplen`] (unlimited when not set).
pub fn capture_snaplen() -> usize {
    SNAPLEN.with(Cell::get)
}

/// Cut strings and buffers at `n` bytes as strace's `-s N` does, on this thread. The default
/// is no limit beyond the capture's own snap length, which then plays the part of `-s`: a
/// capture made with `-s 80` reads like `strace -s 80`.
pub fn set_string_limit(n: usize) {
    LIMIT.with(|l| l.set(n.max(1)));
}

/// The current limit (see [`set_string_limit`]).
pub fn string_limit() -> usize {
    LIMIT.with(Cell::get)
}

/// Quote `data` as strace does, in octal escapes (or all in `\xNN` when `hex`).
pub fn quote(data: &[u8], hex: bool) -> String {
    let mut s = String::with_capacity(data.len() + 2);
    s.push('"');
    let hex = hex
        || match HEX.with(Cell::get) {
            0 => false,
            1 => data.iter().any(|&c| needs_octal(c)),
            _ => true,
        };
    if hex {
        for b in data {
            s.push_str(&format!("\\x{b:02x}"));
        }
        s.push('"');
        return s;
    }
    for (i, &c) in data.iter().enumerate() {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x0c => s.push_str("\\f"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x0b => s.push_str("\\v"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let next_is_digit = data.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                if next_is_digit {
                    s.push_str(&format!("\\{c:03o}"));
                } else {
                    s.push_str(&format!("\\{c:o}"));
                }
            }
        }
    }
    s.push('"');
    s
}

/// A command name as strace's `-Y` shows it between `<` and `>`: quoted as a string is, without
/// the quotes, `<` and `>` in octal.
pub fn comm(data: &[u8]) -> String {
    let q = quote(data, false);
    q[1..q.len() - 1].replace('<', "\\74").replace('>', "\\76")
}

/// Whether strace escapes `c` in octal (it has no printable form nor a named escape).
fn needs_octal(c: u8) -> bool {
    !matches!(c, 0x20..=0x7e | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c)
}

/// A path (`printpath`): the whole string, `...` after it when the capture cut it.
pub fn path(data: &[u8], trunc: bool) -> String {
    let mut s = quote(data, false);
    if trunc {
        s.push_str("...");
    }
    s
}

/// A NUL-terminated string that is not a path (`printstr`): at most [`string_limit`] bytes,
/// `...` when longer or when the capture cut it.
pub fn cstr(data: &[u8], trunc: bool) -> String {
    let max = string_limit();
    if data.len() > max {
        let mut s = quote(&data[..max], false);
        s.push_str("...");
        return s;
    }
    let mut s = quote(data, false);
    if trunc {
        s.push_str("...");
    }
    s
}

/// A buffer of `len` bytes of which `data` were captured (`printstrn`): at most
/// [`string_limit`] bytes, `...` when `len` is longer than what is shown.
pub fn buf(data: &[u8], len: u64, hex: bool) -> String {
    let want = usize::try_from(len)
        .unwrap_or(usize::MAX)
        .min(string_limit());
    let shown = &data[..want.min(data.len())];
    let mut s = quote(shown, hex);
    if len > shown.len() as u64 {
        s.push_str("...");
    }
    s
}

/// Printable text for sysdig's views: bytes outside 0x20..0x7e become `.` (sysdig shows
/// buffers this way in `evt.info` and `evt.arg.data`).
pub fn printable(data: &[u8]) -> String {
    data.iter()
        .map(|&c| {
            if (0x20..=0x7e).contains(&c) {
                c as char
            } else {
                '.'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn x_and_xx_show_strings_in_hex_as_strace_does() {
        super::set_hex_strings(1);
        assert_eq!(super::quote(b"ab\n", false), "\"ab\\n\"");
        assert_eq!(super::quote(b"a\x01b", false), "\"\\x61\\x01\\x62\"");
        super::set_hex_strings(2);
        assert_eq!(super::quote(b"ab", false), "\"\\x61\\x62\"");
        super::set_hex_strings(0);
        assert_eq!(super::quote(b"a\x01b", false), "\"a\\1b\"");
    }

    use super::*;

    #[test]
    fn quote_like_strace() {
        set_string_limit(MAX_STRLEN);
        // read(3, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\0\0\0\0\0\0\0\0"..., 832)
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0\0\0\0\0\0\0\0\0";
        assert_eq!(
            buf(elf, 832, false),
            r#""\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\0\0\0\0\0\0\0\0"..."#
        );
        assert_eq!(quote(b"a\0" as &[u8], false), r#""a\0""#);
        assert_eq!(quote(b"\x001", false), r#""\0001""#);
        assert_eq!(quote(b"\x1b[0m\n\t\"\\", false), r#""\33[0m\n\t\"\\""#);
        assert_eq!(quote(b"\xc3\xa9", false), r#""\303\251""#);
    }

    #[test]
    fn unlimited_by_default() {
        let text = [b'x'; 100];
        assert_eq!(
            buf(&text[..80], 832, false),
            format!("\"{}\"...", "x".repeat(80))
        );
        assert_eq!(buf(&text, 100, false), format!("\"{}\"", "x".repeat(100)));
    }

    #[test]
    fn getrandom_is_hex() {
        let b = [0x9e, 0xe9, 0x82, 0x7a, 0x34, 0xb5, 0x77, 0x92];
        assert_eq!(buf(&b, 8, true), r#""\x9e\xe9\x82\x7a\x34\xb5\x77\x92""#);
    }

    #[test]
    fn cut_at_32() {
        set_string_limit(MAX_STRLEN);
        let text = b"total 696\ndrwxr-xr-x 71 root    root";
        assert_eq!(
            buf(text, 4096, false),
            r#""total 696\ndrwxr-xr-x 71 root    "..."#
        );
        assert_eq!(buf(b"hello\n", 6, false), r#""hello\n""#);
        // Captured less than shown: the snap length cut it.
        assert_eq!(buf(b"hel", 6, false), r#""hel"..."#);
        assert_eq!(cstr(&[b'a'; 32], false), format!("\"{}\"", "a".repeat(32)));
        assert_eq!(
            cstr(&[b'a'; 33], false),
            format!("\"{}\"...", "a".repeat(32))
        );
        assert_eq!(path(b"/etc/hosts", false), r#""/etc/hosts""#);
        assert_eq!(path(b"/very/long", true), r#""/very/long"..."#);
    }

    #[test]
    fn printable_dots() {
        assert_eq!(printable(b"GET /\r\n"), "GET /..");
    }
}
