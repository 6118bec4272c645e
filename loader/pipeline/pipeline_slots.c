/* The tailcall, chain and freplace backends: the rootlet is loaded on its
 * own and each module on its own, then put into its slot: a prog array
 * entry (tailcall; chain: the module linked with its slot program, which
 * tail-calls the next slot) or a bpf_link to one of the slot's two rootlet
 * targets (freplace).  A re-link swaps one slot of the running rootlet:
 *
 *   tailcall, chain: load the new module, one prog array update (atomic);
 *   freplace: load it as an extension of the idle target, link it, flip the
 *             slot's selector (one u32 store), wait until no packet still
 *             runs the old target (an RCU grace period), drop the old link.
 *
 * Crash safety: the record names the module in flight ("pending") before
 * the swap and settles it after; whoever reads the record next asks the
 * kernel's slot which of the two runs (pipeline_slots_settle). */
#include "pipeline_internal.h"

#include "base/log.h"
#include "elf/obj.h"
#include "kernel/bpf_sys.h"
#include "kernel/kbtf.h"
#include "kernel/load.h"
#include "kernel/probe.h"
#include "link/link.h"
#include "link/rootlet.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const chain_maps[] = { ROOTLET_SLOTS_MAP, ROOTLET_STATS_MAP };

/* chain: the rootlet's maps slot programs share (the rootlet just loaded,
 * or the running one's pins) appended to reuse. */
static int chain_reuse(const struct pipeline *p, const struct pipeline_prev *prev,
		       struct load_map_reuse **reuse, size_t *nr)
{
	struct load_map_reuse *r = realloc(*reuse, (*nr + 2) * sizeof(*r));

	if (!r)
		return -ENOMEM;
	*reuse = r;
	for (size_t k = 0; k < 1u + p->counters; k++) {
		int fd = p->lo ? loaded_obj_map_fd(p->lo, chain_maps[k]) :
				 pipeline_prev_fd(prev, chain_maps[k]);

		if (fd < 0) {
			pr_err("%s: the rootlet's map %s is missing; attach again", p->ifname,
			       chain_maps[k]);
			return -ENOENT;
		}
		r[(*nr)++] = (struct load_map_reuse){ chain_maps[k], fd };
	}
	return 0;
}

/* chain: slot i's program, its slot wrapper linked with the module (the
 * entry aliased onto xdpld_slot<i>, as the static backend links). */
static int chain_link(const struct pipeline *p, size_t i, struct link_result *res)
{
	const struct pipeline_module *m = &p->mods[i];
	struct rootlet_cfg cfg;
	char slot[32];
	struct link_rename ren = { m->s->path, m->s->prog,
				   rootlet_slot_name((uint32_t)i, slot, sizeof(slot)) };
	/* The module's body inlined where it can be: no call left, no
	 * bpf-to-bpf call next to the tail call (see link_flatten). */
	struct link_opts lo = { .renames = &ren, .nr_renames = 1, .out_name = m->s->path,
				.flatten = !p->plan->no_flatten };
	struct obj *in[2] = { NULL, m->obj };
	int err;

	rootlet_cfg_init(&cfg, (uint32_t)p->nr_mods, ROOTLET_CHAIN);
	cfg.counters = p->counters;
	cfg.continue_mask[i] = m->s->continue_mask;
	err = rootlet_chain_slot_build(&cfg, (uint32_t)i, m->obj->byte_order, &in[0]);
	if (!err)
		err = link_objects(in, 2, &lo, res);
	if (err)
		pr_err("%s: slot %zu (%s): linking %s into its slot program failed", p->ifname, i,
		       m->s->label, m->s->path);
	obj_free(in[0]);
	return err;
}

/* chain: the rootlet's maps in a slot program's load belong to the rootlet
 * (pinned with it), not to the module. */
static void forget_rootlet_maps(struct loaded_obj *lo)
{
	size_t n = 0;

	for (size_t k = 0; k < lo->nr_maps; k++) {
		struct loaded_map *mp = &lo->maps[k];

		if (mp->reused && (!strcmp(mp->name, chain_maps[0]) ||
				   !strcmp(mp->name, chain_maps[1]))) {
			close(mp->fd);
			free(mp->name);
			free(mp->pin_path);
			continue;
		}
		lo->maps[n++] = *mp;
	}
	lo->nr_maps = n;
}

