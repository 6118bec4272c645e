// SPDX-License-Identifier: GPL-2.0
/* Meridian traffic sampler: counts packets and bytes per traffic class
 * (ethertype and L4 protocol) in the per-CPU array `class_stats`, plus a
 * total in sampler_packets.  Never changes or drops a packet: XDP_PASS.
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

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

enum sampler_class {
	CLASS_OTHER,		/* unknown ethertype */
	CLASS_ARP,
	CLASS_IPV4_TCP,
	CLASS_IPV4_UDP,
	CLASS_IPV4_ICMP,
	CLASS_IPV4_OTHER,
	CLASS_IPV6_TCP,
	CLASS_IPV6_UDP,
	CLASS_IPV6_ICMP,
	CLASS_IPV6_OTHER,
	CLASS_TRUNCATED,
	CLASS_MAX,
};

struct sampler_counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CLASS_MAX);
	__type(key, __u32);
	__type(value, struct sampler_counter);
} class_stats SEC(".maps");

/* Count one in every sample_every packets (.rodata; 1 = all). */
const volatile __u32 sample_every = 1;

/* Tags counted through before the ethertype is read (.data). */
__u32 sampler_max_vlans = 2;

/* Packets seen since load, sampled or not (.bss). */
__u64 sampler_packets;

/* Returns the L3 ethertype (network order) after up to sampler_max_vlans
 * VLAN tags, with *off past them; 0 when truncated. */
static __noinline __u16 parse_eth(void *data, void *data_end, __u32 *off)
{
	struct ethhdr *eth = data;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return 0;
	proto = eth->h_proto;
	*off = sizeof(*eth);
	for (__u32 i = 0; i < 2 && i < sampler_max_vlans; i++) {
		__be16 *tag = data + *off;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + 2) > data_end)
			return 0;
		proto = tag[1];
		*off += 4;
	}
	return proto;
}

static __noinline __u32 classify_l4(__u8 proto, int v6)
{
	switch (proto) {
	case IPPROTO_TCP:
		return v6 ? CLASS_IPV6_TCP : CLASS_IPV4_TCP;
	case IPPROTO_UDP:
		return v6 ? CLASS_IPV6_UDP : CLASS_IPV4_UDP;
	case IPPROTO_ICMP:
		return v6 ? CLASS_IPV6_OTHER : CLASS_IPV4_ICMP;
	case IPPROTO_ICMPV6:
		return v6 ? CLASS_IPV6_ICMP : CLASS_IPV4_OTHER;
	}
	return v6 ? CLASS_IPV6_OTHER : CLASS_IPV4_OTHER;
}

SEC("xdp")
int xdp_sampler(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct sampler_counter *c;
	__u32 off = 0, class;
	__u64 seen;
	__u16 proto;

	seen = __sync_fetch_and_add(&sampler_packets, 1);
	if (sample_every > 1 && seen % sample_every)
		return XDP_PASS;

	proto = parse_eth(data, data_end, &off);
	if (off > 14 + 8)
		return XDP_PASS;
	if (!proto) {
		class = CLASS_TRUNCATED;
	} else if (proto == bpf_htons(ETH_P_ARP)) {
		class = CLASS_ARP;
	} else if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = data + off;

		if ((void *)(iph + 1) > data_end)
			class = CLASS_TRUNCATED;
		else
			class = classify_l4(iph->protocol, 0);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = data + off;

		if ((void *)(ip6h + 1) > data_end)
			class = CLASS_TRUNCATED;
		else
			class = classify_l4(ip6h->nexthdr, 1);
	} else {
		class = CLASS_OTHER;
	}

	c = bpf_map_lookup_elem(&class_stats, &class);
	if (c) {
		c->packets++;
		c->bytes += data_end - data;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
