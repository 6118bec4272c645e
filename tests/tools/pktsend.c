/* pktsend IFACE [--count N] PKTFILE...: sends each packet file N times
 * (default 1) out of IFACE through an AF_PACKET raw socket, unchanged, in
 * argument order (file 1 N times, then file 2 N times, ...).  Prints
 * "sent <total> packets on IFACE" and exits 1 if any send failed.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkt.h"

static int send_file(int fd, const struct sockaddr_ll *to, const char *path,
		     long count, long *sent)
{
	uint8_t buf[PKT_MAX];
	int len;
	long i;

	len = pkt_read_file(path, buf, sizeof(buf));
	if (len < 0) {
		fprintf(stderr, "pktsend: %s: %s\n", path, strerror(-len));
		return len;
	}
	for (i = 0; i < count; i++) {
		int tries = 0;

		/* A full device queue under a flood is back-pressure, not an
		 * error: wait a little and send the same packet again. */
		while (sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) != len) {
			if ((errno != ENOBUFS && errno != EAGAIN) || ++tries > 10000) {
				fprintf(stderr, "pktsend: %s: send: %s\n", path, strerror(errno));
				return -errno;
			}
			usleep(200);
		}
		(*sent)++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	long count = 1, sent = 0;
	const char *ifname;
	int fd, opt, i, ret = 0;
	char *end;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != 'c')
			goto usage;
		count = strtol(optarg, &end, 10);
		if (*end || count < 1) {
			fprintf(stderr, "pktsend: bad --count '%s'\n", optarg);
			return 2;
		}
	}
	if (argc - optind < 2)
		goto usage;
	ifname = argv[optind];
	to.sll_ifindex = if_nametoindex(ifname);
	if (!to.sll_ifindex) {
		fprintf(stderr, "pktsend: interface %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	/* Protocol 0: a send-only socket that receives nothing. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "pktsend: AF_PACKET socket: %s\n", strerror(errno));
		return 1;
	}
	for (i = optind + 1; i < argc && !ret; i++)
		ret = send_file(fd, &to, argv[i], count, &sent);
	close(fd);
	printf("sent %ld packets on %s\n", sent, ifname);
	return ret ? 1 : 0;

usage:
	fprintf(stderr, "usage: pktsend IFACE [--count N] PKTFILE...\n");
	return 2;
}
