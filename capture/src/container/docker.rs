//! Docker container metadata through the Engine API (bollard): the running containers when a
//! capture starts, then every container created, started or renamed while it runs.
//!
//! bollard is asynchronous; the capture loop is not. [`DockerWatch::connect`] starts one
//! background thread that owns a small current-thread tokio runtime. That thread answers
//! [`DockerWatch::inspect`] requests and follows Docker's event stream, sending a
//! [`ContainerInfo`] for each container event through a channel that the capture loop drains
//! with [`DockerWatch::updates`] (never blocking it). Dropping the [`DockerWatch`] ends the
//! thread.
//!
//! The address is Docker's usual one: `DOCKER_HOST` when set (`unix://PATH`, `tcp://HOST:PORT`),
//! else the unix socket `/var/run/docker.sock`.

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;

use bollard::errors::Error as BollardError;
use bollard::models::{ContainerInspectResponse, EventMessage};
use bollard::query_parameters::{EventsOptions, ListContainersOptions};
use bollard::Docker;
use futures_util::StreamExt;

use super::cgroup;
use crate::event::ContainerInfo;

/// Why Docker could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("cannot reach Docker at {host}: {source}")]
    Connect {
        host: String,
        #[source]
        source: BollardError,
    },
    #[error("Docker at {host} did not answer within {timeout:?}")]
    Timeout { host: String, timeout: Duration },
    #[error("cannot {what}: {source}")]
    Api {
        what: String,
        #[source]
        source: BollardError,
    },
    #[error("cannot start the Docker client: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("the Docker client thread has ended")]
    Gone,
}

/// A request to the client thread.
enum Request {
    Inspect {
        name: String,
        reply: mpsc::Sender<Result<Option<ContainerInfo>, DockerError>>,
    },
}

/// A connection to Docker, followed in a background thread. See the module docs.
pub struct DockerWatch {
    requests: tokio::sync::mpsc::UnboundedSender<Request>,
    updates: mpsc::Receiver<ContainerInfo>,
    host: String,
}

/// The Docker address in use: `DOCKER_HOST`, or the default unix socket.
pub fn host() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_owned())
}

impl DockerWatch {
    /// Connect, list the running containers (returned, with full metadata) and start
    /// following Docker's events. Fails when Docker does not answer within `timeout`.
    pub fn connect(timeout: Duration) -> Result<(DockerWatch, Vec<ContainerInfo>), DockerError> {
        Self::connect_to(&host(), timeout)
    }

    /// [`DockerWatch::connect`] to the Docker at `host` (`unix://PATH`, `tcp://HOST:PORT`).
    pub fn connect_to(
        host: &str,
        timeout: Duration,
    ) -> Result<(DockerWatch, Vec<ContainerInfo>), DockerError> {
        let host = host.to_owned();
        let (init_tx, init_rx) = mpsc::sync_channel(1);
        let (upd_tx, upd_rx) = mpsc::channel();
        let (req_tx, req_rx) = tokio::sync::mpsc::unbounded_channel();
        let thread_host = host.clone();
        std::thread::Builder::new()
            .name("syspect-docker".into())
            .spawn(move || client_thread(thread_host, timeout, init_tx, upd_tx, req_rx))
            .map_err(DockerError::Runtime)?;
        let initial = match init_rx.recv_timeout(timeout + Duration::from_millis(500)) {
            Ok(r) => r?,
            Err(_) => return Err(DockerError::Timeout { host, timeout }),
        };
        let watch = DockerWatch {
            requests: req_tx,
            updates: upd_rx,
            host,
        };
        Ok((watch, initial))
    }

    /// The address this watch talks to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Container records learnt from Docker's events since the last call (never blocks).
    pub fn updates(&self) -> impl Iterator<Item = ContainerInfo> + '_ {
        self.updates.try_iter()
    }

    /// Ask Docker about one container by name, full id or id prefix; `None` when Docker knows
    /// no such container.
    pub fn inspect(
        &self,
        name: &str,
        timeout: Duration,
    ) -> Result<Option<ContainerInfo>, DockerError> {
        let (reply, rx) = mpsc::channel();
        self.requests
            .send(Request::Inspect {
                name: name.to_owned(),
                reply,
            })
            .map_err(|_| DockerError::Gone)?;
        match rx.recv_timeout(timeout) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(DockerError::Timeout {
                host: self.host.clone(),
                timeout,
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(DockerError::Gone),
        }
    }
}

