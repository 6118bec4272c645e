/* Keeping one program of an object and what it uses: see obj.h
 * (obj_keep_program).  A program section is kept when a kept section has a
 * relocation against one of its symbols (a call, a prog-array
 * initializer); every section that is not a program section stays, as do
 * .text's subprograms (the loader takes only the ones called). */
#include "obj.h"
#include "btf/btf.h"

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

/* Removes the sections keep[] does not keep, their symbols, relocations
 * and .BTF.ext records; symbols and sections are renumbered. */
static int drop(struct obj *o, const bool *keep)
{
	uint32_t *secmap = calloc(o->nr_secs, sizeof(*secmap));
	uint32_t *symmap = calloc(o->nr_syms, sizeof(*symmap));
	size_t ns = 0, nsym = 0;
	int err = -ENOMEM;

	if (!secmap || !symmap)
		goto out;
	for (size_t i = 0; i < o->nr_secs; i++)
		if (keep[i])
			secmap[i] = (uint32_t)ns++;
	for (size_t i = 0; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		symmap[i] = UINT32_MAX;
		if (!i || !sym_in(o, s) || keep[s->sec])
			symmap[i] = (uint32_t)nsym++;
	}
	/* mark() keeps every section a kept section refers to */
	for (size_t i = 0; i < o->nr_secs; i++)
		for (size_t r = 0; keep[i] && r < o->secs[i].nr_relocs; r++)
			if (symmap[o->secs[i].relocs[r].sym] == UINT32_MAX) {
				err = -EINVAL;
				goto out;
			}
	for (size_t i = 0; i < o->nr_secs; i++) {
		struct obj_sec *s = &o->secs[i];

		if (keep[i]) {
			for (size_t r = 0; r < s->nr_relocs; r++)
				s->relocs[r].sym = symmap[s->relocs[r].sym];
			continue;
		}
		if (o->btf_ext) {
			drop_ext_secs(&o->btf_ext->func, s->name);
			drop_ext_secs(&o->btf_ext->line, s->name);
			drop_ext_secs(&o->btf_ext->core, s->name);
		}
		free(s->name);
		free(s->data);
		free(s->relocs);
	}
	for (size_t i = 0; i < o->nr_syms; i++) {
		struct obj_sym s = o->syms[i];

		if (symmap[i] == UINT32_MAX) {
			free(s.name);
			continue;
		}
		if (sym_in(o, &s))
			s.sec = secmap[s.sec];
		o->syms[symmap[i]] = s;
	}
	for (size_t i = 0; i < o->nr_secs; i++)
		if (keep[i])
			o->secs[secmap[i]] = o->secs[i];
	o->nr_secs = ns;
	o->nr_syms = nsym;
	err = 0;
out:
	free(secmap);
	free(symmap);
	return err;
}

int obj_keep_program(struct obj *o, uint32_t entry_sym, size_t *nr_dropped)
{
	bool *keep;
	size_t n = 0;
	int err = 0;

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
	if (n)
		err = drop(o, keep);
	if (!err && nr_dropped)
		*nr_dropped = n;
	free(keep);
	return err;
}
