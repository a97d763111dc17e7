//! Users and groups from `/etc/passwd` and `/etc/group`.

use crate::event::{GroupInfo, UserInfo};

/// The users of `/etc/passwd`; empty when it cannot be read.
pub fn users() -> Vec<UserInfo> {
    std::fs::read("/etc/passwd")
        .map(|b| parse_passwd(&b))
        .unwrap_or_default()
}

/// The groups of `/etc/group`; empty when it cannot be read.
pub fn groups() -> Vec<GroupInfo> {
    std::fs::read("/etc/group")
        .map(|b| parse_group(&b))
        .unwrap_or_default()
}

/// `name:passwd:uid:gid:gecos:home:shell` lines; malformed lines and comments are skipped.
pub fn parse_passwd(b: &[u8]) -> Vec<UserInfo> {
    b.split(|&c| c == b'\n')
        .filter_map(|line| {
            let f: Vec<&[u8]> = line.split(|&c| c == b':').collect();
            if f.len() < 7 || line.starts_with(b"#") {
                return None;
            }
            Some(UserInfo {
                uid: number(f[2])?,
                name: f[0].to_vec(),
                home: f[5].to_vec(),
                shell: f[6].to_vec(),
            })
        })
        .collect()
}

/// `name:passwd:gid:members` lines.
pub fn parse_group(b: &[u8]) -> Vec<GroupInfo> {
    b.split(|&c| c == b'\n')
        .filter_map(|line| {
            let f: Vec<&[u8]> = line.split(|&c| c == b':').collect();
            if f.len() < 3 || line.starts_with(b"#") {
                return None;
            }
            Some(GroupInfo {
                gid: number(f[2])?,
                name: f[0].to_vec(),
            })
        })
        .collect()
}

fn number(b: &[u8]) -> Option<u32> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_and_group() {
        let u = parse_passwd(b"root:x:0:0:root:/root:/bin/bash\n#c:x:1:1:::\nbad\nd:x:z:1:::\nwww:x:33:33:w:/var/www:/usr/sbin/nologin");
        assert_eq!(u.len(), 2);
        assert_eq!(u[1].uid, 33);
        assert_eq!(u[1].shell, b"/usr/sbin/nologin");
        let g = parse_group(b"root:x:0:\nadm:x:4:syslog,me\n:x\n");
        assert_eq!(g.len(), 2);
        assert_eq!((g[1].gid, g[1].name.as_slice()), (4, &b"adm"[..]));
    }

    #[test]
    fn this_host_has_root() {
        assert!(users().iter().any(|u| u.uid == 0 && u.name == b"root"));
        assert!(groups().iter().any(|g| g.gid == 0));
    }
}
