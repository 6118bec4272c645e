/* CO-RE relocation engine: libbpf's semantics (relo_core.c), our own code.
 *
 * A CO-RE record (.BTF.ext core_relo: insn_off, type_id, access_str_off,
 * kind) names a local type (in the object's BTF) and an access spec string
 * ("0:1:2": first index is array-style on the root type, then member
 * indexes / array indexes).  core_resolve() finds the target types whose
 * essential name (the name without a "___flavor" suffix) equals the local
 * one, first in vmlinux BTF, then (only when vmlinux has none) in every
 * module BTF; matches the spec against each; computes the value for the
 * record's kind; checks that every matching candidate gives the same value;
 * and decides: a new value, or poisoning (no candidate and a kind that
 * needs one).  core_patch() writes the decision into the instruction.
 *
 * Nothing here logs: every failure is a negative errno plus a message in the
 * caller's buffer naming the type, access string and reason; the caller adds
 * the file, section and instruction.  All input (records, access strings,
 * local and target BTF, instructions) is treated as untrusted.
 */
#ifndef XDPLD_CORE_H
#define XDPLD_CORE_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf/btf.h"

/* enum bpf_core_relo_kind of linux/bpf.h (not in every libc's copy). */
enum core_kind {
	CORE_FIELD_BYTE_OFFSET = 0,
	CORE_FIELD_BYTE_SIZE = 1,
	CORE_FIELD_EXISTS = 2,
	CORE_FIELD_SIGNED = 3,
	CORE_FIELD_LSHIFT_U64 = 4,
	CORE_FIELD_RSHIFT_U64 = 5,
	CORE_TYPE_ID_LOCAL = 6,
	CORE_TYPE_ID_TARGET = 7,
	CORE_TYPE_EXISTS = 8,
	CORE_TYPE_SIZE = 9,
	CORE_ENUMVAL_EXISTS = 10,
	CORE_ENUMVAL_VALUE = 11,
	CORE_TYPE_MATCHES = 12,
	CORE_KIND_MAX = 12,
};

/* libbpf's names for the kinds ("byte_off", "type_exists", ...); "unknown". */
const char *core_kind_name(uint32_t kind);
bool core_kind_is_field(uint32_t kind);
bool core_kind_is_type(uint32_t kind);
bool core_kind_is_enumval(uint32_t kind);

/* The helper id libbpf calls in a poisoned instruction (0xbad2310). */
#define CORE_POISON_IMM 195896080

/* ---- BTF views ----
 * A read-only view of one BTF: a whole blob (local object BTF, vmlinux), or
 * split BTF (a kernel module's) whose type ids and string offsets continue
 * after its base's.  Id 0 is void (a zeroed type).  ptr_sz is the target's
 * pointer size (from its "long"), 8 for object BTF. */
struct core_split;
struct core_btf {
	const struct btf *base;		/* NULL: a raw whole BTF, or split on base_split */
	const struct core_split *base_split;	/* the raw vmlinux a module's split BTF is on */
	struct core_split *split;	/* NULL: base only */
	uint32_t start_id;		/* first split id (= base's btf_nr_types) */
	uint32_t start_str;		/* first split string offset */
	uint32_t nr_types;		/* ids are < this */
	int ptr_sz;
};

void core_btf_view(struct core_btf *v, const struct btf *b);
/* Parse a module's split BTF (as in /sys/kernel/btf/<module>) on base:
 * every type id < base's + own count, every string offset inside the two
 * tables.  v->split is allocated; free with core_btf_release(). */
int core_btf_parse_split(struct core_btf *v, const void *data, size_t size,
			 const struct btf *base, const char *what, char *err, size_t errlen);
void core_btf_release(struct core_btf *v);

const struct btf_type *core_type(const struct core_btf *v, uint32_t id);	/* NULL: bad id */
const char *core_str(const struct core_btf *v, uint32_t off);	/* NULL: bad offset */
const char *core_name(const struct core_btf *v, uint32_t id);	/* "" when anonymous */
/* Skip const/volatile/restrict/type_tag/typedef; *res_id gets the id.
 * NULL on a bad id or a modifier cycle. */
const struct btf_type *core_skip_mods(const struct core_btf *v, uint32_t id, uint32_t *res_id);
/* libbpf's btf__resolve_size(): -EINVAL for unsized kinds, -E2BIG on overflow. */
int64_t core_resolve_size(const struct core_btf *v, uint32_t id);

/* ---- targets ---- */
struct core_target {
	char name[64];		/* "vmlinux" or the module's name */
	struct core_btf btf;
	uint32_t btf_obj_id;	/* kernel BTF object id, 0: not known (loader fills) */
	int btf_fd;		/* -1 until the loader opens it */
};

