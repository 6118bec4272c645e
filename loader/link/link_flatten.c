/* Flattening: bpf-to-bpf calls of a linked object's programs are replaced
 * by copies of the callee bodies (recursively), see docs/flatten.md.
 *
 * A body is built per function: its own instructions, and at each call
 * site that can be inlined the callee's flattened body, placed in its own
 * stack area below the caller's (r10-relative accesses rebased, r10 copies
 * offset), its exits turned into jumps to the continuation, and around it
 * the saves and restores of the caller's r6-r9 that are live after the
 * call and written by the callee.  Jump targets are body indices until the
 * program is encoded; relocations and line_info records travel with their
 * instructions.  A call that cannot be inlined stays a call (relocated
 * against its target's symbol) and -v says why. */
#include "link.h"
#include "link_flatten.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/elf_bpf.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push(struct body *b, const struct fi *x)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct fi *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = *x;
	return 0;
}

static int nope(struct flat *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int nope(struct flat *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return -EOPNOTSUPP;
}

static bool is_jmp_class(uint8_t code)
{
	return BPF_CLASS(code) == BPF_JMP || BPF_CLASS(code) == BPF_JMP32;
}

static bool is_jump(uint8_t code)
{
	return is_jmp_class(code) && BPF_OP(code) != BPF_CALL && BPF_OP(code) != BPF_EXIT;
}

static bool is_exit(uint8_t code)
{
	return code == (BPF_JMP | BPF_EXIT);
}

static bool is_pseudo_call(const struct fi *x)
{
	return !x->hi && x->insn.code == (BPF_JMP | BPF_CALL) && x->insn.src_reg == BPF_PSEUDO_CALL;
}

/* Registers an instruction reads and writes (bit i: ri). */
static void def_use(const struct fi *x, uint16_t *use, uint16_t *def)
{
	const struct bpf_insn *i = &x->insn;
	uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
	uint16_t d = (uint16_t)(1u << i->dst_reg), s = (uint16_t)(1u << i->src_reg);
	bool xs = BPF_SRC(i->code) == BPF_X;

	*use = *def = 0;
	if (x->hi)
		return;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		*use = (op == BPF_MOV ? 0 : d) | (xs && op != BPF_NEG && op != BPF_END ? s : 0);
		*def = d;
		break;
	case BPF_LDX:
		*use = s;
		*def = d;
		break;
	case BPF_ST:
		*use = d;
		break;
	case BPF_STX:
		*use = d | s | 1;
		if (BPF_MODE(i->code) == BPF_ATOMIC)
			*def = s | 1;	/* conservative: fetch and cmpxchg */
		break;
	case BPF_LD:
		if (BPF_MODE(i->code) == BPF_IMM) {
			*def = d;
		} else {
			*use = (1u << 6) | s;
			*def = 0x3f;
		}
		break;
	default:
		if (op == BPF_CALL) {
			*use = 0x3e;
			*def = 0x3f;
		} else if (op == BPF_EXIT) {
			*use = 1;
		} else if (op != BPF_JA) {
			*use = d | (xs ? s : 0);
		}
	}
}

static int rel_index(struct flat *f, uint32_t sec, int32_t **out)
{
	uint64_t off;
	int err = f->rel_at[sec] ? 0 : obj_reloc_index(f->o, sec, &f->rel_at[sec], &off);

	if (err == -ENOMEM)
		return err;
	if (err)
		return nope(f, "section %s: relocation at offset %llu is not alone on an "
			    "instruction", f->o->secs[sec].name, (unsigned long long)off);
	*out = f->rel_at[sec];
	return 0;
}

/* The sized FUNC symbol at (sec, off), or -1. */
static int func_at(const struct obj *o, uint32_t sec, uint64_t off)
{
	int i = obj_func_at(o, sec, off);

	if (i > 0 && !(o->syms[i].size % 8) && off + o->syms[i].size <= o->secs[sec].size)
		return i;
	return -1;
}

/* The function's instructions as they are, with relocations, lines and
 * jump targets (raw indices). */
