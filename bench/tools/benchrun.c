/* benchrun: per-packet cost of an XDP program with BPF_PROG_TEST_RUN.
 *
 *   benchrun pin PINNED_PROG REPEAT ROUNDS
 *   benchrun obj OBJ PROG REPEAT ROUNDS
 *   benchrun dispatcher DISPATCHER_OBJ NSLOTS REPEAT ROUNDS
 *
 * Runs the program REPEAT times per round on one 64-byte IPv4/UDP packet
 * (192.0.2.1 -> 198.51.100.1, port 53: every bench module passes it) and
 * prints per round "ns_per_run kernel_ns verdict": ns_per_run is this
 * thread's CPU time over the syscall divided by REPEAT (a float, and time
 * the thread spent preempted is not counted), kernel_ns the kernel's own
 * average (an integer).  The last line is "median NS".
 *
 * `pin` runs a program pinned in bpffs (the rootlet xdpld attach pinned:
 * exactly what it loaded, whatever the backend; tail calls go through its
 * pinned prog array).  `obj` loads OBJ with libbpf and runs PROG.
 * `dispatcher` loads libxdp's xdp-dispatcher.o with NSLOTS (0..10) enabled
 * empty slots: each slot is libxdp's stub, called and its magic return
 * value chained on, as libxdp configures a slot (chain_call_actions:
 * XDP_PASS and the stub's value).  Tests and bench may use libbpf: it is
 * the reference, never part of xdpld. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint8_t pkt[64];

static void make_packet(void)
{
	static const uint8_t hdr[] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,	/* eth */
		0x45, 0, 0, 50, 0, 1, 0x40, 0, 64, 17, 0, 0,			/* ipv4 */
		192, 0, 2, 1, 198, 51, 100, 1,
		0x30, 0x39, 0, 53, 0, 30, 0, 0,					/* udp */
	};
	uint32_t sum = 0;

	memcpy(pkt, hdr, sizeof(hdr));
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	pkt[24] = (uint8_t)(sum >> 8);
	pkt[25] = (uint8_t)sum;
}

static double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run(int fd, unsigned repeat, unsigned rounds)
{
	double *v = calloc(rounds, sizeof(*v));
	uint8_t out[256];

	if (!v)
		return 1;
	for (unsigned r = 0; r < rounds + 1; r++) {
		/* round 0 warms up (caches, branch predictors) with a tenth */
		unsigned rep = r ? repeat : (repeat / 10 ? repeat / 10 : 1);
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .data_out = out, .data_size_out = sizeof(out), .repeat = rep);
		double t0 = thread_ns(), t1;
		int err = bpf_prog_test_run_opts(fd, &o);

		t1 = thread_ns();
		if (err) {
			fprintf(stderr, "benchrun: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
			free(v);
			return 1;
		}
		if (r == 0)
			continue;
		v[r - 1] = (t1 - t0) / repeat;
		printf("%.3f %u %u\n", v[r - 1], o.duration, o.retval);
	}
	qsort(v, rounds, sizeof(*v), cmp_double);
	printf("median %.3f\n", rounds % 2 ? v[rounds / 2] : (v[rounds / 2 - 1] + v[rounds / 2]) / 2);
	free(v);
	return 0;
}

static struct bpf_object *open_obj(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj) {
		fprintf(stderr, "benchrun: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return obj;
}

static int only_prog(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p, *want = NULL;

	bpf_object__for_each_program(p, obj) {
		if (!strcmp(bpf_program__name(p), name))
			want = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!want) {
		fprintf(stderr, "benchrun: no program %s\n", name);
		exit(1);
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "benchrun: load: %s\n", strerror(errno));
		exit(1);
	}
	return bpf_program__fd(want);
}

/* libxdp's struct xdp_dispatcher_config (version 2), .rodata offset 0. */
struct disp_conf {
	uint8_t magic, version, num_progs_enabled, is_xdp_frags;
	uint32_t chain_call_actions[10], run_prios[10], program_flags[10];
};

static int dispatcher(const char *path, unsigned nslots)
{
	struct bpf_object *obj = open_obj(path);
	struct bpf_map *m, *ro = NULL;
	struct disp_conf c = { .magic = 236, .version = 2, .num_progs_enabled = (uint8_t)nslots };

	bpf_object__for_each_map(m, obj)
		if (strstr(bpf_map__name(m), ".rodata"))
			ro = m;
	if (!ro || bpf_map__value_size(ro) != sizeof(c) || nslots > 10) {
		fprintf(stderr, "benchrun: %s: not the libxdp dispatcher this tool knows\n", path);
		exit(1);
	}
	for (unsigned i = 0; i < 10; i++) {
		c.chain_call_actions[i] = 1u << XDP_PASS | 1u << 31;	/* 31: the stubs' value */
		c.run_prios[i] = 50;
	}
	if (bpf_map__set_initial_value(ro, &c, sizeof(c))) {
		fprintf(stderr, "benchrun: cannot set the dispatcher's config\n");
		exit(1);
	}
	return only_prog(obj, "xdp_dispatcher");
}

int main(int argc, char **argv)
{
	cpu_set_t cpus;
	int fd;

	make_packet();
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);	/* one CPU for every run */
	if (argc == 5 && !strcmp(argv[1], "pin")) {
		fd = bpf_obj_get(argv[2]);
		if (fd < 0) {
			fprintf(stderr, "benchrun: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		return run(fd, atoi(argv[3]), atoi(argv[4]));
	}
	if (argc == 6 && !strcmp(argv[1], "obj"))
		return run(only_prog(open_obj(argv[2]), argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc == 6 && !strcmp(argv[1], "dispatcher"))
		return run(dispatcher(argv[2], atoi(argv[3])), atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: benchrun pin PIN REPEAT ROUNDS | obj OBJ PROG REPEAT ROUNDS |"
		" dispatcher OBJ NSLOTS REPEAT ROUNDS\n");
	return 2;
}
