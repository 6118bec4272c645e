// SPDX-License-Identifier: GPL-2.0
/* A legacy "maps" definition of 36 bytes (iproute2's layout). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct def36 {
	unsigned int type, key_size, value_size, max_entries, map_flags;
	unsigned int id, pinning, inner_id, inner_idx;
};
struct def36 m36 SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 4, .max_entries = 16,
};

SEC("xdp")
int prog_lg36(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&m36, &k) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
