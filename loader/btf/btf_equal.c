/* Structural equality of two BTF types that may live in different BTF
 * blobs (a kept map's kernel BTF against a new object's), for deciding
 * whether a map can be reused by a new version of its module. */
#include "btf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EQ_MAX_DEPTH 32		/* nesting: structs, arrays, typedef/modifier chains */
#define EQ_MAX_STEPS (1u << 20)	/* types visited: bounds shared sub-types */

struct eq {
	const struct btf *a, *b;
	char *why;
	size_t len;
	uint32_t steps;
	bool gave_up;		/* limit reached: the path to it says nothing */
};

static bool differ(struct eq *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool differ(struct eq *e, const char *fmt, ...)
{
	va_list ap;

	if (e->why && e->len) {
		va_start(ap, fmt);
		vsnprintf(e->why, e->len, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* Puts the formatted prefix in front of the reason already written. */
static bool prefixed(struct eq *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool prefixed(struct eq *e, const char *fmt, ...)
{
	char pfx[192];
	size_t lp, lw;
	va_list ap;

	if (!e->why || !e->len || e->gave_up)
		return false;
	va_start(ap, fmt);
	vsnprintf(pfx, sizeof(pfx), fmt, ap);
	va_end(ap);
	lp = strlen(pfx) < e->len ? strlen(pfx) : e->len - 1;
	lw = strlen(e->why);
	if (lp + lw >= e->len)
		lw = e->len - 1 - lp;
	memmove(e->why + lp, e->why, lw);
	memcpy(e->why, pfx, lp);
	e->why[lp + lw] = 0;
	return false;
}

/* "struct acme_config", "typedef __u32", "int 'unsigned int'", "array". */
static const char *label(const struct btf *b, uint32_t id, char buf[96])
{
	const struct btf_type *t = btf_type_by_id(b, id);
	const char *k = t ? btf_kind_name(BTF_INFO_KIND(t->info)) : "void";
	const char *name = btf_type_name(b, id);
	bool quote = t && BTF_INFO_KIND(t->info) == BTF_KIND_INT;
	size_t i;

	for (i = 0; k[i] && i < 16; i++)
		buf[i] = (char)tolower((unsigned char)k[i]);
	snprintf(buf + i, 96 - i, "%s%s%.64s%s", *name ? " " : "", quote ? "'" : "", name,
		 quote ? "'" : "");
	return buf;
}

static int64_t enum_val(const struct btf_type *t, uint32_t i)
{
	if (BTF_INFO_KIND(t->info) == BTF_KIND_ENUM)
		return ((const struct btf_enum *)(t + 1))[i].val;
	return (int64_t)((uint64_t)((const struct btf_enum64 *)(t + 1))[i].val_hi32 << 32 |
			 ((const struct btf_enum64 *)(t + 1))[i].val_lo32);
}

static const char *enum_name(const struct btf *b, const struct btf_type *t, uint32_t i)
{
	uint32_t off = BTF_INFO_KIND(t->info) == BTF_KIND_ENUM ?
		       ((const struct btf_enum *)(t + 1))[i].name_off :
		       ((const struct btf_enum64 *)(t + 1))[i].name_off;
	const char *s = btf_str(b, off);

	return s ? s : "";
}

static bool eq_type(struct eq *e, uint32_t ia, uint32_t ib, int depth)
{
	const struct btf_type *ta, *tb;
	char la[96], lb[96];
#define LA label(e->a, ia, la)	/* built only for a reason */
	uint32_t kind, i;

	if (ia >= btf_nr_types(e->a) || ib >= btf_nr_types(e->b))
		return differ(e, "type id %u or %u out of range", ia, ib);
	if (depth > EQ_MAX_DEPTH || ++e->steps > EQ_MAX_STEPS) {
		e->gave_up = true;
		return depth > EQ_MAX_DEPTH ? differ(e, "types nested more than %d deep", EQ_MAX_DEPTH) :
		       differ(e, "more than %u types to compare", EQ_MAX_STEPS);
	}
	ta = btf_type_by_id(e->a, ia);
	tb = btf_type_by_id(e->b, ib);
	if (!ta || !tb || BTF_INFO_KIND(ta->info) != BTF_INFO_KIND(tb->info))
		return ta == tb || differ(e, "%s vs %s", LA, label(e->b, ib, lb));
	kind = BTF_INFO_KIND(ta->info);
	switch (kind) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
	case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_TYPE_TAG:
		if (strcmp(btf_type_name(e->a, ia), btf_type_name(e->b, ib)))
			return differ(e, "%s vs %s", LA, label(e->b, ib, lb));
	}
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
		if (ta->size != tb->size)
			return differ(e, "%s: size %u vs %u", LA, ta->size, tb->size);
	}
	if (BTF_INFO_VLEN(ta->info) != BTF_INFO_VLEN(tb->info))
		return differ(e, "%s: %u vs %u %s", LA, BTF_INFO_VLEN(ta->info), BTF_INFO_VLEN(tb->info),
			      kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION ? "members" : "values");
	if (BTF_INFO_KFLAG(ta->info) != BTF_INFO_KFLAG(tb->info))
		return differ(e, "%s: kind flag %u vs %u", LA, BTF_INFO_KFLAG(ta->info),
			      BTF_INFO_KFLAG(tb->info));
	switch (kind) {
	case BTF_KIND_INT:
		if (*(const uint32_t *)(ta + 1) != *(const uint32_t *)(tb + 1))
			return differ(e, "%s: encoding 0x%x vs 0x%x", LA, *(const uint32_t *)(ta + 1),
				      *(const uint32_t *)(tb + 1));
		return true;
	case BTF_KIND_PTR: case BTF_KIND_FLOAT: case BTF_KIND_FWD:
		return true;	/* pointers: whatever they point to */
	case BTF_KIND_ARRAY: {
		const struct btf_array *xa = (const void *)(ta + 1), *xb = (const void *)(tb + 1);

		if (xa->nelems != xb->nelems)
			return differ(e, "array: %u vs %u elements", xa->nelems, xb->nelems);
		return eq_type(e, xa->type, xb->type, depth + 1) || prefixed(e, "array: element: ");
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		const struct btf_member *ma = (const void *)(ta + 1), *mb = (const void *)(tb + 1);

		for (i = 0; i < BTF_INFO_VLEN(ta->info); i++) {
			const char *na = btf_str(e->a, ma[i].name_off), *nb = btf_str(e->b, mb[i].name_off);
			uint32_t oa = ma[i].offset, ob = mb[i].offset, bf = BTF_INFO_KFLAG(ta->info);

			na = na ? na : "";
			nb = nb ? nb : "";
			if (strcmp(na, nb))
				return differ(e, "%s: member %u is '%.64s' vs '%.64s'", LA, i, na, nb);
			if (bf ? BTF_MEMBER_BIT_OFFSET(oa) != BTF_MEMBER_BIT_OFFSET(ob) : oa != ob)
				return differ(e, "%s: member '%.64s' at bit %u vs %u", LA, na,
					      bf ? BTF_MEMBER_BIT_OFFSET(oa) : oa, bf ? BTF_MEMBER_BIT_OFFSET(ob) : ob);
			if (oa != ob)	/* same bit offset (kind flag set): bit field size */
				return differ(e, "%s: member '%.64s' is a %u vs %u bit field", LA, na,
					      BTF_MEMBER_BITFIELD_SIZE(oa), BTF_MEMBER_BITFIELD_SIZE(ob));
			if (!eq_type(e, ma[i].type, mb[i].type, depth + 1))
				return prefixed(e, "%s: member '%.64s': ", LA, na);
		}
		return true;
	}
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		for (i = 0; i < BTF_INFO_VLEN(ta->info); i++) {
			const char *na = enum_name(e->a, ta, i), *nb = enum_name(e->b, tb, i);

			if (strcmp(na, nb) || enum_val(ta, i) != enum_val(tb, i))
				return differ(e, "%s: value %u is %.64s = %lld vs %.64s = %lld", LA, i, na,
					      (long long)enum_val(ta, i), nb, (long long)enum_val(tb, i));
		}
		return true;
	case BTF_KIND_TYPEDEF:
		return eq_type(e, ta->type, tb->type, depth + 1) || prefixed(e, "%s: ", LA);
	case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		return eq_type(e, ta->type, tb->type, depth + 1);
	default:	/* FUNC, FUNC_PROTO, VAR, DATASEC, DECL_TAG: not data layouts */
		return differ(e, "%s: %s types are not compared", LA, btf_kind_name(kind));
	}
}
#undef LA

bool btf_types_equal(const struct btf *a, uint32_t a_id, const struct btf *b, uint32_t b_id,
		     char *why, size_t len)
{
	struct eq e = { .a = a, .b = b, .why = why, .len = len };

	if (why && len)
		*why = 0;
	return eq_type(&e, a_id, b_id, 0);
}
