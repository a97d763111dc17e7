/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * Syscall arguments read in the kernel as the syscall table says (each syscall's sp_syscall_spec,
 * pushed into sp_syscalls at load): strings, string lists, buffers, structs, arrays and iovecs,
 * written as items (struct sp_item) after the record. Included once by syspect.bpf.c, after the
 * maps, the scratch buffer and the record helpers they use.
 */
#ifndef SYSPECT_ARGS_H
#define SYSPECT_ARGS_H

static __always_inline __u32 sp_snap(void)
{
	__u32 s = sp_snaplen;
	return s > SP_MAX_ARG_DATA ? SP_MAX_ARG_DATA : s;
}

/* Argument register n of the record being built at the start of the scratch buffer. */
static __always_inline __u64 sp_reg(struct sp_scratch *s, __u32 n)
{
	struct sp_syscall *rec = (void *)s->buf;
	return n < 6 ? rec->regs[n] : 0;
}

/* sp_len of a length that cannot be read */
#define SP_LEN_BAD (~0ULL)

/* A length or count as the argument's spec says (at enter, or after a failed call, a return
 * value is 0). */
static __always_inline __u64 sp_len(struct sp_scratch *s, const struct sp_arg_spec *a, long ret)
{
	__u32 v = 0;
	__u64 p;

	switch (a->len_from) {
	case SP_LEN_ARG:
		return sp_reg(s, a->len_arg);
	case SP_LEN_RET:
		return ret < 0 ? 0 : (__u64)ret;
	case SP_LEN_ARGPTR:
		p = sp_reg(s, a->len_arg);
		if (p && bpf_probe_read_user(&v, sizeof(v), (void *)p))
			return SP_LEN_BAD;
		return v;
	default:
		return a->size;
	}
}

/*
 * argv: up to SP_MAX_STRLIST strings, each a __u16 length then its bytes. Returns data bytes.
 * Loop variables live in s->v (map memory, which the verifier does not track), so every
 * iteration starts from the same bounded state and verification stays linear.
 */
static __always_inline __u64 sp_fetch_strlist(struct sp_scratch *s, struct sp_item *it,
					      __u8 *data, __u64 ptr)
{
	__u32 snap = sp_snap();

	s->v[0] = 0; /* bytes used */
	s->v[1] = 0; /* strings */
	s->v[2] = 0; /* the terminating NULL was seen */
	for (int j = 0; j < SP_MAX_STRLIST; j++) {
		__u64 p = 0;
		if (bpf_probe_read_user(&p, sizeof(p), (void *)(ptr + 8 * j))) {
			if (j == 0)
				it->kind = SP_ITEM_FAULT;
			break;
		}
		if (!p) {
			s->v[2] = 1;
			break;
		}
		__u64 used = s->v[0];
		if (used > SP_MAX_ARG_DATA - 3) {
			it->flags = SP_ITEM_TRUNC;
			break;
		}
		/* each string cut at the snap length, all of them at SP_MAX_ARG_DATA */
		__u64 room = SP_MAX_ARG_DATA - 2 - used;
		__u64 max = snap < room ? snap : room;
		long n = bpf_probe_read_user_str(data + used + 2, max + 1, (void *)p);
		__u64 l = n > 0 ? n - 1 : 0;
		if (l > max)
			l = max;
		data[used] = l & 0xff;
		data[used + 1] = l >> 8;
		s->v[0] = used + 2 + l;
		s->v[1] += 1;
		if (max < snap && l == max)
			break;
	}
	if (!s->v[2]) {
		/* stopped without the NULL: for room (a string or more not kept whole), or at the
		 * limit of strings, where the count below tells whether more follow */
		__u64 kept = s->v[1];
		if (kept < SP_MAX_STRLIST)
			it->flags = SP_ITEM_TRUNC;
		/* strace counts an environment whole ("300 vars"): count the pointers past those
		 * read, eight at a time, through the scratch buffer past the item's largest data
		 * (a read that faults, at the end of the stack, stops the count short) */
		__u64 *tmp = (__u64 *)(data + SP_MAX_ARG_DATA);
		for (int k = 0; k < SP_MAX_STRLIST_COUNT / 8; k++) {
			__u64 at = s->v[1];
			if (it->kind == SP_ITEM_FAULT ||
			    bpf_probe_read_user(tmp, 64, (void *)(ptr + 8 * at)))
				break;
			int j = 0;
			for (; j < 8; j++) {
				if (!tmp[j])
					break;
			}
			s->v[1] = at + j;
			if (j < 8) {
				s->v[2] = 1;
				break;
			}
		}
		if (!s->v[2] || s->v[1] > kept)
			it->flags = SP_ITEM_TRUNC;
	}
	it->real = s->v[1];
	return s->v[0];
}

