#include "nic.h"

#include "bpf_sys.h"
#include "base/log.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *const mode_names[] = {
	[NIC_MODE_AUTO] = "auto", [NIC_MODE_NATIVE] = "native",
	[NIC_MODE_SKB] = "skb", [NIC_MODE_HW] = "hw",
};

int nic_mode_parse(const char *s, enum nic_mode *m)
{
	static const struct { const char *name; enum nic_mode mode; } names[] = {
		{ "auto", NIC_MODE_AUTO }, { "native", NIC_MODE_NATIVE },
		{ "drv", NIC_MODE_NATIVE }, { "skb", NIC_MODE_SKB },
		{ "generic", NIC_MODE_SKB }, { "hw", NIC_MODE_HW },
		{ "offload", NIC_MODE_HW },
	};

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*m = names[i].mode;
			return 0;
		}
	}
	return -EINVAL;
}

const char *nic_mode_name(enum nic_mode m)
{
	return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "?";
}

static uint32_t mode_flag(enum nic_mode m)
{
	switch (m) {
	case NIC_MODE_NATIVE: return XDP_FLAGS_DRV_MODE;
	case NIC_MODE_SKB: return XDP_FLAGS_SKB_MODE;
	case NIC_MODE_HW: return XDP_FLAGS_HW_MODE;
	default: return 0;
	}
}

int nic_ifindex(const char *ifname, bool may_be_absent)
{
	unsigned int idx;

	if (!ifname || !*ifname) {
		pr_err("empty interface name");
		return -EINVAL;
	}
	if (strlen(ifname) >= IF_NAMESIZE) {
		pr_err("interface name '%s' is too long (at most %d characters)",
		       ifname, IF_NAMESIZE - 1);
		return -EINVAL;
	}
	if (strchr(ifname, '/') || strpbrk(ifname, " \t\n:")) {
		pr_err("interface name '%s' contains a character that is not allowed", ifname);
		return -EINVAL;
	}
	idx = if_nametoindex(ifname);
	if (!idx && may_be_absent)
		return 0;
	if (!idx) {
		pr_err("interface '%s' does not exist", ifname);
		return -ENODEV;
	}
	return (int)idx;
}

/* An ifindex the caller did not resolve (0, negative) names no interface. */
static int check_index(int ifindex, const char *ifname)
{
	if (ifindex > 0)
		return 0;
	pr_err("interface '%s' does not exist", ifname);
	return -ENODEV;
}

int nic_prog_name(uint32_t prog_id, char *buf, size_t len)
{
	struct bpf_prog_info info;
	uint32_t info_len = sizeof(info);
	int fd = sys_prog_fd_by_id(prog_id), err;

	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	err = sys_obj_info(fd, &info, &info_len);
	close(fd);
	if (err)
		return err;
	info.name[sizeof(info.name) - 1] = '\0';
	snprintf(buf, len, "%s", (char *)info.name);
	return 0;
}

void nic_prog_describe(uint32_t prog_id, char *buf, size_t len)
{
	char name[BPF_OBJ_NAME_LEN + 1];

	if (!nic_prog_name(prog_id, name, sizeof(name)))
		snprintf(buf, len, "id %u '%s'", prog_id, name);
	else
		snprintf(buf, len, "id %u", prog_id);
}

/* ---- one netlink request with its (extended) ack ---- */

struct nl_reply {
	int err;		/* -errno from the kernel's NLMSG_ERROR, 0 if none */
	char ext[256];		/* NLMSGERR_ATTR_MSG, "" if none */
};

/* libnl hands us a pointer into the received buffer after checking that the
 * message holds a whole struct nlmsgerr; the TLVs after it are untrusted. */
static int on_nl_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	static struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_UNSPEC },
	};
	struct nl_reply *r = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t plen = nlh->nlmsg_len - NLMSG_HDRLEN, off = sizeof(*e);

	r->err = e->error < 0 ? e->error : -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* The whole request is echoed between nlmsgerr and the TLVs. */
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return NL_STOP;
		off = sizeof(e->error) + NLMSG_ALIGN((size_t)e->msg.nlmsg_len);
	}
	if (off >= plen)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      (int)(plen - off), policy) < 0)
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG]) {
		size_t n = (size_t)nla_len(tb[NLMSGERR_ATTR_MSG]);

		if (n >= sizeof(r->ext))
			n = sizeof(r->ext) - 1;
		memcpy(r->ext, nla_data(tb[NLMSGERR_ATTR_MSG]), n);
		r->ext[n] = '\0';
		r->ext[strcspn(r->ext, "\n")] = '\0';
	}
	return NL_STOP;
}

