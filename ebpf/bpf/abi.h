/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * syspect's kernel/user ABI: the records the BPF program writes into the ring buffer and the
 * map values user space fills. ebpf/src/lib.rs mirrors every struct here #[repr(C)] and checks
 * sizes and offsets at compile time.
 *
 * Compatibility rule: any change to a struct, a constant's value or a record's meaning bumps
 * SP_ABI_VERSION (and syspect_ebpf::ABI_VERSION with it); user space refuses an object whose
 * version differs. Only append record kinds, item kinds and fields at the end of a struct.
 *
 * Layout choices: every struct is made of naturally aligned fields with explicit padding, so
 * that C and Rust agree without packing; records start 8-byte aligned in the ring buffer, but
 * argument items inside a record are packed back to back (user space reads them bytewise). A
 * record may end with padding (the program copies small ones into fixed-size reservations):
 * user space reads a record's items by their count, never to the record's end.
 */
#ifndef SYSPECT_ABI_H
#define SYSPECT_ABI_H

#define SP_ABI_VERSION 15

/* Syscall numbers below this are described by the sp_syscalls map; others are ignored. */
#define SP_MAX_SYSCALLS 512
/* Largest string, buffer or memory read for one argument: caps the snap length and MAX_MEM. */
#define SP_MAX_ARG_DATA 4096
/* At most this many argv strings and iovecs are read for one argument. */
#define SP_MAX_STRLIST 64
/* At most this many pointers of a string list are counted (STRLIST's `real`), read or not. */
#define SP_MAX_STRLIST_COUNT 1024
#define SP_MAX_IOVEC 64

/* Record kinds (sp_hdr.kind). */
#define SP_REC_ENTER 1
#define SP_REC_EXIT 2
#define SP_REC_CLONE 3
#define SP_REC_EXEC 4
#define SP_REC_THREAD_EXIT 5
#define SP_REC_CALL 6
#define SP_REC_SIGNAL 7

/* Common head of every record. 32 bytes. */
struct sp_hdr {
	__u64 ts;     /* bpf_ktime_get_boot_ns(): user space adds the boot time */
	__u64 cgroup; /* bpf_get_current_cgroup_id(): cgroup v2 inode of the thread's cgroup */
	__u32 tid;
	__u32 pid; /* thread group id */
	__u16 kind;
	__u16 cpu;
	__u16 nr;    /* syscall number (ENTER, EXIT) */
	__u8 nitems; /* argument items that follow the record (ENTER, EXIT) */
	__u8 flags;  /* SP_HDR_* */
};

/*
 * A string argument can fault at enter when its page was never touched (a literal in a
 * library's .rodata): the program cannot fault pages in. The enter is then flagged RETRY and
 * the exit, when the kernel has touched the page, reads the call's input strings again as items
 * whose `arg` has SP_ITEM_REDO set, and is flagged RETRIED; user space holds such an enter
 * until its exit and patches it.
 */
#define SP_HDR_RETRY 1
#define SP_HDR_RETRIED 2
/* In an sp_inflight value only: the enter is waiting for its exit. */
#define SP_HDR_PENDING 4
/* In an SP_REC_EXEC: the record carries the working directory / the executable's path. */
#define SP_HDR_CWD 8
#define SP_HDR_EXE 16
/* In an SP_REC_EXEC: the record carries the cgroup v2 path (see struct sp_exec). */
#define SP_HDR_CGROUP 32

/*
 * A syscall enter or exit. The six argument registers are always sent (user space builds the
 * scalar arguments from them, and the pointer of an output argument of a failed call); items
 * for the pointer arguments read on this side follow, `nitems` of them. 88 bytes.
 */
struct sp_syscall {
	struct sp_hdr hdr;
	__u64 regs[6];
	__s64 ret; /* EXIT: the return value; ENTER: 0 */
};

/*
 * A whole call, sent at its exit: the enter's arguments were kept per thread in the
 * sp_inflight map meanwhile, which halves the records. The header, registers and return value
 * are the exit's (`hdr.ts`, `hdr.cpu`); `hdr.nitems` counts all items: the enter's first
 * (`enter_items` of them, read at enter), then the exit's. Calls whose enter is sent at once as
 * an SP_REC_ENTER (fork, exec and exit calls, rt_sigreturn, enters whose items do not fit
 * SP_INFLIGHT_DATA, a full map) end with an SP_REC_EXIT. 104 bytes.
 */
