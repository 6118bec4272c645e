/* Keeping one program of an object and what it uses: see obj.h
 * (obj_keep_program).  A program section is kept when a kept section has a
 * relocation against one of its symbols (a call, a prog-array
 * initializer); every section that is not a program section stays, as do
 * .text's subprograms (the loader takes only the ones called). */
#include "obj.h"
#include "btf/btf.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool sym_in(const struct obj *o, const struct obj_sym *s)
{
	return s->sec != OBJ_SEC_UNDEF && s->sec < o->nr_secs;
}

/* Marks keep[] until no kept section reaches a dropped one. */
static void mark(const struct obj *o, uint32_t entry_sec, bool *keep)
{
	bool more = true;

	for (uint32_t i = 0; i < o->nr_secs; i++)
		keep[i] = i == entry_sec || !obj_sec_is_prog(o, i) || obj_sec_is_text(o, i);
	while (more) {
		more = false;
		for (uint32_t i = 1; i < o->nr_secs; i++) {
			const struct obj_sec *s = &o->secs[i];

			for (size_t r = 0; keep[i] && r < s->nr_relocs; r++) {
				const struct obj_sym *t = &o->syms[s->relocs[r].sym];

				if (sym_in(o, t) && !keep[t->sec]) {
					keep[t->sec] = true;
					more = true;
				}
			}
		}
	}
}

static void drop_ext_secs(struct btf_ext_info *info, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < info->nr_secs; i++) {
		if (strcmp(info->secs[i].sec_name, name)) {
			info->secs[n++] = info->secs[i];
			continue;
		}
		free(info->secs[i].sec_name);
		free(info->secs[i].recs);
	}
	info->nr_secs = n;
}

/* Removes the symbols gone[] marks (none may be named by a relocation
 * left) and renumbers the relocations; *track follows one symbol. */
static int remove_syms(struct obj *o, const bool *gone, uint32_t *track)
{
	uint32_t *symmap = calloc(o->nr_syms, sizeof(*symmap));
	size_t nsym = 0;

	if (!symmap)
		return -ENOMEM;
	for (size_t i = 0; i < o->nr_syms; i++)
		symmap[i] = i && gone[i] ? UINT32_MAX : (uint32_t)nsym++;
	for (size_t i = 0; i < o->nr_secs; i++)
		for (size_t r = 0; r < o->secs[i].nr_relocs; r++)
			if (symmap[o->secs[i].relocs[r].sym] == UINT32_MAX) {
				free(symmap);
				return -EINVAL;
			}
	for (size_t i = 0; i < o->nr_secs; i++)
		for (size_t r = 0; r < o->secs[i].nr_relocs; r++)
			o->secs[i].relocs[r].sym = symmap[o->secs[i].relocs[r].sym];
	for (size_t i = 0; i < o->nr_syms; i++) {
		if (symmap[i] == UINT32_MAX)
			free(o->syms[i].name);
		else
			o->syms[symmap[i]] = o->syms[i];
	}
	o->nr_syms = nsym;
	*track = symmap[*track];
	free(symmap);
	return 0;
}

static void drop_ext_all(struct obj *o, const char *name)
{
	if (!o->btf_ext)
		return;
	drop_ext_secs(&o->btf_ext->func, name);
	drop_ext_secs(&o->btf_ext->line, name);
	drop_ext_secs(&o->btf_ext->core, name);
}

/* Removes the sections keep[] does not keep, their symbols, relocations
 * and .BTF.ext records; symbols and sections are renumbered. */
