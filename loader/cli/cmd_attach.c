/* xdpld attach IFACE [NAME=]OBJ[:PROG]... (options: the table at the end)
 * Builds the plan from the arguments and applies it (see pipeline.h,
 * docs/pipeline.md). */
#include "cli.h"
#include "base/log.h"
#include "pipeline/pipeline.h"
#include "pipeline/plan.h"

#include <stdlib.h>

static int run_attach(struct cli *c)
{
	struct plan_args pa = { .mode = NIC_MODE_AUTO, .counters = true };
	char **cont = calloc((size_t)c->argc, sizeof(*cont));
	char **ren = calloc((size_t)c->argc, sizeof(*ren));
	char **pfx = calloc((size_t)c->argc, sizeof(*pfx));
	struct plan_naming_args *na = &pa.naming;
	bool force = false;
	int opt, rc = 1;

	if (!cont || !ren || !pfx)
		goto out;
	rc = 2;
	pa.continue_on = cont;
	na->renames = ren;
	na->prefixes = pfx;
	while ((opt = cli_next(c)) > 0) {
		switch (opt) {
		case 'm':
			if (nic_mode_parse(c->arg, &pa.mode)) {
				pr_err("attach: unknown --mode '%s' (native, skb, hw, auto)", c->arg);
				goto out;
			}
			break;
		case 'b': pa.backend = c->arg; break;
		case 'c': cont[pa.nr_continue_on++] = c->arg; break;
		case 'n': pa.counters = false; break;
		case 'L': pa.no_flatten = true; break;
		case 'f': force = true; break;
		default: cli_naming_option(na, ren, pfx, opt, c->arg);
		}
	}
	if (opt < 0 || cli_state_dir(c) < 0) {
		rc = c->rc;
		goto out;
	}
	pa.ifname = c->pos[0];
	pa.modules = c->pos + 1;
	pa.nr_modules = (size_t)(c->nr_pos - 1);
	rc = pipeline_attach(&pa, force) ? 1 : 0;
out:
	free(cont);
	free(ren);
	free(pfx);
	return rc;
}

const struct cli_cmd cmd_attach = {
	"attach", "IFACE [NAME=]OBJ[:PROG]...", "run modules in order behind a rootlet on IFACE",
	run_attach,
	(const struct cli_opt[]){
		{ 'm', 0, "mode", "native|skb|hw|auto", "XDP attach mode (default auto)" },
		{ 'b', 0, "backend", "static|tailcall|freplace|chain|auto",
		  "how slots call modules (default auto)" },
		{ 'c', CLI_MULTI, "continue-on", "SLOT=ACTIONS",
		  "verdicts that go on to the next slot" },
		CLI_OPT_NO_COUNTERS,
		{ 'L', 0, "no-flatten", NULL, "static, chain: keep modules as calls, not inlined" },
		CLI_OPT_FORCE("replace an XDP program xdpld did not attach"),
		CLI_OPT_NAMING,
		CLI_OPT_STATE_DIR,
		{ 0 },
	},
};
