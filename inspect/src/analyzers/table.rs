//! Aligned text tables for people, JSON arrays of objects for scripts: every analyzer reports
//! through [`Table`], so both forms always hold the same data.

use std::io::{self, Write};

use serde_json::{Map, Value};

/// A cell: text, or a number (right-aligned, JSON number).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64, usize),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f, p) => format!("{f:.p$}"),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(i) => Value::from(*i),
            Cell::Float(f, _) => Value::from(*f),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<u64> for Cell {
    fn from(i: u64) -> Cell {
        Cell::Int(i.min(i64::MAX as u64) as i64)
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Int(i)
    }
}

impl From<u32> for Cell {
    fn from(i: u32) -> Cell {
        Cell::Int(i as i64)
    }
}

impl From<i32> for Cell {
    fn from(i: i32) -> Cell {
        Cell::Int(i as i64)
    }
}

/// A table with named columns.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// A last line set apart (strace -c's `total`).
    pub footer: Option<Vec<Cell>>,
    /// Widths the text columns have at least (strace -c's fixed layout), by position.
    pub min_widths: Vec<usize>,
}

impl Table {
    pub fn new(columns: &[&'static str]) -> Table {
        Table {
            columns: columns.to_vec(),
            ..Default::default()
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// Write as aligned text (numbers right-aligned, the last column left-aligned and unpadded).
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let all: Vec<&Vec<Cell>> = self.rows.iter().chain(self.footer.iter()).collect();
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| c.len().max(self.min_widths.get(i).copied().unwrap_or(0)))
            .collect();
        for r in &all {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.text().chars().count());
                }
            }
        }
        // a column is numeric unless it holds text; one left all empty (strace -c's errors,
        // when there are none) is taken as numeric too, so that its header stays right-aligned
        let numeric: Vec<bool> = (0..self.columns.len())
            .map(|i| {
                !self
                    .rows
                    .iter()
                    .any(|r| matches!(r.get(i), Some(Cell::Text(t)) if !t.is_empty()))
            })
            .collect();
        let line = |cells: Vec<String>, out: &mut dyn Write| -> io::Result<()> {
            let last = cells.len().saturating_sub(1);
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                let w = widths[i];
                if i == last && !numeric[i] {
                    s.push_str(c);
                } else if numeric[i] {
                    s.push_str(&format!("{c:>w$}"));
                } else {
                    s.push_str(&format!("{c:<w$}"));
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        line(self.columns.iter().map(|c| c.to_string()).collect(), out)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(rule.clone(), out)?;
        for r in &self.rows {
            line(r.iter().map(Cell::text).collect(), out)?;
        }
        if let Some(f) = &self.footer {
            line(rule, out)?;
            line(f.iter().map(Cell::text).collect(), out)?;
        }
        Ok(())
    }

    /// Write as one JSON array of objects keyed by column name (the footer as the last object).
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        let objs: Vec<Value> = self
            .rows
            .iter()
            .chain(self.footer.iter())
            .map(|r| {
                let mut m = Map::new();
                for (k, c) in self.columns.iter().zip(r) {
                    m.insert((*k).to_owned(), c.json());
                }
                Value::Object(m)
            })
            .collect();
        serde_json::to_writer(&mut *out, &Value::Array(objs))?;
        writeln!(out)
    }

    pub fn write(&self, json: bool, out: &mut dyn Write) -> io::Result<()> {
        if json {
            self.write_json(out)
        } else {
            self.write_text(out)
        }
    }
}

/// Bytes as a person reads them: `1.0M`, `256K`, `12B`.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "K", "M", "G", "T"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b}B")
    } else {
        format!("{v:.2}{}", UNITS[u])
    }
}

/// The lines a streaming analyzer prints as it goes, kept as a table for a JSON report (`-j`)
/// only: without `-j` nothing is kept, however long the stream.
pub struct JsonLines {
    json: bool,
    table: Table,
}

impl JsonLines {
    /// Lines with these columns, kept when `json`.
    pub fn new(json: bool, columns: &[&'static str]) -> JsonLines {
        JsonLines {
            json,
            table: Table::new(columns),
        }
    }

    /// Keep the row `row` makes, when the report is JSON.
    pub fn push(&mut self, row: impl FnOnce() -> Vec<Cell>) {
        if self.json {
            self.table.row(row());
        }
    }

    /// The analyzer's report: the JSON array of the lines when `json`, else nothing (they
    /// were printed).
    pub fn report(&self, json: bool, out: &mut dyn Write) -> io::Result<()> {
        match json {
            true => self.table.write_json(out),
            false => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_tables_align_numbers_right() {
        let mut t = Table::new(&["calls", "syscall"]);
        t.row(vec![Cell::from(5u64), "read".into()]);
        t.row(vec![Cell::from(123u64), "openat".into()]);
        let mut out = Vec::new();
        t.write_text(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "calls syscall\n----- -------\n    5 read\n  123 openat\n"
        );
    }

    #[test]
    fn json_tables_are_objects() {
        let mut t = Table::new(&["calls", "syscall"]);
        t.row(vec![Cell::from(5u64), "read".into()]);
        let mut out = Vec::new();
        t.write_json(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[{\"calls\":5,\"syscall\":\"read\"}]\n"
        );
    }

    #[test]
    fn bytes_for_people() {
        assert_eq!(human_bytes(12), "12B");
        assert_eq!(human_bytes(1 << 20), "1.00M");
    }
}
