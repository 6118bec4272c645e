/* xdpld detach IFACE [--force] [--state-dir DIR]: remove xdpld's pipeline
 * from IFACE and its state (see pipeline.h). */
#include "cli.h"
#include "pipeline/pipeline.h"

static int run_detach(struct cli *c)
{
	if (cli_parse(c) < 0 || cli_state_dir(c) < 0)
		return c->rc;
	return pipeline_detach(c->pos[0], cli_get(c, 'f')) ? 1 : 0;
}

const struct cli_cmd cmd_detach = {
	"detach", "IFACE", "remove xdpld's pipeline and its state from IFACE", run_detach,
	(const struct cli_opt[]){
		CLI_OPT_FORCE("detach even if IFACE runs another program"),
		CLI_OPT_STATE_DIR,
		{ 0 },
	},
};
