#include "quire-compat.h"
#include "hash.h"
#include <openssl/evp.h>

static const char *const type_names[HASH_TYPE_NR] = {
	"sha2-256-chunked", "SHA256", "manifest",
};

const char *hash_type_name(enum hash_type type)
{
	if ((unsigned)type >= HASH_TYPE_NR)
		BUG("bad hash type %d", type);
	return type_names[type];
}

int hash_type_from_name(const char *name, size_t len, enum hash_type *out)
{
	int i;

	for (i = 0; i < HASH_TYPE_NR; i++) {
		if (strlen(type_names[i]) == len &&
		    !memcmp(type_names[i], name, len)) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(struct strbuf *sb, const unsigned char *data, size_t len)
{
	size_t i;

	strbuf_grow(sb, (len + 2) / 3 * 4);
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];

		strbuf_addch(sb, b64[v >> 18]);
		strbuf_addch(sb, b64[(v >> 12) & 63]);
		strbuf_addch(sb, b64[(v >> 6) & 63]);
		strbuf_addch(sb, b64[v & 63]);
	}
	if (i < len) {
		unsigned v = data[i] << 16;

		if (i + 1 < len)
			v |= data[i + 1] << 8;
		strbuf_addch(sb, b64[v >> 18]);
		strbuf_addch(sb, b64[(v >> 12) & 63]);
		strbuf_addch(sb, i + 1 < len ? b64[(v >> 6) & 63] : '=');
		strbuf_addch(sb, '=');
	}
}

/*
 * The value of each base64 digit plus one (0: not a digit); a constant,
 * so that threads may decode at the same time.
 */
static const unsigned char b64_value[256] = {
	['A'] = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	18, 19, 20, 21, 22, 23, 24, 25, 26,
	['a'] = 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,
	['0'] = 53, 54, 55, 56, 57, 58, 59, 60, 61, 62,
	['+'] = 63, ['/'] = 64,
};

/*
 * Only the canonical spelling is accepted: the exact length, '=' padding
 * where it belongs, and zero bits in what the last character leaves over.
 */
int base64_decode_exact(const char *in, size_t in_len, unsigned char *out,
			size_t out_len)
{
	size_t pad = (3 - out_len % 3) % 3, data = in_len - pad, i, n = 0;
	unsigned v = 0, bits = 0;

	if (in_len != (out_len + 2) / 3 * 4)
		return -1;
	for (i = data; i < in_len; i++)
		if (in[i] != '=')
			return -1;
	for (i = 0; i < data; i++) {
		int d = b64_value[(unsigned char)in[i]] - 1;

		if (d < 0)
			return -1;
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (v >> bits) & 0xff;
		}
	}
	if (n != out_len || (v & ((1u << bits) - 1)))
		return -1;
	return 0;
}

int hex_decode_exact(const char *in, size_t in_len, unsigned char *out,
		     size_t out_len)
{
	size_t i;

	if (in_len != out_len * 2)
		return -1;
	for (i = 0; i < out_len; i++) {
		int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

void oid_add_value(struct strbuf *sb, const struct object_id *oid)
{
	if (oid->type == HASH_SHA2_256_CHUNKED)
		base64_encode(sb, oid->hash, HASH_RAWSZ);
	else
		strbuf_add_hex(sb, oid->hash, HASH_RAWSZ);
}

/*
 * Four buffers in turn, so one message may name several hashes; each
 * thread has its own, so threads never write over each other's.
 */
#define OID_BUFS 4

const char *oid_to_value(const struct object_id *oid)
{
	static __thread char bufs[OID_BUFS][HASH_HEXSZ + 1];
	static __thread int next;
	char *buf = bufs[next++ % OID_BUFS];
	struct strbuf sb = STRBUF_INIT;

	oid_add_value(&sb, oid);
	memcpy(buf, sb.buf, sb.len + 1);
	strbuf_release(&sb);
	return buf;
}

void oid_add_hex(struct strbuf *sb, const struct object_id *oid)
{
	strbuf_add_hex(sb, oid->hash, HASH_RAWSZ);
}

const char *oid_to_hex(const struct object_id *oid)
{
	static __thread char bufs[OID_BUFS][HASH_HEXSZ + 1];
	static __thread int next;
	char *buf = bufs[next++ % OID_BUFS];
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < HASH_RAWSZ; i++) {
		buf[2 * i] = hex[oid->hash[i] >> 4];
		buf[2 * i + 1] = hex[oid->hash[i] & 15];
	}
	buf[HASH_HEXSZ] = '\0';
	return buf;
}

int oid_from_value(struct object_id *oid, enum hash_type type,
		   const char *value, size_t len)
{
	int ret;

	if (type == HASH_SHA2_256_CHUNKED)
		ret = base64_decode_exact(value, len, oid->hash, HASH_RAWSZ);
	else
		ret = hex_decode_exact(value, len, oid->hash, HASH_RAWSZ);
	if (!ret)
		oid->type = type;
	return ret;
}

int oid_parse_arg(struct object_id *oid, const char *arg,
		  enum hash_type default_type)
{
	const char *colon = strchr(arg, ':');
	enum hash_type type;
	size_t len;

	if (colon) {
		if (hash_type_from_name(arg, colon - arg, &type))
			return -1;
		arg = colon + 1;
	} else {
		len = strlen(arg);
		if (len == HASH_B64SZ)
			type = HASH_SHA2_256_CHUNKED;
		else if (len == HASH_HEXSZ)
			type = default_type;
		else
			return -1;
	}
	return oid_from_value(oid, type, arg, strlen(arg));
}

int oideq(const struct object_id *a, const struct object_id *b)
{
	return a->type == b->type && !memcmp(a->hash, b->hash, HASH_RAWSZ);
}

void hash_ctx_init(struct hash_ctx *ctx)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
		die("cannot set up SHA-256 (OpenSSL)");
	ctx->evp = c;
}

void hash_ctx_update(struct hash_ctx *ctx, const void *data, size_t len)
{
	if (!EVP_DigestUpdate(ctx->evp, data, len))
		BUG("EVP_DigestUpdate failed");
}

void hash_ctx_final(struct hash_ctx *ctx, unsigned char *out)
{
	unsigned int n = 0;

	if (!EVP_DigestFinal_ex(ctx->evp, out, &n) || n != HASH_RAWSZ)
		BUG("EVP_DigestFinal_ex failed");
	if (!EVP_DigestInit_ex(ctx->evp, EVP_sha256(), NULL))
		BUG("EVP_DigestInit_ex failed");
}

void hash_ctx_release(struct hash_ctx *ctx)
{
	if (ctx->evp)
		EVP_MD_CTX_free(ctx->evp);
	ctx->evp = NULL;
}

void sha256_buf(const void *data, size_t len, unsigned char *out)
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL))
		BUG("EVP_Digest failed");
}

void md5_hex(const void *data, size_t len, char out[33])
{
	unsigned char md[16];
	unsigned int n = 0, i;

	if (!EVP_Digest(data, len, md, &n, EVP_md5(), NULL) || n != 16)
		BUG("EVP_Digest failed");
	for (i = 0; i < 16; i++)
		xsnprintf(out + 2 * i, 3, "%02x", md[i]);
}
