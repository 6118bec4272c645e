// SPDX-License-Identifier: GPL-2.0
/* A __kconfig extern is resolved by the loader, not by the linker: a final
 * link keeps it as an extern. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;

SEC("xdp")
int prog_kconfig(struct xdp_md *ctx)
{
	return LINUX_KERNEL_VERSION > 0x20000 ? XDP_PASS : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
