/* A new rootlet staged before it is attached, and a change a crash
 * interrupted, settled.
 *
 * A new rootlet (a first attach, a layout change, every static re-link)
 * reaches the device in one netlink call, but its pins and its record are
 * several bpffs operations.  So that a kill at any point leaves a state the
 * next command settles by itself, the new pipeline is staged first: its
 * record as "record-staged", then each of its pins as "NAME-staged".  After
 * the attach each staged pin is renamed over NAME, the previous pipeline's
 * pins the new one does not use are removed, the record is written and
 * "record-staged" goes.  Whoever next holds the state lock and finds
 * "record-staged" asks the kernel what the device runs: the staged rootlet
 * means the attach happened, and the rest is done now (roll forward);
 * anything else means it did not (or was rolled back), and the staged pins
 * go (roll back): the previous pipeline never stopped running. */
#include "pipeline_internal.h"

#include "base/log.h"
#include "kernel/nic.h"
#include "link/rootlet.h"
#include "state.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGED_RECORD STATE_RECORD_NAME STATE_STAGED_SUFFIX

static void staged_name(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", name, STATE_STAGED_SUFFIX);
}

void pipeline_unstage(const char *ifname, const struct pipeline_pin *pins, size_t nr)
{
	char name[PLAN_PIN_LEN + 8];

	for (size_t i = 0; i < nr; i++) {
		staged_name(pins[i].name, name, sizeof(name));
		state_unpin(ifname, name);
	}
	state_unpin(ifname, STAGED_RECORD);
}

int pipeline_stage(struct pipeline *p, const struct pipeline_pin *pins, size_t nr)
{
	char name[PLAN_PIN_LEN + 8];
	int err;

	/* the record first: it names every pin a roll-back has to remove */
	err = pipeline_record_to(p, p->mode, pins, nr, STAGED_RECORD);
	for (size_t i = 0; !err && i < nr; i++) {
		staged_name(pins[i].name, name, sizeof(name));
		err = state_pin(p->ifname, name, pins[i].fd);
	}
	if (err) {
		pr_err("%s: cannot stage the new pipeline in bpffs: %s; nothing changed", p->ifname,
		       strerror(-err));
		pipeline_unstage(p->ifname, pins, nr);
	}
	return err;
}

int pipeline_promote(const char *ifname, const struct pipeline_pin *pins, size_t nr)
{
	char name[PLAN_PIN_LEN + 8];
	int err = 0;

	for (size_t i = 0; !err && i < nr; i++) {
		staged_name(pins[i].name, name, sizeof(name));
		err = state_rename(ifname, name, pins[i].name);
		if (err == -ENOENT)	/* someone removed it: pin it again */
			err = state_pin(ifname, pins[i].name, pins[i].fd);
	}
	return err;
}

/* ---- settling after a crash ---- */

struct pin_names {
	char (*name)[PLAN_PIN_LEN];
	size_t nr;
};

static int names_add(struct pin_names *n, const char *name)
{
	char (*nn)[PLAN_PIN_LEN] = realloc(n->name, (n->nr + 1) * sizeof(*nn));

	if (!nn)
		return -ENOMEM;
	n->name = nn;
	snprintf(n->name[n->nr++], PLAN_PIN_LEN, "%s", name);
	return 0;
}

static bool names_have(const struct pin_names *n, const char *name)
{
	for (size_t i = 0; i < n->nr; i++)
		if (!strcmp(n->name[i], name))
			return true;
	return false;
}

/* The pins a recorded pipeline owns: its program, its maps, and for
 * freplace the links of its slots (pipeline_new_pins makes the same). */
static int plan_pin_names(const struct plan *pl, struct pin_names *n)
{
	char name[PLAN_PIN_LEN];
	int err = names_add(n, PIPELINE_PROG_PIN);

	for (size_t i = 0; !err && i < pl->nr_maps; i++)
		err = names_add(n, pl->maps[i].pin);
	for (uint32_t i = 0; !err && pl->backend == ROOTLET_FREPLACE && i < pl->nr_slots; i++) {
		for (uint32_t t = 0; !err && t < ROOTLET_NR_TARGETS; t++) {
			pipeline_link_pin_name(i, t, name);
			err = names_add(n, name);
		}
	}
	return err;
}

