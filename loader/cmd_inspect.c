/* Placeholder while the inspect command is being written. */
#include "cli.h"
#include "log.h"

int cmd_inspect(int argc, char **argv)
{
	(void)argc; (void)argv;
	pr_err("inspect: not implemented yet");
	return 1;
}
