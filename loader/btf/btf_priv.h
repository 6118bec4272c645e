/* Private to loader/btf*.c: the struct btf layout and word-level access. */
#ifndef XDPLD_BTF_PRIV_H
#define XDPLD_BTF_PRIV_H

#include "btf.h"

struct btf {
	struct btf_type **types;	/* [0] is NULL: void */
	uint32_t nr_types, cap_types;
	char *strs;			/* starts with "", ends with NUL */
	uint32_t strs_len, strs_cap;
	uint32_t *str_index;		/* hash set of string offsets + 1; 0: empty */
	uint32_t str_index_cap;		/* power of two */
	uint32_t str_index_used;
	int byte_order;
};

/* What one 32-bit word of a type holds. */
enum btf_word_role { BTF_WORD_DATA, BTF_WORD_STR, BTF_WORD_ID };

/* Word w of a type of this kind: 0..2 are the header, then the tail. */
enum btf_word_role btf_word_role(uint32_t kind, size_t w);

int btf_host_order(void);	/* ELFDATA2LSB or ELFDATA2MSB */
uint32_t btf_get_u32(const void *p, bool swap);
void btf_put_u32(void *p, uint32_t v, bool swap);
/* The 0xeb9f magic of .BTF and .BTF.ext in byte_order (ELFDATA2LSB/MSB). */
void btf_put_magic(uint8_t *out, int byte_order);

/* Drop types with id >= nr_types (undo of a failed append). */
void btf_truncate(struct btf *b, uint32_t nr_types);
/* Keep the types with keep[id] set, in order, renumbered from 1; free the
 * others.  keep has btf_nr_types(b) entries. */
int btf_keep_types(struct btf *b, const bool *keep);

bool btf_kind_has_vlen(uint32_t kind);	/* vlen counts tail entries */
int64_t btf_push_type(struct btf *b, struct btf_type *t);	/* takes ownership */
int btf_str_index_add(struct btf *b, uint32_t off);	/* index the string at off */

#endif
