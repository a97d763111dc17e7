/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The ends of an inet socket, read from the kernel's struct sock at the exit of connect and
 * accept (SP_SC_SOCK in abi.h): the address the kernel chose for a connecting socket, the
 * local address of an accepted one (the listener may be bound to every address), and the
 * peer of an accept whose caller passed no buffer. Included once by syspect.bpf.c, after
 * args.h.
 */
#ifndef SYSPECT_SOCK_H
#define SYSPECT_SOCK_H

#define SP_AF_INET 2
#define SP_AF_INET6 10
#define SP_S_IFMT 0170000
#define SP_S_IFSOCK 0140000
#define SP_EINPROGRESS 115

/* One end as a struct sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes) in an SP_ITEM_MEM item
 * at `off`; returns the offset after it. */
static __always_inline __u64 sp_put_sockaddr(struct sp_scratch *s, __u64 off, __u8 arg,
					     __u16 family, __u16 port_be, __u32 v4,
					     const __u8 *v6)
{
	if (off > SP_MAX_OFF)
		return off;
	struct sp_item *it = (void *)(s->buf + off);
	__u8 *d = s->buf + off + sizeof(*it);
	__u32 len = family == SP_AF_INET ? 16 : 28;
	for (int k = 0; k < 28 / 4; k++)
		((__u32 *)d)[k] = 0;
	*(__u16 *)d = family;
	*(__u16 *)(d + 2) = port_be;
	if (family == SP_AF_INET) {
		*(__u32 *)(d + 4) = v4;
	} else {
		for (int k = 0; k < 16; k++)
			d[8 + k] = v6[k];
	}
	it->real = len;
	it->len = len;
	it->arg = arg;
	it->kind = SP_ITEM_MEM;
	it->flags = 0;
	it->pad = 0;
	return off + sizeof(*it) + len;
}

/*
 * The local and peer ends of the inet socket `fd` of the current process, as two items at
 * `off`; returns the offset after them, or `off` when `fd` is not an inet socket (or its
 * file cannot be read). A global function: verified once.
 */
__noinline int sp_fetch_sock(struct sp_scratch *s, __u64 off, __u64 fd)
{
	if (!s || off > SP_MAX_OFF - 2 * (sizeof(struct sp_item) + 28))
		return off;
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return off;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), fds + fd) || !f)
		return off;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & SP_S_IFMT) != SP_S_IFSOCK)
		return off;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	if (!sk)
		return off;
	/* plain arrays: a local struct of kernel_types.h would have its own offsets relocated */
	__u8 local6[16] = {}, peer6[16] = {};
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != SP_AF_INET && family != SP_AF_INET6)
		return off;
	__u16 local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 peer_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
	__u32 local4 = 0, peer4 = 0;
	if (family == SP_AF_INET) {
		local4 = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		peer4 = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	} else {
		bpf_core_read(local6, sizeof(local6), &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(peer6, sizeof(peer6), &sk->__sk_common.skc_v6_daddr);
	}
	/* skc_num is in host order, a sockaddr's port in network order */
	__u16 local_be = (local_port >> 8) | (local_port << 8);
	off = sp_put_sockaddr(s, off, SP_ITEM_ARG_LOCAL, family, local_be, local4, local6);
	off = sp_put_sockaddr(s, off, SP_ITEM_ARG_PEER, family, peer_port, peer4, peer6);
	return off;
}

/* Walking a getdents result's entries (see SP_SC_DIRENTS). */
struct sp_dirents {
	__u64 ptr; /* the buffer */
	__u64 end; /* its length: the call's result */
	__u64 pos; /* the next entry's offset */
	__u64 n;   /* entries counted */
};

static long sp_dirent_step(__u64 index, void *ctx)
{
	struct sp_dirents *d = ctx;
	__u16 reclen = 0;
	if (d->pos + 18 > d->end ||
	    bpf_probe_read_user(&reclen, sizeof(reclen), (void *)(d->ptr + d->pos + 16)) || !reclen)
		return 1;
	d->pos += reclen;
	d->n++;
	return 0;
}

/*
 * What a call's record holds after its arguments, read by one global function called from one
 * place: the messages of a call with SP_SC_MSGS (on the sides its argument's `dir` says), the
 * count of a long getdents result's entries (SP_SC_DIRENTS), and at
 * the exit of a successful (or connecting) SP_SC_SOCK call its socket's two ends. Counts the
 * items it adds in the record's header; returns the offset after them.
 */
__noinline __u64 sp_fetch_after(struct sp_scratch *s, __u64 off, bool out, long ret)
{
	if (!s)
		return off;
	struct sp_syscall *rec = (void *)s->buf;
	__u32 nr = rec->hdr.nr;
	const struct sp_syscall_spec *spec = bpf_map_lookup_elem(&sp_syscalls, &nr);
	if (!spec)
		return off;
	if (spec->flags & SP_SC_MSGS) {
		__u32 i = spec->msgs_arg;
		if (i >= 6)
			return off;
		__u64 bits = *(const __u64 *)&spec->args[i];
		__u8 d = spec->args[i].dir;
		if (out ? ret < 0 || !(d & SP_DIR_OUT) : !(d & SP_DIR_IN))
			return off;
		int next = sp_fetch_msgs(s, off, bits, i | (out ? 0x100 : 0), ret);
		if (next < 0)
			return off;
		rec->hdr.nitems++;
		return next;
	}
	if (spec->flags & SP_SC_DIRENTS) {
		if (!out || ret <= SP_MAX_ARG_DATA || off > SP_MAX_OFF)
			return off;
		/* bpf_loop: its callback is verified once, where a bounded loop of this many
		 * steps cost the verifier a tenth of a second at every load */
		struct sp_dirents d = {.ptr = rec->regs[1], .end = ret};
		bpf_loop(SP_MAX_DIRENTS, sp_dirent_step, &d, 0);
		struct sp_item *it = (void *)(s->buf + off);
		it->real = d.n;
		it->len = 0;
		it->arg = 1;
		it->kind = SP_ITEM_COUNT;
		it->flags = 0;
		it->pad = 0;
		rec->hdr.nitems++;
		return off + sizeof(*it);
	}
	if (!out || !(spec->flags & SP_SC_SOCK) || (ret < 0 && ret != -SP_EINPROGRESS))
		return off;
	/* a connecting socket's own end, an accepted one's two */
	__u64 fd = (spec->flags & SP_SC_SOCK_RET) ? (__u64)ret : rec->regs[0];
	__u64 next = sp_fetch_sock(s, off, fd);
	if (next > off)
		rec->hdr.nitems += 2;
	return next;
}

#endif
