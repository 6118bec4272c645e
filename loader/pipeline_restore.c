/* Restore: the recorded pipeline read back into pipeline_opts and attached
 * again, for a NIC that went away and came back (see pipeline.h and
 * docs/pipeline.md).  The record is untrusted: every field is checked. */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "log.h"
#include "rootlet.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_LEN 4096	/* paths are the longest values */

struct restore {
	struct pipeline_opts po;
	char **modules;		/* "PATH:PROG" */
	char **continue_on;	/* "<slot>=<actions>" for masks given as options */
	char **sha256;
	uint32_t nr_slots;
	uint32_t prog_id;
};

static void restore_free(struct restore *r)
{
	for (uint32_t i = 0; i < r->nr_slots; i++) {
		free(r->modules[i]);
		free(r->continue_on[i]);
		free(r->sha256[i]);
	}
	free(r->modules);
	free(r->continue_on);
	free(r->sha256);
}

static int bad_record(const char *ifname, const char *what)
{
	pr_err("restore %s: malformed record in %s: %s", ifname, state_root(), what);
	return -EINVAL;
}

static bool is_sha256_hex(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == SHA256_HEX_LEN - 1;
}

static int read_slot(struct restore *r, const char *ifname, const char *rec, uint32_t i)
{
	char path[FIELD_LEN], prog[256], sha[80], cont[80], from[32], what[64];
	uint32_t mask;
	int n;

	snprintf(what, sizeof(what), "slot %u", i);
	if (pipeline_record_field(rec, "slot", i, "path", path, sizeof(path)) || path[0] != '/' ||
	    pipeline_record_field(rec, "slot", i, "prog", prog, sizeof(prog)) || !prog[0] ||
	    strchr(prog, ':') || strchr(prog, '/') ||
	    pipeline_record_field(rec, "slot", i, "sha256", sha, sizeof(sha)) ||
	    !is_sha256_hex(sha) ||
	    pipeline_record_field(rec, "slot", i, "continue", cont, sizeof(cont)) ||
	    rootlet_actions_parse(cont, &mask) ||
	    pipeline_record_field(rec, "slot", i, "continue_from", from, sizeof(from)))
		return bad_record(ifname, what);
	n = snprintf(NULL, 0, "%s:%s", path, prog);
	r->modules[i] = malloc((size_t)n + 1);
	r->sha256[i] = strdup(sha);
	if (!r->modules[i] || !r->sha256[i])
		return -ENOMEM;
	snprintf(r->modules[i], (size_t)n + 1, "%s:%s", path, prog);
	/* Masks from the run config or the default come back by themselves:
	 * the module bytes are the same (checked).  Options must be repeated. */
	if (!strcmp(from, "option")) {
		n = snprintf(NULL, 0, "%u=%s", i, cont);
		r->continue_on[r->po.nr_continue_on] = malloc((size_t)n + 1);
		if (!r->continue_on[r->po.nr_continue_on])
			return -ENOMEM;
		snprintf(r->continue_on[r->po.nr_continue_on++], (size_t)n + 1, "%u=%s", i, cont);
	}
	return 0;
}

static int read_opts(struct restore *r, const char *ifname, const char *rec)
{
	char val[80];
	uint32_t counters;
	int err;

	if (state_record_get(rec, "format", val, sizeof(val)) ||
	    strcmp(val, PIPELINE_RECORD_FORMAT))
		return bad_record(ifname, "not a " PIPELINE_RECORD_FORMAT " record");
	if (state_record_get(rec, "backend", val, sizeof(val)) || strcmp(val, "static"))
		return bad_record(ifname, "backend is not static");
	if (state_record_get(rec, "mode", val, sizeof(val)) || nic_mode_parse(val, &r->po.mode) ||
	    r->po.mode == NIC_MODE_AUTO)
		return bad_record(ifname, "no valid mode");
	if (state_record_get(rec, "counters", val, sizeof(val)) ||
	    pipeline_parse_u32(val, &counters) || counters > 1)
		return bad_record(ifname, "no valid counters line");
	if (state_record_get(rec, "prog_id", val, sizeof(val)) ||
	    pipeline_parse_u32(val, &r->prog_id))
		return bad_record(ifname, "no valid prog_id");
	if (state_record_get(rec, "slots", val, sizeof(val)) ||
	    pipeline_parse_u32(val, &r->nr_slots) || !r->nr_slots ||
	    r->nr_slots > ROOTLET_MAX_SLOTS) {
		r->nr_slots = 0;
		return bad_record(ifname, "no valid slot count");
	}
	r->modules = calloc(r->nr_slots, sizeof(*r->modules));
	r->continue_on = calloc(r->nr_slots, sizeof(*r->continue_on));
	r->sha256 = calloc(r->nr_slots, sizeof(*r->sha256));
	if (!r->modules || !r->continue_on || !r->sha256) {
		r->nr_slots = 0;
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < r->nr_slots; i++) {
		err = read_slot(r, ifname, rec, i);
		if (err)
			return err;
	}
	r->po.ifname = ifname;
	r->po.modules = r->modules;
	r->po.nr_modules = r->nr_slots;
	r->po.continue_on = r->continue_on;
	r->po.counters = counters;
	r->po.expect_sha256 = r->sha256;
	r->po.restore_record = rec;
	return 0;
}

int pipeline_restore(const char *ifname, bool force)
{
	struct restore r;
	struct nic_xdp cur;
	char *rec = NULL;
	int err;

	memset(&r, 0, sizeof(r));
	/* Hotplug runs this for every NIC that appears: most have no state. */
	err = state_record_read(ifname, &rec);
	if (err == -ENOENT) {
		pr_info("restore %s: no pipeline recorded in %s; nothing to restore", ifname,
			state_root());
		return 0;
	}
	if (err)
		return err;	/* state_record_read named the record */
	err = read_opts(&r, ifname, rec);
	if (!err)
		err = nic_ifindex(ifname);
	if (err < 0)
		goto out;
	r.po.force = force;
	err = nic_query(ifname, &cur);
	if (err)
		goto out;
	/* Cheap early answer; pipeline_attach checks again under the lock. */
	if (cur.prog_id && cur.prog_id == r.prog_id) {
		pr_info("restore %s: the recorded pipeline runs already (program id %u)", ifname,
			cur.prog_id);
		goto out;
	}
	err = pipeline_attach(&r.po);
out:
	restore_free(&r);
	free(rec);
	return err;
}
