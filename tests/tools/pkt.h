/* Shared by the packet test tools: reading packet files and Internet
 * checksums.  Header-only: each tool is a single .c file. */
#ifndef XDPLD_TEST_PKT_H
#define XDPLD_TEST_PKT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PKT_MAX 2048

/* Ones-complement sum of len bytes as big-endian 16-bit words, added to sum. */
static inline uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* Folds sum to 16 bits and complements it: the value to store (host order). */
static inline uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of the TCP/UDP/ICMPv6 pseudo header (addr_len 4 or 16). */
static inline uint32_t pkt_pseudo_sum(const uint8_t *src, const uint8_t *dst, size_t addr_len,
				      uint8_t proto, uint32_t l4_len)
{
	uint8_t tail[8] = { l4_len >> 24, l4_len >> 16, l4_len >> 8, l4_len, 0, 0, 0, proto };
	uint32_t sum = 0;

	sum = pkt_csum_add(sum, src, addr_len);
	sum = pkt_csum_add(sum, dst, addr_len);
	if (addr_len == 4) {	/* zero, proto, 16-bit length */
		tail[4] = 0;
		tail[5] = proto;
		tail[6] = l4_len >> 8;
		tail[7] = l4_len;
		return pkt_csum_add(sum, tail + 4, 4);
	}
	return pkt_csum_add(sum, tail, 8);
}

/* Reads a whole packet file into buf; returns its length or -errno. */
static inline int pkt_read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	int err = 0;

	if (!f)
		return -errno;
	n = fread(buf, 1, cap, f);
	if (ferror(f))
		err = -EIO;
	else if (!feof(f) && fgetc(f) != EOF)
		err = -EFBIG;
	fclose(f);
	return err ? err : (int)n;
}

/* Basename without the directory and a trailing ".pkt". */
static inline void pkt_name(const char *path, char *out, size_t cap)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".pkt"))
		n -= 4;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, base, n);
	out[n] = '\0';
}

/* FNV-1a, 32 bits: the output hash progrun prints. */
static inline uint32_t pkt_fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

#endif
