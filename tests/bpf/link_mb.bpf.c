// SPDX-License-Identifier: GPL-2.0
/* Extern maps: the matching extern declaration of link_ma.bpf.c's map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} shared SEC(".maps");

SEC("xdp")
int prog_mb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 key = 2;

	if (!bpf_map_lookup_elem(&shared, &key))
		return XDP_ABORTED;
	return data + 100 > end ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
