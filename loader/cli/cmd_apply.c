/* xdpld check, xdpld apply (options: the tables at the end).
 * The manifest (default /etc/config/xdpld): check prepares everything (parse,
 * resolve, link, verify-load against what runs) and changes nothing; apply
 * prepares everything first, then makes each NIC run its pipeline through
 * the plan diff (re-link of changed slots, new rootlet where the layout
 * changed, nothing where nothing changed), then detaches pipelines the
 * manifest no longer has.  --json: what was done as one JSON object
 * (apply_report.h).  See policies/README.md. */
#include "apply_report.h"
#include "cli.h"
#include "base/log.h"
#include "kernel/load.h"
#include "pipeline/pipeline.h"
#include "pipeline/plan.h"
#include "pipeline/state.h"
#include "policy/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct job {
	struct plan plan;
	const struct manifest_pipeline *pl;
	unsigned int line;	/* the device's line */
	bool present;
};

struct run {
	const struct manifest *m;
	struct job *jobs;	/* the devices that get a pipeline */
	size_t nr_jobs;
	bool dry_run, check;
	bool strict;		/* check --strict: a missing device is an error */
	const char *device;	/* only this one (hotplug) */
	struct apply_report *rep;	/* --json, else NULL */
	int err;
};

/* One plan per device of every enabled pipeline (only --device's). */
static int make_jobs(const struct run *r, struct job **out, size_t *nr)
{
	const struct manifest *m = r->m;
	struct job *jobs;
	size_t n = 0, cap = 0;
	int err;

	for (size_t p = 0; p < m->nr_pipelines; p++)
		cap += m->pipelines[p].nr_devices;
	jobs = calloc(cap ? cap : 1, sizeof(*jobs));
	if (!jobs)
		return -ENOMEM;
	for (size_t p = 0; p < m->nr_pipelines; p++) {
		const struct manifest_pipeline *pl = &m->pipelines[p];

		for (size_t d = 0; pl->enabled && d < pl->nr_devices; d++) {
			struct job *j = &jobs[n];

			if (r->device && strcmp(r->device, pl->devices[d].name))
				continue;
			err = manifest_plan(m, p, d, &j->plan);
			if (err == -ENODATA) {
				pr_info("%s:%u: pipeline '%s': every module is disabled; %s runs none",
					m->path, pl->line, pl->name, pl->devices[d].name);
				continue;
			}
			if (err) {
				pr_err("%s:%u: pipeline '%s' (device %s): nothing changed", m->path,
				       pl->line, pl->name, pl->devices[d].name);
				goto fail;
			}
			j->pl = pl;
			j->line = pl->devices[d].line;
			/* resolved once: pipeline_apply takes plan.ifindex */
			err = nic_ifindex(pl->devices[d].name, true);
			j->plan.ifindex = err > 0 ? err : 0;
			j->present = err > 0;
			n++;
		}
	}
	*out = jobs;
	*nr = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		plan_free(&jobs[i].plan);
	free(jobs);
	return err;
}

/* Pipelines an earlier apply attached that the manifest no longer has (or
 * whose pipeline or modules it disabled). */
static int detach_removed(const char *ifname, void *arg)
{
	struct run *r = arg;
	char *rec = NULL, where[4200];
	struct plan pl;
	struct pipeline_result res = { .action = PIPELINE_DETACHED, .changed = true };
	char pipeline[sizeof(pl.pipeline)] = "";
	bool managed = false;

	for (size_t i = 0; i < r->nr_jobs; i++)
		if (!strcmp(r->jobs[i].plan.ifname, ifname))
			return 0;
	if (state_record_read(ifname, &rec))
		return 0;
	if (state_dir(ifname, where, sizeof(where) - 8) >= 0)
		strcat(where, "/" STATE_RECORD_NAME);
	if (!plan_record_parse(ifname, where, rec, &pl)) {
		managed = pl.managed;
		res.prog_id_before = pl.prog_id;
		memcpy(pipeline, pl.pipeline, sizeof(pipeline));
		plan_free(&pl);
	}
	free(rec);
	if (!managed)
		return 0;	/* attached by hand: not the manifest's business */
	snprintf(res.reason, sizeof(res.reason), "no pipeline for it in %s", r->m->path);
	if (r->dry_run) {
		printf("%s: detach (%s)\n", ifname, res.reason);
	} else if (pipeline_detach(ifname, false)) {
		if (!r->err)
			r->err = -EIO;
		return 0;
	}
	if (r->rep && apply_report_add(r->rep, ifname, pipeline, &res) && !r->err)
		r->err = -ENOMEM;
	return 0;
}

