/* Minimized target BTF (btfgen): mark what the CO-RE decisions used,
 * then copy the marked types, in order, into a new BTF.  See core_gen.h. */
#include "core_gen.h"
#include "core_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_MAX_DEPTH 512	/* type nesting followed while marking */

enum {
	M_TYPE = 1,		/* kept */
	M_FOLLOW = 2,		/* marked with pointers followed */
	M_MATCH = 4,		/* marked for type_matches, members and all */
	M_MATCH_PTR = 8,	/* marked for type_matches behind a pointer */
	M_ENUM_ALL = 16,	/* an enum with all its values (else: the marked ones) */
};

enum { WALK_RECORD, WALK_MARK_FIRST, WALK_MARK_ALL, WALK_CHECK };

/* One record's decision against the full BTF. */
struct gen_rec {
	uint64_t val;
	uint32_t target_id, new_sz;
	bool has_target, poison, fail_memsz_adjust;
};

struct gen_obj {
	const struct btf *local;
	const struct btf_ext *ext;
	bool big_endian;
	const char *what;
	struct gen_rec *recs;	/* one per record, in section and record order */
};

struct core_gen {
	const struct btf *target;
	uint32_t nr;		/* target's type count (ids are < this) */
	uint8_t *mark;		/* [id] M_* */
	uint32_t *mem_base;	/* [id] first member's (enumerator's) index in mem */
	uint8_t *mem;		/* kept members and enumerators */
	size_t nr_mem;
	struct gen_obj *objs;
	size_t nr_objs;
	struct core_gen_stats st;
	char *err;		/* the caller's message buffer, while marking */
	size_t errlen;
};

int core_gen_new(const struct btf *target, struct core_gen **out)
{
	struct core_gen *g = calloc(1, sizeof(*g));
	uint64_t nr_mem = 0;
	int ret = -ENOMEM;

	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->target = target;
	g->nr = btf_nr_types(target);
	g->mark = calloc(g->nr, 1);
	g->mem_base = calloc(g->nr, sizeof(*g->mem_base));
	if (!g->mark || !g->mem_base)
		goto err;
	for (uint32_t id = 1; id < g->nr; id++) {
		const struct btf_type *t = btf_type_by_id(target, id);

		if (!t) {
			ret = -EINVAL;
			goto err;
		}
		g->mem_base[id] = (uint32_t)nr_mem;
		if (core_is_composite(t) || core_is_any_enum(t))
			nr_mem += core_vlen(t);
		if (nr_mem > UINT32_MAX) {
			ret = -E2BIG;
			goto err;
		}
	}
	g->nr_mem = (size_t)nr_mem;
	g->mem = calloc(nr_mem ? nr_mem : 1, 1);
	if (!g->mem)
		goto err;
	*out = g;
	return 0;
err:
	core_gen_free(g);
	return ret;
}

void core_gen_free(struct core_gen *g)
{
	if (!g)
		return;
	free(g->mark);
	free(g->mem_base);
	free(g->mem);
	for (size_t i = 0; i < g->nr_objs; i++)
		free(g->objs[i].recs);
	free(g->objs);
	free(g);
}

static const struct btf_type *gen_type(struct core_gen *g, uint32_t id, int depth)
{
	const struct btf_type *t = btf_type_by_id(g->target, id);

	if (!t) {
		core_errf(g->err, g->errlen, "target type [%u] out of range", id);
		return NULL;
	}
	if (depth > GEN_MAX_DEPTH) {
		core_errf(g->err, g->errlen, "target type [%u] %s: nested more than %d levels deep",
			  id, btf_type_name(g->target, id), GEN_MAX_DEPTH);
		return NULL;
	}
	return t;
}

static int gen_unsupported(struct core_gen *g, uint32_t id, const struct btf_type *t)
{
	core_errf(g->err, g->errlen, "target type [%u] %s '%s': kind not expected here", id,
		  btf_kind_name(core_kind(t)), btf_type_name(g->target, id));
	return -EINVAL;
}

/* The type, without members; follow: pointed-to types too.  (bpftool's
 * btfgen keeps the same.) */
