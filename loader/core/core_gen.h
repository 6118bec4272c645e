/* Minimized target BTF (btfgen): the kernel types, and for field
 * relocations only the members, that objects' CO-RE relocations use; the
 * role of `bpftool gen min_core_btf`.
 *
 * Every record of every object is resolved against the full target BTF
 * with core_resolve() (libbpf's semantics); the first candidate that
 * matched (the one whose value is used; bpftool does the same) is marked:
 *   field kinds   the target's access path: root type, each struct/union
 *                 on the way with only the members the path goes through
 *                 (offsets, sizes and the struct's size kept), the types of
 *                 those members; pointers become void pointers;
 *   type kinds    the type (id, exists, size): structs and unions without
 *                 members, modifiers, typedefs, arrays, function prototypes
 *                 and pointers followed;
 *   type_matches  the type with all its members, recursively, composites
 *                 behind pointers without members (libbpf's matching
 *                 rules look no further);
 *   enum kinds    the enum with only the enumerators records match
 *                 (bpftool keeps the whole enum; any other use of an
 *                 enum keeps all of it here too).
 * type_id_local needs no target; a record no candidate matches keeps
 * nothing.  The result keeps the target's type order (ids renumbered), so
 * candidate order is the same as in the full BTF.  The result is then
 * read back and every record resolved against it: each decision must be
 * the one against the full BTF (type_id_target: the same type, renumbered).
 * When one is not (a later record of the same local type needs another of
 * the candidates an earlier one matched, and libbpf's candidate narrowing
 * lost it), every matching candidate is marked instead, and checked again.
 *
 * Computation over bytes, nothing logged; errors are -errno plus a message
 * naming the object, the record and its access string, or the type. */
#ifndef XDPLD_CORE_GEN_H
#define XDPLD_CORE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf/btf.h"

struct core_gen;

struct core_gen_stats {
	uint32_t relos;		/* records seen */
	uint32_t matched;	/* records with a matching target type */
	uint32_t types;		/* types kept (without void) */
	uint32_t members;	/* struct/union members kept */
	uint32_t enumerators;	/* values of enums kept in part */
	bool all_cands;		/* every matching candidate kept (see above) */
};

/* target: the full kernel BTF (one blob, no module BTF); must outlive g. */
int core_gen_new(const struct btf *target, struct core_gen **out);
void core_gen_free(struct core_gen *g);

/* Resolve every CO-RE relocation of one object (local: its .BTF, ext: its
 * .BTF.ext; what names it in messages; all three must outlive g) and
 * record the decisions.  big_endian: the programs' byte order. */
int core_gen_add(struct core_gen *g, const struct btf *local, const struct btf_ext *ext,
		 bool big_endian, const char *what, char *err, size_t errlen);

/* The minimized BTF, serialized in the target's byte order (caller frees
 * *data).  It is read back and every record resolved against it again:
 * the decisions must be those against the full BTF.  stats may be NULL. */
int core_gen_write(struct core_gen *g, void **data, size_t *size, struct core_gen_stats *stats,
		   char *err, size_t errlen);

#endif