/*
 * One iovec (its base and length read from the caller's array) into `data` at s->v[0], after
 * the loop variables s->v[0..3] of sp_fetch_iovec and sp_fetch_msg: bytes used, data bytes
 * taken (at most the snap length in all), bytes the call moved still to show, iovecs. Returns
 * false when the item has no room left.
 */
static __always_inline bool sp_put_iov(struct sp_scratch *s, __u8 *data, __u64 base, __u64 len,
				       __u32 snap)
{
	__u64 used = s->v[0];
	if (used > SP_MAX_ARG_DATA - sizeof(struct sp_iov))
		return false;
	__u64 took = s->v[1];
	if (took > snap)
		took = snap;
	__u64 budget = s->v[2];
	__u64 want = len < budget ? len : budget;
	__u64 c = want < snap - took ? want : snap - took;
	if (c > SP_MAX_ARG_DATA - sizeof(struct sp_iov) - used)
		c = SP_MAX_ARG_DATA - sizeof(struct sp_iov) - used;
	struct sp_iov *h = (void *)(data + used);
	h->real = len; /* strace shows iov_len, the data up to what the call moved */
	h->flags = base ? 0 : SP_IOV_NULL;
	if (c && bpf_probe_read_user(data + used + sizeof(*h), c, (void *)base))
		c = 0;
	h->len = c;
	s->v[0] = used + sizeof(*h) + c;
	s->v[1] = took + c;
	s->v[2] = budget - want;
	s->v[3] += 1;
	return true;
}

/* iovecs: up to SP_MAX_IOVEC, together at most the snap length of data; for an output
 * argument the lengths add up to the return value. Returns data bytes. */
static __always_inline __u64 sp_fetch_iovec(struct sp_scratch *s, struct sp_item *it, __u8 *data,
					    __u64 ptr, __u64 count, bool out, long ret)
{
	__u32 snap = sp_snap();

	s->v[0] = 0;                          /* bytes used */
	s->v[1] = 0;                          /* data bytes taken */
	s->v[2] = out ? (__u64)ret : ~0ULL;   /* bytes the call transferred, left */
	s->v[3] = 0;                          /* iovecs */
	for (int j = 0; j < SP_MAX_IOVEC; j++) {
		struct {
			__u64 base;
			__u64 len;
		} iov;
		if (j >= count)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(ptr + 16 * j))) {
			if (j == 0)
				it->kind = SP_ITEM_FAULT;
			break;
		}
		if (!sp_put_iov(s, data, iov.base, iov.len, snap))
			break;
	}
	it->real = s->v[3];
	return s->v[0];
}

/*
 * One message of an SP_ITEM_MSGS item (see struct sp_msg) from the header at `ptr`, written at
 * offset s->v[4] of the item's data, which starts at `data_off` in s->buf. `flags`: the spec's
 * SP_ARG_* bits, and 0x100 at exit. Returns the offset after the message, or -1 when its header
 * cannot be read or the item has no room for it. A global function: verified once.
 */
