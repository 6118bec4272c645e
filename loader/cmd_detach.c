/* Placeholder while the detach command is being written. */
#include "cli.h"
#include "log.h"

int cmd_detach(int argc, char **argv)
{
	(void)argc; (void)argv;
	pr_err("detach: not implemented yet");
	return 1;
}
