/* Type checks between an extern (or a losing weak definition) and the
 * definition it resolves to, through their BTF, as libbpf's linker does:
 * variables must have the same kind and size (an INT's encoding is not
 * compared: int matches unsigned int), functions the same prototype shape
 * (argument count, return and argument kinds and sizes), extern maps the
 * same key and value types.  Without BTF on either side there is
 * nothing to compare. */
#include "link_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/mapdef.h"
#include "elf/obj.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 8	/* arrays of arrays; BTF cycles only go through pointers */

struct side {
	const struct btf *btf;
	uint32_t id;
};

static const struct btf_type *skip(struct side *s)
{
	s->id = btf_skip_mods(s->btf, s->id);
	return btf_type_by_id(s->btf, s->id);
}

static void describe(const struct side *s, const struct btf_type *t, char *buf, size_t n)
{
	int64_t size;

	if (!t) {
		snprintf(buf, n, "void");
		return;
	}
	size = btf_resolve_size(s->btf, s->id);
	if (size >= 0 && BTF_INFO_KIND(t->info) != BTF_KIND_FUNC_PROTO)
		snprintf(buf, n, "%s '%s' of size %lld", btf_kind_name(BTF_INFO_KIND(t->info)),
			 btf_type_name(s->btf, s->id), (long long)size);
	else
		snprintf(buf, n, "%s '%s'", btf_kind_name(BTF_INFO_KIND(t->info)),
			 btf_type_name(s->btf, s->id));
}

static int mismatch(struct side *a, const struct btf_type *ta, struct side *b,
		    const struct btf_type *tb, char *why, size_t n)
{
	char x[128], y[128];

	describe(a, ta, x, sizeof(x));
	describe(b, tb, y, sizeof(y));
	snprintf(why, n, "%s vs %s", x, y);
	return -EINVAL;
}

/* Puts pfx in front of the text already in why. */
static void prefix_why(char *why, size_t n, const char *pfx)
{
	size_t lp = strlen(pfx), lw = strlen(why);

	if (lp >= n)
		return;
	if (lp + lw >= n)
		lw = n - lp - 1;
	memmove(why + lp, why, lw);
	memcpy(why, pfx, lp);
	why[lp + lw] = 0;
}

static int protos_compat(struct side a, struct side b, char *why, size_t n);

