/* xdpld restore IFACE [--force] [--state-dir DIR]: attach the pipeline
 * recorded for IFACE again after the NIC came back (hotplug; see
 * pipeline.h and docs/pipeline.md). */
#include "cli.h"
#include "log.h"
#include "pipeline.h"
#include "state.h"

#include <getopt.h>

int cmd_restore(int argc, char **argv)
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
		pr_err("restore: usage: xdpld restore IFACE [--force] [--state-dir DIR]");
		return 2;
	}
	return pipeline_restore(argv[optind], force) ? 1 : 0;
}
