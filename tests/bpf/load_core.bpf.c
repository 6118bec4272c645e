// SPDX-License-Identifier: GPL-2.0
/* Loader test: a program written as against vmlinux.h (no UAPI headers;
 * every struct preserve_access_index), so even the context and the
 * Ethernet header are read through CO-RE relocations (eth->h_proto).
 * ARP is dropped, IPv6 bounced (XDP_TX), the rest passes.  A struct the
 * kernel does not have is read only behind bpf_core_field_exists(): its
 * offset relocation is poisoned, and the dead branch still loads. */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define CORE __attribute__((preserve_access_index))

enum xdp_action { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };

struct xdp_md {
	__u32 data;
	__u32 data_end;
} CORE;

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
} CORE;

struct xdpld_not_in_any_kernel {
	__u32 magic;
	__u32 verdict;
} CORE;

SEC("xdp")
int core_prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if (data + 16 > data_end)
		return XDP_PASS;
	if (bpf_core_field_exists(struct xdpld_not_in_any_kernel, verdict)) {
		struct xdpld_not_in_any_kernel *x = data;

		return x->verdict;	/* poisoned, never runs */
	}
	if (eth->h_proto == bpf_htons(0x0806))
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(0x86dd))
		return XDP_TX;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
