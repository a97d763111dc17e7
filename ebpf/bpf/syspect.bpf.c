// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * syspect's kernel-side program: every syscall enter and exit (raw_syscalls tracepoints through
 * tp_btf), and process lifecycle (fork, exec, exit), written as records (abi.h) into one BPF ring
 * buffer that user space drains on a short timer; cgroup migrations only invalidate the cgroup
 * filter's cached answers.
 *
 * Hot path: one array lookup (the syscall's description, which also says whether the syscall
 * filter keeps it), then the pid/cgroup filter only when one is set, then the record is built in
 * a per-CPU scratch buffer and copied into the ring with bpf_ringbuf_output. Only the arguments
 * the description's in_mask / out_mask name are looked at; an enter that reads none is built
 * straight in its sp_inflight slot. The reader is woken
 * only when the unread data crosses sp_wake_bytes (BPF_RB_NO_WAKEUP otherwise): wake-ups per event
 * cost more than everything else together.
 *
 * One record per call: the enter's record (registers and the items read at enter) is kept in
 * the per-thread sp_inflight map and sent with the exit's as one SP_REC_CALL, which halves the
 * ring traffic and the records user space decodes. A call that sleeps has its enter sent when
 * its thread is switched out (sp_switch), so that it is seen while it blocks; its exit then
 * goes alone. A call still in that map when the capture stops (it never slept) is sent by user
 * space as an enter. Calls with lifecycle events between enter and exit (fork, exec), that
 * never return (exit) or whose exit sees other registers (rt_sigreturn), and enters too big for
 * the map value, are sent as an enter at once.
 *
 * The exit handler reads pointer arguments from the saved user registers (pt_regs still hold the
 * call's arguments at sys_exit).
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "kernel_types.h"
#include "abi.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Read by user space from the object file: the ABI this object was built for. */
#define SP_STR2(x) #x
#define SP_STR(x) SP_STR2(x)
__attribute__((used)) const char sp_abi_marker[] = "SYSPECT_ABI_VERSION=" SP_STR(SP_ABI_VERSION) ";";

/* Set by user space at load (frozen .rodata: the verifier sees them as constants). */
const volatile __u32 sp_self_tgid = 0;
const volatile __u32 sp_filter = 0;
const volatile __u32 sp_snaplen = 80;
const volatile __u64 sp_wake_bytes = 1 << 20;
const volatile __u64 sp_query_bytes = 64 << 10; /* see sp_output */
/* kernfs id of the cgroup2 root the capture sees (its mount's root): cgroup paths start there */
const volatile __u64 sp_cgroup_root = 1;

/* A per-CPU scratch value: records are built here, then copied into the ring. */
#define SP_SCRATCH 32768
#define SP_BUF (SP_SCRATCH - 64)
/* An item may start at most here: the verifier bounds an access inside an item's data by the
 * largest offset plus the largest length, each up to SP_MAX_ARG_DATA. */
#define SP_MAX_OFF (SP_BUF - sizeof(struct sp_item) - 2 * SP_MAX_ARG_DATA - 16)

struct sp_scratch {
	__u8 buf[SP_BUF];
	/* loop variables (see sp_fetch_strlist); v[6]: the syscall programs' offset in buf;
	 * v[7]: bytes output since the last look at the ring's unread data (see sp_output) */
	__u64 v[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} sp_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SP_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct sp_syscall_spec);
} sp_syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} sp_pids SEC(".maps");

/* The generation of sp_pids, which the programs bump after each change they make to it
 * (user space fills it before attaching), and each CPU's last answer (see sp_pid_traced). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sp_pid_gen SEC(".maps");

/* A CPU's last answer of a filter for the thread whose saved registers are at `regs`, taken
 * under the filter's set generation `gen` and sp_task_gen's `task_gen` (see sp_regs_wanted). */
struct sp_regs_verdict {
	__u64 regs;
	__u64 gen;
	__u64 task_gen;
	__u64 wanted;
};

/* Each CPU's last answers of the pid filter: by process, and by thread */
struct sp_pid_verdict {
	__u32 tgid;
	__u32 traced;
	__u64 gen;
	struct sp_regs_verdict by_regs;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sp_pid_verdict);
} sp_pid_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} sp_cgroups SEC(".maps");

/* The generation of sp_cgroups, and each CPU's last answer (see sp_cgroup_wanted). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sp_cg_gen SEC(".maps");

/* The generation of the threads: the programs bump it at every fork (a new thread may be given
 * the kernel stack, hence the saved user registers' address, of one gone) and every cgroup
 * migration (sp_cgroup_attach). See sp_regs_wanted. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sp_task_gen SEC(".maps");

/* Each CPU's last answers of the cgroup filter: by cgroup id, and by thread */
struct sp_cg_verdict {
	__u64 id;
	__u64 gen;
	__u64 wanted;
	struct sp_regs_verdict by_regs;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sp_cg_verdict);
} sp_cg_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sp_drops SEC(".maps");

