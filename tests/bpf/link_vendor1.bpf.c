// SPDX-License-Identifier: GPL-2.0
/* A vendor module for the rootlet test.  Both vendors define the program
 * vendor_prog, the global function vendor_check, the map hits and the
 * variable threshold, so linking them together needs renaming. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

volatile const unsigned char threshold = 17;

static __noinline int count_hit(void)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

__noinline int vendor_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	unsigned char *p = data;

	if (data + 23 + 1 > end)
		return XDP_PASS;
	return p[23] == threshold ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int vendor_prog(struct xdp_md *ctx)
{
	int ret = vendor_check(ctx);

	if (ret != XDP_PASS)
		count_hit();
	return ret;
}

char _license[] SEC("license") = "GPL";
