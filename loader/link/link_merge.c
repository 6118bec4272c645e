/* Output symbols and relocations, once the layout is known.
 *
 * References to a section symbol carry their target inside the relocated
 * bytes, so they are re-encoded for the target's new place: a call's imm is
 * the target instruction index minus one, an ld_imm64's imm and ABS data
 * words are byte offsets.  Calls to static functions inside one section
 * carry no relocation at all (clang encodes them pc-relative), so those are
 * re-encoded when a cut moved caller and callee apart. */
#include "link_internal.h"
#include "base/log.h"
#include "elf/elf_bpf.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>


static int add_locals(struct link_ctx *c, uint32_t in)
{
	const struct obj *o = c->in[in];

	c->sym_out[in] = malloc((o->nr_syms ? o->nr_syms : 1) * sizeof(int));
	if (!c->sym_out[in])
		return -ENOMEM;
	for (uint32_t j = 0; j < o->nr_syms; j++) {
		const struct obj_sym *s = &o->syms[j];
		uint32_t sec = s->sec;
		uint64_t off = s->value;
		int k;

		c->sym_out[in][j] = -1;
		if (j == 0 || s->bind != STB_LOCAL || s->type == STT_SECTION ||
		    s->type == STT_FILE || s->sec == OBJ_SEC_UNDEF)
			continue;
		if (s->sec != OBJ_SEC_ABS && link_map_addr(c, in, s->sec, s->value, &sec, &off))
			continue;	/* inside a dropped definition */
		k = obj_add_sym(c->out, s->name, STB_LOCAL, s->type, s->vis, sec, off, s->size);
		if (k < 0)
			return k;
		c->sym_out[in][j] = k;
	}
	return 0;
}

static int add_global(struct link_ctx *c, struct lsym *s)
{
	const struct obj_sym *os;
	uint32_t sec = OBJ_SEC_UNDEF;
	uint64_t off = 0;
	int k;

	if (s->winner >= 0) {
		struct lsym *w = &c->syms[s->winner];

		/* A later input's license/version variable (another name for
		 * the bytes kept from the first one) is left out, as libbpf's
		 * linker leaves it out: a relocation to it is an error. */
		if (w->dup_special)
			return 0;
		if (w->out_sym < 0) {
			os = &c->in[w->in]->syms[w->sym];
			if (link_map_addr(c, w->in, os->sec, os->value, &sec, &off)) {
				pr_err("%s: %s '%s' lies in an empty or dropped part of section '%s'",
				       c->in[w->in]->path, link_kind_name(w->kind), w->orig,
				       c->in[w->in]->secs[os->sec].name);
				return -EINVAL;
			}
			k = obj_add_sym(c->out, w->name, w->weak ? STB_WEAK : STB_GLOBAL,
					os->type, w->vis, sec, off, os->size);
			if (k < 0)
				return k;
			w->out_sym = k;
		}
		s->out_sym = w->out_sym;
		return 0;
	}
	/* Unresolved extern kept by a partial link: one symbol per name. */
	for (size_t k2 = 0; k2 < c->nr_syms; k2++)
		if (c->syms[k2].winner < 0 && c->syms[k2].out_sym >= 0 &&
		    !strcmp(c->syms[k2].name, s->name)) {
			s->out_sym = c->syms[k2].out_sym;
			return 0;
		}
	os = &c->in[s->in]->syms[s->sym];
	k = obj_add_sym(c->out, s->name, s->weak ? STB_WEAK : STB_GLOBAL, os->type, s->vis,
			OBJ_SEC_UNDEF, 0, 0);
	if (k < 0)
		return k;
	s->out_sym = k;
	return 0;
}

int link_merge_syms(struct link_ctx *c)
{
	int err;

	c->sec_sym = malloc(c->out->nr_secs * sizeof(int));
	if (!c->sec_sym)
		return -ENOMEM;
	c->sec_sym[0] = 0;
	for (uint32_t k = 1; k < c->out->nr_secs; k++) {
		c->sec_sym[k] = obj_add_sym(c->out, "", STB_LOCAL, STT_SECTION, STV_DEFAULT, k, 0, 0);
		if (c->sec_sym[k] < 0)
			return c->sec_sym[k];
	}
	for (uint32_t i = 0; i < c->nr_in; i++) {
		err = add_locals(c, i);
		if (err)
			return err;
	}
	for (size_t k = 0; k < c->nr_syms; k++) {
		err = add_global(c, &c->syms[k]);
		if (err)
			return err;
	}
	return 0;
}

/* ---- relocations ---- */

