#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

static enum log_level max_level = LOG_LVL_INFO;
static int use_syslog;
static int capturing;
static char *capture_buf;
static size_t capture_len;

void log_init(const char *ident)
{
	use_syslog = !isatty(STDERR_FILENO);
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void log_set_level(enum log_level max) { max_level = max; }
enum log_level log_get_level(void) { return max_level; }

void log_capture_begin(char *buf, size_t len)
{
	capturing = 1;
	capture_buf = buf;
	capture_len = buf ? len : 0;
	if (capture_len)
		buf[0] = '\0';
}

void log_capture_end(void)
{
	capturing = 0;
	capture_buf = NULL;
	capture_len = 0;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error: ", "warning: ", "", "" };
	va_list ap;

	if (capturing && lvl <= LOG_LVL_WARN) {
		if (lvl == LOG_LVL_ERR && capture_len) {
			va_start(ap, fmt);
			vsnprintf(capture_buf, capture_len, fmt, ap);
			va_end(ap);
		}
		lvl = LOG_LVL_DEBUG;
	}
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
