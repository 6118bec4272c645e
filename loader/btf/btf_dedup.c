/* Merging BTF: appending one BTF to another with remapped ids and strings,
 * and deduplication by partition refinement.
 *
 * Deduplication computes the coarsest partition of the type ids in which two
 * types share a class only when their shallow shape matches (kind, info,
 * names by content, every non-id word) and the types they reference, word by
 * word, share classes.  It starts from classes of equal shallow shape and
 * splits classes by the classes of referenced ids until nothing changes, so
 * cyclic types (a linked list node pointing to itself) merge correctly.  VAR
 * and DATASEC keep a class of their own.  The lowest id of each class
 * represents it. */
#include "btf.h"
#include "btf_priv.h"
#include "base/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- append ---- */

struct remap_ctx {
	struct btf *dst;
	const struct btf *src;
	const uint32_t *map;
	uint32_t nr_ids;	/* entries in map */
	int err;
};

static int remap_str(uint32_t *off, void *ctx)
{
	struct remap_ctx *c = ctx;
	const char *s = btf_str(c->src, *off);
	int64_t n;

	if (!s)
		return c->err = -EINVAL;
	n = btf_add_str(c->dst, s);
	if (n < 0)
		return c->err = (int)n;
	*off = (uint32_t)n;
	return 0;
}

static int remap_id(uint32_t *id, void *ctx)
{
	struct remap_ctx *c = ctx;

	if (*id >= c->nr_ids)
		return c->err = -EINVAL;
	*id = c->map[*id];
	return 0;
}

int btf_append(struct btf *dst, const struct btf *src, uint32_t **type_map)
{
	uint32_t n = btf_nr_types(src), base = btf_nr_types(dst), id;
	struct remap_ctx c = { .dst = dst, .src = src, .nr_ids = n };
	struct btf_type *t = NULL;
	uint32_t *map;
	int err = 0;

	*type_map = NULL;
	if ((uint64_t)base + n - 1 > BTF_MAX_TYPE + 1u)
		return -E2BIG;
	map = calloc(n, sizeof(*map));
	if (!map)
		return -ENOMEM;
	for (id = 1; id < n; id++)
		map[id] = base + id - 1;
	c.map = map;
	for (id = 1; id < n; id++) {
		const struct btf_type *s = btf_type_by_id(src, id);
		size_t sz = btf_type_size_bytes(s);
		int64_t r;

		t = malloc(sz);
		if (!t) {
			err = -ENOMEM;
			goto fail;
		}
		memcpy(t, s, sz);
		if (btf_visit_str_offs(t, remap_str, &c)) {
			err = c.err;
			goto fail;
		}
		if (btf_visit_type_ids(t, remap_id, &c)) {
			err = c.err;
			goto fail;
		}
		r = btf_add_type(dst, t, t + 1, sz - sizeof(*t));
		if (r < 0) {
			err = (int)r;
			goto fail;
		}
		free(t);
		t = NULL;
	}
	*type_map = map;
	return 0;
fail:
	free(t);
	free(map);
	btf_truncate(dst, base);
	return err;
}

/* ---- dedup ---- */

/* A merge sort with a context argument: qsort_r is not portable, and a
 * stable sort keeps the result deterministic. */
typedef int (*cmp_fn)(uint32_t a, uint32_t b, const void *ctx);

static void merge_sort(uint32_t *v, uint32_t *tmp, size_t n, cmp_fn cmp, const void *ctx)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, mid, cmp, ctx);
	merge_sort(v + mid, tmp, n - mid, cmp, ctx);
	while (i < mid && j < n)
		tmp[k++] = cmp(v[j], v[i], ctx) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

struct dedup {
	const struct btf *b;
	uint32_t n;
	uint32_t *cls;		/* class of each id */
	uint32_t **refs;	/* referenced ids of each type, in word order */
	uint32_t *nr_refs;
};

static uint32_t kind_of(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(b, id);

	return t ? BTF_INFO_KIND(t->info) : 0;
}

