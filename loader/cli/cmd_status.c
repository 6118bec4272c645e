/* xdpld status [IFACE] [--json] [--state-dir DIR]: the recorded pipelines,
 * what the kernel runs, and the per-slot counters (docs/pipeline.md). */
#include "cli.h"
#include "pipeline/pipeline.h"

static int run_status(struct cli *c)
{
	if (cli_parse(c) < 0 || cli_state_dir(c) < 0)
		return c->rc;
	return pipeline_status(c->nr_pos ? c->pos[0] : NULL, cli_get(c, 'j')) ? 1 : 0;
}

const struct cli_cmd cmd_status = {
	"status", "[IFACE]", "show the pipelines, program ids and slot counters", run_status,
	(const struct cli_opt[]){
		{ 'j', 0, "json", NULL, "print JSON (docs/pipeline.md)" },
		CLI_OPT_STATE_DIR,
		{ 0 },
	},
};
