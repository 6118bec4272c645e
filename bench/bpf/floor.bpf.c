// SPDX-License-Identifier: GPL-2.0
/* The floor: N copies of the bench module's body back to back in one
 * program, no calls (bench_body is __always_inline; the verifier log of
 * each floor_N shows no call instruction).  Between copies the verdict is
 * checked as a rootlet does (anything but XDP_PASS ends the chain) and a
 * compiler barrier keeps clang from merging the copies: each one loads
 * ctx->data and the headers again, as N separate modules would.
 * floor_0 returns XDP_PASS: an empty program (the dispatcher's floor). */
#include "bench_mod.h"

#define BARRIER() asm volatile("" ::: "memory")

#define FLOOR(N)						\
SEC("xdp")							\
int floor_##N(struct xdp_md *ctx)				\
{								\
	int r = XDP_PASS;					\
								\
	_Pragma("clang loop unroll(full)")			\
	for (int i = 0; i < N; i++) {				\
		r = bench_body(ctx);				\
		if (r != XDP_PASS)				\
			return r;				\
		BARRIER();					\
	}							\
	return r;						\
}

SEC("xdp")
int floor_0(struct xdp_md *ctx)
{
	return XDP_PASS;
}

FLOOR(1)
FLOOR(2)
FLOOR(4)
FLOOR(8)
FLOOR(16)
FLOOR(32)

char _license[] SEC("license") = "GPL";
