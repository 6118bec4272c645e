// SPDX-License-Identifier: GPL-2.0
/* With link_wp2: two weak entry programs of one name; nothing calls them,
 * so the first stays a program (as with libbpf), it does not move to .text. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((weak)) SEC("xdp") int prog_wp(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