static int read_raw(struct flat *f, uint32_t sec, uint64_t start, uint64_t size, struct body *b)
{
	const struct obj *o = f->o;
	const struct obj_sec *s = &o->secs[sec];
	const struct btf_ext_sec *ls = o->btf_ext ? btf_ext_sec_find(&o->btf_ext->line, s->name) : NULL;
	const struct btf_ext_sec *cs = o->btf_ext ? btf_ext_sec_find(&o->btf_ext->core, s->name) : NULL;
	size_t n = size / 8;
	int32_t *rel = NULL;
	int err = rel_index(f, sec, &rel);

	if (err)
		return err;
	for (size_t k = 0; k < n; k++) {
		struct fi x = { .tgt = -1, .rsym = -1 };
		int32_t r = rel[start / 8 + k];

		obj_insn_get(o, s, start + k * 8, &x.insn);
		if (k && b->v[k - 1].insn.code == (BPF_LD | BPF_IMM | BPF_DW) && !b->v[k - 1].hi)
			x.hi = true;
		if (x.hi ? x.insn.code || x.insn.dst_reg || x.insn.src_reg || x.insn.off :
			   x.insn.dst_reg > 10 || x.insn.src_reg > 10)
			return nope(f, "malformed instruction %zu", k);
		if (r >= 0) {
			x.rsym = (int32_t)s->relocs[r].sym;
			x.rtype = s->relocs[r].type;
			if (x.hi)
				return nope(f, "relocation on the second half of an ld_imm64");
		}
		if (is_jump(x.insn.code)) {
			int64_t t = (int64_t)k + 1 + (x.insn.code == (BPF_JMP32 | BPF_JA) ?
						      x.insn.imm : x.insn.off);

			if (t < 0 || t >= (int64_t)n)
				return nope(f, "jump outside the function at instruction %zu", k);
			x.tgt = (int32_t)t;
			x.raw_tgt = true;
		}
		err = push(b, &x);
		if (err)
			return err;
	}
	if (n && b->v[n - 1].insn.code == (BPF_LD | BPF_IMM | BPF_DW) && !b->v[n - 1].hi)
		return nope(f, "truncated ld_imm64");
	/* CO-RE records travel with their instruction (into every copy of an
	 * inlined body), unless the stack rebasing would change the
	 * instruction under them. */
	for (uint32_t i = 0; cs && i < cs->nr; i++) {
		const struct btf_ext_core *c = &((const struct btf_ext_core *)cs->recs)[i];
		struct fi *x;

		if (c->insn_off < start || c->insn_off >= start + size)
			continue;
		x = &b->v[(c->insn_off - start) / 8];
		if (c->insn_off % 8 || x->hi || x->has_core)
			return nope(f, "CO-RE relocation at offset %u is not alone on an instruction",
				    c->insn_off);
		if (x->insn.src_reg == 10 || x->insn.dst_reg == 10 ||
		    (x->insn.code == (BPF_ALU64 | BPF_ADD | BPF_K) && x > b->v &&
		     x[-1].insn.code == (BPF_ALU64 | BPF_MOV | BPF_X) && x[-1].insn.src_reg == 10))
			return nope(f, "CO-RE relocation on a stack access at offset %u", c->insn_off);
		x->has_core = true;
		x->core = *c;
	}
	for (uint32_t i = 0; ls && i < ls->nr; i++) {
		const struct btf_ext_line *l = &((const struct btf_ext_line *)ls->recs)[i];

		if (l->insn_off >= start && l->insn_off < start + size && !(l->insn_off % 8) &&
		    !b->v[(l->insn_off - start) / 8].has_line) {
			b->v[(l->insn_off - start) / 8].has_line = true;
			b->v[(l->insn_off - start) / 8].line = *l;
		}
	}
	return 0;
}

/* Stack bytes the function uses; refuses uses of r10 it cannot rebase. */
static int frame_depth(struct flat *f, const struct body *b, uint32_t *depth)
{
	uint32_t d = 0;

	for (size_t k = 0; k < b->n; k++) {
		const struct bpf_insn *i = &b->v[k].insn;
		uint8_t cls = BPF_CLASS(i->code);
		int64_t at = 0;

		if (b->v[k].hi || (is_jmp_class(i->code) && !is_jump(i->code)))
			continue;
		if ((cls == BPF_LDX && i->src_reg == 10) ||
		    ((cls == BPF_ST || cls == BPF_STX) && i->dst_reg == 10 &&
		     !(cls == BPF_STX && i->src_reg == 10))) {
			at = i->off;
		} else if (i->code == (BPF_ALU64 | BPF_MOV | BPF_X) && i->src_reg == 10 &&
			   !i->off && i->dst_reg != 10) {
			const struct bpf_insn *a = k + 1 < b->n ? &b->v[k + 1].insn : NULL;

			if (!a || a->code != (BPF_ALU64 | BPF_ADD | BPF_K) || a->dst_reg != i->dst_reg)
				return nope(f, "r%u = r10 without a constant offset at instruction %zu",
					    i->dst_reg, k);
			at = a->imm;
		} else if (i->src_reg == 10 || i->dst_reg == 10) {
			return nope(f, "unsupported use of r10 at instruction %zu", k);
		}
		if (at > 0 || at < -STACK_MAX)
			return nope(f, "stack offset %lld at instruction %zu", (long long)at, k);
		if ((uint32_t)-at > d)
			d = (uint32_t)-at;
	}
	*depth = (d + 7) & ~7u;
	return 0;
}

