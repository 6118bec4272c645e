// SPDX-License-Identifier: GPL-2.0
/* The bench module: one XDP entry program around bench_body() (bench_mod.h).
 * `make bench` copies it to mod00.o..mod31.o (xdpld wants one file name per
 * slot) and builds BENCH_VARIANT=2 as the "new build" for re-links. */
#include "bench_mod.h"

SEC("xdp")
int bench_mod(struct xdp_md *ctx)
{
	return bench_body(ctx);
}

char _license[] SEC("license") = "GPL";
