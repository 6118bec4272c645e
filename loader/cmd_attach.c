/* Placeholder while the attach command is being written. */
#include "cli.h"
#include "log.h"

int cmd_attach(int argc, char **argv)
{
	(void)argc; (void)argv;
	pr_err("attach: not implemented yet");
	return 1;
}
