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

int pipeline_parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n = 0;

	if (!*s || strlen(s) > 10)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		n = n * 10 + (unsigned)(*s - '0');
	}
	if (n > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

void pipeline_mask_str(uint32_t mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t a = 0; a < ROOTLET_NR_ACTIONS; a++)
		if (mask & (1u << a) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 rootlet_bucket_name(a));
	if (!used)
		snprintf(buf, len, "none");
}

int pipeline_record_field(const char *rec, const char *kind, uint32_t i,
			  const char *field, char *buf, size_t len)
{
	char key[64];

	snprintf(key, sizeof(key), "%s.%u.%s", kind, i, field);
	return state_record_get(rec, key, buf, len);
}

static uint32_t prog_id_of(int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
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

/* The record is untrusted: a map entry whose pin is no valid map pin name
 * (or "record", "rootlet", or listed twice) is skipped with a warning, so
 * that map starts fresh; the rest of the record still counts. */
static int prev_add_map_pins(const char *ifname, struct pipeline_prev *prev)
{
	char val[80], dir[512];
	uint32_t nr_maps;
	int err = 0;

	if (state_dir(ifname, dir, sizeof(dir)))
		return -EINVAL;
	if (state_record_get(prev->record, "maps", val, sizeof(val)) ||
	    pipeline_parse_u32(val, &nr_maps) || nr_maps > PIPELINE_MAX_MAPS) {
		pr_warn("%s: record %s/%s has no valid maps count; keeping none of the "
			"previous maps", ifname, dir, STATE_RECORD_NAME);
		return 0;
	}
	for (uint32_t i = 0; !err && i < nr_maps; i++) {
		int ret = pipeline_record_field(prev->record, "map", i, "pin", val, sizeof(val));

		if (ret)
			pr_warn("%s: record %s/%s: ignoring map.%u.pin: %s", ifname, dir,
				STATE_RECORD_NAME, i, ret == -ENOENT ? "missing" : "too long");
		else if (!state_pin_name_ok(val))
			pr_warn("%s: record %s/%s: ignoring map.%u.pin '%s': not a valid pin name",
				ifname, dir, STATE_RECORD_NAME, i, val);
		else if (!strcmp(val, STATE_RECORD_NAME) || !strcmp(val, PIPELINE_PROG_PIN) ||
			 prev_has_pin(prev, val))
			pr_warn("%s: record %s/%s: ignoring map.%u.pin '%s': the record or the "
				"rootlet, or listed twice", ifname, dir, STATE_RECORD_NAME, i, val);
		else
			err = prev_add_pin(prev, ifname, val);
	}
	return err;
}

int pipeline_prev_save(const char *ifname, struct pipeline_prev *prev)
{
	char val[80];
	uint32_t rec_id = 0;
	struct nic_xdp cur;
	int err;

	err = state_record_read(ifname, &prev->record);
	if (err && err != -ENOENT)
		pr_warn("%s: ignoring the unreadable record; the attached program counts "
			"as foreign", ifname);
	if (err)
		prev->record = NULL;
	err = prev_add_pin(prev, ifname, PIPELINE_PROG_PIN);
	if (!err && prev->record)
		err = prev_add_map_pins(ifname, prev);
	if (err)
		return err;
	err = nic_query(ifname, &cur);
	if (err)
		return err;
	prev->prog_id = cur.prog_id;
	if (!cur.prog_id)
		return 0;
	prev->prog_fd = bpf_prog_get_fd_by_id(cur.prog_id);
	if (prev->prog_fd < 0) {
		pr_err("%s: cannot open the attached XDP program id %u: %s", ifname, cur.prog_id,
		       strerror(-prev->prog_fd));
		return prev->prog_fd;
	}
	if (prev->record && !state_record_get(prev->record, "prog_id", val, sizeof(val)) &&
	    !pipeline_parse_u32(val, &rec_id) && rec_id == cur.prog_id && prev->nr_pins &&
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

static int new_pins(const struct pipeline *p, struct pipeline_pin **out, size_t *nr)
{
	const struct loaded_obj *lo = p->lo;
	struct pipeline_pin *pins = calloc(lo->nr_maps + 1, sizeof(*pins));

	if (!pins)
		return -ENOMEM;
	snprintf(pins[0].name, sizeof(pins[0].name), "%s", PIPELINE_PROG_PIN);
	pins[0].fd = p->prog_fd;
	pins[0].id = p->prog_id;
	for (size_t i = 0; i < lo->nr_maps; i++) {
		/* Unique: pipeline_pins_check refused clashes before the attach. */
		pipeline_map_pin_name(p, lo->maps[i].name, pins[i + 1].name);
		pins[i + 1].fd = lo->maps[i].fd;
		pins[i + 1].id = lo->maps[i].id;
		pins[i + 1].obj_name = lo->maps[i].name;
	}
	*out = pins;
	*nr = lo->nr_maps + 1;
	return 0;
}

static int write_record(const struct pipeline *p, enum nic_mode mode,
			const struct pipeline_pin *pins, size_t nr_pins)
{
	char *text = NULL, mask[64], when[32];
	size_t len = 0;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return -ENOMEM;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "format=%s\niface=%s\nbackend=static\nmode=%s\nprog=%s\nprog_id=%u\n"
		"counters=%d\ntime=%s\nslots=%zu\n", PIPELINE_RECORD_FORMAT, p->ifname,
		nic_mode_name(mode), ROOTLET_ENTRY_NAME, p->prog_id, p->counters, when,
		p->nr_mods);
	for (size_t i = 0; i < p->nr_mods; i++) {
		const struct pipeline_module *m = &p->mods[i];

		pipeline_mask_str(m->continue_mask, mask, sizeof(mask));
		fprintf(f, "slot.%zu.module=%s\nslot.%zu.path=%s\nslot.%zu.sha256=%s\n"
			"slot.%zu.prog=%s\nslot.%zu.continue=%s\nslot.%zu.continue_from=%s\n",
			i, m->label, i, m->path, i, m->sha256, i, m->prog, i, mask, i,
			m->mask_from);
	}
	fprintf(f, "maps=%zu\n", nr_pins - 1);
	for (size_t i = 1; i < nr_pins; i++)
		fprintf(f, "map.%zu.name=%s\nmap.%zu.pin=%s\nmap.%zu.id=%u\n", i - 1,
			pins[i].obj_name, i - 1, pins[i].name, i - 1, pins[i].id);
	if (fclose(f))
		err = -ENOMEM;
	else
		err = state_record_write(p->ifname, text);
	free(text);
	return err;
}

/* Put back what was attached and pinned before; the record was not touched. */
static void roll_back(const struct pipeline *p, enum nic_mode mode,
		      const struct pipeline_prev *prev, const struct pipeline_pin *pins,
		      size_t nr_pins)
{
	int err;

	if (prev->prog_fd >= 0)
		err = nic_attach(p->ifname, prev->prog_fd, NIC_MODE_AUTO, p->prog_fd, false, NULL);
	else
		err = nic_detach(p->ifname, mode, p->prog_id);
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

int pipeline_commit(struct pipeline *p, enum nic_mode mode, const struct pipeline_prev *prev)
{
	struct pipeline_pin *pins = NULL;
	size_t nr = 0;
	int err = new_pins(p, &pins, &nr);

	for (size_t i = 0; !err && i < nr; i++)
		err = state_pin(p->ifname, pins[i].name, pins[i].fd);
	if (!err)
		err = write_record(p, mode, pins, nr);
	if (err) {
		pr_err("%s: cannot record the new pipeline in bpffs: %s", p->ifname,
		       strerror(-err));
		roll_back(p, mode, prev, pins, nr);
		goto out;
	}
	/* Pins of the previous pipeline that the new one does not reuse. */
	for (size_t i = 0; i < prev->nr_pins; i++)
		if (!pin_taken(pins, nr, prev->pins[i].name))
			state_unpin(p->ifname, prev->pins[i].name);
out:
	free(pins);
	return err;
}

int pipeline_detach(const char *ifname, bool force)
{
	char *rec = NULL, val[32], desc[64];
	uint32_t ours = 0;
	struct nic_xdp cur;
	int err, lock = state_lock();

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
	if (rec && (state_record_get(rec, "prog_id", val, sizeof(val)) ||
		    pipeline_parse_u32(val, &ours))) {
		pr_err("detach %s: the record has no valid prog_id", ifname);
		if (!force) {
			err = -EINVAL;
			goto out;
		}
	}
	if (!if_nametoindex(ifname)) {
		pr_warn("detach %s: interface is gone; removing its state only", ifname);
		err = state_remove(ifname);
		goto out;
	}
	err = nic_query(ifname, &cur);
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
		err = nic_detach(ifname, NIC_MODE_AUTO, force ? 0 : ours);
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