/* live[k]: registers live after instruction k. */
static int liveness(const struct body *b, uint16_t **out)
{
	uint16_t *in = calloc(b->n + 1, sizeof(*in)), *live = calloc(b->n + 1, sizeof(*live));
	bool changed = true;

	if (!in || !live) {
		free(in);
		free(live);
		return -ENOMEM;
	}
	while (changed) {
		changed = false;
		for (size_t k = b->n; k-- > 0;) {
			const struct fi *x = &b->v[k];
			uint16_t use, def, o = 0, ni;

			if (!(is_exit(x->insn.code) || x->insn.code == (BPF_JMP | BPF_JA) ||
			      x->insn.code == (BPF_JMP32 | BPF_JA)) || x->hi)
				o = in[k + 1];
			if (x->tgt >= 0)
				o |= in[x->tgt];
			def_use(x, &use, &def);
			ni = use | (o & ~def);
			if (ni != in[k] || o != live[k]) {
				in[k] = ni;
				live[k] = o;
				changed = true;
			}
		}
	}
	free(in);
	*out = live;
	return 0;
}

/* The callee's BTF says it is global with arguments other than the XDP
 * context: the kernel verifies it once on its own; keep that. */
static bool global_with_args(const struct flat *f, uint32_t sec, uint64_t start)
{
	const struct obj *o = f->o;
	const struct btf_ext_sec *s = o->btf && o->btf_ext ?
		btf_ext_sec_find(&o->btf_ext->func, o->secs[sec].name) : NULL;

	for (uint32_t i = 0; s && i < s->nr; i++) {
		const struct btf_ext_func *r = &((const struct btf_ext_func *)s->recs)[i];
		const struct btf_type *t = btf_type_by_id(o->btf, r->type_id), *p;

		if (r->insn_off != start || !t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC)
			continue;
		if (BTF_INFO_VLEN(t->info) != BTF_FUNC_GLOBAL)
			return false;
		p = btf_type_by_id(o->btf, t->type);
		if (!p || BTF_INFO_KIND(p->info) != BTF_KIND_FUNC_PROTO || BTF_INFO_VLEN(p->info) != 1)
			return true;
		p = btf_type_by_id(o->btf, btf_skip_mods(o->btf, ((const struct btf_param *)(p + 1))->type));
		if (!p || BTF_INFO_KIND(p->info) != BTF_KIND_PTR)
			return true;
		p = btf_type_by_id(o->btf, btf_skip_mods(o->btf, p->type));
		return !p || BTF_INFO_KIND(p->info) != BTF_KIND_STRUCT ||
		       strcmp(btf_str(o->btf, p->name_off) ? btf_str(o->btf, p->name_off) : "", "xdp_md");
	}
	return false;
}

/* Why the callee's own code must stay a separate function, or 0. */
static int callee_ok(struct flat *f, const struct body *raw, uint32_t sec, uint64_t start)
{
	const struct obj *o = f->o;

	for (size_t k = 0; k < raw->n; k++) {
		const struct fi *x = &raw->v[k];

		if (x->hi)
			continue;
		if (x->insn.code == (BPF_JMP | BPF_CALL) && !x->insn.src_reg &&
		    x->insn.imm == TAIL_CALL_ID) {
			f->kept_tail = true;
			return nope(f, "tail call at instruction %zu (from a subprogram it returns to the caller, from an inlined body it would not)", k);
		}
		if (x->insn.code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (x->insn.src_reg == BPF_PSEUDO_FUNC ||
		     (x->rsym >= 0 && o->syms[x->rsym].sec < o->nr_secs &&
		      obj_sec_is_prog(o, o->syms[x->rsym].sec))))
			return nope(f, "callback reference (bpf_loop, timers) at instruction %zu", k);
	}
	if (global_with_args(f, sec, start))
		return nope(f, "global function with arguments: the kernel verifies it separately");
	return 0;
}

