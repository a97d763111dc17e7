/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The few kernel types the program reads, instead of a 3 MB vmlinux.h. Only the fields used are
 * declared; preserve_access_index makes clang emit CO-RE relocations, so libbpf-style loaders
 * (aya) patch each access to the running kernel's offset.
 */
#ifndef SYSPECT_KERNEL_TYPES_H
#define SYSPECT_KERNEL_TYPES_H

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pt_regs {
	unsigned long r10;
	unsigned long r9;
	unsigned long r8;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
	unsigned long sp;
};

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live;
};

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
};

struct qstr {
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
};

struct vfsmount {
	struct dentry *mnt_root;
};

/* fs/mount.h: the mount a vfsmount is embedded in */
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct fs_struct {
	struct path pwd;
};

struct inode {
	unsigned short i_mode;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
	void *private_data; /* a socket file's struct socket */
};

/* include/linux/fdtable.h */
struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

/* include/uapi/linux/in6.h (its union's first member) */
struct in6_addr {
	union {
		__u8 u6_addr8[16];
	} in6_u;
};

/* include/net/sock.h: the fields of an inet socket's ends, found by name inside sock_common's
 * anonymous unions and structs */
struct sock_common {
	__u32 skc_daddr;     /* the peer's IPv4 address, network order */
	__u32 skc_rcv_saddr; /* the local IPv4 address, network order */
	__u16 skc_dport;     /* the peer's port, network order */
	__u16 skc_num;       /* the local port, host order */
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
};

struct socket {
	struct sock *sk;
};

/* kernfs_node's parent is `__parent` since Linux 6.15 (see kernfs_node___old) */
struct kernfs_node {
	struct kernfs_node *__parent;
	const char *name;
	__u64 id;
};

struct kernfs_node___old {
	struct kernfs_node *parent;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct css_set {
	struct cgroup *dfl_cgrp;
};

struct task_struct {
	struct css_set *cgroups;
	struct fs_struct *fs;
	struct mm_struct *mm;
	int pid;
	int tgid;
	int exit_code;
	struct signal_struct *signal;
	struct files_struct *files;
};

/* include/linux/signal_types.h: siginfo's head and the sender's pid in its union (of 32 bytes
 * on 64-bit kernels, all of which the signal program copies) */
union __sifields {
	struct {
		int _pid;
	} _kill;
	char _bytes[32];
};

struct kernel_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	union __sifields _sifields;
};

struct linux_binprm {
	const char *filename;
	const char *interp;
	struct file *file;
};

#pragma clang attribute pop

#endif