static int mark_type(struct core_gen *g, uint32_t id, bool follow, int depth)
{
	const struct btf_type *t;
	uint8_t bit = follow ? M_FOLLOW : M_TYPE;
	int ret;

	if (!id)
		return 0;
	t = gen_type(g, id, depth);
	if (!t)
		return -ELOOP;
	if (g->mark[id] & bit)
		return 0;
	g->mark[id] |= M_TYPE | bit;
	switch (core_kind(t)) {
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		g->mark[id] |= M_ENUM_ALL;
		return 0;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FWD:
		return 0;
	case BTF_KIND_PTR:
		return follow ? mark_type(g, t->type, follow, depth + 1) : 0;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		return mark_type(g, t->type, follow, depth + 1);
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const struct btf_array *)(t + 1);

		ret = mark_type(g, a->type, follow, depth + 1);
		return ret ? ret : mark_type(g, a->index_type, follow, depth + 1);
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = (const struct btf_param *)(t + 1);

		ret = mark_type(g, t->type, follow, depth + 1);
		for (uint32_t i = 0; !ret && i < core_vlen(t); i++)
			ret = mark_type(g, p[i].type, follow, depth + 1);
		return ret;
	}
	default:
		return gen_unsupported(g, id, t);
	}
}

/* For type_matches: every member, recursively; behind a pointer a
 * struct or union is kept without members (libbpf's matching compares
 * only their names and kinds there). */
static int mark_match(struct core_gen *g, uint32_t id, bool behind_ptr, int depth)
{
	const struct btf_type *t;
	uint8_t bit = behind_ptr ? M_MATCH_PTR : M_MATCH;
	int ret = 0;

	if (!id)
		return 0;
	t = gen_type(g, id, depth);
	if (!t)
		return -ELOOP;
	if (g->mark[id] & bit)
		return 0;
	g->mark[id] |= M_TYPE | bit;
	switch (core_kind(t)) {
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		g->mark[id] |= M_ENUM_ALL;
		return 0;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_FWD:
		return 0;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = (const struct btf_member *)(t + 1);

		if (behind_ptr)
			return 0;
		for (uint32_t i = 0; !ret && i < core_vlen(t); i++) {
			g->mem[g->mem_base[id] + i] = 1;
			ret = mark_match(g, m[i].type, false, depth + 1);
		}
		return ret;
	}
	case BTF_KIND_PTR:
		return mark_match(g, t->type, true, depth + 1);
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		return mark_match(g, t->type, behind_ptr, depth + 1);
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const struct btf_array *)(t + 1);

		ret = mark_match(g, a->type, false, depth + 1);
		return ret ? ret : mark_match(g, a->index_type, false, depth + 1);
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = (const struct btf_param *)(t + 1);

		ret = mark_match(g, t->type, false, depth + 1);
		for (uint32_t i = 0; !ret && i < core_vlen(t); i++)
			ret = mark_match(g, p[i].type, false, depth + 1);
		return ret;
	}
	default:
		return gen_unsupported(g, id, t);
	}
}

/* A field relocation: the target spec's path, with only the members it
 * goes through (raw[0] indexes the root as an array). */
static int mark_field(struct core_gen *g, const struct core_spec *ts)
{
	uint32_t id = ts->root_id;
	const struct btf_type *t;
	int ret = mark_type(g, id, false, 0);

	for (int i = 1; !ret && i < ts->raw_len; i++) {
		int hops = 0;

		t = gen_type(g, id, 0);
		while (t && (core_kind(t) == BTF_KIND_TYPEDEF || core_kind(t) == BTF_KIND_CONST ||
			     core_kind(t) == BTF_KIND_VOLATILE || core_kind(t) == BTF_KIND_RESTRICT ||
			     core_kind(t) == BTF_KIND_TYPE_TAG))
			t = gen_type(g, id = t->type, ++hops);
		if (!t)
			return -ELOOP;
		if (core_is_composite(t)) {
			const struct btf_member *m = (const struct btf_member *)(t + 1);
			uint32_t idx = ts->raw[i];

			if (idx >= core_vlen(t)) {
				core_errf(g->err, g->errlen, "target [%u] %s: member #%u out of range",
					  id, btf_type_name(g->target, id), idx);
				return -EINVAL;
			}
			g->mem[g->mem_base[id] + idx] = 1;
			id = m[idx].type;
			ret = mark_type(g, id, false, 0);
		} else if (core_kind(t) == BTF_KIND_ARRAY) {
			id = ((const struct btf_array *)(t + 1))->type;
		} else {
			return gen_unsupported(g, id, t);
		}
	}
	return ret;
}

