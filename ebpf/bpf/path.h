/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * Paths walked up in the kernel (an exec's working directory and executable), included once by
 * syspect.bpf.c, after the scratch buffer's definition.
 */
#ifndef SYSPECT_PATH_H
#define SYSPECT_PATH_H

/*
 * One step of a walk: the component `name`, NUL-terminated, after the s->v[0] bytes written so
 * far from s->v[4]; false when it does not fit or cannot be read.
 */
static __always_inline bool sp_path_append(struct sp_scratch *s, const void *name)
{
	__u64 used = s->v[0];
	if (used > SP_MAX_ARG_DATA - 256)
		return false;
	__u64 pos = s->v[4] + used;
	if (pos > SP_BUF - 256)
		return false;
	long n = bpf_probe_read_kernel_str(s->buf + pos, 256, name);
	if (n <= 0)
		return false;
	s->v[0] = used + n;
	return true;
}

/*
 * The path of (mnt, dentry): its components from the last to the first, each followed by a NUL,
 * written at `at` in the scratch buffer; returns the bytes written, or -1 when the walk did not
 * reach the root of the mount namespace (too deep, too long, unreadable). A global function: the
 * verifier checks it once for its two callers. Loop variables live in s->v (map memory, which
 * the verifier does not track), so that every iteration starts from the same bounded state.
 */
__noinline int sp_fetch_path(struct sp_scratch *s, __u32 at, __u64 mnt, __u64 dentry)
{
	__u64 off = bpf_core_field_offset(struct mount, mnt);

	if (!s || at > SP_BUF - SP_MAX_ARG_DATA || !mnt || !dentry)
		return -1;
	s->v[0] = 0;            /* bytes written */
	s->v[1] = dentry;       /* where the walk stands */
	s->v[2] = mnt - off;    /* in this mount */
	s->v[3] = 0;            /* the root was reached */
	s->v[4] = at;
	for (int i = 0; i < SP_PATH_DEPTH; i++) {
		struct dentry *d = (void *)s->v[1];
		struct mount *m = (void *)s->v[2];
		struct dentry *root = BPF_CORE_READ(m, mnt.mnt_root);
		if (d == root) {
			/* the top of a mount: go on from where it is mounted */
			struct mount *parent = BPF_CORE_READ(m, mnt_parent);
			if (!parent || parent == m) {
				s->v[3] = 1;
				break;
			}
			s->v[1] = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
			s->v[2] = (__u64)parent;
			continue;
		}
		struct dentry *up = BPF_CORE_READ(d, d_parent);
		if (!up || up == d) {
			/* the root of a file system mounted nowhere we can see */
			s->v[3] = 1;
			break;
		}
		if (!sp_path_append(s, BPF_CORE_READ(d, d_name.name)))
			break;
		s->v[1] = (__u64)up;
	}
	return s->v[3] ? (int)s->v[0] : -1;
}

/*
 * The cgroup v2 path of kernfs node `kn` (a cgroup's directory): its names from the last to the
 * first, each followed by a NUL, at `at` in the scratch buffer, up to the root the capture sees
 * (sp_cgroup_root) or the top of the hierarchy; returns the bytes written, or -1 when the walk
 * did not get there (too deep, too long, unreadable). A global function, as sp_fetch_path.
 */
__noinline int sp_fetch_cgroup(struct sp_scratch *s, __u32 at, __u64 kn)
{
	if (!s || at > SP_BUF - SP_MAX_ARG_DATA || !kn)
		return -1;
	s->v[0] = 0;   /* bytes written */
	s->v[1] = kn;  /* where the walk stands */
	s->v[3] = 0;   /* the root was reached */
	s->v[4] = at;
	for (int i = 0; i < SP_CGROUP_DEPTH; i++) {
		struct kernfs_node *k = (void *)s->v[1];
		if (BPF_CORE_READ(k, id) == sp_cgroup_root) {
			s->v[3] = 1;
			break;
		}
		struct kernfs_node *up;
		if (bpf_core_field_exists(struct kernfs_node, __parent))
			up = BPF_CORE_READ(k, __parent);
		else
			up = BPF_CORE_READ((struct kernfs_node___old *)k, parent);
		if (!up) {
			s->v[3] = 1;
			break;
		}
		if (!sp_path_append(s, BPF_CORE_READ(k, name)))
			break;
		s->v[1] = (__u64)up;
	}
	return s->v[3] ? (int)s->v[0] : -1;
}

#endif
