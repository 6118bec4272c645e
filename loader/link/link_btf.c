/* The output's .BTF and .BTF.ext.
 *
 * Every input's types are appended (ids remapped), renamed symbols get their
 * FUNC/VAR renamed, the FUNC/VAR types of resolved externs and losing weak
 * definitions are dropped, and each data section gets one DATASEC built
 * from all inputs with offsets taken from the layout.  Then the id space is
 * compacted and deduplicated, and .BTF.ext records are rebuilt from the
 * inputs at their new places with the final type ids and strings. */
#include "link_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/obj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DROPPED UINT32_MAX

struct btf_link {
	struct link_ctx *c;
	struct btf *mid;	/* all inputs appended */
	uint32_t **tmap;	/* per input: input id -> mid id */
	bool *drop;		/* per mid id */
	uint32_t *cmap;		/* mid id -> compacted id, DROPPED */
	uint32_t *dmap;		/* compacted id -> deduplicated id */
	struct btf *fin;
};

/* Through the symbol's place, not its name: a linked input may hold a
 * static and a global of the same name. */
static uint32_t sym_btf_id(const struct link_ctx *c, const struct lsym *s)
{
	int64_t id = obj_sym_btf_id(c->in[s->in], s->sym);

	return id > 0 ? (uint32_t)id : 0;
}

static int rename_and_mark(struct btf_link *bl)
{
	struct link_ctx *c = bl->c;
	uint32_t n = btf_nr_types(bl->mid);

	bl->drop = calloc(n, sizeof(bool));
	if (!bl->drop)
		return -ENOMEM;
	for (uint32_t id = 1; id < n; id++)
		bl->drop[id] = BTF_INFO_KIND(btf_type_by_id(bl->mid, id)->info) == BTF_KIND_DATASEC;
	for (size_t k = 0; k < c->nr_syms; k++) {
		const struct lsym *s = &c->syms[k];
		uint32_t id = sym_btf_id(c, s);
		int err;

		if (!id)
			continue;
		id = bl->tmap[s->in][id];
		if (strcmp(s->name, s->orig)) {
			err = btf_rename(bl->mid, id, s->name);
			if (err)
				return err;
		}
		if (s->winner >= 0 && s->winner != (int)k)
			bl->drop[id] = true;	/* resolved extern or losing definition */
	}
	return 0;
}

struct drop_scan {
	const bool *drop;
	bool hit;
	uint32_t target;
};

static int scan_ref(uint32_t *id, void *ctx)
{
	struct drop_scan *d = ctx;

	if (*id && d->drop[*id]) {
		d->hit = true;
		d->target = *id;
		return 1;
	}
	return 0;
}

/* A DECL_TAG on a dropped type goes with it; anything else that still
 * refers to a dropped type keeps that type. */
static void settle_drops(struct btf_link *bl)
{
	uint32_t n = btf_nr_types(bl->mid);
	bool changed = true;

	while (changed) {
		changed = false;
		for (uint32_t id = 1; id < n; id++) {
			struct btf_type *t = btf_type_mut(bl->mid, id);
			struct drop_scan d = { .drop = bl->drop };

			if (bl->drop[id] || BTF_INFO_KIND(t->info) == BTF_KIND_DATASEC)
				continue;
			btf_visit_type_ids(t, scan_ref, &d);
			if (!d.hit)
				continue;
			if (BTF_INFO_KIND(t->info) == BTF_KIND_DECL_TAG)
				bl->drop[id] = true;
			else
				bl->drop[d.target] = false;
			changed = true;
		}
	}
}

/* ---- merged DATASECs ---- */

struct dsec {
	char *name;
	struct btf_var_secinfo *vi;
	size_t nr;
	uint32_t size;
};

struct dsec_set {
	struct dsec *v;
	size_t nr;
};

static struct dsec *dsec_get(struct dsec_set *set, const char *name)
{
	struct dsec *p;

	for (size_t k = 0; k < set->nr; k++)
		if (!strcmp(set->v[k].name, name))
			return &set->v[k];
	p = realloc(set->v, (set->nr + 1) * sizeof(*p));
	if (!p)
		return NULL;
	set->v = p;
	p = &set->v[set->nr];
	*p = (struct dsec){ .name = strdup(name) };
	if (!p->name)
		return NULL;
	set->nr++;
	return p;
}

