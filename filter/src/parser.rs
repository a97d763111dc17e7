//! The parser: a recursive-descent parser over the [`lexer`](crate::lexer), building an
//! [`Expr`] with spans.
//!
//! # Grammar
//!
//! ```text
//! filter  := or EOF
//! or      := and ( "or" and )*
//! and     := not ( "and" not )*
//! not     := "not" not | primary
//! primary := "(" or ")" | check
//! check   := field "exists"
//!          | field VALUE_OP value
//!          | field LIST_OP "(" [ value ( "," value )* ] ")"
//! field   := NAME [ "[" ( BARE_ARG | QUOTED ) "]" ]      -- no space before "["
//! value   := BARE_VALUE | QUOTED
//!
//! VALUE_OP := "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
//!           | "contains" | "icontains" | "bcontains" | "startswith" | "bstartswith"
//!           | "endswith" | "glob" | "iglob" | "regex"
//! LIST_OP  := "in" | "intersects" | "pmatch"
//! NAME     := a letter, then letters, digits, "_" or "-", with at least one "." between
//!             non-empty parts: proc.name, evt.arg.fd, container.label.com.example
//! QUOTED   := '"' ... '"' | "'" ... "'"   (backslash escapes the next character)
//! ```
//!
//! `not` binds tightest, then `and`, then `or`; `a or b and not c` is `a or (b and (not c))`.
//! Keywords and operator words are lowercase, as in sysdig. What makes a BARE_VALUE and a
//! BARE_ARG is in the [`lexer`](crate::lexer) docs: a bare value may hold `/ . - < > ! [ ] * ?`,
//! so `fd.name startswith /proc`, `evt.dir = <` and `fd.name glob /tmp/[ab]*` need no quotes.
//!
//! Parentheses and `not`s nest at most [`MAX_DEPTH`] deep, so no input can exhaust the stack.

use crate::ast::{Arity, Check, Expr, ExprKind, Field, Op, Rhs, Span, Value};
use crate::error::FilterError;
use crate::lexer::{unquote, Lexer, Mode, Token, TokenKind};
use crate::suggest::closest;

/// How deep parentheses and `not`s may nest.
pub const MAX_DEPTH: usize = 100;

/// Parse a filter into its syntax tree.
///
/// ```
/// let expr = syspect_filter::parse("proc.name=nginx and not fd.name startswith '/proc'")?;
/// assert_eq!(expr.to_string(), "proc.name = nginx and not fd.name startswith /proc");
/// # Ok::<(), syspect_filter::FilterError>(())
/// ```
pub fn parse(source: &str) -> Result<Expr, FilterError> {
    let mut parser = Parser {
        lex: Lexer::new(source),
        depth: 0,
    };
    if parser.lex.peek(Mode::Normal)?.kind == TokenKind::Eof {
        return Err(FilterError::Empty {
            span: Span::new(0, source.len()),
        });
    }
    let expr = parser.or()?;
    let end = parser.lex.next(Mode::Normal)?;
    if end.kind != TokenKind::Eof {
        return Err(parser.unexpected("`and`, `or` or the end of the filter", end));
    }
    Ok(expr)
}

/// Whether `text` has the shape of a field name (see NAME in the grammar).
pub fn is_field_name(text: &str) -> bool {
    let mut parts = text.split('.');
    let first = parts.next().unwrap_or("");
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    first
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && part_ok(first)
        && text.contains('.')
        && parts.all(part_ok)
}

