/* The pipeline's bpffs state: pins and record after an attach (with the
 * roll-back when that fails), and detach.  Record keys: docs/pipeline.md. */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "bpf_sys.h"
#include "load.h"
#include "log.h"
#include "rootlet.h"
#include "state.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void pipeline_link_pin_name(uint32_t slot, uint32_t target, char out[PLAN_PIN_LEN])
{
	snprintf(out, PLAN_PIN_LEN, "link-%u-%c", slot, target ? 'b' : 'a');
}

static void record_where(const char *ifname, char *buf, size_t len)
{
	if (state_dir(ifname, buf, len - 8) < 0)
		snprintf(buf, len, "%s", ifname);
	else
		strcat(buf, "/" STATE_RECORD_NAME);
}

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

	err = state_record_read(ifname, &prev->record);
	if (err && err != -ENOENT)
		pr_warn("%s: ignoring the unreadable record; the attached program counts "
			"as foreign", ifname);
	if (err)
		prev->record = NULL;
	record_where(ifname, where, sizeof(where));
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

static bool pin_taken(const struct pipeline_pin *pins, size_t n, const char *name)
{
	if (!strcmp(name, STATE_RECORD_NAME))
		return true;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(pins[i].name, name))
			return true;
	return false;
}

static struct pipeline_pin *pin_push(struct pipeline_pin **pins, size_t *nr, size_t *cap)
{
	struct pipeline_pin *n;

	if (*nr == *cap) {
		n = realloc(*pins, (*cap ? *cap * 2 : 16) * sizeof(*n));
		if (!n)
			return NULL;
		*pins = n;
		*cap = *cap ? *cap * 2 : 16;
	}
	n = &(*pins)[(*nr)++];
	memset(n, 0, sizeof(*n));
	return n;
}

static int add_map_pins(const struct pipeline *p, const struct loaded_obj *lo,
			const char *label, struct pipeline_pin **pins, size_t *nr, size_t *cap)
{
	for (size_t i = 0; i < lo->nr_maps; i++) {
		struct pipeline_pin *n = pin_push(pins, nr, cap);

		if (!n)
			return -ENOMEM;
		if (label)
			pipeline_module_pin_name(label, lo->maps[i].name, n->name);
		else
			pipeline_map_pin_name(p, lo->maps[i].name, n->name);
		n->fd = lo->maps[i].fd;
		n->id = lo->maps[i].id;
		n->obj_name = lo->maps[i].name;
		n->module = label ? label : pipeline_map_owner(p, lo->maps[i].name);
		n->is_map = true;
	}
	return 0;
}

int pipeline_new_pins(const struct pipeline *p, struct pipeline_pin **out, size_t *nr)
{
	struct pipeline_pin *pins = NULL, *n;
	size_t cap = 0;
	int err = -ENOMEM;

	*nr = 0;
	n = pin_push(&pins, nr, &cap);
	if (!n)
		goto fail;
	snprintf(n->name, sizeof(n->name), "%s", PIPELINE_PROG_PIN);
	n->fd = p->prog_fd;
	n->id = p->prog_id;
	err = add_map_pins(p, p->lo, NULL, &pins, nr, &cap);
	for (size_t i = 0; !err && i < p->nr_mods; i++) {
		const struct pipeline_module *m = &p->mods[i];

		if (m->lo)
			err = add_map_pins(p, m->lo, m->s->label, &pins, nr, &cap);
		if (!err && m->link_fd >= 0) {
			n = pin_push(&pins, nr, &cap);
			if (!n) {
				err = -ENOMEM;
				break;
			}
			pipeline_link_pin_name((uint32_t)i, m->s->target, n->name);
			n->fd = m->link_fd;
		}
	}
	if (!err)
		err = pipeline_pins_unique(p, pins, *nr);
	if (!err) {
		*out = pins;
		return 0;
	}
fail:
	free(pins);
	*nr = 0;
	return err;
}

int pipeline_stage_links(const char *ifname, const struct pipeline_pin *pins, size_t nr,
			 bool stage)
{
	char name[PLAN_PIN_LEN + 8];
	int err = 0;

	for (size_t i = 0; i < nr; i++) {
		if (pins[i].is_map || strncmp(pins[i].name, "link-", 5))
			continue;
		snprintf(name, sizeof(name), "%s-staged", pins[i].name);
		if (stage && !err)
			err = state_pin(ifname, name, pins[i].fd);
		else
			state_unpin(ifname, name);
	}
	return err;
}

int pipeline_record_plan(const char *ifname, const struct plan *pl)
{
	char *text = NULL;
	int err = plan_record_format(pl, &text);

	if (!err)
		err = state_record_write(ifname, text);
	free(text);
	return err;
}

