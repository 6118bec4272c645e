/* Shared by cmd_verify.c and cmd_run.c (see load_cli.h). */
#include "load_cli.h"
#include "cli_opts.h"
#include "base/log.h"
#include "elf/obj.h"
#include "kernel/prog_type.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int load_cli_option(struct load_cli *lc, int id, char *arg)
{
	char **n;

	switch (id) {
	case 'p': lc->opts.pin_root = arg; break;
	case 'N': lc->opts.no_btf = true; break;
	case 'B': lc->opts.btf_optional = true; break;
	case 'C': lc->opts.kconfig_path = arg; break;
	case 'T':
		lc->type = arg;
		return prog_type_check("--type", arg);
	case 's':
		n = realloc(lc->sets, (lc->nr_sets + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		lc->sets = n;
		lc->sets[lc->nr_sets++] = arg;
		break;
	}
	return 0;
}

int load_cli_next(struct load_cli *lc, struct cli *c)
{
	int opt, err;

	while ((opt = cli_next(c)) > 0) {
		if (!strchr("psNBCT", opt))
			return opt;
		err = load_cli_option(lc, opt, c->arg);
		if (err) {
			c->rc = err == -EINVAL ? 2 : 1;
			return -1;
		}
	}
	return opt;
}

static int parse_sets(struct load_cli *lc)
{
	lc->ov = calloc(lc->nr_sets + 1, sizeof(*lc->ov));
	lc->vals = calloc(lc->nr_sets + 1, sizeof(*lc->vals));
	if (!lc->ov || !lc->vals)
		return -ENOMEM;
	for (size_t i = 0; i < lc->nr_sets; i++) {
		int err = load_parse_rodata_set(lc->obj, lc->sets[i], &lc->ov[i], &lc->vals[i]);

		if (err)
			return err;
		lc->nr_ov++;
	}
	lc->opts.rodata = lc->ov;
	lc->opts.nr_rodata = lc->nr_ov;
	return 0;
}

/* lc->only's program and what it uses, as libbpf loads one program of an
 * object; a program that is not there is left for the caller to report. */
static int keep_only(const struct load_cli *lc, struct obj *o)
{
	for (uint32_t i = 1; lc->only && i < o->nr_syms; i++) {
		const struct obj_sym *s = &o->syms[i];

		if (s->type == STT_FUNC && s->sec != OBJ_SEC_UNDEF && s->sec < o->nr_secs &&
		    obj_sec_is_prog(o, s->sec) && !obj_sec_is_text(o, s->sec) &&
		    !strcmp(s->name, lc->only))
			return obj_keep_program(o, i, NULL);
	}
	return 0;
}

int load_cli_open(struct load_cli *lc, char *const *paths, size_t nr)
{
	static const struct link_opts lopts;
	int err;

	lc->inputs = calloc(nr, sizeof(*lc->inputs));
	if (!lc->inputs)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		err = obj_read_file(paths[i], &lc->inputs[i]);
		if (err)
			return err;
		lc->nr_inputs++;
		if (nr == 1 && (err = keep_only(lc, lc->inputs[i])))
			return err;
		if (lc->type && (err = obj_retype_programs(lc->inputs[i], lc->type, NULL)))
			return err;
	}
	if (nr == 1) {
		lc->obj = lc->inputs[0];
	} else {
		err = link_objects(lc->inputs, nr, &lopts, &lc->linked);
		if (err)
			return err;
		lc->obj = lc->linked.out;
	}
	return parse_sets(lc);
}

void load_cli_free(struct load_cli *lc)
{
	for (size_t i = 0; i < lc->nr_inputs; i++)
		obj_free(lc->inputs[i]);
	free(lc->inputs);
	if (lc->linked.out)
		link_result_free(&lc->linked);
	for (size_t i = 0; i < lc->nr_ov; i++)
		free(lc->vals[i]);
	free(lc->vals);
	free(lc->ov);
	free(lc->sets);
	memset(lc, 0, sizeof(*lc));
}