__noinline int sp_fetch_msg(struct sp_scratch *s, __u64 data_off, __u64 ptr, __u32 flags, long ret)
{
	if (!s)
		return -1;
	__u64 at = s->v[4];
	if (data_off > SP_MAX_OFF + sizeof(struct sp_item) ||
	    at > SP_MAX_ARG_DATA - sizeof(struct sp_msg) - SP_MAX_MSG_NAME - SP_MAX_MSG_CONTROL)
		return -1;
	__u8 *data = s->buf + data_off;
	struct sp_msg *m = (void *)(data + at);
	bool mmsg = flags & SP_ARG_MMSG;
	__u32 snap = sp_snap();

	m->hdr[7] = 0;
	if (bpf_probe_read_user(m->hdr, mmsg ? 64 : 56, (void *)ptr))
		return -1;
	m->name_len = 0;
	m->ctl_len = 0;
	m->iovs = 0;
	m->hdr_len = mmsg ? 64 : 56;
	m->flags = 0;
	__u64 used = at + sizeof(*m);
	if ((flags & SP_ARG_RECV) && !(flags & 0x100)) {
		m->flags = SP_MSG_HDR_ONLY;
		return used;
	}
	/* msg_name, msg_namelen */
	__u64 n = (__u32)m->hdr[1];
	if (n > SP_MAX_MSG_NAME)
		n = SP_MAX_MSG_NAME;
	if (m->hdr[0] && n && !bpf_probe_read_user(data + used, n, (void *)m->hdr[0])) {
		m->name_len = n;
		used += n;
	}
	/* msg_control, msg_controllen */
	n = m->hdr[5];
	if (n > SP_MAX_MSG_CONTROL)
		n = SP_MAX_MSG_CONTROL;
	if (m->hdr[4] && n && !bpf_probe_read_user(data + used, n, (void *)m->hdr[4])) {
		m->ctl_len = n;
		used += n;
	}
	/* msg_iov, msg_iovlen: loop variables in s->v, as in sp_fetch_iovec */
	s->v[0] = used;
	s->v[1] = 0; /* data bytes taken */
	s->v[2] = ~0ULL;
	if (flags & SP_ARG_RECV)
		s->v[2] = mmsg ? (__u32)m->hdr[7] : (ret < 0 ? 0 : (__u64)ret);
	s->v[3] = 0; /* iovecs */
	__u64 iov_ptr = m->hdr[2];
	__u64 count = iov_ptr ? m->hdr[3] : 0;
	for (int j = 0; j < SP_MAX_MSG_IOV; j++) {
		struct {
			__u64 base;
			__u64 len;
		} iov;
		if (j >= count)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(iov_ptr + 16 * j)) ||
		    !sp_put_iov(s, data, iov.base, iov.len, snap))
			break;
	}
	m = (void *)(data + at);
	m->iovs = s->v[3];
	return s->v[0];
}

/* BUF, MEM, ARRAY: the first bytes (up to the snap length for a buffer) of the `real` that the
 * spec says, into `data`; returns the bytes read. */
static __always_inline __u64 sp_fetch_mem(struct sp_scratch *s, struct sp_item *it, __u8 *data,
					  __u64 ptr, const struct sp_arg_spec *a, long ret)
{
	__u64 real = sp_len(s, a, ret);
	__u64 cap = a->fetch == SP_FETCH_BUF ? sp_snap() : SP_MAX_ARG_DATA;
	__u64 len;

	it->kind = a->fetch == SP_FETCH_BUF ? SP_ITEM_BUF : SP_ITEM_MEM;
	if (real == SP_LEN_BAD) {
		it->kind = SP_ITEM_FAULT;
		return 0;
	}
	if (a->fetch == SP_FETCH_ARRAY)
		real *= a->size;
	it->real = real;
	len = real < cap ? real : cap;
	if (len > SP_MAX_ARG_DATA)
		len = SP_MAX_ARG_DATA;
	if (len > SP_BOUNCE_BIG) {
		if (bpf_probe_read_user(data, len, (void *)ptr))
			it->kind = SP_ITEM_FAULT;
	} else if (len > SP_BOUNCE) {
		__u64 b[SP_BOUNCE_BIG / 8] = {};
		if (bpf_probe_read_user(b, len, (void *)ptr))
			it->kind = SP_ITEM_FAULT;
		for (int k = 0; k < SP_BOUNCE_BIG / 8; k++)
			((__u64 *)data)[k] = b[k];
	} else if (len) {
		/* all SP_BOUNCE bytes are copied: those past `len` are overwritten by the next
		 * item or never sent */
		__u64 b[SP_BOUNCE / 8] = {};
		if (bpf_probe_read_user(b, len, (void *)ptr))
			it->kind = SP_ITEM_FAULT;
		for (int k = 0; k < SP_BOUNCE / 8; k++)
			((__u64 *)data)[k] = b[k];
	}
	return len;
}

