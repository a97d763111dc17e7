// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * The least a recorder of every call must do, written as plainly as possible, to measure what
 * syspect's own programs cost beyond it (scripts/bench-floor.sh). Per call: the time at enter
 * and at exit, the six argument registers kept from enter to exit in a per-thread slot, the
 * thread's ids and cgroup, one ring record, and the call's data read from user memory for the
 * calls that dominate the benchmark workloads (80 bytes of a read/write buffer or of
 * getdents64's entries; an open's or stat's path, and the struct stat). No syscall table, no
 * filters but the recorder's own process, no record kept for a call without its exit: less
 * than syspect records, so a lower bound.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* the loader's own process (set before load) */
const volatile __u32 self = 0;

struct slot {
	__u64 ts;
	__u64 regs[6];
	__u64 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct slot);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} rb SEC(".maps");

struct rec {
	__u64 enter_ts, exit_ts, nr, ret, cgroup;
	__u64 regs[6];
	__u32 tid, pid;
	__u8 data[128 + 144];
};

SEC("tp_btf/sys_enter")
int BPF_PROG(minimal_enter, struct pt_regs *regs, long id)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 k = (__u32)pt & 65535;

	if ((pt >> 32) == self)
		return 0;
	struct slot *s = bpf_map_lookup_elem(&inflight, &k);
	if (!s)
		return 0;
	s->ts = bpf_ktime_get_boot_ns();
	s->regs[0] = regs->di;
	s->regs[1] = regs->si;
	s->regs[2] = regs->dx;
	s->regs[3] = regs->r10;
	s->regs[4] = regs->r8;
	s->regs[5] = regs->r9;
	s->nr = id;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(minimal_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = t->pid;
	__u32 k = tid & 65535;
	char buf[144];

	if (t->tgid == self)
		return 0;
	struct slot *s = bpf_map_lookup_elem(&inflight, &k);
	if (!s)
		return 0;
	struct rec *r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r)
		return 0;
	r->exit_ts = bpf_ktime_get_boot_ns();
	r->enter_ts = s->ts;
	r->nr = s->nr;
	r->ret = ret;
	r->cgroup = t->cgroups->dfl_cgrp->kn->id;
	r->tid = tid;
	r->pid = t->tgid;
	for (int i = 0; i < 6; i++)
		r->regs[i] = s->regs[i];
	switch (s->nr) {
	case 0:   /* read */
	case 1:   /* write */
	case 17:  /* pread64 */
	case 18:  /* pwrite64 */
	case 217: /* getdents64 */
		if (ret > 0 && !bpf_probe_read_user(buf, 80, (void *)s->regs[1]))
			__builtin_memcpy(r->data, buf, 80);
		break;
	case 257: /* openat */
	case 262: /* newfstatat */
		if (bpf_probe_read_user_str(buf, 128, (void *)s->regs[1]) > 0)
			__builtin_memcpy(r->data, buf, 128);
		if (s->nr == 262 && ret == 0 && !bpf_probe_read_user(buf, 144, (void *)s->regs[2]))
			__builtin_memcpy(r->data + 128, buf, 144);
		break;
	}
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}
