// SPDX-License-Identifier: GPL-2.0
/* Cirrus L4 load balancer (XDP edition).
 *
 * TCP/UDP to the VIP (192.0.2.10 or 2001:db8::10) on port 80 is sent to a
 * backend chosen by a hash of the 5-tuple: the destination IP and MAC are
 * rewritten (IPv4 header and L4 checksums updated incrementally) and the
 * frame leaves by config.action: XDP_TX (default), XDP_PASS, or
 * XDP_REDIRECT through the devmap `tx_port` (key 0).  Everything else is
 * XDP_PASS.  Slots of `backends` without LB_BACKEND_VALID fall back to the
 * compiled-in defaults 192.0.2.21/22 and 2001:db8::21/22.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define LB_MAX_BACKENDS		16
#define LB_BACKEND_VALID	1
#define IP_MF_OFFSET		0x3fff

struct lb_backend {
	__be32 addr4;
	__u8 addr6[16];
	__u8 mac[ETH_ALEN];
	__u16 flags;		/* LB_BACKEND_VALID */
};

enum lb_stat { LB_STAT_SEEN, LB_STAT_BALANCED, LB_STAT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lb_backend);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Service definition, fixed at load time (.rodata). */
const volatile struct {
	__be32 vip4;
	__u8 vip6[16];
	__u16 port;
	__u32 action;
} config = {
	.vip4 = bpf_htonl(0xc000020a),	/* 192.0.2.10 */
	.vip6 = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 },
	.port = 80,
	.action = XDP_TX,
};

const struct lb_backend lb_default_backends[2] = {
	{ bpf_htonl(0xc0000215), { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x21 },
	  { 0x02, 0, 0, 0, 0x02, 0x21 }, LB_BACKEND_VALID },
	{ bpf_htonl(0xc0000216), { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x22 },
	  { 0x02, 0, 0, 0, 0x02, 0x22 }, LB_BACKEND_VALID },
};

/* Backends in rotation: slots 0..nr_backends-1 (.data). */
__u32 nr_backends = 2;

/* Packets rewritten since load (.bss). */
__u64 lb_rewritten;

struct lb_flow {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport, dport;
	__u32 proto;
};

/* Ethernet plus up to two VLAN tags; *l3 is set past them.  Returns the
 * ethertype (network order) or 0 when truncated.  *l3 is 64-bit so that the
 * verifier keeps its value through the stack (a 4-byte slot written through
 * a pointer becomes unknown, and MIPS then refuses the header reads). */
static __noinline __u16 parse_eth(void *data, void *data_end, __u64 *l3)
{
	struct ethhdr *eth = data;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return 0;
	proto = eth->h_proto;
	*l3 = sizeof(*eth);
#pragma unroll
	for (int i = 0; i < 2; i++) {
		__be16 *vlan = data + *l3;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlan + 2) > data_end)
			return 0;
		proto = vlan[1];
		*l3 += 4;
	}
	return proto;
}

static __noinline __u32 flow_hash(const struct lb_flow *f)
{
	const __u32 *w = (const __u32 *)f;
	__u32 h = 2166136261u;

	for (int i = 0; i < (int)(sizeof(*f) / 4); i++)
		h = (h ^ w[i]) * 16777619u;
	return h ^ (h >> 16);
}

enum lb_csum { LB_CSUM_IP, LB_CSUM_TCP, LB_CSUM_UDP4, LB_CSUM_UDP6 };

/* RFC 1624 incremental update of *check for 16-bit words from -> to. */
static __always_inline void csum_replace(__u16 *check, const __u16 *from, const __u16 *to,
					 int nwords, enum lb_csum kind)
{
	int is_udp = kind == LB_CSUM_UDP4 || kind == LB_CSUM_UDP6;
	__u32 sum = (__u16)~*check;

	if (kind == LB_CSUM_UDP4 && !*check)
		return;		/* IPv4 UDP without checksum stays without */
#pragma unroll
	for (int i = 0; i < nwords; i++)
		sum += (__u16)~from[i] + to[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*check = ~sum;
	if (is_udp && !*check)
		*check = 0xffff;
}

static __noinline void pick_backend(__u32 hash, struct lb_backend *out)
{
	__u32 n = nr_backends, idx;
	struct lb_backend *be;

	if (n == 0 || n > LB_MAX_BACKENDS)
		n = 2;
	idx = hash % n;
	be = bpf_map_lookup_elem(&backends, &idx);
	if (be && (be->flags & LB_BACKEND_VALID))
		*out = *be;
	else
		*out = lb_default_backends[idx & 1];
}

static __always_inline void count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &which);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* Reads the ports of a TCP/UDP header at l4 into flow and finds its
 * checksum; returns 0 when the flow goes to the service port. */
