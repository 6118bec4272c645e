/* BTF test object A: shares struct node/pair and the map layout with
 * btf_b.bpf.c; btf_ab.bpf.c compiles both into one object (BTF_AB). */
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

struct a_only {
	int x;
	short y;
	enum { A_RED, A_GREEN = 7 } colour;
};

/* Field reads through this type produce CO-RE relocations in .BTF.ext. */
struct a_core {
	int first;
	int second;
} __attribute__((preserve_access_index));

struct node a_nodes[4];
struct a_only a_var;
struct a_core *a_core_ptr;

static __attribute__((noinline)) int a_walk(struct node *n)
{
	int sum = 0, i;

	for (i = 0; i < 4 && n; i++, n = n->next)
		sum += n->value;
	return sum;
}

SEC("xdp")
int a_prog(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct pair *p = bpf_map_lookup_elem(&pairs, &key);

	if (!p)
		return XDP_ABORTED;
	if (a_core_ptr && a_core_ptr->second)
		return XDP_DROP;
	return a_walk(p->head) + a_var.x > 0 ? XDP_PASS : XDP_DROP;
}

#ifndef BTF_AB
char _license[] SEC("license") = "GPL";
#endif
