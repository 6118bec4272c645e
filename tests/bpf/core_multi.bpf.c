// SPDX-License-Identifier: GPL-2.0
/* CO-RE against several candidates: this host's vmlinux BTF has three
 * struct perf_aux_event, two struct irq_info and two struct workspace.
 * All candidates that match must agree; a relocation that matches fewer
 * narrows the candidate list of its local type for the relocations after
 * it (libbpf's cache), so the pid relocations below, which come after the
 * hw_id one, find no candidate even though one kernel perf_aux_event has a
 * pid; so does workspace.level.  Field offsets, sizes and existence, against the running kernel. */
#include "core_common.h"

struct perf_event_header {
	__u32 type;
} CORE;

struct perf_aux_event {
	struct perf_event_header header;
	__u64 hw_id;
	__u32 pid;
} CORE;

struct irq_info {
	unsigned int irq;
} CORE;

struct workspace {
	unsigned long mem_size;
	int level;
} CORE;

SEC("xdp")
int core_multi(void *ctx)
{
	PUT(0, bpf_core_field_offset(struct perf_aux_event, header));
	PUT(1, bpf_core_field_exists(struct perf_aux_event, header));
	PUT(2, bpf_core_field_offset(struct perf_aux_event, hw_id));
	PUT(3, bpf_core_field_exists(struct perf_aux_event, pid));
	PUT(4, bpf_core_field_exists(struct perf_aux_event, header));
	PUT(5, bpf_core_field_offset(struct irq_info, irq));
	PUT(6, bpf_core_field_size(struct irq_info, irq));
	PUT(7, bpf_core_field_offset(struct workspace, mem_size));
	PUT(8, bpf_core_field_exists(struct workspace, level));	/* narrowed away */
	PUT(9, bpf_core_type_size(struct workspace));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
