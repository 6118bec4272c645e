/* Placeholder while the verify command is being written. */
#include "cli.h"
#include "log.h"

int cmd_verify(int argc, char **argv)
{
	(void)argc; (void)argv;
	pr_err("verify: not implemented yet");
	return 1;
}