struct sp_call {
	struct sp_syscall sys;
	__u64 enter_ts;
	__u16 enter_cpu;
	__u8 enter_items;
	__u8 enter_flags; /* the enter's SP_HDR_* bits (RETRY) */
	__u32 pad;
};

/*
 * Value of the sp_inflight array (slot tid % SP_INFLIGHT_SLOTS): the enter record of the thread's current call, as it
 * would have been sent, with `rec.ret` holding the bytes of its items in `data` and
 * SP_HDR_PENDING in `rec.hdr.flags` until the exit takes it. User space sends the pending
 * ones as enters when the capture stops (calls still blocked). 256 bytes.
 */
#define SP_INFLIGHT_DATA 168
/* Slots of the sp_inflight array (a power of two): a thread uses slot tid % SP_INFLIGHT_SLOTS. */
#define SP_INFLIGHT_SLOTS 65536
struct sp_inflight {
	struct sp_syscall rec;
	__u8 data[SP_INFLIGHT_DATA];
};

/* Item kinds. */
#define SP_ITEM_STR 1     /* bytes of a NUL-terminated string, without the NUL */
#define SP_ITEM_BUF 2     /* the first bytes of a buffer; `real` is its length */
#define SP_ITEM_MEM 3     /* memory read verbatim (struct, sockaddr, array) */
#define SP_ITEM_STRLIST 4 /* `real` strings counted; the first ones, each a __u16 length then
			   * its bytes (fewer than `real` when SP_ITEM_TRUNC) */
#define SP_ITEM_IOVEC 5   /* `real` iovecs, each an sp_iov then its bytes */
#define SP_ITEM_FAULT 6   /* the pointer (`real`) could not be read, or is NULL; no data */
#define SP_ITEM_MSGS 7    /* `real` messages, each an sp_msg then what it says follows */
#define SP_ITEM_COUNT 8   /* no data: argument `arg`'s memory holds `real` elements (more than
			   * its own item kept; see SP_SC_DIRENTS) */

/* Item flags. */
#define SP_ITEM_TRUNC 1 /* STR: longer than the snap length; STRLIST: more strings or bytes;
			 * MSGS: more messages */

/* Set in sp_item.arg for an input argument read again at exit (see SP_HDR_RETRY). */
#define SP_ITEM_REDO 0x80

/*
 * sp_item.arg of what an exit read beyond the call's arguments (see SP_SC_SOCK): the socket's
 * local end and its peer's, each an SP_ITEM_MEM holding a struct sockaddr_in or sockaddr_in6
 * built from the kernel's socket.
 */
#define SP_ITEM_ARG_LOCAL 6
#define SP_ITEM_ARG_PEER 7

/* One argument read from the tracee's memory: this header, then `len` bytes. 16 bytes. */
struct sp_item {
	__u64 real; /* BUF: real length; STRLIST: strings counted; IOVEC: element count; FAULT: the
		     * pointer */
	__u32 len;  /* data bytes that follow */
	__u8 arg;   /* argument index, 0..5, | SP_ITEM_REDO */
	__u8 kind;
	__u8 flags;
	__u8 pad;
};

/* Head of one iovec inside an SP_ITEM_IOVEC item. 16 bytes. */
struct sp_iov {
	__u64 real;  /* iov_len (the data: for an output argument, what the call filled) */
	__u32 len;   /* bytes that follow */
	__u32 flags; /* SP_IOV_NULL */
};

/* sp_iov.flags: iov_base is NULL (a size query: recvmsg with MSG_PEEK|MSG_TRUNC). */
#define SP_IOV_NULL 1

/* Limits of an SP_FETCH_MSGS argument. */
#define SP_MAX_MSGS 8
#define SP_MAX_MSG_NAME 128
#define SP_MAX_MSG_CONTROL 256
#define SP_MAX_MSG_IOV 16

