#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

static enum log_level max_level = LOG_LVL_INFO;
static int use_syslog;

void log_init(const char *ident)
{
	use_syslog = !isatty(STDERR_FILENO);
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void log_set_level(enum log_level max) { max_level = max; }
enum log_level log_get_level(void) { return max_level; }

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error: ", "warning: ", "", "" };
	va_list ap;

	if (lvl > max_level)
		return;
	va_start(ap, fmt);
	fputs("xdpld: ", stderr);
	fputs(tag[lvl], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (use_syslog && lvl <= LOG_LVL_WARN) {
		va_start(ap, fmt);
		vsyslog(prio[lvl], fmt, ap);
		va_end(ap);
	}
}
