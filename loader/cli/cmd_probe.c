/* xdpld probe [--json]: which rootlet backends the running kernel supports,
 * from test loads (probe_backend), and the one attach would pick. */
#include "base/json.h"
#include "cli.h"
#include "base/log.h"
#include "link/rootlet.h"
#include "pipeline/probe_backend.h"

#include <stdio.h>

#define NR_BACKENDS 4


static int run_probe(struct cli *c)
{
	char why[NR_BACKENDS][256];
	int res[NR_BACKENDS], failed = 0;
	bool json;

	if (cli_parse(c) < 0)
		return c->rc;
	json = cli_get(c, 'j');
	for (int b = 0; b < NR_BACKENDS; b++) {
		res[b] = probe_backend((enum rootlet_backend)b, why[b], sizeof(why[b]));
		if (res[b] < 0) {
			pr_err("probe: %s backend: %s", rootlet_backend_name((enum rootlet_backend)b),
			       why[b]);
			failed = 1;
		}
	}
	if (failed)
		return 1;
	const char *best = rootlet_backend_name(probe_best_backend());

	if (json)
		printf("{\"backends\": {");
	for (int b = 0; b < NR_BACKENDS; b++) {
		const char *name = rootlet_backend_name((enum rootlet_backend)b);

		if (!json) {
			printf("%-10s%s%s%s\n", name, res[b] ? "yes" : "no ", res[b] ? "" : "  ", why[b]);
			continue;
		}
		printf("%s\"%s\": {\"supported\": %s", b ? ", " : "", name, res[b] ? "true" : "false");
		if (!res[b]) {
			printf(", \"why\": ");
			json_str(stdout, why[b]);
		}
		putchar('}');
	}
	if (json)
		printf("}, \"auto\": \"%s\"}\n", best);
	else
		printf("%-10s%s\n", "auto", best);
	return 0;
}

const struct cli_cmd cmd_probe = {
	"probe", "", "which rootlet backends this kernel runs", run_probe,
	(const struct cli_opt[]){
		CLI_OPT_JSON,
		{ 0 },
	},
};
