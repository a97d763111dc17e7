//! Which container a thread belongs to: the id from its cgroup path, the rest from the
//! container records the trace holds.

use syspect_capture::container::cgroup;
use syspect_capture::event::ContainerInfo;

use crate::state::{State, Thread};

/// `(container.name, container.id)` of a thread: `host` for host processes.
pub fn container_of<'a>(state: &'a State, t: Option<&Thread>) -> (&'a str, String) {
    let Some(t) = t else {
        return ("host", "host".into());
    };
    match container_id(&t.info.cgroup) {
        Some(id) => {
            let short: String = id.chars().take(12).collect();
            let name = state
                .containers
                .iter()
                .find(|(k, _)| k.starts_with(&short))
                .map(|(_, c)| c.name.as_str())
                .unwrap_or("<NA>");
            (name, short)
        }
        None => ("host", "host".into()),
    }
}

/// What the trace knows of the thread's container, if it is in one.
pub fn container_info<'a>(state: &'a State, t: Option<&Thread>) -> Option<&'a ContainerInfo> {
    let id = container_id(&t?.info.cgroup)?;
    state.containers.get(&id).or_else(|| {
        state
            .containers
            .values()
            .find(|c| c.id.starts_with(&id[..12]))
    })
}

/// The container id in a cgroup path (Docker, containerd/Kubernetes, CRI-O, podman), if any:
/// capture's one parser ([`syspect_capture::container::cgroup`]).
pub fn container_id(cgroup: &[u8]) -> Option<String> {
    cgroup::container_id(cgroup)
}

/// The runtime a cgroup path names (`docker`, `containerd`, `cri-o`, `podman`), if any.
pub fn container_runtime(cgroup: &[u8]) -> Option<&'static str> {
    cgroup::parse(cgroup).map(|c| c.runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_ids_from_cgroup_paths() {
        let id = "3f4e1b2c5d6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c";
        assert_eq!(
            container_id(format!("/docker/{id}").as_bytes()).as_deref(),
            Some(id)
        );
        assert_eq!(
            container_id(format!("/system.slice/docker-{id}.scope").as_bytes()).as_deref(),
            Some(id)
        );
        assert_eq!(
            container_id(b"/user.slice/user-1000.slice/session-2.scope"),
            None
        );
        assert_eq!(container_id(b"/"), None);
    }
}
