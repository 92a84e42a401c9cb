#ifndef JSON_OUT_H
#define JSON_OUT_H

#include "hash.h"
#include "json.h"

struct manifest_entry;

/*
 * What commands print with --json (Documentation/quire-json.adoc): one
 * document a run, on one line, in Python's json.dumps() style. The
 * builders below make the values that have one spelling everywhere; a
 * list that can be long is streamed with json_list_*().
 */

/* Set key (NUL-terminated) in obj, taking ownership of value. */
void json_set(struct json *obj, const char *key, struct json *value);
/* A string, or null for NULL. */
struct json *json_str(const char *s);
/* A top hash as 64 hex digits, or null for NULL. */
struct json *json_top_hash(const struct object_id *top);
/* Seconds since the epoch as "2026-12-05T03:14:00Z" (UTC). */
void json_format_time(struct strbuf *out, uint64_t t);
struct json *json_time(uint64_t t);
/* A registry URL with its credentials removed, or null for NULL. */
struct json *json_url(const char *url);
/*
 * An entry of a manifest: logical_key, "type": "file", size, hash,
 * physical_key and meta (each copied).
 */
struct json *json_entry(const struct manifest_entry *e);

/*
 * What push, push-manifest and push-data print with --json: the version,
 * where it went, objects uploaded and already there, bytes uploaded.
 */
void json_print_push(const char *name, const struct object_id *top,
		     const char *url, uint64_t uploaded, uint64_t reused,
		     uint64_t size);

/* Print j and a newline to standard output; frees j. */
void json_print(struct json *j);

/*
 * An object whose members are those of head, then key holding an array
 * written an item at a time, then the members of tail:
 *
 *	struct json_list l;
 *	json_list_begin(&l, head, "entries");
 *	while (...)
 *		json_list_add(&l, item);
 *	json_list_end(&l, tail);
 *
 * head and tail may be NULL; every value passed is printed and freed.
 */
struct json_list {
	size_t nr;
};
void json_list_begin(struct json_list *l, struct json *head,
		     const char *key);
void json_list_add(struct json_list *l, struct json *item);
void json_list_end(struct json_list *l, struct json *tail);

#endif
