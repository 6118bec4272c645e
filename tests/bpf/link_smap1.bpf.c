// SPDX-License-Identifier: GPL-2.0
/* With link_smap2: a static map 'stats' in each (a hash here, an array
 * there); the linked object holds both, each program must get its own.
 * (libbpf refuses static maps: compared with xdpld run only.) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

SEC("xdp")
int prog_smap1(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&stats, &k) ? XDP_DROP : XDP_PASS;	/* empty: PASS */
}

char _license[] SEC("license") = "GPL";