/* Finish the item at `off`: its data length (none for a fault, whose `real` is the pointer);
 * returns the offset after it. */
static __always_inline int sp_item_end(struct sp_item *it, __u64 ptr, __u64 len, __u64 off)
{
	if (it->kind == SP_ITEM_FAULT) {
		it->real = ptr;
		len = 0;
	}
	if (len > SP_MAX_ARG_DATA)
		len = 0;
	it->len = len;
	return off + sizeof(*it) + len;
}

/*
 * Read argument `i_out & 0xff` (at exit when bit 8 is set) as `spec` (an sp_arg_spec) says into an
 * item at `off`; returns the offset
 * after the item, or -1 when it does not fit. A global function: the verifier checks it once,
 * not once per argument of every path of the caller.
 */
__noinline int sp_fetch_arg(struct sp_scratch *s, __u64 off, __u64 spec, __u32 i_out, long ret)
{
	__u32 i = i_out & 0xff;
	bool out = i_out & 0x100;
	bool redo = i_out & 0x200;
	struct sp_arg_spec a;
	__builtin_memcpy(&a, &spec, sizeof(a));
	if (!s || off > SP_MAX_OFF || i >= 6)
		return -1;
	struct sp_item *it = (void *)(s->buf + off);
	__u8 *data = s->buf + off + sizeof(*it);
	__u64 ptr = sp_reg(s, i);
	__u32 snap = sp_snap();
	__u64 len = 0;
	long n;

	it->real = 0;
	it->arg = redo ? i | SP_ITEM_REDO : i;
	it->flags = 0;
	it->pad = 0;
	/* NULL: nothing to read (user space shows the 0) */
	if (!ptr)
		a.fetch = 0xff;

	switch (a.fetch) {
	case SP_FETCH_STR:
	case SP_FETCH_PATH: {
		__u32 limit = a.fetch == SP_FETCH_PATH ? SP_MAX_ARG_DATA : snap;
		it->kind = SP_ITEM_STR;
		/* limit + 1 characters: one more than kept tells that the string was cut. Through
		 * the stack buffer first (nearly every path and name fits), straight into the
		 * record when the string did not fit in it and the limit is past it. */
		__u64 b[SP_BOUNCE_BIG / 8];
		n = bpf_probe_read_user_str(b, sizeof(b), (void *)ptr);
		if (n > 0 && (n < sizeof(b) || limit + 2 <= sizeof(b))) {
			for (int k = 0; k < SP_BOUNCE_BIG / 8; k++)
				((__u64 *)data)[k] = b[k];
		} else if (n > 0) {
			n = bpf_probe_read_user_str(data, limit + 2, (void *)ptr);
		}
		if (n <= 0) {
			it->kind = SP_ITEM_FAULT;
		} else {
			len = n - 1;
			if (len > limit) {
				len = limit;
				it->flags = SP_ITEM_TRUNC;
			}
		}
		break;
	}
	case SP_FETCH_BUF:
	case SP_FETCH_MEM:
	case SP_FETCH_ARRAY:
		len = sp_fetch_mem(s, it, data, ptr, &a, ret);
		break;
	case SP_FETCH_STRLIST:
		it->kind = SP_ITEM_STRLIST;
		len = sp_fetch_strlist(s, it, data, ptr);
		break;
	case SP_FETCH_IOVEC: {
		__u64 count = sp_len(s, &a, ret);
		it->kind = SP_ITEM_IOVEC;
		if (count == SP_LEN_BAD)
			it->kind = SP_ITEM_FAULT;
		else
			len = sp_fetch_iovec(s, it, data, ptr, count, out, ret < 0 ? 0 : ret);
		break;
	}
	default:
		it->kind = SP_ITEM_FAULT;
		break;
	}
	return sp_item_end(it, ptr, len, off);
}

