// SPDX-License-Identifier: GPL-2.0
/* A program that libbpf does not load unless asked for (t_link_real):
 * SEC("?xdp") is an xdp section with autoload off.  xdp_on is the object's
 * only program loaded by default; xdp_off loads when named (run OBJ
 * xdp_off, attach OBJ:xdp_off).  Both count in `seen`. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int seen;

SEC("xdp")
int xdp_on(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&seen, 1);
	return XDP_PASS;
}

SEC("?xdp")
int xdp_off(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&seen, 1);
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
