/* BTF in memory: the type and string tables, editing and look-ups.
 * Parsing and serialization live in btf_parse.c, merging in btf_dedup.c and
 * .BTF.ext in btf_ext.c. */
#include "btf.h"
#include "btf_priv.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int btf_host_order(void)
{
	return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
}

uint32_t btf_get_u32(const void *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

void btf_put_u32(void *p, uint32_t v, bool swap)
{
	if (swap)
		v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

void btf_put_magic(uint8_t *out, int byte_order)
{
	out[0] = byte_order == ELFDATA2LSB ? 0x9f : 0xeb;
	out[1] = byte_order == ELFDATA2LSB ? 0xeb : 0x9f;
}

const char *btf_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
		"TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO",
		"VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "UNKNOWN";
}

/* Bytes following struct btf_type for a kind with vlen entries. */
static size_t btf_tail_size(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (size_t)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (size_t)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (size_t)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (size_t)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return (size_t)vlen * sizeof(struct btf_enum64);
	default:
		return 0;
	}
}

/* Kinds whose vlen field counts tail entries (FUNC's holds its linkage). */
bool btf_kind_has_vlen(uint32_t kind)
{
	switch (kind) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return true;
	default:
		return false;
	}
}

size_t btf_type_size_bytes(const struct btf_type *t)
{
	return sizeof(*t) + btf_tail_size(BTF_INFO_KIND(t->info), BTF_INFO_VLEN(t->info));
}

/* The role of 32-bit word w of a type (header words 0..2, then the tail). */
enum btf_word_role btf_word_role(uint32_t kind, size_t w)
{
	size_t k;

	if (w == 0)
		return BTF_WORD_STR;
	if (w == 1)
		return BTF_WORD_DATA;
	if (w == 2) {
		switch (kind) {
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_FUNC:
		case BTF_KIND_FUNC_PROTO:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			return BTF_WORD_ID;
		default:
			return BTF_WORD_DATA;
		}
	}
	k = w - 3;
	switch (kind) {
	case BTF_KIND_ARRAY:
		return k < 2 ? BTF_WORD_ID : BTF_WORD_DATA;	/* type, index_type, nelems */
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:	/* name_off, type, offset */
		return k % 3 == 0 ? BTF_WORD_STR : k % 3 == 1 ? BTF_WORD_ID : BTF_WORD_DATA;
	case BTF_KIND_ENUM:	/* name_off, val */
		return k % 2 == 0 ? BTF_WORD_STR : BTF_WORD_DATA;
	case BTF_KIND_ENUM64:	/* name_off, val_lo32, val_hi32 */
		return k % 3 == 0 ? BTF_WORD_STR : BTF_WORD_DATA;
	case BTF_KIND_FUNC_PROTO:	/* name_off, type */
		return k % 2 == 0 ? BTF_WORD_STR : BTF_WORD_ID;
	case BTF_KIND_DATASEC:	/* type, offset, size */
		return k % 3 == 0 ? BTF_WORD_ID : BTF_WORD_DATA;
	default:
		return BTF_WORD_DATA;
	}
}

static int btf_visit_words(struct btf_type *t, enum btf_word_role role,
			   int (*fn)(uint32_t *word, void *ctx), void *ctx)
{
	uint32_t kind = BTF_INFO_KIND(t->info);
	uint32_t *words = (uint32_t *)t;
	size_t n = btf_type_size_bytes(t) / 4, w;
	int err;

	for (w = 0; w < n; w++) {
		if (btf_word_role(kind, w) != role)
			continue;
		err = fn(&words[w], ctx);
		if (err)
			return err;
	}
	return 0;
}

int btf_visit_type_ids(struct btf_type *t, int (*fn)(uint32_t *id, void *ctx), void *ctx)
{
	return btf_visit_words(t, BTF_WORD_ID, fn, ctx);
}

int btf_visit_str_offs(struct btf_type *t, int (*fn)(uint32_t *off, void *ctx), void *ctx)
{
	return btf_visit_words(t, BTF_WORD_STR, fn, ctx);
}

/* ---- strings ---- */

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* The slot holding s, or the empty slot where it would go. */
static uint32_t *str_slot(const struct btf *b, const char *s)
{
	uint32_t mask = b->str_index_cap - 1, i = str_hash(s) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t *slot = &b->str_index[i];

		if (!*slot || !strcmp(b->strs + *slot - 1, s))
			return slot;
	}
}

