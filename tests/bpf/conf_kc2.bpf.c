// SPDX-License-Identifier: GPL-2.0
/* With conf_kc1: the same __kconfig extern in both; the linked BTF
 * must hold one extern VAR for it, inside the .kconfig DATASEC. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;

SEC("xdp")
int prog_kc2(struct xdp_md *ctx)
{
	return LINUX_KERNEL_VERSION > 0x20000 ? XDP_PASS : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
