// SPDX-License-Identifier: GPL-2.0
/* With conf_lic2: the same license and version bytes under other variable
 * names (_license/__license, _version/__version). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int prog_lic1(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 1;
