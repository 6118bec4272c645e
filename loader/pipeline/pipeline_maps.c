/* The pipeline's maps across attaches: on a re-attach each module's maps,
 * found by their pin names (pipeline_names.c), are handed to the loader
 * again, so rules and counters a control plane put in them survive. */
#include "pipeline_internal.h"

#include "base/log.h"
#include "elf/mapdef.h"
#include "elf/obj.h"
#include "kernel/load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (!p->prepared)	/* said once: by the prepare pass, if there was one */
		pr_info("attach %s: the previous pipeline's maps are %s (%s mode), this one's "
			"%s: starting with new, empty maps", p->ifname,
			was == NIC_MODE_HW ? "offloaded to the NIC" : "in host memory",
			nic_mode_name(was), p->mode == NIC_MODE_HW ? "offloaded" : "in host memory");
	return false;
}

/* A map kept across a relink must suit the new version exactly; an attach
 * only warns and starts the map fresh. */
static int reuse_refused(const struct pipeline *p, const struct pipeline_module *owner,
			 const char *map, const char *pin, const char *what)
{
	if (!p->strict_maps || !owner->code_changed) {
		if (!p->prepared)
			pr_warn("attach %s: module %s map %s: the map kept from the previous "
				"attach (pin %s) is incompatible (%s); starting with a new, empty "
				"map", p->ifname, owner->s->label, map, pin, what);
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
		if (!p->prepared)
			pr_warn("attach %s: module %s map %s: pin %s is not a usable map (%s); "
				"starting with a new, empty map", p->ifname, owner->s->label, orig,
				pin, ret == -ENOTSUP ? "not a map" : strerror(-ret));
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
		mm = pipeline_find_map(p, name, NULL);
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
			const struct pipeline_mod_map *mm = pipeline_find_map(p, d->name, &owner);

			if (!mm)
				continue;
			orig = mm->orig;
		}
		pipeline_module_pin_name(owner->s->label, orig, pin);
		fd = pipeline_prev_fd(prev, pin);
		if (fd < 0)
			continue;
		if (p->reset_state && owner->code_changed) {
			/* said when it happens; a dry run lists these maps itself */
			if (!p->prepare)
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

void pipeline_maps_print_reset(const struct pipeline *p, const struct pipeline_prev *prev)
{
	bool kept = prev->have_plan && (prev->plan.mode == NIC_MODE_HW) == (p->mode == NIC_MODE_HW);

	for (size_t i = 0; p->reset_state && kept && i < p->nr_mods; i++) {
		const struct pipeline_module *m = &p->mods[i];
		struct map_def *defs = NULL;
		size_t nr = 0;

		/* the maps pipeline_maps_reuse would say "starting empty" for */
		if (!m->code_changed || !m->obj || obj_map_defs(m->obj, &defs, &nr))
			continue;
		for (size_t k = 0; k < nr; k++) {
			char pin[PLAN_PIN_LEN];

			pipeline_module_pin_name(m->s->label, defs[k].name, pin);
			if (!defs[k].is_extern && pipeline_prev_fd(prev, pin) >= 0)
				printf("%s: module %s: map %s starts empty (--reset-state)\n",
				       p->ifname, m->s->label, defs[k].name);
		}
		map_defs_free(defs, nr);
	}
}
