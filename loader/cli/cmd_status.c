/* xdpld status [IFACE] [--json | --prometheus] [--state-dir DIR]: the
 * recorded pipelines, what the kernel runs, and the per-slot counters
 * (docs/pipeline.md). */
#include "cli.h"
#include "base/log.h"
#include "pipeline/pipeline.h"

static int run_status(struct cli *c)
{
	const char *ifname;

	if (cli_parse(c) < 0 || cli_state_dir(c) < 0)
		return c->rc;
	ifname = c->nr_pos ? c->pos[0] : NULL;
	if (cli_get(c, 'j') && cli_get(c, 'P')) {
		pr_err("status: --json and --prometheus exclude each other");
		return 2;
	}
	if (cli_get(c, 'P'))
		return pipeline_metrics(ifname) ? 1 : 0;
	return pipeline_status(ifname, cli_get(c, 'j')) ? 1 : 0;
}

const struct cli_cmd cmd_status = {
	"status", "[IFACE]", "show the pipelines, program ids and slot counters", run_status,
	(const struct cli_opt[]){
		{ 'j', 0, "json", NULL, "print JSON (docs/pipeline.md)" },
		{ 'P', 0, "prometheus", NULL, "print Prometheus text format metrics" },
		CLI_OPT_STATE_DIR,
		{ 0 },
	},
};
