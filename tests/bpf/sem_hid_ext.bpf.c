// SPDX-License-Identifier: GPL-2.0
/* __hidden on extern declarations only (issue 10, bug 6): the definitions in
 * sem_hid_def are plain globals; libbpf makes them GLOBAL HIDDEN. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int sem_hfn(int x) __hidden;
extern int sem_hv __hidden;

SEC("xdp")
int prog_hext(struct xdp_md *ctx)
{
	return sem_hfn(ctx->ingress_ifindex) == sem_hv ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
