// SPDX-License-Identifier: GPL-2.0
/* Loader test: one map of every type xdpld's loader creates, a prog array
 * and an array of maps with initial slots, a pinned map, and a program
 * that uses them (tail call into slot 0, lookup through the inner map).
 * Verdict: XDP_DROP when everything was wired up, XDP_ABORTED otherwise. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_arr {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_arr);
} arr_of_maps SEC(".maps") = { .values = { &inner_a, &inner_b } };

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_arr);
} hash_of_maps SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } m_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } m_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } m_pcpu_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } m_pcpu_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } m_lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } m_lru_pcpu SEC(".maps");

struct lpm_key { __u32 prefixlen; __u32 addr; };
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 4); __uint(map_flags, BPF_F_NO_PREALLOC);
	 __type(key, struct lpm_key); __type(value, __u32); } m_lpm SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } m_devmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } m_devmap_hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_CPUMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } m_cpumap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_XSKMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } m_xsk SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } m_ringbuf SEC(".maps");

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64);
	 __uint(pinning, LIBBPF_PIN_BY_NAME); } load_pinned SEC(".maps");

int tail_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (struct xdp_md *));
} jump SEC(".maps") = { .values = { [0] = (void *)&tail_target } };

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int use_maps(struct xdp_md *ctx)
{
	__u32 zero = 0, one = 1;
	void *inner = bpf_map_lookup_elem(&arr_of_maps, &one);
	__u64 *v;

	if (!inner || !bpf_map_lookup_elem(inner, &zero))
		return XDP_ABORTED;
	v = bpf_map_lookup_elem(&load_pinned, &zero);
	if (!v)
		return XDP_ABORTED;
	__sync_fetch_and_add(v, 1);
	bpf_map_lookup_elem(&m_array, &zero);
	bpf_map_lookup_elem(&m_hash, &zero);
	bpf_map_lookup_elem(&m_pcpu_array, &zero);
	bpf_map_lookup_elem(&m_pcpu_hash, &zero);
	bpf_map_lookup_elem(&m_lru, &zero);
	bpf_map_lookup_elem(&m_lru_pcpu, &zero);
	bpf_map_lookup_elem(&hash_of_maps, &zero);
	bpf_tail_call(ctx, &jump, 0);
	return XDP_ABORTED;	/* slot 0 was not filled */
}

char _license[] SEC("license") = "GPL";
