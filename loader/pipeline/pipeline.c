/* The executor of a plan (attach, relink, restore, apply): see pipeline.h.
 * Under the state lock it reads what runs, diffs it against the wanted
 * plan, and builds and attaches a new pipeline or swaps changed slots. */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "base/log.h"
#include "kernel/bpf_sys.h"
#include "kernel/nic.h"
#include "plan.h"
#include "probe_backend.h"
#include "link/rootlet.h"
#include "state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* hw mode loads every map and program for the NIC: find out early (with a
 * tiny map) whether it can take offloaded BPF at all. */
static int check_offload(const struct pipeline *p)
{
	struct sys_map_create_opts mo = { .map_ifindex = (uint32_t)p->ifindex };
	int fd = sys_map_create(BPF_MAP_TYPE_ARRAY, "xdpld_probe", 4, 4, 1, 0, &mo);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	pr_err("attach %s: interface %s does not support XDP offload (hw mode): %s",
	       p->ifname, p->ifname, strerror(-fd));
	return fd;
}

/* A replace keeps the mode of the program it replaces (the kernel's
 * XDP_FLAGS_REPLACE swaps programs of one mode only): a mode change cannot
 * be atomic, so it is refused, saying how to make it with a gap. */
static int check_mode(const char *ifname, enum nic_mode want, const struct nic_xdp *cur)
{
	if (want == NIC_MODE_AUTO || !cur->prog_id || cur->mode == want)
		return 0;
	pr_err("%s: xdpld's pipeline runs in %s mode; the kernel cannot switch an XDP program "
	       "to %s mode atomically: run `xdpld detach %s` (the device then runs no XDP "
	       "program until the next step), then this command again; nothing changed",
	       ifname, nic_mode_name(cur->mode), nic_mode_name(want), ifname);
	return -EINVAL;
}

/* Under the lock: another xdpld may have attached or detached meanwhile. */
static int check_restore(const struct pipeline_apply_opts *o, const struct plan *want,
			 const struct pipeline_prev *prev)
{
	if (prev->record && !strcmp(prev->record, o->restore_record))
		return 0;
	pr_err("restore %s: the interface's record changed meanwhile (another xdpld run); "
	       "nothing restored", want->ifname);
	return -EAGAIN;
}

/* auto: the best the kernel can run; a named one must be supported. */
static int resolve_backend(struct plan *pl)
{
	char why[256];
	int ret;

	if (pl->mode == NIC_MODE_HW) {
		if (pl->counters) {
			/* Offloaded programs can only use offloadable (non per-CPU) maps. */
			pr_info("attach %s: hw mode: no per-slot counters", pl->ifname);
			pl->counters = false;
		}
		if (!pl->backend_auto && pl->backend != ROOTLET_STATIC) {
			pr_err("attach %s: hw mode (offload) runs the static backend only, not %s",
			       pl->ifname, rootlet_backend_name(pl->backend));
			return -EOPNOTSUPP;
		}
		pl->backend = ROOTLET_STATIC;
		return 0;
	}
	if (pl->backend_auto) {
		pl->backend = probe_best_backend();
		if (pl->backend == ROOTLET_CHAIN && pl->nr_slots > ROOTLET_CHAIN_MAX_SLOTS)
			pl->backend = probe_backend(ROOTLET_TAILCALL, NULL, 0) > 0 ?
				      ROOTLET_TAILCALL : ROOTLET_STATIC;	/* a tail call per slot */
		pr_debug("attach %s: backend auto: %s", pl->ifname,
			 rootlet_backend_name(pl->backend));
		return 0;
	}
	ret = probe_backend(pl->backend, why, sizeof(why));
	if (ret < 0)
		return ret;
	if (ret)
		return 0;
	pr_err("attach %s: backend %s is not available on this kernel: %s", pl->ifname,
	       rootlet_backend_name(pl->backend), why);
	return -EOPNOTSUPP;
}