/* Types added by callers are not validated: never follow a bad offset. */
static const char *str_or_empty(const struct btf *b, uint32_t off)
{
	const char *s = btf_str(b, off);

	return s ? s : "";
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/* Order by shallow shape: every word except ids, strings by content. */
static int cmp_shallow(uint32_t x, uint32_t y, const void *ctx)
{
	const struct dedup *d = ctx;
	const struct btf_type *tx = btf_type_by_id(d->b, x), *ty = btf_type_by_id(d->b, y);
	const uint32_t *wx = (const uint32_t *)tx, *wy = (const uint32_t *)ty;
	uint32_t kind = kind_of(d->b, x);
	size_t n, w;
	int r;

	r = cmp_u32(kind, kind_of(d->b, y));
	if (r || !tx)	/* void (kind 0) equals only itself */
		return r;
	if (kind == BTF_KIND_VAR || kind == BTF_KIND_DATASEC)
		return cmp_u32(x, y);
	n = btf_type_size_bytes(tx);
	r = cmp_u32(n, btf_type_size_bytes(ty));
	if (r)
		return r;
	for (w = 0; w < n / 4; w++) {
		switch (btf_word_role(kind, w)) {
		case BTF_WORD_DATA:
			r = cmp_u32(wx[w], wy[w]);
			break;
		case BTF_WORD_STR:
			r = strcmp(str_or_empty(d->b, wx[w]), str_or_empty(d->b, wy[w]));
			break;
		case BTF_WORD_ID:
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

/* Order by current class, then by the classes of the referenced ids. */
static int cmp_refined(uint32_t x, uint32_t y, const void *ctx)
{
	const struct dedup *d = ctx;
	uint32_t i;
	int r = cmp_u32(d->cls[x], d->cls[y]);

	/* Same class implies same shape, hence the same number of refs. */
	for (i = 0; !r && i < d->nr_refs[x] && i < d->nr_refs[y]; i++)
		r = cmp_u32(d->cls[d->refs[x][i]], d->cls[d->refs[y][i]]);
	return r;
}

/* Renumber classes along the sorted order; returns the number of classes. */
static uint32_t assign_classes(struct dedup *d, const uint32_t *order, uint32_t *next_cls, cmp_fn cmp)
{
	uint32_t i, c = 0;

	for (i = 0; i < d->n; i++) {
		if (i && cmp(order[i - 1], order[i], d))
			c++;
		next_cls[order[i]] = c;
	}
	return c + 1;
}

struct ref_list {
	uint32_t *ids;
	uint32_t nr, max_id;
};

static int collect_ref(uint32_t *id, void *ctx)
{
	struct ref_list *l = ctx;

	if (*id > l->max_id)
		return -EINVAL;
	if (l->ids)
		l->ids[l->nr] = *id;
	l->nr++;
	return 0;
}

static int collect_refs(struct dedup *d)
{
	uint32_t id;

	for (id = 1; id < d->n; id++) {
		struct btf_type *t = (struct btf_type *)btf_type_by_id(d->b, id);
		struct ref_list l = { .max_id = d->n - 1 };

		if (btf_visit_type_ids(t, collect_ref, &l)) {
			pr_err("BTF dedup: type [%u] %s references a type id >= %u",
			       id, btf_kind_name(BTF_INFO_KIND(t->info)), d->n);
			return -EINVAL;
		}
		d->nr_refs[id] = l.nr;
		if (!l.nr)
			continue;
		d->refs[id] = malloc(l.nr * sizeof(uint32_t));
		if (!d->refs[id])
			return -ENOMEM;
		l.ids = d->refs[id];
		l.nr = 0;
		btf_visit_type_ids(t, collect_ref, &l);
	}
	return 0;
}

static int partition(struct dedup *d)
{
	uint32_t *order = malloc(d->n * sizeof(*order));
	uint32_t *tmp = malloc(d->n * sizeof(*tmp));
	uint32_t *next = malloc(d->n * sizeof(*next));
	uint32_t i, nr_cls, prev;
	int err = -ENOMEM;

	if (!order || !tmp || !next)
		goto out;
	for (i = 0; i < d->n; i++)
		order[i] = i;
	merge_sort(order, tmp, d->n, cmp_shallow, d);
	nr_cls = assign_classes(d, order, d->cls, cmp_shallow);
	do {
		prev = nr_cls;
		merge_sort(order, tmp, d->n, cmp_refined, d);
		nr_cls = assign_classes(d, order, next, cmp_refined);
		memcpy(d->cls, next, d->n * sizeof(*next));
	} while (nr_cls != prev);
	err = 0;
out:
	free(order);
	free(tmp);
	free(next);
	return err;
}

static int compact(struct btf *b, struct dedup *d, uint32_t *map)
{
	uint32_t *rep = malloc(d->n * sizeof(*rep));
	bool *keep = calloc(d->n, sizeof(*keep));
	struct remap_ctx c = { .map = map, .nr_ids = d->n };
	uint32_t id, nr = 1;
	int err = -ENOMEM;

	if (!rep || !keep)
		goto out;
	for (id = 0; id < d->n; id++)
		rep[id] = UINT32_MAX;
	for (id = 0; id < d->n; id++) {
		uint32_t k = d->cls[id];

		if (rep[k] == UINT32_MAX) {
			rep[k] = id;
			keep[id] = true;
			map[id] = id ? nr++ : 0;
		} else {
			map[id] = map[rep[k]];
		}
	}
	for (id = 1; id < d->n; id++)
		if (keep[id])
			btf_visit_type_ids(btf_type_mut(b, id), remap_id, &c);
	err = btf_keep_types(b, keep);
out:
	free(rep);
	free(keep);
	return err;
}

int btf_dedup(struct btf *b, uint32_t **type_map)
{
	struct dedup d = { .b = b, .n = btf_nr_types(b) };
	uint32_t *map = NULL, id;
	int err = -ENOMEM;

	*type_map = NULL;
	d.cls = calloc(d.n, sizeof(*d.cls));
	d.refs = calloc(d.n, sizeof(*d.refs));
	d.nr_refs = calloc(d.n, sizeof(*d.nr_refs));
	map = calloc(d.n, sizeof(*map));
	if (!d.cls || !d.refs || !d.nr_refs || !map)
		goto out;
	err = collect_refs(&d);
	if (!err)
		err = partition(&d);
	if (!err)
		err = compact(b, &d, map);
	if (!err) {
		*type_map = map;
		map = NULL;
	}
out:
	for (id = 0; d.refs && id < d.n; id++)
		free(d.refs[id]);
	free(d.refs);
	free(d.nr_refs);
	free(d.cls);
	free(map);
	return err;
}
