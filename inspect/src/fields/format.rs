//! `-p FORMAT`: sysdig's output templates. `%field` (with its argument: `%evt.arg.name`,
//! `%proc.aname[2]`) is replaced by the field's value; everything else is copied. As in sysdig,
//! an event for which some field has no value is not printed, unless FORMAT starts with `*`,
//! which prints `<NA>` for such fields. With `-j`, each event is one JSON object holding exactly
//! the format's fields.

use serde_json::{Map, Value as Json};
use syspect_filter::{FieldArg, FieldInfo, FieldRef, Fields, Registry, ResolveError};

use super::extract::value_text;
use super::{EventFields, FieldRegistry, F};
use crate::output::buffer::buffer_text;
use crate::output::time::TimeFmt;

/// One piece of a template.
#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Field {
        name: String,
        id: u32,
        arg: Option<FieldArg>,
    },
}

/// A parsed `-p` template.
#[derive(Clone, Debug)]
pub struct Template {
    pieces: Vec<Piece>,
    /// `*`: print `<NA>` for missing fields instead of skipping the event.
    print_missing: bool,
}

/// A mistake in a template: which field, and why.
#[derive(Debug, thiserror::Error)]
#[error("output format: {0}")]
pub struct FormatError(String);

fn resolve(
    name: &str,
    bracket: Option<&str>,
) -> Result<(FieldInfo, Option<FieldArg>), FormatError> {
    let reg = FieldRegistry;
    let first = bracket.map(FieldArg::from_bracket);
    match reg.resolve(name, first.as_ref()) {
        Ok(i) => return Ok((i, first)),
        Err(ResolveError::BadArgument(r)) => {
            return Err(FormatError(format!("field `{name}`: {r}")))
        }
        Err(ResolveError::Unknown) => {}
    }
    if first.is_none() {
        for (dot, _) in name.rmatch_indices('.') {
            let arg = FieldArg::Key(name[dot + 1..].into());
            if let Ok(i) = reg.resolve(&name[..dot], Some(&arg)) {
                return Ok((i, Some(arg)));
            }
        }
    }
    let hint = syspect_filter::did_you_mean(name, reg.field_names())
        .map(|s| format!(", did you mean `{s}`?"))
        .unwrap_or_default();
    Err(FormatError(format!("unknown field `%{name}`{hint}")))
}

impl Template {
    /// Parse `format`.
    pub fn parse(format: &str) -> Result<Template, FormatError> {
        let (print_missing, body) = match format.strip_prefix('*') {
            Some(rest) => (true, rest),
            None => (false, format),
        };
        let mut pieces = Vec::new();
        let mut text = String::new();
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'.' || b[j] == b'_')
                {
                    j += 1;
                }
                let mut name = &body[start..j];
                // A sentence may end with a dot after a field: `%proc.name.`
                while name.ends_with('.') {
                    name = &name[..name.len() - 1];
                    j -= 1;
                }
                if name.is_empty() {
                    text.push('%');
                    i += 1;
                    continue;
                }
                let mut bracket = None;
                if j < b.len() && b[j] == b'[' {
                    if let Some(end) = body[j..].find(']') {
                        bracket = Some(&body[j + 1..j + end]);
                        j += end + 1;
                    }
                }
                let (info, arg) = resolve(name, bracket)?;
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                let shown = match bracket {
                    Some(br) => format!("{name}[{br}]"),
                    None => name.to_owned(),
                };
                pieces.push(Piece::Field {
                    name: shown,
                    id: info.id,
                    arg,
                });
                i = j;
            } else {
                let ch = body[i..].chars().next().unwrap_or(' ');
                text.push(ch);
                i += ch.len_utf8();
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template {
            pieces,
            print_missing,
        })
    }

    /// The line for one event, or `None` when a field is missing and `*` was not given.
    pub fn render(&self, fields: &mut EventFields<'_, '_>, out: &mut String) -> bool {
        let show = fields.show;
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field { id, arg, .. } => {
                    let f = F::from_id(*id);
                    if f == Some(F::EvtOutputTime) {
                        show.times.write(&mut TimeFmt::default(), fields.cx, out);
                        continue;
                    }
                    match (
                        f,
                        fields.value(FieldRef {
                            id: *id,
                            arg: arg.as_ref(),
                        }),
                    ) {
                        // the buffer's bytes as sysdig shows them, not raw
                        (Some(F::EvtBuffer), Some(syspect_filter::Value::Str(b))) => {
                            buffer_text(show.bufs, b, out)
                        }
                        (Some(f), Some(v)) => value_text(f, v, out),
                        _ if self.print_missing => out.push_str("<NA>"),
                        _ => return false,
                    }
                }
            }
        }
        true
    }

    /// The JSON object of one event: exactly the template's fields.
    pub fn render_json(&self, fields: &mut EventFields<'_, '_>) -> Option<Json> {
        let bufs = fields.show.bufs;
        let mut m = Map::new();
        for p in &self.pieces {
            if let Piece::Field { name, id, arg } = p {
                let f = F::from_id(*id)?;
                let v = match fields.value(FieldRef {
                    id: *id,
                    arg: arg.as_ref(),
                }) {
                    Some(syspect_filter::Value::Int(i)) => Json::from(i),
                    Some(syspect_filter::Value::UInt(u))
                        if !matches!(f, F::EvtTime | F::EvtOutputTime | F::EvtDatetime) =>
                    {
                        Json::from(u)
                    }
                    Some(syspect_filter::Value::Bool(b)) => Json::from(b),
                    // as in text: the buffer as sysdig shows it
                    Some(syspect_filter::Value::Str(b)) if f == F::EvtBuffer => {
                        let mut s = String::new();
                        buffer_text(bufs, b, &mut s);
                        Json::from(s)
                    }
                    Some(v) => {
                        let mut s = String::new();
                        value_text(f, v, &mut s);
                        Json::from(s)
                    }
                    None if self.print_missing => Json::Null,
                    None => return None,
                };
                m.insert(name.clone(), v);
            }
        }
        Some(Json::Object(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_split_fields_and_text() {
        let t = Template::parse("%evt.num %proc.name (%evt.arg.name) %proc.aname[2].").unwrap();
        let names: Vec<String> = t
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Text(s) => format!("T{s}"),
                Piece::Field { name, arg, .. } => format!("F{name}:{arg:?}"),
            })
            .collect();
        assert_eq!(
            names,
            [
                "Fevt.num:None",
                "T ",
                "Fproc.name:None",
                "T (",
                "Fevt.arg.name:Some(Key(\"name\"))",
                "T) ",
                "Fproc.aname[2]:Some(Index(2))",
                "T."
            ]
        );
    }

    #[test]
    fn unknown_fields_are_named_with_a_suggestion() {
        let e = Template::parse("%proc.nmae").unwrap_err().to_string();
        assert!(
            e.contains("unknown field `%proc.nmae`, did you mean `proc.name`?"),
            "{e}"
        );
    }
}