type InitReply = Result<Vec<ContainerInfo>, DockerError>;

/// The background thread: connect, list, then serve requests and follow events until the
/// [`DockerWatch`] is dropped.
fn client_thread(
    host: String,
    timeout: Duration,
    init: mpsc::SyncSender<InitReply>,
    updates: mpsc::Sender<ContainerInfo>,
    mut requests: tokio::sync::mpsc::UnboundedReceiver<Request>,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = init.send(Err(DockerError::Runtime(e)));
            return;
        }
    };
    rt.block_on(async move {
        let docker = match connect(&host, timeout).await {
            Ok(d) => d,
            Err(e) => {
                let _ = init.send(Err(e));
                return;
            }
        };
        // Events since just before the listing: a container started meanwhile is not missed
        // (one seen twice is harmless: a later record replaces an earlier one).
        let since = unix_now_secs();
        let listed = list_running(&docker).await;
        let ok = listed.is_ok();
        if init.send(listed).is_err() || !ok {
            return;
        }
        tokio::spawn(follow_events(docker.clone(), since, updates));
        while let Some(req) = requests.recv().await {
            match req {
                Request::Inspect { name, reply } => {
                    let _ = reply.send(inspect(&docker, &name).await);
                }
            }
        }
    });
}

async fn connect(host: &str, timeout: Duration) -> Result<Docker, DockerError> {
    let err = |source| DockerError::Connect {
        host: host.to_owned(),
        source,
    };
    let docker = Docker::connect_with_host(host)
        .map_err(err)?
        .with_timeout(timeout);
    // Talk the server's API version when it is older than bollard's.
    docker.negotiate_version().await.map_err(err)
}

async fn list_running(docker: &Docker) -> Result<Vec<ContainerInfo>, DockerError> {
    let list = docker
        .list_containers(Some(ListContainersOptions::default()))
        .await
        .map_err(|source| DockerError::Api {
            what: "list Docker containers".into(),
            source,
        })?;
    let mut out = Vec::new();
    for c in list {
        let Some(id) = c.id else { continue };
        // a container that ended between the listing and this call is left out
        if let Ok(Some(info)) = inspect(docker, &id).await {
            out.push(info);
        }
    }
    Ok(out)
}