int pipeline_record(struct pipeline *p, enum nic_mode mode, const struct pipeline_pin *pins,
		    size_t nr)
{
	struct plan *pl = p->plan;
	size_t nr_maps = 0;

	plan_maps_free(pl->maps, pl->nr_maps);
	pl->nr_maps = 0;
	pl->maps = calloc(nr ? nr : 1, sizeof(*pl->maps));
	if (!pl->maps)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		struct plan_map *m = &pl->maps[nr_maps];

		if (!pins[i].is_map)
			continue;
		m->name = strdup(pins[i].obj_name);
		m->module = pins[i].module ? strdup(pins[i].module) : NULL;
		if (!m->name || (pins[i].module && !m->module)) {
			free(m->name);
			free(m->module);
			return -ENOMEM;
		}
		snprintf(m->pin, sizeof(m->pin), "%s", pins[i].name);
		m->id = pins[i].id;
		pl->nr_maps = ++nr_maps;
	}
	pl->mode = mode;
	pl->prog_id = p->prog_id;
	return pipeline_record_plan(p->ifname, pl);
}

/* Put back what was attached and pinned before; the record was not touched. */
static void roll_back(const struct pipeline *p, enum nic_mode mode,
		      const struct pipeline_prev *prev, const struct pipeline_pin *pins,
		      size_t nr_pins)
{
	int err;

	if (prev->prog_fd >= 0)
		err = nic_attach(p->ifindex, p->ifname, prev->prog_fd, NIC_MODE_AUTO, p->prog_fd,
				 false, NULL);
	else
		err = nic_detach(p->ifindex, p->ifname, mode, p->prog_id);
	for (size_t i = 0; i < nr_pins; i++)
		if (!pin_taken(prev->pins, prev->nr_pins, pins[i].name))
			state_unpin(p->ifname, pins[i].name);
	for (size_t i = 0; i < prev->nr_pins; i++)
		if (state_pin(p->ifname, prev->pins[i].name, prev->pins[i].fd))
			err = -EIO;
	if (!prev->record && !prev->nr_pins)
		state_remove(p->ifname);
	if (err)
		pr_err("%s: rolling back failed as well: the interface and its state may "
		       "disagree (see xdpld status; xdpld detach --force cleans up)", p->ifname);
	else
		pr_err("%s: attach rolled back; the previous program and state are in place",
		       p->ifname);
}

int pipeline_commit(struct pipeline *p, enum nic_mode mode, const struct pipeline_prev *prev,
		    const struct pipeline_pin *pins, size_t nr)
{
	int err = 0;

	for (size_t i = 0; !err && i < nr; i++)
		err = state_pin(p->ifname, pins[i].name, pins[i].fd);
	if (!err)
		err = pipeline_record(p, mode, pins, nr);
	if (err) {
		pr_err("%s: cannot record the new pipeline in bpffs: %s", p->ifname,
		       strerror(-err));
		roll_back(p, mode, prev, pins, nr);
		pipeline_stage_links(p->ifname, pins, nr, false);
		goto out;
	}
	pipeline_stage_links(p->ifname, pins, nr, false);
	/* Pins of the previous pipeline that the new one does not reuse. */
	for (size_t i = 0; i < prev->nr_pins; i++)
		if (!pin_taken(pins, nr, prev->pins[i].name))
			state_unpin(p->ifname, prev->pins[i].name);
out:
	return err;
}

int pipeline_detach(const char *ifname, bool force)
{
	char *rec = NULL, desc[64], where[4200];
	uint32_t ours = 0;
	struct plan pl;
	struct nic_xdp cur;
	int err, ifindex, lock = state_lock();

	if (lock < 0)
		return lock;
	err = state_record_read(ifname, &rec);
	if (err == -ENOENT && !force) {
		pr_err("detach %s: xdpld attached nothing there (no record in %s); "
		       "--force detaches whatever XDP program runs there", ifname, state_root());
		goto out;
	}
	if (err && err != -ENOENT && !force)
		goto out;	/* state_record_read said why */
	record_where(ifname, where, sizeof(where));
	if (rec && plan_record_parse(ifname, where, rec, &pl)) {
		pr_err("detach %s: the record is malformed; --force detaches whatever XDP "
		       "program runs there", ifname);
		if (!force) {
			err = -EINVAL;
			goto out;
		}
	} else if (rec) {
		ours = pl.prog_id;
		plan_free(&pl);
	}
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		pr_warn("detach %s: interface is gone; removing its state only", ifname);
		err = state_remove(ifname);
		goto out;
	}
	err = nic_query(ifindex, ifname, &cur);
	if (err)
		goto out;
	if (cur.prog_id && cur.prog_id != ours && !force) {
		nic_prog_describe(cur.prog_id, desc, sizeof(desc));
		pr_err("detach %s: the attached XDP program %s is not the one xdpld attached "
		       "(id %u); not detaching it without --force", ifname, desc, ours);
		err = -EEXIST;
		goto out;
	}
	if (cur.prog_id) {
		err = nic_detach(ifindex, ifname, NIC_MODE_AUTO, force ? 0 : ours);
		if (err)
			goto out;
	}
	err = state_remove(ifname);
	if (!err)
		pr_info("%s: detached", ifname);
out:
	state_unlock(lock);
	free(rec);
	return err;
}
