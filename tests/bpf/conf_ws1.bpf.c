// SPDX-License-Identifier: GPL-2.0
/* conf_ws1, conf_ws2, conf_ws3: weak and strong definitions of one name in
 * three objects, linked in every order (nothing needs a rename, so xdpld
 * --no-rename and `bpftool gen object` must resolve them alike):
 *   conf_pick()  weak here (PASS), strong in conf_ws2 (DROP), weak in
 *                conf_ws3 (ABORTED): the strong one wins in every order;
 *   conf_level   weak here (1) and in conf_ws3 (3), a strong extern in
 *                conf_ws2: the first weak one wins, the result is GLOBAL;
 *   conf_wmap    a weak map here and in conf_ws3 (same definition).
 * Each program returns XDP_TX when conf_level is 3, else conf_pick(). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} conf_wmap SEC(".maps") __weak;

__weak __u32 conf_level = 1;

__weak __noinline int conf_pick(struct xdp_md *ctx)
{
	return ctx->data_end > ctx->data ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int prog_ws1(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&conf_wmap, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return conf_level == 3 ? XDP_TX : conf_pick(ctx);
}

char _license[] SEC("license") = "GPL";