static int mark_spec(struct core_gen *g, const struct core_spec *ts)
{
	uint32_t kind = ts->kind;

	if (core_kind_is_field(kind))
		return mark_field(g, ts);
	if (kind == CORE_TYPE_MATCHES)
		return mark_match(g, ts->root_id, false, 0);
	if (core_kind_is_type(kind))
		return mark_type(g, ts->root_id, true, 0);
	/* an enumerator: the enum with only the values records name (a
	 * missing one stays missing; the enum's size and sign are kept) */
	if (ts->len == 1 && ts->acc[0].type_id == ts->root_id && ts->root_id < g->nr) {
		const struct btf_type *t = gen_type(g, ts->root_id, 0);

		if (!t || !core_is_any_enum(t) || ts->acc[0].idx >= core_vlen(t))
			return -EINVAL;
		g->mark[ts->root_id] |= M_TYPE;
		g->mem[g->mem_base[ts->root_id] + ts->acc[0].idx] = 1;
		return 0;
	}
	return mark_type(g, ts->root_id, false, 0);
}

/* Mark what the candidates that matched record rec need (the cache holds
 * exactly those after core_resolve()): the first one only, as bpftool
 * does, or every one. */
static int mark_record(struct core_gen *g, const struct btf *local, const struct btf_ext_core *rec,
		       const struct core_targets *ts, struct core_cache *cache,
		       const struct core_decision *d, bool all)
{
	const struct core_cands *cands = &cache->by_id[rec->type_id];
	const char *access = btf_str(local, rec->access_str_off);
	struct core_spec lspec, tspec;
	struct core_btf lv;
	uint32_t n = all ? d->nr_matched : 1;
	int ret;

	core_btf_view(&lv, local);
	if (!access)
		return -EINVAL;	/* core_resolve() checked it */
	ret = core_parse_spec(&lv, rec->type_id, access, rec->kind, &lspec, g->err, g->errlen);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < n && i < cands->nr; i++) {
		if (cands->c[i].target != 0)
			continue;
		ret = core_spec_match(&lspec, &ts->t[0].btf, cands->c[i].id, &tspec);
		if (ret < 0) {
			core_errf(g->err, g->errlen, "matching [%u] %s again failed", cands->c[i].id,
				  btf_type_name(g->target, cands->c[i].id));
			return ret;
		}
		if (ret == 0)
			continue;
		ret = mark_spec(g, &tspec);
		if (ret)
			return ret;
	}
	return 0;
}

/* What the minimized BTF must decide the same way. */
static bool same_decision(const struct gen_rec *want, const struct core_decision *d,
			  const uint32_t *new_id)
{
	uint64_t val = want->val;

	if (d->kind == CORE_TYPE_ID_TARGET && want->has_target)
		val = new_id[want->target_id];
	return (d->target >= 0) == want->has_target && d->new_val == val &&
	       d->poison == want->poison && d->new_sz == want->new_sz &&
	       d->fail_memsz_adjust == want->fail_memsz_adjust &&
	       (!want->has_target || d->target_id == new_id[want->target_id]);
}

/* Resolve every record of ob against target (the full BTF or the
 * minimized one) and, by mode: record the decisions, mark what they use,
 * or compare them with the recorded ones (*differs: the first record that
 * differs, counted over all objects, else -1). */
