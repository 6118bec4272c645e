// SPDX-License-Identifier: GPL-2.0
/* Loader test for --set on members: `conf` is a struct in .rodata whose
 * members decide the verdict (nested structs through a typedef, an array,
 * a union, an anonymous struct, bit fields --set refuses).  Every member no
 * test sets is checked against its initial value: a --set that wrote
 * outside its member gives XDP_ABORTED. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct setpath_limits {
	__u32 pps;
	__u16 burst;
	__u8 level;
	__u8 spare;
};
typedef const struct setpath_limits setpath_limits_t;

struct setpath_conf {
	__u32 num_progs_enabled;	/* 0: XDP_PASS whatever the rest says */
	__u32 verdict;
	setpath_limits_t limits;	/* limits.pps == 1000: XDP_TX */
	__u8 ports[4];			/* ports[2] == 80: XDP_DROP */
	union {
		__u32 raw;
		__u16 half[2];
	} mode;				/* mode.raw != 0: returned as is */
	struct {
		__u32 anon_a;		/* anon_a == 7: XDP_TX */
		__u32 anon_b;
	};
	__u32 flag_a : 1, flag_b : 3;
	__u64 magic;
};

const volatile struct setpath_conf conf = {
	.verdict = XDP_DROP,
	.limits = { .pps = 10, .burst = 7, .level = 9, .spare = 0xaa },
	.ports = { 22, 53, 8, 200 },
	.anon_b = 0x55,
	.flag_a = 1, .flag_b = 5,
	.magic = 0x1122334455667788ull,
};
const volatile __u32 plain = 1;

SEC("xdp")
int xdp_setpath(struct xdp_md *ctx)
{
	if (conf.magic != 0x1122334455667788ull || conf.limits.burst != 7 ||
	    conf.limits.level != 9 || conf.limits.spare != 0xaa || conf.ports[0] != 22 ||
	    conf.ports[1] != 53 || conf.ports[3] != 200 || conf.anon_b != 0x55 ||
	    conf.flag_a != 1 || conf.flag_b != 5 || plain != 1)
		return XDP_ABORTED;
	if (!conf.num_progs_enabled)
		return XDP_PASS;
	if (conf.mode.raw)
		return conf.mode.raw;
	if (conf.limits.pps == 1000)
		return XDP_TX;
	if (conf.ports[2] == 80)
		return XDP_DROP;
	if (conf.anon_a == 7)
		return XDP_TX;
	return conf.verdict;
}

char _license[] SEC("license") = "GPL";
