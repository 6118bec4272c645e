// SPDX-License-Identifier: GPL-2.0
/* Object-model test input that the kernel accepts after a read/write round
 * trip: a program calling a static subprogram, global data and a map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} obj_hits SEC(".maps");

__u64 obj_total = 0;
const volatile __u32 obj_drop_len = 1500;

static __attribute__((noinline)) int obj_classify(__u32 len)
{
	return len > obj_drop_len ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int obj_prog(struct xdp_md *ctx)
{
	__u32 key = 0, len = ctx->data_end - ctx->data;
	__u64 *v = bpf_map_lookup_elem(&obj_hits, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	obj_total += len;
	return obj_classify(len);
}

char _license[] SEC("license") = "GPL";
