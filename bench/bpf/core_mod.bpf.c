// SPDX-License-Identifier: GPL-2.0
/* The CO-RE bench modules (bench/README.md, "CO-RE resolution"): four XDP
 * filters written as vendors write them against vmlinux.h (core_vmlinux.h:
 * every struct preserve_access_index), so each context and header access,
 * each bit field and each feature check is a CO-RE relocation.  Built four
 * times, CORE_MOD=0..3, into core0.o..core3.o, a 4-module pipeline:
 *   0  L2: Ethernet, one VLAN tag, drops frames from a multicast source
 *   1  IPv4: version, header length and TTL (bit fields), fragments
 *   2  IPv6: version (bit field), hop limit, payload length
 *   3  L4: TCP flags (bit fields) and header length, UDP/TCP ports
 * Every module passes the bench's IPv4/UDP packet. */
#include "core_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>

#ifndef CORE_MOD
#define CORE_MOD 0
#endif

/* The L3 header after Ethernet and an optional VLAN tag, or NULL. */
static __always_inline void *l3(struct xdp_md *ctx, __u16 *proto)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *v;

	if ((void *)(eth + 1) > end)
		return 0;
	*proto = bpf_ntohs(eth->h_proto);
	if (*proto != ETH_P_8021Q)
		return eth + 1;
	v = (void *)(eth + 1);
	if ((void *)(v + 1) > end)
		return 0;
	*proto = bpf_ntohs(v->h_vlan_encapsulated_proto);
	return v + 1;
}

SEC("xdp")
int core_mod(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	__u16 proto = 0;
	void *h = l3(ctx, &proto);

	if (!h)
		return XDP_PASS;
#if CORE_MOD == 0
	{
		struct ethhdr *eth = (void *)(long)ctx->data;

		if ((void *)(eth + 1) > end)
			return XDP_PASS;
		if (bpf_core_field_exists(ctx->rx_queue_index) && ctx->rx_queue_index > 4096)
			return XDP_PASS;
		if (bpf_core_type_exists(struct xdp_rxq_info) && ctx->ingress_ifindex == 0)
			return XDP_PASS;
		if (eth->h_source[0] & 1)
			return bpf_core_enum_value(enum xdp_action, XDP_DROP);
	}
#elif CORE_MOD == 1
	if (proto == ETH_P_IP) {
		struct iphdr *ip = h;

		if ((void *)(ip + 1) > end)
			return XDP_PASS;
		if (BPF_CORE_READ_BITFIELD(ip, version) != 4 || BPF_CORE_READ_BITFIELD(ip, ihl) < 5)
			return XDP_DROP;
		if (ip->ttl == 0 || bpf_ntohs(ip->tot_len) < sizeof(*ip))
			return XDP_DROP;
		if (ip->frag_off & bpf_htons(0x1fff))
			return XDP_PASS;
	}
#elif CORE_MOD == 2
	if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = h;

		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		if (BPF_CORE_READ_BITFIELD(ip6, version) != 6 || ip6->hop_limit == 0)
			return XDP_DROP;
		if (bpf_ntohs(ip6->payload_len) < bpf_core_type_size(struct udphdr) &&
		    ip6->nexthdr == IPPROTO_UDP)
			return XDP_DROP;
	}
#else
	if (proto == ETH_P_IP) {
		struct iphdr *ip = h;
		__u32 ihl;
		void *l4;

		if ((void *)(ip + 1) > end)
			return XDP_PASS;
		ihl = BPF_CORE_READ_BITFIELD(ip, ihl);
		if (ihl < 5 || ihl > 15)
			return XDP_PASS;
		l4 = (void *)ip + ihl * 4;
		if (ip->protocol == IPPROTO_TCP) {
			struct tcphdr *th = l4;

			if ((void *)(th + 1) > end)
				return XDP_PASS;
			if (BPF_CORE_READ_BITFIELD(th, syn) && BPF_CORE_READ_BITFIELD(th, fin))
				return XDP_DROP;
			if (BPF_CORE_READ_BITFIELD(th, doff) < 5)
				return XDP_DROP;
			if (bpf_ntohs(th->dest) == 23)
				return XDP_DROP;
		} else if (ip->protocol == IPPROTO_UDP) {
			struct udphdr *uh = l4;

			if ((void *)(uh + 1) > end)
				return XDP_PASS;
			if (bpf_ntohs(uh->dest) == 19 || bpf_ntohs(uh->source) == 19)
				return XDP_DROP;
		}
	}
#endif
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
