// SPDX-License-Identifier: GPL-2.0
/* With conf_pin2: both define conf_pin_cfg pinned by name
 * (LIBBPF_PIN_BY_NAME) with the same definition, as two modules of one
 * vendor do whose userspace agent writes /sys/fs/bpf/conf_pin_cfg.  The
 * link keeps one map under that name; both programs read its slot 0.
 * conf_pin3/conf_pin4 define it differently, conf_pin5 without pinning. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} conf_pin_cfg SEC(".maps");

SEC("xdp")
int prog_pin1(struct xdp_md *ctx)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&conf_pin_cfg, &k);

	return v && *v == 1 ? XDP_DROP : XDP_PASS;	/* the agent wrote 1: drop */
}

char _license[] SEC("license") = "GPL";
