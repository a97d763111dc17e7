//! Drawing one frame of a view: a header (the command, the engine, events per second, drops,
//! the filter), the breadcrumb of the drill-down with the sort column, the table, and a status
//! line (the keys, a filter being typed, or the last error).

use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TRow, Table, TableState};
use ratatui::Frame;

use super::model::{Col, Row};

/// What a frame shows, prepared by the app.
pub struct Page<'a> {
    pub command: &'a str,
    pub engine: &'a str,
    pub events_per_s: f64,
    pub drops: u64,
    pub filter: &'a str,
    pub crumbs: Vec<String>,
    pub columns: &'static [Col],
    pub sort: usize,
    pub reverse: bool,
    pub rows: &'a [Row],
    pub selected: usize,
    pub status: Status<'a>,
}

/// The last line.
pub enum Status<'a> {
    Keys,
    /// A filter being typed.
    Typing(&'a str),
    Error(&'a str),
}

const KEYS: &str =
    "q quit  ↑/↓ select  ←/→ or </> sort column  r reverse  Enter drill down  Esc up  / filter";

pub fn draw(f: &mut Frame<'_>, v: &Page<'_>, state: &mut TableState) {
    let [head, crumbs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(f.area());

    let mut h = vec![
        Span::styled(format!(" syspect {} ", v.command), Style::new().reversed()),
        Span::raw(format!(
            "  engine {}  {:.0} events/s  drops {}",
            v.engine, v.events_per_s, v.drops
        )),
    ];
    if !v.filter.is_empty() {
        h.push(Span::raw("  filter: "));
        h.push(Span::styled(v.filter.to_owned(), Style::new().bold()));
    }
    f.render_widget(Paragraph::new(Line::from(h)), head);

    let sort_title = v.columns.get(v.sort).map(|c| c.title).unwrap_or("");
    let arrow = if v.reverse { "▲" } else { "▼" };
    let crumb = format!(
        " {}   ({} rows, by {sort_title}{arrow})",
        v.crumbs.join(" › "),
        v.rows.len()
    );
    f.render_widget(Paragraph::new(crumb).bold(), crumbs);

    let header = TRow::new(v.columns.iter().enumerate().map(|(i, c)| {
        let title = if i == v.sort {
            format!("{}{arrow}", c.title)
        } else {
            c.title.to_owned()
        };
        let cell = Cell::from(align(&title, c));
        if i == v.sort {
            cell.style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED))
        } else {
            cell
        }
    }))
    .style(Style::new().reversed());
    let widths: Vec<Constraint> = v
        .columns
        .iter()
        .map(|c| match c.width {
            0 => Constraint::Fill(1),
            w => Constraint::Length(w),
        })
        .collect();
    let rows = v.rows.iter().map(|r| {
        TRow::new(
            r.cells
                .iter()
                .zip(v.columns)
                .map(|(cell, c)| Cell::from(align(&cell.text, c))),
        )
    });
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(Style::new().reversed().bold());
    state.select((!v.rows.is_empty()).then_some(v.selected));
    f.render_stateful_widget(table, body, state);

    let line = match &v.status {
        Status::Keys => Line::from(Span::raw(KEYS)).dim(),
        Status::Typing(t) => Line::from(vec![
            Span::styled(" filter: ", Style::new().reversed()),
            Span::raw(format!(" {t}_  (Enter apply, empty clears; Esc cancel)")),
        ]),
        Status::Error(e) => Line::from(Span::raw(e.to_string())).red().bold(),
    };
    f.render_widget(Paragraph::new(line), status);
}

/// A cell's text, numbers right-aligned in their column's width.
fn align(s: &str, c: &Col) -> String {
    if c.numeric && c.width > 0 {
        format!("{s:>w$}", w = c.width as usize)
    } else {
        s.to_owned()
    }
}
