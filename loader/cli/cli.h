/* The commands of xdpld (one struct cli_cmd each, see cli_opts.h); main.c
 * lists them. */
#ifndef XDPLD_CLI_H
#define XDPLD_CLI_H

#include "cli_opts.h"
#include "pipeline/plan.h"
#include "pipeline/state.h"

extern const struct cli_cmd cmd_link, cmd_inspect, cmd_verify, cmd_run, cmd_rootlet,
	cmd_attach, cmd_check, cmd_apply, cmd_relink, cmd_detach, cmd_status, cmd_restore,
	cmd_probe, cmd_core, cmd_btfgen;

/* Table lines more than one command has. */
#define CLI_OPT_STATE_DIR \
	{ 'S', 0, "state-dir", "DIR", "state directory (default " STATE_DEFAULT_ROOT ")" }
#define CLI_OPT_JSON		{ 'j', 0, "json", NULL, "print JSON" }
#define CLI_OPT_FORCE(what)	{ 'f', 0, "force", NULL, what }
#define CLI_OPT_NO_COUNTERS \
	{ 'n', 0, "no-counters", NULL, "no per-slot verdict counters" }
#define CLI_OPT_TYPE \
	{ 'T', 0, "type", "TYPE", "legacy program sections load as TYPE (xdp)" }
/* attach's and relink's naming options, as link's with MODULE for OBJ. */
#define CLI_OPT_NAMING \
	{ 'R', CLI_MULTI, "rename", "[MODULE:]OLD=NEW", "rename OLD (of MODULE only) to NEW" }, \
	{ 'X', CLI_MULTI, "prefix", "MODULE=PFX", "prefix of MODULE's renamed names" }, \
	{ 'U', 0, "no-rename", NULL, "a name two modules define is an error" }, \
	CLI_OPT_TYPE

/* Takes one of CLI_OPT_NAMING into na, whose renames and prefixes point to
 * arrays of argc entries (ren, pfx): whether id was one of them. */
static inline bool cli_naming_option(struct plan_naming_args *na, char **ren, char **pfx,
				     int id, char *arg)
{
	switch (id) {
	case 'R': ren[na->nr_renames++] = arg; break;
	case 'X': pfx[na->nr_prefixes++] = arg; break;
	case 'U': na->no_rename = true; break;
	case 'T': na->type = arg; break;
	default: return false;
	}
	return true;
}

/* Applies CLI_OPT_STATE_DIR once the options are parsed: 0, or -1 with
 * c->rc 2 (a usage error). */
static inline int cli_state_dir(struct cli *c)
{
	const char *dir = cli_get(c, 'S');

	if (dir && state_set_root(dir)) {
		c->rc = 2;
		return -1;
	}
	return 0;
}

#endif
