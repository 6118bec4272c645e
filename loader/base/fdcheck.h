/* Debugging aid for tests: with XDPLD_CHECK_FD_LEAKS=1 in the environment,
 * main() records the open descriptors at start and fails the command
 * (exit 70) when more are open at its end, listing them. */
#ifndef XDPLD_FDCHECK_H
#define XDPLD_FDCHECK_H

void fdcheck_begin(void);
/* Returns rc, or 70 when a descriptor leaked. */
int fdcheck_end(int rc);

#endif
