/* Layout: every input section is cut into pieces at the functions and
 * variables that move (entry programs aliased onto a called name go to
 * .text) or disappear (losing weak definitions).  Kept pieces are appended
 * to the output section of the same name with the section's alignment, in
 * input order, so every input byte has a known output address.  Program
 * sections libbpf 1.x cannot type go into the section of their type (see
 * out_prog_name). */
#include "link_internal.h"
#include "base/log.h"
#include "elf/obj.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEC_ATTR_FLAGS (SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR)

static bool is_special(const char *name)
{
	return !strcmp(name, "license") || !strcmp(name, "version");
}

static const char *first_with_sec(const struct link_ctx *c, uint32_t upto, const char *name)
{
	for (uint32_t i = 0; i < upto; i++)
		if (obj_find_sec(c->in[i], name) >= 0)
			return c->in[i]->path;
	return "an earlier input";
}

static int out_sec_for(struct link_ctx *c, uint32_t in, const char *name, uint32_t type,
		       uint64_t flags, uint64_t align)
{
	int k = obj_find_sec(c->out, name);

	if (k < 0)
		return obj_add_sec(c->out, name, type, flags, align, NULL, 0);
	if (c->out->secs[k].type != type ||
	    (c->out->secs[k].flags & SEC_ATTR_FLAGS) != (flags & SEC_ATTR_FLAGS)) {
		pr_err("%s: section '%s' has a different type or flags than in %s",
		       c->in[in]->path, name, first_with_sec(c, in, name));
		return -EINVAL;
	}
	return k;
}

/* Section names libbpf 1.x takes as they are and that xdpld's loader also
 * takes with "/<anything>" behind (kernel/load_prog.c's exact-or-slash
 * rules), longest first.  libbpf 0.x typed "xdp/<anything>" too; 1.x
 * refuses it ("failed to guess program type from ELF section"). */
static const char *const plain_types[] = {
	"xdp.frags/devmap", "xdp.frags/cpumap", "xdp.frags", "xdp/devmap", "xdp/cpumap", "xdp",
	"tc", "classifier", "action", "socket", "perf_event", "cgroup_skb/ingress",
	"cgroup_skb/egress",
};

/* The output section of program section `name`: "xdp/<name>" (what --type
 * xdp makes of a legacy section, and older objects' own form) is linked
 * into "xdp", so that libbpf 1.x loads the output without a type option;
 * one section holds several programs, as libbpf allows.  A leading '?'
 * (autoload off) stays.  Any other name is kept. */
static const char *out_prog_name(const char *name, char *buf, size_t size)
{
	const char *n = name + (name[0] == '?');

	for (size_t i = 0; i < sizeof(plain_types) / sizeof(plain_types[0]); i++) {
		size_t len = strlen(plain_types[i]);

		if (strncmp(n, plain_types[i], len) || (n[len] && n[len] != '/'))
			continue;
		if (!n[len] || len + 2 > size)
			return name;
		snprintf(buf, size, "%.*s%s", (int)(n - name), name, plain_types[i]);
		return buf;
	}
	return name;
}

static int cmp_piece(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* A symbol that contains a cut piece only partly (a function around a moved
 * or dropped one) would have no single place in the output. */
static int check_straddling(const struct obj *o, uint32_t si, const struct piece *cuts,
			    size_t nr_cuts)
{
	for (size_t i = 1; i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->sec != si || !s->size || s->type == STT_SECTION)
			continue;
		for (size_t k = 0; k < nr_cuts; k++) {
			const struct piece *p = &cuts[k];

			if (s->value >= p->end || s->value + s->size <= p->start ||
			    (s->value >= p->start && s->value + s->size <= p->end))
				continue;
			pr_err("%s: section '%s': symbol '%s' (0x%llx+0x%llx) overlaps a function "
			       "that is moved or dropped (0x%llx-0x%llx)", o->path, o->secs[si].name,
			       s->name, (unsigned long long)s->value, (unsigned long long)s->size,
			       (unsigned long long)p->start, (unsigned long long)p->end);
			return -EINVAL;
		}
	}
	return 0;
}

/* Pieces of one input section: the moved/dropped symbol ranges and the
 * kept gaps between them. */
static int cut_section(struct link_ctx *c, uint32_t in, uint32_t si, struct sec_layout *l)
{
	const struct obj *o = c->in[in];
	uint64_t size = o->secs[si].size, pos = 0;
	struct piece *cuts = NULL, *p;
	size_t nr_cuts = 0, n = 0;
	int err;

	for (size_t k = 0; k < c->nr_syms; k++) {
		const struct lsym *s = &c->syms[k];
		const struct obj_sym *os = &o->syms[s->sym];

		if (s->in != in || !s->defined || os->sec != si || !os->size ||
		    !(s->move_to_text || s->drop))
			continue;
		p = realloc(cuts, (nr_cuts + 1) * sizeof(*p));
		if (!p) {
			free(cuts);
			return -ENOMEM;
		}
		cuts = p;
		cuts[nr_cuts++] = (struct piece){ .start = os->value, .end = os->value + os->size,
			.action = s->move_to_text ? PIECE_MOVE : PIECE_DROP };
	}
	if (nr_cuts)
		qsort(cuts, nr_cuts, sizeof(*cuts), cmp_piece);
	l->pieces = calloc(2 * nr_cuts + 1, sizeof(*l->pieces));
	if (!l->pieces) {
		free(cuts);
		return -ENOMEM;
	}
	for (size_t k = 0; k < nr_cuts; k++) {
		if (cuts[k].start < pos) {
			pr_err("%s: section '%s': symbols overlap at 0x%llx", o->path,
			       o->secs[si].name, (unsigned long long)cuts[k].start);
			free(cuts);
			return -EINVAL;
		}
		if (cuts[k].start > pos)
			l->pieces[n++] = (struct piece){ .start = pos, .end = cuts[k].start };
		l->pieces[n++] = cuts[k];
		pos = cuts[k].end;
	}
	if (pos < size || n == 0)
		l->pieces[n++] = (struct piece){ .start = pos, .end = size };
	l->nr = n;
	err = check_straddling(o, si, cuts, nr_cuts);
	free(cuts);
	return err;
}