static int flatten_fn(struct flat *f, uint32_t sec, uint64_t start, uint64_t size,
		      const char *name, struct body *out);

/* Appends callee cb (flattened) at call site x of a caller whose own frame
 * is base bytes and whose live registers after the call are live. */
static int emit_inlined(struct body *out, const struct fi *x, const struct body *cb,
			uint16_t saves, uint32_t base)
{
	size_t at = out->n, n = cb->n, *pos = malloc((n + 1) * sizeof(*pos)), p;
	uint32_t cbase = base;
	bool *is_tgt = calloc(n + 1, 1);
	int err = -ENOMEM;

	if (!pos || !is_tgt)
		goto out;
	for (size_t j = 0; j < n; j++)
		if (cb->v[j].tgt >= 0)
			is_tgt[cb->v[j].tgt] = true;
	for (unsigned int r = 6; r <= 9; r++) {
		if (!(saves & (1u << r)))
			continue;
		struct fi s = { .insn = { .code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = 10, .src_reg = r,
					  .off = (int16_t)-(cbase + 8) }, .tgt = -1, .rsym = -1 };
		cbase += 8;
		if ((err = push(out, &s)))
			goto out;
	}
	p = out->n;
	for (size_t j = 0; j < n; j++) {
		const struct bpf_insn *i = &cb->v[j].insn;

		pos[j] = p;
		if (is_exit(i->code) && j + 1 == n)
			continue;
		p++;
		if (i->code == (BPF_ALU64 | BPF_MOV | BPF_X) && i->src_reg == 10 &&
		    !(j + 1 < n && cb->v[j + 1].insn.code == (BPF_ALU64 | BPF_ADD | BPF_K) &&
		      cb->v[j + 1].insn.dst_reg == i->dst_reg && !is_tgt[j + 1]))
			p++;
	}
	pos[n] = p;
	for (size_t j = 0; j < n; j++) {
		struct fi y = cb->v[j];
		struct bpf_insn *i = &y.insn;
		uint8_t cls = BPF_CLASS(i->code);

		if (is_exit(i->code)) {
			if (j + 1 == n)
				continue;
			*i = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
			y.tgt = (int32_t)p;
		} else if (y.tgt >= 0) {
			y.tgt = (int32_t)pos[y.tgt];
		}
		if (!y.hi && ((cls == BPF_LDX && i->src_reg == 10) ||
			      ((cls == BPF_ST || cls == BPF_STX) && i->dst_reg == 10)))
			i->off = (int16_t)(i->off - (int32_t)cbase);
		if (!y.hi && i->code == (BPF_ALU64 | BPF_ADD | BPF_K) && j && !is_tgt[j] &&
		    cb->v[j - 1].insn.code == (BPF_ALU64 | BPF_MOV | BPF_X) &&
		    cb->v[j - 1].insn.src_reg == 10 && cb->v[j - 1].insn.dst_reg == i->dst_reg)
			i->imm -= (int32_t)cbase;
		if ((err = push(out, &y)))
			goto out;
		if (out->n != pos[j] + 1 && !y.hi) {
			err = -EFAULT;
			goto out;
		}
		if (i->code == (BPF_ALU64 | BPF_MOV | BPF_X) && i->src_reg == 10 && pos[j + 1] == pos[j] + 2) {
			struct fi a = { .insn = { .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = i->dst_reg,
						  .imm = -(int32_t)cbase }, .tgt = -1, .rsym = -1 };
			if ((err = push(out, &a)))
				goto out;
		}
	}
	for (unsigned int r = 6, k = 0; r <= 9; r++) {
		if (!(saves & (1u << r)))
			continue;
		struct fi l = { .insn = { .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = r, .src_reg = 10,
					  .off = (int16_t)-(base + 8 * ++k) }, .tgt = -1, .rsym = -1 };
		if ((err = push(out, &l)))
			goto out;
	}
	if (x->has_line && out->n > at && !out->v[at].has_line) {
		out->v[at].has_line = true;
		out->v[at].line = x->line;
	}
	if (cbase + cb->depth > out->depth)
		out->depth = cbase + cb->depth;
	out->writes |= cb->writes | saves;
	out->inlined += 1 + cb->inlined;
	err = 0;
out:
	free(pos);
	free(is_tgt);
	return err;
}