static int types_compat(struct side a, struct side b, int depth, char *why, size_t n)
{
	const struct btf_type *ta = skip(&a), *tb = skip(&b);
	uint32_t ka, kb;

	if (!ta || !tb) {
		if (ta == tb)
			return 0;
		return mismatch(&a, ta, &b, tb, why, n);
	}
	ka = BTF_INFO_KIND(ta->info);
	kb = BTF_INFO_KIND(tb->info);
	/* A forward declaration matches the struct or union of its name. */
	if (ka == BTF_KIND_FWD || kb == BTF_KIND_FWD) {
		bool ok = (ka == BTF_KIND_FWD || ka == BTF_KIND_STRUCT || ka == BTF_KIND_UNION) &&
			  (kb == BTF_KIND_FWD || kb == BTF_KIND_STRUCT || kb == BTF_KIND_UNION) &&
			  !strcmp(btf_type_name(a.btf, a.id), btf_type_name(b.btf, b.id));

		return ok ? 0 : mismatch(&a, ta, &b, tb, why, n);
	}
	if (ka != kb || depth > MAX_DEPTH)
		return mismatch(&a, ta, &b, tb, why, n);
	switch (ka) {
	case BTF_KIND_PTR:
		return 0;
	case BTF_KIND_FUNC_PROTO:
		return protos_compat(a, b, why, n);
	case BTF_KIND_ARRAY: {
		const struct btf_array *x = (const void *)(ta + 1), *y = (const void *)(tb + 1);

		if (x->nelems != y->nelems)
			return mismatch(&a, ta, &b, tb, why, n);
		return types_compat((struct side){ a.btf, x->type }, (struct side){ b.btf, y->type },
				    depth + 1, why, n);
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (strcmp(btf_type_name(a.btf, a.id), btf_type_name(b.btf, b.id)))
			return mismatch(&a, ta, &b, tb, why, n);
		break;
	}
	if (btf_resolve_size(a.btf, a.id) != btf_resolve_size(b.btf, b.id))
		return mismatch(&a, ta, &b, tb, why, n);
	return 0;
}

static int protos_compat(struct side a, struct side b, char *why, size_t n)
{
	const struct btf_type *ta = btf_type_by_id(a.btf, a.id), *tb = btf_type_by_id(b.btf, b.id);
	const struct btf_param *pa = (const void *)(ta + 1), *pb = (const void *)(tb + 1);
	uint16_t na = BTF_INFO_VLEN(ta->info), nb = BTF_INFO_VLEN(tb->info);
	int err;

	if (na != nb) {
		snprintf(why, n, "%u vs %u arguments", na, nb);
		return -EINVAL;
	}
	err = types_compat((struct side){ a.btf, ta->type }, (struct side){ b.btf, tb->type },
			   MAX_DEPTH, why, n);
	if (err) {
		prefix_why(why, n, "return type: ");
		return err;
	}
	for (uint16_t k = 0; k < na; k++) {
		err = types_compat((struct side){ a.btf, pa[k].type }, (struct side){ b.btf, pb[k].type },
				   MAX_DEPTH, why, n);
		if (err) {
			char pfx[32];

			snprintf(pfx, sizeof(pfx), "argument %u: ", k + 1);
			prefix_why(why, n, pfx);
			return err;
		}
	}
	return 0;
}

static int check_map_types(const struct link_ctx *c, const struct lsym *s, const struct lsym *w,
			   char *why, size_t n)
{
	const struct map_def *a = link_map_def(c, s), *b = link_map_def(c, w);
	const struct btf *ba = c->in[s->in]->btf, *bb = c->in[w->in]->btf;
	int err = 0;

	if (!a || !b || !ba || !bb)
		return 0;
	if (a->btf_key_type_id && b->btf_key_type_id)
		err = types_compat((struct side){ ba, a->btf_key_type_id },
				   (struct side){ bb, b->btf_key_type_id }, 0, why, n);
	if (err) {
		prefix_why(why, n, "key: ");
		return err;
	}
	if (a->btf_value_type_id && b->btf_value_type_id)
		err = types_compat((struct side){ ba, a->btf_value_type_id },
				   (struct side){ bb, b->btf_value_type_id }, 0, why, n);
	if (err)
		prefix_why(why, n, "value: ");
	return err;
}

int link_check_types(const struct link_ctx *c, const struct lsym *s, const struct lsym *w)
{
	const struct obj *os = c->in[s->in], *ow = c->in[w->in];
	char why[512] = "";
	int64_t is, iw;
	int err;

	if (s->kind == LK_MAP) {
		err = check_map_types(c, s, w, why, sizeof(why));
	} else {
		const struct btf_type *ts, *tw;

		is = obj_sym_btf_id(os, s->sym);
		iw = obj_sym_btf_id(ow, w->sym);
		if (is <= 0 || iw <= 0)
			return 0;
		ts = btf_type_by_id(os->btf, (uint32_t)is);
		tw = btf_type_by_id(ow->btf, (uint32_t)iw);
		if (BTF_INFO_KIND(ts->info) != BTF_INFO_KIND(tw->info)) {
			snprintf(why, sizeof(why), "%s vs %s", btf_kind_name(BTF_INFO_KIND(ts->info)),
				 btf_kind_name(BTF_INFO_KIND(tw->info)));
			err = -EINVAL;
		} else {
			err = types_compat((struct side){ os->btf, ts->type },
					   (struct side){ ow->btf, tw->type }, 0, why, sizeof(why));
		}
	}
	if (err)
		pr_err("%s: %s %s '%s' does not match its definition in %s: %s",
		       os->path, s->defined ? "weak" : "extern", link_kind_name(s->kind), s->orig,
		       ow->path, why);
	return err;
}
