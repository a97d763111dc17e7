//! Live terminal views for `top`, `iftop`, `topconns` and `topfiles`, as csysdig shows them:
//! full screen, refreshed every second, sorted by any column, with a drill-down from containers
//! to their processes to one process's fds and connections, a filter typed in the view, and `q`
//! to quit.
//!
//! How it fits (the decision, also in the README): a view is a [`Printer`], so a live capture
//! runs it exactly as it runs the plain analyzers (`live::capture_and_print`): the pipeline
//! keeps the state and applies the command line's filter, and the view counts the events it is
//! given ([`model::Counters`]). The engine's poll loop calls [`Printer::poll`] at least ten
//! times a second; the view reads the keyboard there without waiting (crossterm's
//! `event::poll` with a zero timeout), closes its interval and redraws once a second or at once
//! after a key, and returns false on `q`, which stops the engine as `-n` or Ctrl-C would. The
//! command traced (`-- COMMAND`) gets /dev/null for its stdio so that it cannot draw over the
//! view or read its keys. The terminal is restored on every way out ([`term`]).
//!
//! Used only when stdout is a terminal and `-j` is not given; otherwise the analyzers print
//! their plain tables as before.
//!
//! - [`model`]: counters per interval and the rows of each level.
//! - [`view`]: drawing a frame.
//! - [`term`]: raw mode, the alternate screen, and restoring them.

pub mod model;
pub mod term;
pub mod view;

use std::io::{self, Write};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::widgets::TableState;
use syspect_capture::engine::Stats;
use syspect_capture::event::EventKind;
use syspect_filter::Filter;

use crate::analyzers::{AnalyzerOptions, Group};
use crate::fields::EventFields;
use crate::output::{Ctx, Printer};
use crate::select;
use crate::state::State;
use model::{Counters, Key, Kind, Level, Row};
use term::{Input, Screen};
use view::{Page, Status};

/// How often the view closes an interval and redraws.
const REFRESH: Duration = Duration::from_secs(1);

/// Whether analyzer `name` has a terminal view.
pub fn has_view(name: &str) -> bool {
    matches!(name, "top" | "iftop" | "topconns" | "topfiles")
}

/// One level of the drill-down and what is selected in it: a row the user moved to is followed
/// as the rows are sorted anew (`key`); until then the selection stays at the top.
struct Nav {
    level: Level,
    selected: usize,
    key: Option<Key>,
}

/// A live terminal view (see the module docs).
pub struct TermView {
    command: &'static str,
    kind: Kind,
    engine: &'static str,
    screen: Option<Screen>,
    table: TableState,
    counters: Counters,
    /// The filter typed in the view, with its text.
    filter: Option<(String, Filter)>,
    /// A filter was given on the command line (or `--container`): list only what is counted.
    filtered: bool,
    scratch: Vec<u8>,
    nav: Vec<Nav>,
    /// Sort column and direction per kind of level ([`Level::slot`]).
    sort: [Option<usize>; 5],
    reverse: [bool; 5],
    rows: Vec<Row>,
    /// A filter being typed.
    input: Option<String>,
    error: Option<String>,
    interval_start: Instant,
    events_at_start: u64,
    events_per_s: f64,
    drops: u64,
    dirty: bool,
    quit: bool,
}

impl TermView {
    /// The view of analyzer `name` (one [`has_view`] accepts). `filtered`: the capture has a
    /// filter of its own, so idle processes are not listed.
    pub fn new(name: &'static str, opts: &AnalyzerOptions, filtered: bool) -> TermView {
        let (kind, level) = match name {
            "iftop" => (Kind::Conns { interval: true }, Level::Conns),
            "topconns" => (Kind::Conns { interval: false }, Level::Conns),
            "topfiles" => (Kind::Files, Level::Files),
            _ if opts.group == Group::Container => (Kind::Top, Level::Containers),
            _ => (Kind::Top, Level::Processes { container: None }),
        };
        let mut sort = [None; 5];
        // `--sort time|io` picks top's first column.
        let top_sort = match opts.sort.as_deref() {
            Some("time") => Some(3),
            Some("io") => Some(4),
            _ => None,
        };
        if let Some(c) = top_sort {
            sort[Level::Processes { container: None }.slot()] = Some(c);
            sort[Level::Containers.slot()] = Some(c + 1);
        }
        TermView {
            command: name,
            kind,
            engine: "",
            screen: None,
            table: TableState::default(),
            counters: Counters::default(),
            filter: None,
            filtered,
            scratch: Vec::new(),
            nav: vec![Nav {
                level,
                selected: 0,
                key: None,
            }],
            sort,
            reverse: [false; 5],
            rows: Vec::new(),
            input: None,
            error: None,
            interval_start: Instant::now(),
            events_at_start: 0,
            events_per_s: 0.0,
            drops: 0,
            dirty: true,
            quit: false,
        }
    }

