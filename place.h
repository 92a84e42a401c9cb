#ifndef PLACE_H
#define PLACE_H

#include "checkout.h"
#include "hash.h"
#include "strbuf.h"

struct beneath;
struct odb;
struct progress;
struct tempfile;

/*
 * Placing many files below a folder at once, verified: each file's bytes
 * come from the user's cache, or straight from a local (file://) physical
 * key, or are downloaded straight into place (S3; into the cache first
 * when they are to be hard-linked). Each lands as a temporary file in
 * tmpdir (on the target's file system), is hashed as it is copied, and
 * is renamed over key only when its bytes match the entry's hash. Files
 * are placed on several threads; nothing is synced per file: the caller
 * makes the whole batch durable with place_sync() before it records the
 * files as placed (a crash before that leaves files the index does not
 * vouch for, which are hashed again before they are trusted).
 */
struct place_item {
	const char *key;
	const char *physical;	/* "" or NULL: the cache only */
	struct object_id oid;
	uint64_t size;
	/* results */
	struct stat st;		/* of the placed file */
	int fetched;		/* downloaded into the cache for this */
	int ret;
	struct strbuf err;
	/* private */
	int dirfd;
	const char *base;
	struct tempfile *download;	/* verified, to be renamed into place */
};

struct place_opts {
	struct odb *cache;
	struct beneath *b;
	const char *tmpdir;
	enum link_type link;
	struct progress *progress;	/* counts the bytes placed; NULL */
};

void place_item_init(struct place_item *it, const char *key,
		     const char *physical, const struct object_id *oid,
		     uint64_t size);
void place_item_release(struct place_item *it);

/*
 * Place items[0..nr). Each item's ret and err tell how it went; the
 * first failure (in order) is returned with its message in err. A cached
 * copy that turns out corrupt is dropped and fetched again once.
 */
int place_items(const struct place_opts *o, struct place_item *items,
		size_t nr, struct strbuf *err);

/*
 * Make every file placed so far below root_fd durable (one syncfs() of
 * its file system, not one fsync per file).
 */
int place_sync(int root_fd, const char *shown, struct strbuf *err);

#endif
