/* Private to loader/core/: access specs, candidates, the cache. */
#ifndef XDPLD_CORE_PRIV_H
#define XDPLD_CORE_PRIV_H

#include "core.h"

#define CORE_SPEC_MAX 64	/* accessors in one spec (libbpf's BPF_CORE_SPEC_MAX_LEN) */
#define CORE_MAX_DEPTH 32	/* type nesting followed by size / compatibility checks */
#define CORE_BUDGET (1 << 20)	/* steps one match may take (malformed BTF can make
				 * the recursive checks exponential) */

/* One step of a spec: a named member (name != NULL) of struct/union
 * type_id at index idx, or an array element idx of element type type_id. */
struct core_acc {
	uint32_t type_id, idx;
	const char *name;
};

struct core_spec {
	const struct core_btf *btf;
	uint32_t root_id;
	uint32_t kind;
	struct core_acc acc[CORE_SPEC_MAX];	/* named members and array indexes */
	int len;
	uint32_t raw[CORE_SPEC_MAX];		/* every index, anonymous members too */
	int raw_len;
	uint32_t bit_offset;
	int budget;				/* steps left for matching into this spec */
};

struct core_cand {
	uint32_t target;	/* index in core_targets */
	uint32_t id;
};

struct core_cands {
	struct core_cand *c;
	uint32_t nr;
	bool searched;
};

struct core_cache {
	uint32_t nr_local;
	struct core_cands *by_id;	/* [local type id] */
};

void core_errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Length of name without its "___flavor" suffix (libbpf's essential name). */
size_t core_essential_len(const char *name);
bool core_names_match(const char *a, const char *b);	/* same essential names */
const char *core_kind_str(const struct btf_type *t);	/* "struct", "int", ... */

int core_parse_spec(const struct core_btf *local, uint32_t type_id, const char *access,
		    uint32_t kind, struct core_spec *spec, char *err, size_t errlen);
void core_format_spec(const struct core_spec *spec, char *buf, size_t len);
/* arr, reached through accessor acc, is a flexible array: nelems 0 and the
 * last member of its struct. */
bool core_is_flex_arr(const struct core_btf *b, const struct core_acc *acc,
		      const struct btf_array *arr);

/* Candidates of local_id (named) in ts: vmlinux first, modules only when
 * vmlinux has none. */
int core_find_cands(const struct core_btf *local, uint32_t local_id,
		    const struct core_targets *ts, struct core_cands *out);

/* 1: targ_id matches local's spec (out filled), 0: it does not, <0: error. */
int core_spec_match(const struct core_spec *local, const struct core_btf *targ,
		    uint32_t targ_id, struct core_spec *out);
/* *budget: steps left, shared by the whole check (-E2BIG when spent). */
int core_types_compat(const struct core_btf *lb, uint32_t lid, const struct core_btf *tb,
		      uint32_t tid, int level, int *budget);
int core_types_match(const struct core_btf *lb, uint32_t lid, const struct core_btf *tb,
		     uint32_t tid, bool behind_ptr, int level, int *budget);

static inline uint32_t core_vlen(const struct btf_type *t) { return BTF_INFO_VLEN(t->info); }
static inline uint32_t core_kind(const struct btf_type *t) { return BTF_INFO_KIND(t->info); }
static inline bool core_is_composite(const struct btf_type *t)
{
	return core_kind(t) == BTF_KIND_STRUCT || core_kind(t) == BTF_KIND_UNION;
}
static inline bool core_is_any_enum(const struct btf_type *t)
{
	return core_kind(t) == BTF_KIND_ENUM || core_kind(t) == BTF_KIND_ENUM64;
}
static inline bool core_kind_compat(const struct btf_type *a, const struct btf_type *b)
{
	return core_kind(a) == core_kind(b) || (core_is_any_enum(a) && core_is_any_enum(b));
}
static inline uint32_t core_member_bit_off(const struct btf_type *t, uint32_t i)
{
	uint32_t off = ((const struct btf_member *)(t + 1))[i].offset;

	return BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}
static inline uint32_t core_member_bitfield_sz(const struct btf_type *t, uint32_t i)
{
	uint32_t off = ((const struct btf_member *)(t + 1))[i].offset;

	return BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BITFIELD_SIZE(off) : 0;
}
/* Name offset of enumerator i of an ENUM or ENUM64. */
static inline uint32_t core_enum_name_off(const struct btf_type *t, uint32_t i)
{
	return core_kind(t) == BTF_KIND_ENUM ? ((const struct btf_enum *)(t + 1))[i].name_off
					     : ((const struct btf_enum64 *)(t + 1))[i].name_off;
}

#endif
