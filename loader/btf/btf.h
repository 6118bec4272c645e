/* BTF and .BTF.ext: parse (either byte order, fully validated), edit, merge,
 * deduplicate, serialize.
 *
 * Types are kept in host byte order, one allocation per type, laid out
 * exactly as in the BTF format: a struct btf_type followed by its kind's tail
 * (btf_enum[], btf_member[], btf_param[], btf_var, btf_var_secinfo[], ...).
 * Type id 0 is void.  Pointers returned by btf_type_by_id() stay valid until
 * that type is replaced with btf_set_type(); adding other types does not move
 * them.
 */
#ifndef XDPLD_BTF_H
#define XDPLD_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/btf.h>

struct btf;

/* Validates: header (magic in either byte order, version 1, flags 0, sections
 * in bounds), every string offset in range and NUL-terminated string table,
 * known kinds only, vlen and sizes consistent with the data, every referenced
 * type id < nr_types.  'what' names the input in messages (e.g. "fw.o: .BTF"). */
int btf_parse(const void *data, size_t size, const char *what, struct btf **out);
/* The byte order the blob was parsed from (ELFDATA2LSB/ELFDATA2MSB). */
int btf_byte_order(const struct btf *b);
/* Serialize in the given byte order (ELFDATA2LSB/ELFDATA2MSB). Caller frees.
 * The string table is written as it is (strings are only ever appended), so
 * string offsets held elsewhere (.BTF.ext line_info, core_relo) stay valid;
 * parsed blobs round-trip byte for byte when they have the usual layout. */
int btf_serialize(const struct btf *b, int byte_order, void **data, size_t *size);

struct btf *btf_new(void);
void btf_free(struct btf *b);

uint32_t btf_nr_types(const struct btf *b);	/* including void: ids are < this */
/* Size of the string section: split BTF (kernel modules) numbers its own
 * strings from here. */
uint32_t btf_strs_len(const struct btf *b);
const struct btf_type *btf_type_by_id(const struct btf *b, uint32_t id);	/* NULL if out of range or 0 */
struct btf_type *btf_type_mut(struct btf *b, uint32_t id);
size_t btf_type_size_bytes(const struct btf_type *t);	/* header + tail */
const char *btf_str(const struct btf *b, uint32_t off);	/* NULL if off out of range */
const char *btf_type_name(const struct btf *b, uint32_t id);	/* "" when anonymous */
const char *btf_kind_name(uint32_t kind);	/* "STRUCT", "FUNC", ... for messages */

/* Strings are deduplicated; returns the offset, or negative errno. */
int64_t btf_add_str(struct btf *b, const char *s);
/* Append a type given as header + tail bytes; returns the new id or -errno. */
int64_t btf_add_type(struct btf *b, const struct btf_type *t, const void *tail, size_t tail_len);
/* Replace type id's header + tail (its size may change). */
int btf_set_type(struct btf *b, uint32_t id, const struct btf_type *t, const void *tail, size_t tail_len);
int btf_rename(struct btf *b, uint32_t id, const char *name);

/* First type with this name and kind (kind -1: any kind), or -ENOENT. */
int64_t btf_find(const struct btf *b, const char *name, int kind);
/* Follow typedef/const/volatile/restrict/type_tag to the underlying type. */
uint32_t btf_skip_mods(const struct btf *b, uint32_t id);
/* Size in bytes of a sized type (int, struct, union, enum, ptr, array, ...), or -EINVAL. */
int64_t btf_resolve_size(const struct btf *b, uint32_t id);

/* Whether type a_id of a and type b_id of b (two BTF objects, or one) have
 * the same structure: kind, size, int encoding, struct/union member names,
 * offsets (and bit field sizes) and types, array element type and count,
 * enum value names and values, kind flags, typedef names and targets
 * (const/volatile/restrict/type_tag/typedef chains compared as they are).
 * Pointers are compared by kind only (their targets are not followed).
 * Names of structs, unions, enums and forward declarations are compared
 * too; names of ints are not.  FUNC, FUNC_PROTO, VAR, DATASEC and DECL_TAG
 * are never equal.  Id 0 (void) equals only void; an id out of range is
 * never equal.  Recursion is depth-limited (32 levels) and the number of
 * types visited bounded: beyond either, false.  On a difference, when why
 * != NULL (and len > 0), writes a short reason, a's side first, e.g.
 * "struct acme_config: member 'enabled' at bit 0 vs 32" or
 * "struct v: member 'pkts': typedef __u64 vs typedef __u32". */
bool btf_types_equal(const struct btf *a, uint32_t a_id, const struct btf *b, uint32_t b_id,
		     char *why, size_t len);

/* Call fn on every type id field inside type id (struct member types, param
 * types, array elem/index, var type, datasec var ids, ...), so callers can
 * remap them.  Stops and returns fn's value when it is non-zero. */
int btf_visit_type_ids(struct btf_type *t, int (*fn)(uint32_t *id, void *ctx), void *ctx);
/* Same for every string offset field (name_off, member/param/enum names). */
int btf_visit_str_offs(struct btf_type *t, int (*fn)(uint32_t *off, void *ctx), void *ctx);

/* Append every type of src to dst, with ids and strings remapped.
 * *type_map (caller frees) gets btf_nr_types(src) entries: old id -> id in dst
 * (0 -> 0). */
int btf_append(struct btf *dst, const struct btf *src, uint32_t **type_map);

/* Merge structurally identical types (cycles included: equivalence is the
 * coarsest partition where equal types have the same shallow shape and
 * equivalent referenced types).  VAR and DATASEC are never merged.  Compacts
 * the id space; *type_map (caller frees) maps old id -> new id.  Deterministic. */
int btf_dedup(struct btf *b, uint32_t **type_map);

/* ---- .BTF.ext ---- */

/* Records are in host byte order.  The first u32 of every record is the
 * instruction offset in BYTES inside the named section (as in ELF files). */
struct btf_ext_func { uint32_t insn_off, type_id; };
struct btf_ext_line { uint32_t insn_off, file_name_off, line_off, line_col; };
struct btf_ext_core { uint32_t insn_off, type_id, access_str_off, kind; };

struct btf_ext_sec {
	char *sec_name;		/* the ELF section the records apply to */
	uint32_t nr;
	void *recs;		/* nr * rec_size bytes */
};

struct btf_ext_info {
	uint32_t rec_size;	/* sizeof the record struct above */
	struct btf_ext_sec *secs;
	size_t nr_secs;
};

struct btf_ext {
	struct btf_ext_info func, line, core;	/* core may be empty */
};

/* Section names and string offsets are checked against btf; type ids must
 * be < btf_nr_types(btf). Records of a larger rec_size than known are cut to
 * the known size. */
int btf_ext_parse(const void *data, size_t size, const struct btf *btf,
		  const char *what, struct btf_ext **out);
/* Adds section-name strings to btf, so serialize .BTF.ext before .BTF. */
int btf_ext_serialize(const struct btf_ext *ext, struct btf *btf, int byte_order,
		      void **data, size_t *size);
struct btf_ext *btf_ext_new(void);
void btf_ext_free(struct btf_ext *ext);
/* The record list for a section, created empty when missing (NULL on ENOMEM). */
/* The records of section sec_name, or NULL. */
struct btf_ext_sec *btf_ext_sec_find(const struct btf_ext_info *info, const char *sec_name);
/* The same, created empty when missing (NULL: no memory). */
struct btf_ext_sec *btf_ext_sec_get(struct btf_ext_info *info, const char *sec_name);
int btf_ext_sec_push(struct btf_ext_info *info, struct btf_ext_sec *s, const void *rec);

#endif