static int drop(struct obj *o, const bool *keep, uint32_t *track)
{
	uint32_t *secmap = calloc(o->nr_secs, sizeof(*secmap));
	bool *gone = calloc(o->nr_syms, sizeof(*gone));
	size_t ns = 0;
	int err = -ENOMEM;

	if (!secmap || !gone)
		goto out;
	for (size_t i = 0; i < o->nr_secs; i++)
		if (keep[i])
			secmap[i] = (uint32_t)ns++;
	for (size_t i = 1; i < o->nr_syms; i++)
		gone[i] = sym_in(o, &o->syms[i]) && !keep[o->syms[i].sec];
	/* mark() kept every section a kept section refers to: no relocation
	 * of a kept section names a symbol that goes */
	for (size_t i = 0; i < o->nr_secs; i++) {
		struct obj_sec *s = &o->secs[i];

		if (keep[i])
			continue;
		drop_ext_all(o, s->name);
		free(s->name);
		free(s->data);
		free(s->relocs);
		s->name = NULL;
		s->data = NULL;
		s->relocs = NULL;
		s->nr_relocs = 0;
	}
	err = remove_syms(o, gone, track);
	if (err)
		goto out;
	for (size_t i = 0; i < o->nr_syms; i++)
		if (sym_in(o, &o->syms[i]))
			o->syms[i].sec = secmap[o->syms[i].sec];
	for (size_t i = 0; i < o->nr_secs; i++)
		if (keep[i])
			o->secs[secmap[i]] = o->secs[i];
	o->nr_secs = ns;
out:
	free(secmap);
	free(gone);
	return err;
}

/* ---- other programs in the entry program's own section ---- */

static bool in_range(const struct obj_sym *f, uint64_t off)
{
	return off >= f->value && off < f->value + f->size;
}

/* Whether the section's code can be cut: every call and function address
 * in it has a relocation against a named function (none is a bare
 * pc-relative offset or relative to the section), so moving code breaks
 * no reference. */
static bool cuttable(const struct obj *o, uint32_t sec)
{
	const struct obj_sec *s = &o->secs[sec];
	uint64_t bad;
	int32_t *idx = NULL;
	bool ok = s->data && s->size % 8 == 0 && !obj_reloc_index(o, sec, &idx, &bad);

	for (uint64_t off = 0; ok && off < s->size; off += 8) {
		struct bpf_insn in;

		obj_insn_get(o, s, off, &in);
		if (((in.code == (BPF_JMP | BPF_CALL) && in.src_reg == BPF_PSEUDO_CALL) ||
		     (in.code == (BPF_LD | BPF_IMM | BPF_DW) && in.src_reg == BPF_PSEUDO_FUNC)) &&
		    idx[off / 8] < 0)
			ok = false;
	}
	free(idx);
	for (size_t i = 0; ok && i < o->nr_secs; i++)
		for (size_t r = 0; ok && r < o->secs[i].nr_relocs; r++) {
			const struct obj_sym *t = &o->syms[o->secs[i].relocs[r].sym];

			ok = t->sec != sec || (t->type == STT_FUNC && t->size);
		}
	return ok;
}

/* Entry programs of sec besides the entry that no relocation names (nor
 * one inside their bytes): cut[] per instruction.  Returns how many. */
static size_t mark_cut(const struct obj *o, uint32_t sec, uint32_t entry, bool *cut)
{
	const struct obj_sym *e = &o->syms[entry];
	size_t n = 0;

	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *f = &o->syms[i];
		bool used = i == entry || in_range(f, e->value) || in_range(e, f->value);

		if (f->sec != sec || f->type != STT_FUNC || !f->size || f->value % 8 ||
		    f->size % 8 || f->value + f->size > o->secs[sec].size)
			continue;
		for (size_t k = 0; !used && k < o->nr_secs; k++)
			for (size_t r = 0; !used && r < o->secs[k].nr_relocs; r++) {
				const struct obj_sym *t = &o->syms[o->secs[k].relocs[r].sym];

				used = t->sec == sec && (in_range(f, t->value) || in_range(t, f->value));
			}
		if (used)
			continue;
		for (uint64_t off = f->value; off < f->value + f->size; off += 8)
			cut[off / 8] = true;
		n++;
	}
	return n;
}