/* check: a device the manifest names that does not exist now is a typo as
 * often as a device still to come (hotplug): say so; --strict refuses it. */
static int check_devices(const struct run *r, const struct job *jobs, size_t nr)
{
	size_t missing = 0;

	for (size_t i = 0; i < nr; i++) {
		if (jobs[i].present)
			continue;
		missing++;
		log_msg(r->strict ? LOG_LVL_ERR : LOG_LVL_WARN,
			"%s:%u: pipeline '%s': device %s does not exist now%s", r->m->path,
			jobs[i].line, jobs[i].pl->name, jobs[i].plan.ifname,
			r->strict ? "" : " (a typo? apply skips it until it appears)");
	}
	return missing && r->strict ? -ENODEV : 0;
}

/* A device the manifest names that does not exist (yet): hotplug gives it
 * its pipeline when it appears. */
static void skip(struct run *r, const struct job *j)
{
	struct pipeline_result res = { .action = PIPELINE_SKIPPED };

	if (r->dry_run)
		printf("%s: skipped: no such device (it gets its pipeline when it appears)\n",
		       j->plan.ifname);
	else
		pr_info("%s:%u: device %s does not exist: skipped; it gets its pipeline when it "
			"appears", r->m->path, j->line, j->plan.ifname);
	snprintf(res.reason, sizeof(res.reason),
		 "no such device (it gets its pipeline when it appears)");
	if (r->rep && apply_report_add(r->rep, j->plan.ifname, j->pl->name, &res) && !r->err)
		r->err = -ENOMEM;
}

static void free_jobs(struct run *r)
{
	for (size_t i = 0; i < r->nr_jobs; i++)
		plan_free(&r->jobs[i].plan);
	free(r->jobs);
	r->jobs = NULL;
	r->nr_jobs = 0;
}

/* The plans stay in r until free_jobs: the report borrows their names. */
static int run(struct run *r, const struct pipeline_apply_opts *base)
{
	struct pipeline_apply_opts o = *base;
	struct pipeline_result res;
	struct job *jobs = NULL;
	size_t nr = 0;
	int err = make_jobs(r, &jobs, &nr);

	if (err)
		return err;
	r->jobs = jobs;
	r->nr_jobs = nr;
	if (r->check) {
		err = check_devices(r, jobs, nr);
		if (err)
			goto out;
	}
	/* Everything is prepared (loaded, verified, checked against what
	 * runs) before the first NIC is touched; a dry run prepares the same
	 * way, so it fails wherever apply would. */
	o.prepare = true;
	for (size_t i = 0; i < nr; i++) {
		struct job *j = &jobs[i];

		if (!j->present && !r->check)
			continue;
		err = pipeline_apply(&j->plan, &o);
		if (err) {
			pr_err("%s:%u: pipeline '%s' (device %s) does not load: nothing changed%s%s",
			       r->m->path, j->line, j->pl->name, j->plan.ifname,
			       r->check ? "" : " anywhere", r->dry_run ? " (dry run)" : "");
			goto out;
		}
	}
	if (r->check) {
		printf("%s: %zu pipeline(s) on %zu device(s) check out\n", r->m->path,
		       r->m->nr_pipelines, nr);
		goto out;
	}
	o.prepare = false;
	o.prepared = !r->dry_run;	/* exactly the bytes prepared, or nothing */
	o.dry_run = r->dry_run;
	o.result = r->rep ? &res : NULL;
	for (size_t i = 0; i < nr; i++) {
		struct job *j = &jobs[i];

		if (!j->present) {
			skip(r, j);
			continue;
		}
		if (pipeline_apply(&j->plan, &o)) {
			if (r->rep)
				r->rep->changed |= res.changed;
			if (!r->err)
				r->err = -EIO;
			pr_err("%s:%u: pipeline '%s' (device %s) was not applied", r->m->path,
			       j->line, j->pl->name, j->plan.ifname);
		} else if (r->rep && apply_report_add(r->rep, j->plan.ifname, j->pl->name, &res) &&
			   !r->err) {
			r->err = -ENOMEM;
		}
	}
	if (!r->device)
		state_list_ifaces(detach_removed, r);
	err = r->err;
out:
	return err;
}

