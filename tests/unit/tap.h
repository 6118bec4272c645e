/* Minimal TAP output for unit tests: ok()/not ok lines and a plan at the end. */
#ifndef XDPLD_TAP_H
#define XDPLD_TAP_H
#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_CHECK(cond, ...) do {                                           \
		int tap_ok_ = !!(cond);   /* evaluate once */               \
		tap_n++;                                                    \
		if (tap_ok_) { printf("ok %d - ", tap_n); }                 \
		else { tap_failed++; printf("not ok %d - ", tap_n); }       \
		printf(__VA_ARGS__);                                        \
		if (!tap_ok_) printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond); \
		printf("\n");                                              \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
#endif
