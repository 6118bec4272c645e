/* xdpld detach IFACE [--force] [--state-dir DIR]: remove xdpld's pipeline
 * from IFACE and its state (see pipeline.h). */
#include "cli.h"
#include "log.h"
#include "pipeline.h"
#include "state.h"

#include <getopt.h>

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, 's' },
		{ 0 }
	};
	bool force = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c != 's' || state_set_root(optarg))
			return 2;
	}
	if (argc - optind != 1) {
		pr_err("detach: usage: xdpld detach IFACE [--force] [--state-dir DIR]");
		return 2;
	}
	return pipeline_detach(argv[optind], force) ? 1 : 0;
}
