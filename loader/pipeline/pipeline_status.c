/* xdpld status: what the record says, what the kernel runs, and the
 * per-slot counters, as text or JSON (format: docs/pipeline.md). */
#include "base/json.h"
#include "pipeline.h"
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

#define VAL_LEN 4096	/* paths are the longest values */

struct status_ctx {
	bool json;
	size_t printed;		/* interfaces printed so far */
	int err;		/* first error */
};

/* ", \"btf\": " whether the loaded program id carries BTF (bpf_prog_info's
 * btf_id); null when the program cannot be read. */
static void json_btf(uint32_t prog_id)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd = prog_id ? sys_prog_fd_by_id(prog_id) : -ENOENT;
	const char *v = "null";

	memset(&info, 0, sizeof(info));
	if (fd >= 0 && !sys_obj_info(fd, &info, &len))
		v = info.btf_id ? "true" : "false";
	if (fd >= 0)
		close(fd);
	printf(", \"btf\": %s", v);
}

static void json_kv(const char *key, const char *val)
{
	printf(", \"%s\": ", key);
	json_str(stdout, val);
}

/* A string or null. */
static void json_kv_opt(const char *key, const char *val)
{
	if (val)
		json_kv(key, val);
	else
		printf(", \"%s\": null", key);
}

/* The naming rules: "no_rename" and "renames" [{module, old, new}]. */
static void json_naming(const struct plan *pl)
{
	printf(", \"no_rename\": %s, \"renames\": [", pl->no_rename ? "true" : "false");
	for (size_t i = 0; i < pl->nr_renames; i++) {
		printf("%s{\"module\": ", i ? ", " : "");
		if (pl->renames[i].module)
			json_str(stdout, pl->renames[i].module);
		else
			printf("null");
		json_kv("old", pl->renames[i].old_name);
		json_kv("new", pl->renames[i].new_name);
		printf("}");
	}
	printf("]");
}

static void print_slot(const char *ifname, const struct pipeline_view *v, uint32_t i, bool json)
{
	const struct plan *pl = &v->pl;
	const struct plan_slot *s = &pl->slots[i];
	uint64_t cnt[ROOTLET_NR_BUCKETS];
	bool have_cnt = !pipeline_view_counters(v, i, cnt);
	uint32_t gone, id = pipeline_view_slot_prog(ifname, pl, i, &gone);
	char mask[64];

	plan_mask_str(s->continue_mask, mask, sizeof(mask));
	if (!json) {
		printf("  slot %u: %s (%s) continue on %s [%s]", i, s->label, s->prog, mask,
		       plan_mask_from_name(s->mask_from));
		if (id)
			printf(" program id %u", id);
		else if (gone)
			printf(", runs no program (recorded id %u no longer exists)", gone);
		if (s->relinks)
			printf(", re-linked %u times, last %s", s->relinks, s->relinked);
		printf("\n    %s\n", s->path);
		if (s->prefix || s->type)
			printf("    linked with%s%s%s%s\n", s->prefix ? " prefix " : "",
			       s->prefix ? s->prefix : "", s->type ? " type " : "",
			       s->type ? s->type : "");
		for (size_t k = 0; k < pl->nr_renames; k++)
			if (!pl->renames[k].module || !strcmp(pl->renames[k].module, s->label))
				printf("    rename %s=%s\n", pl->renames[k].old_name,
				       pl->renames[k].new_name);
		if (have_cnt) {
			printf("    packets:");
			for (uint32_t b = 0; b < ROOTLET_NR_BUCKETS; b++)
				printf(" %s %llu", rootlet_bucket_name(b), (unsigned long long)cnt[b]);
			printf("\n");
		}
		return;
	}
	printf("%s{\"index\": %u", i ? ", " : "", i);
	json_kv("module", s->label);
	json_kv("path", s->path);
	json_kv("sha256", s->sha256);
	json_kv("prog", s->prog);
	printf(", \"continue_on\": [");
	for (uint32_t a = 0, n = 0; a < ROOTLET_NR_ACTIONS; a++)
		if (s->continue_mask & (1u << a))
			printf("%s\"%s\"", n++ ? ", " : "", rootlet_bucket_name(a));
	printf("]");
	json_kv("continue_from", plan_mask_from_name(s->mask_from));
	json_kv_opt("prefix", s->prefix);
	json_kv_opt("type", s->type);
	printf(", \"prog_id\": ");
	if (id)
		printf("%u", id);
	else
		printf("null");
	if (gone)
		printf(", \"gone_prog_id\": %u", gone);
	json_btf(id);
	if (pl->backend == ROOTLET_FREPLACE)
		printf(", \"target\": \"%c\"", s->target ? 'b' : 'a');
	printf(", \"relinks\": %u, \"relinked\": ", s->relinks);
	if (s->relinked[0])
		json_str(stdout, s->relinked);
	else
		printf("null");
	printf(", \"packets\": ");
	if (have_cnt) {
		for (uint32_t b = 0; b < ROOTLET_NR_BUCKETS; b++)
			printf("%s\"%s\": %llu", b ? ", " : "{", rootlet_bucket_name(b),
			       (unsigned long long)cnt[b]);
		printf("}");
	} else {
		printf("null");
	}
	printf("}");
}

