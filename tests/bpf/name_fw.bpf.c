// SPDX-License-Identifier: GPL-2.0
/* Naming options of attach (t_naming): with name_lb, the automatic rename
 * collides.  Both define `hits`; name_fw's becomes name_fw_hits, a name
 * name_lb defines itself.  Each module passes only while it sees its own
 * values, so a wrong resolution shows as drops. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int hits = 1;

SEC("xdp")
int xdp_name_fw(struct xdp_md *ctx)
{
	return hits == 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
