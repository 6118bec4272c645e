/* Shared by cmd_verify.c and cmd_run.c (see load_cli.h). */
#include "load_cli.h"
#include "log.h"
#include "obj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int load_cli_add_set(struct load_cli *lc, char *arg)
{
	char **n = realloc(lc->sets, (lc->nr_sets + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	lc->sets = n;
	lc->sets[lc->nr_sets++] = arg;
	return 0;
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
