/* xdpld status [IFACE] [--json] [--state-dir DIR]: the recorded pipelines,
 * what the kernel runs, and the per-slot counters (docs/pipeline.md). */
#include "cli.h"
#include "log.h"
#include "pipeline.h"
#include "state.h"

#include <getopt.h>

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "state-dir", required_argument, NULL, 's' },
		{ 0 }
	};
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c != 's' || state_set_root(optarg))
			return 2;
	}
	if (argc - optind > 1) {
		pr_err("status: usage: xdpld status [IFACE] [--json] [--state-dir DIR]");
		return 2;
	}
	return pipeline_status(optind < argc ? argv[optind] : NULL, json) ? 1 : 0;
}