/* --json: stdout carries the object alone; what a run prints there (the
 * dry run's lines) goes to stderr meanwhile.  Returns the saved stdout. */
static int stdout_aside(void)
{
	int fd;

	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		int err = -errno;

		pr_err("apply --json: cannot set stdout aside: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

static void stdout_back(int fd)
{
	fflush(stdout);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

static int manifest_cmd(struct cli *c, bool check)
{
	struct pipeline_apply_opts o = { .relink_slot = -1, .strict_maps = true,
					 .idempotent = true };
	struct run r = { .check = check };
	const char *path = MANIFEST_DEFAULT_PATH;
	struct apply_report rep = { 0 };
	struct manifest *m = NULL;
	bool own_btf = false, json = false, usage = false;
	int opt, err, saved = -1;

	while ((opt = cli_next(c)) > 0) {
		switch (opt) {
		case 'c': path = c->arg; break;
		case 'n': r.dry_run = true; break;
		case 'd': r.device = c->arg; break;
		case 'r': o.reset_state = true; break;
		case 'f': o.force = true; break;
		case 's': r.strict = true; break;
		case 'j': json = true; break;
		}
	}
	if (opt < 0)
		return c->rc;
	if (json) {
		rep.config = path;
		rep.dry_run = r.dry_run;
		r.rep = &rep;
		apply_report_begin(&rep);
		saved = stdout_aside();
		if (saved < 0) {
			err = saved;
			goto out;
		}
	}
	if (cli_state_dir(c) < 0) {
		err = -EINVAL;
		usage = true;
		goto out;
	}
	err = manifest_load(path, &m);
	/* The command line's --kernel-btf wins over the manifest's. */
	if (!err && m->kernel_btf && !load_get_kernel_btf()) {
		pr_debug("%s:%u: target BTF for CO-RE: %s", path, m->kernel_btf_line, m->kernel_btf);
		load_set_kernel_btf(m->kernel_btf);
		own_btf = true;
	}
	if (!err) {
		r.m = m;
		err = run(&r, &o);
	}
	if (own_btf)
		load_set_kernel_btf(NULL);	/* m->kernel_btf goes with m */
out:
	if (json) {
		stdout_back(saved);
		rep.failed = err != 0;
		apply_report_print(&rep, stdout);	/* borrows the jobs' names */
		apply_report_free(&rep);
	}
	free_jobs(&r);
	manifest_free(m);
	return usage ? c->rc : err ? 1 : 0;
}

static int run_check(struct cli *c)
{
	return manifest_cmd(c, true);
}

static int run_apply(struct cli *c)
{
	return manifest_cmd(c, false);
}

#define OPT_CONFIG \
	{ 'c', CLI_SHORT, "config", "FILE", "the manifest (default " MANIFEST_DEFAULT_PATH ")" }

const struct cli_cmd cmd_check = {
	"check", "", "prepare the manifest's pipelines, change nothing", run_check,
	(const struct cli_opt[]){
		OPT_CONFIG,
		{ 's', 0, "strict", NULL, "a device that does not exist now is an error" },
		CLI_OPT_STATE_DIR,
		{ 0 },
	},
};

const struct cli_cmd cmd_apply = {
	"apply", "", "make every NIC run the manifest's pipeline", run_apply,
	(const struct cli_opt[]){
		OPT_CONFIG,
		{ 'n', 0, "dry-run", NULL, "print what would change, change nothing" },
		{ 'd', 0, "device", "DEV", "only DEV's pipeline (hotplug)" },
		{ 'r', 0, "reset-state", NULL, "changed modules start with empty maps" },
		CLI_OPT_FORCE("replace XDP programs xdpld did not attach"),
		{ 'j', 0, "json", NULL, "print what was done as JSON (policies/README.md)" },
		CLI_OPT_STATE_DIR,
		{ 0 },
	},
};
