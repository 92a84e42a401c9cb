#ifndef MANIFEST_INTERNAL_H
#define MANIFEST_INTERNAL_H

#include "manifest.h"

/*
 * What manifest.c, manifest-sort.c and manifest-parallel.c share: the
 * entry parser that puts its trees in an arena, and the pipe that parses
 * a manifest's lines on every core and hands them out in order.
 */

/* What a reader of entries wants filled in beyond key, kind and meta. */
enum manifest_need {
	MANIFEST_NEED_PHYSICAL = (1 << 0),	/* e->physical, normalized */
	MANIFEST_NEED_OID = (1 << 1),		/* e->oid, e->hash_known */
	MANIFEST_NEED_ALL = MANIFEST_NEED_PHYSICAL | MANIFEST_NEED_OID,
};

/*
 * manifest_parse_entry(), with e's hash and meta trees put in arena and
 * borrowed from it (see json_arena): e must only ever be filled by this
 * function, and never given to manifest_entry_release() with its trees
 * (set them to NULL first). Whatever need leaves out may be left empty;
 * every check is made all the same, so what it refuses and the messages
 * are manifest_parse_entry()'s.
 */
int manifest_parse_entry_arena(struct json_arena *arena, const char *line,
			       size_t len, unsigned flags, unsigned need,
			       struct manifest_entry *e, struct strbuf *err);

/*
 * A pipe reads the lines of a manifest after line 1 (from a reader that
 * manifest_reader_open() opened, and whose fp only the pipe reads from
 * then on) in chunks of whole lines, has the shared thread pool parse
 * each chunk, and hands out the results in file order: the same results,
 * errors and messages as manifest_reader_next() gives line by line.
 * It parses at most a few chunks ahead, so memory stays bounded (a few
 * MiB per thread). QUIRE_THREADS=1 parses every chunk on the calling
 * thread.
 *
 * MANIFEST_PIPE_ENTRIES hands out entries (with folder lines) as
 * manifest_reader_next_shared() describes. MANIFEST_PIPE_RECORDS hands
 * out manifest_records with their top-hash part (the line is empty);
 * MANIFEST_PIPE_LINES also with the manifest line. A record is borrowed
 * until the next call.
 */
enum manifest_pipe_kind {
	MANIFEST_PIPE_ENTRIES,
	MANIFEST_PIPE_RECORDS,
	MANIFEST_PIPE_LINES,
};

struct manifest_pipe;
struct manifest_pipe *manifest_pipe_start(struct manifest_reader *r,
					  enum manifest_pipe_kind kind);
/* 1 with *e or *rec set, 0 at the end, or a negative qerr with err. */
int manifest_pipe_next_entry(struct manifest_pipe *p,
			     const struct manifest_entry **e,
			     struct strbuf *err);
int manifest_pipe_next_record(struct manifest_pipe *p,
			      const struct manifest_record **rec,
			      struct strbuf *err);
/* Stop (parsing ahead is abandoned) and free; NULL is fine. */
void manifest_pipe_stop(struct manifest_pipe *p);

#endif
