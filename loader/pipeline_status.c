/* xdpld status: what the record says, what the kernel runs, and the
 * per-slot counters, as text or JSON (format: docs/pipeline.md). */
#include "pipeline.h"
#include "pipeline_internal.h"

#include "bpf_sys.h"
#include "log.h"
#include "rootlet.h"
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

/* Number of possible CPUs ("0-3,8-11"): the per-CPU value count of a lookup. */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned a, b;
	int n = 0, c;

	if (!f)
		return -errno;
	while (fscanf(f, "%u", &a) == 1) {
		b = a;
		c = fgetc(f);
		if (c == '-' && fscanf(f, "%u", &b) == 1)
			c = fgetc(f);
		if (b < a || b - a > 65535)
			break;
		n += (int)(b - a + 1);
		if (c != ',')
			break;
	}
	fclose(f);
	return n > 0 ? n : -EINVAL;
}

static void json_str(const char *s)
{
	putchar('"');
	/* Names come from bpffs and the kernel: anything but printable ASCII
	 * is escaped, so the output is valid JSON (and UTF-8) whatever they hold. */
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* Counters of one slot: sums over CPUs of every bucket. */
static int read_counters(int map_fd, uint32_t slot, int ncpu, uint64_t out[ROOTLET_NR_BUCKETS])
{
	uint64_t *vals = calloc((size_t)ncpu, sizeof(*vals));
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (uint32_t b = 0; !err && b < ROOTLET_NR_BUCKETS; b++) {
		uint32_t key = rootlet_stats_key(slot, b);

		err = bpf_map_lookup(map_fd, &key, vals);
		out[b] = err ? 0 : rootlet_stats_sum(vals, (unsigned)ncpu);
	}
	free(vals);
	return err;
}

/* The stats map pinned for this record, checked against what it must be. */
static int open_stats(const char *ifname, const char *rec, uint32_t nr_slots)
{
	char val[80], name[80];
	uint32_t nr_maps = 0;
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd;

	if (state_record_get(rec, "maps", val, sizeof(val)) || pipeline_parse_u32(val, &nr_maps))
		return -ENOENT;
	for (uint32_t i = 0; i < nr_maps && i < 4096; i++) {
		if (pipeline_record_field(rec, "map", i, "name", name, sizeof(name)) ||
		    strcmp(name, ROOTLET_STATS_MAP) ||
		    pipeline_record_field(rec, "map", i, "pin", val, sizeof(val)))
			continue;
		fd = state_get(ifname, val);
		if (fd < 0)
			return fd;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_PERCPU_ARRAY ||
		    info.key_size != 4 || info.value_size != 8 ||
		    info.max_entries < nr_slots * ROOTLET_NR_BUCKETS) {
			pr_err("%s: pinned %s is not the pipeline's counter map", ifname, val);
			close(fd);
			return -EINVAL;
		}
		return fd;
	}
	return -ENOENT;
}

