/* BTF views for the CO-RE engine: one blob, or a module's split BTF on top
 * of vmlinux (type ids and string offsets continue after the base's).
 * Split BTF is parsed here with full validation of untrusted input. */
#include "core.h"
#include "core_priv.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The types and strings of a split BTF, or of a whole one read without
 * struct btf (core_targets_init_raw: vmlinux, start id 1, string offset 0).
 * words and strs point into blob when the view owns the file's bytes (a
 * whole vmlinux is used in place: no copy, no per-type allocation), else
 * into their own copies. */
struct core_split {
	uint32_t nr;			/* types in the split part */
	uint32_t *offs;			/* [i]: word offset of id start_id + i in words */
	uint32_t *words;		/* all types, host byte order */
	char *strs;
	uint32_t strs_len;
	void *blob;			/* owned buffer words and strs point into, or NULL */
};

static const struct btf_type core_void;	/* id 0: kind UNKN, size 0 */

void core_errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* libbpf's determine_ptr_size(): the size of "long" when the BTF has one. */
static int guess_ptr_sz(const struct core_btf *v)
{
	static const char *const names[] = { "long", "long int", "unsigned long",
					     "long unsigned int", "long signed int" };

	for (uint32_t id = 1; id < v->nr_types; id++) {
		const struct btf_type *t = core_type(v, id);

		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_INT)
			continue;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (!strcmp(core_name(v, id), names[i]))
				return t->size == 4 || t->size == 8 ? (int)t->size : 8;
		}
	}
	return 8;
}

void core_btf_view(struct core_btf *v, const struct btf *b)
{
	memset(v, 0, sizeof(*v));
	v->base = b;
	v->nr_types = btf_nr_types(b);
	v->start_id = v->nr_types;
	v->start_str = btf_strs_len(b);
	v->ptr_sz = 8;
}

void core_btf_release(struct core_btf *v)
{
	if (v->split) {
		free(v->split->offs);
		if (v->split->blob) {
			free(v->split->blob);
		} else {
			free(v->split->words);
			free(v->split->strs);
		}
		free(v->split);
	}
	v->split = NULL;
}

/* Type idx of s (id start_id + idx), NULL when out of range. */
static const struct btf_type *split_type(const struct core_split *s, uint32_t idx)
{
	return s && idx < s->nr ? (const struct btf_type *)(s->words + s->offs[idx]) : NULL;
}

const struct btf_type *core_type(const struct core_btf *v, uint32_t id)
{
	if (!id)
		return &core_void;
	if (id < v->start_id) {
		if (v->base)
			return btf_type_by_id(v->base, id);
		return split_type(v->base_split, id - 1);	/* a raw vmlinux starts at 1 */
	}
	return split_type(v->split, id - v->start_id);
}

const char *core_str(const struct core_btf *v, uint32_t off)
{
	if (off < v->start_str) {
		if (v->base)
			return btf_str(v->base, off);
		if (v->base_split && off < v->base_split->strs_len)
			return v->base_split->strs + off;
		return NULL;
	}
	if (v->split && off - v->start_str < v->split->strs_len)
		return v->split->strs + (off - v->start_str);
	return NULL;
}

const char *core_name(const struct core_btf *v, uint32_t id)
{
	const struct btf_type *t = core_type(v, id);
	const char *s = t ? core_str(v, t->name_off) : NULL;

	return s ? s : "";
}