static void cut_ext(struct btf_ext_info *info, const char *name, const bool *cut,
		    const uint64_t *newoff)
{
	struct btf_ext_sec *es = btf_ext_sec_find(info, name);
	uint32_t n = 0;

	for (uint32_t i = 0; es && i < es->nr; i++) {
		uint8_t *rec = (uint8_t *)es->recs + (size_t)i * info->rec_size;
		uint32_t off;

		memcpy(&off, rec, sizeof(off));
		if (off % 8 || cut[off / 8])
			continue;
		off = (uint32_t)newoff[off / 8];
		memcpy(rec, &off, sizeof(off));
		memmove((uint8_t *)es->recs + (size_t)n++ * info->rec_size, rec, info->rec_size);
	}
	if (es)
		es->nr = n;
}

/* Cuts the instructions cut[] marks out of sec: its bytes, relocations,
 * symbols and .BTF.ext records (the rest moved up). */
static int cut_code(struct obj *o, uint32_t sec, const bool *cut, uint32_t *track)
{
	struct obj_sec *s = &o->secs[sec];
	size_t ninsn = s->size / 8, nr = 0;
	uint64_t *newoff = calloc(ninsn + 1, sizeof(*newoff)), at = 0;
	bool *gone = calloc(o->nr_syms, sizeof(*gone));
	int err = -ENOMEM;

	if (!newoff || !gone)
		goto out;
	for (size_t i = 0; i < ninsn; i++) {
		newoff[i] = at;
		if (!cut[i]) {
			memmove(s->data + at, s->data + i * 8, 8);
			at += 8;
		}
	}
	newoff[ninsn] = at;
	for (size_t r = 0; r < s->nr_relocs; r++) {
		uint64_t off = s->relocs[r].offset;

		if (cut[off / 8])
			continue;
		s->relocs[nr] = s->relocs[r];
		s->relocs[nr++].offset = newoff[off / 8];
	}
	s->nr_relocs = nr;
	for (size_t i = 1; i < o->nr_syms; i++) {
		struct obj_sym *y = &o->syms[i];

		if (y->sec != sec || y->value > s->size)
			continue;
		if (y->value < s->size && cut[y->value / 8])
			gone[i] = true;
		else
			y->value = newoff[y->value / 8];
	}
	s->size = at;
	if (o->btf_ext) {
		cut_ext(&o->btf_ext->func, s->name, cut, newoff);
		cut_ext(&o->btf_ext->line, s->name, cut, newoff);
		cut_ext(&o->btf_ext->core, s->name, cut, newoff);
	}
	err = remove_syms(o, gone, track);
out:
	free(newoff);
	free(gone);
	return err;
}

/* The entry's section without its other, unused programs; nothing when
 * code there cannot be moved safely (cuttable). */
static int cut_siblings(struct obj *o, uint32_t *entry, size_t *nr)
{
	uint32_t sec = o->syms[*entry].sec;
	bool *cut;
	int err = 0;

	if (!obj_sec_is_prog(o, sec) || obj_sec_is_text(o, sec) || !cuttable(o, sec))
		return 0;
	cut = calloc(o->secs[sec].size / 8 + 1, sizeof(*cut));
	if (!cut)
		return -ENOMEM;
	*nr = mark_cut(o, sec, *entry, cut);
	if (*nr)
		err = cut_code(o, sec, cut, entry);
	free(cut);
	return err;
}

int obj_keep_program(struct obj *o, uint32_t entry_sym, size_t *nr_dropped)
{
	size_t n = 0, nr_cut = 0;
	bool *keep;
	int err;

	if (nr_dropped)
		*nr_dropped = 0;
	if (entry_sym >= o->nr_syms || !sym_in(o, &o->syms[entry_sym]))
		return -EINVAL;
	keep = calloc(o->nr_secs, sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	mark(o, o->syms[entry_sym].sec, keep);
	for (size_t i = 0; i < o->nr_secs; i++)
		n += !keep[i];
	err = n ? drop(o, keep, &entry_sym) : 0;
	free(keep);
	if (!err)
		err = cut_siblings(o, &entry_sym, &nr_cut);
	if (!err && nr_dropped)
		*nr_dropped = n + nr_cut;
	return err;
}
