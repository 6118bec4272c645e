/* Whether a kprobe can be put on a kernel function, the way libbpf finds
 * out for LINUX_HAS_SYSCALL_WRAPPER (see probe.h). */
#include "probe.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KPROBE_PMU_TYPE "/sys/bus/event_source/devices/kprobe/type"

static int kprobe_pmu_type(void)
{
	FILE *f = fopen(KPROBE_PMU_TYPE, "re");
	int type = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	return type;
}

static bool in_kallsyms(const char *func)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[600], name[500], type;
	unsigned long long addr;
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%llx %c %499s", &addr, &type, name) == 3 && !strcmp(name, func);
	fclose(f);
	return found;
}

bool probe_kprobe_possible(const char *func)
{
	struct perf_event_attr attr;
	int type = kprobe_pmu_type();
	long fd;

	if (type < 0) {
		/* No kprobe PMU: libbpf would add a legacy probe through
		 * tracefs, which works when tracefs offers kprobe_events and
		 * the function exists.  No kprobes at all: false. */
		if (access("/sys/kernel/tracing/kprobe_events", F_OK) &&
		    access("/sys/kernel/debug/tracing/kprobe_events", F_OK))
			return false;
		return in_kallsyms(func);
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = (uint32_t)type;
	attr.config1 = (uint64_t)(uintptr_t)func;	/* kprobe_func */
	attr.config2 = 0;				/* offset */
	fd = syscall(__NR_perf_event_open, &attr, (long)getpid(), -1L, -1L, (long)PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return false;
	close((int)fd);
	return true;
}
