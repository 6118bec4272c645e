/* xdpld verify OBJ... [--json] [--pin-root DIR] [--set VAR=VALUE]...
 *              [--no-btf] [--btf-optional]
 *
 * Loads the object (several are linked first) into the kernel without
 * attaching anything, reports every program's verified instruction count
 * and every map, then releases it all.  Existing pins are checked and
 * reused, new ones are not created.  Exit 0 when everything loaded, 1 when
 * something was refused (the verifier's reason is on stderr), 2 on usage. */
#include "base/json.h"
#include "cli.h"
#include "load_cli.h"
#include "base/log.h"
#include "elf/mapdef.h"
#include "elf/obj.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *prog_type_name(uint32_t t)
{
	switch (t) {
	case BPF_PROG_TYPE_XDP: return "xdp";
	case BPF_PROG_TYPE_SCHED_CLS: return "sched_cls";
	case BPF_PROG_TYPE_SCHED_ACT: return "sched_act";
	case BPF_PROG_TYPE_SOCKET_FILTER: return "socket_filter";
	case BPF_PROG_TYPE_KPROBE: return "kprobe";
	case BPF_PROG_TYPE_TRACEPOINT: return "tracepoint";
	case BPF_PROG_TYPE_RAW_TRACEPOINT: return "raw_tracepoint";
	case BPF_PROG_TYPE_PERF_EVENT: return "perf_event";
	case BPF_PROG_TYPE_CGROUP_SKB: return "cgroup_skb";
	}
	return "unknown";
}


static void print_json(const char *path, const struct loaded_obj *lo)
{
	printf("{\"object\":");
	json_str(stdout, path);
	printf(",\"btf\":%s,\"programs\":[", lo->btf_fd >= 0 ? "true" : "false");
	for (size_t i = 0; i < lo->nr_progs; i++) {
		const struct loaded_prog *p = &lo->progs[i];

		printf("%s{\"name\":", i ? "," : "");
		json_str(stdout, p->name);
		printf(",\"section\":");
		json_str(stdout, p->sec);
		printf(",\"type\":\"%s\",\"insns\":%u,\"verified_insns\":%u,\"tag\":\"",
		       prog_type_name(p->prog_type), p->insn_cnt, p->verified_insns);
		for (size_t k = 0; k < sizeof(p->tag); k++)
			printf("%02x", p->tag[k]);
		printf("\",\"xlated_len\":%u}", p->xlated_len);
	}
	printf("],\"maps\":[");
	for (size_t i = 0; i < lo->nr_maps; i++) {
		const struct loaded_map *m = &lo->maps[i];

		printf("%s{\"name\":", i ? "," : "");
		json_str(stdout, m->name);
		printf(",\"kernel_name\":");
		json_str(stdout, m->kname);
		printf(",\"type\":\"%s\",\"key_size\":%u,\"value_size\":%u,\"max_entries\":%u,"
		       "\"flags\":%u,\"pinned\":", map_type_name(m->type), m->key_size,
		       m->value_size, m->max_entries, m->map_flags);
		if (m->reused_pin)
			json_str(stdout, m->pin_path);
		else
			printf("null");
		printf("}");
	}
	printf("]}\n");
}

static void print_text(const struct loaded_obj *lo)
{
	for (size_t i = 0; i < lo->nr_progs; i++) {
		const struct loaded_prog *p = &lo->progs[i];

		printf("program %s section %s type %s insns %u verified %u\n", p->name, p->sec,
		       prog_type_name(p->prog_type), p->insn_cnt, p->verified_insns);
	}
	for (size_t i = 0; i < lo->nr_maps; i++) {
		const struct loaded_map *m = &lo->maps[i];

		printf("map %s type %s key %u value %u max_entries %u flags 0x%x%s%s\n", m->name,
		       map_type_name(m->type), m->key_size, m->value_size, m->max_entries,
		       m->map_flags, m->reused_pin ? " pinned " : "",
		       m->reused_pin ? m->pin_path : "");
	}
}

static int run_verify(struct cli *c)
{
	struct load_cli lc = { 0 };
	struct loaded_obj *lo = NULL;
	bool json = false;
	int opt, ret = 1;

	while ((opt = load_cli_next(&lc, c)) > 0)
		json |= opt == 'j';
	if (opt < 0) {
		ret = c->rc;
		goto out;
	}
	lc.opts.no_new_pins = true;
	if (load_cli_open(&lc, c->pos, (size_t)c->nr_pos))
		goto out;
	if (load_object(lc.obj, &lc.opts, &lo))
		goto out;
	if (json)
		print_json(lc.obj->path, lo);
	else
		print_text(lo);
	ret = 0;
out:
	loaded_obj_free(lo);
	load_cli_free(&lc);
	return ret;
}

const struct cli_cmd cmd_verify = {
	"verify", "OBJ...", "load objects (several: linked) without attaching", run_verify,
	(const struct cli_opt[]){
		CLI_OPT_JSON,
		LOAD_CLI_OPTS,
		{ 0 },
	},
};
