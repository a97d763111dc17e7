//! How a data buffer (a read's or write's bytes, sysdig's `data=`) is shown in event text:
//! sysdig's default, with `.` for what is not printable; in base64 (`-b`); or as sysdig's `-A`,
//! `-x` and `-X` show it, on lines of its own after the event's line.
//!
//! The layouts are sysdig's, byte for byte, checked against sysdig 0.29 on the captures in
//! `shared/fixtures/scap` (tests/render.rs):
//! - `-A`: a line end, then the printable bytes; a CR becomes a line end, an LF right after a CR
//!   (or first) is dropped, other bytes are left out;
//! - `-x`: for every 16 bytes, a line end, a tab, the offset (`0x0010:`), and the bytes in hex,
//!   two to a group (`7f45 4c46`); a line end after the last;
//! - `-X`: as `-x`, with the 16 bytes as text (`.` for what is not printable) after the hex,
//!   the groups a short row lacks filled with five spaces each. sysdig counts a last lone byte
//!   as a whole group, so on a row of an odd count the text starts two columns earlier.
//!
//! An empty buffer shows nothing in every style.

use std::fmt::Write;

/// A way of showing data buffers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BufStyle {
    /// Printable bytes as they are, others as `.` (sysdig's default).
    #[default]
    Dots,
    /// Printable text only, with its line ends (sysdig's `-A`).
    Ascii,
    /// A hex dump (sysdig's `-x`).
    Hex,
    /// A hex dump with the bytes as text beside it (sysdig's `-X`).
    HexAscii,
    /// Base64 (sysdig's `-b`), for bytes that must survive copying and pasting.
    Base64,
}

fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

/// Append `data` as `style` shows it.
pub fn buffer_text(style: BufStyle, data: &[u8], out: &mut String) {
    if data.is_empty() {
        return;
    }
    match style {
        BufStyle::Dots => out.extend(
            data.iter()
                .map(|&b| if printable(b) { b as char } else { '.' }),
        ),
        BufStyle::Base64 => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode_string(data, out)
        }
        BufStyle::Ascii => {
            out.push('\n');
            for (i, &b) in data.iter().enumerate() {
                match b {
                    _ if printable(b) => out.push(b as char),
                    b'\r' => out.push('\n'),
                    b'\n' if i > 0 && data[i - 1] != b'\r' => out.push('\n'),
                    _ => {}
                }
            }
        }
        BufStyle::Hex | BufStyle::HexAscii => {
            for (row, bytes) in data.chunks(16).enumerate() {
                let _ = write!(out, "\n\t0x{:04x}:", row * 16);
                let groups = bytes.chunks(2);
                let n = groups.len();
                for g in groups {
                    out.push(' ');
                    for b in g {
                        let _ = write!(out, "{b:02x}");
                    }
                }
                if style == BufStyle::HexAscii {
                    out.extend(std::iter::repeat_n(' ', (8 - n) * 5 + 2));
                    out.extend(
                        bytes
                            .iter()
                            .map(|&b| if printable(b) { b as char } else { '.' }),
                    );
                }
            }
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(style: BufStyle, data: &[u8]) -> String {
        let mut s = String::new();
        buffer_text(style, data, &mut s);
        s
    }

    #[test]
    fn dots_replace_what_is_not_printable() {
        assert_eq!(show(BufStyle::Dots, b"0\r\n\r\n"), "0....");
        assert_eq!(show(BufStyle::Dots, b"\x7fELF\x02"), ".ELF.");
    }

    #[test]
    fn base64_is_the_standard_alphabet_padded() {
        // sysdig 0.29, curl_google.scap event 1412
        assert_eq!(show(BufStyle::Base64, b"0\r\n\r\n"), "MA0KDQo=");
        assert_eq!(show(BufStyle::Base64, b""), "");
    }

    #[test]
    fn ascii_keeps_text_and_line_ends() {
        assert_eq!(show(BufStyle::Ascii, b"0\r\n\r\n"), "\n0\n\n");
        assert_eq!(show(BufStyle::Ascii, b"\nab\tc\nd\x00"), "\nabc\nd");
        assert_eq!(show(BufStyle::Ascii, b""), "");
    }

    #[test]
    fn hex_rows_are_sixteen_bytes_in_groups_of_two() {
        let data: Vec<u8> = (0u8..18).collect();
        assert_eq!(
            show(BufStyle::Hex, &data),
            "\n\t0x0000: 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f\n\t0x0010: 1011\n"
        );
        assert_eq!(show(BufStyle::Hex, b""), "");
    }

    #[test]
    fn hex_ascii_rows_align_as_sysdig_aligns_them() {
        // sysdig 0.29, curl_google.scap event 1412: `0\r\n\r\n`
        assert_eq!(
            show(BufStyle::HexAscii, b"0\r\n\r\n"),
            "\n\t0x0000: 300d 0a0d 0a                           0....\n"
        );
        // an even count: the text where a full row has it
        assert_eq!(
            show(BufStyle::HexAscii, b"url\0"),
            "\n\t0x0000: 7572 6c00                                url.\n"
        );
        let full = show(BufStyle::HexAscii, b".............www");
        assert_eq!(
            full,
            "\n\t0x0000: 2e2e 2e2e 2e2e 2e2e 2e2e 2e2e 2e77 7777  .............www\n"
        );
    }
}
