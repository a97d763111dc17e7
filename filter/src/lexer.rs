//! The lexer: tokens are spans of the source, never copies.
//!
//! sysdig's language is lexed by context: in `evt.dir = <` the `<` is a value, in
//! `proc.pid < 10` it is an operator. So the parser asks for the next token in a [`Mode`]:
//!
//! - [`Mode::Normal`] (field names, operators, `and`/`or`/`not`, parentheses): a word is a run of
//!   characters other than white space and `( ) [ ] , " ' = < > !`.
//! - [`Mode::Value`] (right after an operator, inside a value list): a bare value is a run of
//!   characters other than white space and `( ) , " ' =` — sysdig's bare string — so `/proc`,
//!   `127.0.0.1`, `-1`, `<`, `a[0-9]*` are single values.
//! - [`Mode::FieldArg`] (inside `[...]` after a field name): a run of characters other than white
//!   space, `[ ] " '`.
//!
//! In every mode a `"` or `'` starts a quoted string, which ends at the same quote not escaped
//! by a backslash. [`unquote`] turns its text into the string it means.

use crate::ast::Span;
use crate::error::FilterError;

/// What a token is. Its text is `&source[token.span]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: a field name, a keyword, an operator word or a bare value.
    Word,
    /// A quoted string, quotes included in its span.
    Str,
    /// A comparison symbol: `=` `==` `!=` `<` `<=` `>` `>=`, or a lone `!`.
    Symbol,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// The end of the source (an empty span at its length).
    Eof,
}

/// A token: its kind and where it is in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

impl Token {
    /// The token's text in `source`.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.span.range()).unwrap_or("")
    }

    /// How an error message names this token: "`text`" or "the end of the filter".
    pub fn describe(&self, source: &str) -> String {
        match self.kind {
            TokenKind::Eof => "the end of the filter".to_string(),
            _ => format!("`{}`", self.text(source)),
        }
    }
}

/// Which characters make up a bare word; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Field names, operators and keywords.
    Normal,
    /// A value after an operator or in a list.
    Value,
    /// The argument inside `field[...]`.
    FieldArg,
}

/// White space between tokens (sysdig's: space, tab, newline, carriage return, backspace, and
/// form feed).
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x08 | 0x0c)
}

/// Whether `b` may be part of a bare word in `mode`.
pub fn is_word_byte(b: u8, mode: Mode) -> bool {
    if is_space(b) || matches!(b, b'(' | b')' | b'"' | b'\'') {
        return false;
    }
    match mode {
        Mode::Normal => !matches!(b, b'[' | b']' | b',' | b'=' | b'<' | b'>' | b'!'),
        Mode::Value => !matches!(b, b',' | b'='),
        Mode::FieldArg => !matches!(b, b'[' | b']'),
    }
}

/// A cursor over the source; cheap to copy, so peeking is copying.
#[derive(Debug, Clone, Copy)]
pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    /// The source being lexed.
    pub fn source(&self) -> &'a str {
        self.src
    }

    /// The byte offset of the next unread character.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Whether the next character, with no white space before it, is `b`.
    pub fn next_byte_is(&self, b: u8) -> bool {
        self.src.as_bytes().get(self.pos) == Some(&b)
    }

    /// The next token in `mode`, without consuming it.
    pub fn peek(&self, mode: Mode) -> Result<Token, FilterError> {
        let mut copy = *self;
        copy.next(mode)
    }

    /// Consume and return the next token in `mode`.
    pub fn next(&mut self, mode: Mode) -> Result<Token, FilterError> {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() && is_space(bytes[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&b) = bytes.get(start) else {
            return Ok(self.token(TokenKind::Eof, start, start));
        };
        let single = |kind| (kind, start + 1);
        let (kind, end) = match b {
            b'(' => single(TokenKind::LParen),
            b')' => single(TokenKind::RParen),
            b'[' if mode == Mode::Normal => single(TokenKind::LBracket),
            b']' if mode != Mode::Value => single(TokenKind::RBracket),
            b',' if mode != Mode::FieldArg => single(TokenKind::Comma),
            b'"' | b'\'' => (TokenKind::Str, self.quoted_end(start)?),
            _ if is_word_byte(b, mode) => {
                let len = bytes[start..]
                    .iter()
                    .position(|&c| !is_word_byte(c, mode))
                    .unwrap_or(bytes.len() - start);
                (TokenKind::Word, start + len)
            }
            b'=' | b'!' | b'<' | b'>' => {
                let two = bytes.get(start + 1) == Some(&b'=');
                (TokenKind::Symbol, start + if two { 2 } else { 1 })
            }
            // Only `[`, `]` and `,` in a mode that does not use them are left.
            _ => single(TokenKind::Word),
        };
        Ok(self.token(kind, start, end))
    }

    fn token(&mut self, kind: TokenKind, start: usize, end: usize) -> Token {
        self.pos = end;
        Token {
            kind,
            span: Span::new(start, end),
        }
    }

    /// The end (past the closing quote) of the quoted string starting at `start`.
    fn quoted_end(&self, start: usize) -> Result<usize, FilterError> {
        let bytes = self.src.as_bytes();
        let quote = bytes[start];
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                c if c == quote => return Ok(i + 1),
                _ => i += 1,
            }
        }
        Err(FilterError::UnterminatedString {
            quote: quote as char,
            span: Span::new(start, bytes.len()),
        })
    }
}

