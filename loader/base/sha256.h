/* SHA-256 (FIPS 180-4), to identify objects in the state record. */
#ifndef XDPLD_SHA256_H
#define XDPLD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN (2 * SHA256_LEN + 1)	/* with the NUL */

struct sha256_ctx {
	uint32_t h[8];
	uint64_t total;		/* bytes hashed so far */
	uint8_t block[64];
	size_t used;		/* bytes waiting in block */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_LEN]);

/* One-shot helpers. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);
/* Hashes a whole file; errors are logged with the path. */
int sha256_file_hex(const char *path, char out[SHA256_HEX_LEN]);

#endif
