// SPDX-License-Identifier: GPL-2.0
/* Loader test: a __kconfig extern, resolved from the running kernel
 * (tests/t_extern.sh covers externs in depth). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));

SEC("xdp")
int extern_prog(struct xdp_md *ctx)
{
	return LINUX_KERNEL_VERSION > 0x050000 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
