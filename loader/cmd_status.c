/* Placeholder while the status command is being written. */
#include "cli.h"
#include "log.h"

int cmd_status(int argc, char **argv)
{
	(void)argc; (void)argv;
	pr_err("status: not implemented yet");
	return 1;
}
