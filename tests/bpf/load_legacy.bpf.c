// SPDX-License-Identifier: GPL-2.0
/* Loader test: legacy "maps" section definitions (struct bpf_map_def,
 * which newer libbpf headers no longer provide) and a global function
 * plus a static subprogram.  XDP_TX when the counter map works. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct legacy_map_def counters SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 2,
};
struct legacy_map_def seen SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 4, .max_entries = 8,
};

static __attribute__((noinline)) int bump(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (!v)
		return -1;
	return (int)++*v;
}

__attribute__((noinline)) int legacy_global(__u32 key)
{
	__u32 one = 1;

	bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
	return bump(key) > 0 ? XDP_TX : XDP_ABORTED;
}

SEC("xdp")
int legacy_prog(struct xdp_md *ctx)
{
	return legacy_global(1);
}

char _license[] SEC("license") = "GPL";
