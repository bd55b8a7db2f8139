/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (FIPS 180-4), so bpcp's integrity check needs no crypto library. */
#ifndef BPTOOLS_SHA256_H
#define BPTOOLS_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t length;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char digest[32]);

#endif
