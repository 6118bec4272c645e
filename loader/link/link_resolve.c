/* Symbol collection and resolution, with libbpf's linker rules: static
 * symbols never take part; strong beats weak in either order; the first of
 * several weak definitions wins; externs resolve by name in either
 * direction; an extern map must match its definition. */
#include "link_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/mapdef.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool sec_is_special(const struct obj *o, uint32_t sec)
{
	return sec < o->nr_secs && (!strcmp(o->secs[sec].name, "license") ||
				    !strcmp(o->secs[sec].name, "version"));
}

/* Is section sec of input in a license/version section that an earlier
 * input has too?  The output keeps the first copy of the bytes and, as
 * libbpf's linker, only the first copy's symbols. */
static bool special_dup(const struct link_ctx *c, uint32_t in, uint32_t sec)
{
	const char *name = c->in[in]->secs[sec].name;

	for (uint32_t i = 0; i < in; i++) {
		int k = obj_find_sec(c->in[i], name);

		if (k > 0 && c->in[i]->secs[k].size)
			return true;
	}
	return false;
}

/* Is extern idx placed in an initial slot of one of in's prog arrays? */
static bool in_prog_array_values(const struct link_ctx *c, uint32_t in, uint32_t idx)
{
	for (size_t k = 0; k < c->nr_defs[in]; k++) {
		const struct map_def *d = &c->defs[in][k];

		for (size_t j = 0; d->type == BPF_MAP_TYPE_PROG_ARRAY && j < d->nr_init; j++)
			if (d->init[j].sym == idx)
				return true;
	}
	return false;
}

/* Are all references to symbol idx (at least one) relocations in .maps,
 * i.e. function pointers in initial slots, never code or data using it? */
static bool only_in_maps(const struct obj *o, uint32_t idx)
{
	size_t refs = 0;

	for (uint32_t si = 1; si < o->nr_secs; si++) {
		const struct obj_sec *sec = &o->secs[si];

		for (size_t r = 0; r < sec->nr_relocs; r++) {
			if (sec->relocs[r].sym != idx)
				continue;
			if (!obj_sec_is_maps(o, si))
				return false;
			refs++;
		}
	}
	return refs > 0;
}

static enum lsym_kind classify(const struct link_ctx *c, uint32_t in, uint32_t idx)
{
	const struct obj *o = c->in[in];
	const struct obj_sym *s = &o->syms[idx];

	if (s->sec == OBJ_SEC_UNDEF) {
		for (size_t k = 0; k < c->nr_defs[in]; k++)
			if (c->defs[in][k].sym == idx)
				return LK_MAP;
		if (s->type == STT_FUNC ||
		    (o->btf && btf_find(o->btf, s->name, BTF_KIND_FUNC) >= 0))
			return LK_FUNCTION;
		/* clang gives an extern function that is only placed in a
		 * prog array's .values neither STT_FUNC nor a BTF FUNC: it is
		 * still a function pointer, not a variable. */
		if (in_prog_array_values(c, in, idx) ||
		    (s->type == STT_NOTYPE && only_in_maps(o, idx)))
			return LK_FUNCTION;
		return LK_VARIABLE;
	}
	if (obj_sec_is_maps(o, s->sec))
		return LK_MAP;
	if (obj_sec_is_prog(o, s->sec) && s->type == STT_FUNC)
		return obj_sec_is_text(o, s->sec) ? LK_FUNCTION : LK_PROGRAM;
	return LK_VARIABLE;
}

/* Is name a variable or function of BTF DATASEC ".kconfig" or ".ksyms"? */
static bool in_load_time_datasec(const struct btf *b, const char *name)
{
	for (uint32_t id = 1; b && id < btf_nr_types(b); id++) {
		const struct btf_type *t = btf_type_by_id(b, id);
		const struct btf_var_secinfo *vi = (const void *)(t + 1);
		const char *sec = btf_type_name(b, id);

		if (BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC ||
		    (strcmp(sec, ".kconfig") && strcmp(sec, ".ksyms")))
			continue;
		for (uint16_t k = 0; k < BTF_INFO_VLEN(t->info); k++)
			if (!strcmp(btf_type_name(b, vi[k].type), name))
				return true;
	}
	return false;
}

