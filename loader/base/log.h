/* One logging path for xdpld: stderr always, and syslog as well when stderr is
 * not a terminal (procd, hotplug), so boot-time failures reach logread. */
#ifndef XDPLD_LOG_H
#define XDPLD_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident);
/* Closes the syslog socket (opened at the first message that goes there). */
void log_close(void);
void log_set_level(enum log_level max);	/* messages above max are dropped */
enum log_level log_get_level(void);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* For probes, whose failures are answers, not errors: until
 * log_capture_end, errors and warnings are shown only as debug messages
 * (-v) and never reach syslog, and the text of the last error is kept in
 * buf (len bytes, may be NULL) so the caller can quote it.  Not nested. */
void log_capture_begin(char *buf, size_t len);
void log_capture_end(void);

/* For reports that quote an error (apply --json's msg): from here on the
 * text of the first error logged (not one a capture turned into a debug
 * message) is kept in first, and that of the first error containing mark
 * in marked (mark NULL: none); each len bytes, "" until there is one.
 * log_keep_errors(NULL, NULL, 0, NULL) stops. */
void log_keep_errors(char *first, char *marked, size_t len, const char *mark);

#define pr_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define pr_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
