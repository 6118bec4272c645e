// SPDX-License-Identifier: GPL-2.0
/*
 * Bolt Security "PortGuard" XDP filter.
 *
 * Blocks TCP/UDP traffic by DESTINATION port.  The hash map `rules` maps
 * (protocol, port) to a verdict; protocol 0 means "TCP and UDP".  Built-in
 * blocklist (config.default_ports): 23 and 2323 (telnet, Mirai), TCP and
 * UDP, active even with an empty `rules` map.  Malformed or truncated
 * packets are passed on to the kernel, which drops them itself.
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

#define BOLT_NR_DEFAULT_PORTS	4
#define BOLT_IP_OFFSET_MASK	0x1fff

struct bolt_rule_key {
	__u8 proto;		/* IPPROTO_TCP, IPPROTO_UDP, or 0 for both */
	__u8 pad;
	__u16 port;		/* host byte order */
};

struct bolt_counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct bolt_rule_key);
	__type(value, __u32);		/* XDP verdict */
} rules SEC(".maps");

/* Drop counters per destination port. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, struct bolt_counter);
} stats SEC(".maps");

/* Factory configuration, fixed at load time (.rodata). */
const volatile struct {
	__u16 default_ports[BOLT_NR_DEFAULT_PORTS];
	__u32 nr_default_ports;
	__u32 drop_verdict;
} config = {
	.default_ports = { 23, 2323 },
	.nr_default_ports = 2,
	.drop_verdict = XDP_DROP,
};

/* What to do with non-first IPv4 fragments, which carry no ports (.data). */
__u32 bolt_frag_verdict = XDP_PASS;

/* Total drops since load (.bss). */
__u64 bolt_drops;

struct bolt_pkt {
	__u8 proto;
	__u16 dport;
	__u32 len;
};

/* Skips Ethernet and at most two VLAN tags.  *off is advanced past them;
 * returns the ethertype in host order, or -1 on truncation.  The offset is
 * 64-bit: the 6.1 verifier loses the value of a 4-byte stack slot written
 * through a pointer, and on CPUs without unaligned access (MIPS) it then
 * refuses every 2- or 4-byte header read at data + off. */
static __noinline int parse_eth(void *data, void *data_end, __u64 *off)
{
	struct ethhdr *eth = data;
	__u16 type;

	if (data + sizeof(*eth) > data_end)
		return -1;
	type = bpf_ntohs(eth->h_proto);
	*off = sizeof(*eth);
	for (int tags = 0; tags < 2; tags++) {
		__u16 *tci;

		if (type != ETH_P_8021Q && type != ETH_P_8021AD)
			break;
		tci = data + *off;
		if ((void *)(tci + 2) > data_end)
			return -1;
		type = bpf_ntohs(tci[1]);
		*off += 4;
	}
	return type;
}

/* Reads protocol and destination port; returns 0 when the packet has
 * ports, 1 when it has none (other protocol), 2 for a non-first IPv4
 * fragment, -1 when truncated or malformed. */
static __noinline int parse_ports(struct xdp_md *ctx, struct bolt_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *l4;
	__u64 off = 0;
	int type;

	type = parse_eth(data, data_end, &off);
	if (type < 0 || off > 14 + 8)
		return -1;
	if (type == ETH_P_IP) {
		struct iphdr *iph = data + off;

		if ((void *)(iph + 1) > data_end || iph->ihl < 5)
			return -1;
		if (iph->frag_off & bpf_htons(BOLT_IP_OFFSET_MASK))
			return 2;	/* a later fragment: no L4 header here */
		pkt->proto = iph->protocol;
		l4 = (void *)iph + iph->ihl * 4;
	} else if (type == ETH_P_IPV6) {
		struct ipv6hdr *ip6h = data + off;

		if ((void *)(ip6h + 1) > data_end)
			return -1;
		pkt->proto = ip6h->nexthdr;
		l4 = ip6h + 1;
	} else {
		return 1;
	}

	if (pkt->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return -1;
		pkt->dport = bpf_ntohs(th->dest);
	} else if (pkt->proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return -1;
		pkt->dport = bpf_ntohs(uh->dest);
	} else {
		return 1;
	}
	return 0;
}

static __noinline void count(__u32 port, __u32 len)
{
	struct bolt_counter *c, fresh = { 1, len };

	c = bpf_map_lookup_elem(&stats, &port);
	if (!c) {
		bpf_map_update_elem(&stats, &port, &fresh, BPF_NOEXIST);
		return;
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, len);
}

static __always_inline int default_blocked(__u16 port)
{
	for (int i = 0; i < BOLT_NR_DEFAULT_PORTS; i++) {
		if (i < config.nr_default_ports && config.default_ports[i] == port)
			return 1;
	}
	return 0;
}

/* Verdict for one packet; a global function so it can be swapped out. */
__noinline int classify(struct xdp_md *ctx)
{
	struct bolt_pkt pkt = {};
	struct bolt_rule_key key = {};
	__u32 *verdict;
	int ret;

	ret = parse_ports(ctx, &pkt);
	if (ret < 0)
		return XDP_PASS;
	if (ret == 2)
		return bolt_frag_verdict;
	if (ret > 0)
		return XDP_PASS;

	key.proto = pkt.proto;
	key.port = pkt.dport;
	verdict = bpf_map_lookup_elem(&rules, &key);
	if (!verdict) {
		key.proto = 0;
		verdict = bpf_map_lookup_elem(&rules, &key);
	}
	if (verdict)
		ret = *verdict;
	else if (default_blocked(pkt.dport))
		ret = config.drop_verdict;
	else
		return XDP_PASS;

	if (ret == XDP_DROP) {
		count(pkt.dport, ctx->data_end - ctx->data);
		__sync_fetch_and_add(&bolt_drops, 1);
	}
	return ret;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	return classify(ctx);
}

char _license[] SEC("license") = "GPL";
