/* Kernel feature probes, each run once and cached.  BTF features are probed
 * by loading a tiny BTF blob that uses the feature.
 *
 * XDPLD_PROBE_MISSING=feat,feat,... (names as in probe_feature_name, or
 * "all") makes the probes report those features as missing, so that the
 * rewriting for older kernels can be exercised on a new kernel. */
#ifndef XDPLD_PROBE_H
#define XDPLD_PROBE_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum probe_feature {
	PROBE_BTF,		/* BPF_BTF_LOAD at all */
	PROBE_BTF_FUNC,		/* FUNC / FUNC_PROTO (and so func_info) */
	PROBE_BTF_GLOBAL_FUNC,	/* FUNC with global linkage */
	PROBE_BTF_DATASEC,	/* VAR / DATASEC */
	PROBE_BTF_FLOAT,
	PROBE_BTF_DECL_TAG,
	PROBE_BTF_TYPE_TAG,
	PROBE_BTF_ENUM64,
	PROBE_VMLINUX_BTF,	/* kernel's own BTF (/sys/kernel/btf/vmlinux) */
	PROBE_PROG_ARRAY_LOOKUP, /* a prog array lookup from user space reads its key */
	PROBE__COUNT
};

bool probe_has(enum probe_feature f);
const char *probe_feature_name(enum probe_feature f);

/* Whether BPF_MAP_LOOKUP_ELEM on a prog array gives the id of the program
 * at that key (probe_has(PROBE_PROG_ARRAY_LOOKUP) caches it).  32-bit
 * kernels answer key k with entry 2k (the lookup steps by the 8-byte
 * element size over an array of 4-byte pointers; seen on 6.1 mipsel and
 * armhf), so there the slot's program must be found another way. */
bool probe_prog_array_lookup(void);
/* net.core.bpf_jit_enable: 0 (interpreter), 1 or 2 (JIT), or negative errno
 * when it cannot be read. */
int probe_jit_enable(void);

/* Whether a kprobe can be attached to kernel function func: through the
 * kprobe PMU (perf_event_open), or, without one, tracefs kprobe_events and
 * func in /proc/kallsyms; false when the kernel has no kprobes.  libbpf's
 * answer for LINUX_HAS_SYSCALL_WRAPPER is this for the arch's wrapped bpf
 * syscall (__x64_sys_bpf, ...). */
bool probe_kprobe_possible(const char *func);

/* The test program of the probes: r0 = XDP_TX (PROBE_VERDICT); exit. */
#define PROBE_VERDICT 3
#define PROBE_RET_TX_LEN 2
extern const struct bpf_insn probe_ret_tx[PROBE_RET_TX_LEN];
/* Loads probe_ret_tx as "xdpld_probe" (GPL) of the given program type,
 * expected attach type and flags: its fd, or negative errno. */
int probe_load_ret_tx(uint32_t type, uint32_t attach, uint32_t flags);
#endif