static __always_inline int parse_l4(void *l4, void *data_end, struct lb_flow *flow,
				    __u16 **check)
{
	if (flow->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return -1;
		flow->sport = th->source;
		flow->dport = th->dest;
		*check = &th->check;
	} else if (flow->proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return -1;
		flow->sport = uh->source;
		flow->dport = uh->dest;
		*check = &uh->check;
	} else {
		return -1;
	}
	return flow->dport == bpf_htons(config.port) ? 0 : -1;
}

static __always_inline int balance_v4(struct iphdr *iph, void *data_end, struct lb_backend *be)
{
	struct lb_flow flow = {};
	__u16 *l4check;

	if ((void *)(iph + 1) > data_end || iph->ihl < 5 ||
	    iph->daddr != config.vip4 || iph->frag_off & bpf_htons(IP_MF_OFFSET))
		return -1;
	flow.saddr[0] = iph->saddr;
	flow.daddr[0] = iph->daddr;
	flow.proto = iph->protocol;
	if (parse_l4((void *)iph + iph->ihl * 4, data_end, &flow, &l4check))
		return -1;

	pick_backend(flow_hash(&flow), be);
	csum_replace(&iph->check, (__u16 *)&iph->daddr, (__u16 *)&be->addr4, 2, LB_CSUM_IP);
	csum_replace(l4check, (__u16 *)&iph->daddr, (__u16 *)&be->addr4, 2,
		     flow.proto == IPPROTO_UDP ? LB_CSUM_UDP4 : LB_CSUM_TCP);
	iph->daddr = be->addr4;
	return 0;
}

static __always_inline int balance_v6(struct ipv6hdr *ip6h, void *data_end, struct lb_backend *be)
{
	struct lb_flow flow = {};
	__u16 *l4check;

	if ((void *)(ip6h + 1) > data_end)
		return -1;
	for (int i = 0; i < 16; i++)
		if (ip6h->daddr.s6_addr[i] != config.vip6[i])
			return -1;
	__builtin_memcpy(flow.saddr, &ip6h->saddr, 16);
	__builtin_memcpy(flow.daddr, &ip6h->daddr, 16);
	flow.proto = ip6h->nexthdr;
	if (parse_l4(ip6h + 1, data_end, &flow, &l4check))
		return -1;

	pick_backend(flow_hash(&flow), be);
	/* IPv6 UDP always carries a checksum. */
	csum_replace(l4check, (__u16 *)&ip6h->daddr, (__u16 *)be->addr6, 8,
		     flow.proto == IPPROTO_UDP ? LB_CSUM_UDP6 : LB_CSUM_TCP);
	__builtin_memcpy(&ip6h->daddr, be->addr6, 16);
	return 0;
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct lb_backend be;
	__u64 l3 = 0;
	__u16 proto;
	int ret;

	count(LB_STAT_SEEN);
	proto = parse_eth(data, data_end, &l3);
	if (!proto || l3 > 14 + 8)
		return XDP_PASS;
	if (proto == bpf_htons(ETH_P_IP))
		ret = balance_v4(data + l3, data_end, &be);
	else if (proto == bpf_htons(ETH_P_IPV6))
		ret = balance_v6(data + l3, data_end, &be);
	else
		ret = -1;
	if (ret)
		return XDP_PASS;

	__builtin_memcpy(eth->h_dest, be.mac, ETH_ALEN);
	count(LB_STAT_BALANCED);
	__sync_fetch_and_add(&lb_rewritten, 1);
	if (config.action == XDP_REDIRECT)
		return bpf_redirect_map(&tx_port, 0, 0);
	return config.action;
}

char _license[] SEC("license") = "GPL";
