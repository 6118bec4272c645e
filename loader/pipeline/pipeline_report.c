/* What a pipeline run tells the user beyond its result: run-config
 * priorities the slot order does not follow, and --dry-run's plan. */
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