struct core_targets {
	struct core_target *t;	/* [0] is vmlinux */
	size_t nr;
	bool big_endian;	/* the programs' byte order (bitfield shifts) */
};

/* vmlinux must outlive ts; modules' split BTF is owned by ts. */
int core_targets_init(struct core_targets *ts, const struct btf *vmlinux, bool big_endian);
/* vmlinux from the bytes of a whole BTF blob (a file as read), used in
 * place: no struct btf, no copy, one 4-byte index entry per type (the
 * 5 MB of a kernel's BTF are read once and that is most of the memory).
 * Validated as module split BTF is (every type id and string offset in
 * range).  data must be malloc'd; ts owns it from here on, also when this
 * fails (-errno, err names what). */
int core_targets_init_raw(struct core_targets *ts, void *data, size_t size, const char *what,
			  bool big_endian, char *err, size_t errlen);
int core_targets_add_module(struct core_targets *ts, const char *name, const void *data,
			    size_t size, uint32_t btf_obj_id, char *err, size_t errlen);
void core_targets_free(struct core_targets *ts);

/* ---- candidate cache (per object, as libbpf's): local type id -> the
 * target types with the same essential name.  A relocation that matched
 * some candidates narrows the list to those for later relocations of the
 * same local type (libbpf does the same). */
struct core_cache;
struct core_cache *core_cache_new(const struct btf *local);
void core_cache_free(struct core_cache *c);

/* ---- decisions ---- */
#define CORE_SPEC_STR 256
struct core_decision {
	uint32_t insn_idx;		/* rec->insn_off / 8: in the record's section */
	uint32_t kind;
	uint32_t local_id;
	char local_name[128];		/* "struct ethhdr" */
	char access[64];		/* the access string as in the record */
	char local_spec[CORE_SPEC_STR];	/* "[7] struct ethhdr.h_proto (0:2 @ offset 12)" */
	int target;			/* index in targets, -1: none (local, or no match) */
	uint32_t target_id;
	char target_spec[CORE_SPEC_STR];
	uint32_t nr_cands, nr_matched;
	uint64_t orig_val, new_val;
	uint32_t orig_sz, new_sz;	/* field load sizes (byte_off on LDX/ST/STX) */
	bool validate;			/* the instruction must hold orig_val */
	bool poison;
	bool fail_memsz_adjust;		/* LDX/ST/STX would need an unsafe size change */
	char reason[160];		/* why poisoned / how decided */
};

/* Resolve one record.  local: the object's BTF; cache from core_cache_new(local).
 * 0 and *out filled, or -errno with err set. */
int core_resolve(const struct btf *local, const struct btf_ext_core *rec,
		 const struct core_targets *ts, struct core_cache *cache,
		 struct core_decision *out, char *err, size_t errlen);

/* Apply a decision to insns[insn_idx] (host byte order; nr_insns bounds it):
 * LDX/ST/STX off (and the load size when it changes), ALU/ALU64 imm,
 * LD_IMM64 both halves; a poisoned decision (or an unsafe size change on a
 * memory access) turns the instruction, and an LD_IMM64's second half, into
 * a call of helper CORE_POISON_IMM.  With d->validate the instruction must
 * hold d->orig_val.  d->poison is set when the patch poisoned. */
int core_patch(struct bpf_insn *insns, size_t nr_insns, size_t insn_idx,
	       struct core_decision *d, char *err, size_t errlen);

/* Resolve and patch every record of one .BTF.ext section (sec, whose
 * instructions are insns[0..nr_insns), host byte order), in record order
 * as libbpf does; out (sec->nr entries, may be NULL) gets each decision.
 * An error names the section, the record, its instruction and its access
 * string: "sec 'xdp': CO-RE relocation #3 at insn #12 (\"0:1:2\"): ...". */
int core_apply_sec(const struct btf *local, const struct btf_ext_sec *sec,
		   struct bpf_insn *insns, size_t nr_insns, const struct core_targets *ts,
		   struct core_cache *cache, struct core_decision *out, char *err, size_t errlen);

/* Targets from a directory laid out as /sys/kernel/btf: "vmlinux" (read
 * with core_targets_init_raw) plus one split BTF file per module (named
 * after it).  Unreadable or malformed files are refused with their name. */
int core_targets_load_dir(struct core_targets *ts, const char *dir, bool big_endian,
			  char *err, size_t errlen);
/* The whole file at path in a malloc'd buffer (sysfs files report no
 * size): 0, or -errno (-EFBIG beyond 256 MiB). */
int core_read_file(const char *path, void **data, size_t *size);

/* Render a decision as one line (for logs and tests). */
void core_decision_str(const struct core_decision *d, const struct core_targets *ts,
		       char *buf, size_t len);

#endif