/* Sends msg (always consumed) and waits for the first reply: the ack, the
 * error, or a data message handed to on_valid.  Returns 0 or -errno; r
 * holds the kernel's error and extended-ack text. */
static int nl_transact(struct nl_msg *msg, nl_recvmsg_msg_cb_t on_valid,
		       void *arg, struct nl_reply *r)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, ret;

	memset(r, 0, sizeof(*r));
	if (!sk) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret < 0) {
		pr_err("cannot open an rtnetlink socket: %s", nl_geterror(ret));
		nlmsg_free(msg);
		ret = -EIO;
		goto out;
	}
	/* Both are optional: old kernels just give no extended ack. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_nl_error, r);
	if (on_valid)
		nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_valid, arg);
	ret = nl_send_sync(sk, msg);	/* frees msg */
	if (r->err)
		ret = r->err;
	else if (ret < 0) {
		pr_err("rtnetlink request failed: %s", nl_geterror(ret));
		ret = -EIO;
	}
out:
	nl_socket_free(sk);
	return ret;
}

static struct nl_msg *link_msg(int type, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* ---- query ---- */

struct link_query {
	int ifindex;
	bool found;
	int err;
	struct nic_xdp *out;
};

static void xdp_fill(struct nlattr **xdp, struct nic_xdp *out)
{
	uint8_t attached = xdp[IFLA_XDP_ATTACHED] ? nla_get_u8(xdp[IFLA_XDP_ATTACHED]) : 0;
	uint32_t id = xdp[IFLA_XDP_PROG_ID] ? nla_get_u32(xdp[IFLA_XDP_PROG_ID]) : 0;

	switch (attached) {
	case XDP_ATTACHED_DRV: out->drv_prog_id = id; break;
	case XDP_ATTACHED_SKB: out->skb_prog_id = id; break;
	case XDP_ATTACHED_HW: out->hw_prog_id = id; break;
	case XDP_ATTACHED_MULTI:
		if (xdp[IFLA_XDP_DRV_PROG_ID])
			out->drv_prog_id = nla_get_u32(xdp[IFLA_XDP_DRV_PROG_ID]);
		if (xdp[IFLA_XDP_SKB_PROG_ID])
			out->skb_prog_id = nla_get_u32(xdp[IFLA_XDP_SKB_PROG_ID]);
		if (xdp[IFLA_XDP_HW_PROG_ID])
			out->hw_prog_id = nla_get_u32(xdp[IFLA_XDP_HW_PROG_ID]);
		break;
	default: break;
	}
	/* The host-side program is the interesting one; HW only if alone. */
	if (out->drv_prog_id) {
		out->prog_id = out->drv_prog_id;
		out->mode = NIC_MODE_NATIVE;
	} else if (out->skb_prog_id) {
		out->prog_id = out->skb_prog_id;
		out->mode = NIC_MODE_SKB;
	} else if (out->hw_prog_id) {
		out->prog_id = out->hw_prog_id;
		out->mode = NIC_MODE_HW;
	}
}

static int on_link_reply(struct nl_msg *msg, void *arg)
{
	static struct nla_policy link_policy[IFLA_MAX + 1] = {
		[IFLA_XDP] = { .type = NLA_NESTED },
	};
	static struct nla_policy xdp_policy[IFLA_XDP_MAX + 1] = {
		[IFLA_XDP_ATTACHED] = { .type = NLA_U8 },
		[IFLA_XDP_PROG_ID] = { .type = NLA_U32 },
		[IFLA_XDP_DRV_PROG_ID] = { .type = NLA_U32 },
		[IFLA_XDP_SKB_PROG_ID] = { .type = NLA_U32 },
		[IFLA_XDP_HW_PROG_ID] = { .type = NLA_U32 },
	};
	struct link_query *q = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1], *xdp[IFLA_XDP_MAX + 1];
	struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return NL_OK;
	if (!nlmsg_valid_hdr(nlh, sizeof(*ifi))) {
		q->err = -EBADMSG;
		return NL_OK;
	}
	ifi = nlmsg_data(nlh);
	if (ifi->ifi_index != q->ifindex)
		return NL_OK;
	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, link_policy) < 0) {
		q->err = -EBADMSG;
		return NL_OK;
	}
	q->found = true;
	if (!tb[IFLA_XDP])
		return NL_OK;
	if (nla_parse_nested(xdp, IFLA_XDP_MAX, tb[IFLA_XDP], xdp_policy) < 0) {
		q->err = -EBADMSG;
		return NL_OK;
	}
	xdp_fill(xdp, q->out);
	return NL_OK;
}