static int add_lsym(struct link_ctx *c, uint32_t in, uint32_t idx)
{
	const struct obj *o = c->in[in];
	const struct obj_sym *s = &o->syms[idx];
	struct lsym *l, *p;

	if (s->sec == OBJ_SEC_COMMON || s->sec == OBJ_SEC_ABS) {
		pr_err("%s: symbol '%s': %s symbols are not supported", o->path, s->name,
		       s->sec == OBJ_SEC_ABS ? "absolute" : "common");
		return -ENOTSUP;
	}
	if (s->sec != OBJ_SEC_UNDEF &&
	    (s->value > o->secs[s->sec].size || s->size > o->secs[s->sec].size - s->value)) {
		pr_err("%s: section '%s': symbol '%s' (0x%llx+%llu) is outside its section",
		       o->path, o->secs[s->sec].name, s->name,
		       (unsigned long long)s->value, (unsigned long long)s->size);
		return -EINVAL;
	}
	p = realloc(c->syms, (c->nr_syms + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->syms = p;
	l = &c->syms[c->nr_syms];
	*l = (struct lsym){ .in = in, .sym = idx, .orig = s->name,
			    .defined = s->sec != OBJ_SEC_UNDEF,
			    .weak = s->bind == STB_WEAK, .winner = -1, .out_sym = -1 };
	l->kind = classify(c, in, idx);
	l->special = l->defined && sec_is_special(o, s->sec);
	l->dup_special = l->special && special_dup(c, in, s->sec);
	l->load_time = !l->defined && in_load_time_datasec(o->btf, s->name);
	l->pinned = link_is_pinned_def(c, l);
	l->name = strdup(s->name);
	if (!l->name)
		return -ENOMEM;
	c->sym_lsym[in][idx] = (int)c->nr_syms++;
	return 0;
}

/* Mark the symbols that some call instruction targets through a relocation. */
static void mark_called(struct link_ctx *c, uint32_t in)
{
	const struct obj *o = c->in[in];

	for (uint32_t si = 1; si < o->nr_secs; si++) {
		const struct obj_sec *sec = &o->secs[si];

		if (!obj_sec_is_prog(o, si) || !sec->data)
			continue;
		for (size_t r = 0; r < sec->nr_relocs; r++) {
			struct bpf_insn insn;
			int l = c->sym_lsym[in][sec->relocs[r].sym];

			if (l < 0 || sec->relocs[r].offset + 8 > sec->size)
				continue;
			obj_insn_get(o, sec, sec->relocs[r].offset, &insn);
			if (insn.code == (BPF_JMP | BPF_CALL))
				c->syms[l].called = true;
		}
	}
}

int link_collect_syms(struct link_ctx *c)
{
	for (uint32_t i = 0; i < c->nr_in; i++) {
		const struct obj *o = c->in[i];

		c->sym_lsym[i] = malloc((o->nr_syms ? o->nr_syms : 1) * sizeof(int));
		if (!c->sym_lsym[i])
			return -ENOMEM;
		for (uint32_t j = 0; j < o->nr_syms; j++) {
			const struct obj_sym *s = &o->syms[j];
			int err;

			c->sym_lsym[i][j] = -1;
			if (j == 0 || s->bind == STB_LOCAL || s->type == STT_SECTION ||
			    s->type == STT_FILE || !s->name[0])
				continue;
			err = add_lsym(c, i, j);
			if (err)
				return err;
		}
		mark_called(c, i);
	}
	return 0;
}

/* ---- resolution ---- */

static const struct link_ctx *sort_ctx;	/* qsort has no context argument */

static int cmp_by_name(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	int r = strcmp(sort_ctx->syms[x].name, sort_ctx->syms[y].name);

	return r ? r : (x > y) - (x < y);
}

/* Indices of c->syms sorted by link name, then input order (deterministic). */
int *link_sorted_syms(const struct link_ctx *c)
{
	int *idx = malloc((c->nr_syms ? c->nr_syms : 1) * sizeof(int));

	if (!idx)
		return NULL;
	for (size_t k = 0; k < c->nr_syms; k++)
		idx[k] = (int)k;
	sort_ctx = c;
	qsort(idx, c->nr_syms, sizeof(int), cmp_by_name);
	return idx;
}

/* Calls fn on every group of symbols sharing a link name that has at
 * least two strong definitions. */
int link_for_each_conflict(struct link_ctx *c, void *arg,
			   int (*fn)(struct link_ctx *c, const int *g, size_t n, void *arg))
{
	int *idx = link_sorted_syms(c);
	int err = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t a = 0, b; a < c->nr_syms && !err; a = b) {
		size_t nr_strong = 0;

		for (b = a; b < c->nr_syms &&
		     !strcmp(c->syms[idx[a]].name, c->syms[idx[b]].name); b++)
			nr_strong += link_strong_def(&c->syms[idx[b]]);
		if (nr_strong > 1)
			err = fn(c, idx + a, b - a, arg);
	}
	free(idx);
	return err;
}

static const char *path_of(const struct link_ctx *c, const struct lsym *s)
{
	return c->in[s->in]->path;
}

static int check_map_pair(const struct link_ctx *c, const struct lsym *s, const struct lsym *w)
{
	const struct map_def *a = link_map_def(c, s), *b = link_map_def(c, w);
	const char *why = NULL;

	if (w->kind != LK_MAP) {
		pr_err("%s: .maps: extern map '%s' resolves to %s '%s' in %s, which is not a map",
		       path_of(c, s), s->orig, link_kind_name(w->kind), w->orig, path_of(c, w));
		return -EINVAL;
	}
	if (!a || !b)
		return 0;	/* no definition details (e.g. legacy) to compare */
	if (map_def_compat(a, b, &why)) {
		pr_err("%s: .maps: %s map '%s' does not match its definition in %s: %s differs",
		       path_of(c, s), s->defined ? "weak" : "extern", s->orig,
		       path_of(c, w), why ? why : "definition");
		return -EINVAL;
	}
	return 0;
}

static int check_member(const struct link_ctx *c, const struct lsym *s, const struct lsym *w)
{
	bool s_func = s->kind == LK_FUNCTION || s->kind == LK_PROGRAM;
	bool w_func = w->kind == LK_FUNCTION || w->kind == LK_PROGRAM;

	if (s_func != w_func) {
		pr_err("%s: %s '%s' resolves to %s '%s' in %s",
		       path_of(c, s), link_kind_name(s->kind), s->name,
		       link_kind_name(w->kind), w->name, path_of(c, w));
		return -EINVAL;
	}
	if (s->kind == LK_MAP) {
		int err = check_map_pair(c, s, w);

		if (err)
			return err;
	}
	/* license/version sections are compared byte for byte instead */
	return s->special || w->special ? 0 : link_check_types(c, s, w);
}

/* libbpf's rules for the one output symbol of a name: strong when any
 * member, extern or definition, is strong; the strictest visibility of any
 * member (__hidden on an extern hides the definition).  The output symbol
 * takes its visibility, and an extern's binding, from the input symbol it
 * is made of (the winner, or the first extern): they are set on that input
 * symbol, as libbpf sets them on its output symbol. */
static void merge_bind_vis(struct link_ctx *c, const int *g, size_t n, int w)
{
	bool strong = false;
	uint8_t vis = STV_DEFAULT;

	for (size_t k = 0; k < n; k++) {
		const struct lsym *l = &c->syms[g[k]];
		const struct obj_sym *s = &c->in[l->in]->syms[l->sym];

		strong |= s->bind == STB_GLOBAL;
		if (s->vis > vis)
			vis = s->vis;
	}
	/* The inputs stay as they were: the result lives in the lsyms. */
	for (size_t k = 0; k < n; k++) {
		struct lsym *l = &c->syms[g[k]];

		l->vis = vis;
		if (strong && (w < 0 || g[k] == w))
			l->weak = false;
	}
}

static int resolve_group(struct link_ctx *c, const int *g, size_t n)
{
	int w = -1, strong = -1;
	bool any_called = false, placeholder = false;

	for (size_t k = 0; k < n; k++) {
		const struct lsym *s = &c->syms[g[k]];

		if (!s->defined)
			continue;
		if (link_strong_def(s)) {
			if (strong >= 0) {
				pr_err("conflicting non-weak symbol '%s' defined in %s and %s",
				       s->name, path_of(c, &c->syms[strong]), path_of(c, s));
				return -EEXIST;
			}
			strong = g[k];
		}
		if (w < 0)
			w = g[k];
	}
	if (strong >= 0)
		w = strong;
	for (size_t k = 0; k < n; k++) {
		struct lsym *s = &c->syms[g[k]];
		int err;

		any_called |= s->called;
		placeholder |= s->defined && s->kind == LK_FUNCTION;
		if (w < 0) {
			if (c->opts->allow_unresolved || s->load_time)
				continue;
			pr_err("%s: unresolved extern %s '%s': no input defines it",
			       path_of(c, s), link_kind_name(s->kind), s->name);
			return -ENOENT;
		}
		s->winner = w;
		if (g[k] == w)
			continue;
		err = check_member(c, s, &c->syms[w]);
		if (err)
			return err;
		s->drop = s->defined && !s->special;
	}
	/* An entry program that something calls, or that takes the place of
	 * a .text placeholder, becomes a subprogram: loaders only accept
	 * bpf-to-bpf calls into .text.  Otherwise it stays a program (two weak
	 * programs of one name: the first stays, as with libbpf). */
	if (w >= 0 && c->syms[w].kind == LK_PROGRAM && (any_called || placeholder))
		c->syms[w].move_to_text = true;
	merge_bind_vis(c, g, n, w);
	return 0;
}

int link_resolve(struct link_ctx *c)
{
	int *idx = link_sorted_syms(c);
	int err = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t a = 0, b; a < c->nr_syms && !err; a = b) {
		for (b = a + 1; b < c->nr_syms &&
		     !strcmp(c->syms[idx[a]].name, c->syms[idx[b]].name); b++)
			;
		err = resolve_group(c, idx + a, b - a);
	}
	free(idx);
	return err;
}
