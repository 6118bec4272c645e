/* xdpld relink IFACE SLOT|MODULE OBJ[:PROG] [--reset-state] [--state-dir DIR]
 * Replaces the module of one slot of a running pipeline; with the tailcall
 * and freplace backends the rootlet keeps running (see docs/pipeline.md). */
#include "cli.h"
#include "log.h"
#include "pipeline.h"
#include "state.h"

#include <getopt.h>
#include <stdbool.h>

int cmd_relink(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reset-state", no_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 's' },
		{ 0 }
	};
	bool reset = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			reset = true;
		else if (c != 's' || state_set_root(optarg))
			return 2;
	}
	if (argc - optind != 3) {
		pr_err("relink: usage: xdpld relink IFACE SLOT|MODULE OBJ[:PROG] [--reset-state] "
		       "[--state-dir DIR]");
		return 2;
	}
	return pipeline_relink(argv[optind], argv[optind + 1], argv[optind + 2], reset) ? 1 : 0;
}
