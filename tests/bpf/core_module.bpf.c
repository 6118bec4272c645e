// SPDX-License-Identifier: GPL-2.0
/* CO-RE against module BTF: struct xdpld_mod_thing is in no vmlinux; t_core
 * writes a split BTF file "xdpld_mod" that has it into a directory laid out
 * as /sys/kernel/btf, so its relocations resolve to the module (offset,
 * size, existence, the target type id), and to nothing without it. */
#include "core_common.h"

struct xdpld_mod_thing {
	int a;
	int b;
} CORE;

SEC("xdp")
int core_module(void *ctx)
{
	PUT(0, bpf_core_field_offset(struct xdpld_mod_thing, b));
	PUT(1, bpf_core_type_exists(struct xdpld_mod_thing));
	PUT(2, bpf_core_type_id_kernel(struct xdpld_mod_thing));
	PUT(3, bpf_core_type_size(struct xdpld_mod_thing));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
