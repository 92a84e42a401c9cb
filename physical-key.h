#ifndef PHYSICAL_KEY_H
#define PHYSICAL_KEY_H

#include "strbuf.h"

/*
 * Where an entry's bytes live, as quilt3 reads and writes it:
 *   file:///abs/path                   path percent-encoded, '/' kept
 *   s3://bucket/key[?versionId=V]      key as urllib.parse.quote, V as
 *                                      quote_plus
 * physical_key_parse() then physical_key_format() gives quilt3's bytes.
 */
enum physical_key_scheme {
	PHYSICAL_KEY_FILE,
	PHYSICAL_KEY_S3,
};

struct physical_key {
	enum physical_key_scheme scheme;
	char *bucket;		/* s3 only */
	char *path;		/* decoded: absolute path, or the s3 key */
	char *version_id;	/* s3 only; NULL when absent */
};
#define PHYSICAL_KEY_INIT { PHYSICAL_KEY_FILE, NULL, NULL, NULL }

/* 0, or QERR_CORRUPT with the reason in err. */
int physical_key_parse(struct physical_key *pk, const char *url, size_t len,
		       struct strbuf *err);
void physical_key_format(struct strbuf *out, const struct physical_key *pk);
/* A file:// key for an absolute local path (normalized lexically). */
void physical_key_from_path(struct physical_key *pk, const char *abspath);
void physical_key_release(struct physical_key *pk);

/*
 * May bytes be read from url, a physical key of a version that came from
 * a registry? S3 keys, yes; file:// keys only below root (a folder
 * registry's own folder; NULL for any other registry) and with no "."
 * or ".." components: a registry's manifest must not make quire read
 * other files of this machine. 0, or QERR_USAGE with why in err.
 */
int physical_key_local_allowed(const char *url, const char *root,
			       struct strbuf *err);

/* Python's urllib.parse.quote(s, safe) and unquote(), on UTF-8 bytes. */
void url_quote(struct strbuf *out, const char *s, size_t len,
	       const char *safe);
void url_quote_plus(struct strbuf *out, const char *s, size_t len);
/* Decode %XX (and '+' as space if plus); -1 if the result is not UTF-8. */
int url_unquote(struct strbuf *out, const char *s, size_t len, int plus);

#endif
