// SPDX-License-Identifier: GPL-2.0
/* A map pinned by name whose name t_fuzz_regress.sh rewrites in the compiled
 * object from ZZPINZZ to ../pinX: the object must not choose a pin path
 * outside the pin root. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__type(key, __u32);
	__type(value, __u64);
} ZZPINZZ SEC(".maps");

SEC("xdp")
int pin_escape(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&ZZPINZZ, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
