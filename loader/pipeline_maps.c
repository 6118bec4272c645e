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
	const struct pipeline_mod_map *mm = find_map(p, linked, &owner);

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

	return find_map(p, linked, &owner) ? owner->s->label : NULL;
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
			       "rename one of the module files", p->ifname, pins[k].obj_name,
			       origin(p, pins[k].module), pins[i].obj_name, what, pins[i].name);
			return -EEXIST;
		}
	}
	return 0;
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
	enum nic_mode was = prev->plan.mode;

	if ((was == NIC_MODE_HW) == (p->mode == NIC_MODE_HW))
		return true;
	pr_info("attach %s: the previous pipeline's maps are %s (%s mode), this one's %s: "
		"starting with new, empty maps", p->ifname,
		was == NIC_MODE_HW ? "offloaded to the NIC" : "in host memory", nic_mode_name(was),
		p->mode == NIC_MODE_HW ? "offloaded" : "in host memory");
	return false;
}

/* A map kept across a relink must suit the new version exactly; an attach
 * only warns and starts the map fresh. */
static int reuse_refused(const struct pipeline *p, const struct pipeline_module *owner,
			 const char *map, const char *pin, const char *what)
{
	if (!p->strict_maps || !owner->code_changed) {
		pr_warn("attach %s: module %s map %s: the map kept from the previous attach "
			"(pin %s) is incompatible (%s); starting with a new, empty map",
			p->ifname, owner->s->label, map, pin, what);
		return 0;
	}
	pr_err("%s: module %s map %s: the new version does not fit the running map (pin "
	       "%s): %s; nothing changed (--reset-state starts the module's maps empty)",
	       p->ifname, owner->s->label, map, pin, what);
	return -EINVAL;
}

/* Checks one map definition against its kept pin; 1: reuse it. */
static int reuse_one(const struct pipeline *p, const struct obj *o,
		     const struct pipeline_module *owner, const struct map_def *d,
		     const char *orig, int fd, const char *pin)
{
	struct load_map_mismatch mis = { 0 };
	char why[160];
	int ret;

	if (holds_this_load(d)) {
		pr_debug("attach %s: module %s map %s: a new %s (it holds the programs or "
			 "maps of this attach)", p->ifname, owner->s->label, orig,
			 map_type_name(d->type));
		return 0;
	}
	ret = load_map_check_reuse(d, fd, &mis, NULL);
	if (ret == -EINVAL && mis.field) {
		snprintf(why, sizeof(why), "%s: kept %u, now %u", mis.field, mis.have, mis.want);
		return reuse_refused(p, owner, orig, pin, why);
	}
	if (ret) {
		pr_warn("attach %s: module %s map %s: pin %s is not a usable map (%s); "
			"starting with a new, empty map", p->ifname, owner->s->label, orig, pin,
			ret == -ENOTSUP ? "not a map" : strerror(-ret));
		return 0;
	}
	ret = load_map_check_btf(o, d, fd, why, sizeof(why));
	if (ret == -EINVAL)
		return reuse_refused(p, owner, orig, pin, why);
	if (ret)
		pr_debug("attach %s: module %s map %s: BTF not compared (%s)", p->ifname,
			 owner->s->label, orig, strerror(-ret));
	pr_debug("attach %s: module %s map %s: keeping pin %s", p->ifname, owner->s->label,
		 orig, pin);
	return 1;
}

/* A name that outlives defs: the map's symbol in o. */
static const char *stable_name(const struct pipeline *p, const struct obj *o, const char *name,
			       bool linked)
{
	const struct pipeline_mod_map *mm;

	if (linked) {
		mm = find_map(p, name, NULL);
		return mm ? mm->linked : NULL;
	}
	for (size_t i = 1; i < o->nr_syms; i++)
		if (!strcmp(o->syms[i].name, name))
			return o->syms[i].name;
	return NULL;
}

int pipeline_maps_reuse(const struct pipeline *p, const struct pipeline_prev *prev,
			const struct pipeline_module *m, struct load_map_reuse **out, size_t *nr)
{
	const struct obj *o = m ? m->obj : p->linked.out;
	struct map_def *defs = NULL;
	size_t nr_defs = 0;
	int err;

	*out = NULL;
	*nr = 0;
	if (!prev->have_plan || !modes_share_maps(p, prev))	/* nothing of ours to keep */
		return 0;
	err = obj_map_defs(o, &defs, &nr_defs);
	if (err)
		return err;
	*out = calloc(nr_defs ? nr_defs : 1, sizeof(**out));
	if (!*out) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; !err && i < nr_defs; i++) {
		const struct map_def *d = &defs[i];
		const struct pipeline_module *owner = m;
		const char *orig = d->name, *name;
		char pin[PLAN_PIN_LEN];
		int fd, ret;

		if (d->is_extern)
			continue;
		if (!m) {
			const struct pipeline_mod_map *mm = find_map(p, d->name, &owner);

			if (!mm)
				continue;
			orig = mm->orig;
		}
		pipeline_module_pin_name(owner->s->label, orig, pin);
		fd = pipeline_prev_fd(prev, pin);
		if (fd < 0)
			continue;
		if (p->reset_state && owner->code_changed) {
			pr_info("%s: module %s map %s: starting empty (--reset-state)",
				p->ifname, owner->s->label, orig);
			continue;
		}
		ret = reuse_one(p, o, owner, d, orig, fd, pin);
		name = ret > 0 ? stable_name(p, o, d->name, !m) : NULL;
		if (ret < 0)
			err = ret;
		else if (name) {
			(*out)[*nr].name = name;
			(*out)[*nr].fd = fd;
			++*nr;
		}
	}
out:
	map_defs_free(defs, nr_defs);
	if (err) {
		free(*out);
		*out = NULL;
		*nr = 0;
	}
	return err;
}