/*
 * Always empty, and their tail calls never taken (sp_stack_guard is 0): a program that can
 * tail-call gets no private per-CPU BPF stack from the kernel (6.13 and later give one to
 * tracing programs whose frame is 64 bytes or more), so the syscall programs' frames are on
 * the thread's kernel stack. There, the hardened-usercopy check that every user read makes of
 * its destination is a bounds test against the stack; for any other destination (a map value,
 * the private stack, the ring) it is two more kernel calls per read, about 5% of a traced dd.
 * One array per program: the kernel lets tracing programs of different prototypes share none.
 */
#define SP_STACK_GUARD(name)                                                                       \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);                                             \
		__uint(max_entries, 1);                                                            \
		__uint(key_size, sizeof(__u32));                                                   \
		__uint(value_size, sizeof(__u32));                                                 \
	} name SEC(".maps")
SP_STACK_GUARD(sp_stack_guard_enter);
SP_STACK_GUARD(sp_stack_guard_exit);
const volatile __u32 sp_stack_guard = 0;

/*
 * User reads up to this long go through a buffer on the stack (see SP_STACK_GUARD): the
 * kernel's hardened-usercopy check of a copy's destination costs three calls for map memory
 * and next to nothing for the thread's stack. A small one for the most common reads (of a
 * few bytes), a larger one for buffers at sysdig's snap length (80), for a struct stat (144)
 * and for strings.
 */
#define SP_BOUNCE 32
#define SP_BOUNCE_BIG 144

/*
 * The enter of each thread's current call (see struct sp_inflight), in the slot
 * tid % SP_INFLIGHT_SLOTS: an array lookup costs a few instructions where a hash lookup cost
 * more than the ring buffer output it saves. A slot held by another thread's call (tids that
 * collide, both in a call) makes the enter go alone, as an SP_REC_ENTER.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SP_INFLIGHT_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE); /* user space scans it at the end without a syscall per slot */
	__type(key, __u32);
	__type(value, struct sp_inflight);
} sp_inflight SEC(".maps");

/* Threads whose current call's input string faulted at enter (see SP_HDR_RETRY in abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} sp_retry SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sp_scratch);
} sp_scratch SEC(".maps");

#define SP_NR_RT_SIGRETURN 15
/* x86_64: at rt_sigreturn's entry the stack pointer is at the signal frame's ucontext (the
 * handler's return popped the frame's first word); its uc_sigmask is 296 bytes in */
#define SP_SIGFRAME_MASK 296
#define SP_NR_CLONE 56
#define SP_NR_FORK 57
#define SP_NR_VFORK 58
#define SP_NR_EXECVE 59
#define SP_NR_EXIT 60
#define SP_NR_EXIT_GROUP 231
#define SP_NR_EXECVEAT 322
#define SP_NR_CLONE3 435
#define SP_CLONE_VM 0x100ULL
#define SP_CLONE_VFORK 0x4000ULL

/*
 * Whether the current thread's cgroup is one the capture keeps. A capture of some containers
 * asks this on every syscall of the host, nearly always for the same cgroup as the CPU's last
 * call: each CPU keeps its last answer (sp_cg_cache), good while the set's generation
 * (sp_cg_gen, which user space bumps after adding ids) is the one it was taken under. The
 * generation is read before the set, so an answer taken just before an addition is stale.
 */
static __always_inline bool sp_cgroup_id_wanted(__u64 cg)
{
	__u32 zero = 0;
	__u64 *gen = bpf_map_lookup_elem(&sp_cg_gen, &zero);
	struct sp_cg_verdict *c = bpf_map_lookup_elem(&sp_cg_cache, &zero);
	if (!gen || !c)
		return bpf_map_lookup_elem(&sp_cgroups, &cg) != NULL;
	__u64 g = *(volatile __u64 *)gen;
	if (c->id == cg && c->gen == g)
		return c->wanted;
	bool wanted = bpf_map_lookup_elem(&sp_cgroups, &cg) != NULL;
	c->id = cg;
	c->gen = g;
	c->wanted = wanted;
	return wanted;
}

static __always_inline bool sp_cgroup_wanted(void)
{
	return sp_cgroup_id_wanted(bpf_get_current_cgroup_id());
}

/* Bump the generation in `gen_map` (sp_pid_gen, sp_task_gen): the CPUs' answers taken under
 * it are stale. After the change, so that an answer taken before it carries an older
 * generation. */
static __always_inline void sp_bump(void *gen_map)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(gen_map, &zero);
	if (g)
		__sync_fetch_and_add(g, 1);
}

/*
 * Whether process `tgid` is one a command capture traces. Asked on every syscall of the host,
 * nearly always for the same process as the CPU's last call: as sp_cgroup_id_wanted, each CPU
 * keeps its last answer, good while sp_pids's generation is the one it was taken under (read
 * before the set), which spares a hash lookup per call of every process not traced.
 */
