/* xdpld attach IFACE OBJ[:PROG]... [--mode native|skb|hw|auto]
 *       [--continue-on SLOT=ACTIONS]... [--no-counters] [--force]
 *       [--state-dir DIR]
 * Builds the static pipeline of the modules in the given order and attaches
 * it (see pipeline.h, docs/pipeline.md). */
#include "cli.h"
#include "log.h"
#include "pipeline.h"
#include "state.h"

#include <getopt.h>
#include <stdlib.h>

#define ATTACH_USAGE "usage: xdpld attach IFACE OBJ[:PROG]... [--mode native|skb|hw|auto] " \
	"[--continue-on SLOT=ACTIONS]... [--no-counters] [--force] [--state-dir DIR]"

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "continue-on", required_argument, NULL, 'c' },
		{ "no-counters", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, 's' },
		{ 0 }
	};
	struct pipeline_opts po = { .mode = NIC_MODE_AUTO, .counters = true };
	char **cont = calloc((size_t)argc, sizeof(*cont));
	int c, rc = 2;

	if (!cont)
		return 1;
	po.continue_on = cont;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (nic_mode_parse(optarg, &po.mode)) {
				pr_err("attach: unknown --mode '%s' (native, skb, hw, auto)", optarg);
				goto out;
			}
			break;
		case 'c':
			cont[po.nr_continue_on++] = optarg;
			break;
		case 'n':
			po.counters = false;
			break;
		case 'f':
			po.force = true;
			break;
		case 's':
			if (state_set_root(optarg))
				goto out;
			break;
		default:
			goto out;
		}
	}
	if (argc - optind < 2) {
		pr_err("attach: " ATTACH_USAGE);
		goto out;
	}
	po.ifname = argv[optind];
	po.modules = argv + optind + 1;
	po.nr_modules = (size_t)(argc - optind - 1);
	rc = pipeline_attach(&po) ? 1 : 0;
out:
	free(cont);
	return rc;
}
