/* Building one program image: the entry function, then every function it
 * reaches (calls and callback references, transitively) appended in the
 * order first reached, with map / global data / call relocations resolved
 * and func_info / line_info rebuilt in instruction units.  Externs and
 * kfuncs are resolved by load_extern.c; function bodies come from the
 * CO-RE-patched copy of their section when it has one (load_core.c). */
#include "load_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/elf_bpf.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>


struct func_ref {
	uint32_t sec;
	uint32_t sym;
	uint64_t start, size;	/* bytes in sec */
	uint32_t new_start;	/* insn index in the image */
};

struct builder {
	struct load_ctx *c;
	struct prog_image *img;
	const char *prog;	/* entry name */
	char what[512];		/* "OBJ: program NAME" or the caller's name for it */
	const char *prog_sec;
	struct func_ref *funcs;
	size_t nr_funcs;
	int32_t **rel_at;	/* per section: insn index -> reloc index, -1 */
};

static const char *sec_name(const struct obj *o, uint32_t sec)
{
	return sec < o->nr_secs ? o->secs[sec].name : "?";
}

static int build_rel_index(struct builder *b, uint32_t sec)
{
	const struct obj *o = b->c->o;
	uint64_t off;
	int err = b->rel_at[sec] ? 0 : obj_reloc_index(o, sec, &b->rel_at[sec], &off);

	if (err == -EINVAL)
		pr_err("%s: section %s: relocation at offset %llu is not on an instruction",
		       o->path, o->secs[sec].name, (unsigned long long)off);
	else if (err == -EEXIST)
		pr_err("%s: section %s: two relocations at offset %llu (one instruction)",
		       o->path, o->secs[sec].name, (unsigned long long)off);
	return err == -EEXIST ? -EINVAL : err;
}

/* Index of the function at (sec, off) in b->funcs, appending its body to the
 * image the first time. */
