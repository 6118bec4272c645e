/* xdpld: command line entry point.  Global options come before the command:
 *   xdpld [-v|-q] COMMAND [ARGS...]                                         */
#include "cli.h"
#include "fdcheck.h"
#include "log.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "link", cmd_link,
	  "link -o OUT.o IN.o... [--rename [OBJ:]OLD=NEW]... [--prefix OBJ=PFX]...\n"
	  "        [--no-rename] [--partial] [--map-file FILE]" },
	{ "inspect", cmd_inspect, "inspect OBJ [--json] [--rewrite OUT.o]" },
	{ "verify", cmd_verify, "verify OBJ... [--json] [--pin-root DIR] [--set VAR=VALUE]... [--no-btf|--btf-optional]" },
	{ "run", cmd_run, "run OBJ PROG PKTFILE... [--repeat N] [--pin-root DIR] [--set VAR=VALUE]... [--no-btf|--btf-optional]" },
	{ "rootlet", cmd_rootlet, "rootlet -o OUT.o --slots N [--backend static|tailcall|freplace]\n"
	  "        [--continue-on SLOT|all=ACTIONS]... [--no-counters] [--be]\n"
	  "  xdpld rootlet --show-runcfg OBJ:PROG" },
	{ "attach", cmd_attach, "attach IFACE OBJ[:PROG]... [--mode M] [--backend B] [--continue-on SLOT=ACTIONS]...\n"
	  "        [--no-counters] [--force] [--state-dir DIR]" },
	{ "check", cmd_check, "check [-c FILE] [--state-dir DIR]" },
	{ "apply", cmd_apply, "apply [-c FILE] [--dry-run] [--device DEV] [--reset-state] [--force] [--state-dir DIR]" },
	{ "relink", cmd_relink, "relink IFACE SLOT|MODULE OBJ[:PROG] [--reset-state] [--state-dir DIR]" },
	{ "detach", cmd_detach, "detach IFACE [--force] [--state-dir DIR]" },
	{ "status", cmd_status, "status [IFACE] [--json] [--state-dir DIR]" },
	{ "restore", cmd_restore, "restore IFACE [--force] [--state-dir DIR]" },
	{ "probe", cmd_probe, "probe [--json]" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: xdpld [-v|-q] COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  xdpld %s\n", commands[i].usage);
}

/* procd and hotplug may start us with stdin (or more) closed; the kernel
 * could then hand out fd 0 for a BTF or map, and bpf(2) treats 0 as "none"
 * in some fields.  Keep 0-2 taken. */
static void keep_std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			return;
}

int main(int argc, char **argv)
{
	int i = 1;

	keep_std_fds_open();
	log_init("xdpld");
	fdcheck_begin();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			log_set_level(LOG_LVL_DEBUG);
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			log_set_level(LOG_LVL_WARN);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			pr_err("unknown option '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return fdcheck_end(commands[c].run(argc - i, argv + i));
	pr_err("unknown command '%s'", argv[i]);
	usage(stderr);
	return 2;
}