/* Loads module i for target `target` of the rootlet rootlet_fd; freplace
 * also links it.  Nothing is pinned here. */
static int load_module(struct pipeline *p, const struct pipeline_prev *prev, size_t i,
		       uint32_t target, int rootlet_fd, bool swap)
{
	struct pipeline_module *m = &p->mods[i];
	struct load_ext_target ext = { .prog = m->s->prog, .target_fd = rootlet_fd };
	struct load_opts lopts = { 0 };
	struct load_map_reuse *reuse = NULL;
	struct link_result linked = { 0 };
	bool chain = p->plan->backend == ROOTLET_CHAIN;
	const struct loaded_prog *lp;
	struct pipeline_desc desc;
	char fn[48], what[384];
	int err;

	pipeline_desc_opts(&desc, p, (int)i, &lopts);
	err = pipeline_maps_reuse(p, prev, m, &reuse, &lopts.nr_reuse);
	if (!err && chain)
		err = chain_reuse(p, prev, &reuse, &lopts.nr_reuse);
	if (!err && chain)
		err = chain_link(p, i, &linked);
	if (err)
		goto out;
	lopts.reuse = reuse;
	lopts.no_new_pins = p->prepare;	/* check pins nothing */
	lopts.autoload = m->s->prog;	/* even from a "?xdp" section */
	if (p->plan->backend == ROOTLET_FREPLACE) {
		rootlet_target_name((uint32_t)i, target, fn, sizeof(fn));
		err = kbtf_prog_func_id(rootlet_fd, fn, &ext.target_btf_id);
		if (err) {
			pr_err("%s: the rootlet has no target %s in its BTF: %s", p->ifname, fn,
			       strerror(-err));
			goto out;
		}
		lopts.ext = &ext;
	}
	err = load_object(chain ? linked.out : m->obj, &lopts, &m->lo);
	if (err) {
		/* a new pipeline has no slot yet: what runs is left alone */
		pipeline_module_desc(p, i, what, sizeof(what));
		pr_err("%s: slot %zu: loading %s failed; %s", p->ifname, i, what,
		       swap ? "the slot is unchanged" : prev->ours ?
		       "the running pipeline is unchanged" : "nothing was attached");
		goto out;
	}
	if (chain)
		forget_rootlet_maps(m->lo);
	lp = loaded_obj_prog(m->lo, chain ? rootlet_chain_name((uint32_t)i, fn, sizeof(fn)) :
				     m->s->prog);
	if (!lp) {
		err = -ENOENT;
		goto out;
	}
	m->prog_fd = lp->fd;
	m->s->prog_id = lp->id;
	m->s->target = target;
	m->loaded = true;
	if (p->plan->backend == ROOTLET_FREPLACE && !p->prepare) {
		m->link_fd = sys_link_create(lp->fd, rootlet_fd, 0, 0, ext.target_btf_id);
		if (m->link_fd < 0) {
			err = m->link_fd;
			pr_err("%s: slot %zu (%s): attaching the extension to %s failed: %s",
			       p->ifname, i, m->s->label, fn, strerror(-err));
		}
	}
out:
	free(reuse);
	if (linked.out)
		link_result_free(&linked);
	return err;
}

int pipeline_slot_prepare(struct pipeline *p, const struct pipeline_prev *prev, size_t i)
{
	int rootlet_fd = pipeline_prev_fd(prev, PIPELINE_PROG_PIN);
	uint32_t t = prev->plan.slots[i].target;

	if (rootlet_fd < 0)
		return -ENOENT;
	return load_module(p, prev, i, p->plan->backend == ROOTLET_FREPLACE ? !t : 0, rootlet_fd,
			   true);
}

static int rootlet_map_fd(const struct loaded_obj *lo, const char *name, const char *ifname)
{
	int fd = loaded_obj_map_fd(lo, name);

	if (fd < 0)
		pr_err("%s: the rootlet has no map %s", ifname, name);
	return fd;
}

