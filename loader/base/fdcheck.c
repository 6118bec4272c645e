/* See fdcheck.h. */
#include "fdcheck.h"
#include "log.h"

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FDCHECK_MAX 1024

static bool enabled;
static bool open_at_start[FDCHECK_MAX];

/* Calls fn for every open descriptor but the directory's own. */
static int for_each_fd(void (*fn)(int fd, void *ctx), void *ctx)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != dirfd(d))
			fn(fd, ctx);
	}
	closedir(d);
	return 0;
}

static void mark_open(int fd, void *ctx)
{
	(void)ctx;
	if (fd >= 0 && fd < FDCHECK_MAX)
		open_at_start[fd] = true;
}

static void report_new(int fd, void *ctx)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	if (fd >= 0 && fd < FDCHECK_MAX && open_at_start[fd])
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	pr_err("fd leak check: descriptor %d (%s) is still open", fd, target);
	(*(int *)ctx)++;
}

void fdcheck_begin(void)
{
	const char *env = getenv("XDPLD_CHECK_FD_LEAKS");

	enabled = env && !strcmp(env, "1");
	if (enabled)
		for_each_fd(mark_open, NULL);
}

int fdcheck_end(int rc)
{
	int leaks = 0;

	if (!enabled)
		return rc;
	log_close();	/* the syslog socket is opened lazily and is no leak */
	for_each_fd(report_new, &leaks);
	return leaks ? 70 : rc;
}
