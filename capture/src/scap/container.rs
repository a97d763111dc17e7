//! Container metadata in sysdig captures: ids in cgroup paths, runtime numbers, the JSON of
//! container events.

use crate::event::ContainerInfo;

/// A 64-hex-digit container id in a cgroup path (`/docker/ID`, `docker-ID.scope`…): the one
/// parser of [`crate::container::cgroup`].
pub fn container_id_in(cgroup: &[u8]) -> Option<String> {
    crate::container::cgroup::container_id(cgroup)
}

/// sysdig's container type numbers.
pub fn runtime_name(t: i64) -> &'static str {
    match t {
        0 => "docker",
        1 => "lxc",
        2 => "libvirt-lxc",
        3 => "mesos",
        4 => "rkt",
        6 => "cri",
        7 => "containerd",
        8 => "cri-o",
        9 => "bpm",
        11 => "podman",
        _ => "unknown",
    }
}

/// A container from sysdig's JSON: `{"container": {"id", "name", "image", "imageid",
/// "labels": {..}, "privileged", "type", ..}}`.
pub fn container_from_json(json: &[u8]) -> Option<ContainerInfo> {
    let v: serde_json::Value = serde_json::from_slice(json).ok()?;
    let c = v.get("container")?;
    let s = |k: &str| c.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    let mut labels: Vec<(String, String)> = c
        .get("labels")
        .and_then(|l| l.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    labels.sort();
    let id = s("id");
    if id.is_empty() {
        return None;
    }
    Some(ContainerInfo {
        id,
        runtime: runtime_name(c.get("type").and_then(|t| t.as_i64()).unwrap_or(-1)).into(),
        name: s("name"),
        image: s("image"),
        image_id: s("imageid"),
        labels,
        privileged: c
            .get("privileged")
            .and_then(|p| p.as_bool())
            .unwrap_or(false),
        start_ts: c
            .get("created_time")
            .and_then(|t| t.as_u64())
            .map_or(0, |t| t.saturating_mul(1_000_000_000)),
        cgroup_id: 0,
    })
}
