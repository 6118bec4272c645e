// SPDX-License-Identifier: GPL-2.0
/* With link_align2: the weak 'w' here loses to link_align2's strong one and
 * is cut out of .data; the long long after it must stay 8-byte aligned
 * (BPF_F_STRICT_ALIGNMENT, as MIPS and ARM32 enforce). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((weak)) int w = 3;
int x1 = 5;
long long y1 = 7;

SEC("xdp")
int prog_align(struct xdp_md *ctx)
{
	return w + x1 + (int)y1 > 100 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
