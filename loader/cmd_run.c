/* Placeholder while the run command is being written. */
#include "cli.h"
#include "log.h"

int cmd_run(int argc, char **argv)
{
	(void)argc; (void)argv;
	pr_err("run: not implemented yet");
	return 1;
}
