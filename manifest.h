#ifndef MANIFEST_H
#define MANIFEST_H

#include "hash.h"
#include "json.h"
#include "strbuf.h"

/*
 * Manifests: JSON Lines in quilt3's format. Line 1 is the package
 * metadata object; then one line per entry,
 *   {"logical_key": K, "physical_keys": [P], "size": N,
 *    "hash": {"type": T, "value": V}, "meta": M}
 * and lines of folder metadata, {"logical_key": "dir/", "meta": M}.
 *
 * Everything here streams: a reader hands out one entry at a time, and a
 * builder takes entries in quilt3 order (logical_key_cmp) and writes the
 * manifest and its top hash as they come. Entries in any other order go
 * through a manifest_sorter (external merge sort) first.
 */

/* Longest manifest line quire reads (quilt3 caps records at 1 MB). */
#define MANIFEST_LINE_MAX (64u << 20)

struct manifest_entry {
	size_t line_nr;
	int is_dir;		/* a folder-metadata line */
	struct strbuf key;	/* logical key */
	struct strbuf physical;	/* first physical key, normalized */
	uint64_t size;
	struct json *hash;	/* the hash object as read (NULL for dirs) */
	struct object_id oid;	/* parsed hash, when hash_known */
	int hash_known;
	struct json *meta;	/* never NULL after reading; {} for null */
	/*
	 * The line as read, borrowed like the entry, when it came from
	 * manifest_reader_next_shared() and holds no "NaN" (a value not
	 * equal to itself); else NULL. Two entries with lines of the same
	 * bytes are equal entries.
	 */
	const char *line;
	size_t line_len;
};

void manifest_entry_init(struct manifest_entry *e);
void manifest_entry_release(struct manifest_entry *e);

enum manifest_read_flags {
	/*
	 * Accept what quilt3's loader accepts without quire's own checks:
	 * logical keys are not validated and unknown hash types or
	 * malformed hash values are kept as they are.
	 */
	MANIFEST_READ_LAX = (1 << 0),
};

struct manifest_pipe;

struct manifest_reader {
	FILE *fp;
	char *name;		/* for messages */
	unsigned flags;
	size_t line_nr;
	struct strbuf line;
	struct json *meta;	/* package metadata (top_hash dropped) */
	int unterminated;	/* the last line read had no newline */
	struct manifest_pipe *pipe;	/* manifest_reader_next_shared() */
};

/*
 * Start reading fp (not closed by the reader) and read line 1. Errors
 * (QERR_CORRUPT) name "<name>:<line>" and the problem.
 */
int manifest_reader_open(struct manifest_reader *r, FILE *fp,
			 const char *name, unsigned flags, struct strbuf *err);
/* 1 with *e filled, 0 at the end, or a negative qerr. */
int manifest_reader_next(struct manifest_reader *r, struct manifest_entry *e,
			 struct strbuf *err);
/*
 * The same entries, results and messages, parsed ahead on every core
 * (see manifest-internal.h; QUIRE_THREADS=1 parses on this thread only),
 * for readers that only look: *e is borrowed until the next call or
 * manifest_reader_release(); never change or release it, nor keep
 * pointers into its trees. A reader is read with this function or with
 * manifest_reader_next(), not both; r->line and r->unterminated are not
 * kept up to date.
 */
int manifest_reader_next_shared(struct manifest_reader *r,
				const struct manifest_entry **e,
				struct strbuf *err);
void manifest_reader_release(struct manifest_reader *r);
/* Just line 1 of fp, the package metadata, as a new object in *meta. */
int manifest_read_meta(FILE *fp, const char *name, struct json **meta,
		       struct strbuf *err);

/*
 * Parse one entry line (line 2 onwards) into e. Returns 0 or QERR_CORRUPT
 * with the problem (without the position) in err.
 */
int manifest_parse_entry(const char *line, size_t len, unsigned flags,
			 struct manifest_entry *e, struct strbuf *err);

/* Check and normalize package metadata (drops "top_hash"). */
int manifest_check_meta(struct json *meta, struct strbuf *err);

/* The manifest line quilt3 writes for meta or e (no newline). */
void manifest_format_meta(struct strbuf *out, const struct json *meta);
void manifest_format_entry(struct strbuf *out, const struct manifest_entry *e);
/* The canonical JSON that e adds to the top hash. */
void manifest_format_hash_part(struct strbuf *out,
			       const struct manifest_entry *e);

