// SPDX-License-Identifier: GPL-2.0
/* Refused by libbpf and xdpld alike: this host's vmlinux BTF has two
 * typedef u8 (ids differ), so the target type id is ambiguous. */
#include "core_common.h"

typedef unsigned char u8;

SEC("xdp")
int core_ambig(void *ctx)
{
	PUT(0, bpf_core_type_size(u8));	/* both 1: fine */
	PUT(1, bpf_core_type_id_kernel(u8));	/* two ids: ambiguous */
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