/*
 * Head of one message inside an SP_ITEM_MSGS item: its header as the caller's memory held it (a
 * struct msghdr, 56 bytes, or a struct mmsghdr with msg_len, 64), then name_len bytes of
 * msg_name, ctl_len bytes of msg_control and `iovs` iovecs, each an sp_iov then its bytes (their
 * data together at most the snap length). 72 bytes.
 */
struct sp_msg {
	__u64 hdr[8];
	__u16 name_len;
	__u16 ctl_len;
	__u16 iovs;
	__u8 hdr_len;
	__u8 flags; /* SP_MSG_HDR_ONLY */
};

/* sp_msg.flags: the enter of a receiving call: its header alone (nothing is filled yet). */
#define SP_MSG_HDR_ONLY 1

/* sched_process_fork, sent by the parent thread. 48 bytes. */
struct sp_clone {
	struct sp_hdr hdr;
	__u64 flags; /* clone flags; 0 for fork, CLONE_VM|CLONE_VFORK for vfork */
	__u32 child_tid;
	__u32 child_pid;
};

/*
 * sched_process_exec: the file that runs (bprm->interp: the interpreter of a script, else the
 * file named, as the caller spelt it), `len` bytes, follows; then
 * `args_len` bytes of the new image's argument area (NUL-separated argv, cut at
 * SP_MAX_ARG_DATA); then `cwd_len` bytes of the working directory and `exe_len` bytes of the
 * executable's path (bprm->file), each as its components from the last to the first, each
 * followed by a NUL ("bin\0usr\0" is /usr/bin; nothing is /). A path is there only when its
 * SP_HDR_CWD or SP_HDR_EXE bit is set in hdr.flags: the walk up its dentries and mounts reached
 * the root of the mount namespace within SP_PATH_DEPTH steps and SP_MAX_ARG_DATA bytes.
 * Then `cgroup_len` bytes of the task's cgroup v2 path, the same way up kernfs names, present
 * with SP_HDR_CGROUP: the walk reached the root the capture sees (the global sp_cgroup_root, the
 * id of its cgroup2 mount's root) or the hierarchy's top within SP_CGROUP_DEPTH steps. With it a
 * process is named in its container even when it is gone before user space could read /proc
 * (a container that lives a fraction of a second). `comm` is the task's name after the exec.
 * 72 bytes.
 */
struct sp_exec {
	struct sp_hdr hdr;
	__u32 old_tid;
	__u32 len;
	__u32 args_len;
	__u16 cwd_len;
	__u16 exe_len;
	__u16 cgroup_len;
	__u16 pad[3];
	char comm[16]; /* the task's name after the exec (the file name's last part) */
};

#define SP_PATH_DEPTH 48
#define SP_CGROUP_DEPTH 16

/* sched_process_exit. 40 bytes. */
struct sp_thread_exit {
	struct sp_hdr hdr;
	__s32 status; /* task->exit_code: a wait(2) status */
	__u32 pad;
};

/*
 * signal_deliver: a signal taken by the thread (to its handler, or to its default action: the
 * end of the process, a stop; an ignored one too), as strace's `--- SIGCHLD {...} ---`. A
 * signal whose action is to be ignored at the time it is sent is never queued, so never seen
 * here (strace sees it: a traced process is sent every signal). 48 bytes.
 */
struct sp_signal {
	struct sp_hdr hdr;
	__s32 signo;
	__s32 code;   /* si_code */
	__u32 sender; /* si_pid: the sender, or the child of a SIGCHLD */
	__s32 err;    /* si_errno */
	/* the siginfo's union (_sifields) as the kernel filled it: the sender's uid, a child's
	 * status and times, a fault's address, a timer's id, a queued value */
	__u8 fields[32];
};

/* What the program reads for one argument (user space derives it from the syscall table). */
#define SP_FETCH_VALUE 0   /* nothing: the register is the value */
#define SP_FETCH_STR 1
#define SP_FETCH_STRLIST 2
#define SP_FETCH_BUF 3
#define SP_FETCH_MEM 4
#define SP_FETCH_ARRAY 5   /* `count` (from len_from) elements of `size` bytes */
#define SP_FETCH_IOVEC 6   /* `count` (from len_from) iovecs */
#define SP_FETCH_PATH 7    /* a string kept up to SP_MAX_ARG_DATA bytes, whatever the snap length */
#define SP_FETCH_MSGS 8    /* `count` (from len_from) msghdrs (mmsghdrs with SP_ARG_MMSG) */

