/* Shared by tests/bpf/core_*.bpf.c: no kernel UAPI structs are included, so
 * each test declares the kernel types it relocates itself, marked
 * preserve_access_index, as programs written against vmlinux.h do. */
#ifndef CORE_COMMON_H
#define CORE_COMMON_H
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define CORE __attribute__((preserve_access_index))
#define XDP_DROP 1
#define XDP_PASS 2

/* Results are stored here so that every relocated value is used. */
__u64 out[64];
#define PUT(i, v) (*(volatile __u64 *)&out[i] = (__u64)(v))
#endif