static int query_index(const char *ifname, int ifindex, struct nic_xdp *out)
{
	struct link_query q = { .ifindex = ifindex, .out = out };
	struct nl_msg *msg = link_msg(RTM_GETLINK, ifindex);
	struct nl_reply r;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!msg)
		return -ENOMEM;
	ret = nl_transact(msg, on_link_reply, &q, &r);
	if (ret < 0) {
		pr_err("cannot query interface '%s': %s%s%s", ifname, strerror(-ret),
		       r.ext[0] ? ": " : "", r.ext);
		return ret;
	}
	if (q.err || !q.found) {
		pr_err("malformed or missing rtnetlink reply for interface '%s'", ifname);
		memset(out, 0, sizeof(*out));
		return q.err ? q.err : -EIO;
	}
	return 0;
}

int nic_query(int ifindex, const char *ifname, struct nic_xdp *out)
{
	int err = check_index(ifindex, ifname);

	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	return query_index(ifname, ifindex, out);
}

/* ---- attach, replace, detach ---- */

static int xdp_set(int ifindex, int fd, uint32_t flags, int expected_fd,
		   struct nl_reply *r)
{
	struct nl_msg *msg = link_msg(RTM_SETLINK, ifindex);
	struct nlattr *nest;

	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, IFLA_XDP);
	if (!nest || nla_put_s32(msg, IFLA_XDP_FD, fd) < 0 ||
	    nla_put_u32(msg, IFLA_XDP_FLAGS, flags) < 0 ||
	    ((flags & XDP_FLAGS_REPLACE) &&
	     nla_put_s32(msg, IFLA_XDP_EXPECTED_FD, expected_fd) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, nest);
	return nl_transact(msg, NULL, NULL, r);
}

static const char *why(int err, const struct nl_reply *r)
{
	return r->ext[0] ? r->ext : strerror(-err);
}

static uint32_t prog_fd_id(int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return sys_obj_info(fd, &info, &len) ? 0 : info.id;
}

/* After EBUSY/EEXIST: say which program is in the way, and why the kernel
 * refused (its extended ack: e.g. a bpf_link holding the hook). */
static void report_occupied(const char *ifname, int ifindex, enum nic_mode want,
			    bool force, const struct nl_reply *r, int err)
{
	struct nic_xdp cur;
	char desc[64];

	if (query_index(ifname, ifindex, &cur) < 0 || !cur.prog_id) {
		pr_err("cannot attach XDP program to '%s' in %s mode: %s",
		       ifname, nic_mode_name(want), why(err, r));
		return;
	}
	nic_prog_describe(cur.prog_id, desc, sizeof(desc));
	if (cur.mode != want)
		pr_err("interface '%s' runs XDP program %s in %s mode, so a %s mode "
		       "program cannot be attached (%s); detach it first", ifname, desc,
		       nic_mode_name(cur.mode), nic_mode_name(want), why(err, r));
	else if (force)
		pr_err("interface '%s' runs XDP program %s in %s mode and the kernel refuses "
		       "to replace it even with --force: %s", ifname, desc,
		       nic_mode_name(cur.mode), why(err, r));
	else
		pr_err("interface '%s' already runs XDP program %s in %s mode; not replacing "
		       "it without --force (or detach it first): %s", ifname, desc,
		       nic_mode_name(cur.mode), why(err, r));
}

static int first_attach(int ifindex, int prog_fd, enum nic_mode mode, bool force,
			struct nl_reply *r)
{
	uint32_t flags = mode_flag(mode);

	if (!force)
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	return xdp_set(ifindex, prog_fd, flags, -1, r);
}

static int replace(const char *ifname, int ifindex, int prog_fd, enum nic_mode mode,
		   int expected_fd, enum nic_mode *used_mode)
{
	uint32_t want_id = prog_fd_id(expected_fd);
	struct nic_xdp cur;
	struct nl_reply r;
	char desc[64];
	int ret;

	ret = query_index(ifname, ifindex, &cur);
	if (ret < 0)
		return ret;
	if (mode == NIC_MODE_AUTO)
		mode = cur.prog_id ? cur.mode : NIC_MODE_NATIVE;
	ret = xdp_set(ifindex, prog_fd, mode_flag(mode) | XDP_FLAGS_REPLACE, expected_fd, &r);
	if (ret == -EEXIST || ret == -EBUSY) {
		if (query_index(ifname, ifindex, &cur) == 0 && cur.prog_id != want_id) {
			if (cur.prog_id)
				nic_prog_describe(cur.prog_id, desc, sizeof(desc));
			else
				snprintf(desc, sizeof(desc), "no program");
			pr_err("XDP program on '%s' changed meanwhile: expected id %u, found %s "
			       "(%s mode); not replacing it", ifname, want_id, desc,
			       cur.prog_id ? nic_mode_name(cur.mode) : "any");
			return -EEXIST;
		}
	}
	if (ret < 0) {
		pr_err("cannot replace XDP program id %u on '%s' in %s mode: %s",
		       want_id, ifname, nic_mode_name(mode), why(ret, &r));
		return ret;
	}
	if (used_mode)
		*used_mode = mode;
	return 0;
}

