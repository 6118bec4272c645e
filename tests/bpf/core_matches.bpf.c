// SPDX-License-Identifier: GPL-2.0
/* TYPE_MATCHES relocations.  clang 14 cannot emit them, so this object uses
 * bpf_core_type_exists() and the tests turn every type_exists record into
 * type_matches (kind 8 -> 12) before libbpf and xdpld see it.  Each local
 * type below either matches the kernel's (struct subset, enum subset,
 * pointer to a fwd-compatible struct, typedef) or only exists there
 * (different member type, size, or a member the kernel lacks). */
#include "core_common.h"

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
} CORE;

struct xdp_md___m {
	__u32 data;
	__u32 data_end;
	__u32 rx_queue_index;
} CORE;

struct ethhdr___bad_type {
	unsigned int h_proto;	/* __be16 in the kernel */
} CORE;

struct sk_buff___subset {
	unsigned int len;
	struct net_device *dev;
} CORE;

struct net_device___bad_member {
	int ifindex;
	int made_up_field;
} CORE;

struct iphdr___bad_size {
	__u64 saddr;
} CORE;

enum xdp_action___subset {
	XDP_PASS___s = 2,
	XDP_DROP___s = 1,
};

enum xdp_action___bad {
	XDP_MADE_UP___b = 7,
};

SEC("xdp")
int core_matches(void *ctx)
{
	PUT(0, bpf_core_type_exists(struct ethhdr));
	PUT(1, bpf_core_type_exists(struct ethhdr___bad_type));
	PUT(2, bpf_core_type_exists(struct sk_buff___subset));
	PUT(3, bpf_core_type_exists(struct net_device___bad_member));
	PUT(4, bpf_core_type_exists(struct iphdr___bad_size));
	PUT(5, bpf_core_type_exists(enum xdp_action___subset));
	PUT(6, bpf_core_type_exists(enum xdp_action___bad));
	PUT(7, bpf_core_type_exists(__u32));
	PUT(8, bpf_core_type_exists(struct xdp_md___m));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
