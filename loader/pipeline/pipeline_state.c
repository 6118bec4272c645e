/* The pipeline's bpffs state after an attach: the new pipeline's pins,
 * committed with the record (with the roll-back when that fails), and
 * detach.  Record keys: docs/pipeline.md. */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "base/log.h"
#include "kernel/load.h"
#include "state.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	int err = pipeline_promote(p->ifname, pins, nr);

	/* Pins of the previous pipeline that the new one does not reuse: gone
	 * before the record, in the order a settle after a crash keeps. */
	for (size_t i = 0; !err && i < prev->nr_pins; i++)
		if (!pin_taken(pins, nr, prev->pins[i].name))
			state_unpin(p->ifname, prev->pins[i].name);
	if (!err)
		err = pipeline_record(p, mode, pins, nr);
	if (err) {
		pr_err("%s: cannot record the new pipeline in bpffs: %s", p->ifname,
		       strerror(-err));
		roll_back(p, mode, prev, pins, nr);
		pipeline_unstage(p->ifname, pins, nr);
		return err;
	}
	pipeline_unstage(p->ifname, NULL, 0);	/* the staged record */
	return 0;
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
	pipeline_stage_settle(ifname);	/* the record then names what runs */
	err = state_record_read(ifname, &rec);
	if (err == -ENOENT && !force) {
		ifindex = (int)if_nametoindex(ifname);
		if (!ifindex || nic_query(ifindex, ifname, &cur) ||
		    !pipeline_hint_unrecorded(ifname, cur.prog_id))
			pr_err("detach %s: xdpld attached nothing there (no record in %s); "
			       "--force detaches whatever XDP program runs there", ifname,
			       state_root());
		goto out;
	}
	if (err && err != -ENOENT && !force)
		goto out;	/* state_record_read said why */
	pipeline_record_where(ifname, where, sizeof(where));
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