static int walk_obj(struct core_gen *g, struct gen_obj *ob, const struct btf *target, int mode,
		    const uint32_t *new_id, long *differs, char *err, size_t errlen)
{
	struct core_targets ts = { 0 };
	struct core_cache *cache = NULL;
	struct core_decision d;
	uint32_t k = 0;
	char msg[256];
	int ret;

	ret = core_targets_init(&ts, target, ob->big_endian);
	if (ret)
		goto out;
	cache = core_cache_new(ob->local);
	if (!cache) {
		ret = -ENOMEM;
		goto out;
	}
	g->err = msg;
	g->errlen = sizeof(msg);
	for (size_t s = 0; s < ob->ext->core.nr_secs; s++) {
		const struct btf_ext_sec *sec = &ob->ext->core.secs[s];
		const struct btf_ext_core *recs = sec->recs;

		for (uint32_t i = 0; i < sec->nr; i++, k++) {
			msg[0] = '\0';
			ret = core_resolve(ob->local, &recs[i], &ts, cache, &d, msg, sizeof(msg));
			if (!ret && mode == WALK_RECORD) {
				ob->recs[k] = (struct gen_rec){
					.val = d.new_val, .target_id = d.target_id,
					.new_sz = d.new_sz, .has_target = d.target >= 0,
					.poison = d.poison, .fail_memsz_adjust = d.fail_memsz_adjust };
				g->st.relos++;
				g->st.matched += d.kind != CORE_TYPE_ID_LOCAL && d.nr_matched;
			} else if (mode == WALK_CHECK) {
				/* failing here too is a difference, not an error */
				if (*differs < 0 && (ret || !same_decision(&ob->recs[k], &d, new_id)))
					*differs = (long)k;
				ret = 0;
			} else if (!ret && d.kind != CORE_TYPE_ID_LOCAL && d.nr_matched) {
				ret = mark_record(g, ob->local, &recs[i], &ts, cache, &d,
						  mode == WALK_MARK_ALL);
			}
			if (ret) {
				core_errf(err, errlen, "%s: sec '%s': CO-RE relocation #%u at insn #%u (\"%s\")%s: %s",
					  ob->what, sec->sec_name, i, recs[i].insn_off / 8, d.access,
					  mode == WALK_CHECK ? " against the minimized BTF" : "", msg);
				goto out;
			}
		}
	}
out:
	g->err = NULL;
	core_cache_free(cache);
	core_targets_free(&ts);
	return ret;
}

int core_gen_add(struct core_gen *g, const struct btf *local, const struct btf_ext *ext,
		 bool big_endian, const char *what, char *err, size_t errlen)
{
	struct gen_obj *nobj, *ob;
	size_t nr = 0;
	int ret;

	for (size_t s = 0; s < ext->core.nr_secs; s++)
		nr += ext->core.secs[s].nr;
	nobj = realloc(g->objs, (g->nr_objs + 1) * sizeof(*g->objs));
	if (!nobj)
		return -ENOMEM;
	g->objs = nobj;
	ob = &g->objs[g->nr_objs];
	*ob = (struct gen_obj){ .local = local, .ext = ext, .big_endian = big_endian, .what = what,
				.recs = calloc(nr ? nr : 1, sizeof(*ob->recs)) };
	if (!ob->recs)
		return -ENOMEM;
	ret = walk_obj(g, ob, g->target, WALK_RECORD, NULL, NULL, err, errlen);
	if (ret) {
		free(ob->recs);
		return ret;
	}
	g->nr_objs++;
	return 0;
}

/* ---- writing ---- */

struct remap {
	const struct core_gen *g;
	const uint32_t *new_id;
	struct btf *dst;
};

static int remap_id(uint32_t *id, void *ctx)
{
	const struct remap *r = ctx;

	if (*id >= r->g->nr)
		return -EINVAL;
	*id = r->new_id[*id];	/* not kept: void (only pointers point there) */
	return 0;
}

static int remap_str(uint32_t *off, void *ctx)
{
	struct remap *r = ctx;
	const char *s = btf_str(r->g->target, *off);
	int64_t n;

	if (!s)
		return -EINVAL;
	n = btf_add_str(r->dst, s);
	if (n < 0)
		return (int)n;
	*off = (uint32_t)n;
	return 0;
}

/* Copy target type id into r->dst, composites with their kept members only. */
static int copy_type(struct core_gen *g, struct remap *r, uint32_t id, uint32_t want)
{
	const struct btf_type *t = btf_type_by_id(g->target, id);
	size_t sz = btf_type_size_bytes(t);
	struct btf_type *c = malloc(sz);
	int64_t got;
	int ret;

	if (!c)
		return -ENOMEM;
	memcpy(c, t, sz);
	if (core_is_composite(t)) {
		const struct btf_member *m = (const struct btf_member *)(t + 1);
		struct btf_member *o = (struct btf_member *)(c + 1);
		uint32_t n = 0;

		for (uint32_t i = 0; i < core_vlen(t); i++)
			if (g->mem[g->mem_base[id] + i])
				o[n++] = m[i];
		c->info = (c->info & ~0xffffu) | n;
		g->st.members += n;
		sz = sizeof(*c) + n * sizeof(*o);
	} else if (core_is_any_enum(t) && !(g->mark[id] & M_ENUM_ALL)) {
		size_t esz = core_kind(t) == BTF_KIND_ENUM ? sizeof(struct btf_enum)
							   : sizeof(struct btf_enum64);
		const char *e = (const char *)(t + 1);
		char *o = (char *)(c + 1);
		uint32_t n = 0;

		for (uint32_t i = 0; i < core_vlen(t); i++)
			if (g->mem[g->mem_base[id] + i])
				memcpy(o + esz * n++, e + esz * i, esz);
		c->info = (c->info & ~0xffffu) | n;
		g->st.enumerators += n;
		sz = sizeof(*c) + n * esz;
	}
	ret = btf_visit_type_ids(c, remap_id, r);
	if (!ret)
		ret = btf_visit_str_offs(c, remap_str, r);
	if (!ret) {
		got = btf_add_type(r->dst, c, c + 1, sz - sizeof(*c));
		ret = got < 0 ? (int)got : (uint32_t)got != want ? -EINVAL : 0;
	}
	free(c);
	return ret;
}

