/* What `xdpld verify` and `xdpld run` share: their loader options, opening
 * one object or linking several into one, and the --set VAR=VALUE
 * overrides for .rodata. */
#ifndef XDPLD_LOAD_CLI_H
#define XDPLD_LOAD_CLI_H

#include "kernel/load.h"
#include "link/link.h"

struct load_cli {
	struct obj **inputs;
	size_t nr_inputs;
	struct link_result linked;
	struct obj *obj;	/* the object to load (an input or the link output) */
	const char *type;	/* --type */
	/* run: the one program to load; the object's other programs (of
	 * whatever type) are left out before --type applies.  NULL: all. */
	const char *only;
	char **sets;		/* raw --set arguments */
	size_t nr_sets;
	struct load_rodata_override *ov;
	void **vals;
	size_t nr_ov;
	struct load_opts opts;
};

/* The loader's lines of verify's and run's option tables (cli_opts.h). */
#define LOAD_CLI_OPTS \
	{ 'p', 0, "pin-root", "DIR", "bpffs directory for pinned maps" }, \
	{ 's', CLI_MULTI, "set", "VAR=VALUE", "set a .rodata variable before load" }, \
	{ 'N', 0, "no-btf", NULL, "load without BTF" }, \
	{ 'B', 0, "btf-optional", NULL, "load without BTF if the kernel refuses it" }, \
	{ 'C', 0, "kconfig", "FILE", "kernel configuration for __kconfig externs" }, \
	CLI_OPT_TYPE

struct cli;
/* cli_next() for verify and run: takes LOAD_CLI_OPTS itself and returns the
 * command's other options; 0 at the end; < 0 with c->rc set after --help
 * (0), a usage error or a bad --type (2), or no memory (1). */
int load_cli_next(struct load_cli *lc, struct cli *c);
/* Read the paths, link them when there are several, parse the --set
 * arguments against the result and fill lc->opts. */
int load_cli_open(struct load_cli *lc, char *const *paths, size_t nr);
void load_cli_free(struct load_cli *lc);

#endif
