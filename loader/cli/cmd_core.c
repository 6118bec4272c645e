/* xdpld core OBJ... [--btf FILE] [--json]
 *
 * The prepare step alone: resolves every CO-RE relocation and extern
 * (__kconfig, __ksym, kfunc) of each object as the loader would
 * (load_prepare), creating no map, program or BTF object, and prints each
 * decision: the function and section, the instruction (in the function,
 * as libbpf counts), the kind, the local type and access spec, the target
 * (vmlinux or a module, "missing" when no type matched) with its type id
 * and spec, and the value patched in (or "poisoned").  With --btf FILE
 * (a BTF file or a directory like /sys/kernel/btf) it needs no root.
 * Several objects are resolved one by one, each with its own candidate
 * cache (as separate loads would be). */
#include "base/json.h"
#include "base/log.h"
#include "cli.h"
#include "core/core.h"
#include "elf/obj.h"
#include "kernel/load.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char *result(const struct load_core_rec *r)
{
	return r->d.poison ? "poisoned" : "patched";
}

static void print_text(const char *path, const struct load_prep *p)
{
	for (size_t i = 0; i < p->nr_core; i++) {
		const struct load_core_rec *r = &p->core[i];
		const struct core_decision *d = &r->d;

		printf("%s: %s (%s) relo #%u insn #%u: %s %s \"%s\" -> ", path, r->func, r->sec,
		       r->relo, d->insn_idx, core_kind_name(d->kind), d->local_name, d->access);
		if (d->kind == CORE_TYPE_ID_LOCAL)
			printf("local");
		else if (!r->target[0])
			printf("missing");
		else
			printf("%s %s", r->target, d->target_spec);	/* the spec starts "[ID]" */
		if (d->poison)
			printf(": poisoned\n");
		else
			printf(": %" PRIu64 "\n", d->new_val);
	}
	for (size_t i = 0; i < p->nr_exts; i++) {
		const struct load_extern_rec *e = &p->exts[i];

		printf("%s: extern %s (%s%s): ", path, e->name, e->kind, e->weak ? ", weak" : "");
		if (!e->resolved)
			printf("missing\n");
		else if (e->target)
			printf("%s [%u]\n", e->target, e->btf_id);
		else
			printf("%" PRIu64 "\n", e->value);
	}
}

static void print_json(const char *path, const struct load_prep *p, bool first)
{
	printf("%s{\"object\":", first ? "" : ",");
	json_str(stdout, path);
	printf(",\"relocations\":[");
	for (size_t i = 0; i < p->nr_core; i++) {
		const struct load_core_rec *r = &p->core[i];
		const struct core_decision *d = &r->d;

		printf("%s{\"program\":", i ? "," : "");
		json_str(stdout, r->func);
		printf(",\"section\":");
		json_str(stdout, r->sec);
		printf(",\"relo\":%u,\"insn\":%u,\"kind\":\"%s\",\"local_type\":", r->relo, d->insn_idx,
		       core_kind_name(d->kind));
		json_str(stdout, d->local_name);
		printf(",\"local_id\":%u,\"access\":", d->local_id);
		json_str(stdout, d->access);
		printf(",\"local_spec\":");
		json_str(stdout, d->local_spec);
		printf(",\"target\":");
		if (r->target[0]) {
			json_str(stdout, r->target);
			printf(",\"target_id\":%u,\"target_spec\":", d->target_id);
			json_str(stdout, d->target_spec);
		} else {
			printf("null,\"target_id\":null,\"target_spec\":null");
		}
		printf(",\"candidates\":%u,\"matched\":%u,\"orig_value\":%" PRIu64 ",\"value\":",
		       d->nr_cands, d->nr_matched, d->orig_val);
		if (d->poison)
			printf("null");
		else
			printf("%" PRIu64, d->new_val);
		printf(",\"result\":\"%s\"}", result(r));
	}
	printf("],\"externs\":[");
	for (size_t i = 0; i < p->nr_exts; i++) {
		const struct load_extern_rec *e = &p->exts[i];

		printf("%s{\"name\":", i ? "," : "");
		json_str(stdout, e->name);
		printf(",\"kind\":\"%s\",\"weak\":%s,\"resolved\":%s,\"target\":", e->kind,
		       e->weak ? "true" : "false", e->resolved ? "true" : "false");
		if (e->target)
			json_str(stdout, e->target);
		else
			printf("null");
		printf(",\"btf_id\":%u,\"value\":%" PRIu64 "}", e->btf_id, e->value);
	}
	printf("]}");
}

static int run_core(struct cli *c)
{
	struct load_opts opts = { 0 };
	struct load_prep **preps = NULL;
	struct obj **objs = NULL;
	bool json = false;
	int opt, ret = 1;
	size_t n;

	while ((opt = cli_next(c)) > 0) {
		if (opt == 'j')
			json = true;
		else if (opt == 'b')
			opts.kernel_btf_path = c->arg;
	}
	if (opt < 0)
		return c->rc;
	n = (size_t)c->nr_pos;
	objs = calloc(n, sizeof(*objs));
	preps = calloc(n, sizeof(*preps));
	if (!objs || !preps) {
		pr_err("out of memory");
		goto out;
	}
	/* Everything is resolved before anything is printed: no half output. */
	for (size_t i = 0; i < n; i++)
		if (obj_read_file(c->pos[i], &objs[i]) || load_prepare(objs[i], &opts, &preps[i]))
			goto out;
	if (json)
		printf("{\"objects\":[");
	for (size_t i = 0; i < n; i++) {
		if (json)
			print_json(objs[i]->path, preps[i], !i);
		else
			print_text(objs[i]->path, preps[i]);
	}
	if (json)
		printf("]}\n");
	ret = 0;
out:
	for (size_t i = 0; i < n && preps; i++)
		load_prep_free(preps[i]);
	for (size_t i = 0; i < n && objs; i++)
		obj_free(objs[i]);
	free(preps);
	free(objs);
	return ret;
}

const struct cli_cmd cmd_core = {
	"core", "OBJ...", "resolve CO-RE relocations and externs, create nothing", run_core,
	(const struct cli_opt[]){
		{ 'b', 0, "btf", "FILE", "target BTF: a file or a directory like /sys/kernel/btf" },
		CLI_OPT_JSON,
		{ 0 },
	},
};
