/* xdpld: command line entry point.  Global options come before the command:
 *   xdpld [-v|-q] [--kernel-btf FILE] COMMAND [ARGS...]                     */
#include "cli.h"
#include "base/fdcheck.h"
#include "base/log.h"
#include "kernel/load.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cli_cmd *const commands[] = {
	&cmd_link, &cmd_inspect, &cmd_verify, &cmd_run, &cmd_rootlet, &cmd_attach, &cmd_check,
	&cmd_apply, &cmd_relink, &cmd_detach, &cmd_status, &cmd_restore, &cmd_probe, &cmd_core,
	&cmd_btfgen,
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fputs("usage: xdpld [-v|-q] [--kernel-btf FILE] COMMAND [ARGS...]\n\n"
	      "  -v, --verbose        say more (what is renamed, loader details)\n"
	      "  -q, --quiet          only warnings and errors\n"
	      "  --kernel-btf FILE    target BTF for CO-RE relocations: a BTF file or a\n"
	      "                       directory like /sys/kernel/btf (the default; without\n"
	      "                       it " XDPLD_BTF_DIR "/RELEASE.btf)\n"
	      "\ncommands:\n", f);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-9s%s\n", commands[i]->name, commands[i]->summary);
	fputs("\n'xdpld COMMAND --help' or 'xdpld help COMMAND' shows its options.\n", f);
}

static const struct cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	pr_err("unknown command '%s'", name);
	usage(stderr);
	return NULL;
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
	const struct cli_cmd *cmd;
	int i = 1;

	keep_std_fds_open();
	log_init("xdpld");
	fdcheck_begin();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			log_set_level(LOG_LVL_DEBUG);
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			log_set_level(LOG_LVL_WARN);
		} else if (!strcmp(argv[i], "--kernel-btf") || !strncmp(argv[i], "--kernel-btf=", 13)) {
			const char *path = argv[i][12] ? argv[i] + 13 : i + 1 < argc ? argv[++i] : NULL;

			if (!path || !*path) {
				pr_err("option '--kernel-btf' needs a FILE");
				usage(stderr);
				return 2;
			}
			load_set_kernel_btf(path);
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
	if (!strcmp(argv[i], "help")) {	/* xdpld help [COMMAND] */
		if (i + 1 >= argc) {
			usage(stdout);
			return 0;
		}
		cmd = find_command(argv[i + 1]);
		if (cmd)
			cli_usage(cmd, stdout, 1);
		return cmd ? 0 : 2;
	}
	cmd = find_command(argv[i]);
	if (!cmd)
		return 2;
	return fdcheck_end(cli_run(cmd, argc - i, argv + i));
}
