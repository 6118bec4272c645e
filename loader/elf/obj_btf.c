/* Matching ELF symbols and BTF types, and filling in the .BTF offsets and
 * sizes clang leaves open.  Names alone are not enough: a linked object
 * holds one `static int counter` per vendor, all in .data, so data symbols
 * are matched through their place (section and offset) and functions
 * through the func_info record at their first instruction. */
#include "obj.h"
#include "base/log.h"
#include "btf/btf.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int obj_sec_sym_at(const struct obj *o, uint32_t sec, const char *name, uint64_t off)
{
	int found = -ENOENT, nr = 0, at = -ENOENT, nr_at = 0;

	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->sec != sec || s->type == STT_SECTION || s->type == STT_FILE ||
		    strcmp(s->name, name))
			continue;
		if (!nr++)
			found = (int)i;
		if (s->value == off && !nr_at++)
			at = (int)i;
	}
	if (nr <= 1)
		return found;
	return nr_at == 1 ? at : -EEXIST;
}

static uint32_t linkage_of(const struct btf_type *t)
{
	if (BTF_INFO_KIND(t->info) == BTF_KIND_VAR)
		return ((const struct btf_var *)(t + 1))->linkage;
	return BTF_INFO_VLEN(t->info);	/* FUNC: static 0, global 1, extern 2 */
}

/* A VAR of DATASEC ds for symbol s: by offset when the DATASEC is filled in
 * (a linked object), otherwise by name if that is unique. */
static int64_t var_in_datasec(const struct obj *o, uint32_t ds, const struct obj_sym *s)
{
	const struct btf_type *t = btf_type_by_id(o->btf, ds);
	const struct btf_var_secinfo *vi = (const void *)(t + 1);
	int64_t by_name = -ENOENT;
	int nr_name = 0;

	for (uint16_t k = 0; k < BTF_INFO_VLEN(t->info); k++) {
		const struct btf_type *v = btf_type_by_id(o->btf, vi[k].type);

		if (!v || BTF_INFO_KIND(v->info) != BTF_KIND_VAR ||
		    strcmp(btf_type_name(o->btf, vi[k].type), s->name))
			continue;
		if (t->size && vi[k].offset == s->value)
			return vi[k].type;
		if (!nr_name++)
			by_name = vi[k].type;
	}
	return nr_name == 1 ? by_name : -ENOENT;
}

/* The FUNC named like s whose func_info starts at s's first instruction. */
static int64_t func_at(const struct obj *o, const struct obj_sym *s)
{
	const struct btf_ext_info *fi;

	if (!o->btf_ext)
		return -ENOENT;
	fi = &o->btf_ext->func;
	for (size_t k = 0; k < fi->nr_secs; k++) {
		const struct btf_ext_sec *es = &fi->secs[k];

		if (strcmp(es->sec_name, o->secs[s->sec].name))
			continue;
		for (uint32_t r = 0; r < es->nr; r++) {
			const struct btf_ext_func *f =
				(const void *)((const uint8_t *)es->recs + (size_t)r * fi->rec_size);
			const struct btf_type *t = btf_type_by_id(o->btf, f->type_id);

			if (f->insn_off == s->value && t && BTF_INFO_KIND(t->info) == BTF_KIND_FUNC &&
			    !strcmp(btf_type_name(o->btf, f->type_id), s->name))
				return f->type_id;
		}
	}
	return -ENOENT;
}

/* By name among VARs and FUNCs whose linkage fits the symbol's binding:
 * a local symbol wants static linkage, a global one global, an extern
 * extern.  Unique or nothing. */
static int64_t by_name(const struct obj *o, const struct obj_sym *s)
{
	uint32_t want = s->bind == STB_LOCAL ? 0 : s->sec == OBJ_SEC_UNDEF ? 2 : 1;
	int64_t found = -ENOENT;
	int nr = 0;

	for (uint32_t id = 1; id < btf_nr_types(o->btf); id++) {
		const struct btf_type *t = btf_type_by_id(o->btf, id);
		uint32_t kind = BTF_INFO_KIND(t->info);

		if ((kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC) || linkage_of(t) != want ||
		    strcmp(btf_type_name(o->btf, id), s->name))
			continue;
		if (!nr++)
			found = id;
	}
	return nr == 1 ? found : -ENOENT;
}

