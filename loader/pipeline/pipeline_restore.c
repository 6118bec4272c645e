/* Restore: the recorded plan applied again, for a NIC that went away and
 * came back (see pipeline.h and docs/pipeline.md).  The record is read
 * (and validated) by plan_record_parse. */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "base/log.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pipeline_restore(const char *ifname, bool force)
{
	struct pipeline_apply_opts o = { .force = force, .relink_slot = -1 };
	struct plan want;
	struct nic_xdp cur;
	char *rec = NULL, where[4200];
	int err;

	plan_init(&want);
	/* Hotplug runs this for every NIC that appears: most have no state. */
	err = state_record_read(ifname, &rec);
	if (err == -ENOENT) {
		pr_info("restore %s: no pipeline recorded in %s; nothing to restore", ifname,
			state_root());
		return 0;
	}
	if (err)
		return err;	/* state_record_read named the record */
	pipeline_record_where(ifname, where, sizeof(where));
	err = plan_record_parse(ifname, where, rec, &want);
	if (err) {
		pr_err("restore %s: nothing restored", ifname);
		goto out;
	}
	/* The modules as last re-linked, even if a crash cut the record short. */
	pipeline_slots_settle(ifname, &want, false);
	err = nic_ifindex(ifname, false);
	if (err < 0)
		goto out;
	want.ifindex = err;	/* pipeline_apply takes it from there */
	err = nic_query(want.ifindex, ifname, &cur);
	if (err)
		goto out;
	/* Cheap early answer; pipeline_apply checks again under the lock. */
	if (cur.prog_id && cur.prog_id == want.prog_id) {
		pr_info("restore %s: the recorded pipeline runs already (program id %u)", ifname,
			cur.prog_id);
		goto out;
	}
	o.restore_record = rec;
	err = pipeline_apply(&want, &o);
out:
	plan_free(&want);
	free(rec);
	return err;
}