/*
 * An entry flattened for sorting and writing: its sort key, its manifest
 * line and its top-hash part.
 */
struct manifest_record {
	int is_dir;
	int dir_meta_truthy;	/* folder line with metadata to write */
	size_t line_nr;
	const char *key;
	size_t key_len;
	const char *line;	/* without newline */
	size_t line_len;
	const char *canon;	/* empty for folder lines */
	size_t canon_len;
};

/*
 * Fill rec from e, using bufs line and canon for the text. line may be
 * NULL when the manifest line is not needed (only the top hash is).
 */
void manifest_record_from_entry(struct manifest_record *rec,
				const struct manifest_entry *e,
				struct strbuf *line, struct strbuf *canon);

/* Folder lines first (by key), then entries by key. */
int manifest_record_cmp(const struct manifest_record *a,
			const struct manifest_record *b);

/*
 * Takes records in manifest_record_cmp order and produces the manifest:
 * folder lines deduplicated (the last one read wins) and dropped when
 * their metadata is empty, as quilt3 does; entries checked for
 * duplicates and for a key that is also a folder; every entry added to
 * the top hash; lines written to out when out >= 0.
 */
struct manifest_builder {
	const char *name;	/* for messages; set it after init, or NULL */
	int out;
	const char *out_path;	/* out's file for messages; set after init */
	struct strbuf obuf;
	struct hash_ctx top;
	struct hash_ctx bytes;	/* SHA-256 of everything written */
	struct strbuf prev_key;
	size_t prev_line;
	int have_prev;
	int prev_is_dir;
	struct strbuf pending;	/* folder line waiting for its last version */
	int pending_truthy;
	int have_pending;
	uint64_t entries;
	int write_error;
};

enum manifest_builder_result {
	MANIFEST_OUT_OF_ORDER = 1,
};

void manifest_builder_init(struct manifest_builder *b,
			   const struct json *meta, int out);
/*
 * Returns 0, MANIFEST_OUT_OF_ORDER (nothing else done: the caller may
 * start over with a sorter), or QERR_CORRUPT (duplicate key, key that
 * is also a folder) / QERR_GENERIC (write error) with err filled in.
 */
int manifest_builder_add(struct manifest_builder *b,
			 const struct manifest_record *rec,
			 struct strbuf *err);
/*
 * Flush and give the top hash, and the SHA-256 of the bytes written (when
 * out >= 0; bytes_sha256 may be NULL).
 */
int manifest_builder_finish(struct manifest_builder *b,
			    struct object_id *top_hash,
			    unsigned char *bytes_sha256, struct strbuf *err);
void manifest_builder_release(struct manifest_builder *b);

/*
 * External merge sort of records: kept in memory up to mem_limit bytes,
 * then sorted and spilled to temporary files in tmpdir; finish merges
 * them and calls fn for each record in order. Stable: records that
 * compare equal come out in the order they were added.
 */
struct manifest_sorter;
typedef int manifest_record_fn(const struct manifest_record *rec,
			       void *payload);

struct manifest_sorter *manifest_sorter_new(const char *tmpdir,
					    size_t mem_limit);
int manifest_sorter_add(struct manifest_sorter *s,
			const struct manifest_record *rec, struct strbuf *err);
int manifest_sorter_finish(struct manifest_sorter *s, manifest_record_fn *fn,
			   void *payload, struct strbuf *err);
void manifest_sorter_free(struct manifest_sorter *s);

/* Default memory for a sorter, overridable with QUIRE_SORT_MEMORY (MiB). */
size_t manifest_sort_memory(void);

/*
 * Read a whole manifest from fp and build it in quilt3 order, writing the
 * result to opts->out (when >= 0) and giving its top hash, the SHA-256 of
 * the bytes written (may be NULL) and the number of entries (may be
 * NULL). When opts->seekable is set, the file is first read as a stream
 * (constant memory) and sorted only if it turns out to be out of order;
 * otherwise the records go through a manifest_sorter.
 */
struct manifest_load_opts {
	const char *name;
	unsigned read_flags;
	int seekable;
	const char *tmpdir;
	int out;		/* where the builder writes, or -1 */
};
int manifest_load(FILE *fp, const struct manifest_load_opts *opts,
		  struct object_id *top_hash, unsigned char *bytes_sha256,
		  uint64_t *entries, struct strbuf *err);

#endif