/// Every token of `src` in [`Mode::Normal`], ending with [`TokenKind::Eof`].
pub fn tokenize(src: &str) -> Result<Vec<Token>, FilterError> {
    let mut lexer = Lexer::new(src);
    let mut tokens = Vec::new();
    loop {
        let token = lexer.next(Mode::Normal)?;
        tokens.push(token);
        if token.kind == TokenKind::Eof {
            return Ok(tokens);
        }
    }
}

/// The string a quoted token means: the quotes dropped, `\\` `\"` `\'` `\n` `\t` `\r` decoded.
/// A backslash before any other character stays, so `"\d+"` is the regex `\d+`.
/// Text that is not quoted is returned as it is.
pub fn unquote(text: &str) -> String {
    let inner = match text.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) if text.len() >= 2 && text.as_bytes()[text.len() - 1] == q => {
            &text[1..text.len() - 1]
        }
        _ => return text.to_string(),
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(c @ ('\\' | '"' | '\'')) => out.push(c),
            Some(c) => {
                out.push('\\');
                out.push(c);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, mode: Mode) -> Vec<(TokenKind, &str)> {
        let mut lexer = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lexer.next(mode).expect("lexes");
            if t.kind == TokenKind::Eof {
                return out;
            }
            out.push((t.kind, t.text(src)));
        }
    }

    #[test]
    fn normal_mode_splits_fields_symbols_and_parens() {
        use TokenKind::*;
        assert_eq!(
            texts("proc.pid<=10 and not(evt.arg[0]!=x)", Mode::Normal),
            vec![
                (Word, "proc.pid"),
                (Symbol, "<="),
                (Word, "10"),
                (Word, "and"),
                (Word, "not"),
                (LParen, "("),
                (Word, "evt.arg"),
                (LBracket, "["),
                (Word, "0"),
                (RBracket, "]"),
                (Symbol, "!="),
                (Word, "x"),
                (RParen, ")"),
            ]
        );
    }

    #[test]
    fn value_mode_takes_sysdig_bare_strings() {
        use TokenKind::*;
        assert_eq!(
            texts("< /proc/[0-9]* 127.0.0.1, -1) 'a b'", Mode::Value),
            vec![
                (Word, "<"),
                (Word, "/proc/[0-9]*"),
                (Word, "127.0.0.1"),
                (Comma, ","),
                (Word, "-1"),
                (RParen, ")"),
                (Str, "'a b'"),
            ]
        );
        assert_eq!(texts("=x", Mode::Value), vec![(Symbol, "="), (Word, "x")]);
    }

    #[test]
    fn field_arg_mode_stops_at_brackets() {
        use TokenKind::*;
        assert_eq!(
            texts("com.x-y,z]", Mode::FieldArg),
            vec![(Word, "com.x-y,z"), (RBracket, "]")]
        );
    }

    #[test]
    fn quoted_strings_honour_escapes() {
        let src = r#""a \" b" 'c'"#;
        let tokens = tokenize(src).expect("lexes");
        assert_eq!(tokens[0].text(src), r#""a \" b""#);
        assert_eq!(unquote(tokens[0].text(src)), r#"a " b"#);
        assert_eq!(unquote(tokens[1].text(src)), "c");
        assert_eq!(unquote(r#""\d+\\\n""#), "\\d+\\\n");
        assert_eq!(unquote("bare"), "bare");
    }

    #[test]
    fn unterminated_string_is_an_error_with_its_span() {
        let err = tokenize("proc.name = \"bash\\\"").unwrap_err();
        assert_eq!(
            err,
            FilterError::UnterminatedString {
                quote: '"',
                span: Span::new(12, 19)
            }
        );
        assert_eq!(
            err.to_string(),
            "unterminated string: expected a closing \""
        );
    }

    #[test]
    fn non_ascii_text_stays_whole() {
        assert_eq!(
            texts("proc.name=é", Mode::Normal),
            vec![
                (TokenKind::Word, "proc.name"),
                (TokenKind::Symbol, "="),
                (TokenKind::Word, "é")
            ]
        );
    }
}
