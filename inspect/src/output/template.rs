//! `-p FORMAT` (and `-j -p FORMAT`): each event through a [`Template`].

use std::io::{self, Write};

use crate::fields::format::Template;
use crate::fields::EventFields;

use super::{Ctx, Printer, Show};

/// Prints each event with a `-p` template, as text or as a JSON object.
pub struct TemplatePrinter {
    template: Template,
    json: bool,
    show: Show,
    scratch: Vec<u8>,
    line: String,
}

impl TemplatePrinter {
    pub fn new(template: Template, json: bool, show: Show) -> TemplatePrinter {
        TemplatePrinter {
            template,
            json,
            show,
            scratch: Vec::new(),
            line: String::new(),
        }
    }
}

impl Printer for TemplatePrinter {
    fn event(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut fields = EventFields {
            cx,
            scratch: &mut self.scratch,
            show: self.show,
        };
        if self.json {
            if let Some(obj) = self.template.render_json(&mut fields) {
                serde_json::to_writer(&mut *out, &obj)?;
                out.write_all(b"\n")?;
            }
            return Ok(());
        }
        self.line.clear();
        if self.template.render(&mut fields, &mut self.line) {
            self.line.push('\n');
            out.write_all(self.line.as_bytes())?;
        }
        Ok(())
    }
}