    fn top(&self) -> &Nav {
        &self.nav[self.nav.len() - 1]
    }

    fn top_mut(&mut self) -> &mut Nav {
        let n = self.nav.len() - 1;
        &mut self.nav[n]
    }

    fn sort_col(&self) -> usize {
        let level = &self.top().level;
        self.sort[level.slot()].unwrap_or_else(|| level.default_sort())
    }

    /// Recompute the rows of the current level, keeping the selected row selected.
    fn refresh(&mut self, state: &State) {
        let only = self.filtered || self.filter.is_some();
        let level = self.top().level.clone();
        let mut rows = self.counters.rows(&level, state, self.kind, only);
        model::sort(
            &mut rows,
            self.sort_col(),
            level.default_sort(),
            self.reverse[level.slot()],
        );
        let nav = self.top_mut();
        if let Some(i) = nav
            .key
            .as_ref()
            .and_then(|k| rows.iter().position(|r| r.key == *k))
        {
            nav.selected = i;
        }
        nav.selected = nav.selected.min(rows.len().saturating_sub(1));
        self.rows = rows;
    }

    fn draw(&mut self) -> io::Result<()> {
        let Some(screen) = self.screen.as_mut() else {
            return Ok(());
        };
        let level = &self.nav[self.nav.len() - 1].level;
        let sort = self.sort[level.slot()].unwrap_or_else(|| level.default_sort());
        let page = Page {
            command: self.command,
            engine: self.engine,
            events_per_s: self.events_per_s,
            drops: self.drops,
            filter: self.filter.as_ref().map_or("", |(t, _)| t.as_str()),
            crumbs: self.nav.iter().map(|n| n.level.title()).collect(),
            columns: level.columns(),
            sort,
            reverse: self.reverse[level.slot()],
            rows: &self.rows,
            selected: self.nav[self.nav.len() - 1].selected,
            status: match (&self.input, &self.error) {
                (Some(t), _) => Status::Typing(t),
                (None, Some(e)) => Status::Error(e),
                (None, None) => Status::Keys,
            },
        };
        let table = &mut self.table;
        screen
            .terminal
            .draw(|f| view::draw(f, &page, table))
            .map(|_| ())
    }

    /// Close the interval: rates, and the engine's counters. (Both engines send CPU samples.)
    fn close_interval(&mut self, state: &State, stats: Stats) {
        let span = self.interval_start.elapsed();
        self.interval_start = Instant::now();
        self.counters.close(span.as_nanos() as u64);
        self.counters.forget_gone(state);
        let secs = span.as_secs_f64().max(1e-3);
        self.events_per_s = stats.events.saturating_sub(self.events_at_start) as f64 / secs;
        self.events_at_start = stats.events;
        self.drops = stats.drops;
    }

