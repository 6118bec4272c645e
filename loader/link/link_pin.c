/* Maps pinned by name (__uint(pinning, LIBBPF_PIN_BY_NAME)).
 *
 * Such a map's name is a contract: the loader pins it as <pin root>/<name>
 * and a userspace agent opens that path.  libbpf loading two objects that
 * both define it shares one pin (the second load reuses the first's map
 * when the definitions match, and fails when they do not).  The linker
 * does the same at link time: in a group of strong definitions of one
 * name, every map pinned by name with the same definition as the first
 * one (type, key/value size and BTF types, max_entries, flags, numa node,
 * map_extra, inner map) becomes that map (pin_shared: it resolves to the
 * first like a losing weak definition, its bytes are cut out); a different
 * definition is an error naming both objects, the map and the field.  The
 * other strong definitions of the name (an unpinned map, a variable, a
 * function) are renamed by link_rename.c, while the pinned map keeps its
 * name.  With --no-rename nothing is shared: libbpf's linker refuses two
 * strong definitions, pinned or not. */
#include "link_internal.h"
#include "base/log.h"
#include "btf/btf.h"
#include "elf/mapdef.h"
#include "elf/obj.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* The BTF types of one side's key or value, compared when both sides
 * name one (a __uint(key_size) map has none). */
static int btf_side_diff(const struct link_ctx *c, const struct lsym *a, uint32_t ida,
			 const struct lsym *b, uint32_t idb, const char *what, char *why,
			 size_t len)
{
	const struct btf *ba = c->in[a->in]->btf, *bb = c->in[b->in]->btf;
	char diff[160] = "";

	if (!ba || !bb || !ida || !idb)
		return 0;
	if (btf_types_equal(ba, ida, bb, idb, diff, sizeof(diff)))
		return 0;
	snprintf(why, len, "%s type differs (%s)", what, diff[0] ? diff : "BTF");
	return -EINVAL;
}

/* 0 when pinned map definitions a and b can be one map; otherwise
 * -EINVAL and why says which field differs, with both values. */
static int pinned_diff(const struct link_ctx *c, const struct lsym *sa, const struct lsym *sb,
		       char *why, size_t len)
{
	const struct map_def *a = link_map_def(c, sa), *b = link_map_def(c, sb);
	const char *inner_why = NULL;
	const struct {
		const char *name;
		uint64_t x, y;
	} f[] = {
		{ "type", a->type, b->type },
		{ "key_size", a->key_size, b->key_size },
		{ "value_size", a->value_size, b->value_size },
		{ "max_entries", a->max_entries, b->max_entries },
		{ "map_flags", a->map_flags, b->map_flags },
		{ "numa_node", a->numa_node, b->numa_node },
		{ "map_extra", a->map_extra, b->map_extra },
	};

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		if (f[k].x == f[k].y)
			continue;
		if (k == 0)
			snprintf(why, len, "type differs (%s vs %s)", map_type_name(a->type),
				 map_type_name(b->type));
		else
			snprintf(why, len, "%s differs (%" PRIu64 " vs %" PRIu64 ")", f[k].name,
				 f[k].x, f[k].y);
		return -EINVAL;
	}
	if (!a->inner != !b->inner || (a->inner && map_def_compat(a->inner, b->inner, &inner_why))) {
		snprintf(why, len, "inner map differs (%s)", inner_why ? inner_why : "only one has one");
		return -EINVAL;
	}
	/* Initial slots name programs or maps of their own object: two
	 * objects' slots cannot be one map's. */
	if (a->nr_init || b->nr_init) {
		snprintf(why, len, "initial slots (.values) differ: a shared pinned map cannot have them");
		return -EINVAL;
	}
	if (btf_side_diff(c, sa, a->btf_key_type_id, sb, b->btf_key_type_id, "key", why, len) ||
	    btf_side_diff(c, sa, a->btf_value_type_id, sb, b->btf_value_type_id, "value", why, len))
		return -EINVAL;
	return 0;
}

static int share_group(struct link_ctx *c, const int *g, size_t n, void *arg)
{
	struct lsym *first = NULL;
	char why[256];

	for (size_t k = 0; k < n; k++) {
		struct lsym *s = &c->syms[g[k]];

		if (!link_strong_def(s) || !s->pinned)
			continue;
		if (!first) {
			first = s;
			continue;
		}
		if (pinned_diff(c, first, s, why, sizeof(why))) {
			pr_err("%s: .maps: map '%s' is pinned by name (LIBBPF_PIN_BY_NAME) in %s and "
			       "%s with different definitions: %s; one pin cannot hold "
			       "both (--rename OBJ:%s=NEW gives one of them another name and pin)",
			       c->in[s->in]->path, s->name, c->in[first->in]->path,
			       c->in[s->in]->path, why, s->orig);
			return -EINVAL;
		}
		s->pin_shared = true;
		pr_debug("%s: map '%s' is pinned by name as in %s, with the same definition: "
			 "one map, one pin", c->in[s->in]->path, s->name, c->in[first->in]->path);
	}
	return 0;
}

int link_share_pinned(struct link_ctx *c)
{
	return c->opts->no_rename ? 0 : link_for_each_conflict(c, NULL, share_group);
}