/* sp_arg_spec.flags of an SP_FETCH_MSGS argument. */
#define SP_ARG_RECV 1 /* the call fills the buffers: headers alone at enter, data up to the result */
#define SP_ARG_MMSG 2 /* struct mmsghdr (64 bytes, msg_len the bytes of each message) */

/* Direction bits. */
#define SP_DIR_IN 1  /* read at enter */
#define SP_DIR_OUT 2 /* read at exit, only when the call succeeded */

/* Where a length (or count) comes from. */
#define SP_LEN_ARG 0    /* the value of argument len_arg */
#define SP_LEN_RET 1    /* the return value (exit only) */
#define SP_LEN_ARGPTR 2 /* a __u32 at the pointer in argument len_arg */
#define SP_LEN_FIXED 3  /* `size` bytes */

/* One argument's description. 8 bytes, 8-byte aligned: the program loads it as one word. */
struct sp_arg_spec {
	__u8 fetch;
	__u8 dir;
	__u8 len_from;
	__u8 len_arg;
	__u16 size; /* FIXED: the length; ARRAY: the element size */
	__u16 flags; /* SP_FETCH_MSGS: SP_ARG_* */
} __attribute__((aligned(8)));

/* Syscall flags. */
#define SP_SC_TRACED 1    /* emit enter/exit records (the syscall filter) */
#define SP_SC_DESCRIBED 2 /* the table describes it: read args as `args` say */
#define SP_SC_IN_STR 4    /* it has an input string argument (may need SP_HDR_RETRY) */
/*
 * At exit, when the call succeeded (or a connect is under way, EINPROGRESS), read the ends of
 * the inet socket that argument 0 names (connect, bind), or the returned fd when SP_SC_SOCK_RET is
 * set too (accept, accept4): two items, SP_ITEM_ARG_LOCAL and SP_ITEM_ARG_PEER, after the
 * call's own. A connecting socket's own address and an accepted one's local address are in no
 * argument; the kernel chose them.
 */
#define SP_SC_SOCK 8
#define SP_SC_SOCK_RET 16
/*
 * Argument msgs_arg is an SP_FETCH_MSGS (sendmsg's, recvmmsg's…): read after the others by
 * sp_fetch_msgs, on the sides its `dir` says. Its bit is in neither in_mask nor out_mask; bit 7
 * of the mask is set instead, so that the side is known to read something.
 */
#define SP_SC_MSGS 32
/*
 * getdents: at exit, when the result is longer than an item holds, count the entries (each's
 * d_reclen at offset 16) into an SP_ITEM_COUNT item for argument 1, as strace counts them.
 */
#define SP_SC_DIRENTS 64
/* At most this many entries are counted. */
#define SP_MAX_DIRENTS 4096

/*
 * Value of the sp_syscalls map, indexed by syscall number. `in_mask` / `out_mask`: bit i set
 * when argument i (below nargs, of a DESCRIBED syscall) is read at enter / at exit (its `dir`
 * has SP_DIR_IN / SP_DIR_OUT and its `fetch` is not SP_FETCH_VALUE); user space derives them
 * from `args` at load, so that the program skips the arguments that are plain registers
 * without looking at their specs. 56 bytes.
 */
struct sp_syscall_spec {
	__u8 flags;
	__u8 nargs;
	__u8 in_mask;
	__u8 out_mask;
	__u8 msgs_arg; /* SP_SC_MSGS */
	__u8 pad[3];
	struct sp_arg_spec args[6];
};

/* Bits of the sp_filter global. */
#define SP_FILTER_PIDS 1    /* only processes in sp_pids (value SP_PID_TRACED) */
#define SP_FILTER_CGROUPS 2 /* only threads whose cgroup id is in sp_cgroups */

/* Values of the sp_pids map. */
#define SP_PID_TRACED 1
#define SP_PID_ARMED 2 /* traced from its next execve on (a command syspect starts) */

#endif
