// SPDX-License-Identifier: GPL-2.0
/* CO-RE field relocations against the running kernel's BTF: LDX offsets on
 * the XDP context (a flavored local struct xdp_md) and on packet headers
 * (ethhdr, iphdr whose saddr sits in an anonymous union in the kernel),
 * ALU offsets of probe reads through struct sk_buff / net_device (sk_buff's
 * dev is nested in anonymous unions and structs), byte sizes, array element
 * offsets, signedness, bitfields (offset, size, shifts), and a load whose
 * size changes (a local u64 that is a u32 in the kernel), flexible arrays. */
#include "core_common.h"

struct xdp_md___local {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
} CORE;

struct xdp_md___wide {
	__u64 ingress_ifindex;	/* __u32 in the kernel: the load shrinks */
} CORE;

struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
} CORE;

struct iphdr {
	__u8 ihl:4, version:4;
	__u8 tos;
	__be16 tot_len;
	__u8 ttl;
	__u8 protocol;
	__be32 saddr;
	__be32 daddr;
} CORE;

struct net_device {
	char name[16];
	int ifindex;
	unsigned int mtu;
} CORE;

struct sk_buff {
	unsigned int len;
	struct net_device *dev;
	__u8 pkt_type:3;
	__u8 cloned:1;
	__u8 fclone:2;
	__u16 protocol;
	char cb[48];
	int skb_iif;
	__u32 mark;
} CORE;

/* Flexible arrays: here and in the kernel; only in the kernel. */
struct perf_callchain_entry {
	__u64 nr;
	__u64 ip[];
} CORE;

struct kgid_local {
	unsigned int val;
};

struct group_info {
	int ngroups;
	struct kgid_local gid[4];
} CORE;

SEC("xdp")
int core_fields(struct xdp_md___local *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct sk_buff *skb = (void *)(long)bpf_get_prandom_u32();
	struct net_device *dev;
	int ifindex = 0;

	PUT(0, ctx->ingress_ifindex);
	PUT(1, ctx->rx_queue_index);
	PUT(2, ((struct xdp_md___wide *)ctx)->ingress_ifindex);
	if (data + 40 <= data_end) {	/* local sizes are not the kernel's */
		PUT(3, eth->h_proto);
		PUT(4, ip->saddr);
		PUT(5, ip->daddr);
		PUT(6, ip->ttl);
	}
	dev = BPF_CORE_READ(skb, dev);
	bpf_core_read(&ifindex, sizeof(ifindex), &dev->ifindex);
	PUT(7, ifindex);
	PUT(8, BPF_CORE_READ(skb, len));
	PUT(9, BPF_CORE_READ(skb, mark));
	PUT(10, BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type));
	PUT(11, BPF_CORE_READ_BITFIELD_PROBED(skb, cloned));
	PUT(12, BPF_CORE_READ_BITFIELD_PROBED(skb, fclone));
	PUT(13, bpf_core_field_size(skb->cb));
	PUT(14, bpf_core_field_offset(skb->cb[5]));
	PUT(15, bpf_core_field_size(struct net_device, name));
	PUT(16, bpf_core_field_offset(struct net_device, name[3]));
	PUT(17, __builtin_preserve_field_info(skb->skb_iif, BPF_FIELD_SIGNED));
	PUT(18, __builtin_preserve_field_info(skb->len, BPF_FIELD_SIGNED));
	PUT(19, bpf_core_field_exists(skb->protocol));
	PUT(20, bpf_core_field_offset(struct sk_buff, protocol));
	PUT(21, bpf_core_field_size(struct iphdr, saddr));
	PUT(22, bpf_core_field_offset(struct net_device, mtu));
	PUT(23, bpf_core_field_offset(struct perf_callchain_entry, ip[7]));
	PUT(24, bpf_core_field_offset(struct group_info, gid[3]));
	PUT(25, bpf_core_field_size(struct group_info, gid[3]));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