static int dsec_add(struct btf_link *bl, struct dsec *d, uint32_t type, uint32_t off,
		    uint32_t size)
{
	const char *name = btf_type_name(bl->mid, type);
	bool special = !strcmp(d->name, "license") || !strcmp(d->name, "version");
	struct btf_var_secinfo *p;

	/* One VAR per place: the same extern from two inputs, or the one copy
	 * of identical license/version bytes under any variable name.  The
	 * kernel refuses a second VAR there, and an extern VAR outside. */
	for (size_t k = 0; k < d->nr; k++)
		if (d->vi[k].offset == off &&
		    (special || !strcmp(btf_type_name(bl->mid, d->vi[k].type), name))) {
			bl->drop[type] = true;
			return 0;
		}
	p = realloc(d->vi, (d->nr + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	d->vi = p;
	d->vi[d->nr++] = (struct btf_var_secinfo){ .type = type, .offset = off, .size = size };
	return 0;
}

/* Entries of one input DATASEC, placed where the layout put their variables. */
static int collect_datasec(struct btf_link *bl, uint32_t in, uint32_t id, struct dsec_set *set)
{
	const struct obj *o = bl->c->in[in];
	const struct btf_type *t = btf_type_by_id(o->btf, id);
	const struct btf_var_secinfo *vi = (const void *)(t + 1);
	const char *name = btf_type_name(o->btf, id);
	int si = obj_find_sec(o, name);
	struct dsec *d = dsec_get(set, name);

	if (!d)
		return -ENOMEM;
	if (si < 0 && t->size > d->size)
		d->size = t->size;
	for (uint16_t k = 0; k < BTF_INFO_VLEN(t->info); k++) {
		uint32_t type = bl->tmap[in][vi[k].type], osec;
		uint64_t off = vi[k].offset;
		const struct btf_type *v = btf_type_by_id(o->btf, vi[k].type);
		int sym, err;

		if (bl->drop[type])
			continue;
		if (si >= 0 && BTF_INFO_KIND(v->info) == BTF_KIND_VAR &&
		    ((const struct btf_var *)(v + 1))->linkage != BTF_VAR_GLOBAL_EXTERN) {
			/* clang leaves offsets 0 (size 0); a linked input has them */
			if (!t->size) {
				sym = obj_sec_sym_at(o, (uint32_t)si,
						     btf_type_name(o->btf, vi[k].type), off);
				if (sym >= 0)
					off = o->syms[sym].value;
			}
			if (link_map_addr(bl->c, in, (uint32_t)si, off, &osec, &off))
				continue;	/* a dropped definition */
		}
		if (off > UINT32_MAX)
			return -E2BIG;
		err = dsec_add(bl, d, type, (uint32_t)off, vi[k].size);
		if (err)
			return err;
	}
	return 0;
}

static int cmp_secinfo(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return (x->type > y->type) - (x->type < y->type);
}

static int add_datasecs(struct btf_link *bl)
{
	struct dsec_set set = { 0 };
	int err = 0;

	for (uint32_t i = 0; i < bl->c->nr_in && !err; i++) {
		const struct btf *b = bl->c->in[i]->btf;

		for (uint32_t id = 1; b && id < btf_nr_types(b) && !err; id++)
			if (BTF_INFO_KIND(btf_type_by_id(b, id)->info) == BTF_KIND_DATASEC)
				err = collect_datasec(bl, i, id, &set);
	}
	for (size_t k = 0; k < set.nr && !err; k++) {
		struct dsec *d = &set.v[k];
		int osec = obj_find_sec(bl->c->out, d->name);
		struct btf_type t = { 0 };
		int64_t name_off, id;

		if (!d->nr)
			continue;
		if (osec >= 0)
			d->size = (uint32_t)bl->c->out->secs[osec].size;
		qsort(d->vi, d->nr, sizeof(*d->vi), cmp_secinfo);
		name_off = btf_add_str(bl->mid, d->name);
		if (name_off < 0) {
			err = (int)name_off;
			break;
		}
		t.name_off = (uint32_t)name_off;
		t.info = (uint32_t)BTF_KIND_DATASEC << 24 | (uint32_t)d->nr;
		t.size = d->size;
		id = btf_add_type(bl->mid, &t, d->vi, d->nr * sizeof(*d->vi));
		if (id < 0)
			err = (int)id;
	}
	for (size_t k = 0; k < set.nr; k++) {
		free(set.v[k].name);
		free(set.v[k].vi);
	}
	free(set.v);
	return err;
}

/* ---- compaction: drop the marked types, renumber the rest ---- */

struct copy_ctx {
	const struct btf *src;
	struct btf *dst;
	const uint32_t *map;
	uint32_t n;
};

static int copy_str(uint32_t *off, void *ctx)
{
	struct copy_ctx *cc = ctx;
	const char *s = btf_str(cc->src, *off);
	int64_t r;

	if (!s)
		return -EINVAL;
	r = btf_add_str(cc->dst, s);
	if (r < 0)
		return (int)r;
	*off = (uint32_t)r;
	return 0;
}

static int remap_id(uint32_t *id, void *ctx)
{
	struct copy_ctx *cc = ctx;

	if (!*id)
		return 0;
	if (*id >= cc->n || cc->map[*id] == DROPPED)
		return -EINVAL;
	*id = cc->map[*id];
	return 0;
}

static int compact(struct btf_link *bl)
{
	struct copy_ctx cc = { .src = bl->mid, .n = btf_nr_types(bl->mid) };
	uint32_t next = 1;
	int err = 0;

	bl->cmap = calloc(cc.n, sizeof(uint32_t));
	bl->fin = btf_new();
	if (!bl->cmap || !bl->fin)
		return -ENOMEM;
	for (uint32_t id = 1; id < cc.n; id++)
		bl->cmap[id] = bl->drop[id] ? DROPPED : next++;
	cc.dst = bl->fin;
	cc.map = bl->cmap;
	for (uint32_t id = 1; id < cc.n && !err; id++) {
		const struct btf_type *t = btf_type_by_id(bl->mid, id);
		size_t sz = btf_type_size_bytes(t);
		struct btf_type *copy;
		int64_t r;

		if (bl->drop[id])
			continue;
		copy = malloc(sz);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, t, sz);
		err = btf_visit_str_offs(copy, copy_str, &cc);
		if (!err)
			err = btf_visit_type_ids(copy, remap_id, &cc);
		if (err)
			pr_err("link: .BTF: type '%s' refers to a dropped type",
			       btf_type_name(bl->mid, id));
		r = err ? 0 : btf_add_type(bl->fin, copy, copy + 1, sz - sizeof(*copy));
		if (r < 0)
			err = (int)r;
		free(copy);
	}
	return err;
}

/* ---- .BTF.ext ---- */

enum ext_kind { EXT_FUNC, EXT_LINE, EXT_CORE };

static int final_id(const struct btf_link *bl, uint32_t in, uint32_t *id)
{
	uint32_t m;

	if (*id >= btf_nr_types(bl->c->in[in]->btf))
		return -EINVAL;
	m = bl->cmap[bl->tmap[in][*id]];
	if (m == DROPPED)
		return -EINVAL;
	*id = bl->dmap[m];
	return 0;
}

static int final_str(const struct btf_link *bl, uint32_t in, uint32_t *off)
{
	const char *s = btf_str(bl->c->in[in]->btf, *off);
	int64_t r;

	if (!s)
		return -EINVAL;
	r = btf_add_str(bl->fin, s);
	if (r < 0)
		return (int)r;
	*off = (uint32_t)r;
	return 0;
}

static int ext_rec(struct btf_link *bl, uint32_t in, uint32_t si, enum ext_kind kind,
		   const uint8_t *src, size_t src_size, struct btf_ext_info *dst)
{
	uint32_t rec[4] = { 0 }, osec;
	uint64_t ooff;
	int err;

	memcpy(rec, src, src_size < dst->rec_size ? src_size : dst->rec_size);
	if (link_map_addr(bl->c, in, si, rec[0], &osec, &ooff))
		return 0;	/* code that was dropped */
	rec[0] = (uint32_t)ooff;
	if (kind == EXT_LINE) {
		err = final_str(bl, in, &rec[1]);
		if (!err)
			err = final_str(bl, in, &rec[2]);
	} else {
		err = final_id(bl, in, &rec[1]);
		if (!err && kind == EXT_CORE)
			err = final_str(bl, in, &rec[2]);
	}
	if (err) {
		pr_err("%s: .BTF.ext: bad record for section '%s' at 0x%x",
		       bl->c->in[in]->path, bl->c->in[in]->secs[si].name, rec[0]);
		return err;
	}
	return btf_ext_sec_push(dst, btf_ext_sec_get(dst, bl->c->out->secs[osec].name), rec);
}

static int ext_info(struct btf_link *bl, uint32_t in, enum ext_kind kind,
		    const struct btf_ext_info *src, struct btf_ext_info *dst)
{
	const struct obj *o = bl->c->in[in];

	for (size_t k = 0; k < src->nr_secs; k++) {
		const struct btf_ext_sec *s = &src->secs[k];
		int si = obj_find_sec(o, s->sec_name);

		if (si < 0) {
			pr_err("%s: .BTF.ext: records for missing section '%s'", o->path, s->sec_name);
			return -EINVAL;
		}
		for (uint32_t r = 0; r < s->nr; r++) {
			int err = ext_rec(bl, in, (uint32_t)si, kind,
					  (const uint8_t *)s->recs + (size_t)r * src->rec_size,
					  src->rec_size, dst);
			if (err)
				return err;
		}
	}
	return 0;
}

struct rec_key {
	uint32_t off;
	uint32_t seq;
};

static int cmp_key(const void *a, const void *b)
{
	const struct rec_key *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Moved code lands after other code: order every section's records by
 * instruction, keeping the input order between equal offsets. */
static int sort_ext(struct btf_ext_info *info)
{
	for (size_t k = 0; k < info->nr_secs; k++) {
		struct btf_ext_sec *s = &info->secs[k];
		struct rec_key *keys = malloc((s->nr ? s->nr : 1) * sizeof(*keys));
		uint8_t *sorted = malloc((s->nr ? s->nr : 1) * (size_t)info->rec_size);

		if (!keys || !sorted) {
			free(keys);
			free(sorted);
			return -ENOMEM;
		}
		for (uint32_t r = 0; r < s->nr; r++)
			keys[r] = (struct rec_key){
				*(uint32_t *)((uint8_t *)s->recs + (size_t)r * info->rec_size), r };
		qsort(keys, s->nr, sizeof(*keys), cmp_key);
		for (uint32_t r = 0; r < s->nr; r++)
			memcpy(sorted + (size_t)r * info->rec_size,
			       (uint8_t *)s->recs + (size_t)keys[r].seq * info->rec_size,
			       info->rec_size);
		free(s->recs);
		s->recs = sorted;
		free(keys);
	}
	return 0;
}

static int merge_ext(struct btf_link *bl)
{
	struct btf_ext *ext = NULL;
	int err = 0;

	for (uint32_t i = 0; i < bl->c->nr_in && !err; i++) {
		const struct btf_ext *src = bl->c->in[i]->btf_ext;

		if (!src || !bl->c->in[i]->btf)
			continue;
		if (!ext && !(ext = btf_ext_new()))
			return -ENOMEM;
		err = ext_info(bl, i, EXT_FUNC, &src->func, &ext->func);
		if (!err)
			err = ext_info(bl, i, EXT_LINE, &src->line, &ext->line);
		if (!err)
			err = ext_info(bl, i, EXT_CORE, &src->core, &ext->core);
	}
	if (!err && ext)
		err = sort_ext(&ext->func);
	if (!err && ext)
		err = sort_ext(&ext->line);
	if (!err && ext)
		err = sort_ext(&ext->core);
	if (err) {
		btf_ext_free(ext);
		return err;
	}
	bl->c->out->btf_ext = ext;
	return 0;
}

int link_merge_btf(struct link_ctx *c)
{
	struct btf_link bl = { .c = c };
	int err = -ENOMEM;
	uint32_t nr_old;
	bool any = false;

	for (uint32_t i = 0; i < c->nr_in; i++)
		any |= c->in[i]->btf != NULL;
	if (!any)
		return 0;
	bl.mid = btf_new();
	bl.tmap = calloc(c->nr_in, sizeof(*bl.tmap));
	if (!bl.mid || !bl.tmap)
		goto out;
	for (uint32_t i = 0; i < c->nr_in; i++) {
		if (!c->in[i]->btf)
			continue;
		err = btf_append(bl.mid, c->in[i]->btf, &bl.tmap[i]);
		if (err)
			goto out;
	}
	err = rename_and_mark(&bl);
	if (err)
		goto out;
	settle_drops(&bl);
	nr_old = btf_nr_types(bl.mid);
	err = add_datasecs(&bl);
	if (!err) {
		/* the merged DATASECs come after the marked types: keep them */
		bool *d = realloc(bl.drop, btf_nr_types(bl.mid) * sizeof(bool));

		if (!d)
			err = -ENOMEM;
		else
			bl.drop = d;
		for (uint32_t id = nr_old; !err && id < btf_nr_types(bl.mid); id++)
			bl.drop[id] = false;
	}
	if (!err)
		settle_drops(&bl);	/* DECL_TAGs of VARs add_datasecs dropped */
	if (!err)
		err = compact(&bl);
	if (!err)
		err = btf_dedup(bl.fin, &bl.dmap);
	if (!err)
		err = merge_ext(&bl);
	if (!err) {
		c->out->btf = bl.fin;
		bl.fin = NULL;
	}
out:
	for (uint32_t i = 0; bl.tmap && i < c->nr_in; i++)
		free(bl.tmap[i]);
	free(bl.tmap);
	free(bl.drop);
	free(bl.cmap);
	free(bl.dmap);
	btf_free(bl.fin);
	btf_free(bl.mid);
	return err;
}