static int str_index_grow(struct btf *b)
{
	uint32_t *old = b->str_index, old_cap = b->str_index_cap, i;

	b->str_index_cap = old_cap ? old_cap * 2 : 64;
	b->str_index = calloc(b->str_index_cap, sizeof(*b->str_index));
	if (!b->str_index) {
		b->str_index = old;
		b->str_index_cap = old_cap;
		return -ENOMEM;
	}
	for (i = 0; i < old_cap; i++)
		if (old[i])
			*str_slot(b, b->strs + old[i] - 1) = old[i];
	free(old);
	return 0;
}

/* Index the string starting at off unless an equal one is indexed already. */
int btf_str_index_add(struct btf *b, uint32_t off)
{
	uint32_t *slot;
	int err;

	if ((b->str_index_used + 1) * 2 > b->str_index_cap) {
		err = str_index_grow(b);
		if (err)
			return err;
	}
	slot = str_slot(b, b->strs + off);
	if (!*slot) {
		*slot = off + 1;
		b->str_index_used++;
	}
	return 0;
}

const char *btf_str(const struct btf *b, uint32_t off)
{
	return off < b->strs_len ? b->strs + off : NULL;
}

int64_t btf_add_str(struct btf *b, const char *s)
{
	size_t len;
	uint32_t off, *slot;
	int err;

	if (!s)
		return -EINVAL;
	slot = str_slot(b, s);
	if (*slot)
		return *slot - 1;
	len = strlen(s) + 1;
	if (b->strs_len + len > BTF_MAX_NAME_OFFSET)
		return -E2BIG;
	if (b->strs_len + len > b->strs_cap) {
		uint32_t cap = b->strs_cap * 2 > b->strs_len + len ? b->strs_cap * 2
								 : b->strs_len + len;
		char *p = realloc(b->strs, cap);

		if (!p)
			return -ENOMEM;
		b->strs = p;
		b->strs_cap = cap;
	}
	off = b->strs_len;
	memcpy(b->strs + off, s, len);
	b->strs_len += len;
	err = btf_str_index_add(b, off);
	if (err) {
		b->strs_len = off;
		return err;
	}
	return off;
}

/* ---- construction ---- */

struct btf *btf_new(void)
{
	struct btf *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->byte_order = btf_host_order();
	b->nr_types = 1;
	b->cap_types = 16;
	b->types = calloc(b->cap_types, sizeof(*b->types));
	b->strs_cap = 256;
	b->strs = calloc(1, b->strs_cap);
	if (!b->types || !b->strs)
		goto err;
	b->strs_len = 1;	/* offset 0 is "" */
	if (btf_str_index_add(b, 0))
		goto err;
	return b;
err:
	btf_free(b);
	return NULL;
}

void btf_free(struct btf *b)
{
	uint32_t i;

	if (!b)
		return;
	for (i = 0; i < b->nr_types; i++)
		free(b->types[i]);
	free(b->types);
	free(b->strs);
	free(b->str_index);
	free(b);
}

uint32_t btf_nr_types(const struct btf *b) { return b->nr_types; }
uint32_t btf_strs_len(const struct btf *b) { return b->strs_len; }
int btf_byte_order(const struct btf *b) { return b->byte_order; }

const struct btf_type *btf_type_by_id(const struct btf *b, uint32_t id)
{
	return id && id < b->nr_types ? b->types[id] : NULL;
}

struct btf_type *btf_type_mut(struct btf *b, uint32_t id)
{
	return id && id < b->nr_types ? b->types[id] : NULL;
}

const char *btf_type_name(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(b, id);
	const char *s = t ? btf_str(b, t->name_off) : NULL;

	return s ? s : "";
}

static struct btf_type *type_copy(const struct btf_type *t, const void *tail, size_t tail_len)
{
	struct btf_type *n;

	if (btf_type_size_bytes(t) != sizeof(*t) + tail_len || (tail_len && !tail))
		return NULL;
	n = malloc(sizeof(*t) + tail_len);
	if (!n)
		return NULL;
	memcpy(n, t, sizeof(*t));
	if (tail_len)
		memcpy(n + 1, tail, tail_len);
	return n;
}

