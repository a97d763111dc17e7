//! `httplog`: a line per HTTP request and its response, as sysdig's `httplog` chisel prints
//! them: `2018-08-17 17:35:48.586317233 > method=GET url=www.google.com/ response_code=200
//! latency=37ms size=0B`.
//!
//! As in the chisel, a request is a socket read or write whose data starts `METHOD URL` (the
//! URL prefixed with the `Host:` header's value when the captured bytes hold it), and the next
//! read or write on the same fd of the same process whose data holds `HTTP/x CODE` is its
//! response (`size` from its `Content-Length`, 0 when not captured). `>` marks a request the
//! process wrote (a client), `<` one it read (a server). Only the captured bytes are seen: a
//! live `httplog` captures 1024 bytes of each buffer, as the chisel asks of sysdig.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::json;
use syspect_capture::event::{FdKind, Tid};

use super::{io_data, io_of, Analyzer};
use crate::output::time::datetime;
use crate::output::Ctx;
use crate::state::State;

/// How many bytes of each buffer a live `httplog` captures (the chisel's snap length).
pub const SNAPLEN: usize = 1024;

struct Request {
    method: String,
    url: String,
    ts: u64,
    /// `>` written, `<` read.
    dir: char,
}

/// An HTTP request and its response.
pub struct Transaction {
    pub method: String,
    pub url: String,
    /// `>` the process wrote the request (a client), `<` it read it (a server).
    pub dir: char,
    /// When the request was read or written, ns.
    pub start: u64,
    /// When the response was, ns.
    pub end: u64,
    pub code: u64,
    /// The response's `Content-Length`, 0 when not captured.
    pub size: u64,
}

/// Pairs requests with their responses: requests waiting for theirs, by process and fd.
#[derive(Default)]
pub struct Transactions {
    open: HashMap<(Tid, i32), Request>,
}

impl Transactions {
    /// The transaction event `cx` completes (its response), if any.
    pub fn event(&mut self, cx: &Ctx<'_>) -> Option<Transaction> {
        let (fd, _, write) = io_of(cx)?;
        let socket = cx
            .state
            .fds
            .get(cx.ev.pid, fd)
            .is_some_and(|f| matches!(f.kind, FdKind::Ipv4 | FdKind::Ipv6 | FdKind::Unix));
        if !socket {
            return None;
        }
        let data = io_data(cx, write).concat();
        let key = (cx.ev.pid, fd);
        let Some(req) = self.open.get(&key) else {
            if let Some((method, url)) = request(&data) {
                let dir = if write { '>' } else { '<' };
                let ts = cx.ev.ts;
                self.open.insert(
                    key,
                    Request {
                        method,
                        url,
                        ts,
                        dir,
                    },
                );
            }
            return None;
        };
        let (code, size) = response(&data)?;
        let t = Transaction {
            method: req.method.clone(),
            url: req.url.clone(),
            dir: req.dir,
            start: req.ts,
            end: cx.ev.ts,
            code,
            size,
        };
        self.open.remove(&key);
        Some(t)
    }
}

/// A line per transaction, as it completes.
#[derive(Default)]
pub struct HttpLog {
    transactions: Transactions,
    json: Vec<serde_json::Value>,
}

/// The run of visible ASCII characters (no space) at the start of `b`.
fn graphic(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_graphic()).count();
    &b[..n]
}

/// The first place `needle` occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of header `name` (`Host: `), when the line ends within the bytes.
fn header<'a>(data: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let at = find(data, name)? + name.len();
    let v = graphic(&data[at..]);
    data[at + v.len()..].starts_with(b"\r\n").then_some(v)
}

/// `METHOD URL` at the start of `data`.
fn request(data: &[u8]) -> Option<(String, String)> {
    let m = data.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if m == 0 || data.get(m) != Some(&b' ') {
        return None;
    }
    let url = graphic(&data[m + 1..]);
    if url.is_empty() {
        return None;
    }
    let mut full = header(data, b"Host: ").unwrap_or_default().to_vec();
    full.extend_from_slice(url);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Some((text(&data[..m]), text(&full)))
}

/// `HTTP/x CODE` anywhere in `data`: the code and the `Content-Length` (0 when absent).
fn response(data: &[u8]) -> Option<(u64, u64)> {
    let at = find(data, b"HTTP/")? + 5;
    let rest = &data[at..];
    let version = graphic(rest);
    let after = rest.get(version.len() + 1..)?;
    if version.is_empty() || rest[version.len()] != b' ' {
        return None;
    }
    let digits = after.iter().take_while(|c| c.is_ascii_digit()).count();
    let code = std::str::from_utf8(&after[..digits]).ok()?.parse().ok()?;
    let length = header(data, b"Content-Length: ")
        .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or(0);
    Some((code, length))
}

impl Analyzer for HttpLog {
    fn event(&mut self, _cx: &Ctx<'_>) {}

    fn event_out(&mut self, cx: &Ctx<'_>, out: &mut dyn Write) -> io::Result<()> {
        let Some(t) = self.transactions.event(cx) else {
            return Ok(());
        };
        let ms = t.end.saturating_sub(t.start) / 1_000_000;
        writeln!(
            out,
            "{} {} method={} url={} response_code={} latency={ms}ms size={}B",
            datetime(t.end),
            t.dir,
            t.method,
            t.url,
            t.code,
            t.size
        )?;
        self.json.push(json!({
            "time": datetime(t.end),
            "dir": t.dir.to_string(),
            "method": t.method,
            "url": t.url,
            "response_code": t.code,
            "latency_ms": ms,
            "size": t.size,
            "pid": cx.ev.pid,
        }));
        Ok(())
    }

    fn streaming(&self) -> bool {
        true
    }

    fn report(&mut self, _state: &State, json: bool, out: &mut dyn Write) -> io::Result<()> {
        if json {
            serde_json::to_writer(&mut *out, &self.json)?;
            writeln!(out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_as_the_chisel_reads_them() {
        let get = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\r\n";
        assert_eq!(
            request(get),
            Some(("GET".into(), "example.com/index.html".into()))
        );
        // the Host line cut short by the snap length: the path alone
        assert_eq!(
            request(b"POST /api HTTP/1.1\r\nHost: exam"),
            Some(("POST".into(), "/api".into()))
        );
        assert_eq!(request(b"get / HTTP/1.1\r\n"), None);
        assert_eq!(request(b"GET  /"), None);
        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nServer: y\r\n";
        assert_eq!(response(ok), Some((200, 1234)));
        assert_eq!(response(b"HTTP/1.0 404 Not Found\r\n"), Some((404, 0)));
        assert_eq!(response(b"xxHTTP/2 301 \r\n"), Some((301, 0)));
        assert_eq!(response(b"GET / HTTP/1.1\r\n"), None);
    }
}
