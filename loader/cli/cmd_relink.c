/* xdpld relink IFACE SLOT|MODULE OBJ[:PROG] [--reset-state] [--state-dir DIR]
 * Replaces the module of one slot of a running pipeline; with the tailcall
 * and freplace backends the rootlet keeps running (see docs/pipeline.md). */
#include "cli.h"
#include "pipeline/pipeline.h"
#include "pipeline/plan.h"

#include <stdlib.h>

static int run_relink(struct cli *c)
{
	char **ren = calloc((size_t)c->argc, sizeof(*ren));
	char **pfx = calloc((size_t)c->argc, sizeof(*pfx));
	struct plan_naming_args na = { .renames = ren, .prefixes = pfx };
	bool reset = false;
	int opt, rc = 1;

	if (!ren || !pfx)
		goto out;
	while ((opt = cli_next(c)) > 0)
		if (!cli_naming_option(&na, ren, pfx, opt, c->arg))
			reset |= opt == 'r';
	if (opt < 0 || cli_state_dir(c) < 0)
		rc = c->rc;
	else
		rc = pipeline_relink(c->pos[0], c->pos[1], c->pos[2], reset, &na) ? 1 : 0;
out:
	free(ren);
	free(pfx);
	return rc;
}

const struct cli_cmd cmd_relink = {
	"relink", "IFACE SLOT|MODULE OBJ[:PROG]", "replace one slot's module of a running pipeline",
	run_relink,
	(const struct cli_opt[]){
		{ 'r', 0, "reset-state", NULL, "the new module starts with empty maps" },
		CLI_OPT_NAMING,
		CLI_OPT_STATE_DIR,
		{ 0 },
	},
};
