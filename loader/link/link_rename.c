/* Renaming: explicit --rename rules first, then every strong definition of
 * a name that more than one input defines gets its input's prefix.  Map
 * names must stay within the kernel's 15-character object names, so a long
 * prefixed map name is shortened (see docs/linking.md for the rule). */
#include "link_internal.h"
#include "base/log.h"
#include "elf/obj.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_NAME_MAX 15		/* BPF_OBJ_NAME_LEN - 1 */

static bool obj_matches(const char *pattern, const char *path)
{
	return !strcmp(pattern, path) || !strcmp(pattern, link_basename(path));
}

static int add_name_entry(struct link_ctx *c, const struct lsym *s, const char *new_name,
			  bool rule)
{
	struct link_name_map *p = realloc(c->names, (c->nr_names + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	c->names = p;
	p = &c->names[c->nr_names];
	*p = (struct link_name_map){ .obj = c->in[s->in]->path,
				     .kind = s->defined ? link_kind_name(s->kind) : "extern",
				     .old_name = strdup(s->orig), .new_name = strdup(new_name),
				     .explicit_rule = rule };
	if (!p->old_name || !p->new_name) {
		free(p->old_name);
		free(p->new_name);
		return -ENOMEM;
	}
	c->nr_names++;
	return 0;
}

static int set_name(struct link_ctx *c, struct lsym *s, const char *name, bool rule)
{
	char *n = strdup(name);

	if (!n || add_name_entry(c, s, name, rule)) {
		free(n);
		return -ENOMEM;
	}
	free(s->name);
	s->name = n;
	return 0;
}

/* "fw_acme.o" -> "fw_acme_", "dir/x-y.bpf.o" -> "x_y_". */
static char *default_prefix(const char *path)
{
	const char *base = link_basename(path);
	size_t len = strlen(base), d = isdigit((unsigned char)base[0]) != 0;
	char *p;

	if (len > 2 && !strcmp(base + len - 2, ".o"))
		len -= 2;
	if (len > 4 && !strncmp(base + len - 4, ".bpf", 4))
		len -= 4;
	p = malloc(len + d + 2);
	if (!p)
		return NULL;
	p[0] = '_';	/* "1fw.o" -> "_1fw_": no name may start with a digit */
	for (size_t k = 0; k < len; k++)
		p[k + d] = isalnum((unsigned char)base[k]) ? base[k] : '_';
	p[len + d] = '_';
	p[len + d + 1] = '\0';
	return p;
}

/* --prefix fw.o=pc: "pc_", separated as the automatic prefix is ("pc_" and
 * "" stay as they are). */
static char *given_prefix(const char *given)
{
	size_t len = strlen(given);
	char *p = malloc(len + 2);

	if (!p)
		return NULL;
	memcpy(p, given, len + 1);
	if (len && given[len - 1] != '_')
		memcpy(p + len, "_", 2);
	return p;
}

int link_make_prefixes(struct link_ctx *c)
{
	const struct link_opts *op = c->opts;

	for (size_t k = 0; k < op->nr_prefixes; k++) {
		bool found = false;

		for (size_t i = 0; i < c->nr_in; i++)
			found |= obj_matches(op->prefixes[k].obj, c->in[i]->path);
		if (!found) {
			pr_err("--prefix %s=%s: no input object named '%s'",
			       op->prefixes[k].obj, op->prefixes[k].prefix, op->prefixes[k].obj);
			return -ENOENT;
		}
	}
	for (size_t i = 0; i < c->nr_in; i++) {
		const char *given = NULL;

		for (size_t k = 0; k < op->nr_prefixes; k++)
			if (obj_matches(op->prefixes[k].obj, c->in[i]->path))
				given = op->prefixes[k].prefix;
		c->prefixes[i] = given ? given_prefix(given) : default_prefix(c->in[i]->path);
		if (!c->prefixes[i])
			return -ENOMEM;
		/* Two inputs with the same basename: number the later one. */
		for (size_t j = 0; j < i && !given; j++) {
			char *p;

			if (strcmp(c->prefixes[i], c->prefixes[j]))
				continue;
			p = malloc(strlen(c->prefixes[i]) + 24);
			if (!p)
				return -ENOMEM;
			sprintf(p, "%.*s%zu_", (int)strlen(c->prefixes[i]) - 1, c->prefixes[i], i + 1);
			free(c->prefixes[i]);
			c->prefixes[i] = p;
		}
	}
	return 0;
}

static int apply_rule(struct link_ctx *c, const struct link_rename *r)
{
	size_t hits = 0;
	int err;

	if (r->obj) {
		bool found = false;

		for (size_t i = 0; i < c->nr_in; i++)
			found |= obj_matches(r->obj, c->in[i]->path);
		if (!found) {
			pr_err("--rename %s:%s=%s: no input object named '%s'",
			       r->obj, r->old_name, r->new_name, r->obj);
			return -ENOENT;
		}
	}
	for (size_t k = 0; k < c->nr_syms; k++) {
		struct lsym *s = &c->syms[k];

		if (strcmp(s->orig, r->old_name) ||
		    (r->obj && !obj_matches(r->obj, c->in[s->in]->path)))
			continue;
		if (s->renamed_by_rule) {
			pr_err("--rename %s=%s: %s '%s' in %s is already renamed to '%s'",
			       r->old_name, r->new_name, link_kind_name(s->kind), s->orig,
			       c->in[s->in]->path, s->name);
			return -EINVAL;
		}
		err = set_name(c, s, r->new_name, true);
		if (err)
			return err;
		s->renamed_by_rule = true;
		if (s->kind == LK_MAP && strlen(r->new_name) > MAP_NAME_MAX)
			pr_warn("%s: map '%s' renamed to '%s', longer than the kernel's %d characters",
				c->in[s->in]->path, s->orig, r->new_name, MAP_NAME_MAX);
		hits++;
	}
	if (!hits) {
		pr_err("--rename %s%s%s=%s: no global symbol '%s' in %s (static symbols cannot be renamed)",
		       r->obj ? r->obj : "", r->obj ? ":" : "", r->old_name, r->new_name,
		       r->old_name, r->obj ? r->obj : "any input");
		return -ENOENT;
	}
	return 0;
}

int link_apply_rules(struct link_ctx *c)
{
	for (size_t k = 0; k < c->opts->nr_renames; k++) {
		const struct link_rename *r = &c->opts->renames[k];
		int err;

		if (!r->old_name[0] || !r->new_name[0]) {
			pr_err("--rename: empty symbol name");
			return -EINVAL;
		}
		err = apply_rule(c, r);
		if (err)
			return err;
	}
	return 0;
}

/* ---- automatic renaming of conflicts ---- */

static uint32_t fnv1a(const char *a, const char *b)
{
	uint32_t h = 2166136261u;

	for (; *a; a++)
		h = (h ^ (uint8_t)*a) * 16777619u;
	for (; *b; b++)
		h = (h ^ (uint8_t)*b) * 16777619u;
	return h;
}

/* prefix + name; for a map when that exceeds 15 characters: the prefix
 * without its '_', cut to what is left after "_" + the name's first 10
 * characters.  hashed (used when such names collide) keeps 9 characters of
 * the name and puts four hex digits of a hash of prefix and name between
 * the cut prefix (at least its first character: never a digit) and "_". */
static char *auto_name(const char *prefix, const char *name, bool is_map, bool hashed)
{
	size_t plen = strlen(prefix), nlen = strlen(name), nmax = hashed ? 9 : 10;
	size_t nkeep = nlen < nmax ? nlen : nmax, keep;
	char *out = malloc(plen + nlen + 1);

	if (!out)
		return NULL;
	if (!is_map || plen + nlen <= MAP_NAME_MAX) {
		sprintf(out, "%s%s", prefix, name);
		return out;
	}
	if (plen > 1 && prefix[plen - 1] == '_')
		plen--;
	keep = MAP_NAME_MAX - 1 - nkeep - (hashed ? 4 : 0);
	if (keep > plen)
		keep = plen;
	if (hashed)
		sprintf(out, "%.*s%04x_%.*s", (int)keep, prefix,
			(unsigned)(fnv1a(prefix, name) & 0xffff), (int)nkeep, name);
	else
		sprintf(out, "%.*s_%.*s", (int)keep, prefix, (int)nkeep, name);
	return out;
}

/* The first two strong definitions of a conflict group. */
static void first_two_strong(const struct link_ctx *c, const int *g, size_t n,
			     const struct lsym **a, const struct lsym **b)
{
	*a = *b = NULL;
	for (size_t k = 0; k < n; k++) {
		if (!link_strong_def(&c->syms[g[k]]))
			continue;
		if (!*a)
			*a = &c->syms[g[k]];
		else if (!*b)
			*b = &c->syms[g[k]];
	}
}

static int report_group(struct link_ctx *c, const int *g, size_t n)
{
	const struct lsym *a, *b;

	first_two_strong(c, g, n, &a, &b);
	for (size_t k = 0; k < n; k++) {
		const struct lsym *s = &c->syms[g[k]];

		if (link_strong_def(s) && s->renamed_by_rule) {
			const struct lsym *other = s == a ? b : a;

			pr_err("--rename %s:%s=%s: %s '%s' is also defined in %s (%s '%s')",
			       link_basename(c->in[s->in]->path), s->orig, s->name,
			       link_kind_name(s->kind), s->name, c->in[other->in]->path,
			       link_kind_name(other->kind), other->orig);
			return -EEXIST;
		}
	}
	if (c->opts->no_rename) {
		pr_err("conflicting non-weak symbol '%s' defined in %s and %s (%s; --no-rename given)",
		       a->name, c->in[a->in]->path, c->in[b->in]->path, link_kind_name(a->kind));
		return -EEXIST;
	}
	for (size_t k = 0; k < n; k++) {
		const struct lsym *s = &c->syms[g[k]];

		/* a pinned map shared with the one that keeps the name is that map */
		if (link_strong_def(s) || s->pin_shared)
			continue;
		pr_err("%s: %s %s '%s' is ambiguous: it is defined in %s and %s; "
		       "use --rename OBJ:%s=NEW to pick one",
		       c->in[s->in]->path, s->defined ? "weak" : "extern",
		       link_kind_name(s->kind), s->name, c->in[a->in]->path,
		       c->in[b->in]->path, s->name);
		return -EEXIST;
	}
	return 0;
}

static bool shortened(const struct link_ctx *c, const struct lsym *s)
{
	return s->kind == LK_MAP && strlen(c->prefixes[s->in]) + strlen(s->orig) > MAP_NAME_MAX;
}

/* Pass 1: the plain new name of every conflicting strong definition but a
 * map pinned by name: its pin path is the vendor's contract, so it keeps
 * the name (link_share_pinned left at most one of them in the group). */
static int plan_group(struct link_ctx *c, const int *g, size_t n, void *arg)
{
	char **nn = arg;
	int err = report_group(c, g, n);

	for (size_t k = 0; k < n && !err; k++) {
		const struct lsym *s = &c->syms[g[k]];

		if (!link_strong_def(s) || s->pinned)
			continue;
		nn[g[k]] = auto_name(c->prefixes[s->in], s->name, s->kind == LK_MAP, false);
		if (!nn[g[k]])
			err = -ENOMEM;
	}
	return err;
}

/* Pass 2: a shortened map name equal to any other symbol's (new) name
 * takes the hashed form, on both sides when both are shortened, so the
 * result depends neither on input nor on symbol order. */
static int hash_clashes(struct link_ctx *c, char **nn)
{
	bool *clash = calloc(c->nr_syms + 1, sizeof(*clash));
	int err = clash ? 0 : -ENOMEM;

	for (size_t k = 0; k < c->nr_syms && !err; k++)
		for (size_t j = 0; j < c->nr_syms && nn[k] && shortened(c, &c->syms[k]); j++)
			clash[k] |= j != k && !strcmp(nn[j] ? nn[j] : c->syms[j].name, nn[k]);
	for (size_t k = 0; k < c->nr_syms && !err; k++) {
		if (!clash[k])
			continue;
		free(nn[k]);
		nn[k] = auto_name(c->prefixes[c->syms[k].in], c->syms[k].orig, true, true);
		if (!nn[k])
			err = -ENOMEM;
	}
	free(clash);
	return err;
}

/* Pass 3, group by group (the --map-file order): apply the names. */
static int apply_group(struct link_ctx *c, const int *g, size_t n, void *arg)
{
	char **nn = arg;
	int err = 0;

	for (size_t k = 0; k < n && !err; k++) {
		struct lsym *s = &c->syms[g[k]];

		if (!nn[g[k]])
			continue;
		pr_debug("%s: %s '%s' is defined elsewhere too: renamed to '%s'",
			 c->in[s->in]->path, link_kind_name(s->kind), s->name, nn[g[k]]);
		err = set_name(c, s, nn[g[k]], false);
	}
	return err;
}

static int report_collision(struct link_ctx *c, const int *g, size_t n, void *arg)
{
	const struct lsym *a, *b;

	first_two_strong(c, g, n, &a, &b);
	pr_err("renaming made '%s' in %s (was '%s') collide with '%s' in %s (was '%s'); "
	       "use --prefix OBJ=PFX or --rename", a->name, c->in[a->in]->path, a->orig,
	       b->name, c->in[b->in]->path, b->orig);
	return -EEXIST;
}

int link_rename_conflicts(struct link_ctx *c)
{
	char **nn = calloc(c->nr_syms + 1, sizeof(*nn));
	int err = nn ? link_for_each_conflict(c, nn, plan_group) : -ENOMEM;

	if (!err)
		err = hash_clashes(c, nn);
	if (!err)
		err = link_for_each_conflict(c, nn, apply_group);
	for (size_t k = 0; nn && k < c->nr_syms; k++)
		free(nn[k]);
	free(nn);
	return err ? err : link_for_each_conflict(c, NULL, report_collision);
}
