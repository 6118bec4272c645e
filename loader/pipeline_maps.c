/* The pipeline's map names and map reuse across attaches.
 *
 * A control plane finds a module's map by a name that does not depend on
 * the other modules: "<module>-<map>" (fw_acme-rules), whatever the linker
 * renamed it to.  On a re-attach those maps are handed to the loader
 * again, so rules and counters a control plane put in them survive. */
#include "pipeline_internal.h"

#include "load.h"
#include "log.h"
#include "mapdef.h"
#include "obj.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const struct pipeline_mod_map *find_map(const struct pipeline *p, const char *linked,
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
			if (defs[k].is_extern || find_map(p, linked, NULL))
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

void pipeline_map_pin_name(const struct pipeline *p, const char *linked, char out[65])
{
	const struct pipeline_module *owner = NULL;
	const struct pipeline_mod_map *mm = find_map(p, linked, &owner);
	size_t n;

	if (!mm) {
		if (!sanitize(linked, out, 56))
			snprintf(out, 65, "map");
		return;
	}
	/* The map's own name is kept whole; a long module name is cut. */
	n = strlen(mm->orig) < 40 ? strlen(mm->orig) : 40;
	n = sanitize(owner->label, out, 63 - n);
	out[n++] = '-';
	sanitize(mm->orig, out + n, 64 - n);
}

/* Which file a map of the linked pipeline comes from, for messages. */
static const char *map_origin(const struct pipeline *p, const char *linked)
{
	const struct pipeline_module *owner = NULL;

	return find_map(p, linked, &owner) ? owner->path : "rootlet or global data";
}

/* Two maps of one pipeline must never share a pin name: a re-attach finds
 * each module's kept map by that name alone.  Refused before the attach. */
int pipeline_pins_check(const struct pipeline *p)
{
	const struct loaded_obj *lo = p->lo;
	char (*names)[65] = calloc(lo->nr_maps ? lo->nr_maps : 1, sizeof(*names));
	int err = 0;

	if (!names)
		return -ENOMEM;
	for (size_t i = 0; !err && i < lo->nr_maps; i++) {
		const char *map = lo->maps[i].name;

		pipeline_map_pin_name(p, map, names[i]);
		if (!strcmp(names[i], STATE_RECORD_NAME) || !strcmp(names[i], PIPELINE_PROG_PIN)) {
			pr_err("attach %s: map %s (%s) would be pinned as '%s', a name xdpld "
			       "keeps for itself", p->ifname, map, map_origin(p, map), names[i]);
			err = -EEXIST;
		}
		for (size_t k = 0; !err && k < i; k++) {
			const char *other = lo->maps[k].name;

			if (strcmp(names[i], names[k]))
				continue;
			pr_err("attach %s: maps %s (%s) and %s (%s) would both be pinned as '%s'; "
			       "rename one of the module files", p->ifname, other,
			       map_origin(p, other), map, map_origin(p, map), names[i]);
			err = -EEXIST;
		}
	}
	free(names);
	return err;
}

/* A map that holds this load's programs (or, with initial slots, its
 * maps) must be new on every attach: kept, it would go on calling the
 * previous version's code (the loader never rewrites a kept map's slots). */
static bool holds_this_load(const struct map_def *d)
{
	if (d->type == BPF_MAP_TYPE_PROG_ARRAY)
		return true;
	return (d->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || d->type == BPF_MAP_TYPE_HASH_OF_MAPS) &&
	       d->nr_init;
}

/* Offloaded maps live on the NIC, the others in host memory: neither can
 * stand in for the other.  An unreadable recorded mode keeps nothing. */
static bool modes_share_maps(const struct pipeline *p, const struct pipeline_prev *prev)
{
	enum nic_mode was;
	char val[16];

	if (state_record_get(prev->record, "mode", val, sizeof(val)) || nic_mode_parse(val, &was)) {
		pr_warn("attach %s: the record in %s has no valid mode; starting with new, "
			"empty maps", p->ifname, state_root());
		return false;
	}
	if ((was == NIC_MODE_HW) == (p->mode == NIC_MODE_HW))
		return true;
	pr_info("attach %s: the previous pipeline's maps are %s (%s mode), this one's %s: "
		"starting with new, empty maps", p->ifname,
		was == NIC_MODE_HW ? "offloaded to the NIC" : "in host memory", nic_mode_name(was),
		p->mode == NIC_MODE_HW ? "offloaded" : "in host memory");
	return false;
}

static int prev_pin_fd(const struct pipeline_prev *prev, const char *name)
{
	for (size_t i = 0; i < prev->nr_pins; i++)
		if (!strcmp(prev->pins[i].name, name))
			return prev->pins[i].fd;
	return -ENOENT;
}

int pipeline_maps_reuse(const struct pipeline *p, const struct pipeline_prev *prev,
			struct load_map_reuse **out, size_t *nr)
{
	struct map_def *defs = NULL;
	size_t nr_defs = 0;
	int err;

	*out = NULL;
	*nr = 0;
	if (!prev->record || !modes_share_maps(p, prev))	/* nothing of ours to keep */
		return 0;
	err = obj_map_defs(p->linked.out, &defs, &nr_defs);
	if (err)
		return err;
	*out = calloc(nr_defs ? nr_defs : 1, sizeof(**out));
	if (!*out) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nr_defs; i++) {
		const struct map_def *d = &defs[i];
		const struct pipeline_module *owner = NULL;
		const struct pipeline_mod_map *mm = find_map(p, d->name, &owner);
		struct load_map_mismatch mis = { 0 };
		char pin[65];
		int fd, ret;

		if (!mm || d->is_extern)
			continue;
		pipeline_map_pin_name(p, d->name, pin);
		fd = prev_pin_fd(prev, pin);
		if (fd < 0)
			continue;
		if (holds_this_load(d)) {
			pr_debug("attach %s: module %s map %s: a new %s (it holds the programs or "
				 "maps of this attach)", p->ifname, owner->label, mm->orig,
				 map_type_name(d->type));
			continue;
		}
		ret = load_map_check_reuse(d, fd, &mis, NULL);
		if (ret == -EINVAL && mis.field) {
			pr_warn("attach %s: module %s map %s: the map kept from the previous attach "
				"(pin %s) is incompatible (%s: kept %u, now %u); starting with a "
				"new, empty map", p->ifname, owner->label, mm->orig, pin, mis.field,
				mis.have, mis.want);
			continue;
		}
		if (ret) {
			pr_warn("attach %s: module %s map %s: pin %s is not a usable map (%s); "
				"starting with a new, empty map", p->ifname, owner->label, mm->orig,
				pin, ret == -ENOTSUP ? "not a map" : strerror(-ret));
			continue;
		}
		pr_debug("attach %s: module %s map %s: keeping pin %s", p->ifname, owner->label,
			 mm->orig, pin);
		(*out)[*nr].name = d->name;
		(*out)[*nr].fd = fd;
		++*nr;
	}
out:
	/* The names must outlive defs: point them at p's copies. */
	for (size_t i = 0; !err && i < *nr; i++) {
		const struct pipeline_mod_map *mm = find_map(p, (*out)[i].name, NULL);

		(*out)[i].name = mm->linked;
	}
	map_defs_free(defs, nr_defs);
	if (err) {
		free(*out);
		*out = NULL;
		*nr = 0;
	}
	return err;
}
