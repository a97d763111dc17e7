//! Container ids from cgroup paths, and cgroup v2 ids (inode numbers) from the cgroup tree.
//!
//! Every container runtime puts a container's processes in a cgroup whose path names the
//! container: Docker (`/docker/ID` with the cgroupfs driver, `docker-ID.scope` with systemd),
//! containerd under Kubernetes (`/kubepods/…/podUID/ID`, `cri-containerd-ID.scope`,
//! `…slice:cri-containerd:ID`), CRI-O (`crio-ID.scope`, `/kubepods/…/crio-ID`), podman
//! (`libpod-ID.scope`, `/libpod_parent/libpod-ID`). The helper processes next to a container
//! (`crio-conmon-ID.scope`, `libpod-conmon-ID.scope`) are not in it.
//!
//! ```
//! use syspect_capture::container::cgroup;
//! let id = "3f4e1b2c5d6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c";
//! let c = cgroup::parse(format!("/system.slice/docker-{id}.scope").as_bytes()).unwrap();
//! assert_eq!((c.id.as_str(), c.runtime), (id, "docker"));
//! assert!(cgroup::parse(b"/user.slice/user-1000.slice/session-2.scope").is_none());
//! ```

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where a cgroup path says a process runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CgroupContainer {
    /// The full container id (64 hex digits).
    pub id: String,
    /// `docker`, `containerd`, `cri-o` or `podman` (`container.type`).
    pub runtime: &'static str,
}

/// Name prefixes of a cgroup directory that holds a container, and the runtime each means.
/// The conmon helpers' prefixes come first so that they are not taken for containers.
const PREFIXES: &[(&str, Option<&str>)] = &[
    ("crio-conmon-", None),
    ("libpod-conmon-", None),
    ("docker-", Some("docker")),
    ("cri-containerd-", Some("containerd")),
    ("crio-", Some("cri-o")),
    ("libpod-", Some("podman")),
];

/// The container a cgroup path names, if any (the innermost one when containers nest).
pub fn parse(cgroup: &[u8]) -> Option<CgroupContainer> {
    let s = std::str::from_utf8(cgroup).ok()?;
    let parts: Vec<&str> = s.split('/').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate().rev() {
        if let Some(c) = parse_part(part, parts[..i].last().copied(), s) {
            return c;
        }
    }
    None
}

/// One path component: `Some(found)` when it settles the question (a container or a conmon
/// helper), `None` to look further up.
fn parse_part(part: &str, parent: Option<&str>, whole: &str) -> Option<Option<CgroupContainer>> {
    let part = part.strip_suffix(".scope").unwrap_or(part);
    // systemd driver of containerd: `kubepods-…-podUID.slice:cri-containerd:ID`
    if let Some((_, rest)) = part.split_once(":cri-containerd:") {
        return is_id(rest).then(|| Some(found(rest, "containerd")));
    }
    for (prefix, runtime) in PREFIXES {
        if let Some(rest) = part.strip_prefix(prefix) {
            if is_id(rest) {
                return Some(runtime.map(|r| found(rest, r)));
            }
        }
    }
    if !is_id(part) {
        return None;
    }
    let runtime = match parent {
        Some("docker") => "docker",
        _ if whole.contains("kubepods") => "containerd",
        _ => "docker",
    };
    Some(Some(found(part, runtime)))
}

fn found(id: &str, runtime: &'static str) -> CgroupContainer {
    CgroupContainer {
        id: id.to_ascii_lowercase(),
        runtime,
    }
}

fn is_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The container id in a cgroup path, if any.
pub fn container_id(cgroup: &[u8]) -> Option<String> {
    parse(cgroup).map(|c| c.id)
}

/// Where the cgroup v2 hierarchy is mounted (`/sys/fs/cgroup` on a pure v2 host,
/// `/sys/fs/cgroup/unified` on a hybrid one), from `/proc/self/mountinfo`.
pub fn cgroup2_root() -> Option<PathBuf> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    cgroup2_root_in(&text)
}

