// SPDX-License-Identifier: GPL-2.0
/* ACME Networks edge firewall: drops packets by IPv4/IPv6 SOURCE prefix.
 *
 * Rules live in the LPM trie `rules`, keyed by the source address in
 * IPv6 form (IPv4 as ::ffff:a.b.c.d, so an IPv4 /24 is a /120).  Two
 * compiled-in default rules apply even when the trie is empty:
 * 198.51.100.0/24 and 2001:db8:bad::/48.  Malformed L3 headers get
 * config.malformed_verdict (XDP_DROP by default).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ACME_BUILD
#define ACME_BUILD	1	/* tests build other versions of this firmware */
#endif
#ifndef ACME_RULES_MAX
#define ACME_RULES_MAX	1024
#endif
#define ACME_MAX_VLANS	2
#define ACME_VLAN_HLEN	4

struct acme_lpm_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct acme_prefix {
	__u8 addr[16];
	__u32 len;
};

enum acme_stat {
	ACME_STAT_PASS,
	ACME_STAT_DROP_RULE,
	ACME_STAT_DROP_DEFAULT,
	ACME_STAT_MALFORMED,
	ACME_STAT_MAX,
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, ACME_RULES_MAX);
	__type(key, struct acme_lpm_key);
	__type(value, __u32);		/* non-zero: drop */
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ACME_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Runtime knobs, writable by the management daemon (.data). */
struct acme_config {
	__u32 enabled;
	__u32 use_default_rules;
	__u32 malformed_verdict;
} config = {
	.enabled = 1,
	.use_default_rules = 1,
	.malformed_verdict = XDP_DROP,
};

/* Factory rules (.rodata), in the same IPv6 form as the trie keys. */
const volatile struct acme_prefix acme_default_rules[2] = {
	{ .addr = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 0 }, .len = 120 },
	{ .addr = { 0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad }, .len = 48 },
};

/* Which build of the firmware this is (.rodata). */
const volatile __u32 acme_build = ACME_BUILD;

/* Last source address dropped, for the CLI's "show last" (.bss). */
struct acme_lpm_key acme_last_drop;

struct acme_cursor {
	void *pos;
	void *end;
};

/* Ethernet plus up to two 802.1Q/802.1ad tags; returns the inner
 * ethertype (network order) or 0 when the frame is truncated. */
static __noinline __u16 parse_eth(struct acme_cursor *c)
{
	struct ethhdr *eth = c->pos;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > c->end)
		return 0;
	proto = eth->h_proto;
	c->pos = eth + 1;
#pragma unroll
	for (i = 0; i < ACME_MAX_VLANS; i++) {
		__u8 *tag = c->pos;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(tag + ACME_VLAN_HLEN) > c->end)
			return 0;
		proto = *(__u16 *)(tag + 2);
		c->pos = tag + ACME_VLAN_HLEN;
	}
	return proto;
}

/* Fills key with the packet's source address; -1 when malformed,
 * 1 when not IP (nothing to match), 0 on success. */
static __noinline int parse_source(struct acme_cursor *c, __u16 proto,
				   struct acme_lpm_key *key)
{
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = c->pos;

		if ((void *)(ip + 1) > c->end || ip->ihl < 5)
			return -1;
		if (c->pos + ip->ihl * 4 > c->end)
			return -1;
		key->addr[10] = 0xff;
		key->addr[11] = 0xff;
		__builtin_memcpy(&key->addr[12], &ip->saddr, 4);
		return 0;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = c->pos;

		if ((void *)(ip6 + 1) > c->end)
			return -1;
		__builtin_memcpy(key->addr, &ip6->saddr, 16);
		return 0;
	}
	return 1;
}

/* Whether addr lies in prefix p (both in IPv6 form). */
static __noinline int prefix_matches(const __u8 *addr, const volatile struct acme_prefix *p)
{
	__u32 len = p->len;
	int i;

	for (i = 0; i < 16 && len; i++) {
		__u8 mask = len >= 8 ? 0xff : (__u8)(0xff00 >> len);

		if ((addr[i] ^ p->addr[i]) & mask)
			return 0;
		len = len >= 8 ? len - 8 : 0;
	}
	return 1;
}

static __noinline void count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &which);

	if (n)
		*n += 1;
}

/* The verdict for one packet; global so a vendor SDK can replace it. */
__noinline int classify(struct xdp_md *ctx)
{
	struct acme_cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct acme_lpm_key key = {};
	__u32 *drop;
	__u16 proto;
	int ret, i;

	if (!config.enabled)
		return XDP_PASS;
	proto = parse_eth(&c);
	if (!proto) {
		count(ACME_STAT_MALFORMED);
		return config.malformed_verdict;
	}
	ret = parse_source(&c, proto, &key);
	if (ret < 0) {
		count(ACME_STAT_MALFORMED);
		return config.malformed_verdict;
	}
	if (ret > 0)
		return XDP_PASS;

	key.prefixlen = 128;
	drop = bpf_map_lookup_elem(&rules, &key);
	if (drop && *drop) {
		count(ACME_STAT_DROP_RULE);
		acme_last_drop = key;
		return XDP_DROP;
	}
	if (config.use_default_rules) {
		for (i = 0; i < 2; i++) {
			if (prefix_matches(key.addr, &acme_default_rules[i])) {
				count(ACME_STAT_DROP_DEFAULT);
				acme_last_drop = key;
				return XDP_DROP;
			}
		}
	}
	return XDP_PASS;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	int verdict = classify(ctx);

#ifdef ACME_BROKEN	/* a build the verifier refuses: unchecked packet read */
	verdict += *(__u8 *)(long)ctx->data;
#endif

	if (verdict == XDP_PASS)
		count(ACME_STAT_PASS);
	return verdict;
}

char _license[] SEC("license") = "GPL";
