// SPDX-License-Identifier: GPL-2.0
/* int vs unsigned int of one size (issue 10, bug 5): an extern unsigned int
 * variable and function, and a weak unsigned int, against sem_uint_def's
 * plain int definitions.  libbpf compares only the size of an INT. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int sem_u;
extern unsigned int sem_ufn(unsigned int x);
__weak unsigned int sem_w = 1;

SEC("xdp")
int prog_uext(struct xdp_md *ctx)
{
	return sem_u == 7 && sem_w == 2 && sem_ufn(ctx->ingress_ifindex) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
