/* Flattening, the last step: a program's flattened body encoded over its
 * bytes in the object (jump offsets from body indices), with the
 * section's relocations, symbols and .BTF.ext records (func_info,
 * line_info, CO-RE) after it shifted; the body's own line_info and CO-RE
 * records (moved with their instructions) replace the old ones.  See link_flatten.c. */
#include "link_flatten.h"
#include "btf/btf.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_line(const void *a, const void *b)
{
	const struct btf_ext_line *x = a, *y = b;

	return x->insn_off < y->insn_off ? -1 : x->insn_off > y->insn_off;
}

/* Replaces [start, start + old) of ext records of section name by the
 * body's records (nl: nr_nl of nl_size bytes each, already at their
 * offsets; line_info or CO-RE) and shifts what follows. */
static int ext_edit(struct btf_ext_info *info, const char *name, uint64_t start, uint64_t old,
		    int64_t delta, const void *nl, size_t nr_nl, size_t nl_size, bool keep_start)
{
	struct btf_ext_sec *s = nr_nl ? btf_ext_sec_get(info, name) : btf_ext_sec_find(info, name);
	size_t rs = info->rec_size, w = 0;
	uint8_t *v;

	if (!s)
		return nr_nl ? -ENOMEM : 0;
	if (nr_nl && rs != nl_size)
		return -EINVAL;
	v = malloc((s->nr + nr_nl + 1) * rs);
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->nr; i++) {
		uint8_t *r = (uint8_t *)s->recs + i * rs;
		uint32_t off;

		memcpy(&off, r, 4);
		if (off >= start + old)
			off = (uint32_t)(off + delta);
		else if (off >= start && !(keep_start && off == start))
			continue;
		memcpy(v + w * rs, r, rs);
		memcpy(v + w++ * rs, &off, 4);
	}
	for (size_t i = 0; i < nr_nl; i++)
		memcpy(v + w++ * rs, (const uint8_t *)nl + i * nl_size, nl_size);
	if (nr_nl)
		qsort(v, w, rs, cmp_line);
	free(s->recs);
	s->recs = v;
	s->nr = (uint32_t)w;
	return 0;
}

/* Writes body b over program symbol psym's bytes (its jumps fit: flatten_prog
 * checked them). */
int flatten_rewrite(struct flat *f, uint32_t psym, const struct body *b)
{
	struct obj *o = f->o;
	struct obj_sym *ps = &o->syms[psym];
	uint32_t sec = ps->sec;
	struct obj_sec *s = &o->secs[sec];
	uint64_t start = ps->value, old = ps->size, nsz = b->n * 8;
	int64_t delta = (int64_t)nsz - (int64_t)old;
	struct obj_reloc *rel = NULL;
	struct btf_ext_line *nl = NULL;
	struct btf_ext_core *nc = NULL;
	size_t nr_rel = s->nr_relocs, nr_nl = 0, nr_nc = 0;
	uint8_t *data = NULL;
	int err = -ENOMEM;

	data = malloc(s->size + nsz - old + 1);
	rel = malloc((nr_rel + 1) * sizeof(*rel));
	nl = calloc(b->n + 1, sizeof(*nl));
	nc = calloc(b->n + 1, sizeof(*nc));
	if (!data || !rel || !nl || !nc)
		goto out;
	memcpy(data, s->data, start);
	memcpy(data + start + nsz, s->data + start + old, s->size - start - old);
	memcpy(rel, s->relocs, nr_rel * sizeof(*rel));
	free(s->data);
	s->data = data;
	s->size = s->size + nsz - old;
	data = NULL;
	for (size_t k = 0; k < b->n; k++) {
		struct bpf_insn i = b->v[k].insn;

		if (b->v[k].tgt >= 0) {
			int32_t d = b->v[k].tgt - ((int32_t)k + 1);

			if (i.code == (BPF_JMP32 | BPF_JA))
				i.imm = d;
			else
				i.off = (int16_t)d;
		}
		obj_insn_put(o, s, start + k * 8, &i);
		if (b->v[k].has_line) {
			nl[nr_nl] = b->v[k].line;
			nl[nr_nl++].insn_off = (uint32_t)(start + k * 8);
		}
		if (b->v[k].has_core) {
			nc[nr_nc] = b->v[k].core;
			nc[nr_nc++].insn_off = (uint32_t)(start + k * 8);
		}
	}
	s->nr_relocs = 0;
	for (size_t r = 0; r < nr_rel; r++)
		if (rel[r].offset < start &&
		    (err = obj_add_reloc(o, sec, rel[r].offset, rel[r].sym, rel[r].type)) < 0)
			goto out;
	for (size_t k = 0; k < b->n; k++)
		if (b->v[k].rsym >= 0 &&
		    (err = obj_add_reloc(o, sec, start + k * 8, (uint32_t)b->v[k].rsym, b->v[k].rtype)) < 0)
			goto out;
	for (size_t r = 0; r < nr_rel; r++)
		if (rel[r].offset >= start + old &&
		    (err = obj_add_reloc(o, sec, (uint64_t)((int64_t)rel[r].offset + delta), rel[r].sym,
					 rel[r].type)) < 0)
			goto out;
	for (size_t i = 1; i < o->nr_syms; i++) {
		struct obj_sym *y = &o->syms[i];

		if (y->sec != sec || y->type == STT_SECTION)
			continue;
		if (y->value >= start + old && (y->value > start || !old))
			y->value = (uint64_t)((int64_t)y->value + delta);
		else if (y->value == start && y->size == old)
			y->size = nsz;
		else if (y->value > start)
			y->value = start;
	}
	err = 0;
	if (o->btf_ext &&
	    ((err = ext_edit(&o->btf_ext->func, s->name, start, old, delta, NULL, 0, 0, true)) ||
	     (err = ext_edit(&o->btf_ext->line, s->name, start, old, delta, nl, nr_nl,
			     sizeof(*nl), false)) ||
	     (err = ext_edit(&o->btf_ext->core, s->name, start, old, delta, nc, nr_nc,
			     sizeof(*nc), false))))
		goto out;
out:
	free(data);
	free(rel);
	free(nl);
	free(nc);
	return err < 0 ? err : 0;
}

