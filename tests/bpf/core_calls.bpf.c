// SPDX-License-Identifier: GPL-2.0
/* CO-RE relocations inside called functions: flattening (link --flatten)
 * moves each record with its instruction into every inlined copy.  ARP is
 * dropped, IPv6 bounced (XDP_TX), the rest passes.  The context is the
 * kernel's struct xdp_md by name (as in vmlinux.h): a flavored one would
 * not be taken as the context where the module is a called global
 * function (static and chain pipelines). */
#include "core_common.h"
#include <bpf/bpf_endian.h>

#define XDP_TX 3

struct xdp_md {
	__u32 data;
	__u32 data_end;
} CORE;

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
} CORE;

struct net_device {
	int ifindex;
	unsigned int mtu;
} CORE;

struct xdpld_not_in_any_kernel {
	__u32 verdict;
} CORE;

static __attribute__((noinline)) int proto_of(struct ethhdr *eth)
{
	return eth->h_proto;
}

static __attribute__((noinline)) int kernel_facts(void)
{
	PUT(0, bpf_core_field_offset(struct net_device, mtu));
	PUT(1, bpf_core_field_exists(struct xdpld_not_in_any_kernel, verdict));
	return bpf_core_type_exists(struct net_device);
}

SEC("xdp")
int core_calls(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	int proto;

	if (data + 14 > data_end)
		return XDP_PASS;
	proto = proto_of(eth);
	if (!kernel_facts())
		return XDP_DROP;
	if (proto == bpf_htons(0x0806))
		return XDP_DROP;
	if (proto_of(eth) == bpf_htons(0x86dd))
		return XDP_TX;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
