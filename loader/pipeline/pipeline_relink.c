/* relink: the running plan, read back from the record, with one slot's
 * module replaced, handed to the executor (pipeline_apply). */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "base/log.h"
#include "plan.h"
#include "state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* SLOT of relink: index or module name. */
static int relink_slot(const struct plan *pl, const char *slot)
{
	uint32_t n;
	int hit = -1;

	if (!plan_parse_u32(slot, &n))
		return n < pl->nr_slots ? (int)n : -ERANGE;
	for (size_t i = 0; i < pl->nr_slots; i++)
		if (!strcmp(pl->slots[i].label, slot))
			hit = (int)i;
	return hit >= 0 ? hit : -ENOENT;
}

int pipeline_relink(const char *ifname, const char *slot, const char *obj, bool reset_state,
		    const struct plan_naming_args *naming)
{
	struct pipeline_apply_opts o = { .relink_slot = -1, .reset_state = reset_state };
	struct plan want, cur_plan;
	struct plan_slot *s, repl = { 0 };
	char *rec = NULL, where[4200];
	int err, i;

	plan_init(&want);
	err = state_record_read(ifname, &rec);
	if (err == -ENOENT)
		pr_err("relink %s: no pipeline recorded in %s (xdpld attach first)", ifname,
		       state_root());
	if (err)
		return err;
	pipeline_record_where(ifname, where, sizeof(where));
	err = plan_record_parse(ifname, where, rec, &cur_plan);
	free(rec);
	if (err)
		return err;
	pipeline_slots_settle(ifname, &cur_plan, false);
	i = relink_slot(&cur_plan, slot);
	if (i < 0) {
		pr_err("relink %s: no slot '%s' (slots 0..%zu or a module name)", ifname, slot,
		       cur_plan.nr_slots - 1);
		err = -EINVAL;
		goto out;
	}
	err = plan_slot_from_arg(obj, &repl);
	if (err)
		goto out;
	/* The slot keeps its module name: its map pins (and so its state) are
	 * found by it, whatever the new file is called. */
	s = &cur_plan.slots[i];
	free(s->path);
	free(s->prog);
	s->path = repl.path;
	s->prog = repl.prog;
	repl.path = repl.prog = NULL;
	plan_slot_free(&repl);
	s->sha256[0] = '\0';
	err = naming ? plan_apply_naming(&cur_plan, naming, s->label) : 0;
	if (err)
		goto out;
	/* What runs now becomes the wanted plan, with slot i replaced. */
	want = cur_plan;
	plan_init(&cur_plan);
	plan_maps_free(want.maps, want.nr_maps);
	plan_maps_free(want.pending_maps, want.nr_pending_maps);
	want.maps = want.pending_maps = NULL;
	want.nr_maps = want.nr_pending_maps = 0;
	plan_slot_free(&want.pending);
	want.has_pending = false;
	o.relink_slot = i;
	err = pipeline_apply(&want, &o);
out:
	plan_free(&cur_plan);
	plan_free(&want);
	return err;
}

