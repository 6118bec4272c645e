// SPDX-License-Identifier: GPL-2.0
/* CO-RE type and enum relocations against the running kernel's BTF: local
 * and target type ids, type existence and size (a struct, a typedef, a type
 * the kernel lacks), enumerator existence and value (enum bpf_func_id,
 * a flavored enum xdp_action___v2), a missing field and a missing
 * enumerator guarded by exists checks (their reads are poisoned and the
 * verifier drops them as dead code). */
#include "core_common.h"

struct net_device {
	int ifindex;
} CORE;

struct net_device___v2 {
	int ifindex;
	int made_up_field;	/* not in any kernel */
} CORE;

struct sk_buff {
	unsigned int len;
} CORE;

struct no_such_kernel_struct {
	int x;
} CORE;

typedef unsigned long long __u64_alias;

enum bpf_func_id {
	BPF_FUNC_map_lookup_elem = 1,
	BPF_FUNC_xdp_adjust_head = 2,
	BPF_FUNC_made_up_helper = 3,
};

enum xdp_action___v2 {
	XDP_ABORTED___v2 = 10,
	XDP_TX___v2 = 11,
	XDP_REDIRECT___v2 = 12,
};

SEC("xdp")
int core_types(void *ctx)
{
	struct net_device___v2 *dev = (void *)(long)bpf_get_prandom_u32();
	int v = 0;

	PUT(0, bpf_core_type_id_local(struct sk_buff));
	PUT(1, bpf_core_type_id_kernel(struct sk_buff));
	PUT(2, bpf_core_type_id_kernel(struct net_device));
	PUT(3, bpf_core_type_exists(struct net_device));
	PUT(4, bpf_core_type_exists(struct no_such_kernel_struct));
	PUT(5, bpf_core_type_size(struct net_device));
	PUT(6, bpf_core_type_size(struct sk_buff));
	PUT(7, bpf_core_type_size(struct no_such_kernel_struct));
	PUT(8, bpf_core_type_id_kernel(struct no_such_kernel_struct));
	PUT(9, bpf_core_type_exists(__u64));
	PUT(10, bpf_core_type_size(__u64));
	PUT(11, bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_xdp_adjust_head));
	PUT(12, bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_xdp_adjust_head));
	PUT(13, bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_map_lookup_elem));
	PUT(14, bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_made_up_helper));
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_made_up_helper))
		PUT(15, bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_made_up_helper));
	PUT(16, bpf_core_enum_value(enum xdp_action___v2, XDP_TX___v2));
	PUT(17, bpf_core_enum_value(enum xdp_action___v2, XDP_REDIRECT___v2));
	PUT(18, bpf_core_field_exists(dev->made_up_field));
	PUT(19, bpf_core_field_exists(dev->ifindex));
	if (bpf_core_field_exists(dev->made_up_field)) {
		bpf_core_read(&v, sizeof(v), &dev->made_up_field);
		PUT(20, v);
	}
	bpf_core_read(&v, sizeof(v), &dev->ifindex);
	PUT(21, v);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