static const char *reg_list(uint16_t m, char *buf)
{
	char *p = buf;

	*p = 0;
	for (unsigned int r = 6; r <= 9; r++)
		if (m & (1u << r))
			p += sprintf(p, "%sr%u", p == buf ? "" : ",", r);
	return *buf ? buf : "none";
}

/* Call site k (raw x) of caller: inline the callee, or -EOPNOTSUPP with
 * the reason in f->why. */
static int try_inline(struct flat *f, struct body *out, const struct fi *x, int tsym,
		      uint16_t live, uint32_t base, const char *caller)
{
	const struct obj_sym *cs = &f->o->syms[tsym];
	struct body raw = { 0 }, cb = { 0 };
	uint16_t saves;
	uint32_t need;
	char regs[16];
	int err;

	for (unsigned int l = 0; l < f->level; l++)
		if (f->stack[l].sec == cs->sec && f->stack[l].start == cs->value)
			return nope(f, "recursion");
	if (f->level >= MAX_NEST)
		return nope(f, "calls nested more than %u deep", MAX_NEST);
	err = read_raw(f, cs->sec, cs->value, cs->size, &raw);
	if (!err)
		err = callee_ok(f, &raw, cs->sec, cs->value);
	free(raw.v);
	if (!err)
		err = flatten_fn(f, cs->sec, cs->value, cs->size, cs->name, &cb);
	if (err)
		goto out;
	saves = live & cb.writes & R6_R9;
	need = base + 8 * (uint32_t)__builtin_popcount(saves) + cb.depth;
	if (need > STACK_MAX) {
		err = nope(f, "stack: %s uses %u bytes, saved registers %u, %s needs %u: %u > %u",
			   caller, base, 8 * (uint32_t)__builtin_popcount(saves), cs->name, cb.depth,
			   need, STACK_MAX);
	} else if (out->n + cb.n + 8 > MAX_INSNS) {
		err = nope(f, "more than %u instructions", MAX_INSNS);
	} else {
		err = emit_inlined(out, x, &cb, saves, base);
		if (!err)
			pr_debug("%s: section %s: %s: inlined %s into %s (%zu instructions, stack at %u, %u bytes; saved %s)",
				 f->o->path, f->sec, f->prog, cs->name, caller, cb.n, base, cb.depth,
				 reg_list(saves, regs));
	}
out:
	free(cb.v);
	return err;
}

/* The symbol a call at raw index k of (sec, start) targets, or -EOPNOTSUPP. */
static int call_target(struct flat *f, uint32_t sec, uint64_t start, size_t k, const struct fi *x)
{
	const struct obj *o = f->o;
	int64_t t = (int64_t)start + ((int64_t)k + 1 + x->insn.imm) * 8;
	uint32_t tsec = sec;
	int s;

	if (x->rsym >= 0) {
		tsec = o->syms[x->rsym].sec;
		if (tsec == OBJ_SEC_UNDEF || tsec >= o->nr_secs)
			return nope(f, "call to extern %s", o->syms[x->rsym].name);
		t = (int64_t)o->syms[x->rsym].value + ((int64_t)x->insn.imm + 1) * 8;
	}
	if (t < 0 || !obj_sec_is_prog(o, tsec) || !o->secs[tsec].data ||
	    (s = func_at(o, tsec, (uint64_t)t)) < 0)
		return nope(f, "call target %s+%lld is not the start of a function",
			    o->secs[tsec].name, (long long)t);
	return s;
}

