#ifndef HASH_H
#define HASH_H

#include "strbuf.h"

/*
 * Entry hash types. Both are 32-byte SHA-256 digests; they differ in what
 * is digested and in how a manifest writes the value:
 *  sha2-256-chunked  base64 of SHA-256 over the SHA-256 of each part
 *  SHA256            lowercase hex of SHA-256 over the whole file (legacy)
 * HASH_MANIFEST names a manifest by its top hash (hex), in the store only.
 */
enum hash_type {
	HASH_SHA2_256_CHUNKED,
	HASH_SHA256,
	HASH_MANIFEST,
	HASH_TYPE_NR
};

#define HASH_RAWSZ 32
#define HASH_HEXSZ 64
#define HASH_B64SZ 44

struct object_id {
	enum hash_type type;
	unsigned char hash[HASH_RAWSZ];
};

/* "sha2-256-chunked", "SHA256", "manifest". */
const char *hash_type_name(enum hash_type type);
/* 0, or -1 when name is not a hash type quire knows (case matters). */
int hash_type_from_name(const char *name, size_t len, enum hash_type *out);

/* The value as a manifest writes it: base64 for chunked, else hex. */
void oid_add_value(struct strbuf *sb, const struct object_id *oid);
/*
 * A static buffer of this thread, good for its next three calls too (for
 * messages).
 */
const char *oid_to_value(const struct object_id *oid);
/* Lowercase hex of the digest, whatever the type. */
void oid_add_hex(struct strbuf *sb, const struct object_id *oid);
const char *oid_to_hex(const struct object_id *oid);	/* the same */

/* Parse a value in the form its type uses; 0 or -1. */
int oid_from_value(struct object_id *oid, enum hash_type type,
		   const char *value, size_t len);
/*
 * Parse a hash given on a command line: "TYPE:VALUE", or a bare value
 * (44 characters of base64 is sha2-256-chunked, 64 hex digits is
 * default_type, which is SHA256 or HASH_MANIFEST). 0 or -1.
 */
int oid_parse_arg(struct object_id *oid, const char *arg,
		  enum hash_type default_type);
int oideq(const struct object_id *a, const struct object_id *b);

/* Base64 (standard alphabet, padded) and hex. */
void base64_encode(struct strbuf *sb, const unsigned char *data, size_t len);
/* Decode exactly out_len bytes; -1 unless in is canonical base64 of them. */
int base64_decode_exact(const char *in, size_t in_len, unsigned char *out,
			size_t out_len);
int hex_decode_exact(const char *in, size_t in_len, unsigned char *out,
		     size_t out_len);

/* A SHA-256 context (OpenSSL EVP, so SHA-NI is used when present). */
struct hash_ctx {
	void *evp;	/* EVP_MD_CTX * */
};
#define HASH_CTX_INIT { NULL }
void hash_ctx_init(struct hash_ctx *ctx);
void hash_ctx_update(struct hash_ctx *ctx, const void *data, size_t len);
/* Write the digest and reset the context for reuse. */
void hash_ctx_final(struct hash_ctx *ctx, unsigned char *out);
void hash_ctx_release(struct hash_ctx *ctx);
/* One-shot SHA-256. */
void sha256_buf(const void *data, size_t len, unsigned char *out);
/* The MD5 of data in lowercase hex (what S3 gives as a plain ETag). */
void md5_hex(const void *data, size_t len, char out[33]);

#endif
