// SPDX-License-Identifier: GPL-2.0
/* A CO-RE firewall for the core_nobtf VM scenario: drops TCP and UDP to
 * port 23 (core_fw_v2.bpf.c: also 2323) over IPv4 and IPv6, passes the
 * rest, and counts both in its `stats` array map (kept across a relink).
 * Every header read is a CO-RE relocation (the kernel structs are declared
 * here with preserve_access_index, as vmlinux.h declares them): field
 * offsets, the bitfield ihl (shifts), and bpf_core_field_exists() on a
 * field the kernel has and on one no kernel has (its code is dead: the
 * relocation is poisoned there).  On a kernel without BTF these need the
 * image's BTF (/lib/xdpld/btf/$(uname -r).btf, made by xdpld btfgen). */
#include <linux/bpf.h>	/* xdp_md and map types; no header structs */
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define CORE __attribute__((preserve_access_index))
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
} CORE;

/* A field no kernel has: its bpf_core_field_exists() is 0. */
struct ethhdr___xdpld {
	__be16 h_xdpld_tag;
} CORE;

struct iphdr {
	__u8 ihl:4, version:4;
	__u8 protocol;
	__be32 daddr;
} CORE;

struct ipv6hdr {
	__u8 nexthdr;
	__u8 hop_limit;
} CORE;

struct tcphdr {
	__be16 source;
	__be16 dest;
} CORE;

struct udphdr {
	__be16 source;
	__be16 dest;
} CORE;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} stats SEC(".maps");	/* [0] passed, [1] dropped */

static __always_inline int verdict(int v)
{
	__u32 key = v == XDP_DROP;
	__u32 *n = bpf_map_lookup_elem(&stats, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	return v;
}

static __always_inline int blocked(__u16 port)
{
#ifdef CORE_FW_V2
	if (port == 2323)
		return 1;
#endif
	return port == 23;
}

SEC("xdp")
int core_fw(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 proto;
	void *l4;

	if ((void *)(eth + 1) > end)
		return verdict(XDP_PASS);
	if (bpf_core_field_exists(((struct ethhdr___xdpld *)eth)->h_xdpld_tag) &&
	    ((struct ethhdr___xdpld *)eth)->h_xdpld_tag)
		return verdict(XDP_DROP);	/* dead: no kernel has the field */
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)ip + 20 > end || !bpf_core_field_exists(ip->ihl))
			return verdict(XDP_PASS);
		l4 = (void *)ip + ip->ihl * 4;
		proto = ip->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)ip6 + 40 > end)
			return verdict(XDP_PASS);
		l4 = (void *)ip6 + 40;
		proto = ip6->nexthdr;
	} else {
		return verdict(XDP_PASS);
	}
	if (l4 + 8 > end)
		return verdict(XDP_PASS);
	if (proto == IPPROTO_TCP && blocked(bpf_ntohs(((struct tcphdr *)l4)->dest)))
		return verdict(XDP_DROP);
	if (proto == IPPROTO_UDP && blocked(bpf_ntohs(((struct udphdr *)l4)->dest)))
		return verdict(XDP_DROP);
	return verdict(XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