static int retarget_section_ref(struct link_ctx *c, uint32_t in, uint32_t si,
				const struct obj_reloc *r, uint32_t osec, uint64_t ooff,
				uint32_t *new_sec)
{
	const struct obj *o = c->in[in];
	const struct obj_sym *ts = &o->syms[r->sym];
	struct obj_sec *os = &c->out->secs[osec];
	bool exec = obj_sec_is_prog(o, si);
	struct bpf_insn insn = { 0 };
	uint64_t old, noff;
	bool call = false;

	if (ts->sec == OBJ_SEC_UNDEF || ts->sec >= o->nr_secs || (!exec && !os->data)) {
		pr_err("%s: section '%s': unsupported relocation at 0x%llx",
		       o->path, o->secs[si].name, (unsigned long long)r->offset);
		return -EINVAL;
	}
	if (exec) {
		obj_insn_get(c->out, os, ooff, &insn);
		call = insn.code == (BPF_JMP | BPF_CALL);
		old = call ? (uint64_t)(((int64_t)insn.imm + 1) * 8) : (uint32_t)insn.imm;
	} else if (r->type == R_BPF_64_ABS64) {
		old = obj_u64(c->out, os->data + ooff);
	} else {
		old = obj_u32(c->out, os->data + ooff);
	}
	if (link_map_addr(c, in, ts->sec, ts->value + old, new_sec, &noff)) {
		pr_err("%s: section '%s': relocation at 0x%llx refers to %s+0x%llx, "
		       "which is not part of the output", o->path, o->secs[si].name,
		       (unsigned long long)r->offset, o->secs[ts->sec].name,
		       (unsigned long long)old);
		return -EINVAL;
	}
	noff -= ts->value;
	if (noff > INT32_MAX) {
		pr_err("%s: section '%s': relocation at 0x%llx: target offset too large",
		       o->path, o->secs[si].name, (unsigned long long)r->offset);
		return -E2BIG;
	}
	if (exec) {
		insn.imm = call ? (int32_t)(noff / 8) - 1 : (int32_t)noff;
		obj_insn_put(c->out, os, ooff, &insn);
	} else if (r->type == R_BPF_64_ABS64) {
		obj_put_u64(c->out, os->data + ooff, noff);
	} else {
		obj_put_u32(c->out, os->data + ooff, (uint32_t)noff);
	}
	return 0;
}

static int merge_reloc(struct link_ctx *c, uint32_t in, uint32_t si, const struct obj_reloc *r)
{
	const struct obj *o = c->in[in];
	const struct obj_sym *ts = &o->syms[r->sym];
	uint32_t osec, tsec;
	uint64_t ooff;
	int sym, err;

	if (link_map_addr(c, in, si, r->offset, &osec, &ooff))
		return 0;	/* inside a dropped definition */
	if (ts->type == STT_SECTION) {
		err = retarget_section_ref(c, in, si, r, osec, ooff, &tsec);
		if (err)
			return err;
		sym = c->sec_sym[tsec];
	} else if (c->sym_lsym[in][r->sym] >= 0) {
		sym = c->syms[c->sym_lsym[in][r->sym]].out_sym;
	} else {
		sym = c->sym_out[in][r->sym];
	}
	if (sym < 0) {
		pr_err("%s: section '%s': relocation at 0x%llx refers to '%s', which is not part of the output",
		       o->path, o->secs[si].name, (unsigned long long)r->offset, ts->name);
		return -EINVAL;
	}
	err = obj_add_reloc(c->out, osec, ooff, (uint32_t)sym, r->type);
	return err < 0 ? err : 0;
}

/* Re-encode the relocation-less (pc-relative) calls of one exec section. */
static int fix_local_calls(struct link_ctx *c, uint32_t in, uint32_t si)
{
	const struct obj *o = c->in[in];
	const struct obj_sec *s = &o->secs[si];
	const struct sec_layout *l = &c->layout[in][si];
	bool *has_rel = calloc(s->size / 8 + 1, sizeof(bool));
	int err = 0;

	if (!has_rel)
		return -ENOMEM;
	if (!s->data) {		/* NOBITS code: nothing to re-encode */
		free(has_rel);
		return 0;
	}
	for (size_t r = 0; r < s->nr_relocs; r++)
		if (s->relocs[r].offset / 8 <= s->size / 8)
			has_rel[s->relocs[r].offset / 8] = true;
	for (size_t k = 0; k < l->nr && !err; k++) {
		const struct piece *p = &l->pieces[k];

		if (p->action == PIECE_DROP || !p->out_sec)
			continue;
		for (uint64_t off = p->start; off + 8 <= p->end && !err; off += 8) {
			struct bpf_insn insn;
			int64_t target;
			uint32_t tsec;
			uint64_t toff, here = p->out_off + (off - p->start);

			obj_insn_get(o, s, off, &insn);
			if (insn.code != (BPF_JMP | BPF_CALL) || insn.src_reg != BPF_PSEUDO_CALL ||
			    has_rel[off / 8])
				continue;
			target = (int64_t)off + 8 + (int64_t)insn.imm * 8;
			if (target < 0 || (uint64_t)target >= s->size ||
			    link_map_addr(c, in, si, (uint64_t)target, &tsec, &toff) ||
			    tsec != p->out_sec) {
				pr_err("%s: section '%s': call at 0x%llx targets 0x%llx, which is "
				       "outside the section, dropped or moved away",
				       o->path, s->name, (unsigned long long)off, (long long)target);
				err = -EINVAL;
				break;
			}
			insn.imm = (int32_t)(((int64_t)toff - (int64_t)here - 8) / 8);
			obj_insn_put(c->out, &c->out->secs[p->out_sec], here, &insn);
		}
	}
	free(has_rel);
	return err;
}

int link_merge_relocs(struct link_ctx *c)
{
	for (uint32_t i = 0; i < c->nr_in; i++) {
		const struct obj *o = c->in[i];

		for (uint32_t si = 1; si < o->nr_secs; si++) {
			int err = 0;

			for (size_t r = 0; r < o->secs[si].nr_relocs && !err; r++)
				err = merge_reloc(c, i, si, &o->secs[si].relocs[r]);
			if (!err && obj_sec_is_prog(o, si))
				err = fix_local_calls(c, i, si);
			if (err)
				return err;
		}
	}
	return 0;
}
