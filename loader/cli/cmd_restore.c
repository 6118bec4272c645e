/* xdpld restore IFACE [--force] [--state-dir DIR]: attach the pipeline
 * recorded for IFACE again after the NIC came back (hotplug; see
 * pipeline.h and docs/pipeline.md). */
#include "cli.h"
#include "pipeline/pipeline.h"

static int run_restore(struct cli *c)
{
	if (cli_parse(c) < 0 || cli_state_dir(c) < 0)
		return c->rc;
	return pipeline_restore(c->pos[0], cli_get(c, 'f')) ? 1 : 0;
}

const struct cli_cmd cmd_restore = {
	"restore", "IFACE", "attach IFACE's recorded pipeline again", run_restore,
	(const struct cli_opt[]){
		CLI_OPT_FORCE("replace an XDP program xdpld did not attach"),
		CLI_OPT_STATE_DIR,
		{ 0 },
	},
};
