/* nowns: prints CLOCK_MONOTONIC in nanoseconds (busybox date has no %N).
 * Built static with musl for the bench's VM part (bench/vm/). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}
