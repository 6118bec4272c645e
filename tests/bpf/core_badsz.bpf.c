// SPDX-License-Identifier: GPL-2.0
/* A load whose size would change on a signed field: the kernel's
 * xdp_md.ingress_ifindex is a __u32, declared here as __s64.  libbpf (and
 * xdpld) poison the load instead of shrinking it, so the verifier refuses
 * the program; the unsigned case (core_fields' xdp_md___wide) is shrunk. */
#include "core_common.h"

struct xdp_md___s {
	__s64 ingress_ifindex;
} CORE;

SEC("xdp")
int core_badsz(struct xdp_md___s *ctx)
{
	PUT(0, ctx->ingress_ifindex);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
