// SPDX-License-Identifier: GPL-2.0
/* Loader test: a CO-RE relocation, which xdpld refuses by name for now. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct remote { int a; int b; } __attribute__((preserve_access_index));

SEC("xdp")
int core_prog(struct xdp_md *ctx)
{
	return __builtin_preserve_field_info(((struct remote *)0)->b, 0) == 4 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
