/* Placeholder while the link command is being written. */
#include "cli.h"
#include "log.h"

int cmd_link(int argc, char **argv)
{
	(void)argc; (void)argv;
	pr_err("link: not implemented yet");
	return 1;
}
