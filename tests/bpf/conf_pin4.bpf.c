// SPDX-License-Identifier: GPL-2.0
/* See conf_pin1: conf_pin_cfg pinned by name with the same sizes, but its
 * value is a struct, not a __u32: the BTF value types differ, so linking
 * it with conf_pin1 fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pin_val {
	__u32 mode;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct pin_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} conf_pin_cfg SEC(".maps");

SEC("xdp")
int prog_pin4(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct pin_val *v = bpf_map_lookup_elem(&conf_pin_cfg, &k);

	return v && v->mode == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
