/* The bench module's body: a small port filter as a vendor would write it.
 * Parses Ethernet (one optional VLAN tag), IPv4 or IPv6, then TCP or UDP,
 * and drops a few destination ports (telnet and friends); everything else,
 * including the bench packet (IPv4 UDP to port 53), passes.  No maps, no
 * helpers, no calls: the floor program (floor.bpf.c) inlines it N times.
 * BENCH_VARIANT=2 is "a new build" with one more port, for re-link runs. */
#ifndef BENCH_MOD_H
#define BENCH_MOD_H
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef BENCH_VARIANT
#define BENCH_VARIANT 1
#endif

struct bench_vlan {
	__be16 tci;
	__be16 proto;
};

static __always_inline int bench_port_blocked(__u16 port)
{
	return port == 23 || port == 2323 || port == 135 || port == 445
#if BENCH_VARIANT == 2
	       || port == 8023
#endif
		;
}

static __always_inline int bench_body(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth);
	__u16 proto;
	__u8 l4;

	if (data + sizeof(*eth) > end)
		return XDP_PASS;
	proto = bpf_ntohs(eth->h_proto);
	if (proto == ETH_P_8021Q) {
		struct bench_vlan *v = data + off;

		if ((void *)(v + 1) > end)
			return XDP_PASS;
		proto = bpf_ntohs(v->proto);
		off += sizeof(*v);
	}
	if (proto == ETH_P_IP) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return XDP_PASS;
		if (ip->frag_off & bpf_htons(0x1fff))
			return XDP_PASS;
		l4 = ip->protocol;
		off += ip->ihl * 4;
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		l4 = ip6->nexthdr;
		off += sizeof(*ip6);
	} else {
		return XDP_PASS;
	}
	if (l4 != IPPROTO_TCP && l4 != IPPROTO_UDP)
		return XDP_PASS;
	if (off > 128)
		return XDP_PASS;
	{
		/* TCP and UDP both start with source and destination port. */
		struct udphdr *uh = data + off;

		if ((void *)(uh + 1) > end)
			return XDP_PASS;
		if (bench_port_blocked(bpf_ntohs(uh->dest)))
			return XDP_DROP;
	}
	return XDP_PASS;
}
#endif
