/* xdpld attach IFACE OBJ[:PROG]... [--mode native|skb|hw|auto]
 *       [--backend static|tailcall|freplace|auto] [--continue-on SLOT=ACTIONS]...
 *       [--no-counters] [--force] [--state-dir DIR]
 * Builds the plan from the arguments and applies it (see pipeline.h,
 * docs/pipeline.md). */
#include "cli.h"
#include "log.h"
#include "pipeline.h"
#include "plan.h"
#include "state.h"

#include <getopt.h>
#include <stdlib.h>

#define ATTACH_USAGE "usage: xdpld attach IFACE OBJ[:PROG]... [--mode native|skb|hw|auto] " \
	"[--backend static|tailcall|freplace|auto] [--continue-on SLOT=ACTIONS]... " \
	"[--no-counters] [--force] [--state-dir DIR]"

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "backend", required_argument, NULL, 'b' },
		{ "continue-on", required_argument, NULL, 'c' },
		{ "no-counters", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, 's' },
		{ 0 }
	};
	struct plan_args pa = { .mode = NIC_MODE_AUTO, .counters = true };
	char **cont = calloc((size_t)argc, sizeof(*cont));
	bool force = false;
	int c, rc = 2;

	if (!cont)
		return 1;
	pa.continue_on = cont;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (nic_mode_parse(optarg, &pa.mode)) {
				pr_err("attach: unknown --mode '%s' (native, skb, hw, auto)", optarg);
				goto out;
			}
			break;
		case 'b':
			pa.backend = optarg;
			break;
		case 'c':
			cont[pa.nr_continue_on++] = optarg;
			break;
		case 'n':
			pa.counters = false;
			break;
		case 'f':
			force = true;
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
	pa.ifname = argv[optind];
	pa.modules = argv + optind + 1;
	pa.nr_modules = (size_t)(argc - optind - 1);
	rc = pipeline_attach(&pa, force) ? 1 : 0;
out:
	free(cont);
	return rc;
}
