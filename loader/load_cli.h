/* What `xdpld verify` and `xdpld run` share: open one object or link
 * several into one, and collect --set VAR=VALUE overrides for .rodata. */
#ifndef XDPLD_LOAD_CLI_H
#define XDPLD_LOAD_CLI_H

#include "load.h"
#include "link.h"

struct load_cli {
	struct obj **inputs;
	size_t nr_inputs;
	struct link_result linked;
	struct obj *obj;	/* the object to load (an input or the link output) */
	char **sets;		/* raw --set arguments */
	size_t nr_sets;
	struct load_rodata_override *ov;
	void **vals;
	size_t nr_ov;
	struct load_opts opts;
};

int load_cli_add_set(struct load_cli *lc, char *arg);
/* Read the paths, link them when there are several, parse the --set
 * arguments against the result and fill lc->opts. */
int load_cli_open(struct load_cli *lc, char *const *paths, size_t nr);
void load_cli_free(struct load_cli *lc);

#endif
