/* One interface's pipeline as status and its metrics show it: the record
 * (or the staged plan a crash left running), settled, next to what the
 * kernel runs, with the per-slot counters (pipeline_internal.h). */
#include "pipeline_internal.h"

#include "base/log.h"
#include "kernel/bpf_sys.h"
#include "link/rootlet.h"
#include "state.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A decimal number at *p (advanced past it); -1 when there is none. */
static long number(const char **p)
{
	long v = -1;

	for (; **p >= '0' && **p <= '9' && v < 1000000; (*p)++)
		v = (v < 0 ? 0 : v * 10) + (**p - '0');
	return v;
}

/* Number of possible CPUs ("0-3,8-11"): the per-CPU value count of a lookup.
 * (Parsed by hand: scanf would pull ~9 KB of float parsing into the static
 * binary.) */
static int possible_cpus(void)
{
	char buf[256];
	const char *p = buf;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int n = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (;;) {
		long a = number(&p), b = a;

		if (*p == '-') {
			p++;
			b = number(&p);
		}
		if (a < 0 || b < a || b - a > 65535)
			break;
		n += (int)(b - a + 1);
		if (*p++ != ',')
			break;
	}
	return n > 0 ? n : -EINVAL;
}

int pipeline_view_counters(const struct pipeline_view *v, uint32_t slot,
			   uint64_t out[ROOTLET_NR_BUCKETS])
{
	uint64_t *vals;
	int err = 0;

	if (v->stats_fd < 0 || slot >= v->pl.nr_slots)
		return -ENOENT;
	vals = calloc((size_t)v->ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t b = 0; !err && b < ROOTLET_NR_BUCKETS; b++) {
		uint32_t key = rootlet_stats_key(slot, b);

		err = sys_map_lookup(v->stats_fd, &key, vals);
		out[b] = err ? 0 : rootlet_stats_sum(vals, (unsigned)v->ncpu);
	}
	free(vals);
	return err;
}

/* The stats map pinned for this record, checked against what it must be. */
static int open_stats(const char *ifname, const struct plan *pl)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd;

	for (size_t i = 0; i < pl->nr_maps; i++) {
		if (strcmp(pl->maps[i].name, ROOTLET_STATS_MAP))
			continue;
		fd = state_get(ifname, pl->maps[i].pin);
		if (fd < 0)
			return fd;
		memset(&info, 0, sizeof(info));
		if (sys_obj_info(fd, &info, &len) || info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
		    info.key_size != 4 || info.value_size != 8 ||
		    info.max_entries < pl->nr_slots * ROOTLET_NR_BUCKETS) {
			pr_err("%s: pinned %s is not the pipeline's counter map", ifname,
			       pl->maps[i].pin);
			close(fd);
			return -EINVAL;
		}
		return fd;
	}
	return -ENOENT;
}

static bool prog_alive(uint32_t id)
{
	int fd = id ? sys_prog_fd_by_id(id) : -ENOENT;

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

uint32_t pipeline_view_slot_prog(const char *ifname, const struct plan *pl, uint32_t i,
				 uint32_t *gone)
{
	uint32_t kid, rec = pl->slots[i].prog_id;

	*gone = 0;
	if (pl->backend == ROOTLET_STATIC)
		return 0;
	kid = pipeline_slot_kernel_id(ifname, pl, i);
	if (kid)
		return kid;
	if (prog_alive(rec))
		return rec;
	*gone = rec;
	return 0;
}

/* The device runs a staged rootlet a crash left unrecorded: show it (what
 * the kernel runs); the next command under the state lock records it. */
static int staged_view(const char *ifname, uint32_t running, struct plan *out)
{
	int err = pipeline_staged_plan(ifname, running, out);

	if (!err)
		pr_warn("%s: a change a crash interrupted: the device runs its new rootlet "
			"(program id %u), which the next xdpld command that changes something "
			"records", ifname, running);
	return err;
}

/* v->pl from the record, or from the staged record a crash left running. */
static int view_plan(const char *ifname, struct pipeline_view *v, const char **what)
{
	char where[4200];
	struct plan staged;
	int err = state_record_read(ifname, &v->rec);

	if (err == -ENOENT && v->present && !staged_view(ifname, v->cur.prog_id, &v->pl))
		return 0;	/* a first attach a crash interrupted */
	if (err) {
		*what = err == -ENOENT ? "no pipeline recorded" : "unreadable record";
		return err;
	}
	pipeline_record_where(ifname, where, sizeof(where));
	if (plan_record_parse(ifname, where, v->rec, &v->pl)) {
		*what = "malformed record";
		return -EINVAL;
	}
	if (v->present && v->cur.prog_id != v->pl.prog_id &&
	    !staged_view(ifname, v->cur.prog_id, &staged)) {
		plan_free(&v->pl);
		v->pl = staged;
	}
	return 0;
}

int pipeline_view_open(const char *ifname, struct pipeline_view *v, const char **what)
{
	int ifindex = (int)if_nametoindex(ifname);
	int err;

	memset(v, 0, sizeof(*v));
	v->stats_fd = -1;
	v->present = ifindex != 0;
	if (v->present && nic_query(ifindex, ifname, &v->cur))
		v->present = false;
	err = view_plan(ifname, v, what);
	if (err) {
		free(v->rec);
		v->rec = NULL;
		return err;
	}
	pipeline_slots_settle(ifname, &v->pl, false);
	v->matches = v->present && v->cur.prog_id == v->pl.prog_id;
	if (v->pl.counters) {
		v->ncpu = possible_cpus();
		v->stats_fd = v->ncpu > 0 ? open_stats(ifname, &v->pl) : -1;
		if (v->stats_fd < 0)
			pr_warn("%s: cannot read the pipeline's counters", ifname);
	}
	return 0;
}

void pipeline_view_close(struct pipeline_view *v)
{
	if (v->stats_fd >= 0)
		close(v->stats_fd);
	plan_free(&v->pl);
	free(v->rec);
	v->rec = NULL;
	v->stats_fd = -1;
}