static void print_maps(const char *ifname, const struct plan *pl, bool json)
{
	char dir[4096], path[4200];

	if (state_dir(ifname, dir, sizeof(dir)) < 0)
		dir[0] = '\0';
	printf(json ? ", \"maps\": [" : "  map pins:");
	for (size_t i = 0; i < pl->nr_maps; i++) {
		if (!json) {
			printf(" %s", pl->maps[i].pin);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, pl->maps[i].pin);
		printf("%s{\"name\": ", i ? ", " : "");
		json_str(stdout, pl->maps[i].name);
		printf(", \"pin\": ");
		json_str(stdout, path);
		printf(", \"id\": %u}", pl->maps[i].id);
	}
	printf(json ? "]" : "\n");
}

static void print_error(struct status_ctx *c, const char *ifname, int err, const char *what)
{
	bool first = !c->printed++;

	if (!c->err)
		c->err = err;
	if (!c->json) {
		printf("%s: %s\n", ifname, what);
		return;
	}
	printf("%s{\"iface\": ", first ? "" : ", ");
	json_str(stdout, ifname);
	printf(", \"error\": ");
	json_str(stdout, what);
	printf("}");
}

/* How a re-link of one slot happens with this backend. */
static const char *relink_how(enum rootlet_backend b)
{
	return b == ROOTLET_STATIC ? "new rootlet" : "slot swap";
}

static void print_head(struct status_ctx *c, const char *ifname, const struct pipeline_view *v)
{
	const struct plan *pl = &v->pl;
	const struct nic_xdp *cur = &v->cur;
	bool present = v->present, matches = v->matches;
	char dir[4096], desc[64];
	bool first = !c->printed++;
	const char *backend = rootlet_backend_name(pl->backend);

	if (!c->json) {
		printf("%s: %s id %u, %s mode, %s backend (a re-link: %s), attached %s\n", ifname,
		       ROOTLET_ENTRY_NAME, pl->prog_id, nic_mode_name(pl->mode), backend,
		       pl->backend == ROOTLET_STATIC ? "reloads the rootlet" :
		       "swaps the slot, the rootlet stays", pl->time);
		if (pl->managed)
			printf("  from the manifest, pipeline '%s'\n", pl->pipeline);
		if (!present) {
			printf("  interface is gone\n");
		} else if (matches) {
			printf("  kernel: runs it (%s mode)\n", nic_mode_name(cur->mode));
		} else if (cur->prog_id) {
			nic_prog_describe(cur->prog_id, desc, sizeof(desc));
			printf("  kernel: runs a different program, %s (%s mode)\n", desc,
			       nic_mode_name(cur->mode));
		} else {
			printf("  kernel: no XDP program attached\n");
		}
		return;
	}
	if (state_dir(ifname, dir, sizeof(dir)) < 0)
		dir[0] = '\0';
	printf("%s{\"iface\": ", first ? "" : ", ");
	json_str(stdout, ifname);
	json_kv("state_dir", dir);
	printf(", \"present\": %s, \"kernel\": ", present ? "true" : "false");
	if (present && cur->prog_id)
		printf("{\"prog_id\": %u, \"mode\": \"%s\"}", cur->prog_id,
		       nic_mode_name(cur->mode));
	else
		printf("null");
	printf(", \"prog_id\": %u, \"matches\": %s", pl->prog_id, matches ? "true" : "false");
	json_btf(pl->prog_id);
	json_kv("prog", ROOTLET_ENTRY_NAME);
	json_kv("mode", nic_mode_name(pl->mode));
	json_kv("backend", backend);
	json_kv("relink", relink_how(pl->backend));
	json_kv("time", pl->time);
	printf(", \"managed\": %s, \"pipeline\": ", pl->managed ? "true" : "false");
	if (pl->managed)
		json_str(stdout, pl->pipeline);
	else
		printf("null");
	json_naming(pl);
}

static int show_iface(const char *ifname, void *arg)
{
	struct status_ctx *c = arg;
	struct pipeline_view v;
	const char *what = NULL;
	int err = pipeline_view_open(ifname, &v, &what);

	if (err) {
		print_error(c, ifname, err, what);
		if (err == -ENOENT && v.present)
			pipeline_hint_unrecorded(ifname, v.cur.prog_id);
		return 0;
	}
	print_head(c, ifname, &v);
	if (c->json)
		printf(", \"counters\": %s, \"slots\": [", v.pl.counters ? "true" : "false");
	for (uint32_t i = 0; i < v.pl.nr_slots; i++)
		print_slot(ifname, &v, i, c->json);
	if (c->json)
		printf("]");
	print_maps(ifname, &v.pl, c->json);
	if (c->json)
		printf("}");
	pipeline_view_close(&v);
	return 0;
}

int pipeline_status(const char *ifname, bool json)
{
	struct status_ctx c = { .json = json };
	int err = 0;

	if (json)
		printf("{\"version\": %d, \"interfaces\": [", PIPELINE_STATUS_VERSION);
	if (ifname)
		show_iface(ifname, &c);
	else
		err = state_list_ifaces(show_iface, &c);
	if (json)
		printf("]}\n");
	else if (!ifname && !c.printed && !err)
		printf("no pipelines\n");
	fflush(stdout);
	return err ? err : c.err;
}