async fn inspect(docker: &Docker, name: &str) -> Result<Option<ContainerInfo>, DockerError> {
    match docker.inspect_container(name, None).await {
        Ok(r) => Ok(info_of(r)),
        Err(BollardError::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(None),
        Err(source) => Err(DockerError::Api {
            what: format!("inspect Docker container {name}"),
            source,
        }),
    }
}

/// Follow `/events` for container creations, starts and renames; on each, inspect the
/// container and send its record. Reconnects when the stream ends; returns once the capture
/// loop has dropped its receiver.
async fn follow_events(docker: Docker, mut since: u64, updates: mpsc::Sender<ContainerInfo>) {
    let filters: HashMap<String, Vec<String>> = HashMap::from([
        ("type".to_owned(), vec!["container".to_owned()]),
        (
            "event".to_owned(),
            vec!["create".into(), "start".into(), "rename".into()],
        ),
    ]);
    loop {
        let opts = EventsOptions {
            since: Some(since.to_string()),
            until: None,
            filters: Some(filters.clone()),
        };
        let mut stream = docker.events(Some(opts));
        while let Some(msg) = stream.next().await {
            let Ok(msg) = msg else { break };
            if let Some(t) = msg.time.and_then(|t| u64::try_from(t).ok()) {
                since = since.max(t);
            }
            let Some(id) = container_of(&msg) else {
                continue;
            };
            if let Ok(Some(info)) = inspect(&docker, &id).await {
                if updates.send(info).is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn container_of(msg: &EventMessage) -> Option<String> {
    msg.actor.as_ref()?.id.clone().filter(|id| !id.is_empty())
}

fn unix_now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The record of an inspected container.
fn info_of(r: ContainerInspectResponse) -> Option<ContainerInfo> {
    let id = r.id.filter(|id| !id.is_empty())?;
    let state = r.state.unwrap_or_default();
    let pid = state
        .pid
        .filter(|_| state.running == Some(true))
        .and_then(|p| u32::try_from(p).ok());
    let config = r.config.unwrap_or_default();
    let mut labels: Vec<(String, String)> = config.labels.unwrap_or_default().into_iter().collect();
    labels.sort();
    Some(ContainerInfo {
        cgroup_id: cgroup::docker_cgroup_id(&id, pid).unwrap_or(0),
        runtime: "docker".into(),
        name: r
            .name
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_default(),
        image: config.image.unwrap_or_default(),
        image_id: r.image.unwrap_or_default(),
        labels,
        privileged: r.host_config.and_then(|h| h.privileged).unwrap_or(false),
        start_ts: state
            .started_at
            .as_deref()
            .and_then(parse_rfc3339)
            .unwrap_or(0),
        id,
    })
}

/// An RFC 3339 time as Docker writes it (`2026-11-26T09:06:04.255357545Z`, or with an offset)
/// in ns since the Unix epoch; `None` for malformed text and times before 1970 (Docker's
/// `0001-01-01T00:00:00Z` for "never").
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let kept = &frac[..digits.min(9)];
        nanos = kept.parse::<i64>().ok()? * 10i64.pow(9 - kept.len() as u32);
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let t = rest.get(1..)?;
            if t.len() != 5 || t.as_bytes()[2] != b':' {
                return None;
            }
            let h: i64 = t[..2].parse().ok()?;
            let m: i64 = t[3..].parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec - offset;
    if secs < 0 {
        return None;
    }
    u64::try_from(secs)
        .ok()?
        .checked_mul(1_000_000_000)?
        .checked_add(nanos as u64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2026-11-26T09:06:04.255357545Z"),
            Some(1_795_683_964_255_357_545)
        );
        assert_eq!(
            parse_rfc3339("2026-11-26T10:06:04.5+01:00"),
            Some(1_795_683_964_500_000_000)
        );
        assert_eq!(
            parse_rfc3339("0001-01-01T00:00:00Z"),
            None,
            "Docker's never"
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T00:00:00Z"),
            Some(951_782_400_000_000_000)
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-26T09:06:04",
            "2026-11-26T09:06:04.Z",
            "2026-11-26T09:06:04+0100",
            "2026-11-26T25:06:04Z",
            "2026-1a-26T09:06:04Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn record_from_inspect() {
        let json = r#"{
            "Id": "60b4734d9519f11ca8b86d49e09f74d377684bd3868670adfb8b7c109063a810",
            "Name": "/web",
            "Image": "sha256:6f42324f8f68",
            "State": {"Running": false, "Pid": 0, "StartedAt": "2026-11-26T09:06:04.255357545Z"},
            "Config": {"Image": "syspect-test:latest", "Labels": {"b": "2", "a": "1"}},
            "HostConfig": {"Privileged": true}
        }"#;
        let r: ContainerInspectResponse = serde_json::from_str(json).expect("valid json");
        let c = info_of(r).expect("has an id");
        assert_eq!(c.name, "web");
        assert_eq!(c.image, "syspect-test:latest");
        assert_eq!(c.image_id, "sha256:6f42324f8f68");
        assert_eq!(c.runtime, "docker");
        assert!(c.privileged);
        assert_eq!(
            c.labels,
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        assert_eq!(c.start_ts, 1_795_683_964_255_357_545);
    }

    #[test]
    fn unreachable_docker_fails_fast() {
        // a unix socket that does not exist: connect fails at once, not after the timeout
        let t = std::time::Instant::now();
        let r = DockerWatch::connect_to("unix:///nonexistent/docker.sock", Duration::from_secs(5));
        let err = r.err().expect("no Docker there");
        assert!(
            err.to_string().contains("/nonexistent/docker.sock"),
            "{err}"
        );
        assert!(t.elapsed() < Duration::from_secs(4));
    }
}
