/* The rootlet: the dispatcher xdpld generates itself, as BPF instructions and
 * BTF in memory (no compiler on the router).
 *
 * One XDP entry program (ROOTLET_ENTRY_NAME, section "xdp") calls the slot
 * functions xdpld_slot0..N-1 in .text in order.  After each slot the verdict
 * continues the chain when its bit is set in that slot's continue mask
 * (default: XDP_PASS only); otherwise the rootlet returns it.  After the last
 * slot it returns the last slot's verdict.  A verdict outside
 * XDP_ABORTED..XDP_REDIRECT ends the chain and the rootlet returns
 * XDP_ABORTED.  What a slot's body is depends on the backend (see
 * docs/rootlet.md).
 *
 * Slot function names: the static and tailcall backends have one function
 * per slot, xdpld_slot<i> (rootlet_slot_name).  The freplace backend has no
 * xdpld_slot<i>: it has ROOTLET_NR_TARGETS global functions per slot,
 * xdpld_slot<i>_a and xdpld_slot<i>_b (rootlet_target_name), the targets of
 * extension programs, and the u32 array ROOTLET_SEL_MAP says per slot which
 * one the entry program calls: 0 target a, anything else target b (a
 * failed lookup counts as 0).  A re-link attaches the new extension to the
 * idle target, flips the selector with one map update, then detaches the
 * old one, so no packet sees a placeholder.  The placeholders return
 * XDP_ABORTED (fail closed: visible as "aborted" counts and xdp_exception).
 * The chain backend has no slot functions in the rootlet: each slot is a
 * program of its own (rootlet_chain_slot_build) that does the counting and
 * the continue mask itself and tail-calls the next.
 *
 * Configuration is the .rodata variable ROOTLET_CFG_NAME (layout: struct
 * rootlet_cfg_image below, in the object's byte order), so a loader can
 * override it before load; the verifier then sees it as constants.
 */
#ifndef XDPLD_ROOTLET_H
#define XDPLD_ROOTLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct obj;

#define ROOTLET_MAX_SLOTS	64	/* BPF_MAX_SUBPROGS is 256: leave room for vendor code */

#define ROOTLET_ENTRY_NAME	"xdpld_rootlet"
#define ROOTLET_ENTRY_SEC	"xdp"
#define ROOTLET_SLOT_PREFIX	"xdpld_slot"
#define ROOTLET_CFG_NAME	"xdpld_cfg"	/* VAR in .rodata */
#define ROOTLET_STATS_MAP	"xdpld_stats"	/* per-CPU array of u64 */
#define ROOTLET_SLOTS_MAP	"xdpld_slots"	/* prog array, tailcall backend */
#define ROOTLET_SEL_MAP		"xdpld_sel"	/* u32 array: target per slot, freplace */
#define ROOTLET_NR_TARGETS	2		/* freplace targets per slot: _a, _b */
#define ROOTLET_CHAIN_PREFIX	"xdpld_chain"	/* chain: slot program i's entry */
/* chain: the rootlet's tail call plus one per slot; the kernel allows 33
 * per packet (MAX_TAIL_CALL_CNT) */
#define ROOTLET_CHAIN_MAX_SLOTS	32

/* Counter buckets: one per XDP action plus one for out-of-range verdicts.
 * The stats key of (slot, bucket) is slot * ROOTLET_NR_BUCKETS + bucket. */
#define ROOTLET_NR_ACTIONS	5	/* XDP_ABORTED..XDP_REDIRECT */
#define ROOTLET_BUCKET_INVALID	5
#define ROOTLET_NR_BUCKETS	6
#define ROOTLET_ACTION_MASK	((1u << ROOTLET_NR_ACTIONS) - 1)
#define ROOTLET_DEFAULT_CONTINUE (1u << 2)	/* 1 << XDP_PASS */

enum rootlet_backend {
	ROOTLET_STATIC,		/* weak placeholder, replaced at link time */
	ROOTLET_TAILCALL,	/* bpf_tail_call into ROOTLET_SLOTS_MAP[i] */
	ROOTLET_FREPLACE,	/* two global functions per slot + selector; EXT programs */
	ROOTLET_CHAIN,		/* a program per slot, chained by tail calls (below) */
};

struct rootlet_cfg {
	uint32_t nr_slots;		/* 1..ROOTLET_MAX_SLOTS */
	enum rootlet_backend backend;
	bool counters;			/* generate ROOTLET_STATS_MAP and the counting code */
	uint32_t continue_mask[ROOTLET_MAX_SLOTS];	/* bit a: continue on action a */
};

