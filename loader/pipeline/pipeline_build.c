/* A new pipeline built: the generated rootlet for the plan's slots, and
 * for the static backend the rootlet and modules linked into one object
 * (the plan's naming rules applied) and loaded in one go. */
#include "pipeline_internal.h"

#include "base/log.h"
#include "elf/obj.h"
#include "kernel/load.h"
#include "link/link.h"
#include "plan.h"
#include "link/rootlet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The module whose label is `label` (a naming rule's), by its object's path. */
static const char *module_path(const struct pipeline *p, const char *label)
{
	for (size_t i = 0; i < p->nr_mods; i++)
		if (!strcmp(p->mods[i].s->label, label))
			return p->mods[i].s->path;
	return label;	/* not reached: rules name the plan's modules */
}

/* [rootlet, modules...] with module:entry=xdpld_slot<i>, and the plan's
 * naming rules (modules named by their object's path). */
int pipeline_link(struct pipeline *p)
{
	const struct plan *pl = p->plan;
	size_t nr_ren = p->nr_mods + pl->nr_renames, nr_pfx = 0;
	struct link_rename *renames = calloc(nr_ren, sizeof(*renames));
	struct link_prefix *prefixes = calloc(p->nr_mods, sizeof(*prefixes));
	char (*slot_names)[32] = calloc(p->nr_mods, sizeof(*slot_names));
	struct obj **in = calloc(p->nr_mods + 1, sizeof(*in));
	struct link_opts lo = { .no_rename = pl->no_rename,
				.flatten = pl->backend == ROOTLET_STATIC && !pl->no_flatten };
	int err = -ENOMEM;

	if (!renames || !prefixes || !slot_names || !in)
		goto out;
	in[0] = p->rootlet;
	for (size_t i = 0; i < p->nr_mods; i++) {
		in[i + 1] = p->mods[i].obj;
		renames[i].obj = p->mods[i].s->path;
		renames[i].old_name = p->mods[i].s->prog;
		renames[i].new_name = rootlet_slot_name((uint32_t)i, slot_names[i],
							sizeof(slot_names[i]));
		if (p->mods[i].s->prefix) {
			prefixes[nr_pfx].obj = p->mods[i].s->path;
			prefixes[nr_pfx++].prefix = p->mods[i].s->prefix;
		}
	}
	for (size_t k = 0; k < pl->nr_renames; k++) {
		struct link_rename *r = &renames[p->nr_mods + k];

		r->obj = pl->renames[k].module ? module_path(p, pl->renames[k].module) : NULL;
		r->old_name = pl->renames[k].old_name;
		r->new_name = pl->renames[k].new_name;
	}
	lo.renames = renames;
	lo.nr_renames = nr_ren;
	lo.prefixes = prefixes;
	lo.nr_prefixes = nr_pfx;
	err = link_objects(in, p->nr_mods + 1, &lo, &p->linked);
	if (err == -EEXIST)
		pr_err("attach %s: linking the pipeline failed: name the modules' symbols with "
		       "--prefix MODULE=PFX or --rename MODULE:OLD=NEW (manifest: option prefix, "
		       "list rename)", p->ifname);
	else if (err)
		pr_err("attach %s: linking the pipeline failed", p->ifname);
out:
	free(renames);
	free(prefixes);
	free(slot_names);
	free(in);
	return err;
}

/* Static, after the kernel refused the linked pipeline: which module it
 * refuses on its own as well (each loaded apart, as the tailcall backend
 * loads it, its errors kept quiet; no pin made or reused, nothing kept). */
static void name_refused_modules(const struct pipeline *p)
{
	size_t bad = 0;

	for (size_t i = 0; i < p->nr_mods; i++) {
		struct load_opts lopts = { .no_pin = true };
		struct loaded_obj *lo = NULL;
		char what[384];
		int err;

		log_capture_begin(NULL, 0);
		err = load_object(p->mods[i].obj, &lopts, &lo);
		log_capture_end();
		loaded_obj_free(lo);
		if (!err)
			continue;
		pipeline_module_desc(p, i, what, sizeof(what));
		pr_err("attach %s: slot %zu: %s is rejected on its own as well", p->ifname, i,
		       what);
		bad++;
	}
	if (!bad)
		pr_err("attach %s: each module loads on its own: the kernel refuses them linked "
		       "into one program (the tailcall or chain backend loads them apart)",
		       p->ifname);
}

/* Static backend: the linked pipeline in one load. */
int pipeline_load_static(struct pipeline *p, const struct pipeline_prev *prev)
{
	struct load_opts lopts = { 0 };
	struct load_map_reuse *reuse = NULL;
	const struct loaded_prog *lp;
	struct pipeline_desc desc;
	int err;

	pipeline_desc_opts(&desc, p, -1, &lopts);
	err = pipeline_maps_resolve(p);
	if (!err)
		err = pipeline_maps_reuse(p, prev, NULL, &reuse, &lopts.nr_reuse);
	if (err)
		return err;
	lopts.reuse = reuse;
	lopts.no_new_pins = p->prepare;	/* check pins nothing */
	if (p->mode == NIC_MODE_HW)
		lopts.offload_ifindex = (uint32_t)p->ifindex;
	err = load_object(p->linked.out, &lopts, &p->lo);
	free(reuse);
	if (err && err != -ENOMEM && p->nr_mods > 1 && p->mode != NIC_MODE_HW)
		name_refused_modules(p);
	if (err) {
		pr_err("attach %s: loading the pipeline failed; %s", p->ifname,
		       prev->ours ? "the running pipeline is unchanged" : "nothing was attached");
		return err;
	}
	lp = loaded_obj_prog(p->lo, ROOTLET_ENTRY_NAME);
	if (!lp) {
		pr_err("attach %s: the linked pipeline has no %s program", p->ifname,
		       ROOTLET_ENTRY_NAME);
		return -ENOENT;
	}
	p->prog_fd = lp->fd;
	p->prog_id = lp->id;
	return 0;
}

int pipeline_build_rootlet(struct pipeline *p)
{
	struct rootlet_cfg cfg;

	p->counters = p->plan->counters;	/* resolve_backend turns them off for hw */
	rootlet_cfg_init(&cfg, (uint32_t)p->nr_mods, p->plan->backend);
	cfg.counters = p->counters;
	for (size_t i = 0; i < p->nr_mods; i++)
		cfg.continue_mask[i] = p->mods[i].s->continue_mask;
	return rootlet_build(&cfg, pipeline_host_byte_order(), &p->rootlet);
}

