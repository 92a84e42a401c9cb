#ifndef HANDLER_H
#define HANDLER_H

#include "json.h"
#include "strbuf.h"

/*
 * Handler specs: how an entry says it is to be read back, in the manner
 * of a databroker resource (a handler named by its spec, initialized
 * with keyword arguments). The handler is part of the entry's meta
 * object, next to user_meta, so it travels wherever the entry goes:
 *
 *   "meta": {"handler": {"spec": "AD_TIFF", "kwargs": {...}}, ...}
 *
 * A spec is a name, not code: quire stores and shows it, and never
 * interprets it.
 */

/* The longest spec handler_spec_check() accepts. */
#define HANDLER_SPEC_MAX 200

/*
 * 0 when spec[0..len) is a valid spec: 1 to HANDLER_SPEC_MAX bytes of
 * printable ASCII (0x21 to 0x7e: no space, no control byte), such as
 * "AD_TIFF", "npy" or "pandas.read_parquet". Otherwise QERR_USAGE, with
 * "invalid handler spec '<spec>': <why>" appended to err.
 */
int handler_spec_check(const char *spec, size_t len, struct strbuf *err);

/*
 * A new handler object {"spec": spec, "kwargs": kwargs}, owned by the
 * caller (json_free()). It takes kwargs, which must be an object; NULL
 * stands for {}.
 */
struct json *handler_new(const char *spec, size_t len, struct json *kwargs);

/*
 * The handler object of an entry's meta object, borrowed from meta;
 * NULL when meta is not an object or has no "handler" member.
 */
const struct json *handler_get(const struct json *meta);

/*
 * Append the spec of meta's handler for people: as it is when it is a
 * valid spec, else as a JSON string in double quotes (ASCII only), as a
 * manifest written elsewhere may hold anything. Returns 1 when it
 * appended something, 0 when meta has no handler with a string spec.
 */
int handler_format_spec(struct strbuf *out, const struct json *meta);

#endif
