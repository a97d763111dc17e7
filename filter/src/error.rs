//! The one error type of this crate, and how it is shown to a person.
//!
//! Every variant carries the [`Span`] of the source text it is about, so that
//! [`FilterError::render`] can echo the filter with a caret line under the offending part:
//!
//! ```text
//! filter error: unknown field `proc.nmae`, did you mean `proc.name`?
//!   proc.nmae = bash
//!   ^^^^^^^^^
//! ```

use std::fmt::Write as _;

use crate::ast::Span;
use crate::registry::FieldType;

/// A filter that could not be lexed, parsed or compiled.
///
/// The `Display` text is one lowercase sentence naming what was expected and what was found;
/// [`render`](FilterError::render) adds the source line and a caret line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The filter has nothing but white space: `""`, `"   "`.
    #[error("the filter is empty")]
    Empty {
        /// Where the (empty) filter is.
        span: Span,
    },
    /// A quoted string runs to the end of the filter: `proc.name = "bash`.
    #[error("unterminated string: expected a closing {quote}")]
    UnterminatedString {
        /// The opening quote, `"` or `'`.
        quote: char,
        /// From the opening quote to the end of the filter.
        span: Span,
    },
    /// A token that does not fit the grammar where it stands: `proc.name = bash or`.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the grammar wanted there, e.g. "a field name such as `proc.name`".
        expected: String,
        /// What was there, e.g. "`)`" or "the end of the filter".
        found: String,
        /// The token found.
        span: Span,
    },
    /// A word in operator position that is no operator: `proc.name contain x`.
    #[error("unknown operator `{found}`{}", did_you_mean(.suggestion))]
    UnknownOperator {
        /// The word found.
        found: String,
        /// The closest operator, if one is close.
        suggestion: Option<String>,
        /// The word found.
        span: Span,
    },
    /// A field the registry does not know: `proc.nmae = bash`.
    #[error("unknown field `{name}`{}", did_you_mean(.suggestion))]
    UnknownField {
        /// The field as written (with its argument).
        name: String,
        /// The closest field name the registry knows, if one is close.
        suggestion: Option<String>,
        /// The field as written.
        span: Span,
    },
    /// A field with an argument it does not take: `proc.name[2]`, `proc.aname[x]`.
    #[error("bad argument for field `{field}`: {reason}")]
    BadFieldArgument {
        /// The field's name without its argument.
        field: String,
        /// What the registry said the field takes.
        reason: String,
        /// The field as written.
        span: Span,
    },
    /// An operator that makes no sense for the field's type: `proc.pid contains 1`.
    #[error("operator `{op}` does not apply to field `{field}` ({ty})")]
    OperatorNotAllowed {
        /// The operator, as in the canonical syntax.
        op: String,
        /// The field as written.
        field: String,
        /// The field's type.
        ty: FieldType,
        /// The operator.
        span: Span,
    },
    /// A value that cannot be read as the field's type: `proc.pid = bash`.
    #[error("invalid value `{value}` for field `{field}`: expected {expected}")]
    BadValue {
        /// The value, unquoted.
        value: String,
        /// The field as written.
        field: String,
        /// What the field's type wants, e.g. "an unsigned integer".
        expected: String,
        /// The value.
        span: Span,
    },
    /// A `regex` operand the regex crate rejects: `proc.name regex "(a"`.
    #[error("invalid regex `{pattern}`: {reason}")]
    BadRegex {
        /// The pattern as given.
        pattern: String,
        /// The regex crate's reason, shortened to one line.
        reason: String,
        /// The pattern.
        span: Span,
    },
    /// Parentheses or `not`s nested past [`MAX_DEPTH`](crate::parser::MAX_DEPTH).
    #[error("the filter nests deeper than {limit} levels")]
    TooDeep {
        /// The nesting limit.
        limit: usize,
        /// The token that went past it.
        span: Span,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(", did you mean `{s}`?"),
        None => String::new(),
    }
}

impl FilterError {
    /// The part of the source this error is about.
    pub fn span(&self) -> Span {
        match self {
            FilterError::Empty { span }
            | FilterError::UnterminatedString { span, .. }
            | FilterError::Unexpected { span, .. }
            | FilterError::UnknownOperator { span, .. }
            | FilterError::UnknownField { span, .. }
            | FilterError::BadFieldArgument { span, .. }
            | FilterError::OperatorNotAllowed { span, .. }
            | FilterError::BadValue { span, .. }
            | FilterError::BadRegex { span, .. }
            | FilterError::TooDeep { span, .. } => *span,
        }
    }

    /// The message, then the source line that holds the error, then a caret line under the
    /// offending span (one `^` at the end of the line when the span is empty):
    ///
    /// ```
    /// let err = syspect_filter::parse("proc.name = bash or").unwrap_err();
    /// assert_eq!(
    ///     err.render("proc.name = bash or"),
    ///     "filter error: expected a field name such as `proc.name`, found the end of the filter\n  \
    ///      proc.name = bash or\n                     ^"
    /// );
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("filter error: {self}");
        let span = self.span();
        let start = clamp_to_boundary(source, span.start);
        let end = clamp_to_boundary(source, span.end.max(start));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = source[line_start..line_end].trim_end_matches('\r');
        let _ = write!(out, "\n  {line}\n  ");
        // Keep tabs in the caret line so the carets stay aligned with the echoed text.
        for c in source[line_start..start].chars() {
            out.push(if c == '\t' { '\t' } else { ' ' });
        }
        let width = source[start..end.min(line_end)].chars().count().max(1);
        out.extend(std::iter::repeat_n('^', width));
        out
    }
}

/// `pos` moved down to a char boundary of `source` and at most its length.
fn clamp_to_boundary(source: &str, pos: usize) -> usize {
    let mut pos = pos.min(source.len());
    while !source.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_underlines_the_span() {
        let err = FilterError::UnknownField {
            name: "proc.nmae".into(),
            suggestion: Some("proc.name".into()),
            span: Span::new(0, 9),
        };
        assert_eq!(
            err.render("proc.nmae = bash"),
            "filter error: unknown field `proc.nmae`, did you mean `proc.name`?\n  \
             proc.nmae = bash\n  ^^^^^^^^^"
        );
    }

    #[test]
    fn render_picks_the_line_of_a_multi_line_filter() {
        let src = "proc.name = bash\n\tand fd.nme = x";
        let err = FilterError::UnknownField {
            name: "fd.nme".into(),
            suggestion: None,
            span: Span::new(22, 28),
        };
        assert_eq!(
            err.render(src),
            "filter error: unknown field `fd.nme`\n  \tand fd.nme = x\n  \t    ^^^^^^"
        );
    }

    #[test]
    fn render_survives_spans_out_of_range_and_inside_chars() {
        let err = FilterError::Empty {
            span: Span::new(100, 200),
        };
        assert_eq!(
            err.render("é"),
            "filter error: the filter is empty\n  é\n   ^"
        );
        let err = FilterError::Empty {
            span: Span::new(1, 1),
        };
        assert_eq!(
            err.render("é"),
            "filter error: the filter is empty\n  é\n  ^"
        );
    }
}