static bool is_mod_or_typedef(uint32_t kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST ||
	       kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

const struct btf_type *core_skip_mods(const struct core_btf *v, uint32_t id, uint32_t *res_id)
{
	const struct btf_type *t = core_type(v, id);

	/* Bounded: a malformed modifier cycle ends instead of looping. */
	for (uint32_t steps = 0; t && is_mod_or_typedef(BTF_INFO_KIND(t->info)); steps++) {
		if (steps > v->nr_types)
			return NULL;
		id = t->type;
		t = core_type(v, id);
	}
	if (t && res_id)
		*res_id = id;
	return t;
}

int64_t core_resolve_size(const struct core_btf *v, uint32_t id)
{
	uint64_t mult = 1, size;

	for (int depth = 0; depth < CORE_MAX_DEPTH; depth++) {
		const struct btf_type *t = core_type(v, id);
		const struct btf_array *a;

		if (!t)
			return -EINVAL;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			size = t->size;
			goto done;
		case BTF_KIND_PTR:
			size = (uint64_t)v->ptr_sz;
			goto done;
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		case BTF_KIND_ARRAY:
			a = (const struct btf_array *)(t + 1);
			if (a->nelems && mult > UINT32_MAX / a->nelems)
				return -E2BIG;
			mult *= a->nelems;
			id = a->type;
			break;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL;
done:
	if (size * mult > UINT32_MAX)
		return -E2BIG;
	return (int64_t)(size * mult);
}

/* ---- split BTF ---- */

struct split_check {
	uint32_t id_limit, str_limit, bad;
};

static int check_split_id(uint32_t *id, void *ctx)
{
	struct split_check *c = ctx;

	if (*id < c->id_limit)
		return 0;
	c->bad = *id;
	return -EINVAL;
}

static int check_split_str(uint32_t *off, void *ctx)
{
	struct split_check *c = ctx;

	if (*off < c->str_limit)
		return 0;
	c->bad = *off;
	return -EINVAL;
}

static uint32_t get_u32(const uint8_t *p, bool swap)
{
	uint32_t x;

	memcpy(&x, p, 4);
	return swap ? __builtin_bswap32(x) : x;
}

/* Split the type section into types (words already in host order). */
static int split_index(struct core_btf *v, uint32_t nwords, const char *what,
		       char *err, size_t errlen)
{
	struct core_split *s = v->split;
	uint32_t pos = 0, cap = 0;

	while (pos < nwords) {
		struct btf_type *t = (struct btf_type *)(s->words + pos);
		uint32_t id = v->start_id + s->nr, kind;
		size_t n;

		if (nwords - pos < 3) {
			core_errf(err, errlen, "%s: type [%u]: truncated header", what, id);
			return -EINVAL;
		}
		kind = BTF_INFO_KIND(t->info);
		if (kind < BTF_KIND_INT || kind > BTF_KIND_ENUM64 || (t->info & 0x60ff0000)) {
			core_errf(err, errlen, "%s: type [%u]: bad info 0x%x", what, id, t->info);
			return -EINVAL;
		}
		n = btf_type_size_bytes(t) / 4;
		if (n > nwords - pos) {
			core_errf(err, errlen, "%s: type [%u] %s runs past the type section",
				  what, id, btf_kind_name(kind));
			return -EINVAL;
		}
		if (kind == BTF_KIND_INT && t->size > 16) {
			core_errf(err, errlen, "%s: type [%u] INT: size %u", what, id, t->size);
			return -EINVAL;
		}
		if (s->nr >= UINT32_MAX / 2 - v->start_id) {
			core_errf(err, errlen, "%s: too many types", what);
			return -E2BIG;
		}
		if (s->nr == cap) {
			uint32_t *no;

			cap = cap ? 2 * cap : 1024;
			no = realloc(s->offs, cap * sizeof(*no));
			if (!no)
				return -ENOMEM;
			s->offs = no;
		}
		s->offs[s->nr++] = pos;
		pos += (uint32_t)n;
	}
	return 0;
}

/* Parse the split BTF (or, with v->start_id 1 and no base, the whole BTF)
 * in data into v->split; v's base, start_id and start_str are set.  With
 * owned (data is malloc'd and now v's, freed here on failure), the types
 * and strings are used in place, byte-swapped there when needed; else they
 * are copied. */
static int parse_split(struct core_btf *v, const void *data, size_t size, bool owned,
		       const char *what, char *err, size_t errlen)
{
	const uint8_t *p = data;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	bool whole = v->start_id == 1 && !v->base && !v->base_split;
	struct split_check sc;
	bool swap;
	int ret = -EINVAL;

	if (size < sizeof(struct btf_header) || !((p[0] == 0x9f && p[1] == 0xeb) ||
						   (p[0] == 0xeb && p[1] == 0x9f))) {
		core_errf(err, errlen, "%s: not a BTF blob", what);
		goto fail;
	}
	swap = (p[0] == 0x9f) != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
	hdr_len = get_u32(p + 4, swap);
	type_off = get_u32(p + 8, swap);
	type_len = get_u32(p + 12, swap);
	str_off = get_u32(p + 16, swap);
	str_len = get_u32(p + 20, swap);
	if (p[2] != BTF_VERSION || p[3] || hdr_len < sizeof(struct btf_header) || hdr_len > size ||
	    hdr_len % 4 || type_off % 4 || type_len % 4 || type_off > size - hdr_len ||
	    type_len > size - hdr_len - type_off || str_off > size - hdr_len ||
	    str_len > size - hdr_len - str_off || (str_len && p[hdr_len + str_off + str_len - 1]) ||
	    (whole && (!str_len || p[hdr_len + str_off]))) {
		core_errf(err, errlen, "%s: bad %sBTF header or sections", what, whole ? "" : "split ");
		goto fail;
	}
	if ((uint64_t)v->start_str + str_len > BTF_MAX_NAME_OFFSET) {
		core_errf(err, errlen, "%s: string offsets beyond the BTF limit", what);
		goto fail;
	}
	v->split = calloc(1, sizeof(*v->split));
	if (!v->split) {
		ret = -ENOMEM;
		goto fail;
	}
	if (owned) {
		/* malloc'd, and both offsets are multiples of 4: aligned */
		v->split->blob = (void *)data;
		owned = false;
		v->split->words = (uint32_t *)((uint8_t *)v->split->blob + hdr_len + type_off);
		v->split->strs = (char *)v->split->blob + hdr_len + str_off;
		for (uint32_t i = 0; swap && i < type_len / 4; i++)
			v->split->words[i] = __builtin_bswap32(v->split->words[i]);
	} else {
		v->split->words = malloc(type_len ? type_len : 4);
		v->split->strs = malloc(str_len ? str_len : 1);
		if (!v->split->words || !v->split->strs) {
			ret = -ENOMEM;
			goto fail;
		}
		for (uint32_t i = 0; i < type_len / 4; i++)
			v->split->words[i] = get_u32(p + hdr_len + type_off + 4 * i, swap);
		memcpy(v->split->strs, p + hdr_len + str_off, str_len);
	}
	v->split->strs_len = str_len;
	ret = split_index(v, type_len / 4, what, err, errlen);
	if (ret)
		goto fail;
	v->nr_types = v->start_id + v->split->nr;
	sc.id_limit = v->nr_types;
	sc.str_limit = v->start_str + str_len;
	for (uint32_t i = 0; i < v->split->nr; i++) {
		struct btf_type *t = (struct btf_type *)(v->split->words + v->split->offs[i]);

		if (btf_visit_type_ids(t, check_split_id, &sc) ||
		    btf_visit_str_offs(t, check_split_str, &sc)) {
			core_errf(err, errlen, "%s: type [%u] %s: reference %u out of range", what,
				  v->start_id + i, btf_kind_name(BTF_INFO_KIND(t->info)), sc.bad);
			ret = -EINVAL;
			goto fail;
		}
	}
	v->ptr_sz = guess_ptr_sz(v);
	return 0;
fail:
	if (owned)
		free((void *)data);
	core_btf_release(v);
	v->nr_types = v->start_id;
	return ret;
}

int core_btf_parse_split(struct core_btf *v, const void *data, size_t size,
			 const struct btf *base, const char *what, char *err, size_t errlen)
{
	core_btf_view(v, base);
	return parse_split(v, data, size, false, what, err, errlen);
}

/* ---- targets ---- */

static int targets_alloc(struct core_targets *ts, bool big_endian)
{
	memset(ts, 0, sizeof(*ts));
	ts->t = calloc(1, sizeof(*ts->t));
	if (!ts->t)
		return -ENOMEM;
	ts->nr = 1;
	ts->big_endian = big_endian;
	snprintf(ts->t[0].name, sizeof(ts->t[0].name), "vmlinux");
	ts->t[0].btf_fd = -1;
	return 0;
}

int core_targets_init(struct core_targets *ts, const struct btf *vmlinux, bool big_endian)
{
	int ret = targets_alloc(ts, big_endian);

	if (ret)
		return ret;
	core_btf_view(&ts->t[0].btf, vmlinux);
	ts->t[0].btf.ptr_sz = guess_ptr_sz(&ts->t[0].btf);
	return 0;
}

int core_targets_init_raw(struct core_targets *ts, void *data, size_t size, const char *what,
			  bool big_endian, char *err, size_t errlen)
{
	struct core_btf *v;
	int ret = targets_alloc(ts, big_endian);

	if (ret) {
		free(data);
		return ret;
	}
	v = &ts->t[0].btf;
	memset(v, 0, sizeof(*v));
	v->start_id = 1;
	v->nr_types = 1;
	ret = parse_split(v, data, size, true, what, err, errlen);
	if (ret)
		core_targets_free(ts);
	return ret;
}

int core_targets_add_module(struct core_targets *ts, const char *name, const void *data,
			    size_t size, uint32_t btf_obj_id, char *err, size_t errlen)
{
	struct core_target *nt;
	int ret;

	if (!ts->nr || strlen(name) >= sizeof(nt->name)) {
		core_errf(err, errlen, "module BTF '%s': no vmlinux or name too long", name);
		return -EINVAL;
	}
	nt = realloc(ts->t, (ts->nr + 1) * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	ts->t = nt;
	nt = &ts->t[ts->nr];
	memset(nt, 0, sizeof(*nt));
	if (ts->t[0].btf.base) {
		core_btf_view(&nt->btf, ts->t[0].btf.base);
	} else {	/* on a raw vmlinux (core_targets_init_raw) */
		nt->btf.base_split = ts->t[0].btf.split;
		nt->btf.start_id = nt->btf.nr_types = ts->t[0].btf.nr_types;
		nt->btf.start_str = ts->t[0].btf.split ? ts->t[0].btf.split->strs_len : 0;
		nt->btf.ptr_sz = ts->t[0].btf.ptr_sz;
	}
	ret = parse_split(&nt->btf, data, size, false, name, err, errlen);
	if (ret)
		return ret;
	snprintf(nt->name, sizeof(nt->name), "%s", name);
	nt->btf_obj_id = btf_obj_id;
	nt->btf_fd = -1;
	ts->nr++;
	return 0;
}

void core_targets_free(struct core_targets *ts)
{
	for (size_t i = 0; i < ts->nr; i++)
		core_btf_release(&ts->t[i].btf);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}
