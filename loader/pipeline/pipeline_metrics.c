/* xdpld status --prometheus: the pipelines' counters and ids in the
 * Prometheus text exposition format 0.0.4 (docs/pipeline.md, "Counters for
 * monitoring").  Every device is read first, then each metric family is
 * printed whole (the format wants a family's samples together), from one
 * reading of the counters. */
#include "base/log.h"
#include "base/prom.h"
#include "pipeline.h"
#include "pipeline_internal.h"

#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct metrics_dev {
	char *ifname;
	bool ok;			/* v was read; else the record is unreadable */
	struct pipeline_view v;
	uint64_t (*cnt)[ROOTLET_NR_BUCKETS];	/* per slot; NULL: no counters */
	uint32_t *prog;			/* per slot: the program it runs, 0 none */
};

struct metrics {
	struct metrics_dev *devs;
	size_t nr;
	int err;			/* first error */
};

struct family {
	const char *name, *type, *help;
	bool started;
};

/* The family's HELP and TYPE, once, before its first sample. */
static void sample(struct family *f)
{
	if (!f->started)
		printf("# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
	f->started = true;
	printf("%s", f->name);
}

/* One label: sep is "{" for the first, "," for the others. */
static void label(const char *sep, const char *name, const char *val)
{
	printf("%s%s=", sep, name);
	prom_str(stdout, val);
}

/* A number; an empty value for 0 when zero_empty (a program id: none). */
static void label_u32(const char *sep, const char *name, uint32_t val, bool zero_empty)
{
	char buf[16] = "";

	if (val || !zero_empty)
		snprintf(buf, sizeof(buf), "%u", val);
	label(sep, name, buf);
}

/* {device, [pipeline,] slot, module */
static void slot_labels(const struct metrics_dev *d, uint32_t i, bool pipeline)
{
	label("{", "device", d->ifname);
	if (pipeline && d->v.pl.managed)
		label(",", "pipeline", d->v.pl.pipeline);
	label_u32(",", "slot", i, false);
	label(",", "module", d->v.pl.slots[i].label);
}

static int read_dev(struct metrics_dev *d)
{
	const struct plan *pl = &d->v.pl;

	d->prog = calloc(pl->nr_slots ? pl->nr_slots : 1, sizeof(*d->prog));
	if (!d->prog)
		return -ENOMEM;
	for (uint32_t i = 0, gone; i < pl->nr_slots; i++)
		d->prog[i] = pipeline_view_slot_prog(d->ifname, pl, i, &gone);
	if (d->v.stats_fd < 0)
		return 0;
	d->cnt = calloc(pl->nr_slots ? pl->nr_slots : 1, sizeof(*d->cnt));
	if (!d->cnt)
		return -ENOMEM;
	for (uint32_t i = 0; i < pl->nr_slots; i++) {
		if (pipeline_view_counters(&d->v, i, d->cnt[i])) {
			free(d->cnt);	/* all or none: a partial reading is no reading */
			d->cnt = NULL;
			break;
		}
	}
	return 0;
}

static int collect(const char *ifname, void *arg)
{
	struct metrics *m = arg;
	struct metrics_dev *d, *devs = realloc(m->devs, (m->nr + 1) * sizeof(*devs));
	const char *what = NULL;
	int err;

	if (!devs)
		return -ENOMEM;
	m->devs = devs;
	d = &devs[m->nr];
	memset(d, 0, sizeof(*d));
	d->ifname = strdup(ifname);
	if (!d->ifname)
		return -ENOMEM;
	m->nr++;
	err = pipeline_view_open(ifname, &d->v, &what);
	if (err == -ENOENT) {	/* no pipeline: no lines */
		free(d->ifname);
		m->nr--;
		return 0;
	}
	if (err) {
		pr_warn("%s: %s", ifname, what);
		if (!m->err)
			m->err = err;
		return 0;	/* printed as xdpld_pipeline_matches 0 */
	}
	d->ok = true;
	return read_dev(d);
}

static void print_matches(const struct metrics *m)
{
	struct family f = { "xdpld_pipeline_matches", "gauge",
			    "1 when the device runs the rootlet its record names, 0 when it "
			    "does not (another program, none, device gone) or the record is "
			    "unreadable", false };

	for (size_t k = 0; k < m->nr; k++) {
		sample(&f);
		label("{", "device", m->devs[k].ifname);
		printf("} %d\n", m->devs[k].ok && m->devs[k].v.matches);
	}
}

static void print_rootlets(const struct metrics *m)
{
	struct family f = { "xdpld_rootlet_info", "gauge",
			    "The rootlet xdpld recorded for the device: program id, backend, "
			    "mode and manifest pipeline (value 1)", false };

	for (size_t k = 0; k < m->nr; k++) {
		const struct metrics_dev *d = &m->devs[k];

		if (!d->ok)
			continue;
		sample(&f);
		label("{", "device", d->ifname);
		label_u32(",", "prog_id", d->v.pl.prog_id, true);
		label(",", "backend", rootlet_backend_name(d->v.pl.backend));
		label(",", "mode", nic_mode_name(d->v.pl.mode));
		if (d->v.pl.managed)
			label(",", "pipeline", d->v.pl.pipeline);
		printf("} 1\n");
	}
}

static void print_slots(const struct metrics *m)
{
	struct family f = { "xdpld_slot_info", "gauge",
			    "A slot's module, the program the kernel runs for it (empty: none "
			    "of its own, as with the static backend) and its object file "
			    "(value 1)", false };

	for (size_t k = 0; k < m->nr; k++) {
		const struct metrics_dev *d = &m->devs[k];

		for (uint32_t i = 0; d->ok && i < d->v.pl.nr_slots; i++) {
			sample(&f);
			slot_labels(d, i, false);
			label_u32(",", "prog_id", d->prog[i], true);
			label(",", "object", d->v.pl.slots[i].path);
			printf("} 1\n");
		}
	}
}

static void print_packets(const struct metrics *m)
{
	struct family f = { "xdpld_slot_packets_total", "counter",
			    "Packets each slot's module returned each verdict for, summed over "
			    "the CPUs (status: packets)", false };

	for (size_t k = 0; k < m->nr; k++) {
		const struct metrics_dev *d = &m->devs[k];

		for (uint32_t i = 0; d->ok && d->cnt && i < d->v.pl.nr_slots; i++) {
			for (uint32_t b = 0; b < ROOTLET_NR_BUCKETS; b++) {
				sample(&f);
				slot_labels(d, i, true);
				label(",", "verdict", rootlet_bucket_name(b));
				printf("} %llu\n", (unsigned long long)d->cnt[i][b]);
			}
		}
	}
}

static void print_relinks(const struct metrics *m)
{
	struct family f = { "xdpld_slot_relinks_total", "counter",
			    "Re-links of the slot since the pipeline was attached (status: "
			    "relinks)", false };

	for (size_t k = 0; k < m->nr; k++) {
		const struct metrics_dev *d = &m->devs[k];

		for (uint32_t i = 0; d->ok && i < d->v.pl.nr_slots; i++) {
			sample(&f);
			slot_labels(d, i, false);
			printf("} %u\n", d->v.pl.slots[i].relinks);
		}
	}
}

int pipeline_metrics(const char *ifname)
{
	struct metrics m = { 0 };
	int err;

	if (ifname)
		err = collect(ifname, &m);
	else
		err = state_list_ifaces(collect, &m);
	if (!err) {
		print_matches(&m);
		print_rootlets(&m);
		print_slots(&m);
		print_packets(&m);
		print_relinks(&m);
	}
	fflush(stdout);
	for (size_t k = 0; k < m.nr; k++) {
		if (m.devs[k].ok)
			pipeline_view_close(&m.devs[k].v);
		free(m.devs[k].cnt);
		free(m.devs[k].prog);
		free(m.devs[k].ifname);
	}
	free(m.devs);
	return err ? err : m.err;
}