/// [`cgroup2_root`] from the text of a mountinfo file.
pub fn cgroup2_root_in(mountinfo: &str) -> Option<PathBuf> {
    mountinfo.lines().find_map(|line| {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
        let (left, right) = line.split_once(" - ")?;
        let fstype = right.split_whitespace().next()?;
        if fstype != "cgroup2" {
            return None;
        }
        let mountpoint = left.split_whitespace().nth(4)?;
        Some(PathBuf::from(unescape_mount(mountpoint)))
    })
}

/// mountinfo writes space, tab, newline and backslash as `\ooo`.
fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 4 <= b.len() {
            let oct = std::str::from_utf8(&b[i + 1..i + 4]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(oct, 8) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The cgroup v2 id (the inode of its directory, what `bpf_get_current_cgroup_id()` returns)
/// of a cgroup directory.
pub fn cgroup_id(dir: &Path) -> Option<u64> {
    std::fs::metadata(dir)
        .ok()
        .filter(|m| m.is_dir())
        .map(|m| m.ino())
}

/// The cgroup path that names process `pid`'s container, as the /proc snapshot records it
/// ([`crate::procfs::cgroup_path`]); `None` when the process is gone.
pub fn path_of_pid(pid: u32) -> Option<String> {
    let b = std::fs::read(format!("/proc/{pid}/cgroup")).ok()?;
    Some(String::from_utf8_lossy(&crate::procfs::cgroup_path(&b)).into_owned())
}

/// The cgroup v2 path of process `pid` (the `0::` line of `/proc/PID/cgroup`).
pub fn v2_path_of_pid(pid: u32) -> Option<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("0::"))
        .map(str::to_owned)
}

/// The cgroup v2 id of process `pid`'s cgroup.
pub fn cgroup_id_of_pid(pid: u32) -> Option<u64> {
    let root = cgroup2_root()?;
    let rel = v2_path_of_pid(pid)?;
    cgroup_id(&root.join(rel.trim_start_matches('/')))
}

/// The cgroup v2 path (`/docker/ID`) of the cgroup whose id is `id`, found by walking the
/// cgroup v2 hierarchy; `None` when no directory has that id (the cgroup is gone).
pub fn path_of_cgroup_id(id: u64) -> Option<String> {
    let root = cgroup2_root()?;
    if cgroup_id(&root) == Some(id) {
        return Some("/".into());
    }
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Ok(m) = e.metadata() else { continue };
            if !m.is_dir() {
                continue;
            }
            let path = e.path();
            if m.ino() == id {
                let rel = path.strip_prefix(&root).ok()?;
                return Some(format!("/{}", rel.display()));
            }
            dirs.push(path);
        }
    }
    None
}

