/* What ran before an attach or re-link: the record, its pins and the
 * attached program, to diff against and to put back on failure.  Under the
 * state lock, a re-link a crash interrupted is settled first. */
#include "pipeline_internal.h"

#include "base/log.h"
#include "kernel/bpf_sys.h"
#include "link/rootlet.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t prog_id_of(int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return sys_obj_info(fd, &info, &len) ? 0 : info.id;
}

static int prev_add_pin(struct pipeline_prev *prev, const char *ifname, const char *name)
{
	struct pipeline_pin *n;
	int fd = state_get(ifname, name);

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	n = realloc(prev->pins, (prev->nr_pins + 1) * sizeof(*n));
	if (!n) {
		close(fd);
		return -ENOMEM;
	}
	prev->pins = n;
	n = &prev->pins[prev->nr_pins++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->fd = fd;
	return 0;
}

static bool prev_has_pin(const struct pipeline_prev *prev, const char *name)
{
	for (size_t i = 0; i < prev->nr_pins; i++)
		if (!strcmp(prev->pins[i].name, name))
			return true;
	return false;
}

int pipeline_prev_fd(const struct pipeline_prev *prev, const char *name)
{
	for (size_t i = 0; i < prev->nr_pins; i++)
		if (!strcmp(prev->pins[i].name, name))
			return prev->pins[i].fd;
	return -ENOENT;
}

/* The record's maps (plan_record_parse skipped bad entries), and the
 * freplace links of the slots. */
static int prev_add_plan_pins(const char *ifname, struct pipeline_prev *prev)
{
	const struct plan *pl = &prev->plan;
	char name[PLAN_PIN_LEN];
	int err = 0;

	for (size_t i = 0; !err && i < pl->nr_maps; i++)
		err = prev_add_pin(prev, ifname, pl->maps[i].pin);
	for (uint32_t i = 0; !err && pl->backend == ROOTLET_FREPLACE && i < pl->nr_slots; i++) {
		for (uint32_t t = 0; !err && t < ROOTLET_NR_TARGETS; t++) {
			pipeline_link_pin_name(i, t, name);
			err = prev_has_pin(prev, name) ? 0 : prev_add_pin(prev, ifname, name);
		}
	}
	return err;
}

int pipeline_prev_save(int ifindex, const char *ifname, struct pipeline_prev *prev)
{
	struct nic_xdp cur;
	int err;

	char where[4200];

	pipeline_stage_settle(ifname);	/* a new rootlet a crash interrupted: said why */
	err = state_record_read(ifname, &prev->record);
	if (err && err != -ENOENT)
		pr_warn("%s: ignoring the unreadable record; the attached program counts "
			"as foreign", ifname);
	if (err)
		prev->record = NULL;
	pipeline_record_where(ifname, where, sizeof(where));
	if (prev->record && !plan_record_parse(ifname, where, prev->record, &prev->plan)) {
		prev->have_plan = true;
		/* Under the lock: what the kernel runs becomes the record. */
		if (pipeline_slots_settle(ifname, &prev->plan, true) &&
		    pipeline_record_plan(ifname, &prev->plan))
			pr_warn("%s: cannot rewrite the record after an interrupted re-link", ifname);
	} else if (prev->record) {
		pr_warn("%s: ignoring the malformed record; the attached program counts as "
			"foreign", ifname);
	}
	err = prev_add_pin(prev, ifname, PIPELINE_PROG_PIN);
	if (!err && prev->have_plan)
		err = prev_add_plan_pins(ifname, prev);
	if (err)
		return err;
	err = nic_query(ifindex, ifname, &cur);
	if (err)
		return err;
	prev->prog_id = cur.prog_id;
	if (!cur.prog_id)
		return 0;
	prev->prog_fd = sys_prog_fd_by_id(cur.prog_id);
	if (prev->prog_fd < 0) {
		pr_err("%s: cannot open the attached XDP program id %u: %s", ifname, cur.prog_id,
		       strerror(-prev->prog_fd));
		return prev->prog_fd;
	}
	if (prev->have_plan && prev->plan.prog_id == cur.prog_id && prev->nr_pins &&
	    !strcmp(prev->pins[0].name, PIPELINE_PROG_PIN) &&
	    prog_id_of(prev->pins[0].fd) == cur.prog_id)
		prev->ours = true;
	return 0;
}

void pipeline_prev_free(struct pipeline_prev *prev)
{
	for (size_t i = 0; i < prev->nr_pins; i++)
		close(prev->pins[i].fd);
	free(prev->pins);
	free(prev->record);
	plan_free(&prev->plan);
	if (prev->prog_fd >= 0)
		close(prev->prog_fd);
	memset(prev, 0, sizeof(*prev));
	prev->prog_fd = -1;
}