/* The marked types, in order, as a new BTF; new_id[old id] gets the ids. */
static int build(struct core_gen *g, uint32_t *new_id, struct btf **out, char *err, size_t errlen)
{
	struct remap r = { .g = g, .new_id = new_id, .dst = btf_new() };
	uint32_t n = 1;
	int ret = 0;

	*out = NULL;
	if (!r.dst)
		return -ENOMEM;
	memset(new_id, 0, g->nr * sizeof(*new_id));
	g->st.members = g->st.enumerators = 0;
	for (uint32_t id = 1; id < g->nr; id++)
		if (g->mark[id])
			new_id[id] = n++;
	for (uint32_t id = 1; id < g->nr && !ret; id++) {
		if (!g->mark[id])
			continue;
		ret = copy_type(g, &r, id, new_id[id]);
		if (ret)
			core_errf(err, errlen, "copying type [%u] '%s' failed: %s", id,
				  btf_type_name(g->target, id), strerror(-ret));
	}
	g->st.types = n - 1;
	if (ret) {
		btf_free(r.dst);
		return ret;
	}
	*out = r.dst;
	return 0;
}

/* One try: mark (the first or every matching candidate), build, and
 * resolve everything again against the result.  *ok: same decisions. */
static int try_mode(struct core_gen *g, int mode, uint32_t *new_id, void **data, size_t *size,
		    bool *ok, char *err, size_t errlen)
{
	struct btf *min = NULL, *back = NULL;
	long differs = -1;
	int ret = 0;

	*ok = false;
	memset(g->mark, 0, g->nr);
	memset(g->mem, 0, g->nr_mem ? g->nr_mem : 1);
	for (size_t i = 0; i < g->nr_objs && !ret; i++)
		ret = walk_obj(g, &g->objs[i], g->target, mode, NULL, NULL, err, errlen);
	if (!ret)
		ret = build(g, new_id, &min, err, errlen);
	if (!ret) {
		ret = btf_serialize(min, btf_byte_order(g->target), data, size);
		if (ret)
			core_errf(err, errlen, "serializing the minimized BTF failed: %s", strerror(-ret));
	}
	/* read back as a loader would: it must parse and decide the same */
	if (!ret) {
		ret = btf_parse(*data, *size, "minimized BTF", &back);
		if (ret)
			core_errf(err, errlen, "the minimized BTF does not parse back: %s", strerror(-ret));
	}
	for (size_t i = 0; i < g->nr_objs && !ret && differs < 0; i++)
		ret = walk_obj(g, &g->objs[i], back, WALK_CHECK, new_id, &differs, err, errlen);
	*ok = !ret && differs < 0;
	if (!ret && !*ok) {
		free(*data);
		*data = NULL;
		*size = 0;
	}
	btf_free(back);
	btf_free(min);
	return ret;
}

int core_gen_write(struct core_gen *g, void **data, size_t *size, struct core_gen_stats *stats,
		   char *err, size_t errlen)
{
	uint32_t *new_id = calloc(g->nr, sizeof(*new_id));
	bool ok = false;
	int ret = -ENOMEM;

	*data = NULL;
	*size = 0;
	if (!new_id)
		goto out;
	g->st.all_cands = false;
	ret = try_mode(g, WALK_MARK_FIRST, new_id, data, size, &ok, err, errlen);
	if (!ret && !ok) {
		g->st.all_cands = true;
		ret = try_mode(g, WALK_MARK_ALL, new_id, data, size, &ok, err, errlen);
		if (!ret && !ok) {
			core_errf(err, errlen, "the minimized BTF would change a CO-RE decision");
			ret = -EPROTO;
		}
	}
out:
	if (stats)
		*stats = g->st;
	free(new_id);
	return ret;
}