/// The cgroup v2 id of Docker container `id`: from its main process when it has one (`pid`),
/// else from the directories Docker's cgroupfs and systemd drivers use.
pub fn docker_cgroup_id(id: &str, pid: Option<u32>) -> Option<u64> {
    if let Some(c) = pid.filter(|&p| p > 0).and_then(cgroup_id_of_pid) {
        return Some(c);
    }
    let root = cgroup2_root()?;
    [
        format!("docker/{id}"),
        format!("system.slice/docker-{id}.scope"),
    ]
    .iter()
    .find_map(|rel| cgroup_id(&root.join(rel)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f4e1b2c5d6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c";

    fn p(path: &str) -> Option<(String, &'static str)> {
        parse(path.replace("ID", ID).as_bytes()).map(|c| (c.id, c.runtime))
    }

    #[test]
    fn a_cgroup_id_leads_back_to_its_path() {
        let Some(mine) = v2_path_of_pid(std::process::id()) else {
            return; // no cgroup v2 hierarchy here
        };
        let id = cgroup_id_of_pid(std::process::id()).expect("our cgroup's id");
        assert_eq!(path_of_cgroup_id(id).as_deref(), Some(mine.as_str()));
        assert_eq!(path_of_cgroup_id(u64::MAX), None);
    }

    #[test]
    fn docker_paths() {
        let want = Some((ID.to_owned(), "docker"));
        assert_eq!(p("/docker/ID"), want, "cgroupfs driver");
        assert_eq!(p("/system.slice/docker-ID.scope"), want, "systemd driver");
        // a v1 line's path as /proc/PID/cgroup shows it inside a cgroup namespace is `/`, but
        // on the host with cgroupns=host it is the full path
        assert_eq!(p("/docker/ID/"), want);
        // docker in docker: the innermost container
        let inner = "a".repeat(64);
        assert_eq!(
            parse(format!("/docker/{ID}/docker/{inner}").as_bytes()).map(|c| c.id),
            Some(inner)
        );
    }

    #[test]
    fn kubernetes_paths() {
        let want = Some((ID.to_owned(), "containerd"));
        assert_eq!(
            p("/kubepods/besteffort/pod3c6c5c1e-8f0a-4a8e-9f8b-6f5d8b1f2c3d/ID"),
            want,
            "cgroupfs driver"
        );
        assert_eq!(
            p("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3c6c5c1e_8f0a_4a8e_9f8b_6f5d8b1f2c3d.slice/cri-containerd-ID.scope"),
            want,
            "systemd driver"
        );
        assert_eq!(
            p("/system.slice/containerd.service/kubepods-besteffort-pod3c6c5c1e_8f0a.slice:cri-containerd:ID"),
            want,
            "containerd's systemd path form"
        );
    }

    #[test]
    fn crio_and_podman_paths() {
        let crio = Some((ID.to_owned(), "cri-o"));
        assert_eq!(
            p("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-ID.scope"),
            crio
        );
        assert_eq!(
            p("/kubepods.slice/kubepods-pod1.slice/crio-ID.scope/container"),
            crio,
            "crun's nested cgroup"
        );
        assert_eq!(
            p("/kubepods.slice/kubepods-pod1.slice/crio-conmon-ID.scope"),
            None,
            "conmon is not the container"
        );
        let podman = Some((ID.to_owned(), "podman"));
        assert_eq!(p("/machine.slice/libpod-ID.scope"), podman);
        assert_eq!(
            p("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-ID.scope/container"),
            podman,
            "rootless podman"
        );
        assert_eq!(
            p("/libpod_parent/libpod-ID"),
            podman,
            "podman's cgroupfs driver"
        );
        assert_eq!(p("/machine.slice/libpod-conmon-ID.scope"), None);
    }

    #[test]
    fn host_paths() {
        assert_eq!(p("/"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("/user.slice/user-1000.slice/session-2.scope"), None);
        assert_eq!(p("/system.slice/docker.service"), None);
        assert_eq!(
            p("/docker/3f4e1b2c5d6a"),
            None,
            "short ids are not container ids"
        );
        assert_eq!(parse(b"/docker/\xff\xfe"), None);
    }

    #[test]
    fn uppercase_ids_are_lowercased() {
        let upper = ID.to_ascii_uppercase();
        assert_eq!(
            parse(format!("/docker/{upper}").as_bytes()).map(|c| c.id),
            Some(ID.to_owned())
        );
    }

    #[test]
    fn cgroup2_mount_from_mountinfo() {
        let hybrid = "30 24 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n\
                      31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw\n\
                      32 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
        assert_eq!(
            cgroup2_root_in(hybrid),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
        let pure =
            "35 24 0:30 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(cgroup2_root_in(pure), Some(PathBuf::from("/sys/fs/cgroup")));
        let escaped = "35 24 0:30 / /mnt/my\\040cg rw - cgroup2 none rw\n";
        assert_eq!(cgroup2_root_in(escaped), Some(PathBuf::from("/mnt/my cg")));
        assert_eq!(
            cgroup2_root_in("35 24 0:30 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw\n"),
            None
        );
        assert_eq!(cgroup2_root_in("garbage\n"), None);
    }

    #[test]
    fn this_process_has_a_cgroup_id() {
        // every process is in some cgroup v2 directory when the hierarchy is mounted
        if cgroup2_root().is_some() {
            assert!(cgroup_id_of_pid(std::process::id()).is_some());
        }
        assert_eq!(cgroup_id(Path::new("/nonexistent/cgroup")), None);
    }
}
