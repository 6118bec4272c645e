#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

static enum log_level max_level = LOG_LVL_INFO;
static int use_syslog;
static int syslog_fd = -1;
static const char *syslog_ident = "xdpld";
static int capturing;
static char *capture_buf;
static size_t capture_len;
static char *keep_first, *keep_marked;
static size_t keep_len;
static const char *keep_mark;

void log_init(const char *ident)
{
	use_syslog = !isatty(STDERR_FILENO);
	syslog_ident = ident;
}

void log_close(void)
{
	if (syslog_fd >= 0)
		close(syslog_fd);
	syslog_fd = -1;
}

/* One datagram to /dev/log, "<PRI>ident[pid]: text", as libc's syslog()
 * sends it but without the timestamp, which every syslog daemon (busybox,
 * OpenWrt's logd, rsyslog, journald) adds on receipt.  Not musl's
 * syslog(): its timestamp pulls strftime and the time-zone code into the
 * static binary, about 6 KB.  Best effort: no daemon, no message. */
static void syslog_send(int prio, const char *fmt, va_list ap)
{
	static const struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "<%d>%s[%d]: ", LOG_DAEMON | prio, syslog_ident,
			 (int)getpid());

	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if (syslog_fd < 0) {
		syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (syslog_fd >= 0 && connect(syslog_fd, (const struct sockaddr *)&addr,
					      sizeof(addr))) {
			log_close();
			return;
		}
	}
	if (syslog_fd >= 0)
		send(syslog_fd, buf, strlen(buf), MSG_NOSIGNAL);
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

void log_keep_errors(char *first, char *marked, size_t len, const char *mark)
{
	keep_first = first;
	keep_marked = marked;
	keep_len = first && marked ? len : 0;
	keep_mark = mark;
	if (keep_len)
		first[0] = marked[0] = '\0';
}

/* An error for log_keep_errors: the first one, and the first naming mark. */
static void keep_error(const char *fmt, va_list ap)
{
	char buf[1024];

	if (keep_first[0] && (keep_marked[0] || !keep_mark))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!keep_first[0])
		snprintf(keep_first, keep_len, "%s", buf);
	if (!keep_marked[0] && keep_mark && strstr(buf, keep_mark))
		snprintf(keep_marked, keep_len, "%s", buf);
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
	} else if (lvl == LOG_LVL_ERR && keep_len) {
		va_start(ap, fmt);
		keep_error(fmt, ap);
		va_end(ap);
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
		syslog_send(prio[lvl], fmt, ap);
		va_end(ap);
	}
}