static __always_inline bool sp_pid_traced(__u32 tgid)
{
	__u32 zero = 0;
	__u64 *gen = bpf_map_lookup_elem(&sp_pid_gen, &zero);
	struct sp_pid_verdict *c = bpf_map_lookup_elem(&sp_pid_cache, &zero);
	__u8 *v;
	if (!gen || !c) {
		v = bpf_map_lookup_elem(&sp_pids, &tgid);
		return v && *v == SP_PID_TRACED;
	}
	__u64 g = *(volatile __u64 *)gen;
	if (c->tgid == tgid && c->gen == g)
		return c->traced;
	v = bpf_map_lookup_elem(&sp_pids, &tgid);
	bool traced = v && *v == SP_PID_TRACED;
	c->tgid = tgid;
	c->gen = g;
	c->traced = traced;
	return traced;
}

/* Whether events of process `tgid` (current) pass the pid and cgroup filters; `cg_kept`: a
 * cgroup-only filter was passed already. */
static __always_inline bool sp_wanted_after(__u32 tgid, bool cg_kept)
{
	if (tgid == sp_self_tgid)
		return false;
	if (!sp_filter)
		return true;
	if ((sp_filter & SP_FILTER_PIDS) && sp_pid_traced(tgid))
		return true;
	if (cg_kept && sp_filter == SP_FILTER_CGROUPS)
		return true;
	if (sp_filter & SP_FILTER_CGROUPS)
		return sp_cgroup_wanted();
	return false;
}

static __always_inline bool sp_wanted(__u32 tgid)
{
	return sp_wanted_after(tgid, false);
}

/* `cgroup`: take the thread's cgroup id now (else 0: an enter kept until its exit, whose
 * record takes it then). */
static __always_inline void sp_fill_hdr(struct sp_hdr *h, __u16 kind, __u64 pid_tgid,
					bool cgroup)
{
	h->ts = bpf_ktime_get_boot_ns();
	h->cgroup = cgroup ? bpf_get_current_cgroup_id() : 0;
	h->tid = (__u32)pid_tgid;
	h->pid = pid_tgid >> 32;
	h->kind = kind;
	h->cpu = bpf_get_smp_processor_id();
	h->nr = 0;
	h->nitems = 0;
	h->flags = 0;
}

/*
 * The current thread's ids and cgroup (what bpf_get_current_pid_tgid and
 * bpf_get_current_cgroup_id return) read from its task_struct: the syscall programs make one
 * helper call, bpf_get_current_task_btf, where they made those two on every exit.
 */
static __always_inline __u64 sp_task_pid_tgid(struct task_struct *t)
{
	return (__u64)(__u32)t->tgid << 32 | (__u32)t->pid;
}

static __always_inline __u64 sp_task_cgroup(struct task_struct *t)
{
	return t->cgroups->dfl_cgrp->kn->id;
}

/*
 * Whether the pid filter (`cgroups` false: sp_wanted_after) or the cgroup filter (true:
 * sp_cgroup_id_wanted) keeps the current thread, known by `regs`, the address of its saved user
 * registers (the syscall tracepoints' first argument). Each CPU keeps its last answer by that
 * address, which spares a helper call (bpf_get_current_task_btf) and the loads from the task to
 * its process or cgroup on every syscall of a thread the capture leaves out. The address is the
 * thread's for its whole life (the top of its kernel stack). The answer goes stale when the
 * filter's set changes (its generation, sp_pid_gen or sp_cg_gen), when a thread moves to another
 * cgroup, or when a new thread is given the stack of one gone: the last two bump sp_task_gen
 * (sp_cgroup_attach after the migration, sp_fork before the new thread runs). Both generations
 * are read before the answer is taken.
 */
static __always_inline bool sp_regs_wanted(struct pt_regs *regs, const bool cgroups)
{
	__u32 zero = 0;
	__u64 *gen;
	struct sp_regs_verdict *r = NULL;
	if (cgroups) {
		struct sp_cg_verdict *c = bpf_map_lookup_elem(&sp_cg_cache, &zero);
		gen = bpf_map_lookup_elem(&sp_cg_gen, &zero);
		if (c)
			r = &c->by_regs;
	} else {
		struct sp_pid_verdict *c = bpf_map_lookup_elem(&sp_pid_cache, &zero);
		gen = bpf_map_lookup_elem(&sp_pid_gen, &zero);
		if (c)
			r = &c->by_regs;
	}
	__u64 *task_gen = bpf_map_lookup_elem(&sp_task_gen, &zero);
	__u64 g = gen ? *(volatile __u64 *)gen : 0;
	__u64 tg = task_gen ? *(volatile __u64 *)task_gen : 0;
	bool cached = r && gen && task_gen;
	if (cached && r->regs == (__u64)regs && r->gen == g && r->task_gen == tg)
		return r->wanted;
	struct task_struct *t = bpf_get_current_task_btf();
	bool wanted = cgroups ? sp_cgroup_id_wanted(sp_task_cgroup(t))
			      : sp_wanted_after(sp_task_pid_tgid(t) >> 32, false);
	if (cached) {
		r->regs = (__u64)regs;
		r->gen = g;
		r->task_gen = tg;
		r->wanted = wanted;
	}
	return wanted;
}