static void print_slot(const char *rec, uint32_t i, int stats_fd, int ncpu, bool json,
		       bool first)
{
	static const char *const fields[] = { "module", "path", "sha256", "prog", "continue",
					      "continue_from" };
	char v[6][VAL_LEN];
	uint64_t cnt[ROOTLET_NR_BUCKETS];
	bool have_cnt = stats_fd >= 0 && !read_counters(stats_fd, i, ncpu, cnt);

	for (size_t f = 0; f < 6; f++)
		if (pipeline_record_field(rec, "slot", i, fields[f], v[f], VAL_LEN))
			snprintf(v[f], VAL_LEN, "?");
	if (!json) {
		printf("  slot %u: %s (%s) continue on %s [%s]\n    %s\n", i, v[0], v[3], v[4],
		       v[5], v[1]);
		if (have_cnt) {
			printf("    packets:");
			for (uint32_t b = 0; b < ROOTLET_NR_BUCKETS; b++)
				printf(" %s %llu", rootlet_bucket_name(b), (unsigned long long)cnt[b]);
			printf("\n");
		}
		return;
	}
	printf("%s{\"index\": %u", first ? "" : ", ", i);
	for (size_t f = 0; f < 6; f++) {
		printf(", \"%s\": ", f == 4 ? "continue_on" : fields[f]);
		if (f != 4) {
			json_str(v[f]);
			continue;
		}
		printf("[");
		for (char *tok = strtok(v[4], ","), *sep = ""; tok && strcmp(tok, "none");
		     tok = strtok(NULL, ","), sep = ", ") {
			printf("%s", sep);
			json_str(tok);
		}
		printf("]");
	}
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

static void print_maps(const char *ifname, const char *rec, bool json)
{
	char name[80], pin[80], val[16], dir[4096], path[4200];
	uint32_t nr = 0, id, shown = 0;

	if (state_record_get(rec, "maps", val, sizeof(val)) || pipeline_parse_u32(val, &nr))
		nr = 0;
	if (state_dir(ifname, dir, sizeof(dir)) < 0)
		dir[0] = '\0';
	printf(json ? ", \"maps\": [" : "  maps:");
	for (uint32_t i = 0; i < nr && i < 4096; i++) {
		if (pipeline_record_field(rec, "map", i, "name", name, sizeof(name)) ||
		    pipeline_record_field(rec, "map", i, "pin", pin, sizeof(pin)) ||
		    pipeline_record_field(rec, "map", i, "id", val, sizeof(val)) ||
		    pipeline_parse_u32(val, &id))
			continue;
		if (!json) {
			printf(" %s", name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, pin);
		printf("%s{\"name\": ", shown++ ? ", " : "");
		json_str(name);
		printf(", \"pin\": ");
		json_str(path);
		printf(", \"id\": %u}", id);
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
	json_str(ifname);
	printf(", \"error\": ");
	json_str(what);
	printf("}");
}

static void print_head(struct status_ctx *c, const char *ifname, const char *rec,
		       bool present, const struct nic_xdp *cur, uint32_t rec_id)
{
	static const char *const keys[] = { "prog", "mode", "backend", "time" };
	char v[4][80], dir[4096], desc[64];
	bool matches = present && cur->prog_id == rec_id;
	bool first = !c->printed++;

	for (size_t k = 0; k < 4; k++)
		if (state_record_get(rec, keys[k], v[k], sizeof(v[k])))
			snprintf(v[k], sizeof(v[k]), "?");
	if (!c->json) {
		printf("%s: %s id %u, %s mode, %s backend, attached %s\n", ifname, v[0], rec_id,
		       v[1], v[2], v[3]);
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
	json_str(ifname);
	printf(", \"state_dir\": ");
	json_str(dir);
	printf(", \"present\": %s, \"kernel\": ", present ? "true" : "false");
	if (present && cur->prog_id)
		printf("{\"prog_id\": %u, \"mode\": \"%s\"}", cur->prog_id,
		       nic_mode_name(cur->mode));
	else
		printf("null");
	printf(", \"prog_id\": %u, \"matches\": %s", rec_id, matches ? "true" : "false");
	for (size_t k = 0; k < 4; k++) {
		printf(", \"%s\": ", keys[k]);
		json_str(v[k]);
	}
}

static int show_iface(const char *ifname, void *arg)
{
	struct status_ctx *c = arg;
	char *rec = NULL, val[32];
	uint32_t rec_id, nr_slots, counters;
	struct nic_xdp cur = { 0 };
	bool present = if_nametoindex(ifname) != 0;
	int stats_fd = -1, ncpu = 0, err;

	err = state_record_read(ifname, &rec);
	if (err) {
		print_error(c, ifname, err, err == -ENOENT ? "no pipeline recorded"
							   : "unreadable record");
		return 0;
	}
	if (state_record_get(rec, "prog_id", val, sizeof(val)) ||
	    pipeline_parse_u32(val, &rec_id) ||
	    state_record_get(rec, "slots", val, sizeof(val)) ||
	    pipeline_parse_u32(val, &nr_slots) || nr_slots > ROOTLET_MAX_SLOTS ||
	    state_record_get(rec, "counters", val, sizeof(val)) ||
	    pipeline_parse_u32(val, &counters)) {
		pr_err("%s: the record lacks a valid prog_id, slots or counters line", ifname);
		print_error(c, ifname, -EINVAL, "malformed record");
		goto out;
	}
	if (present && nic_query(ifname, &cur))
		present = false;
	if (counters) {
		ncpu = possible_cpus();
		stats_fd = ncpu > 0 ? open_stats(ifname, rec, nr_slots) : -1;
		if (stats_fd < 0)
			pr_warn("%s: cannot read the pipeline's counters", ifname);
	}
	print_head(c, ifname, rec, present, &cur, rec_id);
	if (c->json)
		printf(", \"counters\": %s, \"slots\": [", counters ? "true" : "false");
	for (uint32_t i = 0; i < nr_slots; i++)
		print_slot(rec, i, stats_fd, ncpu, c->json, i == 0);
	if (c->json)
		printf("]");
	print_maps(ifname, rec, c->json);
	if (c->json)
		printf("}");
out:
	if (stats_fd >= 0)
		close(stats_fd);
	free(rec);
	return 0;
}

int pipeline_status(const char *ifname, bool json)
{
	struct status_ctx c = { .json = json };
	int err = 0;

	if (json)
		printf("{\"interfaces\": [");
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