static int use_func(struct builder *b, uint32_t sec, uint64_t off, const char *why)
{
	const struct obj *o = b->c->o;
	struct prog_image *img = b->img;
	const struct obj_sec *s;
	struct func_ref *f;
	uint64_t n;
	int sym, err;

	for (size_t i = 0; i < b->nr_funcs; i++)
		if (b->funcs[i].sec == sec && b->funcs[i].start == off)
			return (int)i;
	if (sec >= o->nr_secs || !obj_sec_is_prog(o, sec) || !o->secs[sec].data) {
		pr_err("%s: %s target is in section %s, which holds no code",
		       b->what, why, sec_name(o, sec));
		return -EINVAL;
	}
	s = &o->secs[sec];
	sym = obj_func_at(o, sec, off);
	if (sym < 0) {
		pr_err("%s: %s target %s+%llu is not the start of a function",
		       b->what, why, s->name, (unsigned long long)off);
		return -EINVAL;
	}
	n = o->syms[sym].size / 8;
	if (o->syms[sym].size % 8 || off % 8 || off + o->syms[sym].size > s->size ||
	    img->nr_insns + n > 1000000) {
		pr_err("%s: section %s: function %s has a bad size", o->path, s->name, o->syms[sym].name);
		return -EINVAL;
	}
	err = build_rel_index(b, sec);
	if (err)
		return err;
	f = realloc(b->funcs, (b->nr_funcs + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	b->funcs = f;
	struct bpf_insn *ni = realloc(img->insns, (img->nr_insns + n) * sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	img->insns = ni;
	if (b->c->core_insns && b->c->core_insns[sec])
		memcpy(&img->insns[img->nr_insns], &b->c->core_insns[sec][off / 8], n * sizeof(*ni));
	else
		for (uint64_t k = 0; k < n; k++)
			obj_insn_get(o, s, off + k * 8, &img->insns[img->nr_insns + k]);
	b->funcs[b->nr_funcs] = (struct func_ref){ .sec = sec, .sym = (uint32_t)sym, .start = off,
		.size = o->syms[sym].size, .new_start = img->nr_insns };
	img->nr_insns += (uint32_t)n;
	return (int)b->nr_funcs++;
}

static int map_for_sec_sym(struct builder *b, uint32_t symi, int64_t off)
{
	const struct load_ctx *c = b->c;
	const struct obj_sym *sym = &c->o->syms[symi];

	if (sym->type != STT_SECTION)
		return load_map_for_def_sym(c, symi);
	/* Relocation against the section symbol: find the map at that offset. */
	for (size_t i = 1; i < c->o->nr_syms; i++)
		if (c->o->syms[i].sec == sym->sec && c->o->syms[i].type != STT_SECTION &&
		    (int64_t)c->o->syms[i].value == off)
			return load_map_for_def_sym(c, (uint32_t)i);
	return -ENOENT;
}

/* ld_imm64 at idx referring to an extern: the .kconfig map's value, a
 * typed ksym or kfunc by its kernel BTF id, or an address (typeless ksym;
 * 0 for a weak one that did not resolve), as libbpf writes them. */
static int reloc_extern_ldimm64(struct builder *b, uint32_t idx, uint32_t symi)
{
	struct load_ctx *c = b->c;
	const struct load_extern *e = load_extern_for_sym(c, symi);
	struct bpf_insn *insn = &b->img->insns[idx];
	int m;

	if (!e) {
		pr_err("%s: reference to undefined symbol %s", b->what,
		       c->o->syms[symi].name);
		return -EINVAL;
	}
	if (e->kcfg) {
		m = load_map_for_kconfig(c);
		if (m < 0)
			return -EINVAL;
		insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
		insn[0].imm = c->lo->maps[m].fd;
		insn[1].imm = (int32_t)e->data_off;
	} else if ((e->typed || e->func) && e->is_set) {
		insn[0].src_reg = BPF_PSEUDO_BTF_ID;
		insn[0].imm = (int32_t)e->kernel_btf_id;
		insn[1].imm = e->kernel_btf_obj_fd;
	} else {
		insn[0].imm = (int32_t)(uint32_t)e->addr;
		insn[1].imm = (int32_t)(uint32_t)(e->addr >> 32);
	}
	return 0;
}

/* A call of a kfunc: its kernel BTF id (and fd_array index for a module);
 * a weak kfunc that did not resolve is called as id 0 (dead code behind
 * bpf_ksym_exists()), as libbpf 1.1 does; on a kernel without BTF it
 * becomes a poisoned helper call instead. */
#define POISON_CALL_KFUNC_BASE 2002000000
static int reloc_kfunc_call(struct builder *b, uint32_t idx, uint32_t symi)
{
	const struct load_extern *e = load_extern_for_sym(b->c, symi);
	struct bpf_insn *insn = &b->img->insns[idx];

	if (!e || !e->func) {
		pr_err("%s: call to %s, which is no kernel function (kfunc) in the object's BTF",
		       b->what, b->c->o->syms[symi].name);
		return -EINVAL;
	}
	if (!e->is_set && b->c->no_kernel_btf) {
		/* A kernel without BTF refuses any kfunc call, even dead
		 * code: a helper call no kernel has instead, as libbpf >= 1.2
		 * poisons every unresolved weak kfunc call (its 2002000000 +
		 * the extern's index), which the verifier drops behind the
		 * guard and names if reached. */
		insn->code = BPF_JMP | BPF_CALL;
		insn->src_reg = 0;
		insn->dst_reg = 0;
		insn->off = 0;
		insn->imm = POISON_CALL_KFUNC_BASE + (int32_t)(e - b->c->exts);
		pr_debug("%s: insn #%u: weak kfunc %s is not resolved (no kernel BTF): "
			 "poisoned as call #%d", b->what, idx, e->name, insn->imm);
		return 0;
	}
	insn->src_reg = BPF_PSEUDO_KFUNC_CALL;
	insn->imm = e->is_set ? (int32_t)e->kernel_btf_id : 0;
	insn->off = e->is_set ? e->fd_idx : 0;
	return 0;
}

/* ld_imm64 at image index idx, relocated against symbol symi. */
static int reloc_ldimm64(struct builder *b, uint32_t idx, uint32_t symi)
{
	struct load_ctx *c = b->c;
	const struct obj *o = c->o;
	const struct obj_sym *sym = &o->syms[symi];
	struct bpf_insn *insn = &b->img->insns[idx];
	const char *tsec;
	int64_t off = (int64_t)sym->value + insn[0].imm;
	int m, f;

	if (sym->sec == OBJ_SEC_UNDEF)
		return reloc_extern_ldimm64(b, idx, symi);
	if (sym->sec >= o->nr_secs) {
		pr_err("%s: reference to symbol %s which has no section", b->what, sym->name);
		return -EINVAL;
	}
	tsec = o->secs[sym->sec].name;
	if (!strcmp(tsec, ".maps") || !strcmp(tsec, "maps")) {
		m = map_for_sec_sym(b, symi, off);
		if (m < 0) {
			pr_err("%s: reference to %s+%lld in section %s, which is no map",
			       b->what, sym->name, (long long)off, tsec);
			return -EINVAL;
		}
		insn[0].src_reg = BPF_PSEUDO_MAP_FD;
		insn[0].imm = c->lo->maps[m].fd;
		insn[1].imm = 0;
		return 0;
	}
	if (load_sec_is_global_data(tsec) && !obj_sec_is_prog(o, sym->sec)) {
		m = load_map_for_data_sec(c, sym->sec);
		if (m < 0 || off < 0 || (uint64_t)off >= o->secs[sym->sec].size) {
			pr_err("%s: reference to %s+%lld outside section %s",
			       b->what, sym->name, (long long)off, tsec);
			return -EINVAL;
		}
		insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
		insn[0].imm = c->lo->maps[m].fd;
		insn[1].imm = (int32_t)off;
		return 0;
	}
	if (obj_sec_is_prog(o, sym->sec)) {
		if (off < 0 || off % 8) {
			pr_err("%s: callback reference %s+%lld is not on an instruction",
			       b->what, sym->name, (long long)off);
			return -EINVAL;
		}
		f = use_func(b, sym->sec, (uint64_t)off, "callback");
		if (f < 0)
			return f;
		insn = &b->img->insns[idx];	/* the image may have moved */
		insn[0].src_reg = BPF_PSEUDO_FUNC;
		insn[0].imm = (int32_t)(b->funcs[f].new_start - (idx + 1));
		insn[1].imm = 0;
		return 0;
	}
	pr_err("%s: reference to %s in section %s, which is not a map, global data or code",
	       b->what, sym->name, tsec);
	return -EINVAL;
}

/* bpf-to-bpf call at image index idx; rel is its relocation or NULL. */
static int reloc_call(struct builder *b, const struct func_ref *from, uint32_t idx,
		      const struct obj_reloc *rel)
{
	const struct obj *o = b->c->o;
	struct bpf_insn *insn = &b->img->insns[idx];
	uint32_t tsec = from->sec;
	int64_t target = (int64_t)(from->start + (uint64_t)(idx - from->new_start) * 8) +
			 ((int64_t)insn->imm + 1) * 8;
	int f;

	if (rel) {
		const struct obj_sym *sym = &o->syms[rel->sym];

		tsec = sym->sec;
		target = (int64_t)sym->value + ((int64_t)insn->imm + 1) * 8;
	}
	if (target < 0) {
		pr_err("%s: call target before the start of section %s",
		       b->what, sec_name(o, tsec));
		return -EINVAL;
	}
	f = use_func(b, tsec, (uint64_t)target, "call");
	if (f < 0)
		return f;
	b->img->insns[idx].imm = (int32_t)(b->funcs[f].new_start - (idx + 1));
	return 0;
}

static int reloc_func(struct builder *b, size_t fi)
{
	const struct obj *o = b->c->o;
	struct func_ref f = b->funcs[fi];
	uint32_t n = (uint32_t)(f.size / 8);

	for (uint32_t k = 0; k < n; k++) {
		uint32_t idx = f.new_start + k;
		struct bpf_insn insn = b->img->insns[idx];
		int32_t ri = b->rel_at[f.sec][f.start / 8 + k];
		const struct obj_reloc *rel = ri >= 0 ? &o->secs[f.sec].relocs[ri] : NULL;
		bool bad = false;
		int err = 0;

		if (insn.code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (k + 1 >= n) {
				pr_err("%s: truncated ld_imm64 at the end of function %s",
				       b->what, o->syms[f.sym].name);
				return -EINVAL;
			}
			if (b->rel_at[f.sec][f.start / 8 + k + 1] >= 0) {
				pr_err("%s: section %s: relocation at offset %llu is on the second half of an ld_imm64 (function %s)",
				       o->path, o->secs[f.sec].name,
				       (unsigned long long)(f.start + (k + 1) * 8), o->syms[f.sym].name);
				return -EINVAL;
			}
			if (rel && rel->type == R_BPF_64_64)
				err = reloc_ldimm64(b, idx, rel->sym);
			else
				bad = rel || insn.src_reg;
			k++;
		} else if (insn.code == (BPF_JMP | BPF_CALL) && rel &&
			   o->syms[rel->sym].sec == OBJ_SEC_UNDEF) {
			err = reloc_kfunc_call(b, idx, rel->sym);
		} else if (insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == BPF_PSEUDO_CALL) {
			err = reloc_call(b, &f, idx, rel);
		} else {
			bad = rel || (insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg);
		}
		if (bad) {
			pr_err("%s: cannot relocate instruction %u of function %s (%s%s)",
			       b->what, k, o->syms[f.sym].name,
			       rel ? "relocation against " : "no relocation",
			       rel ? o->syms[rel->sym].name : "");
			return -EINVAL;
		}
		if (err)
			return err;
	}
	return 0;
}

/* One func_info per function in image order; false if one is missing. */
static int build_func_info(struct builder *b, bool *complete)
{
	const struct obj *o = b->c->o;
	struct prog_image *img = b->img;

	*complete = false;
	img->func_info = calloc(b->nr_funcs, sizeof(*img->func_info));
	if (!img->func_info)
		return -ENOMEM;
	for (size_t fi = 0; fi < b->nr_funcs; fi++) {
		const struct func_ref *f = &b->funcs[fi];
		const struct btf_ext_sec *s = btf_ext_sec_find(&o->btf_ext->func, o->secs[f->sec].name);
		bool found = false;

		for (uint32_t i = 0; s && i < s->nr && !found; i++) {
			const struct btf_ext_func *r = &((const struct btf_ext_func *)s->recs)[i];
			const struct btf_type *t = btf_type_by_id(b->c->btf, r->type_id);

			if (r->insn_off != f->start)
				continue;
			if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC)
				return 0;
			img->func_info[fi].insn_off = f->new_start;
			img->func_info[fi].type_id = r->type_id;
			found = true;
		}
		if (!found) {
			pr_debug("%s: no func_info for function %s",
				 b->what, o->syms[f->sym].name);
			return 0;
		}
	}
	img->nr_func_info = (uint32_t)b->nr_funcs;
	*complete = true;
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	const struct bpf_line_info *x = a, *y = b;

	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

/* Line records of every included function; dropped entirely unless each
 * function has one at its first instruction (the kernel insists). */
static int build_line_info(struct builder *b)
{
	const struct obj *o = b->c->o;
	struct prog_image *img = b->img;
	uint32_t nr = 0;

	for (size_t fi = 0; fi < b->nr_funcs; fi++) {
		const struct func_ref *f = &b->funcs[fi];
		const struct btf_ext_sec *s = btf_ext_sec_find(&o->btf_ext->line, o->secs[f->sec].name);
		uint32_t first = nr;

		for (uint32_t i = 0; s && i < s->nr; i++) {
			const struct btf_ext_line *r = &((const struct btf_ext_line *)s->recs)[i];
			struct bpf_line_info *nl;

			if (r->insn_off < f->start || r->insn_off >= f->start + f->size || r->insn_off % 8)
				continue;
			nl = realloc(img->line_info, (nr + 1) * sizeof(*nl));
			if (!nl)
				return -ENOMEM;
			img->line_info = nl;
			nl[nr++] = (struct bpf_line_info){
				.insn_off = f->new_start + (uint32_t)((r->insn_off - f->start) / 8),
				.file_name_off = r->file_name_off, .line_off = r->line_off,
				.line_col = r->line_col };
		}
		qsort(img->line_info + first, nr - first, sizeof(*img->line_info), cmp_line);
		if (nr == first || img->line_info[first].insn_off != f->new_start) {
			pr_debug("%s: no line_info at the start of %s; sending none",
				 b->what, o->syms[f->sym].name);
			nr = 0;
			break;
		}
	}
	/* Keep the first record of each instruction: offsets must increase. */
	uint32_t w = 0;

	for (uint32_t i = 0; i < nr; i++)
		if (!w || img->line_info[i].insn_off != img->line_info[w - 1].insn_off)
			img->line_info[w++] = img->line_info[i];
	img->nr_line_info = w;
	return 0;
}

int load_prog_image_build(struct load_ctx *c, uint32_t entry_sym, struct prog_image *img)
{
	const struct obj *o = c->o;
	const struct obj_sym *entry = &o->syms[entry_sym];
	struct builder b = { .c = c, .img = img, .prog = entry->name,
			     .prog_sec = o->secs[entry->sec].name };
	bool complete;
	int err;

	memset(img, 0, sizeof(*img));
	load_prog_what(c, entry->name, b.what, sizeof(b.what));
	b.rel_at = calloc(o->nr_secs, sizeof(*b.rel_at));
	if (!b.rel_at)
		return -ENOMEM;
	err = use_func(&b, entry->sec, entry->value, "entry");
	for (size_t fi = 0; err >= 0 && fi < b.nr_funcs; fi++)
		err = reloc_func(&b, fi);
	if (err >= 0 && c->func_info_ok) {
		err = build_func_info(&b, &complete);
		if (!err && complete)
			err = build_line_info(&b);
	}
	for (size_t s = 0; s < o->nr_secs; s++)
		free(b.rel_at[s]);
	free(b.rel_at);
	free(b.funcs);
	if (err < 0) {
		prog_image_free(img);
		return err;
	}
	return 0;
}

void prog_image_free(struct prog_image *img)
{
	free(img->insns);
	free(img->func_info);
	free(img->line_info);
	memset(img, 0, sizeof(*img));
}