    /// One key press.
    fn key(&mut self, k: KeyEvent) {
        if let Some(text) = self.input.as_mut() {
            match k.code {
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Enter => {
                    let text = self.input.take().unwrap_or_default();
                    self.apply_filter(text);
                }
                KeyCode::Esc => self.input = None,
                KeyCode::Char('c') => self.quit = true,
                _ => {}
            }
            return;
        }
        self.error = None;
        let page = self
            .screen
            .as_ref()
            .and_then(|s| s.terminal.size().ok())
            .map_or(10, |s| s.height.saturating_sub(5).max(1) as usize);
        let ncols = self.top().level.columns().len();
        let slot = self.top().level.slot();
        match k.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => self.quit = true,
            KeyCode::Up | KeyCode::Char('k') => self.select(|i| i.saturating_sub(1)),
            KeyCode::Down | KeyCode::Char('j') => self.select(|i| i + 1),
            KeyCode::PageUp => self.select(|i| i.saturating_sub(page)),
            KeyCode::PageDown => self.select(|i| i + page),
            KeyCode::Home => self.select(|_| 0),
            KeyCode::End => self.select(|_| usize::MAX),
            KeyCode::Left | KeyCode::Char('<') => {
                self.sort[slot] = Some((self.sort_col() + ncols - 1) % ncols);
            }
            KeyCode::Right | KeyCode::Char('>') => {
                self.sort[slot] = Some((self.sort_col() + 1) % ncols);
            }
            KeyCode::Char('r') => self.reverse[slot] = !self.reverse[slot],
            KeyCode::Enter => self.drill_down(),
            KeyCode::Backspace | KeyCode::Esc if self.nav.len() > 1 => {
                self.nav.pop();
            }
            KeyCode::Char('/') | KeyCode::Char('f') => {
                self.input = Some(
                    self.filter
                        .as_ref()
                        .map(|(t, _)| t.clone())
                        .unwrap_or_default(),
                );
            }
            _ => {}
        }
    }

    fn select(&mut self, f: impl FnOnce(usize) -> usize) {
        let n = self.rows.len();
        let selected = f(self.top().selected).min(n.saturating_sub(1));
        let key = self.rows.get(selected).map(|r| r.key.clone());
        let nav = self.top_mut();
        nav.selected = selected;
        nav.key = key;
    }

    fn drill_down(&mut self) {
        let Some(key) = self.rows.get(self.top().selected).map(|r| r.key.clone()) else {
            return;
        };
        let level = match (&self.top().level, key) {
            (Level::Containers, Key::Container { id, name }) => Level::Processes {
                container: Some((id, name)),
            },
            (Level::Processes { .. } | Level::Conns | Level::Files, Key::Process { pid, name }) => {
                Level::Fds { pid, name }
            }
            _ => {
                self.error = Some("nothing below this level (Esc goes up)".into());
                return;
            }
        };
        self.nav.push(Nav {
            level,
            selected: 0,
            key: None,
        });
    }

    fn apply_filter(&mut self, text: String) {
        let text = text.trim().to_owned();
        if text.is_empty() {
            self.filter = None;
        } else {
            match select::compile(&text) {
                Ok(f) => self.filter = Some((text, f)),
                Err(e) => {
                    let first = e.lines().next().unwrap_or("bad filter").to_owned();
                    self.error = Some(format!("{first} (in `{text}`); the filter is unchanged"));
                    return;
                }
            }
        }
        self.counters.reset();
    }

    /// Give the terminal back now (on `q`, before the capture winds down).
    fn leave(&mut self) {
        self.screen = None;
    }
}

impl Printer for TermView {
    fn event(&mut self, cx: &Ctx<'_>, _out: &mut dyn Write) -> io::Result<()> {
        let matched = match self.filter.as_ref() {
            Some((_, f)) => f.matches(&mut EventFields {
                cx,
                scratch: &mut self.scratch,
                show: Default::default(),
            }),
            None => true,
        };
        // CPU samples count whatever the view's filter, so that CPU % stays right; only one
        // the filter selects lists its process.
        if matches!(cx.ev.kind, EventKind::Sample { .. }) {
            self.counters.sample_event(cx, matched);
        } else if matched {
            self.counters.event(cx);
        }
        Ok(())
    }

    fn start(&mut self, engine: &'static str) -> io::Result<()> {
        self.engine = engine;
        self.screen = Some(Screen::enter()?);
        self.interval_start = Instant::now();
        Ok(())
    }

    fn poll(&mut self, state: &State, stats: Stats) -> io::Result<bool> {
        if self.quit || self.screen.is_none() {
            return Ok(!self.quit);
        }
        if self.screen.as_ref().map(Screen::input) == Some(Input::Gone) {
            // The terminal closed: stop as on a hang-up, drawing nothing more (crossterm's
            // reader would spin on it).
            self.quit = true;
            self.leave();
            return Ok(false);
        }
        // crossterm keeps the keys it read beyond the first: drain its queue, not just the fd.
        while event::poll(Duration::ZERO)? {
            match event::read()? {
                Event::Key(k) if k.kind == KeyEventKind::Press => {
                    self.key(k);
                    self.dirty = true;
                }
                Event::Resize(..) => self.dirty = true,
                _ => {}
            }
            if self.quit {
                self.leave();
                return Ok(false);
            }
        }
        if self.interval_start.elapsed() >= REFRESH {
            self.close_interval(state, stats);
            self.dirty = true;
        }
        if self.dirty {
            self.dirty = false;
            self.refresh(state);
            self.draw()?;
        }
        Ok(true)
    }

    fn finish(&mut self, _state: &State, _out: &mut dyn Write) -> io::Result<()> {
        self.leave();
        Ok(())
    }
}
