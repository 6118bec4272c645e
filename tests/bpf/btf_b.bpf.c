/* BTF test object B: see btf_a.bpf.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef BTF_SHARED_TYPES
#define BTF_SHARED_TYPES
struct node {
	struct node *next;	/* self-referential: a cycle in the type graph */
	int value;
};

struct pair {
	struct node *head;
	unsigned long long count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pair);
} pairs SEC(".maps");
#endif

struct b_only {
	long long big;
	struct node first;
	char tag[6];
};

struct b_only b_var;
struct node b_nodes[2];

static __attribute__((noinline)) int b_count(struct node *n)
{
	int c = 0;

	while (n && c < 8) {
		n = n->next;
		c++;
	}
	return c;
}

SEC("xdp")
int b_prog(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct pair *p = bpf_map_lookup_elem(&pairs, &key);

	if (!p)
		return XDP_ABORTED;
	return b_count(p->head) + b_var.tag[0] > 1 ? XDP_PASS : XDP_DROP;
}

#ifndef BTF_AB
char _license[] SEC("license") = "GPL";
#endif
