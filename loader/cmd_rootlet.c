/* Placeholder while the rootlet command is being written. */
#include "cli.h"
#include "log.h"

int cmd_rootlet(int argc, char **argv)
{
	(void)argc; (void)argv;
	pr_err("rootlet: not implemented yet");
	return 1;
}
