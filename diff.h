#ifndef DIFF_H
#define DIFF_H

#include "manifest.h"

struct index_db;

/*
 * Entries of a package version in quilt3 order, one at a time, from a
 * manifest or from a workspace's index: two of them merge like sorted
 * lists, so comparing two 10-million-entry versions takes constant memory.
 * Folder-metadata lines are skipped.
 */
struct entry_stream {
	/* 1 with *e filled, 0 at the end, or a negative qerr. */
	int (*next)(struct entry_stream *s, struct manifest_entry *e,
		    struct strbuf *err);
	/*
	 * May be NULL. The same entries, lent: *e is borrowed until the
	 * next call (see manifest_reader_next_shared()); a stream is read
	 * with next or with next_shared, never both. A manifest's entries
	 * come this way parsed ahead on every core.
	 */
	int (*next_shared)(struct entry_stream *s,
			   const struct manifest_entry **e,
			   struct strbuf *err);
	void (*free)(struct entry_stream *s);
	/* the package metadata (line 1) of a manifest; NULL for an index */
	const struct json *meta;
};

/* Entries of the manifest in fp (not closed); name is for messages. */
struct entry_stream *entry_stream_manifest(FILE *fp, const char *name,
					   struct strbuf *err);
/* Entries staged in an index (hash them first: stage_refresh()); those
 * never hashed are skipped. */
struct entry_stream *entry_stream_index(struct index_db *idx,
					const char *prefix);
/* The same; with all, also entries never hashed, as bytes unknown. */
struct entry_stream *entry_stream_index_all(struct index_db *idx,
					    const char *prefix, int all);
void entry_stream_free(struct entry_stream *s);

enum diff_kind {
	DIFF_ADDED,	/* only in b */
	DIFF_DELETED,	/* only in a */
	DIFF_MODIFIED,	/* bytes differ (hash or size) */
	DIFF_META,	/* same bytes, other metadata */
};

/* a is NULL for DIFF_ADDED, b for DIFF_DELETED. Non-zero stops. */
typedef int diff_fn(enum diff_kind kind, const struct manifest_entry *a,
		    const struct manifest_entry *b, void *payload);

/* Compare a (old) with b (new); fn sees each difference in key order. */
int diff_streams(struct entry_stream *a, struct entry_stream *b,
		 diff_fn *fn, void *payload, struct strbuf *err);

/* "added", "deleted", "modified" or "metadata". */
const char *diff_kind_name(enum diff_kind kind);

/*
 * One change as 'quire diff --json' lists it; key NULL for a change of
 * the package metadata (a and b NULL then).
 */
struct json;
struct json *diff_change_json(enum diff_kind kind, const struct strbuf *key,
			      const struct manifest_entry *a,
			      const struct manifest_entry *b);

/* Do two entries hold the same bytes (hash and size)? */
int entry_same_bytes(const struct manifest_entry *a,
		     const struct manifest_entry *b);

#endif
