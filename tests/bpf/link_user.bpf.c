// SPDX-License-Identifier: GPL-2.0
/* Calls vendor_check, which link_vendor1 and link_vendor2 both define:
 * linking all three is ambiguous unless one of them is renamed. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int vendor_check(struct xdp_md *ctx);

SEC("xdp")
int prog_user(struct xdp_md *ctx)
{
	return vendor_check(ctx);
}

char _license[] SEC("license") = "GPL";