/* The recorded pipeline's pin names (none without a readable record). */
static int recorded_names(const char *ifname, struct pin_names *n)
{
	char *text = NULL, where[4200];
	struct plan pl;
	int err = state_record_read(ifname, &text);

	if (err)
		return err == -ENOENT ? 0 : err;
	pipeline_record_where(ifname, where, sizeof(where));
	err = plan_record_parse(ifname, where, text, &pl);
	free(text);
	if (err)
		return 0;	/* malformed: nothing known to remove */
	err = plan_pin_names(&pl, n);
	plan_free(&pl);
	return err;
}

static int roll_forward(const char *ifname, struct plan *next, const struct nic_xdp *cur,
			const struct pin_names *names)
{
	char staged[PLAN_PIN_LEN + 8];
	struct pin_names old = { 0 };
	int err = 0;

	for (size_t i = 0; !err && i < names->nr; i++) {
		staged_name(names->name[i], staged, sizeof(staged));
		err = state_rename(ifname, staged, names->name[i]);
		if (err == -ENOENT)
			err = 0;	/* promoted before the crash */
	}
	if (!err)
		err = recorded_names(ifname, &old);
	for (size_t i = 0; !err && i < old.nr; i++)
		if (!names_have(names, old.name[i]))
			state_unpin(ifname, old.name[i]);
	next->mode = cur->mode;
	if (!err)
		err = pipeline_record_plan(ifname, next);
	if (!err)
		err = state_unpin(ifname, STAGED_RECORD);
	free(old.name);
	return err;
}

int pipeline_stage_settle(const char *ifname)
{
	char *text = NULL, where[4200], staged[PLAN_PIN_LEN + 8];
	struct pin_names names = { 0 };
	struct nic_xdp cur = { 0 };
	struct plan next;
	int ifindex, err;

	state_remove_temps(ifname);	/* under the lock: no pin is in flight */
	err = state_record_read_as(ifname, STAGED_RECORD, &text);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;	/* state_record_read_as said why */
	pipeline_record_where(ifname, where, sizeof(where));
	if (plan_record_parse(ifname, where, text, &next)) {
		pr_warn("%s: removing a malformed staged record (%s)", ifname, STAGED_RECORD);
		free(text);
		return state_unpin(ifname, STAGED_RECORD);
	}
	free(text);
	err = plan_pin_names(&next, &names);
	if (err)
		goto out;
	ifindex = (int)if_nametoindex(ifname);
	/* Unknown what the device runs: leave it all for the next command. */
	if (ifindex && (err = nic_query(ifindex, ifname, &cur)))
		goto out;
	if (ifindex && next.prog_id && (cur.drv_prog_id == next.prog_id ||
	    cur.skb_prog_id == next.prog_id || cur.hw_prog_id == next.prog_id ||
	    cur.prog_id == next.prog_id)) {
		if (cur.prog_id != next.prog_id)	/* another mode's program comes first */
			cur.mode = cur.skb_prog_id == next.prog_id ? NIC_MODE_SKB :
				   cur.hw_prog_id == next.prog_id ? NIC_MODE_HW : NIC_MODE_NATIVE;
		err = roll_forward(ifname, &next, &cur, &names);
		if (!err)
			pr_warn("%s: completed a change a crash interrupted: the device runs its "
				"rootlet (program id %u), now recorded with its pins", ifname,
				next.prog_id);
	} else {
		for (size_t i = 0; i < names.nr; i++) {
			staged_name(names.name[i], staged, sizeof(staged));
			state_unpin(ifname, staged);
		}
		err = state_unpin(ifname, STAGED_RECORD);
		if (!err)
			pr_warn("%s: dropped a change a crash interrupted before it ran (the "
				"device runs program id %u, the record's pipeline)", ifname, cur.prog_id);
	}
	if (err)
		pr_err("%s: cannot settle the change a crash interrupted: %s", ifname,
		       strerror(-err));
out:
	free(names.name);
	plan_free(&next);
	return err;
}

int pipeline_staged_plan(const char *ifname, uint32_t running, struct plan *out)
{
	char *text = NULL, where[4200];
	int err = state_record_read_as(ifname, STAGED_RECORD, &text);

	if (err)
		return err;
	pipeline_record_where(ifname, where, sizeof(where));
	err = plan_record_parse(ifname, where, text, out);
	free(text);
	if (err)
		return err;
	if (!running || out->prog_id != running) {
		plan_free(out);
		return -ENOENT;
	}
	return 0;
}