/* The .rodata image of ROOTLET_CFG_NAME, all fields u32:
 *   nr_slots      slots actually called (<= generated slots; lower at load time
 *                 to skip the tail)
 *   counters      0 turns counting off without regenerating
 *   continue_mask[generated slots]                                          */
#define ROOTLET_CFG_OFF_NR_SLOTS	0
#define ROOTLET_CFG_OFF_COUNTERS	4
#define ROOTLET_CFG_OFF_MASKS		8
static inline size_t rootlet_cfg_size(uint32_t nr_slots)
{
	return ROOTLET_CFG_OFF_MASKS + 4 * (size_t)nr_slots;
}

/* cfg with nr_slots slots, counters on, every mask the default. */
void rootlet_cfg_init(struct rootlet_cfg *cfg, uint32_t nr_slots,
		      enum rootlet_backend backend);

/* Generates the rootlet object in byte_order (ELFDATA2LSB/ELFDATA2MSB).
 * -EINVAL (with a message) for a bad slot count, backend or mask. */
int rootlet_build(const struct rootlet_cfg *cfg, int byte_order, struct obj **out);

/* chain backend.  The rootlet (rootlet_build) has no slot functions: its
 * entry only tail-calls ROOTLET_SLOTS_MAP[0] and returns XDP_ABORTED when
 * that falls through (an empty slot 0 fails closed).  Slot i runs as its
 * own program, built from the object made here: entry ROOTLET_CHAIN_PREFIX<i>
 * (section "xdp") calls the weak placeholder xdpld_slot<i> (returns
 * XDP_PASS; a module's entry aliased onto it replaces it at link time),
 * counts the verdict in ROOTLET_STATS_MAP[i * 6 + bucket], returns
 * XDP_ABORTED for an out-of-range verdict, and when the verdict is in
 * continue_mask[i] (a constant) tail-calls ROOTLET_SLOTS_MAP[i + 1]; an
 * empty next slot, the last slot, or a verdict that stops returns the
 * verdict.  ctx and the verdict stay on the stack across the call.  The
 * maps have the rootlet's definitions: load the slot program with the
 * rootlet's maps reused.  No .rodata. */
int rootlet_chain_slot_build(const struct rootlet_cfg *cfg, uint32_t slot, int byte_order,
			     struct obj **out);
/* "xdpld_chain<i>" into buf; returns buf (NULL if it does not fit). */
const char *rootlet_chain_name(uint32_t i, char *buf, size_t len);

/* Writes the .rodata image of ROOTLET_CFG_NAME for cfg (len must be
 * rootlet_cfg_size(cfg->nr_slots)), for .rodata overrides at load time. */
int rootlet_cfg_encode(const struct rootlet_cfg *cfg, int byte_order, void *buf, size_t len);

/* "xdpld_slot<i>" into buf; returns buf (NULL if it does not fit). */
const char *rootlet_slot_name(uint32_t i, char *buf, size_t len);
/* freplace target function of a slot: "xdpld_slot<slot>_a" (target 0) or
 * "xdpld_slot<slot>_b" (target 1) into buf; NULL when target is not below
 * ROOTLET_NR_TARGETS or the name does not fit. */
const char *rootlet_target_name(uint32_t slot, uint32_t target, char *buf, size_t len);
const char *rootlet_backend_name(enum rootlet_backend b);
int rootlet_backend_parse(const char *name, enum rootlet_backend *b);

/* XDP action names: "aborted", "drop", "pass", "tx", "redirect" (also
 * "XDP_PASS" style, any case).  Returns the action or -EINVAL. */
int rootlet_action_parse(const char *name);
/* Comma-separated list of action names -> mask; "none" or "" gives 0. */
int rootlet_actions_parse(const char *list, uint32_t *mask);
/* Bucket names: the action names plus "invalid"; NULL when out of range. */
const char *rootlet_bucket_name(uint32_t bucket);

/* Stats map decoding. */
static inline uint32_t rootlet_stats_key(uint32_t slot, uint32_t bucket)
{
	return slot * ROOTLET_NR_BUCKETS + bucket;
}
/* key -> (slot, bucket); -ERANGE when key is not below nr_slots * buckets. */
int rootlet_stats_split(uint32_t key, uint32_t nr_slots, uint32_t *slot, uint32_t *bucket);
/* Sum of one per-CPU value as returned by a map lookup: nr_cpus u64 values
 * in host byte order, each 8 bytes apart. */
uint64_t rootlet_stats_sum(const uint64_t *percpu, unsigned int nr_cpus);

#endif
