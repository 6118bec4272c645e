/* btf_a.bpf.c and btf_b.bpf.c in one object: its BTF holds each type once,
 * which is what deduplicating A's BTF appended to B's must reach. */
#define BTF_AB
#include "btf_a.bpf.c"
#include "btf_b.bpf.c"

char _license[] SEC("license") = "GPL";
