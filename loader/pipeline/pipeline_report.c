/* What a pipeline run tells the user beyond its result: run-config
 * priorities the slot order does not follow, --dry-run's plan, and what
 * apply did for apply --json (struct pipeline_result). */
#include "pipeline_internal.h"

#include "base/log.h"
#include "plan.h"
#include "link/rootlet.h"
#include "kernel/nic.h"
#include "state.h"

#include <stdio.h>
#include <string.h>

/* libxdp orders programs by run-config priority; xdpld keeps the order the
 * modules are given in, and says so when the priorities disagree. */
void pipeline_report_priorities(const struct pipeline *p)
{
	char list[512] = "";
	bool any = false, sorted = true;
	size_t used = 0;

	for (size_t i = 0; i < p->nr_mods; i++) {
		any |= p->mods[i].has_priority;
		if (i && p->mods[i - 1].priority > p->mods[i].priority)
			sorted = false;
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s %u%s",
						 i ? ", " : "", p->mods[i].s->label,
						 p->mods[i].priority,
						 p->mods[i].has_priority ? "" : " (default)");
	}
	if (any && !sorted)
		pr_info("attach %s: slots follow the command-line order, not the modules' "
			"run-config priorities (%s)", p->ifname, list);
}

static void print_change(const struct pipeline *p, const struct pipeline_prev *prev,
			 const struct plan_diff *d, bool force)
{
	const struct plan *w = p->plan;

	if (!prev->ours) {
		printf("%s: attach %zu modules (%s backend)%s\n", w->ifname, w->nr_slots,
		       rootlet_backend_name(w->backend),
		       prev->prog_id && force ? ", replacing a program xdpld did not attach" : "");
		return;
	}
	if (d->layout_changed) {
		printf("%s: new rootlet, swapped in atomically: %s\n", w->ifname, d->why);
		return;
	}
	if (!d->nr_code) {
		printf("%s: unchanged (rootlet program id %u)\n", w->ifname, prev->prog_id);
		return;
	}
	for (size_t i = 0; i < d->nr_slots; i++)
		if (d->change[i] == PLAN_SLOT_CODE)
			printf("%s: relink slot %zu (%s): %s%s%s\n", w->ifname, i, w->slots[i].label,
			       w->slots[i].path, w->slots[i].prog ? ":" : "",
			       w->slots[i].prog ? w->slots[i].prog : "");
}


/* A program xdpld has no record of, but named like its own rootlet (the
 * entry of every backend, or a chain's first program): the record is in a
 * bpffs this command does not see, or was in one that is gone.  Say so,
 * so that nobody takes --force for the fix: it would load a second
 * pipeline with empty maps. */
bool pipeline_hint_unrecorded(const char *ifname, uint32_t prog_id)
{
	char name[32];

	if (!prog_id || nic_prog_name(prog_id, name, sizeof(name)) ||
	    (strcmp(name, ROOTLET_ENTRY_NAME) &&
	     strncmp(name, ROOTLET_CHAIN_PREFIX, strlen(ROOTLET_CHAIN_PREFIX))))
		return false;
	pr_err("%s: runs xdpld's program id %u '%s', but %s has no record of it: this is not "
	       "the bpffs it was attached with%s.  `ip netns exec` gives each command a new "
	       "/sys and so a new, empty bpffs; run xdpld in the namespace with the system's "
	       "bpffs instead (`nsenter --net=/run/netns/NAME xdpld ...`).  --force would load "
	       "a second pipeline with empty maps; if its record is lost for good (attached "
	       "under `ip netns exec`), `xdpld detach %s --force` there, then attach again",
	       ifname, prog_id, name, state_root(),
	       state_bpffs_mounted_here() ? " (xdpld had to mount one here)" : "", ifname);
	return true;
}

/* --dry-run: what apply would do, one line per change. */
void pipeline_print_plan(const struct pipeline *p, const struct pipeline_prev *prev,
			 const struct plan_diff *d, bool force)
{
	print_change(p, prev, d, force);
	if (prev->ours)
		pipeline_maps_print_reset(p, prev);
}

void pipeline_result_fill(const struct pipeline *p, const struct pipeline_prev *prev,
			  const struct plan_diff *d, bool record_changed, struct pipeline_result *r)
{
	const struct plan *w = p->plan;
	bool keep;	/* the rootlet program stays */

	memset(r, 0, sizeof(*r));
	r->action = !prev->ours ? PIPELINE_ATTACHED : d->layout_changed ? PIPELINE_NEW_ROOTLET :
		    d->nr_code ? PIPELINE_RELINKED : PIPELINE_UNCHANGED;
	r->changed = r->action != PIPELINE_UNCHANGED || record_changed;
	if (r->action == PIPELINE_NEW_ROOTLET)
		snprintf(r->reason, sizeof(r->reason), "%s", d->why ? d->why : "");
	else if (r->action == PIPELINE_ATTACHED && prev->prog_id)
		snprintf(r->reason, sizeof(r->reason),
			 "replaces XDP program id %u, which xdpld did not attach", prev->prog_id);
	else if (record_changed)
		snprintf(r->reason, sizeof(r->reason),
			 "the same programs; only the record changes (pipeline '%s')", w->pipeline);
	keep = r->action == PIPELINE_UNCHANGED || r->action == PIPELINE_RELINKED;
	r->prog_id_before = prev->ours ? prev->prog_id : 0;
	r->prog_id_after = keep ? r->prog_id_before : 0;
	for (size_t i = 0; i < w->nr_slots && i < ROOTLET_MAX_SLOTS; i++) {
		const struct plan_slot *s = &w->slots[i];
		const struct plan_slot *o = prev->ours ? plan_slot_by_label(&prev->plan, s->label) :
					    NULL;
		struct pipeline_result_slot *rs = &r->slots[r->nr_slots++];

		rs->module = s->label;
		rs->action = !o ? PIPELINE_SLOT_NEW :
			     i < p->nr_mods && p->mods[i].code_changed ? PIPELINE_SLOT_RELINKED :
			     PIPELINE_SLOT_UNCHANGED;
		rs->prog_id_before = o ? o->prog_id : 0;
		if (keep && rs->action == PIPELINE_SLOT_UNCHANGED)
			rs->prog_id_after = rs->prog_id_before;
	}
}

void pipeline_result_done(const struct pipeline *p, struct pipeline_result *r)
{
	if (r->action == PIPELINE_ATTACHED || r->action == PIPELINE_NEW_ROOTLET)
		r->prog_id_after = p->prog_id;
	for (size_t i = 0; i < r->nr_slots && i < p->plan->nr_slots; i++)
		r->slots[i].prog_id_after = p->plan->slots[i].prog_id;
}
