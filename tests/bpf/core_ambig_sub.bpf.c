// SPDX-License-Identifier: GPL-2.0
/* Refused like core_ambig, but in the second subprogram of .text: the
 * error names the function and the record's number in the section. */
#include "core_common.h"

typedef unsigned char u8;

struct net_device {
	unsigned int mtu;
} CORE;

static __attribute__((noinline)) int first(void)
{
	return bpf_core_field_offset(struct net_device, mtu);
}

static __attribute__((noinline)) int second(void)
{
	PUT(0, bpf_core_type_size(u8));
	PUT(1, bpf_core_type_id_kernel(u8));	/* two ids on this host: ambiguous */
	return 0;
}

SEC("xdp")
int core_ambig_sub(void *ctx)
{
	return first() + second() ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
