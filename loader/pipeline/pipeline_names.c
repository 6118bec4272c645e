/* The names of a pipeline's maps and pins: which module owns each map of
 * the linked pipeline, and the pin names in its state directory.
 *
 * A control plane finds a module's map by a name that does not depend on
 * the other modules: "<module>-<map>" (fw_acme-rules), whatever the linker
 * renamed it to; freplace links are "link-<slot>-a" / "-b". */
#include "pipeline_internal.h"

#include "base/log.h"
#include "elf/mapdef.h"
#include "elf/obj.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pipeline_link_pin_name(uint32_t slot, uint32_t target, char out[PLAN_PIN_LEN])
{
	snprintf(out, PLAN_PIN_LEN, "link-%u-%c", slot, target ? 'b' : 'a');
}

/* The linked name of module m's map orig: what the linker renamed it to. */
static const char *linked_name(const struct pipeline *p, const struct pipeline_module *m,
			       const char *orig)
{
	for (size_t i = 0; i < p->linked.nr_names; i++) {
		const struct link_name_map *n = &p->linked.names[i];

		if (n->obj && !strcmp(n->obj, m->obj->path) && !strcmp(n->kind, "map") &&
		    !strcmp(n->old_name, orig))
			return n->new_name;
	}
	return orig;
}

const struct pipeline_mod_map *pipeline_find_map(const struct pipeline *p, const char *linked,
						const struct pipeline_module **owner)
{
	for (size_t i = 0; i < p->nr_mods; i++)
		for (size_t k = 0; k < p->mods[i].nr_maps; k++)
			if (!strcmp(p->mods[i].maps[k].linked, linked)) {
				if (owner)
					*owner = &p->mods[i];
				return &p->mods[i].maps[k];
			}
	return NULL;
}

static int add_map(struct pipeline_module *m, const char *orig, const char *linked)
{
	struct pipeline_mod_map *n = realloc(m->maps, (m->nr_maps + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	m->maps = n;
	n = &m->maps[m->nr_maps];
	n->orig = strdup(orig);
	n->linked = strdup(linked);
	if (!n->orig || !n->linked) {
		free(n->orig);
		free(n->linked);
		return -ENOMEM;
	}
	m->nr_maps++;
	return 0;
}

int pipeline_maps_resolve(struct pipeline *p)
{
	int err = 0;

	for (size_t i = 0; !err && i < p->nr_mods; i++) {
		struct pipeline_module *m = &p->mods[i];
		struct map_def *defs = NULL;
		size_t nr = 0;

		err = obj_map_defs(m->obj, &defs, &nr);
		for (size_t k = 0; !err && k < nr; k++) {
			const char *linked = linked_name(p, m, defs[k].name);

			/* Externs, and a weak map an earlier module already defines. */
			if (defs[k].is_extern || pipeline_find_map(p, linked, NULL))
				continue;
			err = add_map(m, defs[k].name, linked);
		}
		map_defs_free(defs, nr);
	}
	return err;
}

/* bpffs pin names allow [A-Za-z0-9_-]. */
static size_t sanitize(const char *s, char *out, size_t room)
{
	size_t i;

	for (i = 0; s[i] && i < room; i++) {
		char c = s[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' ? c : '_';
	}
	out[i] = '\0';
	return i;
}

void pipeline_module_pin_name(const char *label, const char *map, char out[PLAN_PIN_LEN])
{
	/* The map's own name is kept whole; a long module name is cut. */
	size_t n = strlen(map) < 40 ? strlen(map) : 40;

	n = sanitize(label, out, 63 - n);
	out[n++] = '-';
	sanitize(map, out + n, 64 - n);
}

void pipeline_map_pin_name(const struct pipeline *p, const char *linked, char out[PLAN_PIN_LEN])
{
	const struct pipeline_module *owner = NULL;
	const struct pipeline_mod_map *mm = pipeline_find_map(p, linked, &owner);

	if (!mm) {
		if (!sanitize(linked, out, 56))
			snprintf(out, PLAN_PIN_LEN, "map");
		return;
	}
	pipeline_module_pin_name(owner->s->label, mm->orig, out);
}

const char *pipeline_map_owner(const struct pipeline *p, const char *linked)
{
	const struct pipeline_module *owner = NULL;

	return pipeline_find_map(p, linked, &owner) ? owner->s->label : NULL;
}

static bool reserved_pin(const char *name)
{
	return !strcmp(name, STATE_RECORD_NAME) || !strcmp(name, PIPELINE_PROG_PIN) ||
	       !strncmp(name, "link-", 5);
}

/* Which file a pinned map comes from, for messages. */
static const char *origin(const struct pipeline *p, const char *label)
{
	for (size_t i = 0; label && i < p->nr_mods; i++)
		if (!strcmp(p->mods[i].s->label, label))
			return p->mods[i].s->path;
	return "rootlet or global data";
}

/* Two maps of one pipeline must never share a pin name: a re-attach finds
 * each module's kept map by that name alone.  Refused before the attach. */
int pipeline_pins_unique(const struct pipeline *p, const struct pipeline_pin *pins, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		const char *what = origin(p, pins[i].module);

		if (!pins[i].is_map)
			continue;
		if (reserved_pin(pins[i].name)) {
			pr_err("attach %s: map %s (%s) would be pinned as '%s', a name xdpld "
			       "keeps for itself", p->ifname, pins[i].obj_name, what, pins[i].name);
			return -EEXIST;
		}
		for (size_t k = 0; k < i; k++) {
			if (strcmp(pins[i].name, pins[k].name))
				continue;
			pr_err("attach %s: maps %s (%s) and %s (%s) would both be pinned as '%s'; "
			       "name the modules apart: NAME=OBJ", p->ifname, pins[k].obj_name,
			       origin(p, pins[k].module), pins[i].obj_name, what, pins[i].name);
			return -EEXIST;
		}
	}
	return 0;
}