static bool same(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

/* Whether module s runs other code than it did in o (its slot may move):
 * what plan_diff calls PLAN_SLOT_CODE, by module instead of by slot. */
static bool module_changed(const struct plan *old, const struct plan *want,
			   const struct plan_slot *o, const struct plan_slot *s)
{
	return !same(o->path, s->path) || strcmp(o->sha256, s->sha256) ||
	       !same(o->prog, s->prog) || !same(o->prefix, s->prefix) ||
	       !same(o->type, s->type) || !plan_naming_same(old, want, s->label);
}

/* What runs is taken over from the old plan.  Re-link counts and whether
 * a module's code changes follow the module (its name), wherever its slot
 * is now; a module new to the pipeline starts at 0.  Slot program ids only
 * stay where the slot keeps its program: same backend with programs per
 * slot, same module, no new code (a new rootlet loads every slot anew,
 * and static slots have no program of their own). */
static void carry_over(struct pipeline *p, const struct plan *old, const struct plan_diff *d)
{
	struct plan *want = p->plan;
	bool keep_ids = want->backend == old->backend && want->backend != ROOTLET_STATIC;

	for (size_t i = 0; i < want->nr_slots; i++) {
		struct plan_slot *s = &want->slots[i];
		const struct plan_slot *o = plan_slot_by_label(old, s->label);
		bool changed = o && module_changed(old, want, o, s);

		s->prog_id = 0;
		s->target = 0;
		if (i < p->nr_mods)
			p->mods[i].code_changed = changed;
		if (!o)
			continue;
		s->relinks = o->relinks + (changed ? 1 : 0);
		if (changed)
			plan_now(s->relinked);
		else
			memcpy(s->relinked, o->relinked, sizeof(s->relinked));
		if (keep_ids && !changed && i < old->nr_slots && o == &old->slots[i] &&
		    !(d->change[i] & PLAN_SLOT_CODE)) {
			s->prog_id = o->prog_id;
			s->target = o->target;
		}
	}
}

/* A relink changes one slot's code and nothing else. */
static int check_relink(const struct plan *want, const struct plan_diff *d, int slot)
{
	for (size_t i = 0; i < d->nr_slots; i++) {
		if ((int)i == slot ? !(d->change[i] & ~PLAN_SLOT_CODE) : !d->change[i])
			continue;
		pr_err("relink %s: slot %zu (%s) would change as well; nothing changed",
		       want->ifname, i, i < want->nr_slots ? want->slots[i].label : "?");
		return -EINVAL;
	}
	if (!d->change[slot])
		pr_info("relink %s: slot %d (%s) runs this code already", want->ifname, slot,
			want->slots[slot].label);
	return 0;
}

static void layout_static(struct plan_diff *d)
{
	d->layout_changed = true;
	if (!d->why)
		d->why = "the static backend re-links the whole pipeline";
}

/* A new pipeline: rootlet and modules loaded, attached, committed. */
static int build_and_attach(struct pipeline *p, struct pipeline_prev *prev, bool force,
			    const char *done)
{
	struct pipeline_pin *pins = NULL;
	size_t nr = 0;
	enum nic_mode used;
	int err;

	for (size_t i = 0; i < p->nr_mods; i++)
		if (!p->mods[i].obj) {	/* a relink read only its own slot's file */
			pr_err("%s: slot %zu: a new rootlet would be needed; nothing changed",
			       p->ifname, i);
			return -EINVAL;
		}
	err = pipeline_build_rootlet(p);
	if (err)
		return err;
	if (p->plan->backend == ROOTLET_STATIC) {
		/* one program: no slot has its own (a restored record may name some) */
		for (size_t i = 0; i < p->plan->nr_slots; i++)
			p->plan->slots[i].prog_id = p->plan->slots[i].target = 0;
		err = pipeline_link(p);
		if (!err)
			err = pipeline_load_static(p, prev);
	} else {
		err = pipeline_slots_load(p, prev);
	}
	if (!err)
		err = pipeline_new_pins(p, &pins, &nr);	/* refuses clashing pin names */
	/* Staged before the attach (pipeline_stage.c): a crash at any point
	 * leaves what the next command completes or rolls back.  (freplace:
	 * the new rootlet runs its modules only while their links live.) */
	plan_now(p->plan->time);	/* the staged record is the one a settle keeps */
	if (!err)
		err = pipeline_stage(p, pins, nr);
	if (!err)
		err = nic_attach(p->ifindex, p->ifname, p->prog_fd, p->mode,
				 prev->ours ? prev->prog_fd : -1, force, &used);
	if (err) {
		pipeline_unstage(p->ifname, pins, nr);
		if (!prev->record && !prev->nr_pins)
			state_remove(p->ifname);	/* a first attach leaves no folder */
		goto out;
	}
	err = pipeline_commit(p, used, prev, pins, nr);
	if (!err)
		pr_info("%s: pipeline of %zu modules %s in %s mode, %s backend (program id %u)",
			p->ifname, p->nr_mods, done,
			nic_mode_name(used), rootlet_backend_name(p->plan->backend), p->prog_id);
out:
	free(pins);
	return err;
}

/* An unchanged pipeline the manifest takes over (or hands back): only the
 * record's owner changes. */
static bool owner_changes(const struct plan *cur, const struct plan *want)
{
	return cur->managed != want->managed || strcmp(cur->pipeline, want->pipeline) ||
	       !plan_naming_same(cur, want, NULL);
}

static int adopt(struct plan *cur, const struct plan *want)
{
	int err;

	if (!owner_changes(cur, want))
		return 0;
	cur->managed = want->managed;
	memcpy(cur->pipeline, want->pipeline, sizeof(cur->pipeline));
	err = plan_naming_adopt(cur, want);
	return err ? err : pipeline_record_plan(want->ifname, cur);
}

/* Prepare: load and verify what the change would load, change nothing. */
static int prepare(struct pipeline *p, const struct pipeline_prev *prev,
		   const struct plan_diff *d)
{
	int err = 0;

	if (d->layout_changed) {
		struct pipeline_pin *pins = NULL;
		size_t nr = 0;

		err = pipeline_build_rootlet(p);
		if (!err && p->plan->backend == ROOTLET_STATIC) {
			err = pipeline_link(p);
			if (!err)
				err = pipeline_load_static(p, prev);
		} else if (!err) {
			err = pipeline_slots_load(p, prev);
		}
		if (!err)
			err = pipeline_new_pins(p, &pins, &nr);	/* pin names that clash */
		free(pins);
		return err;
	}
	for (size_t i = 0; !err && i < d->nr_slots; i++)
		if (d->change[i] == PLAN_SLOT_CODE)
			err = pipeline_slot_prepare(p, prev, i);
	return err;
}

int pipeline_apply(struct plan *want, const struct pipeline_apply_opts *o)
{
	struct pipeline p = { .plan = want, .ifname = want->ifname, .counters = want->counters,
			      .mode = want->mode, .prog_fd = -1, .strict_slot = o->relink_slot,
			      .strict_maps = o->strict_maps || o->relink_slot >= 0,
			      .reset_state = o->reset_state, .prepare = o->prepare || o->dry_run,
			      .prepared = o->prepared };
	const char *verb = o->restore_record ? "restore" : o->relink_slot >= 0 ? "relink" :
			   o->idempotent ? "apply" : "attach";
	bool no_nic = false;
	struct pipeline_prev prev;
	struct plan_diff d;
	struct nic_xdp cur;
	int err, lock = -1;

	if (o->result)
		memset(o->result, 0, sizeof(*o->result));
	memset(&prev, 0, sizeof(prev));
	prev.prog_fd = -1;
	/* check verifies the pipeline of a NIC that is not there yet too */
	err = want->ifindex ? want->ifindex : nic_ifindex(want->ifname, o->prepare);
	if (err < 0)
		return err;
	no_nic = !err;
	p.ifindex = want->ifindex = err;
	err = p.mode == NIC_MODE_HW && !no_nic ? check_offload(&p) : 0;
	/* relink and restore run the recorded backend on the kernel it runs on */
	if (!err && o->relink_slot < 0 && !o->restore_record)
		err = resolve_backend(want);
	if (!err)
		err = pipeline_open_modules(&p, o->restore_record || o->relink_slot >= 0 || o->prepared);
	if (err)
		goto out;
	/* From reading what is there to recording what we put there, no other
	 * xdpld may change this state (it would see a half-done swap). */
	lock = no_nic ? -1 : state_lock();
	if (lock < 0 && !no_nic) {
		err = lock;
		goto out;
	}
	err = no_nic ? 0 : pipeline_prev_save(p.ifindex, want->ifname, &prev);
	if (!err && o->restore_record)
		err = check_restore(o, want, &prev);
	if (err)
		goto out;
	if (o->restore_record && prev.ours) {
		pr_info("restore %s: the recorded pipeline runs already (program id %u)",
			want->ifname, prev.prog_id);
		goto out;
	}
	if (o->relink_slot >= 0 && !prev.ours) {
		pr_err("relink %s: the recorded pipeline is not the program attached (see xdpld "
		       "status); nothing changed", want->ifname);
		err = -ESTALE;
		goto out;
	}
	if (prev.ours) {
		err = nic_query(p.ifindex, want->ifname, &cur);
		if (!err)
			err = check_mode(want->ifname, want->mode, &cur);
		if (err)
			goto out;
	}
	plan_diff(prev.ours ? &prev.plan : NULL, want, &d);
	if (prev.ours)
		carry_over(&p, &prev.plan, &d);
	if (o->relink_slot >= 0)
		err = check_relink(want, &d, o->relink_slot);
	if (err)
		goto out;
	/* static: a re-attach re-links (counters and global data start anew);
	 * apply leaves an unchanged pipeline alone. */
	if (!d.layout_changed && want->backend == ROOTLET_STATIC && (d.nr_code || !o->idempotent))
		layout_static(&d);
	if (prev.ours && !d.layout_changed && d.nr_code)
		err = pipeline_slots_jit_check(want->ifname, &prev, want->backend);
	if (err)
		goto out;
	/* read before the change alters prev (adopt, slot swaps) */
	if (o->result && !o->prepare)
		pipeline_result_fill(&p, &prev, &d, prev.ours && !d.layout_changed && !d.nr_code &&
				     owner_changes(&prev.plan, want), o->result);
	if (!o->prepare && !o->dry_run && !prev.ours && prev.prog_id && !o->force &&
	    pipeline_hint_unrecorded(want->ifname, prev.prog_id)) {
		err = -EEXIST;	/* xdpld's own, record not here: attach would say --force */
	} else if (o->prepare && !prev.ours && prev.prog_id && !o->force) {
		char desc[64];

		if (!pipeline_hint_unrecorded(want->ifname, prev.prog_id)) {
			nic_prog_describe(prev.prog_id, desc, sizeof(desc));
			pr_err("%s: runs XDP program %s, which xdpld did not attach; not replacing "
			       "it without --force", want->ifname, desc);
		}
		err = -EEXIST;
	} else if (o->dry_run) {
		pipeline_print_plan(&p, &prev, &d, o->force);
		if (!prev.ours && prev.prog_id && !o->force)
			err = -EEXIST;	/* apply would refuse: so does its dry run */
	} else if (o->prepare) {
		err = prepare(&p, &prev, &d);
	} else if (d.layout_changed) {
		err = build_and_attach(&p, &prev, o->force,
				       o->restore_record ? "restored" : o->relink_slot >= 0 ?
				       "re-linked (new rootlet)" : "attached");
	} else if (!d.nr_code) {
		pr_info("%s %s: nothing to change (rootlet program id %u)", verb, want->ifname,
			prev.prog_id);
		err = adopt(&prev.plan, want);
	} else {
		err = pipeline_slots_swap(&p, &prev, &d);
	}
	if (o->result && !o->prepare && !o->dry_run && !err)
		pipeline_result_done(&p, o->result);
	else if (o->result && err)
		o->result->changed = p.swapped > 0;
out:
	state_unlock(lock);
	pipeline_prev_free(&prev);
	pipeline_free(&p);
	return err;
}

int pipeline_attach(const struct plan_args *args, bool force)
{
	struct pipeline_apply_opts o = { .force = force, .relink_slot = -1 };
	struct plan want;
	int err = plan_from_args(args, &want);

	if (err)
		return err;
	err = pipeline_apply(&want, &o);
	plan_free(&want);
	return err;
}