static int place_special(struct link_ctx *c, uint32_t in, uint32_t si, struct piece *p)
{
	const struct obj_sec *s = &c->in[in]->secs[si];
	int k = obj_find_sec(c->out, s->name);

	if (k >= 0) {
		const struct obj_sec *o = &c->out->secs[k];

		if (!o->data || !s->data) {	/* NOBITS: nothing to compare */
			pr_err("%s: section '%s' has no data", c->in[in]->path, s->name);
			return -EINVAL;
		}
		if (o->size != s->size || memcmp(o->data, s->data, s->size)) {
			pr_err("%s: section '%s' is \"%.*s\" but %s has \"%.*s\"",
			       c->in[in]->path, s->name, (int)strnlen((char *)s->data, s->size),
			       (char *)s->data, first_with_sec(c, in, s->name),
			       (int)strnlen((char *)o->data, o->size), (char *)o->data);
			return -EINVAL;
		}
		p->out_sec = (uint32_t)k;
		p->out_off = 0;
		return 0;
	}
	k = obj_add_sec(c->out, s->name, s->type, s->flags, s->align, s->data, s->size);
	if (k < 0)
		return k;
	p->out_sec = (uint32_t)k;
	return 0;
}

static int place_piece(struct link_ctx *c, uint32_t in, uint32_t si, struct piece *p)
{
	const struct obj_sec *s = &c->in[in]->secs[si];
	const char *name = s->name;
	char buf[32];
	int64_t off;
	int k;

	if (p->action == PIECE_DROP || p->end == p->start)
		return 0;
	if (obj_sec_is_prog(c->in[in], si) && !obj_sec_is_text(c->in[in], si))
		name = out_prog_name(name, buf, sizeof(buf));
	if (p->action == PIECE_MOVE)
		k = out_sec_for(c, in, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 8);
	else
		k = out_sec_for(c, in, name, s->type, s->flags, s->align);
	if (k < 0)
		return k;
	if (p->action == PIECE_KEEP) {
		/* The piece may follow a cut-out weak definition: keep its
		 * offset modulo the alignment (at least 8, BPF's strictest
		 * access) instead of re-aligning its start, or a long long
		 * after a dropped int would become misaligned. */
		uint64_t a = s->align > 8 ? s->align : 8;
		uint64_t cur = c->out->secs[k].size;
		uint64_t pad = (p->start - cur) & (a - 1);

		if (pad && (off = obj_sec_append(c->out, (uint32_t)k, NULL, pad, 1)) < 0)
			return (int)off;
		if (a > c->out->secs[k].align)
			c->out->secs[k].align = a;
	}
	off = obj_sec_append(c->out, (uint32_t)k, s->data ? s->data + p->start : NULL,
			     p->end - p->start, p->action == PIECE_MOVE ? 8 : 1);
	if (off == -E2BIG)
		pr_err("%s: section '%s': the linked section '%s' would be too large",
		       c->in[in]->path, s->name, c->out->secs[k].name);
	if (off < 0)
		return (int)off;
	p->out_sec = (uint32_t)k;
	p->out_off = (uint64_t)off;
	return 0;
}

int link_layout(struct link_ctx *c)
{
	for (uint32_t i = 0; i < c->nr_in; i++) {
		const struct obj *o = c->in[i];

		c->layout[i] = calloc(o->nr_secs, sizeof(**c->layout));
		if (!c->layout[i])
			return -ENOMEM;
		for (uint32_t si = 1; si < o->nr_secs; si++) {
			struct sec_layout *l = &c->layout[i][si];
			int err = cut_section(c, i, si, l);

			for (size_t k = 0; k < l->nr && !err; k++)
				err = is_special(o->secs[si].name) && o->secs[si].size
				      ? place_special(c, i, si, &l->pieces[k])
				      : place_piece(c, i, si, &l->pieces[k]);
			if (err)
				return err;
		}
	}
	return 0;
}

int link_map_addr(const struct link_ctx *c, uint32_t in, uint32_t sec, uint64_t off,
		  uint32_t *out_sec, uint64_t *out_off)
{
	const struct sec_layout *l;

	if (in >= c->nr_in || sec == 0 || sec >= c->in[in]->nr_secs)
		return -ENOENT;
	l = &c->layout[in][sec];
	for (size_t k = 0; k < l->nr; k++) {
		const struct piece *p = &l->pieces[k];
		bool at_end = off == p->end && k + 1 == l->nr;

		if (off < p->start || (off >= p->end && !at_end))
			continue;
		if (p->action == PIECE_DROP || !p->out_sec)
			return -ENOENT;
		*out_sec = p->out_sec;
		*out_off = p->out_off + (off - p->start);
		return 0;
	}
	return -ENOENT;
}