static int flatten_fn(struct flat *f, uint32_t sec, uint64_t start, uint64_t size,
		      const char *name, struct body *out)
{
	struct body raw = { 0 };
	uint16_t *live = NULL;
	size_t *map = NULL;
	uint32_t base = 0;
	bool calls = false;
	int err;

	memset(out, 0, sizeof(*out));
	f->stack[f->level].sec = sec;
	f->stack[f->level++].start = start;
	err = read_raw(f, sec, start, size, &raw);
	if (!err)
		err = frame_depth(f, &raw, &base);
	if (err)
		goto out;
	for (size_t k = 0; k < raw.n; k++)
		calls |= is_pseudo_call(&raw.v[k]);
	if (calls && (err = liveness(&raw, &live)))
		goto out;
	map = malloc((raw.n + 1) * sizeof(*map));
	if (!map) {
		err = -ENOMEM;
		goto out;
	}
	out->depth = base;
	for (size_t k = 0; k < raw.n; k++) {
		struct fi x = raw.v[k];

		map[k] = out->n;
		if (is_pseudo_call(&x)) {
			int tsym = call_target(f, sec, start, k, &x);

			if (tsym < 0) {
				if (x.rsym < 0 || f->o->syms[x.rsym].sec != OBJ_SEC_UNDEF) {
					err = tsym;
					goto out;
				}
			} else {
				err = try_inline(f, out, &x, tsym, live[k], base, name);
				if (!err)
					continue;
				if (err != -EOPNOTSUPP)
					goto out;
				pr_debug("%s: section %s: %s: call to %s at instruction %zu of %s kept as a call: %s",
					 f->o->path, f->sec, f->prog, f->o->syms[tsym].name, k, name, f->why);
				x.insn.imm = -1;
				x.rsym = tsym;
				x.rtype = R_BPF_64_32;
			}
		}
		if ((err = push(out, &x)))
			goto out;
	}
	map[raw.n] = out->n;
	for (size_t k = 0; k < out->n; k++) {
		struct fi *y = &out->v[k];
		uint16_t use, def;

		if (y->raw_tgt) {
			y->tgt = (int32_t)map[y->tgt];
			y->raw_tgt = false;
		}
		def_use(y, &use, &def);
		out->writes |= def;
	}
	err = 0;
out:
	f->level--;
	free(raw.v);
	free(live);
	free(map);
	if (err) {
		free(out->v);
		memset(out, 0, sizeof(*out));
	}
	return err;
}

/* Every jump of b fits its instruction's offset field once encoded. */
static int jumps_fit(struct flat *f, const struct body *b)
{
	for (size_t k = 0; k < b->n; k++) {
		const struct fi *y = &b->v[k];
		int64_t d = y->tgt - ((int64_t)k + 1);

		if (y->tgt >= 0 && y->insn.code != (BPF_JMP32 | BPF_JA) && (d < INT16_MIN || d > INT16_MAX))
			return nope(f, "a jump would span %lld instructions", (long long)d);
	}
	return 0;
}

static int flatten_prog(struct flat *f, uint32_t psym)
{
	const struct obj_sym *ps = &f->o->syms[psym];
	const char *sec = f->o->secs[ps->sec].name;
	struct body b;
	size_t old = ps->size / 8;
	int err;

	f->prog = ps->name;
	f->sec = sec;
	f->level = 0;
	f->kept_tail = false;
	err = flatten_fn(f, ps->sec, ps->value, ps->size, ps->name, &b);
	/* The kernel refuses a tail call below 256 bytes of callers' frames. */
	if (!err && b.inlined && f->kept_tail && ((b.depth + 31) & ~31u) >= 256) {
		free(b.v);
		b.v = NULL;
		err = nope(f, "a call kept for its tail call would sit below a %u-byte frame (the kernel allows under 256)",
			   b.depth);
	}
	if (!err && b.inlined)
		err = jumps_fit(f, &b);
	if (!err && b.inlined)
		err = flatten_rewrite(f, psym, &b);
	if (err == -EOPNOTSUPP) {
		pr_debug("%s: section %s: program %s not flattened: %s", f->o->path, sec, ps->name, f->why);
		err = 0;
	} else if (!err && b.inlined) {
		pr_debug("%s: section %s: program %s flattened: %u calls inlined, %zu -> %zu instructions, stack %u bytes",
			 f->o->path, sec, ps->name, b.inlined, old, b.n, b.depth);
	}
	free(b.v);
	return err;
}

int link_flatten(struct obj *o)
{
	struct flat f = { .o = o };
	int err = 0;

	f.rel_at = calloc(o->nr_secs, sizeof(*f.rel_at));
	if (!f.rel_at)
		return -ENOMEM;
	for (size_t i = 1; i < o->nr_syms && !err; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->type != STT_FUNC || s->bind == STB_LOCAL || !s->size || s->size % 8 ||
		    s->sec >= o->nr_secs || !obj_sec_is_prog(o, s->sec) ||
		    obj_sec_is_text(o, s->sec) || !o->secs[s->sec].data ||
		    s->value + s->size > o->secs[s->sec].size)
			continue;
		err = flatten_prog(&f, (uint32_t)i);
		/* the section changed: its relocation index is stale */
		free(f.rel_at[s->sec]);
		f.rel_at[s->sec] = NULL;
	}
	for (size_t k = 0; k < o->nr_secs; k++)
		free(f.rel_at[k]);
	free(f.rel_at);
	return err;
}