int64_t obj_sym_btf_id(const struct obj *o, uint32_t sym)
{
	const struct obj_sym *s;

	if (!o->btf || sym == 0 || sym >= o->nr_syms)
		return -ENOENT;
	s = &o->syms[sym];
	if (s->sec != OBJ_SEC_UNDEF && s->sec < o->nr_secs) {
		int64_t ds, id;

		if (obj_sec_is_prog(o, s->sec)) {
			id = func_at(o, s);
			return id > 0 ? id : by_name(o, s);
		}
		ds = btf_find(o->btf, o->secs[s->sec].name, BTF_KIND_DATASEC);
		return ds > 0 ? var_in_datasec(o, (uint32_t)ds, s) : -ENOENT;
	}
	return by_name(o, s);
}

static int cmp_secinfo(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->type < y->type ? -1 : x->type > y->type;
}

static int fixup_datasec(struct obj *o, uint32_t id, struct btf_type *t)
{
	const char *sec_name = btf_type_name(o->btf, id);
	struct btf_var_secinfo *vi = (struct btf_var_secinfo *)(t + 1);
	uint16_t vlen = BTF_INFO_VLEN(t->info);
	int sec = obj_find_sec(o, sec_name);
	bool filled;

	/* Extern-only DATASECs (.kconfig, .ksyms) have no ELF section: they
	 * are left as clang wrote them for the loader to resolve or drop. */
	if (sec < 0) {
		pr_debug("%s: .BTF: DATASEC '%s' has no section, left as is", o->path, sec_name);
		return 0;
	}
	if (o->secs[sec].size > UINT32_MAX) {
		pr_err("%s: section '%s' is too large for BTF", o->path, sec_name);
		return -E2BIG;
	}
	/* A filled-in DATASEC (a linked object) keeps its offsets: its names
	 * need not be unique (one static 'counter' per linked input). */
	filled = t->size != 0;
	t->size = (uint32_t)o->secs[sec].size;
	for (uint16_t i = 0; i < vlen; i++) {
		const struct btf_type *v = btf_type_by_id(o->btf, vi[i].type);
		const char *var_name;
		int sym;

		if (!v || BTF_INFO_KIND(v->info) != BTF_KIND_VAR)
			continue;	/* extern FUNCs in .ksyms */
		if (((const struct btf_var *)(v + 1))->linkage == BTF_VAR_GLOBAL_EXTERN)
			continue;
		var_name = btf_type_name(o->btf, vi[i].type);
		if (filled) {
			if ((uint64_t)vi[i].offset + vi[i].size > o->secs[sec].size) {
				pr_err("%s: .BTF: DATASEC '%s': variable '%s' (size %u at 0x%x) is outside the section",
				       o->path, sec_name, var_name, vi[i].size, vi[i].offset);
				return -EINVAL;
			}
			continue;
		}
		sym = obj_sec_sym_at(o, (uint32_t)sec, var_name, vi[i].offset);
		if (sym < 0) {
			pr_err("%s: .BTF: DATASEC '%s': %s symbol for variable '%s'",
			       o->path, sec_name, sym == -EEXIST ? "more than one" : "no", var_name);
			return sym;
		}
		if (o->syms[sym].value + vi[i].size > o->secs[sec].size) {
			pr_err("%s: .BTF: DATASEC '%s': variable '%s' (size %u at 0x%llx) is outside the section",
			       o->path, sec_name, var_name, vi[i].size,
			       (unsigned long long)o->syms[sym].value);
			return -EINVAL;
		}
		vi[i].offset = (uint32_t)o->syms[sym].value;
	}
	qsort(vi, vlen, sizeof(*vi), cmp_secinfo);
	return 0;
}

int obj_fixup_btf(struct obj *o)
{
	uint32_t n;

	if (!o->btf)
		return 0;
	n = btf_nr_types(o->btf);
	for (uint32_t id = 1; id < n; id++) {
		struct btf_type *t = btf_type_mut(o->btf, id);
		int err;

		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC)
			continue;
		err = fixup_datasec(o, id, t);
		if (err)
			return err;
	}
	return 0;
}