int nic_attach(int ifindex, const char *ifname, int prog_fd, enum nic_mode mode,
	       int expected_fd, bool force, enum nic_mode *used_mode)
{
	int ret = check_index(ifindex, ifname);
	enum nic_mode try = mode == NIC_MODE_AUTO ? NIC_MODE_NATIVE : mode;
	struct nl_reply r;

	if (ret)
		return ret;
	if (prog_fd < 0) {
		pr_err("no program to attach to '%s'", ifname);
		return -EBADF;
	}
	if (expected_fd >= 0)
		return replace(ifname, ifindex, prog_fd, mode, expected_fd, used_mode);

	/* Auto next to a program that is already there: use its mode, where
	 * the kernel can replace it (with force) or name it (without); a
	 * native attach next to an skb program only fails with EEXIST. */
	if (mode == NIC_MODE_AUTO) {
		struct nic_xdp cur;

		ret = query_index(ifname, ifindex, &cur);
		if (ret < 0)
			return ret;
		if (cur.prog_id && cur.mode != NIC_MODE_HW)
			try = cur.mode;
	}
	ret = first_attach(ifindex, prog_fd, try, force, &r);
	if (ret < 0 && mode == NIC_MODE_AUTO && try == NIC_MODE_NATIVE && ret != -EBUSY &&
	    ret != -EEXIST) {
		pr_warn("native XDP is not possible on '%s' (%s); falling back to skb "
			"(generic) mode, which is slower", ifname, why(ret, &r));
		try = NIC_MODE_SKB;
		ret = first_attach(ifindex, prog_fd, try, force, &r);
	}
	if (ret == -EBUSY || ret == -EEXIST) {
		report_occupied(ifname, ifindex, try, force, &r, ret);
		return ret;
	}
	if (ret < 0) {
		pr_err("cannot attach XDP program to '%s' in %s mode: %s",
		       ifname, nic_mode_name(try), why(ret, &r));
		return ret;
	}
	pr_debug("attached XDP program to '%s' in %s mode", ifname, nic_mode_name(try));
	if (used_mode)
		*used_mode = try;
	return 0;
}

int nic_detach(int ifindex, const char *ifname, enum nic_mode mode,
	       uint32_t expected_prog_id)
{
	int ret = check_index(ifindex, ifname), expected_fd = -1;
	uint32_t flags, cur_id;
	struct nic_xdp cur;
	struct nl_reply r;
	char desc[64];

	if (ret)
		return ret;
	ret = query_index(ifname, ifindex, &cur);
	if (ret < 0)
		return ret;
	if (mode == NIC_MODE_AUTO)
		mode = cur.prog_id ? cur.mode : NIC_MODE_NATIVE;
	cur_id = mode == NIC_MODE_NATIVE ? cur.drv_prog_id :
		 mode == NIC_MODE_SKB ? cur.skb_prog_id : cur.hw_prog_id;
	if (!cur_id) {
		pr_debug("no XDP program in %s mode on '%s': nothing to detach",
			 nic_mode_name(mode), ifname);
		return 0;
	}
	flags = mode_flag(mode);
	if (expected_prog_id) {
		if (cur_id != expected_prog_id) {
			nic_prog_describe(cur_id, desc, sizeof(desc));
			pr_err("interface '%s' runs XDP program %s, not id %u; not detaching it",
			       ifname, desc, expected_prog_id);
			return -EEXIST;
		}
		expected_fd = sys_prog_fd_by_id(expected_prog_id);
		if (expected_fd < 0) {
			pr_err("cannot open XDP program id %u on '%s': %s",
			       expected_prog_id, ifname, strerror(-expected_fd));
			return expected_fd;
		}
		flags |= XDP_FLAGS_REPLACE;
	}
	ret = xdp_set(ifindex, -1, flags, expected_fd, &r);
	if (expected_fd >= 0)
		close(expected_fd);
	if (ret < 0) {
		pr_err("cannot detach XDP program from '%s' (%s mode): %s",
		       ifname, nic_mode_name(mode), why(ret, &r));
		return ret;
	}
	pr_debug("detached XDP program from '%s' (%s mode)", ifname, nic_mode_name(mode));
	return 0;
}
