#ifndef JSON_H
#define JSON_H

#include "strbuf.h"

/*
 * JSON values with Python's json semantics, so that quire reads and writes
 * the same bytes and hashes as quilt3:
 *  - integers keep their exact decimal text, any size ("-0" becomes "0");
 *  - a number with a fraction or exponent is a double (1E400 is Infinity);
 *  - NaN, Infinity and -Infinity are accepted;
 *  - object members keep their order; a repeated key keeps the position of
 *    its first occurrence and the value of its last (Python's dict);
 *  - strings are UTF-8 and may contain NUL (from "\u0000"); invalid UTF-8,
 *    raw control characters and unpaired surrogates are errors.
 */
enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_INT,	/* u.str: canonical decimal text, e.g. "-12" */
	JSON_FLOAT,	/* u.num, may be NaN or +-Infinity */
	JSON_STRING,	/* u.str: UTF-8 bytes, may contain NUL */
	JSON_ARRAY,	/* u.arr */
	JSON_OBJECT,	/* u.obj */
};

struct json;

struct json_member {
	char *key;		/* NUL-terminated, but may contain NUL too */
	size_t key_len;
	struct json *value;
};
/*
 * Order of two members (pointers to struct json_member *, for qsort):
 * by key, byte by byte, as Python's sort_keys orders UTF-8 text.
 */
int json_member_cmp(const void *a, const void *b);


struct json {
	enum json_type type;
	union {
		struct {
			char *s;	/* NUL-terminated; len excludes it */
			size_t len;
		} str;
		double num;
		struct {
			struct json **v;
			size_t nr, alloc;
		} arr;
		struct {
			struct json_member *m;
			size_t nr, alloc;
		} obj;
	} u;
};

/* Deepest nesting json_parse() accepts. */
#define JSON_MAX_DEPTH 512

/*
 * Parse exactly one JSON value from buf[0..len), with optional whitespace
 * (space, tab, CR, LF) around it. On success *out is a new tree that the
 * caller frees with json_free(). On failure returns QERR_CORRUPT, appends
 * a message naming the problem and its byte offset to err, and stores
 * nothing in *out.
 */
int json_parse(const char *buf, size_t len, struct json **out,
	       struct strbuf *err);

/* Free j and everything below it; NULL is fine. */
void json_free(struct json *j);

/*
 * An arena for trees that are read and then dropped all at once, as a
 * manifest reader does with each line: json_parse_arena() accepts and
 * refuses exactly what json_parse() does, with the same messages, but
 * puts the tree in the arena, so parsing costs no malloc() once the
 * arena has grown. Such a tree is read-only and borrowed from the arena:
 * never json_free() it or any part of it, and never change it (the
 * writers, getters and json_equal() are fine). It lives until
 * json_arena_clear() or json_arena_free(). An arena is not thread-safe:
 * one per thread.
 */
struct json_arena;
struct json_arena *json_arena_new(void);
int json_parse_arena(struct json_arena *a, const char *buf, size_t len,
		     struct json **out, struct strbuf *err);
/* Forget every tree in a, keeping its memory for the next ones. */
void json_arena_clear(struct json_arena *a);
/* Free a and its memory; NULL is fine. */
void json_arena_free(struct json_arena *a);

/* Constructors: each returns a new node owned by the caller. */
struct json *json_new_null(void);
struct json *json_new_bool(int value);
struct json *json_new_string(const char *s, size_t len);
struct json *json_new_int(int64_t value);
struct json *json_new_uint(uint64_t value);
struct json *json_new_float(double value);
struct json *json_new_array(void);
struct json *json_new_object(void);
/* A deep copy of j. */
struct json *json_dup(const struct json *j);

/* Append value to an array; the array takes ownership of value. */
void json_array_append(struct json *arr, struct json *value);
/*
 * Set key in an object, taking ownership of value. An existing member
 * keeps its position and gets the new value (the old one is freed).
 */
void json_object_set(struct json *obj, const char *key, size_t key_len,
		     struct json *value);
/* The value of key, borrowed from obj; NULL when obj has no such key. */
struct json *json_object_get(const struct json *obj, const char *key);
struct json *json_object_getn(const struct json *obj, const char *key,
			      size_t key_len);
/*
 * The member key of obj when obj is an object and the member is of type
 * type (borrowed); NULL otherwise. json_string_of(): a string member's
 * text, or NULL.
 */
const struct json *json_member_of(const struct json *obj, const char *key,
				  enum json_type type);
const char *json_string_of(const struct json *obj, const char *key);

/* Remove key (freeing its value); returns 1 if it was there. */
int json_object_remove(struct json *obj, const char *key);

/* Python truthiness: null, false, 0, 0.0, "", [] and {} are false. */
int json_truthy(const struct json *j);

/*
 * Python == between two values (1 == 1.0, NaN != NaN, objects equal
 * regardless of member order).
 */
int json_equal(const struct json *a, const struct json *b);

/*
 * Python json.dumps(j, sort_keys=True, separators=(',', ':')) with
 * ensure_ascii=True: the canonical form hashed into a top hash.
 */
void json_write_canonical(struct strbuf *out, const struct json *j);

/*
 * Python json.dumps(j, ensure_ascii=False) with the default separators
 * (", " and ": ") and members in their order: what quilt3 writes into a
 * manifest.
 */
void json_write_python(struct strbuf *out, const struct json *j);

/* Append s as a JSON string literal, in either style. */
void json_write_string_canonical(struct strbuf *out, const char *s,
				 size_t len);
void json_write_string_python(struct strbuf *out, const char *s, size_t len);

/*
 * Python repr(float): the shortest digits that read back to the same
 * double, exponent form when the exponent is < -4 or >= 16; "NaN",
 * "Infinity", "-Infinity".
 */
void json_format_double(struct strbuf *out, double d);

#endif