/*
 * An SP_FETCH_MSGS argument (see SP_SC_MSGS) into an item at `off`, as sp_fetch_arg reads the
 * others: its own global function, so that sp_fetch_arg's stack (its bounce buffers) is not
 * under sp_fetch_msg's.
 */
__noinline int sp_fetch_msgs(struct sp_scratch *s, __u64 off, __u64 spec, __u32 i_out, long ret)
{
	__u32 i = i_out & 0xff;
	struct sp_arg_spec a;
	__builtin_memcpy(&a, &spec, sizeof(a));
	if (!s || off > SP_MAX_OFF || i >= 6)
		return -1;
	struct sp_item *it = (void *)(s->buf + off);
	__u64 ptr = sp_reg(s, i);
	__u32 f = a.flags | (i_out & 0x100);
	__u64 elem = (a.flags & SP_ARG_MMSG) ? 64 : 56;
	__u64 count = sp_len(s, &a, ret);

	it->real = 0;
	it->arg = i;
	it->flags = 0;
	it->pad = 0;
	it->kind = SP_ITEM_MSGS;
	if (!ptr || count == SP_LEN_BAD) {
		/* NULL: nothing to read (user space shows the 0) */
		it->kind = SP_ITEM_FAULT;
		return sp_item_end(it, ptr, 0, off);
	}
	s->v[4] = 0; /* bytes used */
	s->v[5] = 0; /* messages */
	for (int k = 0; k < SP_MAX_MSGS; k++) {
		if (k >= count)
			break;
		int next = sp_fetch_msg(s, off + sizeof(*it), ptr + elem * k, f, ret);
		if (next < 0) {
			it->flags = SP_ITEM_TRUNC;
			break;
		}
		s->v[4] = next;
		s->v[5] = k + 1;
	}
	if (count > SP_MAX_MSGS)
		it->flags = SP_ITEM_TRUNC;
	it->real = s->v[5];
	if (count && !it->real)
		it->kind = SP_ITEM_FAULT;
	return sp_item_end(it, ptr, s->v[4], off);
}

/*
 * sp_fetch_arg for a BUF, MEM or ARRAY argument whose length is a register, the return value
 * or fixed (read, write, pread64, …: nearly every call that reads memory), inline in the
 * caller: the return from a sp_fetch_arg call cost about as much as the read itself.
 */
static __always_inline int sp_fetch_mem_arg(struct sp_scratch *s, __u64 off, struct sp_arg_spec a,
					    __u32 i, long ret)
{
	if (off > SP_MAX_OFF || i >= 6)
		return -1;
	struct sp_item *it = (void *)(s->buf + off);
	__u64 ptr = sp_reg(s, i);
	__u64 len = 0;

	it->real = 0;
	it->arg = i;
	it->flags = 0;
	it->pad = 0;
	if (ptr)
		len = sp_fetch_mem(s, it, s->buf + off + sizeof(*it), ptr, &a, ret);
	else
		it->kind = SP_ITEM_FAULT; /* NULL: nothing to read (user space shows the 0) */
	return sp_item_end(it, ptr, len, off);
}

#endif