/* Count `events` lost events (a whole call's record holds two). */
static __always_inline void sp_count_drop(__u64 events)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&sp_drops, &zero);
	if (d)
		*d += events;
}

/*
 * Copy a finished record into the ring; wake the reader only when the unread data has passed
 * sp_wake_bytes: a wake-up is a self-IPI (a VM exit under a hypervisor), and waking on every
 * record while the reader lags costs more than the tracing itself. The unread data is looked at
 * only once per sp_query_bytes written on this CPU (reading it pulls the reader's cache line),
 * so a lagging reader gets at most one wake-up per that many bytes; otherwise it finds the
 * data on its timer tick.
 */
static __always_inline __u64 sp_wake_flags(struct sp_scratch *s, __u64 len)
{
	s->v[7] += len;
	if (s->v[7] >= sp_query_bytes) {
		s->v[7] = 0;
		if (bpf_ringbuf_query(&sp_events, BPF_RB_AVAIL_DATA) >= sp_wake_bytes)
			return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void sp_output(void *rec, __u64 len, __u64 events)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	__u32 zero = 0;
	struct sp_scratch *s = bpf_map_lookup_elem(&sp_scratch, &zero);
	if (len > SP_BUF)
		len = SP_BUF;
	if (s)
		flags = sp_wake_flags(s, len);
	if (bpf_ringbuf_output(&sp_events, rec, len, flags))
		sp_count_drop(events);
}

/* The fixed sizes of ring reservations for the syscall programs' records (see
 * sp_output_syscall): a whole call with a small buffer is at most 121 bytes, a read or write
 * at the snap length (80) 200. (A third, of 384 bytes for a stat's path and struct stat,
 * measured no faster than bpf_ringbuf_output's copy.) */
#define SP_RING_SMALL 128
#define SP_RING_MID 208

/*
 * sp_output for the record at the start of the scratch buffer: a record of at most one of the
 * fixed sizes is copied into a reservation of that size in 8-byte words, which spares
 * bpf_ringbuf_output's out-of-line memcpy. The record then ends with padding, which user space
 * skips: it reads items by count.
 */
static __always_inline void sp_output_slot(struct sp_scratch *s, const __u64 size, __u64 events)
{
	__u64 flags = sp_wake_flags(s, size);
	__u64 *r = bpf_ringbuf_reserve(&sp_events, size, 0);
	if (!r) {
		sp_count_drop(events);
		return;
	}
	for (int k = 0; k < size / 8; k++)
		r[k] = ((__u64 *)s->buf)[k];
	bpf_ringbuf_submit(r, flags);
}

static __always_inline void sp_output_syscall(struct sp_scratch *s, __u64 len, __u64 events)
{
	if (len <= SP_RING_SMALL)
		sp_output_slot(s, SP_RING_SMALL, events);
	else if (len <= SP_RING_MID)
		sp_output_slot(s, SP_RING_MID, events);
	else
		sp_output(s->buf, len, events);
}

/* Send a kept enter whose exit will not come as an SP_REC_ENTER, and forget it. */
static __always_inline void sp_flush_pending(struct sp_inflight *fl)
{
	__u64 len = sizeof(fl->rec) + fl->rec.ret;
	if (!(fl->rec.hdr.flags & SP_HDR_PENDING))
		return;
	fl->rec.hdr.flags &= ~SP_HDR_PENDING;
	fl->rec.ret = 0;
	fl->rec.hdr.cgroup = bpf_get_current_cgroup_id();
	if (len > sizeof(*fl))
		len = sizeof(fl->rec);
	if (bpf_ringbuf_output(&sp_events, fl, len, BPF_RB_NO_WAKEUP))
		sp_count_drop(1);
}

/*
 * Copy the `len` (at most SP_INFLIGHT_DATA) item bytes of a kept enter between the scratch
 * record and its sp_inflight slot, in 8-byte words (both sides are 8-byte aligned and have room
 * for the rounded-up length). Inline loads and stores: a bpf_probe_read_kernel here cost a
 * helper call and the kernel's nested calls behind it on every kept call, and calls (their
 * returns) are what dominates these programs' own time.
 */
static __always_inline void sp_copy_kept(__u64 *dst, const __u64 *src, __u64 len)
{
	for (int k = 0; k < SP_INFLIGHT_DATA / 8; k++) {
		if (k * 8 >= len)
			break;
		dst[k] = src[k];
	}
}

/* Whether the enter of syscall `nr` is sent at once rather than kept until its exit. */
static __always_inline bool sp_enter_now(__u32 nr)
{
	return nr == SP_NR_CLONE || nr == SP_NR_FORK || nr == SP_NR_VFORK || nr == SP_NR_CLONE3 ||
	       nr == SP_NR_EXECVE || nr == SP_NR_EXECVEAT || nr == SP_NR_EXIT ||
	       nr == SP_NR_EXIT_GROUP || nr == SP_NR_RT_SIGRETURN;
}

#include "args.h"
#include "sock.h"

static __always_inline int sp_syscall(struct pt_regs *regs, long id, long ret, bool out)
{
	__u32 nr = id;
	__u32 zero = 0;

	if ((__u64)id >= SP_MAX_SYSCALLS)
		return 0;
	if (!out && (sp_filter & SP_FILTER_PIDS) && (nr == SP_NR_EXECVE || nr == SP_NR_EXECVEAT)) {
		/* a command syspect started is traced from its execve on (whatever the syscall
		 * filter says about execve) */
		__u32 me = bpf_get_current_pid_tgid() >> 32;
		__u8 *v = bpf_map_lookup_elem(&sp_pids, &me);
		if (v && *v == SP_PID_ARMED) {
			*v = SP_PID_TRACED;
			sp_bump(&sp_pid_gen);
		}
	}
	/* the cheapest tests first: the syscall filter, then (a capture of some containers)
	 * the cgroup, before the helper calls and reads that an event not kept would waste */
	struct sp_syscall_spec *spec = bpf_map_lookup_elem(&sp_syscalls, &nr);
	if (!spec || !(spec->flags & SP_SC_TRACED))
		return 0;
	/* a capture of some processes or containers: their filter, answered by thread first */
	if (sp_filter == SP_FILTER_CGROUPS && !sp_regs_wanted(regs, true))
		return 0;
	if (sp_filter == SP_FILTER_PIDS && !sp_regs_wanted(regs, false))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = sp_task_pid_tgid(task);
	__u32 tgid = pid_tgid >> 32;
	if (!sp_wanted_after(tgid, true))
		return 0;
	__u32 tid = pid_tgid;
	__u32 slot = tid & (SP_INFLIGHT_SLOTS - 1);
	struct sp_inflight *fl;

	if (!out && !spec->in_mask && !sp_enter_now(nr)) {
		/* an enter that reads nothing (read, close, …): kept as is, built in its
		 * sp_inflight slot rather than in the scratch buffer, as the general path below
		 * would have kept it */
		fl = bpf_map_lookup_elem(&sp_inflight, &slot);
		if (fl && (!(fl->rec.hdr.flags & SP_HDR_PENDING) || fl->rec.hdr.tid == tid)) {
			/* a kept enter of this thread whose exit was missed stands alone */
			sp_flush_pending(fl);
			sp_fill_hdr(&fl->rec.hdr, SP_REC_ENTER, pid_tgid, false);
			fl->rec.hdr.nr = nr;
			fl->rec.hdr.flags = SP_HDR_PENDING;
			fl->rec.regs[0] = regs->di;
			fl->rec.regs[1] = regs->si;
			fl->rec.regs[2] = regs->dx;
			fl->rec.regs[3] = regs->r10;
			fl->rec.regs[4] = regs->r8;
			fl->rec.regs[5] = regs->r9;
			fl->rec.ret = 0; /* no item bytes */
			return 0;
		}
	}

	struct sp_scratch *s = bpf_map_lookup_elem(&sp_scratch, &zero);
	if (!s)
		return 0;
	struct sp_syscall *rec = (void *)s->buf;
	sp_fill_hdr(&rec->hdr, out ? SP_REC_EXIT : SP_REC_ENTER, pid_tgid, false);
	if (out)
		rec->hdr.cgroup = sp_task_cgroup(task);
	rec->hdr.nr = nr;
	/* rt_sigreturn has no argument; its first slot is the address of the signal mask it
	 * restores (see syscalls::SIGFRAME_MASK_OFFSET), which strace shows */
	rec->regs[0] = !out && nr == SP_NR_RT_SIGRETURN ? regs->sp + SP_SIGFRAME_MASK : regs->di;
	rec->regs[1] = regs->si;
	rec->regs[2] = regs->dx;
	rec->regs[3] = regs->r10;
	rec->regs[4] = regs->r8;
	rec->regs[5] = regs->r9;
	rec->ret = out ? ret : 0;

	__u64 off = sizeof(*rec);
	fl = out ? bpf_map_lookup_elem(&sp_inflight, &slot) : NULL;
	if (fl && (fl->rec.hdr.flags & SP_HDR_PENDING) && fl->rec.hdr.tid == tid) {
		if (fl->rec.hdr.nr == nr) {
			/* one record for the whole call: the enter's items first */
			struct sp_call *call = (void *)s->buf;
			__u64 len = fl->rec.ret;
			rec->hdr.kind = SP_REC_CALL;
			call->enter_ts = fl->rec.hdr.ts;
			call->enter_cpu = fl->rec.hdr.cpu;
			call->enter_items = fl->rec.hdr.nitems;
			call->enter_flags = fl->rec.hdr.flags & ~SP_HDR_PENDING;
			call->pad = 0;
			off = sizeof(*call);
			if (len > SP_INFLIGHT_DATA) {
				/* cannot happen; say the enter's items are gone rather than lie */
				len = 0;
				call->enter_items = 0;
			}
			sp_copy_kept((__u64 *)(s->buf + sizeof(*call)), (const __u64 *)fl->data, len);
			off += len;
			rec->hdr.nitems = call->enter_items;
			fl->rec.hdr.flags = 0;
		} else {
			/* the kept enter's exit was missed: it stands alone */
			sp_flush_pending(fl);
		}
	}
	bool faulted = false;
	/* the arguments read on this side (user space derived the masks from `args`); a failed
	 * call wrote nothing: its output (and in/out) arguments stay pointers, the rule of the
	 * syscall table's docs */
	__u32 mask = out ? (ret < 0 ? 0 : spec->out_mask) : spec->in_mask;
	if (mask) {
		for (__u32 i = 0; i < 6; i++) {
			if (!(mask >> i))
				break;
			if (!(mask & (1u << i)))
				continue;
			/* one 8-byte load (sp_arg_spec is 8-byte aligned) */
			__u64 spec_bits = *(const __u64 *)&spec->args[i];
			struct sp_arg_spec a;
			__builtin_memcpy(&a, &spec_bits, sizeof(a));
			__u64 at = off;
			int next;
			if ((a.fetch == SP_FETCH_BUF || a.fetch == SP_FETCH_MEM ||
			     a.fetch == SP_FETCH_ARRAY) &&
			    a.len_from != SP_LEN_ARGPTR) {
				next = sp_fetch_mem_arg(s, off, a, i, ret);
			} else {
				next = sp_fetch_arg(s, off, spec_bits, i | (out ? 0x100 : 0), ret);
			}
			if (next < 0)
				break;
			/* through map memory, which the verifier does not track: the paths through
			 * an argument's different reads (the stack buffer or not, a fault or not)
			 * then converge instead of multiplying (every use of off bounds it) */
			s->v[6] = next;
			off = *(volatile __u64 *)&s->v[6];
			rec->hdr.nitems++;
			if (!out && (a.fetch == SP_FETCH_STR || a.fetch == SP_FETCH_PATH) &&
			    rec->regs[i] && at <= SP_MAX_OFF &&
			    ((struct sp_item *)(s->buf + at))->kind == SP_ITEM_FAULT)
				faulted = true;
		}
	}
	if (faulted && nr != SP_NR_EXECVE && nr != SP_NR_EXECVEAT) {
		__u8 one = 1;
		if (!bpf_map_update_elem(&sp_retry, &tid, &one, BPF_ANY))
			rec->hdr.flags |= SP_HDR_RETRY;
	}
	if (out && (spec->flags & SP_SC_IN_STR) && bpf_map_lookup_elem(&sp_retry, &tid)) {
		/* the enter could not read an input string: read them again now */
		bpf_map_delete_elem(&sp_retry, &tid);
		rec->hdr.flags |= SP_HDR_RETRIED;
		for (__u32 i = 0; i < 6; i++) {
			if (i >= spec->nargs)
				break;
			struct sp_arg_spec a = spec->args[i];
			if (!(a.dir & SP_DIR_IN) ||
			    (a.fetch != SP_FETCH_STR && a.fetch != SP_FETCH_PATH))
				continue;
			__u64 bits;
			__builtin_memcpy(&bits, &a, sizeof(bits));
			int next = sp_fetch_arg(s, off, bits, i | 0x300, ret);
			if (next < 0)
				break;
			off = next;
			rec->hdr.nitems++;
		}
	}
	if ((spec->flags & (SP_SC_MSGS | SP_SC_DIRENTS)) ||
	    (out && (spec->flags & SP_SC_SOCK) && (ret >= 0 || ret == -SP_EINPROGRESS))) {
		/* one call site for both, which keeps this program's stack small enough for the
		 * chain of calls under sp_fetch_msgs */
		__u64 next = sp_fetch_after(s, off, out, ret);
		if (next > off) {
			s->v[6] = next;
			off = *(volatile __u64 *)&s->v[6];
		}
	}
	if (!out && !sp_enter_now(nr) && off - sizeof(*rec) <= SP_INFLIGHT_DATA) {
		/* keep the enter until its exit */
		__u64 len = off - sizeof(*rec);
		rec->ret = len;
		rec->hdr.flags |= SP_HDR_PENDING;
		fl = bpf_map_lookup_elem(&sp_inflight, &slot);
		if (fl && (!(fl->rec.hdr.flags & SP_HDR_PENDING) || fl->rec.hdr.tid == tid)) {
			/* a kept enter of this thread whose exit was missed stands alone */
			sp_flush_pending(fl);
			__builtin_memcpy(&fl->rec, rec, sizeof(*rec));
			sp_copy_kept((__u64 *)fl->data, (const __u64 *)(s->buf + sizeof(*rec)), len);
			return 0;
		}
		/* the slot holds another thread's call: send the enter now */
		rec->ret = 0;
		rec->hdr.flags &= ~SP_HDR_PENDING;
	}
	if (rec->hdr.kind != SP_REC_CALL && !out)
		rec->hdr.cgroup = sp_task_cgroup(task);
	sp_output_syscall(s, off, rec->hdr.kind == SP_REC_CALL ? 2 : 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sp_sys_enter, struct pt_regs *regs, long id)
{
	if (sp_stack_guard)
		bpf_tail_call(ctx, &sp_stack_guard_enter, 0);
	return sp_syscall(regs, id, 0, false);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sp_sys_exit, struct pt_regs *regs, long ret)
{
	if (sp_stack_guard)
		bpf_tail_call(ctx, &sp_stack_guard_exit, 0);
	long nr = regs->orig_ax;
	/* rt_sigreturn restores the registers and sets orig_ax to -1 */
	if (nr == -1)
		nr = SP_NR_RT_SIGRETURN;
	/* the child's side of fork/clone: neither strace nor the ptrace engine shows it */
	if (ret == 0 && (nr == SP_NR_CLONE || nr == SP_NR_FORK || nr == SP_NR_VFORK ||
			 nr == SP_NR_CLONE3))
		return 0;
	return sp_syscall(regs, nr, ret, true);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 ptgid = parent->tgid;
	__u32 ctgid = child->tgid;

	/* before the child runs: it may have the stack of a thread gone */
	if (sp_filter)
		sp_bump(&sp_task_gen);

	if ((sp_filter & SP_FILTER_PIDS) && ctgid != ptgid) {
		__u8 *v = bpf_map_lookup_elem(&sp_pids, &ptgid);
		if (v && *v == SP_PID_TRACED) {
			__u8 traced = SP_PID_TRACED;
			bpf_map_update_elem(&sp_pids, &ctgid, &traced, BPF_ANY);
			sp_bump(&sp_pid_gen);
		}
	}
	if (!sp_wanted(pid_tgid >> 32))
		return 0;

	struct sp_clone rec;
	sp_fill_hdr(&rec.hdr, SP_REC_CLONE, pid_tgid, true);
	rec.child_tid = child->pid;
	rec.child_pid = ctgid;
	rec.flags = 0;
	/* the clone flags from the parent's syscall arguments */
	struct pt_regs *uregs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	long nr = uregs->orig_ax;
	if (nr == SP_NR_CLONE) {
		rec.flags = uregs->di;
	} else if (nr == SP_NR_VFORK) {
		rec.flags = SP_CLONE_VM | SP_CLONE_VFORK;
	} else if (nr == SP_NR_CLONE3) {
		__u64 f = 0;
		bpf_probe_read_user(&f, sizeof(f), (void *)uregs->di);
		rec.flags = f;
	}
	sp_output(&rec, sizeof(rec), 1);
	return 0;
}

#include "path.h"

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sp_exec, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 zero = 0;

	if (!sp_wanted(pid_tgid >> 32))
		return 0;
	struct sp_scratch *s = bpf_map_lookup_elem(&sp_scratch, &zero);
	if (!s)
		return 0;
	struct sp_exec *rec = (void *)s->buf;
	sp_fill_hdr(&rec->hdr, SP_REC_EXEC, pid_tgid, true);
	rec->old_tid = old_pid;
	/* the file that runs: the interpreter of a script, else the file named */
	const char *name = BPF_CORE_READ(bprm, interp);
	long n = bpf_probe_read_kernel_str(s->buf + sizeof(*rec), SP_MAX_ARG_DATA, name);
	__u32 len = n > 0 ? n - 1 : 0;
	if (len > SP_MAX_ARG_DATA)
		len = 0;
	rec->len = len;
	/* argv of the new image, from its argument area (current is the new image) */
	__u64 start = BPF_CORE_READ(p, mm, arg_start);
	__u64 end = BPF_CORE_READ(p, mm, arg_end);
	__u64 alen = end > start ? end - start : 0;
	if (alen > SP_MAX_ARG_DATA)
		alen = SP_MAX_ARG_DATA;
	if (alen && bpf_probe_read_user(s->buf + sizeof(*rec) + len, alen, (void *)start))
		alen = 0;
	rec->args_len = alen;
	/* the working directory and the executable, as the kernel names them: the process may
	 * be gone before user space could read /proc */
	__u64 at = sizeof(*rec) + len + alen;
	struct fs_struct *fs = BPF_CORE_READ(p, fs);
	int cwd = fs ? sp_fetch_path(s, at, (__u64)BPF_CORE_READ(fs, pwd.mnt),
				     (__u64)BPF_CORE_READ(fs, pwd.dentry))
		     : -1;
	rec->cwd_len = 0;
	if (cwd >= 0 && cwd <= SP_MAX_ARG_DATA) {
		rec->cwd_len = cwd;
		rec->hdr.flags |= SP_HDR_CWD;
		at += cwd;
	}
	struct file *file = BPF_CORE_READ(bprm, file);
	int exe = file ? sp_fetch_path(s, at, (__u64)BPF_CORE_READ(file, f_path.mnt),
				       (__u64)BPF_CORE_READ(file, f_path.dentry))
		       : -1;
	rec->exe_len = 0;
	if (exe >= 0 && exe <= SP_MAX_ARG_DATA) {
		rec->exe_len = exe;
		rec->hdr.flags |= SP_HDR_EXE;
		at += exe;
	}
	int cg = sp_fetch_cgroup(s, at, (__u64)BPF_CORE_READ(p, cgroups, dfl_cgrp, kn));
	rec->cgroup_len = 0;
	if (cg >= 0 && cg <= SP_MAX_ARG_DATA) {
		rec->cgroup_len = cg;
		rec->hdr.flags |= SP_HDR_CGROUP;
		at += cg;
	}
	rec->pad[0] = rec->pad[1] = rec->pad[2] = 0;
	bpf_get_current_comm(rec->comm, sizeof(rec->comm));
	/* (bounded already; said again for the verifier, which loses it through the calls) */
	if (at > SP_BUF)
		at = sizeof(*rec);
	sp_output(rec, at, 1);
	return 0;
}

/* After a thread (or a whole process) moved to another cgroup: the CPUs' answers by thread are
 * stale. Migrations are rare: a container starting, `docker exec`, a service starting. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(sp_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	if (sp_filter & SP_FILTER_CGROUPS)
		sp_bump(&sp_task_gen);
	return 0;
}

/*
 * A thread that leaves the CPU in a call (it sleeps: waits for data, a lock, a child, a timer;
 * or it is preempted) has its kept enter sent now, so that a call that blocks is seen while
 * it blocks, and comes out in time order rather than when the call ends (a preempted call's
 * enter, kept, came after everything the other CPUs did until it ran again: 3 ms late under
 * two busy dd's on two CPUs); its exit then comes alone, as an SP_REC_EXIT. Every context
 * switch of the host passes here, so the test is one array lookup.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(sp_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 tid = prev->pid;
	__u32 slot = tid & (SP_INFLIGHT_SLOTS - 1);
	struct sp_inflight *fl = bpf_map_lookup_elem(&sp_inflight, &slot);
	if (fl && fl->rec.hdr.tid == tid)
		sp_flush_pending(fl);
	return 0;
}

/* A signal the thread takes: strace's `--- SIGCHLD {si_signo=SIGCHLD, ...} ---` line. */
SEC("tp_btf/signal_deliver")
int BPF_PROG(sp_signal, int sig, struct kernel_siginfo *info, void *ka)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (!sp_wanted(pid_tgid >> 32))
		return 0;
	struct sp_signal rec;
	sp_fill_hdr(&rec.hdr, SP_REC_SIGNAL, pid_tgid, true);
	rec.signo = sig;
	rec.code = info ? BPF_CORE_READ(info, si_code) : 0;
	rec.sender = info ? BPF_CORE_READ(info, _sifields._kill._pid) : 0;
	rec.err = info ? BPF_CORE_READ(info, si_errno) : 0;
	if (!info || bpf_core_read(rec.fields, sizeof(rec.fields), &info->_sifields))
		__builtin_memset(rec.fields, 0, sizeof(rec.fields));
	sp_output(&rec, sizeof(rec), 1);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sp_exit, struct task_struct *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__u32 tid = pid_tgid;

	/* a call the thread never returned from */
	__u32 slot = tid & (SP_INFLIGHT_SLOTS - 1);
	struct sp_inflight *fl = bpf_map_lookup_elem(&sp_inflight, &slot);
	if (fl && fl->rec.hdr.tid == tid)
		sp_flush_pending(fl);
	if (sp_wanted(tgid)) {
		struct sp_thread_exit rec;
		sp_fill_hdr(&rec.hdr, SP_REC_THREAD_EXIT, pid_tgid, true);
		rec.status = BPF_CORE_READ(p, exit_code);
		rec.pad = 0;
		sp_output(&rec, sizeof(rec), 1);
	}
	/* the last thread of a traced process: forget it (its pid may be reused) */
	if ((sp_filter & SP_FILTER_PIDS) && BPF_CORE_READ(p, signal, live.counter) == 0 &&
	    !bpf_map_delete_elem(&sp_pids, &tgid))
		sp_bump(&sp_pid_gen);
	return 0;
}
