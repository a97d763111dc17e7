// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* The cost of attaching: empty programs on the two tracepoints syspect uses. Every syscall of
 * the host then takes the kernel's slow path and runs both; nothing is recorded. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