struct Parser<'a> {
    lex: Lexer<'a>,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn unexpected(&self, expected: &str, found: Token) -> FilterError {
        FilterError::Unexpected {
            expected: expected.to_string(),
            found: found.describe(self.lex.source()),
            span: found.span,
        }
    }

    fn text(&self, token: Token) -> &'a str {
        token.text(self.lex.source())
    }

    /// Whether the next token is the keyword `word`.
    fn at_keyword(&self, word: &str) -> Result<bool, FilterError> {
        let token = self.lex.peek(Mode::Normal)?;
        Ok(token.kind == TokenKind::Word && self.text(token) == word)
    }

    fn enter(&mut self, at: Span) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::TooDeep {
                limit: MAX_DEPTH,
                span: at,
            });
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        self.chain("or", Self::and, ExprKind::Or)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        self.chain("and", Self::not, ExprKind::And)
    }

    /// `operand ( keyword operand )*`, as one node when there are two operands or more.
    fn chain(
        &mut self,
        keyword: &str,
        operand: fn(&mut Self) -> Result<Expr, FilterError>,
        node: fn(Vec<Expr>) -> ExprKind,
    ) -> Result<Expr, FilterError> {
        let first = operand(self)?;
        if !self.at_keyword(keyword)? {
            return Ok(first);
        }
        let mut span = first.span;
        let mut operands = vec![first];
        while self.at_keyword(keyword)? {
            self.lex.next(Mode::Normal)?;
            let next = operand(self)?;
            span = span.to(next.span);
            operands.push(next);
        }
        Ok(Expr {
            kind: node(operands),
            span,
        })
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if !self.at_keyword("not")? {
            return self.primary();
        }
        let keyword = self.lex.next(Mode::Normal)?;
        self.enter(keyword.span)?;
        let operand = self.not()?;
        self.depth -= 1;
        Ok(Expr {
            span: keyword.span.to(operand.span),
            kind: ExprKind::Not(Box::new(operand)),
        })
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        let token = self.lex.next(Mode::Normal)?;
        match token.kind {
            TokenKind::LParen => {
                self.enter(token.span)?;
                let inner = self.or()?;
                let close = self.lex.next(Mode::Normal)?;
                if close.kind != TokenKind::RParen {
                    return Err(self.unexpected("`)`, `and` or `or`", close));
                }
                self.depth -= 1;
                Ok(inner)
            }
            TokenKind::Word if is_field_name(self.text(token)) => self.check(token),
            _ => Err(self.unexpected("a field name such as `proc.name`", token)),
        }
    }

    fn check(&mut self, name: Token) -> Result<Expr, FilterError> {
        let field = self.field(name)?;
        let (op, op_span) = self.operator()?;
        let rhs = match op.arity() {
            Arity::Unary => Rhs::None,
            Arity::Value => Rhs::Value(self.value()?),
            Arity::List => self.list(op)?,
        };
        let end = match &rhs {
            Rhs::None => op_span,
            Rhs::Value(v) => v.span,
            Rhs::List(_, span) => *span,
        };
        Ok(Expr {
            span: field.span.to(end),
            kind: ExprKind::Check(Check {
                field,
                op,
                op_span,
                rhs,
            }),
        })
    }

    fn field(&mut self, name: Token) -> Result<Field, FilterError> {
        let mut field = Field {
            name: self.text(name).to_string(),
            arg: None,
            span: name.span,
        };
        if !self.lex.next_byte_is(b'[') {
            return Ok(field);
        }
        self.lex.next(Mode::Normal)?;
        let arg = self.lex.next(Mode::FieldArg)?;
        if !matches!(arg.kind, TokenKind::Word | TokenKind::Str) {
            let expected = format!(
                "an argument for `{}` such as `{}[1]`",
                field.name, field.name
            );
            return Err(self.unexpected(&expected, arg));
        }
        let close = self.lex.next(Mode::FieldArg)?;
        if close.kind != TokenKind::RBracket {
            return Err(self.unexpected("`]`", close));
        }
        field.arg = Some(Value {
            text: unquote(self.text(arg)),
            span: arg.span,
        });
        field.span = field.span.to(close.span);
        Ok(field)
    }

    fn operator(&mut self) -> Result<(Op, Span), FilterError> {
        let token = self.lex.next(Mode::Normal)?;
        let text = self.text(token);
        if matches!(token.kind, TokenKind::Word | TokenKind::Symbol) {
            if let Some(op) = Op::from_text(text) {
                return Ok((op, token.span));
            }
            let names = Op::ALL.iter().map(|op| op.as_str());
            let suggestion = if text == "!" {
                Some("!=")
            } else {
                closest(text, names)
            };
            if let Some(suggestion) = suggestion {
                return Err(FilterError::UnknownOperator {
                    found: text.to_string(),
                    suggestion: Some(suggestion.to_string()),
                    span: token.span,
                });
            }
        }
        Err(self.unexpected("an operator such as `=`, `contains` or `in`", token))
    }

    fn value(&mut self) -> Result<Value, FilterError> {
        let token = self.lex.next(Mode::Value)?;
        match token.kind {
            TokenKind::Word | TokenKind::Str => Ok(Value {
                text: unquote(self.text(token)),
                span: token.span,
            }),
            _ => Err(self.unexpected("a value", token)),
        }
    }

    fn list(&mut self, op: Op) -> Result<Rhs, FilterError> {
        let open = self.lex.next(Mode::Value)?;
        if open.kind != TokenKind::LParen {
            let expected = format!("a list such as `(a, b)` after `{op}`");
            return Err(self.unexpected(&expected, open));
        }
        let mut values = Vec::new();
        if self.lex.peek(Mode::Value)?.kind == TokenKind::RParen {
            let close = self.lex.next(Mode::Value)?;
            return Ok(Rhs::List(values, open.span.to(close.span)));
        }
        loop {
            values.push(self.value()?);
            let next = self.lex.next(Mode::Value)?;
            match next.kind {
                TokenKind::Comma => continue,
                TokenKind::RParen => return Ok(Rhs::List(values, open.span.to(next.span))),
                _ => return Err(self.unexpected("`,` or `)`", next)),
            }
        }
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