int pipeline_slots_load(struct pipeline *p, const struct pipeline_prev *prev)
{
	struct load_opts lopts = { 0 };
	const struct loaded_prog *lp;
	int err, slots_fd = -1;

	err = load_object(p->rootlet, &lopts, &p->lo);
	if (err) {
		pr_err("attach %s: loading the %s rootlet failed", p->ifname,
		       rootlet_backend_name(p->plan->backend));
		return err;
	}
	lp = loaded_obj_prog(p->lo, ROOTLET_ENTRY_NAME);
	if (!lp)
		return -ENOENT;
	p->prog_fd = lp->fd;
	p->prog_id = lp->id;
	if (p->plan->backend != ROOTLET_FREPLACE) {
		slots_fd = rootlet_map_fd(p->lo, ROOTLET_SLOTS_MAP, p->ifname);
		if (slots_fd < 0)
			return slots_fd;
	}
	/* A new rootlet: every module is loaded (maps kept by pin), target a. */
	for (size_t i = 0; i < p->nr_mods; i++) {
		uint32_t key = (uint32_t)i;

		err = load_module(p, prev, i, 0, p->prog_fd, false);
		if (err)
			return err;
		if (slots_fd >= 0) {
			err = sys_map_update(slots_fd, &key, &p->mods[i].prog_fd, BPF_ANY);
			if (err) {
				pr_err("%s: slot %zu: prog array update failed: %s", p->ifname, i,
				       strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

/* Returns once every XDP program that may have read the old selector has
 * finished: the kernel waits for an RCU grace period after a map-in-map
 * update made through bpf(2), and XDP runs under RCU. */
static int wait_for_readers(void)
{
	int inner = sys_map_create(BPF_MAP_TYPE_ARRAY, "xdpld_rcu_in", 4, 4, 1, 0, NULL);
	struct sys_map_create_opts mo = { .inner_map_fd = (uint32_t)inner };
	uint32_t key = 0;
	int outer, err;

	if (inner < 0)
		return inner;
	mo.inner_map_fd = (uint32_t)inner;
	outer = sys_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xdpld_rcu", 4, 4, 1, 0, &mo);
	err = outer < 0 ? outer : sys_map_update(outer, &key, &inner, BPF_ANY);
	if (outer >= 0)
		close(outer);
	close(inner);
	return err;
}

/* Drops a pin held by prev as well (its fd keeps a link alive). */
static void drop_pin(const char *ifname, struct pipeline_prev *prev, const char *name)
{
	for (size_t i = 0; i < prev->nr_pins; i++) {
		if (strcmp(prev->pins[i].name, name) || prev->pins[i].fd < 0)
			continue;
		close(prev->pins[i].fd);
		prev->pins[i].fd = -1;
	}
	state_unpin(ifname, name);
}

/* The plan entries of m's loaded maps (for the pending record). */
static int module_maps(const struct pipeline_module *m, struct plan_map **out, size_t *nr)
{
	const struct loaded_obj *lo = m->lo;
	struct plan_map *maps = calloc(lo->nr_maps + 1, sizeof(*maps));

	*out = maps;
	*nr = 0;
	if (!maps)
		return -ENOMEM;
	for (size_t i = 0; i < lo->nr_maps; i++, ++*nr) {
		maps[i].name = strdup(lo->maps[i].name);
		maps[i].module = strdup(m->s->label);
		if (!maps[i].name || !maps[i].module) {
			++*nr;
			return -ENOMEM;
		}
		pipeline_module_pin_name(m->s->label, lo->maps[i].name, maps[i].pin);
		maps[i].id = lo->maps[i].id;
	}
	return 0;
}

/* After the swap: the new module's maps under their stable names; pins of
 * the old module that the new one does not have go. */
static int repin_maps(const char *ifname, struct pipeline_prev *prev, struct plan *cur,
		      const struct pipeline_module *m)
{
	char pin[PLAN_PIN_LEN];
	int err = 0;

	for (size_t i = 0; i < m->lo->nr_maps; i++) {
		pipeline_module_pin_name(m->s->label, m->lo->maps[i].name, pin);
		if (state_pin(ifname, pin, m->lo->maps[i].fd))
			err = -EIO;
	}
	for (size_t i = 0; i < cur->nr_maps; i++) {
		bool kept = false;

		if (!cur->maps[i].module || strcmp(cur->maps[i].module, m->s->label))
			continue;
		for (size_t k = 0; k < m->lo->nr_maps && !kept; k++) {
			pipeline_module_pin_name(m->s->label, m->lo->maps[k].name, pin);
			kept = !strcmp(pin, cur->maps[i].pin);
		}
		if (!kept)
			drop_pin(ifname, prev, cur->maps[i].pin);
	}
	return err;
}

/* The target slot k runs now, read from the kernel (the record may be
 * behind after a crash); -errno when the selector cannot be read. */
static int current_target(int sel_fd, size_t k)
{
	uint32_t key = (uint32_t)k, sel = 0;
	int err = sys_map_lookup(sel_fd, &key, &sel);

	return err ? err : sel ? 1 : 0;
}

/* Stage one slot: load its new module (maps kept), and for freplace link
 * it to the idle target and pin the link.  Nothing runs it yet. */
static int stage_slot(struct pipeline *p, struct pipeline_prev *prev, size_t k, int rootlet_fd,
		      int slot_map_fd)
{
	struct pipeline_module *m = &p->mods[k];
	char link_new[PLAN_PIN_LEN];
	int t = 0, err;

	if (p->plan->backend == ROOTLET_FREPLACE) {
		t = current_target(slot_map_fd, k);
		if (t < 0) {
			pr_err("%s: slot %zu: cannot read the selector %s: %s", p->ifname, k,
			       ROOTLET_SEL_MAP, strerror(-t));
			return t;
		}
		t = !t;
		/* A link left on the idle target (an interrupted re-link) blocks
		 * it: it runs nothing, the selector points at the other target. */
		pipeline_link_pin_name((uint32_t)k, (uint32_t)t, link_new);
		drop_pin(p->ifname, prev, link_new);
	}
	err = load_module(p, prev, k, (uint32_t)t, rootlet_fd, true);
	if (!err && m->link_fd >= 0)
		err = state_pin(p->ifname, link_new, m->link_fd);
	return err;
}

/* One staged slot: pending record, the swap, pins, final record. */
static int swap_slot(struct pipeline *p, struct pipeline_prev *prev, size_t k, int slot_map_fd)
{
	struct plan *cur = &prev->plan;
	struct pipeline_module *m = &p->mods[k];
	bool freplace = p->plan->backend == ROOTLET_FREPLACE;
	uint32_t new_t = m->s->target, key = (uint32_t)k;
	char link_old[PLAN_PIN_LEN];
	int err;

	pipeline_link_pin_name((uint32_t)k, !new_t, link_old);
	cur->has_pending = true;
	cur->pending_index = (uint32_t)k;
	plan_slot_free(&cur->pending);
	plan_maps_free(cur->pending_maps, cur->nr_pending_maps);
	err = module_maps(m, &cur->pending_maps, &cur->nr_pending_maps);
	if (!err)
		err = plan_slot_copy(&cur->pending, m->s);
	if (!err)
		err = pipeline_record_plan(p->ifname, cur);
	if (err)
		goto fail;
	if (freplace)
		err = sys_map_update(slot_map_fd, &key, &new_t, BPF_ANY);
	else
		err = sys_map_update(slot_map_fd, &key, &m->prog_fd, BPF_ANY);
	if (err) {
		pr_err("%s: slot %zu (%s): the swap failed: %s; the slot is unchanged", p->ifname,
		       k, m->s->label, strerror(-err));
		goto fail;
	}
	/* Swapped: from here on the new module runs. */
	p->swapped++;
	if (freplace) {
		err = wait_for_readers();
		if (err) {
			pr_warn("%s: slot %zu: cannot wait for an RCU grace period (map-in-map "
				"update: %s); pausing 100 ms before dropping the old module",
				p->ifname, k, strerror(-err));
			usleep(100000);
		}
		drop_pin(p->ifname, prev, link_old);
	}
	err = repin_maps(p->ifname, prev, cur, m);
	plan_slot_free(&cur->slots[k]);
	cur->slots[k] = cur->pending;
	memset(&cur->pending, 0, sizeof(cur->pending));
	cur->has_pending = false;
	if (plan_replace_module_maps(cur, m->s->label, cur->pending_maps, cur->nr_pending_maps))
		err = -ENOMEM;
	cur->pending_maps = NULL;
	cur->nr_pending_maps = 0;
	if (err || pipeline_record_plan(p->ifname, cur)) {
		pr_err("%s: slot %zu (%s) runs the new module, but its pins or record could not "
		       "be updated (xdpld status shows what runs)", p->ifname, k, m->s->label);
		return -EIO;
	}
	pr_info("%s: slot %zu (%s) re-linked: %s, program id %u, rootlet id %u unchanged",
		p->ifname, k, m->s->label, m->s->path, m->s->prog_id, cur->prog_id);
	return 0;
fail:
	if (cur->has_pending) {
		cur->has_pending = false;
		plan_slot_free(&cur->pending);
		plan_maps_free(cur->pending_maps, cur->nr_pending_maps);
		cur->pending_maps = NULL;
		cur->nr_pending_maps = 0;
		pipeline_record_plan(p->ifname, cur);
	}
	return err;
}

/* Staged links of slots that were not swapped go again. */
static void unstage(struct pipeline *p, const struct plan_diff *d, size_t from)
{
	char name[PLAN_PIN_LEN];

	for (size_t k = from; k < d->nr_slots; k++) {
		if (d->change[k] != PLAN_SLOT_CODE || p->mods[k].link_fd < 0)
			continue;
		pipeline_link_pin_name((uint32_t)k, p->mods[k].s->target, name);
		state_unpin(p->ifname, name);
	}
}

int pipeline_slots_jit_check(const char *ifname, const struct pipeline_prev *prev,
			     enum rootlet_backend backend)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int rootlet_fd = pipeline_prev_fd(prev, PIPELINE_PROG_PIN);
	int jit = probe_jit_enable();
	bool was;

	if ((backend != ROOTLET_TAILCALL && backend != ROOTLET_CHAIN) || rootlet_fd < 0 || jit < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (sys_obj_info(rootlet_fd, &info, &len))
		return 0;
	was = info.jited_prog_len > 0;
	if (was == (jit > 0))
		return 0;
	pr_err("%s: the running pipeline was compiled %s and net.core.bpf_jit_enable is %d now: "
	       "its prog array takes no program compiled otherwise, so no slot can be swapped; "
	       "set net.core.bpf_jit_enable back to %d, or detach and attach the pipeline again",
	       ifname, was ? "by the BPF JIT" : "for the interpreter (BPF JIT off)", jit,
	       was ? 1 : 0);
	return -EINVAL;
}

int pipeline_slots_swap(struct pipeline *p, struct pipeline_prev *prev, const struct plan_diff *d)
{
	const char *map = p->plan->backend == ROOTLET_FREPLACE ? ROOTLET_SEL_MAP : ROOTLET_SLOTS_MAP;
	int rootlet_fd = pipeline_prev_fd(prev, PIPELINE_PROG_PIN);
	int map_fd = state_get(p->ifname, map);
	size_t k;
	int err = 0;

	if (rootlet_fd < 0 || map_fd < 0) {
		pr_err("%s: the running rootlet's pins (%s, %s) are missing; attach again",
		       p->ifname, PIPELINE_PROG_PIN, map);
		err = -ENOENT;
		goto out;
	}
	p->prog_id = prev->plan.prog_id;
	prev->plan.managed = p->plan->managed;
	memcpy(prev->plan.pipeline, p->plan->pipeline, sizeof(prev->plan.pipeline));
	/* Every changed slot is loaded (and linked) before the first swap:
	 * a module that fails to load leaves all slots as they were. */
	for (k = 0; !err && k < d->nr_slots; k++)
		if (d->change[k] == PLAN_SLOT_CODE)
			err = stage_slot(p, prev, k, rootlet_fd, map_fd);
	if (err) {
		unstage(p, d, 0);
		goto out;
	}
	for (k = 0; !err && k < d->nr_slots; k++)
		if (d->change[k] == PLAN_SLOT_CODE)
			err = swap_slot(p, prev, k, map_fd);
	if (err)
		unstage(p, d, k - 1);	/* from the slot whose swap failed */
out:
	if (map_fd >= 0)
		close(map_fd);
	return err;
}
