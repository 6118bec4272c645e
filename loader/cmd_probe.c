/* xdpld probe [--json]: which rootlet backends the running kernel supports,
 * from test loads (probe_backend), and the one attach would pick. */
#include "json.h"
#include "cli.h"
#include "log.h"
#include "probe.h"
#include "rootlet.h"

#include <getopt.h>
#include <stdio.h>

#define NR_BACKENDS 3


int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	char why[NR_BACKENDS][256];
	int res[NR_BACKENDS], c, failed = 0;
	bool json = false;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return 2;
		json = true;
	}
	if (optind < argc) {
		pr_err("probe: usage: xdpld probe [--json]");
		return 2;
	}
	for (int b = 0; b < NR_BACKENDS; b++) {
		res[b] = probe_backend((enum rootlet_backend)b, why[b], sizeof(why[b]));
		if (res[b] < 0) {
			pr_err("probe: %s backend: %s", rootlet_backend_name((enum rootlet_backend)b),
			       why[b]);
			failed = 1;
		}
	}
	if (failed)
		return 1;
	const char *best = rootlet_backend_name(probe_best_backend());

	if (json)
		printf("{\"backends\": {");
	for (int b = 0; b < NR_BACKENDS; b++) {
		const char *name = rootlet_backend_name((enum rootlet_backend)b);

		if (!json) {
			printf("%-10s%s%s%s\n", name, res[b] ? "yes" : "no ", res[b] ? "" : "  ", why[b]);
			continue;
		}
		printf("%s\"%s\": {\"supported\": %s", b ? ", " : "", name, res[b] ? "true" : "false");
		if (!res[b]) {
			printf(", \"why\": ");
			json_str(stdout, why[b]);
		}
		putchar('}');
	}
	if (json)
		printf("}, \"auto\": \"%s\"}\n", best);
	else
		printf("%-10s%s\n", "auto", best);
	return 0;
}
