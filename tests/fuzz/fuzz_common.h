/* Shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * The harnesses link the loader without log.c: this log_msg formats every
 * message (so a bad format argument, e.g. a NULL or unterminated string,
 * still trips the sanitizers) and throws it away, which keeps the fuzzer's
 * output readable.  FUZZ_VERBOSE=1 prints the messages instead. */
#ifndef XDPLD_FUZZ_COMMON_H
#define XDPLD_FUZZ_COMMON_H

#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level fuzz_max_level = LOG_LVL_DEBUG;
/* Error messages since fuzz_errors_reset(), and how many named fuzz_subject. */
static unsigned fuzz_nr_errors, fuzz_nr_named;
static const char *fuzz_subject;

void log_init(const char *ident) { (void)ident; }
void log_close(void) {}
void log_set_level(enum log_level max) { fuzz_max_level = max; }
void log_capture_begin(char *buf, size_t len) { (void)buf; (void)len; }
void log_capture_end(void) {}
enum log_level log_get_level(void) { return fuzz_max_level; }

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static int verbose = -1;
	char buf[1024];
	va_list ap;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (verbose)
		fprintf(stderr, "xdpld[%d]: %s\n", (int)lvl, buf);
	if (lvl == LOG_LVL_ERR) {
		fuzz_nr_errors++;
		if (fuzz_subject && strstr(buf, fuzz_subject))
			fuzz_nr_named++;
	}
}

static inline void fuzz_errors_reset(const char *subject)
{
	fuzz_nr_errors = fuzz_nr_named = 0;
	fuzz_subject = subject;
}

/* A failure a user can cause must say so, naming the input (not for
 * ENOMEM, which libFuzzer's malloc limit can cause anywhere). */
static inline void fuzz_check_reported(int err, const char *what)
{
	if (err >= 0 || err == -ENOMEM)
		return;
	if (!fuzz_nr_errors || (fuzz_subject && !fuzz_nr_named)) {
		fprintf(stderr, "fuzz: %s failed (%d) without an error message%s%s\n", what, err,
			fuzz_subject ? " naming " : "", fuzz_subject ? fuzz_subject : "");
		abort();
	}
}

/* Keeps a bad intermediate result for a human, in $FUZZ_DUMP_DIR or ".". */
static inline void fuzz_dump(const char *name, const void *buf, size_t len)
{
	const char *dir = getenv("FUZZ_DUMP_DIR");
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", name);
	f = buf ? fopen(path, "wb") : NULL;
	if (f) {
		fwrite(buf, 1, len, f);
		fclose(f);
		fprintf(stderr, "fuzz: wrote %s\n", path);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