/* Takes ownership of t. */
int64_t btf_push_type(struct btf *b, struct btf_type *t)
{
	if (b->nr_types > BTF_MAX_TYPE)
		return -E2BIG;
	if (b->nr_types == b->cap_types) {
		struct btf_type **p = realloc(b->types, 2 * b->cap_types * sizeof(*p));

		if (!p)
			return -ENOMEM;
		b->types = p;
		b->cap_types *= 2;
	}
	b->types[b->nr_types] = t;
	return b->nr_types++;
}

int64_t btf_add_type(struct btf *b, const struct btf_type *t, const void *tail, size_t tail_len)
{
	struct btf_type *n;
	int64_t id;

	if (btf_type_size_bytes(t) != sizeof(*t) + tail_len)
		return -EINVAL;
	n = type_copy(t, tail, tail_len);
	if (!n)
		return -ENOMEM;
	id = btf_push_type(b, n);
	if (id < 0)
		free(n);
	return id;
}

int btf_set_type(struct btf *b, uint32_t id, const struct btf_type *t, const void *tail, size_t tail_len)
{
	struct btf_type *n;

	if (!id || id >= b->nr_types || btf_type_size_bytes(t) != sizeof(*t) + tail_len)
		return -EINVAL;
	n = type_copy(t, tail, tail_len);
	if (!n)
		return -ENOMEM;
	free(b->types[id]);
	b->types[id] = n;
	return 0;
}

int btf_rename(struct btf *b, uint32_t id, const char *name)
{
	int64_t off;

	if (!id || id >= b->nr_types)
		return -EINVAL;
	off = btf_add_str(b, name);
	if (off < 0)
		return (int)off;
	b->types[id]->name_off = (uint32_t)off;
	return 0;
}

void btf_truncate(struct btf *b, uint32_t nr_types)
{
	while (b->nr_types > nr_types && b->nr_types > 1)
		free(b->types[--b->nr_types]);
}

int btf_keep_types(struct btf *b, const bool *keep)
{
	struct btf_type **types = calloc(b->nr_types, sizeof(*types));
	uint32_t id, nr = 1;

	if (!types)
		return -ENOMEM;
	for (id = 1; id < b->nr_types; id++) {
		if (keep[id])
			types[nr++] = b->types[id];
		else
			free(b->types[id]);
	}
	free(b->types);
	b->types = types;
	b->cap_types = b->nr_types;
	b->nr_types = nr;
	return 0;
}

/* ---- look-ups ---- */

int64_t btf_find(const struct btf *b, const char *name, int kind)
{
	uint32_t id;

	for (id = 1; id < b->nr_types; id++) {
		if (kind >= 0 && BTF_INFO_KIND(b->types[id]->info) != (uint32_t)kind)
			continue;
		if (!strcmp(btf_type_name(b, id), name))
			return id;
	}
	return -ENOENT;
}

static bool btf_is_mod(uint32_t kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE ||
	       kind == BTF_KIND_CONST || kind == BTF_KIND_RESTRICT ||
	       kind == BTF_KIND_TYPE_TAG;
}

uint32_t btf_skip_mods(const struct btf *b, uint32_t id)
{
	const struct btf_type *t;
	uint32_t steps;

	/* Bounded: a malformed modifier cycle ends instead of looping. */
	for (steps = 0; steps < b->nr_types; steps++) {
		t = btf_type_by_id(b, id);
		if (!t || !btf_is_mod(BTF_INFO_KIND(t->info)))
			return id;
		id = t->type;
	}
	return id;
}

int64_t btf_resolve_size(const struct btf *b, uint32_t id)
{
	uint64_t mult = 1;
	uint32_t steps;

	for (steps = 0; steps < b->nr_types; steps++) {
		const struct btf_type *t = btf_type_by_id(b, btf_skip_mods(b, id));
		const struct btf_array *arr;

		if (!t)
			return -EINVAL;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FLOAT:
		case BTF_KIND_DATASEC:
			return mult * t->size > INT64_MAX ? -E2BIG : (int64_t)(mult * t->size);
		case BTF_KIND_PTR:
			return (int64_t)(mult * 8);	/* BPF pointers are 64-bit */
		case BTF_KIND_VAR:
			id = t->type;
			break;
		case BTF_KIND_ARRAY:
			arr = (const struct btf_array *)(t + 1);
			mult *= arr->nelems;
			if (mult > UINT32_MAX)
				return -E2BIG;
			id = arr->type;
			break;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL;
}
